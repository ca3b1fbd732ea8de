// exercise: events-big-orders
use cloudlab::prelude::*;

pub struct FraudRouting {
    pub rule: RuleRef,
    pub queue: Queue,
}

pub fn setup(cloud: &mut Cloud) -> CloudResult<FraudRouting> {
    let queue = cloud.sqs().create_queue("fraud-review")?;
    // TODO: which events? Which amounts? Which Regions? What does the tool read?
    let rule = cloud.events().put_rule(
        "large-eu-orders",
        Rule::pattern(json!({"detail-type": ["OrderPlaced"]})),
    )?;
    cloud.events().add_target(&rule, Target::queue(&queue))?;
    Ok(FraudRouting { rule, queue })
}

// exercise: events-big-orders
use cloudlab::prelude::*;

pub struct FraudRouting {
    pub rule: RuleRef,
    pub queue: Queue,
}

/// Orders over 1,000 from EU Regions.
pub fn setup(cloud: &mut Cloud) -> CloudResult<FraudRouting> {
    let queue = cloud.sqs().create_queue("fraud-review")?;
    let rule = cloud.events().put_rule(
        "large-eu-orders",
        Rule::pattern(json!({
            "source": ["com.example.shop"],
            "detail-type": ["OrderPlaced"],
            "detail": {
                "total": [{"numeric": [">", 1000]}],
                "region": [{"prefix": "eu-"}]
            }
        })),
    )?;
    cloud
        .events()
        .add_target(&rule, Target::queue(&queue).input_path("$.detail"))?;
    Ok(FraudRouting { rule, queue })
}

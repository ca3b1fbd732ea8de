// exercise: events-nightly-cleanup
use cloudlab::prelude::*;

/// Once a day, with the task as input and a DLQ.
pub fn schedule_cleanup(cloud: &mut Cloud, cleanup: &FunctionRef) -> CloudResult<RuleRef> {
    let dlq = cloud.sqs().create_queue("cleanup-dlq")?;
    let rule = cloud.events().put_rule(
        "nightly-cleanup",
        Rule::schedule("rate(1 day)"),
    )?;
    cloud.events().add_target(
        &rule,
        Target::function(cleanup)
            .input(json!({"task": "expire-carts", "olderThanHours": 48}))
            .dead_letter_queue(&dlq),
    )?;
    Ok(rule)
}

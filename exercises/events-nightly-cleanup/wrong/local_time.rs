// exercise: events-nightly-cleanup
use cloudlab::prelude::*;

/// 02:15 in Berlin (UTC+1 in winter), Monday to Friday, with the task as input and a DLQ.
pub fn schedule_cleanup(cloud: &mut Cloud, cleanup: &FunctionRef) -> CloudResult<RuleRef> {
    let dlq = cloud.sqs().create_queue("cleanup-dlq")?;
    let rule = cloud.events().put_rule(
        "nightly-cleanup",
        Rule::schedule("cron(15 3 ? * MON-FRI *)"),
    )?;
    cloud.events().add_target(
        &rule,
        Target::function(cleanup)
            .input(json!({"task": "expire-carts", "olderThanHours": 48}))
            .dead_letter_queue(&dlq),
    )?;
    Ok(rule)
}

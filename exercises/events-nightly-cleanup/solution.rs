// exercise: events-nightly-cleanup
use cloudlab::prelude::*;

/// 02:15 UTC, Monday to Friday (day names, not numbers: 1 is Sunday); a
/// constant input instead of the scheduled event; a DLQ for runs that
/// cannot reach the function.
pub fn schedule_cleanup(cloud: &mut Cloud, cleanup: &FunctionRef) -> CloudResult<RuleRef> {
    let dlq = cloud.sqs().create_queue("cleanup-dlq")?;
    let rule = cloud.events().put_rule(
        "nightly-cleanup",
        Rule::schedule("cron(15 2 ? * MON-FRI *)"),
    )?;
    cloud.events().add_target(
        &rule,
        Target::function(cleanup)
            .input(json!({"task": "expire-carts", "olderThanHours": 48}))
            .dead_letter_queue(&dlq),
    )?;
    Ok(rule)
}

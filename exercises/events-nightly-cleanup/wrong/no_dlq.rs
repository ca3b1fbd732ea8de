// exercise: events-nightly-cleanup
use cloudlab::prelude::*;

/// 02:15 UTC, Monday to Friday, with the task as input.
pub fn schedule_cleanup(cloud: &mut Cloud, cleanup: &FunctionRef) -> CloudResult<RuleRef> {
    cloud.sqs().create_queue("cleanup-dlq")?;
    let rule = cloud.events().put_rule(
        "nightly-cleanup",
        Rule::schedule("cron(15 2 ? * MON-FRI *)"),
    )?;
    cloud.events().add_target(
        &rule,
        Target::function(cleanup)
            .input(json!({"task": "expire-carts", "olderThanHours": 48})),
    )?;
    Ok(rule)
}

use grading::prelude::*;

use super::public::{cleanup_function, minutes};
use super::solution::schedule_cleanup;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("runs at 02:15 UTC on each weekday of two weeks", 4, two_weeks)
            .feedback("A run every 24 hours is not a run at a time of day; and the schedule's clock is UTC."),
        Scenario::new("no runs on Saturday and Sunday", 3, weekend)
            .feedback("Check which number or name your day-of-week field uses for each day."),
        Scenario::new("each run receives the clean-up task", 3, input)
            .feedback("Without a constant input the function receives the scheduled event itself."),
        Scenario::new("if the function is gone, the run waits in cleanup-dlq", 3, function_gone)
            .feedback("EventBridge does not retry a target that does not exist."),
        Scenario::new("set up in the evening, it still runs at 02:15", 3, late_setup)
            .feedback("The first run should not depend on the time of day the rule was created."),
    ]
}

fn two_weeks(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (f, runs) = cleanup_function(&mut cloud)?;
    check::ok("schedule_cleanup", schedule_cleanup(&mut cloud, &f))?;
    ctx.note("set up on Thursday 2026-01-01 at 00:00 UTC; two weeks pass");
    cloud.advance(14.days());
    cloud.run_until_idle();
    let expected: Vec<String> = [1, 2, 5, 6, 7, 8, 9, 12, 13, 14]
        .iter()
        .map(|d| format!("2026-01-{d:02}T02:15"))
        .collect();
    check::eq("the minutes expire-carts ran at", expected, minutes(&runs))
}

fn weekend(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    cloud.advance(2.days());
    let (f, runs) = cleanup_function(&mut cloud)?;
    check::ok("schedule_cleanup", schedule_cleanup(&mut cloud, &f))?;
    ctx.note("set up on Saturday 2026-01-03 at 00:00 UTC; the weekend passes, then Monday");
    cloud.advance(2.days());
    cloud.run_until_idle();
    check::eq("runs during Saturday and Sunday", Vec::<String>::new(), minutes(&runs))?;
    cloud.advance(1.days());
    cloud.run_until_idle();
    check::eq("runs on Monday", vec!["2026-01-05T02:15".to_string()], minutes(&runs))
}

fn input(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (f, runs) = cleanup_function(&mut cloud)?;
    check::ok("schedule_cleanup", schedule_cleanup(&mut cloud, &f))?;
    cloud.advance(1.days());
    cloud.run_until_idle();
    let inputs: Vec<Value> = runs.lock().unwrap().iter().map(|(_, e)| e.clone()).collect();
    check::eq(
        "what expire-carts received",
        vec![json!({"task": "expire-carts", "olderThanHours": 48})],
        inputs,
    )
}

fn function_gone(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (f, _runs) = cleanup_function(&mut cloud)?;
    check::ok("schedule_cleanup", schedule_cleanup(&mut cloud, &f))?;
    check::ok("delete expire-carts", cloud.lambda().delete_function(&f))?;
    ctx.note("expire-carts was deleted before Thursday's run");
    cloud.advance(1.days());
    cloud.run_until_idle();
    let dlq = Queue::named("cleanup-dlq");
    let got = check::ok("receive from cleanup-dlq", cloud.sqs().receive(&dlq, Receive::max(10)))?;
    check::eq("messages in cleanup-dlq", 1, got.len())?;
    let event: Value = got[0].body.parse().unwrap_or(Value::Null);
    check::eq(
        "the waiting event's (source, detail-type)",
        json!(["aws.events", "Scheduled Event"]),
        json!([event["source"], event["detail-type"]]),
    )
}

fn late_setup(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    cloud.advance(22.hours());
    let (f, runs) = cleanup_function(&mut cloud)?;
    check::ok("schedule_cleanup", schedule_cleanup(&mut cloud, &f))?;
    ctx.note("set up on Thursday 2026-01-01 at 22:00 UTC; one day passes");
    cloud.advance(1.days());
    cloud.run_until_idle();
    check::eq("the minutes expire-carts ran at", vec!["2026-01-02T02:15".to_string()], minutes(&runs))
}

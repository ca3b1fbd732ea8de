use std::sync::{Arc, Mutex};

use grading::prelude::*;

use super::solution::schedule_cleanup;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("the clean-up runs on a weekday", 2, runs_on_a_weekday)
            .feedback("Schedule the function with a rule whose schedule fires once on a weekday."),
        Scenario::new("the rule is nightly-cleanup on the default bus, enabled", 2, the_rule)
            .feedback("Name the rule `nightly-cleanup` and keep it enabled."),
    ]
}

/// What the function saw: (the minute it ran, its input).
pub type Runs = Arc<Mutex<Vec<(String, Value)>>>;

/// Creates `expire-carts`, a function that records its runs.
pub fn cleanup_function(cloud: &mut Cloud) -> Result<(FunctionRef, Runs), check::Fail> {
    let runs: Runs = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&runs);
    let f = check::ok(
        "create expire-carts",
        cloud.lambda().create_function(
            "expire-carts",
            Function::new(move |event, ctx| {
                let minute: String = ctx.now().to_string().chars().take(16).collect();
                seen.lock().unwrap().push((minute, event.clone()));
                Ok(json!({"expired": 3}))
            }),
        ),
    )?;
    Ok((f, runs))
}

/// The minutes the function ran at, in order.
pub fn minutes(runs: &Runs) -> Vec<String> {
    runs.lock().unwrap().iter().map(|(m, _)| m.clone()).collect()
}

fn runs_on_a_weekday(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (f, runs) = cleanup_function(&mut cloud)?;
    check::ok("schedule_cleanup", schedule_cleanup(&mut cloud, &f))?;
    ctx.note("set up on Thursday 2026-01-01 at 00:00 UTC; one day passes");
    cloud.advance(1.days());
    cloud.run_until_idle();
    check::eq("runs during Thursday", 1, minutes(&runs).len())
}

fn the_rule(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (f, _runs) = cleanup_function(&mut cloud)?;
    check::ok("schedule_cleanup", schedule_cleanup(&mut cloud, &f))?;
    let d = check::ok(
        "DescribeRule nightly-cleanup",
        cloud.call("events", "DescribeRule", json!({"Name": "nightly-cleanup"})),
    )?;
    check::eq("State", json!("ENABLED"), d["State"].clone())
}

use grading::prelude::*;

use super::public::{request, setup};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("an approval two hours later completes the refund", 4, approved)
            .feedback("The answer comes back through SendTaskSuccess with the token; a manager may take hours."),
        Scenario::new("a rejection fails with Rejected", 4, rejected)
            .feedback("The task succeeds either way: it is the answer that says no. Look at it."),
        Scenario::new("no answer in a day: a reminder is published and the execution fails with Expired", 4, expired)
            .feedback("How long does a waiting task wait by default, and what error does it fail with when it waits too long?"),
        Scenario::new("the answer is kept under $.decision", 4, decision)
            .feedback("ResultPath decides where the task's result goes in the state's output."),
    ]
}

fn answer(cloud: &mut Cloud, token: &str, approved: bool) -> Outcome {
    check::ok("SendTaskSuccess", cloud.states().send_task_success(token, json!({"approved": approved})))?;
    cloud.run_until_idle();
    Ok(())
}

fn approved(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = setup(&mut cloud)?;
    let (token, _) = request(&mut cloud, &s)?;
    cloud.advance(2.hours());
    answer(&mut cloud, &token, true)?;
    let d = check::ok("describe", cloud.states().describe(&s.exec))?;
    check::eq("status", "SUCCEEDED", d.status.as_str())
}

fn rejected(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = setup(&mut cloud)?;
    let (token, _) = request(&mut cloud, &s)?;
    answer(&mut cloud, &token, false)?;
    let d = check::ok("describe", cloud.states().describe(&s.exec))?;
    check::eq("status", "FAILED", d.status.as_str())?;
    check::eq("error", Some("Rejected".to_string()), d.error)
}

fn expired(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = setup(&mut cloud)?;
    request(&mut cloud, &s)?;
    cloud.advance(1.days());
    let d = check::ok("describe", cloud.states().describe(&s.exec))?;
    check::eq("error a day later", Some("Expired".to_string()), d.error)?;
    let got = check::ok("receive reminders", cloud.sqs().receive(&s.reminders, Receive::max(10)))?;
    check::eq("reminders published", 1, got.len())?;
    check::that("the reminder names the refund r-7", got[0].body.contains("r-7"))
}

fn decision(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = setup(&mut cloud)?;
    let (token, _) = request(&mut cloud, &s)?;
    answer(&mut cloud, &token, true)?;
    let d = check::ok("describe", cloud.states().describe(&s.exec))?;
    let out = check::some("output", d.output)?;
    check::eq("$.decision", json!({"approved": true}), out["decision"].clone())?;
    check::eq("$.refund", json!("r-7"), out["refund"].clone())
}

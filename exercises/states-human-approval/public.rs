use grading::prelude::*;

use super::solution::approval_workflow;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("the manager is asked, with a token", 4, asked)
            .feedback("The approvals queue should get one message with the token under \"token\" and the refund id under \"refund\"."),
    ]
}

pub struct Setup {
    pub exec: Execution,
    pub approvals: Queue,
    pub reminders: Queue,
}

/// Queues, topic, the state machine and one execution for refund r-7.
pub fn setup(cloud: &mut Cloud) -> Result<Setup, check::Fail> {
    let approvals = check::ok("create the queue", cloud.sqs().create_queue("approvals"))?;
    let expired = check::ok("create the topic", cloud.sns().create_topic("approval-expired"))?;
    let reminders = check::ok("create the reminders queue", cloud.sqs().create_queue("reminders"))?;
    check::ok("subscribe", cloud.sns().subscribe_queue(&expired, &reminders))?;
    let sm = check::ok(
        "create the state machine",
        cloud.states().create_state_machine("refund-approval", approval_workflow(&approvals, &expired)),
    )?;
    let exec = check::ok("start", cloud.states().start_execution(&sm, json!({"refund": "r-7", "amount": 900})))?;
    Ok(Setup { exec, approvals, reminders })
}

/// Receives the approval request and returns (token, body).
pub fn request(cloud: &mut Cloud, s: &Setup) -> Result<(String, Value), check::Fail> {
    cloud.advance(1.secs());
    let got = check::ok("receive", cloud.sqs().receive(&s.approvals, Receive::max(10)))?;
    check::eq("approval requests in the queue", 1, got.len())?;
    let body: Value = serde_json::from_str(&got[0].body).unwrap_or(Value::Null);
    let token = check::some("a \"token\" in the message", body["token"].as_str().map(str::to_string))?;
    Ok((token, body))
}

fn asked(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = setup(&mut cloud)?;
    let (_, body) = request(&mut cloud, &s)?;
    check::eq("refund in the message", json!("r-7"), body["refund"].clone())?;
    let d = check::ok("describe", cloud.states().describe(&s.exec))?;
    check::eq("status while waiting", "RUNNING", d.status.as_str())
}

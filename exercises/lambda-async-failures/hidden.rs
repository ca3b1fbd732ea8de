use grading::prelude::*;

use super::public::{Address, mailer, sent, signup};
use super::solution::deploy;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a mailer outage of a few minutes delays the e-mail, it does not lose it", 5, outage)
            .feedback("Lambda retries an asynchronous invocation only if it failed, and only as often as it is allowed to."),
        Scenario::new("an undeliverable address lands in welcome-failures with its error", 5, bounced)
            .feedback("Support needs the request and the error. What does Lambda send where, when it gives up on an event?"),
        Scenario::new("a sign-up that waited over an hour is not e-mailed, and lands in welcome-failures", 5, stale)
            .feedback("How long may an event wait in Lambda's queue before Lambda gives up on it?"),
    ]
}

/// Invocation records in the failures queue (bodies as JSON).
fn records(cloud: &mut Cloud, queue: &Queue) -> Result<Vec<Value>, check::Fail> {
    let got = check::ok("receive", cloud.sqs().receive(queue, Receive::max(10)))?;
    Ok(got
        .iter()
        .map(|m| serde_json::from_str(&m.body).unwrap_or(Value::Null))
        .collect())
}

fn outage(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let log = mailer(&mut cloud, &[("ana@example.com", Address::Outage(2))])?;
    let w = check::ok("deploy", deploy(&mut cloud))?;
    check::ok(
        "invoke_async",
        cloud.lambda().invoke_async(&w.function, signup("ana")),
    )?;
    cloud.advance(10.mins());
    ctx.note("the mailer was down for ana's first two attempts");
    let to: Vec<String> = sent(&log).into_iter().map(|(to, _, _)| to).collect();
    check::eq("e-mails sent", vec!["ana@example.com".to_string()], to)
}

fn bounced(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    mailer(&mut cloud, &[("bob@example.com", Address::Bounces)])?;
    let w = check::ok("deploy", deploy(&mut cloud))?;
    check::ok(
        "invoke_async",
        cloud.lambda().invoke_async(&w.function, signup("bob")),
    )?;
    cloud.advance(10.mins());
    ctx.note("bob@example.com bounces every time; 10 minutes passed");
    let got = records(&mut cloud, &w.failures)?;
    let seen: Vec<Value> = got
        .iter()
        .map(|r| json!({"request": r["requestPayload"], "errorType": r["responsePayload"]["errorType"]}))
        .collect();
    check::eq(
        "what welcome-failures holds (request, error type)",
        vec![json!({"request": signup("bob"), "errorType": "MailboxUnavailable"})],
        seen,
    )
}

fn stale(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let log = mailer(&mut cloud, &[])?;
    let w = check::ok("deploy", deploy(&mut cloud))?;
    check::ok(
        "pause welcome",
        cloud.lambda().set_reserved_concurrency(&w.function, 0),
    )?;
    check::ok(
        "invoke_async",
        cloud.lambda().invoke_async(&w.function, signup("cy")),
    )?;
    cloud.advance(90.mins());
    check::ok(
        "resume welcome",
        cloud.lambda().set_reserved_concurrency(&w.function, 10),
    )?;
    cloud.advance(15.mins());
    ctx.note("welcome was throttled for 90 minutes after cy signed up, then ran again");
    check::eq(
        "e-mails sent",
        Vec::<(String, String, u64)>::new(),
        sent(&log),
    )?;
    let got = records(&mut cloud, &w.failures)?;
    let seen: Vec<Value> = got
        .iter()
        .map(|r| json!({"request": r["requestPayload"], "condition": r["requestContext"]["condition"]}))
        .collect();
    check::eq(
        "what welcome-failures holds (request, condition)",
        vec![json!({"request": signup("cy"), "condition": "EventAgeExceeded"})],
        seen,
    )
}

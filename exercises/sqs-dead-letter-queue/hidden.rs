use grading::prelude::*;

use super::public::rounds;
use super::solution::setup;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a message that fails twice is retried, not dead-lettered", 4, flaky)
            .feedback("Transient failures happen: a message that failed once or twice deserves another try."),
        Scenario::new("the poison message is stopped within 5 receives", 3, stopped_soon)
            .feedback("Every receive of a poison message costs a request and delays the others."),
        Scenario::new("the DLQ keeps messages longer than the source queue", 3, retention)
            .feedback("A standard queue's message keeps its first enqueue time when it moves to the DLQ."),
        Scenario::new("only successes are deleted", 4, only_successes)
            .feedback("A failed message must stay in the queue: to be retried, and to reach the DLQ."),
    ]
}

fn flaky(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let orders = check::ok("setup", setup(&mut cloud))?;
    check::ok("send", cloud.sqs().send(&orders.queue, "flaky"))?;
    let mut attempts = 0;
    let done = rounds(&mut cloud, &orders, 6, &mut |_| {
        attempts += 1;
        if attempts <= 2 { Err("timeout".into()) } else { Ok(()) }
    })?;
    ctx.note("the message fails on its first two attempts, then succeeds");
    check::eq("the message was processed", 1, done)?;
    let dlq = check::ok("count", cloud.sqs().counts(&orders.dlq))?;
    check::eq("messages in orders-dlq", 0, dlq.total())
}

fn stopped_soon(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let orders = check::ok("setup", setup(&mut cloud))?;
    check::ok("send", cloud.sqs().send(&orders.queue, "poison"))?;
    let mut attempts = 0;
    rounds(&mut cloud, &orders, 12, &mut |_| {
        attempts += 1;
        Err("cannot parse".into())
    })?;
    check::within("times the poison message was processed", 2, 5, attempts)?;
    let dlq = check::ok("count", cloud.sqs().counts(&orders.dlq))?;
    check::eq("messages in orders-dlq", 1, dlq.visible)
}

fn retention(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let orders = check::ok("setup", setup(&mut cloud))?;
    let seconds = |attrs: std::collections::BTreeMap<String, String>| -> u64 {
        attrs.get("MessageRetentionPeriod").and_then(|v| v.parse().ok()).unwrap_or(0)
    };
    let source = seconds(check::ok("attributes", cloud.sqs().attributes(&orders.queue))?);
    let dlq = seconds(check::ok("attributes", cloud.sqs().attributes(&orders.dlq))?);
    ctx.note(format!("orders keeps messages {source} s"));
    check::that(&format!("orders-dlq keeps messages longer than orders ({dlq} s vs {source} s)"), dlq > source)
}

fn only_successes(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let orders = check::ok("setup", setup(&mut cloud))?;
    for body in ["a", "poison", "b", "c"] {
        check::ok("send", cloud.sqs().send(&orders.queue, body))?;
    }
    let mut seen = Vec::new();
    rounds(&mut cloud, &orders, 8, &mut |body| {
        seen.push(body.to_string());
        if body == "poison" { Err("bad".into()) } else { Ok(()) }
    })?;
    let good = seen.iter().filter(|b| b.as_str() != "poison").count();
    check::eq("good messages processed (each once)", 3, good)?;
    let dlq = check::ok("count", cloud.sqs().counts(&orders.dlq))?;
    check::eq("messages in orders-dlq", 1, dlq.visible)
}

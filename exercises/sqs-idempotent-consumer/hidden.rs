use grading::prelude::*;

use super::solution::{Ledger, drain};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a redelivered message is charged once", 4, redelivery)
            .feedback("A consumer crashed after charging but before deleting: the message comes back with the same message id."),
        Scenario::new("a producer's retry is charged once", 4, producer_retry)
            .feedback("The producer sent the same order twice: two messages, two message ids, one order."),
        Scenario::new("handled messages are deleted", 3, deletes)
            .feedback("A message that is not deleted comes back when its visibility timeout runs out, skipped duplicates too."),
        Scenario::new("exact balances on a standard queue with anomalies", 3, anomalies)
            .feedback("Duplicates, retries and reordering together: every order charged once.")
            .seeds(1..=4)
            .anomalies(),
    ]
}

fn order(id: &str, customer: &str, amount: u64) -> String {
    json!({"order": id, "customer": customer, "amount": amount}).to_string()
}

fn redelivery(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let q = check::ok("create the queue", cloud.sqs().create_queue("orders"))?;
    for i in 0..4 {
        check::ok("send", cloud.sqs().send(&q, order(&format!("o-{i}"), "ana", 10)))?;
    }
    let mut ledger = Ledger::new();
    let first = check::ok("receive", cloud.sqs().receive(&q, Receive::max(2)))?;
    for m in &first {
        ledger.apply(m);
    }
    ctx.note("a consumer charged 2 orders and crashed before deleting them");
    cloud.advance(31.secs());
    check::ok("drain", drain(&mut cloud, &q, &mut ledger))?;
    check::eq("ana's balance after the redelivery", 40, ledger.balance("ana"))
}

fn producer_retry(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let q = check::ok("create the queue", cloud.sqs().create_queue("orders"))?;
    for body in [order("o-1", "bo", 30), order("o-2", "bo", 12), order("o-1", "bo", 30)] {
        check::ok("send", cloud.sqs().send(&q, body))?;
    }
    ctx.note("order o-1 was sent twice (the producer retried)");
    let mut ledger = Ledger::new();
    let n = check::ok("drain", drain(&mut cloud, &q, &mut ledger))?;
    check::eq("bo's balance", 42, ledger.balance("bo"))?;
    check::eq("orders newly charged", 2, n)
}

fn deletes(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let q = check::ok("create the queue", cloud.sqs().create_queue("orders"))?;
    for body in [order("o-1", "cy", 1), order("o-1", "cy", 1), order("o-2", "cy", 2)] {
        check::ok("send", cloud.sqs().send(&q, body))?;
    }
    let mut ledger = Ledger::new();
    check::ok("drain", drain(&mut cloud, &q, &mut ledger))?;
    cloud.advance(60.secs());
    let left = check::ok("count", cloud.sqs().counts(&q))?;
    check::eq("messages in the queue a minute after draining", 0, left.total())
}

fn anomalies(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let q = check::ok("create the queue", cloud.sqs().create_queue("orders"))?;
    let customers = ["ana", "bo", "cy"];
    let mut want = [0u64; 3];
    for i in 0..30u64 {
        let c = (i % 3) as usize;
        want[c] += i;
        let body = order(&format!("o-{i}"), customers[c], i);
        check::ok("send", cloud.sqs().send(&q, body.clone()))?;
        if i % 7 == 0 {
            check::ok("send", cloud.sqs().send(&q, body))?;
        }
    }
    let mut ledger = Ledger::new();
    let crashed = check::ok("receive", cloud.sqs().receive(&q, Receive::max(5)))?;
    for m in &crashed {
        ledger.apply(m);
    }
    ctx.note(format!("seed {}: 30 orders, 5 retried, 5 redelivered after a crash", ctx.seed()));
    cloud.advance(31.secs());
    check::ok("drain", drain(&mut cloud, &q, &mut ledger))?;
    ctx.note("a minute later the consumer drains again (late duplicates)");
    cloud.advance(60.secs());
    check::ok("drain", drain(&mut cloud, &q, &mut ledger))?;
    let got = [ledger.balance("ana"), ledger.balance("bo"), ledger.balance("cy")];
    check::eq("balances (ana, bo, cy)", want, got)
}

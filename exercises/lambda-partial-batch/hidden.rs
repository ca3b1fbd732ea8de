use std::collections::BTreeMap;

use grading::prelude::*;

use super::public::{Card, charge_function, charged, ids, send_payments};
use super::solution::setup;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("one failed payment does not charge the rest of its batch again", 4, no_double_charges)
            .feedback("When the handler fails, every message of the batch comes back: also the ones already charged."),
        Scenario::new("a payment whose charge failed is retried", 4, retried)
            .feedback("A failure that Lambda never hears about is a message deleted: the payment is lost."),
        Scenario::new("a payment that keeps failing ends in payments-dlq", 4, dead_lettered)
            .feedback("Without a way out, a payment that can never succeed comes back for days."),
        Scenario::new("exact charges in a busy queue with flaky cards", 4, busy)
            .feedback("Several failures per batch, retries and successes at once: each payment charged exactly once.")
            .seeds(1..=3),
    ]
}

fn once_each(ids: &[String]) -> BTreeMap<String, u32> {
    ids.iter().map(|i| (i.clone(), 1)).collect()
}

fn no_double_charges(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let charges = charge_function(&mut cloud, &[("p-4", Card::Flaky(2))])?;
    let s = check::ok("setup", setup(&mut cloud))?;
    let ids = ids(8);
    send_payments(&mut cloud, &s.queue, &ids)?;
    cloud.advance(5.mins());
    ctx.note("8 payments in one batch; p-4's charge timed out twice, then went through");
    check::eq("charges per payment", once_each(&ids), charged(&charges))
}

fn retried(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let charges = charge_function(&mut cloud, &[("p-2", Card::Flaky(1))])?;
    let s = check::ok("setup", setup(&mut cloud))?;
    let ids = ids(3);
    send_payments(&mut cloud, &s.queue, &ids)?;
    cloud.advance(5.mins());
    ctx.note("p-2's charge timed out once");
    check::eq("charges per payment", once_each(&ids), charged(&charges))?;
    let left = check::ok("count", cloud.sqs().counts(&s.queue))?;
    check::eq("messages left in payments", 0, left.total())
}

fn dead_lettered(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let charges = charge_function(&mut cloud, &[("p-3", Card::Declined)])?;
    let s = check::ok("setup", setup(&mut cloud))?;
    let ids = ids(4);
    send_payments(&mut cloud, &s.queue, &ids)?;
    cloud.advance(15.mins());
    ctx.note("p-3's card is declined every time; 15 minutes passed");
    let dead = check::ok("receive", cloud.sqs().receive(&s.dlq, Receive::max(10)))?;
    let bodies: Vec<Value> = dead
        .iter()
        .map(|m| serde_json::from_str(&m.body).unwrap_or(Value::Null))
        .collect();
    check::eq(
        "payments in payments-dlq",
        vec![json!({"payment": "p-3", "amount": 10})],
        bodies,
    )?;
    let left = check::ok("count", cloud.sqs().counts(&s.queue))?;
    check::eq("messages left in payments", 0, left.total())?;
    let good: Vec<String> = ids.into_iter().filter(|i| i != "p-3").collect();
    check::eq("charges per payment", once_each(&good), charged(&charges))
}

fn busy(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let seed = ctx.seed() as usize;
    let ids = ids(40);
    let cards: Vec<(&str, Card)> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| (i + seed) % 4 == 0)
        .map(|(i, id)| (id.as_str(), Card::Flaky(1 + (i % 2) as u32)))
        .collect();
    let charges = charge_function(&mut cloud, &cards)?;
    let s = check::ok("setup", setup(&mut cloud))?;
    send_payments(&mut cloud, &s.queue, &ids)?;
    cloud.advance(10.mins());
    ctx.note(format!(
        "seed {seed}: 40 payments, {} of them fail once or twice first",
        cards.len()
    ));
    check::eq("charges per payment", once_each(&ids), charged(&charges))
}

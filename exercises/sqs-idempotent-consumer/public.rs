use grading::prelude::*;

use super::solution::{Ledger, drain};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("charges each order to its customer", 3, charges_each_order)
            .feedback("Parse the body as JSON and add `amount` to `customer`'s balance."),
        Scenario::new("drains more than one receive's worth", 3, drains_25)
            .feedback("A receive returns at most 10 messages: keep receiving until a long poll comes back empty."),
    ]
}

fn order(id: &str, customer: &str, amount: u64) -> String {
    json!({"order": id, "customer": customer, "amount": amount}).to_string()
}

fn charges_each_order(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let q = check::ok("create the queue", cloud.sqs().create_queue("orders"))?;
    for (id, who, amount) in [("o-1", "ana", 10), ("o-2", "bo", 5), ("o-3", "ana", 7)] {
        check::ok("send", cloud.sqs().send(&q, order(id, who, amount)))?;
    }
    let mut ledger = Ledger::new();
    let n = check::ok("drain", drain(&mut cloud, &q, &mut ledger))?;
    check::eq("orders charged", 3, n)?;
    check::eq("balances (ana, bo, cy)", (17, 5, 0), (ledger.balance("ana"), ledger.balance("bo"), ledger.balance("cy")))
}

fn drains_25(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let q = check::ok("create the queue", cloud.sqs().create_queue("orders"))?;
    for i in 0..25 {
        check::ok("send", cloud.sqs().send(&q, order(&format!("o-{i}"), "ana", 2)))?;
    }
    let mut ledger = Ledger::new();
    let n = check::ok("drain", drain(&mut cloud, &q, &mut ledger))?;
    check::eq("orders charged", 25, n)?;
    check::eq("ana's balance", 50, ledger.balance("ana"))?;
    let left = check::ok("count", cloud.sqs().counts(&q))?;
    check::eq("messages left in the queue", 0, left.total())
}

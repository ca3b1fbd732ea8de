use grading::prelude::*;

use super::public::{Payments, names, run_order};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a busy payment service is retried until it answers", 4, busy)
            .feedback("Payment.Unavailable is transient: a Retrier on that error name, with a pause, gets the order through."),
        Scenario::new("a declined card is refunded once and the order fails", 4, declined)
            .feedback("Which step undoes the payment, and how does the execution say that the order failed?"),
        Scenario::new("a declined card is not retried", 4, not_retried)
            .feedback("Retrying a decline asks the bank the same question again: match the retrier to the transient error only."),
        Scenario::new("a failed shipment is refunded", 4, ship_fails)
            .feedback("Shipping can fail after the customer paid: the same compensation applies."),
    ]
}

fn busy(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (d, calls) = run_order(&mut cloud, Payments { unavailable: 2, declined: false, ship_fails: false })?;
    check::eq("status", "SUCCEEDED", d.status.as_str())?;
    check::eq("functions called", "pay,pay,pay,ship".to_string(), names(&calls).join(","))
}

fn declined(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (d, calls) = run_order(&mut cloud, Payments { unavailable: 0, declined: true, ship_fails: false })?;
    check::eq("status", "FAILED", d.status.as_str())?;
    check::eq("error", Some("OrderFailed".to_string()), d.error.clone())?;
    let refunds: Vec<&Value> = calls.iter().filter(|(n, _)| n == "refund").map(|(_, e)| e).collect();
    check::eq("refunds", 1, refunds.len())?;
    check::eq("the refunded order", json!("o-1"), refunds[0]["order"].clone())
}

fn not_retried(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (_, calls) = run_order(&mut cloud, Payments { unavailable: 0, declined: true, ship_fails: false })?;
    check::eq("times pay was called", 1, calls.iter().filter(|(n, _)| n == "pay").count())
}

fn ship_fails(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (d, calls) = run_order(&mut cloud, Payments { unavailable: 0, declined: false, ship_fails: true })?;
    check::eq("functions called", "pay,ship,refund".to_string(), names(&calls).join(","))?;
    check::eq("error", Some("OrderFailed".to_string()), d.error)
}

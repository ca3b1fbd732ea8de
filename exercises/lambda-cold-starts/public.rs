use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use grading::prelude::*;

use super::solution::{Db, deploy};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("orders are numbered 1, 2, 3", 2, numbered)
            .feedback("Answer {\"order\", \"invoice\", \"total\"}; the first invoice is 1."),
        Scenario::new("the total includes the tax rate from tax-rates", 2, taxed)
            .feedback("Invoke `tax-rates` with {} and use its `rate_percent`: total = amount * (100 + rate) / 100."),
    ]
}

/// A cloud with `tax-rates` and the learner's `invoice` function.
pub struct World {
    /// The cloud.
    pub cloud: Cloud,
    /// The database `deploy` got.
    pub db: Db,
    /// The function `deploy` returned.
    pub invoice: FunctionRef,
    /// The rate `tax-rates` answers (change it to change the rates).
    pub rate: Arc<Mutex<u64>>,
    /// How often `tax-rates` ran.
    pub rate_calls: Arc<Mutex<u64>>,
}

/// Creates `tax-rates` (answering `rate`) and deploys `invoice`.
pub fn world(ctx: &Ctx, rate: u64) -> Result<World, check::Fail> {
    let mut cloud = ctx.cloud();
    let rate = Arc::new(Mutex::new(rate));
    let rate_calls = Arc::new(Mutex::new(0));
    let (r, calls) = (rate.clone(), rate_calls.clone());
    check::ok(
        "create tax-rates",
        cloud.lambda().create_function(
            "tax-rates",
            Function::new(move |_event, ctx| {
                ctx.spend(Duration::from_millis(400));
                *calls.lock().map_err(|_| "poisoned")? += 1;
                let rate = *r.lock().map_err(|_| "poisoned")?;
                Ok(json!({ "rate_percent": rate }))
            }),
        ),
    )?;
    let db: Db = Arc::new(Mutex::new(BTreeMap::new()));
    let invoice = check::ok("deploy", deploy(&mut cloud, db.clone()))?;
    Ok(World {
        cloud,
        db,
        invoice,
        rate,
        rate_calls,
    })
}

impl World {
    /// Invokes `invoice` synchronously; a function error fails the scenario.
    pub fn invoice(&mut self, order: &str, amount: u64) -> Result<Value, check::Fail> {
        let out = check::ok(
            &format!("invoke invoice for {order}"),
            self.cloud
                .lambda()
                .invoke(&self.invoice, json!({ "order": order, "amount": amount })),
        )?;
        if out.is_error() {
            return Err(
                check::Fail::new(format!("invoice failed for order {order}"))
                    .actual(check::shown(&out.payload)),
            );
        }
        Ok(out.payload)
    }

    /// Invoices each order; returns the invoice numbers.
    pub fn numbers(&mut self, orders: &[&str]) -> Result<Vec<u64>, check::Fail> {
        let mut got = Vec::new();
        for order in orders {
            got.push(self.invoice(order, 100)?["invoice"].as_u64().unwrap_or(0));
        }
        Ok(got)
    }

    /// How often `tax-rates` ran.
    pub fn rate_calls(&self) -> u64 {
        self.rate_calls.lock().map(|n| *n).unwrap_or(0)
    }
}

fn numbered(ctx: &mut Ctx) -> Outcome {
    let mut w = world(ctx, 20)?;
    let first = w.invoice("o-1", 200)?;
    check::eq(
        "the answer for o-1",
        json!({"order": "o-1", "invoice": 1, "total": 240}),
        first,
    )?;
    check::eq(
        "invoices for o-2, o-3",
        vec![2, 3],
        w.numbers(&["o-2", "o-3"])?,
    )
}

fn taxed(ctx: &mut Ctx) -> Outcome {
    let mut w = world(ctx, 7)?;
    let got = w.invoice("o-1", 300)?;
    check::eq("total for 300 at 7 %", json!(321), got["total"].clone())
}

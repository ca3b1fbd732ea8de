use grading::prelude::*;
use std::sync::{Arc, Mutex};

use super::solution::order_workflow;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a smooth order is paid and shipped", 4, smooth)
            .feedback("Pay, then ship; the order should end SUCCEEDED."),
    ]
}

/// What each function was called with, in order.
pub type Calls = Arc<Mutex<Vec<(String, Value)>>>;

/// How the payment service behaves: fail `unavailable` times, then decline or pay.
#[derive(Clone, Copy)]
pub struct Payments {
    pub unavailable: usize,
    pub declined: bool,
    pub ship_fails: bool,
}

/// Creates pay, ship and refund; returns them with the call log.
pub fn functions(cloud: &mut Cloud, p: Payments) -> Result<(FunctionRef, FunctionRef, FunctionRef, Calls), check::Fail> {
    let calls: Calls = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&calls);
    let pay = check::ok("create pay", cloud.lambda().create_function("pay", Function::new(move |e, _| {
        let mut l = log.lock().unwrap();
        l.push(("pay".into(), e.clone()));
        let tries = l.iter().filter(|(n, _)| n == "pay").count();
        if tries <= p.unavailable {
            return Err(FnError::new("Payment.Unavailable", "the payment service is busy"));
        }
        if p.declined {
            return Err(FnError::new("Payment.Declined", "card declined"));
        }
        Ok(json!({"paid": e["amount"]}))
    })))?;
    let log = Arc::clone(&calls);
    let ship = check::ok("create ship", cloud.lambda().create_function("ship", Function::new(move |e, _| {
        log.lock().unwrap().push(("ship".into(), e.clone()));
        if p.ship_fails {
            return Err(FnError::new("Shipping.NoCarrier", "no carrier today"));
        }
        Ok(json!({"tracking": "T-1"}))
    })))?;
    let log = Arc::clone(&calls);
    let refund = check::ok("create refund", cloud.lambda().create_function("refund", Function::new(move |e, _| {
        log.lock().unwrap().push(("refund".into(), e.clone()));
        Ok(json!({"refunded": e["order"]}))
    })))?;
    Ok((pay, ship, refund, calls))
}

/// Runs one order to its end.
pub fn run_order(cloud: &mut Cloud, p: Payments) -> Result<(ExecutionInfo, Vec<(String, Value)>), check::Fail> {
    let (pay, ship, refund, calls) = functions(cloud, p)?;
    let def = order_workflow(&pay, &ship, &refund);
    let sm = check::ok("create the state machine", cloud.states().create_state_machine("orders", def))?;
    let exec = check::ok("start", cloud.states().start_execution(&sm, json!({"order": "o-1", "amount": 30})))?;
    cloud.run_until_idle();
    let d = check::ok("describe", cloud.states().describe(&exec))?;
    let calls = calls.lock().unwrap().clone();
    Ok((d, calls))
}

pub fn names(calls: &[(String, Value)]) -> Vec<String> {
    calls.iter().map(|(n, _)| n.clone()).collect()
}

fn smooth(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (d, calls) = run_order(&mut cloud, Payments { unavailable: 0, declined: false, ship_fails: false })?;
    check::eq("status", "SUCCEEDED", d.status.as_str())?;
    check::eq("functions called", "pay,ship".to_string(), names(&calls).join(","))?;
    let out = check::some("output", d.output)?;
    check::eq("order in the output", json!("o-1"), out["order"].clone())
}

use grading::prelude::*;

use super::public::world;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("numbering continues after idle environments are recycled", 3, after_recycling)
            .feedback("An execution environment that idled for a while is gone, and everything it kept with it."),
        Scenario::new("environments running at once never share a number", 3, concurrent)
            .feedback("Three invocations at once run in three environments, and the next wave reuses them: what does each of them know about the others?"),
        Scenario::new("tax rates are fetched once per environment", 3, rates_cached)
            .feedback("Calling tax-rates on every invocation is slow and costs money; the rates only change with a deployment."),
        Scenario::new("a deployment brings the new tax rate", 3, new_rates_after_deploy)
            .feedback("After a deployment the function must pick up the current rates: where do you keep them, and for how long?"),
        Scenario::new("a retried order keeps its invoice number", 4, retried_order)
            .feedback("A client that timed out invokes again with the same order: it must get the invoice it already has."),
    ]
}

fn after_recycling(ctx: &mut Ctx) -> Outcome {
    let mut w = world(ctx, 20)?;
    check::eq(
        "invoices for o-1, o-2",
        vec![1, 2],
        w.numbers(&["o-1", "o-2"])?,
    )?;
    w.cloud.advance(30.mins());
    ctx.note("o-1 and o-2 were invoiced, then the function idled 30 minutes (its environment was recycled)");
    check::eq("invoice for o-3", vec![3], w.numbers(&["o-3"])?)?;
    check::ok("redeploy", w.cloud.lambda().redeploy(&w.invoice))?;
    ctx.note("then invoice was redeployed");
    check::eq("invoice for o-4", vec![4], w.numbers(&["o-4"])?)
}

fn concurrent(ctx: &mut Ctx) -> Outcome {
    let mut w = world(ctx, 20)?;
    let done = check::ok(
        "create the queue invoices-done",
        w.cloud.sqs().create_queue("invoices-done"),
    )?;
    check::ok(
        "send successes to invoices-done",
        w.cloud.call(
            "lambda",
            "PutFunctionEventInvokeConfig",
            json!({"FunctionName": "invoice", "DestinationConfig": {"OnSuccess": {"Destination": done.arn}}}),
        ),
    )?;
    for wave in 0..2 {
        for i in 1..=3 {
            let order = format!("o-{}", wave * 3 + i);
            check::ok(
                "invoke_async",
                w.cloud
                    .lambda()
                    .invoke_async(&w.invoice, json!({"order": order, "amount": 100})),
            )?;
        }
        w.cloud.run_until_idle();
    }
    let colds = check::ok("stats", w.cloud.lambda().stats(&w.invoice))?.cold_starts;
    ctx.note(format!(
        "two waves of 3 orders invoked asynchronously at once ran in {colds} environments"
    ));
    let mut numbers = Vec::new();
    loop {
        let got = check::ok("receive", w.cloud.sqs().receive(&done, Receive::max(10)))?;
        if got.is_empty() {
            break;
        }
        for m in &got {
            let record: Value = serde_json::from_str(&m.body).unwrap_or(Value::Null);
            numbers.push(record["responsePayload"]["invoice"].as_u64().unwrap_or(0));
            check::ok("delete", w.cloud.sqs().delete(&done, m))?;
        }
    }
    numbers.sort();
    check::eq(
        "invoice numbers the 6 orders got (sorted)",
        vec![1, 2, 3, 4, 5, 6],
        numbers,
    )
}

fn rates_cached(ctx: &mut Ctx) -> Outcome {
    let mut w = world(ctx, 20)?;
    let orders: Vec<String> = (1..=10).map(|i| format!("o-{i}")).collect();
    for o in &orders {
        w.invoice(o, 100)?;
    }
    let colds = check::ok("stats", w.cloud.lambda().stats(&w.invoice))?.cold_starts;
    ctx.note(format!(
        "10 orders, one after the other: {colds} cold start(s)"
    ));
    check::within("calls to tax-rates", 1, colds, w.rate_calls())
}

fn new_rates_after_deploy(ctx: &mut Ctx) -> Outcome {
    let mut w = world(ctx, 20)?;
    check::eq(
        "total of o-1 (200 at 20 %)",
        json!(240),
        w.invoice("o-1", 200)?["total"].clone(),
    )?;
    if let Ok(mut rate) = w.rate.lock() {
        *rate = 10;
    }
    check::ok("redeploy", w.cloud.lambda().redeploy(&w.invoice))?;
    ctx.note("the tax rate changed to 10 % and invoice was redeployed");
    check::eq(
        "total of o-2 (200 at 10 %)",
        json!(220),
        w.invoice("o-2", 200)?["total"].clone(),
    )
}

fn retried_order(ctx: &mut Ctx) -> Outcome {
    let mut w = world(ctx, 20)?;
    let got = w.numbers(&["o-1", "o-2", "o-1", "o-3"])?;
    ctx.note("o-1 was invoked twice (the client retried)");
    check::eq(
        "invoices for o-1, o-2, o-1 again, o-3",
        vec![1, 2, 1, 3],
        got,
    )?;
    w.cloud.advance(1.mins());
    let again = w.invoice("o-2", 100)?;
    check::eq(
        "o-2 again, a minute later",
        json!(2),
        again["invoice"].clone(),
    )
}

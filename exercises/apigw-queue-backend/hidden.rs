use grading::prelude::*;

use super::public::{build, order_id, post};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("the client has its answer within a second, though fulfilment takes 20 s", 3, fast_answer)
            .feedback("Who is the client waiting for? Accepting an order and fulfilling it need not happen in the same request."),
        Scenario::new("a bad order gets 400 and is never queued", 3, bad_orders)
            .feedback("Check the body before queueing: is it JSON, an object, with a non-empty string `sku` and an integer `qty` from 1 to 100?"),
        Scenario::new("300 orders at the same instant: all accepted, each fulfilled exactly once", 5, launch)
            .feedback("`fulfil` takes 5 orders at a time. What do Lambda's pollers do when the backlog grows, and what happens to the messages they cannot hand over?"),
        Scenario::new("an order fulfil keeps failing on is tried 3 times, then parked; the others are fulfilled once", 4, poison)
            .feedback("A failed batch is retried whole, and a message that always fails needs a place to go."),
        Scenario::new("the API costs at most $1.50 per million orders", 3, price)
            .feedback("API Gateway has two kinds of API for a Lambda proxy, at different prices per request."),
    ]
}

fn fast_answer(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (b, _w, _f) = build(&mut cloud)?;
    for (i, sku) in ["mug-blue", "plate-red", "bowl-green"].iter().enumerate() {
        let r = post(&mut cloud, &b.api, &json!({"sku": sku, "qty": i + 1}))?;
        order_id(&r)?;
        check::that(
            &format!("POST /orders answered within 1 s (took {:?})", r.latency),
            r.latency <= 1.secs(),
        )?;
    }
    Ok(())
}

fn bad_orders(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (b, w, _f) = build(&mut cloud)?;
    let bodies = [
        "not json at all",
        "[1, 2, 3]",
        r#"{"qty": 2}"#,
        r#"{"sku": "", "qty": 2}"#,
        r#"{"sku": "mug-blue"}"#,
        r#"{"sku": "mug-blue", "qty": 0}"#,
        r#"{"sku": "mug-blue", "qty": 101}"#,
        r#"{"sku": "mug-blue", "qty": "2"}"#,
        r#"{"sku": 42, "qty": 2}"#,
    ];
    let mut statuses = Vec::new();
    for body in bodies {
        let r = check::ok(
            "POST /orders",
            cloud
                .api(&b.api)
                .post("/orders")
                .header("content-type", "application/json")
                .body(body)
                .send(),
        )?;
        statuses.push((body.to_string(), r.status));
    }
    check::eq(
        "statuses for bad bodies",
        bodies
            .iter()
            .map(|b| (b.to_string(), 400u16))
            .collect::<Vec<_>>(),
        statuses,
    )?;
    let stats = check::ok("stats of orders", cloud.sqs().stats(&b.orders))?;
    check::eq("messages sent to orders", 0, stats.sent)?;
    cloud.advance(10.mins());
    cloud.run_until_idle();
    check::eq(
        "orders fulfilled",
        Vec::<String>::new(),
        w.fulfilled_sorted(),
    )
}

fn launch(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (b, w, _f) = build(&mut cloud)?;
    ctx.note("300 orders posted at the same instant, then 4 hours pass");
    let report = check::ok(
        "300 orders at once",
        cloud.api(&b.api).burst(
            300,
            ApiRequest::post("/orders").json(&json!({"sku": "mug-blue", "qty": 1})),
        ),
    )?;
    check::eq("responses 202", 300, report.count(202))?;
    cloud.advance(4.hours());
    cloud.run_until_idle();
    let done = w.fulfilled_sorted();
    let mut unique = done.clone();
    unique.dedup();
    check::eq(
        "orders fulfilled more than once",
        0,
        done.len() - unique.len(),
    )?;
    check::eq("different orders fulfilled", 300, unique.len())?;
    let parked = check::ok("counts of orders-dlq", cloud.sqs().counts(&b.dlq))?;
    check::eq("orders in orders-dlq", 0, parked.total())
}

fn poison(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (b, w, _f) = build(&mut cloud)?;
    ctx.note("5 orders, then 25 more one millisecond apart, the 12th of them for discontinued-vase; then 6 hours pass");
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(order_id(&post(
            &mut cloud,
            &b.api,
            &json!({"sku": "mug-blue", "qty": i + 1}),
        )?)?);
    }
    let report = check::ok(
        "25 orders a millisecond apart",
        cloud
            .api(&b.api)
            .load(Load::rate(1000.0).during(25.millis()), |i| {
                let sku = if i == 11 {
                    "discontinued-vase"
                } else {
                    "plate-red"
                };
                ApiRequest::post("/orders").json(&json!({"sku": sku, "qty": 1}))
            }),
    )?;
    check::eq("responses 202", 25, report.count(202))?;
    cloud.advance(6.hours());
    cloud.run_until_idle();
    let parked = check::ok(
        "receive from orders-dlq",
        cloud.sqs().receive(&b.dlq, Receive::max(10)),
    )?;
    check::eq("orders in orders-dlq", 1, parked.len())?;
    let order: Value = parked[0].body.parse().unwrap_or(Value::Null);
    check::eq(
        "the parked order's sku",
        json!("discontinued-vase"),
        order["sku"].clone(),
    )?;
    let bad = order["orderId"].as_str().unwrap_or("").to_string();
    check::eq(
        "times fulfil was handed the discontinued order",
        3,
        w.attempts(&bad),
    )?;
    let done = w.fulfilled_sorted();
    let mut unique = done.clone();
    unique.dedup();
    check::eq(
        "orders fulfilled more than once",
        0,
        done.len() - unique.len(),
    )?;
    check::eq("different orders fulfilled", 29, unique.len())?;
    for id in ids {
        check::that(&format!("order {id} was fulfilled"), unique.contains(&id))?;
    }
    Ok(())
}

fn price(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (b, _w, _f) = build(&mut cloud)?;
    for i in 0..100 {
        post(
            &mut cloud,
            &b.api,
            &json!({"sku": "mug-blue", "qty": i % 5 + 1}),
        )?;
    }
    let bill = cloud.bill();
    let api_usd: f64 = bill
        .lines
        .iter()
        .filter(|l| l.service == "apigateway")
        .map(|l| l.gross_usd())
        .sum();
    let per_million = api_usd / 100.0 * 1e6;
    check::that(
        &format!(
            "API Gateway's price per million orders is at most $1.50 (it is ${per_million:.2})"
        ),
        per_million <= 1.5,
    )
}

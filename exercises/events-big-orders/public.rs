use grading::prelude::*;

use super::solution::setup;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a 2,500 order from eu-west-1 is reviewed", 2, big_eu_order)
            .feedback("The rule must match the shop's OrderPlaced events and send them to `fraud-review`."),
        Scenario::new("a 20 order is not reviewed", 2, small_order)
            .feedback("Compare `detail.total` with a numeric operator."),
    ]
}

/// The shop's OrderPlaced event for an order.
pub fn order(id: &str, total: f64, region: &str) -> Event {
    Event::new(
        "com.example.shop",
        "OrderPlaced",
        json!({"orderId": id, "total": total, "currency": "EUR", "region": region,
               "customer": {"id": "c-1", "tier": "gold"}}),
    )
}

/// Puts events on the default bus; every entry must be accepted.
pub fn put(cloud: &mut Cloud, events: Vec<Event>) -> Result<(), check::Fail> {
    let n = events.len();
    let out = check::ok("put_events", cloud.events().put_events(events))?;
    check::eq("entries accepted", n, out.event_ids().len())
}

/// Receives (and deletes) everything `queue` holds, bodies parsed as JSON.
pub fn drain(cloud: &mut Cloud, queue: &Queue) -> Result<Vec<Value>, check::Fail> {
    let mut all = Vec::new();
    loop {
        let got = check::ok("receive", cloud.sqs().receive(queue, Receive::max(10)))?;
        if got.is_empty() {
            return Ok(all);
        }
        for m in &got {
            check::ok("delete", cloud.sqs().delete(queue, m))?;
            all.push(m.body.parse::<Value>().unwrap_or(Value::String(m.body.clone())));
        }
    }
}

/// The order id a message carries, whether it holds the order or the whole event.
pub fn order_id(body: &Value) -> String {
    body["orderId"]
        .as_str()
        .or(body["detail"]["orderId"].as_str())
        .unwrap_or("?")
        .to_string()
}

/// The sorted order ids of the messages in `queue`.
pub fn reviewed(cloud: &mut Cloud, queue: &Queue) -> Result<Vec<String>, check::Fail> {
    let mut ids: Vec<String> = drain(cloud, queue)?.iter().map(order_id).collect();
    ids.sort();
    Ok(ids)
}

fn big_eu_order(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let r = check::ok("setup", setup(&mut cloud))?;
    put(&mut cloud, vec![order("o-1", 2500.0, "eu-west-1")])?;
    check::eq("orders in fraud-review", vec!["o-1".to_string()], reviewed(&mut cloud, &r.queue)?)
}

fn small_order(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let r = check::ok("setup", setup(&mut cloud))?;
    put(&mut cloud, vec![order("o-2", 20.0, "eu-west-1")])?;
    check::eq("orders in fraud-review", Vec::<String>::new(), reviewed(&mut cloud, &r.queue)?)
}

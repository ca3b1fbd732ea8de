use grading::prelude::*;

use super::solution::{publish_price, setup};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("every store gets the change", 4, every_store)
            .feedback("Give each store its own queue and subscribe every queue to the topic."),
    ]
}

/// The (product, price) a store reads from one message: the body as
/// published, or the `Message` of an SNS notification.
pub fn change_of(m: &Message) -> (String, u64) {
    let body: Value = serde_json::from_str(&m.body).unwrap_or(Value::Null);
    let change = match body["Message"].as_str() {
        Some(inner) => serde_json::from_str(inner).unwrap_or(Value::Null),
        None => body,
    };
    (
        change["product"].as_str().unwrap_or("?").to_string(),
        change["price"].as_u64().unwrap_or(0),
    )
}

/// What a store applies: it receives until its queue is empty, deleting
/// each batch after applying it.
pub fn store_reads(cloud: &mut Cloud, queue: &Queue) -> Result<Vec<(String, u64)>, check::Fail> {
    let mut changes = Vec::new();
    loop {
        let got = check::ok("receive", cloud.sqs().receive(queue, Receive::max(10)))?;
        if got.is_empty() {
            return Ok(changes);
        }
        for m in &got {
            changes.push(change_of(m));
            check::ok("delete", cloud.sqs().delete(queue, m))?;
        }
    }
}

fn every_store(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let prices = check::ok("setup", setup(&mut cloud, &["north", "south"]))?;
    check::eq("store queues", 2, prices.stores.len())?;
    check::ok(
        "publish_price",
        publish_price(&mut cloud, &prices, "u-1", "tea", 450),
    )?;
    for (i, q) in prices.stores.iter().enumerate() {
        let got = store_reads(&mut cloud, q)?;
        check::eq(
            &format!("changes store {i} applied"),
            vec![("tea".to_string(), 450)],
            got,
        )?;
    }
    Ok(())
}

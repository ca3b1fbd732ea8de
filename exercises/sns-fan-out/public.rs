use grading::prelude::*;

use super::solution::{publish_order, setup};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("every order reaches billing", 2, reaches_billing)
            .feedback("Subscribe the `billing` queue to the `orders` topic."),
        Scenario::new(
            "shipping reads the order from the message body",
            2,
            shipping_reads_order,
        )
        .feedback(
            "Shipping's consumer parses the body as the order itself, not as SNS's notification.",
        ),
    ]
}

/// An order as the order service publishes it.
pub fn order(id: &str, kind: &str, total: u64) -> Value {
    json!({"order": id, "customer": "ana", "kind": kind, "total": total})
}

/// Receives everything `queue` holds now (deleting it), oldest first.
pub fn drain(cloud: &mut Cloud, queue: &Queue) -> Result<Vec<Message>, check::Fail> {
    let mut all = Vec::new();
    loop {
        let got = check::ok("receive", cloud.sqs().receive(queue, Receive::max(10)))?;
        if got.is_empty() {
            return Ok(all);
        }
        for m in &got {
            check::ok("delete", cloud.sqs().delete(queue, m))?;
        }
        all.extend(got);
    }
}

/// The body parsed as JSON (`null` when it is not JSON).
pub fn body_json(m: &Message) -> Value {
    serde_json::from_str(&m.body).unwrap_or(Value::Null)
}

fn reaches_billing(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let shop = check::ok("setup", setup(&mut cloud))?;
    for i in 0..3 {
        check::ok(
            "publish_order",
            publish_order(&mut cloud, &shop, &order(&format!("o-{i}"), "physical", 10)),
        )?;
    }
    let got = drain(&mut cloud, &shop.billing)?;
    check::eq("messages in billing", 3, got.len())
}

fn shipping_reads_order(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let shop = check::ok("setup", setup(&mut cloud))?;
    let o = order("o-1", "physical", 25);
    check::ok("publish_order", publish_order(&mut cloud, &shop, &o))?;
    let got = drain(&mut cloud, &shop.shipping)?;
    let bodies: Vec<Value> = got.iter().map(body_json).collect();
    check::eq(
        "what shipping's consumer parses from the body",
        vec![o],
        bodies,
    )
}

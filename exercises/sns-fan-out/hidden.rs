use grading::prelude::*;

use super::public::{body_json, drain, order};
use super::solution::{publish_order, setup};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("billing and shipping each get every physical order", 4, each_gets_all)
            .feedback("Two services reading one queue compete for its messages: each message reaches only one of them."),
        Scenario::new("billing gets the SNS notification, shipping the order itself", 4, payload_per_subscriber)
            .feedback("Raw delivery is a setting of each subscription, not of the topic."),
        Scenario::new("digital orders skip shipping but are still billed", 4, digital_orders)
            .feedback("A filter policy applies to the subscription it is set on, and it can only match what the message carries."),
        Scenario::new("nothing is lost when a subscriber's queue is deleted", 4, deleted_queue)
            .feedback("SNS drops a message it cannot deliver to a queue, unless that subscription has a dead-letter queue."),
    ]
}

fn order_ids(values: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = values
        .iter()
        .map(|v| v["order"].as_str().unwrap_or("?").to_string())
        .collect();
    ids.sort();
    ids
}

/// The order inside an SNS notification body (`null` if the body is not one).
fn notified_order(m: &Message) -> Value {
    let v = body_json(m);
    v["Message"]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null)
}

/// The order a message carries, delivered raw or in a notification.
fn order_of(m: &Message) -> Value {
    match notified_order(m) {
        Value::Null => body_json(m),
        o => o,
    }
}

fn each_gets_all(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let shop = check::ok("setup", setup(&mut cloud))?;
    for i in 0..4 {
        check::ok(
            "publish_order",
            publish_order(
                &mut cloud,
                &shop,
                &order(&format!("o-{i}"), "physical", 10 + i),
            ),
        )?;
    }
    ctx.note("4 physical orders published; billing's consumer read first, then shipping's");
    let billed = drain(&mut cloud, &shop.billing)?.len();
    let shipped = drain(&mut cloud, &shop.shipping)?.len();
    check::eq(
        "orders received by (billing, shipping)",
        (4, 4),
        (billed, shipped),
    )
}

fn payload_per_subscriber(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let shop = check::ok("setup", setup(&mut cloud))?;
    let o = order("o-7", "physical", 99);
    let id = check::ok("publish_order", publish_order(&mut cloud, &shop, &o))?;
    let billing = drain(&mut cloud, &shop.billing)?;
    let m = check::some("a message in billing", billing.first())?;
    let envelope = body_json(m);
    check::eq(
        "billing's message: (Type, TopicArn, MessageId)",
        json!(["Notification", shop.orders.arn, id]),
        json!([
            envelope["Type"],
            envelope["TopicArn"],
            envelope["MessageId"]
        ]),
    )?;
    check::eq(
        "the order in billing's notification",
        o.clone(),
        notified_order(m),
    )?;
    let shipping = drain(&mut cloud, &shop.shipping)?;
    let bodies: Vec<Value> = shipping.iter().map(body_json).collect();
    check::eq("shipping's message bodies", vec![o], bodies)
}

fn digital_orders(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let shop = check::ok("setup", setup(&mut cloud))?;
    let orders = [
        order("o-1", "physical", 20),
        order("o-2", "digital", 5),
        order("o-3", "physical", 12),
        order("o-4", "digital", 8),
    ];
    for o in &orders {
        check::ok("publish_order", publish_order(&mut cloud, &shop, o))?;
    }
    ctx.note("orders o-2 and o-4 are digital");
    let billed: Vec<Value> = drain(&mut cloud, &shop.billing)?
        .iter()
        .map(order_of)
        .collect();
    let shipped: Vec<Value> = drain(&mut cloud, &shop.shipping)?
        .iter()
        .map(order_of)
        .collect();
    check::eq(
        "orders shipping received",
        vec!["o-1".to_string(), "o-3".to_string()],
        order_ids(&shipped),
    )?;
    check::eq(
        "orders billing received",
        vec![
            "o-1".to_string(),
            "o-2".to_string(),
            "o-3".to_string(),
            "o-4".to_string(),
        ],
        order_ids(&billed),
    )
}

fn deleted_queue(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let shop = check::ok("setup", setup(&mut cloud))?;
    check::ok(
        "delete shipping's queue",
        cloud.sqs().delete_queue(&shop.shipping),
    )?;
    ctx.note("the shipping queue was deleted by mistake; orders o-1 and o-2 were published");
    for id in ["o-1", "o-2"] {
        check::ok(
            "publish_order",
            publish_order(&mut cloud, &shop, &order(id, "physical", 30)),
        )?;
    }
    check::ok(
        "delete billing's queue",
        cloud.sqs().delete_queue(&shop.billing),
    )?;
    ctx.note("then billing's queue was deleted too; order o-3 was published");
    check::ok(
        "publish_order",
        publish_order(&mut cloud, &shop, &order("o-3", "physical", 30)),
    )?;
    let dead: Vec<Value> = drain(&mut cloud, &shop.dead_letters)?
        .iter()
        .map(order_of)
        .collect();
    check::eq(
        "orders waiting in orders-dead-letters (shipping's o-1, o-2; then o-3 for both)",
        vec![
            "o-1".to_string(),
            "o-2".to_string(),
            "o-3".to_string(),
            "o-3".to_string(),
        ],
        order_ids(&dead),
    )
}

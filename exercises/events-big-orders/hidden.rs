use grading::prelude::*;

use super::public::{drain, order, put, reviewed};
use super::solution::setup;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("the review tool receives the order itself", 4, order_itself)
            .feedback("The tool parses each message body as the order: the event's `detail`, without the envelope around it."),
        Scenario::new("an order of exactly 1,000 is reviewed, 999.99 is not", 3, boundary)
            .feedback("\"1,000 or more\": which numeric operator includes the bound itself?"),
        Scenario::new("only Regions named eu-... count", 3, regions)
            .feedback("Some Region names start with the letters `eu` without being `eu-...` Regions."),
        Scenario::new("test events and other event types are ignored", 3, other_events)
            .feedback("The test environment's source only *starts* like the shop's; cancelled and shipped orders are not new orders."),
        Scenario::new("a busy hour: exactly the qualifying orders, once each", 3, busy_hour)
            .feedback("Check every condition of the rule against the prompt: source, type, amount and Region."),
    ]
}

fn order_itself(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let r = check::ok("setup", setup(&mut cloud))?;
    put(&mut cloud, vec![order("o-7", 1800.0, "eu-central-1")])?;
    let got = drain(&mut cloud, &r.queue)?;
    check::eq(
        "the message bodies in fraud-review",
        vec![json!({"orderId": "o-7", "total": 1800.0, "currency": "EUR", "region": "eu-central-1",
                    "customer": {"id": "c-1", "tier": "gold"}})],
        got,
    )
}

fn boundary(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let r = check::ok("setup", setup(&mut cloud))?;
    ctx.note("orders: o-1 total 1000, o-2 total 999.99, o-3 total 1000.01 (all eu-west-1)");
    put(
        &mut cloud,
        vec![
            order("o-1", 1000.0, "eu-west-1"),
            order("o-2", 999.99, "eu-west-1"),
            order("o-3", 1000.01, "eu-west-1"),
        ],
    )?;
    check::eq(
        "orders in fraud-review",
        vec!["o-1".to_string(), "o-3".to_string()],
        reviewed(&mut cloud, &r.queue)?,
    )
}

fn regions(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let r = check::ok("setup", setup(&mut cloud))?;
    let regions = [
        ("o-1", "eu-west-1"),
        ("o-2", "eu-south-2"),
        ("o-3", "us-east-1"),
        ("o-4", "ap-south-1"),
        ("o-5", "eusc-de-east-1"),
        ("o-6", "il-central-1"),
    ];
    ctx.note("orders of 5,000 each from eu-west-1, eu-south-2, us-east-1, ap-south-1, eusc-de-east-1, il-central-1");
    put(&mut cloud, regions.iter().map(|(id, region)| order(id, 5000.0, region)).collect())?;
    check::eq(
        "orders in fraud-review",
        vec!["o-1".to_string(), "o-2".to_string()],
        reviewed(&mut cloud, &r.queue)?,
    )
}

fn other_events(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let r = check::ok("setup", setup(&mut cloud))?;
    let detail = |id: &str| json!({"orderId": id, "total": 9000, "currency": "EUR", "region": "eu-west-1"});
    ctx.note("events: a test-environment OrderPlaced (o-t), OrderCancelled (o-c), OrderShipped (o-s), a real OrderPlaced (o-r), all 9,000 in eu-west-1");
    put(
        &mut cloud,
        vec![
            Event::new("com.example.shop.test", "OrderPlaced", detail("o-t")),
            Event::new("com.example.shop", "OrderCancelled", detail("o-c")),
            Event::new("com.example.shop", "OrderShipped", detail("o-s")),
            Event::new("com.example.shop", "OrderPlaced", detail("o-r")),
        ],
    )?;
    check::eq("orders in fraud-review", vec!["o-r".to_string()], reviewed(&mut cloud, &r.queue)?)
}

fn busy_hour(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let r = check::ok("setup", setup(&mut cloud))?;
    let regions = ["eu-west-1", "us-east-1", "eu-north-1", "eusc-de-east-1", "ap-northeast-1"];
    let totals = [12.0, 999.0, 1000.0, 1000.5, 25000.0, 5e8];
    let mut expected = Vec::new();
    let mut events = Vec::new();
    for (i, total) in totals.iter().enumerate() {
        for (j, region) in regions.iter().enumerate() {
            let id = format!("o-{i}{j}");
            if *total >= 1000.0 && region.starts_with("eu-") {
                expected.push(id.clone());
            }
            events.push(order(&id, *total, region));
        }
    }
    events.push(Event::new("com.example.shop.test", "OrderPlaced", json!({"orderId": "t-1", "total": 5000, "region": "eu-west-1"})));
    for chunk in events.chunks(10) {
        put(&mut cloud, chunk.to_vec())?;
        cloud.advance(1.mins());
    }
    expected.sort();
    check::eq("orders in fraud-review", expected, reviewed(&mut cloud, &r.queue)?)
}

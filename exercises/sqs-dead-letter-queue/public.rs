use grading::prelude::*;

use super::solution::{Orders, setup, work};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("good orders are processed and deleted", 3, good_orders)
            .feedback("Delete a message once `process` returned Ok."),
        Scenario::new("a poison message ends up in the DLQ", 3, poison)
            .feedback("Give `orders` a redrive policy that names `orders-dlq`."),
    ]
}

/// Runs `rounds` worker rounds, moving past the visibility timeout after each.
pub fn rounds(
    cloud: &mut Cloud,
    orders: &Orders,
    rounds: usize,
    process: &mut dyn FnMut(&str) -> Result<(), String>,
) -> Result<usize, check::Fail> {
    let attrs = check::ok("read the queue's attributes", cloud.sqs().attributes(&orders.queue))?;
    let vis: u64 = attrs.get("VisibilityTimeout").and_then(|v| v.parse().ok()).unwrap_or(30);
    let mut done = 0;
    for _ in 0..rounds {
        done += check::ok("work", work(cloud, orders, process))?;
        cloud.advance((vis + 1).secs());
    }
    Ok(done)
}

fn good_orders(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let orders = check::ok("setup", setup(&mut cloud))?;
    for i in 0..5 {
        check::ok("send", cloud.sqs().send(&orders.queue, format!("order {i}")))?;
    }
    let done = rounds(&mut cloud, &orders, 2, &mut |_| Ok(()))?;
    check::eq("orders processed", 5, done)?;
    let left = check::ok("count", cloud.sqs().counts(&orders.queue))?;
    check::eq("messages left in orders", 0, left.total())
}

fn poison(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let orders = check::ok("setup", setup(&mut cloud))?;
    check::ok("send", cloud.sqs().send(&orders.queue, "poison"))?;
    rounds(&mut cloud, &orders, 8, &mut |_| Err("cannot parse".into()))?;
    ctx.note("8 rounds, the message failed every time");
    let dlq = check::ok("count", cloud.sqs().counts(&orders.dlq))?;
    check::eq("messages in orders-dlq", 1, dlq.visible)
}

use grading::prelude::*;

use super::public::{change_of, store_reads};
use super::solution::{publish_price, setup};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("each product's changes arrive in order", 4, in_order)
            .feedback("Standard topics and queues may reorder. Which kind of topic and queue keeps order, and must both be that kind?")
            .seeds(1..=4)
            .anomalies(),
        Scenario::new("a retried publish reaches each store once", 4, retried_once)
            .feedback("The publisher retried with the same update id: something must recognise the copy."),
        Scenario::new("a price that returns to an earlier value is still a change", 4, price_returns)
            .feedback("Two different changes can have the same body. What tells a retry apart from a new change?"),
        Scenario::new("a store stuck on one product still gets the others", 4, stuck_product)
            .feedback("In a FIFO queue, a message in flight holds back the rest of its message group."),
    ]
}

type Change = (String, u64);

fn of_product(changes: &[Change], product: &str) -> Vec<u64> {
    changes
        .iter()
        .filter(|(p, _)| p == product)
        .map(|(_, price)| *price)
        .collect()
}

fn in_order(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let prices = check::ok("setup", setup(&mut cloud, &["north", "south", "east"]))?;
    let products = ["tea", "rice", "soap"];
    let mut sent: Vec<Change> = Vec::new();
    for i in 0..24u64 {
        let product = products[(i % 3) as usize];
        let price = 100 + i * 10;
        check::ok(
            "publish_price",
            publish_price(&mut cloud, &prices, &format!("u-{i}"), product, price),
        )?;
        sent.push((product.to_string(), price));
    }
    ctx.note(format!(
        "seed {}: 24 changes to tea, rice and soap, published in turn",
        ctx.seed()
    ));
    for (i, q) in prices.stores.iter().enumerate() {
        let got = store_reads(&mut cloud, q)?;
        for p in products {
            check::eq(
                &format!("{p} prices store {i} applied, in order"),
                of_product(&sent, p),
                of_product(&got, p),
            )?;
        }
    }
    Ok(())
}

fn retried_once(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let prices = check::ok("setup", setup(&mut cloud, &["north", "south"]))?;
    check::ok(
        "publish_price",
        publish_price(&mut cloud, &prices, "u-1", "tea", 450),
    )?;
    check::ok(
        "publish_price",
        publish_price(&mut cloud, &prices, "u-1", "tea", 450),
    )?;
    check::ok(
        "publish_price",
        publish_price(&mut cloud, &prices, "u-2", "rice", 120),
    )?;
    ctx.note("change u-1 (tea 450) was published twice: the publisher retried");
    for (i, q) in prices.stores.iter().enumerate() {
        let mut got = store_reads(&mut cloud, q)?;
        got.sort();
        check::eq(
            &format!("changes store {i} applied"),
            vec![("rice".to_string(), 120), ("tea".to_string(), 450)],
            got,
        )?;
    }
    Ok(())
}

fn price_returns(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let prices = check::ok("setup", setup(&mut cloud, &["north"]))?;
    for (id, price) in [("u-1", 450), ("u-2", 500), ("u-3", 450)] {
        check::ok(
            "publish_price",
            publish_price(&mut cloud, &prices, id, "tea", price),
        )?;
    }
    ctx.note("tea went 450 (u-1), 500 (u-2), back to 450 (u-3)");
    let got = store_reads(&mut cloud, &prices.stores[0])?;
    check::eq(
        "tea prices the store applied",
        vec![450, 500, 450],
        of_product(&got, "tea"),
    )
}

fn stuck_product(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let prices = check::ok("setup", setup(&mut cloud, &["north"]))?;
    let q = prices.stores[0].clone();
    for (id, product, price) in [
        ("u-1", "tea", 450),
        ("u-2", "tea", 500),
        ("u-3", "rice", 120),
        ("u-4", "soap", 99),
    ] {
        check::ok(
            "publish_price",
            publish_price(&mut cloud, &prices, id, product, price),
        )?;
    }
    let first = check::ok("receive", cloud.sqs().receive(&q, Receive::max(1)))?;
    let m = check::some("a first change", first.first())?;
    check::eq(
        "the first change the store received",
        ("tea".to_string(), 450),
        change_of(m),
    )?;
    ctx.note("the store received tea 450 and is stuck on it (not deleted yet)");
    let next = check::ok("receive", cloud.sqs().receive(&q, Receive::max(10)))?;
    let mut got: Vec<Change> = next.iter().map(change_of).collect();
    got.sort();
    check::eq(
        "changes the store receives meanwhile",
        vec![("rice".to_string(), 120), ("soap".to_string(), 99)],
        got,
    )
}

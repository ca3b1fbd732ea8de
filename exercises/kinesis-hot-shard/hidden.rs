use grading::prelude::*;

use super::public::{in_order, put_all, read_back, workload};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("the megastore's peak goes in unthrottled", 6, peak)
            .feedback("2,400 events per second, 80% from one shop: a key with few values puts most of them on one shard, which takes 1,000 per second.")
            .seeds(1..=2),
        Scenario::new("each order's events stay in order at peak", 6, ordered)
            .feedback("An order's events must land on one shard to be read back in order.")
            .seeds(3..=4),
        Scenario::new("events with long notes still get valid keys", 4, long_notes)
            .feedback("A partition key is at most 256 characters; a key built from the whole event can be longer."),
    ]
}

fn peak(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("orders", 4))?;
    let events = workload(ctx.seed(), 1800, 0.8, 0);
    ctx.note(format!("seed {}: 1,800 orders, 80% from megastore, 7,200 events at 2,400 per second into 4 shards", ctx.seed()));
    let refused = put_all(&mut cloud, &s, &events, 2400)?;
    check::eq("events refused with ProvisionedThroughputExceeded", 0, refused)
}

fn ordered(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("orders", 4))?;
    let events = workload(ctx.seed(), 600, 0.8, 0);
    ctx.note(format!("seed {}: 600 orders, 80% from megastore, 2,400 events at 800 per second", ctx.seed()));
    put_all(&mut cloud, &s, &events, 800)?;
    let orders = read_back(&mut cloud, &s)?;
    in_order(&orders, 600)
}

fn long_notes(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("orders", 4))?;
    let events = workload(ctx.seed(), 50, 0.5, 300);
    ctx.note("50 orders whose events carry a 300-character note");
    let refused = put_all(&mut cloud, &s, &events, 200)?;
    check::eq("events refused", 0, refused)
}

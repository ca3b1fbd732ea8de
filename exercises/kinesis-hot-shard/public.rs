use std::collections::BTreeMap;

use grading::prelude::*;

use super::solution::partition_key;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a light, even load is put and read back in order", 2, light)
            .feedback("Every event must be accepted, and each order's events read back in `seq` order."),
        Scenario::new("keys are valid partition keys", 2, valid_keys)
            .feedback("A partition key has 1 to 256 characters."),
    ]
}

/// Order events: `orders` orders of 4 events each, the megastore's share of
/// orders as given, events interleaved round by round (every order's first
/// event, then every order's second ...), so each order's events are in `seq`
/// order but far apart.
pub fn workload(seed: u64, orders: usize, mega_share: f64, note: usize) -> Vec<Value> {
    let mut rng = cloudlab::rng::SimRng::new(seed);
    let shops: Vec<String> = (0..orders)
        .map(|_| {
            if rng.chance(mega_share) {
                "megastore".to_string()
            } else {
                format!("shop-{}", rng.range(1, 50))
            }
        })
        .collect();
    let kinds = ["created", "paid", "packed", "shipped"];
    let mut out = Vec::with_capacity(orders * 4);
    for (seq, kind) in kinds.iter().enumerate() {
        for (j, shop) in shops.iter().enumerate() {
            let mut e = json!({"shop": shop, "order": format!("o-{seed}-{j}"), "seq": seq, "kind": kind});
            if note > 0 {
                e["note"] = json!("n".repeat(note));
            }
            out.push(e);
        }
    }
    out
}

/// Puts `events` at `per_second` with the solution's keys (PutRecords, 500 at a
/// time, no retries); returns how many were refused.
pub fn put_all(cloud: &mut Cloud, stream: &Stream, events: &[Value], per_second: usize) -> Result<u32, check::Fail> {
    let mut refused = 0;
    for second in events.chunks(per_second) {
        for batch in second.chunks(500) {
            let records: Vec<(String, String)> =
                batch.iter().map(|e| (partition_key(e), e.to_string())).collect();
            let out = check::ok("PutRecords with your keys", cloud.kinesis().put_records(stream, records))?;
            refused += out.failed_record_count;
        }
        cloud.advance(1.secs());
    }
    Ok(refused)
}

/// Reads every shard; for each order, (shards it was found in, its `seq`s in read order).
pub fn read_back(cloud: &mut Cloud, stream: &Stream) -> Result<BTreeMap<String, (Vec<String>, Vec<u64>)>, check::Fail> {
    let mut orders: BTreeMap<String, (Vec<String>, Vec<u64>)> = BTreeMap::new();
    for shard in check::ok("list shards", cloud.kinesis().shard_ids(stream))? {
        cloud.advance(1.secs());
        let mut it = check::ok("iterator", cloud.kinesis().iterator(stream, &shard, Start::TrimHorizon))?;
        loop {
            let out = check::ok("GetRecords", cloud.kinesis().get_records(&it))?;
            for r in &out.records {
                let e: Value = r.text().parse().unwrap_or(Value::Null);
                let entry = orders.entry(e["order"].as_str().unwrap_or("?").to_string()).or_default();
                if !entry.0.contains(&shard) {
                    entry.0.push(shard.clone());
                }
                entry.1.push(e["seq"].as_u64().unwrap_or(99));
            }
            match out.next_shard_iterator {
                Some(next) if out.millis_behind_latest > 0 => it = next,
                _ => break,
            }
        }
    }
    Ok(orders)
}

/// Checks that every order was read from one shard with seqs 0, 1, 2, 3.
pub fn in_order(orders: &BTreeMap<String, (Vec<String>, Vec<u64>)>, expected: usize) -> Outcome {
    check::eq("orders read back", expected, orders.len())?;
    for (order, (shards, seqs)) in orders {
        check::eq(&format!("shards holding order {order}"), 1, shards.len())?;
        check::eq(&format!("seq of order {order}'s events, in read order"), vec![0, 1, 2, 3], seqs.clone())?;
    }
    Ok(())
}

fn light(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("orders", 4))?;
    let events = workload(ctx.seed(), 100, 0.1, 0);
    ctx.note("100 orders from many shops, 400 events at 400 per second");
    let refused = put_all(&mut cloud, &s, &events, 400)?;
    check::eq("events refused", 0, refused)?;
    let orders = read_back(&mut cloud, &s)?;
    in_order(&orders, 100)
}

fn valid_keys(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    for e in workload(7, 20, 0.5, 0) {
        let k = partition_key(&e);
        check::that(&format!("key for {e} has 1 to 256 characters (got {})", k.chars().count()), (1..=256).contains(&k.chars().count()))?;
    }
    Ok(())
}

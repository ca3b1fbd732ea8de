use std::collections::BTreeMap;

use grading::prelude::*;

use super::public::{Job, fill};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("crashes are retried: nothing lost, nothing repeated", 4, crashes)
            .feedback("A record is done only once `handle` accepted it; the next run starts right after the last record done.")
            .seeds(1..=2),
        Scenario::new("records written before the first run are handled", 3, before_first_run)
            .feedback("A shard without a checkpoint is read from its oldest record."),
        Scenario::new("a shard with 25,000 records is read to its end", 4, many_pages)
            .feedback("One GetRecords call returns at most 10,000 records."),
        Scenario::new("other readers use the shards' read limit", 3, busy_shards)
            .feedback("Every reader of a shard shares its 5 GetRecords calls per second."),
        Scenario::new("records of a split shard are not lost", 4, split)
            .feedback("A split closes the parent shard, which keeps its records."),
    ]
}

fn crashes(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("usage", 2))?;
    fill(&mut cloud, &s, 0, 400, 9)?;
    let mut job = Job::default();
    let seed = ctx.seed() as usize;
    for i in [seed * 7, 100 + seed * 13, 250, 399] {
        job.crash_on.insert(format!("r-{i}"));
    }
    ctx.note(format!("400 records; the job crashes on {:?}", job.crash_on));
    let mut checkpoints = BTreeMap::new();
    for _ in 0..10 {
        let before = job.crashes;
        job.run(&mut cloud, &s, &mut checkpoints)?;
        cloud.advance(1.mins());
        if job.crashes == before {
            break;
        }
    }
    check::eq("crashes", 4, job.crashes)?;
    job.exactly_once(400)
}

fn before_first_run(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("usage", 3))?;
    fill(&mut cloud, &s, 0, 500, 11)?;
    cloud.advance(10.mins());
    ctx.note("500 records written, the first run 10 minutes later");
    let mut job = Job::default();
    job.run(&mut cloud, &s, &mut BTreeMap::new())?;
    job.exactly_once(500)
}

fn many_pages(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("usage", 1))?;
    fill(&mut cloud, &s, 0, 25_000, 3)?;
    ctx.note("25,000 records in one shard");
    let mut job = Job::default();
    job.run(&mut cloud, &s, &mut BTreeMap::new())?;
    job.exactly_once(25_000)
}

fn busy_shards(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("usage", 2))?;
    fill(&mut cloud, &s, 0, 200, 4)?;
    ctx.note("200 records; just before the run, other readers call GetRecords 5 times on each shard");
    for shard in check::ok("shards", cloud.kinesis().shard_ids(&s))? {
        for _ in 0..5 {
            let it = check::ok("iterator", cloud.kinesis().iterator(&s, &shard, Start::Latest))?;
            check::ok("another reader's GetRecords", cloud.kinesis().get_records(&it))?;
        }
    }
    let mut job = Job::default();
    job.run(&mut cloud, &s, &mut BTreeMap::new())?;
    job.exactly_once(200)
}

fn split(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("usage", 2))?;
    fill(&mut cloud, &s, 0, 300, 6)?;
    check::ok("split", cloud.kinesis().split_shard_evenly(&s, "shardId-000000000000"))?;
    check::ok("wait", cloud.kinesis().wait_active(&s))?;
    fill(&mut cloud, &s, 300, 600, 6)?;
    ctx.note("300 records, shardId-000000000000 split in two, 300 more records");
    let mut job = Job::default();
    job.run(&mut cloud, &s, &mut BTreeMap::new())?;
    job.exactly_once(600)
}

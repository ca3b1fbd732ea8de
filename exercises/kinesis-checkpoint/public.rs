use std::collections::{BTreeMap, BTreeSet};

use cloudlab::kinesis::Record;
use grading::prelude::*;

use super::solution::process;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("one run handles every record once", 3, one_run)
            .feedback("Read every shard from its oldest record, and every record of it."),
        Scenario::new("a second run handles only what is new", 3, second_run)
            .feedback("The second run starts after the checkpoints of the first."),
    ]
}

/// Puts records `from..to` (data `r-<i>`, partition keys `k<i % keys>`), at
/// most 800 per second of virtual time.
pub fn fill(cloud: &mut Cloud, stream: &Stream, from: usize, to: usize, keys: usize) -> Result<(), check::Fail> {
    let ids: Vec<usize> = (from..to).collect();
    for second in ids.chunks(800) {
        for batch in second.chunks(400) {
            let records: Vec<(String, String)> =
                batch.iter().map(|i| (format!("k{}", i % keys), format!("r-{i}"))).collect();
            let out = check::ok("put records", cloud.kinesis().put_records(stream, records))?;
            check::eq("records refused while filling the stream", 0, out.failed_record_count)?;
        }
        cloud.advance(1.secs());
    }
    Ok(())
}

/// What the job did: successful handles per record id, and the order of ids per key.
#[derive(Default)]
pub struct Job {
    pub handled: BTreeMap<String, u32>,
    pub order: BTreeMap<String, Vec<usize>>,
    /// Ids on which the job crashes the first time it sees them.
    pub crash_on: BTreeSet<String>,
    pub crashes: u32,
}

impl Job {
    /// Runs `process` once; returns its answer.
    pub fn run(&mut self, cloud: &mut Cloud, stream: &Stream, checkpoints: &mut BTreeMap<String, String>) -> Result<usize, check::Fail> {
        let mut handle = |r: &Record| -> bool {
            let id = r.text();
            if self.crash_on.remove(&id) {
                self.crashes += 1;
                return false;
            }
            *self.handled.entry(id.clone()).or_default() += 1;
            let n: usize = id.trim_start_matches("r-").parse().unwrap_or(usize::MAX);
            self.order.entry(r.partition_key.clone()).or_default().push(n);
            true
        };
        check::ok("process", process(cloud, stream, checkpoints, &mut handle))
    }

    /// Every record `0..n` handled successfully exactly once, each key's in order.
    pub fn exactly_once(&self, n: usize) -> Outcome {
        let missing: Vec<usize> = (0..n).filter(|i| !self.handled.contains_key(&format!("r-{i}"))).collect();
        check::eq("records never handled", Vec::<usize>::new(), missing.into_iter().take(10).collect::<Vec<_>>())?;
        let repeated: BTreeMap<&String, &u32> = self.handled.iter().filter(|(_, c)| **c > 1).take(10).collect();
        check::eq("records handled more than once (times)", BTreeMap::new(), repeated)?;
        for (key, ids) in &self.order {
            let mut sorted = ids.clone();
            sorted.sort();
            check::that(&format!("records of partition key {key} handled in order"), *ids == sorted)?;
        }
        Ok(())
    }
}

fn one_run(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("usage", 2))?;
    fill(&mut cloud, &s, 0, 300, 7)?;
    ctx.note("300 records in 2 shards, then one run");
    let mut job = Job::default();
    let mut checkpoints = BTreeMap::new();
    let n = job.run(&mut cloud, &s, &mut checkpoints)?;
    check::eq("records handled by the run", 300, n)?;
    job.exactly_once(300)
}

fn second_run(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let s = check::ok("create the stream", cloud.kinesis().create_stream("usage", 2))?;
    fill(&mut cloud, &s, 0, 200, 5)?;
    let mut job = Job::default();
    let mut checkpoints = BTreeMap::new();
    job.run(&mut cloud, &s, &mut checkpoints)?;
    fill(&mut cloud, &s, 200, 300, 5)?;
    cloud.advance(3.mins());
    ctx.note("200 records, a run, 100 more records, a second run three minutes later");
    let n = job.run(&mut cloud, &s, &mut checkpoints)?;
    check::eq("records handled by the second run", 100, n)?;
    job.exactly_once(300)
}

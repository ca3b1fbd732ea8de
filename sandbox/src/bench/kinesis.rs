//! `cloudlab bench kinesis`: records put (PutRecords, batches of 500) into a
//! 16-shard stream and read back (GetRecords, shard by shard), against a
//! plain loop doing the same routing and storage: MD5 of the partition key,
//! the shard whose hash range holds it, a `VecDeque` per shard.

use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Measurement, Report};
use crate::cloud::Cloud;
use crate::kinesis::Start;
use crate::kinesis::keys::{HashRange, even_ranges, hash_key};

const SHARDS: u32 = 16;
const BATCH: usize = 500;
/// Batches per virtual second: 8 x 500 = 4,000 records/s over 16 shards,
/// well under their 16,000 records/s, so nothing is throttled.
const BATCHES_PER_SECOND: usize = 8;

fn payload(i: usize) -> String {
    format!("{{\"click\":{i},\"page\":\"/products/{}\"}}", i % 97)
}

/// The baseline: route by MD5 into per-shard deques, then drain them.
fn plain(n: usize) -> (f64, f64) {
    let ranges: Vec<HashRange> = even_ranges(SHARDS);
    let mut shards: Vec<VecDeque<(String, Arc<[u8]>)>> = vec![VecDeque::new(); SHARDS as usize];
    let t = Instant::now();
    for i in 0..n {
        let key = format!("user-{}", i % 10_007);
        let k = hash_key(&key);
        let s = ranges.partition_point(|r| r.start <= k) - 1;
        shards[s].push_back((key, Arc::from(payload(i).into_bytes())));
    }
    let put = t.elapsed();
    let t = Instant::now();
    let mut read = 0;
    for shard in &shards {
        let batch: Vec<(String, Arc<[u8]>)> = shard.iter().cloned().collect();
        read += batch.len();
        black_box(&batch);
    }
    assert_eq!(read, n);
    (rate(n, put), rate(n, t.elapsed()))
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// The sandbox: PutRecords in batches of 500, then GetRecords per shard.
fn sandbox(n: usize) -> (f64, f64) {
    let mut cloud = Cloud::new();
    cloud.trace_mut().set_capacity(100_000);
    let s = cloud
        .kinesis()
        .create_stream("bench", SHARDS)
        .expect("stream");
    let t = Instant::now();
    let mut i = 0;
    let mut batches = 0;
    while i < n {
        let end = (i + BATCH).min(n);
        let batch: Vec<(String, String)> = (i..end)
            .map(|k| (format!("user-{}", k % 10_007), payload(k)))
            .collect();
        let out = cloud.kinesis().put_records(&s, batch).expect("put");
        assert_eq!(
            out.failed_record_count, 0,
            "the bench stays under the limits"
        );
        i = end;
        batches += 1;
        if batches % BATCHES_PER_SECOND == 0 {
            cloud.advance(Duration::from_secs(1));
        }
    }
    let put = t.elapsed();
    cloud.advance(Duration::from_secs(1));
    let t = Instant::now();
    let mut read = 0;
    let shard_ids = cloud.kinesis().shard_ids(&s).expect("shards");
    for shard in &shard_ids {
        let mut it = cloud
            .kinesis()
            .iterator(&s, shard, Start::TrimHorizon)
            .expect("iterator");
        loop {
            let out = cloud.kinesis().get_records(&it).expect("read");
            read += out.records.len();
            let done = out.millis_behind_latest == 0;
            it = out.next_shard_iterator.expect("open shard");
            if done {
                break;
            }
            cloud.advance(Duration::from_secs(1));
        }
    }
    assert_eq!(read, n);
    (rate(n, put), rate(n, t.elapsed()))
}

/// Runs the Kinesis benchmark with `n` records.
pub fn run(n: usize) -> Report {
    let n = n.max(BATCH);
    sandbox(n / 10);
    plain(n / 10);
    let (base_put, base_read) = plain(n);
    let (put, read) = sandbox(n);
    let mut report = Report {
        title: format!("cloudlab bench kinesis ({n} records, {SHARDS} shards)"),
        ..Default::default()
    };
    report.rows.push(Measurement {
        name: "Kinesis PutRecords (batches of 500)".into(),
        rate: put,
        baseline_rate: base_put,
        unit: "records",
    });
    report.rows.push(Measurement {
        name: "Kinesis GetRecords (per shard)".into(),
        rate: read,
        baseline_rate: base_read,
        unit: "records",
    });
    report
        .notes
        .push("baseline: MD5 routing into a VecDeque per shard, then one pass over each".into());
    if cfg!(debug_assertions) {
        report.notes.push(
            "note: this is a debug build of the sandbox; run `cargo run --release -p cloudlab-cli -- bench kinesis` for real figures".into(),
        );
    }
    report
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_workload_runs_unthrottled() {
        let r = super::run(2_000);
        assert_eq!(r.rows.len(), 2);
        assert!(r.rows.iter().all(|m| m.rate > 0.0 && m.baseline_rate > 0.0));
    }
}

//! A Kinesis stream as a Firehose source: Firehose reads every shard about
//! once a second with GetRecords (sharing the shard's read limits with the
//! other readers), starting at the tip when the Firehose stream is created,
//! and reads a child shard only after its parents.

use std::time::Duration;

use super::model::*;
use super::quotas::*;
use crate::cloud::Cloud;
use crate::kinesis::ops::records::{Budget, read};
use crate::kinesis::quotas::{MAX_GET_RECORDS, MAX_GET_RECORDS_BYTES};

/// Sets up the cursors of a new Firehose stream (at the tip of every open shard).
pub(crate) fn start(cloud: &mut Cloud, state: &mut DeliveryStreamState) {
    let Source::Kinesis { stream, .. } = &state.source else {
        return;
    };
    let Some(s) = cloud.kinesis.streams.get(stream) else {
        return;
    };
    for sh in &s.shards {
        state.cursors.insert(
            sh.index,
            SourceCursor {
                position: sh.tip(),
                finished: sh.closed.is_some(),
                ..Default::default()
            },
        );
    }
}

fn readers_of(cloud: &Cloud, stream: &str) -> Vec<String> {
    cloud
        .firehose
        .streams
        .values()
        .filter(|f| matches!(&f.source, Source::Kinesis { stream: s, .. } if s == stream))
        .map(|f| f.name.to_string())
        .collect()
}

/// Records arrived on a source stream: schedule reads of those shards.
pub(crate) fn records_arrived(cloud: &mut Cloud, stream: &str, shards: &[u32]) {
    for name in readers_of(cloud, stream) {
        adopt(cloud, &name, stream);
        for &shard in shards {
            wake(cloud, &name, shard);
        }
    }
}

/// Shards of a source stream changed: parents finish, children start.
pub(crate) fn shards_changed(cloud: &mut Cloud, stream: &str) {
    for name in readers_of(cloud, stream) {
        adopt(cloud, &name, stream);
        let shards: Vec<u32> = cloud.firehose.streams[&name]
            .cursors
            .keys()
            .copied()
            .collect();
        for shard in shards {
            wake(cloud, &name, shard);
        }
    }
}

/// Starts cursors for shards whose parents are finished.
fn adopt(cloud: &mut Cloud, name: &str, stream: &str) {
    let Some(s) = cloud.kinesis.streams.get(stream) else {
        return;
    };
    let Some(f) = cloud.firehose.streams.get_mut(name) else {
        return;
    };
    for sh in &s.shards {
        if f.cursors.contains_key(&sh.index) {
            continue;
        }
        let parents_done = sh
            .parent
            .into_iter()
            .chain(sh.adjacent_parent)
            .all(|p| f.cursors.get(&p).is_some_and(|c| c.finished));
        if parents_done {
            f.cursors.insert(sh.index, SourceCursor::default());
        }
    }
}

fn wake(cloud: &mut Cloud, name: &str, shard: u32) {
    let now = cloud.core.now;
    let Some(c) = cloud
        .firehose
        .streams
        .get_mut(name)
        .and_then(|f| f.cursors.get_mut(&shard))
    else {
        return;
    };
    if c.scheduled || c.finished {
        return;
    }
    c.scheduled = true;
    let after = c
        .last_poll
        .map_or(Duration::ZERO, |t| (t + SOURCE_POLL_INTERVAL).since(now));
    let name = name.to_string();
    cloud.schedule(after, "firehose.read-shard", move |c| poll(c, &name, shard));
}

fn poll(cloud: &mut Cloud, name: &str, shard: u32) {
    let now = cloud.core.now;
    let Some(f) = cloud.firehose.streams.get_mut(name) else {
        return;
    };
    let Source::Kinesis { stream, .. } = f.source.clone() else {
        return;
    };
    let Some(c) = f.cursors.get_mut(&shard) else {
        return;
    };
    c.scheduled = false;
    c.last_poll = Some(now);
    let from = c.position;
    let out = match read(
        cloud,
        &stream,
        shard,
        from,
        MAX_GET_RECORDS,
        MAX_GET_RECORDS_BYTES,
        Budget::Shared,
    ) {
        Ok(out) => out,
        Err(e) if e.is("ProvisionedThroughputExceededException") => {
            wake(cloud, name, shard);
            return;
        }
        Err(_) => return,
    };
    let f = cloud.firehose.streams.get_mut(name).expect("looked up");
    let c = f.cursors.get_mut(&shard).expect("looked up");
    c.position = out.next;
    c.finished = out.finished;
    let n = out.records.len();
    for r in out.records {
        let id = cloud.core.rng.alnum(56);
        let meta = KinesisMeta {
            sequence_number: r.sequence_number.clone(),
            partition_key: r.partition_key.clone(),
            shard_id: r.shard_id.clone(),
        };
        super::deliver::accept(cloud, name, id, r.data.clone(), Some(meta));
    }
    if out.finished {
        shards_changed(cloud, &stream);
        return;
    }
    let more = cloud
        .kinesis
        .streams
        .get(&stream)
        .and_then(|s| s.shards.get(shard as usize))
        .is_some_and(|sh| sh.tip() > out.next);
    if more || n == MAX_GET_RECORDS as usize {
        wake(cloud, name, shard);
    }
}

/// Where each Firehose stream reading `stream` is, for the stream's view.
pub(crate) fn positions(cloud: &Cloud, stream: &str) -> Vec<(String, u32, u64)> {
    let mut out = Vec::new();
    for f in cloud.firehose.streams.values() {
        if !matches!(&f.source, Source::Kinesis { stream: s, .. } if s == stream) {
            continue;
        }
        for (shard, c) in &f.cursors {
            if !c.finished {
                out.push((format!("firehose:{}", f.name), *shard, c.position));
            }
        }
    }
    out
}

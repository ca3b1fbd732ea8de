//! Enhanced fan-out subscriptions: records pushed to a consumer in virtual
//! time, about 70 ms after they arrive, at up to 2 MiB/s per shard of its
//! own. A subscription lasts 5 minutes; then the consumer subscribes again
//! from its ContinuationSequenceNumber.

use std::time::Duration;

use serde::Serialize;

use super::keys::shard_id;
use super::ops::records::{Budget, ChildShard, Record, children, read};
use super::quotas::*;
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::time::SimTime;

/// One push of a subscription, as SubscribeToShard's event stream carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscribeToShardEvent {
    /// The records pushed.
    pub records: Vec<Record>,
    /// Where to resume (AFTER_SEQUENCE_NUMBER) in the next subscription.
    pub continuation_sequence_number: String,
    /// How far behind the shard's tip the consumer is, ms.
    pub millis_behind_latest: u64,
    /// When a closed shard has been pushed to its end: its children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_shards: Option<Vec<ChildShard>>,
}

/// A live (or just ended) subscription.
#[derive(Clone, Debug)]
pub(crate) struct Subscription {
    pub stream: String,
    pub consumer: String,
    pub shard: u32,
    pub position: u64,
    pub ends: SimTime,
    pub free_at: SimTime,
    pub scheduled: bool,
    pub ended: bool,
    pub continuation: String,
    pub events: Vec<SubscribeToShardEvent>,
}

/// Starts a subscription of `consumer` to `shard` at `position`.
pub(crate) fn start(
    cloud: &mut Cloud,
    stream: &str,
    consumer: &str,
    shard: u32,
    position: u64,
) -> CloudResult<u64> {
    let now = cloud.core.now;
    let busy = cloud.kinesis.subscriptions.values().any(|s| {
        !s.ended && s.stream == stream && s.consumer == consumer && s.shard == shard && s.ends > now
    });
    if busy {
        return Err(CloudError::new(
            "ResourceInUseException",
            format!(
                "Another active subscription exists for consumer {consumer} on {} of stream {stream}.",
                shard_id(shard)
            ),
        ));
    }
    let s = super::ops::usable(cloud, stream)?;
    let continuation = continuation_at(s, shard, position, now);
    let rname = s.name.clone();
    cloud.kinesis.next_subscription += 1;
    let id = cloud.kinesis.next_subscription;
    let ends = now + SUBSCRIPTION_LIFETIME;
    cloud.kinesis.subscriptions.insert(
        id,
        Subscription {
            stream: stream.to_string(),
            consumer: consumer.to_string(),
            shard,
            position,
            ends,
            free_at: now,
            scheduled: false,
            ended: false,
            continuation,
            events: Vec::new(),
        },
    );
    cloud.core.trace(
        "kinesis",
        &rname,
        "subscribe",
        format!("{consumer} on {}", shard_id(shard)),
    );
    cloud.scheduler.background(
        ends,
        "kinesis.subscription-end",
        Box::new(move |c| pump(c, id)),
    );
    wake(cloud, id, Duration::ZERO);
    Ok(id)
}

fn continuation_at(
    s: &super::model::StreamState,
    shard: u32,
    position: u64,
    now: SimTime,
) -> String {
    let sh = &s.shards[shard as usize];
    match position
        .checked_sub(1)
        .and_then(|p| sh.get(p).map(|r| (p, r.arrival)))
    {
        Some((p, at)) => s.sequence_number(shard, p, at),
        None if position == 0 => s.sequence_number(shard, 0, sh.created),
        None => s.sequence_number(shard, position - 1, now),
    }
}

fn wake(cloud: &mut Cloud, id: u64, after: Duration) {
    let Some(sub) = cloud.kinesis.subscriptions.get_mut(&id) else {
        return;
    };
    if sub.scheduled || sub.ended {
        return;
    }
    sub.scheduled = true;
    cloud.schedule(after, "kinesis.efo-push", move |c| pump(c, id));
}

fn end(cloud: &mut Cloud, id: u64, why: &str) {
    let Some(sub) = cloud.kinesis.subscriptions.get_mut(&id) else {
        return;
    };
    if sub.ended {
        return;
    }
    sub.ended = true;
    let (stream, consumer, shard) = (sub.stream.clone(), sub.consumer.clone(), sub.shard);
    if let Some(s) = cloud.kinesis.streams.get_mut(&stream) {
        if let Some(c) = s.consumers.get_mut(&consumer) {
            c.positions.remove(&shard);
        }
        let rname = s.name.clone();
        cloud.core.trace(
            "kinesis",
            &rname,
            "subscription-end",
            format!("{consumer} on {}: {why}", shard_id(shard)),
        );
    }
}

/// Pushes what is due to subscription `id`.
fn pump(cloud: &mut Cloud, id: u64) {
    let now = cloud.core.now;
    let Some(sub) = cloud.kinesis.subscriptions.get_mut(&id) else {
        return;
    };
    sub.scheduled = false;
    if sub.ended {
        return;
    }
    if now >= sub.ends {
        end(cloud, id, "5 minutes passed");
        return;
    }
    if now < sub.free_at {
        let wait = sub.free_at.since(now);
        wake(cloud, id, wait);
        return;
    }
    let (stream, shard, position) = (sub.stream.clone(), sub.shard, sub.position);
    let out = match read(
        cloud,
        &stream,
        shard,
        position,
        super::quotas::MAX_GET_RECORDS,
        EFO_BYTES_PER_SEC,
        Budget::Dedicated,
    ) {
        Ok(out) => out,
        Err(e) => {
            end(cloud, id, &e.code);
            return;
        }
    };
    if out.records.is_empty() && !out.finished {
        return;
    }
    let Some(s) = cloud.kinesis.streams.get_mut(&stream) else {
        return;
    };
    let continuation = continuation_at(s, shard, out.next, now);
    let kids = out.finished.then(|| children(s, shard));
    let more = !out.finished && s.shards[shard as usize].tip() > out.next;
    let sub = cloud.kinesis.subscriptions.get_mut(&id).expect("looked up");
    if let Some(c) = s.consumers.get_mut(&sub.consumer) {
        c.positions.insert(shard, out.next);
        c.records_pushed += out.records.len() as u64;
        c.bytes_pushed += out.bytes;
    }
    let pay = Duration::from_secs_f64(out.bytes as f64 / EFO_BYTES_PER_SEC as f64);
    sub.free_at = sub.free_at.max(now) + pay;
    sub.position = out.next;
    sub.continuation = continuation.clone();
    let n = out.records.len();
    sub.events.push(SubscribeToShardEvent {
        records: out.records,
        continuation_sequence_number: continuation,
        millis_behind_latest: out.millis_behind,
        child_shards: kids,
    });
    let (consumer, rname) = (sub.consumer.clone(), s.name.clone());
    cloud.core.trace(
        "kinesis",
        &rname,
        "push",
        format!("{n} record(s) to {consumer} from {}", shard_id(shard)),
    );
    if out.finished {
        end(cloud, id, "the shard is closed and fully read");
    } else if more {
        let wait = cloud.kinesis.subscriptions[&id].free_at.since(now);
        wake(cloud, id, wait);
    }
}

/// Records arrived on `shards`: wake their subscriptions.
pub(crate) fn records_arrived(cloud: &mut Cloud, stream: &str, shards: &[u32]) {
    let ids: Vec<u64> = cloud
        .kinesis
        .subscriptions
        .iter()
        .filter(|(_, s)| {
            !s.ended && !s.scheduled && s.stream == stream && shards.contains(&s.shard)
        })
        .map(|(id, _)| *id)
        .collect();
    for id in ids {
        wake(cloud, id, EFO_PROPAGATION);
    }
}

/// Shards were closed: subscriptions on them deliver their last event.
pub(crate) fn shards_changed(cloud: &mut Cloud, stream: &str) {
    let ids: Vec<u64> = cloud
        .kinesis
        .subscriptions
        .iter()
        .filter(|(_, s)| !s.ended && s.stream == stream)
        .map(|(id, _)| *id)
        .collect();
    for id in ids {
        wake(cloud, id, EFO_PROPAGATION);
    }
}

/// Ends every subscription of a deregistered consumer.
pub(crate) fn end_consumer(cloud: &mut Cloud, stream: &str, consumer: &str) {
    let ids: Vec<u64> = cloud
        .kinesis
        .subscriptions
        .iter()
        .filter(|(_, s)| !s.ended && s.stream == stream && s.consumer == consumer)
        .map(|(id, _)| *id)
        .collect();
    for id in ids {
        end(cloud, id, "consumer deregistered");
    }
}

/// Takes the events pushed so far; forgets the subscription once it has ended.
pub(crate) fn take_events(cloud: &mut Cloud, id: u64) -> Vec<SubscribeToShardEvent> {
    let Some(sub) = cloud.kinesis.subscriptions.get_mut(&id) else {
        return Vec::new();
    };
    let events = std::mem::take(&mut sub.events);
    if sub.ended {
        cloud.kinesis.subscriptions.remove(&id);
    }
    events
}

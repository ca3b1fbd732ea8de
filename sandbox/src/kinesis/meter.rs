//! Billing of what accrues with time: shard-hours (or stream-hours on
//! on-demand), extended and long-term retention, and enhanced fan-out
//! consumer-shard-hours. Resharding, mode and retention changes, consumers
//! and deletion meter up to that moment first, and a bill taken now adds
//! what accrued since, so a shard is billed for exactly the time it was open.

use std::time::Duration;

use super::model::{StreamMode, StreamState};
use super::quotas::*;
use crate::cloud::Cloud;
use crate::time::SimTime;

/// Hours in the month AWS prices GB-months with.
const HOURS_PER_MONTH: f64 = 730.0;

/// Meters stream `name` up to now.
pub(crate) fn accrue(cloud: &mut Cloud, name: &str) {
    let now = cloud.core.now;
    let Some(s) = cloud.kinesis.streams.get_mut(name) else {
        return;
    };
    let items = usage(s, now);
    s.metered_until = now;
    for (key, units) in items {
        if units > 0.0 {
            cloud.core.bill(key, units);
        }
    }
}

/// What stream `s` used between its last metering and `now`.
fn usage(s: &StreamState, now: SimTime) -> Vec<(&'static str, f64)> {
    let hours = now.since(s.metered_until).as_secs_f64() / 3600.0;
    if hours <= 0.0 {
        return Vec::new();
    }
    let shards = s.open_count() as f64;
    let mut out = Vec::new();
    match s.mode {
        StreamMode::Provisioned => out.push(("kinesis.shard_hours", shards * hours)),
        StreamMode::OnDemand => out.push(("kinesis.on_demand.stream_hours", hours)),
    }
    if s.retention_hours > DEFAULT_RETENTION_HOURS {
        out.push(("kinesis.extended_retention.shard_hours", shards * hours));
    }
    if s.retention_hours > EXTENDED_RETENTION_HOURS {
        let week = Duration::from_secs(EXTENDED_RETENTION_HOURS as u64 * 3600);
        let old: u64 = s
            .shards
            .iter()
            .flat_map(|sh| sh.records.iter())
            .filter(|r| r.arrival + week <= now)
            .map(|r| r.size())
            .sum();
        let gb = old as f64 / 1_073_741_824.0;
        out.push((
            "kinesis.long_term_retention.gb_months",
            gb * hours / HOURS_PER_MONTH,
        ));
    }
    let consumers = s.consumers.len() as f64;
    if consumers > 0.0 {
        out.push((
            "kinesis.efo.consumer_shard_hours",
            consumers * shards * hours,
        ));
    }
    out
}

/// Adds what every stream used since its last metering to `meter` (for a
/// bill taken now, without changing the account).
pub(crate) fn pending(
    meter: &mut crate::billing::Meter,
    state: &super::KinesisState,
    now: SimTime,
) {
    for s in state.streams.values() {
        if s.status == super::model::StreamStatus::Deleting {
            continue;
        }
        for (key, units) in usage(s, now) {
            if units > 0.0 {
                meter.add(now, key, units);
            }
        }
    }
}

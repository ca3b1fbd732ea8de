//! Resharding: SplitShard, MergeShards and UpdateShardCount.
//!
//! As on AWS, resharding closes parent shards and opens children; a closed
//! parent keeps its records until they leave the retention window, so a
//! consumer reads a parent to its end before its children. UpdateShardCount
//! is carried out as the splits and merges that reach an even split (AWS
//! does the same), so every child names at most two parents.

use serde::{Deserialize, Serialize};

use super::{StreamRef, active, invalid, limit_exceeded};
use crate::cloud::{ACCOUNT_ID, Cloud};
use crate::error::CloudResult;
use crate::kinesis::keys::{HashRange, even_ranges, parse_hash_key, shard_id};
use crate::kinesis::meter;
use crate::kinesis::model::{Shard, StreamMode, StreamState, StreamStatus};
use crate::kinesis::quotas::*;
use crate::time::SimTime;

fn close(s: &mut StreamState, index: u32, now: SimTime) {
    s.shards[index as usize].closed = Some(now);
}

fn open_child(
    s: &mut StreamState,
    range: HashRange,
    parents: (u32, Option<u32>),
    now: SimTime,
) -> u32 {
    let index = s.shards.len() as u32;
    let mut child = Shard::new(index, range, now);
    child.parent = Some(parents.0);
    child.adjacent_parent = parents.1;
    s.shards.push(child);
    index
}

/// Splits open shard `index` so the right child starts at `key`.
fn split_at(s: &mut StreamState, index: u32, key: u128, now: SimTime) -> (u32, u32) {
    let range = s.shards[index as usize].range;
    close(s, index, now);
    let left = open_child(
        s,
        HashRange {
            start: range.start,
            end: key - 1,
        },
        (index, None),
        now,
    );
    let right = open_child(
        s,
        HashRange {
            start: key,
            end: range.end,
        },
        (index, None),
        now,
    );
    (left, right)
}

/// Merges open shards `a` and `b` (adjacent) into one child.
fn merge(s: &mut StreamState, a: u32, b: u32, now: SimTime) -> u32 {
    let (ra, rb) = (s.shards[a as usize].range, s.shards[b as usize].range);
    close(s, a, now);
    close(s, b, now);
    let range = HashRange {
        start: ra.start.min(rb.start),
        end: ra.end.max(rb.end),
    };
    open_child(s, range, (a, Some(b)), now)
}

fn begin(cloud: &mut Cloud, name: &str) -> CloudResult<()> {
    let s = active(cloud, name)?;
    if s.mode == StreamMode::OnDemand {
        return Err(invalid(format!(
            "Stream {name} is ON_DEMAND: Kinesis manages its shards. Switch it to PROVISIONED (UpdateStreamMode) to reshard."
        )));
    }
    meter::accrue(cloud, name);
    Ok(())
}

fn finish(cloud: &mut Cloud, name: &str, detail: String) {
    let now = cloud.core.now;
    let Some(s) = cloud.kinesis.streams.get_mut(name) else {
        return;
    };
    s.reroute();
    s.status = StreamStatus::Updating;
    s.busy_until = Some(now + RESHARD_DURATION);
    let rname = s.name.clone();
    cloud.core.trace("kinesis", &rname, "reshard", detail);
    crate::kinesis::shards_changed(cloud, name);
}

fn open_shard(s: &StreamState, id: &str) -> CloudResult<u32> {
    let index = super::streams::shard_number(id)?;
    let sh = s
        .shard(index)
        .ok_or_else(|| super::records::no_shard(&s.name, id))?;
    if sh.closed.is_some() {
        return Err(invalid(format!(
            "Shard {id} in stream {} under account {ACCOUNT_ID} is closed: only open shards can be split or merged.",
            s.name
        )));
    }
    Ok(index)
}

/// SplitShard request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SplitShardInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The shard to split.
    pub shard_to_split: String,
    /// The first hash key of the right child (decimal).
    pub new_starting_hash_key: String,
}

/// SplitShard: closes the shard and opens two children that divide its hash keys.
pub fn split_shard(cloud: &mut Cloud, input: SplitShardInput) -> CloudResult<()> {
    let name = input.stream.resolve()?;
    let s = active(cloud, &name)?;
    let index = open_shard(s, &input.shard_to_split)?;
    let range = s.shards[index as usize].range;
    let key = parse_hash_key(&input.new_starting_hash_key)
        .filter(|k| *k > range.start.saturating_add(1) && *k < range.end)
        .ok_or_else(|| {
            invalid(format!(
                "NewStartingHashKey {} used in SplitShard() on shard {} in stream {name} under account {ACCOUNT_ID} is not both greater than one plus the shard's StartingHashKey {} and less than the shard's EndingHashKey {}.",
                input.new_starting_hash_key,
                shard_id(index),
                range.start,
                range.end
            ))
        })?;
    if s.open_count() >= MAX_SHARDS {
        return Err(limit_exceeded(format!(
            "Stream {name} already has {MAX_SHARDS} open shards, the sandbox's shard quota."
        )));
    }
    begin(cloud, &name)?;
    let now = cloud.core.now;
    let s = cloud.kinesis.streams.get_mut(&name).expect("checked");
    let (l, r) = split_at(s, index, key, now);
    finish(
        cloud,
        &name,
        format!(
            "split {} into {} and {}",
            shard_id(index),
            shard_id(l),
            shard_id(r)
        ),
    );
    Ok(())
}

/// MergeShards request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MergeShardsInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// One shard.
    pub shard_to_merge: String,
    /// Its neighbour in hash key order.
    pub adjacent_shard_to_merge: String,
}

/// MergeShards: closes two adjacent shards and opens one child covering both.
pub fn merge_shards(cloud: &mut Cloud, input: MergeShardsInput) -> CloudResult<()> {
    let name = input.stream.resolve()?;
    let s = active(cloud, &name)?;
    let a = open_shard(s, &input.shard_to_merge)?;
    let b = open_shard(s, &input.adjacent_shard_to_merge)?;
    if a == b
        || !s.shards[a as usize]
            .range
            .adjacent_to(&s.shards[b as usize].range)
    {
        return Err(invalid(format!(
            "Shards {} and {} in stream {name} under account {ACCOUNT_ID} are not an adjacent pair of shards eligible for merging",
            input.shard_to_merge, input.adjacent_shard_to_merge
        )));
    }
    begin(cloud, &name)?;
    let now = cloud.core.now;
    let s = cloud.kinesis.streams.get_mut(&name).expect("checked");
    let c = merge(s, a, b, now);
    finish(
        cloud,
        &name,
        format!(
            "merged {} and {} into {}",
            shard_id(a),
            shard_id(b),
            shard_id(c)
        ),
    );
    Ok(())
}

/// UpdateShardCount request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateShardCountInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// Open shards wanted (between half and double the current count).
    pub target_shard_count: u32,
    /// `UNIFORM_SCALING` (the only type).
    pub scaling_type: String,
}

/// What UpdateShardCount returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateShardCountOutput {
    /// The stream.
    pub stream_name: String,
    /// Open shards before.
    pub current_shard_count: u32,
    /// Open shards after.
    pub target_shard_count: u32,
    /// The stream's ARN.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
}

/// UpdateShardCount: splits and merges shards until `target` open shards
/// divide the hash keys evenly. At most 10 times a day, to at most double
/// and at least half the current count.
pub fn update_shard_count(
    cloud: &mut Cloud,
    input: UpdateShardCountInput,
) -> CloudResult<UpdateShardCountOutput> {
    let name = input.stream.resolve()?;
    if input.scaling_type != "UNIFORM_SCALING" {
        return Err(super::validation(
            "scalingType",
            &input.scaling_type,
            "Member must satisfy enum value set: [UNIFORM_SCALING]",
        ));
    }
    let target = input.target_shard_count;
    let now = cloud.core.now;
    let s = active(cloud, &name)?;
    let current = s.open_count();
    if target == 0 || target > MAX_SHARDS {
        return Err(super::validation(
            "targetShardCount",
            target,
            &format!("Member must have value between 1 and {MAX_SHARDS}"),
        ));
    }
    if target > current * 2 {
        return Err(invalid(format!(
            "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: {current} Target shard count: {target}"
        )));
    }
    if target * 2 < current {
        return Err(invalid(format!(
            "UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: {current} Target shard count: {target}"
        )));
    }
    while s
        .scalings
        .front()
        .is_some_and(|t| *t + std::time::Duration::from_secs(86_400) <= now)
    {
        s.scalings.pop_front();
    }
    if s.scalings.len() >= MAX_SCALINGS_PER_DAY {
        return Err(limit_exceeded(format!(
            "Stream {name} under account {ACCOUNT_ID} has already been scaled {MAX_SCALINGS_PER_DAY} times in the last 24 hours."
        )));
    }
    let arn = s.arn.clone();
    begin(cloud, &name)?;
    let s = cloud.kinesis.streams.get_mut(&name).expect("checked");
    s.scalings.push_back(now);
    let (splits, merges) = reshape(s, target, now);
    finish(
        cloud,
        &name,
        format!("{current} -> {target} open shards ({splits} split(s), {merges} merge(s))"),
    );
    Ok(UpdateShardCountOutput {
        stream_name: name,
        current_shard_count: current,
        target_shard_count: target,
        stream_arn: arn,
    })
}

/// Splits and merges the open shards into `target` even ranges; returns
/// (splits, merges).
fn reshape(s: &mut StreamState, target: u32, now: SimTime) -> (usize, usize) {
    let wanted = even_ranges(target);
    let boundaries: Vec<u128> = wanted.iter().skip(1).map(|r| r.start).collect();
    let (mut splits, mut merges) = (0, 0);
    let open: Vec<u32> = s.open_shards().map(|sh| sh.index).collect();
    let mut pieces: Vec<u32> = Vec::new();
    for index in open {
        let mut current = index;
        let range = s.shards[index as usize].range;
        for &b in boundaries
            .iter()
            .filter(|b| **b > range.start && **b <= range.end)
        {
            let (left, right) = split_at(s, current, b, now);
            splits += 1;
            pieces.push(left);
            current = right;
        }
        pieces.push(current);
    }
    for w in &wanted {
        let mut group: Vec<u32> = pieces
            .iter()
            .copied()
            .filter(|p| w.contains(s.shards[*p as usize].range.start))
            .collect();
        group.sort_by_key(|p| s.shards[*p as usize].range.start);
        let mut acc = group[0];
        for &next in &group[1..] {
            acc = merge(s, acc, next, now);
            merges += 1;
        }
    }
    (splits, merges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(s: &StreamState) -> Vec<HashRange> {
        let mut r: Vec<HashRange> = s
            .shards
            .iter()
            .filter(|sh| sh.closed.is_none())
            .map(|sh| sh.range)
            .collect();
        r.sort();
        r
    }

    #[test]
    fn reshaping_reaches_an_even_split_with_at_most_two_parents() {
        for (from, to) in [
            (1, 2),
            (2, 4),
            (4, 2),
            (3, 2),
            (5, 3),
            (3, 5),
            (7, 13),
            (10, 5),
        ] {
            let mut s = StreamState::new(
                "s",
                "arn".into(),
                StreamMode::Provisioned,
                from,
                SimTime::EPOCH,
            );
            reshape(&mut s, to, SimTime::EPOCH);
            s.reroute();
            assert_eq!(ranges(&s), even_ranges(to), "{from} -> {to}");
            for sh in &s.shards {
                if let (Some(p), Some(a)) = (sh.parent, sh.adjacent_parent) {
                    let (rp, ra) = (s.shards[p as usize].range, s.shards[a as usize].range);
                    assert!(rp.adjacent_to(&ra), "merge parents are adjacent");
                }
            }
        }
    }

    #[test]
    fn doubling_splits_each_shard_once() {
        let mut s = StreamState::new(
            "s",
            "arn".into(),
            StreamMode::Provisioned,
            2,
            SimTime::EPOCH,
        );
        assert_eq!(reshape(&mut s, 4, SimTime::EPOCH), (2, 0));
        let mut s = StreamState::new(
            "s",
            "arn".into(),
            StreamMode::Provisioned,
            4,
            SimTime::EPOCH,
        );
        assert_eq!(reshape(&mut s, 2, SimTime::EPOCH), (0, 2));
    }
}

//! Stream-level actions: CreateStream, DeleteStream, DescribeStream,
//! DescribeStreamSummary, ListStreams, ListShards, retention, stream mode,
//! record size and tags.

use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    StreamRef, active, in_use, invalid, limit_exceeded, stream_arn, stream_mut, validation,
};
use crate::cloud::{ACCOUNT_ID, Cloud};
use crate::error::{CloudError, CloudResult};
use crate::kinesis::meter;
use crate::kinesis::model::{Shard, StreamMode, StreamState, StreamStatus};
use crate::kinesis::quotas::*;
use crate::time::SimTime;

/// `{"StreamMode": "PROVISIONED" | "ON_DEMAND"}`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamModeDetails {
    /// `PROVISIONED` or `ON_DEMAND`.
    pub stream_mode: String,
}

fn parse_mode(details: &Option<StreamModeDetails>) -> CloudResult<StreamMode> {
    match details.as_ref().map(|d| d.stream_mode.as_str()) {
        None | Some("PROVISIONED") => Ok(StreamMode::Provisioned),
        Some("ON_DEMAND") => Ok(StreamMode::OnDemand),
        Some(other) => Err(validation(
            "streamModeDetails.streamMode",
            other,
            "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]",
        )),
    }
}

/// 1-128 characters of `[a-zA-Z0-9_.-]`.
pub(crate) fn check_name(name: &str) -> CloudResult<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_STREAM_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(validation(
            "streamName",
            name,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128",
        ))
    }
}

/// CreateStream request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateStreamInput {
    /// The new stream's name.
    pub stream_name: String,
    /// Shards (provisioned streams; on-demand streams start with 4).
    pub shard_count: Option<u32>,
    /// Provisioned (default) or on-demand.
    pub stream_mode_details: Option<StreamModeDetails>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Largest record, KiB (1,024-10,240; default 1,024).
    #[serde(rename = "MaxRecordSizeInKiB")]
    pub max_record_size_in_kib: Option<u64>,
}

/// CreateStream: the stream is CREATING for a few seconds, then ACTIVE.
pub fn create_stream(cloud: &mut Cloud, input: CreateStreamInput) -> CloudResult<()> {
    check_name(&input.stream_name)?;
    let mode = parse_mode(&input.stream_mode_details)?;
    let shards = match (mode, input.shard_count) {
        (StreamMode::Provisioned, None) => {
            return Err(invalid("ShardCount is required for a PROVISIONED stream."));
        }
        (StreamMode::Provisioned, Some(n)) => n,
        (StreamMode::OnDemand, Some(_)) => {
            return Err(invalid(
                "ShardCount must not be given for an ON_DEMAND stream: Kinesis manages its shards.",
            ));
        }
        (StreamMode::OnDemand, None) => ON_DEMAND_INITIAL_SHARDS,
    };
    if !(1..=MAX_SHARDS).contains(&shards) {
        return Err(validation(
            "shardCount",
            shards,
            &format!("Member must have value between 1 and {MAX_SHARDS}"),
        ));
    }
    let max_record = record_size(input.max_record_size_in_kib)?;
    let name = input.stream_name.clone();
    let _ = stream_mut(cloud, &name); // finishes a deletion that is due
    if cloud.kinesis.streams.contains_key(&name) {
        return Err(CloudError::new(
            "ResourceInUseException",
            format!("Stream {name} under account {ACCOUNT_ID} already exists."),
        ));
    }
    if mode == StreamMode::OnDemand {
        let n = cloud
            .kinesis
            .streams
            .values()
            .filter(|s| s.mode == StreamMode::OnDemand)
            .count();
        if n >= MAX_ON_DEMAND_STREAMS {
            return Err(limit_exceeded(format!(
                "This request would exceed the limit of {MAX_ON_DEMAND_STREAMS} ON_DEMAND streams in account {ACCOUNT_ID}."
            )));
        }
    }
    let now = cloud.core.now;
    let mut stream = StreamState::new(&name, stream_arn(&name), mode, shards, now);
    stream.tags = input.tags;
    stream.max_record_bytes = max_record;
    let rname = stream.name.clone();
    cloud.kinesis.streams.insert(name, stream);
    cloud.core.trace(
        "kinesis",
        &rname,
        "create-stream",
        format!("{} with {shards} shard(s)", mode.as_str()),
    );
    Ok(())
}

fn record_size(kib: Option<u64>) -> CloudResult<u64> {
    let Some(kib) = kib else {
        return Ok(DEFAULT_MAX_RECORD_BYTES);
    };
    let (lo, hi) = (
        DEFAULT_MAX_RECORD_BYTES / 1024,
        MAX_RECORD_BYTES_LIMIT / 1024,
    );
    if !(lo..=hi).contains(&kib) {
        return Err(validation(
            "maxRecordSizeInKiB",
            kib,
            &format!("Member must have value between {lo} and {hi}"),
        ));
    }
    Ok(kib * 1024)
}

/// DeleteStream request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteStreamInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// Delete even with registered consumers.
    pub enforce_consumer_deletion: Option<bool>,
}

/// DeleteStream: DELETING for a few seconds, then gone with every record.
pub fn delete_stream(cloud: &mut Cloud, input: DeleteStreamInput) -> CloudResult<()> {
    let name = input.stream.resolve()?;
    let s = stream_mut(cloud, &name)?;
    if s.status == StreamStatus::Deleting {
        return Err(in_use(&name, s.status));
    }
    if !s.consumers.is_empty() && !input.enforce_consumer_deletion.unwrap_or(false) {
        return Err(CloudError::new(
            "ResourceInUseException",
            format!(
                "Stream {name} under account {ACCOUNT_ID} has {} registered consumer(s); deregister them or set EnforceConsumerDeletion.",
                s.consumers.len()
            ),
        ));
    }
    meter::accrue(cloud, &name);
    let now = cloud.core.now;
    let s = stream_mut(cloud, &name)?;
    s.status = StreamStatus::Deleting;
    s.busy_until = Some(now + DELETE_DURATION);
    s.consumers.clear();
    let (rname, n) = (s.name.clone(), s.records_stored());
    cloud.core.trace(
        "kinesis",
        &rname,
        "delete-stream",
        format!("{n} records deleted with it"),
    );
    Ok(())
}

/// A shard as DescribeStream and ListShards return it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ShardDescription {
    /// `shardId-000000000000`.
    pub shard_id: String,
    /// The shard it was split from or merged into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_shard_id: Option<String>,
    /// The other parent of a merge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjacent_parent_shard_id: Option<String>,
    /// Its hash keys.
    pub hash_key_range: HashKeyRange,
    /// Its sequence numbers (an end only once closed).
    pub sequence_number_range: SequenceNumberRange,
}

/// `{"StartingHashKey": ..., "EndingHashKey": ...}` as decimal strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HashKeyRange {
    /// First hash key (decimal).
    pub starting_hash_key: String,
    /// Last hash key (decimal).
    pub ending_hash_key: String,
}

/// A shard's sequence numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SequenceNumberRange {
    /// Where it starts.
    pub starting_sequence_number: String,
    /// Where a closed shard ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ending_sequence_number: Option<String>,
}

pub(crate) fn describe_shard(s: &StreamState, sh: &Shard) -> ShardDescription {
    let seq = |at: SimTime, pos: u64| s.sequence_number(sh.index, pos, at);
    ShardDescription {
        shard_id: sh.id(),
        parent_shard_id: sh.parent.map(crate::kinesis::keys::shard_id),
        adjacent_parent_shard_id: sh.adjacent_parent.map(crate::kinesis::keys::shard_id),
        hash_key_range: HashKeyRange {
            starting_hash_key: sh.range.start.to_string(),
            ending_hash_key: sh.range.end.to_string(),
        },
        sequence_number_range: SequenceNumberRange {
            starting_sequence_number: seq(sh.created, 0),
            ending_sequence_number: sh.closed.map(|t| {
                let last = sh.records.back().map_or(t, |r| r.arrival);
                seq(last, sh.tip().saturating_sub(1))
            }),
        },
    }
}

/// Shards ListShards returns by default: open ones, and closed ones whose
/// records may still be in the retention window.
fn listed(s: &StreamState, now: SimTime) -> impl Iterator<Item = &Shard> {
    let retention = s.retention();
    s.shards
        .iter()
        .filter(move |sh| sh.closed.is_none_or(|t| t + retention > now))
}

/// DescribeStream request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStreamInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// Shards per page (1-10,000; default 100).
    pub limit: Option<usize>,
    /// List shards after this one.
    pub exclusive_start_shard_id: Option<String>,
}

/// DescribeStream: status, mode, retention and (a page of) shards.
pub fn describe_stream(cloud: &mut Cloud, input: DescribeStreamInput) -> CloudResult<Value> {
    let name = input.stream.resolve()?;
    let limit = input.limit.unwrap_or(100);
    if !(1..=MAX_LIST_RESULTS).contains(&limit) {
        return Err(validation(
            "limit",
            limit,
            &format!("Member must have value between 1 and {MAX_LIST_RESULTS}"),
        ));
    }
    let after = match &input.exclusive_start_shard_id {
        Some(id) => Some(shard_number(id)?),
        None => None,
    };
    let now = cloud.core.now;
    let s = stream_mut(cloud, &name)?;
    let all: Vec<&Shard> = listed(s, now)
        .filter(|sh| after.is_none_or(|a| sh.index > a))
        .collect();
    let shards: Vec<ShardDescription> = all
        .iter()
        .take(limit)
        .map(|sh| describe_shard(s, sh))
        .collect();
    let mut d = summary(s);
    d.remove("OpenShardCount");
    d.remove("ConsumerCount");
    d.insert(
        "Shards".into(),
        serde_json::to_value(shards).expect("plain data"),
    );
    d.insert("HasMoreShards".into(), Value::Bool(all.len() > limit));
    Ok(serde_json::json!({ "StreamDescription": d }))
}

pub(crate) fn shard_number(id: &str) -> CloudResult<u32> {
    crate::kinesis::keys::parse_shard_id(id).ok_or_else(|| {
        validation(
            "shardId",
            id,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ (like shardId-000000000000)",
        )
    })
}

fn summary(s: &StreamState) -> serde_json::Map<String, Value> {
    let v = serde_json::json!({
        "StreamName": &*s.name,
        "StreamARN": s.arn,
        "StreamStatus": s.status.as_str(),
        "StreamModeDetails": {"StreamMode": s.mode.as_str()},
        "RetentionPeriodHours": s.retention_hours,
        "StreamCreationTimestamp": s.created.unix_secs_f64(),
        "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
        "EncryptionType": s.encryption.as_deref().unwrap_or("NONE"),
        "OpenShardCount": s.open_count(),
        "ConsumerCount": s.consumers.len(),
        "MaxRecordSizeInKiB": s.max_record_bytes / 1024,
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!("built as an object"),
    }
}

/// DescribeStreamSummary: the stream without its shards.
pub fn describe_stream_summary(cloud: &mut Cloud, input: StreamRef) -> CloudResult<Value> {
    let name = input.resolve()?;
    let s = stream_mut(cloud, &name)?;
    Ok(serde_json::json!({ "StreamDescriptionSummary": summary(s) }))
}

/// ListStreams request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStreamsInput {
    /// Streams per page (1-10,000; default 100).
    pub limit: Option<usize>,
    /// Start after this name.
    pub exclusive_start_stream_name: Option<String>,
    /// From a previous page.
    pub next_token: Option<String>,
}

/// ListStreams: names and summaries, in name order.
pub fn list_streams(cloud: &mut Cloud, input: ListStreamsInput) -> CloudResult<Value> {
    let limit = input.limit.unwrap_or(100);
    if !(1..=MAX_LIST_RESULTS).contains(&limit) {
        return Err(validation(
            "limit",
            limit,
            &format!("Member must have value between 1 and {MAX_LIST_RESULTS}"),
        ));
    }
    let after = match (&input.next_token, &input.exclusive_start_stream_name) {
        (Some(t), _) => Some(decode_token(t)?),
        (None, Some(n)) => Some(n.clone()),
        (None, None) => None,
    };
    let names: Vec<String> = cloud.kinesis.streams.keys().cloned().collect();
    for n in &names {
        let _ = stream_mut(cloud, n); // settles, and drops finished deletions
    }
    let all: Vec<&StreamState> = cloud
        .kinesis
        .streams
        .values()
        .filter(|s| after.as_deref().is_none_or(|a| &*s.name > a))
        .collect();
    let page = &all[..all.len().min(limit)];
    let more = all.len() > limit;
    let mut out = serde_json::json!({
        "StreamNames": page.iter().map(|s| &*s.name).collect::<Vec<_>>(),
        "HasMoreStreams": more,
        "StreamSummaries": page.iter().map(|s| serde_json::json!({
            "StreamName": &*s.name,
            "StreamARN": s.arn,
            "StreamStatus": s.status.as_str(),
            "StreamModeDetails": {"StreamMode": s.mode.as_str()},
            "StreamCreationTimestamp": s.created.unix_secs_f64(),
        })).collect::<Vec<_>>(),
    });
    if more {
        out["NextToken"] = Value::String(encode_token(&page[page.len() - 1].name));
    }
    Ok(out)
}

fn encode_token(after: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("after:{after}"))
}

fn decode_token(token: &str) -> CloudResult<String> {
    base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("after:").map(str::to_string))
        .ok_or_else(|| {
            invalid(format!(
                "NextToken {token} is not a token this API returned."
            ))
        })
}

/// ListShards request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListShardsInput {
    /// Which stream (not with NextToken).
    #[serde(flatten)]
    pub stream: StreamRef,
    /// From a previous page.
    pub next_token: Option<String>,
    /// Shards per page (1-10,000; default 1,000).
    pub max_results: Option<usize>,
    /// List shards after this one.
    pub exclusive_start_shard_id: Option<String>,
    /// Which shards: `AT_LATEST`, `AT_TRIM_HORIZON`, `FROM_TRIM_HORIZON`,
    /// `AFTER_SHARD_ID`, `AT_TIMESTAMP`, `FROM_TIMESTAMP`.
    pub shard_filter: Option<ShardFilter>,
}

/// ListShards' ShardFilter.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ShardFilter {
    /// The filter type.
    #[serde(rename = "Type")]
    pub kind: String,
    /// For AFTER_SHARD_ID.
    pub shard_id: Option<String>,
    /// For AT_TIMESTAMP / FROM_TIMESTAMP, epoch seconds.
    pub timestamp: Option<f64>,
}

/// ListShards: the stream's shards, parents included, in shard id order.
pub fn list_shards(cloud: &mut Cloud, input: ListShardsInput) -> CloudResult<Value> {
    let (name, after) = match &input.next_token {
        Some(t) => {
            if input.stream.stream_name.is_some() || input.stream.stream_arn.is_some() {
                return Err(invalid(
                    "NextToken and StreamName cannot be provided together.",
                ));
            }
            let inner = decode_token(t)?;
            let (name, after) = inner
                .rsplit_once('#')
                .ok_or_else(|| invalid("NextToken is not a ListShards token."))?;
            let after: u32 = after
                .parse()
                .map_err(|_| invalid("NextToken is not a ListShards token."))?;
            (name.to_string(), Some(after))
        }
        None => {
            let after = match &input.exclusive_start_shard_id {
                Some(id) => Some(shard_number(id)?),
                None => None,
            };
            (input.stream.resolve()?, after)
        }
    };
    let max = input.max_results.unwrap_or(1000);
    if !(1..=MAX_LIST_RESULTS).contains(&max) {
        return Err(validation(
            "maxResults",
            max,
            &format!("Member must have value between 1 and {MAX_LIST_RESULTS}"),
        ));
    }
    let now = cloud.core.now;
    let s = stream_mut(cloud, &name)?;
    let filter = input.shard_filter.as_ref();
    let ts = filter
        .and_then(|f| f.timestamp)
        .map(|t| SimTime::from_unix_nanos((t.max(0.0) * 1e9) as u64));
    let after_filter = match filter {
        Some(f) if f.kind == "AFTER_SHARD_ID" => {
            Some(shard_number(f.shard_id.as_deref().ok_or_else(|| {
                invalid("ShardFilter AFTER_SHARD_ID needs a ShardId.")
            })?)?)
        }
        _ => None,
    };
    let keep = |sh: &Shard| -> CloudResult<bool> {
        Ok(match filter.map(|f| f.kind.as_str()) {
            None | Some("FROM_TRIM_HORIZON") | Some("AT_TRIM_HORIZON") => true,
            Some("AT_LATEST") => sh.closed.is_none(),
            Some("AFTER_SHARD_ID") => after_filter.is_some_and(|a| sh.index > a),
            Some("AT_TIMESTAMP") | Some("FROM_TIMESTAMP") => {
                let t = ts.ok_or_else(|| invalid("This ShardFilter needs a Timestamp."))?;
                let open_at = sh.created <= t && sh.closed.is_none_or(|c| c > t);
                if filter.is_some_and(|f| f.kind == "AT_TIMESTAMP") {
                    open_at
                } else {
                    open_at || sh.created > t
                }
            }
            Some(other) => {
                return Err(validation(
                    "shardFilter.type",
                    other,
                    "Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]",
                ));
            }
        })
    };
    let mut all = Vec::new();
    for sh in listed(s, now).filter(|sh| after.is_none_or(|a| sh.index > a)) {
        if keep(sh)? {
            all.push(sh);
        }
    }
    let page: Vec<ShardDescription> = all
        .iter()
        .take(max)
        .map(|sh| describe_shard(s, sh))
        .collect();
    let mut out = serde_json::json!({ "Shards": page });
    if all.len() > max {
        let last = all[max - 1].index;
        out["NextToken"] = Value::String(encode_token(&format!("{name}#{last}")));
    }
    Ok(out)
}

/// Increase/DecreaseStreamRetentionPeriod request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetentionInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The new retention, hours (24-8,760).
    pub retention_period_hours: u32,
}

fn check_retention(hours: u32) -> CloudResult<()> {
    if hours < MIN_RETENTION_HOURS {
        return Err(invalid(format!(
            "Minimum allowed retention period is {MIN_RETENTION_HOURS} hours. Requested retention period ({hours} hours) is too short."
        )));
    }
    if hours > MAX_RETENTION_HOURS {
        return Err(invalid(format!(
            "Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested retention period ({hours} hours) is too long."
        )));
    }
    Ok(())
}

fn set_retention(cloud: &mut Cloud, input: RetentionInput, increase: bool) -> CloudResult<()> {
    let name = input.stream.resolve()?;
    let hours = input.retention_period_hours;
    check_retention(hours)?;
    let current = active(cloud, &name)?.retention_hours;
    if increase && hours < current {
        return Err(invalid(format!(
            "Requested retention period ({hours} hours) for stream {name} can not be shorter than existing retention period ({current} hours). Use DecreaseRetentionPeriod API."
        )));
    }
    if !increase && hours > current {
        return Err(invalid(format!(
            "Requested retention period ({hours} hours) for stream {name} can not be longer than existing retention period ({current} hours). Use IncreaseRetentionPeriod API."
        )));
    }
    meter::accrue(cloud, &name);
    let now = cloud.core.now;
    let s = active(cloud, &name)?;
    s.retention_hours = hours;
    s.settle(now); // a shorter window drops older records at once
    let rname = s.name.clone();
    cloud.core.trace(
        "kinesis",
        &rname,
        "retention",
        format!("{current} h -> {hours} h"),
    );
    Ok(())
}

/// IncreaseStreamRetentionPeriod: keep records longer (up to 8,760 hours).
pub fn increase_stream_retention_period(
    cloud: &mut Cloud,
    input: RetentionInput,
) -> CloudResult<()> {
    set_retention(cloud, input, true)
}

/// DecreaseStreamRetentionPeriod: records older than the new period are gone at once.
pub fn decrease_stream_retention_period(
    cloud: &mut Cloud,
    input: RetentionInput,
) -> CloudResult<()> {
    set_retention(cloud, input, false)
}

/// UpdateStreamMode request.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateStreamModeInput {
    /// The stream's ARN.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// The new mode.
    pub stream_mode_details: StreamModeDetails,
}

/// UpdateStreamMode: switch between provisioned and on-demand (shards stay).
pub fn update_stream_mode(cloud: &mut Cloud, input: UpdateStreamModeInput) -> CloudResult<()> {
    let name = super::name_from_arn(&input.stream_arn)?;
    let mode = parse_mode(&Some(input.stream_mode_details))?;
    active(cloud, &name)?;
    meter::accrue(cloud, &name);
    let now = cloud.core.now;
    let s = active(cloud, &name)?;
    if s.mode == mode {
        return Err(invalid(format!(
            "Stream {name} is already in {} mode.",
            mode.as_str()
        )));
    }
    s.mode = mode;
    s.status = StreamStatus::Updating;
    s.busy_until = Some(now + RESHARD_DURATION);
    let rname = s.name.clone();
    cloud
        .core
        .trace("kinesis", &rname, "mode", mode.as_str().to_string());
    Ok(())
}

/// UpdateMaxRecordSize request.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateMaxRecordSizeInput {
    /// The stream's ARN.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// Largest record, KiB (1,024-10,240).
    #[serde(rename = "MaxRecordSizeInKiB")]
    pub max_record_size_in_kib: u64,
}

/// UpdateMaxRecordSize: opt in to records of up to 10 MiB.
pub fn update_max_record_size(
    cloud: &mut Cloud,
    input: UpdateMaxRecordSizeInput,
) -> CloudResult<()> {
    let name = super::name_from_arn(&input.stream_arn)?;
    let bytes = record_size(Some(input.max_record_size_in_kib))?;
    active(cloud, &name)?.max_record_bytes = bytes;
    Ok(())
}

/// AddTagsToStream request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddTagsInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// Tags to add or overwrite.
    pub tags: BTreeMap<String, String>,
}

/// AddTagsToStream.
pub fn add_tags_to_stream(cloud: &mut Cloud, input: AddTagsInput) -> CloudResult<()> {
    let name = input.stream.resolve()?;
    let s = stream_mut(cloud, &name)?;
    s.tags.extend(input.tags);
    if s.tags.len() > 50 {
        return Err(invalid("A stream can have at most 50 tags."));
    }
    Ok(())
}

/// RemoveTagsFromStream request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemoveTagsInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// Keys to remove.
    pub tag_keys: Vec<String>,
}

/// RemoveTagsFromStream.
pub fn remove_tags_from_stream(cloud: &mut Cloud, input: RemoveTagsInput) -> CloudResult<()> {
    let name = input.stream.resolve()?;
    let s = stream_mut(cloud, &name)?;
    for k in &input.tag_keys {
        s.tags.remove(k);
    }
    Ok(())
}

/// ListTagsForStream: every tag, in key order.
pub fn list_tags_for_stream(cloud: &mut Cloud, input: StreamRef) -> CloudResult<Value> {
    let name = input.resolve()?;
    let s = stream_mut(cloud, &name)?;
    let tags: Vec<Value> = s
        .tags
        .iter()
        .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
        .collect();
    Ok(serde_json::json!({ "Tags": tags, "HasMoreTags": false }))
}

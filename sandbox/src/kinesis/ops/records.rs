//! Record-level actions: PutRecord, PutRecords, GetShardIterator and
//! GetRecords, with the per-shard write limit (1 MiB or 1,000 records per
//! second) and the shared read limit (2 MiB and 5 calls per second) enforced
//! in virtual time.

use serde::{Deserialize, Serialize};

use super::{StreamRef, invalid, not_found, usable, validation};
use crate::cloud::{ACCOUNT_ID, Cloud};
use crate::error::{CloudError, CloudResult};
use crate::kinesis::Blob;
use crate::kinesis::keys::{
    IteratorToken, hash_key, parse_hash_key, parse_sequence_number, shard_id,
};
use crate::kinesis::model::{StoredRecord, StreamMode, StreamState};
use crate::kinesis::quotas::*;
use crate::time::SimTime;

/// A record as GetRecords returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Record {
    /// Its sequence number (56 digits, increasing within the shard).
    pub sequence_number: String,
    /// When Kinesis accepted it.
    #[serde(serialize_with = "epoch_secs")]
    pub approximate_arrival_timestamp: SimTime,
    /// The bytes (base64 in JSON).
    pub data: Blob,
    /// The partition key it was put with.
    pub partition_key: String,
    /// The shard it is in (not an API member; for the typed face).
    #[serde(skip)]
    pub shard_id: String,
}

impl Record {
    /// The data as text.
    pub fn text(&self) -> String {
        self.data.text()
    }

    /// The data parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value, serde_json::Error> {
        self.data.json()
    }
}

pub(crate) fn epoch_secs<S: serde::Serializer>(t: &SimTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(t.unix_secs_f64())
}

/// PutRecord request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The bytes (base64 in JSON).
    pub data: Blob,
    /// Decides the shard: MD5 of it is the hash key.
    pub partition_key: String,
    /// A decimal hash key that overrides the partition key's.
    pub explicit_hash_key: Option<String>,
    /// Accepted; records of one shard are always in arrival order here.
    pub sequence_number_for_ordering: Option<String>,
}

/// What PutRecord returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordOutput {
    /// The shard the record went to.
    pub shard_id: String,
    /// Its sequence number.
    pub sequence_number: String,
}

/// Why a write was refused: throttled, or a bad entry.
enum Refusal {
    Throttled(CloudError),
    Invalid(CloudError),
}

fn throttled(stream: &str, shard: u32, why: &str) -> CloudError {
    CloudError::new(
        "ProvisionedThroughputExceededException",
        format!(
            "Rate exceeded for shard {} in stream {stream} under account {ACCOUNT_ID} ({why}).",
            shard_id(shard)
        ),
    )
}

/// Checks one entry; returns its hash key and size.
fn check_entry(
    s: &StreamState,
    member: &str,
    data: &Blob,
    partition_key: &str,
    explicit: Option<&str>,
) -> Result<(u128, u64), CloudError> {
    let pk_len = partition_key.chars().count();
    if pk_len == 0 || pk_len > MAX_PARTITION_KEY_LEN {
        return Err(validation(
            &format!("{member}partitionKey"),
            partition_key,
            &format!("Member must have length between 1 and {MAX_PARTITION_KEY_LEN}"),
        ));
    }
    let size = (data.len() + partition_key.len()) as u64;
    if size > s.max_record_bytes {
        return Err(validation(
            &format!("{member}data"),
            format!("{} bytes of data and partition key", size),
            &format!(
                "Member must have length less than or equal to {} (the stream's MaxRecordSize)",
                s.max_record_bytes
            ),
        ));
    }
    let key = match explicit {
        Some(text) => parse_hash_key(text).ok_or_else(|| {
            invalid(format!(
                "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {text}"
            ))
        })?,
        None => hash_key(partition_key),
    };
    Ok((key, size))
}

/// Admits one record to its shard's write budget, or says why not.
fn admit(s: &mut StreamState, shard: u32, now: SimTime, size: u64) -> Result<(), String> {
    match s.mode {
        StreamMode::Provisioned => {
            let w = &mut s.shards[shard as usize].writes;
            w.prune(now);
            if !w.fits(
                1,
                size,
                SHARD_WRITE_RECORDS_PER_SEC,
                SHARD_WRITE_BYTES_PER_SEC,
            ) {
                let (r, b) = w.used();
                return Err(format!(
                    "a shard takes 1,000 records or 1 MiB per second; it took {r} records and {b} bytes in the last second"
                ));
            }
            w.take(now, 1, size);
        }
        StreamMode::OnDemand => {
            let (max_r, max_b) = s.on_demand.limits();
            s.on_demand.window.prune(now);
            if !s.on_demand.window.fits(1, size, max_r, max_b) {
                return Err(format!(
                    "this on-demand stream takes {max_r} records or {max_b} bytes per second now (double its previous peak)"
                ));
            }
            s.on_demand.record(now, 1, size);
        }
    }
    Ok(())
}

/// Writes one checked record; returns (shard, position, sequence number).
fn write(
    cloud: &mut Cloud,
    name: &str,
    data: Blob,
    partition_key: &str,
    key: u128,
    size: u64,
) -> Result<(u32, String), Refusal> {
    let now = cloud.core.now;
    let s = usable(cloud, name).map_err(Refusal::Invalid)?;
    let shard = s.route(key);
    if let Err(why) = admit(s, shard, now, size) {
        s.shards[shard as usize].note_throttle(now, true);
        let rname = s.name.clone();
        cloud.core.trace(
            "kinesis",
            &rname,
            "throttle",
            format!("write to {} refused: {why}", shard_id(shard)),
        );
        return Err(Refusal::Throttled(throttled(name, shard, &why)));
    }
    let pos = s.shards[shard as usize].append(StoredRecord {
        partition_key: partition_key.into(),
        data: data.0,
        arrival: now,
    });
    let seq = s.sequence_number(shard, pos, now);
    let mode = s.mode;
    let rname = s.name.clone();
    match mode {
        StreamMode::Provisioned => cloud.core.bill(
            "kinesis.put_payload_units",
            size.div_ceil(PUT_PAYLOAD_UNIT_BYTES).max(1) as f64,
        ),
        StreamMode::OnDemand => cloud.core.bill(
            "kinesis.on_demand.gb_in",
            size.div_ceil(ON_DEMAND_BILLING_ROUND) as f64 * ON_DEMAND_BILLING_ROUND as f64
                / 1_073_741_824.0,
        ),
    }
    cloud.core.trace(
        "kinesis",
        &rname,
        "put",
        format!("{} pk={partition_key} {size} B", shard_id(shard)),
    );
    Ok((shard, seq))
}

/// PutRecord: one record to the shard its partition key (or explicit hash
/// key) maps to. Refused as a whole when that shard is over its write limit.
pub fn put_record(cloud: &mut Cloud, input: PutRecordInput) -> CloudResult<PutRecordOutput> {
    let name = input.stream.resolve()?;
    let s = usable(cloud, &name)?;
    let (key, size) = check_entry(
        s,
        "",
        &input.data,
        &input.partition_key,
        input.explicit_hash_key.as_deref(),
    )?;
    match write(cloud, &name, input.data, &input.partition_key, key, size) {
        Ok((shard, seq)) => {
            crate::kinesis::records_arrived(cloud, &name, &[shard]);
            Ok(PutRecordOutput {
                shard_id: shard_id(shard),
                sequence_number: seq,
            })
        }
        Err(Refusal::Throttled(e)) | Err(Refusal::Invalid(e)) => Err(e),
    }
}

/// One entry of a PutRecords request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordsRequestEntry {
    /// The bytes (base64 in JSON).
    pub data: Blob,
    /// Decides the shard.
    pub partition_key: String,
    /// Overrides the partition key's hash.
    pub explicit_hash_key: Option<String>,
}

/// PutRecords request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordsInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// 1-500 records, at most 10 MiB together.
    pub records: Vec<PutRecordsRequestEntry>,
}

/// One entry's result: a sequence number, or why it failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordsResultEntry {
    /// Set on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
    /// Set on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard_id: Option<String>,
    /// Set on failure: `ProvisionedThroughputExceededException` or `InternalFailure`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Set on failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

impl PutRecordsResultEntry {
    /// True when this record was accepted.
    pub fn is_ok(&self) -> bool {
        self.error_code.is_none()
    }
}

/// What PutRecords returns: one result per entry, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordsOutput {
    /// Entries that failed.
    pub failed_record_count: u32,
    /// Results in request order.
    pub records: Vec<PutRecordsResultEntry>,
}

/// PutRecords: up to 500 records in one request. Each succeeds or fails on
/// its own: a record whose shard is over its limit fails with
/// `ProvisionedThroughputExceededException` while the rest go in.
pub fn put_records(cloud: &mut Cloud, input: PutRecordsInput) -> CloudResult<PutRecordsOutput> {
    let name = input.stream.resolve()?;
    let n = input.records.len();
    if !(1..=MAX_PUT_RECORDS).contains(&n) {
        return Err(validation(
            "records",
            format!("{n} records"),
            &format!("Member must have length between 1 and {MAX_PUT_RECORDS}"),
        ));
    }
    let total: u64 = input
        .records
        .iter()
        .map(|r| (r.data.len() + r.partition_key.len()) as u64)
        .sum();
    if total > MAX_PUT_RECORDS_BYTES {
        return Err(invalid(format!(
            "Records size exceeds {MAX_PUT_RECORDS_BYTES} bytes (10 MiB) limit: the request carries {total} bytes of data and partition keys."
        )));
    }
    let s = usable(cloud, &name)?;
    let mut checked = Vec::with_capacity(n);
    for (i, r) in input.records.iter().enumerate() {
        let member = format!("records.{}.member.", i + 1);
        checked.push(check_entry(
            s,
            &member,
            &r.data,
            &r.partition_key,
            r.explicit_hash_key.as_deref(),
        )?);
    }
    let mut results = Vec::with_capacity(n);
    let mut failed = 0;
    let mut touched: Vec<u32> = Vec::new();
    for (r, (key, size)) in input.records.into_iter().zip(checked) {
        match write(cloud, &name, r.data, &r.partition_key, key, size) {
            Ok((shard, seq)) => {
                if !touched.contains(&shard) {
                    touched.push(shard);
                }
                results.push(PutRecordsResultEntry {
                    sequence_number: Some(seq),
                    shard_id: Some(shard_id(shard)),
                    error_code: None,
                    error_message: None,
                });
            }
            Err(Refusal::Throttled(e)) | Err(Refusal::Invalid(e)) => {
                failed += 1;
                results.push(PutRecordsResultEntry {
                    sequence_number: None,
                    shard_id: None,
                    error_code: Some(e.code),
                    error_message: Some(e.message),
                });
            }
        }
    }
    crate::kinesis::records_arrived(cloud, &name, &touched);
    Ok(PutRecordsOutput {
        failed_record_count: failed,
        records: results,
    })
}

/// GetShardIterator request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetShardIteratorInput {
    /// Which stream.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// `shardId-...`.
    pub shard_id: String,
    /// `TRIM_HORIZON`, `LATEST`, `AT_SEQUENCE_NUMBER`, `AFTER_SEQUENCE_NUMBER` or `AT_TIMESTAMP`.
    pub shard_iterator_type: String,
    /// For AT/AFTER_SEQUENCE_NUMBER.
    pub starting_sequence_number: Option<String>,
    /// For AT_TIMESTAMP, epoch seconds.
    pub timestamp: Option<f64>,
}

/// What GetShardIterator returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetShardIteratorOutput {
    /// Valid for 5 minutes.
    pub shard_iterator: String,
}

pub(crate) fn no_shard(stream: &str, shard: &str) -> CloudError {
    CloudError::new(
        "ResourceNotFoundException",
        format!("Shard {shard} in stream {stream} under account {ACCOUNT_ID} does not exist"),
    )
}

/// Where an iterator of this type starts, as a position in the shard.
pub(crate) fn start_position(
    s: &StreamState,
    shard: u32,
    kind: &str,
    sequence_number: Option<&str>,
    timestamp: Option<SimTime>,
) -> CloudResult<u64> {
    let sh = s
        .shard(shard)
        .ok_or_else(|| no_shard(&s.name, &shard_id(shard)))?;
    let seq_position = || -> CloudResult<u64> {
        let text = sequence_number.ok_or_else(|| {
            invalid(format!(
                "Must specify StartingSequenceNumber for ShardIteratorType {kind}."
            ))
        })?;
        let created = format!("{:012}", s.created.unix_secs());
        let (at, pos) = parse_sequence_number(text)
            .filter(|_| text.get(2..14) == Some(created.as_str()))
            .ok_or_else(|| {
                invalid(format!(
                    "StartingSequenceNumber {text} used in GetShardIterator on shard {} in stream {} under account {ACCOUNT_ID} is invalid.",
                    shard_id(shard),
                    s.name
                ))
            })?;
        if at != shard {
            return Err(invalid(format!(
                "Invalid StartingSequenceNumber. It encodes {}, while it was used in a call to a shard with {}",
                shard_id(at),
                shard_id(shard)
            )));
        }
        if pos >= sh.tip() {
            return Err(invalid(format!(
                "StartingSequenceNumber {text} used in GetShardIterator on shard {} in stream {} under account {ACCOUNT_ID} is beyond the shard's last record.",
                shard_id(shard),
                s.name
            )));
        }
        Ok(pos)
    };
    match kind {
        "TRIM_HORIZON" => Ok(sh.base),
        "LATEST" => Ok(sh.tip()),
        "AT_SEQUENCE_NUMBER" => seq_position(),
        "AFTER_SEQUENCE_NUMBER" => Ok(seq_position()? + 1),
        "AT_TIMESTAMP" => {
            let t = timestamp.ok_or_else(|| {
                invalid(
                    "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP.",
                )
            })?;
            Ok(sh.position_at(t))
        }
        other => Err(validation(
            "shardIteratorType",
            other,
            "Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]",
        )),
    }
}

/// Issues an iterator at `position` for a new reader.
pub(crate) fn issue(
    cloud: &mut Cloud,
    name: &str,
    shard: u32,
    position: u64,
    label: Option<String>,
) -> CloudResult<String> {
    let now = cloud.core.now;
    let s = usable(cloud, name)?;
    let reader = s.new_reader(shard, position, now, label);
    Ok(IteratorToken {
        stream: name.to_string(),
        stream_created: s.created,
        shard,
        position,
        issued: now,
        reader,
    }
    .encode())
}

/// GetShardIterator: where to start reading a shard; valid for 5 minutes.
pub fn get_shard_iterator(
    cloud: &mut Cloud,
    input: GetShardIteratorInput,
) -> CloudResult<GetShardIteratorOutput> {
    let name = input.stream.resolve()?;
    let shard = super::streams::shard_number(&input.shard_id)?;
    let ts = input
        .timestamp
        .map(|t| SimTime::from_unix_nanos((t.max(0.0) * 1e9) as u64));
    let s = usable(cloud, &name)?;
    let position = start_position(
        s,
        shard,
        &input.shard_iterator_type,
        input.starting_sequence_number.as_deref(),
        ts,
    )?;
    let it = issue(cloud, &name, shard, position, None)?;
    Ok(GetShardIteratorOutput { shard_iterator: it })
}

/// GetRecords request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRecordsInput {
    /// From GetShardIterator or a previous NextShardIterator.
    pub shard_iterator: String,
    /// Most records to return (1-10,000; default 10,000).
    pub limit: Option<u32>,
    /// The stream's ARN (optional).
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
}

/// A child shard, as GetRecords lists them once a closed shard is read to its end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChildShard {
    /// The child.
    pub shard_id: String,
    /// Its parents.
    pub parent_shards: Vec<String>,
    /// Its hash keys.
    pub hash_key_range: super::streams::HashKeyRange,
}

/// What GetRecords returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRecordsOutput {
    /// The records, oldest first (may be empty even when more follow).
    pub records: Vec<Record>,
    /// Where to read next; `None` once a closed shard is read to its end.
    pub next_shard_iterator: Option<String>,
    /// How far behind the tip of the shard the reader is, ms (0 = caught up).
    pub millis_behind_latest: u64,
    /// The children of a closed shard read to its end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_shards: Option<Vec<ChildShard>>,
}

/// The result of reading a shard from a position.
#[derive(Clone, Debug)]
pub(crate) struct ReadOut {
    pub records: Vec<Record>,
    pub next: u64,
    pub bytes: u64,
    pub millis_behind: u64,
    /// The shard is closed and `next` is past its last record.
    pub finished: bool,
}

/// Which budget a read uses: the shard's shared GetRecords limits, or an
/// enhanced fan-out consumer's own pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Budget {
    Shared,
    Dedicated,
}

/// Reads up to `limit` records / `max_bytes` from `position` of a shard.
/// Shared reads are throttled by the shard's 5 calls and 2 MiB per second.
pub(crate) fn read(
    cloud: &mut Cloud,
    name: &str,
    shard: u32,
    position: u64,
    limit: u32,
    max_bytes: u64,
    budget: Budget,
) -> CloudResult<ReadOut> {
    let now = cloud.core.now;
    let s = usable(cloud, name)?;
    let mode = s.mode;
    let created = s.created;
    let sh = s
        .shards
        .get_mut(shard as usize)
        .ok_or_else(|| no_shard(name, &shard_id(shard)))?;
    if budget == Budget::Shared
        && let Some(why) = sh.reads.refuse(now)
    {
        sh.note_throttle(now, false);
        let rname = s.name.clone();
        cloud.core.trace(
            "kinesis",
            &rname,
            "throttle",
            format!("GetRecords on {} refused: {why}", shard_id(shard)),
        );
        return Err(throttled(name, shard, why));
    }
    let sid = sh.id();
    let mut pos = position.max(sh.base);
    let mut records = Vec::new();
    let mut bytes = 0u64;
    while (records.len() as u32) < limit {
        let Some(r) = sh.get(pos) else { break };
        if !records.is_empty() && bytes + r.size() > max_bytes {
            break;
        }
        bytes += r.size();
        records.push(Record {
            sequence_number: crate::kinesis::keys::sequence_number(created, r.arrival, shard, pos),
            approximate_arrival_timestamp: r.arrival,
            data: Blob(r.data.clone()),
            partition_key: r.partition_key.to_string(),
            shard_id: sid.clone(),
        });
        pos += 1;
    }
    if budget == Budget::Shared {
        sh.reads.take(now, bytes);
    }
    sh.stats.reads += 1;
    sh.stats.records_out += records.len() as u64;
    let millis_behind = sh
        .get(pos)
        .map_or(0, |r| now.since(r.arrival).as_millis() as u64);
    let finished = sh.closed.is_some() && pos >= sh.tip();
    match (budget, mode) {
        (Budget::Shared, StreamMode::OnDemand) if bytes > 0 => cloud
            .core
            .bill("kinesis.on_demand.gb_out", bytes as f64 / 1_073_741_824.0),
        (Budget::Dedicated, _) if bytes > 0 => cloud
            .core
            .bill("kinesis.efo.gb_retrieved", bytes as f64 / 1_073_741_824.0),
        _ => {}
    }
    Ok(ReadOut {
        records,
        next: pos,
        bytes,
        millis_behind,
        finished,
    })
}

/// The children of shard `shard`.
pub(crate) fn children(s: &StreamState, shard: u32) -> Vec<ChildShard> {
    s.shards
        .iter()
        .filter(|c| c.parent == Some(shard) || c.adjacent_parent == Some(shard))
        .map(|c| ChildShard {
            shard_id: c.id(),
            parent_shards: c
                .parent
                .into_iter()
                .chain(c.adjacent_parent)
                .map(shard_id)
                .collect(),
            hash_key_range: super::streams::HashKeyRange {
                starting_hash_key: c.range.start.to_string(),
                ending_hash_key: c.range.end.to_string(),
            },
        })
        .collect()
}

/// GetRecords: the records after the iterator's position, a NextShardIterator
/// and how far behind the tip the reader is. Every reader of a shard shares
/// its 5 calls and 2 MiB per second; past that, ProvisionedThroughputExceeded.
pub fn get_records(cloud: &mut Cloud, input: GetRecordsInput) -> CloudResult<GetRecordsOutput> {
    let token = IteratorToken::decode(&input.shard_iterator)
        .ok_or_else(|| invalid("Invalid ShardIterator."))?;
    if let Some(arn) = &input.stream_arn
        && super::name_from_arn(arn)? != token.stream
    {
        return Err(invalid(
            "The ShardIterator belongs to another stream than StreamARN.",
        ));
    }
    let limit = input.limit.unwrap_or(MAX_GET_RECORDS);
    if !(1..=MAX_GET_RECORDS).contains(&limit) {
        return Err(validation(
            "limit",
            limit,
            &format!("Member must have value between 1 and {MAX_GET_RECORDS}"),
        ));
    }
    let now = cloud.core.now;
    let s = usable(cloud, &token.stream)?;
    if s.created != token.stream_created {
        return Err(not_found(&token.stream));
    }
    if now > token.issued + ITERATOR_LIFETIME {
        return Err(CloudError::new(
            "ExpiredIteratorException",
            format!(
                "Iterator expired. The iterator was created at time {} while right now it is {} which is further in the future than the tolerated delay of {} milliseconds.",
                token.issued.to_rfc3339_millis(),
                now.to_rfc3339_millis(),
                ITERATOR_LIFETIME.as_millis()
            ),
        ));
    }
    let out = read(
        cloud,
        &token.stream,
        token.shard,
        token.position,
        limit,
        MAX_GET_RECORDS_BYTES,
        Budget::Shared,
    )?;
    let s = usable(cloud, &token.stream)?;
    if let Some(r) = s.readers.get_mut(&token.reader) {
        r.position = out.next;
        r.last_used = now;
    }
    let (next, child_shards) = if out.finished {
        (None, Some(children(s, token.shard)))
    } else {
        let next = IteratorToken {
            position: out.next,
            issued: now,
            ..token.clone()
        };
        (Some(next.encode()), None)
    };
    let rname = s.name.clone();
    cloud.core.trace(
        "kinesis",
        &rname,
        "get-records",
        format!(
            "{} {} record(s), {} ms behind",
            shard_id(token.shard),
            out.records.len(),
            out.millis_behind
        ),
    );
    Ok(GetRecordsOutput {
        records: out.records,
        next_shard_iterator: next,
        millis_behind_latest: out.millis_behind,
        child_shards,
    })
}

//! Kinesis → Lambda event source mappings: Lambda's pollers read each shard
//! (sharing its 5 GetRecords calls and 2 MiB per second, or through an
//! enhanced fan-out consumer), invoke the function with batches in order,
//! and checkpoint only what succeeded.
//!
//! On a function error the batch is retried (forever by default, until its
//! records leave the stream), or split in two when BisectBatchOnFunctionError
//! is on (a split does not use up a retry). Records older than
//! MaximumRecordAgeInSeconds, or whose retries are used up, are skipped and
//! described to the on-failure destination. With a ParallelizationFactor of
//! N, a shard's records are spread over N lanes by partition key, so records
//! of one key stay in order. A child shard is read only once its parents are
//! done, as Lambda does.
//!
//! The JSON face reaches this through `lambda.CreateEventSourceMapping` with
//! a Kinesis stream (or consumer) ARN.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::keys::{hash_key, shard_id};
use super::ops::records::{Budget, Record, read};
use super::quotas::*;
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::lambda::runtime::{Execution, Refused, execute};
use crate::time::SimTime;

/// Default records per batch.
/// <https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html>
pub const DEFAULT_BATCH: u32 = 100;
/// Largest batch.
pub const MAX_BATCH: u32 = 10_000;
/// Largest batching window, seconds.
pub const MAX_WINDOW_SECS: u32 = 300;
/// ParallelizationFactor range.
pub const MAX_PARALLELIZATION: u32 = 10;
/// MaximumRetryAttempts range (-1 = until the records expire).
pub const MAX_RETRIES: i64 = 10_000;
/// MaximumRecordAgeInSeconds range (-1 = until the records expire).
pub const MAX_RECORD_AGE_SECS: i64 = 604_800;
/// Smallest MaximumRecordAgeInSeconds other than -1.
pub const MIN_RECORD_AGE_SECS: i64 = 60;
/// Lambda polls each shard at a base rate of once per second.
/// <https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html>
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Wait before retrying a failed batch (sandbox choice: the next poll).
pub const RETRY_DELAY: Duration = Duration::from_secs(1);
/// Largest payload Lambda sends in one batch (the synchronous invoke limit).
pub const MAX_BATCH_BYTES: u64 = 6 * 1_048_576;

fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new("InvalidParameterValueException", message)
}

/// Lifetime counters of a stream mapping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StreamMappingStats {
    /// Invocations (retries and split halves included).
    pub invocations: u64,
    /// Records handed to the function (a record retried counts each time).
    pub records_sent: u64,
    /// Records checkpointed after success.
    pub succeeded: u64,
    /// Invocations that failed (function error or reported item failures).
    pub failed_invocations: u64,
    /// Batches split in two after an error.
    pub bisections: u64,
    /// Records skipped after retries or age (sent to the on-failure destination if set).
    pub discarded: u64,
    /// Invocations refused for lack of concurrency.
    pub throttled: u64,
    /// Polls refused by the shard's read limit.
    pub read_throttles: u64,
}

/// One lane of a shard: the records it will process, in order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lane {
    pub pending: VecDeque<Record>,
    /// Batches being worked on: the front is the one being invoked or retried.
    pub work: VecDeque<Vec<Record>>,
    pub attempts: u32,
    pub in_flight: bool,
    pub scheduled: bool,
}

impl Lane {
    fn is_idle(&self) -> bool {
        self.pending.is_empty() && self.work.is_empty() && !self.in_flight
    }

    fn backlog(&self) -> usize {
        self.pending.len() + self.work.iter().map(Vec::len).sum::<usize>()
    }

    fn oldest(&self) -> Option<SimTime> {
        self.work
            .front()
            .and_then(|b| b.first())
            .or(self.pending.front())
            .map(|r| r.approximate_arrival_timestamp)
    }
}

/// Where a mapping is in one shard.
#[derive(Clone, Debug)]
pub(crate) struct Cursor {
    /// Next shard position to fetch.
    pub read_to: u64,
    pub lanes: Vec<Lane>,
    pub poll_scheduled: bool,
    pub last_poll: Option<SimTime>,
    pub finished: bool,
}

/// One Kinesis event source mapping.
#[derive(Clone, Debug)]
pub(crate) struct StreamMapping {
    pub uuid: String,
    pub source_arn: String,
    pub stream: String,
    pub budget: Budget,
    pub function: String,
    pub batch_size: u32,
    pub window_secs: u32,
    pub starting_position: String,
    pub starting_timestamp: Option<SimTime>,
    pub enabled: bool,
    pub bisect: bool,
    pub max_retries: i64,
    pub max_record_age: i64,
    pub on_failure: Option<String>,
    pub parallelization: u32,
    pub report_failures: bool,
    pub last_modified: SimTime,
    pub last_result: String,
    pub cursors: BTreeMap<u32, Cursor>,
    pub stats: StreamMappingStats,
}

/// `{"OnFailure": {"Destination": arn}}`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DestinationConfig {
    /// Where skipped batches are described.
    pub on_failure: Option<OnFailure>,
}

/// The on-failure destination.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OnFailure {
    /// An SQS queue or SNS topic ARN.
    pub destination: Option<String>,
}

/// Create/UpdateEventSourceMapping for a Kinesis source.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamMappingInput {
    /// Mapping id (Update only).
    #[serde(rename = "UUID")]
    pub uuid: Option<String>,
    /// The stream's ARN, or an enhanced fan-out consumer's ARN.
    pub event_source_arn: Option<String>,
    /// Function name or ARN.
    pub function_name: Option<String>,
    /// Records per batch (1-10,000; default 100).
    pub batch_size: Option<u32>,
    /// Wait up to this long to fill a batch (0-300 s).
    pub maximum_batching_window_in_seconds: Option<u32>,
    /// `TRIM_HORIZON`, `LATEST` or `AT_TIMESTAMP` (Create only; required).
    pub starting_position: Option<String>,
    /// For AT_TIMESTAMP, epoch seconds.
    pub starting_position_timestamp: Option<f64>,
    /// Whether the pollers run (default true).
    pub enabled: Option<bool>,
    /// Split a failed batch in two and retry the halves.
    pub bisect_batch_on_function_error: Option<bool>,
    /// Retries of a failed batch (-1 = until the records expire; up to 10,000).
    pub maximum_retry_attempts: Option<i64>,
    /// Skip records older than this (-1 = never; 60-604,800 s).
    pub maximum_record_age_in_seconds: Option<i64>,
    /// Where skipped batches are described.
    pub destination_config: Option<DestinationConfig>,
    /// Concurrent batches per shard (1-10).
    pub parallelization_factor: Option<u32>,
    /// `["ReportBatchItemFailures"]` to checkpoint partial successes.
    pub function_response_types: Option<Vec<String>>,
    /// Not supported for Kinesis here (accepted when absent).
    pub tumbling_window_in_seconds: Option<u32>,
}

/// A Kinesis mapping as the API returns it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamMappingOutput {
    /// Mapping id.
    #[serde(rename = "UUID")]
    pub uuid: String,
    /// Stream or consumer ARN.
    pub event_source_arn: String,
    /// Function ARN.
    pub function_arn: String,
    /// Batch size.
    pub batch_size: u32,
    /// Batching window.
    pub maximum_batching_window_in_seconds: u32,
    /// Where polling started.
    pub starting_position: String,
    /// For AT_TIMESTAMP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_position_timestamp: Option<f64>,
    /// Concurrent batches per shard.
    pub parallelization_factor: u32,
    /// Split failed batches.
    pub bisect_batch_on_function_error: bool,
    /// Retries (-1 = until expiry).
    pub maximum_retry_attempts: i64,
    /// Oldest record age (-1 = no limit).
    pub maximum_record_age_in_seconds: i64,
    /// On-failure destination.
    pub destination_config: DestinationConfig,
    /// `Enabled`, `Disabled`, `Deleting`.
    pub state: String,
    /// Why.
    pub state_transition_reason: String,
    /// The last batch's outcome: `OK` or a problem.
    pub last_processing_result: String,
    /// Last change, epoch seconds.
    pub last_modified: f64,
    /// Response types.
    pub function_response_types: Vec<String>,
}

/// True when a CreateEventSourceMapping request names a Kinesis source.
pub fn is_stream_source(params: &Value) -> bool {
    params
        .get("EventSourceArn")
        .and_then(Value::as_str)
        .is_some_and(|a| a.starts_with("arn:aws:kinesis:"))
}

/// True when a request names a Kinesis mapping by UUID.
pub fn owns(cloud: &Cloud, params: &Value) -> bool {
    params
        .get("UUID")
        .and_then(Value::as_str)
        .is_some_and(|u| cloud.kinesis.mappings.contains_key(u))
}

/// Runs a Lambda event source mapping action on a Kinesis mapping.
pub fn dispatch(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    use crate::params::{parse, respond};
    let style = crate::lambda::ops::STYLE;
    match operation {
        "CreateEventSourceMapping" => respond(create(cloud, parse(style, params)?)?),
        "UpdateEventSourceMapping" => respond(update(cloud, parse(style, params)?)?),
        "GetEventSourceMapping" => {
            let input: StreamMappingInput = parse(style, params)?;
            respond(get(cloud, input.uuid.as_deref().unwrap_or_default())?)
        }
        "DeleteEventSourceMapping" => {
            let input: StreamMappingInput = parse(style, params)?;
            respond(delete(cloud, input.uuid.as_deref().unwrap_or_default())?)
        }
        other => Err(crate::api::unknown_operation(
            "lambda",
            other,
            crate::lambda::api::OPERATIONS,
        )),
    }
}

/// Adds the Kinesis mappings matching a ListEventSourceMappings request to its SQS answer.
pub fn extend_list(cloud: &Cloud, params: &Value, mut out: Value) -> CloudResult<Value> {
    let source = params.get("EventSourceArn").and_then(Value::as_str);
    let function = match params.get("FunctionName").and_then(Value::as_str) {
        Some(f) => Some(crate::lambda::ops::function_name(f)?),
        None => None,
    };
    let extra: Vec<Value> = cloud
        .kinesis
        .mappings
        .values()
        .filter(|m| source.is_none_or(|s| s == m.source_arn))
        .filter(|m| function.as_ref().is_none_or(|f| *f == m.function))
        .map(|m| serde_json::to_value(output(cloud, m)).expect("plain data"))
        .collect();
    if let Some(list) = out
        .get_mut("EventSourceMappings")
        .and_then(Value::as_array_mut)
    {
        list.extend(extra);
    }
    Ok(out)
}

fn output(cloud: &Cloud, m: &StreamMapping) -> StreamMappingOutput {
    StreamMappingOutput {
        uuid: m.uuid.clone(),
        event_source_arn: m.source_arn.clone(),
        function_arn: cloud
            .lambda
            .functions
            .get(&m.function)
            .map(|f| f.arn.clone())
            .unwrap_or_else(|| crate::cloud::arn("lambda", &format!("function:{}", m.function))),
        batch_size: m.batch_size,
        maximum_batching_window_in_seconds: m.window_secs,
        starting_position: m.starting_position.clone(),
        starting_position_timestamp: m.starting_timestamp.map(SimTime::unix_secs_f64),
        parallelization_factor: m.parallelization,
        bisect_batch_on_function_error: m.bisect,
        maximum_retry_attempts: m.max_retries,
        maximum_record_age_in_seconds: m.max_record_age,
        destination_config: DestinationConfig {
            on_failure: Some(OnFailure {
                destination: m.on_failure.clone(),
            }),
        },
        state: if m.enabled { "Enabled" } else { "Disabled" }.into(),
        state_transition_reason: "User action".into(),
        last_processing_result: m.last_result.clone(),
        last_modified: m.last_modified.unix_secs_f64(),
        function_response_types: if m.report_failures {
            vec!["ReportBatchItemFailures".into()]
        } else {
            Vec::new()
        },
    }
}

fn range_check(name: &str, v: i64, lo: i64, hi: i64) -> CloudResult<()> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(invalid(format!(
            "{name} {v} is out of range: it must be between {lo} and {hi}."
        )))
    }
}

/// Applies the settings of `input` to `m` (both Create and Update).
fn configure(m: &mut StreamMapping, input: &StreamMappingInput) -> CloudResult<()> {
    if let Some(b) = input.batch_size {
        range_check("BatchSize", b as i64, 1, MAX_BATCH as i64)?;
        m.batch_size = b;
    }
    if let Some(w) = input.maximum_batching_window_in_seconds {
        range_check(
            "MaximumBatchingWindowInSeconds",
            w as i64,
            0,
            MAX_WINDOW_SECS as i64,
        )?;
        m.window_secs = w;
    }
    if let Some(p) = input.parallelization_factor {
        range_check(
            "ParallelizationFactor",
            p as i64,
            1,
            MAX_PARALLELIZATION as i64,
        )?;
        if p != m.parallelization
            && m.cursors
                .values()
                .any(|c| c.lanes.iter().any(|l| !l.is_idle()))
        {
            return Err(CloudError::new(
                "ResourceInUseException",
                "The ParallelizationFactor can change only while the mapping has no batches in progress.",
            ));
        }
        m.parallelization = p;
        for c in m.cursors.values_mut() {
            c.lanes = vec![Lane::default(); p as usize];
        }
    }
    if let Some(r) = input.maximum_retry_attempts {
        range_check("MaximumRetryAttempts", r, -1, MAX_RETRIES)?;
        m.max_retries = r;
    }
    if let Some(a) = input.maximum_record_age_in_seconds {
        if a != -1 {
            range_check(
                "MaximumRecordAgeInSeconds",
                a,
                MIN_RECORD_AGE_SECS,
                MAX_RECORD_AGE_SECS,
            )?;
        }
        m.max_record_age = a;
    }
    if let Some(b) = input.bisect_batch_on_function_error {
        m.bisect = b;
    }
    if let Some(d) = &input.destination_config {
        let dest = d.on_failure.as_ref().and_then(|f| f.destination.clone());
        if let Some(arn) = &dest {
            match crate::cloud::parse_arn(arn) {
                Some(("sqs", ..)) | Some(("sns", ..)) => {}
                _ => {
                    return Err(invalid(format!(
                        "The on-failure destination {arn} must be an SQS queue or SNS topic ARN."
                    )));
                }
            }
        }
        m.on_failure = dest;
    }
    if let Some(types) = &input.function_response_types {
        m.report_failures = match types.as_slice() {
            [] => false,
            [t] if t == "ReportBatchItemFailures" => true,
            other => {
                return Err(invalid(format!(
                    "FunctionResponseTypes {other:?} is invalid: the only value is ReportBatchItemFailures."
                )));
            }
        };
    }
    if input.tumbling_window_in_seconds.is_some_and(|t| t > 0) {
        return Err(invalid(
            "TumblingWindowInSeconds is not supported by this sandbox yet.",
        ));
    }
    if let Some(e) = input.enabled {
        m.enabled = e;
    }
    Ok(())
}

/// CreateEventSourceMapping with a Kinesis stream or consumer ARN.
pub fn create(cloud: &mut Cloud, input: StreamMappingInput) -> CloudResult<StreamMappingOutput> {
    let arn = input
        .event_source_arn
        .clone()
        .ok_or_else(|| invalid("The request must contain the parameter EventSourceArn."))?;
    let fname = crate::lambda::ops::function_name(
        input
            .function_name
            .as_deref()
            .ok_or_else(|| invalid("The request must contain the parameter FunctionName."))?,
    )?;
    if !cloud.lambda.functions.contains_key(&fname) {
        return Err(crate::lambda::runtime::not_found(&fname));
    }
    let stream = super::ops::name_from_arn(&arn).map_err(|e| invalid(e.message))?;
    let budget = if arn.contains("/consumer/") {
        let (_, consumer) = super::ops::consumers::parse_consumer_arn(&arn)?;
        let ok = cloud
            .kinesis
            .streams
            .get(&stream)
            .and_then(|s| s.consumers.get(&consumer))
            .is_some_and(|c| c.arn == arn);
        if !ok {
            return Err(invalid(format!("Consumer not found: {arn}")));
        }
        Budget::Dedicated
    } else {
        Budget::Shared
    };
    if super::ops::usable(cloud, &stream).is_err() {
        return Err(invalid(format!(
            "Stream not found: {}",
            super::ops::stream_arn(&stream)
        )));
    }
    let start = input.starting_position.clone().ok_or_else(|| {
        invalid("StartingPosition is required for a Kinesis event source: TRIM_HORIZON, LATEST or AT_TIMESTAMP.")
    })?;
    let ts = match start.as_str() {
        "TRIM_HORIZON" | "LATEST" => None,
        "AT_TIMESTAMP" => Some(
            input
                .starting_position_timestamp
                .map(|t| SimTime::from_unix_nanos((t.max(0.0) * 1e9) as u64))
                .ok_or_else(|| {
                    invalid("StartingPositionTimestamp is required with AT_TIMESTAMP.")
                })?,
        ),
        other => {
            return Err(invalid(format!(
                "StartingPosition {other} is invalid: use TRIM_HORIZON, LATEST or AT_TIMESTAMP."
            )));
        }
    };
    let now = cloud.core.now;
    let uuid = cloud.core.rng.uuid();
    let mut m = StreamMapping {
        uuid: uuid.clone(),
        source_arn: arn,
        stream: stream.clone(),
        budget,
        function: fname.clone(),
        batch_size: DEFAULT_BATCH,
        window_secs: 0,
        starting_position: start,
        starting_timestamp: ts,
        enabled: true,
        bisect: false,
        max_retries: -1,
        max_record_age: -1,
        on_failure: None,
        parallelization: 1,
        report_failures: false,
        last_modified: now,
        last_result: "No records processed".into(),
        cursors: BTreeMap::new(),
        stats: StreamMappingStats::default(),
    };
    configure(&mut m, &input)?;
    initial_cursors(cloud, &mut m);
    let out = output(cloud, &m);
    let fn_name = cloud.lambda.functions[&fname].name.clone();
    cloud.core.trace(
        "lambda",
        &fn_name,
        "event-source",
        format!(
            "reading stream {stream} from {} in batches of {}",
            m.starting_position, m.batch_size
        ),
    );
    cloud.kinesis.mappings.insert(uuid.clone(), m);
    wake_all(cloud, &uuid);
    Ok(out)
}

/// Cursors for the shards that exist when the mapping is created.
fn initial_cursors(cloud: &mut Cloud, m: &mut StreamMapping) {
    let Some(s) = cloud.kinesis.streams.get(&m.stream) else {
        return;
    };
    let lanes = vec![Lane::default(); m.parallelization as usize];
    for sh in &s.shards {
        let (read_to, finished) = match m.starting_position.as_str() {
            "LATEST" => (sh.tip(), sh.closed.is_some()),
            "AT_TIMESTAMP" => {
                let t = m.starting_timestamp.unwrap_or(SimTime::EPOCH);
                let done = sh.closed.is_some_and(|c| c <= t);
                (sh.position_at(t), done)
            }
            _ => (sh.base, false),
        };
        if finished || sh.parent.is_none() || m.starting_position == "LATEST" {
            m.cursors.insert(
                sh.index,
                Cursor {
                    read_to,
                    lanes: lanes.clone(),
                    poll_scheduled: false,
                    last_poll: None,
                    finished,
                },
            );
        }
    }
}

/// GetEventSourceMapping.
pub fn get(cloud: &mut Cloud, uuid: &str) -> CloudResult<StreamMappingOutput> {
    let m = lookup(cloud, uuid)?;
    Ok(output(cloud, m))
}

fn lookup<'c>(cloud: &'c Cloud, uuid: &str) -> CloudResult<&'c StreamMapping> {
    cloud.kinesis.mappings.get(uuid).ok_or_else(|| {
        CloudError::new(
            "ResourceNotFoundException",
            format!("The resource you requested does not exist. (Service: Lambda, event source mapping {uuid})"),
        )
        .with_status(404)
    })
}

/// UpdateEventSourceMapping on a Kinesis mapping.
pub fn update(cloud: &mut Cloud, input: StreamMappingInput) -> CloudResult<StreamMappingOutput> {
    let uuid = input.uuid.clone().unwrap_or_default();
    let mut m = lookup(cloud, &uuid)?.clone();
    if input.starting_position.is_some() {
        return Err(invalid(
            "StartingPosition cannot be changed on an existing mapping.",
        ));
    }
    if let Some(f) = &input.function_name {
        let f = crate::lambda::ops::function_name(f)?;
        if !cloud.lambda.functions.contains_key(&f) {
            return Err(crate::lambda::runtime::not_found(&f));
        }
        m.function = f;
    }
    configure(&mut m, &input)?;
    m.last_modified = cloud.core.now;
    let out = output(cloud, &m);
    cloud.kinesis.mappings.insert(uuid.clone(), m);
    wake_all(cloud, &uuid);
    Ok(out)
}

/// DeleteEventSourceMapping on a Kinesis mapping: polling stops.
pub fn delete(cloud: &mut Cloud, uuid: &str) -> CloudResult<StreamMappingOutput> {
    let mut m = lookup(cloud, uuid)?.clone();
    cloud.kinesis.mappings.remove(uuid);
    m.enabled = false;
    let mut out = output(cloud, &m);
    out.state = "Deleting".into();
    Ok(out)
}

/// Records arrived on `shards` of `stream`: wake the pollers of those shards.
pub(crate) fn records_arrived(cloud: &mut Cloud, stream: &str, shards: &[u32]) {
    let uuids: Vec<String> = cloud
        .kinesis
        .mappings
        .values()
        .filter(|m| m.enabled && m.stream == stream)
        .map(|m| m.uuid.clone())
        .collect();
    for uuid in uuids {
        for &shard in shards {
            wake_poll(cloud, &uuid, shard);
        }
    }
}

/// Shards opened or closed: parents may finish, children may start.
pub(crate) fn shards_changed(cloud: &mut Cloud, stream: &str) {
    let uuids: Vec<String> = cloud
        .kinesis
        .mappings
        .values()
        .filter(|m| m.enabled && m.stream == stream)
        .map(|m| m.uuid.clone())
        .collect();
    for uuid in uuids {
        wake_all(cloud, &uuid);
    }
}

fn wake_all(cloud: &mut Cloud, uuid: &str) {
    adopt_children(cloud, uuid);
    let shards: Vec<u32> = cloud
        .kinesis
        .mappings
        .get(uuid)
        .filter(|m| m.enabled)
        .map(|m| m.cursors.keys().copied().collect())
        .unwrap_or_default();
    for shard in shards {
        wake_poll(cloud, uuid, shard);
    }
}

/// Starts reading shards whose parents are all done.
fn adopt_children(cloud: &mut Cloud, uuid: &str) {
    let Some(m) = cloud.kinesis.mappings.get(uuid) else {
        return;
    };
    let Some(s) = cloud.kinesis.streams.get(&m.stream) else {
        return;
    };
    let done = |p: u32| m.cursors.get(&p).is_some_and(|c| c.finished);
    let ready: Vec<u32> = s
        .shards
        .iter()
        .filter(|sh| !m.cursors.contains_key(&sh.index))
        .filter(|sh| sh.parent.into_iter().chain(sh.adjacent_parent).all(done))
        .map(|sh| sh.index)
        .collect();
    let lanes = vec![Lane::default(); m.parallelization as usize];
    let m = cloud.kinesis.mappings.get_mut(uuid).expect("looked up");
    for shard in ready {
        m.cursors.insert(
            shard,
            Cursor {
                read_to: 0,
                lanes: lanes.clone(),
                poll_scheduled: false,
                last_poll: None,
                finished: false,
            },
        );
    }
}

fn wake_poll(cloud: &mut Cloud, uuid: &str, shard: u32) {
    let now = cloud.core.now;
    let Some(m) = cloud.kinesis.mappings.get_mut(uuid) else {
        return;
    };
    if !m.enabled {
        return;
    }
    let dedicated = m.budget == Budget::Dedicated;
    let Some(c) = m.cursors.get_mut(&shard) else {
        return;
    };
    if c.poll_scheduled || c.finished {
        return;
    }
    c.poll_scheduled = true;
    let after = if dedicated {
        EFO_PROPAGATION
    } else {
        c.last_poll
            .map_or(Duration::ZERO, |t| (t + POLL_INTERVAL).since(now))
    };
    let uuid = uuid.to_string();
    cloud.schedule(after, "lambda.kinesis-poll", move |c| poll(c, &uuid, shard));
}

/// Which lane a partition key goes to.
fn lane_of(partition_key: &str, lanes: u32) -> usize {
    (hash_key(partition_key) % lanes as u128) as usize
}

/// Fetches records from a shard into its lanes, then dispatches the lanes.
fn poll(cloud: &mut Cloud, uuid: &str, shard: u32) {
    let now = cloud.core.now;
    let Some(m) = cloud.kinesis.mappings.get_mut(uuid) else {
        return;
    };
    let (stream, budget, batch, lanes_n) =
        (m.stream.clone(), m.budget, m.batch_size, m.parallelization);
    let Some(c) = m.cursors.get_mut(&shard) else {
        return;
    };
    c.poll_scheduled = false;
    if !m.enabled || c.finished {
        return;
    }
    let backlog: usize = c.lanes.iter().map(Lane::backlog).sum();
    let want = (batch as usize * lanes_n as usize).max(batch as usize);
    if backlog < want {
        c.last_poll = Some(now);
        let from = c.read_to;
        match read(
            cloud,
            &stream,
            shard,
            from,
            MAX_GET_RECORDS,
            MAX_GET_RECORDS_BYTES,
            budget,
        ) {
            Ok(out) => {
                let m = cloud.kinesis.mappings.get_mut(uuid).expect("looked up");
                let c = m.cursors.get_mut(&shard).expect("looked up");
                c.read_to = out.next;
                for r in out.records {
                    let lane = lane_of(&r.partition_key, lanes_n);
                    c.lanes[lane].pending.push_back(r);
                }
                if out.finished && c.lanes.iter().all(Lane::is_idle) {
                    c.finished = true;
                    wake_all(cloud, uuid);
                    return;
                }
            }
            Err(e) if e.is("ProvisionedThroughputExceededException") => {
                let m = cloud.kinesis.mappings.get_mut(uuid).expect("looked up");
                m.stats.read_throttles += 1;
                m.last_result = "PROBLEM: the shard's read throughput was exceeded".into();
                let next = cloud
                    .kinesis
                    .streams
                    .get_mut(&stream)
                    .and_then(|s| {
                        s.shards
                            .get(shard as usize)
                            .map(|sh| sh.reads.next_allowed(now))
                    })
                    .unwrap_or(now + POLL_INTERVAL);
                retry_poll(
                    cloud,
                    uuid,
                    shard,
                    next.since(now).max(Duration::from_millis(1)),
                );
                return;
            }
            Err(_) => return, // the stream is gone
        }
    }
    for lane in 0..lanes_n as usize {
        run_lane(cloud, uuid, shard, lane);
    }
    more_to_read(cloud, uuid, shard);
}

fn retry_poll(cloud: &mut Cloud, uuid: &str, shard: u32, after: Duration) {
    let Some(c) = cloud
        .kinesis
        .mappings
        .get_mut(uuid)
        .and_then(|m| m.cursors.get_mut(&shard))
    else {
        return;
    };
    if c.poll_scheduled {
        return;
    }
    c.poll_scheduled = true;
    let uuid = uuid.to_string();
    cloud.schedule(after, "lambda.kinesis-poll", move |c| poll(c, &uuid, shard));
}

/// Polls again if the shard has unread records (or a closed shard to finish).
fn more_to_read(cloud: &mut Cloud, uuid: &str, shard: u32) {
    let Some(m) = cloud.kinesis.mappings.get(uuid) else {
        return;
    };
    let Some(c) = m.cursors.get(&shard) else {
        return;
    };
    let Some(sh) = cloud
        .kinesis
        .streams
        .get(&m.stream)
        .and_then(|s| s.shards.get(shard as usize))
    else {
        return;
    };
    let unread = sh.tip() > c.read_to;
    let closing = sh.closed.is_some() && c.lanes.iter().all(Lane::is_idle);
    if unread || closing {
        wake_poll(cloud, uuid, shard);
    }
}

/// Starts the next batch of a lane if it is free.
fn run_lane(cloud: &mut Cloud, uuid: &str, shard: u32, lane: usize) {
    let now = cloud.core.now;
    let Some(m) = cloud.kinesis.mappings.get_mut(uuid) else {
        return;
    };
    if !m.enabled {
        return;
    }
    let retention = cloud
        .kinesis
        .streams
        .get(&m.stream)
        .map(|s| s.retention())
        .unwrap_or_default();
    let (batch_size, window, max_age) = (
        m.batch_size as usize,
        m.window_secs as u64,
        m.max_record_age,
    );
    let Some(l) = m
        .cursors
        .get_mut(&shard)
        .and_then(|c| c.lanes.get_mut(lane))
    else {
        return;
    };
    if l.in_flight || l.scheduled {
        return;
    }
    // Records that left the stream's window are gone for good.
    let before = l.backlog();
    l.pending
        .retain(|r| r.approximate_arrival_timestamp + retention > now);
    for b in &mut l.work {
        b.retain(|r| r.approximate_arrival_timestamp + retention > now);
    }
    l.work.retain(|b| !b.is_empty());
    let expired = before - l.backlog();
    if l.work.is_empty() {
        if l.pending.is_empty() {
            return;
        }
        if window > 0 && l.pending.len() < batch_size {
            let due = l.pending[0].approximate_arrival_timestamp + Duration::from_secs(window);
            if now < due {
                l.scheduled = true;
                let uuid = uuid.to_string();
                cloud.schedule(due.since(now), "lambda.kinesis-window", move |c| {
                    if let Some(l) = lane_mut(c, &uuid, shard, lane) {
                        l.scheduled = false;
                    }
                    run_lane(c, &uuid, shard, lane);
                });
                return;
            }
        }
        let mut b = Vec::with_capacity(batch_size.min(l.pending.len()));
        let mut bytes = 0u64;
        while b.len() < batch_size {
            let Some(r) = l.pending.front() else { break };
            let size = (r.data.len() + r.partition_key.len()) as u64;
            if !b.is_empty() && bytes + size > MAX_BATCH_BYTES {
                break;
            }
            bytes += size;
            b.push(l.pending.pop_front().expect("front"));
        }
        l.work.push_back(b);
        l.attempts = 0;
    }
    // Records past MaximumRecordAgeInSeconds are skipped.
    let mut too_old = Vec::new();
    if max_age >= 0 {
        let front = l.work.front_mut().expect("work");
        let limit = Duration::from_secs(max_age as u64);
        let keep = front.partition_point(|r| now.since(r.approximate_arrival_timestamp) > limit);
        too_old = front.drain(..keep).collect();
        if front.is_empty() {
            l.work.pop_front();
            l.attempts = 0;
        }
    }
    if let Some(m) = cloud.kinesis.mappings.get_mut(uuid) {
        m.stats.discarded += expired as u64;
    }
    if !too_old.is_empty() {
        discard(cloud, uuid, shard, too_old, "RecordAgeExceeded", 0);
        run_lane(cloud, uuid, shard, lane);
        return;
    }
    invoke(cloud, uuid, shard, lane);
}

fn lane_mut<'c>(cloud: &'c mut Cloud, uuid: &str, shard: u32, lane: usize) -> Option<&'c mut Lane> {
    cloud
        .kinesis
        .mappings
        .get_mut(uuid)?
        .cursors
        .get_mut(&shard)?
        .lanes
        .get_mut(lane)
}

/// The event a function receives from Kinesis.
pub(crate) fn kinesis_event(batch: &[Record], source_arn: &str) -> Value {
    let records: Vec<Value> = batch
        .iter()
        .map(|r| {
            json!({
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": r.partition_key,
                    "sequenceNumber": r.sequence_number,
                    "data": r.data.to_base64(),
                    "approximateArrivalTimestamp": r.approximate_arrival_timestamp.unix_secs_f64(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": format!("{}:{}", r.shard_id, r.sequence_number),
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": format!("arn:aws:iam::{}:role/lambda-execution", crate::cloud::ACCOUNT_ID),
                "awsRegion": crate::cloud::REGION,
                "eventSourceARN": source_arn,
            })
        })
        .collect();
    json!({ "Records": records })
}

fn invoke(cloud: &mut Cloud, uuid: &str, shard: u32, lane: usize) {
    let Some(m) = cloud.kinesis.mappings.get(uuid) else {
        return;
    };
    let (function, source) = (m.function.clone(), m.source_arn.clone());
    let Some(batch) = m
        .cursors
        .get(&shard)
        .and_then(|c| c.lanes.get(lane))
        .and_then(|l| l.work.front())
        .cloned()
    else {
        return;
    };
    let event = kinesis_event(&batch, &source);
    let request_id = cloud.core.rng.uuid();
    let m = cloud.kinesis.mappings.get_mut(uuid).expect("looked up");
    m.stats.invocations += 1;
    m.stats.records_sent += batch.len() as u64;
    match execute(cloud, &function, event, request_id) {
        Ok(exec) => {
            if let Some(l) = lane_mut(cloud, uuid, shard, lane) {
                l.in_flight = true;
            }
            let uuid = uuid.to_string();
            cloud.scheduler.at(
                exec.finished,
                "lambda.kinesis-batch-done",
                Box::new(move |c| done(c, &uuid, shard, lane, exec)),
            );
        }
        Err(Refused::Throttled(_)) => {
            let m = cloud.kinesis.mappings.get_mut(uuid).expect("looked up");
            m.stats.throttled += 1;
            m.last_result = "PROBLEM: function throttled".into();
            later(cloud, uuid, shard, lane, RETRY_DELAY);
        }
        Err(Refused::NotFound(_)) => {
            let m = cloud.kinesis.mappings.get_mut(uuid).expect("looked up");
            m.enabled = false;
            m.last_result = "PROBLEM: function not found".into();
        }
    }
}

/// Dispatches a lane again after `after`.
fn later(cloud: &mut Cloud, uuid: &str, shard: u32, lane: usize, after: Duration) {
    let Some(l) = lane_mut(cloud, uuid, shard, lane) else {
        return;
    };
    if l.scheduled {
        return;
    }
    l.scheduled = true;
    let uuid = uuid.to_string();
    cloud.schedule(after, "lambda.kinesis-retry", move |c| {
        if let Some(l) = lane_mut(c, &uuid, shard, lane) {
            l.scheduled = false;
        }
        run_lane(c, &uuid, shard, lane);
    });
}

/// Index of the first record a ReportBatchItemFailures response names;
/// `Err` when the response is malformed (the whole batch failed).
fn first_reported_failure(response: &Value, batch: &[Record]) -> Result<Option<usize>, ()> {
    let Some(list) = response.get("batchItemFailures") else {
        return Ok(None);
    };
    if list.is_null() {
        return Ok(None);
    }
    let list = list.as_array().ok_or(())?;
    let mut first: Option<usize> = None;
    for item in list {
        let id = item
            .get("itemIdentifier")
            .and_then(Value::as_str)
            .ok_or(())?;
        let i = batch
            .iter()
            .position(|r| r.sequence_number == id)
            .ok_or(())?;
        first = Some(first.map_or(i, |f| f.min(i)));
    }
    Ok(first)
}

/// A batch finished: checkpoint, retry, split or skip.
fn done(cloud: &mut Cloud, uuid: &str, shard: u32, lane: usize, exec: Execution) {
    let Some(m) = cloud.kinesis.mappings.get(uuid) else {
        return;
    };
    let (report, bisect, max_retries) = (m.report_failures, m.bisect, m.max_retries);
    let Some(l) = lane_mut(cloud, uuid, shard, lane) else {
        return;
    };
    l.in_flight = false;
    let Some(batch) = l.work.front().cloned() else {
        return;
    };
    // How many records at the front succeeded; None = the whole batch did.
    let failed_from = match &exec.outcome {
        Err(_) => Some(0),
        Ok(resp) if report => first_reported_failure(resp, &batch).unwrap_or(Some(0)),
        Ok(_) => None,
    };
    let ok = failed_from.unwrap_or(batch.len());
    let l = lane_mut(cloud, uuid, shard, lane).expect("looked up");
    let mut discarded = None;
    let mut bisected = false;
    match failed_from {
        None => {
            l.work.pop_front();
            l.attempts = 0;
        }
        Some(i) => {
            let front = l.work.front_mut().expect("work");
            front.drain(..i);
            let function_error = exec.outcome.is_err();
            if function_error && bisect && front.len() > 1 {
                let right = front.split_off(front.len() / 2);
                l.work.insert(1, right);
                bisected = true;
            } else {
                l.attempts += 1;
                if max_retries >= 0 && l.attempts as i64 > max_retries {
                    let attempts = l.attempts;
                    discarded = l.work.pop_front().map(|b| (b, attempts));
                    l.attempts = 0;
                }
            }
        }
    }
    let m = cloud.kinesis.mappings.get_mut(uuid).expect("looked up");
    m.stats.succeeded += ok as u64;
    m.stats.bisections += u64::from(bisected);
    if failed_from.is_some() {
        m.stats.failed_invocations += 1;
        m.last_result = match &exec.outcome {
            Err(e) => format!("PROBLEM: Function call failed ({})", e.error_type),
            Ok(_) => "PROBLEM: Function reported failed records".into(),
        };
    } else {
        m.last_result = "OK".into();
    }
    let fname = cloud
        .lambda
        .functions
        .get(&m.function)
        .map(|f| f.name.clone());
    if failed_from.is_some()
        && let Some(fname) = fname
    {
        {
            cloud.core.trace(
                "lambda",
                &fname,
                "kinesis-batch-failed",
                format!(
                    "{} of {} records from {} failed",
                    batch.len() - ok,
                    batch.len(),
                    shard_id(shard)
                ),
            );
        }
    }
    let gave_up = discarded.is_some();
    if let Some((b, attempts)) = discarded {
        discard(cloud, uuid, shard, b, "RetryAttemptsExhausted", attempts);
    }
    if failed_from.is_some() && !gave_up && !bisected {
        later(cloud, uuid, shard, lane, RETRY_DELAY);
    } else {
        run_lane(cloud, uuid, shard, lane);
    }
    finish_if_done(cloud, uuid, shard);
    more_to_read(cloud, uuid, shard);
}

/// Marks a closed shard done once every record is processed; its children start.
fn finish_if_done(cloud: &mut Cloud, uuid: &str, shard: u32) {
    let Some(m) = cloud.kinesis.mappings.get(uuid) else {
        return;
    };
    let Some(c) = m.cursors.get(&shard) else {
        return;
    };
    let done = cloud
        .kinesis
        .streams
        .get(&m.stream)
        .and_then(|s| s.shards.get(shard as usize))
        .is_some_and(|sh| sh.closed.is_some() && c.read_to >= sh.tip())
        && c.lanes.iter().all(Lane::is_idle);
    if done {
        let m = cloud.kinesis.mappings.get_mut(uuid).expect("looked up");
        m.cursors.get_mut(&shard).expect("looked up").finished = true;
        wake_all(cloud, uuid);
    }
}

/// Skips records: counts them and describes them to the on-failure destination.
fn discard(
    cloud: &mut Cloud,
    uuid: &str,
    shard: u32,
    batch: Vec<Record>,
    condition: &str,
    attempts: u32,
) {
    let Some(m) = cloud.kinesis.mappings.get_mut(uuid) else {
        return;
    };
    m.stats.discarded += batch.len() as u64;
    let (dest, function, stream) = (m.on_failure.clone(), m.function.clone(), m.stream.clone());
    let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
        return;
    };
    let record = json!({
        "requestContext": {
            "requestId": cloud.core.rng.uuid(),
            "functionArn": crate::cloud::arn("lambda", &format!("function:{function}")),
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "version": "1.0",
        "timestamp": cloud.core.now.to_rfc3339_millis(),
        "KinesisBatchInfo": {
            "shardId": shard_id(shard),
            "startSequenceNumber": first.sequence_number,
            "endSequenceNumber": last.sequence_number,
            "approximateArrivalOfFirstRecord": first.approximate_arrival_timestamp.to_rfc3339_millis(),
            "approximateArrivalOfLastRecord": last.approximate_arrival_timestamp.to_rfc3339_millis(),
            "batchSize": batch.len(),
            "streamArn": super::ops::stream_arn(&stream),
        },
    });
    let fname = cloud
        .lambda
        .functions
        .get(&function)
        .map(|f| f.name.clone())
        .unwrap_or_else(|| function.as_str().into());
    cloud.core.trace(
        "lambda",
        &fname,
        "kinesis-discard",
        format!(
            "{} record(s) from {} skipped: {condition}",
            batch.len(),
            shard_id(shard)
        ),
    );
    if let Some(arn) = dest {
        match crate::targets::send(cloud, &arn, record.to_string(), Default::default()) {
            Ok(()) => cloud.core.trace("lambda", &fname, "destination", arn),
            Err(e) => cloud.core.trace(
                "lambda",
                &fname,
                "destination-failed",
                format!("{arn}: {e}"),
            ),
        }
    }
}

/// How far behind a mapping is on each shard it reads, ms (0 = caught up).
pub(crate) fn lag(cloud: &Cloud, m: &StreamMapping) -> Vec<(u32, u64)> {
    let now = cloud.core.now;
    let Some(s) = cloud.kinesis.streams.get(&m.stream) else {
        return Vec::new();
    };
    m.cursors
        .iter()
        .filter(|(_, c)| !c.finished)
        .map(|(shard, c)| {
            let oldest = c
                .lanes
                .iter()
                .filter_map(Lane::oldest)
                .min()
                .or_else(|| s.shards[*shard as usize].get(c.read_to).map(|r| r.arrival));
            (
                *shard,
                oldest.map_or(0, |t| now.since(t).as_millis() as u64),
            )
        })
        .collect()
}

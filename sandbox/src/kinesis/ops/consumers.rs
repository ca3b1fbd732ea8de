//! Enhanced fan-out: RegisterStreamConsumer, DeregisterStreamConsumer,
//! DescribeStreamConsumer, ListStreamConsumers and SubscribeToShard.
//!
//! A registered consumer gets its own 2 MiB/s per shard, pushed to it,
//! instead of sharing the shard's 2 MiB/s and 5 GetRecords calls per second
//! with every other reader.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{invalid, name_from_arn, stream_arn, stream_mut, usable, validation};
use crate::cloud::{ACCOUNT_ID, Cloud};
use crate::error::{CloudError, CloudResult};
use crate::kinesis::efo::{self, SubscribeToShardEvent};
use crate::kinesis::meter;
use crate::kinesis::model::{Consumer, StreamState};
use crate::kinesis::quotas::*;
use crate::time::SimTime;

fn consumer_json(s: &StreamState, c: &Consumer, now: SimTime, with_stream: bool) -> Value {
    let mut v = json!({
        "ConsumerName": c.name,
        "ConsumerARN": c.arn,
        "ConsumerStatus": if now >= c.ready_at { "ACTIVE" } else { "CREATING" },
        "ConsumerCreationTimestamp": c.created.unix_secs_f64(),
    });
    if with_stream {
        v["StreamARN"] = json!(s.arn);
    }
    v
}

fn check_consumer_name(name: &str) -> CloudResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(validation(
            "consumerName",
            name,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128",
        ))
    }
}

/// RegisterStreamConsumer request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegisterStreamConsumerInput {
    /// The stream's ARN.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// A name unique within the stream.
    pub consumer_name: String,
}

/// RegisterStreamConsumer: an enhanced fan-out consumer (CREATING for a few seconds).
pub fn register_stream_consumer(
    cloud: &mut Cloud,
    input: RegisterStreamConsumerInput,
) -> CloudResult<Value> {
    let name = name_from_arn(&input.stream_arn)?;
    check_consumer_name(&input.consumer_name)?;
    let now = cloud.core.now;
    let s = usable(cloud, &name)?;
    if s.consumers.contains_key(&input.consumer_name) {
        return Err(CloudError::new(
            "ResourceInUseException",
            format!(
                "Consumer {} under stream {name} under account {ACCOUNT_ID} already exists.",
                input.consumer_name
            ),
        ));
    }
    if s.consumers.len() >= MAX_CONSUMERS {
        return Err(super::limit_exceeded(format!(
            "Stream {name} already has {MAX_CONSUMERS} registered consumers, the most a stream can have."
        )));
    }
    meter::accrue(cloud, &name);
    let s = usable(cloud, &name)?;
    let c = Consumer {
        name: input.consumer_name.clone(),
        arn: format!(
            "{}/consumer/{}:{}",
            stream_arn(&name),
            input.consumer_name,
            now.unix_secs()
        ),
        created: now,
        ready_at: now + CONSUMER_CREATE_DURATION,
        positions: Default::default(),
        records_pushed: 0,
        bytes_pushed: 0,
    };
    let out = consumer_json(s, &c, now, false);
    s.consumers.insert(c.name.clone(), c);
    let rname = s.name.clone();
    cloud
        .core
        .trace("kinesis", &rname, "register-consumer", input.consumer_name);
    Ok(json!({ "Consumer": out }))
}

/// The members naming a consumer: its ARN, or the stream ARN and its name.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConsumerRef {
    /// The stream's ARN (with ConsumerName).
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
    /// The consumer's name (with StreamARN).
    pub consumer_name: Option<String>,
    /// The consumer's ARN.
    #[serde(rename = "ConsumerARN")]
    pub consumer_arn: Option<String>,
}

/// (stream name, consumer name) of a consumer ARN.
pub(crate) fn parse_consumer_arn(arn: &str) -> CloudResult<(String, String)> {
    let stream = name_from_arn(arn)?;
    let consumer = arn
        .split_once("/consumer/")
        .map(|(_, rest)| rest.split(':').next().unwrap_or(rest).to_string())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| invalid(format!("{arn} is not a consumer ARN.")))?;
    Ok((stream, consumer))
}

fn resolve_consumer(r: &ConsumerRef) -> CloudResult<(String, String)> {
    match (&r.consumer_arn, &r.stream_arn, &r.consumer_name) {
        (Some(arn), _, _) => parse_consumer_arn(arn),
        (None, Some(s), Some(c)) => Ok((name_from_arn(s)?, c.clone())),
        _ => Err(invalid(
            "Either ConsumerARN or both StreamARN and ConsumerName should be provided.",
        )),
    }
}

fn no_consumer(stream: &str, consumer: &str) -> CloudError {
    CloudError::new(
        "ResourceNotFoundException",
        format!("Consumer {consumer} under stream {stream} under account {ACCOUNT_ID} not found."),
    )
}

/// DeregisterStreamConsumer: its subscriptions end.
pub fn deregister_stream_consumer(cloud: &mut Cloud, input: ConsumerRef) -> CloudResult<()> {
    let (stream, consumer) = resolve_consumer(&input)?;
    if !stream_mut(cloud, &stream)?
        .consumers
        .contains_key(&consumer)
    {
        return Err(no_consumer(&stream, &consumer));
    }
    meter::accrue(cloud, &stream);
    let s = stream_mut(cloud, &stream)?;
    s.consumers.remove(&consumer);
    let rname = s.name.clone();
    efo::end_consumer(cloud, &stream, &consumer);
    cloud
        .core
        .trace("kinesis", &rname, "deregister-consumer", consumer);
    Ok(())
}

/// DescribeStreamConsumer.
pub fn describe_stream_consumer(cloud: &mut Cloud, input: ConsumerRef) -> CloudResult<Value> {
    let (stream, consumer) = resolve_consumer(&input)?;
    let now = cloud.core.now;
    let s = stream_mut(cloud, &stream)?;
    let c = s
        .consumers
        .get(&consumer)
        .ok_or_else(|| no_consumer(&stream, &consumer))?;
    Ok(json!({ "ConsumerDescription": consumer_json(s, c, now, true) }))
}

/// ListStreamConsumers request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStreamConsumersInput {
    /// The stream's ARN.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// Page size (ignored: every consumer fits one page).
    pub max_results: Option<u32>,
}

/// ListStreamConsumers: every registered consumer, by name.
pub fn list_stream_consumers(
    cloud: &mut Cloud,
    input: ListStreamConsumersInput,
) -> CloudResult<Value> {
    let stream = name_from_arn(&input.stream_arn)?;
    let now = cloud.core.now;
    let s = stream_mut(cloud, &stream)?;
    let list: Vec<Value> = s
        .consumers
        .values()
        .map(|c| consumer_json(s, c, now, false))
        .collect();
    Ok(json!({ "Consumers": list }))
}

/// SubscribeToShard's StartingPosition.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartingPosition {
    /// `AT_SEQUENCE_NUMBER`, `AFTER_SEQUENCE_NUMBER`, `AT_TIMESTAMP`, `TRIM_HORIZON` or `LATEST`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// For AT/AFTER_SEQUENCE_NUMBER.
    pub sequence_number: Option<String>,
    /// For AT_TIMESTAMP, epoch seconds.
    pub timestamp: Option<f64>,
}

/// SubscribeToShard request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscribeToShardInput {
    /// The consumer's ARN.
    #[serde(rename = "ConsumerARN")]
    pub consumer_arn: String,
    /// The shard.
    pub shard_id: String,
    /// Where to start.
    pub starting_position: StartingPosition,
}

/// Starts a subscription (the push runs in virtual time); returns its id.
pub(crate) fn subscribe(cloud: &mut Cloud, input: SubscribeToShardInput) -> CloudResult<u64> {
    let (stream, consumer) = parse_consumer_arn(&input.consumer_arn)?;
    let shard = super::streams::shard_number(&input.shard_id)?;
    let now = cloud.core.now;
    let s = usable(cloud, &stream)?;
    let c = s
        .consumers
        .get(&consumer)
        .ok_or_else(|| no_consumer(&stream, &consumer))?;
    if c.arn != input.consumer_arn {
        return Err(no_consumer(&stream, &consumer));
    }
    if now < c.ready_at {
        return Err(CloudError::new(
            "ResourceInUseException",
            format!(
                "Consumer {consumer} under stream {stream} under account {ACCOUNT_ID} is not ACTIVE, instead in state CREATING."
            ),
        ));
    }
    let ts = input
        .starting_position
        .timestamp
        .map(|t| SimTime::from_unix_nanos((t.max(0.0) * 1e9) as u64));
    let position = super::records::start_position(
        s,
        shard,
        &input.starting_position.kind,
        input.starting_position.sequence_number.as_deref(),
        ts,
    )?;
    efo::start(cloud, &stream, &consumer, shard, position)
}

/// SubscribeToShard through the JSON face: the call holds the subscription
/// open for its 5 minutes of virtual time (like a long poll) and returns the
/// events pushed meanwhile as `EventStream`.
pub fn subscribe_to_shard(cloud: &mut Cloud, input: SubscribeToShardInput) -> CloudResult<Value> {
    let id = subscribe(cloud, input)?;
    let ends = cloud.kinesis.subscriptions[&id].ends;
    cloud.advance_to(ends);
    let events: Vec<SubscribeToShardEvent> = efo::take_events(cloud, id);
    let stream: Vec<Value> = events
        .into_iter()
        .map(|e| json!({ "SubscribeToShardEvent": e }))
        .collect();
    Ok(json!({ "EventStream": stream }))
}

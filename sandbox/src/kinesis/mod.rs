//! Amazon Kinesis Data Streams: shards, partition keys, sequence numbers, the
//! retention window, throughput limits in virtual time, resharding, enhanced
//! fan-out and Lambda event source mappings.
//!
//! - `keys` has the numbers (hash keys, ranges, sequence numbers, iterators);
//! - `model` holds streams and shards; `ops` has one function per API action;
//! - `api` is the JSON face (`cloud.call("kinesis", ...)`), this module the
//!   typed face (`cloud.kinesis()`); `efo` pushes to enhanced fan-out
//!   consumers; `esm` is the Lambda poller; `view` draws shards on a timeline.
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let clicks = cloud.kinesis().create_stream("clicks", 2)?; // waits until ACTIVE
//! for user in ["ana", "bo", "cy", "ana"] {
//!     cloud.kinesis().put(&clicks, user, json!({"user": user}))?;
//! }
//! // Every record of one partition key lands on the same shard, in order.
//! let mut read = 0;
//! for shard in cloud.kinesis().shard_ids(&clicks)? {
//!     let it = cloud.kinesis().iterator(&clicks, &shard, Start::TrimHorizon)?;
//!     read += cloud.kinesis().get_records(&it)?.records.len();
//! }
//! assert_eq!(read, 4);
//! # Ok(()) }
//! ```

pub mod api;
mod blob;
pub mod efo;
pub mod esm;
pub mod keys;
pub(crate) mod meter;
pub mod model;
pub mod ops;
pub mod quotas;
pub mod view;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::lambda::AsFunction;
use crate::time::SimTime;

pub use blob::Blob;
pub use efo::SubscribeToShardEvent;
pub use esm::StreamMappingStats;
pub use model::{ShardStats, StreamMode, StreamStatus};
pub use ops::records::{
    GetRecordsOutput, PutRecordOutput, PutRecordsOutput, PutRecordsResultEntry, Record,
};
pub use ops::reshard::UpdateShardCountOutput;
pub use ops::streams::ShardDescription;
pub use view::{RecordsView, StreamView};

/// Every stream of an account, and the machinery reading them.
#[derive(Debug, Default)]
pub struct KinesisState {
    pub(crate) streams: BTreeMap<String, model::StreamState>,
    pub(crate) subscriptions: BTreeMap<u64, efo::Subscription>,
    pub(crate) next_subscription: u64,
    pub(crate) mappings: BTreeMap<String, esm::StreamMapping>,
}

impl KinesisState {
    /// Number of streams.
    pub fn len(&self) -> usize {
        self.streams.len()
    }

    /// True when there are no streams.
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }
}

/// Records arrived on `shards` of `stream`: wake whoever reads them.
pub(crate) fn records_arrived(cloud: &mut Cloud, stream: &str, shards: &[u32]) {
    if shards.is_empty() {
        return;
    }
    efo::records_arrived(cloud, stream, shards);
    esm::records_arrived(cloud, stream, shards);
    crate::firehose::source::records_arrived(cloud, stream, shards);
}

/// Shards of `stream` were opened or closed.
pub(crate) fn shards_changed(cloud: &mut Cloud, stream: &str) {
    efo::shards_changed(cloud, stream);
    esm::shards_changed(cloud, stream);
    crate::firehose::source::shards_changed(cloud, stream);
}

/// A stream: its name and ARN. Pass `&stream` to operations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Stream {
    /// The stream's name.
    pub name: String,
    /// The stream's ARN.
    pub arn: String,
}

impl Stream {
    /// The handle for stream `name` in this account (whether or not it exists).
    pub fn named(name: &str) -> Stream {
        Stream {
            name: name.to_string(),
            arn: ops::stream_arn(name),
        }
    }
}

/// Anything that names a stream: a [`Stream`], a name or an ARN.
pub trait AsStream {
    /// The stream's name.
    fn stream_name(&self) -> String;
}

impl AsStream for Stream {
    fn stream_name(&self) -> String {
        self.name.clone()
    }
}

impl AsStream for str {
    fn stream_name(&self) -> String {
        ops::name_from_arn(self).unwrap_or_else(|_| self.to_string())
    }
}

impl AsStream for String {
    fn stream_name(&self) -> String {
        self.as_str().stream_name()
    }
}

impl<T: AsStream + ?Sized> AsStream for &T {
    fn stream_name(&self) -> String {
        (**self).stream_name()
    }
}

/// Where to start reading a shard (a shard iterator type).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// The oldest record still in the retention window.
    TrimHorizon,
    /// After the newest record: only what arrives from now on.
    Latest,
    /// At this sequence number.
    AtSequence(String),
    /// Right after this sequence number (resume after a checkpoint).
    AfterSequence(String),
    /// The first record that arrived at or after this instant.
    AtTimestamp(SimTime),
}

impl Start {
    fn parts(&self) -> (&'static str, Option<String>, Option<f64>) {
        match self {
            Start::TrimHorizon => ("TRIM_HORIZON", None, None),
            Start::Latest => ("LATEST", None, None),
            Start::AtSequence(s) => ("AT_SEQUENCE_NUMBER", Some(s.clone()), None),
            Start::AfterSequence(s) => ("AFTER_SEQUENCE_NUMBER", Some(s.clone()), None),
            Start::AtTimestamp(t) => ("AT_TIMESTAMP", None, Some(t.unix_secs_f64())),
        }
    }
}

/// A record to put: a partition key, data and optionally an explicit hash key.
///
/// ```
/// use cloudlab::kinesis::Put;
/// let p = Put::new("sensor-7", "21.5").explicit_hash_key(0);
/// # let _ = p;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Put {
    partition_key: String,
    data: Blob,
    explicit_hash_key: Option<u128>,
}

impl Put {
    /// A record with this partition key and data.
    pub fn new(partition_key: impl Into<String>, data: impl Into<Blob>) -> Put {
        Put {
            partition_key: partition_key.into(),
            data: data.into(),
            explicit_hash_key: None,
        }
    }

    /// Route by this hash key instead of the partition key's MD5.
    pub fn explicit_hash_key(mut self, key: u128) -> Put {
        self.explicit_hash_key = Some(key);
        self
    }
}

impl<K: Into<String>, D: Into<Blob>> From<(K, D)> for Put {
    fn from((k, d): (K, D)) -> Put {
        Put::new(k, d)
    }
}

/// How Lambda reads a stream for a function (a Kinesis event source mapping).
///
/// ```
/// use cloudlab::prelude::*;
/// let p = StreamPolling::trim_horizon().batch(50).bisect_on_error().retries(2);
/// # let _ = p;
/// ```
#[derive(Clone, Debug)]
pub struct StreamPolling {
    input: esm::StreamMappingInput,
}

impl StreamPolling {
    fn at(position: &str) -> StreamPolling {
        StreamPolling {
            input: esm::StreamMappingInput {
                starting_position: Some(position.into()),
                ..Default::default()
            },
        }
    }

    /// Start with the oldest record in the window.
    pub fn trim_horizon() -> StreamPolling {
        StreamPolling::at("TRIM_HORIZON")
    }

    /// Start with records that arrive from now on.
    pub fn latest() -> StreamPolling {
        StreamPolling::at("LATEST")
    }

    /// Start with records that arrived at or after `t`.
    pub fn at_timestamp(t: SimTime) -> StreamPolling {
        let mut p = StreamPolling::at("AT_TIMESTAMP");
        p.input.starting_position_timestamp = Some(t.unix_secs_f64());
        p
    }

    /// Records per invocation (1-10,000; default 100).
    pub fn batch(mut self, n: u32) -> StreamPolling {
        self.input.batch_size = Some(n);
        self
    }

    /// Wait up to `d` to fill a batch (0-300 s).
    pub fn window(mut self, d: Duration) -> StreamPolling {
        self.input.maximum_batching_window_in_seconds = Some(d.as_secs() as u32);
        self
    }

    /// On a function error, split the batch in two and retry the halves.
    pub fn bisect_on_error(mut self) -> StreamPolling {
        self.input.bisect_batch_on_function_error = Some(true);
        self
    }

    /// Retry a failed batch at most `n` times (default: until it expires).
    pub fn retries(mut self, n: i64) -> StreamPolling {
        self.input.maximum_retry_attempts = Some(n);
        self
    }

    /// Skip records older than `d` (60 s to 7 days; default: no limit).
    pub fn max_record_age(mut self, d: Duration) -> StreamPolling {
        self.input.maximum_record_age_in_seconds = Some(d.as_secs() as i64);
        self
    }

    /// Describe skipped batches to this SQS queue or SNS topic ARN.
    pub fn on_failure(mut self, arn: &str) -> StreamPolling {
        self.input.destination_config = Some(esm::DestinationConfig {
            on_failure: Some(esm::OnFailure {
                destination: Some(arn.to_string()),
            }),
        });
        self
    }

    /// Process up to `n` batches per shard at once (1-10), in order per partition key.
    pub fn parallelization(mut self, n: u32) -> StreamPolling {
        self.input.parallelization_factor = Some(n);
        self
    }

    /// The handler reports failed records (`{"batchItemFailures": [...]}`);
    /// Lambda checkpoints before the first one and retries from there.
    pub fn report_failures(mut self) -> StreamPolling {
        self.input.function_response_types = Some(vec!["ReportBatchItemFailures".into()]);
        self
    }
}

/// A Kinesis event source mapping: its id, stream and function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamMapping {
    /// The mapping's UUID.
    pub uuid: String,
    /// The stream's name.
    pub stream: String,
    /// The function's name.
    pub function: String,
}

/// An enhanced fan-out consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamConsumer {
    /// Its name.
    pub name: String,
    /// Its ARN (what SubscribeToShard and event source mappings take).
    pub arn: String,
    /// The stream's name.
    pub stream: String,
}

/// A live enhanced fan-out subscription (events arrive as time moves).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    id: u64,
    /// The shard it reads.
    pub shard_id: String,
}

/// The typed face of Kinesis, borrowed from a [`Cloud`] by [`Cloud::kinesis`].
pub struct Kinesis<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// Amazon Kinesis Data Streams in this account.
    pub fn kinesis(&mut self) -> Kinesis<'_> {
        Kinesis { cloud: self }
    }
}

impl Kinesis<'_> {
    /// Creates a provisioned stream with `shards` evenly split shards and
    /// waits (in virtual time) until it is ACTIVE.
    pub fn create_stream(&mut self, name: &str, shards: u32) -> CloudResult<Stream> {
        ops::streams::create_stream(
            self.cloud,
            ops::streams::CreateStreamInput {
                stream_name: name.to_string(),
                shard_count: Some(shards),
                ..Default::default()
            },
        )?;
        self.wait_active(&Stream::named(name))?;
        Ok(Stream::named(name))
    }

    /// Creates an on-demand stream (Kinesis manages its shards: 4 to start,
    /// capacity up to double the previous peak) and waits until it is ACTIVE.
    pub fn create_on_demand_stream(&mut self, name: &str) -> CloudResult<Stream> {
        ops::streams::create_stream(
            self.cloud,
            ops::streams::CreateStreamInput {
                stream_name: name.to_string(),
                stream_mode_details: Some(ops::streams::StreamModeDetails {
                    stream_mode: "ON_DEMAND".into(),
                }),
                ..Default::default()
            },
        )?;
        self.wait_active(&Stream::named(name))?;
        Ok(Stream::named(name))
    }

    /// Moves time until the stream is ACTIVE (after creation or resharding).
    /// Inside a function handler time does not move, so this returns at once.
    pub fn wait_active(&mut self, stream: &(impl AsStream + ?Sized)) -> CloudResult<()> {
        let name = stream.stream_name();
        let until = ops::stream_mut(self.cloud, &name)?.busy_until;
        if let Some(t) = until {
            self.cloud.advance_to(t);
        }
        ops::stream_mut(self.cloud, &name)?;
        Ok(())
    }

    /// Every stream, by name.
    pub fn list_streams(&mut self) -> Vec<Stream> {
        let names: Vec<String> = self.cloud.kinesis.streams.keys().cloned().collect();
        names
            .iter()
            .filter(|n| ops::stream_mut(self.cloud, n).is_ok())
            .map(|n| Stream::named(n))
            .collect()
    }

    /// Deletes a stream and every record in it.
    pub fn delete_stream(&mut self, stream: &(impl AsStream + ?Sized)) -> CloudResult<()> {
        ops::streams::delete_stream(
            self.cloud,
            ops::streams::DeleteStreamInput {
                stream: ops::StreamRef::named(&stream.stream_name()),
                enforce_consumer_deletion: Some(true),
            },
        )
    }

    /// The stream's status: CREATING, ACTIVE, UPDATING or DELETING.
    pub fn status(&mut self, stream: &(impl AsStream + ?Sized)) -> CloudResult<StreamStatus> {
        Ok(ops::stream_mut(self.cloud, &stream.stream_name())?.status)
    }

    /// DescribeStreamSummary, as JSON.
    pub fn describe(&mut self, stream: &(impl AsStream + ?Sized)) -> CloudResult<Value> {
        ops::streams::describe_stream_summary(
            self.cloud,
            ops::StreamRef::named(&stream.stream_name()),
        )
    }

    /// Puts one record (PutRecord): `data` is text, bytes or a JSON value.
    /// Refused with ProvisionedThroughputExceededException when its shard
    /// already took 1,000 records or 1 MiB in the last second.
    pub fn put(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        partition_key: &str,
        data: impl Into<Blob>,
    ) -> CloudResult<PutRecordOutput> {
        self.put_record(stream, Put::new(partition_key, data))
    }

    /// Puts one record built with [`Put`].
    pub fn put_record(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        put: Put,
    ) -> CloudResult<PutRecordOutput> {
        ops::records::put_record(
            self.cloud,
            ops::records::PutRecordInput {
                stream: ops::StreamRef::named(&stream.stream_name()),
                data: put.data,
                partition_key: put.partition_key,
                explicit_hash_key: put.explicit_hash_key.map(|k| k.to_string()),
                sequence_number_for_ordering: None,
            },
        )
    }

    /// Puts up to 500 records in one request (PutRecords). Records fail one
    /// by one: check `failed_record_count` and retry the failed entries.
    pub fn put_records<P: Into<Put>>(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        records: impl IntoIterator<Item = P>,
    ) -> CloudResult<PutRecordsOutput> {
        let records = records
            .into_iter()
            .map(|p| {
                let p = p.into();
                ops::records::PutRecordsRequestEntry {
                    data: p.data,
                    partition_key: p.partition_key,
                    explicit_hash_key: p.explicit_hash_key.map(|k| k.to_string()),
                }
            })
            .collect();
        ops::records::put_records(
            self.cloud,
            ops::records::PutRecordsInput {
                stream: ops::StreamRef::named(&stream.stream_name()),
                records,
            },
        )
    }

    /// The stream's shards (ListShards): open ones and closed parents.
    pub fn shards(
        &mut self,
        stream: &(impl AsStream + ?Sized),
    ) -> CloudResult<Vec<ShardDescription>> {
        let name = stream.stream_name();
        let now = self.cloud.core.now;
        let s = ops::stream_mut(self.cloud, &name)?;
        let retention = s.retention();
        Ok(s.shards
            .iter()
            .filter(|sh| sh.closed.is_none_or(|t| t + retention > now))
            .map(|sh| ops::streams::describe_shard(s, sh))
            .collect())
    }

    /// The ids of the stream's shards (open and closed), in id order.
    pub fn shard_ids(&mut self, stream: &(impl AsStream + ?Sized)) -> CloudResult<Vec<String>> {
        Ok(self
            .shards(stream)?
            .into_iter()
            .map(|s| s.shard_id)
            .collect())
    }

    /// The ids of the open shards, in hash key order.
    pub fn open_shard_ids(
        &mut self,
        stream: &(impl AsStream + ?Sized),
    ) -> CloudResult<Vec<String>> {
        let s = ops::stream_mut(self.cloud, &stream.stream_name())?;
        Ok(s.open_shards().map(|sh| sh.id()).collect())
    }

    /// The shard a partition key maps to now.
    pub fn shard_for(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        partition_key: &str,
    ) -> CloudResult<String> {
        let s = ops::stream_mut(self.cloud, &stream.stream_name())?;
        Ok(keys::shard_id(s.route(keys::hash_key(partition_key))))
    }

    /// A shard iterator (GetShardIterator), valid for 5 minutes.
    pub fn iterator(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        shard_id: &str,
        start: Start,
    ) -> CloudResult<String> {
        let (kind, seq, ts) = start.parts();
        Ok(ops::records::get_shard_iterator(
            self.cloud,
            ops::records::GetShardIteratorInput {
                stream: ops::StreamRef::named(&stream.stream_name()),
                shard_id: shard_id.to_string(),
                shard_iterator_type: kind.into(),
                starting_sequence_number: seq,
                timestamp: ts,
            },
        )?
        .shard_iterator)
    }

    /// Reads from an iterator (GetRecords, up to 10,000 records).
    pub fn get_records(&mut self, iterator: &str) -> CloudResult<GetRecordsOutput> {
        self.get_records_limit(iterator, quotas::MAX_GET_RECORDS)
    }

    /// Reads at most `limit` records from an iterator.
    pub fn get_records_limit(
        &mut self,
        iterator: &str,
        limit: u32,
    ) -> CloudResult<GetRecordsOutput> {
        ops::records::get_records(
            self.cloud,
            ops::records::GetRecordsInput {
                shard_iterator: iterator.to_string(),
                limit: Some(limit),
                stream_arn: None,
            },
        )
    }

    /// Sets the retention period (24 to 8,760 hours), increasing or decreasing it.
    pub fn set_retention(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        hours: u32,
    ) -> CloudResult<()> {
        let name = stream.stream_name();
        let current = ops::stream_mut(self.cloud, &name)?.retention_hours;
        let input = ops::streams::RetentionInput {
            stream: ops::StreamRef::named(&name),
            retention_period_hours: hours,
        };
        if hours >= current {
            ops::streams::increase_stream_retention_period(self.cloud, input)
        } else {
            ops::streams::decrease_stream_retention_period(self.cloud, input)
        }
    }

    /// Splits a shard at `new_starting_hash_key` (the stream is UPDATING for a while).
    pub fn split_shard(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        shard_id: &str,
        new_starting_hash_key: u128,
    ) -> CloudResult<()> {
        ops::reshard::split_shard(
            self.cloud,
            ops::reshard::SplitShardInput {
                stream: ops::StreamRef::named(&stream.stream_name()),
                shard_to_split: shard_id.to_string(),
                new_starting_hash_key: new_starting_hash_key.to_string(),
            },
        )
    }

    /// Splits a shard in the middle of its hash key range.
    pub fn split_shard_evenly(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        shard_id: &str,
    ) -> CloudResult<()> {
        let name = stream.stream_name();
        let index = ops::streams::shard_number(shard_id)?;
        let range = ops::stream_mut(self.cloud, &name)?
            .shard(index)
            .map(|sh| sh.range)
            .ok_or_else(|| ops::records::no_shard(&name, shard_id))?;
        let mid = range.start + (range.end - range.start) / 2 + 1;
        self.split_shard(&name, shard_id, mid)
    }

    /// Merges two adjacent shards.
    pub fn merge_shards(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        shard: &str,
        adjacent: &str,
    ) -> CloudResult<()> {
        ops::reshard::merge_shards(
            self.cloud,
            ops::reshard::MergeShardsInput {
                stream: ops::StreamRef::named(&stream.stream_name()),
                shard_to_merge: shard.to_string(),
                adjacent_shard_to_merge: adjacent.to_string(),
            },
        )
    }

    /// Reshards to `target` evenly split open shards (UpdateShardCount).
    pub fn update_shard_count(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        target: u32,
    ) -> CloudResult<UpdateShardCountOutput> {
        ops::reshard::update_shard_count(
            self.cloud,
            ops::reshard::UpdateShardCountInput {
                stream: ops::StreamRef::named(&stream.stream_name()),
                target_shard_count: target,
                scaling_type: "UNIFORM_SCALING".into(),
            },
        )
    }

    /// Registers an enhanced fan-out consumer and waits until it is ACTIVE.
    pub fn register_consumer(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        name: &str,
    ) -> CloudResult<StreamConsumer> {
        let sname = stream.stream_name();
        let out = ops::consumers::register_stream_consumer(
            self.cloud,
            ops::consumers::RegisterStreamConsumerInput {
                stream_arn: ops::stream_arn(&sname),
                consumer_name: name.to_string(),
            },
        )?;
        let ready = self.cloud.core.now + quotas::CONSUMER_CREATE_DURATION;
        self.cloud.advance_to(ready);
        Ok(StreamConsumer {
            name: name.to_string(),
            arn: out["Consumer"]["ConsumerARN"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            stream: sname,
        })
    }

    /// Subscribes a consumer to a shard: records are pushed to it as time
    /// moves, for 5 minutes. Collect them with [`Kinesis::events`].
    pub fn subscribe(
        &mut self,
        consumer: &StreamConsumer,
        shard_id: &str,
        start: Start,
    ) -> CloudResult<Subscription> {
        let (kind, seq, ts) = start.parts();
        let id = ops::consumers::subscribe(
            self.cloud,
            ops::consumers::SubscribeToShardInput {
                consumer_arn: consumer.arn.clone(),
                shard_id: shard_id.to_string(),
                starting_position: ops::consumers::StartingPosition {
                    kind: kind.into(),
                    sequence_number: seq,
                    timestamp: ts,
                },
            },
        )?;
        Ok(Subscription {
            id,
            shard_id: shard_id.to_string(),
        })
    }

    /// The events pushed to a subscription since the last call.
    pub fn events(&mut self, subscription: &Subscription) -> Vec<SubscribeToShardEvent> {
        efo::take_events(self.cloud, subscription.id)
    }

    /// True while a subscription is live (it ends after 5 minutes).
    pub fn is_subscribed(&mut self, subscription: &Subscription) -> bool {
        self.cloud
            .kinesis
            .subscriptions
            .get(&subscription.id)
            .is_some_and(|s| !s.ended)
    }

    /// Has Lambda read `stream` and invoke `f` with batches of its records.
    /// Pass a [`StreamConsumer`]'s ARN as the stream to read through enhanced fan-out.
    pub fn trigger(
        &mut self,
        stream: &(impl AsStream + ?Sized),
        f: &(impl AsFunction + ?Sized),
        polling: StreamPolling,
    ) -> CloudResult<StreamMapping> {
        let name = stream.stream_name();
        let mut input = polling.input;
        input.event_source_arn = Some(ops::stream_arn(&name));
        input.function_name = Some(f.function_name());
        let out = esm::create(self.cloud, input)?;
        Ok(StreamMapping {
            uuid: out.uuid,
            stream: name,
            function: crate::lambda::ops::function_name(&f.function_name())?,
        })
    }

    /// Like [`Kinesis::trigger`], reading through an enhanced fan-out consumer.
    pub fn trigger_via(
        &mut self,
        consumer: &StreamConsumer,
        f: &(impl AsFunction + ?Sized),
        polling: StreamPolling,
    ) -> CloudResult<StreamMapping> {
        let mut input = polling.input;
        input.event_source_arn = Some(consumer.arn.clone());
        input.function_name = Some(f.function_name());
        let out = esm::create(self.cloud, input)?;
        Ok(StreamMapping {
            uuid: out.uuid,
            stream: consumer.stream.clone(),
            function: crate::lambda::ops::function_name(&f.function_name())?,
        })
    }

    /// Counters of a Kinesis event source mapping.
    pub fn mapping_stats(&mut self, m: &StreamMapping) -> CloudResult<StreamMappingStats> {
        self.cloud
            .kinesis
            .mappings
            .get(&m.uuid)
            .map(|m| m.stats)
            .ok_or_else(|| {
                CloudError::new("ResourceNotFoundException", "No such event source mapping.")
            })
    }

    /// How far behind a mapping is per shard, ms (0 = caught up).
    pub fn mapping_lag(&mut self, m: &StreamMapping) -> CloudResult<BTreeMap<String, u64>> {
        let mapping = self.cloud.kinesis.mappings.get(&m.uuid).ok_or_else(|| {
            CloudError::new("ResourceNotFoundException", "No such event source mapping.")
        })?;
        Ok(esm::lag(self.cloud, mapping)
            .into_iter()
            .map(|(s, ms)| (keys::shard_id(s), ms))
            .collect())
    }

    /// Per-shard counters: records in and out, throttles, expiries.
    pub fn shard_stats(
        &mut self,
        stream: &(impl AsStream + ?Sized),
    ) -> CloudResult<BTreeMap<String, ShardStats>> {
        let s = ops::stream_mut(self.cloud, &stream.stream_name())?;
        Ok(s.shards.iter().map(|sh| (sh.id(), sh.stats)).collect())
    }

    /// Every record in the window, per shard, without reading (no limits,
    /// not an AWS action: a look inside for lessons).
    pub fn peek(&mut self, stream: &(impl AsStream + ?Sized)) -> CloudResult<RecordsView> {
        let s = ops::stream_mut(self.cloud, &stream.stream_name())?;
        Ok(RecordsView::of(s))
    }

    /// The stream on a timeline: records per shard, throttles, readers and lag.
    pub fn view(&mut self, stream: &(impl AsStream + ?Sized)) -> CloudResult<StreamView> {
        let name = stream.stream_name();
        ops::stream_mut(self.cloud, &name)?;
        Ok(StreamView::of(self.cloud, &name))
    }
}

//! The state of Firehose streams: where records come from, how they are
//! buffered, the optional Lambda transformation and the S3 destination.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::kinesis::model::RateWindow;
use crate::time::SimTime;

/// Where a Kinesis record came from (for the transformation event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KinesisMeta {
    pub sequence_number: String,
    pub partition_key: String,
    pub shard_id: String,
}

/// A record waiting in the buffer.
#[derive(Clone, Debug)]
pub(crate) struct Buffered {
    pub record_id: String,
    pub data: Arc<[u8]>,
    pub arrival: SimTime,
    pub kinesis: Option<KinesisMeta>,
}

/// The Lambda transformation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Processor {
    pub function: String,
    pub arn: String,
    pub retries: u32,
    pub buffer_bytes: u64,
}

/// The S3 destination and its buffering.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct S3Destination {
    pub bucket: String,
    pub bucket_arn: String,
    pub role_arn: String,
    pub prefix: Option<String>,
    pub error_prefix: Option<String>,
    pub size_mib: u32,
    pub interval_secs: u32,
    pub compression: String,
    pub processor: Option<Processor>,
}

/// Direct PUT or a Kinesis stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    DirectPut,
    Kinesis {
        stream: String,
        arn: String,
        role_arn: String,
    },
}

/// Where a Firehose stream is in one shard of its source stream.
#[derive(Clone, Debug, Default)]
pub(crate) struct SourceCursor {
    pub position: u64,
    pub scheduled: bool,
    pub last_poll: Option<SimTime>,
    pub finished: bool,
}

/// Lifetime counters of a Firehose stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FirehoseStats {
    /// Records accepted (PUT or read from the source stream).
    pub records_in: u64,
    /// Bytes accepted.
    pub bytes_in: u64,
    /// Records refused by the stream's throughput limit.
    pub throttled: u64,
    /// Objects written to S3 (error objects included).
    pub objects: u64,
    /// Records delivered to S3 (after transformation).
    pub records_delivered: u64,
    /// Records a transformation dropped.
    pub dropped: u64,
    /// Records that failed transformation (written under the error prefix).
    pub failed: u64,
    /// Lambda transformation invocations.
    pub invocations: u64,
}

/// One Firehose stream.
#[derive(Clone, Debug)]
pub(crate) struct DeliveryStreamState {
    pub name: Arc<str>,
    pub arn: String,
    pub created: SimTime,
    pub ready_at: SimTime,
    pub version: u32,
    pub source: Source,
    pub dest: S3Destination,
    pub buffer: Vec<Buffered>,
    pub buffer_bytes: u64,
    pub flush_scheduled: bool,
    pub records: RateWindow,
    pub requests: RateWindow,
    pub cursors: BTreeMap<u32, SourceCursor>,
    pub delivered_keys: Vec<String>,
    pub stats: FirehoseStats,
}

impl DeliveryStreamState {
    /// ACTIVE once created.
    pub fn status(&self, now: SimTime) -> &'static str {
        if now >= self.ready_at {
            "ACTIVE"
        } else {
            "CREATING"
        }
    }

    /// The source type as the API spells it.
    pub fn kind(&self) -> &'static str {
        match self.source {
            Source::DirectPut => "DirectPut",
            Source::Kinesis { .. } => "KinesisStreamAsSource",
        }
    }
}

//! Data Firehose quotas and defaults at today's AWS values, each with the
//! page it comes from.

use std::time::Duration;

/// Default buffer size before delivery to S3, MiB.
/// <https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html>
pub const DEFAULT_BUFFER_MIB: u32 = 5;
/// Smallest and largest buffer size, MiB.
pub const BUFFER_MIB_RANGE: (u32, u32) = (1, 128);
/// Default buffer interval, seconds.
/// <https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html>
pub const DEFAULT_BUFFER_SECS: u32 = 300;
/// Smallest and largest buffer interval, seconds.
pub const BUFFER_SECS_RANGE: (u32, u32) = (0, 900);
/// Largest record (before base64), bytes: 1,000 KiB.
/// <https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html>
pub const MAX_RECORD_BYTES: usize = 1_024_000;
/// Records per PutRecordBatch.
pub const MAX_BATCH_RECORDS: usize = 500;
/// Bytes per PutRecordBatch request.
pub const MAX_BATCH_BYTES: usize = 4 * 1_048_576;
/// Direct PUT throughput per Firehose stream in us-east-1: records/s.
/// <https://docs.aws.amazon.com/firehose/latest/dev/limits.html>
pub const MAX_RECORDS_PER_SEC: u64 = 500_000;
/// Direct PUT throughput per Firehose stream in us-east-1: requests/s.
pub const MAX_REQUESTS_PER_SEC: u64 = 2_000;
/// Direct PUT throughput per Firehose stream in us-east-1: bytes/s (5 MiB).
pub const MAX_BYTES_PER_SEC: u64 = 5 * 1_048_576;
/// Longest Firehose stream name.
/// <https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html>
pub const MAX_NAME_LEN: usize = 64;
/// Lambda transformation: default buffer size per invocation, MiB.
/// <https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html>
pub const DEFAULT_LAMBDA_BUFFER_MIB: f64 = 1.0;
/// Lambda transformation: default retries of a failed invocation.
/// <https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html>
pub const DEFAULT_LAMBDA_RETRIES: u32 = 3;
/// Firehose reads each shard of a source Kinesis stream about once per second.
/// <https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html>
pub const SOURCE_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How long a new Firehose stream stays CREATING (sandbox choice).
pub const CREATE_DURATION: Duration = Duration::from_secs(5);
/// Wait before retrying a delivery to a missing bucket.
pub const DELIVERY_RETRY: Duration = Duration::from_secs(60);
/// Give up delivering to S3 after this long (AWS retries for 24 hours).
/// <https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html>
pub const DELIVERY_RETRY_WINDOW: Duration = Duration::from_secs(86_400);
/// Billing: each record is rounded up to 5 KB of ingestion.
/// <https://aws.amazon.com/firehose/pricing/>
pub const BILLING_ROUND: u64 = 5 * 1024;

//! Kinesis Data Streams quotas at today's AWS values, each with the page it
//! comes from.
//!
//! The 2019-era course notes say retention goes "up to 7 days" and records are
//! at most 1 MB: AWS raised retention to 365 days (8,760 hours) and lets a
//! stream opt in to records of up to 10 MiB; a PutRecords request may now
//! carry 10 MiB (it was 5 MiB).

use std::time::Duration;

/// Write throughput of one shard, bytes per second (data blobs plus partition keys).
/// <https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html>
pub const SHARD_WRITE_BYTES_PER_SEC: u64 = 1_048_576;
/// Records one shard accepts per second.
/// <https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html>
pub const SHARD_WRITE_RECORDS_PER_SEC: u64 = 1_000;
/// Read throughput of one shard (shared by every GetRecords consumer), bytes per second.
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html>
pub const SHARD_READ_BYTES_PER_SEC: u64 = 2_097_152;
/// GetRecords calls one shard serves per second.
/// <https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html>
pub const SHARD_READ_CALLS_PER_SEC: usize = 5;
/// Most records one GetRecords call returns (the default and largest `Limit`).
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html>
pub const MAX_GET_RECORDS: u32 = 10_000;
/// Most data one GetRecords call returns, bytes.
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html>
pub const MAX_GET_RECORDS_BYTES: u64 = 10 * 1_048_576;
/// Default largest record (data blob plus partition key), bytes.
/// <https://docs.aws.amazon.com/streams/latest/dev/large-records.html>
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 1_048_576;
/// Largest record a stream can opt in to (UpdateMaxRecordSize), bytes.
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html>
pub const MAX_RECORD_BYTES_LIMIT: u64 = 10 * 1_048_576;
/// Records in one PutRecords request.
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html>
pub const MAX_PUT_RECORDS: usize = 500;
/// Total size of one PutRecords request (data blobs plus partition keys), bytes.
/// 10 MiB today (it was 5 MiB).
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html>
pub const MAX_PUT_RECORDS_BYTES: u64 = 10 * 1_048_576;
/// Longest partition key, Unicode characters.
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html>
pub const MAX_PARTITION_KEY_LEN: usize = 256;
/// Default retention, hours.
/// <https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html>
pub const DEFAULT_RETENTION_HOURS: u32 = 24;
/// Shortest retention, hours.
pub const MIN_RETENTION_HOURS: u32 = 24;
/// Longest retention, hours (365 days; the 2019 notes say 7 days).
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_IncreaseStreamRetentionPeriod.html>
pub const MAX_RETENTION_HOURS: u32 = 8_760;
/// Retention up to this many hours is "extended retention", billed per shard-hour;
/// beyond it, "long-term retention", billed per GB-month.
/// <https://aws.amazon.com/kinesis/data-streams/pricing/>
pub const EXTENDED_RETENTION_HOURS: u32 = 168;
/// A shard iterator is valid this long after it was issued.
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html>
pub const ITERATOR_LIFETIME: Duration = Duration::from_secs(300);
/// Longest stream name.
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html>
pub const MAX_STREAM_NAME_LEN: usize = 128;
/// Enhanced fan-out consumers per stream (provisioned and on-demand standard).
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html>
pub const MAX_CONSUMERS: usize = 20;
/// Push throughput of one enhanced fan-out consumer on one shard, bytes per second.
/// <https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html>
pub const EFO_BYTES_PER_SEC: u64 = 2_097_152;
/// A SubscribeToShard subscription lasts this long; then the consumer subscribes again.
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SubscribeToShard.html>
pub const SUBSCRIPTION_LIFETIME: Duration = Duration::from_secs(300);
/// Delay between a record's arrival and its push to a subscribed consumer
/// (AWS quotes "about 70 ms" typical propagation for enhanced fan-out).
/// <https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html>
pub const EFO_PROPAGATION: Duration = Duration::from_millis(70);
/// Shards a new on-demand stream starts with (4 MiB/s write, 8 MiB/s read).
/// <https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html>
pub const ON_DEMAND_INITIAL_SHARDS: u32 = 4;
/// On-demand streams accommodate up to this multiple of their previous peak write rate.
/// <https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html>
pub const ON_DEMAND_PEAK_MULTIPLE: u64 = 2;
/// On-demand streams per account by default.
/// <https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html>
pub const MAX_ON_DEMAND_STREAMS: usize = 50;
/// Largest shard count of a provisioned stream in this sandbox (AWS's default
/// account quota in us-east-1 is 20,000 shards).
/// <https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html>
pub const MAX_SHARDS: u32 = 20_000;
/// UpdateShardCount calls per stream per rolling 24 hours.
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html>
pub const MAX_SCALINGS_PER_DAY: usize = 10;
/// ListShards / ListStreams page size default and maximum.
/// <https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html>
pub const MAX_LIST_RESULTS: usize = 10_000;
/// How long a new stream stays CREATING (AWS gives no figure; sandbox choice).
pub const CREATE_DURATION: Duration = Duration::from_secs(10);
/// How long a stream stays UPDATING after a resharding (sandbox choice; AWS
/// says "a few seconds to a few minutes").
pub const RESHARD_DURATION: Duration = Duration::from_secs(30);
/// How long a deleted stream stays DELETING (sandbox choice).
pub const DELETE_DURATION: Duration = Duration::from_secs(10);
/// How long a new enhanced fan-out consumer stays CREATING (sandbox choice).
pub const CONSUMER_CREATE_DURATION: Duration = Duration::from_secs(5);
/// Billing: each 25 KB of a record is one PUT payload unit.
/// <https://aws.amazon.com/kinesis/data-streams/pricing/>
pub const PUT_PAYLOAD_UNIT_BYTES: u64 = 25 * 1024;
/// Billing (on-demand): record sizes are rounded up to this many bytes.
/// <https://aws.amazon.com/kinesis/data-streams/pricing/>
pub const ON_DEMAND_BILLING_ROUND: u64 = 1024;

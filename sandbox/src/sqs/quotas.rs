//! SQS quotas at today's AWS values, each with the documentation page it comes from.
//!
//! The course notes from 2019 say messages are at most 256 KB: AWS raised that
//! to 1 MiB in 2025. Lessons explain the change; the constant is today's.

/// Largest message (body + attributes), bytes. 1 MiB since 2025 (was 256 KiB).
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html>
pub const MAX_MESSAGE_SIZE: u32 = 1_048_576;
/// Smallest value of the `MaximumMessageSize` attribute, bytes.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html>
pub const MIN_MAX_MESSAGE_SIZE: u32 = 1_024;
/// The 2019-era limit the seed notes quote, kept for lessons that compare.
pub const LEGACY_MAX_MESSAGE_SIZE: u32 = 262_144;
/// Entries in one batch request.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html>
pub const MAX_BATCH_ENTRIES: usize = 10;
/// Total payload of one batch request, bytes (same as the message size limit).
pub const MAX_BATCH_BYTES: usize = 1_048_576;
/// Longest batch entry id.
pub const MAX_BATCH_ID_LEN: usize = 80;
/// Default visibility timeout, seconds.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html>
pub const DEFAULT_VISIBILITY_TIMEOUT: u32 = 30;
/// Longest visibility timeout, seconds (12 hours).
pub const MAX_VISIBILITY_TIMEOUT: u32 = 43_200;
/// Default retention, seconds (4 days).
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html>
pub const DEFAULT_RETENTION: u32 = 345_600;
/// Shortest retention, seconds (1 minute).
pub const MIN_RETENTION: u32 = 60;
/// Longest retention, seconds (14 days).
pub const MAX_RETENTION: u32 = 1_209_600;
/// Longest delay (queue delay or message timer), seconds (15 minutes).
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-timers.html>
pub const MAX_DELAY: u32 = 900;
/// Longest long-poll wait, seconds.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html>
pub const MAX_WAIT_TIME: u32 = 20;
/// Most messages one ReceiveMessage returns.
pub const MAX_RECEIVE: u32 = 10;
/// In-flight messages a standard queue allows (approximately) before OverLimit.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html>
pub const MAX_IN_FLIGHT_STANDARD: usize = 120_000;
/// In-flight messages a FIFO queue allows.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-fifo.html>
pub const MAX_IN_FLIGHT_FIFO: usize = 120_000;
/// Message attributes per message.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html>
pub const MAX_MESSAGE_ATTRIBUTES: usize = 10;
/// Longest message attribute name.
pub const MAX_ATTRIBUTE_NAME_LEN: usize = 256;
/// Longest queue name, `.fifo` suffix included.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html>
pub const MAX_QUEUE_NAME_LEN: usize = 80;
/// Longest MessageGroupId / MessageDeduplicationId.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-fifo.html>
pub const MAX_GROUP_ID_LEN: usize = 128;
/// FIFO deduplication interval, seconds (5 minutes).
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html>
pub const DEDUP_INTERVAL: u32 = 300;
/// FIFO throughput without batching, API calls per second per action (default mode).
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-fifo.html>
pub const FIFO_TPS: u32 = 300;
/// maxReceiveCount range of a redrive policy.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html>
pub const MAX_RECEIVE_COUNT: u32 = 1_000;
/// Queues a redrive allow policy may name.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html>
pub const MAX_REDRIVE_SOURCES: usize = 10;
/// One purge per queue per this many seconds.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html>
pub const PURGE_INTERVAL: u32 = 60;
/// A deleted queue's name can be reused after this many seconds.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html>
pub const DELETED_NAME_REUSE: u32 = 60;
/// Billing: each 64 KiB chunk of a request's payload is one billed request.
/// <https://aws.amazon.com/sqs/pricing/>
pub const BILLING_CHUNK: usize = 65_536;
/// Highest MaxNumberOfMessagesPerSecond of a message move task.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html>
pub const MAX_MOVE_RATE: u32 = 500;
/// Default rate of a move task when none is given (AWS optimises; we pick this).
pub const DEFAULT_MOVE_RATE: u32 = 500;
/// Largest MaxResults of ListQueues.
pub const MAX_LIST_RESULTS: usize = 1_000;
/// Tags per queue.
/// <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html>
pub const MAX_TAGS: usize = 50;
/// Probability of a duplicate delivery per receive when anomalies are on (sandbox choice).
pub const ANOMALY_DUPLICATE_RATE: f64 = 0.05;
/// Probability of a receive skipping ahead in the queue when anomalies are on (sandbox choice).
pub const ANOMALY_REORDER_RATE: f64 = 0.10;

//! Lambda quotas at today's AWS values, each with the documentation page it comes from.

use std::time::Duration;

/// Smallest memory setting, MB.
/// <https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html>
pub const MIN_MEMORY_MB: u32 = 128;
/// Largest memory setting, MB (1 MB steps).
pub const MAX_MEMORY_MB: u32 = 10_240;
/// Default memory, MB.
/// <https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html>
pub const DEFAULT_MEMORY_MB: u32 = 128;
/// Longest timeout, seconds (15 minutes).
/// <https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html>
pub const MAX_TIMEOUT_SECS: u32 = 900;
/// Default timeout, seconds.
/// <https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html>
pub const DEFAULT_TIMEOUT_SECS: u32 = 3;
/// Synchronous invocation request and response payload, bytes (6 MB).
/// <https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html>
pub const MAX_SYNC_PAYLOAD: usize = 6_291_456;
/// Asynchronous invocation payload, bytes (1 MB since October 2025; was 256 KB).
/// <https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb>
pub const MAX_ASYNC_PAYLOAD: usize = 1_048_576;
/// Environment variables, total bytes.
/// <https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html>
pub const MAX_ENV_BYTES: usize = 4_096;
/// Concurrent executions per account and Region (default quota).
/// <https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html>
pub const ACCOUNT_CONCURRENCY: u32 = 1_000;
/// Unreserved concurrency Lambda keeps for functions without a reservation.
/// <https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html>
pub const MIN_UNRESERVED_CONCURRENCY: u32 = 100;
/// New execution environments per function per 10 seconds.
/// <https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html>
pub const SCALING_RATE: u32 = 1_000;
/// Window of [`SCALING_RATE`].
pub const SCALING_WINDOW: Duration = Duration::from_secs(10);
/// Default and largest number of async retries.
/// <https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html>
pub const MAX_ASYNC_RETRIES: u32 = 2;
/// Default and largest maximum event age, seconds (6 hours).
pub const MAX_EVENT_AGE_SECS: u32 = 21_600;
/// Smallest maximum event age, seconds.
pub const MIN_EVENT_AGE_SECS: u32 = 60;
/// Delay before the first async retry (AWS waits at least 1 minute, then 2).
/// <https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html>
pub const ASYNC_RETRY_DELAYS: [Duration; 2] = [Duration::from_secs(60), Duration::from_secs(120)];
/// Cap of the backoff for throttled async events.
pub const ASYNC_THROTTLE_BACKOFF_MAX: Duration = Duration::from_secs(300);
/// Init phase limit for on-demand functions, seconds.
/// <https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html>
pub const INIT_LIMIT: Duration = Duration::from_secs(10);
/// SQS event source: default batch size.
/// <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html>
pub const SQS_DEFAULT_BATCH: u32 = 10;
/// SQS event source: largest batch size for standard queues.
pub const SQS_MAX_BATCH_STANDARD: u32 = 10_000;
/// SQS event source: largest batch size for FIFO queues.
pub const SQS_MAX_BATCH_FIFO: u32 = 10;
/// SQS event source: largest batching window, seconds.
pub const SQS_MAX_WINDOW_SECS: u32 = 300;
/// SQS event source: concurrent batches the pollers start with.
/// <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html>
pub const SQS_INITIAL_POLLERS: u32 = 5;
/// SQS event source: extra concurrent invocations added per minute of backlog.
pub const SQS_SCALE_PER_MINUTE: u32 = 300;
/// SQS event source: range of ScalingConfig.MaximumConcurrency.
pub const SQS_MAX_CONCURRENCY_RANGE: (u32, u32) = (2, 1_000);
/// How long pollers wait in each long poll (billed as one request each).
pub const SQS_POLL_WAIT: Duration = Duration::from_secs(20);
/// Log bytes returned by `LogType: Tail`.
/// <https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html>
pub const LOG_TAIL_BYTES: usize = 4_096;
/// Idle time after which the sandbox recycles a warm environment (AWS does
/// not document it; observed minutes, so the sandbox draws 5-15 min per environment).
pub const IDLE_RECYCLE_MIN: Duration = Duration::from_secs(300);
/// Upper end of the idle recycle draw.
pub const IDLE_RECYCLE_MAX: Duration = Duration::from_secs(900);
/// Base init duration of a cold start in the sandbox (plus 0-80 ms seeded jitter).
pub const DEFAULT_INIT: Duration = Duration::from_millis(120);
/// Smallest execution time of an invocation that spends no simulated time.
pub const BASE_DURATION: Duration = Duration::from_micros(1_200);
/// Memory a Rust handler uses before it allocates anything (sandbox choice).
pub const BASE_MEMORY_MB: u32 = 18;

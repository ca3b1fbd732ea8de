//! Step Functions quotas, at today's AWS values.

use std::time::Duration;

/// A Standard execution runs at most one year.
/// Source: Step Functions Developer Guide, "Step Functions service quotas"
/// (docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
pub const STANDARD_MAX_DURATION: Duration = Duration::from_secs(365 * 86_400);

/// An Express execution runs at most five minutes.
/// Source: Developer Guide, "Choosing workflow type in Step Functions".
pub const EXPRESS_MAX_DURATION: Duration = Duration::from_secs(300);

/// A Standard execution's history holds at most 25,000 events; the execution
/// fails when it would go beyond.
/// Source: Developer Guide, "Step Functions service quotas".
pub const MAX_HISTORY_EVENTS: usize = 25_000;

/// Largest input or output of a state, task or execution: 256 KiB.
/// Source: API Reference, "StateEnteredEventDetails" (input: max 262,144).
pub const MAX_PAYLOAD_BYTES: usize = 262_144;

/// Longest state name.
/// Source: Developer Guide, "State machine structure in Amazon States Language".
pub const MAX_STATE_NAME_LEN: usize = 80;

/// Longest state machine or execution name.
/// Source: API Reference, "CreateStateMachine" / "StartExecution" (name).
pub const MAX_NAME_LEN: usize = 80;

/// Largest `TimeoutSeconds`/`HeartbeatSeconds` (one year), seconds.
pub const MAX_TIMEOUT_SECONDS: u64 = 31_622_400;

/// Largest definition, characters.
/// Source: API Reference, "CreateStateMachine" (definition: max 1,048,576).
pub const MAX_DEFINITION_LEN: usize = 1_048_576;

/// An inline Map runs at most 40 iterations at once, whatever MaxConcurrency says.
/// Source: Developer Guide, "Using Map state in Inline mode".
pub const INLINE_MAP_CONCURRENCY: usize = 40;

/// A Distributed Map runs up to 10,000 child workflows at once by default.
/// Source: Developer Guide, "Using Map state in Distributed mode".
pub const DISTRIBUTED_MAP_CONCURRENCY: usize = 10_000;

/// After a state machine is deleted its executions may go on; a closed
/// Standard execution stays visible for 90 days.
/// Source: Developer Guide, "Step Functions service quotas" (execution history retention).
pub const CLOSED_EXECUTION_RETENTION: Duration = Duration::from_secs(90 * 86_400);

/// Express workflows are billed for memory in 64 MB steps ...
/// Source: aws.amazon.com/step-functions/pricing ("Express Workflows").
pub const EXPRESS_MEMORY_STEP_MB: u64 = 64;

/// ... and for duration in 100 ms steps.
/// Source: aws.amazon.com/step-functions/pricing ("Express Workflows").
pub const EXPRESS_DURATION_STEP: Duration = Duration::from_millis(100);

/// A task token is this long (characters) in the sandbox (AWS's are opaque).
pub const TASK_TOKEN_LEN: usize = 96;

/// Time between a state finishing and the next state starting. AWS's
/// transitions take a few milliseconds; the sandbox counts them as instant so
/// histories read cleanly; Lambda and other tasks take their own time.
pub const TRANSITION_LATENCY: Duration = Duration::ZERO;

//! EventBridge quotas at today's AWS values (rules bus, "Custom Event Bus -
//! Classic"), each with the documentation page it comes from.

use std::time::Duration;

/// Entries per PutEvents request.
/// <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html>
pub const MAX_PUT_EVENTS_ENTRIES: usize = 10;
/// Largest PutEvents request (the entries' sizes added up), bytes: 1 MB since
/// January 2026 (was 256 KB).
/// <https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb>
pub const MAX_PUT_EVENTS_BYTES: usize = 1_048_576;
/// Bytes a `Time` member adds to an entry's size.
/// <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html>
pub const TIME_ENTRY_BYTES: usize = 14;
/// Event buses per account (the default bus included).
/// <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html>
pub const MAX_BUSES: usize = 100;
/// Rules per event bus (300 in most Regions, us-east-1 included).
pub const MAX_RULES_PER_BUS: usize = 300;
/// Targets per rule.
pub const MAX_TARGETS_PER_RULE: usize = 5;
/// Longest event pattern, characters.
pub const MAX_PATTERN_CHARS: usize = 2048;
/// Longest EventPattern TestEventPattern accepts, characters.
/// <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html>
pub const MAX_TEST_PATTERN_CHARS: usize = 4096;
/// Longest rule name.
/// <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html>
pub const MAX_RULE_NAME: usize = 64;
/// Longest event bus name.
/// <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html>
pub const MAX_BUS_NAME: usize = 256;
/// Longest target id.
/// <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html>
pub const MAX_TARGET_ID: usize = 64;
/// Longest `Input` / `InputTemplate`, characters.
pub const MAX_INPUT_CHARS: usize = 8192;
/// Variables in an `InputPathsMap`.
/// <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html>
pub const MAX_INPUT_PATHS: usize = 100;
/// Default retry policy: attempts ...
/// <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html>
pub const DEFAULT_RETRY_ATTEMPTS: u32 = 185;
/// ... and event age (24 hours).
pub const DEFAULT_MAX_EVENT_AGE: Duration = Duration::from_secs(86_400);
/// RetryPolicy.MaximumRetryAttempts range.
/// <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html>
pub const MAX_RETRY_ATTEMPTS: u32 = 185;
/// RetryPolicy.MaximumEventAgeInSeconds range.
pub const MIN_EVENT_AGE_SECS: u64 = 60;
/// Upper end of the same range.
pub const MAX_EVENT_AGE_SECS: u64 = 86_400;
/// First retry delay; each later one doubles (with full jitter) ...
pub const RETRY_BASE: Duration = Duration::from_secs(1);
/// ... up to this cap.
pub const RETRY_CAP: Duration = Duration::from_secs(600);
/// Shortest schedule: one minute.
/// <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html>
pub const MIN_SCHEDULE: Duration = Duration::from_secs(60);
/// How long a replay takes to start delivering (simulated).
pub const REPLAY_START_DELAY: Duration = Duration::from_secs(60);
/// Page size of the List* actions when no Limit is given.
pub const LIST_PAGE: usize = 100;
/// Billing: each 64 KB chunk of a custom event is one event.
/// <https://aws.amazon.com/eventbridge/pricing/>
pub const BILLING_CHUNK: usize = 65_536;

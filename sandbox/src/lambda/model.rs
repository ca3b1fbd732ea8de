//! The state of functions: configuration, execution environments (warm or
//! cold, busy or idle) and the asynchronous event queue.

use std::any::Any;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::handler::Handler;
use super::quotas::*;
use crate::time::SimTime;

/// A function's settings.
#[derive(Clone, Debug)]
pub struct FunctionConfig {
    /// The code.
    pub handler: Handler,
    /// Memory, MB (128-10,240).
    pub memory_mb: u32,
    /// Timeout (1 s - 15 min).
    pub timeout: Duration,
    /// Environment variables.
    pub environment: BTreeMap<String, String>,
    /// `x86_64` or `arm64`.
    pub architecture: String,
    /// Extra init time this function's code spends on a cold start.
    pub init_duration: Option<Duration>,
    /// Execution role ARN (accepted; IAM is not simulated).
    pub role: String,
    /// Description.
    pub description: String,
    /// Reserved concurrency, if set.
    pub reserved_concurrency: Option<u32>,
    /// Dead-letter queue/topic for failed async events.
    pub dead_letter_arn: Option<String>,
    /// Async retries, destinations and event age.
    pub event_invoke: EventInvokeConfig,
}

impl FunctionConfig {
    /// Defaults for `handler`: 128 MB, 3 s, x86_64.
    pub fn new(handler: Handler) -> FunctionConfig {
        FunctionConfig {
            handler,
            memory_mb: DEFAULT_MEMORY_MB,
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS as u64),
            environment: BTreeMap::new(),
            architecture: "x86_64".into(),
            init_duration: None,
            role: format!(
                "arn:aws:iam::{}:role/lambda-execution",
                crate::cloud::ACCOUNT_ID
            ),
            description: String::new(),
            reserved_concurrency: None,
            dead_letter_arn: None,
            event_invoke: EventInvokeConfig::default(),
        }
    }
}

/// Asynchronous invocation settings (PutFunctionEventInvokeConfig).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventInvokeConfig {
    /// Retries after a function error (0-2, default 2).
    pub maximum_retry_attempts: u32,
    /// Oldest event age before it is discarded, seconds (60-21,600).
    pub maximum_event_age_seconds: u32,
    /// Where to send records of successful invocations.
    pub on_success: Option<String>,
    /// Where to send records of failed or expired events.
    pub on_failure: Option<String>,
}

impl Default for EventInvokeConfig {
    fn default() -> Self {
        EventInvokeConfig {
            maximum_retry_attempts: MAX_ASYNC_RETRIES,
            maximum_event_age_seconds: MAX_EVENT_AGE_SECS,
            on_success: None,
            on_failure: None,
        }
    }
}

/// One execution environment: a warm instance of the function.
pub(crate) struct Env {
    pub id: u64,
    pub created: SimTime,
    pub last_used: SimTime,
    pub busy_until: SimTime,
    pub recycle_after: Duration,
    pub invocations: u64,
    pub log_stream: String,
    /// What the handler kept between invocations (`ctx.state::<T>()`).
    pub state: Option<Box<dyn Any + Send>>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("id", &self.id)
            .field("busy_until", &self.busy_until)
            .field("invocations", &self.invocations)
            .finish()
    }
}

/// An event waiting in a function's async queue.
#[derive(Clone, Debug)]
pub(crate) struct AsyncEvent {
    pub request_id: String,
    pub payload: Value,
    pub first_queued: SimTime,
    pub attempts: u32,
    pub throttles: u32,
}

/// Lifetime counters of a function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FunctionStats {
    /// Invocations that ran (retries included).
    pub invocations: u64,
    /// Invocations that returned an error (timeouts included).
    pub errors: u64,
    /// Requests refused for lack of concurrency.
    pub throttles: u64,
    /// Cold starts.
    pub cold_starts: u64,
    /// Async events dropped after retries or age (sent on to a destination/DLQ if set).
    pub async_failed: u64,
}

/// One function.
#[derive(Debug)]
pub(crate) struct FunctionState {
    pub name: Arc<str>,
    pub arn: String,
    pub config: FunctionConfig,
    pub last_modified: SimTime,
    pub code_sha256: String,
    pub revision: String,
    pub tags: BTreeMap<String, String>,
    pub policy: Vec<Value>,
    pub envs: Vec<Env>,
    pub env_creations: VecDeque<SimTime>,
    pub async_queue: VecDeque<AsyncEvent>,
    pub async_scheduled: bool,
    pub stats: FunctionStats,
}

impl FunctionState {
    /// Environments running an invocation at `now`.
    pub fn busy(&self, now: SimTime) -> u32 {
        self.envs.iter().filter(|e| e.busy_until > now).count() as u32
    }
}

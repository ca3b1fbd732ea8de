//! `Ctx`: what a handler gets besides its event — the invocation's facts,
//! simulated time and memory, logs, per-environment state, and the account's
//! other services, as a function reaches them through the SDK.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt::Display;
use std::time::Duration;

use serde_json::Value;

use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::time::SimTime;

/// Facts about the running invocation.
#[derive(Clone, Debug)]
pub(crate) struct InvocationInfo {
    pub request_id: String,
    pub function_name: String,
    pub function_arn: String,
    pub memory_mb: u32,
    pub timeout: Duration,
    pub started: SimTime,
    pub cold: bool,
    pub environment: BTreeMap<String, String>,
}

/// The invocation context a handler receives.
///
/// ```
/// use cloudlab::prelude::*;
/// # fn main() -> Result<(), CloudError> {
/// let mut cloud = Cloud::new();
/// let counter = cloud.lambda().create_function(
///     "counter",
///     Function::new(|_event, ctx| {
///         let n = ctx.state::<u64>(); // lives as long as the environment
///         *n += 1;
///         let n = *n;
///         ctx.log(format!("call #{n} in this environment"));
///         ctx.spend(20.millis());
///         Ok(json!({ "count": n, "cold": ctx.is_cold_start() }))
///     }),
/// )?;
/// let first = cloud.lambda().invoke(&counter, json!({}))?;
/// let second = cloud.lambda().invoke(&counter, json!({}))?;
/// assert_eq!(first.payload["count"], 1);
/// assert_eq!(second.payload["count"], 2); // warm: same environment
/// cloud.advance(30.mins()); // idle environments are recycled
/// assert_eq!(cloud.lambda().invoke(&counter, json!({}))?.payload["count"], 1);
/// # Ok(()) }
/// ```
pub struct Ctx<'a> {
    pub(crate) cloud: &'a mut Cloud,
    pub(crate) info: InvocationInfo,
    pub(crate) spent: Duration,
    pub(crate) memory_used_mb: u32,
    pub(crate) logs: Vec<(SimTime, String)>,
    pub(crate) state: Option<Box<dyn Any + Send>>,
    pub(crate) timed_out: bool,
}

impl<'a> Ctx<'a> {
    /// This invocation's request id.
    pub fn request_id(&self) -> &str {
        &self.info.request_id
    }

    /// The function's name.
    pub fn function_name(&self) -> &str {
        &self.info.function_name
    }

    /// The function's ARN.
    pub fn function_arn(&self) -> &str {
        &self.info.function_arn
    }

    /// Configured memory, MB.
    pub fn memory_limit_mb(&self) -> u32 {
        self.info.memory_mb
    }

    /// True when this invocation started a new execution environment.
    pub fn is_cold_start(&self) -> bool {
        self.info.cold
    }

    /// An environment variable.
    pub fn env(&self, key: &str) -> Option<&str> {
        self.info.environment.get(key).map(String::as_str)
    }

    /// Simulated time spent so far.
    pub fn elapsed(&self) -> Duration {
        self.spent
    }

    /// Time left before the function times out.
    pub fn remaining_time(&self) -> Duration {
        self.info.timeout.saturating_sub(self.spent)
    }

    /// The virtual time inside the invocation (start + time spent).
    pub fn now(&self) -> SimTime {
        self.info.started + self.spent
    }

    /// Spends simulated time working (CPU, waiting on a database ...).
    /// Past the timeout the invocation ends as "Task timed out".
    pub fn spend(&mut self, d: Duration) {
        self.spent += d;
        if self.spent > self.info.timeout {
            self.timed_out = true;
        }
    }

    /// Allocates `mb` more simulated memory; beyond the function's memory
    /// size the invocation fails with `Runtime.OutOfMemory`.
    pub fn use_memory(&mut self, mb: u32) {
        self.memory_used_mb = self.memory_used_mb.saturating_add(mb);
    }

    /// Writes a line to the function's log stream (CloudWatch Logs).
    pub fn log(&mut self, line: impl Display) {
        let at = self.now();
        self.logs.push((at, line.to_string()));
    }

    /// State that survives between invocations *of the same environment*,
    /// like a global in a real function: it starts as `T::default()` on every
    /// cold start and is gone when the environment is recycled.
    pub fn state<T: Default + Send + 'static>(&mut self) -> &mut T {
        let fresh = !matches!(&self.state, Some(b) if b.is::<T>());
        if fresh {
            self.state = Some(Box::new(T::default()));
        }
        self.state
            .as_mut()
            .and_then(|b| b.downcast_mut::<T>())
            .expect("state was just set to T")
    }

    fn check_alive(&self) -> CloudResult<()> {
        if self.timed_out {
            Err(CloudError::new(
                "Sandbox.Timedout",
                "The function has timed out; its calls no longer reach AWS.",
            ))
        } else {
            Ok(())
        }
    }

    /// Calls any AWS-shaped operation, as the SDK would from inside a function.
    pub fn call(&mut self, service: &str, operation: &str, params: Value) -> CloudResult<Value> {
        self.check_alive()?;
        self.cloud.call(service, operation, params)
    }

    /// SQS, as the function's SDK client (long polls do not wait here).
    pub fn sqs(&mut self) -> crate::sqs::Sqs<'_> {
        self.cloud.sqs()
    }

    /// SNS, as the function's SDK client.
    pub fn sns(&mut self) -> crate::sns::Sns<'_> {
        self.cloud.sns()
    }

    /// Lambda, as the function's SDK client (to invoke other functions; a
    /// synchronous invoke adds the callee's duration to this invocation's).
    pub fn lambda(&mut self) -> super::Lambda<'_> {
        self.cloud.lambda()
    }
}

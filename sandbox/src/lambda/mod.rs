//! AWS Lambda: functions as Rust closures, run in simulated execution
//! environments that cold-start, stay warm and get recycled.
//!
//! - `handler` is a function's code and `FnError`; `ctx` what a handler gets;
//! - `model` holds functions and environments; `runtime` runs one invocation;
//! - `asynch` is the async event queue, `esm` the SQS pollers;
//! - `ops` has one function per API action, `api` the JSON face, and this
//!   module the typed face (`cloud.lambda()`); `view` renders functions.
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let hello = cloud.lambda().create_function(
//!     "hello",
//!     Function::new(|event, ctx| {
//!         ctx.log("saying hello");
//!         Ok(json!({ "greeting": format!("hello {}", event["name"].as_str().unwrap_or("?")) }))
//!     })
//!     .memory(256),
//! )?;
//! let out = cloud.lambda().invoke(&hello, json!({"name": "Ada"}))?;
//! assert_eq!(out.payload["greeting"], "hello Ada");
//! assert!(out.cold_start());
//! assert!(cloud.lambda().logs(&hello).messages().iter().any(|l| l.starts_with("REPORT")));
//! # Ok(()) }
//! ```

pub mod api;
pub(crate) mod asynch;
pub mod ctx;
pub(crate) mod esm;
pub mod handler;
pub mod model;
pub mod ops;
pub mod quotas;
pub(crate) mod runtime;
pub mod view;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::sqs::{AsQueue, Queue};

pub use ctx::Ctx;
pub use esm::MappingStats;
pub use handler::{FnError, Handler, HandlerResult};
pub use model::{EventInvokeConfig, FunctionConfig, FunctionStats};
pub use ops::invoke::Invocation;

/// All functions of an account.
#[derive(Debug, Default)]
pub struct LambdaState {
    pub(crate) functions: BTreeMap<String, model::FunctionState>,
    pub(crate) mappings: esm::Mappings,
    pub(crate) registered: BTreeMap<String, Handler>,
    pub(crate) next_env: u64,
}

impl LambdaState {
    /// Number of functions.
    pub fn len(&self) -> usize {
        self.functions.len()
    }

    /// True when there are no functions.
    pub fn is_empty(&self) -> bool {
        self.functions.is_empty()
    }
}

/// A function to create: its code and settings, as a builder.
///
/// ```
/// use cloudlab::prelude::*;
/// let f = Function::new(|event, _ctx| Ok(event))
///     .memory(512)
///     .timeout(30.secs())
///     .env("TABLE", "orders");
/// assert_eq!(f.config().memory_mb, 512);
/// ```
#[derive(Clone, Debug)]
pub struct Function {
    config: FunctionConfig,
}

impl Function {
    /// A function whose handler is `handler(event, ctx)`.
    pub fn new(
        handler: impl Fn(Value, &mut Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    ) -> Function {
        Function {
            config: FunctionConfig::new(Handler::Rust(Arc::new(handler))),
        }
    }

    /// The built-in `echo` handler: returns its event.
    pub fn echo() -> Function {
        Function {
            config: FunctionConfig::new(Handler::Echo),
        }
    }

    /// The built-in `fail` handler: raises `errorType` from the event.
    pub fn fail() -> Function {
        Function {
            config: FunctionConfig::new(Handler::Fail),
        }
    }

    /// The built-in `sleep` handler: spends `ms` milliseconds from the event.
    pub fn sleep() -> Function {
        Function {
            config: FunctionConfig::new(Handler::Sleep),
        }
    }

    /// Memory in MB (128-10,240; CPU scales with it on AWS).
    pub fn memory(mut self, mb: u32) -> Function {
        self.config.memory_mb = mb;
        self
    }

    /// Timeout (1 s to 15 min; default 3 s).
    pub fn timeout(mut self, d: Duration) -> Function {
        self.config.timeout = d;
        self
    }

    /// An environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Function {
        self.config
            .environment
            .insert(key.to_string(), value.to_string());
        self
    }

    /// Run on Graviton (arm64): cheaper per GB-second.
    pub fn arm64(mut self) -> Function {
        self.config.architecture = "arm64".into();
        self
    }

    /// Time the function's initialisation code takes on a cold start
    /// (default about 120-200 ms).
    pub fn init_duration(mut self, d: Duration) -> Function {
        self.config.init_duration = Some(d);
        self
    }

    /// Reserve (and cap) concurrency for this function.
    pub fn reserved_concurrency(mut self, n: u32) -> Function {
        self.config.reserved_concurrency = Some(n);
        self
    }

    /// Send async events that still fail after retries to this queue (a DLQ).
    pub fn dead_letter_queue(mut self, queue: &Queue) -> Function {
        self.config.dead_letter_arn = Some(queue.arn.clone());
        self
    }

    /// Retries of failed async invocations (0-2; default 2).
    pub fn async_retries(mut self, n: u32) -> Function {
        self.config.event_invoke.maximum_retry_attempts = n;
        self
    }

    /// Drop async events older than this (1 min to 6 h; default 6 h).
    pub fn max_event_age(mut self, d: Duration) -> Function {
        self.config.event_invoke.maximum_event_age_seconds = d.as_secs() as u32;
        self
    }

    /// On-failure destination for async invocations (queue, topic or function ARN).
    pub fn on_failure(mut self, arn: &str) -> Function {
        self.config.event_invoke.on_failure = Some(arn.to_string());
        self
    }

    /// On-success destination for async invocations.
    pub fn on_success(mut self, arn: &str) -> Function {
        self.config.event_invoke.on_success = Some(arn.to_string());
        self
    }

    /// A description.
    pub fn description(mut self, text: &str) -> Function {
        self.config.description = text.to_string();
        self
    }

    /// The settings so far.
    pub fn config(&self) -> &FunctionConfig {
        &self.config
    }
}

/// A function: its name and ARN. Pass `&function` to operations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionRef {
    /// The function's name.
    pub name: String,
    /// The function's ARN.
    pub arn: String,
}

impl FunctionRef {
    /// The handle for function `name` in this account.
    pub fn named(name: &str) -> FunctionRef {
        FunctionRef {
            name: name.to_string(),
            arn: crate::cloud::arn("lambda", &format!("function:{name}")),
        }
    }
}

/// Anything that names a function: a [`FunctionRef`], a name or an ARN.
pub trait AsFunction {
    /// The name or ARN.
    fn function_name(&self) -> String;
}

impl AsFunction for FunctionRef {
    fn function_name(&self) -> String {
        self.name.clone()
    }
}

impl AsFunction for str {
    fn function_name(&self) -> String {
        self.to_string()
    }
}

impl AsFunction for String {
    fn function_name(&self) -> String {
        self.clone()
    }
}

impl<T: AsFunction + ?Sized> AsFunction for &T {
    fn function_name(&self) -> String {
        (**self).function_name()
    }
}

/// How Lambda polls a queue for a function (an SQS event source mapping).
///
/// ```
/// use cloudlab::prelude::*;
/// let p = Polling::batch(10).window(2.secs()).report_failures();
/// # let _ = p;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Polling {
    batch_size: Option<u32>,
    window: Option<Duration>,
    report_failures: bool,
    max_concurrency: Option<u32>,
    disabled: bool,
}

impl Polling {
    /// Up to `n` messages per invocation (default 10).
    pub fn batch(n: u32) -> Polling {
        Polling {
            batch_size: Some(n),
            ..Default::default()
        }
    }

    /// Wait up to `d` to fill a batch (0-300 s; required above 10 messages).
    pub fn window(mut self, d: Duration) -> Polling {
        self.window = Some(d);
        self
    }

    /// The handler reports failed messages (`{"batchItemFailures": [...]}`);
    /// only those return to the queue.
    pub fn report_failures(mut self) -> Polling {
        self.report_failures = true;
        self
    }

    /// Cap the concurrent invocations this source drives (2-1000).
    pub fn max_concurrency(mut self, n: u32) -> Polling {
        self.max_concurrency = Some(n);
        self
    }

    /// Create the mapping disabled.
    pub fn disabled(mut self) -> Polling {
        self.disabled = true;
        self
    }
}

/// An event source mapping: its id, queue and function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSourceMapping {
    /// The mapping's UUID.
    pub uuid: String,
    /// The queue's name.
    pub queue: String,
    /// The function's name.
    pub function: String,
}

/// The typed face of Lambda, borrowed from a [`Cloud`] by [`Cloud::lambda`].
pub struct Lambda<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// AWS Lambda in this account.
    pub fn lambda(&mut self) -> Lambda<'_> {
        Lambda { cloud: self }
    }
}

impl Lambda<'_> {
    /// Creates a function.
    pub fn create_function(&mut self, name: &str, function: Function) -> CloudResult<FunctionRef> {
        ops::functions::create(self.cloud, name, function.config, BTreeMap::new())?;
        Ok(FunctionRef::named(name))
    }

    /// The function called `name`, if it exists.
    pub fn get_function(&mut self, name: &str) -> CloudResult<FunctionRef> {
        let name = ops::function_name(name)?;
        if self.cloud.lambda.functions.contains_key(&name) {
            Ok(FunctionRef::named(&name))
        } else {
            Err(runtime::not_found(&name))
        }
    }

    /// Every function, by name.
    pub fn list_functions(&mut self) -> Vec<FunctionRef> {
        self.cloud
            .lambda
            .functions
            .keys()
            .map(|n| FunctionRef::named(n))
            .collect()
    }

    /// Deletes a function (and its event source mappings).
    pub fn delete_function(&mut self, f: &(impl AsFunction + ?Sized)) -> CloudResult<()> {
        ops::functions::delete_function(
            self.cloud,
            ops::functions::FunctionNameInput {
                function_name: f.function_name(),
                qualifier: None,
            },
        )
    }

    /// Makes a Rust closure available to `CreateFunction` calls (from `call` or
    /// replay scripts) under `handler_name`.
    pub fn register_handler(
        &mut self,
        handler_name: &str,
        handler: impl Fn(Value, &mut Ctx<'_>) -> HandlerResult + Send + Sync + 'static,
    ) {
        self.cloud
            .lambda
            .registered
            .insert(handler_name.to_string(), Handler::Rust(Arc::new(handler)));
    }

    /// Invokes synchronously and waits: time moves on by the invocation's
    /// duration (cold starts included). A function error is `Ok` with
    /// `function_error` set, as in the API; throttling is `Err`. From inside
    /// a handler (`ctx.lambda().invoke(..)`) the caller waits instead: its
    /// own duration (and bill, and timeout) grows by the callee's.
    pub fn invoke(
        &mut self,
        f: &(impl AsFunction + ?Sized),
        event: Value,
    ) -> CloudResult<Invocation> {
        let name = ops::function_name(&f.function_name())?;
        ops::invoke::invoke_sync(self.cloud, &name, event)
    }

    /// Queues an asynchronous invocation (InvocationType Event) and returns its
    /// request id. It runs when time next moves (`cloud.run_until_idle()`).
    pub fn invoke_async(
        &mut self,
        f: &(impl AsFunction + ?Sized),
        event: Value,
    ) -> CloudResult<String> {
        let name = ops::function_name(&f.function_name())?;
        asynch::enqueue(self.cloud, &name, event, "client")
    }

    /// Has Lambda poll `queue` and invoke `f` with batches of its messages.
    pub fn poll_queue(
        &mut self,
        f: &(impl AsFunction + ?Sized),
        queue: &(impl AsQueue + ?Sized),
        polling: Polling,
    ) -> CloudResult<EventSourceMapping> {
        let url = queue.queue_url();
        let qname = crate::sqs::ops::messages::queue_name(&url)?.to_string();
        let out = ops::mappings::create_event_source_mapping(
            self.cloud,
            ops::mappings::EventSourceMappingInput {
                event_source_arn: Some(crate::cloud::arn("sqs", &qname)),
                function_name: Some(f.function_name()),
                batch_size: polling.batch_size,
                maximum_batching_window_in_seconds: polling.window.map(|d| d.as_secs() as u32),
                enabled: Some(!polling.disabled),
                function_response_types: polling
                    .report_failures
                    .then(|| vec!["ReportBatchItemFailures".to_string()]),
                scaling_config: polling
                    .max_concurrency
                    .map(|n| serde_json::json!({"MaximumConcurrency": n})),
                uuid: None,
            },
        )?;
        Ok(EventSourceMapping {
            uuid: out.uuid,
            queue: qname,
            function: ops::function_name(&f.function_name())?,
        })
    }

    /// Turns a mapping's pollers on or off.
    pub fn set_polling_enabled(
        &mut self,
        m: &EventSourceMapping,
        enabled: bool,
    ) -> CloudResult<()> {
        ops::mappings::update_event_source_mapping(
            self.cloud,
            ops::mappings::EventSourceMappingInput {
                uuid: Some(m.uuid.clone()),
                enabled: Some(enabled),
                ..Default::default()
            },
        )
        .map(|_| ())
    }

    /// Counters of a mapping (batches, records, deleted, failed, throttled).
    pub fn mapping_stats(&mut self, m: &EventSourceMapping) -> CloudResult<MappingStats> {
        self.cloud
            .lambda
            .mappings
            .get(&m.uuid)
            .map(|m| m.stats)
            .ok_or_else(|| {
                CloudError::new("ResourceNotFoundException", "No such event source mapping.")
            })
    }

    /// Reserves (and caps) concurrency; 0 stops every invocation.
    pub fn set_reserved_concurrency(
        &mut self,
        f: &(impl AsFunction + ?Sized),
        n: u32,
    ) -> CloudResult<()> {
        ops::functions::put_function_concurrency(
            self.cloud,
            ops::functions::PutFunctionConcurrencyInput {
                function_name: f.function_name(),
                reserved_concurrent_executions: n,
            },
        )
        .map(|_| ())
    }

    /// Redeploys the function's code: warm environments are gone, the next
    /// invocations cold-start.
    pub fn redeploy(&mut self, f: &(impl AsFunction + ?Sized)) -> CloudResult<()> {
        ops::functions::update_function_code(
            self.cloud,
            ops::functions::UpdateFunctionCodeInput {
                function_name: f.function_name(),
                zip_file: None,
            },
        )
        .map(|_| ())
    }

    /// The function's log group, `/aws/lambda/<name>` (empty if it never ran).
    pub fn logs(&mut self, f: &(impl AsFunction + ?Sized)) -> crate::logs::LogView {
        let name = ops::function_name(&f.function_name()).unwrap_or_default();
        self.cloud.logs.group(&format!("/aws/lambda/{name}"))
    }

    /// Counters: invocations, errors, throttles, cold starts, failed async events.
    pub fn stats(&mut self, f: &(impl AsFunction + ?Sized)) -> CloudResult<FunctionStats> {
        Ok(ops::functions::lookup(self.cloud, &f.function_name())?.stats)
    }

    /// Execution environments alive now (busy or warm).
    pub fn environments(&mut self, f: &(impl AsFunction + ?Sized)) -> CloudResult<usize> {
        Ok(ops::functions::lookup(self.cloud, &f.function_name())?
            .envs
            .len())
    }

    /// The function's configuration as GetFunctionConfiguration returns it.
    pub fn configuration(
        &mut self,
        f: &(impl AsFunction + ?Sized),
    ) -> CloudResult<ops::functions::FunctionConfiguration> {
        Ok(ops::functions::configuration(ops::functions::lookup(
            self.cloud,
            &f.function_name(),
        )?))
    }

    /// A view of the function (settings, environments, counters, recent logs).
    pub fn view(&mut self, f: &(impl AsFunction + ?Sized)) -> CloudResult<view::FunctionView> {
        let now = self.cloud.core.now;
        let name = ops::functions::lookup(self.cloud, &f.function_name())?
            .name
            .to_string();
        let logs = self.cloud.logs.group(&format!("/aws/lambda/{name}"));
        Ok(view::FunctionView::of(
            &self.cloud.lambda.functions[&name],
            now,
            logs,
        ))
    }
}

//! Running one invocation: concurrency and throttling, picking a warm
//! environment or cold-starting one, running the handler with its context,
//! timeouts and memory, logs (START/END/REPORT) and billing.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use serde_json::Value;

use super::ctx::{Ctx, InvocationInfo};
use super::handler::FnError;
use super::model::Env;
use super::quotas::*;
use crate::cloud::Cloud;
use crate::error::CloudError;
use crate::time::{DurationExt, SimTime};

/// What one invocation did.
#[derive(Clone, Debug)]
pub(crate) struct Execution {
    pub request_id: String,
    pub outcome: Result<Value, FnError>,
    pub finished: SimTime,
    pub duration: Duration,
    pub billed: Duration,
    pub init: Option<Duration>,
    pub memory_used_mb: u32,
    pub memory_mb: u32,
    pub log: String,
}

/// Why an invocation did not run.
#[derive(Clone, Debug)]
pub(crate) enum Refused {
    NotFound(CloudError),
    Throttled(CloudError),
}

impl Refused {
    pub fn into_error(self) -> CloudError {
        match self {
            Refused::NotFound(e) | Refused::Throttled(e) => e,
        }
    }
}

pub(crate) fn not_found(name: &str) -> CloudError {
    CloudError::new(
        "ResourceNotFoundException",
        format!(
            "Function not found: {}",
            crate::cloud::arn("lambda", &format!("function:{name}"))
        ),
    )
    .with_status(404)
}

fn throttled(reason: &str, message: &str) -> Refused {
    Refused::Throttled(
        CloudError::new(
            "TooManyRequestsException",
            format!("Rate Exceeded. {message} (Reason: {reason})"),
        )
        .with_status(429),
    )
}

/// Checks reserved and account concurrency and the scaling rate, and returns
/// the index of the environment to use (`None`: a cold start is needed).
fn admit(cloud: &mut Cloud, name: &str) -> Result<Option<usize>, Refused> {
    let now = cloud.core.now;
    let reserved_total: u32 = cloud
        .lambda
        .functions
        .values()
        .filter_map(|f| f.config.reserved_concurrency)
        .sum();
    let unreserved_busy: u32 = cloud
        .lambda
        .functions
        .values()
        .filter(|f| f.config.reserved_concurrency.is_none())
        .map(|f| f.busy(now))
        .sum();
    let f = cloud
        .lambda
        .functions
        .get_mut(name)
        .ok_or_else(|| Refused::NotFound(not_found(name)))?;
    recycle(f, now, &mut cloud.core);
    match f.config.reserved_concurrency {
        Some(r) if f.busy(now) >= r => {
            return Err(throttled(
                "ReservedFunctionConcurrentInvocationLimitExceeded",
                &format!("The function's reserved concurrency ({r}) is in use."),
            ));
        }
        None if unreserved_busy >= ACCOUNT_CONCURRENCY.saturating_sub(reserved_total) => {
            return Err(throttled(
                "ConcurrentInvocationLimitExceeded",
                &format!("The account's {ACCOUNT_CONCURRENCY} concurrent executions are in use."),
            ));
        }
        _ => {}
    }
    let warm = f
        .envs
        .iter()
        .enumerate()
        .filter(|(_, e)| e.busy_until <= now)
        .max_by_key(|(_, e)| (e.last_used, e.id))
        .map(|(i, _)| i);
    if warm.is_none() {
        while f
            .env_creations
            .front()
            .is_some_and(|t| now.since(*t) >= SCALING_WINDOW)
        {
            f.env_creations.pop_front();
        }
        if f.env_creations.len() as u32 >= SCALING_RATE {
            return Err(throttled(
                "CallerRateLimitExceeded",
                &format!("The function may add {SCALING_RATE} environments per 10 seconds."),
            ));
        }
    }
    Ok(warm)
}

/// Drops environments idle longer than their recycle time.
fn recycle(f: &mut super::model::FunctionState, now: SimTime, core: &mut crate::cloud::Core) {
    let before = f.envs.len();
    let mut gone = Vec::new();
    f.envs.retain(|e| {
        let keep = e.busy_until > now || now.since(e.last_used) <= e.recycle_after;
        if !keep {
            gone.push(e.id);
        }
        keep
    });
    if f.envs.len() != before {
        let name = f.name.clone();
        for id in gone {
            core.trace(
                "lambda",
                &name,
                "recycle",
                format!("environment {id} recycled after idling"),
            );
        }
    }
}

fn new_env(cloud: &mut Cloud, name: &str) -> Env {
    cloud.lambda.next_env += 1;
    let id = cloud.lambda.next_env;
    let now = cloud.core.now;
    let rng = &mut cloud.core.rng;
    let span = (IDLE_RECYCLE_MAX - IDLE_RECYCLE_MIN).as_secs();
    let recycle_after = IDLE_RECYCLE_MIN + rng.range(0, span).secs();
    let day = now.to_jiff().strftime("%Y/%m/%d").to_string();
    let log_stream = format!("{day}/[$LATEST]{}", rng.hex(32));
    let _ = name;
    Env {
        id,
        created: now,
        last_used: now,
        busy_until: now,
        recycle_after,
        invocations: 0,
        log_stream,
        state: None,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn ceil_ms(d: Duration) -> Duration {
    Duration::from_millis(d.as_nanos().div_ceil(1_000_000) as u64)
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "the handler panicked".to_string()
    }
}

/// Runs one invocation of `name` with `payload` now. The caller decides what
/// the result means (sync response, async retry, batch deletes).
pub(crate) fn execute(
    cloud: &mut Cloud,
    name: &str,
    payload: Value,
    request_id: String,
) -> Result<Execution, Refused> {
    let warm = match admit(cloud, name) {
        Ok(w) => w,
        Err(refused) => {
            if let Some(f) = cloud.lambda.functions.get_mut(name) {
                f.stats.throttles += 1;
                let fname = f.name.clone();
                cloud.core.trace(
                    "lambda",
                    &fname,
                    "throttle",
                    format!("RequestId={request_id}"),
                );
            }
            return Err(refused);
        }
    };
    let now = cloud.core.now;
    let (fname, arn, config) = {
        let f = &cloud.lambda.functions[name];
        (f.name.clone(), f.arn.clone(), f.config.clone())
    };
    let (mut env, init) = match warm {
        Some(i) => (
            cloud
                .lambda
                .functions
                .get_mut(name)
                .expect("admitted")
                .envs
                .swap_remove(i),
            None,
        ),
        None => {
            let env = new_env(cloud, name);
            let jitter = cloud.core.rng.range(0, 80_000).micros_dur();
            let init = config.init_duration.unwrap_or(DEFAULT_INIT + jitter);
            let f = cloud.lambda.functions.get_mut(name).expect("admitted");
            f.env_creations.push_back(now);
            f.stats.cold_starts += 1;
            cloud.core.trace(
                "lambda",
                &fname,
                "cold-start",
                format!("environment {} init {}", env.id, ms(init)),
            );
            (env, Some(init))
        }
    };
    let started = now + init.unwrap_or_default();
    let payload_mb = (payload.to_string().len() / 1_048_576) as u32;
    let mut ctx = Ctx {
        cloud,
        info: InvocationInfo {
            request_id: request_id.clone(),
            function_name: fname.to_string(),
            function_arn: arn.clone(),
            memory_mb: config.memory_mb,
            timeout: config.timeout,
            started,
            cold: init.is_some(),
            environment: config.environment.clone(),
        },
        spent: Duration::ZERO,
        memory_used_mb: BASE_MEMORY_MB + payload_mb,
        logs: Vec::new(),
        state: env.state.take(),
        timed_out: false,
    };
    let handler = config.handler.clone();
    let outer_wait = std::mem::take(&mut ctx.cloud.core.waited);
    ctx.cloud.core.handlers += 1;
    let result = catch_unwind(AssertUnwindSafe(|| handler.call(payload, &mut ctx)));
    ctx.cloud.core.handlers -= 1;
    // Synchronous invocations the handler made: it waited for each.
    let waited = std::mem::replace(&mut ctx.cloud.core.waited, outer_wait);
    ctx.spend(waited);
    let Ctx {
        cloud,
        spent,
        memory_used_mb,
        logs,
        state,
        timed_out,
        ..
    } = ctx;
    let mut keep_env = true;
    let base = BASE_DURATION + cloud.core.rng.range(0, 800).micros_dur();
    let mut duration = if spent.is_zero() {
        base
    } else {
        spent + base / 4
    };
    let mut outcome = match result {
        Ok(r) => r,
        Err(p) => Err(FnError::new("Panic", panic_message(&*p))),
    };
    let mut extra_log = Vec::new();
    if timed_out || duration > config.timeout {
        duration = config.timeout;
        keep_env = false;
        let secs = config.timeout.as_secs_f64();
        extra_log.push(format!(
            "{} {request_id} Task timed out after {secs:.2} seconds",
            (started + duration).to_rfc3339_millis()
        ));
        outcome = Err(FnError::new(
            "Sandbox.Timedout",
            format!("RequestId: {request_id} Error: Task timed out after {secs:.2} seconds"),
        ));
    } else if memory_used_mb > config.memory_mb {
        keep_env = false;
        outcome = Err(FnError::new(
            "Runtime.OutOfMemory",
            format!("RequestId: {request_id} Error: Runtime exited with error: signal: killed"),
        ));
    } else if let Ok(v) = &outcome {
        let size = v.to_string().len();
        if size > MAX_SYNC_PAYLOAD {
            outcome = Err(FnError::new(
                "Function.ResponseSizeTooLarge",
                format!(
                    "Response payload size ({size} bytes) exceeded maximum allowed payload size ({MAX_SYNC_PAYLOAD} bytes)."
                ),
            ));
        }
    }
    if let Err(e) = &outcome
        && e.error_type != "Sandbox.Timedout"
    {
        extra_log.push(e.to_json().to_string());
    }
    let finished = started + duration;
    let billed = ceil_ms(duration) + init.map(ceil_ms).unwrap_or_default();
    let memory_report = memory_used_mb.min(config.memory_mb);
    let mut lines = Vec::with_capacity(logs.len() + 4);
    if let Some(i) = init {
        lines.push((
            now,
            format!(
                "INIT_START Runtime Version: {} (init {})",
                config.handler.runtime(),
                ms(i)
            ),
        ));
    }
    lines.push((
        started,
        format!("START RequestId: {request_id} Version: $LATEST"),
    ));
    lines.extend(logs);
    lines.extend(extra_log.into_iter().map(|l| (finished, l)));
    lines.push((finished, format!("END RequestId: {request_id}")));
    let mut report = format!(
        "REPORT RequestId: {request_id}\tDuration: {}\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB",
        ms(duration),
        billed.as_millis(),
        config.memory_mb,
        memory_report
    );
    if let Some(i) = init {
        report.push_str(&format!("\tInit Duration: {}", ms(i)));
    }
    lines.push((finished, report));
    let log = lines
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let group = format!("/aws/lambda/{fname}");
    cloud.logs.put(&group, &env.log_stream, lines);
    let gb = config.memory_mb as f64 / 1024.0;
    let key = if config.architecture == "arm64" {
        "lambda.arm.gb_seconds"
    } else {
        "lambda.x86.gb_seconds"
    };
    cloud.core.bill("lambda.requests", 1.0);
    cloud.core.bill(key, gb * billed.as_secs_f64());
    let verdict = match &outcome {
        Ok(_) => "ok".to_string(),
        Err(e) => e.error_type.clone(),
    };
    cloud.core.trace(
        "lambda",
        &fname,
        if outcome.is_ok() { "invoke" } else { "error" },
        format!(
            "RequestId={request_id} {} billed {} ms: {verdict}",
            ms(duration),
            billed.as_millis()
        ),
    );
    crate::cloudwatch::collect::lambda_invoked(cloud, &fname, started, finished, duration);
    if let Some(f) = cloud.lambda.functions.get_mut(name) {
        f.stats.invocations += 1;
        if outcome.is_err() {
            f.stats.errors += 1;
        }
        if keep_env {
            env.state = state;
            env.busy_until = finished;
            env.last_used = finished;
            env.invocations += 1;
            f.envs.push(env);
        }
    }
    Ok(Execution {
        request_id,
        outcome,
        finished,
        duration,
        billed,
        init,
        memory_used_mb: memory_report,
        memory_mb: config.memory_mb,
        log,
    })
}

/// Microsecond durations for jitter.
trait Micros {
    fn micros_dur(self) -> Duration;
}

impl Micros for u64 {
    fn micros_dur(self) -> Duration {
        Duration::from_micros(self)
    }
}

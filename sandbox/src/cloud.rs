//! `Cloud`: one simulated AWS account in one region, and the machinery every
//! service shares: the virtual clock, the seeded RNG, the scheduler, the trace
//! and the billing meter.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::billing::{Bill, Meter};
use crate::error::{CloudError, CloudResult};
use crate::rng::SimRng;
use crate::scheduler::{Job, Scheduler, TimerId};
use crate::time::SimTime;
use crate::trace::Trace;
use crate::{apigw, cloudwatch, events, lambda, s3, servers, sns, sqs, states};

/// The account id every simulated account uses.
pub const ACCOUNT_ID: &str = "123456789012";
/// The region every simulated account lives in.
pub const REGION: &str = "us-east-1";
/// The seed `Cloud::new()` uses.
pub const DEFAULT_SEED: u64 = 42;
/// How far `run_until_idle` lets virtual time run before it gives up (one year).
pub const IDLE_HORIZON: Duration = Duration::from_secs(366 * 86_400);

/// What every service needs from the account: clock, randomness, trace, meter.
#[derive(Debug)]
pub struct Core {
    pub(crate) now: SimTime,
    pub(crate) rng: SimRng,
    pub(crate) trace: Trace,
    pub(crate) meter: Meter,
    pub(crate) seed: u64,
    /// Standard-queue duplicates and reordering (off by default).
    pub(crate) anomalies: bool,
    /// How deep inside scheduled work we are; waits only move time at depth 0.
    pub(crate) depth: u32,
    /// How many function handlers are running (one inside another when a
    /// handler invokes a function synchronously).
    pub(crate) handlers: u32,
    /// Time the running handler waited on synchronous invocations it made;
    /// added to its duration when it returns.
    pub(crate) waited: std::time::Duration,
}

impl Core {
    fn new(seed: u64) -> Core {
        Core {
            now: SimTime::EPOCH,
            rng: SimRng::new(seed),
            trace: Trace::default(),
            meter: Meter::default(),
            seed,
            anomalies: false,
            depth: 0,
            handlers: 0,
            waited: std::time::Duration::ZERO,
        }
    }

    /// Current virtual time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Records a trace event at the current time.
    pub fn trace(
        &mut self,
        service: &'static str,
        resource: &Arc<str>,
        kind: &'static str,
        detail: String,
    ) {
        self.trace.record(self.now, service, resource, kind, detail);
    }

    /// Records a trace event whose detail is kept as parts and formatted only
    /// when read (for hot paths).
    pub(crate) fn trace_parts(
        &mut self,
        service: &'static str,
        resource: &Arc<str>,
        kind: &'static str,
        detail: crate::trace::Detail,
    ) {
        self.trace
            .record_parts(self.now, service, resource, kind, detail);
    }

    /// Meters `units` of the billable item `key` now.
    pub fn bill(&mut self, key: &'static str, units: f64) {
        self.meter.add(self.now, key, units);
    }

    /// The seeded random source.
    pub fn rng(&mut self) -> &mut SimRng {
        &mut self.rng
    }

    /// A fresh request id (a UUID, as AWS returns in `x-amzn-RequestId`).
    pub fn request_id(&mut self) -> String {
        self.rng.uuid()
    }

    /// True while running scheduled work (a function, a poller, a retry).
    pub fn in_job(&self) -> bool {
        self.depth > 0
    }
}

/// One simulated AWS account (`123456789012`) in one region (`us-east-1`).
///
/// Deterministic: the same code with the same seed gives the same ids,
/// results and trace. Time starts at [`SimTime::EPOCH`] and moves only when
/// you ask ([`Cloud::advance`], [`Cloud::run_until_idle`]) or an operation
/// waits (a long poll, a synchronous invocation).
///
/// ```
/// use cloudlab::prelude::*;
/// # fn main() -> Result<(), CloudError> {
/// let mut cloud = Cloud::new();
/// let orders = cloud.sqs().create_queue("orders")?;
/// cloud.sqs().send(&orders, "order #1")?;
/// let got = cloud.sqs().receive(&orders, Receive::max(10).wait(20.secs()))?;
/// assert_eq!(got[0].body, "order #1");
/// cloud.advance(31.secs()); // past the 30 s visibility timeout: it is back
/// assert_eq!(cloud.sqs().receive(&orders, Receive::max(10))?.len(), 1);
/// # Ok(()) }
/// ```
pub struct Cloud {
    pub(crate) core: Core,
    pub(crate) scheduler: Scheduler,
    pub(crate) sqs: sqs::SqsState,
    pub(crate) sns: sns::SnsState,
    pub(crate) lambda: lambda::LambdaState,
    pub(crate) s3: s3::S3State,
    pub(crate) apigw: apigw::ApigwState,
    pub(crate) states: states::StatesState,
    pub(crate) events: events::EventsState,
    pub(crate) kinesis: crate::kinesis::KinesisState,
    pub(crate) firehose: crate::firehose::FirehoseState,
    pub(crate) logs: crate::logs::Logs,
    pub(crate) outside: crate::outside::Outside,
    pub(crate) cloudwatch: cloudwatch::CloudWatchState,
    pub(crate) servers: servers::ServersState,
}

impl Default for Cloud {
    fn default() -> Self {
        Cloud::new()
    }
}

impl std::fmt::Debug for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cloud")
            .field("now", &self.core.now.to_string())
            .field("seed", &self.core.seed)
            .field("queues", &self.sqs.len())
            .field("topics", &self.sns.len())
            .field("functions", &self.lambda.len())
            .field("buckets", &self.s3.len())
            .field("apis", &self.apigw.len())
            .field("state_machines", &self.states.len())
            .field("event_buses", &self.events.len())
            .field("streams", &self.kinesis.len())
            .field("firehose_streams", &self.firehose.len())
            .field("scheduled", &self.scheduler.len())
            .finish()
    }
}

impl Cloud {
    /// A fresh account with the default seed.
    pub fn new() -> Cloud {
        Cloud::with_seed(DEFAULT_SEED)
    }

    /// A fresh account whose ids and documented randomness come from `seed`.
    pub fn with_seed(seed: u64) -> Cloud {
        Cloud {
            core: Core::new(seed),
            scheduler: Scheduler::default(),
            sqs: sqs::SqsState::default(),
            sns: sns::SnsState::default(),
            lambda: lambda::LambdaState::default(),
            s3: s3::S3State::default(),
            apigw: apigw::ApigwState::default(),
            states: states::StatesState::default(),
            events: events::EventsState::default(),
            kinesis: crate::kinesis::KinesisState::default(),
            firehose: crate::firehose::FirehoseState::default(),
            logs: crate::logs::Logs::default(),
            outside: crate::outside::Outside::default(),
            cloudwatch: cloudwatch::CloudWatchState::default(),
            servers: servers::ServersState::default(),
        }
    }

    /// Turns standard-queue anomalies on or off for every queue that does not
    /// set its own: occasional duplicate deliveries and reordering, as the SQS
    /// Developer Guide documents for at-least-once delivery. Off by default.
    pub fn with_anomalies(mut self, on: bool) -> Cloud {
        self.core.anomalies = on;
        self
    }

    /// Whether standard-queue anomalies are on by default.
    pub fn anomalies(&self) -> bool {
        self.core.anomalies
    }

    /// Sets standard-queue anomalies for queues that do not set their own.
    pub fn set_anomalies(&mut self, on: bool) {
        self.core.anomalies = on;
    }

    /// The seed this account was created with.
    pub fn seed(&self) -> u64 {
        self.core.seed
    }

    /// The account id, `123456789012`.
    pub fn account_id(&self) -> &'static str {
        ACCOUNT_ID
    }

    /// The region, `us-east-1`.
    pub fn region(&self) -> &'static str {
        REGION
    }

    /// Current virtual time.
    pub fn now(&self) -> SimTime {
        self.core.now
    }

    /// Virtual time elapsed since the account was created.
    pub fn elapsed(&self) -> Duration {
        self.core.now.since(SimTime::EPOCH)
    }

    /// Moves time forward by `d`, running everything scheduled on the way in
    /// time order. Inside a function handler this does nothing (use
    /// `ctx.spend`).
    pub fn advance(&mut self, d: Duration) {
        let target = self.core.now + d;
        self.advance_to(target);
    }

    /// Moves time forward to `t` (never backward), running what is due.
    pub fn advance_to(&mut self, t: SimTime) {
        if self.core.in_job() {
            return;
        }
        while let Some((at, job)) = self.scheduler.pop_due(t) {
            self.run_job(at, job);
        }
        cloudwatch::collect::catch_up(self, t);
        if t > self.core.now {
            self.core.now = t;
        }
    }

    /// Runs scheduled work until nothing but background schedules is left (or a
    /// year of virtual time has passed). Returns how much time passed.
    pub fn run_until_idle(&mut self) -> Duration {
        let start = self.core.now;
        if self.core.in_job() {
            return Duration::ZERO;
        }
        let horizon = start + IDLE_HORIZON;
        while self.scheduler.has_foreground() {
            let Some((at, job)) = self.scheduler.pop_due(horizon) else {
                break;
            };
            self.run_job(at, job);
        }
        self.core.now - start
    }

    /// Runs one job at its time (time never goes backward).
    pub(crate) fn run_job(&mut self, at: SimTime, job: Job) {
        cloudwatch::collect::catch_up(self, at);
        if at > self.core.now {
            self.core.now = at;
        }
        self.core.depth += 1;
        job(self);
        self.core.depth -= 1;
    }

    /// Runs the next due job if it is due no later than `until`; false when none.
    pub(crate) fn step_until(&mut self, until: SimTime) -> bool {
        match self.scheduler.pop_due(until) {
            Some((at, job)) => {
                self.run_job(at, job);
                true
            }
            None => false,
        }
    }

    /// When the next scheduled job is due.
    pub(crate) fn next_due(&mut self) -> Option<SimTime> {
        self.scheduler.next_due()
    }

    /// Schedules `job` to run `after` from now.
    pub fn schedule(
        &mut self,
        after: Duration,
        label: &'static str,
        job: impl FnOnce(&mut Cloud) + Send + 'static,
    ) -> TimerId {
        let at = self.core.now + after;
        self.scheduler.at(at, label, Box::new(job))
    }

    /// Pending scheduled work as (time, label), for views and debugging.
    pub fn pending(&self) -> Vec<(SimTime, &'static str)> {
        self.scheduler.pending()
    }

    /// CloudWatch Logs: log groups such as `/aws/lambda/<name>`.
    pub fn logs(&self) -> &crate::logs::Logs {
        &self.logs
    }

    /// Everything that has happened, oldest first.
    pub fn trace(&self) -> &Trace {
        &self.core.trace
    }

    /// The trace, to clear it or change its capacity.
    pub fn trace_mut(&mut self) -> &mut Trace {
        &mut self.core.trace
    }

    /// The itemised bill so far (us-east-1 list prices, free tier applied per
    /// calendar month; see [`Bill::total_gross_usd`] for the figure without it).
    pub fn bill(&self) -> Bill {
        let mut meter = self.core.meter.clone();
        // S3 storage accrues continuously: meter it up to now for this bill.
        let mut storage = self.s3.storage;
        storage.accrue(&mut meter, self.core.now);
        // So do REST API cache clusters.
        apigw::billing::pending(&self.apigw, &mut meter, self.core.now);
        // So do shard-hours, retention and consumer-shard-hours.
        crate::kinesis::meter::pending(&mut meter, &self.kinesis, self.core.now);
        meter.bill()
    }

    /// Shared services every operation uses (clock, rng, trace, meter).
    pub fn core(&mut self) -> &mut Core {
        &mut self.core
    }

    /// Calls an operation the way the AWS SDKs do: the service as the SDKs
    /// name it (`sqs`, `sns`, `lambda`), the operation and its request members
    /// exactly as the AWS API Reference names them, and the response members
    /// back as JSON. The typed API runs the same code.
    ///
    /// ```
    /// use cloudlab::prelude::*;
    /// use serde_json::json;
    /// let mut cloud = Cloud::new();
    /// let out = cloud.call("sqs", "CreateQueue", json!({"QueueName": "orders"})).unwrap();
    /// assert_eq!(out["QueueUrl"], "https://sqs.us-east-1.amazonaws.com/123456789012/orders");
    /// let err = cloud.call("sqs", "GetQueueUrl", json!({"QueueName": "nope"})).unwrap_err();
    /// assert_eq!(err.code, "QueueDoesNotExist");
    /// ```
    pub fn call(&mut self, service: &str, operation: &str, params: Value) -> CloudResult<Value> {
        match service {
            "sqs" => sqs::api::dispatch(self, operation, params),
            "sns" => sns::api::dispatch(self, operation, params),
            "lambda" => lambda::api::dispatch(self, operation, params),
            "s3" => s3::api::dispatch(self, operation, params),
            "apigateway" => apigw::api::dispatch_rest(self, operation, params),
            "apigatewayv2" => apigw::api::dispatch_http(self, operation, params),
            "states" => states::api::dispatch(self, operation, params),
            "events" => events::api::dispatch(self, operation, params),
            "cloudwatch" => cloudwatch::api::dispatch(self, operation, params),
            "kinesis" => crate::kinesis::api::dispatch(self, operation, params),
            "firehose" => crate::firehose::api::dispatch(self, operation, params),
            other => Err(CloudError::new(
                "UnknownServiceException",
                format!(
                    "Unknown service '{other}'. Services in this sandbox: {}.",
                    SERVICES.join(", ")
                ),
            )),
        }
    }
}

/// Services `Cloud::call` knows, as the SDKs name them.
pub const SERVICES: &[&str] = &[
    "sqs",
    "sns",
    "lambda",
    "s3",
    "states",
    "apigateway",
    "apigatewayv2",
    "events",
    "cloudwatch",
    "kinesis",
    "firehose",
];

/// An ARN in this account and region: `arn:aws:<service>:us-east-1:123456789012:<resource>`.
pub fn arn(service: &str, resource: &str) -> String {
    format!("arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{resource}")
}

/// Splits an ARN into (service, region, account, resource), or `None` if it is not one.
pub fn parse_arn(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    if service.is_empty() || resource.is_empty() {
        return None;
    }
    Some((service, region, account, resource))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;
    use std::sync::Mutex;

    #[test]
    fn jobs_run_in_time_order_then_scheduling_order() {
        let mut cloud = Cloud::new();
        let log = Arc::new(Mutex::new(Vec::new()));
        for (after, name) in [(5u64, "c"), (1, "a"), (5, "d"), (2, "b")] {
            let log = Arc::clone(&log);
            cloud.schedule(after.secs(), "test", move |c| {
                log.lock().unwrap().push((name, c.elapsed()));
            });
        }
        cloud.advance(3.secs());
        assert_eq!(log.lock().unwrap().len(), 2);
        assert_eq!(cloud.elapsed(), 3.secs());
        cloud.run_until_idle();
        let got = log.lock().unwrap().clone();
        assert_eq!(
            got,
            vec![
                ("a", 1.secs()),
                ("b", 2.secs()),
                ("c", 5.secs()),
                ("d", 5.secs())
            ]
        );
    }

    #[test]
    fn run_until_idle_ignores_background_jobs() {
        let mut cloud = Cloud::new();
        cloud
            .scheduler
            .background(SimTime::EPOCH + 10.secs(), "tick", Box::new(|_| {}));
        assert_eq!(cloud.run_until_idle(), Duration::ZERO);
        cloud.advance(11.secs());
        assert!(cloud.pending().is_empty());
    }

    #[test]
    fn cancelled_jobs_do_not_run() {
        let mut cloud = Cloud::new();
        let hit = Arc::new(Mutex::new(false));
        let h = Arc::clone(&hit);
        let id = cloud.schedule(1.secs(), "test", move |_| *h.lock().unwrap() = true);
        cloud.scheduler.cancel(id);
        cloud.run_until_idle();
        assert!(!*hit.lock().unwrap());
    }

    #[test]
    fn arns_round_trip() {
        let a = arn("sqs", "orders");
        assert_eq!(a, "arn:aws:sqs:us-east-1:123456789012:orders");
        assert_eq!(
            parse_arn(&a),
            Some(("sqs", "us-east-1", "123456789012", "orders"))
        );
        assert_eq!(
            parse_arn("arn:aws:lambda:us-east-1:123456789012:function:f")
                .unwrap()
                .3,
            "function:f"
        );
        assert!(parse_arn("orders").is_none());
    }

    #[test]
    fn unknown_service_is_an_error_not_a_panic() {
        let mut cloud = Cloud::new();
        let e = cloud.call("ec3", "Run", Value::Null).unwrap_err();
        assert_eq!(e.code, "UnknownServiceException");
        assert!(e.message.contains("ec3"));
    }
}

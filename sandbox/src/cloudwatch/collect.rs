//! How metrics get into CloudWatch without slowing the services down.
//!
//! **Design.** The services already keep lifetime counters (`QueueStats`,
//! `FunctionStats`, `TopicStats`) and their state answers gauge questions
//! (how many messages are visible at instant *t*). So CloudWatch does not
//! hook the SQS send/receive hot paths at all: it *samples* them at every
//! minute boundary, the way AWS aggregates to one-minute datapoints.
//!
//! Sampling is driven by the clock, not by scheduled jobs: `Cloud::run_job`
//! and `Cloud::advance_to` call [`catch_up`] before time moves, and when time
//! crosses one or more minute boundaries the sampler reads counters
//! (deltas become that minute's Sum) and gauges (the value at the boundary).
//! The check is one comparison per job; an account nobody looks at pays one
//! sample per virtual minute. No job is scheduled, so `run_until_idle` and
//! the pending-job list are unchanged.
//!
//! While time jumps over many minutes at once nothing can change but lazy,
//! time-driven state (an in-flight message becoming visible), so after the
//! first boundary the sampler re-reads a queue's gauges only when its next
//! visibility change has passed.
//!
//! Two figures cannot be sampled: Lambda `Duration` (a distribution) and
//! `ConcurrentExecutions` (a peak inside the minute). The Lambda runtime
//! reports each invocation through [`lambda_invoked`] (a map lookup and a
//! heap push). Services with their own simulation loop (EC2, ALB, Auto
//! Scaling in `servers`) push their figures with [`record`].

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::Arc;
use std::time::Duration;

use super::CloudWatchState;
use super::model::{Datum, Fill, Histogram, MetricKey, StatSet};
use crate::cloud::Cloud;
use crate::time::SimTime;

/// What the sampler remembers between boundaries.
#[derive(Debug)]
pub(crate) struct Collector {
    /// The next minute boundary to sample.
    pub next_boundary: SimTime,
    /// Last cumulative counters per resource (`sqs:orders`).
    counters: BTreeMap<String, Vec<u64>>,
    /// Running invocations per function (end times), for concurrency peaks.
    running: BTreeMap<Arc<str>, BinaryHeap<Reverse<SimTime>>>,
    running_all: BinaryHeap<Reverse<SimTime>>,
}

impl Default for Collector {
    fn default() -> Self {
        Collector {
            next_boundary: SimTime::EPOCH + Duration::from_secs(60),
            counters: BTreeMap::new(),
            running: BTreeMap::new(),
            running_all: BinaryHeap::new(),
        }
    }
}

/// Samples every minute boundary up to and including `t` (call before time
/// moves to `t`).
#[inline]
pub(crate) fn catch_up(cloud: &mut Cloud, t: SimTime) {
    if t >= cloud.cloudwatch.collector.next_boundary {
        catch_up_slow(cloud, t);
    }
}

#[cold]
fn catch_up_slow(cloud: &mut Cloud, t: SimTime) {
    let mut first = true;
    let mut queue_next: BTreeMap<Arc<str>, Option<SimTime>> = BTreeMap::new();
    while cloud.cloudwatch.collector.next_boundary <= t {
        let b = cloud.cloudwatch.collector.next_boundary;
        let minute = b.unix_secs() - 60;
        if first {
            sample_counters(cloud, minute);
        }
        sample_queues(cloud, b, minute, first, &mut queue_next);
        first = false;
        cloud.cloudwatch.collector.next_boundary = b + Duration::from_secs(60);
    }
}

fn delta(c: &mut Collector, id: String, now: Vec<u64>) -> Vec<u64> {
    let prev = c.counters.insert(id, now.clone());
    match prev {
        Some(p) if p.len() == now.len() && p.iter().zip(&now).all(|(a, b)| a <= b) => {
            now.iter().zip(&p).map(|(n, p)| n - p).collect()
        }
        _ => now,
    }
}

fn sample_counters(cloud: &mut Cloud, minute: u64) {
    let cw = &mut cloud.cloudwatch;
    let mut all = [0u64; 3];
    let mut any_lambda = false;
    for (name, f) in &cloud.lambda.functions {
        let s = f.stats;
        let d = delta(
            &mut cw.collector,
            format!("lambda:{name}"),
            vec![s.invocations, s.errors, s.throttles],
        );
        if d.iter().all(|x| *x == 0) {
            continue;
        }
        any_lambda = true;
        let dims = [("FunctionName", name.as_str())];
        for (i, metric) in ["Invocations", "Errors", "Throttles"].iter().enumerate() {
            all[i] += d[i];
            let key = MetricKey::new("AWS/Lambda", metric, &dims);
            cw.series_mut(key, "Count", Fill::None)
                .add(minute, Datum::value(d[i] as f64));
        }
    }
    if any_lambda {
        for (i, metric) in ["Invocations", "Errors", "Throttles"].iter().enumerate() {
            let key = MetricKey::new("AWS/Lambda", metric, &[]);
            cw.series_mut(key, "Count", Fill::None)
                .add(minute, Datum::value(all[i] as f64));
        }
    }
    for (name, t) in &cloud.sns.topics {
        let s = t.stats;
        let d = delta(
            &mut cw.collector,
            format!("sns:{name}"),
            vec![s.published, s.delivered, s.dropped],
        );
        if d.iter().all(|x| *x == 0) {
            continue;
        }
        let dims = [("TopicName", name.as_str())];
        for (i, metric) in [
            "NumberOfMessagesPublished",
            "NumberOfNotificationsDelivered",
            "NumberOfNotificationsFailed",
        ]
        .iter()
        .enumerate()
        {
            let key = MetricKey::new("AWS/SNS", metric, &dims);
            cw.series_mut(key, "Count", Fill::None)
                .add(minute, Datum::value(d[i] as f64));
        }
    }
    for (name, q) in &cloud.sqs.queues {
        let s = q.stats;
        let d = delta(
            &mut cw.collector,
            format!("sqs:{name}"),
            vec![s.sent + s.moved_in, s.received, s.deleted],
        );
        let dims = [("QueueName", &**name)];
        for (i, metric) in [
            "NumberOfMessagesSent",
            "NumberOfMessagesReceived",
            "NumberOfMessagesDeleted",
        ]
        .iter()
        .enumerate()
        {
            let key = MetricKey::new("AWS/SQS", metric, &dims);
            let series = cw.series_mut(key, "Count", Fill::Zero);
            if d[i] > 0 {
                series.add(minute, Datum::value(d[i] as f64));
            }
        }
    }
    sample_other_services(cloud_services(cloud), &mut cloud.cloudwatch, minute);
    let cw = &mut cloud.cloudwatch;
    // Forget resources that are gone (their series stay).
    let live = |id: &str| match id.split_once(':') {
        Some(("lambda", n)) => cloud.lambda.functions.contains_key(n),
        Some(("sns", n)) => cloud.sns.topics.contains_key(n),
        Some(("sqs", n)) => cloud.sqs.queues.contains_key(n),
        _ => true,
    };
    cw.collector.counters.retain(|id, _| live(id));
}

/// One resource's cumulative counters: (collector id, namespace, dimensions,
/// metric names, values).
type Counters = (
    String,
    &'static str,
    Vec<(&'static str, String)>,
    &'static [&'static str],
    Vec<u64>,
);

/// The counters EventBridge, API Gateway, S3, Kinesis, Firehose and Step
/// Functions keep, read the same way as SQS's and Lambda's (a datapoint for
/// every minute with activity, zeros included).
fn cloud_services(cloud: &Cloud) -> Vec<Counters> {
    let mut out: Vec<Counters> = Vec::new();
    for bus in cloud.events.buses.values() {
        for (name, r) in &bus.rules {
            let s = r.stats;
            out.push((
                format!("events:{}/{name}", bus.name),
                "AWS/Events",
                vec![
                    ("EventBusName", bus.name.to_string()),
                    ("RuleName", name.clone()),
                ],
                &[
                    "TriggeredRules",
                    "Invocations",
                    "FailedInvocations",
                    "DeadLetterInvocations",
                    "RetryInvocationAttempts",
                ],
                vec![
                    s.triggered,
                    s.invocations,
                    s.failed_invocations,
                    s.sent_to_dlq,
                    s.retries,
                ],
            ));
        }
    }
    for api in cloud.apigw.http_apis.values() {
        for (stage, st) in &api.stages {
            let s = st.stats;
            out.push((
                format!("apigw:{}/{stage}", api.id),
                "AWS/ApiGateway",
                vec![("ApiId", api.id.clone()), ("Stage", stage.clone())],
                &["Count", "4xx", "5xx"],
                vec![s.requests, s.client_4xx, s.server_5xx],
            ));
        }
    }
    for api in cloud.apigw.rest_apis.values() {
        for (stage, st) in &api.stages {
            let s = st.stats;
            out.push((
                format!("apigw:{}/{stage}", api.id),
                "AWS/ApiGateway",
                vec![("ApiName", api.name.clone()), ("Stage", stage.clone())],
                &[
                    "Count",
                    "4XXError",
                    "5XXError",
                    "CacheHitCount",
                    "CacheMissCount",
                ],
                vec![
                    s.requests,
                    s.client_4xx,
                    s.server_5xx,
                    s.cache_hits,
                    s.cache_misses,
                ],
            ));
        }
    }
    for (name, b) in &cloud.s3.buckets {
        let s = b.stats;
        out.push((
            format!("s3:{name}"),
            "AWS/S3",
            vec![
                ("BucketName", name.to_string()),
                ("FilterId", "EntireBucket".into()),
            ],
            &["GetRequests", "PutRequests", "DeleteRequests"],
            vec![s.gets, s.puts, s.deletes],
        ));
    }
    for (name, st) in &cloud.kinesis.streams {
        let mut c = [0u64; 6];
        for s in st.shards.iter().map(|sh| sh.stats) {
            let v = [
                s.records_in,
                s.bytes_in,
                s.records_out,
                s.reads,
                s.write_throttles,
                s.read_throttles,
            ];
            c.iter_mut().zip(v).for_each(|(a, b)| *a += b);
        }
        out.push((
            format!("kinesis:{name}"),
            "AWS/Kinesis",
            vec![("StreamName", name.clone())],
            &[
                "IncomingRecords",
                "IncomingBytes",
                "GetRecords.Records",
                "GetRecords.Success",
                "WriteProvisionedThroughputExceeded",
                "ReadProvisionedThroughputExceeded",
            ],
            c.to_vec(),
        ));
    }
    for (name, f) in &cloud.firehose.streams {
        let s = f.stats;
        out.push((
            format!("firehose:{name}"),
            "AWS/Firehose",
            vec![("DeliveryStreamName", name.clone())],
            &[
                "IncomingRecords",
                "IncomingBytes",
                "ThrottledRecords",
                "DeliveryToS3.Records",
            ],
            vec![s.records_in, s.bytes_in, s.throttled, s.records_delivered],
        ));
    }
    let mut machines: std::collections::BTreeMap<&str, [u64; 5]> = Default::default();
    for e in &cloud.states.execs {
        let c = machines.entry(e.machine_arn.as_str()).or_default();
        c[0] += 1;
        match e.status {
            crate::states::model::Status::Succeeded => c[1] += 1,
            crate::states::model::Status::Failed => c[2] += 1,
            crate::states::model::Status::TimedOut => c[3] += 1,
            crate::states::model::Status::Aborted => c[4] += 1,
            crate::states::model::Status::Running => {}
        }
    }
    for (arn, c) in machines {
        out.push((
            format!("states:{arn}"),
            "AWS/States",
            vec![("StateMachineArn", arn.to_string())],
            &[
                "ExecutionsStarted",
                "ExecutionsSucceeded",
                "ExecutionsFailed",
                "ExecutionsTimedOut",
                "ExecutionsAborted",
            ],
            c.to_vec(),
        ));
    }
    out
}

fn sample_other_services(counters: Vec<Counters>, cw: &mut CloudWatchState, minute: u64) {
    for (id, ns, dims, names, values) in counters {
        let d = delta(&mut cw.collector, id, values);
        if d.iter().all(|x| *x == 0) {
            continue;
        }
        let dims: Vec<(&str, &str)> = dims.iter().map(|(k, v)| (*k, v.as_str())).collect();
        for (name, v) in names.iter().zip(d) {
            cw.series_mut(MetricKey::new(ns, name, &dims), "Count", Fill::None)
                .add(minute, Datum::value(v as f64));
        }
    }
}

const QUEUE_GAUGES: [&str; 4] = [
    "ApproximateNumberOfMessagesVisible",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateAgeOfOldestMessage",
];
const QUEUE_COUNTERS: [&str; 3] = [
    "NumberOfMessagesSent",
    "NumberOfMessagesReceived",
    "NumberOfMessagesDeleted",
];

/// Reads (or, within one catch-up, re-reads only when they may have changed)
/// each queue's gauges at boundary `b`, and marks its series alive.
fn sample_queues(
    cloud: &mut Cloud,
    b: SimTime,
    minute: u64,
    first: bool,
    next: &mut BTreeMap<Arc<str>, Option<SimTime>>,
) {
    let cw = &mut cloud.cloudwatch;
    for (name, q) in &cloud.sqs.queues {
        let dims = [("QueueName", &**name)];
        let stale = first || next.get(name).copied().flatten().is_some_and(|t| t <= b);
        if stale {
            let (visible, in_flight, delayed) = q.counts(b);
            let oldest = q
                .messages
                .values()
                .map(|m| m.sent_at)
                .min()
                .map_or(f64::NAN, |t| t.unix_secs() as f64);
            let values = [visible as f64, in_flight as f64, delayed as f64, oldest];
            for (metric, v) in QUEUE_GAUGES.iter().zip(values) {
                let age = *metric == "ApproximateAgeOfOldestMessage";
                let (unit, fill) = if age {
                    ("Seconds", Fill::Age)
                } else {
                    ("Count", Fill::Carry)
                };
                let series = cw.series_mut(MetricKey::new("AWS/SQS", metric, &dims), unit, fill);
                let last = series.points.values().next_back().map(|d| d.stats.max);
                let same = last.is_some_and(|l| l == v || (l.is_nan() && v.is_nan()));
                if !same {
                    series.add(minute, Datum::value(v));
                }
                series.seen(minute);
            }
            next.insert(name.clone(), q.next_visible_at(b));
        } else {
            for metric in QUEUE_GAUGES {
                if let Some(id) = cw.index.get(&MetricKey::new("AWS/SQS", metric, &dims)) {
                    cw.series[*id].seen(minute);
                }
            }
        }
        for metric in QUEUE_COUNTERS {
            if let Some(id) = cw.index.get(&MetricKey::new("AWS/SQS", metric, &dims)) {
                cw.series[*id].seen(minute);
            }
        }
    }
}

/// Called by the Lambda runtime for every invocation that ran: records its
/// duration and the concurrency peak of the minute it started in.
pub(crate) fn lambda_invoked(
    cloud: &mut Cloud,
    function: &Arc<str>,
    start: SimTime,
    end: SimTime,
    duration: Duration,
) {
    let cw = &mut cloud.cloudwatch;
    let heap = cw.collector.running.entry(function.clone()).or_default();
    while heap.peek().is_some_and(|Reverse(t)| *t <= start) {
        heap.pop();
    }
    heap.push(Reverse(end));
    let concurrency = heap.len() as f64;
    let all = &mut cw.collector.running_all;
    while all.peek().is_some_and(|Reverse(t)| *t <= start) {
        all.pop();
    }
    all.push(Reverse(end));
    let concurrency_all = all.len() as f64;
    let minute = start.unix_secs() / 60 * 60;
    let ms = duration.as_secs_f64() * 1000.0;
    let dims = [("FunctionName", &**function)];
    let mut hist = Histogram::default();
    hist.add(ms, 1.0);
    let d = Datum {
        stats: StatSet::of(ms, 1.0),
        histogram: Some(hist),
    };
    cw.series_mut(
        MetricKey::new("AWS/Lambda", "Duration", &dims),
        "Milliseconds",
        Fill::None,
    )
    .add(minute, d);
    for (dims, c) in [(&dims[..], concurrency), (&[][..], concurrency_all)] {
        let key = MetricKey::new("AWS/Lambda", "ConcurrentExecutions", dims);
        let s = cw.series_mut(key, "Count", Fill::None);
        // Keep the minute's peak: one datum whose every statistic is the peak.
        let peak = s.points.get(&minute).map_or(c, |d| d.stats.max.max(c));
        s.points.insert(minute, Datum::value(peak));
    }
}

/// Adds `datum` to metric `key` for the period containing `at` (for services
/// that publish their own metrics).
pub fn record(cw: &mut CloudWatchState, key: MetricKey, unit: &str, at: SimTime, datum: Datum) {
    let s = cw.series_mut(key, unit, Fill::None);
    s.add(at.unix_secs(), datum);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;

    #[test]
    fn deltas_survive_a_counter_reset() {
        let mut c = Collector::default();
        assert_eq!(delta(&mut c, "q".into(), vec![3, 1]), vec![3, 1]);
        assert_eq!(delta(&mut c, "q".into(), vec![5, 1]), vec![2, 0]);
        // Deleted and recreated: counters start again from zero.
        assert_eq!(delta(&mut c, "q".into(), vec![1, 0]), vec![1, 0]);
    }

    #[test]
    fn the_first_boundary_is_a_minute_after_the_epoch() {
        let mut cloud = Cloud::new();
        cloud.advance(59.secs());
        assert_eq!(
            cloud.cloudwatch.collector.next_boundary,
            SimTime::EPOCH + 60.secs()
        );
        cloud.advance(1.secs());
        assert_eq!(
            cloud.cloudwatch.collector.next_boundary,
            SimTime::EPOCH + 120.secs()
        );
    }
}

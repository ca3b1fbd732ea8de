//! Amazon CloudWatch: the metrics every service in the sandbox publishes, and
//! alarms that watch them in virtual time.
//!
//! - `model` is the metric store (one datum per minute per metric);
//! - `collect` is how metrics get there (see its doc for the design: minute
//!   sampling driven by the clock, so the SQS and Lambda hot paths stay fast);
//! - `alarms` evaluates alarms each minute and runs their actions;
//! - `math` is metric math (`m1 / m2`); `ops` one function per API action,
//!   `api` the JSON face (`cloud.call("cloudwatch", ...)`), this module the
//!   typed face (`cloud.cloudwatch()`), `view` charts and tables.
//!
//! Metrics published, as AWS names them:
//!
//! | namespace | metrics | dimension |
//! |-|-|-|
//! | `AWS/SQS` | ApproximateNumberOfMessagesVisible, ...NotVisible, ...Delayed, ApproximateAgeOfOldestMessage, NumberOfMessagesSent, ...Received, ...Deleted | QueueName |
//! | `AWS/Lambda` | Invocations, Errors, Throttles, Duration, ConcurrentExecutions | FunctionName (and account-wide) |
//! | `AWS/SNS` | NumberOfMessagesPublished, NumberOfNotificationsDelivered, NumberOfNotificationsFailed | TopicName |
//! | `AWS/Events` | TriggeredRules, Invocations, FailedInvocations, DeadLetterInvocations, RetryInvocationAttempts | EventBusName, RuleName |
//! | `AWS/ApiGateway` | Count, 4xx, 5xx (HTTP APIs); Count, 4XXError, 5XXError, CacheHitCount, CacheMissCount (REST) | ApiId or ApiName, Stage |
//! | `AWS/S3` | GetRequests, PutRequests, DeleteRequests (request metrics, opt-in on AWS) | BucketName, FilterId |
//! | `AWS/States` | ExecutionsStarted, ExecutionsSucceeded, ExecutionsFailed, ExecutionsTimedOut, ExecutionsAborted | StateMachineArn |
//! | `AWS/EC2`, `AWS/ApplicationELB`, `AWS/AutoScaling` | CPUUtilization; RequestCount, TargetResponseTime, HTTPCode_ELB_5XX_Count, HTTPCode_Target_5XX_Count, HealthyHostCount, UnHealthyHostCount, RequestCountPerTarget; GroupDesiredCapacity, GroupInServiceInstances, ... (see [`crate::servers`]) | AutoScalingGroupName; LoadBalancer, TargetGroup |
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let q = cloud.sqs().create_queue("jobs")?;
//! let topic = cloud.sns().create_topic("ops")?;
//! cloud.cloudwatch().put_alarm(
//!     AlarmSpec::new("jobs-backlog", MetricKey::sqs(&q.name, "ApproximateNumberOfMessagesVisible"))
//!         .statistic("Maximum")
//!         .above(5.0)
//!         .on_alarm(&topic.arn),
//! )?;
//! for i in 0..10 {
//!     cloud.sqs().send(&q, format!("job {i}"))?;
//! }
//! cloud.advance(2.mins());
//! assert_eq!(cloud.cloudwatch().state("jobs-backlog")?, AlarmState::Alarm);
//! # Ok(()) }
//! ```

pub mod alarms;
pub mod api;
pub mod collect;
pub mod math;
pub mod model;
pub mod ops;
pub mod quotas;
pub mod view;

use std::collections::BTreeMap;
use std::time::Duration;

use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::time::SimTime;

pub use alarms::{Alarm, AlarmState, Comparison, MissingData};
pub use model::{Datum, Fill, MetricKey, Series, StatSet, Statistic};
pub use ops::metrics::MetricDataQuery;
pub use view::{AlarmsView, Chart};

/// Metrics and alarms of an account.
#[derive(Debug, Default)]
pub struct CloudWatchState {
    pub(crate) series: Vec<Series>,
    pub(crate) index: BTreeMap<MetricKey, usize>,
    pub(crate) alarms: BTreeMap<String, Alarm>,
    pub(crate) collector: collect::Collector,
    pub(crate) alarm_job: bool,
}

impl CloudWatchState {
    /// The series of `key`, created (empty) if new.
    pub fn series_mut(&mut self, key: MetricKey, unit: &str, fill: Fill) -> &mut Series {
        let id = self.series_id(key, unit, fill);
        &mut self.series[id]
    }

    /// The index of `key`'s series (created if new), for hot publishers.
    pub fn series_id(&mut self, key: MetricKey, unit: &str, fill: Fill) -> usize {
        if let Some(id) = self.index.get(&key) {
            return *id;
        }
        let id = self.series.len();
        self.series.push(Series::new(key.clone(), unit, fill));
        self.index.insert(key, id);
        id
    }

    /// The series with index `id`.
    pub fn series_at(&mut self, id: usize) -> &mut Series {
        &mut self.series[id]
    }

    /// The series of `key`, if anything was ever published to it.
    pub fn get(&self, key: &MetricKey) -> Option<&Series> {
        self.index.get(key).map(|id| &self.series[*id])
    }

    /// Number of metrics.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// True when no metric exists.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}

impl MetricKey {
    /// An SQS queue metric (`AWS/SQS`, dimension QueueName).
    pub fn sqs(queue: &str, metric: &str) -> MetricKey {
        MetricKey::new("AWS/SQS", metric, &[("QueueName", queue)])
    }

    /// A Lambda function metric (`AWS/Lambda`, dimension FunctionName).
    pub fn lambda(function: &str, metric: &str) -> MetricKey {
        MetricKey::new("AWS/Lambda", metric, &[("FunctionName", function)])
    }

    /// An SNS topic metric (`AWS/SNS`, dimension TopicName).
    pub fn sns(topic: &str, metric: &str) -> MetricKey {
        MetricKey::new("AWS/SNS", metric, &[("TopicName", topic)])
    }

    /// A custom metric without dimensions (add some with [`MetricKey::dim`]).
    pub fn custom(namespace: &str, metric: &str) -> MetricKey {
        MetricKey::new(namespace, metric, &[])
    }

    /// The same metric with one more dimension.
    pub fn dim(mut self, name: &str, value: &str) -> MetricKey {
        self.dimensions.retain(|(n, _)| n != name);
        self.dimensions.push((name.to_string(), value.to_string()));
        self.dimensions.sort();
        self
    }

    fn as_metric(&self) -> ops::metrics::Metric {
        ops::metrics::Metric::of(self)
    }
}

/// An alarm to create, as a builder (the typed face of PutMetricAlarm).
///
/// Defaults: statistic Average, period 60 s, 1 of 1 datapoints, missing data
/// treated as `missing`.
#[derive(Clone, Debug)]
pub struct AlarmSpec {
    input: ops::alarms::PutMetricAlarmInput,
}

impl AlarmSpec {
    /// An alarm on one metric.
    pub fn new(name: &str, metric: MetricKey) -> AlarmSpec {
        let m = metric.as_metric();
        AlarmSpec {
            input: ops::alarms::PutMetricAlarmInput {
                alarm_name: name.to_string(),
                metric_name: Some(m.metric_name),
                namespace: Some(m.namespace),
                dimensions: m.dimensions,
                statistic: Some("Average".into()),
                period: Some(60),
                evaluation_periods: 1,
                comparison_operator: "GreaterThanThreshold".into(),
                ..Default::default()
            },
        }
    }

    /// An alarm on metric math: `expression` over the named metrics, e.g.
    /// `AlarmSpec::math("backlog", "m1 / m2", [("m1", visible, "Maximum"), ("m2", in_service, "Average")])`.
    pub fn math<'a>(
        name: &str,
        expression: &str,
        metrics: impl IntoIterator<Item = (&'a str, MetricKey, &'a str)>,
    ) -> AlarmSpec {
        let mut queries: Vec<MetricDataQuery> = metrics
            .into_iter()
            .map(|(id, key, stat)| MetricDataQuery {
                id: id.to_string(),
                metric_stat: Some(ops::metrics::MetricStat {
                    metric: key.as_metric(),
                    period: 60,
                    stat: stat.to_string(),
                    unit: None,
                }),
                return_data: Some(false),
                ..Default::default()
            })
            .collect();
        queries.push(MetricDataQuery {
            id: "e1".into(),
            expression: Some(expression.to_string()),
            label: Some(name.to_string()),
            return_data: Some(true),
            ..Default::default()
        });
        AlarmSpec {
            input: ops::alarms::PutMetricAlarmInput {
                alarm_name: name.to_string(),
                evaluation_periods: 1,
                comparison_operator: "GreaterThanThreshold".into(),
                metrics: Some(queries),
                ..Default::default()
            },
        }
    }

    /// The statistic (`Average`, `Sum`, `Maximum`, `Minimum`, `SampleCount`, or `p99`).
    pub fn statistic(mut self, stat: &str) -> AlarmSpec {
        if stat.starts_with('p') {
            self.input.statistic = None;
            self.input.extended_statistic = Some(stat.to_string());
        } else {
            self.input.statistic = Some(stat.to_string());
            self.input.extended_statistic = None;
        }
        self
    }

    /// Seconds per datapoint (a multiple of 60).
    pub fn period(mut self, d: Duration) -> AlarmSpec {
        let secs = d.as_secs();
        if let Some(qs) = &mut self.input.metrics {
            for q in qs.iter_mut() {
                if let Some(ms) = &mut q.metric_stat {
                    ms.period = secs;
                }
            }
        } else {
            self.input.period = Some(secs);
        }
        self
    }

    fn compare(mut self, op: &str, threshold: f64) -> AlarmSpec {
        self.input.comparison_operator = op.to_string();
        self.input.threshold = Some(threshold);
        self
    }

    /// ALARM when the statistic is `> threshold`.
    pub fn above(self, threshold: f64) -> AlarmSpec {
        self.compare("GreaterThanThreshold", threshold)
    }

    /// ALARM when the statistic is `>= threshold`.
    pub fn at_least(self, threshold: f64) -> AlarmSpec {
        self.compare("GreaterThanOrEqualToThreshold", threshold)
    }

    /// ALARM when the statistic is `< threshold`.
    pub fn below(self, threshold: f64) -> AlarmSpec {
        self.compare("LessThanThreshold", threshold)
    }

    /// ALARM when the statistic is `<= threshold`.
    pub fn at_most(self, threshold: f64) -> AlarmSpec {
        self.compare("LessThanOrEqualToThreshold", threshold)
    }

    /// Look at `n` periods, ALARM when `m` of them breach.
    pub fn datapoints(mut self, m: u32, n: u32) -> AlarmSpec {
        self.input.datapoints_to_alarm = Some(m);
        self.input.evaluation_periods = n;
        self
    }

    /// `missing`, `notBreaching`, `breaching` or `ignore`.
    pub fn treat_missing(mut self, how: &str) -> AlarmSpec {
        self.input.treat_missing_data = Some(how.to_string());
        self
    }

    /// Notify (SNS topic), invoke (Lambda) or scale (Auto Scaling policy) on ALARM.
    pub fn on_alarm(mut self, arn: &str) -> AlarmSpec {
        self.input
            .alarm_actions
            .get_or_insert_with(Vec::new)
            .push(arn.to_string());
        self
    }

    /// An action on returning to OK.
    pub fn on_ok(mut self, arn: &str) -> AlarmSpec {
        self.input
            .ok_actions
            .get_or_insert_with(Vec::new)
            .push(arn.to_string());
        self
    }

    /// A description.
    pub fn description(mut self, text: &str) -> AlarmSpec {
        self.input.alarm_description = Some(text.to_string());
        self
    }

    /// The PutMetricAlarm request this builds.
    pub fn input(&self) -> &ops::alarms::PutMetricAlarmInput {
        &self.input
    }
}

/// The typed face of CloudWatch, borrowed from a [`Cloud`] by [`Cloud::cloudwatch`].
pub struct CloudWatch<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// Amazon CloudWatch in this account.
    pub fn cloudwatch(&mut self) -> CloudWatch<'_> {
        CloudWatch { cloud: self }
    }
}

impl CloudWatch<'_> {
    /// Publishes one value of a custom metric now (PutMetricData).
    pub fn put(
        &mut self,
        namespace: &str,
        metric: &str,
        dimensions: &[(&str, &str)],
        value: f64,
    ) -> CloudResult<()> {
        ops::metrics::put_metric_data(
            self.cloud,
            ops::metrics::PutMetricDataInput {
                namespace: namespace.to_string(),
                metric_data: vec![ops::metrics::MetricDatum {
                    metric_name: metric.to_string(),
                    dimensions: dimensions
                        .iter()
                        .map(|(n, v)| ops::Dimension {
                            name: n.to_string(),
                            value: v.to_string(),
                        })
                        .collect(),
                    value: Some(value),
                    ..Default::default()
                }],
            },
        )
    }

    /// One statistic of `metric` per `period` from `from` to now, as
    /// (period start, value); periods without data are left out.
    pub fn statistics(
        &mut self,
        metric: &MetricKey,
        stat: &str,
        period: Duration,
        from: SimTime,
    ) -> CloudResult<Vec<(SimTime, f64)>> {
        let st = Statistic::parse(stat)
            .ok_or_else(|| ops::invalid(format!("'{stat}' is not a statistic.")))?;
        let p = period.as_secs();
        ops::metrics::check_period(p, "period")?;
        // Include the current (partial) period so far.
        collect::catch_up(self.cloud, self.cloud.core.now);
        let end = self.cloud.core.now.unix_secs() / p * p + p;
        let start = from.unix_secs() / p * p;
        Ok(
            ops::metrics::stat_series(&self.cloud.cloudwatch, metric, st, start, end, p)
                .into_iter()
                .map(|(t, v)| (SimTime::from_unix_nanos(t * 1_000_000_000), v))
                .collect(),
        )
    }

    /// A chart of one statistic of `metric` per `period` since the account started.
    pub fn chart(
        &mut self,
        metric: &MetricKey,
        stat: &str,
        period: Duration,
    ) -> CloudResult<Chart> {
        let points = self.statistics(metric, stat, period, SimTime::EPOCH)?;
        let unit = self
            .cloud
            .cloudwatch
            .get(metric)
            .map_or("None".to_string(), |s| s.unit.clone());
        Ok(Chart::new(&metric.to_string(), &unit, SimTime::EPOCH).line(stat, &points))
    }

    /// Creates or updates an alarm (PutMetricAlarm).
    pub fn put_alarm(&mut self, spec: AlarmSpec) -> CloudResult<()> {
        ops::alarms::put_metric_alarm(self.cloud, spec.input)
    }

    fn find(&self, name: &str) -> CloudResult<&Alarm> {
        self.cloud.cloudwatch.alarms.get(name).ok_or_else(|| {
            CloudError::new("ResourceNotFound", format!("Alarm {name} does not exist."))
                .with_status(404)
        })
    }

    /// An alarm's state.
    pub fn state(&mut self, name: &str) -> CloudResult<AlarmState> {
        Ok(self.find(name)?.state)
    }

    /// An alarm (settings, state, reason, history).
    pub fn alarm(&mut self, name: &str) -> CloudResult<Alarm> {
        self.find(name).cloned()
    }

    /// Deletes an alarm.
    pub fn delete_alarm(&mut self, name: &str) -> CloudResult<()> {
        ops::alarms::delete_alarms(
            self.cloud,
            ops::alarms::AlarmNamesInput {
                alarm_names: vec![name.to_string()],
            },
        )
    }

    /// Every alarm, as a table.
    pub fn alarms(&mut self) -> AlarmsView {
        AlarmsView::of(self.cloud.cloudwatch.alarms.values())
    }

    /// Every metric published so far.
    pub fn metrics(&mut self) -> Vec<MetricKey> {
        collect::catch_up(self.cloud, self.cloud.core.now);
        self.cloud.cloudwatch.index.keys().cloned().collect()
    }
}

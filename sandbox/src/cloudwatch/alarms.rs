//! Metric alarms: their state, how they are evaluated each minute in virtual
//! time, and what their actions do (SNS notifications, Lambda invocations,
//! Auto Scaling policies).
//!
//! An alarm looks at its last `EvaluationPeriods` complete periods; it goes to
//! ALARM when at least `DatapointsToAlarm` of them breach the threshold, to OK
//! when fewer do, and `TreatMissingData` says what a missing datapoint counts
//! as. Actions run on state changes, except Auto Scaling actions, which run
//! again at every evaluation while the alarm stays in ALARM, as the CloudWatch
//! User Guide ("Alarm actions") documents.

use std::sync::Arc;

use serde_json::{Value, json};

use super::math::TimeSeries;
use super::model::{MetricKey, Statistic};
use super::ops::metrics::{MetricDataQuery, run_queries, stat_series};
use super::quotas::REGION_NAME;
use crate::cloud::{ACCOUNT_ID, Cloud, REGION, parse_arn};
use crate::time::SimTime;

/// The three alarm states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum AlarmState {
    /// The metric is within the threshold.
    #[serde(rename = "OK")]
    Ok,
    /// The metric breached the threshold.
    #[serde(rename = "ALARM")]
    Alarm,
    /// Not enough data yet (every new alarm starts here).
    #[serde(rename = "INSUFFICIENT_DATA")]
    InsufficientData,
}

impl AlarmState {
    /// The state as the API names it.
    pub fn as_str(&self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }

    /// Parses `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub fn parse(s: &str) -> Option<AlarmState> {
        match s {
            "OK" => Some(AlarmState::Ok),
            "ALARM" => Some(AlarmState::Alarm),
            "INSUFFICIENT_DATA" => Some(AlarmState::InsufficientData),
            _ => None,
        }
    }
}

/// How an alarm compares its statistic with the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `>=`
    GreaterThanOrEqualToThreshold,
    /// `>`
    GreaterThanThreshold,
    /// `<`
    LessThanThreshold,
    /// `<=`
    LessThanOrEqualToThreshold,
}

impl Comparison {
    /// Parses the API name.
    pub fn parse(s: &str) -> Option<Comparison> {
        Some(match s {
            "GreaterThanOrEqualToThreshold" => Comparison::GreaterThanOrEqualToThreshold,
            "GreaterThanThreshold" => Comparison::GreaterThanThreshold,
            "LessThanThreshold" => Comparison::LessThanThreshold,
            "LessThanOrEqualToThreshold" => Comparison::LessThanOrEqualToThreshold,
            _ => return None,
        })
    }

    /// The API name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Comparison::GreaterThanThreshold => "GreaterThanThreshold",
            Comparison::LessThanThreshold => "LessThanThreshold",
            Comparison::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }

    /// True when `value` breaches `threshold`.
    pub fn breaches(&self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => value >= threshold,
            Comparison::GreaterThanThreshold => value > threshold,
            Comparison::LessThanThreshold => value < threshold,
            Comparison::LessThanOrEqualToThreshold => value <= threshold,
        }
    }

    fn words(&self) -> &'static str {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => "greater than or equal to",
            Comparison::GreaterThanThreshold => "greater than",
            Comparison::LessThanThreshold => "less than",
            Comparison::LessThanOrEqualToThreshold => "less than or equal to",
        }
    }
}

/// What a missing datapoint counts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingData {
    /// Default: ignored when deciding, INSUFFICIENT_DATA if all are missing.
    Missing,
    /// Counts as within the threshold.
    NotBreaching,
    /// Counts as breaching.
    Breaching,
    /// The alarm keeps its state when all are missing.
    Ignore,
}

impl MissingData {
    /// Parses the API name.
    pub fn parse(s: &str) -> Option<MissingData> {
        Some(match s {
            "missing" => MissingData::Missing,
            "notBreaching" => MissingData::NotBreaching,
            "breaching" => MissingData::Breaching,
            "ignore" => MissingData::Ignore,
            _ => return None,
        })
    }

    /// The API name.
    pub fn as_str(&self) -> &'static str {
        match self {
            MissingData::Missing => "missing",
            MissingData::NotBreaching => "notBreaching",
            MissingData::Breaching => "breaching",
            MissingData::Ignore => "ignore",
        }
    }
}

/// What an alarm watches.
#[derive(Clone, Debug, PartialEq)]
pub enum Watched {
    /// One metric's statistic.
    Metric {
        /// The metric.
        key: MetricKey,
        /// The statistic.
        statistic: Statistic,
        /// Seconds per datapoint.
        period: u64,
    },
    /// Metric math: queries, one of which returns the watched series.
    Math {
        /// The queries, as PutMetricAlarm's `Metrics`.
        queries: Vec<MetricDataQuery>,
        /// Seconds per datapoint.
        period: u64,
    },
}

impl Watched {
    /// Seconds per datapoint.
    pub fn period(&self) -> u64 {
        match self {
            Watched::Metric { period, .. } | Watched::Math { period, .. } => *period,
        }
    }
}

/// One entry of an alarm's history.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct HistoryItem {
    /// When.
    pub at: SimTime,
    /// `StateUpdate`, `ConfigurationUpdate` or `Action`.
    pub kind: &'static str,
    /// What happened, in words.
    pub summary: String,
}

/// A metric alarm.
#[derive(Clone, Debug)]
pub struct Alarm {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
    /// Description.
    pub description: Option<String>,
    /// What it watches.
    pub watched: Watched,
    /// Threshold.
    pub threshold: f64,
    /// Comparison.
    pub comparison: Comparison,
    /// Periods looked at.
    pub evaluation_periods: u32,
    /// Breaching periods needed for ALARM.
    pub datapoints_to_alarm: u32,
    /// Missing-data treatment.
    pub missing: MissingData,
    /// Whether actions run.
    pub actions_enabled: bool,
    /// Actions on entering ALARM.
    pub alarm_actions: Vec<String>,
    /// Actions on entering OK.
    pub ok_actions: Vec<String>,
    /// Actions on entering INSUFFICIENT_DATA.
    pub insufficient_data_actions: Vec<String>,
    /// Unit filter, if any.
    pub unit: Option<String>,
    /// State.
    pub state: AlarmState,
    /// Why.
    pub state_reason: String,
    /// The evaluated datapoints behind the reason, as JSON text.
    pub state_reason_data: Option<String>,
    /// When the state last changed.
    pub state_updated: SimTime,
    /// When the configuration last changed.
    pub config_updated: SimTime,
    /// History, oldest first.
    pub history: Vec<HistoryItem>,
    /// The last values evaluated (period start, value), oldest first.
    pub last_values: Vec<(u64, Option<f64>)>,
}

impl Alarm {
    /// The alarm's ARN: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:<name>`.
    pub fn arn_of(name: &str) -> String {
        crate::cloud::arn("cloudwatch", &format!("alarm:{name}"))
    }

    /// The values of the last `EvaluationPeriods` complete periods before `at`.
    pub(crate) fn window(&self, cloud: &Cloud, at: SimTime) -> Vec<(u64, Option<f64>)> {
        let period = self.watched.period();
        let end = at.unix_secs() / period * period;
        let n = self.evaluation_periods as u64;
        let start = end.saturating_sub(n * period);
        let skipped = n - (end - start) / period;
        let series: TimeSeries = match &self.watched {
            Watched::Metric {
                key,
                statistic,
                period,
            } => stat_series(&cloud.cloudwatch, key, *statistic, start, end, *period),
            Watched::Math { queries, .. } => {
                let results =
                    run_queries(&cloud.cloudwatch, queries, start, end).unwrap_or_default();
                let pick = queries
                    .iter()
                    .position(|q| q.return_data.unwrap_or(false))
                    .or_else(|| queries.len().checked_sub(1));
                pick.and_then(|i| results.get(i).map(|(_, s)| s.clone()))
                    .unwrap_or_default()
            }
        };
        // Periods before the epoch (a young account) read as missing.
        (0..skipped)
            .map(|_| (0, None))
            .chain((0..n - skipped).map(|i| {
                let t = start + i * period;
                (t, series.get(&t).copied())
            }))
            .collect()
    }

    /// The state the datapoints call for, with the reason (`None`: keep state).
    pub(crate) fn decide(&self, values: &[(u64, Option<f64>)]) -> Option<(AlarmState, String)> {
        let m = self.datapoints_to_alarm as usize;
        let n = values.len();
        let present = values.iter().filter(|(_, v)| v.is_some()).count();
        let mut breaching = 0;
        for (_, v) in values {
            let b = match v {
                Some(v) => self.comparison.breaches(*v, self.threshold),
                None => self.missing == MissingData::Breaching,
            };
            breaching += usize::from(b);
        }
        let shown: Vec<String> = values
            .iter()
            .rev()
            .filter_map(|(t, v)| v.map(|v| format!("{v} ({})", stamp(*t))))
            .collect();
        let cmp = self.comparison.words();
        let th = self.threshold;
        if present == 0 {
            match self.missing {
                MissingData::Missing => {
                    return Some((
                        AlarmState::InsufficientData,
                        format!(
                            "Insufficient Data: {n} datapoint{} were unknown.",
                            if n == 1 { "" } else { "s" }
                        ),
                    ));
                }
                MissingData::Ignore => return None,
                _ => {}
            }
        }
        let missing_count = n - present;
        if breaching >= m {
            Some((
                AlarmState::Alarm,
                format!(
                    "Threshold Crossed: {breaching} out of the last {n} datapoints [{}] were {cmp} the threshold ({th}) (minimum {m} datapoints for OK -> ALARM transition).",
                    shown.join(", ")
                ),
            ))
        } else if self.missing == MissingData::Missing && breaching + missing_count >= m {
            // The missing datapoints could still make it an ALARM: missing
            // data does not change the state.
            None
        } else {
            Some((
                AlarmState::Ok,
                format!(
                    "Threshold Crossed: no {m} of the last {n} datapoints [{}] were {cmp} the threshold ({th}).",
                    shown.join(", ")
                ),
            ))
        }
    }

    /// The latest non-missing value evaluated.
    pub fn last_value(&self) -> Option<f64> {
        self.last_values.iter().rev().find_map(|(_, v)| *v)
    }
}

fn stamp(t: u64) -> String {
    SimTime::from_unix_nanos(t * 1_000_000_000)
        .to_jiff()
        .strftime("%d/%m/%y %H:%M:%S")
        .to_string()
}

/// Makes sure the per-minute evaluation job is scheduled while alarms exist.
pub(crate) fn ensure_ticking(cloud: &mut Cloud) {
    if cloud.cloudwatch.alarm_job || cloud.cloudwatch.alarms.is_empty() {
        return;
    }
    cloud.cloudwatch.alarm_job = true;
    let now = cloud.core.now;
    let next = SimTime::from_unix_nanos((now.unix_secs() / 60 + 1) * 60 * 1_000_000_000);
    cloud
        .scheduler
        .background(next, "cloudwatch.alarms", Box::new(tick));
}

fn tick(cloud: &mut Cloud) {
    cloud.cloudwatch.alarm_job = false;
    let names: Vec<String> = cloud.cloudwatch.alarms.keys().cloned().collect();
    let now = cloud.core.now;
    for name in names {
        evaluate(cloud, &name, now);
    }
    ensure_ticking(cloud);
}

/// Evaluates one alarm now: updates its state and runs its actions.
pub(crate) fn evaluate(cloud: &mut Cloud, name: &str, now: SimTime) {
    let Some(alarm) = cloud.cloudwatch.alarms.get(name) else {
        return;
    };
    // A new alarm's first evaluation waits for its first complete period.
    let values = alarm.window(cloud, now);
    let decision = alarm.decide(&values);
    let alarm = cloud.cloudwatch.alarms.get_mut(name).expect("checked");
    alarm.last_values = values.clone();
    let Some((state, reason)) = decision else {
        return;
    };
    let old = alarm.state;
    if state != old {
        let data = json!({
            "version": "1.0",
            "queryDate": now.to_rfc3339_millis(),
            "recentDatapoints": values.iter().rev().filter_map(|(_, v)| *v).collect::<Vec<_>>(),
            "threshold": alarm.threshold,
        });
        set_state(cloud, name, state, reason, Some(data.to_string()));
    } else if state == AlarmState::Alarm {
        // Auto Scaling actions repeat while the alarm stays in ALARM.
        let alarm = &cloud.cloudwatch.alarms[name];
        if alarm.actions_enabled {
            let actions: Vec<String> = alarm
                .alarm_actions
                .iter()
                .filter(|a| a.starts_with("arn:aws:autoscaling:"))
                .cloned()
                .collect();
            for a in actions {
                run_action(cloud, name, &a, old);
            }
        }
    }
}

/// Sets an alarm's state (from evaluation or SetAlarmState) and runs the new
/// state's actions.
pub(crate) fn set_state(
    cloud: &mut Cloud,
    name: &str,
    state: AlarmState,
    reason: String,
    data: Option<String>,
) {
    let now = cloud.core.now;
    let Some(alarm) = cloud.cloudwatch.alarms.get_mut(name) else {
        return;
    };
    let old = alarm.state;
    if old == state {
        alarm.state_reason = reason;
        return;
    }
    alarm.state = state;
    alarm.state_reason = reason.clone();
    alarm.state_reason_data = data;
    alarm.state_updated = now;
    alarm.history.push(HistoryItem {
        at: now,
        kind: "StateUpdate",
        summary: format!("Alarm updated from {} to {}", old.as_str(), state.as_str()),
    });
    let actions = if alarm.actions_enabled {
        match state {
            AlarmState::Alarm => alarm.alarm_actions.clone(),
            AlarmState::Ok => alarm.ok_actions.clone(),
            AlarmState::InsufficientData => alarm.insufficient_data_actions.clone(),
        }
    } else {
        Vec::new()
    };
    let resource: Arc<str> = Arc::from(name);
    cloud.core.trace(
        "cloudwatch",
        &resource,
        "alarm-state",
        format!("{} -> {}: {reason}", old.as_str(), state.as_str()),
    );
    for a in actions {
        run_action(cloud, name, &a, old);
    }
}

/// The notification AWS publishes to SNS for a state change.
pub(crate) fn notification(alarm: &Alarm, old: AlarmState) -> Value {
    let trigger = match &alarm.watched {
        Watched::Metric {
            key,
            statistic,
            period,
        } => json!({
            "MetricName": key.name,
            "Namespace": key.namespace,
            "StatisticType": if statistic.is_extended() { "ExtendedStatistic" } else { "Statistic" },
            "Statistic": statistic.name().to_uppercase(),
            "Unit": alarm.unit,
            "Dimensions": key.dimensions.iter().map(|(n, v)| json!({"value": v, "name": n})).collect::<Vec<_>>(),
            "Period": period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "DatapointsToAlarm": alarm.datapoints_to_alarm,
            "ComparisonOperator": alarm.comparison.as_str(),
            "Threshold": alarm.threshold,
            "TreatMissingData": alarm.missing.as_str(),
            "EvaluateLowSampleCountPercentile": "",
        }),
        Watched::Math { queries, period } => json!({
            "Metrics": queries,
            "Period": period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "DatapointsToAlarm": alarm.datapoints_to_alarm,
            "ComparisonOperator": alarm.comparison.as_str(),
            "Threshold": alarm.threshold,
            "TreatMissingData": alarm.missing.as_str(),
            "EvaluateLowSampleCountPercentile": "",
        }),
    };
    json!({
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": ACCOUNT_ID,
        "AlarmConfigurationUpdatedTimestamp": alarm.config_updated.to_rfc3339_millis(),
        "NewStateValue": alarm.state.as_str(),
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": alarm.state_updated.to_rfc3339_millis(),
        "Region": REGION_NAME,
        "AlarmArn": alarm.arn,
        "OldStateValue": old.as_str(),
        "OKActions": alarm.ok_actions,
        "AlarmActions": alarm.alarm_actions,
        "InsufficientDataActions": alarm.insufficient_data_actions,
        "Trigger": trigger,
    })
}

fn run_action(cloud: &mut Cloud, name: &str, action: &str, old: AlarmState) {
    let Some(alarm) = cloud.cloudwatch.alarms.get(name) else {
        return;
    };
    let message = notification(alarm, old);
    let subject = format!(
        "{}: \"{}\" in {REGION_NAME}",
        alarm.state.as_str(),
        alarm.name
    );
    let value = alarm.last_value();
    let threshold = alarm.threshold;
    let resource: Arc<str> = Arc::from(name);
    let result = match parse_arn(action) {
        Some(("sns", ..)) => crate::sns::ops::publish_to(
            cloud,
            action,
            message.to_string(),
            Some(subject),
            Default::default(),
        )
        .map(|_| "published".to_string()),
        Some(("lambda", ..)) => crate::targets::send(
            cloud,
            action,
            json!({
                "source": "aws.cloudwatch",
                "alarmArn": Alarm::arn_of(name),
                "accountId": ACCOUNT_ID,
                "time": cloud.core.now.to_rfc3339_millis(),
                "region": REGION,
                "alarmData": message,
            })
            .to_string(),
            Default::default(),
        )
        .map(|_| "invoked".to_string()),
        Some(("autoscaling", ..)) => {
            crate::servers::scaling::alarm_action(cloud, action, name, value, threshold)
        }
        _ => Err(crate::error::CloudError::new(
            "InvalidParameterValue",
            format!("{action} is not an action this sandbox can run."),
        )),
    };
    let (kind, detail) = match result {
        Ok(what) => ("action", format!("{what}: {action}")),
        Err(e) => ("action-failed", format!("{action}: {e}")),
    };
    cloud
        .core
        .trace("cloudwatch", &resource, kind, detail.clone());
    if let Some(a) = cloud.cloudwatch.alarms.get_mut(name) {
        let now = cloud.core.now;
        a.history.push(HistoryItem {
            at: now,
            kind: "Action",
            summary: detail,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm(m: u32, n: u32, missing: MissingData) -> Alarm {
        Alarm {
            name: "a".into(),
            arn: Alarm::arn_of("a"),
            description: None,
            watched: Watched::Metric {
                key: MetricKey::new("X", "Y", &[]),
                statistic: Statistic::Average,
                period: 60,
            },
            threshold: 10.0,
            comparison: Comparison::GreaterThanThreshold,
            evaluation_periods: n,
            datapoints_to_alarm: m,
            missing,
            actions_enabled: true,
            alarm_actions: vec![],
            ok_actions: vec![],
            insufficient_data_actions: vec![],
            unit: None,
            state: AlarmState::InsufficientData,
            state_reason: String::new(),
            state_reason_data: None,
            state_updated: SimTime::EPOCH,
            config_updated: SimTime::EPOCH,
            history: vec![],
            last_values: vec![],
        }
    }

    fn vals(v: &[Option<f64>]) -> Vec<(u64, Option<f64>)> {
        v.iter()
            .enumerate()
            .map(|(i, v)| (i as u64 * 60, *v))
            .collect()
    }

    #[test]
    fn m_of_n_breaching_datapoints_alarm() {
        let a = alarm(2, 3, MissingData::Missing);
        let s = |v: &[Option<f64>]| a.decide(&vals(v)).map(|(s, _)| s);
        assert_eq!(
            s(&[Some(11.0), Some(1.0), Some(12.0)]),
            Some(AlarmState::Alarm)
        );
        assert_eq!(s(&[Some(11.0), Some(1.0), Some(2.0)]), Some(AlarmState::Ok));
        assert_eq!(
            s(&[Some(10.0), Some(10.0), Some(10.0)]),
            Some(AlarmState::Ok)
        );
        assert_eq!(s(&[None, None, None]), Some(AlarmState::InsufficientData));
        // One breach and one unknown could still be 2 of 3: no change.
        assert_eq!(s(&[Some(11.0), None, Some(1.0)]), None);
        assert_eq!(s(&[Some(1.0), None, Some(1.0)]), Some(AlarmState::Ok));
    }

    #[test]
    fn missing_data_treatments() {
        let v = vals(&[None, None, None]);
        let state = |m| alarm(1, 3, m).decide(&v).map(|(s, _)| s);
        assert_eq!(state(MissingData::Breaching), Some(AlarmState::Alarm));
        assert_eq!(state(MissingData::NotBreaching), Some(AlarmState::Ok));
        assert_eq!(state(MissingData::Ignore), None);
        let half = vals(&[None, Some(20.0), None]);
        let a = alarm(2, 3, MissingData::Breaching);
        assert_eq!(a.decide(&half).unwrap().0, AlarmState::Alarm);
        let a = alarm(2, 3, MissingData::NotBreaching);
        assert_eq!(a.decide(&half).unwrap().0, AlarmState::Ok);
    }

    #[test]
    fn reasons_quote_the_datapoints() {
        let a = alarm(1, 1, MissingData::Missing);
        let (_, reason) = a.decide(&vals(&[Some(12.5)])).unwrap();
        assert!(
            reason.starts_with(
                "Threshold Crossed: 1 out of the last 1 datapoints [12.5 (01/01/70 00:00:00)]"
            ),
            "{reason}"
        );
    }
}

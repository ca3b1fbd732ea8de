//! PutMetricAlarm, DescribeAlarms, DeleteAlarms, SetAlarmState,
//! DescribeAlarmHistory, EnableAlarmActions, DisableAlarmActions.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::metrics::{MetricDataQuery, check_period};
use super::{Dimension, dims, epoch, invalid};
use crate::cloud::{Cloud, parse_arn};
use crate::cloudwatch::alarms::{
    self, Alarm, AlarmState, Comparison, HistoryItem, MissingData, Watched,
};
use crate::cloudwatch::model::{MetricKey, Statistic};
use crate::cloudwatch::quotas::*;
use crate::error::{CloudError, CloudResult};

/// PutMetricAlarm request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutMetricAlarmInput {
    /// Name (unique in the account).
    pub alarm_name: String,
    /// Description.
    pub alarm_description: Option<String>,
    /// Run actions (default true).
    pub actions_enabled: Option<bool>,
    /// Actions on OK.
    #[serde(rename = "OKActions")]
    pub ok_actions: Option<Vec<String>>,
    /// Actions on ALARM.
    pub alarm_actions: Option<Vec<String>>,
    /// Actions on INSUFFICIENT_DATA.
    pub insufficient_data_actions: Option<Vec<String>>,
    /// Metric name (single-metric alarms).
    pub metric_name: Option<String>,
    /// Namespace.
    pub namespace: Option<String>,
    /// `Average`, `Sum`, ...
    pub statistic: Option<String>,
    /// `p99`, ...
    pub extended_statistic: Option<String>,
    /// Dimensions.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    /// Seconds per datapoint.
    pub period: Option<u64>,
    /// Unit filter.
    pub unit: Option<String>,
    /// Periods evaluated.
    pub evaluation_periods: u32,
    /// Breaching periods needed (default EvaluationPeriods).
    pub datapoints_to_alarm: Option<u32>,
    /// Threshold.
    pub threshold: Option<f64>,
    /// Comparison.
    pub comparison_operator: String,
    /// `missing` (default), `notBreaching`, `breaching`, `ignore`.
    pub treat_missing_data: Option<String>,
    /// Metric math queries (instead of MetricName...).
    pub metrics: Option<Vec<MetricDataQuery>>,
    /// Tags (accepted).
    pub tags: Option<Value>,
}

fn check_actions(list: &Option<Vec<String>>, member: &str) -> CloudResult<Vec<String>> {
    let list = list.clone().unwrap_or_default();
    if list.len() > MAX_ACTIONS {
        return Err(invalid(format!(
            "The collection {member} must not have a size greater than {MAX_ACTIONS}."
        )));
    }
    for a in &list {
        let ok = match parse_arn(a) {
            Some(("sns", ..)) | Some(("lambda", ..)) => true,
            Some(("autoscaling", _, _, res)) => res.starts_with("scalingPolicy:"),
            _ => false,
        };
        if !ok {
            return Err(CloudError::new(
                "ValidationError",
                format!(
                    "Invalid arn syntax: {a} (in {member}). This sandbox runs SNS topic, Lambda function and Auto Scaling policy actions."
                ),
            ));
        }
    }
    Ok(list)
}

fn watched(input: &PutMetricAlarmInput) -> CloudResult<Watched> {
    let single = input.metric_name.is_some()
        || input.namespace.is_some()
        || input.statistic.is_some()
        || input.extended_statistic.is_some();
    match (&input.metrics, single) {
        (Some(_), true) => Err(super::combination(
            "Use either Metrics or MetricName/Namespace/Statistic, not both.",
        )),
        (None, false) => Err(CloudError::new(
            "MissingParameter",
            "The request must contain either Metrics or MetricName, Namespace, Period and Statistic.",
        )),
        (Some(queries), false) => {
            if queries.is_empty() {
                return Err(invalid("Metrics must have at least one query."));
            }
            let returning = queries
                .iter()
                .filter(|q| q.return_data.unwrap_or(false))
                .count();
            if returning != 1 {
                return Err(invalid(
                    "Exactly one element of Metrics must have ReturnData set to true.",
                ));
            }
            let mut period = None;
            for (i, q) in queries.iter().enumerate() {
                if let Some(ms) = &q.metric_stat {
                    check_period(
                        ms.period,
                        &format!("Metrics.member.{}.MetricStat.Period", i + 1),
                    )?;
                    period = Some(period.unwrap_or(ms.period));
                }
                if let Some(e) = &q.expression {
                    crate::cloudwatch::math::parse(e)?;
                }
            }
            let period = period
                .or(queries.iter().find_map(|q| q.period))
                .unwrap_or(60);
            Ok(Watched::Math {
                queries: queries.clone(),
                period,
            })
        }
        (None, true) => {
            let name = input.metric_name.clone().ok_or_else(|| {
                CloudError::new(
                    "MissingParameter",
                    "The request must contain the parameter MetricName.",
                )
            })?;
            let ns = input.namespace.clone().ok_or_else(|| {
                CloudError::new(
                    "MissingParameter",
                    "The request must contain the parameter Namespace.",
                )
            })?;
            let period = input.period.ok_or_else(|| {
                CloudError::new(
                    "MissingParameter",
                    "The request must contain the parameter Period.",
                )
            })?;
            check_period(period, "Period")?;
            let statistic = match (&input.statistic, &input.extended_statistic) {
                (Some(_), Some(_)) => {
                    return Err(super::combination(
                        "Give Statistic or ExtendedStatistic, not both.",
                    ));
                }
                (None, None) => {
                    return Err(CloudError::new(
                        "MissingParameter",
                        "The request must contain the parameter Statistic or ExtendedStatistic.",
                    ));
                }
                (Some(s), None) => match Statistic::parse(s) {
                    Some(st) if !st.is_extended() => st,
                    _ => {
                        return Err(invalid(format!(
                            "Statistic '{s}' must be SampleCount, Average, Sum, Minimum or Maximum."
                        )));
                    }
                },
                (None, Some(s)) => match Statistic::parse(s) {
                    Some(st) if st.is_extended() => st,
                    _ => {
                        return Err(invalid(format!(
                            "ExtendedStatistic '{s}' must be a percentile such as p99."
                        )));
                    }
                },
            };
            Ok(Watched::Metric {
                key: MetricKey {
                    namespace: ns,
                    name,
                    dimensions: dims(&input.dimensions, "Dimensions")?,
                },
                statistic,
                period,
            })
        }
    }
}

/// PutMetricAlarm: creates an alarm (state INSUFFICIENT_DATA) or replaces an
/// existing alarm's configuration (keeping its state).
pub fn put_metric_alarm(cloud: &mut Cloud, input: PutMetricAlarmInput) -> CloudResult<()> {
    let name = input.alarm_name.clone();
    if name.is_empty() || name.chars().count() > MAX_ALARM_NAME {
        return Err(invalid(format!(
            "AlarmName must have 1 to {MAX_ALARM_NAME} characters."
        )));
    }
    let comparison = Comparison::parse(&input.comparison_operator).ok_or_else(|| {
        invalid(format!(
            "ComparisonOperator '{}' must be GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold or LessThanOrEqualToThreshold (anomaly detection is not simulated).",
            input.comparison_operator
        ))
    })?;
    let threshold = input.threshold.ok_or_else(|| {
        CloudError::new(
            "MissingParameter",
            "The request must contain the parameter Threshold.",
        )
    })?;
    let n = input.evaluation_periods;
    if n == 0 {
        return Err(invalid("EvaluationPeriods must be at least 1."));
    }
    let m = input.datapoints_to_alarm.unwrap_or(n);
    if m == 0 || m > n {
        return Err(invalid(format!(
            "DatapointsToAlarm ({m}) must be between 1 and EvaluationPeriods ({n})."
        )));
    }
    let missing = match input.treat_missing_data.as_deref() {
        None => MissingData::Missing,
        Some(s) => MissingData::parse(s).ok_or_else(|| {
            invalid(format!(
                "TreatMissingData '{s}' must be missing, notBreaching, breaching or ignore."
            ))
        })?,
    };
    let watched = watched(&input)?;
    if watched.period() * n as u64 > MAX_EVALUATION_SECONDS {
        return Err(invalid(
            "The evaluation period (EvaluationPeriods × Period) must not exceed one day (86,400 seconds).",
        ));
    }
    let alarm_actions = check_actions(&input.alarm_actions, "AlarmActions")?;
    let ok_actions = check_actions(&input.ok_actions, "OKActions")?;
    let insufficient = check_actions(&input.insufficient_data_actions, "InsufficientDataActions")?;
    let now = cloud.core.now;
    let existing = cloud.cloudwatch.alarms.remove(&name);
    let created = existing.is_none();
    let mut alarm = Alarm {
        arn: Alarm::arn_of(&name),
        name: name.clone(),
        description: input.alarm_description,
        watched,
        threshold,
        comparison,
        evaluation_periods: n,
        datapoints_to_alarm: m,
        missing,
        actions_enabled: input.actions_enabled.unwrap_or(true),
        alarm_actions,
        ok_actions,
        insufficient_data_actions: insufficient,
        unit: input.unit,
        state: AlarmState::InsufficientData,
        state_reason: "Unchecked: Initial alarm creation".into(),
        state_reason_data: None,
        state_updated: now,
        config_updated: now,
        history: Vec::new(),
        last_values: Vec::new(),
    };
    if let Some(old) = existing {
        alarm.state = old.state;
        alarm.state_reason = old.state_reason;
        alarm.state_reason_data = old.state_reason_data;
        alarm.state_updated = old.state_updated;
        alarm.history = old.history;
        alarm.last_values = old.last_values;
    }
    alarm.history.push(HistoryItem {
        at: now,
        kind: "ConfigurationUpdate",
        summary: format!(
            "Alarm \"{name}\" {}",
            if created { "created" } else { "updated" }
        ),
    });
    cloud.cloudwatch.alarms.insert(name.clone(), alarm);
    let resource = std::sync::Arc::from(name.as_str());
    cloud.core.trace(
        "cloudwatch",
        &resource,
        if created {
            "alarm-created"
        } else {
            "alarm-updated"
        },
        format!("threshold {threshold}"),
    );
    alarms::ensure_ticking(cloud);
    Ok(())
}

/// DescribeAlarms request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmsInput {
    /// Only these alarms.
    pub alarm_names: Option<Vec<String>>,
    /// Only alarms whose name starts so.
    pub alarm_name_prefix: Option<String>,
    /// Only alarms in this state.
    pub state_value: Option<String>,
    /// Only alarms with an action starting so.
    pub action_prefix: Option<String>,
    /// Page size (1-100).
    pub max_records: Option<usize>,
    /// Ignored here: all alarms are metric alarms.
    pub alarm_types: Option<Vec<String>>,
}

/// An alarm as DescribeAlarms returns it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricAlarm {
    /// Name.
    pub alarm_name: String,
    /// ARN.
    pub alarm_arn: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm_description: Option<String>,
    /// Config changed (epoch seconds).
    pub alarm_configuration_updated_timestamp: f64,
    /// Actions enabled.
    pub actions_enabled: bool,
    /// OK actions.
    #[serde(rename = "OKActions")]
    pub ok_actions: Vec<String>,
    /// ALARM actions.
    pub alarm_actions: Vec<String>,
    /// INSUFFICIENT_DATA actions.
    pub insufficient_data_actions: Vec<String>,
    /// State.
    pub state_value: AlarmState,
    /// Why.
    pub state_reason: String,
    /// Datapoints behind the reason (JSON text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason_data: Option<String>,
    /// State changed (epoch seconds).
    pub state_updated_timestamp: f64,
    /// Metric (single-metric alarms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    /// Namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Statistic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic: Option<String>,
    /// Extended statistic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_statistic: Option<String>,
    /// Dimensions.
    pub dimensions: Vec<Dimension>,
    /// Period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<u64>,
    /// Unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Periods evaluated.
    pub evaluation_periods: u32,
    /// Breaching datapoints needed.
    pub datapoints_to_alarm: u32,
    /// Threshold.
    pub threshold: f64,
    /// Comparison.
    pub comparison_operator: String,
    /// Missing-data treatment.
    pub treat_missing_data: String,
    /// Metric math queries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<MetricDataQuery>>,
}

impl MetricAlarm {
    pub(crate) fn of(a: &Alarm) -> MetricAlarm {
        let (metric_name, namespace, statistic, extended, dimensions, period, metrics) =
            match &a.watched {
                Watched::Metric {
                    key,
                    statistic,
                    period,
                } => (
                    Some(key.name.clone()),
                    Some(key.namespace.clone()),
                    (!statistic.is_extended()).then(|| statistic.name()),
                    statistic.is_extended().then(|| statistic.name()),
                    super::metrics::Metric::of(key).dimensions,
                    Some(*period),
                    None,
                ),
                Watched::Math { queries, .. } => {
                    (None, None, None, None, vec![], None, Some(queries.clone()))
                }
            };
        MetricAlarm {
            alarm_name: a.name.clone(),
            alarm_arn: a.arn.clone(),
            alarm_description: a.description.clone(),
            alarm_configuration_updated_timestamp: epoch(a.config_updated),
            actions_enabled: a.actions_enabled,
            ok_actions: a.ok_actions.clone(),
            alarm_actions: a.alarm_actions.clone(),
            insufficient_data_actions: a.insufficient_data_actions.clone(),
            state_value: a.state,
            state_reason: a.state_reason.clone(),
            state_reason_data: a.state_reason_data.clone(),
            state_updated_timestamp: epoch(a.state_updated),
            metric_name,
            namespace,
            statistic,
            extended_statistic: extended,
            dimensions,
            period,
            unit: a.unit.clone(),
            evaluation_periods: a.evaluation_periods,
            datapoints_to_alarm: a.datapoints_to_alarm,
            threshold: a.threshold,
            comparison_operator: a.comparison.as_str().into(),
            treat_missing_data: a.missing.as_str().into(),
            metrics,
        }
    }
}

/// DescribeAlarms response.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmsOutput {
    /// Metric alarms, by name.
    pub metric_alarms: Vec<MetricAlarm>,
    /// Composite alarms (not simulated: always empty).
    pub composite_alarms: Vec<Value>,
}

/// DescribeAlarms.
pub fn describe_alarms(
    cloud: &mut Cloud,
    input: DescribeAlarmsInput,
) -> CloudResult<DescribeAlarmsOutput> {
    let state = match &input.state_value {
        None => None,
        Some(s) => Some(AlarmState::parse(s).ok_or_else(|| {
            invalid(format!(
                "StateValue '{s}' must be OK, ALARM or INSUFFICIENT_DATA."
            ))
        })?),
    };
    if input.alarm_names.is_some() && input.alarm_name_prefix.is_some() {
        return Err(super::combination(
            "Give AlarmNames or AlarmNamePrefix, not both.",
        ));
    }
    let max = input.max_records.unwrap_or(50);
    if max == 0 || max > MAX_RECORDS {
        return Err(invalid(format!("MaxRecords must be 1 to {MAX_RECORDS}.")));
    }
    let metric_alarms = cloud
        .cloudwatch
        .alarms
        .values()
        .filter(|a| {
            input
                .alarm_names
                .as_ref()
                .is_none_or(|n| n.contains(&a.name))
        })
        .filter(|a| {
            input
                .alarm_name_prefix
                .as_ref()
                .is_none_or(|p| a.name.starts_with(p.as_str()))
        })
        .filter(|a| state.is_none_or(|s| a.state == s))
        .filter(|a| {
            input.action_prefix.as_ref().is_none_or(|p| {
                a.alarm_actions
                    .iter()
                    .chain(&a.ok_actions)
                    .chain(&a.insufficient_data_actions)
                    .any(|x| x.starts_with(p.as_str()))
            })
        })
        .take(max)
        .map(MetricAlarm::of)
        .collect();
    Ok(DescribeAlarmsOutput {
        metric_alarms,
        composite_alarms: vec![],
    })
}

/// A request naming alarms (DeleteAlarms, Enable/DisableAlarmActions).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmNamesInput {
    /// The alarms.
    pub alarm_names: Vec<String>,
}

/// DeleteAlarms: all or nothing; an unknown name is `ResourceNotFound`.
pub fn delete_alarms(cloud: &mut Cloud, input: AlarmNamesInput) -> CloudResult<()> {
    if input.alarm_names.len() > 100 {
        return Err(invalid("AlarmNames must not have more than 100 names."));
    }
    if let Some(missing) = input
        .alarm_names
        .iter()
        .find(|n| !cloud.cloudwatch.alarms.contains_key(*n))
    {
        return Err(CloudError::new(
            "ResourceNotFound",
            format!("Alarm {missing} does not exist."),
        )
        .with_status(404));
    }
    for n in &input.alarm_names {
        cloud.cloudwatch.alarms.remove(n);
        let r = std::sync::Arc::from(n.as_str());
        cloud
            .core
            .trace("cloudwatch", &r, "alarm-deleted", String::new());
    }
    Ok(())
}

fn set_actions(cloud: &mut Cloud, input: AlarmNamesInput, on: bool) -> CloudResult<()> {
    for n in &input.alarm_names {
        if let Some(a) = cloud.cloudwatch.alarms.get_mut(n) {
            a.actions_enabled = on;
        }
    }
    Ok(())
}

/// EnableAlarmActions (unknown names are ignored, as AWS does).
pub fn enable_alarm_actions(cloud: &mut Cloud, input: AlarmNamesInput) -> CloudResult<()> {
    set_actions(cloud, input, true)
}

/// DisableAlarmActions.
pub fn disable_alarm_actions(cloud: &mut Cloud, input: AlarmNamesInput) -> CloudResult<()> {
    set_actions(cloud, input, false)
}

/// SetAlarmState request (for testing actions: the next evaluation may set it back).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetAlarmStateInput {
    /// Alarm.
    pub alarm_name: String,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub state_value: String,
    /// Reason.
    pub state_reason: String,
    /// Reason data (JSON text).
    pub state_reason_data: Option<String>,
}

/// SetAlarmState.
pub fn set_alarm_state(cloud: &mut Cloud, input: SetAlarmStateInput) -> CloudResult<()> {
    let state = AlarmState::parse(&input.state_value).ok_or_else(|| {
        invalid(format!(
            "StateValue '{}' must be OK, ALARM or INSUFFICIENT_DATA.",
            input.state_value
        ))
    })?;
    if !cloud.cloudwatch.alarms.contains_key(&input.alarm_name) {
        return Err(CloudError::new(
            "ResourceNotFound",
            format!("Alarm {} does not exist.", input.alarm_name),
        )
        .with_status(404));
    }
    if let Some(d) = &input.state_reason_data
        && serde_json::from_str::<Value>(d).is_err()
    {
        return Err(CloudError::new(
            "InvalidFormat",
            "StateReasonData must be JSON text.",
        ));
    }
    alarms::set_state(
        cloud,
        &input.alarm_name,
        state,
        input.state_reason,
        input.state_reason_data,
    );
    Ok(())
}

/// DescribeAlarmHistory request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmHistoryInput {
    /// Only this alarm.
    pub alarm_name: Option<String>,
    /// `StateUpdate`, `ConfigurationUpdate` or `Action`.
    pub history_item_type: Option<String>,
    /// Most items (default 100).
    pub max_records: Option<usize>,
    /// `TimestampDescending` (default) or `TimestampAscending`.
    pub scan_by: Option<String>,
}

/// One history item as the API returns it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmHistoryItem {
    /// Alarm.
    pub alarm_name: String,
    /// `MetricAlarm`.
    pub alarm_type: String,
    /// When (epoch seconds).
    pub timestamp: f64,
    /// Kind.
    pub history_item_type: String,
    /// Summary.
    pub history_summary: String,
}

/// DescribeAlarmHistory response.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmHistoryOutput {
    /// Items, newest first unless ScanBy says otherwise.
    pub alarm_history_items: Vec<AlarmHistoryItem>,
}

/// DescribeAlarmHistory.
pub fn describe_alarm_history(
    cloud: &mut Cloud,
    input: DescribeAlarmHistoryInput,
) -> CloudResult<DescribeAlarmHistoryOutput> {
    if let Some(k) = &input.history_item_type
        && !["StateUpdate", "ConfigurationUpdate", "Action"].contains(&k.as_str())
    {
        return Err(invalid(format!(
            "HistoryItemType '{k}' must be StateUpdate, ConfigurationUpdate or Action."
        )));
    }
    let mut items: Vec<AlarmHistoryItem> = cloud
        .cloudwatch
        .alarms
        .values()
        .filter(|a| input.alarm_name.as_ref().is_none_or(|n| *n == a.name))
        .flat_map(|a| {
            a.history.iter().map(|h| AlarmHistoryItem {
                alarm_name: a.name.clone(),
                alarm_type: "MetricAlarm".into(),
                timestamp: epoch(h.at),
                history_item_type: h.kind.into(),
                history_summary: h.summary.clone(),
            })
        })
        .filter(|h| {
            input
                .history_item_type
                .as_ref()
                .is_none_or(|k| *k == h.history_item_type)
        })
        .collect();
    items.sort_by(|a, b| a.timestamp.total_cmp(&b.timestamp));
    if input.scan_by.as_deref() != Some("TimestampAscending") {
        items.reverse();
    }
    items.truncate(input.max_records.unwrap_or(100));
    Ok(DescribeAlarmHistoryOutput {
        alarm_history_items: items,
    })
}

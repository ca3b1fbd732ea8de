//! PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Dimension, dims, invalid, timestamp};
use crate::cloud::Cloud;
use crate::cloudwatch::CloudWatchState;
use crate::cloudwatch::math::{self, TimeSeries};
use crate::cloudwatch::model::{Datum, Fill, Histogram, MetricKey, StatSet, Statistic};
use crate::cloudwatch::quotas::*;
use crate::error::{CloudError, CloudResult};

/// Count, sum, min and max sent instead of values.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StatisticValues {
    /// Number of values.
    pub sample_count: f64,
    /// Their sum.
    pub sum: f64,
    /// The smallest.
    pub minimum: f64,
    /// The largest.
    pub maximum: f64,
}

/// One metric's data in a PutMetricData request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDatum {
    /// The metric's name.
    pub metric_name: String,
    /// Its dimensions.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    /// When (default: now).
    pub timestamp: Option<Value>,
    /// One value.
    pub value: Option<f64>,
    /// Many values (with `Counts`).
    pub values: Option<Vec<f64>>,
    /// How often each of `Values` occurred.
    pub counts: Option<Vec<f64>>,
    /// A statistic set.
    pub statistic_values: Option<StatisticValues>,
    /// Unit (`Count`, `Seconds`, `Percent`, ...).
    pub unit: Option<String>,
    /// 60 (standard) or 1 (high resolution).
    pub storage_resolution: Option<u64>,
}

/// PutMetricData request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutMetricDataInput {
    /// Custom namespace (not `AWS/...`).
    pub namespace: String,
    /// The data.
    pub metric_data: Vec<MetricDatum>,
}

fn datum_of(d: &MetricDatum, i: usize) -> CloudResult<Datum> {
    let member = format!("MetricData.member.{}", i + 1);
    let given = [
        d.value.is_some(),
        d.values.is_some(),
        d.statistic_values.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(super::combination(format!(
            "{member}: give exactly one of Value, Values or StatisticValues."
        )));
    }
    if let Some(v) = d.value {
        if !v.is_finite() {
            return Err(invalid(format!("{member}.Value must be a finite number.")));
        }
        return Ok(Datum::value(v));
    }
    if let Some(values) = &d.values {
        if values.is_empty() || values.len() > MAX_VALUES_PER_DATUM {
            return Err(invalid(format!(
                "{member}.Values must have 1 to {MAX_VALUES_PER_DATUM} values."
            )));
        }
        let counts = match &d.counts {
            Some(c) if c.len() != values.len() => {
                return Err(invalid(format!(
                    "{member}.Counts must have as many entries as Values ({}).",
                    values.len()
                )));
            }
            Some(c) => c.clone(),
            None => vec![1.0; values.len()],
        };
        let mut hist = Histogram::default();
        let mut stats: Option<StatSet> = None;
        for (v, c) in values.iter().zip(&counts) {
            if !v.is_finite() || !c.is_finite() || *c < 0.0 {
                return Err(invalid(format!(
                    "{member}: values and counts must be finite, counts not negative."
                )));
            }
            hist.add(*v, *c);
            let s = StatSet::of(*v, *c);
            match &mut stats {
                Some(acc) => acc.merge(&s),
                None => stats = Some(s),
            }
        }
        return Ok(Datum {
            stats: stats.expect("non-empty"),
            histogram: Some(hist),
        });
    }
    let s = d.statistic_values.as_ref().expect("checked");
    if s.sample_count <= 0.0 || s.minimum > s.maximum {
        return Err(invalid(format!(
            "{member}.StatisticValues needs SampleCount > 0 and Minimum <= Maximum."
        )));
    }
    Ok(Datum {
        stats: StatSet {
            count: s.sample_count,
            sum: s.sum,
            min: s.minimum,
            max: s.maximum,
        },
        histogram: None,
    })
}

/// PutMetricData: custom metrics (standard or high resolution).
pub fn put_metric_data(cloud: &mut Cloud, input: PutMetricDataInput) -> CloudResult<()> {
    let ns = &input.namespace;
    if ns.is_empty() || ns.len() > 255 {
        return Err(invalid("Namespace must have 1 to 255 characters."));
    }
    if ns.starts_with("AWS/") {
        return Err(invalid(format!(
            "The value {ns} for parameter Namespace is invalid: AWS/ namespaces are reserved for AWS services."
        )));
    }
    if input.metric_data.is_empty() || input.metric_data.len() > MAX_METRIC_DATA {
        return Err(invalid(format!(
            "MetricData must have 1 to {MAX_METRIC_DATA} entries."
        )));
    }
    let now = cloud.core.now;
    let mut parsed = Vec::with_capacity(input.metric_data.len());
    for (i, d) in input.metric_data.iter().enumerate() {
        let member = format!("MetricData.member.{}", i + 1);
        if d.metric_name.is_empty() || d.metric_name.len() > 255 {
            return Err(invalid(format!(
                "{member}.MetricName must have 1 to 255 characters."
            )));
        }
        let dimensions = dims(&d.dimensions, &format!("{member}.Dimensions"))?;
        let at = match &d.timestamp {
            Some(v) => timestamp(v, &format!("{member}.Timestamp"))?,
            None => now,
        };
        let resolution = d.storage_resolution.unwrap_or(60);
        if resolution != 1 && resolution != 60 {
            return Err(invalid(format!(
                "{member}.StorageResolution must be 1 or 60."
            )));
        }
        let key = MetricKey {
            namespace: ns.clone(),
            name: d.metric_name.clone(),
            dimensions,
        };
        parsed.push((key, at, datum_of(d, i)?, d.unit.clone(), resolution));
    }
    let n = parsed.len();
    for (key, at, datum, unit, resolution) in parsed {
        let s = cloud
            .cloudwatch
            .series_mut(key, unit.as_deref().unwrap_or("None"), Fill::None);
        if resolution == 1 && s.points.is_empty() {
            s.resolution = 1;
        }
        s.add(at.unix_secs(), datum);
    }
    cloud.core.trace(
        "cloudwatch",
        &std::sync::Arc::from(ns.as_str()),
        "put-metric-data",
        format!("{n} datum(s)"),
    );
    Ok(())
}

/// GetMetricStatistics request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricStatisticsInput {
    /// Namespace.
    pub namespace: String,
    /// Metric name.
    pub metric_name: String,
    /// Dimensions (must match exactly).
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    /// Start (inclusive).
    pub start_time: Value,
    /// End (exclusive).
    pub end_time: Value,
    /// Seconds per datapoint (1, 5, 10, 30 or a multiple of 60).
    pub period: u64,
    /// `SampleCount`, `Average`, `Sum`, `Minimum`, `Maximum`.
    pub statistics: Option<Vec<String>>,
    /// Percentiles such as `p99`.
    pub extended_statistics: Option<Vec<String>>,
    /// Only data with this unit.
    pub unit: Option<String>,
}

/// One datapoint of GetMetricStatistics.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Datapoint {
    /// Start of the period (epoch seconds).
    pub timestamp: f64,
    /// `SampleCount`, if asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_count: Option<f64>,
    /// `Average`, if asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average: Option<f64>,
    /// `Sum`, if asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
    /// `Minimum`, if asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// `Maximum`, if asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// Percentiles, if asked.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extended_statistics: BTreeMap<String, f64>,
    /// The metric's unit.
    pub unit: String,
}

/// GetMetricStatistics response.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricStatisticsOutput {
    /// The metric's name.
    pub label: String,
    /// Datapoints, oldest first.
    pub datapoints: Vec<Datapoint>,
}

pub(crate) fn check_period(period: u64, member: &str) -> CloudResult<()> {
    if period == 0 || !(matches!(period, 1 | 5 | 10 | 20 | 30) || period.is_multiple_of(60)) {
        return Err(invalid(format!(
            "The parameter {member} must be 1, 5, 10, 20, 30 or a multiple of 60 (got {period})."
        )));
    }
    Ok(())
}

fn range(start: &Value, end: &Value) -> CloudResult<(u64, u64)> {
    let s = timestamp(start, "StartTime")?.unix_secs();
    let e = timestamp(end, "EndTime")?.unix_secs();
    if e <= s {
        return Err(invalid("The parameter StartTime must be before EndTime."));
    }
    Ok((s, e))
}

/// GetMetricStatistics.
pub fn get_metric_statistics(
    cloud: &mut Cloud,
    input: GetMetricStatisticsInput,
) -> CloudResult<GetMetricStatisticsOutput> {
    check_period(input.period, "Period")?;
    let (start, end) = range(&input.start_time, &input.end_time)?;
    let stats = input.statistics.unwrap_or_default();
    let ext = input.extended_statistics.unwrap_or_default();
    if stats.is_empty() && ext.is_empty() {
        return Err(CloudError::new(
            "MissingParameter",
            "Either Statistics or ExtendedStatistics must be given.",
        ));
    }
    let mut wanted = Vec::new();
    for s in stats.iter().chain(&ext) {
        let st = Statistic::parse(s).ok_or_else(|| {
            invalid(format!(
                "The statistic '{s}' is not valid: use SampleCount, Average, Sum, Minimum, Maximum or pNN."
            ))
        })?;
        if st.is_extended() != ext.contains(s) {
            return Err(invalid(format!(
                "'{s}' belongs in {}.",
                if st.is_extended() {
                    "ExtendedStatistics"
                } else {
                    "Statistics"
                }
            )));
        }
        wanted.push(st);
    }
    let count = (end - start).div_ceil(input.period);
    if count > MAX_DATAPOINTS {
        return Err(combination_too_many(count));
    }
    let key = MetricKey {
        namespace: input.namespace.clone(),
        name: input.metric_name.clone(),
        dimensions: dims(&input.dimensions, "Dimensions")?,
    };
    let mut out = GetMetricStatisticsOutput {
        label: input.metric_name,
        datapoints: Vec::new(),
    };
    let Some(series) = cloud.cloudwatch.get(&key) else {
        return Ok(out);
    };
    if input.unit.as_ref().is_some_and(|u| *u != series.unit) {
        return Ok(out);
    }
    for (t, d) in series.datapoints(start, end, input.period) {
        let mut p = Datapoint {
            timestamp: t as f64,
            unit: series.unit.clone(),
            ..Default::default()
        };
        for st in &wanted {
            let v = st.of(&d);
            match st {
                Statistic::SampleCount => p.sample_count = v,
                Statistic::Average => p.average = v,
                Statistic::Sum => p.sum = v,
                Statistic::Minimum => p.minimum = v,
                Statistic::Maximum => p.maximum = v,
                Statistic::Percentile(_) => {
                    if let Some(v) = v {
                        p.extended_statistics.insert(st.name(), v);
                    }
                }
            }
        }
        out.datapoints.push(p);
    }
    Ok(out)
}

fn combination_too_many(count: u64) -> CloudError {
    super::combination(format!(
        "You have requested up to {count} datapoints, which exceeds the limit of {MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range."
    ))
}

/// A metric as GetMetricData and alarms name it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub metric_name: String,
    /// Dimensions.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
}

impl Metric {
    pub(crate) fn key(&self, member: &str) -> CloudResult<MetricKey> {
        Ok(MetricKey {
            namespace: self.namespace.clone(),
            name: self.metric_name.clone(),
            dimensions: dims(&self.dimensions, &format!("{member}.Dimensions"))?,
        })
    }

    pub(crate) fn of(key: &MetricKey) -> Metric {
        Metric {
            namespace: key.namespace.clone(),
            metric_name: key.name.clone(),
            dimensions: key
                .dimensions
                .iter()
                .map(|(n, v)| Dimension {
                    name: n.clone(),
                    value: v.clone(),
                })
                .collect(),
        }
    }
}

/// A metric, a period and a statistic.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct MetricStat {
    /// The metric.
    pub metric: Metric,
    /// Seconds per datapoint.
    pub period: u64,
    /// `Average`, `Sum`, `p99`, ...
    pub stat: String,
    /// Unit filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// One query of GetMetricData (or of a metric-math alarm).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDataQuery {
    /// Id other queries' expressions use (`m1`).
    pub id: String,
    /// A metric to read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_stat: Option<MetricStat>,
    /// Or an expression over other queries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// A label for the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Whether to return this query's result (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_data: Option<bool>,
    /// Period for expressions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<u64>,
}

/// GetMetricData request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricDataInput {
    /// The queries.
    pub metric_data_queries: Vec<MetricDataQuery>,
    /// Start (inclusive).
    pub start_time: Value,
    /// End (exclusive).
    pub end_time: Value,
    /// `TimestampAscending` or `TimestampDescending` (default).
    pub scan_by: Option<String>,
}

/// One result of GetMetricData.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDataResult {
    /// The query's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Period starts, epoch seconds.
    pub timestamps: Vec<f64>,
    /// Values.
    pub values: Vec<f64>,
    /// `Complete`.
    pub status_code: String,
}

/// GetMetricData response.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricDataOutput {
    /// One result per query that returns data.
    pub metric_data_results: Vec<MetricDataResult>,
    /// Messages (none here).
    pub messages: Vec<Value>,
}

/// Values of one statistic of `key` per period in `[start, end)`.
pub(crate) fn stat_series(
    cw: &CloudWatchState,
    key: &MetricKey,
    stat: Statistic,
    start: u64,
    end: u64,
    period: u64,
) -> TimeSeries {
    cw.get(key)
        .map(|s| {
            s.datapoints(start, end, period)
                .into_iter()
                .filter_map(|(t, d)| stat.of(&d).map(|v| (t, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs queries (metrics and expressions) over `[start, end)`; returns every
/// query's series by id, in query order.
pub(crate) fn run_queries(
    cw: &CloudWatchState,
    queries: &[MetricDataQuery],
    start: u64,
    end: u64,
) -> CloudResult<Vec<(String, TimeSeries)>> {
    let mut env: BTreeMap<String, TimeSeries> = BTreeMap::new();
    let mut order = Vec::new();
    let ok_id = |id: &str| {
        id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    for (i, q) in queries.iter().enumerate() {
        let member = format!("MetricDataQueries.member.{}", i + 1);
        if !ok_id(&q.id) {
            return Err(invalid(format!(
                "{member}.Id '{}' must start with a lowercase letter and hold only letters, digits and underscores.",
                q.id
            )));
        }
        if env.contains_key(&q.id) {
            return Err(invalid(format!(
                "The Id '{}' is used by two queries.",
                q.id
            )));
        }
        let series = match (&q.metric_stat, &q.expression) {
            (Some(ms), None) => {
                check_period(ms.period, &format!("{member}.MetricStat.Period"))?;
                let stat = Statistic::parse(&ms.stat).ok_or_else(|| {
                    invalid(format!(
                        "{member}.MetricStat.Stat '{}' is not a statistic.",
                        ms.stat
                    ))
                })?;
                let key = ms.metric.key(&format!("{member}.MetricStat.Metric"))?;
                stat_series(cw, &key, stat, start, end, ms.period)
            }
            (None, Some(e)) => match math::parse(e)?.eval(&env)? {
                Ok(s) => s,
                Err(constant) => {
                    let period = q.period.unwrap_or(60).max(1);
                    let mut s = TimeSeries::new();
                    let mut t = start;
                    while t < end {
                        s.insert(t, constant);
                        t += period;
                    }
                    s
                }
            },
            _ => {
                return Err(super::combination(format!(
                    "{member}: give exactly one of MetricStat or Expression."
                )));
            }
        };
        env.insert(q.id.clone(), series.clone());
        order.push((q.id.clone(), series));
    }
    Ok(order)
}

/// GetMetricData.
pub fn get_metric_data(
    cloud: &mut Cloud,
    input: GetMetricDataInput,
) -> CloudResult<GetMetricDataOutput> {
    let qs = &input.metric_data_queries;
    if qs.is_empty() || qs.len() > MAX_QUERIES {
        return Err(invalid(format!(
            "MetricDataQueries must have 1 to {MAX_QUERIES} entries."
        )));
    }
    let (start, end) = range(&input.start_time, &input.end_time)?;
    let ascending = match input.scan_by.as_deref() {
        None | Some("TimestampDescending") => false,
        Some("TimestampAscending") => true,
        Some(other) => {
            return Err(invalid(format!(
                "ScanBy '{other}' must be TimestampAscending or TimestampDescending."
            )));
        }
    };
    let results = run_queries(&cloud.cloudwatch, qs, start, end)?;
    let mut out = GetMetricDataOutput::default();
    for (q, (id, series)) in qs.iter().zip(results) {
        if q.return_data == Some(false) {
            continue;
        }
        let label = q.label.clone().unwrap_or_else(|| match &q.metric_stat {
            Some(ms) => ms.metric.metric_name.clone(),
            None => id.clone(),
        });
        let mut points: Vec<(u64, f64)> = series.into_iter().collect();
        if !ascending {
            points.reverse();
        }
        out.metric_data_results.push(MetricDataResult {
            id,
            label,
            timestamps: points.iter().map(|(t, _)| *t as f64).collect(),
            values: points.iter().map(|(_, v)| *v).collect(),
            status_code: "Complete".into(),
        });
    }
    Ok(out)
}

/// ListMetrics request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMetricsInput {
    /// Only this namespace.
    pub namespace: Option<String>,
    /// Only this metric name.
    pub metric_name: Option<String>,
    /// Only metrics with these dimensions (a missing Value matches any).
    #[serde(default)]
    pub dimensions: Vec<DimensionFilter>,
}

/// A dimension filter of ListMetrics.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DimensionFilter {
    /// Dimension name.
    pub name: String,
    /// Value, or any.
    pub value: Option<String>,
}

/// ListMetrics response.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMetricsOutput {
    /// Matching metrics, by namespace, name and dimensions.
    pub metrics: Vec<Metric>,
}

/// ListMetrics.
pub fn list_metrics(cloud: &mut Cloud, input: ListMetricsInput) -> CloudResult<ListMetricsOutput> {
    let cw = &cloud.cloudwatch;
    let metrics = cw
        .index
        .keys()
        .filter(|k| input.namespace.as_ref().is_none_or(|n| *n == k.namespace))
        .filter(|k| input.metric_name.as_ref().is_none_or(|n| *n == k.name))
        .filter(|k| {
            input.dimensions.iter().all(|f| match k.dimension(&f.name) {
                Some(v) => f.value.as_ref().is_none_or(|want| want == v),
                None => false,
            })
        })
        .map(Metric::of)
        .collect();
    Ok(ListMetricsOutput { metrics })
}

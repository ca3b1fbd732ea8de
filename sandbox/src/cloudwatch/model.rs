//! The metric store: one [`Series`] per metric (namespace, name, dimensions),
//! holding one [`Datum`] per minute (or per second for high-resolution
//! metrics), and the statistics CloudWatch computes over them.

use std::collections::BTreeMap;
use std::fmt;

/// What identifies a metric: namespace, name and dimensions (sorted by name).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetricKey {
    /// `AWS/SQS`, `AWS/Lambda`, or a custom namespace.
    pub namespace: String,
    /// The metric's name.
    pub name: String,
    /// Dimensions as (name, value), sorted by name.
    pub dimensions: Vec<(String, String)>,
}

impl MetricKey {
    /// A key from its parts (dimensions are sorted here).
    pub fn new(namespace: &str, name: &str, dimensions: &[(&str, &str)]) -> MetricKey {
        let mut dims: Vec<(String, String)> = dimensions
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        dims.sort();
        MetricKey {
            namespace: namespace.to_string(),
            name: name.to_string(),
            dimensions: dims,
        }
    }

    /// The value of dimension `name`, if the metric has it.
    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for MetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.namespace, self.name)?;
        if !self.dimensions.is_empty() {
            let dims: Vec<String> = self
                .dimensions
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            write!(f, " [{}]", dims.join(", "))?;
        }
        Ok(())
    }
}

/// A statistic set: what CloudWatch keeps of the values of one period.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct StatSet {
    /// Number of values.
    pub count: f64,
    /// Their sum.
    pub sum: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
}

impl StatSet {
    /// The set of one value seen `count` times.
    pub fn of(value: f64, count: f64) -> StatSet {
        StatSet {
            count,
            sum: value * count,
            min: value,
            max: value,
        }
    }

    /// Adds another set.
    pub fn merge(&mut self, other: &StatSet) {
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Sum / count.
    pub fn average(&self) -> f64 {
        if self.count > 0.0 {
            self.sum / self.count
        } else {
            0.0
        }
    }
}

/// Values bucketed on a logarithmic scale (2% wide), for percentiles.
///
/// CloudWatch computes percentiles from the values it was sent; this keeps
/// them to within 2%, which is what a notebook can show anyway.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    buckets: BTreeMap<i32, f64>,
}

const LOG_BASE: f64 = 1.02;
const ZERO_BUCKET: i32 = i32::MIN;

impl Histogram {
    fn bucket(value: f64) -> i32 {
        if value <= 0.0 {
            ZERO_BUCKET
        } else {
            (value.ln() / LOG_BASE.ln()).floor() as i32
        }
    }

    fn value_of(bucket: i32) -> f64 {
        if bucket == ZERO_BUCKET {
            0.0
        } else {
            // Middle of the bucket.
            LOG_BASE.powf(bucket as f64 + 0.5)
        }
    }

    /// Records `count` occurrences of `value`.
    pub fn add(&mut self, value: f64, count: f64) {
        *self.buckets.entry(Self::bucket(value)).or_insert(0.0) += count;
    }

    /// Adds another histogram.
    pub fn merge(&mut self, other: &Histogram) {
        for (b, c) in &other.buckets {
            *self.buckets.entry(*b).or_insert(0.0) += c;
        }
    }

    /// The `p`-th percentile (0-100), clamped to `[min, max]`.
    pub fn percentile(&self, p: f64, min: f64, max: f64) -> Option<f64> {
        let total: f64 = self.buckets.values().sum();
        if total <= 0.0 {
            return None;
        }
        let rank = (p / 100.0 * total).max(f64::MIN_POSITIVE);
        let mut seen = 0.0;
        for (b, c) in &self.buckets {
            seen += c;
            if seen >= rank - 1e-9 {
                return Some(Self::value_of(*b).clamp(min, max));
            }
        }
        Some(max)
    }
}

/// What CloudWatch knows of one period of one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Datum {
    /// Count, sum, min and max.
    pub stats: StatSet,
    /// The values themselves (bucketed), when the source sent them.
    pub histogram: Option<Histogram>,
}

impl Datum {
    /// A datum of one value.
    pub fn value(v: f64) -> Datum {
        Datum {
            stats: StatSet::of(v, 1.0),
            histogram: None,
        }
    }

    /// Adds another datum of the same period.
    pub fn merge(&mut self, other: &Datum) {
        self.stats.merge(&other.stats);
        match (&mut self.histogram, &other.histogram) {
            (Some(h), Some(o)) => h.merge(o),
            (None, Some(o)) if self.stats.count == other.stats.count => {
                self.histogram = Some(o.clone())
            }
            _ => {}
        }
    }
}

/// A statistic CloudWatch computes over a period.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub enum Statistic {
    /// Number of values.
    SampleCount,
    /// Mean.
    Average,
    /// Total.
    Sum,
    /// Smallest value.
    Minimum,
    /// Largest value.
    Maximum,
    /// A percentile, `p99` = `Percentile(99.0)`.
    Percentile(f64),
}

impl Statistic {
    /// Parses `Average`, `Sum`, ... or an extended statistic `p50`, `p99.9`.
    pub fn parse(text: &str) -> Option<Statistic> {
        Some(match text {
            "SampleCount" => Statistic::SampleCount,
            "Average" => Statistic::Average,
            "Sum" => Statistic::Sum,
            "Minimum" => Statistic::Minimum,
            "Maximum" => Statistic::Maximum,
            p => {
                let n: f64 = p.strip_prefix('p')?.parse().ok()?;
                if !(0.0..=100.0).contains(&n) {
                    return None;
                }
                Statistic::Percentile(n)
            }
        })
    }

    /// The name as the API writes it.
    pub fn name(&self) -> String {
        match self {
            Statistic::SampleCount => "SampleCount".into(),
            Statistic::Average => "Average".into(),
            Statistic::Sum => "Sum".into(),
            Statistic::Minimum => "Minimum".into(),
            Statistic::Maximum => "Maximum".into(),
            Statistic::Percentile(p) => format!("p{p}"),
        }
    }

    /// True for `pNN` statistics.
    pub fn is_extended(&self) -> bool {
        matches!(self, Statistic::Percentile(_))
    }

    /// The statistic of one period's datum (`None` for a percentile without values).
    pub fn of(&self, d: &Datum) -> Option<f64> {
        let s = &d.stats;
        Some(match self {
            Statistic::SampleCount => s.count,
            Statistic::Average => s.average(),
            Statistic::Sum => s.sum,
            Statistic::Minimum => s.min,
            Statistic::Maximum => s.max,
            Statistic::Percentile(p) => match &d.histogram {
                Some(h) => h.percentile(*p, s.min, s.max)?,
                None if s.min == s.max => s.min,
                None => return None,
            },
        })
    }
}

/// How a series fills the minutes it has no stored datum for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// Missing minutes have no data (Lambda, SNS, custom metrics).
    None,
    /// Missing minutes are zero while the resource exists (SQS counters).
    Zero,
    /// Missing minutes repeat the last stored value (sampled gauges).
    Carry,
    /// Like `Carry`, but the stored value is an instant (seconds since the
    /// Unix epoch, or NaN for none) and the metric is its age at the end of
    /// each minute (ApproximateAgeOfOldestMessage).
    Age,
}

/// One metric's data.
#[derive(Clone, Debug)]
pub struct Series {
    /// The metric.
    pub key: MetricKey,
    /// Its unit (`Count`, `Seconds`, `Percent`, ...).
    pub unit: String,
    /// How missing minutes read.
    pub fill: Fill,
    /// Stored data by period start (Unix seconds).
    pub points: BTreeMap<u64, Datum>,
    /// Minutes (start, Unix seconds) the resource was seen alive: first, last.
    pub alive: Option<(u64, u64)>,
    /// Seconds per stored datum (60, or 1 for high-resolution metrics).
    pub resolution: u64,
}

impl Series {
    /// An empty series.
    pub fn new(key: MetricKey, unit: &str, fill: Fill) -> Series {
        Series {
            key,
            unit: unit.to_string(),
            fill,
            points: BTreeMap::new(),
            alive: None,
            resolution: 60,
        }
    }

    /// Adds a datum to the period starting at `at` (Unix seconds).
    pub fn add(&mut self, at: u64, datum: Datum) {
        let at = at - at % self.resolution;
        match self.points.get_mut(&at) {
            Some(d) => d.merge(&datum),
            None => {
                self.points.insert(at, datum);
            }
        }
    }

    /// Marks the minute starting at `minute` as one the resource existed in.
    pub fn seen(&mut self, minute: u64) {
        self.alive = Some(match self.alive {
            None => (minute, minute),
            Some((a, b)) => (a.min(minute), b.max(minute)),
        });
    }

    /// The datum of the minute starting at `minute`, filled as the series fills.
    fn minute(&self, minute: u64) -> Option<Datum> {
        if let Some(d) = self.points.get(&minute) {
            return Some(self.read(minute, d));
        }
        let (first, last) = self.alive?;
        if minute < first || minute > last {
            return None;
        }
        match self.fill {
            Fill::None => None,
            Fill::Zero => Some(Datum::value(0.0)),
            Fill::Carry | Fill::Age => {
                let (_, d) = self.points.range(..minute).next_back()?;
                Some(self.read(minute, d))
            }
        }
    }

    fn read(&self, minute: u64, d: &Datum) -> Datum {
        if self.fill != Fill::Age {
            return d.clone();
        }
        let oldest = d.stats.max;
        let end = (minute + 60) as f64;
        Datum::value(if oldest.is_nan() {
            0.0
        } else {
            (end - oldest).max(0.0)
        })
    }

    /// One datum per period in `[start, end)`, periods aligned to `start`.
    pub fn datapoints(&self, start: u64, end: u64, period: u64) -> Vec<(u64, Datum)> {
        let mut out = Vec::new();
        if period == 0 || end <= start {
            return out;
        }
        let mut p = start;
        while p < end {
            let pend = (p + period).min(end);
            if let Some(d) = self.period(p, pend) {
                out.push((p, d));
            }
            p += period;
        }
        out
    }

    /// The merged datum of `[from, to)`.
    fn period(&self, from: u64, to: u64) -> Option<Datum> {
        let mut acc: Option<Datum> = None;
        let mut merge = |d: Datum| match &mut acc {
            Some(a) => a.merge(&d),
            None => acc = Some(d),
        };
        if self.resolution < 60 || self.fill == Fill::None {
            for (_, d) in self.points.range(from..to) {
                merge(self.read(0, d));
            }
            return acc;
        }
        // Minute series: every minute the resource was alive reads (filled);
        // stored data outside that span counts as it is.
        let first_minute = from.div_ceil(60) * 60;
        let (lo, hi) = match self.alive {
            Some((a, b)) => (first_minute.max(a), to.min(b + 60)),
            None => (first_minute, first_minute),
        };
        let (lo, hi) = (lo.min(to), hi.max(lo).min(to));
        let mut m = lo;
        while m < hi {
            if let Some(d) = self.minute(m) {
                merge(d);
            }
            m += 60;
        }
        for (t, d) in self
            .points
            .range(first_minute..lo.max(first_minute))
            .chain(self.points.range(hi.max(first_minute)..to))
        {
            merge(self.read(*t, d));
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MetricKey {
        MetricKey::new("AWS/SQS", "NumberOfMessagesSent", &[("QueueName", "q")])
    }

    #[test]
    fn zero_filled_series_count_quiet_minutes() {
        let mut s = Series::new(key(), "Count", Fill::Zero);
        for m in 0..5 {
            s.seen(m * 60);
        }
        s.add(60, Datum::value(7.0));
        let pts = s.datapoints(0, 300, 60);
        assert_eq!(pts.len(), 5);
        assert_eq!(pts[1].1.stats.sum, 7.0);
        assert_eq!(pts[0].1.stats.sum, 0.0);
        let five = s.datapoints(0, 300, 300);
        assert_eq!(five.len(), 1);
        assert_eq!(five[0].1.stats.sum, 7.0);
        assert_eq!(five[0].1.stats.count, 5.0);
    }

    #[test]
    fn carried_gauges_repeat_until_the_resource_goes() {
        let mut s = Series::new(key(), "Count", Fill::Carry);
        s.add(0, Datum::value(3.0));
        s.add(180, Datum::value(1.0));
        for m in 0..6 {
            s.seen(m * 60);
        }
        let v: Vec<f64> = s
            .datapoints(0, 600, 60)
            .iter()
            .map(|(_, d)| d.stats.max)
            .collect();
        assert_eq!(v, vec![3.0, 3.0, 3.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn age_grows_while_the_oldest_stays() {
        let mut s = Series::new(key(), "Seconds", Fill::Age);
        s.add(0, Datum::value(30.0));
        for m in 0..3 {
            s.seen(m * 60);
        }
        let v: Vec<f64> = s
            .datapoints(0, 180, 60)
            .iter()
            .map(|(_, d)| d.stats.max)
            .collect();
        assert_eq!(v, vec![30.0, 90.0, 150.0]);
    }

    #[test]
    fn percentiles_are_within_two_percent() {
        let mut h = Histogram::default();
        for i in 1..=1000 {
            h.add(i as f64, 1.0);
        }
        let p99 = h.percentile(99.0, 1.0, 1000.0).unwrap();
        assert!((p99 - 990.0).abs() / 990.0 < 0.02, "{p99}");
        let p50 = h.percentile(50.0, 1.0, 1000.0).unwrap();
        assert!((p50 - 500.0).abs() / 500.0 < 0.02, "{p50}");
    }

    #[test]
    fn statistics_parse_and_compute() {
        let mut d = Datum::value(2.0);
        d.merge(&Datum::value(4.0));
        assert_eq!(Statistic::parse("Average").unwrap().of(&d), Some(3.0));
        assert_eq!(Statistic::parse("SampleCount").unwrap().of(&d), Some(2.0));
        assert_eq!(Statistic::parse("p99.9"), Some(Statistic::Percentile(99.9)));
        assert!(Statistic::parse("p101").is_none());
        assert!(Statistic::parse("Mean").is_none());
        assert_eq!(Statistic::Percentile(50.0).of(&d), None);
    }
}

//! Virtual time: the instant type, the epoch every `Cloud` starts at, and the
//! duration helpers that read well in a notebook (`30.secs()`, `250.millis()`).
//!
//! Nothing in the sandbox reads the wall clock. Time moves only when a `Cloud`
//! is asked to move it (see [`crate::Cloud::advance`]).

use std::fmt;
use std::ops::{Add, AddAssign, Sub};
use std::time::Duration;

/// An instant in virtual time: nanoseconds since the Unix epoch.
///
/// ```
/// use cloudlab::prelude::*;
/// let t = SimTime::EPOCH + 90.secs();
/// assert_eq!(t.to_string(), "2026-01-01T00:01:30Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(u64);

impl SimTime {
    /// 2026-01-01T00:00:00Z, where every `Cloud` starts.
    pub const EPOCH: SimTime = SimTime(1_767_225_600 * 1_000_000_000);

    /// The instant `nanos` nanoseconds after the Unix epoch.
    pub const fn from_unix_nanos(nanos: u64) -> SimTime {
        SimTime(nanos)
    }

    /// The instant `millis` milliseconds after the Unix epoch.
    pub const fn from_unix_millis(millis: u64) -> SimTime {
        SimTime(millis * 1_000_000)
    }

    /// Nanoseconds since the Unix epoch.
    pub const fn unix_nanos(self) -> u64 {
        self.0
    }

    /// Milliseconds since the Unix epoch (what SQS puts in `SentTimestamp`).
    pub const fn unix_millis(self) -> u64 {
        self.0 / 1_000_000
    }

    /// Whole seconds since the Unix epoch.
    pub const fn unix_secs(self) -> u64 {
        self.0 / 1_000_000_000
    }

    /// Seconds since the Unix epoch as a float (what JSON-protocol timestamps carry).
    pub fn unix_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// Time since `earlier`, zero if `earlier` is later.
    pub fn since(self, earlier: SimTime) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// Time elapsed since [`SimTime::EPOCH`].
    pub fn since_epoch(self) -> Duration {
        self.since(SimTime::EPOCH)
    }

    /// The instant as a `jiff` timestamp, for calendar arithmetic.
    pub fn to_jiff(self) -> jiff::Timestamp {
        jiff::Timestamp::from_nanosecond(self.0 as i128).expect("virtual time stays in range")
    }

    /// The instant from a `jiff` timestamp (clamped at the Unix epoch).
    pub fn from_jiff(ts: jiff::Timestamp) -> SimTime {
        SimTime(ts.as_nanosecond().max(0) as u64)
    }

    /// Parses an RFC 3339 timestamp such as `2026-01-01T00:00:00Z`.
    pub fn parse_rfc3339(text: &str) -> Option<SimTime> {
        text.parse::<jiff::Timestamp>().ok().map(SimTime::from_jiff)
    }

    /// RFC 3339 with milliseconds, as SNS and Lambda write them:
    /// `2026-01-01T00:00:00.000Z`.
    pub fn to_rfc3339_millis(self) -> String {
        self.to_jiff()
            .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    }

    /// The calendar month (`2026-01`), which billing uses to apply monthly free tiers.
    pub fn month(self) -> String {
        self.to_jiff().strftime("%Y-%m").to_string()
    }
}

impl serde::Serialize for SimTime {
    /// As RFC 3339 text.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for SimTime {
    /// RFC 3339, to the second unless there is a fraction.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_jiff())
    }
}

impl Add<Duration> for SimTime {
    type Output = SimTime;
    fn add(self, d: Duration) -> SimTime {
        SimTime(
            self.0
                .saturating_add(d.as_nanos().min(u64::MAX as u128) as u64),
        )
    }
}

impl AddAssign<Duration> for SimTime {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for SimTime {
    type Output = SimTime;
    fn sub(self, d: Duration) -> SimTime {
        SimTime(
            self.0
                .saturating_sub(d.as_nanos().min(u64::MAX as u128) as u64),
        )
    }
}

impl Sub<SimTime> for SimTime {
    type Output = Duration;
    fn sub(self, earlier: SimTime) -> Duration {
        self.since(earlier)
    }
}

/// Duration helpers on numbers: `30.secs()`, `250.millis()`, `1.5.hours()`.
///
/// Implemented for `u64` and `f64`, so plain integer and float literals work.
///
/// ```
/// use cloudlab::prelude::*;
/// assert_eq!(2.mins(), 120.secs());
/// assert_eq!(1.5.secs(), 1500.millis());
/// ```
pub trait DurationExt {
    /// This many milliseconds.
    fn millis(self) -> Duration;
    /// This many seconds.
    fn secs(self) -> Duration;
    /// This many minutes.
    fn mins(self) -> Duration;
    /// This many hours.
    fn hours(self) -> Duration;
    /// This many days.
    fn days(self) -> Duration;
}

impl DurationExt for u64 {
    fn millis(self) -> Duration {
        Duration::from_millis(self)
    }
    fn secs(self) -> Duration {
        Duration::from_secs(self)
    }
    fn mins(self) -> Duration {
        Duration::from_secs(self * 60)
    }
    fn hours(self) -> Duration {
        Duration::from_secs(self * 3600)
    }
    fn days(self) -> Duration {
        Duration::from_secs(self * 86_400)
    }
}

impl DurationExt for f64 {
    fn millis(self) -> Duration {
        Duration::from_secs_f64(self.max(0.0) / 1000.0)
    }
    fn secs(self) -> Duration {
        Duration::from_secs_f64(self.max(0.0))
    }
    fn mins(self) -> Duration {
        Duration::from_secs_f64(self.max(0.0) * 60.0)
    }
    fn hours(self) -> Duration {
        Duration::from_secs_f64(self.max(0.0) * 3600.0)
    }
    fn days(self) -> Duration {
        Duration::from_secs_f64(self.max(0.0) * 86_400.0)
    }
}

/// Formats a duration the way people read one: `250 ms`, `31 s`, `2 min 5 s`, `3 h`.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        if !d.subsec_nanos().is_multiple_of(1_000_000) && ms < 10 {
            return format!("{:.2} ms", d.as_secs_f64() * 1000.0);
        }
        return format!("{ms} ms");
    }
    let secs = d.as_secs();
    if secs < 60 {
        if ms.is_multiple_of(1000) {
            return format!("{secs} s");
        }
        return format!("{:.1} s", d.as_secs_f64());
    }
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut parts = Vec::new();
    if h >= 24 {
        parts.push(format!("{} d", h / 24));
        if h % 24 > 0 {
            parts.push(format!("{} h", h % 24));
        }
    } else if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 && h == 0 {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_new_year_2026() {
        assert_eq!(SimTime::EPOCH.to_string(), "2026-01-01T00:00:00Z");
        assert_eq!(
            SimTime::EPOCH.to_rfc3339_millis(),
            "2026-01-01T00:00:00.000Z"
        );
        assert_eq!(SimTime::EPOCH.month(), "2026-01");
    }

    #[test]
    fn arithmetic_saturates_instead_of_panicking() {
        assert_eq!(SimTime::EPOCH - Duration::MAX, SimTime::from_unix_nanos(0));
        assert_eq!(SimTime::EPOCH + 1.days() - SimTime::EPOCH, 86_400.secs());
        assert_eq!(SimTime::EPOCH - (SimTime::EPOCH + 1.secs()), Duration::ZERO);
    }

    #[test]
    fn parses_rfc3339() {
        let t = SimTime::parse_rfc3339("2026-01-01T00:00:10Z").unwrap();
        assert_eq!(t - SimTime::EPOCH, 10.secs());
        assert!(SimTime::parse_rfc3339("yesterday").is_none());
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(250.millis()), "250 ms");
        assert_eq!(human(31.secs()), "31 s");
        assert_eq!(human(125.secs()), "2 min 5 s");
        assert_eq!(human(3.hours()), "3 h");
        assert_eq!(human(26.hours()), "1 d 2 h");
        assert_eq!(human(1.5.secs()), "1.5 s");
    }
}

//! Storage billing: S3 Standard bills the average bytes stored over a
//! calendar month, in GB-months (2^30 bytes for one month). The sandbox keeps
//! the account's stored bytes and the time it last accrued them, and meters
//! `bytes × time` whenever the amount changes (and when a bill is drawn up).

use crate::billing::Meter;
use crate::time::SimTime;

use super::quotas::BYTES_PER_GB;

/// Price key of S3 Standard storage.
pub const STORAGE_KEY: &str = "s3.standard.gb_months";

/// Stored bytes over time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StorageMeter {
    /// Bytes stored now, all buckets.
    pub bytes: u64,
    /// Time up to which storage has been metered.
    pub accrued_to: Option<SimTime>,
}

impl StorageMeter {
    /// Meters storage up to `now`, then sets the stored bytes to `bytes`.
    pub fn change(&mut self, meter: &mut Meter, now: SimTime, bytes: u64) {
        self.accrue(meter, now);
        self.bytes = bytes;
    }

    /// Meters the bytes stored from the last accrual up to `now`.
    pub fn accrue(&mut self, meter: &mut Meter, now: SimTime) {
        if let Some(from) = self.accrued_to {
            for (at, units) in gb_months(self.bytes, from, now) {
                meter.add(at, STORAGE_KEY, units);
            }
        }
        self.accrued_to = Some(now);
    }
}

/// GB-months of `bytes` stored from `from` to `to`, split by calendar month:
/// (an instant in that month, units).
pub fn gb_months(bytes: u64, from: SimTime, to: SimTime) -> Vec<(SimTime, f64)> {
    if bytes == 0 {
        return Vec::new();
    }
    let gb = bytes as f64 / BYTES_PER_GB;
    split_by_month(from, to)
        .into_iter()
        .map(|(at, secs, month_secs)| (at, gb * secs / month_secs))
        .collect()
}

/// The interval `from..to` cut at calendar-month boundaries (UTC): for each
/// piece, its start, its length in seconds and its month's length in seconds.
pub fn split_by_month(from: SimTime, to: SimTime) -> Vec<(SimTime, f64, f64)> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let (month_start, month_end) = month_bounds(start);
        let end = month_end.min(to);
        let month_secs = month_end.since(month_start).as_secs_f64();
        out.push((start, end.since(start).as_secs_f64(), month_secs));
        start = end;
    }
    out
}

/// The first instant of `t`'s calendar month (UTC) and of the next month.
fn month_bounds(t: SimTime) -> (SimTime, SimTime) {
    let zoned = t.to_jiff().to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let Ok(first) = zoned.first_of_month().and_then(|z| z.start_of_day()) else {
        return (t, t + std::time::Duration::from_secs(30 * 86_400));
    };
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map(|z| SimTime::from_jiff(z.timestamp()))
        .unwrap_or(t + std::time::Duration::from_secs(30 * 86_400));
    (SimTime::from_jiff(first.timestamp()), next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;

    #[test]
    fn one_gb_for_all_of_january_is_one_gb_month() {
        let gb = 1u64 << 30;
        let parts = gb_months(gb, SimTime::EPOCH, SimTime::EPOCH + 31.days());
        assert_eq!(parts.len(), 1);
        assert!((parts[0].1 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn storage_spanning_months_is_split() {
        let gb = 1u64 << 30;
        // Jan 16 to Feb 15: half of January (15.5 of 31 days), 14 of 28 days.
        let from = SimTime::EPOCH + 15.5.days();
        let parts = gb_months(gb, from, SimTime::EPOCH + 45.days());
        assert_eq!(parts.len(), 2);
        assert!((parts[0].1 - 0.5).abs() < 1e-9, "{parts:?}");
        assert!((parts[1].1 - 0.5).abs() < 1e-9, "{parts:?}");
    }

    #[test]
    fn the_meter_accrues_what_was_stored_before_a_change() {
        let mut m = Meter::default();
        let mut s = StorageMeter::default();
        let gb = 1u64 << 30;
        s.change(&mut m, SimTime::EPOCH, 2 * gb);
        s.change(&mut m, SimTime::EPOCH + 31.days(), 0);
        assert!((m.units(STORAGE_KEY) - 2.0).abs() < 1e-9);
        s.accrue(&mut m, SimTime::EPOCH + 60.days());
        assert!((m.units(STORAGE_KEY) - 2.0).abs() < 1e-9);
    }
}

//! Schedule expressions for scheduled rules: `rate(5 minutes)` and AWS's
//! six-field `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, in UTC,
//! and when each next fires in virtual time.
//!
//! ```
//! use cloudlab::events::Schedule;
//! use cloudlab::prelude::*;
//! let nightly = Schedule::parse("cron(0 2 * * ? *)").unwrap();
//! let next = nightly.next_after(SimTime::EPOCH, SimTime::EPOCH);
//! assert_eq!(next.unwrap().to_string(), "2026-01-01T02:00:00Z");
//! assert!(Schedule::parse("cron(0 2 * * * *)").is_err()); // one of the day fields must be ?
//! ```

use std::time::Duration;

use jiff::civil::{Date, DateTime, Weekday};

use crate::time::SimTime;

/// A parsed schedule expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// `rate(n unit)`: every `n` minutes, hours or days from when the rule was created.
    Rate(Duration),
    /// `cron(...)`: at the minutes the fields allow (UTC).
    Cron(Box<Cron>),
}

/// The fields of a cron expression, each as the set of values it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    dom: DayOfMonth,
    months: Vec<bool>,
    dow: DayOfWeek,
    years: Vec<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum DayOfMonth {
    Any,
    Days(Vec<bool>),
    Last,
    /// The weekday nearest to this day of the month.
    NearestWeekday(u8),
    LastWeekday,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum DayOfWeek {
    Any,
    /// Indexed 1 (Sunday) ..= 7 (Saturday).
    Days(Vec<bool>),
    /// The last such weekday of the month.
    Last(u8),
    /// The n-th such weekday of the month.
    Nth(u8, u8),
}

const FIRST_YEAR: i16 = 1970;
const LAST_YEAR: i16 = 2199;
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// The one message EventBridge gives for any bad schedule expression.
pub const INVALID: &str = "Parameter ScheduleExpression is not valid.";

impl Schedule {
    /// Parses `rate(...)` or `cron(...)`; `Err` with AWS's message otherwise.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let text = text.trim();
        if let Some(inner) = text.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
            return parse_rate(inner).ok_or_else(|| INVALID.to_string());
        }
        if let Some(inner) = text.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
            return Cron::parse(inner)
                .map(|c| Schedule::Cron(Box::new(c)))
                .ok_or_else(|| INVALID.to_string());
        }
        Err(INVALID.to_string())
    }

    /// The first firing strictly after `after`; `created` anchors rates.
    /// `None` when a cron expression never fires again (its years are past).
    pub fn next_after(&self, created: SimTime, after: SimTime) -> Option<SimTime> {
        match self {
            Schedule::Rate(every) => {
                let every_ns = every.as_nanos().max(1) as u64;
                let since = after.unix_nanos().saturating_sub(created.unix_nanos());
                let n = since / every_ns + 1;
                Some(SimTime::from_unix_nanos(
                    created.unix_nanos() + n * every_ns,
                ))
            }
            Schedule::Cron(c) => c.next_after(after),
        }
    }
}

fn parse_rate(inner: &str) -> Option<Schedule> {
    let mut parts = inner.split_whitespace();
    let (n, unit) = (parts.next()?, parts.next()?);
    if parts.next().is_some() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = n.parse().ok().filter(|&n| n > 0)?;
    let secs = match unit {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3_600,
        "day" | "days" => 86_400,
        _ => return None,
    };
    // AWS: singular unit for 1, plural otherwise.
    if (n == 1) == unit.ends_with('s') {
        return None;
    }
    Some(Schedule::Rate(Duration::from_secs(n.checked_mul(secs)?)))
}

/// Parses one field's value as a number or a name (1-based names).
fn value(token: &str, names: &[&str]) -> Option<u32> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(token)) {
        return Some(i as u32 + 1);
    }
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

/// A field of numbers in `min..=max`: `*`, `a`, `a-b`, any with `/step`, comma lists.
fn set(field: &str, min: u32, max: u32, names: &[&str]) -> Option<Vec<bool>> {
    let mut out = vec![false; max as usize + 1];
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, value(s, &[]).filter(|&s| s > 0)?),
            None => (item, 1),
        };
        let (lo, hi) = match range {
            "*" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a, names)?, value(b, names)?),
                None => {
                    let a = value(r, names)?;
                    (a, if step > 1 { max } else { a })
                }
            },
        };
        if lo < min || hi > max || lo > hi {
            return None;
        }
        let mut v = lo;
        while v <= hi {
            out[v as usize] = true;
            v += step;
        }
    }
    Some(out)
}

impl Cron {
    fn parse(inner: &str) -> Option<Cron> {
        let f: Vec<&str> = inner.split_whitespace().collect();
        if f.len() != 6 {
            return None;
        }
        let (dom_q, dow_q) = (f[2] == "?", f[4] == "?");
        if dom_q == dow_q {
            return None;
        }
        let years = set(f[5], FIRST_YEAR as u32, LAST_YEAR as u32, &[])?;
        Some(Cron {
            minutes: set(f[0], 0, 59, &[])?,
            hours: set(f[1], 0, 23, &[])?,
            dom: if dom_q {
                DayOfMonth::Any
            } else {
                day_of_month(f[2])?
            },
            months: set(f[3], 1, 12, &MONTHS)?,
            dow: if dow_q {
                DayOfWeek::Any
            } else {
                day_of_week(f[4])?
            },
            years,
        })
    }

    /// The first minute strictly after `after` that every field allows.
    fn next_after(&self, after: SimTime) -> Option<SimTime> {
        let start = after
            .to_jiff()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .datetime();
        let first_minute = start.hour() as u32 * 60 + start.minute() as u32 + 1;
        let mut day = start.date();
        let mut from = first_minute;
        while day.year() <= LAST_YEAR {
            let minute = || {
                (from..24 * 60)
                    .find(|m| self.hours[(m / 60) as usize] && self.minutes[(m % 60) as usize])
            };
            if self.day_allowed(day)
                && let Some(m) = minute()
            {
                let dt = DateTime::from_parts(
                    day,
                    jiff::civil::time((m / 60) as i8, (m % 60) as i8, 0, 0),
                );
                let ts = dt
                    .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .ok()?
                    .timestamp();
                return Some(SimTime::from_jiff(ts));
            }
            day = day.tomorrow().ok()?;
            from = 0;
        }
        None
    }

    fn day_allowed(&self, d: Date) -> bool {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&d.year())
            || !self.years[d.year() as usize]
            || !self.months[d.month() as usize]
        {
            return false;
        }
        let last = d.days_in_month();
        let dom_ok = match &self.dom {
            DayOfMonth::Any => true,
            DayOfMonth::Days(days) => days[d.day() as usize],
            DayOfMonth::Last => d.day() == last,
            DayOfMonth::NearestWeekday(n) => d.day() == nearest_weekday(d, *n as i8),
            DayOfMonth::LastWeekday => d.day() == nearest_weekday(d, last),
        };
        let weekday = d.weekday().to_sunday_one_offset() as u8;
        let dow_ok = match &self.dow {
            DayOfWeek::Any => true,
            DayOfWeek::Days(days) => days[weekday as usize],
            DayOfWeek::Last(w) => weekday == *w && d.day() + 7 > last,
            DayOfWeek::Nth(w, n) => weekday == *w && (d.day() - 1) / 7 + 1 == *n as i8,
        };
        dom_ok && dow_ok
    }
}

/// The weekday (Mon-Fri) nearest to day `n` of `d`'s month, never leaving the month.
fn nearest_weekday(d: Date, n: i8) -> i8 {
    let last = d.days_in_month();
    let n = n.min(last);
    let Ok(target) = Date::new(d.year(), d.month(), n) else {
        return -1;
    };
    match target.weekday() {
        Weekday::Saturday if n == 1 => 3,
        Weekday::Saturday => n - 1,
        Weekday::Sunday if n == last => n - 2,
        Weekday::Sunday => n + 1,
        _ => n,
    }
}

fn day_of_month(field: &str) -> Option<DayOfMonth> {
    match field {
        "L" => Some(DayOfMonth::Last),
        "LW" => Some(DayOfMonth::LastWeekday),
        f if f.ends_with('W') => {
            let n = value(&f[..f.len() - 1], &[]).filter(|n| (1..=31).contains(n))?;
            Some(DayOfMonth::NearestWeekday(n as u8))
        }
        f => set(f, 1, 31, &[]).map(DayOfMonth::Days),
    }
}

fn day_of_week(field: &str) -> Option<DayOfWeek> {
    if let Some(w) = field.strip_suffix('L').filter(|w| !w.is_empty()) {
        let w = value(w, &DAYS).filter(|w| (1..=7).contains(w))?;
        return Some(DayOfWeek::Last(w as u8));
    }
    if field == "L" {
        return Some(DayOfWeek::Last(7));
    }
    if let Some((w, n)) = field.split_once('#') {
        let w = value(w, &DAYS).filter(|w| (1..=7).contains(w))?;
        let n = value(n, &[]).filter(|n| (1..=5).contains(n))?;
        return Some(DayOfWeek::Nth(w as u8, n as u8));
    }
    set(field, 1, 7, &DAYS).map(DayOfWeek::Days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SimTime {
        SimTime::parse_rfc3339(s).unwrap()
    }

    fn next(expr: &str, after: &str) -> String {
        Schedule::parse(expr)
            .unwrap()
            .next_after(SimTime::EPOCH, at(after))
            .map(|t| t.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn rates() {
        assert_eq!(
            Schedule::parse("rate(5 minutes)").unwrap(),
            Schedule::Rate(Duration::from_secs(300))
        );
        assert_eq!(
            Schedule::parse("rate(1 hour)").unwrap(),
            Schedule::Rate(Duration::from_secs(3600))
        );
        for bad in [
            "rate(1 minutes)",
            "rate(5 minute)",
            "rate(0 minutes)",
            "rate(-1 days)",
            "rate(5 weeks)",
            "rate(5)",
            "every 5 minutes",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
        let s = Schedule::parse("rate(5 minutes)").unwrap();
        assert_eq!(
            s.next_after(SimTime::EPOCH, SimTime::EPOCH)
                .unwrap()
                .to_string(),
            "2026-01-01T00:05:00Z"
        );
        assert_eq!(
            s.next_after(SimTime::EPOCH, at("2026-01-01T00:05:00Z"))
                .unwrap()
                .to_string(),
            "2026-01-01T00:10:00Z"
        );
    }

    #[test]
    fn aws_cron_examples() {
        // 10:15 UTC every day.
        assert_eq!(
            next("cron(15 10 * * ? *)", "2026-01-01T10:15:00Z"),
            "2026-01-02T10:15:00Z"
        );
        // 6 PM Monday through Friday (2026-01-03 is a Saturday).
        assert_eq!(
            next("cron(0 18 ? * MON-FRI *)", "2026-01-02T18:00:00Z"),
            "2026-01-05T18:00:00Z"
        );
        // 8 AM on the first day of the month.
        assert_eq!(
            next("cron(0 8 1 * ? *)", "2026-01-01T08:00:00Z"),
            "2026-02-01T08:00:00Z"
        );
        // Every 10 minutes, weekdays.
        assert_eq!(
            next("cron(0/10 * ? * MON-FRI *)", "2026-01-02T23:55:00Z"),
            "2026-01-05T00:00:00Z"
        );
        // Every 5 minutes between 8:00 and 17:55, weekdays.
        assert_eq!(
            next("cron(0/5 8-17 ? * MON-FRI *)", "2026-01-05T17:55:00Z"),
            "2026-01-06T08:00:00Z"
        );
        // 9 AM on the first Monday of each month.
        assert_eq!(
            next("cron(0 9 ? * 2#1 *)", "2026-01-01T00:00:00Z"),
            "2026-01-05T09:00:00Z"
        );
        // Last day of the month, last Friday, nearest weekday.
        assert_eq!(
            next("cron(0 0 L * ? *)", "2026-02-01T00:00:00Z"),
            "2026-02-28T00:00:00Z"
        );
        assert_eq!(
            next("cron(0 0 ? * 6L *)", "2026-01-01T00:00:00Z"),
            "2026-01-30T00:00:00Z"
        );
        // 2026-02-15 is a Sunday: nearest weekday is Monday the 16th.
        assert_eq!(
            next("cron(0 0 15W * ? *)", "2026-02-01T00:00:00Z"),
            "2026-02-16T00:00:00Z"
        );
        // A past year never fires.
        assert_eq!(next("cron(0 0 1 1 ? 2025)", "2026-01-01T00:00:00Z"), "");
    }

    #[test]
    fn bad_crons() {
        for bad in [
            "cron(0 2 * * * *)",
            "cron(0 2 ? * ? *)",
            "cron(0 2 * *)",
            "cron(60 2 * * ? *)",
            "cron(0 24 * * ? *)",
            "cron(0 0 32 * ? *)",
            "cron(0 0 ? * 8 *)",
            "cron(0 0 ? * FOO *)",
            "cron(0 0 1 * ? 1969)",
            "cron(0/0 * * * ? *)",
            "cron(5-1 * * * ? *)",
        ] {
            assert_eq!(Schedule::parse(bad).unwrap_err(), INVALID, "{bad}");
        }
    }
}

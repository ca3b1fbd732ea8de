//! Load profiles: requests per second as a function of time since the run
//! started. Constant, a daily curve, spikes, a CSV of (seconds, rps) points,
//! and sums of those.

use std::f64::consts::PI;
use std::time::Duration;

use crate::error::{CloudError, CloudResult};

/// Requests per second over time.
///
/// ```
/// use cloudlab::servers::Profile;
/// use std::time::Duration;
/// let p = Profile::daily(20.0, 200.0).plus(Profile::spike(3600.0 * 12.0, 600.0, 900.0));
/// assert_eq!(p.rate(Duration::ZERO), 20.0);            // night
/// assert_eq!(p.rate(Duration::from_secs(12 * 3600)), 200.0 + 900.0); // noon, in the spike
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Profile {
    /// The same rate all the time.
    Constant(f64),
    /// A day-long cosine: `low` at midnight, `high` at noon, repeating daily.
    Daily {
        /// Rate at midnight.
        low: f64,
        /// Rate at noon.
        high: f64,
    },
    /// `extra` requests per second from `start` for `length` seconds.
    Spike {
        /// Start, seconds from the run's start.
        start: f64,
        /// Length, seconds.
        length: f64,
        /// Added rate.
        extra: f64,
    },
    /// Straight lines between (seconds, rps) points; the last rate holds after.
    Points(Vec<(f64, f64)>),
    /// The sum of profiles.
    Sum(Vec<Profile>),
}

impl Profile {
    /// A constant rate.
    pub fn constant(rps: f64) -> Profile {
        Profile::Constant(rps)
    }

    /// A daily curve from `low` (midnight) to `high` (noon).
    pub fn daily(low: f64, high: f64) -> Profile {
        Profile::Daily { low, high }
    }

    /// A spike of `extra` rps starting `start_secs` after the run starts, lasting `length_secs`.
    pub fn spike(start_secs: f64, length_secs: f64, extra: f64) -> Profile {
        Profile::Spike {
            start: start_secs,
            length: length_secs,
            extra,
        }
    }

    /// A profile from CSV text: lines of `seconds,rps` (a header line and
    /// blank lines are skipped), seconds increasing.
    pub fn csv(text: &str) -> CloudResult<Profile> {
        let mut points = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let mut cols = line.split(',').map(str::trim);
            let (Some(a), Some(b), None) = (cols.next(), cols.next(), cols.next()) else {
                return Err(bad(i, "expected two columns: seconds,rps"));
            };
            match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(t), Ok(r)) => {
                    if !t.is_finite() || !r.is_finite() || t < 0.0 || r < 0.0 {
                        return Err(bad(i, "seconds and rps must be finite and not negative"));
                    }
                    if points.last().is_some_and(|(p, _)| *p >= t) {
                        return Err(bad(i, "seconds must increase from line to line"));
                    }
                    points.push((t, r));
                }
                _ if i == 0 => {}
                _ => return Err(bad(i, &format!("'{line}' is not two numbers"))),
            }
        }
        if points.is_empty() {
            return Err(bad(0, "no data lines"));
        }
        Ok(Profile::Points(points))
    }

    /// This profile plus another.
    pub fn plus(self, other: Profile) -> Profile {
        match self {
            Profile::Sum(mut v) => {
                v.push(other);
                Profile::Sum(v)
            }
            p => Profile::Sum(vec![p, other]),
        }
    }

    /// Requests per second `t` after the run started.
    pub fn rate(&self, t: Duration) -> f64 {
        let s = t.as_secs_f64();
        match self {
            Profile::Constant(r) => *r,
            Profile::Daily { low, high } => {
                let phase = (s % 86_400.0) / 86_400.0;
                low + (high - low) * (1.0 - (2.0 * PI * phase).cos()) / 2.0
            }
            Profile::Spike {
                start,
                length,
                extra,
            } => {
                if s >= *start && s < start + length {
                    *extra
                } else {
                    0.0
                }
            }
            Profile::Points(p) => match p.iter().position(|(x, _)| *x > s) {
                None => p.last().map_or(0.0, |l| l.1),
                Some(0) => p[0].1,
                Some(i) => {
                    let (x0, y0) = p[i - 1];
                    let (x1, y1) = p[i];
                    y0 + (y1 - y0) * (s - x0) / (x1 - x0)
                }
            },
            Profile::Sum(v) => v.iter().map(|p| p.rate(t)).sum(),
        }
        .max(0.0)
    }

    /// The highest rate over `length` (sampled each second).
    pub fn peak(&self, length: Duration) -> f64 {
        (0..length.as_secs().max(1))
            .map(|s| self.rate(Duration::from_secs(s)))
            .fold(0.0, f64::max)
    }
}

fn bad(line: usize, why: &str) -> CloudError {
    CloudError::new(
        "ValidationError",
        format!("Load profile CSV, line {}: {why}.", line + 1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_curve_peaks_at_noon() {
        let p = Profile::daily(10.0, 110.0);
        assert_eq!(p.rate(Duration::ZERO), 10.0);
        assert!((p.rate(Duration::from_secs(43_200)) - 110.0).abs() < 1e-9);
        assert!((p.rate(Duration::from_secs(21_600)) - 60.0).abs() < 1e-9);
        assert!((p.peak(Duration::from_secs(86_400)) - 110.0).abs() < 1e-6);
    }

    #[test]
    fn csv_interpolates_and_reports_bad_lines() {
        let p = Profile::csv("seconds,rps\n0,10\n60,70\n\n120,10\n").unwrap();
        assert_eq!(p.rate(Duration::from_secs(30)), 40.0);
        assert_eq!(p.rate(Duration::from_secs(500)), 10.0);
        let e = Profile::csv("0,1\n0,2").unwrap_err();
        assert!(e.message.contains("line 2"), "{}", e.message);
        assert!(
            Profile::csv("0,x\n1,2\n").is_ok(),
            "a header line is skipped"
        );
        assert!(
            Profile::csv("1,2\n3,y\n")
                .unwrap_err()
                .message
                .contains("line 2")
        );
        assert!(Profile::csv("").is_err());
        assert!(Profile::csv("1,-2").is_err());
    }

    #[test]
    fn spikes_add_up() {
        let p = Profile::constant(5.0).plus(Profile::spike(10.0, 5.0, 100.0));
        assert_eq!(p.rate(Duration::from_secs(9)), 5.0);
        assert_eq!(p.rate(Duration::from_secs(10)), 105.0);
        assert_eq!(p.rate(Duration::from_secs(15)), 5.0);
    }
}

//! Run reports: what a load run did (requests served, queued, dropped and
//! why), how long requests took (percentiles), what the fleet did (instances
//! per minute, instance-hours) and what it cost; with a chart.

use std::fmt;

use super::model::{Run, RunCounts};
use crate::billing::{Bill, usd};
use crate::cloudwatch::view::Chart;
use crate::render::{Table, section};
use crate::time::SimTime;

/// What one load run did.
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    /// Site name.
    pub site: String,
    /// When the run started.
    pub start: SimTime,
    /// How long the load lasted.
    pub length_secs: u64,
    /// Arrived, served and dropped requests.
    pub counts: RunCounts,
    /// Requests still waiting in instance queues when reported.
    pub queued: u64,
    /// Median latency of served requests, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
    /// EC2 instance-hours billed during the run.
    pub instance_hours: f64,
    /// EC2, EBS and load balancer cost during the run (list prices), USD.
    pub cost_usd: f64,
    /// Per minute: (start, arrived rps, in-service instances, p95 ms, dropped).
    pub minutes: Vec<(SimTime, f64, u32, f64, u64)>,
}

/// EC2 + EBS + ELB cost in a bill (list prices).
pub fn servers_cost(bill: &Bill) -> f64 {
    bill.lines
        .iter()
        .filter(|l| l.service == "ec2" || l.service == "elasticloadbalancing")
        .map(|l| l.gross_usd())
        .sum()
}

/// EC2 instance-hours in a bill.
pub fn instance_hours(bill: &Bill) -> f64 {
    bill.lines
        .iter()
        .filter(|l| l.key.starts_with("ec2.") && l.key.ends_with(".hours"))
        .map(|l| l.units)
        .sum()
}

impl RunReport {
    pub(crate) fn of(site: &str, run: &Run, queued: u64, bill: &Bill, _now: SimTime) -> RunReport {
        let stats_max = run.max_ms;
        let pct = |p| run.latency.percentile(p, 0.0, stats_max).unwrap_or(0.0);
        RunReport {
            site: site.to_string(),
            start: run.start,
            length_secs: run.end.since(run.start).as_secs(),
            counts: run.counts,
            queued,
            p50_ms: pct(50.0),
            p95_ms: pct(95.0),
            p99_ms: pct(99.0),
            max_ms: stats_max,
            instance_hours: instance_hours(bill) - run.hours_before,
            cost_usd: servers_cost(bill) - run.bill_before,
            minutes: run
                .minutes
                .iter()
                .map(|(m, r)| {
                    (
                        SimTime::from_unix_nanos(m * 1_000_000_000),
                        r.arrived as f64 / 60.0,
                        r.instances,
                        r.latency.percentile(95.0, 0.0, stats_max).unwrap_or(0.0),
                        r.dropped,
                    )
                })
                .collect(),
        }
    }

    /// Share of arrived requests that were dropped.
    pub fn drop_rate(&self) -> f64 {
        if self.counts.arrived == 0 {
            0.0
        } else {
            self.counts.dropped() as f64 / self.counts.arrived as f64
        }
    }

    /// Requests per second and in-service instances per minute.
    pub fn chart(&self) -> Chart {
        let rps: Vec<(SimTime, f64)> = self.minutes.iter().map(|m| (m.0, m.1)).collect();
        let inst: Vec<(SimTime, f64)> = self.minutes.iter().map(|m| (m.0, m.2 as f64)).collect();
        let scale = rps.iter().map(|p| p.1).fold(1.0, f64::max)
            / inst.iter().map(|p| p.1).fold(1.0, f64::max);
        let scaled: Vec<(SimTime, f64)> = inst.iter().map(|(t, v)| (*t, v * scale)).collect();
        Chart::new(
            &format!(
                "{}: load and fleet (instances scaled ×{scale:.1})",
                self.site
            ),
            "requests/s",
            self.start,
        )
        .line("requests/s", &rps)
        .line("instances (scaled)", &scaled)
        .steps()
    }

    /// p95 latency per minute.
    pub fn latency_chart(&self) -> Chart {
        let p95: Vec<(SimTime, f64)> = self.minutes.iter().map(|m| (m.0, m.3)).collect();
        Chart::new(
            &format!("{}: p95 latency per minute", self.site),
            "ms",
            self.start,
        )
        .line("p95", &p95)
    }

    fn table(&self) -> Table {
        let c = &self.counts;
        let mut t = Table::new(["", "value"]);
        for (k, v) in [
            ("requests arrived", c.arrived.to_string()),
            ("served", c.served.to_string()),
            ("still queued", self.queued.to_string()),
            ("dropped: no target (503)", c.no_target.to_string()),
            ("dropped: failing target (502)", c.target_error.to_string()),
            ("dropped: timed out (504)", c.timed_out.to_string()),
            (
                "latency p50 / p95 / p99 / max",
                format!(
                    "{:.0} / {:.0} / {:.0} / {:.0} ms",
                    self.p50_ms, self.p95_ms, self.p99_ms, self.max_ms
                ),
            ),
            ("instance-hours", format!("{:.2}", self.instance_hours)),
            ("EC2 + EBS + ALB cost", usd(self.cost_usd)),
        ] {
            t.row([k.to_string(), v]);
        }
        t
    }

    /// The report as HTML (table and charts).
    pub fn to_html(&self) -> String {
        section(
            &format!("Load run on {} ({} s)", self.site, self.length_secs),
            &format!(
                "{}{}{}",
                self.table().to_html(),
                self.chart().to_svg(),
                self.latency_chart().to_svg()
            ),
        )
    }
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Load run on {} ({} s)", self.site, self.length_secs)?;
        write!(f, "{}", self.table().to_text())
    }
}

crate::display_as_html!(RunReport);

//! How metrics and alarms look: line charts as self-contained SVG (also used
//! by `servers` reports) and alarm tables.

use std::fmt::{self, Write};

use super::alarms::{Alarm, AlarmState};
use crate::render::{Cell, Table, badge, escape, section};
use crate::time::SimTime;

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Legend text.
    pub label: String,
    /// Stroke colour.
    pub colour: String,
    /// Points (x in seconds since the first x of the chart, y).
    pub points: Vec<(f64, f64)>,
    /// Draw as steps (counts) rather than straight segments.
    pub steps: bool,
}

/// A line chart over time, rendered as SVG.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Title above the chart.
    pub title: String,
    /// Y axis unit.
    pub unit: String,
    /// Lines.
    pub lines: Vec<Line>,
    /// Dashed horizontal lines (label, y): thresholds, targets.
    pub marks: Vec<(String, f64)>,
    /// Instant the x axis starts at.
    pub start: SimTime,
}

/// Colours lines take in order.
pub const PALETTE: [&str; 6] = [
    "#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2",
];

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 34.0;

fn nice(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let exp = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * exp >= v {
            return m * exp;
        }
    }
    10.0 * exp
}

fn short(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v.abs() >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn clock(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    if s >= 86_400 && s.is_multiple_of(86_400) {
        format!("{}d", s / 86_400)
    } else {
        format!(
            "{:02}:{:02}",
            (s / 3600) % 24 + (s / 86_400) * 24,
            (s / 60) % 60
        )
    }
}

impl Chart {
    /// An empty chart starting at `start`.
    pub fn new(title: &str, unit: &str, start: SimTime) -> Chart {
        Chart {
            title: title.to_string(),
            unit: unit.to_string(),
            lines: Vec::new(),
            marks: Vec::new(),
            start,
        }
    }

    /// Adds a line from (instant, value) points.
    pub fn line(mut self, label: &str, points: &[(SimTime, f64)]) -> Chart {
        let colour = PALETTE[self.lines.len() % PALETTE.len()].to_string();
        let pts = points
            .iter()
            .map(|(t, v)| (t.since(self.start).as_secs_f64(), *v))
            .collect();
        self.lines.push(Line {
            label: label.to_string(),
            colour,
            points: pts,
            steps: false,
        });
        self
    }

    /// Draws the last line added as steps.
    pub fn steps(mut self) -> Chart {
        if let Some(l) = self.lines.last_mut() {
            l.steps = true;
        }
        self
    }

    /// A dashed horizontal mark (a threshold or target).
    pub fn mark(mut self, label: &str, y: f64) -> Chart {
        self.marks.push((label.to_string(), y));
        self
    }

    /// The chart as SVG.
    pub fn to_svg(&self) -> String {
        let xmax = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .fold(60.0f64, f64::max);
        let ymax = nice(
            self.lines
                .iter()
                .flat_map(|l| l.points.iter().map(|p| p.1))
                .chain(self.marks.iter().map(|m| m.1))
                .filter(|v| v.is_finite())
                .fold(0.0f64, f64::max)
                * 1.05,
        );
        let pw = W - LEFT - RIGHT;
        let ph = H - TOP - BOTTOM;
        let x = |v: f64| LEFT + v / xmax * pw;
        let y = |v: f64| TOP + ph - (v / ymax).clamp(0.0, 1.0) * ph;
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"system-ui,sans-serif\" font-size=\"10\">\
<text x=\"{LEFT}\" y=\"14\" font-size=\"12\" font-weight=\"600\" fill=\"#111\">{}</text>",
            escape(&self.title)
        );
        for i in 0..=4 {
            let v = ymax * i as f64 / 4.0;
            let _ = write!(
                s,
                "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" stroke=\"#e5e7eb\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{}</text>",
                W - RIGHT,
                LEFT - 4.0,
                y(v) + 3.0,
                short(v),
                y0 = y(v)
            );
        }
        for i in 0..=4 {
            let v = xmax * i as f64 / 4.0;
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">+{}</text>",
                x(v),
                H - BOTTOM + 14.0,
                clock(v)
            );
        }
        let _ = write!(
            s,
            "<text x=\"12\" y=\"{:.1}\" fill=\"#555\" transform=\"rotate(-90 12 {:.1})\" text-anchor=\"middle\">{}</text>",
            TOP + ph / 2.0,
            TOP + ph / 2.0,
            escape(&self.unit)
        );
        for (label, v) in &self.marks {
            let _ = write!(
                s,
                "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#dc2626\" stroke-dasharray=\"5,4\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#dc2626\">{}</text>",
                W - RIGHT,
                W - RIGHT - 2.0,
                y(*v) - 3.0,
                escape(label),
                yy = y(*v)
            );
        }
        for l in &self.lines {
            if l.points.is_empty() {
                continue;
            }
            let mut d = String::new();
            let mut prev: Option<(f64, f64)> = None;
            for (px, py) in &l.points {
                let (cx, cy) = (x(*px), y(*py));
                match prev {
                    None => {
                        let _ = write!(d, "M{cx:.1},{cy:.1}");
                    }
                    Some((_, pyy)) if l.steps => {
                        let _ = write!(d, " L{cx:.1},{pyy:.1} L{cx:.1},{cy:.1}");
                    }
                    Some(_) => {
                        let _ = write!(d, " L{cx:.1},{cy:.1}");
                    }
                }
                prev = Some((cx, cy));
            }
            let _ = write!(
                s,
                "<path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"/>",
                l.colour
            );
            if l.points.len() == 1 {
                let (px, py) = l.points[0];
                let _ = write!(
                    s,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{}\"/>",
                    x(px),
                    y(py),
                    l.colour
                );
            }
        }
        let mut lx = LEFT;
        for l in &self.lines {
            let _ = write!(
                s,
                "<rect x=\"{lx:.1}\" y=\"{}\" width=\"10\" height=\"3\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{}\" fill=\"#333\">{}</text>",
                H - 10.0,
                l.colour,
                lx + 13.0,
                H - 6.0,
                escape(&l.label)
            );
            lx += 20.0 + 6.0 * l.label.chars().count() as f64;
        }
        s.push_str("</svg>");
        s
    }

    /// The chart as HTML (the SVG inline).
    pub fn to_html(&self) -> String {
        self.to_svg()
    }
}

impl fmt::Display for Chart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} ({})", self.title, self.unit)?;
        for l in &self.lines {
            let vals: Vec<String> = l.points.iter().map(|(_, v)| short(*v)).collect();
            writeln!(f, "  {}: {}", l.label, vals.join(" "))?;
        }
        Ok(())
    }
}

/// A snapshot of alarms.
#[derive(Clone, Debug)]
pub struct AlarmsView {
    rows: Vec<(String, AlarmState, String, String, String)>,
}

impl AlarmsView {
    pub(crate) fn of<'a>(alarms: impl Iterator<Item = &'a Alarm>) -> AlarmsView {
        AlarmsView {
            rows: alarms
                .map(|a| {
                    let watched = match &a.watched {
                        super::alarms::Watched::Metric {
                            key,
                            statistic,
                            period,
                        } => format!("{} of {} per {period} s", statistic.name(), key),
                        super::alarms::Watched::Math { queries, period } => {
                            let e = queries
                                .iter()
                                .find(|q| q.return_data.unwrap_or(false))
                                .and_then(|q| q.expression.clone())
                                .unwrap_or_default();
                            format!("{e} per {period} s")
                        }
                    };
                    let cond = format!(
                        "{} {} for {} of {}",
                        match a.comparison {
                            super::alarms::Comparison::GreaterThanOrEqualToThreshold => ">=",
                            super::alarms::Comparison::GreaterThanThreshold => ">",
                            super::alarms::Comparison::LessThanThreshold => "<",
                            super::alarms::Comparison::LessThanOrEqualToThreshold => "<=",
                        },
                        a.threshold,
                        a.datapoints_to_alarm,
                        a.evaluation_periods
                    );
                    (
                        a.name.clone(),
                        a.state,
                        watched,
                        cond,
                        a.state_reason.clone(),
                    )
                })
                .collect(),
        }
    }

    fn table(&self) -> Table {
        let mut t = Table::new(["Alarm", "State", "Watches", "Condition", "Reason"]);
        for (name, state, watched, cond, reason) in &self.rows {
            let colour = match state {
                AlarmState::Ok => "#15803d",
                AlarmState::Alarm => "#b91c1c",
                AlarmState::InsufficientData => "#6b7280",
            };
            t.row([
                Cell::Text(name.clone()),
                Cell::Html(badge(state.as_str(), colour)),
                Cell::Text(watched.clone()),
                Cell::Text(cond.clone()),
                Cell::Text(crate::render::preview(reason, 90)),
            ]);
        }
        t
    }

    /// Number of alarms shown.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The alarms as HTML.
    pub fn to_html(&self) -> String {
        section(
            &format!("CloudWatch alarms ({})", self.rows.len()),
            &self.table().to_html(),
        )
    }
}

impl fmt::Display for AlarmsView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table().to_text())
    }
}

crate::display_as_html!(Chart, AlarmsView);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;

    #[test]
    fn charts_scale_and_label() {
        let t0 = SimTime::EPOCH;
        let c = Chart::new("Queue depth", "Count", t0)
            .line(
                "visible",
                &[(t0, 0.0), (t0 + 60.secs(), 40.0), (t0 + 120.secs(), 10.0)],
            )
            .mark("threshold", 30.0);
        let svg = c.to_svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(">Queue depth<"));
        assert!(svg.contains(">threshold<"));
        assert!(svg.contains("stroke-dasharray"));
        assert_eq!(nice(42.0), 50.0);
        assert_eq!(nice(0.0), 1.0);
        assert_eq!(clock(3_660.0), "01:01");
    }
}

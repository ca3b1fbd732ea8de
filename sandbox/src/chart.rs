//! Line charts as self-contained SVG, for lessons that compare designs
//! (cost against traffic, latency against load ...). Renders in a notebook
//! like every other view.
//!
//! ```
//! use cloudlab::chart::LineChart;
//! let chart = LineChart::new("Cost per month")
//!     .x_label("messages per second")
//!     .y_label("USD")
//!     .log_x()
//!     .series("SQS", vec![(10.0, 1.0), (100.0, 10.0), (1000.0, 100.0)])
//!     .series("Kinesis", vec![(10.0, 11.0), (100.0, 12.0), (1000.0, 30.0)]);
//! let svg = chart.to_svg();
//! assert!(svg.starts_with("<svg") && svg.contains("Kinesis"));
//! ```

use std::fmt::Write;

use crate::render::escape;

const COLOURS: &[&str] = &[
    "#8c4fff", "#0f766e", "#ed7100", "#e7157b", "#2563eb", "#6b7280",
];
const W: f64 = 560.0;
const H: f64 = 300.0;
const LEFT: f64 = 64.0;
const TOP: f64 = 30.0;
const PLOT_W: f64 = 360.0;
const PLOT_H: f64 = 220.0;

/// A chart of one or more named series of (x, y) points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineChart {
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    log_y: bool,
    series: Vec<(String, Vec<(f64, f64)>)>,
}

impl LineChart {
    /// An empty chart with a title.
    pub fn new(title: &str) -> LineChart {
        LineChart {
            title: title.to_string(),
            ..Default::default()
        }
    }

    /// The x axis' label.
    pub fn x_label(mut self, label: &str) -> LineChart {
        self.x_label = label.to_string();
        self
    }

    /// The y axis' label.
    pub fn y_label(mut self, label: &str) -> LineChart {
        self.y_label = label.to_string();
        self
    }

    /// A logarithmic x axis (points with x <= 0 are left out).
    pub fn log_x(mut self) -> LineChart {
        self.log_x = true;
        self
    }

    /// A logarithmic y axis (points with y <= 0 are left out).
    pub fn log_y(mut self) -> LineChart {
        self.log_y = true;
        self
    }

    /// Adds a series.
    pub fn series(mut self, name: &str, points: Vec<(f64, f64)>) -> LineChart {
        self.series.push((name.to_string(), points));
        self
    }

    fn scaled(&self, (x, y): (f64, f64)) -> Option<(f64, f64)> {
        let x = if self.log_x {
            (x > 0.0).then(|| x.log10())?
        } else {
            x
        };
        let y = if self.log_y {
            (y > 0.0).then(|| y.log10())?
        } else {
            y
        };
        (x.is_finite() && y.is_finite()).then_some((x, y))
    }

    fn bounds(&self) -> Option<(f64, f64, f64, f64)> {
        let pts: Vec<(f64, f64)> = self
            .series
            .iter()
            .flat_map(|(_, p)| p.iter().filter_map(|p| self.scaled(*p)))
            .collect();
        let first = pts.first()?;
        let mut b = (first.0, first.0, first.1, first.1);
        for (x, y) in &pts {
            b = (b.0.min(*x), b.1.max(*x), b.2.min(*y), b.3.max(*y));
        }
        if !self.log_y {
            b.2 = b.2.min(0.0);
        }
        if b.1 - b.0 < 1e-12 {
            b.1 = b.0 + 1.0;
        }
        if b.3 - b.2 < 1e-12 {
            b.3 = b.2 + 1.0;
        }
        Some(b)
    }

    fn tick(&self, v: f64, log: bool) -> String {
        let v = if log { 10f64.powf(v) } else { v };
        if v.abs() >= 1000.0 {
            format!("{:.0}", v)
        } else if v.abs() >= 1.0 || v == 0.0 {
            format!("{:.1}", v).trim_end_matches(".0").to_string()
        } else {
            format!("{:.3}", v)
        }
    }

    /// The chart as SVG.
    pub fn to_svg(&self) -> String {
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"system-ui,sans-serif\" font-size=\"11\"><text x=\"{LEFT}\" y=\"16\" font-size=\"13\" font-weight=\"600\">{}</text>",
            escape(&self.title)
        );
        let Some((x0, x1, y0, y1)) = self.bounds() else {
            s.push_str("<text x=\"64\" y=\"60\" fill=\"#666\">no data</text></svg>");
            return s;
        };
        let px = |x: f64| LEFT + (x - x0) / (x1 - x0) * PLOT_W;
        let py = |y: f64| TOP + PLOT_H - (y - y0) / (y1 - y0) * PLOT_H;
        let _ = write!(
            s,
            "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{PLOT_W}\" height=\"{PLOT_H}\" fill=\"none\" stroke=\"#999\"/>"
        );
        for i in 0..=4 {
            let fx = x0 + (x1 - x0) * i as f64 / 4.0;
            let fy = y0 + (y1 - y0) * i as f64 / 4.0;
            let _ = write!(
                s,
                "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#eee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#444\">{}</text><text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#444\">{}</text>",
                LEFT + PLOT_W,
                LEFT - 4.0,
                py(fy) + 4.0,
                escape(&self.tick(fy, self.log_y)),
                TOP + PLOT_H + 14.0,
                escape(&self.tick(fx, self.log_x)),
                y = py(fy),
                x = px(fx),
            );
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#222\">{}</text><text x=\"14\" y=\"{}\" fill=\"#222\" transform=\"rotate(-90 14 {})\" text-anchor=\"middle\">{}</text>",
            LEFT + PLOT_W / 2.0,
            TOP + PLOT_H + 32.0,
            escape(&self.x_label),
            TOP + PLOT_H / 2.0,
            TOP + PLOT_H / 2.0,
            escape(&self.y_label)
        );
        for (i, (name, points)) in self.series.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let path: Vec<String> = points
                .iter()
                .filter_map(|p| self.scaled(*p))
                .map(|(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
                .collect();
            if path.is_empty() {
                continue;
            }
            let _ = write!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                path.join(" ")
            );
            for p in &path {
                let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
                let _ = write!(
                    s,
                    "<circle cx=\"{x}\" cy=\"{y}\" r=\"2.5\" fill=\"{colour}\"/>"
                );
            }
            let ly = TOP + 10.0 + i as f64 * 16.0;
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"3\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" fill=\"#222\">{}</text>",
                LEFT + PLOT_W + 12.0,
                ly - 4.0,
                LEFT + PLOT_W + 28.0,
                ly,
                escape(name)
            );
        }
        s.push_str("</svg>");
        s
    }

    /// The chart as HTML (the SVG inline).
    pub fn to_html(&self) -> String {
        self.to_svg()
    }
}

crate::display_as_html!(LineChart);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axes_skip_non_positive_points() {
        let c = LineChart::new("t")
            .log_x()
            .log_y()
            .series("a", vec![(0.0, 1.0), (10.0, 100.0), (100.0, 1000.0)]);
        let svg = c.to_svg();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(">1000<"));
        assert!(LineChart::new("empty").to_svg().contains("no data"));
    }
}

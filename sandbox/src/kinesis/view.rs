//! How streams look in a notebook: shards as lanes on a timeline (records
//! per time slice, throttles, where each reader is), a table of shards, the
//! consumers' lag, and the records themselves as a table.

use std::fmt;
use std::fmt::Write;
use std::time::Duration;

use super::keys::shard_id;
use super::model::StreamState;
use crate::cloud::Cloud;
use crate::render::{Cell, Table, badge, escape, preview, section};
use crate::time::{SimTime, human};

/// Time slices on the timeline.
const SLICES: usize = 60;
const LANE_H: i64 = 34;
const LEFT: i64 = 130;
const PLOT_W: i64 = 600;

/// One shard on the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct ShardLane {
    /// The shard id.
    pub shard_id: String,
    /// Parent shard ids.
    pub parents: Vec<String>,
    /// Share of the hash key space, 0-1.
    pub key_share: f64,
    /// When it opened and (if) closed.
    pub opened: SimTime,
    /// When it closed.
    pub closed: Option<SimTime>,
    /// Records per time slice (of what is still in the window).
    pub counts: Vec<u32>,
    /// Records in the window, bytes in the window.
    pub records: usize,
    /// Bytes in the window.
    pub bytes: u64,
    /// Write / read throttles on the timeline (time, write?).
    pub throttles: Vec<(SimTime, bool)>,
    /// Lifetime counters.
    pub stats: super::ShardStats,
}

/// A reader's place in a shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReaderMark {
    /// Who: `iterator #3`, `lambda:fn`, `efo:name`, `firehose:name`.
    pub who: String,
    /// The shard.
    pub shard_id: String,
    /// Arrival time of the next record it will read (`None`: caught up).
    pub next_arrival: Option<SimTime>,
    /// How far behind the tip, ms.
    pub millis_behind: u64,
}

/// A snapshot of a stream for display.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamView {
    /// Stream name.
    pub name: String,
    /// Mode, status, retention in words.
    pub summary: String,
    /// When the snapshot was taken.
    pub at: SimTime,
    /// Start of the timeline.
    pub from: SimTime,
    /// The shards, by id.
    pub lanes: Vec<ShardLane>,
    /// Where readers are.
    pub readers: Vec<ReaderMark>,
}

fn slice_of(t: SimTime, from: SimTime, to: SimTime) -> usize {
    let span = to.since(from).as_secs_f64().max(1e-9);
    let x = t.since(from).as_secs_f64() / span * SLICES as f64;
    (x as usize).min(SLICES - 1)
}

impl StreamView {
    pub(crate) fn of(cloud: &Cloud, name: &str) -> StreamView {
        let now = cloud.core.now;
        let s = &cloud.kinesis.streams[name];
        let oldest = s
            .shards
            .iter()
            .filter_map(|sh| sh.records.front().map(|r| r.arrival))
            .min()
            .unwrap_or(s.created);
        let from = oldest.max(s.created).min(now);
        let from = if now.since(from) < Duration::from_secs(1) {
            now - Duration::from_secs(1)
        } else {
            from
        };
        let retention = s.retention();
        let lanes = s
            .shards
            .iter()
            .filter(|sh| sh.closed.is_none_or(|t| t + retention > now))
            .map(|sh| {
                let mut counts = vec![0u32; SLICES];
                for r in &sh.records {
                    counts[slice_of(r.arrival, from, now)] += 1;
                }
                ShardLane {
                    shard_id: sh.id(),
                    parents: sh
                        .parent
                        .into_iter()
                        .chain(sh.adjacent_parent)
                        .map(shard_id)
                        .collect(),
                    key_share: sh.range.share(),
                    opened: sh.created,
                    closed: sh.closed,
                    counts,
                    records: sh.records.len(),
                    bytes: sh.bytes_stored,
                    throttles: sh
                        .throttles
                        .iter()
                        .filter(|t| t.at >= from)
                        .map(|t| (t.at, t.write))
                        .collect(),
                    stats: sh.stats,
                }
            })
            .collect();
        StreamView {
            name: name.to_string(),
            summary: summary(s),
            at: now,
            from,
            lanes,
            readers: readers(cloud, s, now),
        }
    }

    /// The timeline as SVG: one lane per shard, a bar per time slice, red
    /// marks for write throttles, orange for read throttles, and a triangle
    /// where each reader's next record is.
    pub fn to_svg(&self) -> String {
        let rows = self.lanes.len().max(1) as i64;
        let height = 30 + rows * LANE_H + 24;
        let width = LEFT + PLOT_W + 20;
        let max = self
            .lanes
            .iter()
            .flat_map(|l| l.counts.iter())
            .copied()
            .max()
            .unwrap_or(0)
            .max(1);
        let x_of = |t: SimTime| {
            let span = self.at.since(self.from).as_secs_f64().max(1e-9);
            LEFT + (t.since(self.from).as_secs_f64() / span * PLOT_W as f64).round() as i64
        };
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"system-ui,sans-serif\" font-size=\"11\">"
        );
        let _ = write!(
            s,
            "<text x=\"{LEFT}\" y=\"14\" fill=\"#333\">records per slice of {} · max {max}</text>",
            escape(&human(self.at.since(self.from) / SLICES as u32))
        );
        let bar_w = (PLOT_W / SLICES as i64).max(1);
        for (row, lane) in self.lanes.iter().enumerate() {
            let y = 24 + row as i64 * LANE_H;
            let closed = lane.closed.is_some();
            let fill = if closed { "#9ca3af" } else { "#0f766e" };
            let _ = write!(
                s,
                "<text x=\"4\" y=\"{}\" fill=\"{}\">{}</text><text x=\"4\" y=\"{}\" fill=\"#666\" font-size=\"9\">{:.0}% of keys{}</text>",
                y + 14,
                if closed { "#6b7280" } else { "#111" },
                escape(&lane.shard_id),
                y + 26,
                lane.key_share * 100.0,
                if closed { " · closed" } else { "" }
            );
            let _ = write!(
                s,
                "<line x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#ddd\"/>",
                y + LANE_H - 4,
                LEFT + PLOT_W,
                y + LANE_H - 4
            );
            let (x0, x1) = (
                x_of(lane.opened.max(self.from)),
                lane.closed
                    .map_or(LEFT + PLOT_W, |t| x_of(t.max(self.from))),
            );
            let _ = write!(
                s,
                "<rect x=\"{x0}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" opacity=\"0.06\"/>",
                y,
                (x1 - x0).max(1),
                LANE_H - 4,
                fill
            );
            for (i, &c) in lane.counts.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                let h = ((c as f64 / max as f64) * (LANE_H - 8) as f64)
                    .ceil()
                    .max(1.0) as i64;
                let _ = write!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{h}\" fill=\"{fill}\"><title>{c} record(s)</title></rect>",
                    LEFT + i as i64 * bar_w,
                    y + LANE_H - 4 - h,
                    (bar_w - 1).max(1)
                );
            }
            for &(t, write) in &lane.throttles {
                let x = x_of(t);
                let (colour, y1, y2) = if write {
                    ("#dc2626", y, y + 8)
                } else {
                    ("#f59e0b", y + LANE_H - 12, y + LANE_H - 4)
                };
                let _ = write!(
                    s,
                    "<line x1=\"{x}\" y1=\"{y1}\" x2=\"{x}\" y2=\"{y2}\" stroke=\"{colour}\" stroke-width=\"2\"><title>{} throttled</title></line>",
                    if write { "write" } else { "read" }
                );
            }
            for (k, r) in self
                .readers
                .iter()
                .filter(|r| r.shard_id == lane.shard_id)
                .enumerate()
            {
                let x = r
                    .next_arrival
                    .map_or(LEFT + PLOT_W, |t| x_of(t.max(self.from)));
                let ty = y + 2 + (k as i64 % 3) * 9;
                let _ = write!(
                    s,
                    "<path d=\"M{x},{ty} l-4,-0 l4,8 l4,-8 z\" fill=\"#2563eb\"><title>{} · {} ms behind</title></path><text x=\"{}\" y=\"{}\" fill=\"#2563eb\" font-size=\"9\">{}</text>",
                    escape(&r.who),
                    r.millis_behind,
                    x + 5,
                    ty + 7,
                    escape(&preview(&r.who, 18))
                );
            }
        }
        let axis_y = 24 + rows * LANE_H + 12;
        let _ = write!(
            s,
            "<text x=\"{LEFT}\" y=\"{axis_y}\" fill=\"#666\">{}</text><text x=\"{}\" y=\"{axis_y}\" fill=\"#666\" text-anchor=\"end\">{} (now)</text></svg>",
            escape(&self.from.to_rfc3339_millis()),
            LEFT + PLOT_W,
            escape(&self.at.to_rfc3339_millis())
        );
        s
    }

    fn shard_table(&self) -> Table {
        let mut t = Table::new([
            "Shard",
            "Parents",
            "Keys",
            "State",
            "Records",
            "Bytes",
            "Put",
            "Write throttles",
            "Read throttles",
        ]);
        for l in &self.lanes {
            t.row([
                Cell::Text(l.shard_id.clone()),
                Cell::Text(l.parents.join(", ")),
                Cell::Text(format!("{:.1}%", l.key_share * 100.0)),
                Cell::Html(if l.closed.is_some() {
                    badge("closed", "#6b7280")
                } else {
                    badge("open", "#15803d")
                }),
                Cell::Text(l.records.to_string()),
                Cell::Text(l.bytes.to_string()),
                Cell::Text(l.stats.records_in.to_string()),
                Cell::Text(l.stats.write_throttles.to_string()),
                Cell::Text(l.stats.read_throttles.to_string()),
            ]);
        }
        t
    }

    fn lag_table(&self) -> Table {
        let mut t = Table::new(["Reader", "Shard", "Next record arrived", "Behind"]);
        for r in &self.readers {
            t.row([
                r.who.clone(),
                r.shard_id.clone(),
                r.next_arrival
                    .map_or("- (caught up)".into(), |a| a.to_rfc3339_millis()),
                human(Duration::from_millis(r.millis_behind)),
            ]);
        }
        t
    }

    /// The snapshot as HTML: summary, timeline, shards, readers' lag.
    pub fn to_html(&self) -> String {
        let mut body = format!(
            "<div style=\"font-size:12px;color:#444\">{} · at {}</div>{}{}",
            escape(&self.summary),
            escape(&self.at.to_string()),
            self.to_svg(),
            self.shard_table().to_html()
        );
        if !self.readers.is_empty() {
            body.push_str(&section("Readers and lag", &self.lag_table().to_html()));
        }
        section(&format!("Stream {}", self.name), &body)
    }
}

impl fmt::Display for StreamView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Stream {} ({})", self.name, self.summary)?;
        write!(f, "{}", self.shard_table().to_text())?;
        if !self.readers.is_empty() {
            write!(f, "{}", self.lag_table().to_text())?;
        }
        Ok(())
    }
}

fn summary(s: &StreamState) -> String {
    let closed = s.shards.len() as u32 - s.open_count();
    format!(
        "{} · {} · {} open shard(s){} · retention {} h · {} record(s) in the window",
        s.mode.as_str(),
        s.status.as_str(),
        s.open_count(),
        if closed > 0 {
            format!(", {closed} closed")
        } else {
            String::new()
        },
        s.retention_hours,
        s.records_stored()
    )
}

fn mark(s: &StreamState, who: String, shard: u32, position: u64, now: SimTime) -> ReaderMark {
    let next = s.shards[shard as usize].get(position).map(|r| r.arrival);
    ReaderMark {
        who,
        shard_id: shard_id(shard),
        next_arrival: next,
        millis_behind: next.map_or(0, |t| now.since(t).as_millis() as u64),
    }
}

fn readers(cloud: &Cloud, s: &StreamState, now: SimTime) -> Vec<ReaderMark> {
    let mut out = Vec::new();
    for (id, r) in &s.readers {
        if r.last_used + super::quotas::ITERATOR_LIFETIME <= now && r.label.is_none() {
            continue;
        }
        let who = r.label.clone().unwrap_or_else(|| format!("iterator #{id}"));
        out.push(mark(
            s,
            who,
            r.shard,
            r.position.max(s.shards[r.shard as usize].base),
            now,
        ));
    }
    for c in s.consumers.values() {
        for (&shard, &pos) in &c.positions {
            out.push(mark(s, format!("efo:{}", c.name), shard, pos, now));
        }
    }
    for m in cloud
        .kinesis
        .mappings
        .values()
        .filter(|m| *m.stream == *s.name)
    {
        for (shard, ms) in super::esm::lag(cloud, m) {
            out.push(ReaderMark {
                who: format!("lambda:{}", m.function),
                shard_id: shard_id(shard),
                next_arrival: (ms > 0).then(|| now - Duration::from_millis(ms)),
                millis_behind: ms,
            });
        }
    }
    for (who, shard, pos) in crate::firehose::source::positions(cloud, &s.name) {
        out.push(mark(s, who, shard, pos, now));
    }
    out
}

/// Every record in a stream's window, per shard, as a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordsView {
    /// Stream name.
    pub name: String,
    /// The records, by shard then sequence number.
    pub records: Vec<super::Record>,
}

/// Most rows the HTML table shows.
const MAX_ROWS: usize = 200;

impl RecordsView {
    pub(crate) fn of(s: &StreamState) -> RecordsView {
        let mut records = Vec::new();
        for sh in &s.shards {
            for (i, r) in sh.records.iter().enumerate() {
                let pos = sh.base + i as u64;
                records.push(super::Record {
                    sequence_number: s.sequence_number(sh.index, pos, r.arrival),
                    approximate_arrival_timestamp: r.arrival,
                    data: super::Blob(r.data.clone()),
                    partition_key: r.partition_key.to_string(),
                    shard_id: sh.id(),
                });
            }
        }
        RecordsView {
            name: s.name.to_string(),
            records,
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the window is empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Records of one shard.
    pub fn in_shard<'a>(
        &'a self,
        shard_id: &'a str,
    ) -> impl Iterator<Item = &'a super::Record> + 'a {
        self.records.iter().filter(move |r| r.shard_id == shard_id)
    }

    fn table(&self) -> Table {
        let mut t = Table::new([
            "Shard",
            "Sequence number",
            "Partition key",
            "Data",
            "Arrived",
        ]);
        for r in self.records.iter().take(MAX_ROWS) {
            let seq = &r.sequence_number;
            t.row([
                r.shard_id.clone(),
                format!("…{}", &seq[seq.len().saturating_sub(12)..]),
                preview(&r.partition_key, 24),
                preview(&r.text(), 48),
                r.approximate_arrival_timestamp.to_rfc3339_millis(),
            ]);
        }
        t
    }

    /// The records as an HTML table (the first 200).
    pub fn to_html(&self) -> String {
        let more = if self.records.len() > MAX_ROWS {
            format!(" (first {MAX_ROWS} shown)")
        } else {
            String::new()
        };
        section(
            &format!(
                "{} record(s) in stream {}{more}",
                self.records.len(),
                self.name
            ),
            &self.table().to_html(),
        )
    }
}

impl fmt::Display for RecordsView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table().to_text())
    }
}

crate::display_as_html!(StreamView, RecordsView);

/// Adds streams, their Lambda mappings and consumers to the account diagram.
pub(crate) fn add_to_diagram(cloud: &Cloud, d: &mut crate::diagram::Diagram) {
    use crate::diagram::NodeKind;
    for s in cloud.kinesis.streams.values() {
        let label = format!("{} ({} shards)", s.name, s.open_count());
        d.node(&s.arn, &label, NodeKind::Other("Kinesis"));
        for c in s.consumers.values() {
            d.node(
                &c.arn,
                &format!("efo {}", c.name),
                NodeKind::Other("Kinesis EFO"),
            );
            d.edge(&s.arn, &c.arn, "push 2 MiB/s", false);
        }
    }
    for m in cloud.kinesis.mappings.values() {
        let fn_arn = crate::cloud::arn("lambda", &format!("function:{}", m.function));
        d.edge(
            &m.source_arn,
            &fn_arn,
            &format!("poll ×{}", m.batch_size),
            !m.enabled,
        );
        if let Some(dest) = &m.on_failure {
            d.edge(&fn_arn, dest, "on failure", true);
        }
    }
}

/// A table of the account's streams, for the account view.
pub(crate) fn streams_table(cloud: &Cloud) -> Table {
    let mut t = Table::new([
        "Stream",
        "Mode",
        "Status",
        "Open shards",
        "Retention",
        "Records",
        "Throttles",
    ]);
    for s in cloud.kinesis.streams.values() {
        let throttles: u64 = s
            .shards
            .iter()
            .map(|sh| sh.stats.write_throttles + sh.stats.read_throttles)
            .sum();
        t.row([
            s.name.to_string(),
            s.mode.as_str().to_string(),
            s.status.as_str().to_string(),
            s.open_count().to_string(),
            format!("{} h", s.retention_hours),
            s.records_stored().to_string(),
            throttles.to_string(),
        ]);
    }
    for f in cloud.firehose.streams.values() {
        t.row([
            f.name.to_string(),
            "Firehose".to_string(),
            f.status(cloud.core.now).to_string(),
            "-".to_string(),
            format!(
                "buffer {} MiB / {} s",
                f.dest.size_mib, f.dest.interval_secs
            ),
            f.buffer.len().to_string(),
            f.stats.throttled.to_string(),
        ]);
    }
    t
}

//! How a Firehose stream looks in a notebook: its source, buffering,
//! transformation, what is in the buffer and which objects it wrote.

use std::fmt;

use super::model::{DeliveryStreamState, FirehoseStats, Source};
use crate::render::{Table, escape, preview, section};
use crate::time::SimTime;

/// A snapshot of a Firehose stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirehoseView {
    /// The name.
    pub name: String,
    /// Source, destination, buffering and transformation in words.
    pub summary: String,
    /// Buffered records (arrival, first bytes as text).
    pub buffer: Vec<(SimTime, String)>,
    /// Keys written, oldest first.
    pub objects: Vec<String>,
    /// Counters.
    pub stats: FirehoseStats,
}

impl FirehoseView {
    pub(crate) fn of(s: &DeliveryStreamState, now: SimTime) -> FirehoseView {
        let source = match &s.source {
            Source::DirectPut => "direct PUT".to_string(),
            Source::Kinesis { stream, .. } => format!("Kinesis stream {stream}"),
        };
        let transform = s
            .dest
            .processor
            .as_ref()
            .map(|p| format!(" · transformed by {}", p.function))
            .unwrap_or_default();
        FirehoseView {
            name: s.name.to_string(),
            summary: format!(
                "{} · {source} → s3://{}/{} · buffer {} MiB or {} s{transform}",
                s.status(now),
                s.dest.bucket,
                s.dest.prefix.as_deref().unwrap_or(""),
                s.dest.size_mib,
                s.dest.interval_secs
            ),
            buffer: s
                .buffer
                .iter()
                .map(|r| {
                    (
                        r.arrival,
                        String::from_utf8_lossy(&r.data[..r.data.len().min(80)]).into_owned(),
                    )
                })
                .collect(),
            objects: s.delivered_keys.clone(),
            stats: s.stats,
        }
    }

    fn tables(&self) -> (Table, Table) {
        let mut buffer = Table::new(["Arrived", "Data"]);
        for (t, d) in &self.buffer {
            buffer.row([t.to_rfc3339_millis(), preview(d, 60)]);
        }
        let mut objects = Table::new(["Object key"]);
        for k in &self.objects {
            objects.row([k.clone()]);
        }
        (buffer, objects)
    }

    /// The snapshot as HTML.
    pub fn to_html(&self) -> String {
        let (buffer, objects) = self.tables();
        let s = &self.stats;
        let mut body = format!(
            "<div style=\"font-size:12px;color:#444\">{}<br>{} in · {} delivered · {} dropped · {} failed · {} object(s)</div>",
            escape(&self.summary),
            s.records_in,
            s.records_delivered,
            s.dropped,
            s.failed,
            s.objects
        );
        if !buffer.is_empty() {
            body.push_str(&section(
                &format!("Buffer ({} records)", buffer.len()),
                &buffer.to_html(),
            ));
        }
        if !objects.is_empty() {
            body.push_str(&section("Delivered objects", &objects.to_html()));
        }
        section(&format!("Firehose stream {}", self.name), &body)
    }
}

impl fmt::Display for FirehoseView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (buffer, objects) = self.tables();
        writeln!(f, "Firehose {} ({})", self.name, self.summary)?;
        write!(f, "{}{}", buffer.to_text(), objects.to_text())
    }
}

crate::display_as_html!(FirehoseView);

/// Adds Firehose streams, their sources, transformations and buckets to the account diagram.
pub(crate) fn add_to_diagram(cloud: &crate::cloud::Cloud, d: &mut crate::diagram::Diagram) {
    use crate::diagram::NodeKind;
    for f in cloud.firehose.streams.values() {
        d.node(&f.arn, &f.name, NodeKind::Other("Firehose"));
        if let Source::Kinesis { arn, .. } = &f.source {
            d.edge(arn, &f.arn, "read", false);
        }
        if let Some(p) = &f.dest.processor {
            let fn_arn = crate::cloud::arn("lambda", &format!("function:{}", p.function));
            d.edge(&f.arn, &fn_arn, "transform", true);
        }
        let bucket = format!("arn:aws:s3:::{}", f.dest.bucket);
        d.node(&bucket, &f.dest.bucket, NodeKind::Other("S3"));
        d.edge(
            &f.arn,
            &bucket,
            &format!("{} MiB / {} s", f.dest.size_mib, f.dest.interval_secs),
            false,
        );
    }
}

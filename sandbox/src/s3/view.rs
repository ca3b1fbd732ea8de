//! How a bucket looks in a notebook (HTML) and a terminal.

use std::fmt;

use super::model::{BucketState, BucketStats, Destination};
use crate::render::{Table, escape, preview, section};

/// Objects a view lists at most.
const MAX_ROWS: usize = 50;

/// A snapshot of a bucket.
#[derive(Clone, Debug)]
pub struct BucketView {
    /// Name.
    pub name: String,
    /// Objects and total bytes.
    pub objects: usize,
    /// Bytes stored.
    pub bytes: u64,
    /// Counters.
    pub stats: BucketStats,
    listing: Table,
    rules: Table,
}

impl BucketView {
    pub(crate) fn of(b: &BucketState) -> BucketView {
        let mut listing = Table::new(["Key", "Size", "Content type", "Last modified", "ETag"]);
        for (key, o) in b.objects.iter().take(MAX_ROWS) {
            listing.row([
                preview(key, 60),
                format!("{} B", o.size()),
                o.content_type.clone(),
                o.last_modified.to_rfc3339_millis(),
                o.etag.clone(),
            ]);
        }
        if b.objects.len() > MAX_ROWS {
            listing.row([
                format!("… {} more", b.objects.len() - MAX_ROWS),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        let mut rules = Table::new(["Id", "Events", "Prefix", "Suffix", "Destination"]);
        for r in &b.notifications.rules {
            let (kind, arn) = match &r.destination {
                Destination::Lambda(a) => ("Lambda", a),
                Destination::Queue(a) => ("SQS", a),
                Destination::Topic(a) => ("SNS", a),
            };
            rules.row([
                preview(&r.id, 24),
                r.events.join(", "),
                r.prefix.clone(),
                r.suffix.clone(),
                format!("{kind} {}", arn.rsplit(':').next().unwrap_or(arn)),
            ]);
        }
        if b.notifications.eventbridge {
            rules.row(["", "all events", "", "", "EventBridge default bus"]);
        }
        BucketView {
            name: b.name.to_string(),
            objects: b.objects.len(),
            bytes: b.bytes,
            stats: b.stats,
            listing,
            rules,
        }
    }

    fn summary(&self) -> String {
        format!(
            "{} objects, {} B · {} puts, {} gets, {} deletes, {} notifications",
            self.objects,
            self.bytes,
            self.stats.puts,
            self.stats.gets,
            self.stats.deletes,
            self.stats.notifications
        )
    }

    /// The view as HTML.
    pub fn to_html(&self) -> String {
        let mut h = format!(
            "<div style=\"font-family:system-ui,sans-serif\"><div style=\"font-weight:600\">🪣 s3://{}</div><div style=\"font-size:12px;color:#444\">{}</div>",
            escape(&self.name),
            escape(&self.summary())
        );
        if !self.listing.is_empty() {
            h.push_str(&section("Objects", &self.listing.to_html()));
        }
        if !self.rules.is_empty() {
            h.push_str(&section("Event notifications", &self.rules.to_html()));
        }
        h.push_str("</div>");
        h
    }
}

impl fmt::Display for BucketView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "s3://{} — {}", self.name, self.summary())?;
        write!(f, "{}", self.listing.to_text())?;
        if !self.rules.is_empty() {
            write!(f, "{}", self.rules.to_text())?;
        }
        Ok(())
    }
}

crate::display_as_html!(BucketView);

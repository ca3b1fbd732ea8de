//! How topics look in a notebook (HTML) and a terminal.

use std::fmt;

use super::model::{Protocol, TopicStats};
use crate::render::{Table, escape, section};

/// One subscription as a view shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SubscriptionInfo {
    /// Protocol.
    pub protocol: Protocol,
    /// Endpoint.
    pub endpoint: String,
    /// Waiting for confirmation.
    pub pending: bool,
    /// Raw message delivery.
    pub raw: bool,
    /// Subscription DLQ, if any.
    pub dead_letter: Option<String>,
    /// Filter policy, if any.
    pub filter: Option<String>,
}

/// A snapshot of a topic.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TopicView {
    /// Name.
    pub name: String,
    /// Subscriptions.
    pub subscriptions: Vec<SubscriptionInfo>,
    /// Counters.
    pub stats: TopicStats,
}

impl TopicView {
    fn table(&self) -> Table {
        let mut t = Table::new(["Protocol", "Endpoint", "Status", "Raw", "DLQ", "Filter"]);
        for s in &self.subscriptions {
            t.row([
                s.protocol.as_str().to_string(),
                s.endpoint
                    .rsplit(':')
                    .next()
                    .unwrap_or(&s.endpoint)
                    .to_string(),
                if s.pending {
                    "pending confirmation"
                } else {
                    "confirmed"
                }
                .to_string(),
                if s.raw { "yes" } else { "" }.to_string(),
                s.dead_letter
                    .as_deref()
                    .map(|a| a.rsplit(':').next().unwrap_or(a).to_string())
                    .unwrap_or_default(),
                s.filter.clone().unwrap_or_default(),
            ]);
        }
        t
    }

    fn summary(&self) -> String {
        format!(
            "{} published · {} delivered · {} filtered out · {} failed attempts · {} dropped · {} to DLQs",
            self.stats.published,
            self.stats.delivered,
            self.stats.filtered_out,
            self.stats.failed_attempts,
            self.stats.dropped,
            self.stats.dead_lettered
        )
    }

    /// The view as HTML.
    pub fn to_html(&self) -> String {
        section(
            &format!("Topic {}", self.name),
            &format!(
                "<div style=\"font-size:12px;color:#444\">{}</div>{}",
                escape(&self.summary()),
                self.table().to_html()
            ),
        )
    }
}

impl fmt::Display for TopicView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Topic {} ({})", self.name, self.summary())?;
        write!(f, "{}", self.table().to_text())
    }
}

crate::display_as_html!(TopicView);

//! How queues and received messages look in a notebook (HTML) and a terminal (text).

use std::fmt;

use super::model::{MessageState, QueueState};
use super::{Message, QueueStats, Received};
use crate::render::{Cell, Table, badge, escape, preview, section};
use crate::time::{SimTime, human};

/// One message inside a queue, as [`super::Sqs::peek`] shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MessageInfo {
    /// The message id.
    pub message_id: String,
    /// The body.
    pub body: String,
    /// Delayed, visible or in flight.
    pub state: MessageState,
    /// Receives so far.
    pub receive_count: u32,
    /// Time until it becomes visible (zero when visible).
    pub visible_in: std::time::Duration,
    /// FIFO group.
    pub group_id: Option<String>,
    /// Set when it was dead-lettered from another queue.
    pub dead_letter_source: Option<String>,
}

/// A snapshot of a queue: its settings, counts and messages.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct QueueView {
    /// Queue name.
    pub name: String,
    /// FIFO queue?
    pub fifo: bool,
    /// When the snapshot was taken.
    pub at: String,
    /// Visibility timeout, seconds.
    pub visibility_timeout: u32,
    /// Dead-letter queue ARN and max receives, if any.
    pub dead_letter: Option<(String, u32)>,
    /// The messages, oldest first.
    pub messages: Vec<MessageInfo>,
    /// Lifetime counters.
    pub stats: QueueStats,
}

impl QueueView {
    pub(crate) fn of(q: &QueueState, now: SimTime) -> QueueView {
        QueueView {
            name: q.name.to_string(),
            fifo: q.fifo(),
            at: now.to_string(),
            visibility_timeout: q.config.visibility_timeout,
            dead_letter: q
                .config
                .redrive_policy
                .as_ref()
                .map(|r| (r.dead_letter_target_arn.clone(), r.max_receive_count)),
            messages: q
                .ordered()
                .into_iter()
                .map(|m| MessageInfo {
                    message_id: m.message_id.to_string(),
                    body: m.body.clone(),
                    state: m.state(now),
                    receive_count: m.receive_count,
                    visible_in: m.visible_at.since(now),
                    group_id: m.group_id.clone(),
                    dead_letter_source: m.dead_letter_source.clone(),
                })
                .collect(),
            stats: q.stats,
        }
    }

    /// Messages in one state.
    pub fn count(&self, state: MessageState) -> usize {
        self.messages.iter().filter(|m| m.state == state).count()
    }

    fn table(&self) -> Table {
        let mut header = vec!["MessageId", "Body", "State", "Receives", "Visible in"];
        if self.fifo {
            header.push("Group");
        }
        let mut t = Table::new(header);
        for m in &self.messages {
            let state = match m.state {
                MessageState::Visible => badge("visible", "#15803d"),
                MessageState::InFlight => badge("in flight", "#b45309"),
                MessageState::Delayed => badge("delayed", "#6b7280"),
            };
            let mut row = vec![
                Cell::Text(preview(&m.message_id, 13)),
                Cell::Text(preview(&m.body, 48)),
                Cell::Html(state),
                Cell::Text(m.receive_count.to_string()),
                Cell::Text(if m.visible_in.is_zero() {
                    "-".into()
                } else {
                    human(m.visible_in)
                }),
            ];
            if self.fifo {
                row.push(Cell::Text(m.group_id.clone().unwrap_or_default()));
            }
            t.row(row);
        }
        t
    }

    fn summary(&self) -> String {
        let mut s = format!(
            "{} queue · visibility timeout {} s · {} visible, {} in flight, {} delayed",
            if self.fifo { "FIFO" } else { "Standard" },
            self.visibility_timeout,
            self.count(MessageState::Visible),
            self.count(MessageState::InFlight),
            self.count(MessageState::Delayed),
        );
        if let Some((arn, n)) = &self.dead_letter {
            let dlq = arn.rsplit(':').next().unwrap_or(arn);
            s.push_str(&format!(" · DLQ {dlq} after {n} receives"));
        }
        s
    }

    /// The snapshot as HTML.
    pub fn to_html(&self) -> String {
        let body = format!(
            "<div style=\"font-size:12px;color:#444\">{} · at {}</div>{}",
            escape(&self.summary()),
            escape(&self.at),
            self.table().to_html()
        );
        section(&format!("Queue {}", self.name), &body)
    }
}

impl fmt::Display for QueueView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Queue {} ({})", self.name, self.summary())?;
        write!(f, "{}", self.table().to_text())
    }
}

impl Received {
    fn table(&self) -> Table {
        let mut t = Table::new(["MessageId", "Body", "Receives", "Attributes"]);
        for m in &self.0 {
            let attrs: Vec<String> = m
                .message_attributes
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str()))
                .collect();
            t.row([
                preview(&m.message_id, 13),
                preview(&m.body, 60),
                m.receive_count().to_string(),
                attrs.join(", "),
            ]);
        }
        t
    }

    /// The messages as an HTML table.
    pub fn to_html(&self) -> String {
        if self.0.is_empty() {
            return section("Received", "<i>no messages</i>");
        }
        section(
            &format!("Received {} message(s)", self.0.len()),
            &self.table().to_html(),
        )
    }
}

impl fmt::Display for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return write!(f, "(no messages)");
        }
        write!(f, "{}", self.table().to_text())
    }
}

impl Message {
    /// The message as a one-row HTML table.
    pub fn to_html(&self) -> String {
        Received(vec![self.clone()]).to_html()
    }
}

crate::display_as_html!(QueueView, Received, Message);

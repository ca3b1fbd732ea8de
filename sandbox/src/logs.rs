//! CloudWatch Logs, as far as the course needs it: log groups
//! (`/aws/lambda/<name>`), streams (one per execution environment) and their
//! timestamped lines.

use std::collections::BTreeMap;
use std::fmt;

use crate::render::{Table, escape, section};
use crate::time::SimTime;

/// One log line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LogEvent {
    /// When it was written.
    pub timestamp: SimTime,
    /// The stream it belongs to.
    pub stream: String,
    /// The line.
    pub message: String,
}

/// All log groups of an account.
#[derive(Clone, Debug, Default)]
pub struct Logs {
    groups: BTreeMap<String, BTreeMap<String, Vec<(SimTime, String)>>>,
}

impl Logs {
    /// Appends lines to a stream (creating group and stream as needed).
    pub fn put(&mut self, group: &str, stream: &str, lines: Vec<(SimTime, String)>) {
        self.groups
            .entry(group.to_string())
            .or_default()
            .entry(stream.to_string())
            .or_default()
            .extend(lines);
    }

    /// Names of the log groups.
    pub fn groups(&self) -> Vec<&str> {
        self.groups.keys().map(String::as_str).collect()
    }

    /// Every line of a group, in time order (streams interleaved).
    pub fn group(&self, group: &str) -> LogView {
        let mut events: Vec<LogEvent> = self
            .groups
            .get(group)
            .into_iter()
            .flat_map(|streams| {
                streams.iter().flat_map(|(stream, lines)| {
                    lines.iter().map(move |(t, m)| LogEvent {
                        timestamp: *t,
                        stream: stream.clone(),
                        message: m.clone(),
                    })
                })
            })
            .collect();
        events.sort_by_key(|a| a.timestamp);
        LogView {
            group: group.to_string(),
            events,
        }
    }

    /// Names of a group's streams.
    pub fn streams(&self, group: &str) -> Vec<&str> {
        self.groups
            .get(group)
            .map(|s| s.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

/// The lines of one log group, for reading or display.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogView {
    /// The group's name.
    pub group: String,
    /// Its lines, oldest first.
    pub events: Vec<LogEvent>,
}

impl LogView {
    /// Lines containing `text`.
    pub fn containing(&self, text: &str) -> Vec<&LogEvent> {
        self.events
            .iter()
            .filter(|e| e.message.contains(text))
            .collect()
    }

    /// Just the messages.
    pub fn messages(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.message.as_str()).collect()
    }

    /// The lines as an HTML table.
    pub fn to_html(&self) -> String {
        let mut t = Table::new(["Time", "Stream", "Message"]);
        for e in &self.events {
            let stream = e.stream.rsplit(']').next().unwrap_or(&e.stream);
            t.row([
                e.timestamp.to_rfc3339_millis(),
                crate::render::preview(stream, 8),
                e.message.clone(),
            ]);
        }
        section(&format!("Log group {}", escape(&self.group)), &t.to_html())
    }
}

impl fmt::Display for LogView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.events {
            writeln!(f, "{} {}", e.timestamp.to_rfc3339_millis(), e.message)?;
        }
        Ok(())
    }
}

crate::display_as_html!(LogView);

//! How functions and invocations look in a notebook (HTML) and a terminal.

use std::fmt;

use super::model::{FunctionState, FunctionStats};
use super::ops::invoke::Invocation;
use crate::logs::LogView;
use crate::render::{Table, escape, preview, section};
use crate::time::{SimTime, human};

/// One execution environment as a view shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EnvInfo {
    /// Environment number.
    pub id: u64,
    /// Busy or warm (idle).
    pub busy: bool,
    /// Invocations it served.
    pub invocations: u64,
    /// Age.
    pub age: std::time::Duration,
    /// Idle for.
    pub idle: std::time::Duration,
}

/// A snapshot of a function.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FunctionView {
    /// Name.
    pub name: String,
    /// Memory, MB.
    pub memory_mb: u32,
    /// Timeout.
    pub timeout: std::time::Duration,
    /// Handler name.
    pub handler: String,
    /// Environments alive now.
    pub environments: Vec<EnvInfo>,
    /// Counters.
    pub stats: FunctionStats,
    /// Async events waiting.
    pub queued: usize,
    /// Last log lines.
    #[serde(skip)]
    pub recent_logs: Vec<String>,
}

impl FunctionView {
    pub(crate) fn of(f: &FunctionState, now: SimTime, logs: LogView) -> FunctionView {
        let n = logs.events.len();
        FunctionView {
            name: f.name.to_string(),
            memory_mb: f.config.memory_mb,
            timeout: f.config.timeout,
            handler: f.config.handler.name().to_string(),
            environments: f
                .envs
                .iter()
                .map(|e| EnvInfo {
                    id: e.id,
                    busy: e.busy_until > now,
                    invocations: e.invocations,
                    age: now.since(e.created),
                    idle: now.since(e.last_used),
                })
                .collect(),
            stats: f.stats,
            queued: f.async_queue.len(),
            recent_logs: logs.events[n.saturating_sub(12)..]
                .iter()
                .map(|e| format!("{} {}", e.timestamp.to_rfc3339_millis(), e.message))
                .collect(),
        }
    }

    fn summary(&self) -> String {
        format!(
            "{} MB · timeout {} · {} invocations, {} errors, {} throttles, {} cold starts",
            self.memory_mb,
            human(self.timeout),
            self.stats.invocations,
            self.stats.errors,
            self.stats.throttles,
            self.stats.cold_starts
        )
    }

    fn env_table(&self) -> Table {
        let mut t = Table::new(["Environment", "State", "Invocations", "Age", "Idle"]);
        for e in &self.environments {
            t.row([
                format!("#{}", e.id),
                if e.busy { "busy" } else { "warm" }.to_string(),
                e.invocations.to_string(),
                human(e.age),
                if e.busy { "-".into() } else { human(e.idle) },
            ]);
        }
        t
    }

    /// The view as HTML.
    pub fn to_html(&self) -> String {
        let logs = self
            .recent_logs
            .iter()
            .map(|l| escape(l))
            .collect::<Vec<_>>()
            .join("\n");
        section(
            &format!("Function {}", self.name),
            &format!(
                "<div style=\"font-size:12px;color:#444\">{}</div>{}<pre style=\"font-size:11px;background:#f6f8fa;padding:6px;max-height:16em;overflow:auto\">{logs}</pre>",
                escape(&self.summary()),
                self.env_table().to_html()
            ),
        )
    }
}

impl fmt::Display for FunctionView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Function {} ({})", self.name, self.summary())?;
        write!(f, "{}", self.env_table().to_text())
    }
}

impl Invocation {
    /// The invocation as HTML: result, timing, log.
    pub fn to_html(&self) -> String {
        let status = match &self.function_error {
            Some(_) => crate::render::badge("error", "#b91c1c"),
            None => crate::render::badge("ok", "#15803d"),
        };
        let mut t = Table::new(["", ""]);
        t.row([
            crate::render::Cell::Text("Result".into()),
            crate::render::Cell::Html(status),
        ]);
        t.row([
            "Payload".to_string(),
            preview(&self.payload.to_string(), 200),
        ]);
        t.row(["Duration".to_string(), human(self.duration)]);
        t.row(["Billed".to_string(), human(self.billed_duration)]);
        if let Some(i) = self.init_duration {
            t.row(["Cold start".to_string(), format!("init {}", human(i))]);
        }
        t.row([
            "Memory".to_string(),
            format!("{} of {} MB", self.max_memory_used_mb, self.memory_size_mb),
        ]);
        section(
            &format!("Invocation {}", preview(&self.request_id, 13)),
            &format!(
                "{}<pre style=\"font-size:11px;background:#f6f8fa;padding:6px\">{}</pre>",
                t.to_html(),
                escape(&self.log)
            ),
        )
    }
}

impl fmt::Display for Invocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.payload)?;
        write!(f, "{}", self.log)
    }
}

crate::display_as_html!(FunctionView, Invocation);

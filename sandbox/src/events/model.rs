//! Event buses, their rules and targets, archives and replays.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::ops::targets::Target;
use super::quotas::*;
use super::schedule::Schedule;
use crate::pattern::{Pattern, PatternSet};
use crate::time::SimTime;

/// Lifetime counters of a rule (CloudWatch's TriggeredRules, Invocations ...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuleStats {
    /// Events that matched the rule (or schedule firings).
    pub triggered: u64,
    /// Successful target invocations.
    pub invocations: u64,
    /// Invocations that failed for good (after retries, or not retriable).
    pub failed_invocations: u64,
    /// Retry attempts made.
    pub retries: u64,
    /// Failed invocations sent to a target's dead-letter queue.
    pub sent_to_dlq: u64,
}

/// Lifetime counters of a bus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BusStats {
    /// Events put on the bus (PutEvents, AWS services, other buses, replays).
    pub events: u64,
    /// Events at least one rule matched.
    pub matched: u64,
}

/// A rule: an event pattern, a schedule, or both; up to five targets.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub name: String,
    pub arn: String,
    pub bus: Arc<str>,
    pub pattern: Option<Pattern>,
    pub schedule: Option<(String, Schedule)>,
    pub enabled: bool,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub targets: Vec<Target>,
    pub created: SimTime,
    /// Bumped on every change: a scheduled firing of an older generation is void.
    pub generation: u64,
    pub stats: RuleStats,
}

/// One event bus.
#[derive(Debug)]
pub(crate) struct Bus {
    pub name: Arc<str>,
    pub arn: String,
    pub description: Option<String>,
    pub created: SimTime,
    pub modified: SimTime,
    pub rules: BTreeMap<String, Rule>,
    /// The enabled rules with a pattern, compiled together.
    pub matcher: PatternSet<String>,
    pub tags: BTreeMap<String, String>,
    pub stats: BusStats,
}

impl Bus {
    pub fn new(name: &str, description: Option<String>, now: SimTime) -> Bus {
        Bus {
            name: name.into(),
            arn: bus_arn(name),
            description,
            created: now,
            modified: now,
            rules: BTreeMap::new(),
            matcher: PatternSet::new(),
            tags: BTreeMap::new(),
            stats: BusStats::default(),
        }
    }

    /// Re-files `rule` in the matcher after a change.
    pub fn refresh(&mut self, rule: &str) {
        match self.rules.get(rule) {
            Some(r) if r.enabled && r.pattern.is_some() => {
                let p = r.pattern.clone().expect("checked");
                self.matcher.insert(rule.to_string(), p);
            }
            _ => {
                self.matcher.remove(&rule.to_string());
            }
        }
    }
}

/// `arn:aws:events:us-east-1:123456789012:event-bus/<name>`.
pub fn bus_arn(name: &str) -> String {
    crate::cloud::arn("events", &format!("event-bus/{name}"))
}

/// A rule's ARN: `rule/<name>` on the default bus, `rule/<bus>/<name>` elsewhere.
pub fn rule_arn(bus: &str, name: &str) -> String {
    if bus == "default" {
        crate::cloud::arn("events", &format!("rule/{name}"))
    } else {
        crate::cloud::arn("events", &format!("rule/{bus}/{name}"))
    }
}

/// A target's retry policy, resolved to AWS's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Retry {
    pub max_attempts: u32,
    pub max_age: Duration,
}

impl Target {
    pub(crate) fn retry_limits(&self) -> Retry {
        let p = self.retry_policy.as_ref();
        Retry {
            max_attempts: p
                .and_then(|p| p.maximum_retry_attempts)
                .unwrap_or(DEFAULT_RETRY_ATTEMPTS),
            max_age: p
                .and_then(|p| p.maximum_event_age_in_seconds)
                .map_or(DEFAULT_MAX_EVENT_AGE, Duration::from_secs),
        }
    }

    pub(crate) fn dead_letter_arn(&self) -> Option<&str> {
        self.dead_letter_config.as_ref()?.arn.as_deref()
    }
}

/// An archive of a bus's events.
#[derive(Clone, Debug)]
pub(crate) struct Archive {
    pub name: String,
    pub arn: String,
    pub bus: Arc<str>,
    pub pattern: Option<Pattern>,
    pub description: Option<String>,
    /// 0: kept for ever.
    pub retention_days: u32,
    pub created: SimTime,
    pub events: Vec<(SimTime, Arc<Value>)>,
    pub bytes: u64,
}

impl Archive {
    /// Drops events older than the retention period.
    pub fn expire(&mut self, now: SimTime) {
        if self.retention_days == 0 {
            return;
        }
        let keep = Duration::from_secs(self.retention_days as u64 * 86_400);
        let before = self.events.len();
        self.events.retain(|(t, _)| now.since(*t) < keep);
        if self.events.len() != before {
            self.bytes = self
                .events
                .iter()
                .map(|(_, e)| e.to_string().len() as u64)
                .sum();
        }
    }
}

/// Where a replay is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReplayState {
    /// Accepted; events start flowing after a short delay.
    Starting,
    /// Sending events.
    Running,
    /// A cancel was asked for.
    Cancelling,
    /// Every event in the window was sent.
    Completed,
    /// Cancelled before it finished.
    Cancelled,
    /// Could not run.
    Failed,
}

impl ReplayState {
    /// The state as the API spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReplayState::Starting => "STARTING",
            ReplayState::Running => "RUNNING",
            ReplayState::Cancelling => "CANCELLING",
            ReplayState::Completed => "COMPLETED",
            ReplayState::Cancelled => "CANCELLED",
            ReplayState::Failed => "FAILED",
        }
    }
}

/// A replay of archived events.
#[derive(Clone, Debug)]
pub(crate) struct Replay {
    pub name: String,
    pub arn: String,
    pub archive_arn: String,
    pub description: Option<String>,
    pub bus: Arc<str>,
    pub filter_rules: Vec<String>,
    pub from: SimTime,
    pub to: SimTime,
    pub state: ReplayState,
    pub started: SimTime,
    pub ended: Option<SimTime>,
    pub last_replayed: Option<SimTime>,
    pub replayed: u64,
}

//! How buses, rules and targets look in a notebook (HTML), a terminal, and on
//! the account diagram.

use std::fmt;

use super::model::{BusStats, RuleStats};
use super::ops::rules::rule_summary;
use crate::cloud::Cloud;
use crate::diagram::{Diagram, NodeKind};
use crate::render::{Table, escape, preview, section};

/// One rule as a view shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RuleInfo {
    /// Name.
    pub name: String,
    /// Pattern and/or schedule.
    pub trigger: String,
    /// Enabled.
    pub enabled: bool,
    /// Targets as `id -> resource`.
    pub targets: Vec<String>,
    /// Counters.
    pub stats: RuleStats,
}

/// One bus as a view shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BusInfo {
    /// Name.
    pub name: String,
    /// Counters.
    pub stats: BusStats,
    /// Rules, by name.
    pub rules: Vec<RuleInfo>,
    /// Archives of this bus, as `name (n events)`.
    pub archives: Vec<String>,
}

/// A snapshot of EventBridge in an account.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EventsView {
    /// Buses, by name.
    pub buses: Vec<BusInfo>,
}

fn short(arn: &str) -> &str {
    arn.rsplit([':', '/']).next().unwrap_or(arn)
}

impl EventsView {
    /// The view of `cloud`'s buses.
    pub fn of(cloud: &Cloud) -> EventsView {
        let buses = cloud
            .events
            .buses
            .values()
            .map(|b| BusInfo {
                name: b.name.to_string(),
                stats: b.stats,
                rules: b
                    .rules
                    .values()
                    .map(|r| RuleInfo {
                        name: r.name.clone(),
                        trigger: rule_summary(r),
                        enabled: r.enabled,
                        targets: r
                            .targets
                            .iter()
                            .map(|t| format!("{} -> {}", t.id, short(&t.arn)))
                            .collect(),
                        stats: r.stats,
                    })
                    .collect(),
                archives: cloud
                    .events
                    .archives
                    .values()
                    .filter(|a| a.bus == b.name)
                    .map(|a| format!("{} ({} events)", a.name, a.events.len()))
                    .collect(),
            })
            .collect();
        EventsView { buses }
    }

    fn table(b: &BusInfo) -> Table {
        let mut t = Table::new([
            "Rule",
            "Trigger",
            "Targets",
            "Triggered",
            "Invocations",
            "Failed",
            "To DLQ",
        ]);
        for r in &b.rules {
            t.row([
                if r.enabled {
                    r.name.clone()
                } else {
                    format!("{} (disabled)", r.name)
                },
                preview(&r.trigger, 80),
                r.targets.join(", "),
                r.stats.triggered.to_string(),
                r.stats.invocations.to_string(),
                r.stats.failed_invocations.to_string(),
                r.stats.sent_to_dlq.to_string(),
            ]);
        }
        t
    }

    fn summary(b: &BusInfo) -> String {
        let mut s = format!(
            "{} events · {} matched a rule · {} rules",
            b.stats.events,
            b.stats.matched,
            b.rules.len()
        );
        if !b.archives.is_empty() {
            s.push_str(&format!(" · archives: {}", b.archives.join(", ")));
        }
        s
    }

    /// The view as HTML.
    pub fn to_html(&self) -> String {
        self.buses
            .iter()
            .map(|b| {
                section(
                    &format!("Event bus {}", b.name),
                    &format!(
                        "<div style=\"font-size:12px;color:#444\">{}</div>{}",
                        escape(&Self::summary(b)),
                        Self::table(b).to_html()
                    ),
                )
            })
            .collect()
    }
}

impl fmt::Display for EventsView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.buses {
            writeln!(f, "Event bus {} ({})", b.name, Self::summary(b))?;
            if !b.rules.is_empty() {
                write!(f, "{}", Self::table(b).to_text())?;
            }
        }
        Ok(())
    }
}

crate::display_as_html!(EventsView);

/// Adds buses, schedules and rule targets to the account diagram: an edge
/// from a bus (or a schedule) to each target, labelled with the rule.
pub(crate) fn add_to_diagram(cloud: &Cloud, d: &mut Diagram) {
    for b in cloud.events.buses.values() {
        let used = !b.rules.is_empty() || d.nodes.iter().any(|n| n.id == b.arn);
        if !used {
            continue;
        }
        d.node(&b.arn, &b.name, NodeKind::Other("EventBridge"));
        for r in b.rules.values() {
            let from = match &r.schedule {
                Some((expr, _)) if r.pattern.is_none() => {
                    let id = format!("{}#schedule", r.arn);
                    d.node(&id, expr, NodeKind::Other("Schedule"));
                    id
                }
                _ => b.arn.clone(),
            };
            for t in &r.targets {
                let kind = match crate::cloud::parse_arn(&t.arn) {
                    Some(("sqs", ..)) => NodeKind::Queue,
                    Some(("sns", ..)) => NodeKind::Topic,
                    Some(("lambda", ..)) => NodeKind::Function,
                    Some(("events", ..)) => NodeKind::Other("EventBridge"),
                    Some(("states", ..)) => NodeKind::Other("Step Functions"),
                    _ => NodeKind::External,
                };
                d.node(&t.arn, short(&t.arn), kind);
                d.edge(&from, &t.arn, &r.name, !r.enabled);
                if let Some(dlq) = t.dead_letter_arn() {
                    d.node(dlq, short(dlq), NodeKind::Queue);
                    d.edge(&from, dlq, &format!("{} DLQ", r.name), true);
                }
            }
        }
    }
}

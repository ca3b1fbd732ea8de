//! CreateArchive, DescribeArchive, ListArchives, DeleteArchive, StartReplay,
//! DescribeReplay, ListReplays, CancelReplay.
//!
//! An archive keeps the events put on its bus (those its pattern matches)
//! for `RetentionDays` (0: for ever). A replay sends the archived events of a
//! time window back to that bus, each with a `replay-name` field, to all its
//! rules or only those in `FilterArns`; it starts a minute after it is asked for.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::*;
use crate::events::model::{Archive, Replay, ReplayState};
use crate::events::quotas::*;
use crate::events::route::{self, Via};

fn archive_arn(name: &str) -> String {
    crate::cloud::arn("events", &format!("archive/{name}"))
}

fn replay_arn(name: &str) -> String {
    crate::cloud::arn("events", &format!("replay/{name}"))
}

fn archive_missing(name: &str) -> CloudError {
    not_found(format!("Archive {name} does not exist."))
}

/// CreateArchive request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateArchiveInput {
    /// The archive's name.
    pub archive_name: String,
    /// The ARN of the bus to archive.
    pub event_source_arn: String,
    /// A description.
    pub description: Option<String>,
    /// Only events this pattern matches (all when absent).
    pub event_pattern: Option<String>,
    /// Days to keep events; 0 or absent keeps them for ever.
    pub retention_days: Option<u32>,
}

/// CreateArchive.
pub fn create_archive(cloud: &mut Cloud, input: CreateArchiveInput) -> CloudResult<Value> {
    check_name(
        "archiveName",
        &input.archive_name,
        48,
        "[\\.\\-_A-Za-z0-9]+",
        name_char,
    )?;
    let bus = bus_name(Some(&input.event_source_arn))?;
    if !input.event_source_arn.starts_with("arn:") {
        return Err(validation(
            "Parameter EventSourceArn is not valid. Reason: it must be an event bus ARN.",
        ));
    }
    let bus_arc = bus_mut(cloud, &bus)?.name.clone();
    let pattern = match &input.event_pattern {
        Some(p) => Some(super::rules::check_pattern(p, MAX_PATTERN_CHARS)?),
        None => None,
    };
    if cloud.events.archives.contains_key(&input.archive_name) {
        return Err(already_exists(format!(
            "Archive {} already exists.",
            input.archive_name
        )));
    }
    let now = cloud.core.now;
    let arn = archive_arn(&input.archive_name);
    cloud.events.archives.insert(
        input.archive_name.clone(),
        Archive {
            name: input.archive_name.clone(),
            arn: arn.clone(),
            bus: bus_arc.clone(),
            pattern,
            description: input.description,
            retention_days: input.retention_days.unwrap_or(0),
            created: now,
            events: Vec::new(),
            bytes: 0,
        },
    );
    cloud
        .core
        .trace("events", &bus_arc, "create-archive", input.archive_name);
    Ok(json!({ "ArchiveArn": arn, "State": "ENABLED", "CreationTime": epoch(now) }))
}

/// A request naming an archive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ArchiveNameInput {
    /// The archive's name.
    pub archive_name: String,
}

fn describe_archive_json(a: &Archive) -> Value {
    let mut v = json!({
        "ArchiveName": a.name,
        "ArchiveArn": a.arn,
        "EventSourceArn": crate::events::model::bus_arn(&a.bus),
        "State": "ENABLED",
        "RetentionDays": a.retention_days,
        "SizeBytes": a.bytes,
        "EventCount": a.events.len(),
        "CreationTime": epoch(a.created),
    });
    if let Some(d) = &a.description {
        v["Description"] = json!(d);
    }
    if let Some(p) = &a.pattern {
        v["EventPattern"] = json!(p.text());
    }
    v
}

/// DescribeArchive.
pub fn describe_archive(cloud: &mut Cloud, input: ArchiveNameInput) -> CloudResult<Value> {
    let now = cloud.core.now;
    let a = cloud
        .events
        .archives
        .get_mut(&input.archive_name)
        .ok_or_else(|| archive_missing(&input.archive_name))?;
    a.expire(now);
    Ok(describe_archive_json(a))
}

/// ListArchives request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListArchivesInput {
    /// Only archives whose names start with this.
    pub name_prefix: Option<String>,
    /// Only archives of this bus.
    pub event_source_arn: Option<String>,
    /// Token from a previous page.
    pub next_token: Option<String>,
    /// Page size, 1-100.
    pub limit: Option<u32>,
}

/// ListArchives.
pub fn list_archives(cloud: &mut Cloud, input: ListArchivesInput) -> CloudResult<Value> {
    let now = cloud.core.now;
    let prefix = input.name_prefix.unwrap_or_default();
    let mut all = Vec::new();
    for a in cloud.events.archives.values_mut() {
        a.expire(now);
        let source = crate::events::model::bus_arn(&a.bus);
        if a.name.starts_with(&prefix)
            && input.event_source_arn.as_ref().is_none_or(|s| *s == source)
        {
            all.push(describe_archive_json(a));
        }
    }
    let (archives, next) = page(all, input.next_token.as_deref(), input.limit)?;
    let mut out = json!({ "Archives": archives });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

/// DeleteArchive.
pub fn delete_archive(cloud: &mut Cloud, input: ArchiveNameInput) -> CloudResult<()> {
    let a = cloud
        .events
        .archives
        .remove(&input.archive_name)
        .ok_or_else(|| archive_missing(&input.archive_name))?;
    cloud.core.trace("events", &a.bus, "delete-archive", a.name);
    Ok(())
}

/// StartReplay's `Destination`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplayDestination {
    /// The bus to replay to: the archive's own bus.
    pub arn: String,
    /// Only these rules (ARNs) receive the replayed events.
    #[serde(default)]
    pub filter_arns: Vec<String>,
}

/// StartReplay request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartReplayInput {
    /// The replay's name.
    pub replay_name: String,
    /// A description.
    pub description: Option<String>,
    /// The archive's ARN.
    pub event_source_arn: String,
    /// Replay events archived at or after this time (epoch seconds or RFC 3339).
    pub event_start_time: Value,
    /// ... and before this time.
    pub event_end_time: Value,
    /// Where the events go.
    pub destination: ReplayDestination,
}

/// StartReplay.
pub fn start_replay(cloud: &mut Cloud, input: StartReplayInput) -> CloudResult<Value> {
    check_name(
        "replayName",
        &input.replay_name,
        64,
        "[\\.\\-_A-Za-z0-9]+",
        name_char,
    )?;
    let from = timestamp("EventStartTime", &input.event_start_time)?;
    let to = timestamp("EventEndTime", &input.event_end_time)?;
    let now = cloud.core.now;
    if from >= to {
        return Err(validation(
            "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.",
        ));
    }
    if to > now {
        return Err(validation(
            "Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.",
        ));
    }
    let archive = cloud
        .events
        .archives
        .values()
        .find(|a| a.arn == input.event_source_arn)
        .ok_or_else(|| archive_missing(input.event_source_arn.rsplit('/').next().unwrap_or("")))?;
    let bus = archive.bus.clone();
    if bus_name(Some(&input.destination.arn))? != *bus {
        return Err(validation(
            "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
        ));
    }
    let mut rules = Vec::new();
    for arn in &input.destination.filter_arns {
        let rule = cloud.events.buses[&*bus]
            .rules
            .values()
            .find(|r| r.arn == *arn)
            .ok_or_else(|| validation(format!("Parameter FilterArns is not valid. Reason: {arn} is not a rule on event bus {bus}.")))?;
        rules.push(rule.name.clone());
    }
    if cloud.events.replays.contains_key(&input.replay_name) {
        return Err(already_exists(format!(
            "Replay {} already exists.",
            input.replay_name
        )));
    }
    let arn = replay_arn(&input.replay_name);
    cloud.events.replays.insert(
        input.replay_name.clone(),
        Replay {
            name: input.replay_name.clone(),
            arn: arn.clone(),
            archive_arn: input.event_source_arn,
            description: input.description,
            bus: bus.clone(),
            filter_rules: rules,
            from,
            to,
            state: ReplayState::Starting,
            started: now,
            ended: None,
            last_replayed: None,
            replayed: 0,
        },
    );
    cloud
        .core
        .trace("events", &bus, "start-replay", input.replay_name.clone());
    let name = input.replay_name;
    cloud.schedule(REPLAY_START_DELAY, "events.replay", move |c| {
        run_replay(c, &name)
    });
    Ok(json!({
        "ReplayArn": arn,
        "State": "STARTING",
        "StateReason": "Replay is starting.",
        "ReplayStartTime": epoch(now),
    }))
}

/// Sends the replay's events back to its bus, oldest first.
fn run_replay(cloud: &mut Cloud, name: &str) {
    let now = cloud.core.now;
    let Some(r) = cloud.events.replays.get_mut(name) else {
        return;
    };
    if r.state != ReplayState::Starting {
        if r.state == ReplayState::Cancelling {
            r.state = ReplayState::Cancelled;
            r.ended = Some(now);
        }
        return;
    }
    r.state = ReplayState::Running;
    let (archive_arn, from, to, rules, bus) = (
        r.archive_arn.clone(),
        r.from,
        r.to,
        r.filter_rules.clone(),
        r.bus.clone(),
    );
    let events: Vec<(crate::time::SimTime, Arc<serde_json::Value>)> = cloud
        .events
        .archives
        .values_mut()
        .find(|a| a.arn == archive_arn)
        .map(|a| {
            a.expire(now);
            a.events
                .iter()
                .filter(|(t, _)| *t >= from && *t < to)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut last = None;
    for (at, event) in &events {
        let mut e = (**event).clone();
        e["replay-name"] = json!(name);
        route::ingest(
            cloud,
            &bus,
            Arc::new(e),
            Via::Replay {
                rules: rules.clone(),
            },
        );
        last = Some(*at);
    }
    if let Some(r) = cloud.events.replays.get_mut(name) {
        r.state = ReplayState::Completed;
        r.ended = Some(cloud.core.now);
        r.last_replayed = last;
        r.replayed = events.len() as u64;
    }
    let n = events.len();
    cloud.core.trace(
        "events",
        &bus,
        "replay-completed",
        format!("{name}: {n} event(s)"),
    );
}

/// A request naming a replay.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplayNameInput {
    /// The replay's name.
    pub replay_name: String,
}

fn describe_replay_json(r: &Replay) -> Value {
    let mut v = json!({
        "ReplayName": r.name,
        "ReplayArn": r.arn,
        "State": r.state.as_str(),
        "EventSourceArn": r.archive_arn,
        "Destination": {
            "Arn": crate::events::model::bus_arn(&r.bus),
            "FilterArns": r.filter_rules.iter().map(|n| crate::events::model::rule_arn(&r.bus, n)).collect::<Vec<_>>(),
        },
        "EventStartTime": epoch(r.from),
        "EventEndTime": epoch(r.to),
        "ReplayStartTime": epoch(r.started),
    });
    if let Some(d) = &r.description {
        v["Description"] = json!(d);
    }
    if let Some(t) = r.ended {
        v["ReplayEndTime"] = epoch(t);
    }
    if let Some(t) = r.last_replayed {
        v["EventLastReplayedTime"] = epoch(t);
    }
    v
}

/// DescribeReplay.
pub fn describe_replay(cloud: &mut Cloud, input: ReplayNameInput) -> CloudResult<Value> {
    let r = cloud
        .events
        .replays
        .get(&input.replay_name)
        .ok_or_else(|| not_found(format!("Replay {} does not exist.", input.replay_name)))?;
    Ok(describe_replay_json(r))
}

/// ListReplays request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListReplaysInput {
    /// Only replays whose names start with this.
    pub name_prefix: Option<String>,
    /// Token from a previous page.
    pub next_token: Option<String>,
    /// Page size, 1-100.
    pub limit: Option<u32>,
}

/// ListReplays.
pub fn list_replays(cloud: &mut Cloud, input: ListReplaysInput) -> CloudResult<Value> {
    let prefix = input.name_prefix.unwrap_or_default();
    let all: Vec<Value> = cloud
        .events
        .replays
        .values()
        .filter(|r| r.name.starts_with(&prefix))
        .map(describe_replay_json)
        .collect();
    let (replays, next) = page(all, input.next_token.as_deref(), input.limit)?;
    let mut out = json!({ "Replays": replays });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

/// CancelReplay: only a replay that has not finished.
pub fn cancel_replay(cloud: &mut Cloud, input: ReplayNameInput) -> CloudResult<Value> {
    let r = cloud
        .events
        .replays
        .get_mut(&input.replay_name)
        .ok_or_else(|| not_found(format!("Replay {} does not exist.", input.replay_name)))?;
    if !matches!(r.state, ReplayState::Starting | ReplayState::Running) {
        return Err(CloudError::new(
            "IllegalStatusException",
            format!(
                "Replay {} is {} and cannot be cancelled.",
                r.name,
                r.state.as_str()
            ),
        ));
    }
    r.state = ReplayState::Cancelling;
    Ok(json!({ "ReplayArn": r.arn, "State": "CANCELLING" }))
}

//! Amazon EventBridge (and CloudWatch Events, its older name: same API,
//! service `events`): event buses, rules that match events with patterns
//! ([`crate::pattern`]) or fire on schedules, and up to five targets per rule.
//!
//! - every account has the `default` bus (AWS services put their events
//!   there); custom buses hold your own;
//! - `model` holds buses, rules and archives; `ops` has one function per API
//!   action; `route` matches events and delivers them (retries, DLQs) and
//!   fires schedules; `api` is the JSON face, this module the typed face.
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let big = cloud.sqs().create_queue("big-orders")?;
//! let rule = cloud.events().put_rule("big-orders", Rule::pattern(json!({
//!     "source": ["shop"],
//!     "detail-type": ["OrderPlaced"],
//!     "detail": {"total": [{"numeric": [">=", 100]}]}
//! })))?;
//! cloud.events().add_target(&rule, Target::queue(&big).input_path("$.detail"))?;
//! cloud.events().put_events([
//!     Event::new("shop", "OrderPlaced", json!({"id": 1, "total": 20})),
//!     Event::new("shop", "OrderPlaced", json!({"id": 2, "total": 250})),
//! ])?;
//! let got = cloud.sqs().receive(&big, Receive::max(10))?;
//! assert_eq!(got.len(), 1);
//! assert_eq!(got[0].body, r#"{"id":2,"total":250}"#);
//! # Ok(()) }
//! ```

pub mod api;
pub mod model;
pub mod ops;
pub mod quotas;
pub(crate) mod route;
pub mod schedule;
pub(crate) mod sources;
pub(crate) mod transform;
pub mod view;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::time::SimTime;

pub use model::{BusStats, ReplayState, RuleStats};
pub use ops::put_events::{PutEventsOutput, PutEventsRequestEntry};
pub use ops::targets::Target;
pub use route::put_aws_event;
pub use schedule::Schedule;

/// All buses, archives and replays of an account.
#[derive(Debug)]
pub struct EventsState {
    pub(crate) buses: BTreeMap<String, model::Bus>,
    pub(crate) archives: BTreeMap<String, model::Archive>,
    pub(crate) replays: BTreeMap<String, model::Replay>,
    /// Source of rule generations (a rule's scheduled firings carry theirs).
    pub(crate) generations: u64,
    /// The last status reported for each Step Functions execution.
    pub(crate) reported: BTreeMap<usize, &'static str>,
}

impl Default for EventsState {
    fn default() -> Self {
        let mut buses = BTreeMap::new();
        buses.insert(
            "default".into(),
            model::Bus::new("default", None, SimTime::EPOCH),
        );
        EventsState {
            buses,
            archives: BTreeMap::new(),
            replays: BTreeMap::new(),
            generations: 0,
            reported: BTreeMap::new(),
        }
    }
}

impl EventsState {
    /// Number of buses (the default bus included).
    pub fn len(&self) -> usize {
        self.buses.len()
    }

    /// Never true: the default bus always exists.
    pub fn is_empty(&self) -> bool {
        self.buses.is_empty()
    }

    pub(crate) fn next_generation(&mut self) -> u64 {
        self.generations += 1;
        self.generations
    }
}

/// An event bus: its name and ARN.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bus {
    /// Name (`default` for the account's default bus).
    pub name: String,
    /// ARN.
    pub arn: String,
}

impl Bus {
    /// The handle for bus `name` in this account.
    pub fn named(name: &str) -> Bus {
        Bus {
            name: name.to_string(),
            arn: model::bus_arn(name),
        }
    }

    /// The account's default bus.
    pub fn default_bus() -> Bus {
        Bus::named("default")
    }
}

/// A rule: its name, its bus and its ARN.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleRef {
    /// The rule's name.
    pub name: String,
    /// The bus it is on.
    pub bus: String,
    /// Its ARN.
    pub arn: String,
}

impl RuleRef {
    /// The handle for rule `name` on bus `bus`.
    pub fn named(bus: &str, name: &str) -> RuleRef {
        RuleRef {
            name: name.to_string(),
            bus: bus.to_string(),
            arn: model::rule_arn(bus, name),
        }
    }
}

/// A rule to create, as a builder: a pattern, a schedule, or both.
///
/// ```
/// use cloudlab::prelude::*;
/// let r = Rule::pattern(json!({"source": ["shop"]})).description("orders").disabled();
/// let nightly = Rule::schedule("cron(0 2 * * ? *)");
/// # let _ = (r, nightly);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rule {
    pattern: Option<Value>,
    schedule: Option<String>,
    bus: Option<String>,
    description: Option<String>,
    disabled: bool,
}

impl Rule {
    /// A rule matching events with this pattern.
    pub fn pattern(pattern: Value) -> Rule {
        Rule {
            pattern: Some(pattern),
            ..Default::default()
        }
    }

    /// A rule firing on a schedule: `rate(5 minutes)` or `cron(0 2 * * ? *)`
    /// (only on the default bus).
    pub fn schedule(expression: &str) -> Rule {
        Rule {
            schedule: Some(expression.to_string()),
            ..Default::default()
        }
    }

    /// Also fire on this schedule.
    pub fn and_schedule(mut self, expression: &str) -> Rule {
        self.schedule = Some(expression.to_string());
        self
    }

    /// On this bus instead of the default bus.
    pub fn on_bus(mut self, bus: &Bus) -> Rule {
        self.bus = Some(bus.name.clone());
        self
    }

    /// A description.
    pub fn description(mut self, text: &str) -> Rule {
        self.description = Some(text.to_string());
        self
    }

    /// Created disabled.
    pub fn disabled(mut self) -> Rule {
        self.disabled = true;
        self
    }
}

/// An event to put, as a builder.
///
/// ```
/// use cloudlab::prelude::*;
/// let e = Event::new("shop", "OrderPlaced", json!({"total": 25})).resource("arn:aws:s3:::receipts");
/// # let _ = e;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event {
    entry: PutEventsRequestEntry,
}

impl Event {
    /// An event from `source` (`shop`, `com.example.orders`) of type
    /// `detail_type`, with `detail` (a JSON object).
    pub fn new(source: &str, detail_type: &str, detail: Value) -> Event {
        Event {
            entry: PutEventsRequestEntry {
                source: Some(source.to_string()),
                detail_type: Some(detail_type.to_string()),
                detail: Some(detail.to_string()),
                ..Default::default()
            },
        }
    }

    /// On this bus instead of the default bus.
    pub fn bus(mut self, bus: &Bus) -> Event {
        self.entry.event_bus_name = Some(bus.name.clone());
        self
    }

    /// An ARN the event is about.
    pub fn resource(mut self, arn: &str) -> Event {
        self.entry.resources.push(arn.to_string());
        self
    }

    /// Another time than now.
    pub fn time(mut self, t: SimTime) -> Event {
        self.entry.time = Some(json!(t.unix_secs_f64()));
        self
    }

    /// The PutEvents entry.
    pub fn entry(&self) -> &PutEventsRequestEntry {
        &self.entry
    }
}

/// An archive: its name and ARN.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArchiveRef {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
}

/// The typed face of EventBridge, borrowed from a [`Cloud`] by [`Cloud::events`].
pub struct Events<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// Amazon EventBridge (CloudWatch Events) in this account.
    pub fn events(&mut self) -> Events<'_> {
        Events { cloud: self }
    }
}

impl Events<'_> {
    /// Creates a custom event bus.
    pub fn create_bus(&mut self, name: &str) -> CloudResult<Bus> {
        ops::buses::create_event_bus(
            self.cloud,
            ops::buses::CreateEventBusInput {
                name: name.to_string(),
                ..Default::default()
            },
        )?;
        Ok(Bus::named(name))
    }

    /// Deletes a custom bus (it must have no rules).
    pub fn delete_bus(&mut self, bus: &Bus) -> CloudResult<()> {
        ops::buses::delete_event_bus(
            self.cloud,
            ops::buses::BusNameInput {
                name: Some(bus.name.clone()),
            },
        )
    }

    /// Every bus, by name (`default` among them).
    pub fn buses(&mut self) -> Vec<Bus> {
        self.cloud
            .events
            .buses
            .keys()
            .map(|n| Bus::named(n))
            .collect()
    }

    /// Creates or replaces a rule (its targets stay).
    pub fn put_rule(&mut self, name: &str, rule: Rule) -> CloudResult<RuleRef> {
        let bus = rule.bus.clone().unwrap_or_else(|| "default".into());
        ops::rules::put_rule(
            self.cloud,
            ops::rules::PutRuleInput {
                name: name.to_string(),
                schedule_expression: rule.schedule,
                event_pattern: rule.pattern.map(|p| p.to_string()),
                state: Some(if rule.disabled { "DISABLED" } else { "ENABLED" }.into()),
                description: rule.description,
                event_bus_name: Some(bus.clone()),
                ..Default::default()
            },
        )?;
        Ok(RuleRef::named(&bus, name))
    }

    /// Adds a target to a rule (or replaces the one with the same id).
    pub fn add_target(&mut self, rule: &RuleRef, target: Target) -> CloudResult<()> {
        ops::targets::put_targets(
            self.cloud,
            ops::targets::PutTargetsInput {
                rule: rule.name.clone(),
                event_bus_name: Some(rule.bus.clone()),
                targets: vec![target],
            },
        )
        .map(|_| ())
    }

    /// Removes a rule's target by id.
    pub fn remove_target(&mut self, rule: &RuleRef, id: &str) -> CloudResult<()> {
        let out = ops::targets::remove_targets(
            self.cloud,
            ops::targets::RemoveTargetsInput {
                rule: rule.name.clone(),
                event_bus_name: Some(rule.bus.clone()),
                ids: vec![id.to_string()],
                force: false,
            },
        )?;
        match out["FailedEntries"].get(0) {
            Some(f) => Err(CloudError::new(
                f["ErrorCode"]
                    .as_str()
                    .unwrap_or("ResourceNotFoundException"),
                f["ErrorMessage"].as_str().unwrap_or_default(),
            )),
            None => Ok(()),
        }
    }

    /// The ids and ARNs of a rule's targets.
    pub fn targets(&mut self, rule: &RuleRef) -> CloudResult<Vec<Target>> {
        Ok(ops::rule_mut(self.cloud, &rule.bus, &rule.name)?
            .targets
            .clone())
    }

    /// Deletes a rule (remove its targets first, as AWS requires).
    pub fn delete_rule(&mut self, rule: &RuleRef) -> CloudResult<()> {
        ops::rules::delete_rule(self.cloud, name_input(rule))
    }

    /// Enables a rule.
    pub fn enable(&mut self, rule: &RuleRef) -> CloudResult<()> {
        ops::rules::enable_rule(self.cloud, name_input(rule))
    }

    /// Disables a rule: its pattern and schedule stop triggering it.
    pub fn disable(&mut self, rule: &RuleRef) -> CloudResult<()> {
        ops::rules::disable_rule(self.cloud, name_input(rule))
    }

    /// Lifetime counters of a rule.
    pub fn rule_stats(&mut self, rule: &RuleRef) -> CloudResult<RuleStats> {
        Ok(ops::rule_mut(self.cloud, &rule.bus, &rule.name)?.stats)
    }

    /// Lifetime counters of a bus.
    pub fn bus_stats(&mut self, bus: &Bus) -> CloudResult<BusStats> {
        Ok(ops::bus_mut(self.cloud, &bus.name)?.stats)
    }

    /// Puts up to ten events. Bad entries fail one by one (see
    /// [`PutEventsOutput::failed_entry_count`]); deliveries to queues happen
    /// at once, functions run when time next moves.
    pub fn put_events(
        &mut self,
        events: impl IntoIterator<Item = Event>,
    ) -> CloudResult<PutEventsOutput> {
        ops::put_events::put_events(
            self.cloud,
            ops::put_events::PutEventsInput {
                entries: events.into_iter().map(|e| e.entry).collect(),
                endpoint_id: None,
            },
        )
    }

    /// Puts one event and returns its id (an error if the entry failed).
    pub fn put_event(&mut self, event: Event) -> CloudResult<String> {
        let out = self.put_events([event])?;
        let e = out.entries.into_iter().next().unwrap_or_default();
        match e.event_id {
            Some(id) => Ok(id),
            None => Err(CloudError::new(
                e.error_code.unwrap_or_default(),
                e.error_message.unwrap_or_default(),
            )),
        }
    }

    /// Whether `event` (a whole event, with id, source, time ...) matches `pattern`.
    pub fn test_pattern(&mut self, pattern: &Value, event: &Value) -> CloudResult<bool> {
        let out = ops::put_events::test_event_pattern(
            self.cloud,
            ops::put_events::TestEventPatternInput {
                event_pattern: pattern.to_string(),
                event: event.to_string(),
            },
        )?;
        Ok(out["Result"] == json!(true))
    }

    /// Archives the events put on `bus` (those `pattern` matches, if given),
    /// keeping them `retention_days` (0: for ever).
    pub fn create_archive(
        &mut self,
        name: &str,
        bus: &Bus,
        pattern: Option<Value>,
        retention_days: u32,
    ) -> CloudResult<ArchiveRef> {
        let out = ops::archives::create_archive(
            self.cloud,
            ops::archives::CreateArchiveInput {
                archive_name: name.to_string(),
                event_source_arn: bus.arn.clone(),
                event_pattern: pattern.map(|p| p.to_string()),
                retention_days: Some(retention_days),
                description: None,
            },
        )?;
        Ok(ArchiveRef {
            name: name.to_string(),
            arn: out["ArchiveArn"].as_str().unwrap_or_default().to_string(),
        })
    }

    /// How many events an archive holds.
    pub fn archived(&mut self, archive: &ArchiveRef) -> CloudResult<usize> {
        let out = ops::archives::describe_archive(
            self.cloud,
            ops::archives::ArchiveNameInput {
                archive_name: archive.name.clone(),
            },
        )?;
        Ok(out["EventCount"].as_u64().unwrap_or(0) as usize)
    }

    /// Replays the events archived in `[from, to)` to the archive's bus (to
    /// every rule, or only `rules`); they arrive a minute later.
    pub fn start_replay(
        &mut self,
        name: &str,
        archive: &ArchiveRef,
        from: SimTime,
        to: SimTime,
        rules: &[RuleRef],
    ) -> CloudResult<()> {
        let bus = self
            .cloud
            .events
            .archives
            .get(&archive.name)
            .map(|a| a.bus.to_string())
            .unwrap_or_default();
        ops::archives::start_replay(
            self.cloud,
            ops::archives::StartReplayInput {
                replay_name: name.to_string(),
                description: None,
                event_source_arn: archive.arn.clone(),
                event_start_time: json!(from.unix_secs_f64()),
                event_end_time: json!(to.unix_secs_f64()),
                destination: ops::archives::ReplayDestination {
                    arn: model::bus_arn(&bus),
                    filter_arns: rules.iter().map(|r| r.arn.clone()).collect(),
                },
            },
        )
        .map(|_| ())
    }

    /// A replay's state.
    pub fn replay_state(&mut self, name: &str) -> CloudResult<ReplayState> {
        self.cloud
            .events
            .replays
            .get(name)
            .map(|r| r.state)
            .ok_or_else(|| ops::not_found(format!("Replay {name} does not exist.")))
    }

    /// A view of every bus, its rules and targets.
    pub fn view(&mut self) -> view::EventsView {
        view::EventsView::of(self.cloud)
    }
}

fn name_input(rule: &RuleRef) -> ops::rules::RuleNameInput {
    ops::rules::RuleNameInput {
        name: rule.name.clone(),
        event_bus_name: Some(rule.bus.clone()),
        force: false,
    }
}

/// A target's retry policy as durations (for views and tests).
pub fn retry_policy(target: &Target) -> (u32, Duration) {
    let r = target.retry_limits();
    (r.max_attempts, r.max_age)
}

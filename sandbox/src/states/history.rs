//! Execution history: events named and shaped exactly as GetExecutionHistory
//! returns them (`TaskStateEntered`, `stateEnteredEventDetails` ...).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::time::SimTime;

macro_rules! event_types {
    ($($v:ident),* $(,)?) => {
        /// The type of a history event (API Reference, "HistoryEvent").
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType { $(#[doc = stringify!($v)] $v),* }
        impl EventType {
            /// The name as the API spells it.
            pub fn as_str(self) -> &'static str { match self { $(EventType::$v => stringify!($v)),* } }
        }
    };
}

event_types! {
    ChoiceStateEntered, ChoiceStateExited,
    ExecutionAborted, ExecutionFailed, ExecutionStarted, ExecutionSucceeded, ExecutionTimedOut,
    FailStateEntered,
    LambdaFunctionFailed, LambdaFunctionScheduled, LambdaFunctionScheduleFailed,
    LambdaFunctionStarted, LambdaFunctionStartFailed, LambdaFunctionSucceeded,
    LambdaFunctionTimedOut,
    MapIterationAborted, MapIterationFailed, MapIterationStarted, MapIterationSucceeded,
    MapStateAborted, MapStateEntered, MapStateExited, MapStateFailed, MapStateStarted,
    MapStateSucceeded,
    ParallelStateAborted, ParallelStateEntered, ParallelStateExited, ParallelStateFailed,
    ParallelStateStarted, ParallelStateSucceeded,
    PassStateEntered, PassStateExited,
    SucceedStateEntered, SucceedStateExited,
    TaskFailed, TaskScheduled, TaskStarted, TaskStartFailed, TaskStateAborted,
    TaskStateEntered, TaskStateExited, TaskSubmitFailed, TaskSubmitted, TaskSucceeded,
    TaskTimedOut,
    WaitStateAborted, WaitStateEntered, WaitStateExited,
}

impl EventType {
    /// `<Type>StateEntered` for a state type.
    pub fn entered(type_name: &str) -> EventType {
        match type_name {
            "Task" => EventType::TaskStateEntered,
            "Choice" => EventType::ChoiceStateEntered,
            "Wait" => EventType::WaitStateEntered,
            "Succeed" => EventType::SucceedStateEntered,
            "Fail" => EventType::FailStateEntered,
            "Parallel" => EventType::ParallelStateEntered,
            "Map" => EventType::MapStateEntered,
            _ => EventType::PassStateEntered,
        }
    }

    /// `<Type>StateExited` for a state type (Fail has none).
    pub fn exited(type_name: &str) -> Option<EventType> {
        Some(match type_name {
            "Task" => EventType::TaskStateExited,
            "Choice" => EventType::ChoiceStateExited,
            "Wait" => EventType::WaitStateExited,
            "Succeed" => EventType::SucceedStateExited,
            "Parallel" => EventType::ParallelStateExited,
            "Map" => EventType::MapStateExited,
            "Pass" => EventType::PassStateExited,
            _ => return None,
        })
    }

    /// `<Type>StateAborted` for a state type, where the API has one.
    pub fn aborted(type_name: &str) -> Option<EventType> {
        Some(match type_name {
            "Task" => EventType::TaskStateAborted,
            "Wait" => EventType::WaitStateAborted,
            "Parallel" => EventType::ParallelStateAborted,
            "Map" => EventType::MapStateAborted,
            _ => return None,
        })
    }
}

/// The details member of an event.
#[derive(Clone, Debug, PartialEq)]
pub enum Details {
    /// No details member.
    None,
    /// `executionStartedEventDetails`.
    ExecutionStarted {
        /// Input JSON.
        input: String,
        /// The execution role.
        role_arn: String,
    },
    /// `executionSucceededEventDetails`.
    ExecutionSucceeded {
        /// Output JSON.
        output: String,
    },
    /// `execution{Failed,Aborted,TimedOut}EventDetails`,
    /// `lambdaFunction{Failed,TimedOut}EventDetails`.
    Error {
        /// Error name.
        error: String,
        /// Cause.
        cause: String,
    },
    /// `stateEnteredEventDetails`.
    StateEntered {
        /// State name.
        name: Arc<str>,
        /// Input JSON.
        input: String,
    },
    /// `stateExitedEventDetails`.
    StateExited {
        /// State name.
        name: Arc<str>,
        /// Output JSON.
        output: String,
    },
    /// `taskScheduledEventDetails`.
    TaskScheduled(Box<TaskScheduled>),
    /// `taskStartedEventDetails`.
    TaskStarted {
        /// Resource type.
        resource_type: String,
        /// Resource.
        resource: String,
    },
    /// `task{Submitted,Succeeded}EventDetails`.
    TaskOutput {
        /// Resource type.
        resource_type: String,
        /// Resource.
        resource: String,
        /// Output JSON.
        output: String,
    },
    /// `task{Failed,TimedOut,StartFailed,SubmitFailed}EventDetails`.
    TaskError {
        /// Resource type.
        resource_type: String,
        /// Resource.
        resource: String,
        /// Error name.
        error: String,
        /// Cause.
        cause: String,
    },
    /// `lambdaFunctionScheduledEventDetails`.
    LambdaScheduled {
        /// The function ARN.
        resource: String,
        /// Input JSON.
        input: String,
        /// TimeoutSeconds.
        timeout: Option<u64>,
    },
    /// `lambdaFunctionSucceededEventDetails`.
    LambdaSucceeded {
        /// Output JSON.
        output: String,
    },
    /// `mapStateStartedEventDetails`.
    MapStarted {
        /// Number of items.
        length: usize,
    },
    /// `mapIteration*EventDetails`.
    MapIteration {
        /// The Map state's name.
        name: Arc<str>,
        /// Item index.
        index: usize,
    },
}

/// `taskScheduledEventDetails`.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskScheduled {
    /// `lambda`, `sqs`, `sns`, `states`.
    pub resource_type: String,
    /// `invoke`, `sendMessage.waitForTaskToken` ...
    pub resource: String,
    /// Parameters JSON.
    pub parameters: String,
    /// TimeoutSeconds.
    pub timeout: Option<u64>,
    /// HeartbeatSeconds.
    pub heartbeat: Option<u64>,
}

/// One event of an execution's history.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEvent {
    /// 1, 2, 3 ...
    pub id: u64,
    /// The event this one follows from (0 for the first).
    pub previous_event_id: u64,
    /// When it happened.
    pub timestamp: SimTime,
    /// Its type.
    pub kind: EventType,
    /// Its details.
    pub details: Details,
}

fn data_details() -> Value {
    json!({"truncated": false})
}

fn timestamp_json(t: SimTime) -> Value {
    json!(t.unix_millis() as f64 / 1000.0)
}

impl HistoryEvent {
    /// The name of the state the event concerns, if any.
    pub fn state_name(&self) -> Option<&str> {
        match &self.details {
            Details::StateEntered { name, .. }
            | Details::StateExited { name, .. }
            | Details::MapIteration { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The error name of a failure event.
    pub fn error(&self) -> Option<&str> {
        match &self.details {
            Details::Error { error, .. } | Details::TaskError { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The event as GetExecutionHistory returns it.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("timestamp".into(), timestamp_json(self.timestamp));
        m.insert("type".into(), json!(self.kind.as_str()));
        m.insert("id".into(), json!(self.id));
        m.insert("previousEventId".into(), json!(self.previous_event_id));
        let (key, value) = match &self.details {
            Details::None => return Value::Object(m),
            Details::ExecutionStarted { input, role_arn } => (
                "executionStartedEventDetails".to_string(),
                json!({"input": input, "inputDetails": data_details(), "roleArn": role_arn}),
            ),
            Details::ExecutionSucceeded { output } => (
                "executionSucceededEventDetails".into(),
                json!({"output": output, "outputDetails": data_details()}),
            ),
            Details::Error { error, cause } => (
                details_key(self.kind),
                json!({"error": error, "cause": cause}),
            ),
            Details::StateEntered { name, input } => (
                "stateEnteredEventDetails".into(),
                json!({"name": &**name, "input": input, "inputDetails": data_details()}),
            ),
            Details::StateExited { name, output } => (
                "stateExitedEventDetails".into(),
                json!({"name": &**name, "output": output, "outputDetails": data_details()}),
            ),
            Details::TaskScheduled(t) => {
                let TaskScheduled {
                    resource_type,
                    resource,
                    parameters,
                    timeout,
                    heartbeat,
                } = &**t;
                let mut d = json!({
                    "resourceType": resource_type,
                    "resource": resource,
                    "region": crate::cloud::REGION,
                    "parameters": parameters,
                });
                if let Some(t) = timeout {
                    d["timeoutInSeconds"] = json!(t);
                }
                if let Some(h) = heartbeat {
                    d["heartbeatInSeconds"] = json!(h);
                }
                ("taskScheduledEventDetails".into(), d)
            }
            Details::TaskStarted {
                resource_type,
                resource,
            } => (
                "taskStartedEventDetails".into(),
                json!({"resourceType": resource_type, "resource": resource}),
            ),
            Details::TaskOutput {
                resource_type,
                resource,
                output,
            } => (
                details_key(self.kind),
                json!({"resourceType": resource_type, "resource": resource, "output": output, "outputDetails": data_details()}),
            ),
            Details::TaskError {
                resource_type,
                resource,
                error,
                cause,
            } => (
                details_key(self.kind),
                json!({"resourceType": resource_type, "resource": resource, "error": error, "cause": cause}),
            ),
            Details::LambdaScheduled {
                resource,
                input,
                timeout,
            } => {
                let mut d =
                    json!({"resource": resource, "input": input, "inputDetails": data_details()});
                if let Some(t) = timeout {
                    d["timeoutInSeconds"] = json!(t);
                }
                ("lambdaFunctionScheduledEventDetails".into(), d)
            }
            Details::LambdaSucceeded { output } => (
                "lambdaFunctionSucceededEventDetails".into(),
                json!({"output": output, "outputDetails": data_details()}),
            ),
            Details::MapStarted { length } => (
                "mapStateStartedEventDetails".into(),
                json!({"length": length}),
            ),
            Details::MapIteration { name, index } => (
                details_key(self.kind),
                json!({"name": &**name, "index": index}),
            ),
        };
        m.insert(key, value);
        Value::Object(m)
    }
}

/// An execution's history as it is kept: one small entry per event, with
/// the JSON texts of state inputs and outputs side by side in one buffer
/// (most events are state events; this keeps them to a few words each and
/// one allocation for all their texts). [`HistoryEvent`]s are rendered from
/// it when asked for; ids are positions (the first event is 1).
#[derive(Clone, Debug, Default)]
pub struct Log {
    entries: Vec<Entry>,
    texts: Vec<u8>,
}

#[derive(Clone, Debug)]
struct Entry {
    previous: u64,
    timestamp: SimTime,
    kind: EventType,
    data: Data,
}

/// An event's details, compact for the common ones.
#[derive(Clone, Debug)]
enum Data {
    None,
    /// `stateEnteredEventDetails` (`entered`) or `stateExitedEventDetails`;
    /// the JSON is `texts[start..end]`.
    State {
        name: Arc<str>,
        start: u32,
        end: u32,
        entered: bool,
    },
    MapIteration {
        name: Arc<str>,
        index: usize,
    },
    Other(Box<Details>),
}

impl Log {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True before the first event.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Makes room for `n` more events.
    pub fn reserve(&mut self, n: usize) {
        self.entries.reserve(n);
    }

    fn add(&mut self, previous: u64, timestamp: SimTime, kind: EventType, data: Data) -> u64 {
        self.entries.push(Entry {
            previous,
            timestamp,
            kind,
            data,
        });
        self.entries.len() as u64
    }

    /// Adds an event; returns its id.
    pub fn push(
        &mut self,
        previous: u64,
        timestamp: SimTime,
        kind: EventType,
        details: Details,
    ) -> u64 {
        let data = match details {
            Details::None => Data::None,
            Details::StateEntered { name, input } => self.state(name, input.as_bytes(), true),
            Details::StateExited { name, output } => self.state(name, output.as_bytes(), false),
            Details::MapIteration { name, index } => Data::MapIteration { name, index },
            other => Data::Other(Box::new(other)),
        };
        self.add(previous, timestamp, kind, data)
    }

    fn state(&mut self, name: Arc<str>, text: &[u8], entered: bool) -> Data {
        let start = self.texts.len();
        self.texts.extend_from_slice(text);
        self.state_at(name, start, entered)
    }

    fn state_at(&mut self, name: Arc<str>, start: usize, entered: bool) -> Data {
        Data::State {
            name,
            start: start as u32,
            end: self.texts.len() as u32,
            entered,
        }
    }

    /// Adds a state's Entered (`entered`) or Exited event with `value` as
    /// its JSON; returns its id, or `None` (and adds nothing) when the JSON
    /// is longer than `limit` bytes.
    pub fn push_state(
        &mut self,
        previous: u64,
        timestamp: SimTime,
        kind: EventType,
        (name, entered): (Arc<str>, bool),
        value: &Value,
        limit: usize,
    ) -> Option<u64> {
        let start = self.texts.len();
        if serde_json::to_writer(&mut self.texts, value).is_err() {
            self.texts.truncate(start);
        }
        if self.texts.len() - start > limit {
            self.texts.truncate(start);
            return None;
        }
        let data = self.state_at(name, start, entered);
        Some(self.add(previous, timestamp, kind, data))
    }

    fn text(&self, start: u32, end: u32) -> String {
        String::from_utf8_lossy(&self.texts[start as usize..end as usize]).into_owned()
    }

    /// Event `id` (1-based), as GetExecutionHistory has it.
    pub fn get(&self, id: u64) -> Option<HistoryEvent> {
        let i = usize::try_from(id).ok()?.checked_sub(1)?;
        let e = self.entries.get(i)?;
        let details = match &e.data {
            Data::None => Details::None,
            Data::State {
                name,
                start,
                end,
                entered: true,
            } => Details::StateEntered {
                name: Arc::clone(name),
                input: self.text(*start, *end),
            },
            Data::State {
                name, start, end, ..
            } => Details::StateExited {
                name: Arc::clone(name),
                output: self.text(*start, *end),
            },
            Data::MapIteration { name, index } => Details::MapIteration {
                name: Arc::clone(name),
                index: *index,
            },
            Data::Other(d) => (**d).clone(),
        };
        Some(HistoryEvent {
            id,
            previous_event_id: e.previous,
            timestamp: e.timestamp,
            kind: e.kind,
            details,
        })
    }

    /// Every event, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = HistoryEvent> + '_ {
        (1..=self.len() as u64).filter_map(|id| self.get(id))
    }

    /// Every event, oldest first, in a list.
    pub fn to_vec(&self) -> Vec<HistoryEvent> {
        self.iter().collect()
    }

    /// The id of the latest event of type `kind` about state `name`.
    pub fn last_about(&self, kind: EventType, name: &str) -> Option<u64> {
        self.entries
            .iter()
            .rposition(|e| {
                e.kind == kind
                    && match &e.data {
                        Data::State { name: n, .. } | Data::MapIteration { name: n, .. } => {
                            &**n == name
                        }
                        _ => false,
                    }
            })
            .map(|i| i as u64 + 1)
    }

    /// The JSON text of the state Entered or Exited event `id`, if it is one.
    pub fn state_text(&self, id: u64) -> Option<String> {
        let i = usize::try_from(id).ok()?.checked_sub(1)?;
        match self.entries.get(i)?.data {
            Data::State { start, end, .. } => Some(self.text(start, end)),
            _ => None,
        }
    }

    /// The length of the longest state input or output.
    pub fn largest_state_text(&self) -> usize {
        self.entries
            .iter()
            .map(|e| match e.data {
                Data::State { start, end, .. } => (end - start) as usize,
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
}

/// `taskFailed` -> `taskFailedEventDetails`: the type with a lower-case first letter.
fn details_key(kind: EventType) -> String {
    let s = kind.as_str();
    let mut out = String::with_capacity(s.len() + 12);
    let mut chars = s.chars();
    if let Some(c) = chars.next() {
        out.push(c.to_ascii_lowercase());
    }
    out.extend(chars);
    out.push_str("EventDetails");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialise_with_the_api_member_names() {
        let e = HistoryEvent {
            id: 3,
            previous_event_id: 2,
            timestamp: SimTime::EPOCH,
            kind: EventType::TaskFailed,
            details: Details::TaskError {
                resource_type: "lambda".into(),
                resource: "invoke".into(),
                error: "Boom".into(),
                cause: "it broke".into(),
            },
        };
        let j = e.to_json();
        assert_eq!(j["type"], "TaskFailed");
        assert_eq!(j["taskFailedEventDetails"]["error"], "Boom");
        assert_eq!(j["timestamp"], 1_767_225_600.0);
        let e = HistoryEvent {
            kind: EventType::MapIterationStarted,
            details: Details::MapIteration {
                name: Arc::from("M"),
                index: 4,
            },
            ..e
        };
        assert_eq!(e.to_json()["mapIterationStartedEventDetails"]["index"], 4);
        assert_eq!(EventType::entered("Map"), EventType::MapStateEntered);
        assert_eq!(EventType::exited("Fail"), None);
    }
}

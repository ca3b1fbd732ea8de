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

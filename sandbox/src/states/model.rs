//! What Step Functions keeps: state machines, executions and task tokens.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::Value;

use super::definition::{Definition, Machine};
use super::errors::Failure;
use super::history::Log;
use super::template::Vars;
use crate::scheduler::TimerId;
use crate::time::SimTime;

/// Standard or Express.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkflowType {
    /// Exactly-once, up to a year, history kept, billed per state transition.
    Standard,
    /// At-least-once, up to 5 minutes, billed per request and GB-second.
    Express,
}

impl WorkflowType {
    /// `STANDARD` or `EXPRESS`, as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowType::Standard => "STANDARD",
            WorkflowType::Express => "EXPRESS",
        }
    }
}

/// The status of an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Still going.
    Running,
    /// Finished with an output.
    Succeeded,
    /// Finished with an error.
    Failed,
    /// Ran past its TimeoutSeconds (or the workflow type's limit).
    TimedOut,
    /// Stopped by StopExecution.
    Aborted,
}

impl Status {
    /// `RUNNING`, `SUCCEEDED`, ... as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }

    /// Parses an API status filter.
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "RUNNING" => Status::Running,
            "SUCCEEDED" => Status::Succeeded,
            "FAILED" => Status::Failed,
            "TIMED_OUT" => Status::TimedOut,
            "ABORTED" => Status::Aborted,
            _ => return None,
        })
    }
}

/// One state machine.
#[derive(Clone, Debug)]
pub struct MachineRec {
    pub(crate) name: String,
    pub(crate) arn: String,
    pub(crate) definition: Arc<Definition>,
    pub(crate) text: String,
    pub(crate) kind: WorkflowType,
    pub(crate) role_arn: String,
    pub(crate) created: SimTime,
    pub(crate) updated: Option<SimTime>,
    pub(crate) revision: u64,
    pub(crate) executions: Vec<usize>,
    pub(crate) description: String,
}

/// Where a task token leads back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TokenRef {
    pub exec: usize,
    pub run: usize,
    pub epoch: u64,
}

/// Who waits for a nested execution (`states:startExecution.sync`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ParentRef {
    pub exec: usize,
    pub run: usize,
    pub epoch: u64,
    pub parse_output: bool,
}

/// What a run is doing.
#[derive(Debug, Default)]
pub(crate) enum Phase {
    /// About to enter the current state with this raw input.
    Enter(Value),
    /// Waiting for a timer or a task (events carry the run's generation).
    #[default]
    Idle,
    /// Waiting for its children (Parallel branches, Map iterations).
    Children(Box<Kids>),
    /// Done.
    Finished,
}

/// The children of a Parallel or Map state.
#[derive(Debug)]
pub(crate) struct Kids {
    pub map: bool,
    pub runs: Vec<usize>,
    pub results: Vec<Option<Value>>,
    pub queue: VecDeque<usize>,
    pub items: Vec<Value>,
    pub running: usize,
    pub limit: usize,
    pub done: usize,
    pub failed: usize,
    pub tolerated_count: Option<u64>,
    pub tolerated_pct: Option<f64>,
    pub first_failure: Option<Failure>,
    pub effective: Value,
}

/// One thread of an execution: the top level, a branch or a Map iteration.
#[derive(Debug)]
pub(crate) struct Run {
    pub machine: Arc<Machine>,
    pub parent: Option<(usize, usize)>,
    pub state: usize,
    pub raw: Value,
    pub phase: Phase,
    pub epoch: u64,
    pub attempts: Vec<u32>,
    pub retry_count: u32,
    pub vars: Vars,
    pub last_event: u64,
    pub entered_at: SimTime,
    pub token: Option<String>,
    pub timers: Vec<TimerId>,
    pub task: Option<TaskInfo>,
    pub alive: bool,
}

/// What a running Task is waiting for.
#[derive(Clone, Debug)]
pub(crate) struct TaskInfo {
    /// True for a plain Lambda ARN (LambdaFunction* events).
    pub lambda_arn: bool,
    pub resource_type: String,
    pub resource: String,
    pub heartbeat: Option<u64>,
    pub heartbeat_seq: u64,
}

/// One execution.
#[derive(Debug)]
pub(crate) struct Exec {
    pub arn: String,
    pub name: String,
    pub trace_name: Arc<str>,
    pub machine_arn: String,
    pub machine_name: String,
    pub definition: Arc<Definition>,
    pub kind: WorkflowType,
    pub role_arn: String,
    pub status: Status,
    pub start: SimTime,
    pub stop: Option<SimTime>,
    pub input: Value,
    pub input_text: String,
    pub output: Option<String>,
    /// The output as a value, from its end until `interp::release` moves it
    /// to `StatesState::recent_output`.
    pub output_value: Option<Value>,
    pub failure: Option<Failure>,
    pub history: Log,
    pub runs: Vec<Run>,
    pub ready: VecDeque<usize>,
    pub transitions: u64,
    pub billed_transitions: u64,
    pub parent: Option<ParentRef>,
    pub timers: Vec<TimerId>,
    pub redrive_count: u32,
    /// A TestState run: not billed; retries are reported, not waited for.
    pub test: bool,
    /// What a TestState run saw: `RETRIABLE` or `CAUGHT_ERROR`.
    pub test_flag: Option<&'static str>,
}

/// Step Functions in one account.
#[derive(Debug, Default)]
pub struct StatesState {
    pub(crate) machines: BTreeMap<String, MachineRec>,
    pub(crate) execs: Vec<Exec>,
    pub(crate) by_arn: BTreeMap<String, usize>,
    pub(crate) tokens: BTreeMap<String, TokenRef>,
    /// The output value of the execution that succeeded last (its id), for
    /// the typed face's describe to take instead of parsing its text back.
    pub(crate) recent_output: Option<(usize, Value)>,
}

impl StatesState {
    /// Number of state machines.
    pub fn len(&self) -> usize {
        self.machines.len()
    }

    /// True when there are no state machines.
    pub fn is_empty(&self) -> bool {
        self.machines.is_empty()
    }

    /// Number of executions ever started.
    pub fn executions(&self) -> usize {
        self.execs.len()
    }
}

//! AWS Step Functions: state machines in the Amazon States Language, run by
//! an interpreter in virtual time.
//!
//! - `definition` parses and validates ASL (every problem at once, with its
//!   place); `path`, `template`, `intrinsics`, `choice` and `jsonata` are the
//!   data-flow pieces; `errors` holds the `States.*` errors and matching;
//! - `interp` runs executions, `tasks` their Task integrations, `history`
//!   the events GetExecutionHistory returns;
//! - `ops` has one function per API action, `api` the JSON face, and this
//!   module the typed face (`cloud.states()`); `view` draws state machines
//!   and executions.
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let sm = cloud.states().create_state_machine("greet", json!({
//!     "StartAt": "Wait a bit",
//!     "States": {
//!         "Wait a bit": {"Type": "Wait", "Seconds": 10, "Next": "Greet"},
//!         "Greet": {
//!             "Type": "Pass",
//!             "Parameters": {"greeting.$": "States.Format('Hello, {}!', $.name)"},
//!             "End": true
//!         }
//!     }
//! }))?;
//! let exec = cloud.states().start_execution(&sm, json!({"name": "Ada"}))?;
//! cloud.run_until_idle();
//! let d = cloud.states().describe(&exec)?;
//! assert_eq!(d.status, ExecutionStatus::Succeeded);
//! assert_eq!(d.output, Some(json!({"greeting": "Hello, Ada!"})));
//! assert_eq!(cloud.elapsed(), 10.secs()); // the Wait ran in virtual time
//! # Ok(()) }
//! ```

pub mod api;
pub mod bench;
pub mod choice;
pub mod definition;
pub mod errors;
pub mod history;
pub(crate) mod interp;
pub mod intrinsics;
pub mod jsonata;
pub mod model;
pub mod ops;
pub mod path;
pub mod quotas;
pub(crate) mod tasks;
pub mod template;
pub mod view;

use serde_json::Value;

use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::time::SimTime;

pub use definition::{Definition, Diagnostic};
pub use errors::Failure;
pub use history::{Details, EventType, HistoryEvent};
pub use model::{StatesState, Status as ExecutionStatus, WorkflowType};
pub use view::{ExecutionGraph, History};

/// A state machine: its name and ARN. Pass `&sm` to operations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateMachine {
    /// The name.
    pub name: String,
    /// The ARN.
    pub arn: String,
}

impl StateMachine {
    /// The handle for state machine `name` in this account.
    pub fn named(name: &str) -> StateMachine {
        StateMachine {
            name: name.to_string(),
            arn: ops::machine_arn(name),
        }
    }
}

/// An execution: its name and ARN. Pass `&exec` to operations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Execution {
    /// The execution's name.
    pub name: String,
    /// The execution's ARN.
    pub arn: String,
}

/// What DescribeExecution says about an execution, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecutionInfo {
    /// The execution.
    pub execution: Execution,
    /// RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
    pub status: ExecutionStatus,
    /// Standard or Express.
    pub kind: WorkflowType,
    /// The input.
    pub input: Value,
    /// The output, once it succeeded.
    pub output: Option<Value>,
    /// The error, once it failed, timed out or was aborted.
    pub error: Option<String>,
    /// The cause of the error.
    pub cause: Option<String>,
    /// When it started.
    pub start: SimTime,
    /// When it stopped.
    pub stop: Option<SimTime>,
    /// State transitions so far (what Standard workflows are billed for).
    pub transitions: u64,
}

impl ExecutionInfo {
    /// True once it succeeded.
    pub fn succeeded(&self) -> bool {
        self.status == ExecutionStatus::Succeeded
    }

    /// How long it ran (so far).
    pub fn duration(&self, now: SimTime) -> std::time::Duration {
        self.stop.unwrap_or(now).since(self.start)
    }
}

/// Anything that names a state machine: a [`StateMachine`], a name or an ARN.
pub trait AsStateMachine {
    /// The ARN.
    fn machine_arn(&self) -> String;
}

impl AsStateMachine for StateMachine {
    fn machine_arn(&self) -> String {
        self.arn.clone()
    }
}

impl AsStateMachine for str {
    fn machine_arn(&self) -> String {
        if self.starts_with("arn:") {
            self.to_string()
        } else {
            ops::machine_arn(self)
        }
    }
}

impl AsStateMachine for String {
    fn machine_arn(&self) -> String {
        self.as_str().machine_arn()
    }
}

impl<T: AsStateMachine + ?Sized> AsStateMachine for &T {
    fn machine_arn(&self) -> String {
        (**self).machine_arn()
    }
}

/// The typed face of Step Functions, borrowed from a [`Cloud`] by [`Cloud::states`].
pub struct States<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// AWS Step Functions in this account.
    pub fn states(&mut self) -> States<'_> {
        States { cloud: self }
    }
}

fn definition_text(definition: &Value) -> String {
    match definition {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl States<'_> {
    /// Creates a Standard state machine from an ASL definition (a JSON
    /// value, or a string holding JSON). Every problem is reported at once
    /// as `InvalidDefinition`.
    pub fn create_state_machine(
        &mut self,
        name: &str,
        definition: Value,
    ) -> CloudResult<StateMachine> {
        self.create(name, definition, WorkflowType::Standard)
    }

    /// Creates an Express state machine (5 minutes at most, billed per
    /// request and GB-second, runs with [`States::start_sync_execution`] too).
    pub fn create_express_state_machine(
        &mut self,
        name: &str,
        definition: Value,
    ) -> CloudResult<StateMachine> {
        self.create(name, definition, WorkflowType::Express)
    }

    fn create(
        &mut self,
        name: &str,
        definition: Value,
        kind: WorkflowType,
    ) -> CloudResult<StateMachine> {
        let out = ops::machines::create_state_machine(
            self.cloud,
            ops::machines::CreateStateMachineInput {
                name: name.to_string(),
                definition: definition_text(&definition),
                role_arn: ops::DEFAULT_ROLE.to_string(),
                kind: Some(kind.as_str().to_string()),
                ..Default::default()
            },
        )?;
        Ok(StateMachine {
            name: name.to_string(),
            arn: out.state_machine_arn,
        })
    }

    /// Replaces a state machine's definition (new executions use it).
    pub fn update_state_machine(
        &mut self,
        sm: &(impl AsStateMachine + ?Sized),
        definition: Value,
    ) -> CloudResult<()> {
        ops::machines::update_state_machine(
            self.cloud,
            ops::machines::UpdateStateMachineInput {
                state_machine_arn: sm.machine_arn(),
                definition: Some(definition_text(&definition)),
                ..Default::default()
            },
        )
        .map(|_| ())
    }

    /// Deletes a state machine (running executions finish).
    pub fn delete_state_machine(&mut self, sm: &(impl AsStateMachine + ?Sized)) -> CloudResult<()> {
        ops::machines::delete_state_machine(
            self.cloud,
            ops::machines::StateMachineArnInput {
                state_machine_arn: sm.machine_arn(),
            },
        )
    }

    /// Every state machine, by name.
    pub fn list_state_machines(&mut self) -> Vec<StateMachine> {
        self.cloud
            .states
            .machines
            .values()
            .map(|m| StateMachine {
                name: m.name.clone(),
                arn: m.arn.clone(),
            })
            .collect()
    }

    /// The state machine's definition as it was validated.
    pub fn definition(&mut self, sm: &(impl AsStateMachine + ?Sized)) -> CloudResult<Definition> {
        let m = ops::machines::lookup(self.cloud, &sm.machine_arn())?;
        Ok((*m.definition).clone())
    }

    /// Checks a definition without creating anything: every problem (errors
    /// and warnings), each with its code and location. Empty means valid.
    pub fn validate(&mut self, definition: Value) -> Vec<Diagnostic> {
        Definition::analyse(&definition_text(&definition)).1
    }

    /// Starts an execution (named by a fresh UUID). It runs as time moves on:
    /// `cloud.run_until_idle()` runs it to the end.
    pub fn start_execution(
        &mut self,
        sm: &(impl AsStateMachine + ?Sized),
        input: Value,
    ) -> CloudResult<Execution> {
        self.start(sm, None, input)
    }

    /// Starts an execution with a name of your choice (names are unique per
    /// state machine).
    pub fn start_execution_named(
        &mut self,
        sm: &(impl AsStateMachine + ?Sized),
        name: &str,
        input: Value,
    ) -> CloudResult<Execution> {
        self.start(sm, Some(name.to_string()), input)
    }

    fn start(
        &mut self,
        sm: &(impl AsStateMachine + ?Sized),
        name: Option<String>,
        input: Value,
    ) -> CloudResult<Execution> {
        let id = ops::executions::begin(
            self.cloud,
            ops::executions::StartExecutionInput {
                state_machine_arn: sm.machine_arn(),
                name,
                input: Some(input.to_string()),
                ..Default::default()
            },
            Some(input),
            None,
        )?;
        Ok(self.handle(id))
    }

    fn handle(&self, id: usize) -> Execution {
        let ex = &self.cloud.states.execs[id];
        Execution {
            name: ex.name.clone(),
            arn: ex.arn.clone(),
        }
    }

    /// Runs an Express execution to its end and returns how it ended (time
    /// moves on by its duration), as StartSyncExecution does.
    pub fn start_sync_execution(
        &mut self,
        sm: &(impl AsStateMachine + ?Sized),
        input: Value,
    ) -> CloudResult<ExecutionInfo> {
        let out = ops::executions::start_sync_execution(
            self.cloud,
            ops::executions::StartExecutionInput {
                state_machine_arn: sm.machine_arn(),
                input: Some(input.to_string()),
                ..Default::default()
            },
        )?;
        let arn = out["executionArn"].as_str().unwrap_or_default().to_string();
        let id = ops::exec_id(self.cloud, &arn)?;
        Ok(self.info(id))
    }

    fn info(&self, id: usize) -> ExecutionInfo {
        self.info_with(id, None)
    }

    /// What DescribeExecution says, with the output value when the caller
    /// has it (else it is read back from the output text).
    fn info_with(&self, id: usize, output: Option<Value>) -> ExecutionInfo {
        let ex = &self.cloud.states.execs[id];
        ExecutionInfo {
            execution: self.handle(id),
            status: ex.status,
            kind: ex.kind,
            input: ex.input.clone(),
            output: output.or_else(|| {
                ex.output
                    .as_ref()
                    .map(|o| serde_json::from_str(o).unwrap_or(Value::Null))
            }),
            error: ex.failure.as_ref().map(|f| f.error.clone()),
            cause: ex.failure.as_ref().map(|f| f.cause.clone()),
            start: ex.start,
            stop: ex.stop,
            transitions: ex.transitions,
        }
    }

    fn id(&self, exec: &Execution) -> CloudResult<usize> {
        ops::exec_id(self.cloud, &exec.arn)
    }

    /// How an execution is doing (Standard or Express: the sandbox lets you
    /// look at Express executions too, as CloudWatch Logs would).
    pub fn describe(&mut self, exec: &Execution) -> CloudResult<ExecutionInfo> {
        let id = self.id(exec)?;
        // Describing an execution right after it succeeded (the usual case)
        // takes its output value rather than parsing its text back.
        let recent = &mut self.cloud.states.recent_output;
        let output = match recent.take() {
            Some((i, v)) if i == id => Some(v),
            other => {
                *recent = other;
                None
            }
        };
        Ok(self.info_with(id, output))
    }

    /// The execution's history events, oldest first.
    pub fn history(&mut self, exec: &Execution) -> CloudResult<History> {
        let id = self.id(exec)?;
        let ex = &self.cloud.states.execs[id];
        Ok(History {
            execution: ex.name.clone(),
            events: ex.history.to_vec(),
        })
    }

    /// The state machine's graph, coloured by what `exec` did (like the
    /// console's graph inspector). Renders as SVG in a notebook.
    pub fn graph(&mut self, exec: &Execution) -> CloudResult<ExecutionGraph> {
        let id = self.id(exec)?;
        let ex = &self.cloud.states.execs[id];
        Ok(ExecutionGraph::of(&ex.definition, Some(ex)))
    }

    /// The state machine's graph, before anything ran.
    pub fn machine_graph(
        &mut self,
        sm: &(impl AsStateMachine + ?Sized),
    ) -> CloudResult<ExecutionGraph> {
        let m = ops::machines::lookup(self.cloud, &sm.machine_arn())?;
        Ok(ExecutionGraph::of(&m.definition, None))
    }

    /// The state machine's executions, newest first.
    pub fn list_executions(
        &mut self,
        sm: &(impl AsStateMachine + ?Sized),
    ) -> CloudResult<Vec<ExecutionInfo>> {
        let m = ops::machines::lookup(self.cloud, &sm.machine_arn())?;
        let ids: Vec<usize> = m.executions.iter().rev().copied().collect();
        Ok(ids.into_iter().map(|i| self.info(i)).collect())
    }

    /// Stops a running execution (ABORTED).
    pub fn stop_execution(
        &mut self,
        exec: &Execution,
        error: &str,
        cause: &str,
    ) -> CloudResult<()> {
        ops::executions::stop_execution(
            self.cloud,
            ops::executions::StopExecutionInput {
                execution_arn: exec.arn.clone(),
                error: Some(error.to_string()),
                cause: Some(cause.to_string()),
            },
        )
        .map(|_| ())
    }

    /// Completes a `.waitForTaskToken` task with `output`.
    pub fn send_task_success(&mut self, token: &str, output: Value) -> CloudResult<()> {
        ops::tokens::send_task_success(
            self.cloud,
            ops::tokens::SendTaskSuccessInput {
                task_token: token.to_string(),
                output: output.to_string(),
            },
        )
    }

    /// Fails a `.waitForTaskToken` task with `error` and `cause`.
    pub fn send_task_failure(&mut self, token: &str, error: &str, cause: &str) -> CloudResult<()> {
        ops::tokens::send_task_failure(
            self.cloud,
            ops::tokens::SendTaskFailureInput {
                task_token: token.to_string(),
                error: Some(error.to_string()),
                cause: Some(cause.to_string()),
            },
        )
    }

    /// Tells a `.waitForTaskToken` task with HeartbeatSeconds that its worker is alive.
    pub fn send_task_heartbeat(&mut self, token: &str) -> CloudResult<()> {
        ops::tokens::send_task_heartbeat(
            self.cloud,
            ops::tokens::SendTaskHeartbeatInput {
                task_token: token.to_string(),
            },
        )
    }

    /// Runs one state on its own with `input` (TestState): its output, or
    /// its error, and the state it would go to next.
    pub fn test_state(&mut self, state: Value, input: Value) -> CloudResult<Value> {
        ops::test_state::test_state(
            self.cloud,
            ops::test_state::TestStateInput {
                definition: state.to_string(),
                input: Some(input.to_string()),
                inspection_level: Some("DEBUG".into()),
                ..Default::default()
            },
        )
    }
}

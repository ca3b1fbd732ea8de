//! StartExecution, StartSyncExecution, DescribeExecution,
//! GetExecutionHistory, ListExecutions, StopExecution.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::machines::{ListInput, lookup, page};
use super::{
    check_name, checked_input, exec_id, parse_input, standard_only, status_json, ts, validation,
};
use crate::cloud::{ACCOUNT_ID, Cloud, REGION};
use crate::error::{CloudError, CloudResult};
use crate::states::interp;
use crate::states::model::{Exec, ParentRef, Status, WorkflowType};
use crate::states::quotas::{EXPRESS_MAX_DURATION, STANDARD_MAX_DURATION};

/// StartExecution / StartSyncExecution request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartExecutionInput {
    /// The state machine's ARN.
    pub state_machine_arn: String,
    /// A name (default: a UUID).
    pub name: Option<String>,
    /// The input, as JSON text (default `{}`).
    pub input: Option<String>,
    /// X-Ray trace header (accepted, not used).
    pub trace_header: Option<String>,
    /// Inspection level (StartSyncExecution; accepted, not used).
    pub included_data: Option<String>,
}

/// Creates and begins an execution; returns its index. `parsed` is the
/// input already as a value (the typed face's), whose text `input.input` is:
/// it is not parsed again.
pub(crate) fn begin(
    cloud: &mut Cloud,
    input: StartExecutionInput,
    parsed: Option<Value>,
    parent: Option<ParentRef>,
) -> CloudResult<usize> {
    let m = lookup(cloud, &input.state_machine_arn)?;
    let (kind, definition, role, machine_arn, machine_name) = (
        m.kind,
        Arc::clone(&m.definition),
        m.role_arn.clone(),
        m.arn.clone(),
        m.name.clone(),
    );
    let (value, text) = match (parsed, input.input) {
        (Some(v), Some(text)) => (v, checked_input(text, "InvalidExecutionInput")?),
        (_, text) => parse_input(text.as_deref(), "InvalidExecutionInput")?,
    };
    let name = match input.name {
        Some(n) => {
            check_name(&n, "execution")?;
            n
        }
        None => cloud.core.rng.uuid(),
    };
    let arn = match kind {
        WorkflowType::Standard => {
            format!("arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:{machine_name}:{name}")
        }
        WorkflowType::Express => {
            let suffix = cloud.core.rng.uuid();
            format!("arn:aws:states:{REGION}:{ACCOUNT_ID}:express:{machine_name}:{name}:{suffix}")
        }
    };
    if let Some(&existing) = cloud.states.by_arn.get(&arn) {
        let ex = &cloud.states.execs[existing];
        if ex.status == Status::Running && ex.input_text == text {
            return Ok(existing);
        }
        return Err(CloudError::new(
            "ExecutionAlreadyExists",
            format!("Execution Already Exists: '{arn}'"),
        ));
    }
    let timeout = definition
        .machine
        .timeout
        .map(std::time::Duration::from_secs)
        .unwrap_or(match kind {
            WorkflowType::Standard => STANDARD_MAX_DURATION,
            WorkflowType::Express => EXPRESS_MAX_DURATION,
        })
        .min(match kind {
            WorkflowType::Standard => STANDARD_MAX_DURATION,
            WorkflowType::Express => EXPRESS_MAX_DURATION,
        });
    let id = cloud.states.execs.len();
    let trace_name: Arc<str> = Arc::from(machine_name.as_str());
    cloud.core.trace(
        "states",
        &trace_name,
        "execution-start",
        format!("{name} ({})", kind.as_str()),
    );
    if kind == WorkflowType::Express {
        cloud.core.bill("states.express.requests", 1.0);
    }
    cloud.states.execs.push(Exec {
        arn: arn.clone(),
        name,
        trace_name,
        machine_arn,
        machine_name: machine_name.clone(),
        definition,
        kind,
        role_arn: role,
        status: Status::Running,
        start: cloud.core.now,
        stop: None,
        input: value,
        input_text: text,
        output: None,
        output_value: None,
        failure: None,
        history: Default::default(),
        runs: Vec::new(),
        ready: Default::default(),
        transitions: 0,
        billed_transitions: 0,
        parent,
        timers: Vec::new(),
        redrive_count: 0,
        test: false,
        test_flag: None,
    });
    cloud.states.by_arn.insert(arn, id);
    if let Some(m) = cloud.states.machines.get_mut(&machine_name) {
        m.executions.push(id);
    }
    interp::begin(cloud, id, timeout);
    Ok(id)
}

/// StartExecution: the execution runs as time moves on.
pub fn start_execution(cloud: &mut Cloud, input: StartExecutionInput) -> CloudResult<Value> {
    let id = begin(cloud, input, None, None)?;
    let ex = &cloud.states.execs[id];
    Ok(json!({"executionArn": ex.arn, "startDate": ts(ex.start)}))
}

/// Starts a nested execution for a `states:startExecution` task.
pub(crate) fn start_nested(
    cloud: &mut Cloud,
    arn: &str,
    name: Option<String>,
    input: Option<String>,
    parent: Option<ParentRef>,
) -> CloudResult<Value> {
    let id = begin(
        cloud,
        StartExecutionInput {
            state_machine_arn: arn.to_string(),
            name,
            input,
            ..Default::default()
        },
        None,
        parent,
    )?;
    let ex = &cloud.states.execs[id];
    Ok(json!({"ExecutionArn": ex.arn, "StartDate": ex.start.to_rfc3339_millis()}))
}

/// Runs the scheduler until execution `id` has finished (or nothing is left).
pub(crate) fn wait_for(cloud: &mut Cloud, id: usize) {
    if cloud.core.in_job() {
        // Inside a job the clock cannot move: run what is due now.
        while cloud.states.execs[id].status == Status::Running && cloud.step_until(cloud.core.now) {
        }
        return;
    }
    let horizon = cloud.core.now + STANDARD_MAX_DURATION;
    while cloud.states.execs[id].status == Status::Running {
        if !cloud.step_until(horizon) {
            break;
        }
    }
}

/// StartSyncExecution (Express only): starts, waits, and returns the result.
pub fn start_sync_execution(cloud: &mut Cloud, input: StartExecutionInput) -> CloudResult<Value> {
    let m = lookup(cloud, &input.state_machine_arn)?;
    if m.kind != WorkflowType::Express {
        return Err(CloudError::new(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine: StartSyncExecution runs EXPRESS state machines only.",
        ));
    }
    let id = begin(cloud, input, None, None)?;
    wait_for(cloud, id);
    let ex = &cloud.states.execs[id];
    let mut out = describe(ex);
    out.as_object_mut().map(|o| o.remove("redriveCount"));
    let took = ex.stop.unwrap_or(cloud.core.now).since(ex.start);
    let billed_ms = took.as_millis().div_ceil(100).max(1) * 100;
    out["billingDetails"] = json!({
        "billedMemoryUsedInMB": 64,
        "billedDurationInMilliseconds": billed_ms,
    });
    Ok(out)
}

fn describe(ex: &Exec) -> Value {
    let mut out = json!({
        "executionArn": ex.arn,
        "stateMachineArn": ex.machine_arn,
        "name": ex.name,
        "status": status_json(ex.status),
        "startDate": ts(ex.start),
        "input": ex.input_text,
        "inputDetails": {"included": true},
        "redriveCount": ex.redrive_count,
    });
    if let Some(s) = ex.stop {
        out["stopDate"] = ts(s);
    }
    if let Some(o) = &ex.output {
        out["output"] = json!(o);
        out["outputDetails"] = json!({"included": true});
    }
    if let Some(f) = &ex.failure {
        if !f.error.is_empty() {
            out["error"] = json!(f.error);
        }
        if !f.cause.is_empty() {
            out["cause"] = json!(f.cause);
        }
    }
    out
}

/// DescribeExecution's JSON for execution `id` (whatever its type).
pub fn describe_json(cloud: &Cloud, id: usize) -> Value {
    describe(&cloud.states.execs[id])
}

/// A request naming an execution.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionArnInput {
    /// The execution's ARN.
    pub execution_arn: String,
}

/// DescribeExecution (Standard executions).
pub fn describe_execution(cloud: &mut Cloud, input: ExecutionArnInput) -> CloudResult<Value> {
    let id = exec_id(cloud, &input.execution_arn)?;
    let ex = &cloud.states.execs[id];
    standard_only(ex, "DescribeExecution")?;
    Ok(describe(ex))
}

/// GetExecutionHistory request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetExecutionHistoryInput {
    /// The execution's ARN.
    pub execution_arn: String,
    /// Page size (default 100, at most 1000).
    pub max_results: Option<usize>,
    /// Where the previous page ended.
    pub next_token: Option<String>,
    /// Newest first.
    pub reverse_order: Option<bool>,
    /// Include inputs and outputs (default true).
    pub include_execution_data: Option<bool>,
}

/// GetExecutionHistory (Standard executions).
pub fn get_execution_history(
    cloud: &mut Cloud,
    input: GetExecutionHistoryInput,
) -> CloudResult<Value> {
    let id = exec_id(cloud, &input.execution_arn)?;
    let ex = &cloud.states.execs[id];
    standard_only(ex, "GetExecutionHistory")?;
    let mut events: Vec<Value> = ex.history.iter().map(|e| e.to_json()).collect();
    if input.reverse_order == Some(true) {
        events.reverse();
    }
    if input.include_execution_data == Some(false) {
        for e in &mut events {
            if let Value::Object(m) = e {
                for (k, d) in m.iter_mut() {
                    if k.ends_with("EventDetails")
                        && let Value::Object(d) = d
                    {
                        for field in ["input", "output", "parameters", "error", "cause"] {
                            d.remove(field);
                        }
                    }
                }
            }
        }
    }
    let (items, next) = page(
        &events,
        &ListInput {
            max_results: input.max_results,
            next_token: input.next_token,
        },
    )?;
    let mut out = json!({ "events": items });
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

/// ListExecutions request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListExecutionsInput {
    /// The state machine's ARN.
    pub state_machine_arn: Option<String>,
    /// Only executions with this status.
    pub status_filter: Option<String>,
    /// Page size (default 100, at most 1000).
    pub max_results: Option<usize>,
    /// Where the previous page ended.
    pub next_token: Option<String>,
    /// Map Run ARN (not modelled).
    pub map_run_arn: Option<String>,
}

/// ListExecutions (Standard state machines), newest first.
pub fn list_executions(cloud: &mut Cloud, input: ListExecutionsInput) -> CloudResult<Value> {
    let Some(arn) = input.state_machine_arn.as_deref() else {
        return Err(validation("Must provide a StateMachine ARN or MapRun ARN"));
    };
    let m = lookup(cloud, arn)?;
    if m.kind == WorkflowType::Express {
        return Err(CloudError::new(
            "StateMachineTypeNotSupported",
            "ListExecutions is not supported for EXPRESS state machines.",
        ));
    }
    let filter = match input.status_filter.as_deref() {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            validation(format!(
                "1 validation error detected: Value '{s}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]"
            ))
        })?),
    };
    let all: Vec<Value> = m
        .executions
        .iter()
        .rev()
        .map(|&i| &cloud.states.execs[i])
        .filter(|e| filter.is_none_or(|f| e.status == f))
        .map(|e| {
            let mut v = json!({
                "executionArn": e.arn,
                "stateMachineArn": e.machine_arn,
                "name": e.name,
                "status": status_json(e.status),
                "startDate": ts(e.start),
            });
            if let Some(s) = e.stop {
                v["stopDate"] = ts(s);
            }
            v
        })
        .collect();
    let (items, next) = page(
        &all,
        &ListInput {
            max_results: input.max_results,
            next_token: input.next_token,
        },
    )?;
    let mut out = json!({ "executions": items });
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

/// StopExecution request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopExecutionInput {
    /// The execution's ARN.
    pub execution_arn: String,
    /// An error name to record.
    pub error: Option<String>,
    /// A cause to record.
    pub cause: Option<String>,
}

/// StopExecution: aborts a running execution (Standard or Express).
pub fn stop_execution(cloud: &mut Cloud, input: StopExecutionInput) -> CloudResult<Value> {
    let id = exec_id(cloud, &input.execution_arn)?;
    if cloud.states.execs[id].status == Status::Running {
        interp::stop(cloud, id, input.error, input.cause);
    }
    let stop = cloud.states.execs[id].stop.unwrap_or(cloud.core.now);
    Ok(json!({ "stopDate": ts(stop) }))
}

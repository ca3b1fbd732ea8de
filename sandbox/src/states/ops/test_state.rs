//! TestState: runs one state on its own, as the console's "Test state" does.
//!
//! The state runs for real (a Lambda task invokes the function) in a
//! throw-away execution that is neither listed nor billed. A matching
//! retrier is reported as `RETRIABLE` instead of being waited for; a
//! matching catcher as `CAUGHT_ERROR` with the catcher's `nextState`.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::executions::wait_for;
use super::parse_input;
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::states::definition::Definition;
use crate::states::history::{Details, EventType};
use crate::states::interp;
use crate::states::model::{Exec, Status, WorkflowType};

/// The name the tested state runs under.
pub const TEST_STATE_NAME: &str = "TestState";

/// TestState request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestStateInput {
    /// One state's definition, as JSON text.
    pub definition: String,
    /// The role (accepted, not used).
    pub role_arn: Option<String>,
    /// The state's input, as JSON text.
    pub input: Option<String>,
    /// `INFO`, `DEBUG` or `TRACE` (DEBUG adds the data-flow steps).
    pub inspection_level: Option<String>,
    /// Accepted, not used.
    pub reveal_secrets: Option<bool>,
    /// Workflow variables, as JSON text.
    pub variables: Option<String>,
}

fn wrap(state: &Map<String, Value>) -> (Value, Vec<String>) {
    let st = state.clone();
    let mut targets = Vec::new();
    if let Some(Value::String(n)) = st.get("Next") {
        targets.push(n.clone());
    }
    for key in ["Catch", "Choices"] {
        if let Some(Value::Array(items)) = st.get(key) {
            for c in items {
                if let Some(Value::String(n)) = c.get("Next") {
                    targets.push(n.clone());
                }
            }
        }
    }
    if let Some(Value::String(d)) = st.get("Default") {
        targets.push(d.clone());
    }
    let mut states = Map::new();
    states.insert(TEST_STATE_NAME.into(), Value::Object(st));
    for t in &targets {
        if t != TEST_STATE_NAME && !states.contains_key(t) {
            states.insert(t.clone(), json!({"Type": "Succeed"}));
        }
    }
    (
        json!({"StartAt": TEST_STATE_NAME, "States": states}),
        targets,
    )
}

/// TestState.
pub fn test_state(cloud: &mut Cloud, input: TestStateInput) -> CloudResult<Value> {
    let state: Value = serde_json::from_str(&input.definition).map_err(|e| {
        CloudError::new(
            "InvalidDefinition",
            format!("Invalid State Definition: '{e}'"),
        )
    })?;
    let Value::Object(obj) = &state else {
        return Err(CloudError::new(
            "InvalidDefinition",
            "The definition must be one state: a JSON object with a Type.",
        ));
    };
    let (machine_json, _targets) = wrap(obj);
    let definition = Definition::from_json(machine_json).map_err(|d| {
        CloudError::new(
            "InvalidDefinition",
            crate::states::definition::invalid_definition_message(&d),
        )
    })?;
    let (value, text) = parse_input(input.input.as_deref(), "InvalidExecutionInput")?;
    let vars = match input.variables.as_deref() {
        Some(v) => match serde_json::from_str::<Value>(v) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(CloudError::new(
                    "ValidationException",
                    "variables must be a JSON object",
                ));
            }
        },
        None => Map::new(),
    };
    let id = cloud.states.execs.len();
    let name = cloud.core.rng.uuid();
    cloud.states.execs.push(Exec {
        arn: format!("test-state:{name}"),
        name,
        trace_name: Arc::from("TestState"),
        machine_arn: String::new(),
        machine_name: TEST_STATE_NAME.into(),
        definition: Arc::new(definition),
        kind: WorkflowType::Express,
        role_arn: input.role_arn.clone().unwrap_or_default(),
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
        parent: None,
        timers: Vec::new(),
        redrive_count: 0,
        test: true,
        test_flag: None,
    });
    interp::begin(cloud, id, crate::states::quotas::EXPRESS_MAX_DURATION);
    if !vars.is_empty() {
        cloud.states.execs[id].runs[0].vars.local = vars.into_iter().collect();
    }
    wait_for(cloud, id);
    let ex = &cloud.states.execs[id];
    // The state after the tested one, if execution went on to a stand-in.
    let next_state = ex
        .history
        .iter()
        .filter_map(|e| match (&e.kind, &e.details) {
            (_, Details::StateEntered { name, .. }) if &**name != TEST_STATE_NAME => {
                Some(name.to_string())
            }
            _ => None,
        })
        .next();
    let tested_output = ex.history.iter().rev().find_map(|e| match &e.details {
        Details::StateExited { name, output } if &**name == TEST_STATE_NAME => Some(output.clone()),
        _ => None,
    });
    let mut out = Map::new();
    let status = match (ex.status, ex.test_flag) {
        (_, Some(flag)) => flag,
        (Status::Succeeded, None) => "SUCCEEDED",
        (Status::Running, None) => "RUNNING",
        _ => "FAILED",
    };
    out.insert("status".into(), json!(status));
    if let Some(n) = next_state {
        out.insert("nextState".into(), json!(n));
    }
    if let Some(o) = tested_output.or_else(|| ex.output.clone())
        && status != "FAILED"
        && status != "RETRIABLE"
    {
        out.insert("output".into(), json!(o));
    }
    if let Some(f) = &ex.failure
        && (status == "FAILED" || status == "RETRIABLE")
    {
        out.insert("error".into(), json!(f.error));
        out.insert("cause".into(), json!(f.cause));
    }
    if matches!(
        input.inspection_level.as_deref(),
        Some("DEBUG") | Some("TRACE")
    ) {
        let mut data = Map::new();
        data.insert("input".into(), json!(ex.input_text));
        for e in ex.history.iter() {
            match (&e.kind, &e.details) {
                (EventType::TaskScheduled, Details::TaskScheduled(t)) => {
                    data.insert("parameters".into(), json!(t.parameters));
                }
                (EventType::TaskSucceeded, Details::TaskOutput { output, .. })
                | (EventType::LambdaFunctionSucceeded, Details::LambdaSucceeded { output }) => {
                    data.insert("result".into(), json!(output));
                }
                _ => {}
            }
        }
        out.insert("inspectionData".into(), Value::Object(data));
    }
    Ok(Value::Object(out))
}

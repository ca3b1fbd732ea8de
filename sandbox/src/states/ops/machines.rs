//! CreateStateMachine, DescribeStateMachine, ListStateMachines,
//! UpdateStateMachine, DeleteStateMachine, ValidateStateMachineDefinition.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{check_name, machine_arn, machine_name_of, no_machine, ts, validation};
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::states::definition::{Definition, Diagnostic, invalid_definition_message};
use crate::states::model::{MachineRec, WorkflowType};
use crate::states::quotas::MAX_DEFINITION_LEN;

/// CreateStateMachine request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateStateMachineInput {
    /// The name (1-80 characters).
    pub name: String,
    /// The ASL definition, as JSON text.
    pub definition: String,
    /// The role the state machine assumes.
    pub role_arn: String,
    /// `STANDARD` (default) or `EXPRESS`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Logging configuration (accepted, not used).
    pub logging_configuration: Option<Value>,
    /// Tracing configuration (accepted, not used).
    pub tracing_configuration: Option<Value>,
    /// Tags (accepted, not used).
    pub tags: Option<Value>,
    /// Publish a version (accepted; versions are not modelled).
    pub publish: Option<bool>,
    /// Version description.
    pub version_description: Option<String>,
}

/// CreateStateMachine response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateStateMachineOutput {
    /// The new state machine's ARN.
    pub state_machine_arn: String,
    /// When it was created (epoch seconds).
    pub creation_date: Value,
}

fn parse_type(kind: Option<&str>) -> CloudResult<WorkflowType> {
    match kind.unwrap_or("STANDARD") {
        "STANDARD" => Ok(WorkflowType::Standard),
        "EXPRESS" => Ok(WorkflowType::Express),
        other => Err(validation(format!(
            "1 validation error detected: Value '{other}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
        ))),
    }
}

fn check_role(role: &str) -> CloudResult<()> {
    match crate::cloud::parse_arn(role) {
        Some(("iam", _, _, res)) if res.starts_with("role/") => Ok(()),
        _ => Err(CloudError::new(
            "InvalidArn",
            format!("Invalid Arn: '{role}'"),
        )),
    }
}

/// Parses and validates a definition for create/update.
pub fn compile(text: &str) -> CloudResult<Definition> {
    if text.len() > MAX_DEFINITION_LEN {
        return Err(CloudError::new(
            "InvalidDefinition",
            format!("The definition is longer than {MAX_DEFINITION_LEN} characters."),
        ));
    }
    Definition::parse(text)
        .map_err(|diags| CloudError::new("InvalidDefinition", invalid_definition_message(&diags)))
}

/// CreateStateMachine.
pub fn create_state_machine(
    cloud: &mut Cloud,
    input: CreateStateMachineInput,
) -> CloudResult<CreateStateMachineOutput> {
    check_name(&input.name, "state machine")?;
    let kind = parse_type(input.kind.as_deref())?;
    check_role(&input.role_arn)?;
    let definition = compile(&input.definition)?;
    let arn = machine_arn(&input.name);
    if let Some(existing) = cloud.states.machines.get(&input.name) {
        if existing.text == input.definition
            && existing.role_arn == input.role_arn
            && existing.kind == kind
        {
            return Ok(CreateStateMachineOutput {
                state_machine_arn: arn,
                creation_date: ts(existing.created),
            });
        }
        return Err(CloudError::new(
            "StateMachineAlreadyExists",
            format!("State Machine Already Exists: '{arn}'"),
        ));
    }
    let now = cloud.core.now;
    let name: Arc<str> = Arc::from(input.name.as_str());
    cloud.core.trace(
        "states",
        &name,
        "create",
        format!(
            "{} state machine, {} states",
            kind.as_str(),
            definition.state_names().len()
        ),
    );
    cloud.states.machines.insert(
        input.name.clone(),
        MachineRec {
            name: input.name,
            arn: arn.clone(),
            definition: Arc::new(definition),
            text: input.definition,
            kind,
            role_arn: input.role_arn,
            created: now,
            updated: None,
            revision: 1,
            executions: Vec::new(),
            description: input.version_description.unwrap_or_default(),
        },
    );
    Ok(CreateStateMachineOutput {
        state_machine_arn: arn,
        creation_date: ts(now),
    })
}

/// A request naming a state machine.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateMachineArnInput {
    /// The state machine's ARN.
    pub state_machine_arn: String,
}

pub(crate) fn lookup<'c>(cloud: &'c Cloud, arn: &str) -> CloudResult<&'c MachineRec> {
    let name = machine_name_of(arn)?;
    cloud
        .states
        .machines
        .get(&name)
        .ok_or_else(|| no_machine(arn))
}

/// DescribeStateMachine.
pub fn describe_state_machine(
    cloud: &mut Cloud,
    input: StateMachineArnInput,
) -> CloudResult<Value> {
    let m = lookup(cloud, &input.state_machine_arn)?;
    let mut out = serde_json::json!({
        "stateMachineArn": m.arn,
        "name": m.name,
        "status": "ACTIVE",
        "definition": m.text,
        "roleArn": m.role_arn,
        "type": m.kind.as_str(),
        "creationDate": ts(m.created),
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": false},
        "tracingConfiguration": {"enabled": false},
        "revisionId": m.revision.to_string(),
    });
    if !m.description.is_empty() {
        out["description"] = Value::String(m.description.clone());
    }
    Ok(out)
}

/// ListStateMachines request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListInput {
    /// Page size (default 100, at most 1000).
    pub max_results: Option<usize>,
    /// Where the previous page ended.
    pub next_token: Option<String>,
}

pub(crate) fn page<T: Clone>(
    items: &[T],
    input: &ListInput,
) -> CloudResult<(Vec<T>, Option<String>)> {
    let size = match input.max_results {
        None | Some(0) => 100,
        Some(n) if n <= 1000 => n,
        Some(n) => {
            return Err(validation(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
            )));
        }
    };
    let start = match &input.next_token {
        None => 0,
        Some(t) => t
            .strip_prefix("page-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| CloudError::new("InvalidToken", format!("Invalid Token: '{t}'")))?,
    };
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| format!("page-{end}"));
    Ok((items.get(start..end).unwrap_or(&[]).to_vec(), next))
}

/// ListStateMachines.
pub fn list_state_machines(cloud: &mut Cloud, input: ListInput) -> CloudResult<Value> {
    let all: Vec<Value> = cloud
        .states
        .machines
        .values()
        .map(|m| {
            serde_json::json!({
                "stateMachineArn": m.arn,
                "name": m.name,
                "type": m.kind.as_str(),
                "creationDate": ts(m.created),
            })
        })
        .collect();
    let (items, next) = page(&all, &input)?;
    let mut out = serde_json::json!({ "stateMachines": items });
    if let Some(n) = next {
        out["nextToken"] = Value::String(n);
    }
    Ok(out)
}

/// DeleteStateMachine: the machine goes at once; running executions finish.
pub fn delete_state_machine(cloud: &mut Cloud, input: StateMachineArnInput) -> CloudResult<()> {
    let name = machine_name_of(&input.state_machine_arn)?;
    if let Some(m) = cloud.states.machines.remove(&name) {
        let name: Arc<str> = Arc::from(m.name.as_str());
        cloud.core.trace("states", &name, "delete", String::new());
    }
    Ok(())
}

/// UpdateStateMachine request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStateMachineInput {
    /// The state machine's ARN.
    pub state_machine_arn: String,
    /// A new definition.
    pub definition: Option<String>,
    /// A new role.
    pub role_arn: Option<String>,
    /// Logging configuration (accepted, not used).
    pub logging_configuration: Option<Value>,
    /// Tracing configuration (accepted, not used).
    pub tracing_configuration: Option<Value>,
    /// Publish a version (accepted; versions are not modelled).
    pub publish: Option<bool>,
    /// Version description.
    pub version_description: Option<String>,
}

/// UpdateStateMachine: new executions use the new definition.
pub fn update_state_machine(
    cloud: &mut Cloud,
    input: UpdateStateMachineInput,
) -> CloudResult<Value> {
    if input.definition.is_none() && input.role_arn.is_none() {
        return Err(CloudError::new(
            "MissingRequiredParameter",
            "Either the definition or the roleArn must be specified.",
        ));
    }
    let name = machine_name_of(&input.state_machine_arn)?;
    if !cloud.states.machines.contains_key(&name) {
        return Err(no_machine(&input.state_machine_arn));
    }
    let def = input.definition.as_deref().map(compile).transpose()?;
    if let Some(r) = &input.role_arn {
        check_role(r)?;
    }
    let now = cloud.core.now;
    let m = cloud
        .states
        .machines
        .get_mut(&name)
        .ok_or_else(|| no_machine(&input.state_machine_arn))?;
    if let (Some(d), Some(text)) = (def, input.definition) {
        m.definition = Arc::new(d);
        m.text = text;
    }
    if let Some(r) = input.role_arn {
        m.role_arn = r;
    }
    m.revision += 1;
    m.updated = Some(now);
    let rev = m.revision;
    let trace_name: Arc<str> = Arc::from(name.as_str());
    cloud
        .core
        .trace("states", &trace_name, "update", format!("revision {rev}"));
    Ok(serde_json::json!({"updateDate": ts(now), "revisionId": rev.to_string()}))
}

/// ValidateStateMachineDefinition request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateInput {
    /// The definition to check.
    pub definition: String,
    /// `STANDARD` or `EXPRESS`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `ERROR` (default: errors only) or `WARNING` (errors and warnings).
    pub severity: Option<String>,
    /// Most diagnostics to return (default 100).
    pub max_results: Option<usize>,
}

/// ValidateStateMachineDefinition response.
#[derive(Clone, Debug, Serialize)]
pub struct ValidateOutput {
    /// `OK` or `FAIL`.
    pub result: &'static str,
    /// The problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// True when there were more than `maxResults`.
    pub truncated: bool,
}

/// ValidateStateMachineDefinition: every problem, none thrown.
pub fn validate_state_machine_definition(
    _cloud: &mut Cloud,
    input: ValidateInput,
) -> CloudResult<ValidateOutput> {
    parse_type(input.kind.as_deref())?;
    let with_warnings = match input.severity.as_deref() {
        None | Some("ERROR") => false,
        Some("WARNING") => true,
        Some(other) => {
            return Err(validation(format!(
                "1 validation error detected: Value '{other}' at 'severity' failed to satisfy constraint: Member must satisfy enum value set: [ERROR, WARNING]"
            )));
        }
    };
    let cap = match input.max_results {
        None | Some(0) => 100,
        Some(n) if n <= 100 => n,
        Some(_) => return Err(validation("maxResults must be between 0 and 100.")),
    };
    let (_, mut diags) = Definition::analyse(&input.definition);
    if !with_warnings {
        diags.retain(|d| d.severity == "ERROR");
    }
    let failed = diags.iter().any(|d| d.severity == "ERROR");
    let truncated = diags.len() > cap;
    diags.truncate(cap);
    Ok(ValidateOutput {
        result: if failed { "FAIL" } else { "OK" },
        diagnostics: diags,
        truncated,
    })
}

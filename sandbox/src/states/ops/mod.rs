//! Step Functions operations, one function per API action, shared by the
//! typed face and `cloud.call("states", ...)`. Request and response members
//! are named as the Step Functions API Reference names them (camelCase).

pub mod executions;
pub mod machines;
pub mod test_state;
pub mod tokens;

use serde_json::{Value, json};

use super::model::{Exec, Status, WorkflowType};
use crate::cloud::{ACCOUNT_ID, Cloud, REGION};
use crate::error::{CloudError, CloudResult};
use crate::params::ErrorStyle;

pub use executions::describe_json;
pub(crate) use executions::start_nested;

/// Step Functions reports request problems as `ValidationException`.
pub const STYLE: ErrorStyle = ErrorStyle {
    missing: "ValidationException",
    invalid: "ValidationException",
};

/// The default execution role the typed face uses.
pub const DEFAULT_ROLE: &str = "arn:aws:iam::123456789012:role/service-role/StepFunctions-Role";

/// `arn:aws:states:us-east-1:123456789012:stateMachine:<name>`.
pub fn machine_arn(name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}")
}

pub(crate) fn invalid_arn(arn: &str) -> CloudError {
    CloudError::new("InvalidArn", format!("Invalid Arn: '{arn}'"))
}

pub(crate) fn validation(message: impl Into<String>) -> CloudError {
    CloudError::new("ValidationException", message)
}

/// The state machine name an ARN names (`InvalidArn` when it is not one).
pub(crate) fn machine_name_of(arn: &str) -> CloudResult<String> {
    match crate::cloud::parse_arn(arn) {
        Some(("states", _, _, res)) => match res.strip_prefix("stateMachine:") {
            Some(name) if !name.is_empty() && !name.contains(':') => Ok(name.to_string()),
            _ => Err(invalid_arn(arn)),
        },
        _ => Err(invalid_arn(arn)),
    }
}

pub(crate) fn no_machine(arn: &str) -> CloudError {
    CloudError::new(
        "StateMachineDoesNotExist",
        format!("State Machine Does Not Exist: '{arn}'"),
    )
}

/// The execution an ARN names.
pub(crate) fn exec_id(cloud: &Cloud, arn: &str) -> CloudResult<usize> {
    match crate::cloud::parse_arn(arn) {
        Some(("states", _, _, res))
            if res.starts_with("execution:") || res.starts_with("express:") => {}
        _ => return Err(invalid_arn(arn)),
    }
    cloud.states.by_arn.get(arn).copied().ok_or_else(|| {
        CloudError::new(
            "ExecutionDoesNotExist",
            format!("Execution Does Not Exist: '{arn}'"),
        )
    })
}

/// Refuses Express executions, as DescribeExecution, GetExecutionHistory
/// and ListExecutions do.
pub(crate) fn standard_only(ex: &Exec, action: &str) -> CloudResult<()> {
    if ex.kind == WorkflowType::Express {
        return Err(CloudError::new(
            "StateMachineTypeNotSupported",
            format!(
                "{action} is not supported for EXPRESS state machines: Express executions keep no history (AWS sends it to CloudWatch Logs instead)."
            ),
        ));
    }
    Ok(())
}

/// Checks a state machine or execution name.
pub(crate) fn check_name(name: &str, what: &str) -> CloudResult<()> {
    let bad = name.is_empty()
        || name.chars().count() > super::quotas::MAX_NAME_LEN
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c));
    if bad {
        return Err(CloudError::new(
            "InvalidName",
            format!(
                "Invalid Name: '{name}' ({what} names are 1-80 characters; no spaces, wildcards, brackets or the characters < > {{ }} [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : /)"
            ),
        ));
    }
    Ok(())
}

/// Parses a JSON input string (`InvalidExecutionInput` when it is not JSON).
pub(crate) fn parse_input(text: Option<&str>, code: &str) -> CloudResult<(Value, String)> {
    let text = text.unwrap_or("{}");
    let v: Value = serde_json::from_str(text).map_err(|e| {
        CloudError::new(
            code,
            format!("Invalid State Machine Execution Input: '{e}'"),
        )
    })?;
    Ok((v, checked_input(text.to_string(), code)?))
}

/// The input text when it is within the payload limit.
pub(crate) fn checked_input(text: String, code: &str) -> CloudResult<String> {
    if text.len() > super::quotas::MAX_PAYLOAD_BYTES {
        return Err(CloudError::new(
            code,
            format!(
                "The input is {} bytes, more than the maximum of {} bytes.",
                text.len(),
                super::quotas::MAX_PAYLOAD_BYTES
            ),
        ));
    }
    Ok(text)
}

pub(crate) fn ts(t: crate::time::SimTime) -> Value {
    json!(t.unix_millis() as f64 / 1000.0)
}

pub(crate) fn status_json(s: Status) -> Value {
    json!(s.as_str())
}

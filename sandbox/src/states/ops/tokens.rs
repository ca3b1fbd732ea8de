//! SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat: completing a
//! `.waitForTaskToken` task from outside.

use serde::Deserialize;

use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::states::errors::Failure;
use crate::states::history::{Details, EventType};
use crate::states::interp::{self, Input};
use crate::states::model::{Status, TokenRef};
use crate::states::quotas::MAX_PAYLOAD_BYTES;

/// SendTaskSuccess request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendTaskSuccessInput {
    /// The token from `$$.Task.Token`.
    pub task_token: String,
    /// The task's result, as JSON text.
    pub output: String,
}

/// SendTaskFailure request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendTaskFailureInput {
    /// The token from `$$.Task.Token`.
    pub task_token: String,
    /// The error name.
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
}

/// SendTaskHeartbeat request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendTaskHeartbeatInput {
    /// The token from `$$.Task.Token`.
    pub task_token: String,
}

fn resolve(cloud: &Cloud, token: &str) -> CloudResult<TokenRef> {
    if token.is_empty() || token.len() > 2048 {
        return Err(CloudError::new("InvalidToken", "Invalid token"));
    }
    let t = cloud
        .states
        .tokens
        .get(token)
        .copied()
        .ok_or_else(|| CloudError::new("TaskDoesNotExist", "Task Does Not Exist"))?;
    let ex = &cloud.states.execs[t.exec];
    let live =
        ex.status == Status::Running && ex.runs[t.run].alive && ex.runs[t.run].epoch == t.epoch;
    if !live {
        return Err(CloudError::new("TaskTimedOut", "Task Timed Out"));
    }
    Ok(t)
}

fn resource(cloud: &Cloud, t: TokenRef) -> (String, String) {
    cloud.states.execs[t.exec].runs[t.run]
        .task
        .as_ref()
        .map(|i| (i.resource_type.clone(), i.resource.clone()))
        .unwrap_or_default()
}

/// SendTaskSuccess: the task succeeds with `output`.
pub fn send_task_success(cloud: &mut Cloud, input: SendTaskSuccessInput) -> CloudResult<()> {
    let t = resolve(cloud, &input.task_token)?;
    if input.output.len() > MAX_PAYLOAD_BYTES {
        return Err(CloudError::new(
            "InvalidOutput",
            format!("The output is larger than {MAX_PAYLOAD_BYTES} bytes."),
        ));
    }
    let output: serde_json::Value = serde_json::from_str(&input.output)
        .map_err(|e| CloudError::new("InvalidOutput", format!("Invalid Output: '{e}'")))?;
    let (resource_type, resource) = resource(cloud, t);
    let ev = (
        EventType::TaskSucceeded,
        Details::TaskOutput {
            resource_type,
            resource,
            output: input.output,
        },
    );
    interp::deliver(
        cloud,
        t.exec,
        t.run,
        t.epoch,
        Input::TaskDone(Ok(output), vec![ev]),
    );
    Ok(())
}

/// SendTaskFailure: the task fails with `error` and `cause`.
pub fn send_task_failure(cloud: &mut Cloud, input: SendTaskFailureInput) -> CloudResult<()> {
    let t = resolve(cloud, &input.task_token)?;
    let f = Failure::new(
        input.error.unwrap_or_default(),
        input.cause.unwrap_or_default(),
    );
    let (resource_type, resource) = resource(cloud, t);
    let ev = (
        EventType::TaskFailed,
        Details::TaskError {
            resource_type,
            resource,
            error: f.error.clone(),
            cause: f.cause.clone(),
        },
    );
    interp::deliver(
        cloud,
        t.exec,
        t.run,
        t.epoch,
        Input::TaskDone(Err(f), vec![ev]),
    );
    Ok(())
}

/// SendTaskHeartbeat: restarts the task's HeartbeatSeconds clock.
pub fn send_task_heartbeat(cloud: &mut Cloud, input: SendTaskHeartbeatInput) -> CloudResult<()> {
    let t = resolve(cloud, &input.task_token)?;
    interp::heartbeat(cloud, t);
    Ok(())
}

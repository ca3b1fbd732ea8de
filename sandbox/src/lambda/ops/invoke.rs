//! Invoke: synchronous (`RequestResponse`), asynchronous (`Event`) and `DryRun`.

use std::time::Duration;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::function_name;
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::lambda::quotas::{LOG_TAIL_BYTES, MAX_SYNC_PAYLOAD};
use crate::lambda::runtime::{Execution, execute, not_found};

/// Invoke request. `Payload` is the event as JSON (a JSON string holding JSON
/// text, as the SDKs send it, is parsed).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvokeInput {
    /// Name or ARN.
    pub function_name: String,
    /// `RequestResponse` (default), `Event` or `DryRun`.
    pub invocation_type: Option<String>,
    /// `None` (default) or `Tail` (last 4 KB of logs, base64).
    pub log_type: Option<String>,
    /// The event.
    pub payload: Option<Value>,
    /// Only `$LATEST` exists here.
    pub qualifier: Option<String>,
}

/// Invoke response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvokeOutput {
    /// 200 (sync), 202 (async) or 204 (dry run).
    pub status_code: u16,
    /// `Unhandled` when the function raised an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_error: Option<String>,
    /// Last 4 KB of the invocation's log, base64 (LogType Tail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_result: Option<String>,
    /// The response (or error object), as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// `$LATEST`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executed_version: Option<String>,
}

/// What a synchronous invocation returned, with its REPORT figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Invocation {
    /// The request id.
    pub request_id: String,
    /// 200 for a completed synchronous invocation.
    pub status_code: u16,
    /// The response, or `{"errorType", "errorMessage"}` when it failed.
    pub payload: Value,
    /// `Some("Unhandled")` when the function raised an error.
    pub function_error: Option<String>,
    /// This invocation's log lines (START ... REPORT).
    pub log: String,
    /// Handler run time.
    pub duration: Duration,
    /// Billed time (rounded up to 1 ms; init included on cold starts).
    pub billed_duration: Duration,
    /// Init time of a cold start.
    pub init_duration: Option<Duration>,
    /// Configured memory, MB.
    pub memory_size_mb: u32,
    /// Peak simulated memory, MB.
    pub max_memory_used_mb: u32,
}

impl Invocation {
    /// True when the function raised an error (or timed out).
    pub fn is_error(&self) -> bool {
        self.function_error.is_some()
    }

    /// True when this invocation started a new environment.
    pub fn cold_start(&self) -> bool {
        self.init_duration.is_some()
    }

    /// The error type, when it failed.
    pub fn error_type(&self) -> Option<&str> {
        self.function_error
            .as_ref()
            .and(self.payload.get("errorType").and_then(Value::as_str))
    }

    pub(crate) fn from_execution(exec: Execution) -> Invocation {
        let (payload, function_error) = match exec.outcome {
            Ok(v) => (v, None),
            Err(e) => (e.to_json(), Some("Unhandled".to_string())),
        };
        Invocation {
            request_id: exec.request_id,
            status_code: 200,
            payload,
            function_error,
            log: exec.log,
            duration: exec.duration,
            billed_duration: exec.billed,
            init_duration: exec.init,
            memory_size_mb: exec.memory_mb,
            max_memory_used_mb: exec.memory_used_mb,
        }
    }
}

/// Reads the Payload member: JSON, or a string of JSON text.
fn event_of(payload: Option<Value>) -> CloudResult<Value> {
    match payload {
        None => Ok(Value::Object(Default::default())),
        Some(Value::String(text)) => serde_json::from_str(&text).map_err(|e| {
            CloudError::new(
                "InvalidRequestContentException",
                format!("Could not parse request body into json: {e}"),
            )
        }),
        Some(v) => Ok(v),
    }
}

/// Runs a synchronous invocation; at the top level, time moves on while the
/// function runs (the caller waits for it).
pub(crate) fn invoke_sync(cloud: &mut Cloud, name: &str, event: Value) -> CloudResult<Invocation> {
    let size = event.to_string().len();
    if size > MAX_SYNC_PAYLOAD {
        return Err(CloudError::new(
            "RequestTooLargeException",
            format!("Request must be smaller than {MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation (got {size})."),
        )
        .with_status(413));
    }
    let request_id = cloud.core.rng.uuid();
    let exec = execute(cloud, name, event, request_id).map_err(|r| r.into_error())?;
    let finished = exec.finished;
    if cloud.core.handlers > 0 {
        // Called from inside a function: the caller waits (its duration
        // grows) instead of the clock jumping in the middle of its run.
        cloud.core.waited += finished.since(cloud.core.now);
    } else {
        cloud.advance_to(finished);
    }
    Ok(Invocation::from_execution(exec))
}

fn tail(log: &str) -> String {
    let start = log.len().saturating_sub(LOG_TAIL_BYTES);
    let start = (start..=log.len())
        .find(|i| log.is_char_boundary(*i))
        .unwrap_or(0);
    base64::engine::general_purpose::STANDARD.encode(&log[start..])
}

/// Invoke.
pub fn invoke(cloud: &mut Cloud, input: InvokeInput) -> CloudResult<InvokeOutput> {
    let name = function_name(&input.function_name)?;
    if !cloud.lambda.functions.contains_key(&name) {
        return Err(not_found(&name));
    }
    let event = event_of(input.payload)?;
    let kind = input
        .invocation_type
        .as_deref()
        .unwrap_or("RequestResponse");
    match kind {
        "RequestResponse" => {
            let inv = invoke_sync(cloud, &name, event)?;
            Ok(InvokeOutput {
                status_code: 200,
                log_result: (input.log_type.as_deref() == Some("Tail")).then(|| tail(&inv.log)),
                function_error: inv.function_error,
                payload: Some(inv.payload),
                executed_version: Some("$LATEST".into()),
            })
        }
        "Event" => {
            crate::lambda::asynch::enqueue(cloud, &name, event, "client")?;
            Ok(InvokeOutput {
                status_code: 202,
                function_error: None,
                log_result: None,
                payload: None,
                executed_version: None,
            })
        }
        "DryRun" => Ok(InvokeOutput {
            status_code: 204,
            function_error: None,
            log_result: None,
            payload: None,
            executed_version: None,
        }),
        other => Err(super::validation(
            "invocationType",
            other,
            "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
        )),
    }
}

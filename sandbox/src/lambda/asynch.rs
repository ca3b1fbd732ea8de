//! Asynchronous invocation (InvocationType `Event`): Lambda's internal event
//! queue, retries after function errors (1 and 2 minutes later), backoff on
//! throttles, maximum event age, and on-success / on-failure destinations and
//! the dead-letter queue.

use std::time::Duration;

use serde_json::{Value, json};

use super::model::AsyncEvent;
use super::quotas::*;
use super::runtime::{Execution, Refused, execute, not_found};
use crate::attributes::{AttributeValue, Attributes};
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::time::DurationExt;

/// Queues `payload` for function `name`; returns the request id. Runs when
/// virtual time next moves.
pub(crate) fn enqueue(
    cloud: &mut Cloud,
    name: &str,
    payload: Value,
    source: &'static str,
) -> CloudResult<String> {
    let size = payload.to_string().len();
    if size > MAX_ASYNC_PAYLOAD {
        return Err(CloudError::new(
            "RequestTooLargeException",
            format!("Request must be smaller than {MAX_ASYNC_PAYLOAD} bytes for the InvokeAsync operation (got {size})."),
        )
        .with_status(413));
    }
    let request_id = cloud.core.rng.uuid();
    let now = cloud.core.now;
    let f = cloud
        .lambda
        .functions
        .get_mut(name)
        .ok_or_else(|| not_found(name))?;
    f.async_queue.push_back(AsyncEvent {
        request_id: request_id.clone(),
        payload,
        first_queued: now,
        attempts: 0,
        throttles: 0,
    });
    let fname = f.name.clone();
    cloud.core.trace(
        "lambda",
        &fname,
        "queued",
        format!("RequestId={request_id} from {source} (async)"),
    );
    schedule_dispatch(cloud, name, Duration::ZERO);
    Ok(request_id)
}

fn schedule_dispatch(cloud: &mut Cloud, name: &str, after: Duration) {
    let Some(f) = cloud.lambda.functions.get_mut(name) else {
        return;
    };
    if f.async_scheduled && after.is_zero() {
        return;
    }
    f.async_scheduled = true;
    let name = name.to_string();
    cloud.schedule(after, "lambda.async", move |c| dispatch(c, &name));
}

/// Runs every queued event that can run now.
fn dispatch(cloud: &mut Cloud, name: &str) {
    let Some(f) = cloud.lambda.functions.get_mut(name) else {
        return;
    };
    f.async_scheduled = false;
    loop {
        let now = cloud.core.now;
        let Some(f) = cloud.lambda.functions.get_mut(name) else {
            return;
        };
        let max_age = (f.config.event_invoke.maximum_event_age_seconds as u64).secs();
        let Some(event) = f.async_queue.pop_front() else {
            return;
        };
        if now.since(event.first_queued) > max_age {
            fail(cloud, name, event, None, "EventAgeExceeded");
            continue;
        }
        match execute(cloud, name, event.payload.clone(), event.request_id.clone()) {
            Ok(exec) => {
                let at = exec.finished;
                let name = name.to_string();
                let mut event = event;
                event.attempts += 1;
                cloud.scheduler.at(
                    at,
                    "lambda.async-done",
                    Box::new(move |c| completed(c, &name, event, exec)),
                );
            }
            Err(Refused::NotFound(_)) => return,
            Err(Refused::Throttled(_)) => {
                let mut event = event;
                event.throttles += 1;
                let backoff = Duration::from_secs(1 << event.throttles.min(9))
                    .min(ASYNC_THROTTLE_BACKOFF_MAX);
                if let Some(f) = cloud.lambda.functions.get_mut(name) {
                    f.async_queue.push_front(event);
                }
                schedule_dispatch(cloud, name, backoff);
                return;
            }
        }
    }
}

/// An async invocation finished: retry, or report to destinations.
fn completed(cloud: &mut Cloud, name: &str, event: AsyncEvent, exec: Execution) {
    let Some(f) = cloud.lambda.functions.get(name) else {
        return;
    };
    let config = f.config.event_invoke.clone();
    match &exec.outcome {
        Ok(response) => {
            if let Some(dest) = &config.on_success {
                let record = record(cloud, name, &event, "Success", None, response.clone());
                deliver(cloud, name, dest, record.to_string(), Attributes::new());
            }
        }
        Err(err) => {
            let retries_used = event.attempts - 1;
            if retries_used < config.maximum_retry_attempts {
                let delay = ASYNC_RETRY_DELAYS[(retries_used as usize).min(1)];
                let fname = f.name.clone();
                cloud.core.trace(
                    "lambda",
                    &fname,
                    "retry",
                    format!(
                        "RequestId={} attempt {} in {} s",
                        event.request_id,
                        event.attempts + 1,
                        delay.as_secs()
                    ),
                );
                let name = name.to_string();
                cloud.schedule(delay, "lambda.async-retry", move |c| {
                    if let Some(f) = c.lambda.functions.get_mut(&name) {
                        f.async_queue.push_back(event);
                        schedule_dispatch(c, &name, Duration::ZERO);
                    }
                });
            } else {
                let err = err.clone();
                fail(cloud, name, event, Some(err), "RetriesExhausted");
            }
        }
    }
}

/// The invocation record destinations receive.
fn record(
    cloud: &Cloud,
    name: &str,
    event: &AsyncEvent,
    condition: &str,
    error: Option<&super::handler::FnError>,
    response: Value,
) -> Value {
    let arn = format!(
        "{}:$LATEST",
        crate::cloud::arn("lambda", &format!("function:{name}"))
    );
    let mut response_context = json!({"statusCode": 200, "executedVersion": "$LATEST"});
    if error.is_some() {
        response_context["functionError"] = json!("Unhandled");
    }
    json!({
        "version": "1.0",
        "timestamp": cloud.now().to_rfc3339_millis(),
        "requestContext": {
            "requestId": event.request_id,
            "functionArn": arn,
            "condition": condition,
            "approximateInvokeCount": event.attempts,
        },
        "requestPayload": event.payload,
        "responseContext": response_context,
        "responsePayload": response,
    })
}

/// Gives up on an event: on-failure destination and dead-letter queue.
fn fail(
    cloud: &mut Cloud,
    name: &str,
    event: AsyncEvent,
    error: Option<super::handler::FnError>,
    condition: &str,
) {
    let Some(f) = cloud.lambda.functions.get_mut(name) else {
        return;
    };
    f.stats.async_failed += 1;
    let config = f.config.clone();
    let fname = f.name.clone();
    cloud.core.trace(
        "lambda",
        &fname,
        "async-failed",
        format!("RequestId={} {condition}", event.request_id),
    );
    let response = error.as_ref().map(|e| e.to_json()).unwrap_or(Value::Null);
    if let Some(dest) = &config.event_invoke.on_failure {
        let rec = record(cloud, name, &event, condition, error.as_ref(), response);
        deliver(cloud, name, dest, rec.to_string(), Attributes::new());
    }
    if let Some(dlq) = &config.dead_letter_arn {
        let mut attrs = Attributes::new();
        attrs.insert(
            "RequestID".into(),
            AttributeValue::string(event.request_id.clone()),
        );
        attrs.insert("ErrorCode".into(), AttributeValue::number(200));
        let message = error
            .as_ref()
            .map(|e| e.error_message.clone())
            .unwrap_or_else(|| condition.to_string());
        attrs.insert("ErrorMessage".into(), AttributeValue::string(message));
        deliver(cloud, name, dlq, event.payload.to_string(), attrs);
    }
}

fn deliver(cloud: &mut Cloud, name: &str, arn: &str, body: String, attrs: Attributes) {
    if let Err(e) = crate::targets::send(cloud, arn, body, attrs) {
        let fname = cloud
            .lambda
            .functions
            .get(name)
            .map(|f| f.name.clone())
            .unwrap_or_else(|| name.into());
        cloud.core.trace(
            "lambda",
            &fname,
            "destination-failed",
            format!("{arn}: {e}"),
        );
    } else {
        let fname = cloud
            .lambda
            .functions
            .get(name)
            .map(|f| f.name.clone())
            .unwrap_or_else(|| name.into());
        cloud
            .core
            .trace("lambda", &fname, "destination", arn.to_string());
    }
}

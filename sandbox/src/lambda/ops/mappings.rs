//! Event source mappings (SQS): Create, Get, Update, Delete, List.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{function_name, invalid, validation};
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::lambda::esm::{Mapping, MappingStats, wake};
use crate::lambda::quotas::*;
use crate::lambda::runtime::not_found;

/// Create/UpdateEventSourceMapping request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventSourceMappingInput {
    /// Mapping id (Update only; taken from the path by real clients).
    #[serde(rename = "UUID")]
    pub uuid: Option<String>,
    /// The SQS queue's ARN (Create only).
    pub event_source_arn: Option<String>,
    /// Function name or ARN.
    pub function_name: Option<String>,
    /// Records per batch (default 10).
    pub batch_size: Option<u32>,
    /// Batching window, seconds (0-300).
    pub maximum_batching_window_in_seconds: Option<u32>,
    /// Whether pollers run (default true).
    pub enabled: Option<bool>,
    /// `["ReportBatchItemFailures"]` to report partial failures.
    pub function_response_types: Option<Vec<String>>,
    /// `{"MaximumConcurrency": n}` (2-1000).
    pub scaling_config: Option<Value>,
}

/// A mapping as the API returns it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventSourceMappingOutput {
    /// Mapping id.
    #[serde(rename = "UUID")]
    pub uuid: String,
    /// Queue ARN.
    pub event_source_arn: String,
    /// Function ARN.
    pub function_arn: String,
    /// Batch size.
    pub batch_size: u32,
    /// Batching window.
    pub maximum_batching_window_in_seconds: u32,
    /// `Enabled` or `Disabled`.
    pub state: String,
    /// Why.
    pub state_transition_reason: String,
    /// Last change, epoch seconds.
    pub last_modified: f64,
    /// Response types.
    pub function_response_types: Vec<String>,
    /// Scaling config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_config: Option<Value>,
}

fn output(cloud: &Cloud, m: &Mapping) -> EventSourceMappingOutput {
    EventSourceMappingOutput {
        uuid: m.uuid.clone(),
        event_source_arn: m.source_arn.clone(),
        function_arn: cloud
            .lambda
            .functions
            .get(&m.function)
            .map(|f| f.arn.clone())
            .unwrap_or_else(|| crate::cloud::arn("lambda", &format!("function:{}", m.function))),
        batch_size: m.batch_size,
        maximum_batching_window_in_seconds: m.window_secs,
        state: if m.enabled { "Enabled" } else { "Disabled" }.into(),
        state_transition_reason: "USER_INITIATED".into(),
        last_modified: m.last_modified.unix_secs_f64(),
        function_response_types: if m.report_failures {
            vec!["ReportBatchItemFailures".into()]
        } else {
            Vec::new()
        },
        scaling_config: m.max_concurrency.map(|c| json!({"MaximumConcurrency": c})),
    }
}

fn max_concurrency(v: &Option<Value>) -> CloudResult<Option<u32>> {
    let Some(v) = v else { return Ok(None) };
    let Some(n) = v.get("MaximumConcurrency") else {
        return Ok(None);
    };
    let n = n
        .as_u64()
        .ok_or_else(|| invalid("ScalingConfig.MaximumConcurrency must be a number."))?
        as u32;
    let (lo, hi) = SQS_MAX_CONCURRENCY_RANGE;
    if !(lo..=hi).contains(&n) {
        return Err(validation(
            "scalingConfig.maximumConcurrency",
            n,
            &format!("Member must have value between {lo} and {hi}"),
        ));
    }
    Ok(Some(n))
}

fn check_batching(fifo: bool, batch: u32, window: u32) -> CloudResult<()> {
    let max = if fifo {
        SQS_MAX_BATCH_FIFO
    } else {
        SQS_MAX_BATCH_STANDARD
    };
    if !(1..=max).contains(&batch) {
        return Err(invalid(format!(
            "BatchSize {batch} is out of range: for {} queues it must be between 1 and {max}.",
            if fifo { "FIFO" } else { "standard" }
        )));
    }
    if window > SQS_MAX_WINDOW_SECS {
        return Err(invalid(format!(
            "MaximumBatchingWindowInSeconds {window} is out of range: at most {SQS_MAX_WINDOW_SECS}."
        )));
    }
    if fifo && window > 0 {
        return Err(invalid(
            "Batching windows are not supported for FIFO queues.",
        ));
    }
    if batch > 10 && window == 0 {
        return Err(invalid(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
        ));
    }
    Ok(())
}

/// CreateEventSourceMapping: Lambda starts polling the queue.
pub fn create_event_source_mapping(
    cloud: &mut Cloud,
    input: EventSourceMappingInput,
) -> CloudResult<EventSourceMappingOutput> {
    let arn = input
        .event_source_arn
        .clone()
        .ok_or_else(|| invalid("The request must contain the parameter EventSourceArn."))?;
    let fname = function_name(
        input
            .function_name
            .as_deref()
            .ok_or_else(|| invalid("The request must contain the parameter FunctionName."))?,
    )?;
    let timeout = cloud
        .lambda
        .functions
        .get(&fname)
        .ok_or_else(|| not_found(&fname))?
        .config
        .timeout;
    let queue = match crate::cloud::parse_arn(&arn) {
        Some(("sqs", _, _, name)) => name.to_string(),
        Some((other, ..)) => {
            return Err(invalid(format!(
                "Event sources of type {other} are not supported in this sandbox yet; SQS queues are."
            )));
        }
        None => return Err(invalid(format!("{arn} is not a valid event source ARN."))),
    };
    let Some(q) = cloud.sqs.queues.get(queue.as_str()) else {
        return Err(invalid(format!(
            "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue {queue} does not exist."
        )));
    };
    let fifo = q.fifo();
    let visibility = q.config.visibility_timeout as u64;
    if visibility < timeout.as_secs() {
        return Err(invalid(format!(
            "Queue visibility timeout: {visibility} seconds is less than Function timeout: {} seconds",
            timeout.as_secs()
        )));
    }
    let batch = input.batch_size.unwrap_or(SQS_DEFAULT_BATCH);
    let window = input.maximum_batching_window_in_seconds.unwrap_or(0);
    check_batching(fifo, batch, window)?;
    let report = report_failures(&input.function_response_types)?;
    let uuid = cloud.core.rng.uuid();
    let mapping = Mapping {
        uuid: uuid.clone(),
        source_arn: arn,
        queue,
        function: fname.clone(),
        batch_size: batch,
        window_secs: window,
        enabled: input.enabled.unwrap_or(true),
        report_failures: report,
        max_concurrency: max_concurrency(&input.scaling_config)?,
        in_flight: 0,
        scheduled: false,
        backlog_since: None,
        window_started: None,
        idle_since: Some(cloud.core.now),
        last_modified: cloud.core.now,
        stats: MappingStats::default(),
    };
    let out = output(cloud, &mapping);
    let enabled = mapping.enabled;
    let fn_name = cloud.lambda.functions[&fname].name.clone();
    cloud.core.trace(
        "lambda",
        &fn_name,
        "event-source",
        format!("polling {} in batches of {batch}", mapping.queue),
    );
    cloud.lambda.mappings.insert(uuid.clone(), mapping);
    if enabled {
        wake(cloud, &uuid, std::time::Duration::ZERO);
    }
    Ok(out)
}

fn report_failures(types: &Option<Vec<String>>) -> CloudResult<bool> {
    match types.as_deref() {
        None | Some([]) => Ok(false),
        Some([t]) if t == "ReportBatchItemFailures" => Ok(true),
        Some(other) => Err(validation(
            "functionResponseTypes",
            format!("{other:?}"),
            "Member must satisfy enum value set: [ReportBatchItemFailures]",
        )),
    }
}

/// A request naming one mapping.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct UuidInput {
    /// Mapping id.
    #[serde(rename = "UUID")]
    pub uuid: String,
}

fn lookup<'c>(cloud: &'c mut Cloud, uuid: &str) -> CloudResult<&'c mut Mapping> {
    cloud.lambda.mappings.get_mut(uuid).ok_or_else(|| {
        CloudError::new(
            "ResourceNotFoundException",
            format!("The resource you requested does not exist. (Service: Lambda, event source mapping {uuid})"),
        )
        .with_status(404)
    })
}

/// GetEventSourceMapping.
pub fn get_event_source_mapping(
    cloud: &mut Cloud,
    input: UuidInput,
) -> CloudResult<EventSourceMappingOutput> {
    let m = lookup(cloud, &input.uuid)?.clone();
    Ok(output(cloud, &m))
}

/// UpdateEventSourceMapping: batch size, window, enabled, response types, scaling.
pub fn update_event_source_mapping(
    cloud: &mut Cloud,
    input: EventSourceMappingInput,
) -> CloudResult<EventSourceMappingOutput> {
    let uuid = input
        .uuid
        .clone()
        .ok_or_else(|| invalid("The request must contain the parameter UUID."))?;
    let now = cloud.core.now;
    let m = lookup(cloud, &uuid)?.clone();
    let fifo = m.queue.ends_with(".fifo");
    let batch = input.batch_size.unwrap_or(m.batch_size);
    let window = input
        .maximum_batching_window_in_seconds
        .unwrap_or(m.window_secs);
    check_batching(fifo, batch, window)?;
    let report = match &input.function_response_types {
        Some(_) => report_failures(&input.function_response_types)?,
        None => m.report_failures,
    };
    let concurrency = match &input.scaling_config {
        Some(_) => max_concurrency(&input.scaling_config)?,
        None => m.max_concurrency,
    };
    let m = lookup(cloud, &uuid)?;
    m.batch_size = batch;
    m.window_secs = window;
    m.report_failures = report;
    m.max_concurrency = concurrency;
    m.last_modified = now;
    if let Some(e) = input.enabled {
        m.enabled = e;
    }
    let m = m.clone();
    if m.enabled {
        wake(cloud, &uuid, std::time::Duration::ZERO);
    }
    Ok(output(cloud, &m))
}

/// DeleteEventSourceMapping: pollers stop.
pub fn delete_event_source_mapping(
    cloud: &mut Cloud,
    input: UuidInput,
) -> CloudResult<EventSourceMappingOutput> {
    let mut m = lookup(cloud, &input.uuid)?.clone();
    cloud.lambda.mappings.remove(&input.uuid);
    m.enabled = false;
    let mut out = output(cloud, &m);
    out.state = "Deleting".into();
    Ok(out)
}

/// ListEventSourceMappings request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEventSourceMappingsInput {
    /// Only this source.
    pub event_source_arn: Option<String>,
    /// Only this function.
    pub function_name: Option<String>,
}

/// ListEventSourceMappings.
pub fn list_event_source_mappings(
    cloud: &mut Cloud,
    input: ListEventSourceMappingsInput,
) -> CloudResult<Value> {
    let fname = input
        .function_name
        .as_deref()
        .map(function_name)
        .transpose()?;
    let list: Vec<EventSourceMappingOutput> = cloud
        .lambda
        .mappings
        .values()
        .filter(|m| {
            input
                .event_source_arn
                .as_ref()
                .is_none_or(|a| *a == m.source_arn)
        })
        .filter(|m| fname.as_ref().is_none_or(|f| *f == m.function))
        .map(|m| output(cloud, m))
        .collect();
    Ok(json!({ "EventSourceMappings": list }))
}

//! PutEvents and TestEventPattern.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::*;
use crate::events::quotas::*;
use crate::events::route::{self, Via};

/// One PutEvents entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsRequestEntry {
    /// The event's time (epoch seconds or RFC 3339); now when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Value>,
    /// Who sent it (`com.example.shop`); `aws.` sources are AWS's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// ARNs the event is about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// What happened (`OrderPlaced`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_type: Option<String>,
    /// A JSON object, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The bus (name or ARN); the default bus when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// X-Ray trace header (accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_header: Option<String>,
}

impl PutEventsRequestEntry {
    /// The entry's size as EventBridge counts it (UTF-8 bytes of Source,
    /// DetailType, Detail and Resources, plus 14 for a Time).
    pub fn size(&self) -> usize {
        let len = |s: &Option<String>| s.as_deref().map_or(0, str::len);
        usize::from(self.time.is_some()) * TIME_ENTRY_BYTES
            + len(&self.source)
            + len(&self.detail_type)
            + len(&self.detail)
            + self.resources.iter().map(String::len).sum::<usize>()
    }
}

/// PutEvents request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsInput {
    /// 1-10 entries.
    pub entries: Vec<PutEventsRequestEntry>,
    /// Global endpoints (not simulated).
    pub endpoint_id: Option<String>,
}

/// One entry's result: an event id, or why it failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsResultEntry {
    /// The new event's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// Why the entry failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// In words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// PutEvents response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsOutput {
    /// Entries that failed.
    pub failed_entry_count: usize,
    /// One result per entry, in order.
    pub entries: Vec<PutEventsResultEntry>,
}

impl PutEventsOutput {
    /// The ids of the events that were accepted.
    pub fn event_ids(&self) -> Vec<&str> {
        self.entries
            .iter()
            .filter_map(|e| e.event_id.as_deref())
            .collect()
    }
}

fn fail(code: &str, message: impl Into<String>) -> PutEventsResultEntry {
    PutEventsResultEntry {
        event_id: None,
        error_code: Some(code.to_string()),
        error_message: Some(message.into()),
    }
}

fn required(member: &str) -> PutEventsResultEntry {
    fail(
        "InvalidArgument",
        format!("Parameter {member} is not valid. Reason: {member} is a required argument."),
    )
}

/// Checks one entry and builds its event: the bus it goes to and the envelope.
fn accept(
    cloud: &mut Cloud,
    e: &PutEventsRequestEntry,
) -> Result<(String, Value), PutEventsResultEntry> {
    let source = e
        .source
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| required("Source"))?;
    let detail_type = e
        .detail_type
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| required("DetailType"))?;
    let detail_text = e.detail.as_deref().ok_or_else(|| required("Detail"))?;
    let detail: Value = serde_json::from_str(detail_text)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| fail("MalformedDetail", "Detail is malformed."))?;
    if source.starts_with("aws.") {
        return Err(fail(
            "NotAuthorizedForSourceException",
            "Not authorized for the source.",
        ));
    }
    let bus = bus_name(e.event_bus_name.as_deref())
        .map_err(|err| fail("InvalidArgument", err.message))?;
    if !cloud.events.buses.contains_key(&bus) {
        return Err(fail(
            "ResourceNotFoundException",
            format!("Event bus {bus} does not exist."),
        ));
    }
    let time = match &e.time {
        Some(t) => timestamp("Time", t)
            .map_err(|_| fail("InvalidArgument", "Parameter Time is not valid."))?,
        None => cloud.core.now,
    };
    let id = cloud.core.rng.uuid();
    let event = route::envelope(&id, source, detail_type, time, &e.resources, detail);
    Ok((bus, event))
}

/// PutEvents: checks every entry, then puts each good one on its bus (where
/// rules match it and targets receive it). Bad entries fail one by one.
pub fn put_events(cloud: &mut Cloud, input: PutEventsInput) -> CloudResult<PutEventsOutput> {
    let n = input.entries.len();
    if n == 0 {
        return Err(constraint(
            "entries",
            "[]",
            "have length greater than or equal to 1",
        ));
    }
    if n > MAX_PUT_EVENTS_ENTRIES {
        return Err(constraint(
            "entries",
            &format!("{n} entries"),
            &format!("have length less than or equal to {MAX_PUT_EVENTS_ENTRIES}"),
        ));
    }
    let total: usize = input.entries.iter().map(PutEventsRequestEntry::size).sum();
    if total > MAX_PUT_EVENTS_BYTES {
        return Err(validation(format!(
            "Total size of the entries in the request is over the limit ({total} bytes; the limit is {MAX_PUT_EVENTS_BYTES} bytes)."
        ))
        .with_status(413));
    }
    let mut out = PutEventsOutput::default();
    for e in &input.entries {
        match accept(cloud, e) {
            Ok((bus, event)) => {
                let id = event["id"].as_str().unwrap_or_default().to_string();
                cloud.core.bill(
                    "events.custom.events",
                    e.size().div_ceil(BILLING_CHUNK).max(1) as f64,
                );
                route::ingest(cloud, &bus, Arc::new(event), Via::Api);
                out.entries.push(PutEventsResultEntry {
                    event_id: Some(id),
                    ..Default::default()
                });
            }
            Err(failed) => {
                out.failed_entry_count += 1;
                out.entries.push(failed);
            }
        }
    }
    Ok(out)
}

/// TestEventPattern request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TestEventPatternInput {
    /// The pattern, as JSON text.
    pub event_pattern: String,
    /// A whole event (with id, account, source, time, region, detail-type), as JSON text.
    pub event: String,
}

/// TestEventPattern: `{"Result": true|false}`.
pub fn test_event_pattern(_cloud: &mut Cloud, input: TestEventPatternInput) -> CloudResult<Value> {
    let pattern = super::rules::check_pattern(&input.event_pattern, MAX_TEST_PATTERN_CHARS)?;
    let invalid = || validation("Parameter Event is not valid.");
    let event: Value = serde_json::from_str(&input.event).map_err(|_| invalid())?;
    let Some(fields) = event.as_object() else {
        return Err(invalid());
    };
    for required in ["id", "account", "source", "time", "region", "detail-type"] {
        if !fields.contains_key(required) {
            return Err(validation(format!(
                "Parameter Event is not valid. Reason: Provided Event is missing required field {required}."
            )));
        }
    }
    if fields["time"]
        .as_str()
        .is_none_or(|t| crate::time::SimTime::parse_rfc3339(t).is_none())
    {
        return Err(validation(
            "Parameter Event is not valid. Reason: time is not a valid timestamp.",
        ));
    }
    Ok(json!({ "Result": pattern.matches(&event) }))
}

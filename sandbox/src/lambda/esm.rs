//! Event source mappings from SQS: Lambda's pollers read batches from a
//! queue, invoke the function, delete what succeeded, and leave failures to
//! come back after their visibility timeout (and on to the queue's DLQ).
//!
//! Pollers sleep while the queue is empty and wake on activity, or when the
//! next hidden message becomes visible. Their empty long polls are billed.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::quotas::*;
use super::runtime::{Execution, Refused, execute};
use crate::cloud::Cloud;
use crate::sqs::Message;
use crate::time::{DurationExt, SimTime};

/// One SQS event source mapping.
#[derive(Clone, Debug)]
pub(crate) struct Mapping {
    pub uuid: String,
    pub source_arn: String,
    pub queue: String,
    pub function: String,
    pub batch_size: u32,
    pub window_secs: u32,
    pub enabled: bool,
    pub report_failures: bool,
    pub max_concurrency: Option<u32>,
    pub in_flight: u32,
    pub scheduled: bool,
    pub backlog_since: Option<SimTime>,
    pub window_started: Option<SimTime>,
    pub idle_since: Option<SimTime>,
    pub last_modified: SimTime,
    pub stats: MappingStats,
}

/// Lifetime counters of a mapping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MappingStats {
    /// Batches handed to the function.
    pub batches: u64,
    /// Records in those batches.
    pub records: u64,
    /// Records deleted after success.
    pub deleted: u64,
    /// Records left for retry (function error or reported item failure).
    pub failed: u64,
    /// Batches refused for lack of concurrency.
    pub throttled: u64,
}

impl Mapping {
    fn limit(&self, now: SimTime) -> u32 {
        let minutes = self
            .backlog_since
            .map_or(0, |t| now.since(t).as_secs() / 60) as u32;
        let scaled =
            SQS_INITIAL_POLLERS.saturating_add(SQS_SCALE_PER_MINUTE.saturating_mul(minutes));
        scaled.min(self.max_concurrency.unwrap_or(ACCOUNT_CONCURRENCY))
    }
}

/// Mappings by UUID.
pub(crate) type Mappings = BTreeMap<String, Mapping>;

/// Tells the pollers of queue `name` that messages may be available.
pub(crate) fn queue_activity(cloud: &mut Cloud, name: &str) {
    let uuids: Vec<String> = cloud
        .lambda
        .mappings
        .values()
        .filter(|m| m.queue == name && m.enabled && !m.scheduled)
        .map(|m| m.uuid.clone())
        .collect();
    for uuid in uuids {
        wake(cloud, &uuid, std::time::Duration::ZERO);
    }
}

pub(crate) fn wake(cloud: &mut Cloud, uuid: &str, after: std::time::Duration) {
    let Some(m) = cloud.lambda.mappings.get_mut(uuid) else {
        return;
    };
    if m.scheduled {
        return;
    }
    m.scheduled = true;
    let uuid = uuid.to_string();
    cloud.schedule(after, "lambda.sqs-poll", move |c| poll(c, &uuid));
}

/// Bills the empty long polls made while the mapping slept.
fn bill_idle(cloud: &mut Cloud, uuid: &str) {
    let now = cloud.core.now;
    let Some(m) = cloud.lambda.mappings.get_mut(uuid) else {
        return;
    };
    if let Some(since) = m.idle_since.take() {
        let polls = now.since(since).as_secs() / SQS_POLL_WAIT.as_secs();
        if polls > 0 {
            let fifo = m.queue.ends_with(".fifo");
            let units = (polls * SQS_INITIAL_POLLERS as u64) as f64;
            let key = if fifo {
                "sqs.fifo.requests"
            } else {
                "sqs.standard.requests"
            };
            cloud.core.bill(key, units);
        }
    }
}

fn poll(cloud: &mut Cloud, uuid: &str) {
    let Some(m) = cloud.lambda.mappings.get_mut(uuid) else {
        return;
    };
    m.scheduled = false;
    if !m.enabled {
        return;
    }
    bill_idle(cloud, uuid);
    loop {
        let now = cloud.core.now;
        let Some(m) = cloud.lambda.mappings.get(uuid).cloned() else {
            return;
        };
        if m.in_flight >= m.limit(now) {
            return;
        }
        if !cloud.sqs.queues.contains_key(m.queue.as_str()) {
            return;
        }
        if m.window_secs > 0 {
            let visible = cloud
                .sqs()
                .counts(m.queue.as_str())
                .map_or(0, |c| c.visible);
            let started = m.window_started.unwrap_or(now);
            let window_over = now.since(started) >= (m.window_secs as u64).secs();
            if visible > 0 && (visible as u32) < m.batch_size && !window_over {
                let mm = cloud.lambda.mappings.get_mut(uuid).expect("exists");
                mm.window_started = Some(started);
                let wait = (m.window_secs as u64).secs() - now.since(started);
                wake(cloud, uuid, wait);
                return;
            }
        }
        let batch = receive_batch(cloud, &m.queue, m.batch_size);
        let mm = cloud.lambda.mappings.get_mut(uuid).expect("exists");
        mm.window_started = None;
        if batch.is_empty() {
            mm.backlog_since = None;
            if mm.in_flight == 0 {
                mm.idle_since = Some(now);
            }
            sleep_until_visible(cloud, uuid);
            return;
        }
        mm.backlog_since.get_or_insert(now);
        mm.in_flight += 1;
        mm.stats.batches += 1;
        mm.stats.records += batch.len() as u64;
        let event = sqs_event(&batch, &m.source_arn);
        let request_id = cloud.core.rng.uuid();
        match execute(cloud, &m.function, event, request_id) {
            Ok(exec) => {
                let uuid = uuid.to_string();
                cloud.scheduler.at(
                    exec.finished,
                    "lambda.sqs-batch-done",
                    Box::new(move |c| batch_done(c, &uuid, batch, exec)),
                );
            }
            Err(Refused::Throttled(_)) => {
                let mm = cloud.lambda.mappings.get_mut(uuid).expect("exists");
                mm.in_flight -= 1;
                mm.stats.throttled += 1;
                sleep_until_visible(cloud, uuid);
                return;
            }
            Err(Refused::NotFound(_)) => {
                let mm = cloud.lambda.mappings.get_mut(uuid).expect("exists");
                mm.in_flight -= 1;
                mm.enabled = false;
                return;
            }
        }
    }
}

/// Schedules the next poll for when a hidden message becomes visible.
fn sleep_until_visible(cloud: &mut Cloud, uuid: &str) {
    let now = cloud.core.now;
    let Some(queue) = cloud.lambda.mappings.get(uuid).map(|m| m.queue.clone()) else {
        return;
    };
    let next = cloud
        .sqs
        .queues
        .get(queue.as_str())
        .and_then(|q| q.next_visible_at(now));
    if let Some(t) = next {
        wake(cloud, uuid, t.since(now));
    }
}

fn receive_batch(cloud: &mut Cloud, queue: &str, batch_size: u32) -> Vec<Message> {
    let mut batch = Vec::new();
    while (batch.len() as u32) < batch_size {
        let want = (batch_size as usize - batch.len()).min(10);
        match cloud.sqs().poll(queue, want) {
            Ok(got) if !got.is_empty() => batch.extend(got),
            _ => break,
        }
    }
    batch
}

/// The event a function receives from SQS.
pub(crate) fn sqs_event(batch: &[Message], source_arn: &str) -> Value {
    let records: Vec<Value> = batch
        .iter()
        .map(|m| {
            let attrs: serde_json::Map<String, Value> = m
                .message_attributes
                .iter()
                .map(|(k, v)| {
                    let mut a = json!({
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": v.data_type,
                    });
                    if let Some(s) = &v.string_value {
                        a["stringValue"] = json!(s);
                    }
                    if let Some(b) = &v.binary_value {
                        a["binaryValue"] = json!(b);
                    }
                    (k.clone(), a)
                })
                .collect();
            json!({
                "messageId": m.message_id,
                "receiptHandle": m.receipt_handle,
                "body": m.body,
                "attributes": m.attributes,
                "messageAttributes": attrs,
                "md5OfBody": m.md5_of_body,
                "eventSource": "aws:sqs",
                "eventSourceARN": source_arn,
                "awsRegion": crate::cloud::REGION,
            })
        })
        .collect();
    json!({ "Records": records })
}

/// Which records a successful response reports as failed (ReportBatchItemFailures).
/// `None` means the response is malformed and the whole batch failed.
fn reported_failures(response: &Value, batch: &[Message]) -> Option<Vec<String>> {
    let Some(list) = response.get("batchItemFailures") else {
        return Some(Vec::new());
    };
    let list = list.as_array()?;
    let mut ids = Vec::new();
    for item in list {
        let id = item.get("itemIdentifier")?.as_str()?;
        if id.is_empty() || !batch.iter().any(|m| m.message_id == id) {
            return None;
        }
        ids.push(id.to_string());
    }
    Some(ids)
}

fn batch_done(cloud: &mut Cloud, uuid: &str, batch: Vec<Message>, exec: Execution) {
    let Some(m) = cloud.lambda.mappings.get_mut(uuid) else {
        return;
    };
    m.in_flight = m.in_flight.saturating_sub(1);
    let (queue, report) = (m.queue.clone(), m.report_failures);
    let failed: Vec<String> = match &exec.outcome {
        Err(_) => batch.iter().map(|m| m.message_id.clone()).collect(),
        Ok(response) if report => reported_failures(response, &batch)
            .unwrap_or_else(|| batch.iter().map(|m| m.message_id.clone()).collect()),
        Ok(_) => Vec::new(),
    };
    let done: Vec<Message> = batch
        .into_iter()
        .filter(|m| !failed.contains(&m.message_id))
        .collect();
    for chunk in done.chunks(10) {
        let _ = cloud.sqs().delete_batch(queue.as_str(), chunk);
    }
    if let Some(m) = cloud.lambda.mappings.get_mut(uuid) {
        m.stats.deleted += done.len() as u64;
        m.stats.failed += failed.len() as u64;
    }
    wake(cloud, uuid, std::time::Duration::ZERO);
}

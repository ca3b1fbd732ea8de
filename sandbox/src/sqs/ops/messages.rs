//! Message actions: SendMessage(Batch), ReceiveMessage (short and long
//! polling), DeleteMessage(Batch), ChangeMessageVisibility(Batch), and the
//! dead-lettering and expiry that happen on the way.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{BatchResultErrorEntry, bill, check_batch, invalid, name_from_url, queue_mut};
use crate::attributes::{self, AttributeValue, Attributes};
use crate::cloud::{ACCOUNT_ID, Cloud};
use crate::error::{CloudError, CloudResult};
use crate::sqs::model::{Deleted, HandleError, StoredMessage};
use crate::sqs::quotas::*;
use crate::sqs::system_attributes::SystemAttributes;
use crate::time::{DurationExt, SimTime};
use crate::trace::Detail;

/// SendMessage request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageInput {
    /// The queue's URL.
    pub queue_url: String,
    /// The body (1 byte up to the queue's maximum message size).
    pub message_body: String,
    /// Per-message delay, seconds (0-900; standard queues only).
    pub delay_seconds: Option<u32>,
    /// Message attributes.
    #[serde(default)]
    pub message_attributes: Attributes,
    /// System attributes (only `AWSTraceHeader`).
    #[serde(default)]
    pub message_system_attributes: Attributes,
    /// FIFO deduplication id.
    pub message_deduplication_id: Option<String>,
    /// FIFO message group (also fair queues on standard queues).
    pub message_group_id: Option<String>,
}

/// SendMessage response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendMessageOutput {
    /// MD5 of the body, hex.
    #[serde(rename = "MD5OfMessageBody")]
    pub md5_of_message_body: String,
    /// MD5 of the message attributes, if any.
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_attributes: Option<String>,
    /// MD5 of the system attributes, if any.
    #[serde(
        rename = "MD5OfMessageSystemAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_system_attributes: Option<String>,
    /// The message's id.
    #[serde(rename = "MessageId")]
    pub message_id: String,
    /// FIFO sequence number.
    #[serde(rename = "SequenceNumber", skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}

fn check_body(body: &str) -> CloudResult<()> {
    if body.is_empty() {
        return Err(CloudError::new(
            "MissingParameter",
            "The request must contain the parameter MessageBody.",
        ));
    }
    let ok = |c: char| matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}');
    if let Some((i, c)) = body.char_indices().find(|(_, c)| !ok(*c)) {
        return Err(CloudError::new(
            "InvalidMessageContents",
            format!(
                "Invalid characters found: the message contains U+{:04X} at byte {i}. Allowed: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.",
                c as u32
            ),
        ));
    }
    Ok(())
}

fn check_fifo_id(name: &str, value: &str) -> CloudResult<()> {
    let ok = !value.is_empty()
        && value.len() <= MAX_GROUP_ID_LEN
        && value.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "Value {value} for parameter {name} is invalid. Reason: {name} can contain up to {MAX_GROUP_ID_LEN} alphanumeric and punctuation characters."
        )))
    }
}

fn not_for_queue_type(name: &str, value: &str) -> CloudError {
    invalid(format!(
        "Value {value} for parameter {name} is invalid. Reason: The request include parameter that is not valid for this queue type."
    ))
}

/// Validates a send and stores the message; the shared core of SendMessage
/// and each SendMessageBatch entry. Returns the response and the payload size.
fn send_one(
    cloud: &mut Cloud,
    url: &str,
    input: SendMessageInput,
) -> CloudResult<(SendMessageOutput, usize)> {
    check_body(&input.message_body)?;
    attributes::validate(
        &input.message_attributes,
        MAX_MESSAGE_ATTRIBUTES,
        "InvalidParameterValue",
    )?;
    for (k, v) in &input.message_system_attributes {
        if k != "AWSTraceHeader" || v.data_type != "String" {
            return Err(invalid(format!(
                "Message system attribute name '{k}' is invalid. The only supported system attribute is AWSTraceHeader, of type String."
            )));
        }
    }
    let now = cloud.core.now;
    let message_id = cloud.core.rng.uuid_raw();
    let q = queue_mut(cloud, url)?;
    let size = input.message_body.len() + attributes::size(&input.message_attributes);
    if size > q.config.maximum_message_size as usize {
        return Err(invalid(format!(
            "One or more parameters are invalid. Reason: Message must be shorter than {} bytes. This message is {size} bytes.",
            q.config.maximum_message_size
        )));
    }
    let delay = match input.delay_seconds {
        Some(_) if q.fifo() => {
            return Err(not_for_queue_type(
                "DelaySeconds",
                &input.delay_seconds.unwrap_or(0).to_string(),
            ));
        }
        Some(d) if d > MAX_DELAY => {
            return Err(invalid(format!(
                "Value {d} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= {MAX_DELAY}."
            )));
        }
        Some(d) => d,
        None => q.config.delay_seconds,
    };
    let mut dedup_key = None;
    let mut dedup_id = None;
    if q.fifo() {
        let group = input.message_group_id.as_deref().ok_or_else(|| {
            CloudError::new(
                "MissingParameter",
                "The request must contain the parameter MessageGroupId.",
            )
        })?;
        check_fifo_id("MessageGroupId", group)?;
        let id = match (
            &input.message_deduplication_id,
            q.config.content_based_deduplication,
        ) {
            (Some(id), _) => {
                check_fifo_id("MessageDeduplicationId", id)?;
                id.clone()
            }
            (None, true) => sha256_hex(&input.message_body),
            (None, false) => {
                return Err(invalid(
                    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                ));
            }
        };
        let key = q.dedup_key(group, &id);
        if let Some(earlier) = q.find_duplicate(&key, now) {
            q.stats.deduplicated += 1;
            let name = q.name.clone();
            let out = SendMessageOutput {
                md5_of_message_body: attributes::md5_hex(&input.message_body),
                md5_of_message_attributes: attributes::md5_of_attributes(&input.message_attributes),
                md5_of_message_system_attributes: attributes::md5_of_attributes(
                    &input.message_system_attributes,
                ),
                message_id: earlier.message_id.clone(),
                sequence_number: Some(earlier.sequence_number),
            };
            cloud.core.trace(
                "sqs",
                &name,
                "deduplicated",
                format!(
                    "MessageDeduplicationId={id} repeats MessageId={}",
                    earlier.message_id
                ),
            );
            return Ok((out, size));
        }
        dedup_key = Some(key);
        dedup_id = Some(id);
    } else if let Some(id) = &input.message_deduplication_id {
        return Err(not_for_queue_type("MessageDeduplicationId", id));
    }
    if let Some(g) = &input.message_group_id {
        check_fifo_id("MessageGroupId", g)?;
    }
    let md5_of_body = attributes::md5(&input.message_body);
    let md5_of_attributes = attributes::md5_of_attributes(&input.message_attributes);
    let md5_of_system = attributes::md5_of_attributes(&input.message_system_attributes);
    let msg = StoredMessage {
        seq: 0,
        message_id,
        body: input.message_body,
        md5_of_body,
        md5_of_attributes: md5_of_attributes.clone(),
        attributes: input.message_attributes,
        trace_header: input
            .message_system_attributes
            .get("AWSTraceHeader")
            .and_then(|v| v.string_value.clone()),
        sender_id: ACCOUNT_ID,
        sent_at: now,
        enqueued_at: now,
        visible_at: now + (delay as u64).secs(),
        receive_count: 0,
        first_receive: None,
        last_receive: None,
        valid_from: 0,
        group_id: input.message_group_id,
        dedup_id,
        sequence_number: None,
        dead_letter_source: None,
        in_ready: false,
        duplicate_pending: false,
        duplicated: false,
        survived: false,
    };
    let seq = q.enqueue(msg, dedup_key, now);
    q.stats.sent += 1;
    let sequence_number = q.messages[&seq].sequence_number.clone();
    let name = q.name.clone();
    let texts = if delay > 0 {
        &["MessageId=", " (", " B, delayed)"]
    } else {
        &["MessageId=", " (", " B)"]
    };
    let detail = Detail::new(texts, message_id, Some(size as u64));
    cloud.core.trace_parts("sqs", &name, "send", detail);
    crate::lambda::esm::queue_activity(cloud, &name);
    Ok((
        SendMessageOutput {
            md5_of_message_body: attributes::hex(&md5_of_body),
            md5_of_message_attributes: md5_of_attributes,
            md5_of_message_system_attributes: md5_of_system,
            message_id: message_id.to_text(),
            sequence_number,
        },
        size,
    ))
}

/// SHA-256 of a body, hex: the content-based deduplication id.
pub(crate) fn sha256_hex(body: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// SendMessage: stores one message.
pub fn send_message(
    cloud: &mut Cloud,
    mut input: SendMessageInput,
) -> CloudResult<SendMessageOutput> {
    let url = std::mem::take(&mut input.queue_url);
    send_message_to(cloud, &url, input)
}

/// SendMessage to the queue at `url`; `input.queue_url` is not read. The
/// typed face comes in here so it need not copy the URL into the request.
pub(crate) fn send_message_to(
    cloud: &mut Cloud,
    url: &str,
    input: SendMessageInput,
) -> CloudResult<SendMessageOutput> {
    let (out, size) = send_one(cloud, url, input)?;
    bill(cloud, super::is_fifo_url(url), size);
    Ok(out)
}

/// One SendMessageBatch entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageBatchEntry {
    /// Entry id, unique in the batch.
    pub id: String,
    /// The body.
    pub message_body: String,
    /// Per-message delay (standard only).
    pub delay_seconds: Option<u32>,
    /// Message attributes.
    #[serde(default)]
    pub message_attributes: Attributes,
    /// System attributes.
    #[serde(default)]
    pub message_system_attributes: Attributes,
    /// FIFO deduplication id.
    pub message_deduplication_id: Option<String>,
    /// FIFO message group.
    pub message_group_id: Option<String>,
}

/// SendMessageBatch request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageBatchInput {
    /// The queue's URL.
    pub queue_url: String,
    /// 1 to 10 entries.
    pub entries: Vec<SendMessageBatchEntry>,
}

/// One successful SendMessageBatch entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendMessageBatchResultEntry {
    /// The entry's id.
    #[serde(rename = "Id")]
    pub id: String,
    /// What SendMessage would have returned.
    #[serde(flatten)]
    pub result: SendMessageOutput,
}

/// SendMessageBatch response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageBatchOutput {
    /// Entries that were sent.
    pub successful: Vec<SendMessageBatchResultEntry>,
    /// Entries that failed, with why.
    pub failed: Vec<BatchResultErrorEntry>,
}

/// SendMessageBatch: up to 10 messages in one request; entries fail alone.
pub fn send_message_batch(
    cloud: &mut Cloud,
    input: SendMessageBatchInput,
) -> CloudResult<SendMessageBatchOutput> {
    let fifo = queue_mut(cloud, &input.queue_url)?.fifo();
    check_batch(
        input.entries.iter().map(|e| e.id.as_str()),
        "SendMessageBatchRequestEntry",
    )?;
    let total: usize = input
        .entries
        .iter()
        .map(|e| e.message_body.len() + attributes::size(&e.message_attributes))
        .sum();
    if total > MAX_BATCH_BYTES {
        return Err(CloudError::new(
            "BatchRequestTooLong",
            format!(
                "Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {total} bytes."
            ),
        ));
    }
    let mut out = SendMessageBatchOutput::default();
    for e in input.entries {
        let one = SendMessageInput {
            queue_url: input.queue_url.clone(),
            message_body: e.message_body,
            delay_seconds: e.delay_seconds,
            message_attributes: e.message_attributes,
            message_system_attributes: e.message_system_attributes,
            message_deduplication_id: e.message_deduplication_id,
            message_group_id: e.message_group_id,
        };
        match send_one(cloud, &input.queue_url, one) {
            Ok((result, _)) => out
                .successful
                .push(SendMessageBatchResultEntry { id: e.id, result }),
            Err(err) => out
                .failed
                .push(BatchResultErrorEntry::from_error(&e.id, err)),
        }
    }
    bill(cloud, fifo, total);
    Ok(out)
}

/// ReceiveMessage request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiveMessageInput {
    /// The queue's URL.
    pub queue_url: String,
    /// System attributes to return (deprecated name of the next member).
    #[serde(default)]
    pub attribute_names: Vec<String>,
    /// System attributes to return: `All` or names such as `ApproximateReceiveCount`.
    #[serde(default)]
    pub message_system_attribute_names: Vec<String>,
    /// Message attributes to return: `All`, `.*`, `prefix.*` or names.
    #[serde(default)]
    pub message_attribute_names: Vec<String>,
    /// 1 to 10 (default 1).
    pub max_number_of_messages: Option<u32>,
    /// Visibility timeout for these messages (default: the queue's).
    pub visibility_timeout: Option<u32>,
    /// Long-poll wait, 0-20 s (default: the queue's ReceiveMessageWaitTimeSeconds).
    pub wait_time_seconds: Option<u32>,
    /// FIFO retry token (accepted; retries within 5 minutes are not replayed here).
    pub receive_request_attempt_id: Option<String>,
}

/// A received message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The message's id (the same on every delivery).
    #[serde(rename = "MessageId")]
    pub message_id: String,
    /// The handle of *this* delivery, for DeleteMessage / ChangeMessageVisibility.
    #[serde(rename = "ReceiptHandle")]
    pub receipt_handle: String,
    /// MD5 of the body, hex.
    #[serde(rename = "MD5OfBody")]
    pub md5_of_body: String,
    /// The body.
    #[serde(rename = "Body")]
    pub body: String,
    /// System attributes that were asked for (`ApproximateReceiveCount` ...).
    #[serde(
        rename = "Attributes",
        default,
        skip_serializing_if = "SystemAttributes::is_empty"
    )]
    pub attributes: SystemAttributes,
    /// MD5 of the message attributes, if there are any.
    #[serde(
        rename = "MD5OfMessageAttributes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_attributes: Option<String>,
    /// Message attributes that were asked for.
    #[serde(
        rename = "MessageAttributes",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub message_attributes: Attributes,
}

impl Message {
    /// How many times this message has been received (this time included).
    pub fn receive_count(&self) -> u32 {
        self.attributes.approximate_receive_count.unwrap_or(0)
    }

    /// The FIFO message group, if any.
    pub fn group_id(&self) -> Option<&str> {
        self.attributes.message_group_id.as_deref()
    }

    /// A message attribute's value as text.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.message_attributes
            .get(name)
            .map(AttributeValue::as_str)
    }

    /// When it was sent (from `SentTimestamp`).
    pub fn sent_at(&self) -> Option<SimTime> {
        self.attributes
            .sent_timestamp
            .map(SimTime::from_unix_millis)
    }
}

/// ReceiveMessage response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiveMessageOutput {
    /// The messages (absent from the JSON when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
}

/// Which attributes a receive returns.
#[derive(Clone, Debug, Default)]
pub(crate) struct Selection {
    pub system_all: bool,
    pub system: Vec<String>,
    pub message_all: bool,
    pub message: Vec<String>,
}

impl Selection {
    pub fn all() -> Selection {
        Selection {
            system_all: true,
            message_all: true,
            ..Default::default()
        }
    }

    fn from_input(input: &ReceiveMessageInput) -> CloudResult<Selection> {
        let mut s = Selection::default();
        for name in input
            .attribute_names
            .iter()
            .chain(&input.message_system_attribute_names)
        {
            match name.as_str() {
                "All" => s.system_all = true,
                "SenderId"
                | "SentTimestamp"
                | "ApproximateReceiveCount"
                | "ApproximateFirstReceiveTimestamp"
                | "SequenceNumber"
                | "MessageDeduplicationId"
                | "MessageGroupId"
                | "AWSTraceHeader"
                | "DeadLetterQueueSourceArn" => s.system.push(name.clone()),
                other => {
                    return Err(CloudError::new(
                        "InvalidAttributeName",
                        format!("Unknown Attribute {other}."),
                    ));
                }
            }
        }
        for name in &input.message_attribute_names {
            if name == "All" || name == ".*" {
                s.message_all = true;
            } else {
                s.message.push(name.clone());
            }
        }
        Ok(s)
    }

    fn wants_system(&self, name: &str) -> bool {
        self.system_all || self.system.iter().any(|n| n == name)
    }

    fn wants_message(&self, name: &str) -> bool {
        self.message_all
            || self.message.iter().any(|n| match n.strip_suffix(".*") {
                Some(prefix) => name.starts_with(prefix) && name[prefix.len()..].starts_with('.'),
                None => n == name,
            })
    }
}

fn render(m: &StoredMessage, handle: String, sel: &Selection) -> Message {
    let mut attrs = SystemAttributes::default();
    if sel.system_all || !sel.system.is_empty() {
        let w = |k: &str| sel.wants_system(k);
        if w("SenderId") {
            attrs.sender_id = Some(m.sender_id.to_string());
        }
        if w("SentTimestamp") {
            attrs.sent_timestamp = Some(m.sent_at.unix_millis());
        }
        if w("ApproximateReceiveCount") {
            attrs.approximate_receive_count = Some(m.receive_count);
        }
        if w("ApproximateFirstReceiveTimestamp") {
            attrs.approximate_first_receive_timestamp = m.first_receive.map(|t| t.unix_millis());
        }
        if w("SequenceNumber") {
            attrs.sequence_number = m.sequence_number.clone();
        }
        if w("MessageDeduplicationId") {
            attrs.message_deduplication_id = m.dedup_id.clone();
        }
        if w("MessageGroupId") {
            attrs.message_group_id = m.group_id.clone();
        }
        if w("AWSTraceHeader") {
            attrs.aws_trace_header = m.trace_header.clone();
        }
        if w("DeadLetterQueueSourceArn") {
            attrs.dead_letter_queue_source_arn = m.dead_letter_source.clone();
        }
    }
    let message_attributes: Attributes = if sel.message_all {
        m.attributes.clone()
    } else {
        m.attributes
            .iter()
            .filter(|(k, _)| sel.wants_message(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    Message {
        message_id: m.message_id.to_text(),
        receipt_handle: handle,
        md5_of_body: attributes::hex(&m.md5_of_body),
        body: m.body.clone(),
        attributes: attrs,
        md5_of_message_attributes: if message_attributes.is_empty() {
            None
        } else {
            m.md5_of_attributes.clone()
        },
        message_attributes,
    }
}

/// Drops expired messages of the queue at `url` (and traces them).
pub(crate) fn expire_queue(cloud: &mut Cloud, url: &str) -> CloudResult<()> {
    let now = cloud.core.now;
    let q = queue_mut(cloud, url)?;
    let gone = q.expire(now);
    if !gone.is_empty() {
        let name = q.name.clone();
        for m in gone {
            cloud.core.trace(
                "sqs",
                &name,
                "expire",
                format!("MessageId={} after the retention period", m.message_id),
            );
        }
    }
    Ok(())
}

/// Receives right now, without waiting: expiry, dead-lettering, delivery.
pub(crate) fn receive_now(
    cloud: &mut Cloud,
    name: &str,
    max: usize,
    visibility: Option<u32>,
    sel: &Selection,
) -> CloudResult<Vec<Message>> {
    let now = cloud.core.now;
    let default_anomalies = cloud.core.anomalies;
    let q = cloud.sqs.queues.get_mut(name).ok_or_else(|| {
        CloudError::new("QueueDoesNotExist", "The specified queue does not exist.")
    })?;
    let gone = q.expire(now);
    if !gone.is_empty() {
        let qname = q.name.clone();
        for m in gone {
            cloud.core.trace(
                "sqs",
                &qname,
                "expire",
                format!("MessageId={} after the retention period", m.message_id),
            );
        }
    }
    let q = cloud.sqs.queues.get(name).expect("looked up");
    // The DLQ must exist for messages to move there.
    let dlq = q.config.redrive_policy.clone().and_then(|p| {
        let n = super::name_from_arn(&p.dead_letter_target_arn).ok()?;
        cloud
            .sqs
            .queues
            .contains_key(n.as_str())
            .then_some((n, p.max_receive_count))
    });
    let q = cloud.sqs.queues.get_mut(name).expect("looked up");
    let anomalies = q.anomalies.unwrap_or(default_anomalies);
    let vis = visibility.unwrap_or(q.config.visibility_timeout);
    let taken = q.take(
        now,
        max,
        vis,
        dlq.as_ref().map(|(_, n)| *n),
        anomalies,
        &mut cloud.core.rng,
    );
    let mut out = Vec::with_capacity(taken.delivered.len());
    let qname = q.name.clone();
    for (seq, handle) in taken.delivered {
        let m = &q.messages[&seq];
        let detail = Detail::new(
            &["MessageId=", " receive #", ""],
            m.message_id,
            Some(m.receive_count as u64),
        );
        out.push(render(m, handle, sel));
        cloud.core.trace_parts("sqs", &qname, "receive", detail);
    }
    let source_arn = q.arn.clone();
    if taken.duplicates > 0 {
        cloud.core.trace(
            "sqs",
            &qname,
            "duplicate",
            format!(
                "{} message(s) delivered again (at-least-once delivery)",
                taken.duplicates
            ),
        );
    }
    if let Some((dlq_name, max_receives)) = dlq {
        for m in taken.dead_letters {
            cloud.core.trace(
                "sqs",
                &qname,
                "dead-letter",
                format!(
                    "MessageId={} after {max_receives} receives -> {dlq_name}",
                    m.message_id
                ),
            );
            move_in(cloud, &dlq_name, m, Some(source_arn.clone()));
        }
    }
    Ok(out)
}

/// Puts a message that left another queue (dead-lettering, redrive) into `name`.
pub(crate) fn move_in(
    cloud: &mut Cloud,
    name: &str,
    mut m: StoredMessage,
    dlq_source: Option<String>,
) {
    let now = cloud.core.now;
    let Some(q) = cloud.sqs.queues.get_mut(name) else {
        return;
    };
    if q.fifo() {
        m.enqueued_at = now;
    }
    m.visible_at = now;
    m.receive_count = 0;
    m.valid_from = 0;
    m.first_receive = None;
    m.last_receive = None;
    m.in_ready = false;
    m.duplicate_pending = false;
    m.dead_letter_source = dlq_source;
    q.enqueue(m, None, now);
    q.stats.moved_in += 1;
    let qname = q.name.clone();
    crate::lambda::esm::queue_activity(cloud, &qname);
}

/// ReceiveMessage: returns up to 10 visible messages, waiting (long polling)
/// up to WaitTimeSeconds for one to arrive. Waiting moves virtual time.
pub fn receive_message(
    cloud: &mut Cloud,
    input: ReceiveMessageInput,
) -> CloudResult<ReceiveMessageOutput> {
    let sel = Selection::from_input(&input)?;
    receive_selected(cloud, &input.queue_url, &sel, &input)
}

/// ReceiveMessage from the queue at `url` returning the `sel` attributes;
/// `input`'s queue URL and attribute names are not read. The typed face
/// comes in here so it need not build them.
pub(crate) fn receive_selected(
    cloud: &mut Cloud,
    url: &str,
    sel: &Selection,
    input: &ReceiveMessageInput,
) -> CloudResult<ReceiveMessageOutput> {
    let (name, fifo, default_wait) = {
        let q = queue_mut(cloud, url)?;
        (
            q.name.clone(),
            q.fifo(),
            q.config.receive_message_wait_time_seconds,
        )
    };
    let max = input.max_number_of_messages.unwrap_or(1);
    if !(1..=MAX_RECEIVE).contains(&max) {
        return Err(invalid(format!(
            "Value {max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and {MAX_RECEIVE}, if provided."
        )));
    }
    if let Some(v) = input.visibility_timeout
        && v > MAX_VISIBILITY_TIMEOUT
    {
        return Err(invalid(format!(
            "Value {v} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and {MAX_VISIBILITY_TIMEOUT}, if provided."
        )));
    }
    let wait = input.wait_time_seconds.unwrap_or(default_wait);
    if wait > MAX_WAIT_TIME {
        return Err(invalid(format!(
            "Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= {MAX_WAIT_TIME}, if provided."
        )));
    }
    let deadline = cloud.core.now + (wait as u64).secs();
    let messages = loop {
        let got = receive_now(cloud, &name, max as usize, input.visibility_timeout, sel)?;
        let now = cloud.core.now;
        if !got.is_empty() || now >= deadline || cloud.core.in_job() {
            break got;
        }
        wait_for_queue(cloud, &name, deadline)?;
    };
    let payload: usize = messages.iter().map(|m| m.body.len()).sum();
    bill(cloud, fifo, payload);
    if messages.is_empty() && wait == 0 {
        cloud.core.trace(
            "sqs",
            &name,
            "empty-receive",
            "short poll found nothing (billed)".into(),
        );
    }
    Ok(ReceiveMessageOutput { messages })
}

/// Moves time toward `deadline`: to the next scheduled job or the next moment
/// a hidden message of the queue becomes visible, whichever is first.
fn wait_for_queue(cloud: &mut Cloud, name: &str, deadline: SimTime) -> CloudResult<()> {
    let now = cloud.core.now;
    let next_visible = cloud
        .sqs
        .queues
        .get(name)
        .ok_or_else(|| CloudError::new("QueueDoesNotExist", "The specified queue does not exist."))?
        .next_visible_at(now);
    let target = next_visible.map_or(deadline, |t| t.min(deadline));
    match cloud.next_due() {
        Some(job) if job <= target => {
            cloud.step_until(job);
        }
        // Nothing else happens before the target: let the clock (and CloudWatch's
        // per-minute sampling) move there. Long polls never run inside a job.
        _ => cloud.advance_to(target),
    }
    Ok(())
}

/// DeleteMessage request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteMessageInput {
    /// The queue's URL.
    pub queue_url: String,
    /// The handle from the receive.
    pub receipt_handle: String,
}

fn handle_error(e: HandleError, handle: &str) -> CloudError {
    match e {
        HandleError::Invalid | HandleError::Stale => CloudError::new(
            "ReceiptHandleIsInvalid",
            format!(
                "The input receipt handle \"{}\" is not a valid receipt handle.",
                shorten(handle)
            ),
        ),
        HandleError::NotInFlight => CloudError::new(
            "MessageNotInflight",
            "The message referred to isn't in flight.",
        ),
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

fn delete_one(cloud: &mut Cloud, url: &str, handle: &str) -> CloudResult<()> {
    let now = cloud.core.now;
    let default_anomalies = cloud.core.anomalies;
    let (q, core) = super::queue_and_core(cloud, url)?;
    let anomalies = q.anomalies.unwrap_or(default_anomalies);
    let deleted = q
        .delete(handle, now, anomalies, &mut core.rng)
        .map_err(|e| handle_error(e, handle))?;
    let name = q.name.clone();
    match deleted {
        Deleted::Gone(id) => {
            let detail = Detail::new(&["MessageId=", "", ""], id, None);
            cloud.core.trace_parts("sqs", &name, "delete", detail);
        }
        Deleted::Survived(id) => cloud.core.trace(
            "sqs",
            &name,
            "duplicate",
            format!(
                "MessageId={id}: a copy missed the delete and will be delivered again (at-least-once delivery)"
            ),
        ),
        Deleted::Stale => cloud.core.trace(
            "sqs",
            &name,
            "stale-delete",
            "handle from an earlier receive: nothing deleted".to_string(),
        ),
    }
    Ok(())
}

/// DeleteMessage: deletes a received message. A handle from an earlier receive
/// of a message received again since succeeds without deleting (as SQS does).
pub fn delete_message(cloud: &mut Cloud, input: DeleteMessageInput) -> CloudResult<()> {
    delete_message_at(cloud, &input.queue_url, &input.receipt_handle)
}

/// DeleteMessage of `handle` in the queue at `url`, from borrowed parts (the
/// typed face's way in).
pub(crate) fn delete_message_at(cloud: &mut Cloud, url: &str, handle: &str) -> CloudResult<()> {
    delete_one(cloud, url, handle)?;
    bill(cloud, super::is_fifo_url(url), 0);
    Ok(())
}

/// One DeleteMessageBatch entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteMessageBatchEntry {
    /// Entry id.
    pub id: String,
    /// The handle from the receive.
    pub receipt_handle: String,
}

/// DeleteMessageBatch request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteMessageBatchInput {
    /// The queue's URL.
    pub queue_url: String,
    /// 1 to 10 entries.
    pub entries: Vec<DeleteMessageBatchEntry>,
}

/// The id of a successful batch entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchId {
    /// The entry's id.
    pub id: String,
}

/// Response of DeleteMessageBatch and ChangeMessageVisibilityBatch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchOutput {
    /// Entries that succeeded.
    pub successful: Vec<BatchId>,
    /// Entries that failed.
    pub failed: Vec<BatchResultErrorEntry>,
}

/// DeleteMessageBatch: up to 10 deletes; entries fail alone.
pub fn delete_message_batch(
    cloud: &mut Cloud,
    input: DeleteMessageBatchInput,
) -> CloudResult<BatchOutput> {
    let fifo = queue_mut(cloud, &input.queue_url)?.fifo();
    check_batch(
        input.entries.iter().map(|e| e.id.as_str()),
        "DeleteMessageBatchRequestEntry",
    )?;
    let mut out = BatchOutput::default();
    for e in input.entries {
        match delete_one(cloud, &input.queue_url, &e.receipt_handle) {
            Ok(()) => out.successful.push(BatchId { id: e.id }),
            Err(err) => out
                .failed
                .push(BatchResultErrorEntry::from_error(&e.id, err)),
        }
    }
    bill(cloud, fifo, 0);
    Ok(out)
}

/// ChangeMessageVisibility request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeMessageVisibilityInput {
    /// The queue's URL.
    pub queue_url: String,
    /// The handle from the receive.
    pub receipt_handle: String,
    /// New timeout from now, seconds (0-43,200; 0 makes it visible at once).
    pub visibility_timeout: u32,
}

fn change_one(cloud: &mut Cloud, url: &str, handle: &str, timeout: u32) -> CloudResult<()> {
    let now = cloud.core.now;
    let q = queue_mut(cloud, url)?;
    if timeout > MAX_VISIBILITY_TIMEOUT {
        return Err(invalid(format!(
            "Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and {MAX_VISIBILITY_TIMEOUT}."
        )));
    }
    let seq = q.resolve(handle).map_err(|e| handle_error(e, handle));
    if let Ok(seq) = seq {
        let first = q.messages[&seq].last_receive.unwrap_or(now);
        let limit = first + (MAX_VISIBILITY_TIMEOUT as u64).secs();
        if now + (timeout as u64).secs() > limit {
            return Err(invalid(format!(
                "Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [{MAX_VISIBILITY_TIMEOUT} seconds]."
            )));
        }
    }
    let seq = q
        .change_visibility(handle, timeout, now)
        .map_err(|e| handle_error(e, handle))?;
    let (name, id) = (q.name.clone(), q.messages[&seq].message_id);
    cloud.core.trace(
        "sqs",
        &name,
        "visibility",
        format!("MessageId={id} hidden for {timeout} s more"),
    );
    if timeout == 0 {
        crate::lambda::esm::queue_activity(cloud, &name);
    }
    Ok(())
}

/// ChangeMessageVisibility: hides a received message for longer (or shows it now).
pub fn change_message_visibility(
    cloud: &mut Cloud,
    input: ChangeMessageVisibilityInput,
) -> CloudResult<()> {
    let fifo = queue_mut(cloud, &input.queue_url)?.fifo();
    let r = change_one(
        cloud,
        &input.queue_url,
        &input.receipt_handle,
        input.visibility_timeout,
    );
    bill(cloud, fifo, 0);
    r
}

/// One ChangeMessageVisibilityBatch entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeMessageVisibilityBatchEntry {
    /// Entry id.
    pub id: String,
    /// The handle from the receive.
    pub receipt_handle: String,
    /// New timeout, seconds.
    #[serde(default)]
    pub visibility_timeout: u32,
}

/// ChangeMessageVisibilityBatch request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeMessageVisibilityBatchInput {
    /// The queue's URL.
    pub queue_url: String,
    /// 1 to 10 entries.
    pub entries: Vec<ChangeMessageVisibilityBatchEntry>,
}

/// ChangeMessageVisibilityBatch: up to 10 changes; entries fail alone.
pub fn change_message_visibility_batch(
    cloud: &mut Cloud,
    input: ChangeMessageVisibilityBatchInput,
) -> CloudResult<BatchOutput> {
    let fifo = queue_mut(cloud, &input.queue_url)?.fifo();
    check_batch(
        input.entries.iter().map(|e| e.id.as_str()),
        "ChangeMessageVisibilityBatchRequestEntry",
    )?;
    let mut out = BatchOutput::default();
    for e in input.entries {
        match change_one(
            cloud,
            &input.queue_url,
            &e.receipt_handle,
            e.visibility_timeout,
        ) {
            Ok(()) => out.successful.push(BatchId { id: e.id }),
            Err(err) => out
                .failed
                .push(BatchResultErrorEntry::from_error(&e.id, err)),
        }
    }
    bill(cloud, fifo, 0);
    Ok(out)
}

/// The name of the queue a URL points to (for callers outside `ops`).
pub(crate) fn queue_name(url: &str) -> CloudResult<&str> {
    name_from_url(url)
}

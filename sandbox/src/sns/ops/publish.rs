//! Publish and PublishBatch: validation, FIFO deduplication and sequencing,
//! then one delivery per confirmed subscription (see `sns::deliver`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{invalid, topic_mut};
use crate::attributes::{self, Attributes};
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::outside::Delivered;
use crate::sns::deliver::{Notification, deliver};
use crate::sns::quotas::*;

/// Publish request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishInput {
    /// The topic's ARN (or use TargetArn / PhoneNumber).
    pub topic_arn: Option<String>,
    /// Same as TopicArn here (mobile push endpoints are not simulated).
    pub target_arn: Option<String>,
    /// Send one SMS directly to this number.
    pub phone_number: Option<String>,
    /// The message.
    #[serde(default)]
    pub message: String,
    /// Subject for e-mail endpoints.
    pub subject: Option<String>,
    /// `json`: Message is a JSON object with per-protocol messages and `default`.
    pub message_structure: Option<String>,
    /// Message attributes.
    #[serde(default)]
    pub message_attributes: Attributes,
    /// FIFO deduplication id.
    pub message_deduplication_id: Option<String>,
    /// FIFO message group.
    pub message_group_id: Option<String>,
}

/// Publish response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishOutput {
    /// The message's id.
    pub message_id: String,
    /// FIFO sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}

fn check_subject(subject: &Option<String>) -> CloudResult<()> {
    if let Some(s) = subject {
        let ok = !s.is_empty()
            && s.chars().count() <= MAX_SUBJECT_LEN
            && s.chars().all(|c| c.is_ascii() && !c.is_ascii_control());
        if !ok {
            return Err(invalid(
                "Subject: must be 1-100 ASCII characters without line breaks or control characters",
            ));
        }
    }
    Ok(())
}

fn per_protocol(
    structure: &Option<String>,
    message: &str,
) -> CloudResult<Option<BTreeMap<String, String>>> {
    match structure.as_deref() {
        None => Ok(None),
        Some("json") => {
            let v: Value = serde_json::from_str(message)
                .map_err(|_| invalid("Message Structure - JSON message body failed to parse"))?;
            let obj = v
                .as_object()
                .ok_or_else(|| invalid("Message Structure - JSON message body failed to parse"))?;
            let mut map = BTreeMap::new();
            for (k, v) in obj {
                let text = v.as_str().ok_or_else(|| {
                    invalid(format!(
                        "Message Structure - the value of {k} must be a string"
                    ))
                })?;
                map.insert(k.clone(), text.to_string());
            }
            if !map.contains_key("default") {
                return Err(invalid(
                    "Message Structure - No default entry in JSON message body",
                ));
            }
            Ok(Some(map))
        }
        Some(other) => Err(invalid(format!(
            "MessageStructure: {other} (only json is allowed)"
        ))),
    }
}

/// Validates and publishes one message to a topic; the shared core of
/// Publish, PublishBatch entries and deliveries from other services.
fn publish_one(
    cloud: &mut Cloud,
    topic_arn: &str,
    input: PublishInput,
) -> CloudResult<PublishOutput> {
    if input.message.is_empty() {
        return Err(invalid("Empty message"));
    }
    check_subject(&input.subject)?;
    // Any number of attributes (the size limit counts them); a raw delivery to
    // SQS carries at most MAX_RAW_SQS_ATTRIBUTES and fails as a client error.
    attributes::validate(
        &input.message_attributes,
        usize::MAX,
        "InvalidParameterValue",
    )
    .map_err(|e| CloudError::new("InvalidParameterValue", e.message))?;
    let size = input.message.len() + attributes::size(&input.message_attributes);
    if size > MAX_MESSAGE_SIZE {
        return Err(invalid(format!(
            "Message too long: {size} bytes; the limit is {MAX_MESSAGE_SIZE} bytes (256 KiB)"
        )));
    }
    let structure = per_protocol(&input.message_structure, &input.message)?;
    let now = cloud.core.now;
    let message_id = cloud.core.rng.uuid();
    let t = topic_mut(cloud, topic_arn)?;
    let mut sequence_number = None;
    let mut dedup_id = None;
    if t.fifo {
        let group = input
            .message_group_id
            .clone()
            .ok_or_else(|| invalid("The MessageGroupId parameter is required for FIFO topics"))?;
        let id = match (&input.message_deduplication_id, t.content_based_dedup()) {
            (Some(id), _) => id.clone(),
            (None, true) => crate::sqs::ops::messages::sha256_hex(&input.message),
            (None, false) => {
                return Err(invalid(
                    "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                ));
            }
        };
        if let Some((earlier, seq)) = t.find_duplicate(&id, now) {
            let name = t.name.clone();
            cloud.core.trace(
                "sns",
                &name,
                "deduplicated",
                format!("MessageDeduplicationId={id}"),
            );
            return Ok(PublishOutput {
                message_id: earlier,
                sequence_number: Some(seq),
            });
        }
        t.next_sequence += 1;
        let seq = format!("{:020}", t.next_sequence);
        t.remember(id.clone(), now, &message_id, &seq);
        sequence_number = Some(seq);
        dedup_id = Some(id);
        let _ = group;
    } else if input.message_deduplication_id.is_some() {
        return Err(invalid(
            "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
        ));
    }
    t.stats.published += 1;
    let notification = Notification {
        message_id: message_id.clone(),
        topic_arn: t.arn.clone(),
        topic_name: t.name.clone(),
        subject: input.subject,
        message: input.message,
        per_protocol: structure,
        attributes: input.message_attributes,
        timestamp: now,
        group_id: input.message_group_id,
        dedup_id,
        sequence_number: sequence_number.clone(),
    };
    let subscriptions = t.subscriptions.clone();
    let name = t.name.clone();
    cloud.core.trace(
        "sns",
        &name,
        "publish",
        format!(
            "MessageId={message_id} ({size} B) to {} subscriptions",
            subscriptions.len()
        ),
    );
    for sub in subscriptions {
        if crate::sns::filter::admits(cloud, &notification, &sub) {
            deliver(cloud, &notification, &sub, 0);
        }
    }
    Ok(PublishOutput {
        message_id,
        sequence_number,
    })
}

/// Meters one publish request carrying `bytes` (64 KiB chunks).
fn bill(cloud: &mut Cloud, bytes: usize) {
    cloud.core.bill(
        "sns.publish.requests",
        bytes.div_ceil(BILLING_CHUNK).max(1) as f64,
    );
}

/// Publish: to a topic, or one SMS to a phone number.
pub fn publish(cloud: &mut Cloud, input: PublishInput) -> CloudResult<PublishOutput> {
    if let Some(phone) = input.phone_number.clone() {
        return publish_sms(cloud, &phone, input);
    }
    let arn = input
        .topic_arn
        .clone()
        .or_else(|| input.target_arn.clone())
        .ok_or_else(|| invalid("TopicArn or TargetArn Reason: no value for required parameter"))?;
    let size = input.message.len() + attributes::size(&input.message_attributes);
    let out = publish_one(cloud, &arn, input);
    bill(cloud, size);
    out
}

fn publish_sms(cloud: &mut Cloud, phone: &str, input: PublishInput) -> CloudResult<PublishOutput> {
    let valid = phone.starts_with('+')
        && phone.len() >= 8
        && phone[1..].chars().all(|c| c.is_ascii_digit());
    if !valid {
        return Err(invalid(format!(
            "PhoneNumber Reason: {phone} is not in E.164 format"
        )));
    }
    if input.message.is_empty() {
        return Err(invalid("Empty message"));
    }
    let now = cloud.core.now;
    let message_id = cloud.core.rng.uuid();
    cloud
        .outside
        .phones
        .entry(phone.to_string())
        .or_default()
        .push(Delivered {
            at: now,
            subject: None,
            body: input.message,
        });
    cloud.core.bill("sns.sms.deliveries", 1.0);
    Ok(PublishOutput {
        message_id,
        sequence_number: None,
    })
}

/// Publishes `body` to the topic `arn` (used for destinations and DLQs of other services).
pub fn publish_to(
    cloud: &mut Cloud,
    arn: &str,
    body: String,
    subject: Option<String>,
    attributes: Attributes,
) -> CloudResult<PublishOutput> {
    let fifo = topic_mut(cloud, arn)?.fifo;
    let input = PublishInput {
        topic_arn: Some(arn.to_string()),
        message: body,
        subject,
        message_attributes: attributes,
        message_group_id: fifo.then(|| "default".to_string()),
        message_deduplication_id: fifo.then(|| cloud.core.rng.hex(32)),
        ..Default::default()
    };
    let size = input.message.len() + attributes::size(&input.message_attributes);
    let out = publish_one(cloud, arn, input);
    bill(cloud, size);
    out
}

/// One PublishBatch entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishBatchEntry {
    /// Entry id.
    pub id: String,
    /// The message.
    #[serde(default)]
    pub message: String,
    /// Subject.
    pub subject: Option<String>,
    /// `json` for per-protocol messages.
    pub message_structure: Option<String>,
    /// Attributes.
    #[serde(default)]
    pub message_attributes: Attributes,
    /// FIFO dedup id.
    pub message_deduplication_id: Option<String>,
    /// FIFO group.
    pub message_group_id: Option<String>,
}

/// PublishBatch request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishBatchInput {
    /// The topic's ARN.
    pub topic_arn: String,
    /// 1 to 10 entries.
    pub publish_batch_request_entries: Vec<PublishBatchEntry>,
}

/// One successful entry.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishBatchResultEntry {
    /// Entry id.
    pub id: String,
    /// Message id.
    pub message_id: String,
    /// FIFO sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}

/// PublishBatch response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishBatchOutput {
    /// Entries published.
    pub successful: Vec<PublishBatchResultEntry>,
    /// Entries that failed.
    pub failed: Vec<crate::sqs::ops::BatchResultErrorEntry>,
}

/// PublishBatch: up to 10 messages in one request (entries fail alone).
pub fn publish_batch(
    cloud: &mut Cloud,
    input: PublishBatchInput,
) -> CloudResult<PublishBatchOutput> {
    topic_mut(cloud, &input.topic_arn)?;
    let entries = input.publish_batch_request_entries;
    crate::sqs::ops::check_batch(
        entries.iter().map(|e| e.id.as_str()),
        "PublishBatchRequestEntry",
    )?;
    let total: usize = entries
        .iter()
        .map(|e| e.message.len() + attributes::size(&e.message_attributes))
        .sum();
    if total > MAX_MESSAGE_SIZE {
        return Err(CloudError::new(
            "BatchRequestTooLong",
            format!(
                "The length of all the messages put together is more than the limit ({total} > {MAX_MESSAGE_SIZE} bytes)."
            ),
        ));
    }
    let mut out = PublishBatchOutput {
        successful: Vec::new(),
        failed: Vec::new(),
    };
    for e in entries {
        let one = PublishInput {
            topic_arn: Some(input.topic_arn.clone()),
            message: e.message,
            subject: e.subject,
            message_structure: e.message_structure,
            message_attributes: e.message_attributes,
            message_deduplication_id: e.message_deduplication_id,
            message_group_id: e.message_group_id,
            ..Default::default()
        };
        match publish_one(cloud, &input.topic_arn, one) {
            Ok(r) => out.successful.push(PublishBatchResultEntry {
                id: e.id,
                message_id: r.message_id,
                sequence_number: r.sequence_number,
            }),
            Err(err) => out
                .failed
                .push(crate::sqs::ops::BatchResultErrorEntry::from_error(
                    &e.id, err,
                )),
        }
    }
    bill(cloud, total);
    Ok(out)
}

//! Queue configuration: the settable queue attributes, their defaults and
//! ranges, and how they read and write as the string map the API uses.

use std::collections::BTreeMap;

use serde_json::Value;

use super::quotas::*;
use crate::error::{CloudError, CloudResult};

/// Where a dead-letter queue's messages go after `max_receive_count` receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedrivePolicy {
    /// ARN of the dead-letter queue.
    pub dead_letter_target_arn: String,
    /// Receives before a message moves to the dead-letter queue (1-1000).
    pub max_receive_count: u32,
}

/// Which queues may use this queue as their dead-letter queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedriveAllow {
    /// Any queue (the default).
    AllowAll,
    /// No queue.
    DenyAll,
    /// Only these source queue ARNs (at most 10).
    ByQueue(Vec<String>),
}

/// The settable attributes of a queue.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueConfig {
    /// FIFO queue (name must end in `.fifo`). Set at creation only.
    pub fifo: bool,
    /// Seconds a received message stays hidden (0-43,200; default 30).
    pub visibility_timeout: u32,
    /// Seconds every new message is delayed (0-900; default 0).
    pub delay_seconds: u32,
    /// Largest message in bytes (1,024-1,048,576; default 1,048,576).
    pub maximum_message_size: u32,
    /// Seconds messages are kept (60-1,209,600; default 345,600 = 4 days).
    pub message_retention_period: u32,
    /// Default long-poll wait for receives, seconds (0-20; default 0).
    pub receive_message_wait_time_seconds: u32,
    /// Dead-letter queue, if any.
    pub redrive_policy: Option<RedrivePolicy>,
    /// Which queues may dead-letter into this one.
    pub redrive_allow_policy: Option<RedriveAllow>,
    /// FIFO: deduplicate by SHA-256 of the body when no dedup id is given.
    pub content_based_deduplication: bool,
    /// FIFO: `queue` or `messageGroup`.
    pub deduplication_scope: String,
    /// FIFO: `perQueue` or `perMessageGroupId`.
    pub fifo_throughput_limit: String,
    /// Access policy JSON, if set.
    pub policy: Option<String>,
    /// KMS key for SSE-KMS, if set.
    pub kms_master_key_id: Option<String>,
    /// Seconds SQS may reuse a data key (60-86,400; default 300).
    pub kms_data_key_reuse_period_seconds: u32,
    /// SSE with SQS-owned keys (default true for new queues).
    pub sqs_managed_sse_enabled: bool,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            fifo: false,
            visibility_timeout: DEFAULT_VISIBILITY_TIMEOUT,
            delay_seconds: 0,
            maximum_message_size: MAX_MESSAGE_SIZE,
            message_retention_period: DEFAULT_RETENTION,
            receive_message_wait_time_seconds: 0,
            redrive_policy: None,
            redrive_allow_policy: None,
            content_based_deduplication: false,
            deduplication_scope: "queue".into(),
            fifo_throughput_limit: "perQueue".into(),
            policy: None,
            kms_master_key_id: None,
            kms_data_key_reuse_period_seconds: 300,
            sqs_managed_sse_enabled: true,
        }
    }
}

/// Attribute names SetQueueAttributes accepts.
pub const SETTABLE: &[&str] = &[
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "Policy",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
];

/// Read-only attribute names GetQueueAttributes also returns.
pub const READ_ONLY: &[&str] = &[
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
];

fn invalid(name: &str, why: &str) -> CloudError {
    CloudError::new(
        "InvalidAttributeValue",
        format!("Invalid value for the parameter {name}. Reason: {why}"),
    )
}

fn parse_range(name: &str, value: &str, lo: u32, hi: u32) -> CloudResult<u32> {
    let n: u32 = value
        .trim()
        .parse()
        .map_err(|_| invalid(name, &format!("'{value}' is not a whole number.")))?;
    if !(lo..=hi).contains(&n) {
        return Err(invalid(
            name,
            &format!("{n} is outside the allowed range {lo} to {hi}."),
        ));
    }
    Ok(n)
}

fn parse_bool(name: &str, value: &str) -> CloudResult<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(invalid(name, &format!("'{value}' is not true or false."))),
    }
}

impl QueueConfig {
    /// Applies one attribute from the API's string map. `creating` allows
    /// `FifoQueue`, which cannot change later.
    pub fn set(&mut self, name: &str, value: &str, creating: bool) -> CloudResult<()> {
        match name {
            "DelaySeconds" => self.delay_seconds = parse_range(name, value, 0, MAX_DELAY)?,
            "MaximumMessageSize" => {
                self.maximum_message_size =
                    parse_range(name, value, MIN_MAX_MESSAGE_SIZE, MAX_MESSAGE_SIZE)?
            }
            "MessageRetentionPeriod" => {
                self.message_retention_period =
                    parse_range(name, value, MIN_RETENTION, MAX_RETENTION)?
            }
            "ReceiveMessageWaitTimeSeconds" => {
                self.receive_message_wait_time_seconds = parse_range(name, value, 0, MAX_WAIT_TIME)?
            }
            "VisibilityTimeout" => {
                self.visibility_timeout = parse_range(name, value, 0, MAX_VISIBILITY_TIMEOUT)?
            }
            "Policy" => {
                if !value.is_empty() && serde_json::from_str::<Value>(value).is_err() {
                    return Err(invalid(name, "the policy is not valid JSON."));
                }
                self.policy = (!value.is_empty()).then(|| value.to_string());
            }
            "RedrivePolicy" => self.redrive_policy = parse_redrive(value)?,
            "RedriveAllowPolicy" => self.redrive_allow_policy = parse_redrive_allow(value)?,
            "KmsMasterKeyId" => {
                self.kms_master_key_id = (!value.is_empty()).then(|| value.to_string());
                if self.kms_master_key_id.is_some() {
                    self.sqs_managed_sse_enabled = false;
                }
            }
            "KmsDataKeyReusePeriodSeconds" => {
                self.kms_data_key_reuse_period_seconds = parse_range(name, value, 60, 86_400)?
            }
            "SqsManagedSseEnabled" => self.sqs_managed_sse_enabled = parse_bool(name, value)?,
            "FifoQueue" => {
                let fifo = parse_bool(name, value)?;
                if !creating && fifo != self.fifo {
                    return Err(invalid(
                        name,
                        "you can't change a queue's type after it is created.",
                    ));
                }
                self.fifo = fifo;
            }
            "ContentBasedDeduplication" => {
                self.require_fifo(name)?;
                self.content_based_deduplication = parse_bool(name, value)?
            }
            "DeduplicationScope" => {
                self.require_fifo(name)?;
                if !matches!(value, "queue" | "messageGroup") {
                    return Err(invalid(name, "must be queue or messageGroup."));
                }
                self.deduplication_scope = value.to_string();
            }
            "FifoThroughputLimit" => {
                self.require_fifo(name)?;
                if !matches!(value, "perQueue" | "perMessageGroupId") {
                    return Err(invalid(name, "must be perQueue or perMessageGroupId."));
                }
                self.fifo_throughput_limit = value.to_string();
            }
            other if READ_ONLY.contains(&other) => {
                return Err(CloudError::new(
                    "InvalidAttributeName",
                    format!("The attribute {other} is read-only."),
                ));
            }
            other => {
                return Err(CloudError::new(
                    "InvalidAttributeName",
                    format!("Unknown Attribute {other}."),
                ));
            }
        }
        Ok(())
    }

    fn require_fifo(&self, name: &str) -> CloudResult<()> {
        if self.fifo {
            Ok(())
        } else {
            Err(CloudError::new(
                "InvalidAttributeName",
                format!("Unknown Attribute {name}. It applies to FIFO queues only."),
            ))
        }
    }

    /// Applies a whole attribute map (FifoQueue first, so FIFO-only attributes
    /// can follow it).
    pub fn apply(&mut self, attrs: &BTreeMap<String, String>, creating: bool) -> CloudResult<()> {
        if let Some(v) = attrs.get("FifoQueue") {
            self.set("FifoQueue", v, creating)?;
        }
        for (k, v) in attrs.iter().filter(|(k, _)| *k != "FifoQueue") {
            self.set(k, v, creating)?;
        }
        Ok(())
    }

    /// The settable attributes as the API's string map.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            m.insert(k.to_string(), v);
        };
        put("DelaySeconds", self.delay_seconds.to_string());
        put("MaximumMessageSize", self.maximum_message_size.to_string());
        put(
            "MessageRetentionPeriod",
            self.message_retention_period.to_string(),
        );
        put(
            "ReceiveMessageWaitTimeSeconds",
            self.receive_message_wait_time_seconds.to_string(),
        );
        put("VisibilityTimeout", self.visibility_timeout.to_string());
        put(
            "SqsManagedSseEnabled",
            self.sqs_managed_sse_enabled.to_string(),
        );
        if let Some(p) = &self.policy {
            put("Policy", p.clone());
        }
        if let Some(r) = &self.redrive_policy {
            put(
                "RedrivePolicy",
                serde_json::json!({
                    "deadLetterTargetArn": r.dead_letter_target_arn,
                    "maxReceiveCount": r.max_receive_count,
                })
                .to_string(),
            );
        }
        if let Some(r) = &self.redrive_allow_policy {
            put("RedriveAllowPolicy", redrive_allow_json(r));
        }
        if let Some(k) = &self.kms_master_key_id {
            put("KmsMasterKeyId", k.clone());
            put(
                "KmsDataKeyReusePeriodSeconds",
                self.kms_data_key_reuse_period_seconds.to_string(),
            );
        }
        if self.fifo {
            put("FifoQueue", "true".into());
            put(
                "ContentBasedDeduplication",
                self.content_based_deduplication.to_string(),
            );
            put("DeduplicationScope", self.deduplication_scope.clone());
            put("FifoThroughputLimit", self.fifo_throughput_limit.clone());
        }
        m
    }

    /// The attributes that make two CreateQueue calls "the same queue".
    pub(crate) fn differs_from(&self, other: &QueueConfig) -> Option<&'static str> {
        let a = self.to_map();
        let b = other.to_map();
        SETTABLE
            .iter()
            .find(|&name| a.get(*name) != b.get(*name))
            .map(|v| v as _)
    }
}

fn redrive_allow_json(r: &RedriveAllow) -> String {
    match r {
        RedriveAllow::AllowAll => r#"{"redrivePermission":"allowAll"}"#.to_string(),
        RedriveAllow::DenyAll => r#"{"redrivePermission":"denyAll"}"#.to_string(),
        RedriveAllow::ByQueue(arns) => serde_json::json!({
            "redrivePermission": "byQueue",
            "sourceQueueArns": arns,
        })
        .to_string(),
    }
}

fn parse_redrive(value: &str) -> CloudResult<Option<RedrivePolicy>> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let name = "RedrivePolicy";
    let v: Value = serde_json::from_str(value)
        .map_err(|e| invalid(name, &format!("the policy is not valid JSON ({e}).")))?;
    let arn = v
        .get("deadLetterTargetArn")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(name, "deadLetterTargetArn is missing."))?;
    let count = match v.get("maxReceiveCount") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| invalid(name, "maxReceiveCount is missing or not a number."))?;
    if !(1..=MAX_RECEIVE_COUNT as u64).contains(&count) {
        return Err(invalid(
            name,
            &format!("maxReceiveCount {count} must be between 1 and {MAX_RECEIVE_COUNT}."),
        ));
    }
    Ok(Some(RedrivePolicy {
        dead_letter_target_arn: arn.to_string(),
        max_receive_count: count as u32,
    }))
}

fn parse_redrive_allow(value: &str) -> CloudResult<Option<RedriveAllow>> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let name = "RedriveAllowPolicy";
    let v: Value = serde_json::from_str(value)
        .map_err(|e| invalid(name, &format!("the policy is not valid JSON ({e}).")))?;
    let permission = v.get("redrivePermission").and_then(Value::as_str);
    let arns: Option<Vec<String>> = v.get("sourceQueueArns").and_then(|a| {
        a.as_array().map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
    });
    match (permission, arns) {
        (Some("allowAll"), None) => Ok(Some(RedriveAllow::AllowAll)),
        (Some("denyAll"), None) => Ok(Some(RedriveAllow::DenyAll)),
        (Some("byQueue"), Some(arns)) if !arns.is_empty() && arns.len() <= MAX_REDRIVE_SOURCES => {
            Ok(Some(RedriveAllow::ByQueue(arns)))
        }
        (Some("byQueue"), _) => Err(invalid(
            name,
            "byQueue needs sourceQueueArns with 1 to 10 queue ARNs.",
        )),
        (Some("allowAll" | "denyAll"), Some(_)) => Err(invalid(
            name,
            "sourceQueueArns is only allowed with redrivePermission byQueue.",
        )),
        _ => Err(invalid(
            name,
            "redrivePermission must be allowAll, denyAll or byQueue.",
        )),
    }
}

impl RedriveAllow {
    /// Whether a queue with `source_arn` may use this queue as its DLQ.
    pub fn allows(&self, source_arn: &str) -> bool {
        match self {
            RedriveAllow::AllowAll => true,
            RedriveAllow::DenyAll => false,
            RedriveAllow::ByQueue(arns) => arns.iter().any(|a| a == source_arn),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_enforced_with_clear_messages() {
        let mut c = QueueConfig::default();
        assert!(c.set("VisibilityTimeout", "43200", false).is_ok());
        let e = c.set("VisibilityTimeout", "43201", false).unwrap_err();
        assert_eq!(e.code, "InvalidAttributeValue");
        assert!(e.message.contains("0 to 43200"), "{}", e.message);
        assert!(c.set("MessageRetentionPeriod", "59", false).is_err());
        assert!(c.set("DelaySeconds", "abc", false).is_err());
        assert_eq!(
            c.set("Colour", "blue", false).unwrap_err().code,
            "InvalidAttributeName"
        );
        assert_eq!(
            c.set("QueueArn", "x", false).unwrap_err().code,
            "InvalidAttributeName"
        );
    }

    #[test]
    fn fifo_only_attributes_need_a_fifo_queue() {
        let mut c = QueueConfig::default();
        assert!(c.set("ContentBasedDeduplication", "true", true).is_err());
        let mut attrs = BTreeMap::new();
        attrs.insert("ContentBasedDeduplication".to_string(), "true".to_string());
        attrs.insert("FifoQueue".to_string(), "true".to_string());
        c.apply(&attrs, true).unwrap();
        assert!(c.fifo && c.content_based_deduplication);
        assert!(c.set("FifoQueue", "false", false).is_err());
    }

    #[test]
    fn redrive_policies_parse_and_round_trip() {
        let mut c = QueueConfig::default();
        c.set(
            "RedrivePolicy",
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":"3"}"#,
            false,
        )
        .unwrap();
        assert_eq!(c.redrive_policy.as_ref().unwrap().max_receive_count, 3);
        let text = c.to_map()["RedrivePolicy"].clone();
        let mut d = QueueConfig::default();
        d.set("RedrivePolicy", &text, false).unwrap();
        assert_eq!(c.redrive_policy, d.redrive_policy);
        assert!(
            c.set("RedrivePolicy", r#"{"maxReceiveCount":3}"#, false)
                .is_err()
        );
        assert!(
            c.set(
                "RedrivePolicy",
                r#"{"deadLetterTargetArn":"a","maxReceiveCount":0}"#,
                false
            )
            .is_err()
        );
        c.set(
            "RedriveAllowPolicy",
            r#"{"redrivePermission":"byQueue","sourceQueueArns":["a"]}"#,
            false,
        )
        .unwrap();
        assert!(c.redrive_allow_policy.as_ref().unwrap().allows("a"));
        assert!(!c.redrive_allow_policy.as_ref().unwrap().allows("b"));
        assert!(
            c.set(
                "RedriveAllowPolicy",
                r#"{"redrivePermission":"byQueue"}"#,
                false
            )
            .is_err()
        );
    }
}

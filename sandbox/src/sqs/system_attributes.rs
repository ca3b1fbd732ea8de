//! The system attributes of a received message — what ReceiveMessage returns
//! in its `Attributes` member — kept as typed fields and written out as AWS's
//! string map only when serialised.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// System attributes of a received message. Only the ones asked for are set.
///
/// ```
/// use cloudlab::prelude::*;
/// let mut cloud = Cloud::new();
/// let q = cloud.sqs().create_queue("q").unwrap();
/// cloud.sqs().send(&q, "x").unwrap();
/// let m = &cloud.sqs().receive(&q, 1).unwrap()[0];
/// assert_eq!(m.attributes.approximate_receive_count, Some(1));
/// assert_eq!(m.attributes.get("ApproximateReceiveCount").as_deref(), Some("1"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemAttributes {
    /// `SenderId`: the account that sent it.
    pub sender_id: Option<String>,
    /// `SentTimestamp`, epoch milliseconds.
    pub sent_timestamp: Option<u64>,
    /// `ApproximateReceiveCount`.
    pub approximate_receive_count: Option<u32>,
    /// `ApproximateFirstReceiveTimestamp`, epoch milliseconds.
    pub approximate_first_receive_timestamp: Option<u64>,
    /// `SequenceNumber` (FIFO).
    pub sequence_number: Option<String>,
    /// `MessageDeduplicationId` (FIFO).
    pub message_deduplication_id: Option<String>,
    /// `MessageGroupId`.
    pub message_group_id: Option<String>,
    /// `AWSTraceHeader`.
    pub aws_trace_header: Option<String>,
    /// `DeadLetterQueueSourceArn`: the queue it was dead-lettered from.
    pub dead_letter_queue_source_arn: Option<String>,
}

/// The attribute names, as the API spells them.
pub const NAMES: [&str; 9] = [
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
];

impl SystemAttributes {
    /// One attribute as the API's string, by its API name.
    pub fn get(&self, name: &str) -> Option<String> {
        match name {
            "SenderId" => self.sender_id.clone(),
            "SentTimestamp" => self.sent_timestamp.map(|v| v.to_string()),
            "ApproximateReceiveCount" => self.approximate_receive_count.map(|v| v.to_string()),
            "ApproximateFirstReceiveTimestamp" => self
                .approximate_first_receive_timestamp
                .map(|v| v.to_string()),
            "SequenceNumber" => self.sequence_number.clone(),
            "MessageDeduplicationId" => self.message_deduplication_id.clone(),
            "MessageGroupId" => self.message_group_id.clone(),
            "AWSTraceHeader" => self.aws_trace_header.clone(),
            "DeadLetterQueueSourceArn" => self.dead_letter_queue_source_arn.clone(),
            _ => None,
        }
    }

    fn set(&mut self, name: &str, value: String) {
        match name {
            "SenderId" => self.sender_id = Some(value),
            "SentTimestamp" => self.sent_timestamp = value.parse().ok(),
            "ApproximateReceiveCount" => self.approximate_receive_count = value.parse().ok(),
            "ApproximateFirstReceiveTimestamp" => {
                self.approximate_first_receive_timestamp = value.parse().ok()
            }
            "SequenceNumber" => self.sequence_number = Some(value),
            "MessageDeduplicationId" => self.message_deduplication_id = Some(value),
            "MessageGroupId" => self.message_group_id = Some(value),
            "AWSTraceHeader" => self.aws_trace_header = Some(value),
            "DeadLetterQueueSourceArn" => self.dead_letter_queue_source_arn = Some(value),
            _ => {}
        }
    }

    /// The set attributes as the API's string map.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        NAMES
            .iter()
            .filter_map(|n| self.get(n).map(|v| (n.to_string(), v)))
            .collect()
    }

    /// True when no attribute is set.
    pub fn is_empty(&self) -> bool {
        NAMES.iter().all(|n| self.get(n).is_none())
    }
}

impl Serialize for SystemAttributes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(s)
    }
}

impl<'de> Deserialize<'de> for SystemAttributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(d)?;
        let mut out = SystemAttributes::default();
        for (k, v) in map {
            out.set(&k, v);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_the_api_map_and_back() {
        let a = SystemAttributes {
            approximate_receive_count: Some(2),
            sent_timestamp: Some(1_767_225_600_000),
            message_group_id: Some("g".into()),
            ..Default::default()
        };
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"ApproximateReceiveCount": "2", "MessageGroupId": "g", "SentTimestamp": "1767225600000"})
        );
        let back: SystemAttributes = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
        assert!(SystemAttributes::default().is_empty());
    }
}

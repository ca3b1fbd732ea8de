//! Delivering a published message to one subscription: the payload each
//! protocol receives (the JSON notification, raw delivery, the Lambda event),
//! retries per AWS's delivery policies, and the subscription's DLQ.
//!
//! Client-side failures (the queue or function no longer exists, an HTTP 4xx)
//! are not retried; server-side ones (no connection, HTTP 5xx or 429, Lambda
//! throttling) are, per the protocol's policy.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::model::{Protocol, RetryPolicy, Subscription};
use crate::attributes::{AttributeValue, Attributes};
use crate::cloud::{Cloud, parse_arn};
use crate::outside::{Delivered, HttpRequest};
use crate::time::SimTime;

/// A published message on its way to subscribers.
#[derive(Clone, Debug)]
pub(crate) struct Notification {
    pub message_id: String,
    pub topic_arn: String,
    pub topic_name: Arc<str>,
    pub subject: Option<String>,
    pub message: String,
    pub per_protocol: Option<BTreeMap<String, String>>,
    pub attributes: Attributes,
    pub timestamp: SimTime,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
    pub sequence_number: Option<String>,
}

impl Notification {
    /// The message text for a protocol (MessageStructure json picks per protocol).
    pub(crate) fn message_for(&self, protocol: Protocol) -> &str {
        match &self.per_protocol {
            Some(map) => map
                .get(protocol.as_str())
                .or_else(|| map.get("default"))
                .map(String::as_str)
                .unwrap_or(""),
            None => &self.message,
        }
    }

    fn attributes_json(&self) -> Value {
        let map: serde_json::Map<String, Value> = self
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), json!({"Type": v.data_type, "Value": v.as_str()})))
            .collect();
        Value::Object(map)
    }

    /// The JSON notification SQS (non-raw), HTTP and email-json receive.
    fn envelope(&self, sub: &Subscription) -> Value {
        let mut v = json!({
            "Type": "Notification",
            "MessageId": self.message_id,
            "TopicArn": self.topic_arn,
        });
        if let Some(s) = &self.subject {
            v["Subject"] = json!(s);
        }
        v["Message"] = json!(self.message_for(sub.protocol));
        v["Timestamp"] = json!(self.timestamp.to_rfc3339_millis());
        if let Some(seq) = &self.sequence_number {
            v["SequenceNumber"] = json!(seq);
        }
        v["SignatureVersion"] = json!("1");
        v["Signature"] = json!(
            "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q="
        );
        v["SigningCertURL"] =
            json!("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-cloudlab.pem");
        v["UnsubscribeURL"] = json!(format!(
            "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={}",
            sub.arn
        ));
        if !self.attributes.is_empty() {
            v["MessageAttributes"] = self.attributes_json();
        }
        v
    }

    /// The event a Lambda subscriber receives.
    fn lambda_event(&self, sub: &Subscription) -> Value {
        json!({"Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": sub.arn,
            "Sns": {
                "Type": "Notification",
                "MessageId": self.message_id,
                "TopicArn": self.topic_arn,
                "Subject": self.subject,
                "Message": self.message_for(Protocol::Lambda),
                "Timestamp": self.timestamp.to_rfc3339_millis(),
                "SignatureVersion": "1",
                "Signature": "EXAMPLE",
                "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-cloudlab.pem",
                "UnsubscribeUrl": format!("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={}", sub.arn),
                "MessageAttributes": self.attributes_json(),
            }
        }]})
    }
}

/// How one attempt went.
enum Attempt {
    Delivered,
    /// Retriable (server side): connection failure, 5xx, 429, throttling.
    Retry(String),
    /// Not retriable (client side): missing endpoint, 4xx, invalid request.
    Fail(String),
}

/// SNS message attributes as SQS message attributes (SQS has no String.Array).
fn sqs_attributes(attrs: &Attributes) -> Attributes {
    attrs
        .iter()
        .map(|(k, v)| {
            let v = if v.data_type == "String.Array" {
                AttributeValue::string(v.as_str())
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

fn to_sqs(cloud: &mut Cloud, n: &Notification, sub: &Subscription) -> Attempt {
    let Some(("sqs", _, _, queue)) = parse_arn(&sub.endpoint) else {
        return Attempt::Fail("bad SQS endpoint".into());
    };
    if !cloud.sqs.queues.contains_key(queue) {
        return Attempt::Fail(format!("queue {queue} does not exist"));
    }
    if sub.raw() && n.attributes.len() > super::quotas::MAX_RAW_SQS_ATTRIBUTES {
        return Attempt::Fail(format!(
            "{} message attributes: a raw delivery to SQS carries at most {}",
            n.attributes.len(),
            super::quotas::MAX_RAW_SQS_ATTRIBUTES
        ));
    }
    let (body, attrs) = if sub.raw() {
        (
            n.message_for(Protocol::Sqs).to_string(),
            sqs_attributes(&n.attributes),
        )
    } else {
        (n.envelope(sub).to_string(), Attributes::new())
    };
    let fifo_queue = queue.ends_with(".fifo");
    let input = crate::sqs::ops::messages::SendMessageInput {
        queue_url: crate::sqs::queue_url(queue),
        message_body: body,
        message_attributes: attrs,
        message_group_id: if fifo_queue { n.group_id.clone() } else { None },
        message_deduplication_id: if fifo_queue {
            n.dedup_id.clone().or_else(|| Some(n.message_id.clone()))
        } else {
            None
        },
        ..Default::default()
    };
    match crate::sqs::ops::messages::send_message(cloud, input) {
        Ok(_) => Attempt::Delivered,
        Err(e) => Attempt::Fail(e.to_string()),
    }
}

fn to_lambda(cloud: &mut Cloud, n: &Notification, sub: &Subscription) -> Attempt {
    let Some(("lambda", _, _, res)) = parse_arn(&sub.endpoint) else {
        return Attempt::Fail("bad Lambda endpoint".into());
    };
    let name = res.strip_prefix("function:").unwrap_or(res);
    let name = name.split(':').next().unwrap_or(name);
    match crate::lambda::asynch::enqueue(cloud, name, n.lambda_event(sub), "sns") {
        Ok(_) => Attempt::Delivered,
        Err(e) if e.status == 429 || e.status >= 500 => Attempt::Retry(e.to_string()),
        Err(e) => Attempt::Fail(e.to_string()),
    }
}

fn to_http(cloud: &mut Cloud, n: &Notification, sub: &Subscription) -> Attempt {
    let mut headers = BTreeMap::new();
    headers.insert("x-amz-sns-message-type".into(), "Notification".into());
    headers.insert("x-amz-sns-message-id".into(), n.message_id.clone());
    headers.insert("x-amz-sns-topic-arn".into(), n.topic_arn.clone());
    headers.insert("x-amz-sns-subscription-arn".into(), sub.arn.clone());
    let body = if sub.raw() {
        headers.insert("x-amz-sns-rawdelivery".into(), "true".into());
        n.message_for(sub.protocol).to_string()
    } else {
        n.envelope(sub).to_string()
    };
    let status = cloud.outside.post(HttpRequest {
        at: cloud.core.now,
        method: "POST".into(),
        url: sub.endpoint.clone(),
        headers,
        body,
        status: 0,
    });
    match status {
        None => Attempt::Retry("connection refused".into()),
        Some(s) if (200..300).contains(&s) => Attempt::Delivered,
        Some(s) if s == 429 || s >= 500 => Attempt::Retry(format!("HTTP {s}")),
        Some(s) => Attempt::Fail(format!("HTTP {s}")),
    }
}

fn to_inbox(cloud: &mut Cloud, n: &Notification, sub: &Subscription) -> Attempt {
    let now = cloud.core.now;
    let display = cloud
        .sns
        .topics
        .get(&*n.topic_name)
        .and_then(|t| t.attributes.get("DisplayName").cloned());
    let (subject, body) = match sub.protocol {
        Protocol::EmailJson => (
            n.subject
                .clone()
                .or(display)
                .unwrap_or_else(|| "AWS Notification Message".into()),
            n.envelope(sub).to_string(),
        ),
        Protocol::Email => (
            n.subject
                .clone()
                .or(display)
                .unwrap_or_else(|| "AWS Notification Message".into()),
            n.message_for(Protocol::Email).to_string(),
        ),
        _ => {
            let text = n.message_for(Protocol::Sms).to_string();
            let text = match display {
                Some(d) => format!("{d}> {text}"),
                None => text,
            };
            cloud
                .outside
                .phones
                .entry(sub.endpoint.clone())
                .or_default()
                .push(Delivered {
                    at: now,
                    subject: None,
                    body: text,
                });
            return Attempt::Delivered;
        }
    };
    cloud
        .outside
        .inboxes
        .entry(sub.endpoint.clone())
        .or_default()
        .push(Delivered {
            at: now,
            subject: Some(subject),
            body,
        });
    Attempt::Delivered
}

fn retry_policy(cloud: &Cloud, n: &Notification, sub: &Subscription) -> (RetryPolicy, bool) {
    match sub.protocol {
        Protocol::Sqs | Protocol::Lambda => (RetryPolicy::managed(), true),
        Protocol::Http | Protocol::Https => {
            let own = sub.attributes.get("DeliveryPolicy");
            let topic = cloud
                .sns
                .topics
                .get(&*n.topic_name)
                .and_then(|t| t.attributes.get("DeliveryPolicy"));
            let policy = own
                .or(topic)
                .and_then(|p| RetryPolicy::from_delivery_policy(p).ok())
                .unwrap_or_else(RetryPolicy::http_default);
            (policy, false)
        }
        _ => (RetryPolicy { delays: Vec::new() }, false),
    }
}

/// Makes delivery attempt number `attempt` (0 is the first) of `n` to subscription `sub_arn`.
pub(crate) fn deliver(cloud: &mut Cloud, n: &Notification, sub_arn: &str, attempt: u32) {
    let Some(sub) = cloud.sns.subscriptions.get(sub_arn).cloned() else {
        return;
    };
    if sub.pending {
        return;
    }
    let result = match sub.protocol {
        Protocol::Sqs => to_sqs(cloud, n, &sub),
        Protocol::Lambda => to_lambda(cloud, n, &sub),
        Protocol::Http | Protocol::Https => to_http(cloud, n, &sub),
        Protocol::Email | Protocol::EmailJson | Protocol::Sms => to_inbox(cloud, n, &sub),
    };
    match result {
        Attempt::Delivered => {
            cloud.core.bill(sub.protocol.billing_key(), 1.0);
            if let Some(t) = cloud.sns.topics.get_mut(&*n.topic_name) {
                t.stats.delivered += 1;
            }
            cloud.core.trace(
                "sns",
                &n.topic_name,
                "deliver",
                format!(
                    "MessageId={} -> {} {}",
                    n.message_id,
                    sub.protocol.as_str(),
                    sub.endpoint
                ),
            );
        }
        Attempt::Retry(why) => {
            if let Some(t) = cloud.sns.topics.get_mut(&*n.topic_name) {
                t.stats.failed_attempts += 1;
            }
            let (policy, managed) = retry_policy(cloud, n, &sub);
            match policy.delay(attempt, managed) {
                Some(delay) => {
                    cloud.core.trace(
                        "sns",
                        &n.topic_name,
                        "retry",
                        format!(
                            "MessageId={} to {}: {why}; attempt {} in {:.1} s",
                            n.message_id,
                            sub.endpoint,
                            attempt + 2,
                            delay.as_secs_f64()
                        ),
                    );
                    let n = n.clone();
                    let arn = sub_arn.to_string();
                    cloud.schedule(delay, "sns.retry", move |c| {
                        deliver(c, &n, &arn, attempt + 1)
                    });
                }
                None => give_up(cloud, n, &sub, &format!("{why}; retries exhausted")),
            }
        }
        Attempt::Fail(why) => {
            if let Some(t) = cloud.sns.topics.get_mut(&*n.topic_name) {
                t.stats.failed_attempts += 1;
            }
            give_up(cloud, n, &sub, &why)
        }
    }
}

/// The message will not be delivered: to the subscription's DLQ, or dropped.
fn give_up(cloud: &mut Cloud, n: &Notification, sub: &Subscription, why: &str) {
    if let Some(t) = cloud.sns.topics.get_mut(&*n.topic_name) {
        t.stats.dropped += 1;
    }
    match sub.dead_letter_arn() {
        Some(dlq) => {
            let mut attrs = Attributes::new();
            attrs.insert("ErrorCode".into(), AttributeValue::string("DeliveryFailed"));
            attrs.insert("ErrorMessage".into(), AttributeValue::string(why));
            let body = n.envelope(sub).to_string();
            let ok = crate::targets::send(cloud, &dlq, body, attrs).is_ok();
            if ok && let Some(t) = cloud.sns.topics.get_mut(&*n.topic_name) {
                t.stats.dead_lettered += 1;
            }
            cloud.core.trace(
                "sns",
                &n.topic_name,
                "dead-letter",
                format!(
                    "MessageId={} for {}: {why} -> {}{}",
                    n.message_id,
                    sub.endpoint,
                    dlq.rsplit(':').next().unwrap_or(&dlq),
                    if ok {
                        ""
                    } else {
                        " (DLQ unavailable: dropped)"
                    }
                ),
            );
        }
        None => cloud.core.trace(
            "sns",
            &n.topic_name,
            "delivery-failed",
            format!(
                "MessageId={} for {}: {why} (dropped: no DLQ)",
                n.message_id, sub.endpoint
            ),
        ),
    }
}

//! Subscription actions: Subscribe, ConfirmSubscription, Unsubscribe,
//! ListSubscriptions(ByTopic), Get/SetSubscriptionAttributes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::topics::page;
use super::{invalid, not_found, topic_mut};
use crate::cloud::{ACCOUNT_ID, Cloud, parse_arn};
use crate::error::{CloudError, CloudResult};
use crate::outside::{Delivered, HttpRequest};
use crate::sns::filter;
use crate::sns::model::{Protocol, RetryPolicy, Subscription};
use crate::sns::quotas::MAX_FIFO_SUBSCRIPTIONS;

/// Settable subscription attributes.
pub const SUBSCRIPTION_ATTRIBUTES: &[&str] = &[
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
];

/// Subscribe request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscribeInput {
    /// The topic's ARN.
    pub topic_arn: String,
    /// `sqs`, `lambda`, `http`, `https`, `email`, `email-json` or `sms`.
    pub protocol: String,
    /// Queue/function ARN, URL, address or phone number.
    pub endpoint: Option<String>,
    /// Subscription attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Return the ARN even while confirmation is pending.
    #[serde(default)]
    pub return_subscription_arn: bool,
}

/// Subscribe response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscribeOutput {
    /// The subscription's ARN, or `pending confirmation`.
    pub subscription_arn: String,
}

fn check_endpoint(cloud: &Cloud, protocol: Protocol, endpoint: &str) -> CloudResult<()> {
    let ok = match protocol {
        Protocol::Sqs => matches!(parse_arn(endpoint), Some(("sqs", ..))),
        Protocol::Lambda => matches!(parse_arn(endpoint), Some(("lambda", ..))),
        Protocol::Http => endpoint.starts_with("http://"),
        Protocol::Https => endpoint.starts_with("https://"),
        Protocol::Email | Protocol::EmailJson => endpoint
            .split_once('@')
            .is_some_and(|(a, d)| !a.is_empty() && d.contains('.')),
        Protocol::Sms => {
            endpoint.starts_with('+')
                && endpoint.len() >= 8
                && endpoint[1..].chars().all(|c| c.is_ascii_digit())
        }
    };
    if !ok {
        let what = match protocol {
            Protocol::Sqs => "SQS endpoint ARN",
            Protocol::Lambda => "Lambda endpoint ARN",
            Protocol::Http | Protocol::Https => "Endpoint (a URL of the protocol's scheme)",
            Protocol::Email | Protocol::EmailJson => "Email address",
            Protocol::Sms => "Endpoint (an E.164 phone number such as +15555550100)",
        };
        return Err(invalid(format!("{what}: {endpoint}")));
    }
    let _ = cloud;
    Ok(())
}

fn check_attribute(protocol: Protocol, name: &str, value: &str) -> CloudResult<()> {
    match name {
        "RawMessageDelivery"
            if !matches!(value.to_ascii_lowercase().as_str(), "true" | "false") =>
        {
            Err(invalid("RawMessageDelivery: must be true or false"))
        }
        // Raw delivery exists for SQS, HTTP/S and Firehose subscribers only
        // (the sandbox has no Firehose subscriptions).
        "RawMessageDelivery"
            if value.eq_ignore_ascii_case("true")
                && !matches!(protocol, Protocol::Sqs | Protocol::Http | Protocol::Https) =>
        {
            Err(invalid(format!(
                "Attributes Reason: Delivery protocol [{}] does not support raw message delivery.",
                protocol.as_str()
            )))
        }
        "DeliveryPolicy" => RetryPolicy::from_delivery_policy(value).map(|_| ()),
        "RedrivePolicy" => {
            let v: Value = serde_json::from_str(value)
                .map_err(|_| invalid("RedrivePolicy: not valid JSON"))?;
            match v.get("deadLetterTargetArn").and_then(Value::as_str) {
                Some(a) if matches!(parse_arn(a), Some(("sqs", ..))) => Ok(()),
                _ => Err(invalid(
                    "RedrivePolicy: deadLetterTargetArn must be an SQS queue ARN",
                )),
            }
        }
        n if SUBSCRIPTION_ATTRIBUTES.contains(&n) => Ok(()),
        other => Err(invalid(format!("AttributeName: unknown attribute {other}"))),
    }
}

/// Subscribe: adds a subscription (or returns the existing identical one).
pub fn subscribe(cloud: &mut Cloud, input: SubscribeInput) -> CloudResult<SubscribeOutput> {
    let protocol = Protocol::parse(&input.protocol)
        .ok_or_else(|| invalid(format!("Invalid protocol type: {}", input.protocol)))?;
    let endpoint = input
        .endpoint
        .clone()
        .ok_or_else(|| invalid("Endpoint Reason: An endpoint must be specified"))?;
    check_endpoint(cloud, protocol, &endpoint)?;
    for (k, v) in &input.attributes {
        check_attribute(protocol, k, v)?;
    }
    let filter = filter::from_attributes(&input.attributes, true)?;
    let topic_arn = input.topic_arn.clone();
    let t = topic_mut(cloud, &topic_arn)?;
    if t.fifo && protocol != Protocol::Sqs {
        return Err(invalid(format!(
            "Invalid protocol type: {} (FIFO topics deliver to SQS queues only)",
            protocol.as_str()
        )));
    }
    if t.fifo && t.subscriptions.len() >= MAX_FIFO_SUBSCRIPTIONS {
        return Err(CloudError::new(
            "SubscriptionLimitExceeded",
            format!("A FIFO topic can have at most {MAX_FIFO_SUBSCRIPTIONS} subscriptions."),
        ));
    }
    let subs = t.subscriptions.clone();
    let existing = subs.iter().find(|arn| {
        cloud
            .sns
            .subscriptions
            .get(*arn)
            .is_some_and(|s| s.protocol == protocol && s.endpoint == endpoint)
    });
    if let Some(arn) = existing {
        let s = &cloud.sns.subscriptions[arn];
        let shown = if s.pending && !input.return_subscription_arn {
            "pending confirmation".to_string()
        } else {
            arn.clone()
        };
        return Ok(SubscribeOutput {
            subscription_arn: shown,
        });
    }
    if filter.is_some() {
        filter::check_policy_limits(cloud, &topic_arn, None)?;
    }
    let arn = format!("{topic_arn}:{}", cloud.core.rng.uuid());
    let token = cloud.core.rng.hex(64);
    let sub = Subscription {
        arn: arn.clone(),
        topic_arn: topic_arn.clone(),
        protocol,
        endpoint: endpoint.clone(),
        pending: protocol.needs_confirmation(),
        token: token.clone(),
        attributes: input.attributes,
        filter,
    };
    let t = topic_mut(cloud, &topic_arn)?;
    t.subscriptions.push(arn.clone());
    let tname = t.name.clone();
    cloud.sns.subscriptions.insert(arn.clone(), sub);
    cloud.core.trace(
        "sns",
        &tname,
        "subscribe",
        format!("{} {endpoint}", protocol.as_str()),
    );
    if protocol.needs_confirmation() {
        ask_confirmation(cloud, &arn);
    }
    let pending = cloud.sns.subscriptions[&arn].pending;
    Ok(SubscribeOutput {
        subscription_arn: if pending && !input.return_subscription_arn {
            "pending confirmation".into()
        } else {
            arn
        },
    })
}

/// Sends the confirmation request: an e-mail with a link, or an HTTP POST
/// that a listening simulated endpoint answers by confirming.
fn ask_confirmation(cloud: &mut Cloud, arn: &str) {
    let sub = cloud.sns.subscriptions[arn].clone();
    let now = cloud.core.now;
    let url = format!(
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={}&Token={}",
        sub.topic_arn, sub.token
    );
    match sub.protocol {
        Protocol::Email | Protocol::EmailJson => {
            cloud
                .outside
                .inboxes
                .entry(sub.endpoint.clone())
                .or_default()
                .push(Delivered {
                    at: now,
                    subject: Some("AWS Notification - Subscription Confirmation".into()),
                    body: format!(
                        "You have chosen to subscribe to the topic:\n{}\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary):\n{url}\nToken: {}",
                        sub.topic_arn, sub.token
                    ),
                });
        }
        Protocol::Http | Protocol::Https => {
            let body = json!({
                "Type": "SubscriptionConfirmation",
                "MessageId": cloud.core.rng.uuid(),
                "Token": sub.token,
                "TopicArn": sub.topic_arn,
                "Message": format!("You have chosen to subscribe to the topic {}.\nTo confirm the subscription, visit the SubscribeURL included in this message.", sub.topic_arn),
                "SubscribeURL": url,
                "Timestamp": now.to_rfc3339_millis(),
                "SignatureVersion": "1",
                "Signature": "EXAMPLE",
                "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-cloudlab.pem",
            });
            let mut headers = BTreeMap::new();
            headers.insert(
                "x-amz-sns-message-type".into(),
                "SubscriptionConfirmation".into(),
            );
            headers.insert("x-amz-sns-topic-arn".into(), sub.topic_arn.clone());
            let status = cloud.outside.post(HttpRequest {
                at: now,
                method: "POST".into(),
                url: sub.endpoint.clone(),
                headers,
                body: body.to_string(),
                status: 0,
            });
            if status.is_some_and(|s| (200..300).contains(&s)) {
                confirm(cloud, arn);
            }
        }
        _ => {}
    }
}

fn confirm(cloud: &mut Cloud, arn: &str) {
    if let Some(s) = cloud.sns.subscriptions.get_mut(arn) {
        s.pending = false;
        let topic = s.topic_arn.clone();
        let endpoint = s.endpoint.clone();
        if let Ok(t) = topic_mut(cloud, &topic) {
            let name = t.name.clone();
            cloud.core.trace(
                "sns",
                &name,
                "confirmed",
                format!("subscription of {endpoint}"),
            );
        }
    }
}

/// ConfirmSubscription request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSubscriptionInput {
    /// The topic's ARN.
    pub topic_arn: String,
    /// The token from the confirmation message.
    pub token: String,
    /// Accepted and ignored.
    pub authenticate_on_unsubscribe: Option<String>,
}

/// ConfirmSubscription: confirms a pending subscription by its token.
pub fn confirm_subscription(
    cloud: &mut Cloud,
    input: ConfirmSubscriptionInput,
) -> CloudResult<SubscribeOutput> {
    topic_mut(cloud, &input.topic_arn)?;
    let arn = cloud
        .sns
        .subscriptions
        .values()
        .find(|s| s.topic_arn == input.topic_arn && s.token == input.token)
        .map(|s| s.arn.clone())
        .ok_or_else(|| invalid("Token"))?;
    confirm(cloud, &arn);
    Ok(SubscribeOutput {
        subscription_arn: arn,
    })
}

/// A request naming one subscription.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscriptionArnInput {
    /// The subscription's ARN.
    pub subscription_arn: String,
}

/// Unsubscribe.
pub fn unsubscribe(cloud: &mut Cloud, input: SubscriptionArnInput) -> CloudResult<()> {
    let sub = cloud
        .sns
        .subscriptions
        .remove(&input.subscription_arn)
        .ok_or_else(|| not_found("Subscription"))?;
    if let Ok(t) = topic_mut(cloud, &sub.topic_arn) {
        t.subscriptions.retain(|a| *a != sub.arn);
        t.deleted_subscriptions += 1;
        let name = t.name.clone();
        cloud
            .core
            .trace("sns", &name, "unsubscribe", sub.endpoint.clone());
    }
    Ok(())
}

fn summary(s: &Subscription) -> Value {
    json!({
        "SubscriptionArn": if s.pending { "PendingConfirmation".to_string() } else { s.arn.clone() },
        "Owner": ACCOUNT_ID,
        "Protocol": s.protocol.as_str(),
        "Endpoint": s.endpoint,
        "TopicArn": s.topic_arn,
    })
}

/// ListSubscriptions request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSubscriptionsInput {
    /// Token from a previous page.
    pub next_token: Option<String>,
}

/// ListSubscriptions: every subscription, 100 per page.
pub fn list_subscriptions(cloud: &mut Cloud, input: ListSubscriptionsInput) -> CloudResult<Value> {
    let all: Vec<Value> = cloud.sns.subscriptions.values().map(summary).collect();
    page("Subscriptions", &all, input.next_token.as_deref())
}

/// ListSubscriptionsByTopic request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSubscriptionsByTopicInput {
    /// The topic's ARN.
    pub topic_arn: String,
    /// Token from a previous page.
    pub next_token: Option<String>,
}

/// ListSubscriptionsByTopic.
pub fn list_subscriptions_by_topic(
    cloud: &mut Cloud,
    input: ListSubscriptionsByTopicInput,
) -> CloudResult<Value> {
    let t = topic_mut(cloud, &input.topic_arn)?;
    let arns = t.subscriptions.clone();
    let all: Vec<Value> = arns
        .iter()
        .filter_map(|a| cloud.sns.subscriptions.get(a))
        .map(summary)
        .collect();
    page("Subscriptions", &all, input.next_token.as_deref())
}

/// GetSubscriptionAttributes.
pub fn get_subscription_attributes(
    cloud: &mut Cloud,
    input: SubscriptionArnInput,
) -> CloudResult<Value> {
    let s = cloud
        .sns
        .subscriptions
        .get(&input.subscription_arn)
        .ok_or_else(|| not_found("Subscription"))?;
    let mut attrs = s.attributes.clone();
    attrs.insert("SubscriptionArn".into(), s.arn.clone());
    attrs.insert("TopicArn".into(), s.topic_arn.clone());
    attrs.insert("Protocol".into(), s.protocol.as_str().into());
    attrs.insert("Endpoint".into(), s.endpoint.clone());
    attrs.insert("Owner".into(), ACCOUNT_ID.into());
    attrs.insert("PendingConfirmation".into(), s.pending.to_string());
    attrs.insert(
        "ConfirmationWasAuthenticated".into(),
        (!s.pending).to_string(),
    );
    attrs
        .entry("RawMessageDelivery".into())
        .or_insert_with(|| "false".into());
    if attrs.contains_key("FilterPolicy") {
        attrs
            .entry("FilterPolicyScope".into())
            .or_insert_with(|| "MessageAttributes".into());
    }
    Ok(json!({ "Attributes": attrs }))
}

/// SetSubscriptionAttributes request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetSubscriptionAttributesInput {
    /// The subscription's ARN.
    pub subscription_arn: String,
    /// Attribute to set.
    pub attribute_name: String,
    /// New value.
    #[serde(default)]
    pub attribute_value: String,
}

/// SetSubscriptionAttributes.
pub fn set_subscription_attributes(
    cloud: &mut Cloud,
    input: SetSubscriptionAttributesInput,
) -> CloudResult<()> {
    let s = cloud
        .sns
        .subscriptions
        .get(&input.subscription_arn)
        .ok_or_else(|| not_found("Subscription"))?;
    check_attribute(s.protocol, &input.attribute_name, &input.attribute_value)?;
    let mut attributes = s.attributes.clone();
    if input.attribute_value.is_empty() {
        attributes.remove(&input.attribute_name);
    } else {
        attributes.insert(input.attribute_name.clone(), input.attribute_value);
    }
    let mut new_filter = s.filter.clone();
    if input.attribute_name.starts_with("FilterPolicy") {
        new_filter = filter::from_attributes(&attributes, false)?;
        if new_filter.is_some() && s.filter.is_none() {
            let topic = s.topic_arn.clone();
            filter::check_policy_limits(cloud, &topic, Some(&input.subscription_arn))?;
        }
    }
    let s = cloud
        .sns
        .subscriptions
        .get_mut(&input.subscription_arn)
        .ok_or_else(|| not_found("Subscription"))?;
    s.attributes = attributes;
    s.filter = new_filter;
    Ok(())
}

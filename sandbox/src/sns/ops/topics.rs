//! Topic actions: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes,
//! tags and permissions.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{STYLE, Tag, invalid, not_found, topic_mut};
use crate::cloud::{ACCOUNT_ID, Cloud};
use crate::error::{CloudError, CloudResult};
use crate::sns::model::{RetryPolicy, Topic, TopicStats};
use crate::sns::quotas::*;

const _: crate::params::ErrorStyle = STYLE;

/// Settable topic attributes.
pub const TOPIC_ATTRIBUTES: &[&str] = &[
    "DisplayName",
    "Policy",
    "DeliveryPolicy",
    "KmsMasterKeyId",
    "TracingConfig",
    "SignatureVersion",
    "FifoTopic",
    "ContentBasedDeduplication",
    "ArchivePolicy",
];

/// CreateTopic request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTopicInput {
    /// Topic name.
    pub name: String,
    /// Attributes (`FifoTopic`, `DisplayName` ...).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// Response with a topic ARN.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicArnOutput {
    /// The topic's ARN.
    pub topic_arn: String,
}

fn check_name(name: &str, fifo: bool) -> CloudResult<()> {
    let stem = if fifo {
        name.strip_suffix(".fifo")
            .ok_or_else(|| invalid("Topic Name: FIFO topic names must end with .fifo"))?
    } else {
        name
    };
    let ok = !stem.is_empty()
        && name.len() <= MAX_TOPIC_NAME_LEN
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "Topic Name: '{name}' must be 1 to 256 characters of letters, digits, hyphens and underscores{}",
            if name.ends_with(".fifo") && !fifo {
                " (a name ending in .fifo needs the attribute FifoTopic=true)"
            } else {
                ""
            }
        )))
    }
}

fn check_attribute(name: &str, value: &str, fifo: bool) -> CloudResult<()> {
    match name {
        "DeliveryPolicy" => RetryPolicy::from_delivery_policy(value).map(|_| ()),
        "Policy" if serde_json::from_str::<Value>(value).is_err() => {
            Err(invalid("Policy: the policy is not valid JSON"))
        }
        "ContentBasedDeduplication" if !fifo => Err(invalid(
            "ContentBasedDeduplication: applies to FIFO topics only",
        )),
        "DisplayName" if value.len() > 100 => Err(invalid("DisplayName: at most 100 characters")),
        n if TOPIC_ATTRIBUTES.contains(&n) => Ok(()),
        other => Err(invalid(format!("AttributeName: unknown attribute {other}"))),
    }
}

/// CreateTopic: creates a topic, or returns an identical existing one.
pub fn create_topic(cloud: &mut Cloud, input: CreateTopicInput) -> CloudResult<TopicArnOutput> {
    let fifo = input
        .attributes
        .get("FifoTopic")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    check_name(&input.name, fifo)?;
    for (k, v) in &input.attributes {
        check_attribute(k, v, fifo)?;
    }
    if let Some(t) = cloud.sns.topics.get(input.name.as_str()) {
        let differs = input
            .attributes
            .iter()
            .any(|(k, v)| t.attributes.get(k) != Some(v));
        if differs {
            return Err(invalid(
                "Attributes Reason: Topic already exists with different attributes",
            ));
        }
        return Ok(TopicArnOutput {
            topic_arn: t.arn.clone(),
        });
    }
    let count = cloud.sns.topics.values().filter(|t| t.fifo == fifo).count();
    let limit = if fifo { MAX_FIFO_TOPICS } else { MAX_TOPICS };
    if count >= limit {
        return Err(CloudError::new(
            "TopicLimitExceeded",
            format!("Topic limit exceeded: at most {limit} topics of this type"),
        )
        .with_status(403));
    }
    let arn = crate::cloud::arn("sns", &input.name);
    let topic = Topic {
        name: Arc::from(input.name.as_str()),
        arn: arn.clone(),
        fifo,
        attributes: input.attributes,
        tags: input.tags.into_iter().map(|t| (t.key, t.value)).collect(),
        subscriptions: Vec::new(),
        deleted_subscriptions: 0,
        dedup: HashMap::new(),
        dedup_order: VecDeque::new(),
        next_sequence: 10_000_000_000_000_000_000 + cloud.core.rng.range(0, 999_999) as u128,
        stats: TopicStats::default(),
    };
    let name = topic.name.clone();
    cloud.sns.topics.insert(input.name, topic);
    cloud.core.trace("sns", &name, "create-topic", arn.clone());
    Ok(TopicArnOutput { topic_arn: arn })
}

/// A request naming one topic.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicArnInput {
    /// The topic's ARN.
    pub topic_arn: String,
}

/// DeleteTopic: deletes a topic and its subscriptions (deleting a missing topic succeeds).
pub fn delete_topic(cloud: &mut Cloud, input: TopicArnInput) -> CloudResult<()> {
    let name = super::topic_name(&input.topic_arn)?.to_string();
    if let Some(t) = cloud.sns.topics.remove(name.as_str()) {
        for s in &t.subscriptions {
            cloud.sns.subscriptions.remove(s);
        }
        cloud.core.trace(
            "sns",
            &t.name,
            "delete-topic",
            format!("{} subscriptions deleted with it", t.subscriptions.len()),
        );
    }
    Ok(())
}

/// ListTopics request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTopicsInput {
    /// Token from a previous page.
    pub next_token: Option<String>,
}

/// ListTopics: topic ARNs, 100 per page.
pub fn list_topics(cloud: &mut Cloud, input: ListTopicsInput) -> CloudResult<Value> {
    let arns: Vec<Value> = cloud
        .sns
        .topics
        .values()
        .map(|t| json!({"TopicArn": t.arn}))
        .collect();
    page("Topics", &arns, input.next_token.as_deref())
}

/// One page of a list response under `key`.
pub(crate) fn page(key: &str, items: &[Value], token: Option<&str>) -> CloudResult<Value> {
    let (page, next) = crate::sqs::ops::queues::paginate(items, Some(LIST_PAGE), token)
        .map_err(|_| invalid("NextToken"))?;
    let mut out = json!({ key: page });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

/// GetTopicAttributes: settings and counts.
pub fn get_topic_attributes(cloud: &mut Cloud, input: TopicArnInput) -> CloudResult<Value> {
    let name = super::topic_name(&input.topic_arn)?.to_string();
    let t = cloud
        .sns
        .topics
        .get(name.as_str())
        .ok_or_else(|| not_found("Topic"))?;
    let (confirmed, pending) =
        t.subscriptions
            .iter()
            .fold((0, 0), |(c, p), s| match cloud.sns.subscriptions.get(s) {
                Some(sub) if sub.pending => (c, p + 1),
                Some(_) => (c + 1, p),
                None => (c, p),
            });
    let mut attrs = t.attributes.clone();
    attrs.insert("TopicArn".into(), t.arn.clone());
    attrs.insert("Owner".into(), ACCOUNT_ID.into());
    attrs.insert("SubscriptionsConfirmed".into(), confirmed.to_string());
    attrs.insert("SubscriptionsPending".into(), pending.to_string());
    attrs.insert(
        "SubscriptionsDeleted".into(),
        t.deleted_subscriptions.to_string(),
    );
    attrs.entry("Policy".into()).or_insert_with(|| {
        json!({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [{
            "Sid": "__default_statement_ID", "Effect": "Allow",
            "Principal": {"AWS": "*"}, "Action": ["SNS:Publish", "SNS:Subscribe"],
            "Resource": t.arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT_ID}}}]})
        .to_string()
    });
    attrs.insert(
        "EffectiveDeliveryPolicy".into(),
        t.attributes.get("DeliveryPolicy").cloned().unwrap_or_else(|| {
            r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false}}"#.to_string()
        }),
    );
    Ok(json!({"Attributes": attrs}))
}

/// SetTopicAttributes request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetTopicAttributesInput {
    /// The topic's ARN.
    pub topic_arn: String,
    /// Attribute to set.
    pub attribute_name: String,
    /// New value.
    #[serde(default)]
    pub attribute_value: String,
}

/// SetTopicAttributes: changes one attribute.
pub fn set_topic_attributes(cloud: &mut Cloud, input: SetTopicAttributesInput) -> CloudResult<()> {
    let t = topic_mut(cloud, &input.topic_arn)?;
    if input.attribute_name == "FifoTopic" {
        return Err(invalid(
            "AttributeName: FifoTopic can't be changed after creation",
        ));
    }
    check_attribute(&input.attribute_name, &input.attribute_value, t.fifo)?;
    t.attributes
        .insert(input.attribute_name, input.attribute_value);
    Ok(())
}

/// TagResource request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceInput {
    /// The topic's ARN.
    pub resource_arn: String,
    /// Tags to add.
    pub tags: Vec<Tag>,
}

/// TagResource.
pub fn tag_resource(cloud: &mut Cloud, input: TagResourceInput) -> CloudResult<()> {
    let t = topic_mut(cloud, &input.resource_arn)?;
    for tag in input.tags {
        t.tags.insert(tag.key, tag.value);
    }
    if t.tags.len() > 50 {
        return Err(CloudError::new(
            "TagLimitExceeded",
            "Could not complete request: tag quota of per resource exceeded",
        ));
    }
    Ok(())
}

/// UntagResource request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceInput {
    /// The topic's ARN.
    pub resource_arn: String,
    /// Keys to remove.
    pub tag_keys: Vec<String>,
}

/// UntagResource.
pub fn untag_resource(cloud: &mut Cloud, input: UntagResourceInput) -> CloudResult<()> {
    let t = topic_mut(cloud, &input.resource_arn)?;
    for k in &input.tag_keys {
        t.tags.remove(k);
    }
    Ok(())
}

/// ListTagsForResource request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceArnInput {
    /// The topic's ARN.
    pub resource_arn: String,
}

/// ListTagsForResource.
pub fn list_tags_for_resource(cloud: &mut Cloud, input: ResourceArnInput) -> CloudResult<Value> {
    let t = topic_mut(cloud, &input.resource_arn)?;
    let tags: Vec<Tag> = t
        .tags
        .iter()
        .map(|(k, v)| Tag {
            key: k.clone(),
            value: v.clone(),
        })
        .collect();
    Ok(json!({ "Tags": tags }))
}

/// AddPermission request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddPermissionInput {
    /// The topic's ARN.
    pub topic_arn: String,
    /// Statement id.
    pub label: String,
    /// Accounts.
    #[serde(rename = "AWSAccountId")]
    pub aws_account_id: Vec<String>,
    /// Actions (`Publish` ...).
    pub action_name: Vec<String>,
}

/// AddPermission: adds a statement to the topic policy.
pub fn add_permission(cloud: &mut Cloud, input: AddPermissionInput) -> CloudResult<()> {
    let t = topic_mut(cloud, &input.topic_arn)?;
    let mut policy: Value = t
        .attributes
        .get("Policy")
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_else(|| json!({"Version": "2008-10-17", "Statement": []}));
    let statements = policy["Statement"]
        .as_array_mut()
        .ok_or_else(|| invalid("Policy: no Statement list"))?;
    if statements.iter().any(|s| s["Sid"] == input.label.as_str()) {
        return Err(invalid("Statement already exists"));
    }
    statements.push(json!({
        "Sid": input.label, "Effect": "Allow",
        "Principal": {"AWS": input.aws_account_id.iter().map(|a| format!("arn:aws:iam::{a}:root")).collect::<Vec<_>>()},
        "Action": input.action_name.iter().map(|a| format!("SNS:{a}")).collect::<Vec<_>>(),
        "Resource": t.arn,
    }));
    t.attributes.insert("Policy".into(), policy.to_string());
    Ok(())
}

/// RemovePermission request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemovePermissionInput {
    /// The topic's ARN.
    pub topic_arn: String,
    /// Statement id.
    pub label: String,
}

/// RemovePermission.
pub fn remove_permission(cloud: &mut Cloud, input: RemovePermissionInput) -> CloudResult<()> {
    let t = topic_mut(cloud, &input.topic_arn)?;
    let mut policy: Value = t
        .attributes
        .get("Policy")
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null);
    let Some(statements) = policy.get_mut("Statement").and_then(Value::as_array_mut) else {
        return Err(invalid("Label: no such statement"));
    };
    let before = statements.len();
    statements.retain(|s| s["Sid"] != input.label.as_str());
    if statements.len() == before {
        return Err(invalid("Label: no such statement"));
    }
    t.attributes.insert("Policy".into(), policy.to_string());
    Ok(())
}

//! Queue-level actions: CreateQueue, DeleteQueue, GetQueueUrl, ListQueues,
//! Get/SetQueueAttributes, PurgeQueue, ListDeadLetterSourceQueues, tags and
//! permissions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{bill, invalid, name_from_arn, queue_mut};
use crate::cloud::{ACCOUNT_ID, Cloud};
use crate::error::{CloudError, CloudResult};
use crate::sqs::config::{QueueConfig, READ_ONLY, SETTABLE};
use crate::sqs::model::QueueState;
use crate::sqs::quotas::*;
use crate::time::DurationExt;

/// Checks a queue name: 1-80 characters of `[A-Za-z0-9_-]`, FIFO names end in `.fifo`.
pub(crate) fn check_name(name: &str, fifo: bool) -> CloudResult<()> {
    let stem = if fifo {
        name.strip_suffix(".fifo").ok_or_else(|| {
            invalid(format!(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length. Got '{name}'."
            ))
        })?
    } else {
        name
    };
    let ok = !stem.is_empty()
        && name.len() <= MAX_QUEUE_NAME_LEN
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(invalid(format!(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length. Got '{name}'{}.",
            if name.ends_with(".fifo") && !fifo {
                " (a name ending in .fifo needs the attribute FifoQueue=true)"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

/// CreateQueue request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateQueueInput {
    /// Queue name.
    pub queue_name: String,
    /// Attributes as strings (`"VisibilityTimeout": "60"`).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Tags (the API spells this member in lower case).
    #[serde(default, rename = "tags")]
    pub tags: BTreeMap<String, String>,
}

/// Response with a queue URL.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueueUrlOutput {
    /// The queue's URL.
    pub queue_url: String,
}

/// CreateQueue: creates a queue, or returns the URL of an identical existing one.
pub fn create_queue(cloud: &mut Cloud, input: CreateQueueInput) -> CloudResult<QueueUrlOutput> {
    let mut config = QueueConfig::default();
    config.apply(&input.attributes, true)?;
    check_name(&input.queue_name, config.fifo)?;
    let now = cloud.core.now;
    if let Some(existing) = cloud.sqs.queues.get(input.queue_name.as_str()) {
        if let Some(attr) = existing.config.differs_from(&config) {
            return Err(CloudError::new(
                "QueueNameExists",
                format!(
                    "A queue already exists with the same name and a different value for attribute {attr}."
                ),
            ));
        }
        return Ok(QueueUrlOutput {
            queue_url: existing.url.clone(),
        });
    }
    if let Some(deleted) = cloud.sqs.deleted.get(&input.queue_name)
        && now.since(*deleted) < (DELETED_NAME_REUSE as u64).secs()
    {
        return Err(CloudError::new(
            "QueueDeletedRecently",
            format!(
                "You must wait {DELETED_NAME_REUSE} seconds after deleting a queue before you can create another with the same name."
            ),
        ));
    }
    check_redrive(cloud, &input.queue_name, &config)?;
    if input.tags.len() > MAX_TAGS {
        return Err(invalid(format!(
            "Too many tags: at most {MAX_TAGS} per queue."
        )));
    }
    cloud.sqs.next_id += 1;
    let id = cloud.sqs.next_id;
    let mut queue = QueueState::new(id, &input.queue_name, config, now, &mut cloud.core.rng);
    queue.tags = input.tags;
    let url = queue.url.clone();
    let name = queue.name.clone();
    cloud.sqs.queues.insert(name.clone(), queue);
    cloud.core.trace("sqs", &name, "create-queue", url.clone());
    bill(cloud, input.queue_name.ends_with(".fifo"), 0);
    Ok(QueueUrlOutput { queue_url: url })
}

/// Checks a redrive policy: the DLQ exists, has the same type, and allows this source.
fn check_redrive(cloud: &Cloud, source: &str, config: &QueueConfig) -> CloudResult<()> {
    let Some(policy) = &config.redrive_policy else {
        return Ok(());
    };
    let dlq_name = name_from_arn(&policy.dead_letter_target_arn)?;
    let Some(dlq) = cloud.sqs.queues.get(dlq_name.as_str()) else {
        return Err(invalid(format!(
            "Value {{\"deadLetterTargetArn\":\"{}\"}} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.",
            policy.dead_letter_target_arn
        )));
    };
    if dlq.config.fifo != config.fifo {
        return Err(invalid(
            "Value for parameter RedrivePolicy is invalid. Reason: The dead-letter queue of a FIFO queue must also be a FIFO queue, and of a standard queue a standard queue.",
        ));
    }
    if dlq_name == source {
        return Err(invalid(
            "Value for parameter RedrivePolicy is invalid. Reason: A queue can't be its own dead-letter queue.",
        ));
    }
    let source_arn = crate::cloud::arn("sqs", source);
    if let Some(allow) = &dlq.config.redrive_allow_policy
        && !allow.allows(&source_arn)
    {
        return Err(invalid(format!(
            "Value for parameter RedrivePolicy is invalid. Reason: Queue {dlq_name}'s RedriveAllowPolicy does not allow {source} to use it as a dead-letter queue."
        )));
    }
    Ok(())
}

/// A request naming one queue.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueueUrlInput {
    /// The queue's URL.
    pub queue_url: String,
}

/// DeleteQueue: deletes a queue and every message in it.
pub fn delete_queue(cloud: &mut Cloud, input: QueueUrlInput) -> CloudResult<()> {
    let name = queue_mut(cloud, &input.queue_url)?.name.clone();
    let queue = cloud.sqs.queues.remove(&name).expect("looked up");
    cloud.sqs.deleted.insert(name.to_string(), cloud.core.now);
    cloud.core.trace(
        "sqs",
        &name,
        "delete-queue",
        format!("{} messages deleted with it", queue.messages.len()),
    );
    cloud.sqs.graveyard.push(queue);
    bill(cloud, name.ends_with(".fifo"), 0);
    Ok(())
}

/// GetQueueUrl request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetQueueUrlInput {
    /// Queue name.
    pub queue_name: String,
    /// Owner account (only this account exists here).
    #[serde(default, rename = "QueueOwnerAWSAccountId")]
    pub queue_owner_aws_account_id: Option<String>,
}

/// GetQueueUrl: the URL of a queue by name.
pub fn get_queue_url(cloud: &mut Cloud, input: GetQueueUrlInput) -> CloudResult<QueueUrlOutput> {
    let not_found = || {
        CloudError::new(
            "QueueDoesNotExist",
            format!("The specified queue {} does not exist.", input.queue_name),
        )
    };
    if input
        .queue_owner_aws_account_id
        .as_deref()
        .is_some_and(|a| a != ACCOUNT_ID)
    {
        return Err(not_found());
    }
    let url = cloud
        .sqs
        .queues
        .get(input.queue_name.as_str())
        .map(|q| q.url.clone())
        .ok_or_else(not_found)?;
    let fifo = input.queue_name.ends_with(".fifo");
    bill(cloud, fifo, 0);
    Ok(QueueUrlOutput { queue_url: url })
}

/// ListQueues request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListQueuesInput {
    /// Only queues whose names start with this.
    pub queue_name_prefix: Option<String>,
    /// Page size (1-1000).
    pub max_results: Option<usize>,
    /// Token from a previous page.
    pub next_token: Option<String>,
}

/// ListQueues response.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListQueuesOutput {
    /// Queue URLs, in name order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queue_urls: Vec<String>,
    /// Present when there are more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// ListQueues: queue URLs, optionally by prefix, paginated.
pub fn list_queues(cloud: &mut Cloud, input: ListQueuesInput) -> CloudResult<ListQueuesOutput> {
    let prefix = input.queue_name_prefix.unwrap_or_default();
    let names: Vec<&str> = cloud
        .sqs
        .queues
        .keys()
        .map(|k| &**k)
        .filter(|n| n.starts_with(&prefix))
        .collect();
    let page = paginate(&names, input.max_results, input.next_token.as_deref())?;
    let out = ListQueuesOutput {
        queue_urls: page.0.iter().map(|n| crate::sqs::queue_url(n)).collect(),
        next_token: page.1,
    };
    bill(cloud, false, 0);
    Ok(out)
}

/// Splits `items` into a page: (items, next token). Tokens are offsets.
pub(crate) fn paginate<'a, T>(
    items: &'a [T],
    max: Option<usize>,
    token: Option<&str>,
) -> CloudResult<(&'a [T], Option<String>)> {
    let start = match token {
        None => 0,
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|s| *s <= items.len())
            .ok_or_else(|| invalid(format!("Invalid NextToken value '{t}'.")))?,
    };
    let size = match max {
        None if token.is_none() => items.len(),
        None => MAX_LIST_RESULTS,
        Some(m) if (1..=MAX_LIST_RESULTS).contains(&m) => m,
        Some(m) => {
            return Err(invalid(format!(
                "Value {m} for parameter MaxResults is invalid. Reason: must be between 1 and {MAX_LIST_RESULTS}."
            )));
        }
    };
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    Ok((&items[start..end], next))
}

/// GetQueueAttributes request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetQueueAttributesInput {
    /// The queue's URL.
    pub queue_url: String,
    /// Names to return, or `All`.
    #[serde(default)]
    pub attribute_names: Vec<String>,
}

/// A map of queue attributes.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributesOutput {
    /// Attribute values as strings.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

/// GetQueueAttributes: the queue's settings and approximate counts.
pub fn get_queue_attributes(
    cloud: &mut Cloud,
    input: GetQueueAttributesInput,
) -> CloudResult<AttributesOutput> {
    let now = cloud.core.now;
    crate::sqs::ops::messages::expire_queue(cloud, &input.queue_url)?;
    let q = queue_mut(cloud, &input.queue_url)?;
    let mut all = q.config.to_map();
    let (visible, in_flight, delayed) = q.counts(now);
    all.insert("ApproximateNumberOfMessages".into(), visible.to_string());
    all.insert(
        "ApproximateNumberOfMessagesNotVisible".into(),
        in_flight.to_string(),
    );
    all.insert(
        "ApproximateNumberOfMessagesDelayed".into(),
        delayed.to_string(),
    );
    all.insert("CreatedTimestamp".into(), q.created.unix_secs().to_string());
    all.insert(
        "LastModifiedTimestamp".into(),
        q.last_modified.unix_secs().to_string(),
    );
    all.insert("QueueArn".into(), q.arn.clone());
    let fifo = q.fifo();
    let mut out = BTreeMap::new();
    for name in &input.attribute_names {
        if name == "All" {
            out.extend(all.clone());
        } else if SETTABLE.contains(&name.as_str()) || READ_ONLY.contains(&name.as_str()) {
            if let Some(v) = all.get(name) {
                out.insert(name.clone(), v.clone());
            }
        } else {
            return Err(CloudError::new(
                "InvalidAttributeName",
                format!("Unknown Attribute {name}."),
            ));
        }
    }
    bill(cloud, fifo, 0);
    Ok(AttributesOutput { attributes: out })
}

/// SetQueueAttributes request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetQueueAttributesInput {
    /// The queue's URL.
    pub queue_url: String,
    /// Attributes to change.
    pub attributes: BTreeMap<String, String>,
}

/// SetQueueAttributes: changes settings (all or nothing).
pub fn set_queue_attributes(cloud: &mut Cloud, input: SetQueueAttributesInput) -> CloudResult<()> {
    let now = cloud.core.now;
    let q = queue_mut(cloud, &input.queue_url)?;
    let mut config = q.config.clone();
    config.apply(&input.attributes, false)?;
    let name = q.name.clone();
    check_redrive(cloud, &name, &config)?;
    let q = queue_mut(cloud, &input.queue_url)?;
    q.config = config;
    q.last_modified = now;
    let fifo = q.fifo();
    let changed: Vec<&String> = input.attributes.keys().collect();
    cloud
        .core
        .trace("sqs", &name, "set-attributes", format!("{changed:?}"));
    bill(cloud, fifo, 0);
    Ok(())
}

/// PurgeQueue: deletes every message sent before the call (once per 60 s).
pub fn purge_queue(cloud: &mut Cloud, input: QueueUrlInput) -> CloudResult<()> {
    let now = cloud.core.now;
    let q = queue_mut(cloud, &input.queue_url)?;
    if let Some(last) = q.last_purge
        && now.since(last) < (PURGE_INTERVAL as u64).secs()
    {
        return Err(CloudError::new(
            "PurgeQueueInProgress",
            format!(
                "Only one PurgeQueue operation on {} is allowed every {PURGE_INTERVAL} seconds.",
                q.name
            ),
        ));
    }
    q.last_purge = Some(now);
    let n = q.purge(now);
    let (name, fifo) = (q.name.clone(), q.fifo());
    cloud
        .core
        .trace("sqs", &name, "purge", format!("{n} messages deleted"));
    bill(cloud, fifo, 0);
    Ok(())
}

/// ListDeadLetterSourceQueues request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDeadLetterSourceQueuesInput {
    /// The dead-letter queue's URL.
    pub queue_url: String,
    /// Page size.
    pub max_results: Option<usize>,
    /// Token from a previous page.
    pub next_token: Option<String>,
}

/// ListDeadLetterSourceQueues response (AWS spells `queueUrls` in lower camel case).
#[derive(Clone, Debug, Default, Serialize)]
pub struct ListDeadLetterSourceQueuesOutput {
    /// Queues whose redrive policy targets this queue.
    #[serde(rename = "queueUrls")]
    pub queue_urls: Vec<String>,
    /// Present when there are more.
    #[serde(rename = "NextToken", skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// ListDeadLetterSourceQueues: queues that use this one as their DLQ.
pub fn list_dead_letter_source_queues(
    cloud: &mut Cloud,
    input: ListDeadLetterSourceQueuesInput,
) -> CloudResult<ListDeadLetterSourceQueuesOutput> {
    let arn = queue_mut(cloud, &input.queue_url)?.arn.clone();
    let urls: Vec<String> = cloud
        .sqs
        .queues
        .values()
        .filter(|q| {
            q.config
                .redrive_policy
                .as_ref()
                .is_some_and(|r| r.dead_letter_target_arn == arn)
        })
        .map(|q| q.url.clone())
        .collect();
    let (page, next) = paginate(&urls, input.max_results, input.next_token.as_deref())?;
    let out = ListDeadLetterSourceQueuesOutput {
        queue_urls: page.to_vec(),
        next_token: next,
    };
    bill(cloud, false, 0);
    Ok(out)
}

/// TagQueue request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagQueueInput {
    /// The queue's URL.
    pub queue_url: String,
    /// Tags to add or overwrite.
    pub tags: BTreeMap<String, String>,
}

/// TagQueue: adds tags.
pub fn tag_queue(cloud: &mut Cloud, input: TagQueueInput) -> CloudResult<()> {
    let q = queue_mut(cloud, &input.queue_url)?;
    let mut tags = q.tags.clone();
    tags.extend(input.tags);
    if tags.len() > MAX_TAGS {
        return Err(invalid(format!(
            "Too many tags: at most {MAX_TAGS} per queue."
        )));
    }
    q.tags = tags;
    let fifo = q.fifo();
    bill(cloud, fifo, 0);
    Ok(())
}

/// UntagQueue request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagQueueInput {
    /// The queue's URL.
    pub queue_url: String,
    /// Keys to remove.
    pub tag_keys: Vec<String>,
}

/// UntagQueue: removes tags.
pub fn untag_queue(cloud: &mut Cloud, input: UntagQueueInput) -> CloudResult<()> {
    let q = queue_mut(cloud, &input.queue_url)?;
    for k in &input.tag_keys {
        q.tags.remove(k);
    }
    let fifo = q.fifo();
    bill(cloud, fifo, 0);
    Ok(())
}

/// ListQueueTags response.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListQueueTagsOutput {
    /// The queue's tags.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// ListQueueTags: the queue's tags.
pub fn list_queue_tags(
    cloud: &mut Cloud,
    input: QueueUrlInput,
) -> CloudResult<ListQueueTagsOutput> {
    let q = queue_mut(cloud, &input.queue_url)?;
    let out = ListQueueTagsOutput {
        tags: q.tags.clone(),
    };
    let fifo = q.fifo();
    bill(cloud, fifo, 0);
    Ok(out)
}

/// AddPermission request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddPermissionInput {
    /// The queue's URL.
    pub queue_url: String,
    /// Statement id.
    pub label: String,
    /// Principals' account ids.
    #[serde(rename = "AWSAccountIds")]
    pub aws_account_ids: Vec<String>,
    /// Actions (`SendMessage`, `*` ...).
    pub actions: Vec<String>,
}

/// AddPermission: adds a statement to the queue's access policy.
pub fn add_permission(cloud: &mut Cloud, input: AddPermissionInput) -> CloudResult<()> {
    if input.aws_account_ids.is_empty() || input.actions.is_empty() {
        return Err(CloudError::new(
            "MissingParameter",
            "AddPermission needs at least one account id and one action.",
        ));
    }
    let q = queue_mut(cloud, &input.queue_url)?;
    let mut policy: serde_json::Value = q
        .config
        .policy
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_else(|| serde_json::json!({"Version": "2012-10-17", "Statement": []}));
    let statements = policy["Statement"]
        .as_array_mut()
        .ok_or_else(|| invalid("The queue's policy has no Statement list."))?;
    if statements.iter().any(|s| s["Sid"] == input.label.as_str()) {
        return Err(invalid(format!(
            "Value {} for parameter Label is invalid. Reason: Already exists.",
            input.label
        )));
    }
    statements.push(serde_json::json!({
        "Sid": input.label,
        "Effect": "Allow",
        "Principal": {"AWS": input.aws_account_ids.iter().map(|a| format!("arn:aws:iam::{a}:root")).collect::<Vec<_>>()},
        "Action": input.actions.iter().map(|a| format!("SQS:{a}")).collect::<Vec<_>>(),
        "Resource": q.arn,
    }));
    q.config.policy = Some(policy.to_string());
    let fifo = q.fifo();
    bill(cloud, fifo, 0);
    Ok(())
}

/// RemovePermission request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemovePermissionInput {
    /// The queue's URL.
    pub queue_url: String,
    /// Statement id to remove.
    pub label: String,
}

/// RemovePermission: removes a statement from the queue's access policy.
pub fn remove_permission(cloud: &mut Cloud, input: RemovePermissionInput) -> CloudResult<()> {
    let q = queue_mut(cloud, &input.queue_url)?;
    let mut policy: serde_json::Value = q
        .config
        .policy
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(serde_json::Value::Null);
    let statements = policy.get_mut("Statement").and_then(|s| s.as_array_mut());
    let Some(statements) = statements else {
        return Err(invalid(format!(
            "Value {} for parameter Label is invalid. Reason: can't find label.",
            input.label
        )));
    };
    let before = statements.len();
    statements.retain(|s| s["Sid"] != input.label.as_str());
    if statements.len() == before {
        return Err(invalid(format!(
            "Value {} for parameter Label is invalid. Reason: can't find label.",
            input.label
        )));
    }
    q.config.policy = Some(policy.to_string());
    let fifo = q.fifo();
    bill(cloud, fifo, 0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("orders-2_b", false).is_ok());
        assert!(check_name("orders.fifo", true).is_ok());
        assert!(
            check_name("orders.fifo", false)
                .unwrap_err()
                .message
                .contains("FifoQueue")
        );
        assert!(check_name("orders", true).is_err());
        assert!(check_name("", false).is_err());
        assert!(check_name(&"a".repeat(81), false).is_err());
        assert!(check_name(&"a".repeat(80), false).is_ok());
        assert!(check_name(&format!("{}.fifo", "a".repeat(75)), true).is_ok());
        assert!(check_name(&format!("{}.fifo", "a".repeat(76)), true).is_err());
    }

    #[test]
    fn pages() {
        let items = [1, 2, 3, 4, 5];
        let (p, next) = paginate(&items, Some(2), None).unwrap();
        assert_eq!((p, next.as_deref()), (&[1, 2][..], Some("2")));
        let (p, next) = paginate(&items, Some(2), Some("4")).unwrap();
        assert_eq!((p, next), (&[5][..], None));
        assert!(paginate(&items, Some(0), None).is_err());
        assert!(paginate(&items, None, Some("x")).is_err());
    }
}

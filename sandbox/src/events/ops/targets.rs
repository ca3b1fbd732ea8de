//! PutTargets, RemoveTargets, ListTargetsByRule, and [`Target`]: one target
//! of a rule, as the API has it and as a builder for the typed face.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::*;
use crate::events::quotas::*;
use crate::events::transform;

/// Where a rule sends matching events, and how (EventBridge's `Target`).
///
/// ```
/// use cloudlab::prelude::*;
/// use cloudlab::events::Target;
/// let q = Queue::named("orders");
/// let t = Target::queue(&q)
///     .input_path("$.detail")
///     .retry(3, 10.mins());
/// assert_eq!(t.id, "orders");
/// assert_eq!(t.arn, q.arn);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    /// The target's id within its rule.
    pub id: String,
    /// The ARN of the queue, topic, function, state machine or bus.
    pub arn: String,
    /// The role EventBridge would assume (accepted, not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Constant JSON text sent instead of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// A JSONPath (`$.detail`) selecting the part of the event to send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_path: Option<String>,
    /// Variables taken from the event, filled into a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_transformer: Option<InputTransformer>,
    /// FIFO queues: the message group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqs_parameters: Option<SqsParameters>,
    /// Where events that cannot be delivered go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// How long and how often to retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
}

/// `InputTransformer`: `InputPathsMap` (variable -> JSONPath) and `InputTemplate`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InputTransformer {
    /// Variables and the JSONPaths they read.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub input_paths_map: BTreeMap<String, String>,
    /// The text sent, with `<variable>` placeholders.
    pub input_template: String,
}

/// `SqsParameters`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SqsParameters {
    /// The FIFO message group of every message.
    pub message_group_id: Option<String>,
}

/// `DeadLetterConfig`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeadLetterConfig {
    /// A standard SQS queue's ARN.
    pub arn: Option<String>,
}

/// `RetryPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetryPolicy {
    /// 0-185 (default 185).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<u32>,
    /// 60-86,400 (default 86,400: 24 hours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_event_age_in_seconds: Option<u64>,
}

/// A target id from a resource name: the characters AWS allows, at most 64.
fn id_from(name: &str) -> String {
    let id: String = name
        .chars()
        .map(|c| if name_char(c) { c } else { '-' })
        .take(MAX_TARGET_ID)
        .collect();
    if id.is_empty() { "target".into() } else { id }
}

impl Target {
    /// A target by ARN, with an id.
    pub fn arn(id: &str, arn: &str) -> Target {
        Target {
            id: id.to_string(),
            arn: arn.to_string(),
            ..Default::default()
        }
    }

    /// An SQS queue (id: the queue's name). FIFO queues need [`Target::message_group`].
    pub fn queue(q: &crate::sqs::Queue) -> Target {
        Target::arn(&id_from(&q.name), &q.arn)
    }

    /// An SNS topic (id: the topic's name).
    pub fn topic(t: &crate::sns::Topic) -> Target {
        Target::arn(&id_from(&t.name), &t.arn)
    }

    /// A Lambda function, invoked asynchronously (id: the function's name).
    pub fn function(f: &crate::lambda::FunctionRef) -> Target {
        Target::arn(&id_from(&f.name), &f.arn)
    }

    /// A Step Functions state machine: each event starts an execution with
    /// the event (or the target's input) as its input (id: the machine's name).
    pub fn state_machine(sm: &crate::states::StateMachine) -> Target {
        Target::arn(&id_from(&sm.name), &sm.arn)
    }

    /// Another event bus (id: the bus's name).
    pub fn bus(b: &crate::events::Bus) -> Target {
        Target::arn(&id_from(&b.name), &b.arn)
    }

    /// Another id.
    pub fn id(mut self, id: &str) -> Target {
        self.id = id.to_string();
        self
    }

    /// Sends this constant JSON instead of the event.
    pub fn input(mut self, json: Value) -> Target {
        self.input = Some(json.to_string());
        self
    }

    /// Sends only the part of the event at `path` (`$.detail`).
    pub fn input_path(mut self, path: &str) -> Target {
        self.input_path = Some(path.to_string());
        self
    }

    /// Fills `template` with variables read from the event: `paths` maps
    /// variable names to JSONPaths; the template names them as `<name>`.
    pub fn transform<'a>(
        mut self,
        paths: impl IntoIterator<Item = (&'a str, &'a str)>,
        template: &str,
    ) -> Target {
        self.input_transformer = Some(InputTransformer {
            input_paths_map: paths
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            input_template: template.to_string(),
        });
        self
    }

    /// Sends events that cannot be delivered to this standard queue.
    pub fn dead_letter_queue(mut self, q: &crate::sqs::Queue) -> Target {
        self.dead_letter_config = Some(DeadLetterConfig {
            arn: Some(q.arn.clone()),
        });
        self
    }

    /// Retries at most `attempts` times, for at most `max_age`.
    pub fn retry(mut self, attempts: u32, max_age: Duration) -> Target {
        self.retry_policy = Some(RetryPolicy {
            maximum_retry_attempts: Some(attempts),
            maximum_event_age_in_seconds: Some(max_age.as_secs()),
        });
        self
    }

    /// The FIFO message group for a FIFO queue target.
    pub fn message_group(mut self, group: &str) -> Target {
        self.sqs_parameters = Some(SqsParameters {
            message_group_id: Some(group.to_string()),
        });
        self
    }
}

/// The kinds of resources a target may be.
fn target_kind(arn: &str) -> Option<&'static str> {
    match parse_arn(arn)? {
        ("sqs", ..) => Some("sqs"),
        ("sns", ..) => Some("sns"),
        ("lambda", _, _, r) if r.starts_with("function:") => Some("lambda"),
        ("events", _, _, r) if r.starts_with("event-bus/") => Some("bus"),
        ("states", _, _, r) if r.starts_with("stateMachine:") => Some("states"),
        _ => None,
    }
}

/// Checks one target as PutTargets does (`i`: its 1-based place in the request).
fn check_target(t: &Target, i: usize) -> CloudResult<()> {
    check_name(
        &format!("targets.{i}.member.id"),
        &t.id,
        MAX_TARGET_ID,
        "[\\.\\-_A-Za-z0-9]+",
        name_char,
    )?;
    if target_kind(&t.arn).is_none() {
        return Err(validation(format!(
            "Parameter {} is not valid. Reason: Provided Arn is not in correct format, or is not a queue, topic, function, state machine or event bus.",
            t.arn
        )));
    }
    let given = [
        t.input.is_some(),
        t.input_path.is_some(),
        t.input_transformer.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(validation(format!(
            "Only one of Input, InputPath, or InputTransformer may be specified for target {}.",
            t.id
        )));
    }
    if let Some(input) = &t.input
        && (input.chars().count() > MAX_INPUT_CHARS
            || serde_json::from_str::<Value>(input).is_err())
    {
        return Err(validation(format!(
            "Input for target {} is not valid JSON text of at most {MAX_INPUT_CHARS} characters.",
            t.id
        )));
    }
    if let Some(p) = &t.input_path {
        transform::parse_path(p).map_err(|why| {
            validation(format!("InputPath for target {} is invalid: {why}", t.id))
        })?;
    }
    if let Some(tr) = &t.input_transformer {
        transform::check_transformer(tr).map_err(|why| {
            validation(format!(
                "InputTransformer for target {} is invalid: {why}",
                t.id
            ))
        })?;
    }
    if t.arn.ends_with(".fifo") && target_kind(&t.arn) == Some("sqs") {
        let group = t
            .sqs_parameters
            .as_ref()
            .and_then(|p| p.message_group_id.as_ref());
        if group.is_none() {
            return Err(validation(format!(
                "Parameter(s) SqsParameters must be specified for target: {}.",
                t.id
            )));
        }
    }
    if let Some(arn) = t.dead_letter_arn() {
        let ok = matches!(parse_arn(arn), Some(("sqs", _, _, q)) if !q.ends_with(".fifo"));
        if !ok {
            return Err(validation(format!(
                "DeadLetterConfig.Arn of target {} must be the ARN of a standard SQS queue.",
                t.id
            )));
        }
    }
    if let Some(p) = &t.retry_policy {
        if let Some(n) = p.maximum_retry_attempts.filter(|&n| n > MAX_RETRY_ATTEMPTS) {
            return Err(constraint(
                &format!("targets.{i}.member.retryPolicy.maximumRetryAttempts"),
                &n.to_string(),
                &format!("have value less than or equal to {MAX_RETRY_ATTEMPTS}"),
            ));
        }
        if let Some(s) = p
            .maximum_event_age_in_seconds
            .filter(|s| !(MIN_EVENT_AGE_SECS..=MAX_EVENT_AGE_SECS).contains(s))
        {
            return Err(constraint(
                &format!("targets.{i}.member.retryPolicy.maximumEventAgeInSeconds"),
                &s.to_string(),
                &format!("have value between {MIN_EVENT_AGE_SECS} and {MAX_EVENT_AGE_SECS}"),
            ));
        }
    }
    Ok(())
}

/// PutTargets request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutTargetsInput {
    /// The rule's name.
    pub rule: String,
    /// The bus (name or ARN); the default bus when absent.
    pub event_bus_name: Option<String>,
    /// 1-10 targets to add or replace (by id).
    pub targets: Vec<Target>,
}

/// PutTargets: adds targets or replaces those with the same ids (at most five per rule).
pub fn put_targets(cloud: &mut Cloud, input: PutTargetsInput) -> CloudResult<Value> {
    let bus = bus_name(input.event_bus_name.as_deref())?;
    let n = input.targets.len();
    if n == 0 || n > 10 {
        return Err(constraint(
            "targets",
            &format!("{n} targets"),
            "have length between 1 and 10",
        ));
    }
    for (i, t) in input.targets.iter().enumerate() {
        check_target(t, i + 1)?;
    }
    let rule = rule_mut(cloud, &bus, &input.rule)?;
    let new_ids = input
        .targets
        .iter()
        .filter(|t| !rule.targets.iter().any(|old| old.id == t.id))
        .count();
    if rule.targets.len() + new_ids > MAX_TARGETS_PER_RULE {
        return Err(limit_exceeded());
    }
    let mut added = Vec::new();
    for t in input.targets {
        added.push(format!("{} -> {}", t.id, t.arn));
        match rule.targets.iter_mut().find(|old| old.id == t.id) {
            Some(old) => *old = t,
            None => rule.targets.push(t),
        }
    }
    let bus_arc = rule.bus.clone();
    let rule_name = rule.name.clone();
    cloud.core.trace(
        "events",
        &bus_arc,
        "put-targets",
        format!("{rule_name}: {}", added.join(", ")),
    );
    Ok(json!({ "FailedEntryCount": 0, "FailedEntries": [] }))
}

/// RemoveTargets request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemoveTargetsInput {
    /// The rule's name.
    pub rule: String,
    /// The bus (name or ARN); the default bus when absent.
    pub event_bus_name: Option<String>,
    /// Target ids.
    pub ids: Vec<String>,
    /// For managed rules (accepted).
    #[serde(default)]
    pub force: bool,
}

/// RemoveTargets: ids the rule does not have are reported as failed entries.
pub fn remove_targets(cloud: &mut Cloud, input: RemoveTargetsInput) -> CloudResult<Value> {
    let bus = bus_name(input.event_bus_name.as_deref())?;
    if input.ids.is_empty() || input.ids.len() > 100 {
        return Err(constraint(
            "ids",
            &format!("{} ids", input.ids.len()),
            "have length between 1 and 100",
        ));
    }
    let rule = rule_mut(cloud, &bus, &input.rule)?;
    let mut failed = Vec::new();
    for id in &input.ids {
        match rule.targets.iter().position(|t| t.id == *id) {
            Some(i) => {
                rule.targets.remove(i);
            }
            None => failed.push(json!({
                "TargetId": id,
                "ErrorCode": "ResourceNotFoundException",
                "ErrorMessage": format!("Target {id} does not exist on rule {}.", input.rule),
            })),
        }
    }
    let bus_arc = rule.bus.clone();
    cloud.core.trace(
        "events",
        &bus_arc,
        "remove-targets",
        format!("{}: {}", input.rule, input.ids.join(", ")),
    );
    Ok(json!({ "FailedEntryCount": failed.len(), "FailedEntries": failed }))
}

/// ListTargetsByRule request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTargetsByRuleInput {
    /// The rule's name.
    pub rule: String,
    /// The bus (name or ARN); the default bus when absent.
    pub event_bus_name: Option<String>,
    /// Token from a previous page.
    pub next_token: Option<String>,
    /// Page size, 1-100.
    pub limit: Option<u32>,
}

/// ListTargetsByRule.
pub fn list_targets_by_rule(
    cloud: &mut Cloud,
    input: ListTargetsByRuleInput,
) -> CloudResult<Value> {
    let bus = bus_name(input.event_bus_name.as_deref())?;
    let rule = rule_mut(cloud, &bus, &input.rule)?;
    let all: Vec<Value> = rule
        .targets
        .iter()
        .map(|t| serde_json::to_value(t).unwrap_or(Value::Null))
        .collect();
    let (targets, next) = page(all, input.next_token.as_deref(), input.limit)?;
    let mut out = json!({ "Targets": targets });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

//! PutBucketNotificationConfiguration and GetBucketNotificationConfiguration:
//! which events of a bucket go to which Lambda function, queue or topic (with
//! key prefix/suffix filters), and whether they also go to EventBridge.

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::{TIER1, TIER2, bill, bucket, bucket_mut, invalid, trace};
use crate::cloud::{Cloud, parse_arn};
use crate::error::{CloudError, CloudResult};
use crate::s3::events::send_test_events;
use crate::s3::model::{Destination, Notifications, Rule, event_matches};

/// Event types a notification configuration may name (S3 User Guide,
/// "Supported event types"). The sandbox emits `ObjectCreated:Put`,
/// `ObjectCreated:Copy` and `ObjectRemoved:Delete`.
pub const EVENT_TYPES: &[&str] = &[
    "s3:TestEvent",
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:Replication:OperationNotTracked",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
];

/// One `prefix` or `suffix` rule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FilterRule {
    /// `prefix` or `suffix`.
    pub name: String,
    /// The value.
    pub value: String,
}

/// `Filter.Key` of a configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyFilter {
    /// At most one prefix and one suffix rule.
    #[serde(default)]
    pub filter_rules: Vec<FilterRule>,
}

/// The `Filter` of a configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Filter {
    /// Key name filters.
    #[serde(rename = "Key")]
    pub key: KeyFilter,
}

/// Events to an SNS topic.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicConfiguration {
    /// Configuration id (`configurationId` in records; generated when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The topic.
    pub topic_arn: String,
    /// Event types.
    pub events: Vec<String>,
    /// Key filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
}

/// Events to an SQS queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueueConfiguration {
    /// Configuration id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The queue.
    pub queue_arn: String,
    /// Event types.
    pub events: Vec<String>,
    /// Key filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
}

/// Events to a Lambda function (invoked asynchronously).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LambdaFunctionConfiguration {
    /// Configuration id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The function.
    pub lambda_function_arn: String,
    /// Event types.
    pub events: Vec<String>,
    /// Key filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
}

/// `EventBridgeConfiguration`: present (an empty object) to send every event
/// to the default EventBridge bus.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct EventBridgeConfiguration {}

/// A bucket's notification configuration, as the API shapes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NotificationConfiguration {
    /// Topic destinations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topic_configurations: Vec<TopicConfiguration>,
    /// Queue destinations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queue_configurations: Vec<QueueConfiguration>,
    /// Function destinations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lambda_function_configurations: Vec<LambdaFunctionConfiguration>,
    /// EventBridge on/off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bridge_configuration: Option<EventBridgeConfiguration>,
}

/// PutBucketNotificationConfiguration request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutBucketNotificationConfigurationInput {
    /// Bucket name.
    pub bucket: String,
    /// The whole configuration (it replaces the previous one; empty turns all off).
    pub notification_configuration: NotificationConfiguration,
    /// Skip checking that destinations exist.
    #[serde(default)]
    pub skip_destination_validation: bool,
}

fn filters(filter: &Option<Filter>, at: &str) -> CloudResult<(String, String)> {
    let mut prefix: Option<String> = None;
    let mut suffix: Option<String> = None;
    for rule in filter.iter().flat_map(|f| &f.key.filter_rules) {
        let slot = match rule.name.to_ascii_lowercase().as_str() {
            "prefix" => &mut prefix,
            "suffix" => &mut suffix,
            _ => {
                return Err(invalid(format!(
                    "{at}.Filter: filter rule name must be either prefix or suffix (got {:?}).",
                    rule.name
                )));
            }
        };
        if slot.is_some() {
            return Err(invalid(format!(
                "{at}.Filter: cannot specify more than one {} rule in a filter.",
                rule.name.to_ascii_lowercase()
            )));
        }
        *slot = Some(rule.value.clone());
    }
    Ok((prefix.unwrap_or_default(), suffix.unwrap_or_default()))
}

fn check_events(events: &[String], at: &str) -> CloudResult<()> {
    if events.is_empty() {
        return Err(invalid(format!(
            "{at}.Events: at least one event type is required."
        )));
    }
    for e in events {
        if !EVENT_TYPES.contains(&e.as_str()) {
            return Err(invalid(format!(
                "{at}.Events: the event is not supported for notifications: {e}."
            )));
        }
    }
    Ok(())
}

fn check_destination(cloud: &Cloud, d: &Destination, at: &str) -> CloudResult<()> {
    let want = match d {
        Destination::Topic(_) => "sns",
        Destination::Queue(_) => "sqs",
        Destination::Lambda(_) => "lambda",
    };
    let ok_shape = matches!(parse_arn(d.arn()), Some((s, _, _, _)) if s == want);
    if !ok_shape || !crate::targets::exists(cloud, d.arn()) {
        return Err(invalid(format!(
            "Unable to validate the following destination configurations: {at} ({} does not exist).",
            d.arn()
        )));
    }
    Ok(())
}

/// Two event-type lists share a type (a wildcard covers its family).
fn share_event(a: &[String], b: &[String]) -> bool {
    let family = |e: &str| -> String { e.strip_prefix("s3:").unwrap_or(e).to_string() };
    a.iter().any(|x| {
        b.iter().any(|y| {
            let (x, y) = (family(x), family(y));
            x == y
                || (x.ends_with(":*") && event_matches(&format!("s3:{x}"), &y))
                || (y.ends_with(":*") && event_matches(&format!("s3:{y}"), &x))
        })
    })
}

fn overlapping(a: &Rule, b: &Rule) -> bool {
    let prefixes = a.prefix.starts_with(&b.prefix) || b.prefix.starts_with(&a.prefix);
    let suffixes = a.suffix.ends_with(&b.suffix) || b.suffix.ends_with(&a.suffix);
    prefixes && suffixes && share_event(&a.events, &b.events)
}

/// One configuration before checks: id, destination, events, filter, member path.
type RawRule<'a> = (
    Option<String>,
    Destination,
    &'a Vec<String>,
    &'a Option<Filter>,
    String,
);

/// Turns the API shape into rules, checking names, filters and overlaps.
fn rules_of(cloud: &mut Cloud, config: &NotificationConfiguration) -> CloudResult<Vec<Rule>> {
    let mut raw: Vec<RawRule<'_>> = Vec::new();
    for (i, c) in config.topic_configurations.iter().enumerate() {
        let at = format!("TopicConfigurations[{i}]");
        raw.push((
            c.id.clone(),
            Destination::Topic(c.topic_arn.clone()),
            &c.events,
            &c.filter,
            at,
        ));
    }
    for (i, c) in config.queue_configurations.iter().enumerate() {
        let at = format!("QueueConfigurations[{i}]");
        raw.push((
            c.id.clone(),
            Destination::Queue(c.queue_arn.clone()),
            &c.events,
            &c.filter,
            at,
        ));
    }
    for (i, c) in config.lambda_function_configurations.iter().enumerate() {
        let at = format!("LambdaFunctionConfigurations[{i}]");
        raw.push((
            c.id.clone(),
            Destination::Lambda(c.lambda_function_arn.clone()),
            &c.events,
            &c.filter,
            at,
        ));
    }
    let mut rules = Vec::new();
    for (id, destination, events, filter, at) in raw {
        check_events(events, &at)?;
        let (prefix, suffix) = filters(filter, &at)?;
        let id = match id {
            Some(id) => id,
            None => base64::engine::general_purpose::STANDARD.encode(cloud.core.rng.uuid()),
        };
        rules.push((
            Rule {
                id,
                destination,
                events: events.clone(),
                prefix,
                suffix,
            },
            at,
        ));
    }
    for (i, (a, at_a)) in rules.iter().enumerate() {
        for (b, at_b) in &rules[i + 1..] {
            if overlapping(a, b) {
                return Err(invalid(format!(
                    "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type ({at_a} and {at_b}). To send one event to several destinations, send it to an SNS topic and subscribe them to it."
                )));
            }
        }
        if a.id.len() > 1024 {
            return Err(invalid(format!(
                "{at_a}.Id is longer than 1,024 characters."
            )));
        }
    }
    Ok(rules.into_iter().map(|(r, _)| r).collect())
}

/// PutBucketNotificationConfiguration: replaces the bucket's configuration,
/// then S3 sends an `s3:TestEvent` to every queue and topic it names.
pub fn put_bucket_notification_configuration(
    cloud: &mut Cloud,
    input: PutBucketNotificationConfigurationInput,
) -> CloudResult<()> {
    bucket(cloud, &input.bucket)?;
    let rules = rules_of(cloud, &input.notification_configuration)?;
    if !input.skip_destination_validation {
        for (i, r) in rules.iter().enumerate() {
            check_destination(cloud, &r.destination, &format!("rule {}", i + 1))
                .map_err(|e| CloudError::new(e.code, e.message))?;
        }
    }
    bill(cloud, TIER1);
    let destinations: Vec<Destination> = rules.iter().map(|r| r.destination.clone()).collect();
    let summary = format!(
        "{} rules{}",
        rules.len(),
        if input
            .notification_configuration
            .event_bridge_configuration
            .is_some()
        {
            " + EventBridge"
        } else {
            ""
        }
    );
    let b = bucket_mut(cloud, &input.bucket)?;
    b.notifications = Notifications {
        rules,
        eventbridge: input
            .notification_configuration
            .event_bridge_configuration
            .is_some(),
    };
    trace(cloud, &input.bucket, "notification-config", summary);
    send_test_events(cloud, &input.bucket, destinations);
    Ok(())
}

/// The API shape of a bucket's rules.
pub fn configuration_of(n: &Notifications) -> NotificationConfiguration {
    let mut out = NotificationConfiguration::default();
    for r in &n.rules {
        let mut rules = Vec::new();
        if !r.prefix.is_empty() {
            rules.push(FilterRule {
                name: "Prefix".into(),
                value: r.prefix.clone(),
            });
        }
        if !r.suffix.is_empty() {
            rules.push(FilterRule {
                name: "Suffix".into(),
                value: r.suffix.clone(),
            });
        }
        let filter = (!rules.is_empty()).then_some(Filter {
            key: KeyFilter {
                filter_rules: rules,
            },
        });
        let id = Some(r.id.clone());
        let events = r.events.clone();
        match &r.destination {
            Destination::Topic(arn) => out.topic_configurations.push(TopicConfiguration {
                id,
                topic_arn: arn.clone(),
                events,
                filter,
            }),
            Destination::Queue(arn) => out.queue_configurations.push(QueueConfiguration {
                id,
                queue_arn: arn.clone(),
                events,
                filter,
            }),
            Destination::Lambda(arn) => {
                out.lambda_function_configurations
                    .push(LambdaFunctionConfiguration {
                        id,
                        lambda_function_arn: arn.clone(),
                        events,
                        filter,
                    })
            }
        }
    }
    if n.eventbridge {
        out.event_bridge_configuration = Some(EventBridgeConfiguration {});
    }
    out
}

/// GetBucketNotificationConfiguration.
pub fn get_bucket_notification_configuration(
    cloud: &mut Cloud,
    input: super::buckets::BucketInput,
) -> CloudResult<NotificationConfiguration> {
    bill(cloud, TIER2);
    Ok(configuration_of(
        &bucket(cloud, &input.bucket)?.notifications,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(events: &[&str], prefix: &str, suffix: &str) -> Rule {
        Rule {
            id: "r".into(),
            destination: Destination::Queue("q".into()),
            events: events.iter().map(|e| e.to_string()).collect(),
            prefix: prefix.into(),
            suffix: suffix.into(),
        }
    }

    #[test]
    fn overlap_needs_a_shared_event_and_overlapping_filters() {
        let put = ["s3:ObjectCreated:Put"];
        let all = ["s3:ObjectCreated:*"];
        let del = ["s3:ObjectRemoved:*"];
        assert!(overlapping(&rule(&put, "a/", ""), &rule(&all, "", ".jpg")));
        assert!(!overlapping(&rule(&put, "a/", ""), &rule(&del, "a/", "")));
        assert!(!overlapping(&rule(&all, "a/", ""), &rule(&all, "b/", "")));
        assert!(!overlapping(
            &rule(&all, "", ".jpg"),
            &rule(&all, "", ".png")
        ));
        assert!(overlapping(
            &rule(&all, "", ".jpg"),
            &rule(&all, "", "cat.jpg")
        ));
    }
}

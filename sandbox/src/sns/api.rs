//! The AWS-shaped face of SNS: operation names and members as the SNS API
//! Reference has them (maps and lists as JSON), dispatched to `ops`.

use serde_json::Value;

use super::ops::{STYLE, publish, subscriptions, topics};
use crate::api::{empty, unknown_operation};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::params::{parse, respond};

/// Every SNS action the sandbox implements.
pub const OPERATIONS: &[&str] = &[
    "AddPermission",
    "ConfirmSubscription",
    "CreateTopic",
    "DeleteTopic",
    "GetSubscriptionAttributes",
    "GetTopicAttributes",
    "ListSubscriptions",
    "ListSubscriptionsByTopic",
    "ListTagsForResource",
    "ListTopics",
    "Publish",
    "PublishBatch",
    "RemovePermission",
    "SetSubscriptionAttributes",
    "SetTopicAttributes",
    "Subscribe",
    "TagResource",
    "Unsubscribe",
    "UntagResource",
];

/// Runs one SNS action from JSON.
pub fn dispatch(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    let p = params;
    match operation {
        "AddPermission" => empty(topics::add_permission(cloud, parse(STYLE, p)?)),
        "ConfirmSubscription" => respond(subscriptions::confirm_subscription(
            cloud,
            parse(STYLE, p)?,
        )?),
        "CreateTopic" => respond(topics::create_topic(cloud, parse(STYLE, p)?)?),
        "DeleteTopic" => empty(topics::delete_topic(cloud, parse(STYLE, p)?)),
        "GetSubscriptionAttributes" => {
            subscriptions::get_subscription_attributes(cloud, parse(STYLE, p)?)
        }
        "GetTopicAttributes" => topics::get_topic_attributes(cloud, parse(STYLE, p)?),
        "ListSubscriptions" => subscriptions::list_subscriptions(cloud, parse(STYLE, p)?),
        "ListSubscriptionsByTopic" => {
            subscriptions::list_subscriptions_by_topic(cloud, parse(STYLE, p)?)
        }
        "ListTagsForResource" => topics::list_tags_for_resource(cloud, parse(STYLE, p)?),
        "ListTopics" => topics::list_topics(cloud, parse(STYLE, p)?),
        "Publish" => respond(publish::publish(cloud, parse(STYLE, p)?)?),
        "PublishBatch" => respond(publish::publish_batch(cloud, parse(STYLE, p)?)?),
        "RemovePermission" => empty(topics::remove_permission(cloud, parse(STYLE, p)?)),
        "SetSubscriptionAttributes" => empty(subscriptions::set_subscription_attributes(
            cloud,
            parse(STYLE, p)?,
        )),
        "SetTopicAttributes" => empty(topics::set_topic_attributes(cloud, parse(STYLE, p)?)),
        "Subscribe" => respond(subscriptions::subscribe(cloud, parse(STYLE, p)?)?),
        "TagResource" => empty(topics::tag_resource(cloud, parse(STYLE, p)?)),
        "Unsubscribe" => empty(subscriptions::unsubscribe(cloud, parse(STYLE, p)?)),
        "UntagResource" => empty(topics::untag_resource(cloud, parse(STYLE, p)?)),
        other => Err(unknown_operation("sns", other, OPERATIONS)),
    }
}

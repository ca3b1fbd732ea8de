//! The AWS-shaped face of EventBridge (service `events`, which CloudWatch
//! Events also answers to): operation names and members as the EventBridge
//! API Reference has them, dispatched to `ops`.

use serde_json::Value;

use super::ops::{STYLE, archives, buses, put_events, rules, targets};
use crate::api::{empty, unknown_operation};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::params::{parse, respond};

/// Every EventBridge action the sandbox implements.
pub const OPERATIONS: &[&str] = &[
    "CancelReplay",
    "CreateArchive",
    "CreateEventBus",
    "DeleteArchive",
    "DeleteEventBus",
    "DeleteRule",
    "DescribeArchive",
    "DescribeEventBus",
    "DescribeReplay",
    "DescribeRule",
    "DisableRule",
    "EnableRule",
    "ListArchives",
    "ListEventBuses",
    "ListReplays",
    "ListRuleNamesByTarget",
    "ListRules",
    "ListTargetsByRule",
    "PutEvents",
    "PutRule",
    "PutTargets",
    "RemoveTargets",
    "StartReplay",
    "TestEventPattern",
];

/// Runs one EventBridge action from JSON.
pub fn dispatch(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    let p = params;
    match operation {
        "PutEvents" => respond(put_events::put_events(cloud, parse(STYLE, p)?)?),
        "TestEventPattern" => put_events::test_event_pattern(cloud, parse(STYLE, p)?),
        "PutRule" => respond(rules::put_rule(cloud, parse(STYLE, p)?)?),
        "DeleteRule" => empty(rules::delete_rule(cloud, parse(STYLE, p)?)),
        "DescribeRule" => rules::describe_rule(cloud, parse(STYLE, p)?),
        "ListRules" => rules::list_rules(cloud, parse(STYLE, p)?),
        "EnableRule" => empty(rules::enable_rule(cloud, parse(STYLE, p)?)),
        "DisableRule" => empty(rules::disable_rule(cloud, parse(STYLE, p)?)),
        "ListRuleNamesByTarget" => rules::list_rule_names_by_target(cloud, parse(STYLE, p)?),
        "PutTargets" => targets::put_targets(cloud, parse(STYLE, p)?),
        "RemoveTargets" => targets::remove_targets(cloud, parse(STYLE, p)?),
        "ListTargetsByRule" => targets::list_targets_by_rule(cloud, parse(STYLE, p)?),
        "CreateEventBus" => buses::create_event_bus(cloud, parse(STYLE, p)?),
        "DeleteEventBus" => empty(buses::delete_event_bus(cloud, parse(STYLE, p)?)),
        "DescribeEventBus" => buses::describe_event_bus(cloud, parse(STYLE, p)?),
        "ListEventBuses" => buses::list_event_buses(cloud, parse(STYLE, p)?),
        "CreateArchive" => archives::create_archive(cloud, parse(STYLE, p)?),
        "DescribeArchive" => archives::describe_archive(cloud, parse(STYLE, p)?),
        "ListArchives" => archives::list_archives(cloud, parse(STYLE, p)?),
        "DeleteArchive" => empty(archives::delete_archive(cloud, parse(STYLE, p)?)),
        "StartReplay" => archives::start_replay(cloud, parse(STYLE, p)?),
        "DescribeReplay" => archives::describe_replay(cloud, parse(STYLE, p)?),
        "ListReplays" => archives::list_replays(cloud, parse(STYLE, p)?),
        "CancelReplay" => archives::cancel_replay(cloud, parse(STYLE, p)?),
        other => Err(unknown_operation("events", other, OPERATIONS)),
    }
}

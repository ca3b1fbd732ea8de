//! The AWS-shaped face of CloudWatch: operation names and JSON members as the
//! CloudWatch API Reference has them, dispatched to `ops`.

use serde_json::Value;

use super::ops::{STYLE, alarms, metrics};
use crate::api::{empty, unknown_operation};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::params::{parse, respond};

/// Every CloudWatch action the sandbox implements.
pub const OPERATIONS: &[&str] = &[
    "DeleteAlarms",
    "DescribeAlarmHistory",
    "DescribeAlarms",
    "DisableAlarmActions",
    "EnableAlarmActions",
    "GetMetricData",
    "GetMetricStatistics",
    "ListMetrics",
    "PutMetricAlarm",
    "PutMetricData",
    "SetAlarmState",
];

/// Runs one CloudWatch action from JSON.
pub fn dispatch(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    match operation {
        "DeleteAlarms" => empty(alarms::delete_alarms(cloud, parse(STYLE, params)?)),
        "DescribeAlarmHistory" => respond(alarms::describe_alarm_history(
            cloud,
            parse(STYLE, params)?,
        )?),
        "DescribeAlarms" => respond(alarms::describe_alarms(cloud, parse(STYLE, params)?)?),
        "DisableAlarmActions" => empty(alarms::disable_alarm_actions(cloud, parse(STYLE, params)?)),
        "EnableAlarmActions" => empty(alarms::enable_alarm_actions(cloud, parse(STYLE, params)?)),
        "GetMetricData" => respond(metrics::get_metric_data(cloud, parse(STYLE, params)?)?),
        "GetMetricStatistics" => respond(metrics::get_metric_statistics(
            cloud,
            parse(STYLE, params)?,
        )?),
        "ListMetrics" => respond(metrics::list_metrics(cloud, parse(STYLE, params)?)?),
        "PutMetricAlarm" => empty(alarms::put_metric_alarm(cloud, parse(STYLE, params)?)),
        "PutMetricData" => empty(metrics::put_metric_data(cloud, parse(STYLE, params)?)),
        "SetAlarmState" => empty(alarms::set_alarm_state(cloud, parse(STYLE, params)?)),
        other => Err(unknown_operation("cloudwatch", other, OPERATIONS)),
    }
}

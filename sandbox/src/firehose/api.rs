//! The AWS-shaped face of Data Firehose: operation names and JSON members
//! as the Firehose API Reference has them, dispatched to `ops`.

use serde_json::Value;

use super::ops::{self, STYLE};
use crate::api::{empty, unknown_operation};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::params::parse;

/// Every Firehose action the sandbox implements.
pub const OPERATIONS: &[&str] = &[
    "CreateDeliveryStream",
    "DeleteDeliveryStream",
    "DescribeDeliveryStream",
    "ListDeliveryStreams",
    "PutRecord",
    "PutRecordBatch",
];

/// Runs one Firehose action from JSON.
pub fn dispatch(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    let p = params;
    match operation {
        "CreateDeliveryStream" => ops::create_delivery_stream(cloud, parse(STYLE, p)?),
        "DeleteDeliveryStream" => empty(ops::delete_delivery_stream(cloud, parse(STYLE, p)?)),
        "DescribeDeliveryStream" => ops::describe_delivery_stream(cloud, parse(STYLE, p)?),
        "ListDeliveryStreams" => ops::list_delivery_streams(cloud, parse(STYLE, p)?),
        "PutRecord" => ops::put_record(cloud, parse(STYLE, p)?),
        "PutRecordBatch" => ops::put_record_batch(cloud, parse(STYLE, p)?),
        other => Err(unknown_operation("firehose", other, OPERATIONS)),
    }
}

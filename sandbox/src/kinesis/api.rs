//! The AWS-shaped face of Kinesis Data Streams: operation names and JSON
//! members exactly as the Kinesis API Reference has them, dispatched to `ops`.

use serde_json::Value;

use super::ops::{STYLE, consumers, records, reshard, streams};
use crate::api::{empty, unknown_operation};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::params::{parse, respond};

/// Every Kinesis action the sandbox implements.
pub const OPERATIONS: &[&str] = &[
    "AddTagsToStream",
    "CreateStream",
    "DecreaseStreamRetentionPeriod",
    "DeleteStream",
    "DeregisterStreamConsumer",
    "DescribeStream",
    "DescribeStreamConsumer",
    "DescribeStreamSummary",
    "GetRecords",
    "GetShardIterator",
    "IncreaseStreamRetentionPeriod",
    "ListShards",
    "ListStreamConsumers",
    "ListStreams",
    "ListTagsForStream",
    "MergeShards",
    "PutRecord",
    "PutRecords",
    "RegisterStreamConsumer",
    "RemoveTagsFromStream",
    "SplitShard",
    "SubscribeToShard",
    "UpdateMaxRecordSize",
    "UpdateShardCount",
    "UpdateStreamMode",
];

/// Runs one Kinesis action from JSON.
pub fn dispatch(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    let p = params;
    match operation {
        "AddTagsToStream" => empty(streams::add_tags_to_stream(cloud, parse(STYLE, p)?)),
        "CreateStream" => empty(streams::create_stream(cloud, parse(STYLE, p)?)),
        "DecreaseStreamRetentionPeriod" => empty(streams::decrease_stream_retention_period(
            cloud,
            parse(STYLE, p)?,
        )),
        "DeleteStream" => empty(streams::delete_stream(cloud, parse(STYLE, p)?)),
        "DeregisterStreamConsumer" => empty(consumers::deregister_stream_consumer(
            cloud,
            parse(STYLE, p)?,
        )),
        "DescribeStream" => streams::describe_stream(cloud, parse(STYLE, p)?),
        "DescribeStreamConsumer" => consumers::describe_stream_consumer(cloud, parse(STYLE, p)?),
        "DescribeStreamSummary" => streams::describe_stream_summary(cloud, parse(STYLE, p)?),
        "GetRecords" => respond(records::get_records(cloud, parse(STYLE, p)?)?),
        "GetShardIterator" => respond(records::get_shard_iterator(cloud, parse(STYLE, p)?)?),
        "IncreaseStreamRetentionPeriod" => empty(streams::increase_stream_retention_period(
            cloud,
            parse(STYLE, p)?,
        )),
        "ListShards" => streams::list_shards(cloud, parse(STYLE, p)?),
        "ListStreamConsumers" => consumers::list_stream_consumers(cloud, parse(STYLE, p)?),
        "ListStreams" => streams::list_streams(cloud, parse(STYLE, p)?),
        "ListTagsForStream" => streams::list_tags_for_stream(cloud, parse(STYLE, p)?),
        "MergeShards" => empty(reshard::merge_shards(cloud, parse(STYLE, p)?)),
        "PutRecord" => respond(records::put_record(cloud, parse(STYLE, p)?)?),
        "PutRecords" => respond(records::put_records(cloud, parse(STYLE, p)?)?),
        "RegisterStreamConsumer" => consumers::register_stream_consumer(cloud, parse(STYLE, p)?),
        "RemoveTagsFromStream" => empty(streams::remove_tags_from_stream(cloud, parse(STYLE, p)?)),
        "SplitShard" => empty(reshard::split_shard(cloud, parse(STYLE, p)?)),
        "SubscribeToShard" => consumers::subscribe_to_shard(cloud, parse(STYLE, p)?),
        "UpdateMaxRecordSize" => empty(streams::update_max_record_size(cloud, parse(STYLE, p)?)),
        "UpdateShardCount" => respond(reshard::update_shard_count(cloud, parse(STYLE, p)?)?),
        "UpdateStreamMode" => empty(streams::update_stream_mode(cloud, parse(STYLE, p)?)),
        other => Err(unknown_operation("kinesis", other, OPERATIONS)),
    }
}

//! The AWS-shaped face of SQS: operation names and JSON members exactly as
//! the SQS API Reference (JSON protocol) has them, dispatched to `ops`.

use serde_json::Value;

use super::ops::{STYLE, messages, move_tasks, queues};
use crate::api::{empty, unknown_operation};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::params::{parse, respond};

/// Every SQS action the sandbox implements.
pub const OPERATIONS: &[&str] = &[
    "AddPermission",
    "CancelMessageMoveTask",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "CreateQueue",
    "DeleteMessage",
    "DeleteMessageBatch",
    "DeleteQueue",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "ListMessageMoveTasks",
    "ListQueueTags",
    "ListQueues",
    "PurgeQueue",
    "ReceiveMessage",
    "RemovePermission",
    "SendMessage",
    "SendMessageBatch",
    "SetQueueAttributes",
    "StartMessageMoveTask",
    "TagQueue",
    "UntagQueue",
];

/// Runs one SQS action from JSON.
pub fn dispatch(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    match operation {
        "AddPermission" => empty(queues::add_permission(cloud, parse(STYLE, params)?)),
        "CancelMessageMoveTask" => respond(move_tasks::cancel_message_move_task(
            cloud,
            parse(STYLE, params)?,
        )?),
        "ChangeMessageVisibility" => empty(messages::change_message_visibility(
            cloud,
            parse(STYLE, params)?,
        )),
        "ChangeMessageVisibilityBatch" => respond(messages::change_message_visibility_batch(
            cloud,
            parse(STYLE, params)?,
        )?),
        "CreateQueue" => respond(queues::create_queue(cloud, parse(STYLE, params)?)?),
        "DeleteMessage" => empty(messages::delete_message(cloud, parse(STYLE, params)?)),
        "DeleteMessageBatch" => respond(messages::delete_message_batch(
            cloud,
            parse(STYLE, params)?,
        )?),
        "DeleteQueue" => empty(queues::delete_queue(cloud, parse(STYLE, params)?)),
        "GetQueueAttributes" => {
            respond(queues::get_queue_attributes(cloud, parse(STYLE, params)?)?)
        }
        "GetQueueUrl" => respond(queues::get_queue_url(cloud, parse(STYLE, params)?)?),
        "ListDeadLetterSourceQueues" => respond(queues::list_dead_letter_source_queues(
            cloud,
            parse(STYLE, params)?,
        )?),
        "ListMessageMoveTasks" => respond(move_tasks::list_message_move_tasks(
            cloud,
            parse(STYLE, params)?,
        )?),
        "ListQueueTags" => respond(queues::list_queue_tags(cloud, parse(STYLE, params)?)?),
        "ListQueues" => respond(queues::list_queues(cloud, parse(STYLE, params)?)?),
        "PurgeQueue" => empty(queues::purge_queue(cloud, parse(STYLE, params)?)),
        "ReceiveMessage" => respond(messages::receive_message(cloud, parse(STYLE, params)?)?),
        "RemovePermission" => empty(queues::remove_permission(cloud, parse(STYLE, params)?)),
        "SendMessage" => respond(messages::send_message(cloud, parse(STYLE, params)?)?),
        "SendMessageBatch" => respond(messages::send_message_batch(cloud, parse(STYLE, params)?)?),
        "SetQueueAttributes" => empty(queues::set_queue_attributes(cloud, parse(STYLE, params)?)),
        "StartMessageMoveTask" => respond(move_tasks::start_message_move_task(
            cloud,
            parse(STYLE, params)?,
        )?),
        "TagQueue" => empty(queues::tag_queue(cloud, parse(STYLE, params)?)),
        "UntagQueue" => empty(queues::untag_queue(cloud, parse(STYLE, params)?)),
        other => Err(unknown_operation("sqs", other, OPERATIONS)),
    }
}

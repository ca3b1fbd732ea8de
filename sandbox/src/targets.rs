//! Delivering a message to "an ARN": the one place that knows how each
//! service receives what another service sends it (a state machine starts an
//! execution). Lambda destinations and
//! dead-letter queues, SNS subscription DLQs (and later EventBridge targets)
//! all go through here.

use serde_json::Value;

use crate::attributes::Attributes;
use crate::cloud::{Cloud, parse_arn};
use crate::error::{CloudError, CloudResult};

/// Sends `body` (with message attributes where the target keeps them) to the
/// resource `arn` names: an SQS queue, an SNS topic or a Lambda function
/// (invoked asynchronously with the body parsed as JSON), a Kinesis stream
/// (a record with a random partition key) or a Firehose stream (a record).
pub fn send(cloud: &mut Cloud, arn: &str, body: String, attributes: Attributes) -> CloudResult<()> {
    let Some((service, _, _, resource)) = parse_arn(arn) else {
        return Err(CloudError::new(
            "InvalidParameterValue",
            format!("{arn} is not an ARN."),
        ));
    };
    match service {
        "sqs" => {
            let url = crate::sqs::queue_url(resource);
            let input = crate::sqs::ops::messages::SendMessageInput {
                queue_url: url,
                message_body: body,
                message_attributes: attributes,
                message_group_id: resource.ends_with(".fifo").then(|| "default".to_string()),
                message_deduplication_id: None,
                ..Default::default()
            };
            let fifo = resource.ends_with(".fifo");
            let mut input = input;
            if fifo {
                input.message_deduplication_id = Some(cloud.core.rng.hex(32));
            }
            crate::sqs::ops::messages::send_message(cloud, input).map(|_| ())
        }
        "sns" => crate::sns::ops::publish_to(cloud, arn, body, None, attributes).map(|_| ()),
        "lambda" => {
            let name = resource.strip_prefix("function:").unwrap_or(resource);
            let name = name.split(':').next().unwrap_or(name);
            let payload: Value = serde_json::from_str(&body).unwrap_or(Value::String(body));
            crate::lambda::asynch::enqueue(cloud, name, payload, "destination").map(|_| ())
        }
        "states" => {
            // A state machine target starts an execution with the body as input.
            let input = match serde_json::from_str::<Value>(&body) {
                Ok(v) => v.to_string(),
                Err(_) => Value::String(body).to_string(),
            };
            crate::states::ops::executions::start_execution(
                cloud,
                crate::states::ops::executions::StartExecutionInput {
                    state_machine_arn: arn.to_string(),
                    input: Some(input),
                    ..Default::default()
                },
            )
            .map(|_| ())
        }
        "kinesis" => {
            // A random partition key, as a target without one gets (the event id).
            let key = cloud.core.rng.hex(32);
            crate::kinesis::ops::records::put_record(
                cloud,
                crate::kinesis::ops::records::PutRecordInput {
                    stream: crate::kinesis::ops::StreamRef {
                        stream_name: None,
                        stream_arn: Some(arn.to_string()),
                    },
                    data: body.into(),
                    partition_key: key,
                    ..Default::default()
                },
            )
            .map(|_| ())
        }
        "firehose" => crate::firehose::ops::put_record(
            cloud,
            crate::firehose::ops::PutRecordInput {
                delivery_stream_name: resource
                    .strip_prefix("deliverystream/")
                    .unwrap_or(resource)
                    .to_string(),
                record: crate::firehose::ops::FirehoseRecord { data: body.into() },
            },
        )
        .map(|_| ()),
        other => Err(CloudError::new(
            "InvalidParameterValue",
            format!("Delivering to {other} resources is not supported here ({arn})."),
        )),
    }
}

/// True when `arn` names an existing resource that [`send`] can deliver to.
pub fn exists(cloud: &Cloud, arn: &str) -> bool {
    match parse_arn(arn) {
        Some(("sqs", _, _, name)) => cloud.sqs.queues.contains_key(name),
        Some(("sns", _, _, name)) => cloud.sns.topics.contains_key(name),
        Some(("lambda", _, _, res)) => {
            let name = res.strip_prefix("function:").unwrap_or(res);
            let name = name.split(':').next().unwrap_or(name);
            cloud.lambda.functions.contains_key(name)
        }
        Some(("s3", _, _, name)) => cloud.s3.buckets.contains_key(name),
        Some(("states", _, _, res)) => res
            .strip_prefix("stateMachine:")
            .is_some_and(|name| cloud.states.machines.contains_key(name)),
        Some(("kinesis", _, _, res)) => res
            .strip_prefix("stream/")
            .is_some_and(|n| cloud.kinesis.streams.contains_key(n)),
        Some(("firehose", _, _, res)) => res
            .strip_prefix("deliverystream/")
            .is_some_and(|n| cloud.firehose.streams.contains_key(n)),
        _ => false,
    }
}

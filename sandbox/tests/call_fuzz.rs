//! Fuzzing the AWS-shaped face: any JSON for any operation gets a response or
//! an AWS-shaped error, never a panic. Interesting inputs found so far are kept
//! in `tests/fuzz_corpus.jsonl` and replayed on every run.

use cloudlab::Cloud;
use proptest::prelude::*;
use serde_json::{Value, json};

fn operations() -> Vec<(&'static str, &'static str)> {
    let mut ops = Vec::new();
    for (service, list) in [
        ("sqs", cloudlab::sqs::api::OPERATIONS),
        ("sns", cloudlab::sns::api::OPERATIONS),
        ("lambda", cloudlab::lambda::api::OPERATIONS),
        ("kinesis", cloudlab::kinesis::api::OPERATIONS),
        ("firehose", cloudlab::firehose::api::OPERATIONS),
        ("s3", cloudlab::s3::api::OPERATIONS),
        ("states", cloudlab::states::api::OPERATIONS),
        ("events", cloudlab::events::api::OPERATIONS),
        ("cloudwatch", cloudlab::cloudwatch::api::OPERATIONS),
        ("apigateway", cloudlab::apigw::api::REST_OPERATIONS),
        ("apigatewayv2", cloudlab::apigw::api::HTTP_OPERATIONS),
    ] {
        ops.extend(list.iter().map(|op| (service, *op)));
    }
    ops
}

/// JSON values biased toward the shapes AWS requests have: objects with
/// AWS member names, strings that look like ARNs, URLs and numbers.
fn json_value() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "QueueUrl",
        "QueueName",
        "MessageBody",
        "ReceiptHandle",
        "Entries",
        "Id",
        "Attributes",
        "MessageAttributes",
        "MaxNumberOfMessages",
        "VisibilityTimeout",
        "WaitTimeSeconds",
        "DelaySeconds",
        "MessageGroupId",
        "MessageDeduplicationId",
        "TopicArn",
        "Protocol",
        "Endpoint",
        "Message",
        "Subject",
        "FunctionName",
        "Payload",
        "Runtime",
        "Handler",
        "MemorySize",
        "Timeout",
        "EventSourceArn",
        "BatchSize",
        "UUID",
        "SourceArn",
        "TaskHandle",
        "AttributeName",
        "AttributeValue",
        "Name",
        "DataType",
        "StringValue",
        "Tags",
        "StreamName",
        "ShardCount",
        "PartitionKey",
        "Data",
        "ShardId",
        "ShardIteratorType",
        "ShardIterator",
        "StartingSequenceNumber",
        "Records",
        "DeliveryStreamName",
        "Record",
        "Bucket",
        "Key",
        "Body",
        "Prefix",
        "NotificationConfiguration",
        "QueueConfigurations",
        "Events",
        "name",
        "definition",
        "roleArn",
        "type",
        "stateMachineArn",
        "executionArn",
        "input",
        "taskToken",
        "output",
        "EventBusName",
        "Source",
        "DetailType",
        "Detail",
        "EventPattern",
        "ScheduleExpression",
        "Rule",
        "Targets",
        "Arn",
        "Event",
        "Namespace",
        "MetricName",
        "MetricData",
        "Dimensions",
        "Value",
        "Period",
        "Statistics",
        "AlarmName",
        "restApiId",
        "resourceId",
        "httpMethod",
        "ApiId",
        "RouteKey",
        "Target",
        "StageName",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..2000).prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "q",
            "q.fifo",
            "",
            "true",
            "All",
            "echo",
            "fail",
            "sleep",
            "cloudlab.builtin",
            "sqs",
            "lambda",
            "email",
            "a@example.com",
            "https://sqs.us-east-1.amazonaws.com/123456789012/q",
            "arn:aws:sqs:us-east-1:123456789012:q",
            "arn:aws:sns:us-east-1:123456789012:t",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "s",
            "arn:aws:kinesis:us-east-1:123456789012:stream/s",
            "shardId-000000000000",
            "TRIM_HORIZON",
            "eA==",
            "AQEBAAAA",
            "String",
            "Number",
            "Binary",
            "{\"a\":1}",
            "\u{0}",
            "💥",
            "fuzz-bucket",
            "m",
            "arn:aws:states:us-east-1:123456789012:stateMachine:m",
            "arn:aws:events:us-east-1:123456789012:rule/r",
            "default",
            "r",
            "rate(5 minutes)",
            "{\"source\":[\"shop\"]}",
            "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}",
            "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Map\",\"End\":true}}}",
            "AWS/SQS",
            "GET /orders/{id}",
            "s3:ObjectCreated:*",
        ])
        .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(names.clone().prop_map(String::from), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A cloud with one of everything, so calls can reach deep code paths.
fn seeded_cloud() -> Cloud {
    let mut c = Cloud::new();
    c.call("sqs", "CreateQueue", json!({"QueueName": "q"}))
        .unwrap();
    c.call(
        "sqs",
        "CreateQueue",
        json!({"QueueName": "q.fifo", "Attributes": {"FifoQueue": "true"}}),
    )
    .unwrap();
    c.call("sqs", "SendMessage", json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": "x"}))
        .unwrap();
    c.call("sns", "CreateTopic", json!({"Name": "t"})).unwrap();
    c.call(
        "lambda",
        "CreateFunction",
        json!({"FunctionName": "f", "Runtime": "cloudlab.builtin", "Handler": "echo"}),
    )
    .unwrap();
    c.call(
        "kinesis",
        "CreateStream",
        json!({"StreamName": "s", "ShardCount": 2}),
    )
    .unwrap();
    c.call("s3", "CreateBucket", json!({"Bucket": "fuzz-bucket"}))
        .unwrap();
    c.call(
        "states",
        "CreateStateMachine",
        json!({
            "name": "m",
            "roleArn": "arn:aws:iam::123456789012:role/r",
            "definition": "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}",
        }),
    )
    .unwrap();
    c.call(
        "events",
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\":[\"shop\"]}"}),
    )
    .unwrap();
    c.advance(std::time::Duration::from_secs(10));
    c
}

fn assert_aws_shaped(
    service: &str,
    op: &str,
    params: &Value,
    r: Result<Value, cloudlab::CloudError>,
) {
    match r {
        Ok(v) => assert!(v.is_object(), "{service}.{op}({params}) answered {v}"),
        Err(e) => {
            assert!(
                !e.code.is_empty(),
                "{service}.{op}({params}): empty error code"
            );
            assert!(
                !e.message.is_empty(),
                "{service}.{op}({params}): empty message"
            );
            assert!((400..600).contains(&e.status));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_json_to_any_operation_never_panics(
        which in 0usize..1000,
        params in json_value(),
        advance in 0u64..200,
    ) {
        let ops = operations();
        let (service, op) = ops[which % ops.len()];
        let mut cloud = seeded_cloud();
        let r = cloud.call(service, op, params.clone());
        assert_aws_shaped(service, op, &params, r);
        cloud.advance(std::time::Duration::from_secs(advance));
        cloud.run_until_idle();
    }
}

#[test]
fn corpus_replays_without_panics() {
    let text = include_str!("fuzz_corpus.jsonl");
    let mut count = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("corpus lines are JSON");
        let (service, op) = v["call"].as_str().unwrap().split_once('.').unwrap();
        let mut cloud = seeded_cloud();
        let r = cloud.call(service, op, v["params"].clone());
        assert_aws_shaped(service, op, &v["params"], r);
        cloud.run_until_idle();
        count += 1;
    }
    assert!(
        count >= 10,
        "the corpus holds the interesting cases found so far"
    );
}

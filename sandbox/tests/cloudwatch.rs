//! CloudWatch behaviour: metrics the services publish, custom metrics,
//! statistics, metric math and alarms with actions, through both faces.

use cloudlab::prelude::*;

fn minutes(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

#[test]
fn sqs_queue_depth_is_sampled_every_minute() {
    let mut cloud = Cloud::new();
    let q = cloud.sqs().create_queue("jobs").unwrap();
    for i in 0..7 {
        cloud.sqs().send(&q, format!("job {i}")).unwrap();
    }
    cloud.advance(minutes(1));
    let got = cloud.sqs().receive(&q, Receive::max(3)).unwrap();
    for m in got.iter() {
        cloud.sqs().delete(&q, m).unwrap();
    }
    cloud.advance(minutes(3));
    let visible = MetricKey::sqs("jobs", "ApproximateNumberOfMessagesVisible");
    let pts = cloud
        .cloudwatch()
        .statistics(&visible, "Maximum", minutes(1), SimTime::EPOCH)
        .unwrap();
    let values: Vec<f64> = pts.iter().map(|p| p.1).collect();
    assert_eq!(&values[..4], &[7.0, 4.0, 4.0, 4.0], "{pts:?}");
    let sent = MetricKey::sqs("jobs", "NumberOfMessagesSent");
    let sums: Vec<f64> = cloud
        .cloudwatch()
        .statistics(&sent, "Sum", minutes(1), SimTime::EPOCH)
        .unwrap()
        .iter()
        .map(|p| p.1)
        .collect();
    assert_eq!(&sums[..4], &[7.0, 0.0, 0.0, 0.0]);
    let deleted = MetricKey::sqs("jobs", "NumberOfMessagesDeleted");
    let total: f64 = cloud
        .cloudwatch()
        .statistics(&deleted, "Sum", minutes(5), SimTime::EPOCH)
        .unwrap()
        .iter()
        .map(|p| p.1)
        .sum();
    assert_eq!(total, 3.0);
}

#[test]
fn in_flight_messages_return_to_visible_while_time_jumps() {
    let mut cloud = Cloud::new();
    let q = cloud
        .sqs()
        .create_queue_with(
            "jobs",
            QueueOptions::new().visibility_timeout(Duration::from_secs(150)),
        )
        .unwrap();
    cloud.sqs().send(&q, "a").unwrap();
    cloud.sqs().receive(&q, Receive::max(1)).unwrap();
    // One long jump: the sampler must still see the message come back at 2:30.
    cloud.advance(minutes(5));
    let key = MetricKey::sqs("jobs", "ApproximateNumberOfMessagesVisible");
    let v: Vec<f64> = cloud
        .cloudwatch()
        .statistics(&key, "Maximum", minutes(1), SimTime::EPOCH)
        .unwrap()
        .iter()
        .map(|p| p.1)
        .collect();
    assert_eq!(v, vec![0.0, 0.0, 1.0, 1.0, 1.0]);
    let age = MetricKey::sqs("jobs", "ApproximateAgeOfOldestMessage");
    let a = cloud
        .cloudwatch()
        .statistics(&age, "Maximum", minutes(1), SimTime::EPOCH)
        .unwrap();
    assert_eq!(a[4].1, 300.0, "{a:?}");
}

#[test]
fn lambda_publishes_invocations_errors_duration_and_concurrency() {
    let mut cloud = Cloud::new();
    let f = cloud
        .lambda()
        .create_function(
            "work",
            Function::new(|e, ctx| {
                ctx.spend(Duration::from_millis(400));
                if e["fail"] == true {
                    Err(FnError::new("Boom", "failed"))
                } else {
                    Ok(e)
                }
            }),
        )
        .unwrap();
    for i in 0..5 {
        cloud.lambda().invoke(&f, json!({"fail": i == 2})).unwrap();
    }
    cloud.advance(minutes(2));
    let sum = |cloud: &mut Cloud, m: &str| -> f64 {
        cloud
            .cloudwatch()
            .statistics(
                &MetricKey::lambda("work", m),
                "Sum",
                minutes(5),
                SimTime::EPOCH,
            )
            .unwrap()
            .iter()
            .map(|p| p.1)
            .sum()
    };
    assert_eq!(sum(&mut cloud, "Invocations"), 5.0);
    assert_eq!(sum(&mut cloud, "Errors"), 1.0);
    assert_eq!(sum(&mut cloud, "Throttles"), 0.0);
    let d = cloud
        .cloudwatch()
        .statistics(
            &MetricKey::lambda("work", "Duration"),
            "Minimum",
            minutes(5),
            SimTime::EPOCH,
        )
        .unwrap();
    assert!(d[0].1 >= 400.0, "{d:?}");
    // Sequential invocations: never more than one at a time.
    let c = cloud
        .cloudwatch()
        .statistics(
            &MetricKey::lambda("work", "ConcurrentExecutions"),
            "Maximum",
            minutes(5),
            SimTime::EPOCH,
        )
        .unwrap();
    assert_eq!(c[0].1, 1.0);
}

#[test]
fn alarm_notifies_sns_and_returns_to_ok() {
    let mut cloud = Cloud::new();
    let q = cloud.sqs().create_queue("jobs").unwrap();
    let topic = cloud.sns().create_topic("ops").unwrap();
    let inbox = cloud.sqs().create_queue("ops-inbox").unwrap();
    cloud.sns().subscribe_queue(&topic, &inbox).unwrap();
    cloud
        .cloudwatch()
        .put_alarm(
            AlarmSpec::new(
                "backlog",
                MetricKey::sqs("jobs", "ApproximateNumberOfMessagesVisible"),
            )
            .statistic("Maximum")
            .above(5.0)
            .datapoints(2, 2)
            .on_alarm(&topic.arn)
            .on_ok(&topic.arn),
        )
        .unwrap();
    assert_eq!(
        cloud.cloudwatch().state("backlog").unwrap(),
        AlarmState::InsufficientData
    );
    for i in 0..10 {
        cloud.sqs().send(&q, format!("{i}")).unwrap();
    }
    cloud.advance(minutes(1));
    // Only one breaching datapoint of the two needed.
    assert_ne!(
        cloud.cloudwatch().state("backlog").unwrap(),
        AlarmState::Alarm
    );
    cloud.advance(minutes(1));
    assert_eq!(
        cloud.cloudwatch().state("backlog").unwrap(),
        AlarmState::Alarm
    );
    cloud.run_until_idle();
    let note = cloud.sqs().receive(&inbox, Receive::max(10)).unwrap();
    assert_eq!(note.len(), 1);
    let envelope: Value = serde_json::from_str(&note[0].body).unwrap();
    assert_eq!(
        envelope["Subject"],
        "ALARM: \"backlog\" in US East (N. Virginia)"
    );
    let alarm: Value = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
    assert_eq!(alarm["NewStateValue"], "ALARM");
    assert_eq!(
        alarm["Trigger"]["MetricName"],
        "ApproximateNumberOfMessagesVisible"
    );
    assert!(
        alarm["NewStateReason"]
            .as_str()
            .unwrap()
            .contains("2 out of the last 2")
    );
    cloud.sqs().delete(&inbox, &note[0]).unwrap();
    cloud.sqs().purge(&q).unwrap();
    cloud.advance(minutes(2));
    assert_eq!(cloud.cloudwatch().state("backlog").unwrap(), AlarmState::Ok);
    cloud.run_until_idle();
    let back = cloud.sqs().receive(&inbox, Receive::max(10)).unwrap();
    assert_eq!(back.len(), 1, "one OK notification, no repeats while OK");
    let ok: Value = serde_json::from_str(&back[0].body).unwrap();
    assert!(ok["Subject"].as_str().unwrap().starts_with("OK:"));
    let history = cloud.cloudwatch().alarm("backlog").unwrap().history;
    assert!(history.iter().filter(|h| h.kind == "StateUpdate").count() >= 2);
}

#[test]
fn custom_metrics_and_percentiles_through_call() {
    let mut cloud = Cloud::new();
    let values: Vec<f64> = (1..=100).map(|v| v as f64).collect();
    cloud
        .call(
            "cloudwatch",
            "PutMetricData",
            json!({"Namespace": "Shop", "MetricData": [
                {"MetricName": "Latency", "Dimensions": [{"Name": "Page", "Value": "home"}], "Values": values, "Unit": "Milliseconds"},
                {"MetricName": "Orders", "Value": 3, "Unit": "Count"}
            ]}),
        )
        .unwrap();
    cloud.advance(minutes(1));
    let out = cloud
        .call(
            "cloudwatch",
            "GetMetricStatistics",
            json!({"Namespace": "Shop", "MetricName": "Latency",
                   "Dimensions": [{"Name": "Page", "Value": "home"}],
                   "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-01T00:05:00Z",
                   "Period": 60, "Statistics": ["Average", "Maximum", "SampleCount"], "ExtendedStatistics": ["p90"]}),
        )
        .unwrap();
    let dp = &out["Datapoints"][0];
    assert_eq!(dp["Average"], 50.5);
    assert_eq!(dp["Maximum"], 100.0);
    assert_eq!(dp["SampleCount"], 100.0);
    let p90 = dp["ExtendedStatistics"]["p90"].as_f64().unwrap();
    assert!((p90 - 90.0).abs() < 2.0, "{p90}");
    assert_eq!(dp["Unit"], "Milliseconds");
    let listed = cloud
        .call("cloudwatch", "ListMetrics", json!({"Namespace": "Shop"}))
        .unwrap();
    assert_eq!(listed["Metrics"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_requests_get_cloudwatch_errors() {
    let mut cloud = Cloud::new();
    let e = cloud
        .call(
            "cloudwatch",
            "PutMetricData",
            json!({"Namespace": "AWS/SQS", "MetricData": [{"MetricName": "x", "Value": 1}]}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidParameterValue");
    let e = cloud
        .call("cloudwatch", "PutMetricAlarm", json!({"AlarmName": "a"}))
        .unwrap_err();
    assert_eq!(e.code, "MissingParameter");
    assert!(e.message.contains("EvaluationPeriods"), "{}", e.message);
    let e = cloud
        .call(
            "cloudwatch",
            "PutMetricAlarm",
            json!({
            "AlarmName": "a", "EvaluationPeriods": 2, "DatapointsToAlarm": 3, "Threshold": 1,
            "ComparisonOperator": "GreaterThanThreshold", "MetricName": "m", "Namespace": "n",
            "Period": 60, "Statistic": "Average"}),
        )
        .unwrap_err();
    assert!(e.message.contains("DatapointsToAlarm"), "{}", e.message);
    let e = cloud
        .call(
            "cloudwatch",
            "GetMetricStatistics",
            json!({
            "Namespace": "n", "MetricName": "m", "StartTime": 0, "EndTime": 86400 * 2,
            "Period": 60, "Statistics": ["Sum"]}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidParameterCombination");
    let e = cloud
        .call(
            "cloudwatch",
            "DeleteAlarms",
            json!({"AlarmNames": ["nope"]}),
        )
        .unwrap_err();
    assert_eq!(e.code, "ResourceNotFound");
    let e = cloud
        .call("cloudwatch", "PutMetricAlarms", json!({}))
        .unwrap_err();
    assert!(e.message.contains("Did you mean PutMetricAlarm?"));
}

#[test]
fn metric_math_alarm_on_backlog_per_instance() {
    let mut cloud = Cloud::new();
    let q = cloud.sqs().create_queue("work").unwrap();
    for i in 0..30 {
        cloud.sqs().send(&q, format!("{i}")).unwrap();
    }
    // A stand-in for GroupInServiceInstances: 3 workers.
    for _ in 0..3 {
        cloud
            .cloudwatch()
            .put("Fleet", "Workers", &[], 3.0)
            .unwrap();
        cloud.advance(minutes(1));
    }
    cloud
        .cloudwatch()
        .put_alarm(
            AlarmSpec::math(
                "backlog-per-worker",
                "m1 / m2",
                [
                    (
                        "m1",
                        MetricKey::sqs("work", "ApproximateNumberOfMessagesVisible"),
                        "Maximum",
                    ),
                    ("m2", MetricKey::custom("Fleet", "Workers"), "Average"),
                ],
            )
            .above(5.0),
        )
        .unwrap();
    cloud
        .cloudwatch()
        .put("Fleet", "Workers", &[], 3.0)
        .unwrap();
    cloud.advance(minutes(1));
    let a = cloud.cloudwatch().alarm("backlog-per-worker").unwrap();
    assert_eq!(a.state, AlarmState::Alarm, "{}", a.state_reason);
    assert_eq!(a.last_value(), Some(10.0));
    let d = cloud
        .call(
            "cloudwatch",
            "DescribeAlarms",
            json!({"StateValue": "ALARM"}),
        )
        .unwrap();
    assert_eq!(d["MetricAlarms"][0]["Metrics"][2]["Expression"], "m1 / m2");
}

#[test]
fn sampling_is_deterministic_and_cheap_over_a_year() {
    let mut cloud = Cloud::new();
    let q = cloud.sqs().create_queue("idle").unwrap();
    cloud.sqs().send(&q, "x").unwrap();
    cloud.advance(Duration::from_secs(365 * 86_400));
    let pts = cloud
        .cloudwatch()
        .statistics(
            &MetricKey::sqs("idle", "ApproximateNumberOfMessagesVisible"),
            "Average",
            Duration::from_secs(86_400),
            SimTime::EPOCH,
        )
        .unwrap();
    // Retention (4 days) is lazy in SQS: the gauge stays until something expires it.
    assert!(pts.len() >= 300, "{}", pts.len());
    assert!(cloud.pending().is_empty(), "sampling schedules no jobs");
}

#[test]
fn s3_request_metrics_are_sampled_like_the_rest() {
    let mut cloud = Cloud::new();
    let b = cloud.s3().create_bucket("photos").unwrap();
    for i in 0..4 {
        cloud
            .s3()
            .put(&b, &format!("p{i}.jpg"), cloudlab::s3::Put::text("x"))
            .unwrap();
    }
    cloud.advance(minutes(2));
    let key = MetricKey::new(
        "AWS/S3",
        "PutRequests",
        &[("BucketName", "photos"), ("FilterId", "EntireBucket")],
    );
    let pts = cloud
        .cloudwatch()
        .statistics(&key, "Sum", minutes(1), SimTime::EPOCH)
        .unwrap();
    assert_eq!(pts, vec![(SimTime::EPOCH, 4.0)]);
}

#[test]
fn long_polling_an_empty_queue_still_samples_every_minute() {
    let mut cloud = Cloud::new();
    let jobs = cloud.sqs().create_queue("jobs").unwrap();
    let idle = cloud.sqs().create_queue("idle").unwrap();
    cloud.sqs().send(&jobs, "a").unwrap();
    cloud.sqs().send(&jobs, "b").unwrap();
    // A consumer long-polls an empty queue for three minutes (9 waits of 20 s)
    // while nothing else is scheduled; then the backlog is drained.
    for _ in 0..9 {
        let got = cloud.sqs().receive(&idle, Receive::max(10).wait(20.secs()));
        assert!(got.unwrap().is_empty());
    }
    assert_eq!(cloud.now(), SimTime::EPOCH + minutes(3));
    let got = cloud.sqs().receive(&jobs, Receive::max(10)).unwrap();
    cloud.sqs().delete_batch(&jobs, &got).unwrap();
    cloud.advance(minutes(2));
    let visible = MetricKey::sqs("jobs", "ApproximateNumberOfMessagesVisible");
    let pts = cloud
        .cloudwatch()
        .statistics(&visible, "Maximum", minutes(1), SimTime::EPOCH)
        .unwrap();
    let values: Vec<f64> = pts.iter().map(|p| p.1).collect();
    assert_eq!(&values[..4], &[2.0, 2.0, 2.0, 0.0], "{pts:?}");
}

#[test]
fn kinesis_streams_publish_incoming_and_throttled_records() {
    let mut cloud = Cloud::new();
    let s = cloud.kinesis().create_stream("readings", 1).unwrap();
    // One shard takes 1,000 records a second: the second batch is throttled.
    let batch: Vec<(String, String)> = (0..500)
        .map(|i| (format!("k{i}"), "x".repeat(10)))
        .collect();
    for _ in 0..3 {
        cloud.kinesis().put_records(&s, batch.clone()).unwrap();
    }
    cloud.advance(minutes(1));
    let sum = |cloud: &mut Cloud, metric: &str| -> f64 {
        let key = MetricKey::new("AWS/Kinesis", metric, &[("StreamName", "readings")]);
        let pts = cloud
            .cloudwatch()
            .statistics(&key, "Sum", minutes(1), SimTime::EPOCH);
        pts.unwrap().iter().map(|p| p.1).sum()
    };
    assert_eq!(sum(&mut cloud, "IncomingRecords"), 1000.0);
    assert_eq!(sum(&mut cloud, "WriteProvisionedThroughputExceeded"), 500.0);
}

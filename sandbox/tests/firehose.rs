//! Data Firehose behaviour: buffering by size and interval in virtual time,
//! S3 object names, Lambda transformation, a Kinesis stream as the source,
//! throughput limits and billing.

use cloudlab::prelude::*;

fn setup(c: &mut Cloud, delivery: Delivery) -> (Bucket, DeliveryStream) {
    let b = c.s3().create_bucket("lake").unwrap();
    let f = c.firehose().create_to_s3("events", &b, delivery).unwrap();
    (b, f)
}

#[test]
fn the_buffer_interval_decides_when_an_object_is_written() {
    let mut c = Cloud::new();
    let (b, f) = setup(&mut c, Delivery::new());
    let start = c.now();
    for i in 0..3 {
        c.firehose().put(&f, format!("{{\"n\":{i}}}\n")).unwrap();
    }
    c.advance(299.secs());
    assert!(
        c.firehose().objects(&f).unwrap().is_empty(),
        "default 300 s"
    );
    assert_eq!(c.firehose().buffered(&f).unwrap(), 3);
    c.advance(1.secs());
    let keys = c.firehose().objects(&f).unwrap();
    assert_eq!(keys.len(), 1);
    // <YYYY/MM/dd/HH/><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>, from the oldest record.
    let stamp = start
        .to_jiff()
        .strftime("%Y/%m/%d/%H/events-1-%Y-%m-%d-%H-%M-%S-")
        .to_string();
    assert!(keys[0].starts_with(&stamp), "{} vs {stamp}", keys[0]);
    let uuid = &keys[0][stamp.len()..];
    assert_eq!(uuid.len(), 36);
    assert_eq!(
        c.s3().get_text(&b, &keys[0]).unwrap(),
        "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n"
    );
}

#[test]
fn a_full_buffer_is_delivered_at_once() {
    let mut c = Cloud::new();
    let (b, f) = setup(
        &mut c,
        Delivery::new().buffer_mib(1).buffer_interval(900.secs()),
    );
    let chunk = vec![b'x'; 300_000];
    for _ in 0..3 {
        c.firehose().put(&f, chunk.clone()).unwrap();
    }
    c.advance(1.secs());
    assert!(
        c.firehose().objects(&f).unwrap().is_empty(),
        "900 KB < 1 MiB"
    );
    c.firehose().put(&f, chunk.clone()).unwrap();
    let before = c.now();
    c.advance(1.millis());
    let keys = c.firehose().objects(&f).unwrap();
    assert_eq!(keys.len(), 1, "1.2 MB >= 1 MiB: delivered without waiting");
    assert!(c.now() - before < 1.secs());
    // One object holds at most the buffer size: the fourth chunk waits.
    assert_eq!(c.s3().get_object(&b, &keys[0]).unwrap().body.len(), 900_000);
    assert_eq!(c.firehose().buffered(&f).unwrap(), 1);
}

#[test]
fn custom_prefixes_use_timestamp_expressions() {
    let mut c = Cloud::new();
    let (_, f) = setup(
        &mut c,
        Delivery::new()
            .buffer_interval(60.secs())
            .prefix("clicks/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/"),
    );
    c.advance(3.hours());
    c.firehose().put(&f, "a").unwrap();
    c.advance(60.secs());
    let keys = c.firehose().objects(&f).unwrap();
    assert!(
        keys[0].starts_with("clicks/dt=2026-01-01/hour=03/events-1-2026-01-01-03-"),
        "{}",
        keys[0]
    );
}

#[test]
fn a_lambda_transformation_keeps_drops_and_fails_records() {
    let mut c = Cloud::new();
    let upper = c
        .lambda()
        .create_function(
            "upper",
            Function::new(|event, _ctx| {
                let out: Vec<Value> = event["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        let data = cloudlab::kinesis::Blob::from_base64(r["data"].as_str().unwrap()).unwrap();
                        let text = data.text();
                        let result = match text.trim() {
                            "drop" => "Dropped",
                            "bad" => "ProcessingFailed",
                            _ => "Ok",
                        };
                        let upper = cloudlab::kinesis::Blob::from(text.to_uppercase());
                        json!({"recordId": r["recordId"], "result": result, "data": upper.to_base64()})
                    })
                    .collect();
                Ok(json!({ "records": out }))
            }),
        )
        .unwrap();
    let (b, f) = setup(
        &mut c,
        Delivery::new().buffer_interval(60.secs()).transform(&upper),
    );
    for text in ["hello\n", "drop\n", "bad\n", "world\n"] {
        c.firehose().put(&f, text).unwrap();
    }
    c.advance(61.secs());
    let keys = c.firehose().objects(&f).unwrap();
    assert_eq!(keys.len(), 2);
    let ok = keys
        .iter()
        .find(|k| !k.starts_with("processing-failed/"))
        .unwrap();
    assert_eq!(c.s3().get_text(&b, ok).unwrap(), "HELLO\nWORLD\n");
    let failed = keys
        .iter()
        .find(|k| k.starts_with("processing-failed/2026/01/01/00/"))
        .unwrap();
    let line: Value = c
        .s3()
        .get_text(&b, failed)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(line["errorCode"], "Lambda.ProcessingFailedStatus");
    assert_eq!(line["rawData"], "YmFkCg==");
    let stats = c.firehose().stats(&f).unwrap();
    assert_eq!(
        (stats.records_delivered, stats.dropped, stats.failed),
        (2, 1, 1)
    );
}

#[test]
fn a_failing_transformation_is_retried_then_written_as_errors() {
    let mut c = Cloud::new();
    let broken = c
        .lambda()
        .create_function("broken", Function::fail())
        .unwrap();
    let (b, f) = setup(
        &mut c,
        Delivery::new()
            .buffer_interval(0.secs())
            .transform_with_retries(&broken, 2),
    );
    c.firehose().put(&f, "x").unwrap();
    c.run_until_idle();
    assert_eq!(c.firehose().stats(&f).unwrap().invocations, 3);
    let keys = c.firehose().objects(&f).unwrap();
    assert_eq!(keys.len(), 1);
    let line: Value = c
        .s3()
        .get_text(&b, &keys[0])
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(line["errorCode"], "Lambda.FunctionError");
    assert_eq!(line["attemptsMade"], 3);
}

#[test]
fn a_kinesis_stream_feeds_firehose_from_its_tip() {
    let mut c = Cloud::new();
    let s = c.kinesis().create_stream("clicks", 2).unwrap();
    c.kinesis().put(&s, "before", "not read\n").unwrap();
    let b = c.s3().create_bucket("lake").unwrap();
    let f = c
        .firehose()
        .create_from_stream(
            "archive",
            &s,
            &b,
            Delivery::new().buffer_interval(60.secs()),
        )
        .unwrap();
    for i in 0..10 {
        c.kinesis()
            .put(&s, &format!("user-{i}"), format!("click {i}\n"))
            .unwrap();
    }
    c.advance(2.mins());
    let keys = c.firehose().objects(&f).unwrap();
    let text: String = keys
        .iter()
        .map(|k| c.s3().get_text(&b, k).unwrap())
        .collect();
    assert_eq!(text.lines().count(), 10);
    assert!(!text.contains("not read"));
    // Direct PUT is refused on a stream-fed Firehose.
    let e = c.firehose().put(&f, "x").unwrap_err();
    assert_eq!(e.code, "InvalidArgumentException");
    // Firehose is a GetRecords reader: it shows on the stream's timeline.
    assert!(
        c.kinesis()
            .view(&s)
            .unwrap()
            .to_svg()
            .contains("firehose:archive")
    );
}

#[test]
fn the_json_face_creates_describes_and_puts() {
    let mut c = Cloud::new();
    c.s3().create_bucket("lake").unwrap();
    let e = c
        .call(
            "firehose",
            "CreateDeliveryStream",
            json!({"DeliveryStreamName": "d", "ExtendedS3DestinationConfiguration": {
                "BucketARN": "arn:aws:s3:::lake", "RoleARN": "r",
                "BufferingHints": {"SizeInMBs": 129, "IntervalInSeconds": 60}}}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidArgumentException");
    assert!(e.message.contains("SizeInMBs"), "{}", e.message);
    let e = c
        .call(
            "firehose",
            "CreateDeliveryStream",
            json!({"DeliveryStreamName": "d", "ExtendedS3DestinationConfiguration": {
                "BucketARN": "arn:aws:s3:::nope", "RoleARN": "r"}}),
        )
        .unwrap_err();
    assert_eq!(e.code, "NoSuchBucket");
    let out = c
        .call(
            "firehose",
            "CreateDeliveryStream",
            json!({"DeliveryStreamName": "d", "DeliveryStreamType": "DirectPut",
                   "ExtendedS3DestinationConfiguration": {"BucketARN": "arn:aws:s3:::lake", "RoleARN": "r"}}),
        )
        .unwrap();
    assert_eq!(
        out["DeliveryStreamARN"],
        "arn:aws:firehose:us-east-1:123456789012:deliverystream/d"
    );
    let d = c
        .call(
            "firehose",
            "DescribeDeliveryStream",
            json!({"DeliveryStreamName": "d"}),
        )
        .unwrap();
    let desc = &d["DeliveryStreamDescription"];
    assert_eq!(desc["DeliveryStreamStatus"], "CREATING");
    let hints = &desc["Destinations"][0]["ExtendedS3DestinationDescription"]["BufferingHints"];
    assert_eq!(
        (
            hints["SizeInMBs"].as_u64(),
            hints["IntervalInSeconds"].as_u64()
        ),
        (Some(5), Some(300))
    );
    c.advance(5.secs());
    let out = c
        .call(
            "firehose",
            "PutRecordBatch",
            json!({"DeliveryStreamName": "d", "Records": [{"Data": "YQ=="}, {"Data": "Yg=="}]}),
        )
        .unwrap();
    assert_eq!(out["FailedPutCount"], 0);
    assert_eq!(out["RequestResponses"].as_array().unwrap().len(), 2);
    let list = c
        .call("firehose", "ListDeliveryStreams", json!({}))
        .unwrap();
    assert_eq!(list["DeliveryStreamNames"], json!(["d"]));
    c.call(
        "firehose",
        "DeleteDeliveryStream",
        json!({"DeliveryStreamName": "d"}),
    )
    .unwrap();
    let e = c
        .call(
            "firehose",
            "PutRecord",
            json!({"DeliveryStreamName": "d", "Record": {"Data": "YQ=="}}),
        )
        .unwrap_err();
    assert_eq!(e.code, "ResourceNotFoundException");
}

#[test]
fn records_over_1000_kib_and_batches_over_500_are_refused() {
    let mut c = Cloud::new();
    let (_, f) = setup(&mut c, Delivery::new());
    let e = c.firehose().put(&f, vec![0u8; 1_024_001]).unwrap_err();
    assert_eq!(e.code, "ValidationException");
    let e = c
        .firehose()
        .put_batch(&f, (0..501).map(|_| "x"))
        .unwrap_err();
    assert_eq!(e.code, "ValidationException");
}

#[test]
fn throughput_over_5_mib_per_second_is_refused() {
    let mut c = Cloud::new();
    let (_, f) = setup(&mut c, Delivery::new().buffer_mib(128));
    let chunk = vec![0u8; 1_000_000];
    for _ in 0..5 {
        c.firehose().put(&f, chunk.clone()).unwrap();
    }
    let e = c.firehose().put(&f, vec![0u8; 300_000]).unwrap_err();
    assert_eq!(e.code, "ServiceUnavailableException");
    c.advance(1.secs());
    assert!(c.firehose().put(&f, chunk).is_ok());
}

#[test]
fn ingestion_is_billed_in_5_kb_steps() {
    let mut c = Cloud::new();
    let (_, f) = setup(&mut c, Delivery::new());
    c.firehose().put(&f, vec![0u8; 3_000]).unwrap(); // 5 KB
    c.firehose().put(&f, vec![0u8; 12_000]).unwrap(); // 15 KB
    let gb = c.bill().line("firehose.gb_ingested").unwrap().units;
    assert!((gb - 20.0 * 1024.0 / 1_073_741_824.0).abs() < 1e-12, "{gb}");
}

#[test]
fn the_view_shows_the_buffer_and_objects() {
    let mut c = Cloud::new();
    let (_, f) = setup(&mut c, Delivery::new().buffer_interval(60.secs()));
    c.firehose().put(&f, "first\n").unwrap();
    c.advance(61.secs());
    c.firehose().put(&f, "second\n").unwrap();
    let html = c.firehose().view(&f).unwrap().to_html();
    assert!(html.contains("Buffer (1 records)") && html.contains("Delivered objects"));
    let svg = c.to_svg();
    assert!(svg.contains("Firehose") && svg.contains(">lake<"));
}

//! S3 behaviour: buckets, objects, listings, copies, notifications and billing.

use cloudlab::prelude::*;
use cloudlab::s3::List;

fn cloud_with_bucket() -> (Cloud, Bucket) {
    let mut cloud = Cloud::new();
    let b = cloud.s3().create_bucket("photos").unwrap();
    (cloud, b)
}

#[test]
fn objects_round_trip_with_etag_type_and_metadata() {
    let (mut cloud, b) = cloud_with_bucket();
    let put = cloud
        .s3()
        .put(&b, "a.txt", Put::text("hello").metadata("Origin", "web"))
        .unwrap();
    assert_eq!(put.etag, "\"5d41402abc4b2a76b9719d911017c592\"");
    let got = cloud.s3().get_object(&b, "a.txt").unwrap();
    assert_eq!(got.text(), "hello");
    assert_eq!(got.content_type, "text/plain; charset=utf-8");
    assert_eq!(got.metadata["origin"], "web"); // S3 lower-cases metadata names
    assert_eq!(got.etag, put.etag);
    let head = cloud.s3().head_object(&b, "a.txt").unwrap();
    assert_eq!(head.content_length, 5);
    let raw = cloud
        .s3()
        .put_object(&b, "bin", [0u8, 159, 146, 150])
        .unwrap();
    assert_eq!(raw.size, 4);
    assert_eq!(
        cloud.s3().head_object(&b, "bin").unwrap().content_type,
        "binary/octet-stream"
    );
}

#[test]
fn missing_things_get_s3_errors() {
    let (mut cloud, b) = cloud_with_bucket();
    let e = cloud.s3().get_object(&b, "nope").unwrap_err();
    assert_eq!((e.code.as_str(), e.status), ("NoSuchKey", 404));
    let e = cloud.s3().head_object(&b, "nope").unwrap_err();
    assert_eq!((e.code.as_str(), e.status), ("NotFound", 404));
    assert!(!cloud.s3().exists(&b, "nope").unwrap());
    let e = cloud.s3().put_object("other", "k", "x").unwrap_err();
    assert_eq!(e.code, "NoSuchBucket");
    // Deleting a missing key is fine, as on S3.
    cloud.s3().delete_object(&b, "nope").unwrap();
    let e = cloud.s3().create_bucket("Bad_Name").unwrap_err();
    assert_eq!(e.code, "InvalidBucketName");
}

#[test]
fn only_empty_buckets_can_be_deleted() {
    let (mut cloud, b) = cloud_with_bucket();
    cloud.s3().put_object(&b, "k", "v").unwrap();
    let e = cloud.s3().delete_bucket(&b).unwrap_err();
    assert_eq!((e.code.as_str(), e.status), ("BucketNotEmpty", 409));
    cloud.s3().delete_object(&b, "k").unwrap();
    cloud.s3().delete_bucket(&b).unwrap();
    assert!(cloud.s3().list_buckets().is_empty());
}

#[test]
fn creating_an_owned_bucket_again_succeeds_in_us_east_1() {
    let (mut cloud, b) = cloud_with_bucket();
    cloud.s3().put_object(&b, "k", "v").unwrap();
    assert_eq!(cloud.s3().create_bucket("photos").unwrap(), b);
    assert!(cloud.s3().exists(&b, "k").unwrap(), "objects survive");
    let e = cloud
        .call(
            "s3",
            "CreateBucket",
            json!({"Bucket": "x-other", "CreateBucketConfiguration": {"LocationConstraint": "us-east-1"}}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidLocationConstraint");
}

fn fill(cloud: &mut Cloud, b: &Bucket, keys: &[&str]) {
    for k in keys {
        cloud.s3().put_object(b, k, *k).unwrap();
    }
}

#[test]
fn listing_groups_by_delimiter_and_pages() {
    let (mut cloud, b) = cloud_with_bucket();
    fill(
        &mut cloud,
        &b,
        &[
            "logs/2026/01/a",
            "logs/2026/01/b",
            "logs/2026/02/c",
            "logs/readme",
            "z",
        ],
    );
    let page = cloud
        .s3()
        .list_objects(&b, List::prefix("logs/").delimiter("/"))
        .unwrap();
    let keys: Vec<&str> = page.contents.iter().map(|o| o.key.as_str()).collect();
    let prefixes: Vec<&str> = page
        .common_prefixes
        .iter()
        .map(|p| p.prefix.as_str())
        .collect();
    assert_eq!(keys, ["logs/readme"]);
    assert_eq!(prefixes, ["logs/2026/"]);
    assert_eq!(page.key_count, 2);
    assert!(!page.is_truncated);

    let page = cloud
        .s3()
        .list_objects(&b, List::prefix("logs/2026/").delimiter("/").max_keys(1))
        .unwrap();
    assert_eq!(page.common_prefixes[0].prefix, "logs/2026/01/");
    assert!(page.is_truncated);
    let token = page.next_continuation_token.unwrap();
    let next = cloud
        .s3()
        .list_objects(
            &b,
            List::prefix("logs/2026/")
                .delimiter("/")
                .max_keys(1)
                .continuation(&token),
        )
        .unwrap();
    assert_eq!(next.common_prefixes[0].prefix, "logs/2026/02/");
    assert!(!next.is_truncated, "{next:?}");
}

#[test]
fn keys_follows_every_page() {
    let (mut cloud, b) = cloud_with_bucket();
    for i in 0..2_345 {
        cloud.s3().put_object(&b, &format!("k/{i:05}"), "").unwrap();
    }
    let first = cloud.s3().list_objects(&b, List::all()).unwrap();
    assert_eq!(first.key_count, 1000);
    assert!(first.is_truncated);
    let all = cloud.s3().keys(&b, "k/").unwrap();
    assert_eq!(all.len(), 2_345);
    assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
}

#[test]
fn copies_keep_or_replace_metadata() {
    let (mut cloud, b) = cloud_with_bucket();
    let archive = cloud.s3().create_bucket("archive").unwrap();
    cloud
        .s3()
        .put(
            &b,
            "my cat.json",
            Put::json(&json!({"n": 1})).metadata("a", "1"),
        )
        .unwrap();
    let out = cloud
        .s3()
        .copy_object(&b, "my cat.json", &archive, "2026/cat.json")
        .unwrap();
    let got = cloud.s3().get_object(&archive, "2026/cat.json").unwrap();
    assert_eq!(got.content_type, "application/json");
    assert_eq!(got.metadata["a"], "1");
    assert_eq!(out.copy_object_result.etag, got.etag);
    let e = cloud
        .call(
            "s3",
            "CopyObject",
            json!({"Bucket": "photos", "Key": "my cat.json", "CopySource": "photos/my%20cat.json"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidRequest");
    cloud
        .call(
            "s3",
            "CopyObject",
            json!({"Bucket": "photos", "Key": "my cat.json", "CopySource": "/photos/my%20cat.json",
                   "MetadataDirective": "REPLACE", "ContentType": "text/plain"}),
        )
        .unwrap();
    let got = cloud.s3().head_object(&b, "my cat.json").unwrap();
    assert_eq!(got.content_type, "text/plain");
    assert!(got.metadata.is_empty());
}

#[test]
fn a_lambda_gets_records_for_matching_keys_only() {
    let (mut cloud, b) = cloud_with_bucket();
    let f = cloud
        .lambda()
        .create_function(
            "thumbnail",
            Function::new(|event, ctx| {
                let key = event["Records"][0]["s3"]["object"]["key"]
                    .as_str()
                    .unwrap_or("");
                ctx.log(format!("resizing {key}"));
                Ok(Value::Null)
            }),
        )
        .unwrap();
    cloud
        .s3()
        .add_notification(
            &b,
            Notify::lambda(&f)
                .prefix("uploads/")
                .suffix(".jpg")
                .id("thumbs"),
        )
        .unwrap();
    cloud
        .s3()
        .put_object(&b, "uploads/red flower.jpg", "x")
        .unwrap();
    cloud.s3().put_object(&b, "uploads/notes.txt", "x").unwrap();
    cloud
        .s3()
        .put_object(&b, "thumbs/red flower.jpg", "x")
        .unwrap();
    cloud.run_until_idle();
    let view = cloud.lambda().logs(&f);
    let logs = view.messages();
    let resized: Vec<&str> = logs
        .iter()
        .copied()
        .filter(|l| l.starts_with("resizing"))
        .collect();
    assert_eq!(resized, ["resizing uploads/red+flower.jpg"]);
    assert_eq!(cloud.s3().stats(&b).unwrap().notifications, 1);
}

#[test]
fn removals_and_records_reach_a_queue_with_aws_fields() {
    let (mut cloud, b) = cloud_with_bucket();
    let q = cloud.sqs().create_queue("changes").unwrap();
    cloud
        .s3()
        .add_notification(&b, Notify::queue(&q).on_created().on_removed())
        .unwrap();
    let test = cloud.sqs().receive(&q, Receive::max(10)).unwrap();
    assert_eq!(test.len(), 1, "the s3:TestEvent comes first");
    let t: Value = test[0].body.parse().unwrap();
    assert_eq!(t["Event"], "s3:TestEvent");
    assert_eq!(t["Bucket"], "photos");
    cloud.sqs().delete(&q, &test[0]).unwrap();

    cloud.s3().put_object(&b, "a", "12345").unwrap();
    cloud.advance(1.secs());
    cloud.s3().delete_object(&b, "a").unwrap();
    cloud.run_until_idle();
    let got = cloud.sqs().receive(&q, Receive::max(10)).unwrap();
    let records: Vec<Value> = got
        .iter()
        .map(|m| m.body.parse::<Value>().unwrap()["Records"][0].clone())
        .collect();
    assert_eq!(records.len(), 2);
    let created = &records[0];
    assert_eq!(created["eventName"], "ObjectCreated:Put");
    assert_eq!(created["eventSource"], "aws:s3");
    assert_eq!(created["awsRegion"], "us-east-1");
    assert_eq!(created["s3"]["object"]["size"], 5);
    assert_eq!(
        created["s3"]["object"]["eTag"],
        "827ccb0eea8a706c4c34a16891f84e7b"
    );
    assert_eq!(created["s3"]["bucket"]["arn"], "arn:aws:s3:::photos");
    let removed = &records[1];
    assert_eq!(removed["eventName"], "ObjectRemoved:Delete");
    assert!(removed["s3"]["object"].get("size").is_none());
    let seq = |r: &Value| r["s3"]["object"]["sequencer"].as_str().unwrap().to_string();
    assert!(
        seq(removed) > seq(created),
        "later change, greater sequencer"
    );
}

#[test]
fn topics_get_the_record_with_s3s_subject() {
    let (mut cloud, b) = cloud_with_bucket();
    let t = cloud.sns().create_topic("uploads").unwrap();
    let q = cloud.sqs().create_queue("fan-out").unwrap();
    cloud.sns().subscribe_queue(&t, &q).unwrap();
    cloud.s3().add_notification(&b, Notify::topic(&t)).unwrap();
    cloud.s3().put_object(&b, "k", "v").unwrap();
    cloud.run_until_idle();
    let got = cloud.sqs().receive(&q, Receive::max(10)).unwrap();
    assert_eq!(got.len(), 2);
    let envelope: Value = got[1].body.parse().unwrap();
    assert_eq!(envelope["Subject"], "Amazon S3 Notification");
    let inner: Value = envelope["Message"].as_str().unwrap().parse().unwrap();
    assert_eq!(inner["Records"][0]["s3"]["object"]["key"], "k");
}

#[test]
fn overlapping_rules_and_missing_destinations_are_refused() {
    let (mut cloud, b) = cloud_with_bucket();
    let q1 = cloud.sqs().create_queue("q1").unwrap();
    let q2 = cloud.sqs().create_queue("q2").unwrap();
    cloud
        .s3()
        .add_notification(&b, Notify::queue(&q1).prefix("images/"))
        .unwrap();
    let e = cloud
        .s3()
        .add_notification(&b, Notify::queue(&q2).suffix(".png"))
        .unwrap_err();
    assert_eq!(e.code, "InvalidArgument");
    assert!(e.message.contains("overlapping"), "{}", e.message);
    // A different prefix does not overlap; neither does another event type.
    cloud
        .s3()
        .add_notification(&b, Notify::queue(&q2).prefix("docs/"))
        .unwrap();
    cloud
        .s3()
        .add_notification(&b, Notify::queue(&q2).on_removed())
        .unwrap();
    let e = cloud
        .s3()
        .add_notification(&b, Notify::queue(&Queue::named("ghost")).prefix("x/"))
        .unwrap_err();
    assert!(e.message.contains("Unable to validate"), "{}", e.message);
    let e = cloud
        .s3()
        .add_notification(
            &b,
            Notify::queue(&q2)
                .event("s3:ObjectCreated:Everything")
                .prefix("y/"),
        )
        .unwrap_err();
    assert!(e.message.contains("not supported"), "{}", e.message);
    let config = cloud.s3().notification_configuration(&b).unwrap();
    assert_eq!(config.queue_configurations.len(), 3);
}

#[test]
fn eventbridge_events_go_through_the_hook() {
    let (mut cloud, b) = cloud_with_bucket();
    cloud.s3().set_eventbridge(&b, true).unwrap();
    cloud.s3().put_object(&b, "k", "v").unwrap();
    cloud.run_until_idle();
    let sent: Vec<String> = cloud
        .trace()
        .kind("to-eventbridge")
        .map(|e| e.detail.clone())
        .collect();
    assert_eq!(sent, ["Object Created k"]);
    let config = cloud.s3().notification_configuration(&b).unwrap();
    assert!(config.event_bridge_configuration.is_some());
}

#[test]
fn storage_is_billed_in_gb_months_and_requests_by_tier() {
    let (mut cloud, b) = cloud_with_bucket();
    let mib = vec![7u8; 1 << 20];
    for i in 0..8 {
        cloud
            .s3()
            .put_object(&b, &format!("blob/{i}"), &mib)
            .unwrap(); // 8 MiB in all
    }
    cloud.advance(31.days()); // all of January
    let bill = cloud.bill();
    let storage = bill.line("s3.standard.gb_months").unwrap();
    assert!(
        (storage.units - 8.0 / 1024.0).abs() < 1e-9,
        "{}",
        storage.units
    );
    assert!((storage.net_usd() - 0.023 * 8.0 / 1024.0).abs() < 1e-9);
    let put = bill.line("s3.tier1.requests").unwrap();
    assert_eq!(put.units, 9.0); // CreateBucket + 8 PUTs
    cloud.s3().get_object(&b, "blob/0").unwrap();
    assert_eq!(cloud.bill().line("s3.tier2.requests").unwrap().units, 1.0);
    // Deleting stops the meter.
    for i in 0..8 {
        cloud.s3().delete_object(&b, &format!("blob/{i}")).unwrap();
    }
    let before = cloud.bill().line("s3.standard.gb_months").unwrap().units;
    cloud.advance(10.days());
    let after = cloud.bill().line("s3.standard.gb_months").unwrap().units;
    assert!((after - before).abs() < 1e-9);
}

#[test]
fn the_json_face_speaks_s3s_members() {
    let mut cloud = Cloud::new();
    cloud
        .call("s3", "CreateBucket", json!({"Bucket": "docs"}))
        .unwrap();
    let out = cloud
        .call(
            "s3",
            "PutObject",
            json!({"Bucket": "docs", "Key": "a.json", "Body": "{\"x\":1}", "ContentType": "application/json"}),
        )
        .unwrap();
    assert_eq!(out["ETag"], "\"ac3ef48caa08fa3ed5e025da69edc645\"");
    let got = cloud
        .call(
            "s3",
            "GetObject",
            json!({"Bucket": "docs", "Key": "a.json"}),
        )
        .unwrap();
    assert_eq!(got["Body"], "{\"x\":1}");
    assert_eq!(got["ContentType"], "application/json");
    cloud
        .call(
            "s3",
            "PutObject",
            json!({"Bucket": "docs", "Key": "b", "Body": "/w==", "BodyEncoding": "base64"}),
        )
        .unwrap();
    let got = cloud
        .call("s3", "GetObject", json!({"Bucket": "docs", "Key": "b"}))
        .unwrap();
    assert_eq!(
        (got["Body"].as_str(), got["BodyEncoding"].as_str()),
        (Some("/w=="), Some("base64"))
    );
    let e = cloud
        .call("s3", "PutObject", json!({"Bucket": "docs"}))
        .unwrap_err();
    assert_eq!(e.code, "InvalidRequest");
    assert!(e.message.contains("Key"), "{}", e.message);
    let e = cloud.call("s3", "GetObjet", json!({})).unwrap_err();
    assert!(e.message.contains("GetObject"), "{}", e.message);
}

#[test]
fn the_account_view_shows_buckets_and_notification_edges() {
    let (mut cloud, b) = cloud_with_bucket();
    let q = cloud.sqs().create_queue("changes").unwrap();
    cloud
        .s3()
        .add_notification(&b, Notify::queue(&q).prefix("in/"))
        .unwrap();
    let svg = cloud.to_svg();
    assert!(svg.contains(">S3<") && svg.contains("photos"), "{svg}");
    assert!(svg.contains("ObjectCreated:* in/*"), "{svg}");
    let html = cloud.s3().view(&b).unwrap().to_html();
    assert!(html.contains("Event notifications"));
}

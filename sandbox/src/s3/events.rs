//! S3 event notifications: the event records S3 sends to Lambda, SQS and SNS
//! (AWS's `{"Records": [...]}` format, event version 2.1), the events it puts
//! on the default EventBridge bus ("Object Created", "Object Deleted"), the
//! `s3:TestEvent` it sends when a queue or topic is configured, and their
//! delivery a moment after the request (S3 notifies asynchronously).
//!
//! Formats: <https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html>
//! and <https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html>.

use std::time::Duration;

use serde_json::{Value, json};

use super::model::{Destination, bucket_arn};
use crate::cloud::{ACCOUNT_ID, Cloud, REGION};
use crate::time::{DurationExt, SimTime};

/// The principal S3 names as the requester in records.
pub const PRINCIPAL_ID: &str = "AWS:AIDACLOUDLABEXAMPLE";
/// The bucket owner's id in records.
pub const OWNER_ID: &str = "A3CLOUDLABOWNER";
/// The source IP of requests made in the sandbox (a documentation address).
pub const SOURCE_IP: &str = "198.51.100.7";

/// What happened to an object: the facts every notification format needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectChange {
    /// `ObjectCreated:Put`, `ObjectCreated:Copy` or `ObjectRemoved:Delete`.
    pub event_name: &'static str,
    /// Bucket name.
    pub bucket: String,
    /// Object key (not encoded).
    pub key: String,
    /// Size in bytes (created events only).
    pub size: Option<u64>,
    /// Hex MD5 ETag without quotes (created events only).
    pub etag: Option<String>,
    /// Orders events on one key: a later change has a greater sequencer.
    pub sequencer: String,
    /// The S3 request id (`x-amz-request-id`).
    pub request_id: String,
    /// The host id (`x-amz-id-2`).
    pub host_id: String,
    /// When S3 finished the request.
    pub time: SimTime,
}

impl ObjectChange {
    /// True for `ObjectCreated:*` events.
    pub fn created(&self) -> bool {
        self.event_name.starts_with("ObjectCreated:")
    }

    /// The API action behind the change (`PutObject`, `CopyObject`, `DeleteObject`).
    pub fn reason(&self) -> &'static str {
        match self.event_name {
            "ObjectCreated:Copy" => "CopyObject",
            "ObjectRemoved:Delete" => "DeleteObject",
            _ => "PutObject",
        }
    }
}

/// Encodes a key as S3 does in event records: form encoding (`red flower.jpg`
/// becomes `red+flower.jpg`), keeping `/`.
///
/// ```
/// use cloudlab::s3::events::encode_key;
/// assert_eq!(encode_key("photos/red flower(1).jpg"), "photos/red+flower%281%29.jpg");
/// ```
pub fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' | b'/' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One event record as S3 sends it to Lambda, SQS and SNS (inside `{"Records": [...]}`).
pub fn record(change: &ObjectChange, configuration_id: &str) -> Value {
    let mut object = json!({ "key": encode_key(&change.key) });
    if let Some(size) = change.size {
        object["size"] = json!(size);
    }
    if let Some(etag) = &change.etag {
        object["eTag"] = json!(etag);
    }
    object["sequencer"] = json!(change.sequencer);
    json!({
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventTime": change.time.to_rfc3339_millis(),
        "eventName": change.event_name,
        "userIdentity": { "principalId": PRINCIPAL_ID },
        "requestParameters": { "sourceIPAddress": SOURCE_IP },
        "responseElements": {
            "x-amz-request-id": change.request_id,
            "x-amz-id-2": change.host_id,
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": change.bucket,
                "ownerIdentity": { "principalId": OWNER_ID },
                "arn": bucket_arn(&change.bucket),
            },
            "object": object,
        }
    })
}

/// The event S3 puts on the default EventBridge bus for a change: detail-type
/// `Object Created` or `Object Deleted`, source `aws.s3`. `id` is the event's
/// UUID.
///
/// This is the hook EventBridge routes: see [`to_eventbridge`].
///
/// ```
/// use cloudlab::s3::events::{ObjectChange, object_event};
/// use cloudlab::prelude::*;
/// let change = ObjectChange {
///     event_name: "ObjectCreated:Put",
///     bucket: "photos".into(),
///     key: "cat.jpg".into(),
///     size: Some(5),
///     etag: Some("5d41402abc4b2a76b9719d911017c592".into()),
///     sequencer: "0065A1B2C3D4E5F601".into(),
///     request_id: "C3D13FE58DE4C810".into(),
///     host_id: "x".into(),
///     time: SimTime::EPOCH,
/// };
/// let event = object_event(&change, "7b7bc9d2-0000-4000-8000-000000000000");
/// assert_eq!(event["detail-type"], "Object Created");
/// assert_eq!(event["source"], "aws.s3");
/// assert_eq!(event["resources"][0], "arn:aws:s3:::photos");
/// assert_eq!(event["detail"]["object"]["key"], "cat.jpg");
/// assert_eq!(event["detail"]["reason"], "PutObject");
/// ```
pub fn object_event(change: &ObjectChange, id: &str) -> Value {
    let mut object = json!({ "key": change.key });
    if let Some(size) = change.size {
        object["size"] = json!(size);
    }
    if let Some(etag) = &change.etag {
        object["etag"] = json!(etag);
    }
    object["sequencer"] = json!(change.sequencer);
    let mut detail = json!({
        "version": "0",
        "bucket": { "name": change.bucket },
        "object": object,
        "request-id": change.request_id,
        "requester": ACCOUNT_ID,
        "source-ip-address": SOURCE_IP,
        "reason": change.reason(),
    });
    if !change.created() {
        detail["deletion-type"] = json!("Permanently Deleted");
    }
    json!({
        "version": "0",
        "id": id,
        "detail-type": if change.created() { "Object Created" } else { "Object Deleted" },
        "source": "aws.s3",
        "account": ACCOUNT_ID,
        "time": change.time.to_string(),
        "region": REGION,
        "resources": [bucket_arn(&change.bucket)],
        "detail": detail,
    })
}

/// The message S3 sends to a queue or topic when a notification configuration
/// names it, so you can see the destination works.
pub fn test_event(bucket: &str, time: SimTime, request_id: &str, host_id: &str) -> Value {
    json!({
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": time.to_rfc3339_millis(),
        "Bucket": bucket,
        "RequestId": request_id,
        "HostId": host_id,
    })
}

/// Delivers an S3 event to the default EventBridge bus.
///
/// **The hook for EventBridge**: S3 calls this for every change in a bucket
/// whose notification configuration has `EventBridgeConfiguration`, with the
/// event [`object_event`] built. Until the sandbox has EventBridge it only
/// records the event in the trace (service `s3`, kind `to-eventbridge`); the
/// EventBridge module routes it from here (one call: put it on the default
/// bus as an AWS service event, which is free).
pub fn to_eventbridge(cloud: &mut Cloud, bucket: &str, event: Value) {
    let name: std::sync::Arc<str> = bucket.into();
    let detail = format!(
        "{} {}",
        event["detail-type"].as_str().unwrap_or_default(),
        event["detail"]["object"]["key"]
            .as_str()
            .unwrap_or_default()
    );
    cloud.core.trace("s3", &name, "to-eventbridge", detail);
    crate::events::put_aws_event(cloud, event);
}

/// How long after a request S3 delivers its notifications (typically well
/// under a second; AWS promises no bound).
fn delivery_delay(cloud: &mut Cloud) -> Duration {
    (50 + cloud.core.rng.range(0, 450)).millis()
}

/// Schedules the notifications a change causes: one record per matching rule
/// and, when enabled, one EventBridge event.
pub(crate) fn notify(cloud: &mut Cloud, change: ObjectChange) {
    let Some(bucket) = cloud.s3.buckets.get(change.bucket.as_str()) else {
        return;
    };
    let rules: Vec<(String, Destination)> = bucket
        .notifications
        .rules
        .iter()
        .filter(|r| r.matches(change.event_name, &change.key))
        .map(|r| (r.id.clone(), r.destination.clone()))
        .collect();
    let eventbridge = bucket.notifications.eventbridge;
    if rules.is_empty() && !eventbridge {
        return;
    }
    let delay = delivery_delay(cloud);
    cloud.schedule(delay, "s3.notify", move |c| {
        for (id, destination) in rules {
            let body = json!({ "Records": [record(&change, &id)] });
            deliver(c, &change.bucket, &destination, body, change.event_name);
        }
        if eventbridge {
            let id = c.core.rng.uuid();
            let event = object_event(&change, &id);
            to_eventbridge(c, &change.bucket, event);
        }
    });
}

/// Sends one notification body to a destination (Lambda asynchronously, SQS
/// as a message, SNS as a publish with subject "Amazon S3 Notification").
pub(crate) fn deliver(
    cloud: &mut Cloud,
    bucket: &str,
    destination: &Destination,
    body: Value,
    what: &str,
) {
    let name: std::sync::Arc<str> = bucket.into();
    let text = body.to_string();
    let result = match destination {
        Destination::Lambda(arn) => {
            let fname = arn
                .rsplit_once("function:")
                .map_or(arn.as_str(), |(_, n)| n);
            let fname = fname.split(':').next().unwrap_or(fname).to_string();
            crate::lambda::asynch::enqueue(cloud, &fname, body, "s3").map(|_| ())
        }
        Destination::Queue(arn) => crate::targets::send(cloud, arn, text, Default::default()),
        Destination::Topic(arn) => crate::sns::ops::publish_to(
            cloud,
            arn,
            text,
            Some("Amazon S3 Notification".to_string()),
            Default::default(),
        )
        .map(|_| ()),
    };
    if let Some(b) = cloud.s3.buckets.get_mut(bucket) {
        b.stats.notifications += 1;
    }
    let short = destination.arn().rsplit(':').next().unwrap_or_default();
    match result {
        Ok(()) => cloud
            .core
            .trace("s3", &name, "notify", format!("{what} -> {short}")),
        Err(e) => cloud.core.trace(
            "s3",
            &name,
            "notify-failed",
            format!("{what} -> {short}: {e}"),
        ),
    }
}

/// Sends the `s3:TestEvent` S3 sends to newly configured queues and topics
/// while it validates them (during the configuration request).
pub(crate) fn send_test_events(cloud: &mut Cloud, bucket: &str, destinations: Vec<Destination>) {
    for d in destinations {
        if matches!(d, Destination::Lambda(_)) {
            continue;
        }
        let request_id = cloud.core.rng.hex(16).to_ascii_uppercase();
        let host_id = cloud.core.rng.alnum(76);
        let body = test_event(bucket, cloud.core.now, &request_id, &host_id);
        deliver(cloud, bucket, &d, body, "s3:TestEvent");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(event_name: &'static str) -> ObjectChange {
        ObjectChange {
            event_name,
            bucket: "photos".into(),
            key: "new uploads/cat.jpg".into(),
            size: event_name.starts_with("ObjectCreated").then_some(1024),
            etag: event_name
                .starts_with("ObjectCreated")
                .then(|| "0123456789abcdef0123456789abcdef".into()),
            sequencer: "0A1B2C3D4E5F678901".into(),
            request_id: "EXAMPLE123456789".into(),
            host_id: "EXAMPLE123/5678".into(),
            time: SimTime::EPOCH,
        }
    }

    #[test]
    fn records_have_aws_fields_and_an_encoded_key() {
        let r = record(&change("ObjectCreated:Put"), "thumbs");
        assert_eq!(r["eventVersion"], "2.1");
        assert_eq!(r["eventSource"], "aws:s3");
        assert_eq!(r["eventName"], "ObjectCreated:Put");
        assert_eq!(r["eventTime"], "2026-01-01T00:00:00.000Z");
        assert_eq!(r["s3"]["configurationId"], "thumbs");
        assert_eq!(r["s3"]["bucket"]["arn"], "arn:aws:s3:::photos");
        assert_eq!(r["s3"]["object"]["key"], "new+uploads/cat.jpg");
        assert_eq!(r["s3"]["object"]["size"], 1024);
        assert_eq!(
            r["responseElements"]["x-amz-request-id"],
            "EXAMPLE123456789"
        );
    }

    #[test]
    fn removals_have_no_size_or_etag() {
        let r = record(&change("ObjectRemoved:Delete"), "c");
        assert!(r["s3"]["object"].get("size").is_none());
        assert!(r["s3"]["object"].get("eTag").is_none());
        let e = object_event(&change("ObjectRemoved:Delete"), "id");
        assert_eq!(e["detail-type"], "Object Deleted");
        assert_eq!(e["detail"]["deletion-type"], "Permanently Deleted");
        assert_eq!(e["detail"]["reason"], "DeleteObject");
        assert_eq!(e["detail"]["object"]["key"], "new uploads/cat.jpg");
    }

    #[test]
    fn keys_are_form_encoded() {
        assert_eq!(encode_key("a b+c=d:é"), "a+b%2Bc%3Dd%3A%C3%A9");
    }
}

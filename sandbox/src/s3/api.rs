//! The AWS-shaped face of S3: operation names and members as the S3 API
//! Reference (and the SDKs) name them, dispatched to `ops`.
//!
//! Bodies are JSON strings: `PutObject`'s `Body` is text (or base64 with the
//! sandbox-only member `"BodyEncoding": "base64"`), and `GetObject` answers
//! `Body` as text, or as base64 with `"BodyEncoding": "base64"` when the
//! object is not UTF-8.

use base64::Engine;
use serde_json::{Value, json};

use super::ops::{STYLE, buckets, notifications, objects};
use crate::api::{empty, unknown_operation};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::params::{parse, respond};

/// Every S3 action the sandbox implements.
pub const OPERATIONS: &[&str] = &[
    "CopyObject",
    "CreateBucket",
    "DeleteBucket",
    "DeleteObject",
    "DeleteObjects",
    "GetBucketNotificationConfiguration",
    "GetObject",
    "HeadBucket",
    "HeadObject",
    "ListBuckets",
    "ListObjectsV2",
    "PutBucketNotificationConfiguration",
    "PutObject",
];

/// Runs one S3 action from JSON.
pub fn dispatch(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    match operation {
        "CopyObject" => respond(objects::copy_object(cloud, parse(STYLE, params)?)?),
        "CreateBucket" => respond(buckets::create_bucket(cloud, parse(STYLE, params)?)?),
        "DeleteBucket" => empty(buckets::delete_bucket(cloud, parse(STYLE, params)?)),
        "DeleteObject" => empty(objects::delete_object(cloud, parse(STYLE, params)?)),
        "DeleteObjects" => respond(objects::delete_objects(cloud, parse(STYLE, params)?)?),
        "GetBucketNotificationConfiguration" => respond(
            notifications::get_bucket_notification_configuration(cloud, parse(STYLE, params)?)?,
        ),
        "GetObject" => {
            let out = objects::get_object(cloud, parse(STYLE, params)?)?;
            let mut v = respond(&out)?;
            match std::str::from_utf8(&out.body) {
                Ok(text) => v["Body"] = json!(text),
                Err(_) => {
                    v["Body"] = json!(base64::engine::general_purpose::STANDARD.encode(&out.body));
                    v["BodyEncoding"] = json!("base64");
                }
            }
            Ok(v)
        }
        "HeadBucket" => respond(buckets::head_bucket(cloud, parse(STYLE, params)?)?),
        "HeadObject" => respond(objects::head_object(cloud, parse(STYLE, params)?)?),
        "ListBuckets" => respond(buckets::list_buckets(cloud, parse(STYLE, params)?)?),
        "ListObjectsV2" => respond(objects::list_objects_v2(cloud, parse(STYLE, params)?)?),
        "PutBucketNotificationConfiguration" => empty(
            notifications::put_bucket_notification_configuration(cloud, parse(STYLE, params)?),
        ),
        "PutObject" => respond(objects::put_object(cloud, parse(STYLE, params)?)?),
        other => Err(unknown_operation("s3", other, OPERATIONS)),
    }
}

//! S3 operations, one function per API action, shared by both faces: each
//! takes the request as the S3 API Reference shapes it (PascalCase members,
//! as the SDKs name them) and returns the response or S3's error.

pub mod buckets;
pub mod notifications;
pub mod objects;

use std::sync::Arc;

use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::params::ErrorStyle;

use super::model::BucketState;

/// S3 reports malformed requests as `InvalidArgument` / `InvalidRequest`.
pub const STYLE: ErrorStyle = ErrorStyle {
    missing: "InvalidRequest",
    invalid: "InvalidArgument",
};

/// Price key of PUT, COPY, POST and LIST requests.
pub const TIER1: &str = "s3.tier1.requests";
/// Price key of GET, HEAD and all other requests (DELETE is free).
pub const TIER2: &str = "s3.tier2.requests";

pub(crate) fn no_such_bucket(name: &str) -> CloudError {
    CloudError::new(
        "NoSuchBucket",
        format!("The specified bucket does not exist (BucketName: {name})."),
    )
    .with_status(404)
}

pub(crate) fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new("InvalidArgument", message)
}

pub(crate) fn bucket<'c>(cloud: &'c Cloud, name: &str) -> CloudResult<&'c BucketState> {
    cloud
        .s3
        .buckets
        .get(name)
        .ok_or_else(|| no_such_bucket(name))
}

pub(crate) fn bucket_mut<'c>(cloud: &'c mut Cloud, name: &str) -> CloudResult<&'c mut BucketState> {
    cloud
        .s3
        .buckets
        .get_mut(name)
        .ok_or_else(|| no_such_bucket(name))
}

/// Meters one request of a tier.
pub(crate) fn bill(cloud: &mut Cloud, key: &'static str) {
    cloud.core.bill(key, 1.0);
}

/// Meters storage up to now, then records the new total (`old` bytes replaced by `new`).
pub(crate) fn stored(cloud: &mut Cloud, old: u64, new: u64) {
    let now = cloud.core.now;
    let total = cloud.s3.storage.bytes.saturating_sub(old) + new;
    cloud.s3.storage.change(&mut cloud.core.meter, now, total);
}

/// A request id (`x-amz-request-id`) and host id (`x-amz-id-2`).
pub(crate) fn request_ids(cloud: &mut Cloud) -> (String, String) {
    let rid = cloud.core.rng.hex(16).to_ascii_uppercase();
    let host = cloud.core.rng.alnum(76);
    (rid, host)
}

/// The next sequencer: hex, growing with every change in the account.
pub(crate) fn sequencer(cloud: &mut Cloud) -> String {
    cloud.s3.sequence += 1;
    let millis = cloud.core.now.unix_millis();
    format!("{:012X}{:06X}", millis, cloud.s3.sequence & 0xFF_FFFF)
}

pub(crate) fn trace(cloud: &mut Cloud, bucket: &str, kind: &'static str, detail: String) {
    let name: Arc<str> = bucket.into();
    cloud.core.trace("s3", &name, kind, detail);
}

//! Amazon S3 limits the sandbox enforces, at today's AWS values.

/// Bucket names are 3 to 63 characters long.
///
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>
pub const BUCKET_NAME_MIN: usize = 3;
/// See [`BUCKET_NAME_MIN`].
pub const BUCKET_NAME_MAX: usize = 63;

/// General purpose buckets per account by default (raised from 100 in
/// November 2024; adjustable up to 1 million).
///
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html>
pub const MAX_BUCKETS: usize = 10_000;

/// An object key is at most 1,024 bytes of UTF-8.
///
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html>
pub const MAX_KEY_BYTES: usize = 1024;

/// The largest object one PutObject uploads: 5 GB (larger ones need multipart
/// upload, up to 48.8 TiB, which the sandbox does not model).
///
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html>
pub const MAX_PUT_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// User-defined metadata (`x-amz-meta-*` names and values) is at most 2 KB.
///
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html>
pub const MAX_USER_METADATA_BYTES: usize = 2 * 1024;

/// ListObjectsV2 returns at most 1,000 keys per page (also the default).
///
/// <https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html>
pub const MAX_KEYS: u32 = 1000;

/// An event notification message is at most 64 KB.
///
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html>
pub const MAX_NOTIFICATION_BYTES: usize = 64 * 1024;

/// The content type S3 stores when a PutObject names none.
///
/// <https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html>
pub const DEFAULT_CONTENT_TYPE: &str = "binary/octet-stream";

/// Bytes in a GB for S3 storage billing (S3 bills binary gigabytes, 2^30 bytes).
///
/// <https://aws.amazon.com/s3/pricing/>
pub const BYTES_PER_GB: f64 = 1_073_741_824.0;

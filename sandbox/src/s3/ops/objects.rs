//! Object actions: PutObject, GetObject, HeadObject, DeleteObject,
//! DeleteObjects, CopyObject and ListObjectsV2.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize};

use super::{
    TIER1, TIER2, bill, bucket, bucket_mut, invalid, request_ids, sequencer, stored, trace,
};
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::s3::events::{ObjectChange, notify};
use crate::s3::model::ObjectState;
use crate::s3::names::check_key;
use crate::s3::quotas::*;
use crate::time::SimTime;

/// An object's bytes. From JSON it is a string (UTF-8 text, or base64 when the
/// request says `"BodyEncoding": "base64"`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Body(pub Arc<[u8]>);

impl Body {
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl<T: AsRef<[u8]>> From<T> for Body {
    fn from(b: T) -> Body {
        Body(Arc::from(b.as_ref()))
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Body, D::Error> {
        let text = String::deserialize(d)?;
        Ok(Body(Arc::from(text.into_bytes())))
    }
}

/// PutObject request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutObjectInput {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// The bytes (empty when left out).
    #[serde(default)]
    pub body: Body,
    /// Sandbox extension for the JSON face: `base64` when `Body` is base64.
    pub body_encoding: Option<String>,
    /// `Content-Type` (default `binary/octet-stream`).
    pub content_type: Option<String>,
    /// User metadata (`x-amz-meta-*`).
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// PutObject response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutObjectOutput {
    /// The quoted hex MD5 of the body, as S3 returns it (`"\"5d41...\""`).
    #[serde(rename = "ETag")]
    pub etag: String,
    /// Bytes stored.
    pub size: u64,
}

fn decode(body: Body, encoding: Option<&str>) -> CloudResult<Arc<[u8]>> {
    match encoding {
        None => Ok(body.0),
        Some("base64") => base64::engine::general_purpose::STANDARD
            .decode(&*body.0)
            .map(Arc::from)
            .map_err(|e| invalid(format!("Body is not valid base64: {e}."))),
        Some(other) => Err(invalid(format!(
            "BodyEncoding must be base64 (got {other:?})."
        ))),
    }
}

fn check_metadata(meta: &BTreeMap<String, String>) -> CloudResult<BTreeMap<String, String>> {
    let size: usize = meta.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_USER_METADATA_BYTES {
        return Err(CloudError::new(
            "MetadataTooLarge",
            format!(
                "Your metadata headers exceed the maximum allowed metadata size ({size} > {MAX_USER_METADATA_BYTES} bytes)."
            ),
        ));
    }
    Ok(meta
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect())
}

/// Stores an object and schedules its `ObjectCreated` notifications.
fn store(
    cloud: &mut Cloud,
    bucket_name: &str,
    key: &str,
    object: ObjectState,
    event_name: &'static str,
) -> CloudResult<PutObjectOutput> {
    let size = object.size();
    let etag = object.etag.clone();
    let b = bucket_mut(cloud, bucket_name)?;
    let old = b.insert(key, object);
    b.stats.puts += 1;
    stored(cloud, old, size);
    let (request_id, host_id) = request_ids(cloud);
    let seq = sequencer(cloud);
    trace(cloud, bucket_name, "put", format!("{key} ({size} B)"));
    notify(
        cloud,
        ObjectChange {
            event_name,
            bucket: bucket_name.to_string(),
            key: key.to_string(),
            size: Some(size),
            etag: Some(etag.clone()),
            sequencer: seq,
            request_id,
            host_id,
            time: cloud.core.now,
        },
    );
    Ok(PutObjectOutput {
        etag: format!("\"{etag}\""),
        size,
    })
}

/// PutObject: stores (or replaces) an object.
pub fn put_object(cloud: &mut Cloud, input: PutObjectInput) -> CloudResult<PutObjectOutput> {
    bucket(cloud, &input.bucket)?;
    check_key(&input.key)?;
    let body = decode(input.body, input.body_encoding.as_deref())?;
    if body.len() as u64 > MAX_PUT_BYTES {
        return Err(CloudError::new(
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed object size (5 GB for one PutObject).",
        ));
    }
    let metadata = check_metadata(&input.metadata)?;
    bill(cloud, TIER1);
    let content_type = input
        .content_type
        .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_string());
    let object = ObjectState::new(body, content_type, metadata, cloud.core.now);
    store(
        cloud,
        &input.bucket,
        &input.key,
        object,
        "ObjectCreated:Put",
    )
}

/// GetObject / HeadObject request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ObjectInput {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
}

/// GetObject response (HeadObject's has no body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetObjectOutput {
    /// The bytes (the JSON face prints them as `Body`).
    #[serde(skip)]
    pub body: Arc<[u8]>,
    /// Size in bytes.
    pub content_length: u64,
    /// `Content-Type`.
    pub content_type: String,
    /// Quoted hex MD5.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// When it was written.
    pub last_modified: SimTime,
    /// User metadata.
    pub metadata: BTreeMap<String, String>,
    /// `bytes`.
    pub accept_ranges: &'static str,
}

impl GetObjectOutput {
    /// The body as UTF-8 text (lossy for binary objects).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> CloudResult<serde_json::Value> {
        serde_json::from_slice(&self.body)
            .map_err(|e| CloudError::new("InvalidJson", format!("The object is not JSON: {e}")))
    }
}

fn no_such_key(key: &str) -> CloudError {
    CloudError::new(
        "NoSuchKey",
        format!("The specified key does not exist (Key: {key})."),
    )
    .with_status(404)
}

fn lookup(cloud: &Cloud, input: &ObjectInput) -> CloudResult<GetObjectOutput> {
    let b = bucket(cloud, &input.bucket)?;
    let o = b
        .objects
        .get(&input.key)
        .ok_or_else(|| no_such_key(&input.key))?;
    Ok(GetObjectOutput {
        body: o.body.clone(),
        content_length: o.size(),
        content_type: o.content_type.clone(),
        etag: format!("\"{}\"", o.etag),
        last_modified: o.last_modified,
        metadata: o.metadata.clone(),
        accept_ranges: "bytes",
    })
}

/// GetObject.
pub fn get_object(cloud: &mut Cloud, input: ObjectInput) -> CloudResult<GetObjectOutput> {
    bill(cloud, TIER2);
    let out = lookup(cloud, &input)?;
    if let Some(b) = cloud.s3.buckets.get_mut(input.bucket.as_str()) {
        b.stats.gets += 1;
    }
    Ok(out)
}

/// HeadObject: the object's metadata; a missing key is 404 `NotFound` (a HEAD
/// response has no body to name `NoSuchKey` in).
pub fn head_object(cloud: &mut Cloud, input: ObjectInput) -> CloudResult<GetObjectOutput> {
    bill(cloud, TIER2);
    lookup(cloud, &input).map_err(|e| {
        if e.code == "NoSuchKey" {
            CloudError::new("NotFound", "Not Found").with_status(404)
        } else {
            e
        }
    })
}

/// Removes a key; true when an object was there. Schedules `ObjectRemoved:Delete`.
fn remove(cloud: &mut Cloud, bucket_name: &str, key: &str) -> CloudResult<bool> {
    let b = bucket_mut(cloud, bucket_name)?;
    let Some(old) = b.remove(key) else {
        return Ok(false);
    };
    b.stats.deletes += 1;
    stored(cloud, old.size(), 0);
    let (request_id, host_id) = request_ids(cloud);
    let seq = sequencer(cloud);
    trace(cloud, bucket_name, "delete", key.to_string());
    notify(
        cloud,
        ObjectChange {
            event_name: "ObjectRemoved:Delete",
            bucket: bucket_name.to_string(),
            key: key.to_string(),
            size: None,
            etag: None,
            sequencer: seq,
            request_id,
            host_id,
            time: cloud.core.now,
        },
    );
    Ok(true)
}

/// DeleteObject: succeeds whether or not the key exists (DELETE is free).
/// A notification is sent only when an object was removed.
pub fn delete_object(cloud: &mut Cloud, input: ObjectInput) -> CloudResult<()> {
    check_key(&input.key)?;
    remove(cloud, &input.bucket, &input.key).map(|_| ())
}

/// One key of DeleteObjects.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ObjectIdentifier {
    /// Key.
    pub key: String,
}

/// The `Delete` member of DeleteObjects.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Delete {
    /// Up to 1,000 keys.
    pub objects: Vec<ObjectIdentifier>,
    /// Report only errors.
    #[serde(default)]
    pub quiet: bool,
}

/// DeleteObjects request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteObjectsInput {
    /// Bucket name.
    pub bucket: String,
    /// What to delete.
    pub delete: Delete,
}

/// A key DeleteObjects could not delete.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteError {
    /// Key.
    pub key: String,
    /// Error code.
    pub code: String,
    /// Message.
    pub message: String,
}

/// DeleteObjects response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteObjectsOutput {
    /// Keys deleted (empty in quiet mode).
    pub deleted: Vec<ObjectIdentifier>,
    /// Keys that failed.
    pub errors: Vec<DeleteError>,
}

/// DeleteObjects: up to 1,000 keys in one request.
pub fn delete_objects(
    cloud: &mut Cloud,
    input: DeleteObjectsInput,
) -> CloudResult<DeleteObjectsOutput> {
    bucket(cloud, &input.bucket)?;
    let n = input.delete.objects.len();
    if n == 0 || n > MAX_KEYS as usize {
        return Err(CloudError::new(
            "MalformedXML",
            format!("Delete.Objects must hold 1 to {MAX_KEYS} keys (got {n})."),
        ));
    }
    let mut out = DeleteObjectsOutput {
        deleted: Vec::new(),
        errors: Vec::new(),
    };
    for o in input.delete.objects {
        match check_key(&o.key).and_then(|()| remove(cloud, &input.bucket, &o.key)) {
            Ok(_) if !input.delete.quiet => out.deleted.push(o),
            Ok(_) => {}
            Err(e) => out.errors.push(DeleteError {
                key: o.key,
                code: e.code,
                message: e.message,
            }),
        }
    }
    Ok(out)
}

/// CopyObject request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CopyObjectInput {
    /// Destination bucket.
    pub bucket: String,
    /// Destination key.
    pub key: String,
    /// `source-bucket/source-key` (URL-encoded; a leading `/` is allowed).
    pub copy_source: String,
    /// `COPY` (default: keep the source's metadata and content type) or `REPLACE`.
    pub metadata_directive: Option<String>,
    /// With `REPLACE`: the new content type.
    pub content_type: Option<String>,
    /// With `REPLACE`: the new metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// The result member of CopyObject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CopyObjectResult {
    /// Quoted ETag of the new object.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// When it was written.
    pub last_modified: SimTime,
}

/// CopyObject response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CopyObjectOutput {
    /// The copy.
    pub copy_object_result: CopyObjectResult,
}

/// Decodes `%XX` escapes (and `+` as a space is *not* applied: S3 expects `%20`).
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// CopyObject: copies an object within or between buckets (`ObjectCreated:Copy`).
pub fn copy_object(cloud: &mut Cloud, input: CopyObjectInput) -> CloudResult<CopyObjectOutput> {
    bucket(cloud, &input.bucket)?;
    check_key(&input.key)?;
    let source = input.copy_source.trim_start_matches('/');
    let source = source.split("?versionId=").next().unwrap_or(source);
    let (src_bucket, src_key) = source
        .split_once('/')
        .and_then(|(b, k)| Some((b.to_string(), percent_decode(k)?)))
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        .ok_or_else(|| {
            invalid(format!(
                "CopySource must be source-bucket/source-key (got {:?}).",
                input.copy_source
            ))
        })?;
    let replace = match input.metadata_directive.as_deref() {
        None | Some("COPY") => false,
        Some("REPLACE") => true,
        Some(other) => {
            return Err(invalid(format!(
                "Unknown metadata directive {other:?}: use COPY or REPLACE."
            )));
        }
    };
    if !replace && src_bucket == input.bucket && src_key == input.key {
        return Err(CloudError::new(
            "InvalidRequest",
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    bill(cloud, TIER1);
    let src = bucket(cloud, &src_bucket)?
        .objects
        .get(&src_key)
        .cloned()
        .ok_or_else(|| no_such_key(&src_key))?;
    let (content_type, metadata) = if replace {
        (
            input
                .content_type
                .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_string()),
            check_metadata(&input.metadata)?,
        )
    } else {
        (src.content_type.clone(), src.metadata.clone())
    };
    let now = cloud.core.now;
    let object = ObjectState::new(src.body.clone(), content_type, metadata, now);
    let out = store(
        cloud,
        &input.bucket,
        &input.key,
        object,
        "ObjectCreated:Copy",
    )?;
    Ok(CopyObjectOutput {
        copy_object_result: CopyObjectResult {
            etag: out.etag,
            last_modified: now,
        },
    })
}

/// ListObjectsV2 request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListObjectsV2Input {
    /// Bucket name.
    pub bucket: String,
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// Group keys that contain this after the prefix into `CommonPrefixes`.
    pub delimiter: Option<String>,
    /// Page size (default and maximum 1,000).
    pub max_keys: Option<i64>,
    /// `NextContinuationToken` of the previous page.
    pub continuation_token: Option<String>,
    /// Start listing after this key.
    pub start_after: Option<String>,
}

/// One object in a listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ObjectSummary {
    /// Key.
    pub key: String,
    /// When it was written.
    pub last_modified: SimTime,
    /// Quoted ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// Size in bytes.
    pub size: u64,
    /// `STANDARD`.
    pub storage_class: &'static str,
}

/// A common prefix of a delimited listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CommonPrefix {
    /// The prefix, up to and including the delimiter.
    pub prefix: String,
}

/// ListObjectsV2 response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListObjectsV2Output {
    /// True when more keys follow: ask again with `NextContinuationToken`.
    pub is_truncated: bool,
    /// Objects on this page.
    pub contents: Vec<ObjectSummary>,
    /// Bucket name.
    pub name: String,
    /// The prefix asked for.
    pub prefix: String,
    /// The delimiter asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// Page size.
    pub max_keys: u32,
    /// Grouped keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub common_prefixes: Vec<CommonPrefix>,
    /// Entries on this page (objects plus common prefixes).
    pub key_count: u32,
    /// The token asked with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// The token for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_continuation_token: Option<String>,
    /// `StartAfter` as asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_after: Option<String>,
}

/// Where a page ends: after a key, or after every key under a common prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Marker {
    Key(String),
    Prefix(String),
}

fn encode_token(m: &Marker) -> String {
    let raw = match m {
        Marker::Key(k) => format!("k:{k}"),
        Marker::Prefix(p) => format!("p:{p}"),
    };
    base64::engine::general_purpose::STANDARD.encode(raw)
}

fn decode_token(t: &str) -> CloudResult<Marker> {
    let bad = || invalid("The continuation token provided is incorrect.");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(t)
        .map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    if let Some(k) = raw.strip_prefix("k:") {
        Ok(Marker::Key(k.to_string()))
    } else if let Some(p) = raw.strip_prefix("p:") {
        Ok(Marker::Prefix(p.to_string()))
    } else {
        Err(bad())
    }
}

/// ListObjectsV2: keys in UTF-8 order, with prefix, delimiter and pages.
pub fn list_objects_v2(
    cloud: &mut Cloud,
    input: ListObjectsV2Input,
) -> CloudResult<ListObjectsV2Output> {
    let max_keys = match input.max_keys {
        None => MAX_KEYS,
        Some(n) if n < 0 => return Err(invalid("MaxKeys must not be negative.")),
        Some(n) => (n as u64).min(MAX_KEYS as u64) as u32,
    };
    let marker = input
        .continuation_token
        .as_deref()
        .map(decode_token)
        .transpose()?;
    bill(cloud, TIER1);
    let b = bucket(cloud, &input.bucket)?;
    let prefix = input.prefix.clone().unwrap_or_default();
    let delimiter = input.delimiter.clone().filter(|d| !d.is_empty());
    let start = match (&marker, &input.start_after) {
        (Some(Marker::Key(k)), _) | (Some(Marker::Prefix(k)), _) => k.clone(),
        (None, Some(s)) => s.clone(),
        (None, None) => String::new(),
    };
    let mut contents = Vec::new();
    let mut prefixes: Vec<CommonPrefix> = Vec::new();
    let mut last: Option<Marker> = None;
    let mut truncated = false;
    let range = b.objects.range::<str, _>((
        std::ops::Bound::Excluded(start.as_str()),
        std::ops::Bound::Unbounded,
    ));
    for (key, o) in range {
        if !key.starts_with(&prefix) {
            if key.as_str() > prefix.as_str() && !prefix.is_empty() {
                break;
            }
            continue;
        }
        if let Some(Marker::Prefix(p)) = &marker
            && key.starts_with(p.as_str())
        {
            continue;
        }
        let group = delimiter.as_ref().and_then(|d| {
            key[prefix.len()..]
                .find(d.as_str())
                .map(|i| key[..prefix.len() + i + d.len()].to_string())
        });
        if let (Some(g), Some(Marker::Prefix(p))) = (&group, &last)
            && g == p
        {
            continue;
        }
        if (contents.len() + prefixes.len()) as u32 >= max_keys {
            truncated = max_keys > 0;
            break;
        }
        match group {
            Some(g) => {
                prefixes.push(CommonPrefix { prefix: g.clone() });
                last = Some(Marker::Prefix(g));
            }
            None => {
                contents.push(ObjectSummary {
                    key: key.clone(),
                    last_modified: o.last_modified,
                    etag: format!("\"{}\"", o.etag),
                    size: o.size(),
                    storage_class: "STANDARD",
                });
                last = Some(Marker::Key(key.clone()));
            }
        }
    }
    Ok(ListObjectsV2Output {
        is_truncated: truncated,
        key_count: (contents.len() + prefixes.len()) as u32,
        contents,
        name: input.bucket,
        prefix,
        delimiter,
        max_keys,
        common_prefixes: prefixes,
        continuation_token: input.continuation_token,
        next_continuation_token: if truncated {
            last.as_ref().map(encode_token)
        } else {
            None
        },
        start_after: input.start_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        for m in [Marker::Key("a/b c".into()), Marker::Prefix("logs/".into())] {
            assert_eq!(decode_token(&encode_token(&m)).unwrap(), m);
        }
        assert_eq!(decode_token("!!").unwrap_err().code, "InvalidArgument");
        assert!(decode_token("eHl6").is_err()); // "xyz"
    }

    #[test]
    fn copy_sources_are_url_decoded() {
        assert_eq!(percent_decode("a%20b%2Fc").unwrap(), "a b/c");
        assert!(percent_decode("bad%zz").is_none());
        assert!(percent_decode("cut%2").is_none());
    }
}

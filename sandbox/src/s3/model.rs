//! The state of buckets and objects, and the notification rules a bucket
//! keeps (pure data: no `Cloud`).

use std::collections::BTreeMap;
use std::sync::Arc;

use md5::{Digest, Md5};

use crate::time::SimTime;

/// One stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectState {
    /// The bytes (shared: copies and gets do not duplicate them).
    pub body: Arc<[u8]>,
    /// Hex MD5 of the body, without quotes (S3's ETag for a single-part upload).
    pub etag: String,
    /// `Content-Type`.
    pub content_type: String,
    /// User-defined metadata (`x-amz-meta-*`), names in lower case.
    pub metadata: BTreeMap<String, String>,
    /// When it was written.
    pub last_modified: SimTime,
}

impl ObjectState {
    /// An object holding `body`, its ETag computed.
    pub fn new(
        body: Arc<[u8]>,
        content_type: String,
        metadata: BTreeMap<String, String>,
        now: SimTime,
    ) -> ObjectState {
        ObjectState {
            etag: etag_of(&body),
            body,
            content_type,
            metadata,
            last_modified: now,
        }
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.body.len() as u64
    }
}

/// S3's ETag of a single-part upload: the hex MD5 of the bytes.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Md5::digest(body);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a notification rule sends events.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Destination {
    /// An SNS topic ARN.
    Topic(String),
    /// An SQS queue ARN.
    Queue(String),
    /// A Lambda function ARN.
    Lambda(String),
}

impl Destination {
    /// The destination's ARN.
    pub fn arn(&self) -> &str {
        match self {
            Destination::Topic(a) | Destination::Queue(a) | Destination::Lambda(a) => a,
        }
    }
}

/// One notification rule: which events, for which keys, to where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The configuration id (`configurationId` in event records).
    pub id: String,
    /// Where events go.
    pub destination: Destination,
    /// Event types, as configured (`s3:ObjectCreated:*`, ...).
    pub events: Vec<String>,
    /// Key prefix filter ("" matches every key).
    pub prefix: String,
    /// Key suffix filter ("" matches every key).
    pub suffix: String,
}

impl Rule {
    /// True when this rule wants event `name` (`ObjectCreated:Put`) for `key`.
    pub fn matches(&self, name: &str, key: &str) -> bool {
        key.starts_with(&self.prefix)
            && key.ends_with(&self.suffix)
            && self.events.iter().any(|e| event_matches(e, name))
    }
}

/// True when the configured event type `configured` (`s3:ObjectCreated:*`)
/// covers the event `name` (`ObjectCreated:Put`).
pub fn event_matches(configured: &str, name: &str) -> bool {
    let configured = configured.strip_prefix("s3:").unwrap_or(configured);
    match configured.strip_suffix(":*") {
        Some(family) => name
            .strip_prefix(family)
            .is_some_and(|rest| rest.starts_with(':')),
        None => configured == name,
    }
}

/// A bucket's notification settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notifications {
    /// Rules, in the order they were configured.
    pub rules: Vec<Rule>,
    /// Send every event to the default EventBridge bus too.
    pub eventbridge: bool,
}

/// Counters of one bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BucketStats {
    /// Objects written (PutObject, CopyObject).
    pub puts: u64,
    /// Objects read (GetObject).
    pub gets: u64,
    /// Objects deleted.
    pub deletes: u64,
    /// Event notifications sent.
    pub notifications: u64,
}

/// One bucket.
#[derive(Clone, Debug)]
pub struct BucketState {
    /// Name.
    pub name: Arc<str>,
    /// When it was created.
    pub created: SimTime,
    /// Objects by key (keys sort in UTF-8 byte order, as S3 lists them).
    pub objects: BTreeMap<String, ObjectState>,
    /// Notification rules.
    pub notifications: Notifications,
    /// Bytes stored.
    pub bytes: u64,
    /// Counters.
    pub stats: BucketStats,
}

impl BucketState {
    /// An empty bucket.
    pub fn new(name: &str, now: SimTime) -> BucketState {
        BucketState {
            name: name.into(),
            created: now,
            objects: BTreeMap::new(),
            notifications: Notifications::default(),
            bytes: 0,
            stats: BucketStats::default(),
        }
    }

    /// The bucket's ARN (`arn:aws:s3:::<name>`: no region or account).
    pub fn arn(&self) -> String {
        bucket_arn(&self.name)
    }

    /// Stores `object` under `key`; returns the bytes it replaced.
    pub fn insert(&mut self, key: &str, object: ObjectState) -> u64 {
        let added = object.size();
        let old = self
            .objects
            .insert(key.to_string(), object)
            .map_or(0, |o| o.size());
        self.bytes = self.bytes + added - old;
        old
    }

    /// Removes `key`; the object, if there was one.
    pub fn remove(&mut self, key: &str) -> Option<ObjectState> {
        let old = self.objects.remove(key)?;
        self.bytes -= old.size();
        Some(old)
    }
}

/// The ARN of bucket `name`.
pub fn bucket_arn(name: &str) -> String {
    format!("arn:aws:s3:::{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_is_the_hex_md5() {
        assert_eq!(etag_of(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(etag_of(b"hello"), "5d41402abc4b2a76b9719d911017c592");
    }

    #[test]
    fn wildcards_cover_a_family_only() {
        assert!(event_matches("s3:ObjectCreated:*", "ObjectCreated:Put"));
        assert!(event_matches("s3:ObjectCreated:*", "ObjectCreated:Copy"));
        assert!(!event_matches("s3:ObjectCreated:*", "ObjectRemoved:Delete"));
        assert!(event_matches(
            "s3:ObjectRemoved:Delete",
            "ObjectRemoved:Delete"
        ));
        assert!(!event_matches("s3:ObjectCreated:Put", "ObjectCreated:Copy"));
    }

    #[test]
    fn rules_filter_by_prefix_and_suffix() {
        let rule = Rule {
            id: "r".into(),
            destination: Destination::Queue("q".into()),
            events: vec!["s3:ObjectCreated:*".into()],
            prefix: "uploads/".into(),
            suffix: ".jpg".into(),
        };
        assert!(rule.matches("ObjectCreated:Put", "uploads/cat.jpg"));
        assert!(!rule.matches("ObjectCreated:Put", "uploads/cat.png"));
        assert!(!rule.matches("ObjectCreated:Put", "other/cat.jpg"));
        assert!(!rule.matches("ObjectRemoved:Delete", "uploads/cat.jpg"));
    }

    #[test]
    fn bytes_follow_inserts_and_removes() {
        let mut b = BucketState::new("b", SimTime::EPOCH);
        let obj = |s: &str| {
            ObjectState::new(
                Arc::from(s.as_bytes()),
                "text/plain".into(),
                BTreeMap::new(),
                SimTime::EPOCH,
            )
        };
        b.insert("a", obj("12345"));
        b.insert("b", obj("12"));
        assert_eq!(b.insert("a", obj("1")), 5);
        assert_eq!(b.bytes, 3);
        b.remove("b");
        assert_eq!(b.bytes, 1);
        assert!(b.remove("zz").is_none());
    }
}

//! Amazon S3, just enough to be an event source and a sink: buckets (with
//! AWS's naming rules), objects (put, get, head, delete, copy, list with
//! prefix, delimiter and pages), ETags, metadata and content types, event
//! notifications to Lambda, SQS and SNS (with prefix/suffix filters) and to
//! EventBridge, and storage (GB-month) and request billing.
//!
//! - `model` holds buckets and objects; `names` the naming rules;
//! - `ops` has one function per API action, `api` the JSON face
//!   (`cloud.call("s3", ...)`), this module the typed face (`cloud.s3()`);
//! - `events` builds and delivers notifications; `storage` meters GB-months;
//!   `view` renders buckets.
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let photos = cloud.s3().create_bucket("photos")?;
//! let uploads = cloud.sqs().create_queue("uploads")?;
//! cloud.s3().add_notification(&photos, Notify::queue(&uploads).prefix("raw/").suffix(".jpg"))?;
//! cloud.s3().put(&photos, "raw/cat.jpg", Put::bytes(b"\xff\xd8...").content_type("image/jpeg"))?;
//! cloud.s3().put_object(&photos, "raw/notes.txt", "not a photo")?;
//! cloud.run_until_idle();
//! let got = cloud.sqs().receive(&uploads, Receive::max(10))?;
//! assert_eq!(got.len(), 2); // S3's s3:TestEvent, then the .jpg under raw/
//! assert!(got[0].body.contains("s3:TestEvent"));
//! let event: Value = got[1].body.parse().unwrap();
//! assert_eq!(event["Records"][0]["eventName"], "ObjectCreated:Put");
//! assert_eq!(event["Records"][0]["s3"]["object"]["key"], "raw/cat.jpg");
//! # Ok(()) }
//! ```

pub mod api;
pub mod events;
pub mod model;
pub mod names;
pub mod ops;
pub mod quotas;
pub mod storage;
pub mod view;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::lambda::FunctionRef;
use crate::sns::Topic;
use crate::sqs::Queue;

pub use model::{BucketStats, Destination};
pub use ops::notifications::NotificationConfiguration;
pub use ops::objects::{
    Body, CopyObjectOutput, GetObjectOutput, ListObjectsV2Output, ObjectSummary, PutObjectOutput,
};

use model::BucketState;
use ops::buckets::{BucketInput, CreateBucketInput};
use ops::objects::{CopyObjectInput, ListObjectsV2Input, ObjectInput, PutObjectInput};

/// All buckets of an account, and its storage meter.
#[derive(Debug, Default)]
pub struct S3State {
    pub(crate) buckets: BTreeMap<Arc<str>, BucketState>,
    pub(crate) storage: storage::StorageMeter,
    pub(crate) sequence: u64,
}

impl S3State {
    /// Number of buckets.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    /// True when there are no buckets.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Bytes stored in every bucket.
    pub fn stored_bytes(&self) -> u64 {
        self.storage.bytes
    }
}

/// A bucket: its name and ARN. Pass `&bucket` to operations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bucket {
    /// Name.
    pub name: String,
    /// ARN (`arn:aws:s3:::<name>`).
    pub arn: String,
}

impl Bucket {
    /// The handle for bucket `name` (whether or not it exists).
    pub fn named(name: &str) -> Bucket {
        Bucket {
            name: name.to_string(),
            arn: model::bucket_arn(name),
        }
    }
}

/// Anything that names a bucket: a [`Bucket`], a name or a bucket ARN.
pub trait AsBucket {
    /// The bucket's name.
    fn bucket_name(&self) -> String;
}

impl AsBucket for Bucket {
    fn bucket_name(&self) -> String {
        self.name.clone()
    }
}

impl AsBucket for str {
    fn bucket_name(&self) -> String {
        self.strip_prefix("arn:aws:s3:::")
            .unwrap_or(self)
            .to_string()
    }
}

impl AsBucket for String {
    fn bucket_name(&self) -> String {
        self.as_str().bucket_name()
    }
}

impl<T: AsBucket + ?Sized> AsBucket for &T {
    fn bucket_name(&self) -> String {
        (**self).bucket_name()
    }
}

/// An object to upload: its bytes, content type and metadata, as a builder.
///
/// ```
/// use cloudlab::prelude::*;
/// let p = Put::json(&json!({"id": 7})).metadata("origin", "web");
/// # let _ = p;
/// ```
#[derive(Clone, Debug, Default)]
pub struct Put {
    body: Body,
    content_type: Option<String>,
    metadata: BTreeMap<String, String>,
}

impl Put {
    /// Raw bytes (content type `binary/octet-stream` unless set).
    pub fn bytes(body: impl AsRef<[u8]>) -> Put {
        Put {
            body: Body::from(body),
            ..Default::default()
        }
    }

    /// Text, as `text/plain; charset=utf-8`.
    pub fn text(body: impl AsRef<str>) -> Put {
        Put::bytes(body.as_ref()).content_type("text/plain; charset=utf-8")
    }

    /// A JSON document, as `application/json`.
    pub fn json(value: &serde_json::Value) -> Put {
        Put::bytes(value.to_string()).content_type("application/json")
    }

    /// Sets `Content-Type`.
    pub fn content_type(mut self, ct: &str) -> Put {
        self.content_type = Some(ct.to_string());
        self
    }

    /// Adds user metadata (`x-amz-meta-<name>`).
    pub fn metadata(mut self, name: &str, value: &str) -> Put {
        self.metadata.insert(name.to_string(), value.to_string());
        self
    }
}

/// Which keys to list, as a builder.
///
/// ```
/// use cloudlab::prelude::*;
/// let l = List::prefix("logs/2026/").delimiter("/").max_keys(100);
/// # let _ = l;
/// ```
#[derive(Clone, Debug, Default)]
pub struct List {
    prefix: Option<String>,
    delimiter: Option<String>,
    max_keys: Option<i64>,
    token: Option<String>,
    start_after: Option<String>,
}

impl List {
    /// Every key.
    pub fn all() -> List {
        List::default()
    }

    /// Keys starting with `p`.
    pub fn prefix(p: &str) -> List {
        List {
            prefix: Some(p.to_string()),
            ..Default::default()
        }
    }

    /// Group keys by what comes before `d` (after the prefix), like folders.
    pub fn delimiter(mut self, d: &str) -> List {
        self.delimiter = Some(d.to_string());
        self
    }

    /// At most `n` entries per page (1,000 at most).
    pub fn max_keys(mut self, n: i64) -> List {
        self.max_keys = Some(n);
        self
    }

    /// The page after the one that returned this `next_continuation_token`.
    pub fn continuation(mut self, token: &str) -> List {
        self.token = Some(token.to_string());
        self
    }

    /// Keys after this one.
    pub fn start_after(mut self, key: &str) -> List {
        self.start_after = Some(key.to_string());
        self
    }
}

/// One notification rule to add to a bucket, as a builder: a destination,
/// event types (default `s3:ObjectCreated:*`) and key filters.
///
/// ```
/// use cloudlab::prelude::*;
/// let q = Queue::named("thumbnails");
/// let n = Notify::queue(&q).on_removed().prefix("images/").suffix(".png");
/// # let _ = n;
/// ```
#[derive(Clone, Debug)]
pub struct Notify {
    destination: Destination,
    events: Vec<String>,
    prefix: String,
    suffix: String,
    id: Option<String>,
}

impl Notify {
    fn to(destination: Destination) -> Notify {
        Notify {
            destination,
            events: Vec::new(),
            prefix: String::new(),
            suffix: String::new(),
            id: None,
        }
    }

    /// Invoke a Lambda function (asynchronously) with each event.
    pub fn lambda(f: &FunctionRef) -> Notify {
        Notify::to(Destination::Lambda(f.arn.clone()))
    }

    /// Send each event to an SQS queue.
    pub fn queue(q: &Queue) -> Notify {
        Notify::to(Destination::Queue(q.arn.clone()))
    }

    /// Publish each event to an SNS topic.
    pub fn topic(t: &Topic) -> Notify {
        Notify::to(Destination::Topic(t.arn.clone()))
    }

    /// Add an event type by its API name (`s3:ObjectCreated:Copy`).
    pub fn event(mut self, name: &str) -> Notify {
        self.events.push(name.to_string());
        self
    }

    /// Every object-created event (`s3:ObjectCreated:*`).
    pub fn on_created(self) -> Notify {
        self.event("s3:ObjectCreated:*")
    }

    /// Every object-removed event (`s3:ObjectRemoved:*`).
    pub fn on_removed(self) -> Notify {
        self.event("s3:ObjectRemoved:*")
    }

    /// Only keys starting with `p`.
    pub fn prefix(mut self, p: &str) -> Notify {
        self.prefix = p.to_string();
        self
    }

    /// Only keys ending with `s`.
    pub fn suffix(mut self, s: &str) -> Notify {
        self.suffix = s.to_string();
        self
    }

    /// The configuration id records carry as `configurationId`.
    pub fn id(mut self, id: &str) -> Notify {
        self.id = Some(id.to_string());
        self
    }
}

/// The typed face of S3, borrowed from a [`Cloud`] by [`Cloud::s3`].
pub struct S3<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// Amazon S3 in this account.
    pub fn s3(&mut self) -> S3<'_> {
        S3 { cloud: self }
    }
}

impl S3<'_> {
    /// Creates a bucket (see [`names::bucket_name_problem`] for the rules).
    pub fn create_bucket(&mut self, name: &str) -> CloudResult<Bucket> {
        ops::buckets::create_bucket(
            self.cloud,
            CreateBucketInput {
                bucket: name.to_string(),
                create_bucket_configuration: None,
            },
        )?;
        Ok(Bucket::named(name))
    }

    /// Deletes an empty bucket.
    pub fn delete_bucket(&mut self, b: &(impl AsBucket + ?Sized)) -> CloudResult<()> {
        ops::buckets::delete_bucket(
            self.cloud,
            BucketInput {
                bucket: b.bucket_name(),
            },
        )
    }

    /// Every bucket, by name.
    pub fn list_buckets(&mut self) -> Vec<Bucket> {
        self.cloud
            .s3
            .buckets
            .keys()
            .map(|n| Bucket::named(n))
            .collect()
    }

    /// Stores `body` under `key` (content type `binary/octet-stream`).
    pub fn put_object(
        &mut self,
        b: &(impl AsBucket + ?Sized),
        key: &str,
        body: impl AsRef<[u8]>,
    ) -> CloudResult<PutObjectOutput> {
        self.put(b, key, Put::bytes(body))
    }

    /// Stores an object built with [`Put`].
    pub fn put(
        &mut self,
        b: &(impl AsBucket + ?Sized),
        key: &str,
        object: Put,
    ) -> CloudResult<PutObjectOutput> {
        ops::objects::put_object(
            self.cloud,
            PutObjectInput {
                bucket: b.bucket_name(),
                key: key.to_string(),
                body: object.body,
                body_encoding: None,
                content_type: object.content_type,
                metadata: object.metadata,
            },
        )
    }

    /// Reads an object (`NoSuchKey` when there is none).
    pub fn get_object(
        &mut self,
        b: &(impl AsBucket + ?Sized),
        key: &str,
    ) -> CloudResult<GetObjectOutput> {
        ops::objects::get_object(
            self.cloud,
            ObjectInput {
                bucket: b.bucket_name(),
                key: key.to_string(),
            },
        )
    }

    /// Reads an object as text.
    pub fn get_text(&mut self, b: &(impl AsBucket + ?Sized), key: &str) -> CloudResult<String> {
        Ok(self.get_object(b, key)?.text())
    }

    /// An object's metadata without its body (`NotFound` when there is none).
    pub fn head_object(
        &mut self,
        b: &(impl AsBucket + ?Sized),
        key: &str,
    ) -> CloudResult<GetObjectOutput> {
        ops::objects::head_object(
            self.cloud,
            ObjectInput {
                bucket: b.bucket_name(),
                key: key.to_string(),
            },
        )
    }

    /// True when `key` exists (a HEAD request).
    pub fn exists(&mut self, b: &(impl AsBucket + ?Sized), key: &str) -> CloudResult<bool> {
        match self.head_object(b, key) {
            Ok(_) => Ok(true),
            Err(e) if e.code == "NotFound" => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Deletes an object (no error when it is not there).
    pub fn delete_object(&mut self, b: &(impl AsBucket + ?Sized), key: &str) -> CloudResult<()> {
        ops::objects::delete_object(
            self.cloud,
            ObjectInput {
                bucket: b.bucket_name(),
                key: key.to_string(),
            },
        )
    }

    /// Copies `from_key` of `from` to `to_key` of `to`, keeping its metadata.
    pub fn copy_object(
        &mut self,
        from: &(impl AsBucket + ?Sized),
        from_key: &str,
        to: &(impl AsBucket + ?Sized),
        to_key: &str,
    ) -> CloudResult<CopyObjectOutput> {
        ops::objects::copy_object(
            self.cloud,
            CopyObjectInput {
                bucket: to.bucket_name(),
                key: to_key.to_string(),
                copy_source: format!("{}/{}", from.bucket_name(), encode_path(from_key)),
                ..Default::default()
            },
        )
    }

    /// One page of a listing (ListObjectsV2).
    pub fn list_objects(
        &mut self,
        b: &(impl AsBucket + ?Sized),
        list: List,
    ) -> CloudResult<ListObjectsV2Output> {
        ops::objects::list_objects_v2(
            self.cloud,
            ListObjectsV2Input {
                bucket: b.bucket_name(),
                prefix: list.prefix,
                delimiter: list.delimiter,
                max_keys: list.max_keys,
                continuation_token: list.token,
                start_after: list.start_after,
            },
        )
    }

    /// Every key starting with `prefix`, following pages.
    pub fn keys(&mut self, b: &(impl AsBucket + ?Sized), prefix: &str) -> CloudResult<Vec<String>> {
        let mut keys = Vec::new();
        let mut list = List::prefix(prefix);
        loop {
            let page = self.list_objects(b, list.clone())?;
            keys.extend(page.contents.into_iter().map(|o| o.key));
            match page.next_continuation_token {
                Some(t) => list = List::prefix(prefix).continuation(&t),
                None => return Ok(keys),
            }
        }
    }

    /// Adds a notification rule to the bucket's configuration (read, add,
    /// write back: PutBucketNotificationConfiguration replaces the whole
    /// configuration).
    pub fn add_notification(
        &mut self,
        b: &(impl AsBucket + ?Sized),
        rule: Notify,
    ) -> CloudResult<()> {
        let name = b.bucket_name();
        let mut config = self.notification_configuration(&name)?;
        let filter = {
            let mut rules = Vec::new();
            if !rule.prefix.is_empty() {
                rules.push(ops::notifications::FilterRule {
                    name: "prefix".into(),
                    value: rule.prefix,
                });
            }
            if !rule.suffix.is_empty() {
                rules.push(ops::notifications::FilterRule {
                    name: "suffix".into(),
                    value: rule.suffix,
                });
            }
            (!rules.is_empty()).then_some(ops::notifications::Filter {
                key: ops::notifications::KeyFilter {
                    filter_rules: rules,
                },
            })
        };
        let events = if rule.events.is_empty() {
            vec!["s3:ObjectCreated:*".to_string()]
        } else {
            rule.events
        };
        match rule.destination {
            Destination::Topic(arn) => {
                config
                    .topic_configurations
                    .push(ops::notifications::TopicConfiguration {
                        id: rule.id,
                        topic_arn: arn,
                        events,
                        filter,
                    })
            }
            Destination::Queue(arn) => {
                config
                    .queue_configurations
                    .push(ops::notifications::QueueConfiguration {
                        id: rule.id,
                        queue_arn: arn,
                        events,
                        filter,
                    })
            }
            Destination::Lambda(arn) => config.lambda_function_configurations.push(
                ops::notifications::LambdaFunctionConfiguration {
                    id: rule.id,
                    lambda_function_arn: arn,
                    events,
                    filter,
                },
            ),
        }
        self.put_notification_configuration(&name, config)
    }

    /// Sends every event of the bucket to the default EventBridge bus (or stops).
    pub fn set_eventbridge(&mut self, b: &(impl AsBucket + ?Sized), on: bool) -> CloudResult<()> {
        let name = b.bucket_name();
        let mut config = self.notification_configuration(&name)?;
        config.event_bridge_configuration =
            on.then_some(ops::notifications::EventBridgeConfiguration {});
        self.put_notification_configuration(&name, config)
    }

    /// The bucket's notification configuration.
    pub fn notification_configuration(
        &mut self,
        b: &(impl AsBucket + ?Sized),
    ) -> CloudResult<NotificationConfiguration> {
        ops::notifications::get_bucket_notification_configuration(
            self.cloud,
            BucketInput {
                bucket: b.bucket_name(),
            },
        )
    }

    /// Replaces the bucket's notification configuration.
    pub fn put_notification_configuration(
        &mut self,
        b: &(impl AsBucket + ?Sized),
        config: NotificationConfiguration,
    ) -> CloudResult<()> {
        ops::notifications::put_bucket_notification_configuration(
            self.cloud,
            ops::notifications::PutBucketNotificationConfigurationInput {
                bucket: b.bucket_name(),
                notification_configuration: config,
                skip_destination_validation: false,
            },
        )
    }

    /// Counters: puts, gets, deletes, notifications sent.
    pub fn stats(&mut self, b: &(impl AsBucket + ?Sized)) -> CloudResult<BucketStats> {
        Ok(ops::bucket(self.cloud, &b.bucket_name())?.stats)
    }

    /// A view of the bucket (objects, notification rules, counters).
    pub fn view(&mut self, b: &(impl AsBucket + ?Sized)) -> CloudResult<view::BucketView> {
        let name = b.bucket_name();
        let bucket = self
            .cloud
            .s3
            .buckets
            .get(name.as_str())
            .ok_or_else(|| ops::no_such_bucket(&name))?;
        Ok(view::BucketView::of(bucket))
    }
}

/// URL-encodes a key for `CopySource` (keeping `/`).
fn encode_path(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The bucket name in an S3 bucket ARN (`arn:aws:s3:::name`).
pub fn bucket_name_from_arn(arn: &str) -> CloudResult<&str> {
    arn.strip_prefix("arn:aws:s3:::")
        .filter(|n| !n.is_empty() && !n.contains('/'))
        .ok_or_else(|| {
            CloudError::new("InvalidArgument", format!("{arn} is not an S3 bucket ARN."))
        })
}

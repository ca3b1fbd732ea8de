//! Amazon SQS: standard and FIFO queues.
//!
//! - `model` holds one queue's state and the rules its messages live by;
//! - `ops` has one function per API action (both faces call these);
//! - `api` is the AWS-shaped JSON face (`cloud.call("sqs", ...)`);
//! - this module is the typed face (`cloud.sqs()`), `view` renders queues.
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let dlq = cloud.sqs().create_queue("orders-dlq")?;
//! let orders = cloud.sqs().create_queue_with(
//!     "orders",
//!     QueueOptions::new().visibility_timeout(10.secs()).dead_letter_queue(&dlq, 2),
//! )?;
//! cloud.sqs().send(&orders, "poison")?;
//! for _ in 0..2 {
//!     let got = cloud.sqs().receive(&orders, Receive::max(1))?;
//!     assert_eq!(got.len(), 1); // received, never deleted ...
//!     cloud.advance(11.secs()); // ... so it comes back
//! }
//! assert!(cloud.sqs().receive(&orders, Receive::max(1))?.is_empty());
//! assert_eq!(cloud.sqs().counts(&dlq)?.visible, 1); // moved to the DLQ
//! # Ok(()) }
//! ```

pub mod api;
pub mod config;
pub(crate) mod model;
pub mod ops;
pub mod quotas;
pub mod system_attributes;
pub mod view;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::attributes::{AttributeValue, Attributes};
use crate::cloud::{ACCOUNT_ID, Cloud, REGION};
use crate::error::CloudResult;

pub use config::{QueueConfig, RedriveAllow, RedrivePolicy};
pub use model::{MessageState, QueueStats};
pub use ops::messages::{BatchOutput, Message, SendMessageBatchOutput, SendMessageOutput};
pub use system_attributes::SystemAttributes;

use model::QueueState;
use ops::messages::Selection;

/// The URL of a queue in this account: `https://sqs.us-east-1.amazonaws.com/123456789012/<name>`.
pub fn queue_url(name: &str) -> String {
    format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{name}")
}

/// All queues of an account.
#[derive(Debug, Default)]
pub struct SqsState {
    pub(crate) queues: BTreeMap<Arc<str>, QueueState>,
    pub(crate) deleted: BTreeMap<String, crate::time::SimTime>,
    pub(crate) graveyard: Vec<QueueState>,
    pub(crate) next_id: u32,
    pub(crate) move_tasks: Vec<ops::move_tasks::MoveTask>,
}

impl SqsState {
    /// Number of queues.
    pub fn len(&self) -> usize {
        self.queues.len()
    }

    /// True when there are no queues.
    pub fn is_empty(&self) -> bool {
        self.queues.is_empty()
    }
}

/// A queue: its name, URL and ARN. Cheap to clone; pass `&queue` to operations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Queue {
    /// The queue's name.
    pub name: String,
    /// The queue's URL (what the API calls QueueUrl).
    pub url: String,
    /// The queue's ARN.
    pub arn: String,
}

impl Queue {
    /// The handle for queue `name` in this account (whether or not it exists).
    pub fn named(name: &str) -> Queue {
        Queue {
            name: name.to_string(),
            url: queue_url(name),
            arn: crate::cloud::arn("sqs", name),
        }
    }

    /// True for a FIFO queue.
    pub fn is_fifo(&self) -> bool {
        self.name.ends_with(".fifo")
    }
}

/// Anything that names a queue: a [`Queue`], a queue name or a queue URL.
pub trait AsQueue {
    /// The queue's URL.
    fn queue_url(&self) -> String;

    /// The queue's URL, borrowed when the handle already holds it (no copy
    /// per call on the hot paths).
    fn queue_url_ref(&self) -> Cow<'_, str> {
        Cow::Owned(self.queue_url())
    }
}

impl AsQueue for Queue {
    fn queue_url(&self) -> String {
        self.url.clone()
    }

    fn queue_url_ref(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.url)
    }
}

impl AsQueue for str {
    fn queue_url(&self) -> String {
        self.queue_url_ref().into_owned()
    }

    fn queue_url_ref(&self) -> Cow<'_, str> {
        if self.contains("://") {
            Cow::Borrowed(self)
        } else {
            Cow::Owned(queue_url(self))
        }
    }
}

impl AsQueue for String {
    fn queue_url(&self) -> String {
        self.as_str().queue_url()
    }

    fn queue_url_ref(&self) -> Cow<'_, str> {
        self.as_str().queue_url_ref()
    }
}

impl<T: AsQueue + ?Sized> AsQueue for &T {
    fn queue_url(&self) -> String {
        (**self).queue_url()
    }

    fn queue_url_ref(&self) -> Cow<'_, str> {
        (**self).queue_url_ref()
    }
}

/// Anything that carries a receipt handle: a received [`Message`] or the handle itself.
pub trait AsReceipt {
    /// The receipt handle.
    fn receipt_handle(&self) -> &str;
}

impl AsReceipt for Message {
    fn receipt_handle(&self) -> &str {
        &self.receipt_handle
    }
}

impl AsReceipt for str {
    fn receipt_handle(&self) -> &str {
        self
    }
}

impl AsReceipt for String {
    fn receipt_handle(&self) -> &str {
        self
    }
}

impl<T: AsReceipt + ?Sized> AsReceipt for &T {
    fn receipt_handle(&self) -> &str {
        (**self).receipt_handle()
    }
}

/// Settings for a new queue (or changes to one), as a builder.
///
/// ```
/// use cloudlab::prelude::*;
/// let opts = QueueOptions::new().visibility_timeout(2.mins()).delay(5.secs());
/// assert_eq!(opts.attributes()["VisibilityTimeout"], "120");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueOptions {
    attributes: BTreeMap<String, String>,
    tags: BTreeMap<String, String>,
    anomalies: Option<bool>,
    duplicate_rate: Option<f64>,
}

impl QueueOptions {
    /// No settings: AWS's defaults.
    pub fn new() -> QueueOptions {
        QueueOptions::default()
    }

    /// Sets any attribute by its API name (checked when the queue is created).
    pub fn attribute(mut self, name: &str, value: impl ToString) -> QueueOptions {
        self.attributes.insert(name.to_string(), value.to_string());
        self
    }

    /// A FIFO queue (the name must end in `.fifo`; `create_queue` sets this
    /// for such names anyway).
    pub fn fifo(self) -> QueueOptions {
        self.attribute("FifoQueue", "true")
    }

    /// How long a received message stays hidden (default 30 s, at most 12 h).
    pub fn visibility_timeout(self, d: Duration) -> QueueOptions {
        self.attribute("VisibilityTimeout", d.as_secs())
    }

    /// Delay every new message by `d` (a delay queue; at most 15 min).
    pub fn delay(self, d: Duration) -> QueueOptions {
        self.attribute("DelaySeconds", d.as_secs())
    }

    /// Keep messages for `d` (1 min to 14 days; default 4 days).
    pub fn retention(self, d: Duration) -> QueueOptions {
        self.attribute("MessageRetentionPeriod", d.as_secs())
    }

    /// Long-poll by default: receives wait up to `d` (at most 20 s).
    pub fn receive_wait(self, d: Duration) -> QueueOptions {
        self.attribute("ReceiveMessageWaitTimeSeconds", d.as_secs())
    }

    /// Largest message, bytes (1,024 to 1,048,576).
    pub fn max_message_size(self, bytes: u32) -> QueueOptions {
        self.attribute("MaximumMessageSize", bytes)
    }

    /// Move a message to `dlq` once it has been received `max_receive_count` times.
    pub fn dead_letter_queue(self, dlq: &Queue, max_receive_count: u32) -> QueueOptions {
        let policy = serde_json::json!({
            "deadLetterTargetArn": dlq.arn,
            "maxReceiveCount": max_receive_count,
        });
        self.attribute("RedrivePolicy", policy)
    }

    /// Only these queues may use this one as their dead-letter queue.
    pub fn redrive_allow(self, sources: &[&Queue]) -> QueueOptions {
        let arns: Vec<&str> = sources.iter().map(|q| q.arn.as_str()).collect();
        let policy = serde_json::json!({"redrivePermission": "byQueue", "sourceQueueArns": arns});
        self.attribute("RedriveAllowPolicy", policy)
    }

    /// No queue may use this one as its dead-letter queue.
    pub fn redrive_deny_all(self) -> QueueOptions {
        self.attribute("RedriveAllowPolicy", r#"{"redrivePermission":"denyAll"}"#)
    }

    /// FIFO: deduplicate by the body's SHA-256 when no dedup id is given.
    pub fn content_based_dedup(self) -> QueueOptions {
        self.attribute("ContentBasedDeduplication", "true")
    }

    /// FIFO high-throughput mode (dedup and throughput per message group).
    pub fn high_throughput(self) -> QueueOptions {
        self.attribute("DeduplicationScope", "messageGroup")
            .attribute("FifoThroughputLimit", "perMessageGroupId")
    }

    /// A tag.
    pub fn tag(mut self, key: &str, value: &str) -> QueueOptions {
        self.tags.insert(key.to_string(), value.to_string());
        self
    }

    /// Standard-queue anomalies (duplicates, reordering) for this queue only.
    pub fn anomalies(mut self, on: bool) -> QueueOptions {
        self.anomalies = Some(on);
        self
    }

    /// Turns anomalies on for this queue with a chosen duplicate chance per
    /// receive and per delete (0.0-1.0; the default is 5 %). `1.0` makes every
    /// message come back, which scenarios use to force redelivery.
    pub fn duplicate_rate(mut self, p: f64) -> QueueOptions {
        self.anomalies = Some(true);
        self.duplicate_rate = Some(p.clamp(0.0, 1.0));
        self
    }

    /// The attributes as the API's string map.
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }
}

/// A message to send: a body and, optionally, attributes, a delay and FIFO ids.
///
/// Anything that turns into a string is a message: `"text"`, a `String`, or a
/// `serde_json::Value` (sent as its JSON text).
///
/// ```
/// use cloudlab::prelude::*;
/// let m = Msg::new("order #7").attr("priority", "high").group("customer-42");
/// assert_eq!(m.body(), "order #7");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Msg {
    body: String,
    delay: Option<Duration>,
    attributes: Attributes,
    group: Option<String>,
    dedup: Option<String>,
    trace_header: Option<String>,
}

impl Msg {
    /// A message with this body.
    pub fn new(body: impl Into<String>) -> Msg {
        Msg {
            body: body.into(),
            ..Default::default()
        }
    }

    /// The body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// A string attribute (numbers become `Number` attributes via [`Msg::number`]).
    pub fn attr(mut self, name: &str, value: &str) -> Msg {
        self.attributes
            .insert(name.to_string(), AttributeValue::string(value));
        self
    }

    /// A number attribute.
    pub fn number(mut self, name: &str, value: impl ToString) -> Msg {
        self.attributes
            .insert(name.to_string(), AttributeValue::number(value));
        self
    }

    /// Any attribute value.
    pub fn attribute(mut self, name: &str, value: AttributeValue) -> Msg {
        self.attributes.insert(name.to_string(), value);
        self
    }

    /// A per-message delay (a message timer; standard queues only, at most 15 min).
    pub fn delay(mut self, d: Duration) -> Msg {
        self.delay = Some(d);
        self
    }

    /// The FIFO message group.
    pub fn group(mut self, group: &str) -> Msg {
        self.group = Some(group.to_string());
        self
    }

    /// The FIFO deduplication id.
    pub fn dedup_id(mut self, id: &str) -> Msg {
        self.dedup = Some(id.to_string());
        self
    }

    /// The X-Ray trace header system attribute.
    pub fn trace_header(mut self, header: &str) -> Msg {
        self.trace_header = Some(header.to_string());
        self
    }

    /// The request for this message; its `queue_url` is left empty for the
    /// caller, which knows the queue.
    fn into_input(self) -> ops::messages::SendMessageInput {
        let mut system = Attributes::new();
        if let Some(h) = self.trace_header {
            system.insert("AWSTraceHeader".into(), AttributeValue::string(h));
        }
        ops::messages::SendMessageInput {
            queue_url: String::new(),
            message_body: self.body,
            delay_seconds: self.delay.map(|d| d.as_secs() as u32),
            message_attributes: self.attributes,
            message_system_attributes: system,
            message_deduplication_id: self.dedup,
            message_group_id: self.group,
        }
    }
}

impl From<&str> for Msg {
    fn from(body: &str) -> Msg {
        Msg::new(body)
    }
}

impl From<String> for Msg {
    fn from(body: String) -> Msg {
        Msg::new(body)
    }
}

impl From<&String> for Msg {
    fn from(body: &String) -> Msg {
        Msg::new(body.clone())
    }
}

impl From<serde_json::Value> for Msg {
    fn from(body: serde_json::Value) -> Msg {
        Msg::new(match body {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
    }
}

/// How to receive: how many, how long to wait, how long to hide them.
///
/// ```
/// use cloudlab::prelude::*;
/// let r = Receive::max(10).wait(20.secs()).visibility(1.mins());
/// assert_eq!(r, Receive::max(10).wait(20.secs()).visibility(60.secs()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receive {
    max: u32,
    wait: Option<Duration>,
    visibility: Option<Duration>,
}

impl Default for Receive {
    /// One message, no waiting beyond the queue's default, the queue's visibility timeout.
    fn default() -> Self {
        Receive {
            max: 1,
            wait: None,
            visibility: None,
        }
    }
}

impl Receive {
    /// Up to `n` messages (1 to 10).
    pub fn max(n: u32) -> Receive {
        Receive {
            max: n,
            ..Default::default()
        }
    }

    /// Long-poll: wait up to `d` (at most 20 s) for a message to arrive.
    pub fn wait(mut self, d: Duration) -> Receive {
        self.wait = Some(d);
        self
    }

    /// Hide the received messages for `d` instead of the queue's timeout.
    pub fn visibility(mut self, d: Duration) -> Receive {
        self.visibility = Some(d);
        self
    }
}

impl From<u32> for Receive {
    fn from(n: u32) -> Receive {
        Receive::max(n)
    }
}

/// Messages returned by a receive (derefs to a slice of [`Message`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Received(pub Vec<Message>);

impl std::ops::Deref for Received {
    type Target = [Message];
    fn deref(&self) -> &[Message] {
        &self.0
    }
}

impl IntoIterator for Received {
    type Item = Message;
    type IntoIter = std::vec::IntoIter<Message>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Received {
    type Item = &'a Message;
    type IntoIter = std::slice::Iter<'a, Message>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Approximate message counts of a queue, as GetQueueAttributes reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct QueueCounts {
    /// ApproximateNumberOfMessages: ready to receive.
    pub visible: usize,
    /// ApproximateNumberOfMessagesNotVisible: received, not deleted, hidden.
    pub in_flight: usize,
    /// ApproximateNumberOfMessagesDelayed: waiting out a delay.
    pub delayed: usize,
}

impl QueueCounts {
    /// All messages the queue holds.
    pub fn total(&self) -> usize {
        self.visible + self.in_flight + self.delayed
    }
}

/// The typed face of SQS, borrowed from a [`Cloud`] by [`Cloud::sqs`].
pub struct Sqs<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// Amazon SQS in this account.
    pub fn sqs(&mut self) -> Sqs<'_> {
        Sqs { cloud: self }
    }
}

impl Sqs<'_> {
    /// Creates a standard queue, or a FIFO queue if the name ends in `.fifo`.
    /// Creating a queue that exists with the same settings returns it.
    pub fn create_queue(&mut self, name: &str) -> CloudResult<Queue> {
        self.create_queue_with(name, QueueOptions::new())
    }

    /// Creates a queue with settings.
    pub fn create_queue_with(&mut self, name: &str, options: QueueOptions) -> CloudResult<Queue> {
        let mut attributes = options.attributes;
        if name.ends_with(".fifo") {
            attributes
                .entry("FifoQueue".into())
                .or_insert_with(|| "true".into());
        }
        ops::queues::create_queue(
            self.cloud,
            ops::queues::CreateQueueInput {
                queue_name: name.to_string(),
                attributes,
                tags: options.tags,
            },
        )?;
        if let Some(q) = self.cloud.sqs.queues.get_mut(name) {
            q.anomalies = options.anomalies.or(q.anomalies);
            q.duplicate_rate = options.duplicate_rate.or(q.duplicate_rate);
        }
        Ok(Queue::named(name))
    }

    /// The queue called `name` (GetQueueUrl).
    pub fn get_queue(&mut self, name: &str) -> CloudResult<Queue> {
        ops::queues::get_queue_url(
            self.cloud,
            ops::queues::GetQueueUrlInput {
                queue_name: name.to_string(),
                queue_owner_aws_account_id: None,
            },
        )?;
        Ok(Queue::named(name))
    }

    /// Every queue, in name order.
    pub fn list_queues(&mut self) -> Vec<Queue> {
        self.cloud
            .sqs
            .queues
            .keys()
            .map(|n| Queue::named(n))
            .collect()
    }

    /// Deletes a queue and its messages.
    pub fn delete_queue(&mut self, queue: &(impl AsQueue + ?Sized)) -> CloudResult<()> {
        ops::queues::delete_queue(
            self.cloud,
            ops::queues::QueueUrlInput {
                queue_url: queue.queue_url(),
            },
        )
    }

    /// Sends one message: a body (`"text"`, a `String`, a JSON value) or a [`Msg`].
    pub fn send(
        &mut self,
        queue: &(impl AsQueue + ?Sized),
        message: impl Into<Msg>,
    ) -> CloudResult<SendMessageOutput> {
        let input = message.into().into_input();
        ops::messages::send_message_to(self.cloud, &queue.queue_url_ref(), input)
    }

    /// Sends up to 10 messages in one request (one billed request per 64 KiB).
    /// Entry ids are `"0"`, `"1"`, ...; entries can fail alone.
    pub fn send_batch<M: Into<Msg>>(
        &mut self,
        queue: &(impl AsQueue + ?Sized),
        messages: impl IntoIterator<Item = M>,
    ) -> CloudResult<SendMessageBatchOutput> {
        let url = queue.queue_url();
        let entries = messages
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let input = m.into().into_input();
                ops::messages::SendMessageBatchEntry {
                    id: i.to_string(),
                    message_body: input.message_body,
                    delay_seconds: input.delay_seconds,
                    message_attributes: input.message_attributes,
                    message_system_attributes: input.message_system_attributes,
                    message_deduplication_id: input.message_deduplication_id,
                    message_group_id: input.message_group_id,
                }
            })
            .collect();
        ops::messages::send_message_batch(
            self.cloud,
            ops::messages::SendMessageBatchInput {
                queue_url: url,
                entries,
            },
        )
    }

    /// Receives messages; every system and message attribute is included.
    /// Waiting (long polling) moves virtual time until a message arrives or
    /// the wait ends.
    pub fn receive(
        &mut self,
        queue: &(impl AsQueue + ?Sized),
        how: impl Into<Receive>,
    ) -> CloudResult<Received> {
        let how = how.into();
        let out = ops::messages::receive_selected(
            self.cloud,
            &queue.queue_url_ref(),
            &Selection::all(),
            &ops::messages::ReceiveMessageInput {
                max_number_of_messages: Some(how.max),
                visibility_timeout: how.visibility.map(|d| d.as_secs() as u32),
                wait_time_seconds: how.wait.map(|d| d.as_secs() as u32),
                ..Default::default()
            },
        )?;
        Ok(Received(out.messages))
    }

    /// Deletes a received message (by the receipt handle of its latest receive).
    pub fn delete(
        &mut self,
        queue: &(impl AsQueue + ?Sized),
        message: &(impl AsReceipt + ?Sized),
    ) -> CloudResult<()> {
        ops::messages::delete_message_at(
            self.cloud,
            &queue.queue_url_ref(),
            message.receipt_handle(),
        )
    }

    /// Deletes up to 10 received messages in one request.
    pub fn delete_batch(
        &mut self,
        queue: &(impl AsQueue + ?Sized),
        messages: &[Message],
    ) -> CloudResult<BatchOutput> {
        let entries = messages
            .iter()
            .enumerate()
            .map(|(i, m)| ops::messages::DeleteMessageBatchEntry {
                id: i.to_string(),
                receipt_handle: m.receipt_handle.clone(),
            })
            .collect();
        ops::messages::delete_message_batch(
            self.cloud,
            ops::messages::DeleteMessageBatchInput {
                queue_url: queue.queue_url(),
                entries,
            },
        )
    }

    /// Hides a received message for `d` from now (zero makes it visible at once).
    pub fn change_visibility(
        &mut self,
        queue: &(impl AsQueue + ?Sized),
        message: &(impl AsReceipt + ?Sized),
        d: Duration,
    ) -> CloudResult<()> {
        ops::messages::change_message_visibility(
            self.cloud,
            ops::messages::ChangeMessageVisibilityInput {
                queue_url: queue.queue_url(),
                receipt_handle: message.receipt_handle().to_string(),
                visibility_timeout: d.as_secs() as u32,
            },
        )
    }

    /// Deletes every message in the queue (once per 60 seconds).
    pub fn purge(&mut self, queue: &(impl AsQueue + ?Sized)) -> CloudResult<()> {
        ops::queues::purge_queue(
            self.cloud,
            ops::queues::QueueUrlInput {
                queue_url: queue.queue_url(),
            },
        )
    }

    /// Changes settings of an existing queue.
    pub fn set_options(
        &mut self,
        queue: &(impl AsQueue + ?Sized),
        options: QueueOptions,
    ) -> CloudResult<()> {
        ops::queues::set_queue_attributes(
            self.cloud,
            ops::queues::SetQueueAttributesInput {
                queue_url: queue.queue_url(),
                attributes: options.attributes,
            },
        )?;
        let url = queue.queue_url();
        let q = ops::queue_mut(self.cloud, &url)?;
        q.anomalies = options.anomalies.or(q.anomalies);
        q.duplicate_rate = options.duplicate_rate.or(q.duplicate_rate);
        Ok(())
    }

    /// Every attribute of the queue (GetQueueAttributes with `All`).
    pub fn attributes(
        &mut self,
        queue: &(impl AsQueue + ?Sized),
    ) -> CloudResult<BTreeMap<String, String>> {
        Ok(ops::queues::get_queue_attributes(
            self.cloud,
            ops::queues::GetQueueAttributesInput {
                queue_url: queue.queue_url(),
                attribute_names: vec!["All".into()],
            },
        )?
        .attributes)
    }

    /// Visible, in-flight and delayed message counts (not billed: a peek for lessons).
    pub fn counts(&mut self, queue: &(impl AsQueue + ?Sized)) -> CloudResult<QueueCounts> {
        let url = queue.queue_url();
        ops::messages::expire_queue(self.cloud, &url)?;
        let now = self.cloud.core.now;
        let (visible, in_flight, delayed) = ops::queue_mut(self.cloud, &url)?.counts(now);
        Ok(QueueCounts {
            visible,
            in_flight,
            delayed,
        })
    }

    /// What happened to the queue's messages so far (sent, received, deleted ...).
    pub fn stats(&mut self, queue: &(impl AsQueue + ?Sized)) -> CloudResult<QueueStats> {
        let url = queue.queue_url();
        ops::messages::expire_queue(self.cloud, &url)?;
        Ok(ops::queue_mut(self.cloud, &url)?.stats)
    }

    /// Every message in the queue and its state right now, oldest first (not
    /// an AWS action: a look inside for lessons; receives nothing).
    pub fn peek(&mut self, queue: &(impl AsQueue + ?Sized)) -> CloudResult<view::QueueView> {
        let url = queue.queue_url();
        ops::messages::expire_queue(self.cloud, &url)?;
        let now = self.cloud.core.now;
        let q = ops::queue_mut(self.cloud, &url)?;
        Ok(view::QueueView::of(q, now))
    }

    /// Starts moving messages out of a dead-letter queue back to where they
    /// came from (StartMessageMoveTask); returns the task handle.
    pub fn redrive(&mut self, dlq: &Queue) -> CloudResult<String> {
        Ok(ops::move_tasks::start_message_move_task(
            self.cloud,
            ops::move_tasks::StartMessageMoveTaskInput {
                source_arn: dlq.arn.clone(),
                destination_arn: None,
                max_number_of_messages_per_second: None,
            },
        )?
        .task_handle)
    }

    /// Receives as the Lambda poller does (no waiting, all attributes); used by
    /// event source mappings.
    pub(crate) fn poll(&mut self, name: &str, max: usize) -> CloudResult<Vec<Message>> {
        let fifo = name.ends_with(".fifo");
        let got = ops::messages::receive_now(self.cloud, name, max, None, &Selection::all())?;
        let payload: usize = got.iter().map(|m| m.body.len()).sum();
        ops::bill(self.cloud, fifo, payload);
        Ok(got)
    }
}

//! Amazon SNS: topics that fan messages out to subscribers — SQS queues,
//! Lambda functions, HTTP(S) endpoints, e-mail and SMS.
//!
//! - `model` holds topics, subscriptions and delivery policies;
//! - `ops` has one function per API action; `deliver` sends one message to
//!   one subscriber with retries and DLQs;
//! - `api` is the JSON face, this module the typed face (`cloud.sns()`).
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let orders = cloud.sns().create_topic("orders")?;
//! let billing = cloud.sqs().create_queue("billing")?;
//! let shipping = cloud.sqs().create_queue("shipping")?;
//! cloud.sns().subscribe_queue(&orders, &billing)?;
//! cloud.sns().subscribe_queue_raw(&orders, &shipping)?;
//! cloud.sns().publish(&orders, "order #1")?;
//! let b = cloud.sqs().receive(&billing, Receive::max(1))?;
//! let s = cloud.sqs().receive(&shipping, Receive::max(1))?;
//! assert!(b[0].body.contains("\"Type\":\"Notification\"")); // the JSON envelope
//! assert_eq!(s[0].body, "order #1"); // raw delivery
//! # Ok(()) }
//! ```

pub mod api;
pub(crate) mod deliver;
pub mod filter;
pub mod model;
pub mod ops;
pub mod quotas;
pub mod view;

use std::collections::BTreeMap;

use crate::attributes::{AttributeValue, Attributes};
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::lambda::FunctionRef;
use crate::sqs::Queue;

pub use filter::FilterScope;
pub use model::{Protocol, TopicStats};
pub use ops::publish::PublishOutput;

/// All topics and subscriptions of an account.
#[derive(Debug, Default)]
pub struct SnsState {
    pub(crate) topics: BTreeMap<String, model::Topic>,
    pub(crate) subscriptions: BTreeMap<String, model::Subscription>,
}

impl SnsState {
    /// Number of topics.
    pub fn len(&self) -> usize {
        self.topics.len()
    }

    /// True when there are no topics.
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }
}

/// A topic: its name and ARN.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Topic {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
}

impl Topic {
    /// The handle for topic `name` in this account.
    pub fn named(name: &str) -> Topic {
        Topic {
            name: name.to_string(),
            arn: crate::cloud::arn("sns", name),
        }
    }
}

/// A subscription: its ARN, and whether it still waits for confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionRef {
    /// The subscription's ARN.
    pub arn: String,
    /// True until the endpoint's owner confirms (HTTP, e-mail).
    pub pending: bool,
}

/// A message to publish, as a builder. Strings and JSON values convert.
///
/// ```
/// use cloudlab::prelude::*;
/// let p = Publish::new("shipped").subject("Order 7").attr("kind", "shipping");
/// # let _ = p;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Publish {
    message: String,
    subject: Option<String>,
    attributes: Attributes,
    group: Option<String>,
    dedup: Option<String>,
    per_protocol: Option<BTreeMap<String, String>>,
}

impl Publish {
    /// A message with this text.
    pub fn new(message: impl Into<String>) -> Publish {
        Publish {
            message: message.into(),
            ..Default::default()
        }
    }

    /// The e-mail subject.
    pub fn subject(mut self, subject: &str) -> Publish {
        self.subject = Some(subject.to_string());
        self
    }

    /// A string attribute.
    pub fn attr(mut self, name: &str, value: &str) -> Publish {
        self.attributes
            .insert(name.to_string(), AttributeValue::string(value));
        self
    }

    /// A number attribute.
    pub fn number(mut self, name: &str, value: impl ToString) -> Publish {
        self.attributes
            .insert(name.to_string(), AttributeValue::number(value));
        self
    }

    /// FIFO message group.
    pub fn group(mut self, group: &str) -> Publish {
        self.group = Some(group.to_string());
        self
    }

    /// FIFO deduplication id.
    pub fn dedup_id(mut self, id: &str) -> Publish {
        self.dedup = Some(id.to_string());
        self
    }

    /// A different text for one protocol (`"sms"`, `"email"`, `"sqs"` ...):
    /// publishes with MessageStructure `json`.
    pub fn for_protocol(mut self, protocol: &str, text: &str) -> Publish {
        self.per_protocol
            .get_or_insert_with(BTreeMap::new)
            .insert(protocol.to_string(), text.to_string());
        self
    }
}

impl From<&str> for Publish {
    fn from(m: &str) -> Publish {
        Publish::new(m)
    }
}

impl From<String> for Publish {
    fn from(m: String) -> Publish {
        Publish::new(m)
    }
}

impl From<serde_json::Value> for Publish {
    fn from(v: serde_json::Value) -> Publish {
        Publish::new(match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
    }
}

/// The typed face of SNS, borrowed from a [`Cloud`] by [`Cloud::sns`].
pub struct Sns<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// Amazon SNS in this account.
    pub fn sns(&mut self) -> Sns<'_> {
        Sns { cloud: self }
    }
}

impl Sns<'_> {
    /// Creates a standard topic, or a FIFO topic when the name ends in `.fifo`.
    pub fn create_topic(&mut self, name: &str) -> CloudResult<Topic> {
        let mut attributes = BTreeMap::new();
        if name.ends_with(".fifo") {
            attributes.insert("FifoTopic".to_string(), "true".to_string());
        }
        self.create_topic_with(name, attributes)
    }

    /// Creates a topic with attributes (`DisplayName`, `ContentBasedDeduplication` ...).
    pub fn create_topic_with(
        &mut self,
        name: &str,
        attributes: BTreeMap<String, String>,
    ) -> CloudResult<Topic> {
        ops::topics::create_topic(
            self.cloud,
            ops::topics::CreateTopicInput {
                name: name.to_string(),
                attributes,
                tags: Vec::new(),
            },
        )?;
        Ok(Topic::named(name))
    }

    /// Deletes a topic and its subscriptions.
    pub fn delete_topic(&mut self, topic: &Topic) -> CloudResult<()> {
        ops::topics::delete_topic(
            self.cloud,
            ops::topics::TopicArnInput {
                topic_arn: topic.arn.clone(),
            },
        )
    }

    /// Every topic, by name.
    pub fn list_topics(&mut self) -> Vec<Topic> {
        self.cloud
            .sns
            .topics
            .keys()
            .map(|n| Topic::named(n))
            .collect()
    }

    /// Subscribes with any protocol and endpoint, with attributes.
    pub fn subscribe(
        &mut self,
        topic: &Topic,
        protocol: &str,
        endpoint: &str,
        attributes: BTreeMap<String, String>,
    ) -> CloudResult<SubscriptionRef> {
        let out = ops::subscriptions::subscribe(
            self.cloud,
            ops::subscriptions::SubscribeInput {
                topic_arn: topic.arn.clone(),
                protocol: protocol.to_string(),
                endpoint: Some(endpoint.to_string()),
                attributes,
                return_subscription_arn: true,
            },
        )?;
        let pending = self
            .cloud
            .sns
            .subscriptions
            .get(&out.subscription_arn)
            .is_some_and(|s| s.pending);
        Ok(SubscriptionRef {
            arn: out.subscription_arn,
            pending,
        })
    }

    /// Delivers the topic's messages to a queue, wrapped in SNS's JSON notification.
    pub fn subscribe_queue(
        &mut self,
        topic: &Topic,
        queue: &Queue,
    ) -> CloudResult<SubscriptionRef> {
        self.subscribe(topic, "sqs", &queue.arn, BTreeMap::new())
    }

    /// Delivers the topic's messages to a queue as they were published (raw message delivery).
    pub fn subscribe_queue_raw(
        &mut self,
        topic: &Topic,
        queue: &Queue,
    ) -> CloudResult<SubscriptionRef> {
        let mut attrs = BTreeMap::new();
        attrs.insert("RawMessageDelivery".to_string(), "true".to_string());
        self.subscribe(topic, "sqs", &queue.arn, attrs)
    }

    /// Invokes a function (asynchronously) with each message.
    pub fn subscribe_lambda(
        &mut self,
        topic: &Topic,
        function: &FunctionRef,
    ) -> CloudResult<SubscriptionRef> {
        self.subscribe(topic, "lambda", &function.arn, BTreeMap::new())
    }

    /// POSTs each message to an HTTP(S) URL. A simulated endpoint started
    /// with [`Cloud::serve_http`] confirms the subscription by itself.
    pub fn subscribe_http(&mut self, topic: &Topic, url: &str) -> CloudResult<SubscriptionRef> {
        let protocol = if url.starts_with("https://") {
            "https"
        } else {
            "http"
        };
        self.subscribe(topic, protocol, url, BTreeMap::new())
    }

    /// E-mails each message; pending until confirmed ([`Sns::confirm`]).
    pub fn subscribe_email(
        &mut self,
        topic: &Topic,
        address: &str,
    ) -> CloudResult<SubscriptionRef> {
        self.subscribe(topic, "email", address, BTreeMap::new())
    }

    /// Texts each message to a phone number (E.164).
    pub fn subscribe_sms(&mut self, topic: &Topic, phone: &str) -> CloudResult<SubscriptionRef> {
        self.subscribe(topic, "sms", phone, BTreeMap::new())
    }

    /// Confirms a pending subscription, as its owner clicking the link would.
    pub fn confirm(&mut self, subscription: &SubscriptionRef) -> CloudResult<()> {
        let (topic_arn, token) = self
            .cloud
            .sns
            .subscriptions
            .get(&subscription.arn)
            .map(|s| (s.topic_arn.clone(), s.token.clone()))
            .ok_or_else(|| ops::not_found("Subscription"))?;
        ops::subscriptions::confirm_subscription(
            self.cloud,
            ops::subscriptions::ConfirmSubscriptionInput {
                topic_arn,
                token,
                authenticate_on_unsubscribe: None,
            },
        )
        .map(|_| ())
    }

    /// Sets one attribute of a subscription (`RawMessageDelivery`, `RedrivePolicy` ...).
    pub fn set_subscription_attribute(
        &mut self,
        subscription: &SubscriptionRef,
        name: &str,
        value: &str,
    ) -> CloudResult<()> {
        ops::subscriptions::set_subscription_attributes(
            self.cloud,
            ops::subscriptions::SetSubscriptionAttributesInput {
                subscription_arn: subscription.arn.clone(),
                attribute_name: name.to_string(),
                attribute_value: value.to_string(),
            },
        )
    }

    /// Sends messages this subscription cannot take to `dlq` (a subscription DLQ).
    pub fn set_dead_letter_queue(
        &mut self,
        subscription: &SubscriptionRef,
        dlq: &Queue,
    ) -> CloudResult<()> {
        let policy = serde_json::json!({ "deadLetterTargetArn": dlq.arn }).to_string();
        self.set_subscription_attribute(subscription, "RedrivePolicy", &policy)
    }

    /// Delivers to this subscription only the messages whose attributes match
    /// `policy`, an event pattern (see [`crate::pattern`]); others are
    /// filtered out, not delivered and not billed.
    ///
    /// ```
    /// use cloudlab::prelude::*;
    /// # fn main() -> Result<(), CloudError> {
    /// let mut cloud = Cloud::new();
    /// let orders = cloud.sns().create_topic("orders")?;
    /// let big = cloud.sqs().create_queue("big-orders")?;
    /// let sub = cloud.sns().subscribe_queue_raw(&orders, &big)?;
    /// cloud.sns().set_filter_policy(&sub, json!({"total": [{"numeric": [">=", 100]}]}))?;
    /// cloud.sns().publish(&orders, Publish::new("small").number("total", 20))?;
    /// cloud.sns().publish(&orders, Publish::new("large").number("total", 250))?;
    /// let got = cloud.sqs().receive(&big, Receive::max(10))?;
    /// assert_eq!(got.len(), 1);
    /// assert_eq!(got[0].body, "large");
    /// assert_eq!(cloud.sns().stats(&orders)?.filtered_out, 1);
    /// # Ok(()) }
    /// ```
    pub fn set_filter_policy(
        &mut self,
        subscription: &SubscriptionRef,
        policy: serde_json::Value,
    ) -> CloudResult<()> {
        self.set_subscription_attribute(subscription, "FilterPolicy", &policy.to_string())
    }

    /// Like [`Sns::set_filter_policy`], but matching the message body (read
    /// as a JSON object, nested fields allowed) instead of its attributes.
    pub fn set_body_filter_policy(
        &mut self,
        subscription: &SubscriptionRef,
        policy: serde_json::Value,
    ) -> CloudResult<()> {
        let arn = &subscription.arn;
        let current = self
            .cloud
            .sns
            .subscriptions
            .get(arn)
            .and_then(|s| s.attributes.get("FilterPolicy").cloned());
        if current.is_some() {
            self.set_subscription_attribute(subscription, "FilterPolicy", "")?;
        }
        self.set_subscription_attribute(subscription, "FilterPolicyScope", "MessageBody")?;
        self.set_filter_policy(subscription, policy)
    }

    /// Removes a subscription.
    pub fn unsubscribe(&mut self, subscription: &SubscriptionRef) -> CloudResult<()> {
        ops::subscriptions::unsubscribe(
            self.cloud,
            ops::subscriptions::SubscriptionArnInput {
                subscription_arn: subscription.arn.clone(),
            },
        )
    }

    /// Publishes a message: a string, a JSON value or a [`Publish`].
    /// Deliveries to queues, inboxes and HTTP endpoints happen at once;
    /// Lambda subscribers run when time next moves.
    pub fn publish(
        &mut self,
        topic: &Topic,
        message: impl Into<Publish>,
    ) -> CloudResult<PublishOutput> {
        let p = message.into();
        let (message, structure) = match &p.per_protocol {
            Some(map) => {
                let mut all = map.clone();
                all.entry("default".into()).or_insert(p.message.clone());
                (
                    serde_json::to_string(&all)
                        .map_err(|e| CloudError::new("InvalidParameter", e.to_string()))?,
                    Some("json".to_string()),
                )
            }
            None => (p.message, None),
        };
        ops::publish::publish(
            self.cloud,
            ops::publish::PublishInput {
                topic_arn: Some(topic.arn.clone()),
                message,
                subject: p.subject,
                message_structure: structure,
                message_attributes: p.attributes,
                message_group_id: p.group,
                message_deduplication_id: p.dedup,
                ..Default::default()
            },
        )
    }

    /// Lifetime counters of a topic.
    pub fn stats(&mut self, topic: &Topic) -> CloudResult<TopicStats> {
        Ok(ops::topic_mut(self.cloud, &topic.arn)?.stats)
    }

    /// A view of the topic and its subscriptions.
    pub fn view(&mut self, topic: &Topic) -> CloudResult<view::TopicView> {
        let t = ops::topic_mut(self.cloud, &topic.arn)?;
        let subs = t.subscriptions.clone();
        let (name, stats) = (t.name.to_string(), t.stats);
        let rows = subs
            .iter()
            .filter_map(|a| self.cloud.sns.subscriptions.get(a))
            .map(|s| view::SubscriptionInfo {
                protocol: s.protocol,
                endpoint: s.endpoint.clone(),
                pending: s.pending,
                raw: s.raw(),
                dead_letter: s.dead_letter_arn(),
                filter: s.attributes.get("FilterPolicy").cloned(),
            })
            .collect();
        Ok(view::TopicView {
            name,
            subscriptions: rows,
            stats,
        })
    }
}

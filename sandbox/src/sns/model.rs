//! Topics, subscriptions and delivery policies.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::quotas::*;
use crate::error::{CloudError, CloudResult};
use crate::time::SimTime;

/// How a subscription receives messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// An SQS queue (by ARN).
    Sqs,
    /// A Lambda function (by ARN), invoked asynchronously.
    Lambda,
    /// An HTTP endpoint.
    Http,
    /// An HTTPS endpoint.
    Https,
    /// An e-mail address (plain text).
    Email,
    /// An e-mail address (the JSON notification).
    EmailJson,
    /// A phone number (text message).
    Sms,
}

impl Protocol {
    /// Parses a protocol name as the API spells it.
    pub fn parse(s: &str) -> Option<Protocol> {
        Some(match s {
            "sqs" => Protocol::Sqs,
            "lambda" => Protocol::Lambda,
            "http" => Protocol::Http,
            "https" => Protocol::Https,
            "email" => Protocol::Email,
            "email-json" => Protocol::EmailJson,
            "sms" => Protocol::Sms,
            _ => return None,
        })
    }

    /// The name as the API spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Protocol::Sqs => "sqs",
            Protocol::Lambda => "lambda",
            Protocol::Http => "http",
            Protocol::Https => "https",
            Protocol::Email => "email",
            Protocol::EmailJson => "email-json",
            Protocol::Sms => "sms",
        }
    }

    /// Whether the endpoint owner must confirm the subscription.
    pub fn needs_confirmation(&self) -> bool {
        matches!(
            self,
            Protocol::Http | Protocol::Https | Protocol::Email | Protocol::EmailJson
        )
    }

    /// The billing key of a delivery.
    pub fn billing_key(&self) -> &'static str {
        match self {
            Protocol::Sqs => "sns.sqs.deliveries",
            Protocol::Lambda => "sns.lambda.deliveries",
            Protocol::Http | Protocol::Https => "sns.http.deliveries",
            Protocol::Email | Protocol::EmailJson => "sns.email.deliveries",
            Protocol::Sms => "sns.sms.deliveries",
        }
    }
}

/// When to retry a failed delivery: the delays between attempts.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Delays before each retry, in order.
    pub delays: Vec<Duration>,
}

impl RetryPolicy {
    /// AWS's managed policy for SQS and Lambda endpoints: 3 immediate retries,
    /// 2 one second apart, 10 backing off from 1 to 20 s, then 100,000 twenty
    /// seconds apart (the last phase is generated lazily by [`RetryPolicy::delay`]).
    pub fn managed() -> RetryPolicy {
        let mut delays = vec![Duration::ZERO; MANAGED_IMMEDIATE as usize];
        delays.extend(std::iter::repeat_n(
            Duration::from_secs(1),
            MANAGED_PRE_BACKOFF as usize,
        ));
        delays.extend(backoff("exponential", 1.0, 20.0, MANAGED_BACKOFF));
        RetryPolicy { delays }
    }

    /// The delay before retry number `n` (0-based), or `None` when retries are exhausted.
    pub fn delay(&self, n: u32, managed: bool) -> Option<Duration> {
        if let Some(d) = self.delays.get(n as usize) {
            return Some(*d);
        }
        let post = n as usize - self.delays.len();
        (managed && post < MANAGED_POST_BACKOFF as usize).then_some(Duration::from_secs(20))
    }

    /// The HTTP/S default: 3 retries, 20 seconds apart.
    pub fn http_default() -> RetryPolicy {
        RetryPolicy {
            delays: vec![HTTP_DEFAULT_DELAY; HTTP_DEFAULT_RETRIES as usize],
        }
    }

    /// Parses an HTTP/S `DeliveryPolicy` JSON (`healthyRetryPolicy`): the four
    /// phases (no delay, minimum delay, backoff, maximum delay).
    pub fn from_delivery_policy(json: &str) -> CloudResult<RetryPolicy> {
        let bad = |why: &str| {
            CloudError::new(
                "InvalidParameter",
                format!("Invalid parameter: DeliveryPolicy: {why}"),
            )
        };
        let v: Value = serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
        let p = v
            .get("healthyRetryPolicy")
            .or_else(|| {
                v.get("http")
                    .and_then(|h| h.get("defaultHealthyRetryPolicy"))
            })
            .ok_or_else(|| bad("healthyRetryPolicy is missing"))?;
        let num = |k: &str, d: u64| p.get(k).and_then(Value::as_u64).unwrap_or(d) as u32;
        let min = num("minDelayTarget", 20) as f64;
        let max = num("maxDelayTarget", 20) as f64;
        let total = num("numRetries", 3);
        let no_delay = num("numNoDelayRetries", 0);
        let at_min = num("numMinDelayRetries", 0);
        let at_max = num("numMaxDelayRetries", 0);
        let function = p
            .get("backoffFunction")
            .and_then(Value::as_str)
            .unwrap_or("linear");
        if !matches!(
            function,
            "linear" | "arithmetic" | "geometric" | "exponential"
        ) {
            return Err(bad(
                "backoffFunction must be linear, arithmetic, geometric or exponential",
            ));
        }
        if min < 1.0 || max < min {
            return Err(bad("need 1 <= minDelayTarget <= maxDelayTarget"));
        }
        if total > 100 || no_delay + at_min + at_max > total {
            return Err(bad(
                "numRetries must be at most 100 and cover the other phases",
            ));
        }
        let mut delays = vec![Duration::ZERO; no_delay as usize];
        delays.extend(std::iter::repeat_n(
            Duration::from_secs_f64(min),
            at_min as usize,
        ));
        delays.extend(backoff(
            function,
            min,
            max,
            total - no_delay - at_min - at_max,
        ));
        delays.extend(std::iter::repeat_n(
            Duration::from_secs_f64(max),
            at_max as usize,
        ));
        let span: Duration = delays.iter().sum();
        if span > MAX_RETRY_SPAN {
            return Err(bad(&format!(
                "the policy retries for {} s; the limit is {} s",
                span.as_secs(),
                MAX_RETRY_SPAN.as_secs()
            )));
        }
        Ok(RetryPolicy { delays })
    }
}

/// `n` delays growing from `min` to `max` seconds along `function`.
fn backoff(function: &str, min: f64, max: f64, n: u32) -> Vec<Duration> {
    (1..=n)
        .map(|i| {
            let x = i as f64 / n as f64;
            let secs = match function {
                "linear" => min + (max - min) * x,
                "arithmetic" => min + (max - min) * x * (i as f64 + 1.0) / (n as f64 + 1.0),
                "geometric" => min * (max / min).powf(x),
                _ => (min * 2f64.powi(i as i32 - 1)).min(max),
            };
            Duration::from_secs_f64(secs.clamp(min, max))
        })
        .collect()
}

/// One subscription.
#[derive(Clone, Debug)]
pub(crate) struct Subscription {
    pub arn: String,
    pub topic_arn: String,
    pub protocol: Protocol,
    pub endpoint: String,
    pub pending: bool,
    pub token: String,
    pub attributes: BTreeMap<String, String>,
    /// The compiled `FilterPolicy` (with its scope), if any.
    pub filter: Option<Arc<super::filter::Filter>>,
}

impl Subscription {
    pub fn raw(&self) -> bool {
        self.attributes
            .get("RawMessageDelivery")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    pub fn dead_letter_arn(&self) -> Option<String> {
        let v: Value = serde_json::from_str(self.attributes.get("RedrivePolicy")?).ok()?;
        v.get("deadLetterTargetArn")?.as_str().map(String::from)
    }
}

/// Lifetime counters of a topic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TopicStats {
    /// Messages published (deduplicated ones not counted).
    pub published: u64,
    /// Successful deliveries.
    pub delivered: u64,
    /// Failed delivery attempts.
    pub failed_attempts: u64,
    /// Messages given up on (to a DLQ if the subscription has one).
    pub dropped: u64,
    /// Messages moved to subscription DLQs.
    pub dead_lettered: u64,
    /// Deliveries skipped because a subscription's filter policy rejected the
    /// message (CloudWatch's NumberOfNotificationsFilteredOut).
    pub filtered_out: u64,
}

/// One topic.
#[derive(Debug)]
pub(crate) struct Topic {
    pub name: Arc<str>,
    pub arn: String,
    pub fifo: bool,
    pub attributes: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub subscriptions: Vec<String>,
    pub deleted_subscriptions: u64,
    pub dedup: HashMap<String, (SimTime, String, String)>,
    pub dedup_order: VecDeque<(SimTime, String)>,
    pub next_sequence: u128,
    pub stats: TopicStats,
}

impl Topic {
    pub fn content_based_dedup(&self) -> bool {
        self.attributes
            .get("ContentBasedDeduplication")
            .is_some_and(|v| v == "true")
    }

    /// The earlier publish this one duplicates (within 5 minutes).
    pub fn find_duplicate(&mut self, key: &str, now: SimTime) -> Option<(String, String)> {
        while let Some((t, _)) = self.dedup_order.front() {
            if *t > now {
                break;
            }
            let (t, k) = self.dedup_order.pop_front().expect("front");
            if self.dedup.get(&k).is_some_and(|e| e.0 == t) {
                self.dedup.remove(&k);
            }
        }
        self.dedup
            .get(key)
            .map(|(_, id, seq)| (id.clone(), seq.clone()))
    }

    pub fn remember(&mut self, key: String, now: SimTime, id: &str, seq: &str) {
        let expires = now + DEDUP_INTERVAL;
        self.dedup
            .insert(key.clone(), (expires, id.to_string(), seq.to_string()));
        self.dedup_order.push_back((expires, key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_policy_matches_aws_phases() {
        let p = RetryPolicy::managed();
        assert_eq!(p.delay(0, true), Some(Duration::ZERO));
        assert_eq!(p.delay(3, true), Some(Duration::from_secs(1)));
        assert_eq!(p.delay(14, true), Some(Duration::from_secs(20)));
        assert_eq!(p.delay(15, true), Some(Duration::from_secs(20)));
        assert_eq!(p.delay(15 + 100_000, true), None);
        assert_eq!(p.delays.len(), 15);
        assert!(p.delays.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn http_policies() {
        assert_eq!(
            RetryPolicy::http_default().delays,
            vec![Duration::from_secs(20); 3]
        );
        let p = RetryPolicy::from_delivery_policy(
            r#"{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":10,"numNoDelayRetries":2,"numMinDelayRetries":2,"numMaxDelayRetries":2,"backoffFunction":"exponential"}}"#,
        )
        .unwrap();
        assert_eq!(p.delays.len(), 10);
        assert_eq!(&p.delays[..2], &[Duration::ZERO; 2]);
        assert_eq!(p.delays[2], Duration::from_secs(1));
        assert_eq!(p.delays[9], Duration::from_secs(60));
        assert!(p.delay(10, false).is_none());
        let too_long = r#"{"healthyRetryPolicy":{"minDelayTarget":60,"maxDelayTarget":3600,"numRetries":100,"numMaxDelayRetries":90}}"#;
        assert!(RetryPolicy::from_delivery_policy(too_long).is_err());
        assert!(RetryPolicy::from_delivery_policy("{}").is_err());
    }
}

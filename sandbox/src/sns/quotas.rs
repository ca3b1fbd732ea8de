//! SNS quotas at today's AWS values, each with the documentation page it comes from.

use std::time::Duration;

/// Largest message (body + attributes), bytes. 256 KiB by default; a topic can
/// opt in to 1 MiB for SQS/Lambda/Firehose subscribers (not simulated here).
/// <https://docs.aws.amazon.com/sns/latest/dg/large-message-payloads.html>
pub const MAX_MESSAGE_SIZE: usize = 262_144;
/// Longest subject, characters.
/// <https://docs.aws.amazon.com/sns/latest/api/API_Publish.html>
pub const MAX_SUBJECT_LEN: usize = 100;
/// Message attributes a raw delivery to an SQS queue can carry (a message
/// with more is discarded as a client-side error; the JSON envelope carries
/// any number, within the size limit).
/// <https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html>
pub const MAX_RAW_SQS_ATTRIBUTES: usize = 10;
/// Entries per PublishBatch.
/// <https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html>
pub const MAX_BATCH_ENTRIES: usize = 10;
/// Longest topic name, characters (`.fifo` included).
/// <https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html>
pub const MAX_TOPIC_NAME_LEN: usize = 256;
/// Standard topics per account.
/// <https://docs.aws.amazon.com/general/latest/gr/sns.html>
pub const MAX_TOPICS: usize = 100_000;
/// FIFO topics per account.
pub const MAX_FIFO_TOPICS: usize = 1_000;
/// Subscriptions per FIFO topic.
pub const MAX_FIFO_SUBSCRIPTIONS: usize = 100;
/// FIFO deduplication interval.
/// <https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html>
pub const DEDUP_INTERVAL: Duration = Duration::from_secs(300);
/// Billing: each 64 KiB chunk of a publish is one request.
/// <https://aws.amazon.com/sns/pricing/>
pub const BILLING_CHUNK: usize = 65_536;
/// Page size of the List* actions.
pub const LIST_PAGE: usize = 100;
/// Default HTTP/S retries: 3, 20 seconds apart.
/// <https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html>
pub const HTTP_DEFAULT_RETRIES: u32 = 3;
/// Default HTTP/S retry delay.
pub const HTTP_DEFAULT_DELAY: Duration = Duration::from_secs(20);
/// A custom delivery policy may retry for at most this long in all.
pub const MAX_RETRY_SPAN: Duration = Duration::from_secs(3_600);
/// SQS and Lambda endpoints (managed policy): immediate retries.
pub const MANAGED_IMMEDIATE: u32 = 3;
/// ... then retries 1 second apart.
pub const MANAGED_PRE_BACKOFF: u32 = 2;
/// ... then backoff retries from 1 to 20 seconds.
pub const MANAGED_BACKOFF: u32 = 10;
/// ... then retries 20 seconds apart (100,015 attempts over ~23 days in all).
pub const MANAGED_POST_BACKOFF: u32 = 100_000;
/// Keys in a subscription filter policy.
/// <https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html>
pub const MAX_FILTER_POLICY_KEYS: usize = 5;
/// Value combinations in a filter policy (the product of its value lists).
pub const MAX_FILTER_POLICY_COMBINATIONS: usize = 150;
/// Largest number a filter policy may compare with (and its negative).
pub const MAX_FILTER_NUMBER: f64 = 1e9;
/// Largest filter policy, bytes.
pub const MAX_FILTER_POLICY_BYTES: usize = 256 * 1024;
/// Filter policies per topic.
pub const MAX_FILTER_POLICIES_PER_TOPIC: usize = 200;
/// Filter policies per account.
pub const MAX_FILTER_POLICIES_PER_ACCOUNT: usize = 10_000;

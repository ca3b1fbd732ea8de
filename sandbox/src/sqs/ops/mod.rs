//! SQS operations, one function per API action, shared by both faces: each
//! takes the request as AWS's API Reference shapes it and returns the response
//! (or AWS's error). `api.rs` turns JSON into these requests; `Sqs` (the typed
//! face) builds them from Rust values.

pub mod messages;
pub mod move_tasks;
pub mod queues;

use std::collections::BTreeSet;

use crate::cloud::{ACCOUNT_ID, Cloud};
use crate::error::{CloudError, CloudResult};
use crate::params::ErrorStyle;

use super::model::QueueState;
use super::quotas::{BILLING_CHUNK, MAX_BATCH_ENTRIES, MAX_BATCH_ID_LEN};

/// SQS names its parameter errors `MissingParameter` / `InvalidParameterValue`.
pub const STYLE: ErrorStyle = ErrorStyle {
    missing: "MissingParameter",
    invalid: "InvalidParameterValue",
};

pub(crate) fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new("InvalidParameterValue", message)
}

fn no_queue() -> CloudError {
    CloudError::new("QueueDoesNotExist", "The specified queue does not exist.")
}

/// The queue name a queue URL points at, if the URL is one of this account's.
///
/// Accepts AWS's form (`https://sqs.us-east-1.amazonaws.com/123456789012/orders`),
/// the legacy `queue.amazonaws.com` form and any host (a local endpoint).
pub(crate) fn name_from_url(url: &str) -> CloudResult<&str> {
    let bad = || {
        CloudError::new(
            "InvalidAddress",
            format!("The address {url} is not valid for this endpoint."),
        )
    };
    // scheme://host/account/name[/], read byte by byte (this runs on every call).
    let b = url.as_bytes();
    let end = if b.last() == Some(&b'/') {
        b.len() - 1
    } else {
        b.len()
    };
    let slash2 = b[..end].iter().rposition(|c| *c == b'/').ok_or_else(bad)?;
    let slash1 = b[..slash2]
        .iter()
        .rposition(|c| *c == b'/')
        .ok_or_else(bad)?;
    let colon = b[..slash1]
        .iter()
        .position(|c| *c == b':')
        .ok_or_else(bad)?;
    let ok = b[colon..].starts_with(b"://")
        && colon + 3 < slash1
        && !b[colon + 3..slash1].contains(&b'/')
        && slash2 + 1 < end
        && slash1 + 1 < slash2;
    if !ok {
        return Err(bad());
    }
    let (account, name) = (&url[slash1 + 1..slash2], &url[slash2 + 1..end]);
    if account != ACCOUNT_ID {
        return Err(no_queue());
    }
    Ok(name)
}

/// The queue a URL names, or `QueueDoesNotExist`.
pub(crate) fn queue_mut<'c>(cloud: &'c mut Cloud, url: &str) -> CloudResult<&'c mut QueueState> {
    let name = name_from_url(url)?;
    cloud.sqs.queues.get_mut(name).ok_or_else(no_queue)
}

/// The queue a URL names and the account core, borrowed together.
pub(crate) fn queue_and_core<'c>(
    cloud: &'c mut Cloud,
    url: &str,
) -> CloudResult<(&'c mut QueueState, &'c mut crate::cloud::Core)> {
    let name = name_from_url(url)?;
    let q = cloud.sqs.queues.get_mut(name).ok_or_else(no_queue)?;
    Ok((q, &mut cloud.core))
}

/// The queue an ARN names, or `QueueDoesNotExist`.
pub(crate) fn name_from_arn(arn: &str) -> CloudResult<String> {
    match crate::cloud::parse_arn(arn) {
        Some(("sqs", _, account, name)) if account == ACCOUNT_ID => Ok(name.to_string()),
        Some(("sqs", ..)) => Err(no_queue()),
        _ => Err(invalid(format!("{arn} is not a valid SQS queue ARN."))),
    }
}

/// True when a queue URL names a FIFO queue (only FIFO names may end in `.fifo`).
pub(crate) fn is_fifo_url(url: &str) -> bool {
    url.strip_suffix('/').unwrap_or(url).ends_with(".fifo")
}

/// Meters one SQS request carrying `payload` bytes (64 KiB chunks).
pub(crate) fn bill(cloud: &mut Cloud, fifo: bool, payload: usize) {
    let units = payload.div_ceil(BILLING_CHUNK).max(1) as f64;
    let key = if fifo {
        "sqs.fifo.requests"
    } else {
        "sqs.standard.requests"
    };
    cloud.core.bill(key, units);
}

/// Checks the shape of a batch: 1 to 10 entries, distinct well-formed ids.
pub(crate) fn check_batch<'a>(ids: impl Iterator<Item = &'a str>, what: &str) -> CloudResult<()> {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        return Err(CloudError::new(
            "EmptyBatchRequest",
            format!("There should be at least one {what} in the request."),
        ));
    }
    if ids.len() > MAX_BATCH_ENTRIES {
        return Err(CloudError::new(
            "TooManyEntriesInBatchRequest",
            format!(
                "Maximum number of entries per request are {MAX_BATCH_ENTRIES}. You have sent {}.",
                ids.len()
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    for id in ids {
        let ok = !id.is_empty()
            && id.len() <= MAX_BATCH_ID_LEN
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(CloudError::new(
                "InvalidBatchEntryId",
                format!(
                    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most {MAX_BATCH_ID_LEN} letters long. Got '{id}'."
                ),
            ));
        }
        if !seen.insert(id) {
            return Err(CloudError::new(
                "BatchEntryIdsNotDistinct",
                format!("Id {id} repeated."),
            ));
        }
    }
    Ok(())
}

/// One failed batch entry, as batch responses list them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchResultErrorEntry {
    /// The entry's id.
    pub id: String,
    /// Whether the caller caused it.
    pub sender_fault: bool,
    /// AWS's error code.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

impl BatchResultErrorEntry {
    pub(crate) fn from_error(id: &str, e: CloudError) -> Self {
        BatchResultErrorEntry {
            id: id.to_string(),
            sender_fault: e.status < 500,
            code: e.code,
            message: e.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_urls_in_every_form() {
        let ok = |u| name_from_url(u).unwrap();
        assert_eq!(
            ok("https://sqs.us-east-1.amazonaws.com/123456789012/orders"),
            "orders"
        );
        assert_eq!(
            ok("https://queue.amazonaws.com/123456789012/a.fifo"),
            "a.fifo"
        );
        assert_eq!(ok("http://localhost:4566/123456789012/q/"), "q");
        assert_eq!(
            name_from_url("https://sqs.us-east-1.amazonaws.com/999999999999/orders")
                .unwrap_err()
                .code,
            "QueueDoesNotExist"
        );
        assert_eq!(name_from_url("orders").unwrap_err().code, "InvalidAddress");
        assert_eq!(
            name_from_url("https://host/only-one").unwrap_err().code,
            "InvalidAddress"
        );
    }

    #[test]
    fn batch_shapes() {
        assert_eq!(
            check_batch([].into_iter(), "entry").unwrap_err().code,
            "EmptyBatchRequest"
        );
        assert_eq!(
            check_batch(["a", "a"].into_iter(), "entry")
                .unwrap_err()
                .code,
            "BatchEntryIdsNotDistinct"
        );
        assert_eq!(
            check_batch(["a b"].into_iter(), "entry").unwrap_err().code,
            "InvalidBatchEntryId"
        );
        let many: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        assert_eq!(
            check_batch(many.iter().map(String::as_str), "entry")
                .unwrap_err()
                .code,
            "TooManyEntriesInBatchRequest"
        );
    }
}

//! Kinesis Data Streams operations, one function per API action, shared by
//! both faces: each takes the request as the Kinesis API Reference shapes it
//! and returns the response (or AWS's error).

pub mod consumers;
pub mod records;
pub mod reshard;
pub mod streams;

use serde::Deserialize;

use crate::cloud::{ACCOUNT_ID, Cloud, parse_arn};
use crate::error::{CloudError, CloudResult};
use crate::params::ErrorStyle;

use super::model::{StreamState, StreamStatus};

/// Kinesis reports malformed requests as `ValidationException`.
pub const STYLE: ErrorStyle = ErrorStyle {
    missing: "ValidationException",
    invalid: "ValidationException",
};

pub(crate) fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new("InvalidArgumentException", message)
}

/// A constraint failure worded as Kinesis's request validation words it.
pub(crate) fn validation(
    member: &str,
    value: impl std::fmt::Display,
    constraint: &str,
) -> CloudError {
    CloudError::new(
        "ValidationException",
        format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
        ),
    )
}

pub(crate) fn not_found(name: &str) -> CloudError {
    CloudError::new(
        "ResourceNotFoundException",
        format!("Stream {name} under account {ACCOUNT_ID} not found."),
    )
}

pub(crate) fn in_use(name: &str, status: StreamStatus) -> CloudError {
    CloudError::new(
        "ResourceInUseException",
        format!(
            "Stream {name} under account {ACCOUNT_ID} not ACTIVE, instead in state {}.",
            status.as_str()
        ),
    )
}

pub(crate) fn limit_exceeded(message: impl Into<String>) -> CloudError {
    CloudError::new("LimitExceededException", message)
}

/// The stream ARN of `name`: `arn:aws:kinesis:us-east-1:123456789012:stream/<name>`.
pub fn stream_arn(name: &str) -> String {
    crate::cloud::arn("kinesis", &format!("stream/{name}"))
}

/// The members every stream-level request uses to name its stream (either or both).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamRef {
    /// The stream's name.
    pub stream_name: Option<String>,
    /// The stream's ARN.
    #[serde(rename = "StreamARN")]
    pub stream_arn: Option<String>,
}

impl StreamRef {
    /// Names stream `name`.
    pub fn named(name: &str) -> StreamRef {
        StreamRef {
            stream_name: Some(name.to_string()),
            stream_arn: None,
        }
    }

    /// The stream name this refers to (the ARN's name must agree with StreamName).
    pub fn resolve(&self) -> CloudResult<String> {
        let from_arn = match &self.stream_arn {
            Some(arn) => Some(name_from_arn(arn)?),
            None => None,
        };
        match (&self.stream_name, from_arn) {
            (Some(n), Some(a)) if *n != a => Err(invalid(format!(
                "StreamName {n} and StreamARN {} name different streams.",
                self.stream_arn.as_deref().unwrap_or_default()
            ))),
            (Some(n), _) => Ok(n.clone()),
            (None, Some(a)) => Ok(a),
            (None, None) => Err(invalid(
                "Either StreamName or StreamARN should be provided.",
            )),
        }
    }
}

/// The stream name in a stream ARN (or a consumer ARN).
pub(crate) fn name_from_arn(arn: &str) -> CloudResult<String> {
    match parse_arn(arn) {
        Some(("kinesis", _, account, res)) => {
            let name = res
                .strip_prefix("stream/")
                .map(|r| r.split('/').next().unwrap_or(r))
                .filter(|n| !n.is_empty())
                .ok_or_else(|| invalid(format!("{arn} is not a Kinesis stream ARN.")))?;
            if account != ACCOUNT_ID {
                return Err(not_found(name));
            }
            Ok(name.to_string())
        }
        _ => Err(validation(
            "streamARN",
            arn,
            "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
        )),
    }
}

/// The stream called `name`, settled to now (status changes, expiry).
pub(crate) fn stream_mut<'c>(cloud: &'c mut Cloud, name: &str) -> CloudResult<&'c mut StreamState> {
    let now = cloud.core.now;
    let gone = cloud.kinesis.streams.get(name).is_some_and(|s| {
        s.status == StreamStatus::Deleting && s.busy_until.is_some_and(|t| t <= now)
    });
    if gone {
        cloud.kinesis.streams.remove(name);
    }
    let s = cloud
        .kinesis
        .streams
        .get_mut(name)
        .ok_or_else(|| not_found(name))?;
    if s.status != StreamStatus::Deleting {
        s.settle(now);
    }
    Ok(s)
}

/// The stream, which must be ACTIVE or UPDATING (readable and writable).
pub(crate) fn usable<'c>(cloud: &'c mut Cloud, name: &str) -> CloudResult<&'c mut StreamState> {
    let s = stream_mut(cloud, name)?;
    match s.status {
        StreamStatus::Active | StreamStatus::Updating => Ok(s),
        StreamStatus::Creating | StreamStatus::Deleting => Err(not_found(name)),
    }
}

/// The stream, which must be ACTIVE (for changes).
pub(crate) fn active<'c>(cloud: &'c mut Cloud, name: &str) -> CloudResult<&'c mut StreamState> {
    let s = stream_mut(cloud, name)?;
    if s.status != StreamStatus::Active {
        return Err(in_use(name, s.status));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_refs_resolve_by_name_or_arn() {
        assert_eq!(StreamRef::named("s").resolve().unwrap(), "s");
        let by_arn = StreamRef {
            stream_name: None,
            stream_arn: Some(stream_arn("clicks")),
        };
        assert_eq!(by_arn.resolve().unwrap(), "clicks");
        let clash = StreamRef {
            stream_name: Some("a".into()),
            stream_arn: Some(stream_arn("b")),
        };
        assert_eq!(
            clash.resolve().unwrap_err().code,
            "InvalidArgumentException"
        );
        assert_eq!(
            StreamRef::default().resolve().unwrap_err().code,
            "InvalidArgumentException"
        );
        assert_eq!(
            name_from_arn("arn:aws:sqs:us-east-1:123456789012:q")
                .unwrap_err()
                .code,
            "ValidationException"
        );
        assert_eq!(
            name_from_arn(&format!("{}/consumer/c:1", stream_arn("s"))).unwrap(),
            "s"
        );
    }
}

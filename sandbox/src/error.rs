//! `CloudError`: what every sandbox operation returns when AWS would refuse.
//!
//! The `code` is the error code AWS documents for that operation (for example
//! `QueueDoesNotExist`, `ReceiptHandleIsInvalid`, `TooManyRequestsException`);
//! the `message` says what is wrong in words a learner can act on.

use std::fmt;

/// An error as AWS reports it: a code, a message and the HTTP status it comes with.
///
/// ```
/// use cloudlab::prelude::*;
/// let mut cloud = Cloud::new();
/// let err = cloud.sqs().get_queue("missing").unwrap_err();
/// assert_eq!(err.code, "QueueDoesNotExist");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudError {
    /// AWS's error code, e.g. `InvalidParameterValue`.
    pub code: String,
    /// What went wrong, and where.
    pub message: String,
    /// The HTTP status AWS answers with (400 for client errors, 429 throttling, 500 ...).
    pub status: u16,
}

impl CloudError {
    /// A client error (HTTP 400) with `code` and `message`.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> CloudError {
        CloudError {
            code: code.into(),
            message: message.into(),
            status: 400,
        }
    }

    /// The same error with another HTTP status.
    pub fn with_status(mut self, status: u16) -> CloudError {
        self.status = status;
        self
    }

    /// True when the error is this code.
    pub fn is(&self, code: &str) -> bool {
        self.code == code
    }

    /// The error as the JSON the `call` face and replay print.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "code": self.code, "message": self.message })
    }
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for CloudError {}

/// Shorthand for results of sandbox operations.
pub type CloudResult<T> = Result<T, CloudError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_code_then_message() {
        let e = CloudError::new(
            "InvalidParameterValue",
            "VisibilityTimeout must be <= 43200",
        );
        assert_eq!(
            e.to_string(),
            "InvalidParameterValue: VisibilityTimeout must be <= 43200"
        );
        assert_eq!(e.status, 400);
        assert_eq!(e.clone().with_status(429).status, 429);
        assert!(e.is("InvalidParameterValue"));
    }
}

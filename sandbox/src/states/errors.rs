//! Errors inside executions: the `States.*` names, a failure (error + cause),
//! and how Retry and Catch match them (states-language.net, "Errors").

use std::fmt;

use serde_json::{Value, json};

/// Matches any error name (but not `States.Runtime` or `States.DataLimitExceeded`).
pub const ALL: &str = "States.ALL";
/// A Task or Map item ran longer than `TimeoutSeconds`.
pub const TIMEOUT: &str = "States.Timeout";
/// No heartbeat within `HeartbeatSeconds`.
pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
/// Matches any error except `States.Timeout` (and the terminal ones).
pub const TASK_FAILED: &str = "States.TaskFailed";
/// The interpreter could not process data (a missing path, a bad type). Terminal.
pub const RUNTIME: &str = "States.Runtime";
/// A payload above 256 KiB. Terminal.
pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
/// The execution lacked a privilege to run the code.
pub const PERMISSIONS: &str = "States.Permissions";
/// A Map state's failed items went above its tolerated threshold.
pub const EXCEED_TOLERATED: &str = "States.ExceedToleratedFailureThreshold";
/// A Choice state found no matching rule and has no Default.
pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
/// A Parameters/ResultSelector path could not be resolved.
pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
/// ResultPath could not be applied.
pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
/// An intrinsic function failed.
pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
/// A Map state's ItemsPath did not select an array.
pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
/// A JSONata expression failed to evaluate.
pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
/// A branch or iteration was stopped because a sibling failed.
pub const BRANCH_FAILED: &str = "States.BranchFailed";

/// The error names the interpreter itself raises (for validation and docs).
pub const PREDEFINED: &[&str] = &[
    ALL,
    DATA_LIMIT_EXCEEDED,
    EXCEED_TOLERATED,
    HEARTBEAT_TIMEOUT,
    INTRINSIC_FAILURE,
    ITEM_READER_FAILED,
    NO_CHOICE_MATCHED,
    PARAMETER_PATH_FAILURE,
    PERMISSIONS,
    QUERY_EVALUATION_ERROR,
    RESULT_PATH_MATCH_FAILURE,
    RUNTIME,
    TASK_FAILED,
    TIMEOUT,
    BRANCH_FAILED,
];

/// A failed state, task or execution: an error name and a human cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The error name (`States.Timeout`, `PaymentDeclined`, ...).
    pub error: String,
    /// What happened.
    pub cause: String,
}

impl Failure {
    /// A failure named `error` with `cause`.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Failure {
        Failure {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// `States.Runtime` with `cause`.
    pub fn runtime(cause: impl Into<String>) -> Failure {
        Failure::new(RUNTIME, cause)
    }

    /// The error output a Catch passes on: `{"Error": ..., "Cause": ...}`.
    pub fn to_output(&self) -> Value {
        json!({"Error": self.error, "Cause": self.cause})
    }

    /// True for errors no Retry or Catch may handle by `States.ALL`.
    pub fn is_terminal(&self) -> bool {
        self.error == RUNTIME || self.error == DATA_LIMIT_EXCEEDED
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.cause)
    }
}

/// True when a Retrier's or Catcher's `ErrorEquals` list matches `error`.
///
/// `States.ALL` matches everything except the terminal `States.Runtime` and
/// `States.DataLimitExceeded`; `States.TaskFailed` matches everything except
/// `States.Timeout` (and the terminal ones); any other name matches itself.
/// `States.Runtime` is never retried or caught.
pub fn matches(error_equals: &[String], error: &str) -> bool {
    if error == RUNTIME {
        return false;
    }
    error_equals.iter().any(|e| match e.as_str() {
        ALL => error != DATA_LIMIT_EXCEEDED,
        TASK_FAILED => error != TIMEOUT && error != DATA_LIMIT_EXCEEDED,
        name => name == error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn wildcards_match_as_specified() {
        assert!(matches(&v(&[ALL]), "Payment.Declined"));
        assert!(matches(&v(&[ALL]), TIMEOUT));
        assert!(!matches(&v(&[ALL]), RUNTIME));
        assert!(!matches(&v(&[ALL]), DATA_LIMIT_EXCEEDED));
        assert!(matches(&v(&[DATA_LIMIT_EXCEEDED]), DATA_LIMIT_EXCEEDED));
        assert!(matches(&v(&[TASK_FAILED]), "Lambda.Unknown"));
        assert!(!matches(&v(&[TASK_FAILED]), TIMEOUT));
        assert!(matches(&v(&["A", "B"]), "B"));
        assert!(!matches(&v(&["A"]), "a"));
        assert!(!matches(&v(&[RUNTIME]), RUNTIME));
    }
}

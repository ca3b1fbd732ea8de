//! CloudWatch operations, one function per API action, shared by both faces.

pub mod alarms;
pub mod metrics;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{CloudError, CloudResult};
use crate::params::ErrorStyle;
use crate::time::SimTime;

/// CloudWatch names its parameter errors `MissingParameter` / `InvalidParameterValue`.
pub const STYLE: ErrorStyle = ErrorStyle {
    missing: "MissingParameter",
    invalid: "InvalidParameterValue",
};

pub(crate) fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new("InvalidParameterValue", message)
}

pub(crate) fn combination(message: impl Into<String>) -> CloudError {
    CloudError::new("InvalidParameterCombination", message)
}

/// A dimension as the API writes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    /// The dimension's name (`QueueName`).
    pub name: String,
    /// Its value (`orders`).
    pub value: String,
}

/// Dimensions as (name, value) pairs, checked: at most 30, names and values
/// 1-255 characters, no name twice.
pub(crate) fn dims(list: &[Dimension], member: &str) -> CloudResult<Vec<(String, String)>> {
    if list.len() > super::quotas::MAX_DIMENSIONS {
        return Err(invalid(format!(
            "The collection {member} must not have a size greater than {}.",
            super::quotas::MAX_DIMENSIONS
        )));
    }
    let mut out: Vec<(String, String)> = Vec::with_capacity(list.len());
    for (i, d) in list.iter().enumerate() {
        if d.name.is_empty() || d.name.len() > 255 || d.value.is_empty() || d.value.len() > 255 {
            return Err(invalid(format!(
                "The value at '{member}.{}' must have a Name and a Value of 1 to 255 characters.",
                i + 1
            )));
        }
        if out.iter().any(|(n, _)| *n == d.name) {
            return Err(invalid(format!(
                "No metric may have duplicate dimensions; {} appears twice in {member}.",
                d.name
            )));
        }
        out.push((d.name.clone(), d.value.clone()));
    }
    out.sort();
    Ok(out)
}

/// Reads a timestamp member: epoch seconds (what the JSON protocol sends) or
/// RFC 3339 text.
pub(crate) fn timestamp(v: &Value, member: &str) -> CloudResult<SimTime> {
    match v {
        Value::Number(n) => {
            let secs = n.as_f64().unwrap_or(-1.0);
            if secs < 0.0 {
                return Err(invalid(format!("{member} must not be before 1970.")));
            }
            Ok(SimTime::from_unix_nanos((secs * 1e9) as u64))
        }
        Value::String(s) => SimTime::parse_rfc3339(s).ok_or_else(|| {
            invalid(format!(
                "{member} '{s}' is not a timestamp (use epoch seconds or RFC 3339)."
            ))
        }),
        other => Err(invalid(format!(
            "{member} must be a timestamp, not {}.",
            crate::params::kind(other)
        ))),
    }
}

/// A timestamp as the JSON protocol writes it: epoch seconds.
pub(crate) fn epoch(t: SimTime) -> f64 {
    t.unix_secs_f64()
}

//! EventBridge operations, one function per API action, shared by both faces.

pub mod archives;
pub mod buses;
pub mod put_events;
pub mod rules;
pub mod targets;

use serde_json::Value;

use super::model::{Bus, Rule};
use crate::cloud::{Cloud, parse_arn};
use crate::error::{CloudError, CloudResult};
use crate::params::ErrorStyle;

/// EventBridge (JSON protocol) reports bad and missing members as `ValidationException`.
pub const STYLE: ErrorStyle = ErrorStyle {
    missing: "ValidationException",
    invalid: "ValidationException",
};

pub(crate) fn validation(message: impl Into<String>) -> CloudError {
    CloudError::new("ValidationException", message)
}

pub(crate) fn not_found(message: impl Into<String>) -> CloudError {
    CloudError::new("ResourceNotFoundException", message)
}

pub(crate) fn already_exists(message: impl Into<String>) -> CloudError {
    CloudError::new("ResourceAlreadyExistsException", message)
}

pub(crate) fn limit_exceeded() -> CloudError {
    CloudError::new(
        "LimitExceededException",
        "The requested resource exceeds the maximum number allowed.",
    )
}

/// AWS's constraint message: `1 validation error detected: Value 'x' at 'name'
/// failed to satisfy constraint: Member must ...`.
pub(crate) fn constraint(member: &str, value: &str, must: &str) -> CloudError {
    validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must {must}"
    ))
}

/// Checks a name against a length and AWS's character class.
pub(crate) fn check_name(
    member: &str,
    value: &str,
    max: usize,
    class: &str,
    allowed: fn(char) -> bool,
) -> CloudResult<()> {
    if value.is_empty() {
        return Err(constraint(
            member,
            value,
            "have length greater than or equal to 1",
        ));
    }
    if value.chars().count() > max {
        return Err(constraint(
            member,
            value,
            &format!("have length less than or equal to {max}"),
        ));
    }
    if !value.chars().all(allowed) {
        return Err(constraint(
            member,
            value,
            &format!("satisfy regular expression pattern: {class}"),
        ));
    }
    Ok(())
}

/// Rule names, target ids and archive names: `[\.\-_A-Za-z0-9]+`.
pub(crate) fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// Bus names may also contain `/`.
pub(crate) fn bus_char(c: char) -> bool {
    name_char(c) || c == '/'
}

/// The bus an `EventBusName` member names (a name or an ARN; `default` when absent).
pub(crate) fn bus_name(name_or_arn: Option<&str>) -> CloudResult<String> {
    let Some(v) = name_or_arn.filter(|v| !v.is_empty()) else {
        return Ok("default".into());
    };
    if v.starts_with("arn:") {
        return match parse_arn(v) {
            Some(("events", _, _, res)) if res.starts_with("event-bus/") => {
                Ok(res["event-bus/".len()..].to_string())
            }
            _ => Err(validation(format!(
                "Parameter EventBusName is not valid. Reason: {v} is not an event bus ARN."
            ))),
        };
    }
    check_name("eventBusName", v, 256, "[/\\.\\-_A-Za-z0-9]+", bus_char)?;
    Ok(v.to_string())
}

pub(crate) fn bus_missing(name: &str) -> CloudError {
    not_found(format!("Event bus {name} does not exist."))
}

pub(crate) fn bus_mut<'c>(cloud: &'c mut Cloud, name: &str) -> CloudResult<&'c mut Bus> {
    cloud
        .events
        .buses
        .get_mut(name)
        .ok_or_else(|| bus_missing(name))
}

pub(crate) fn rule_mut<'c>(
    cloud: &'c mut Cloud,
    bus: &str,
    name: &str,
) -> CloudResult<&'c mut Rule> {
    bus_mut(cloud, bus)?
        .rules
        .get_mut(name)
        .ok_or_else(|| not_found(format!("Rule {name} does not exist on EventBus {bus}.")))
}

/// One page of `items` for a `NextToken` / `Limit` pair: the page and the next token.
pub(crate) fn page(
    items: Vec<Value>,
    next_token: Option<&str>,
    limit: Option<u32>,
) -> CloudResult<(Vec<Value>, Option<String>)> {
    let limit = match limit {
        Some(l) if !(1..=100).contains(&l) => {
            return Err(constraint(
                "limit",
                &l.to_string(),
                "have value between 1 and 100",
            ));
        }
        Some(l) => l as usize,
        None => super::quotas::LIST_PAGE,
    };
    let start = match next_token {
        Some(t) => t
            .parse::<usize>()
            .map_err(|_| validation("The NextToken provided is invalid."))?,
        None => 0,
    };
    let page: Vec<Value> = items.iter().skip(start).take(limit).cloned().collect();
    let next = (start + limit < items.len()).then(|| (start + limit).to_string());
    Ok((page, next))
}

/// Seconds since the Unix epoch, as JSON-protocol timestamps carry them.
pub(crate) fn epoch(t: crate::time::SimTime) -> Value {
    serde_json::json!(t.unix_secs_f64())
}

/// A timestamp member: epoch seconds or RFC 3339 text.
pub(crate) fn timestamp(member: &str, v: &Value) -> CloudResult<crate::time::SimTime> {
    let t = match v {
        Value::Number(n) => n
            .as_f64()
            .filter(|f| *f >= 0.0)
            .map(|f| crate::time::SimTime::from_unix_nanos((f * 1e9) as u64)),
        Value::String(s) => crate::time::SimTime::parse_rfc3339(s),
        _ => None,
    };
    t.ok_or_else(|| validation(format!("Parameter {member} is not a valid timestamp.")))
}

//! Reading request parameters for the AWS-shaped face: JSON in, typed request
//! structs out, and AWS's error codes (with the member's path) when the JSON
//! does not fit.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{CloudError, CloudResult};

/// How a service names its "missing" and "invalid" parameter errors.
#[derive(Clone, Copy, Debug)]
pub struct ErrorStyle {
    /// Code for a missing required member.
    pub missing: &'static str,
    /// Code for a member of the wrong type or shape.
    pub invalid: &'static str,
}

/// Parses `params` into `T`; a missing member or a wrong type becomes the
/// service's error code with the member's path in the message.
pub fn parse<T: DeserializeOwned>(style: ErrorStyle, params: Value) -> CloudResult<T> {
    let params = if params.is_null() {
        Value::Object(Default::default())
    } else {
        params
    };
    if !params.is_object() {
        return Err(CloudError::new(
            style.invalid,
            format!(
                "The request parameters must be a JSON object, not {}.",
                kind(&params)
            ),
        ));
    }
    serde_path_to_error::deserialize(params).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if let Some(field) = missing_field(&inner) {
            let member = if path == "." {
                field.to_string()
            } else {
                format!("{path}.{field}")
            };
            CloudError::new(
                style.missing,
                format!("The request must contain the parameter {member}."),
            )
        } else {
            let at = if path == "." {
                String::new()
            } else {
                format!(" at {path}")
            };
            CloudError::new(style.invalid, format!("Invalid value{at}: {inner}."))
        }
    })
}

fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// Serialises a response struct (never fails for the sandbox's own types).
pub fn respond<T: Serialize>(out: T) -> CloudResult<Value> {
    serde_json::to_value(out)
        .map_err(|e| CloudError::new("InternalFailure", e.to_string()).with_status(500))
}

/// The JSON type of a value, in words, for error messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    const STYLE: ErrorStyle = ErrorStyle {
        missing: "MissingParameter",
        invalid: "InvalidParameterValue",
    };

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct Req {
        queue_url: String,
        #[serde(default)]
        entries: Vec<Entry>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct Entry {
        id: String,
        delay_seconds: Option<u32>,
    }

    #[test]
    fn missing_member_names_it_with_its_path() {
        let e = parse::<Req>(STYLE, json!({})).unwrap_err();
        assert_eq!(e.code, "MissingParameter");
        assert_eq!(
            e.message,
            "The request must contain the parameter QueueUrl."
        );
        let e = parse::<Req>(
            STYLE,
            json!({"QueueUrl": "u", "Entries": [{"Id": "a"}, {}]}),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "The request must contain the parameter Entries[1].Id."
        );
    }

    #[test]
    fn wrong_type_is_invalid_with_its_path() {
        let e = parse::<Req>(
            STYLE,
            json!({"QueueUrl": "u", "Entries": [{"Id": "a", "DelaySeconds": "x"}]}),
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidParameterValue");
        assert!(
            e.message.contains("Entries[0].DelaySeconds"),
            "{}",
            e.message
        );
        let e = parse::<Req>(STYLE, json!([1])).unwrap_err();
        assert!(e.message.contains("an array"));
    }
}

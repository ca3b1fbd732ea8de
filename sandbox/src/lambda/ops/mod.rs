//! Lambda operations, one function per API action, shared by both faces.

pub mod functions;
pub mod invoke;
pub mod mappings;

use crate::cloud::ACCOUNT_ID;
use crate::error::{CloudError, CloudResult};
use crate::params::ErrorStyle;

/// Lambda's parameter errors.
pub const STYLE: ErrorStyle = ErrorStyle {
    missing: "InvalidParameterValueException",
    invalid: "InvalidParameterValueException",
};

pub(crate) fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new("InvalidParameterValueException", message)
}

/// A constraint failure worded as Lambda's request validation words it.
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

/// The function name in a FunctionName parameter: a name, an ARN
/// (`arn:aws:lambda:us-east-1:123456789012:function:f[:qualifier]`) or a
/// partial ARN (`123456789012:function:f`).
pub(crate) fn function_name(param: &str) -> CloudResult<String> {
    let rest = param
        .strip_prefix("arn:aws:lambda:")
        .and_then(|r| r.split_once(':').map(|(_, r)| r))
        .unwrap_or(param);
    let name = match rest.split_once(":function:") {
        Some((account, name)) => {
            if account != ACCOUNT_ID {
                return Err(super::runtime::not_found(name));
            }
            name.split(':').next().unwrap_or(name)
        }
        None => rest,
    };
    check_name(name)?;
    Ok(name.to_string())
}

/// 1-64 characters of letters, digits, hyphens and underscores.
pub(crate) fn check_name(name: &str) -> CloudResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(validation(
            "functionName",
            name,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,64}",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_arns_and_partial_arns() {
        assert_eq!(function_name("f").unwrap(), "f");
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:123456789012:function:f").unwrap(),
            "f"
        );
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST").unwrap(),
            "f"
        );
        assert_eq!(function_name("123456789012:function:f").unwrap(), "f");
        assert_eq!(
            function_name("999999999999:function:f").unwrap_err().code,
            "ResourceNotFoundException"
        );
        assert_eq!(
            function_name("bad name").unwrap_err().code,
            "ValidationException"
        );
        assert!(function_name(&"a".repeat(65)).is_err());
    }
}

//! SNS operations, one function per API action, shared by both faces.

pub mod publish;
pub mod subscriptions;
pub mod topics;

pub use publish::publish_to;

use crate::cloud::{ACCOUNT_ID, Cloud, parse_arn};
use crate::error::{CloudError, CloudResult};
use crate::params::ErrorStyle;

use super::model::Topic;

/// SNS (query protocol) names its parameter errors `InvalidParameter`.
pub const STYLE: ErrorStyle = ErrorStyle {
    missing: "InvalidParameter",
    invalid: "InvalidParameter",
};

pub(crate) fn invalid(what: impl std::fmt::Display) -> CloudError {
    CloudError::new("InvalidParameter", format!("Invalid parameter: {what}"))
}

pub(crate) fn not_found(what: &str) -> CloudError {
    CloudError::new("NotFound", format!("{what} does not exist")).with_status(404)
}

/// The topic name an ARN names.
pub(crate) fn topic_name(arn: &str) -> CloudResult<&str> {
    match parse_arn(arn) {
        Some(("sns", _, account, name)) if !name.contains(':') => {
            if account != ACCOUNT_ID {
                return Err(not_found("Topic"));
            }
            Ok(name)
        }
        _ => Err(invalid(format!(
            "TopicArn Reason: {arn} is not a valid topic ARN"
        ))),
    }
}

pub(crate) fn topic_mut<'c>(cloud: &'c mut Cloud, arn: &str) -> CloudResult<&'c mut Topic> {
    let name = topic_name(arn)?;
    cloud
        .sns
        .topics
        .get_mut(name)
        .ok_or_else(|| not_found("Topic"))
}

/// One tag (SNS uses a list of Key/Value pairs).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_arns() {
        assert_eq!(
            topic_name("arn:aws:sns:us-east-1:123456789012:orders").unwrap(),
            "orders"
        );
        assert_eq!(
            topic_name("arn:aws:sns:us-east-1:999999999999:orders")
                .unwrap_err()
                .code,
            "NotFound"
        );
        assert_eq!(topic_name("orders").unwrap_err().code, "InvalidParameter");
        assert_eq!(
            topic_name("arn:aws:sns:us-east-1:123456789012:orders:sub-id")
                .unwrap_err()
                .code,
            "InvalidParameter"
        );
    }
}

//! Scaling policies.
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};

/// Runs the Auto Scaling policy `arn` for alarm `alarm`.
pub(crate) fn alarm_action(
    _cloud: &mut Cloud,
    arn: &str,
    _alarm: &str,
    _value: Option<f64>,
    _threshold: f64,
) -> CloudResult<String> {
    Err(CloudError::new(
        "ValidationError",
        format!("No such scaling policy: {arn}"),
    ))
}

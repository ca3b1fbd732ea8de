//! Lambda JSON face (being built).
use crate::cloud::Cloud;
use crate::error::CloudResult;
use serde_json::Value;
/// Every Lambda action the sandbox implements.
pub const OPERATIONS: &[&str] = &[];
/// Runs one Lambda action from JSON.
pub fn dispatch(_cloud: &mut Cloud, operation: &str, _params: Value) -> CloudResult<Value> {
    Err(crate::api::unknown_operation(
        "lambda", operation, OPERATIONS,
    ))
}

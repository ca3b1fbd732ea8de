//! API Gateway management operations, one function per API action, shared by
//! both faces: `v2` is the HTTP API set (`apigatewayv2`, PascalCase members as
//! the SDKs name them), `rest` the REST API set (`apigateway`, camelCase),
//! `keys` API keys and usage plans, `invoke` TestInvokeMethod and the
//! sandbox-only request operations.

pub mod invoke;
pub mod keys;
pub mod rest;
pub mod v2;

use std::time::Duration;

use crate::apigw::model::{Authorizer, AuthorizerKind, PayloadFormat};
use crate::apigw::quotas::{AUTH_TTL_DEFAULT, AUTH_TTL_MAX};
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::params::ErrorStyle;

/// API Gateway answers malformed requests with `BadRequestException`.
pub const STYLE: ErrorStyle = ErrorStyle {
    missing: "BadRequestException",
    invalid: "BadRequestException",
};

pub(crate) fn bad(message: impl Into<String>) -> CloudError {
    CloudError::new("BadRequestException", message)
}

pub(crate) fn not_found(message: impl Into<String>) -> CloudError {
    CloudError::new("NotFoundException", message).with_status(404)
}

pub(crate) fn conflict(message: impl Into<String>) -> CloudError {
    CloudError::new("ConflictException", message).with_status(409)
}

/// A lower-case alphanumeric id of `n` characters, as API Gateway makes them.
pub(crate) fn new_id(cloud: &mut Cloud, n: usize) -> String {
    cloud.core.rng.alnum(n).to_ascii_lowercase()
}

/// The function ARN in an integration or authorizer URI: the ARN itself, or
/// `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<ARN>/invocations`.
pub fn function_arn_of(uri: &str) -> CloudResult<String> {
    let arn = match uri.split_once("/functions/") {
        Some((_, rest)) => rest.strip_suffix("/invocations").unwrap_or(rest),
        None => uri,
    };
    if !arn.starts_with("arn:aws:lambda:") || !arn.contains(":function:") {
        return Err(bad(format!(
            "Invalid Lambda function ARN or URI: {uri}. Use arn:aws:lambda:us-east-1:123456789012:function:NAME or the apigateway ...:lambda:path/2015-03-31/functions/ARN/invocations form."
        )));
    }
    Ok(arn.to_string())
}

/// The `uri` of a Lambda integration for `function_arn`, as REST APIs spell it.
pub fn invocation_uri(function_arn: &str) -> String {
    format!(
        "arn:aws:apigateway:{}:lambda:path/2015-03-31/functions/{function_arn}/invocations",
        crate::cloud::REGION
    )
}

/// Checks an integration timeout (50 ms to `max`).
pub(crate) fn timeout(ms: Option<u64>, max: Duration, member: &str) -> CloudResult<Duration> {
    let Some(ms) = ms else {
        return Ok(max);
    };
    let max_ms = max.as_millis() as u64;
    if !(crate::apigw::quotas::MIN_TIMEOUT_MS..=max_ms).contains(&ms) {
        return Err(bad(format!(
            "{member} must be between 50 and {max_ms} milliseconds (got {ms})."
        )));
    }
    Ok(Duration::from_millis(ms))
}

/// Builds an authorizer from the members both API flavours share.
#[allow(clippy::too_many_arguments)]
pub(crate) fn authorizer(
    cloud: &mut Cloud,
    name: String,
    kind: AuthorizerKind,
    uri: &str,
    identity_sources: Vec<String>,
    ttl: Option<u64>,
    payload_format: PayloadFormat,
    simple_responses: bool,
) -> CloudResult<Authorizer> {
    let function_arn = function_arn_of(uri)?;
    let ttl = ttl.unwrap_or(AUTH_TTL_DEFAULT);
    if ttl > AUTH_TTL_MAX {
        return Err(bad(format!(
            "The authorizer result TTL must be between 0 and {AUTH_TTL_MAX} seconds (got {ttl})."
        )));
    }
    if identity_sources.is_empty() && (kind == AuthorizerKind::Token || ttl > 0) {
        return Err(bad(
            "An identity source is required (for example method.request.header.Authorization), or set the result TTL to 0.",
        ));
    }
    if simple_responses && payload_format != PayloadFormat::V2 {
        return Err(bad(
            "EnableSimpleResponses needs AuthorizerPayloadFormatVersion 2.0.",
        ));
    }
    Ok(Authorizer {
        id: new_id(cloud, 6),
        name,
        kind,
        function_arn,
        identity_sources,
        ttl: Duration::from_secs(ttl),
        payload_format,
        simple_responses,
        cache: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_arns_from_either_uri_form() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:orders";
        assert_eq!(function_arn_of(arn).unwrap(), arn);
        assert_eq!(function_arn_of(&invocation_uri(arn)).unwrap(), arn);
        assert_eq!(
            function_arn_of("orders").unwrap_err().code,
            "BadRequestException"
        );
    }
}

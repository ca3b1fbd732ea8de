//! Amazon API Gateway limits and defaults, at today's AWS values.

use std::time::Duration;

/// Account-level steady-state rate across all APIs in a Region: 10,000 requests/s.
///
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html>
pub const ACCOUNT_RATE: f64 = 10_000.0;
/// Account-level burst (set by AWS; 5,000 is the long-documented figure).
///
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html>
pub const ACCOUNT_BURST: u32 = 5_000;

/// REST APIs: default and maximum integration timeout, 29 s (50 ms minimum;
/// raisable for Regional and private REST APIs through Service Quotas since
/// June 2024, which the sandbox does not model).
///
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html>
pub const REST_TIMEOUT: Duration = Duration::from_secs(29);
/// HTTP APIs: default and maximum integration timeout, 30 s.
///
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html>
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The shortest integration timeout, 50 ms.
pub const MIN_TIMEOUT_MS: u64 = 50;

/// Largest request or response payload, 10 MB.
///
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html>
pub const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

/// HTTP APIs: routes per API (adjustable).
pub const MAX_HTTP_ROUTES: usize = 300;
/// HTTP APIs: stages per API (adjustable).
pub const MAX_HTTP_STAGES: usize = 10;
/// Lambda authorizers per API.
pub const MAX_AUTHORIZERS: usize = 10;

/// REST API cache: default TTL 300 s, at most 3,600 s (0 turns caching off).
///
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html>
pub const CACHE_TTL_DEFAULT: u64 = 300;
/// See [`CACHE_TTL_DEFAULT`].
pub const CACHE_TTL_MAX: u64 = 3_600;
/// The largest response the REST API cache keeps, 1,048,576 bytes.
pub const CACHE_MAX_ITEM: usize = 1_048_576;
/// Cache sizes (GB) a stage may choose (`cacheClusterSize`).
pub const CACHE_SIZES: &[&str] = &["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"];

/// Lambda authorizer result cache: default 300 s, at most 3,600 s.
///
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html>
pub const AUTH_TTL_DEFAULT: u64 = 300;
/// See [`AUTH_TTL_DEFAULT`].
pub const AUTH_TTL_MAX: u64 = 3_600;

/// HTTP API requests are metered in 512 KB increments.
///
/// <https://aws.amazon.com/api-gateway/pricing/>
pub const HTTP_METERING_CHUNK: usize = 512 * 1024;

/// The header REST APIs read API keys from.
pub const API_KEY_HEADER: &str = "x-api-key";

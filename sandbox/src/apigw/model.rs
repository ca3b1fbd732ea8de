//! The state of APIs: HTTP APIs (routes, integrations, stages), REST APIs
//! (resources, methods, deployments, stages), authorizers, API keys and
//! usage plans, and what a stage keeps at run time (token buckets, its
//! response cache).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;

use super::routes::Template;
use super::throttle::{Limit, TokenBucket};
use crate::time::SimTime;

/// HTTP API or REST API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Flavor {
    /// An HTTP API (`apigatewayv2`, `ProtocolType` HTTP).
    Http,
    /// A REST API (`apigateway`).
    Rest,
}

impl Flavor {
    /// `HTTP` or `REST`.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Http => "HTTP",
            Flavor::Rest => "REST",
        }
    }
}

/// Lambda event payload format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum PayloadFormat {
    /// `1.0` (REST APIs always; HTTP APIs on request).
    V1,
    /// `2.0` (HTTP APIs).
    V2,
}

impl PayloadFormat {
    /// Parses `1.0` / `2.0`.
    pub fn parse(s: &str) -> Option<PayloadFormat> {
        match s {
            "1.0" => Some(PayloadFormat::V1),
            "2.0" => Some(PayloadFormat::V2),
            _ => None,
        }
    }

    /// `1.0` or `2.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            PayloadFormat::V1 => "1.0",
            PayloadFormat::V2 => "2.0",
        }
    }
}

/// A Lambda proxy integration.
#[derive(Clone, Debug, PartialEq)]
pub struct Integration {
    /// Integration id.
    pub id: String,
    /// The function ARN (may hold `${stageVariables.name}`).
    pub function_arn: String,
    /// Event format.
    pub payload_format: PayloadFormat,
    /// How long API Gateway waits for the function.
    pub timeout: Duration,
    /// REST: request parameters that key the cache (`method.request.path.id`).
    pub cache_key_parameters: Vec<String>,
}

/// One route of an HTTP API.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpRoute {
    /// Route id.
    pub id: String,
    /// `GET /orders/{id}` or `$default`.
    pub route_key: String,
    /// `integrations/<id>`.
    pub target: Option<String>,
    /// `NONE` or `CUSTOM`.
    pub authorization_type: String,
    /// The Lambda authorizer (with `CUSTOM`).
    pub authorizer_id: Option<String>,
}

/// One method of a REST API resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Method {
    /// `GET`, `ANY`, ...
    pub http_method: String,
    /// `NONE` or `CUSTOM`.
    pub authorization_type: String,
    /// The Lambda authorizer (with `CUSTOM`).
    pub authorizer_id: Option<String>,
    /// Requests need a valid `x-api-key`.
    pub api_key_required: bool,
    /// Declared request parameters (`method.request.path.id` -> required).
    pub request_parameters: BTreeMap<String, bool>,
    /// The integration, once put.
    pub integration: Option<Integration>,
}

/// One resource (path) of a REST API.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Resource id.
    pub id: String,
    /// Parent resource id (none for `/`).
    pub parent_id: Option<String>,
    /// The last segment (`{id}`).
    pub path_part: String,
    /// The full path (`/orders/{id}`).
    pub path: String,
    /// Methods by HTTP method.
    pub methods: BTreeMap<String, Method>,
}

/// A route as a deployment freezes it: what the request pipeline matches.
#[derive(Clone, Debug, PartialEq)]
pub struct DeployedRoute {
    /// `GET /orders/{id}`, `$default`, or for REST `/orders/{id}` + method.
    pub route_key: String,
    /// `ANY`, `GET`, ... (unused for `$default`).
    pub method: String,
    /// The path template (`None` for `$default`).
    pub template: Option<Template>,
    /// REST resource id.
    pub resource_id: Option<String>,
    /// The integration.
    pub integration: Option<Integration>,
    /// Lambda authorizer id.
    pub authorizer_id: Option<String>,
    /// REST: an API key is required.
    pub api_key_required: bool,
}

impl DeployedRoute {
    /// The path template text (`$default` for the default route).
    pub fn path(&self) -> &str {
        self.template
            .as_ref()
            .map_or("$default", |t| t.text.as_str())
    }
}

/// A deployment: the routes as they were when it was made.
#[derive(Clone, Debug, PartialEq)]
pub struct Deployment {
    /// Deployment id.
    pub id: String,
    /// When it was made.
    pub created: SimTime,
    /// Description.
    pub description: String,
    /// The frozen routes.
    pub routes: Vec<DeployedRoute>,
}

/// REST method settings for a stage (`*/*` or `/path/METHOD`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MethodSetting {
    /// Throttling rate override (requests per second).
    pub rate: Option<f64>,
    /// Throttling burst override.
    pub burst: Option<u32>,
    /// Cache responses of this method.
    pub caching_enabled: Option<bool>,
    /// Cache TTL, seconds.
    pub cache_ttl: Option<u64>,
    /// `Cache-Control: max-age=0` needs authorization to invalidate.
    pub require_authorization_for_cache_control: Option<bool>,
}

/// One cached response.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheEntry {
    /// When it stops being served.
    pub expires: SimTime,
    /// Status, headers, body.
    pub response: super::http::ApiResponse,
}

/// A stage: a deployment at a name, its variables, throttling and cache.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Name (`$default`, `prod`, ...).
    pub name: String,
    /// The deployment it serves (`None`: nothing deployed yet).
    pub deployment_id: Option<String>,
    /// HTTP APIs: every change deploys at once.
    pub auto_deploy: bool,
    /// Stage variables.
    pub variables: BTreeMap<String, String>,
    /// HTTP: `DefaultRouteSettings` throttling; REST: `*/*` is in `method_settings`.
    pub default_limit: Option<Limit>,
    /// HTTP: `RouteSettings` throttling by route key.
    pub route_limits: BTreeMap<String, Limit>,
    /// REST: method settings by `*/*` or `/path/METHOD`.
    pub method_settings: BTreeMap<String, MethodSetting>,
    /// REST: the cache cluster is on.
    pub cache_cluster_enabled: bool,
    /// REST: its size in GB (`0.5` ...).
    pub cache_cluster_size: String,
    /// Since when the cache cluster has been billed (and up to when it is metered).
    pub cache_billed_from: Option<SimTime>,
    /// Token buckets by throttle scope (`stage`, a route key ...).
    pub buckets: BTreeMap<String, TokenBucket>,
    /// Cached responses by cache key.
    pub cache: BTreeMap<String, CacheEntry>,
    /// Counters.
    pub stats: StageStats,
    /// When it was created.
    pub created: SimTime,
}

impl Stage {
    /// A stage with nothing set.
    pub fn new(name: &str, now: SimTime) -> Stage {
        Stage {
            name: name.to_string(),
            deployment_id: None,
            auto_deploy: false,
            variables: BTreeMap::new(),
            default_limit: None,
            route_limits: BTreeMap::new(),
            method_settings: BTreeMap::new(),
            cache_cluster_enabled: false,
            cache_cluster_size: "0.5".into(),
            cache_billed_from: None,
            buckets: BTreeMap::new(),
            cache: BTreeMap::new(),
            stats: StageStats::default(),
            created: now,
        }
    }
}

/// Counters of a stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct StageStats {
    /// Requests received.
    pub requests: u64,
    /// Responses by class.
    pub ok_2xx: u64,
    /// 4xx responses (429s included).
    pub client_4xx: u64,
    /// 5xx responses.
    pub server_5xx: u64,
    /// 429 Too Many Requests / Limit Exceeded.
    pub throttled: u64,
    /// Served from the cache.
    pub cache_hits: u64,
    /// Looked up in the cache and not found.
    pub cache_misses: u64,
    /// Integration (Lambda) calls.
    pub integration_calls: u64,
}

/// `TOKEN` or `REQUEST` (HTTP APIs only have `REQUEST`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum AuthorizerKind {
    /// A bearer token from one header.
    Token,
    /// The request's headers, query and context.
    Request,
}

/// A Lambda authorizer.
#[derive(Clone, Debug)]
pub struct Authorizer {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Token or request.
    pub kind: AuthorizerKind,
    /// The authorizer function's ARN.
    pub function_arn: String,
    /// Identity sources as configured (`method.request.header.Authorization`,
    /// `$request.header.Authorization`).
    pub identity_sources: Vec<String>,
    /// How long results are cached (0: not cached).
    pub ttl: Duration,
    /// HTTP APIs: the event format (`1.0` / `2.0`).
    pub payload_format: PayloadFormat,
    /// HTTP APIs: the function answers `{"isAuthorized": bool}`.
    pub simple_responses: bool,
    /// Cached results by identity.
    pub cache: BTreeMap<String, (SimTime, AuthResult)>,
}

/// What an authorizer decided.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthResult {
    /// A policy (REST, or HTTP APIs without simple responses).
    Policy {
        /// principalId.
        principal_id: String,
        /// The statements (effect, resource patterns).
        statements: Vec<(bool, Vec<String>)>,
        /// `context`, passed to the integration.
        context: serde_json::Map<String, Value>,
        /// `usageIdentifierKey`: the API key to meter against.
        usage_key: Option<String>,
    },
    /// A simple response (HTTP APIs).
    Simple {
        /// isAuthorized.
        allowed: bool,
        /// context.
        context: serde_json::Map<String, Value>,
    },
}

/// An HTTP API.
#[derive(Clone, Debug)]
pub struct HttpApi {
    /// Id (10 characters).
    pub id: String,
    /// Name.
    pub name: String,
    /// When it was created.
    pub created: SimTime,
    /// Routes by id.
    pub routes: BTreeMap<String, HttpRoute>,
    /// Integrations by id.
    pub integrations: BTreeMap<String, Integration>,
    /// Authorizers by id.
    pub authorizers: BTreeMap<String, Authorizer>,
    /// Deployments by id.
    pub deployments: BTreeMap<String, Deployment>,
    /// Stages by name.
    pub stages: BTreeMap<String, Stage>,
}

/// A REST API.
#[derive(Clone, Debug)]
pub struct RestApi {
    /// Id (10 characters).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// When it was created.
    pub created: SimTime,
    /// The id of `/`.
    pub root_id: String,
    /// Resources by id.
    pub resources: BTreeMap<String, Resource>,
    /// Authorizers by id.
    pub authorizers: BTreeMap<String, Authorizer>,
    /// Deployments by id.
    pub deployments: BTreeMap<String, Deployment>,
    /// Stages by name.
    pub stages: BTreeMap<String, Stage>,
}

/// An API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The secret value clients send in `x-api-key`.
    pub value: String,
    /// Disabled keys are refused.
    pub enabled: bool,
    /// When it was created.
    pub created: SimTime,
}

/// `DAY`, `WEEK` or `MONTH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum QuotaPeriod {
    /// A UTC day.
    #[serde(rename = "DAY")]
    Day,
    /// A week starting Monday (UTC).
    #[serde(rename = "WEEK")]
    Week,
    /// A calendar month (UTC).
    #[serde(rename = "MONTH")]
    Month,
}

/// A usage plan's quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// Requests per period.
    pub limit: u64,
    /// The period.
    pub period: QuotaPeriod,
}

/// A usage plan: which stages, how fast and how much per key.
#[derive(Clone, Debug)]
pub struct UsagePlan {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// (REST API id, stage name).
    pub api_stages: Vec<(String, String)>,
    /// Per-key throttle.
    pub throttle: Option<Limit>,
    /// Per-key quota.
    pub quota: Option<Quota>,
    /// Keys in the plan.
    pub keys: BTreeSet<String>,
    /// Per-key token buckets.
    pub buckets: BTreeMap<String, TokenBucket>,
    /// Requests per (key, period start).
    pub used: BTreeMap<(String, SimTime), u64>,
}

/// Every API of an account, plus keys and plans.
#[derive(Debug, Default)]
pub struct ApigwState {
    pub(crate) http_apis: BTreeMap<String, HttpApi>,
    pub(crate) rest_apis: BTreeMap<String, RestApi>,
    pub(crate) api_keys: BTreeMap<String, ApiKey>,
    pub(crate) usage_plans: BTreeMap<String, UsagePlan>,
    pub(crate) account_bucket: Option<TokenBucket>,
}

impl ApigwState {
    /// Number of APIs (HTTP and REST).
    pub fn len(&self) -> usize {
        self.http_apis.len() + self.rest_apis.len()
    }

    /// True when there are no APIs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every API with its routes as (route key, function ARN), for diagrams.
    pub fn route_table(&self) -> Vec<(super::http::ApiRef, Vec<(String, String)>)> {
        let pairs = |routes: Vec<DeployedRoute>| -> Vec<(String, String)> {
            routes
                .into_iter()
                .filter_map(|r| r.integration.map(|i| (r.route_key, i.function_arn)))
                .collect()
        };
        let http = self.http_apis.values().map(|a| {
            let api = super::http::ApiRef {
                id: a.id.clone(),
                name: a.name.clone(),
                flavor: Flavor::Http,
            };
            (api, pairs(super::deploy::http_routes(a)))
        });
        let rest = self.rest_apis.values().map(|a| {
            let api = super::http::ApiRef {
                id: a.id.clone(),
                name: a.name.clone(),
                flavor: Flavor::Rest,
            };
            (api, pairs(super::deploy::rest_routes(a)))
        });
        http.chain(rest).collect()
    }
}

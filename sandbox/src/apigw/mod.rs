//! Amazon API Gateway: HTTP APIs and REST APIs in front of Lambda functions.
//!
//! - routes with path variables (`/orders/{id}`) and greedy paths
//!   (`/files/{path+}`), `ANY`, and the `$default` route of HTTP APIs;
//! - Lambda proxy integrations with event payload format 1.0 and 2.0;
//! - stages with stage variables, deployments, throttling (token buckets:
//!   rate and burst, 429 Too Many Requests), the REST API cache (TTL, cache
//!   keys), API keys and usage plans, Lambda authorizers (TOKEN/REQUEST,
//!   policies or simple responses, result caching), the integration timeout
//!   (504), and billing per request (and per cache hour).
//!
//! Files: `model` (state), `routes` (matching), `payload` (events and
//! responses), `pipeline` (one request), `throttle`, `cache`, `auth`, `keys`,
//! `deploy`, `ops` (one function per API action), `api` (the JSON faces
//! `apigateway` and `apigatewayv2`), `http` (requests, responses and the
//! client), this module (the typed face `cloud.apigw()`), `view`.
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let orders = cloud.lambda().create_function("orders", Function::new(|event, _ctx| {
//!     let id = event["pathParameters"]["id"].as_str().unwrap_or("?");
//!     Ok(json!({"statusCode": 200, "body": json!({"id": id}).to_string()}))
//! }))?;
//! let api = cloud.apigw().create_rest_api(
//!     RestApi::new("shop")
//!         .route(Endpoint::new("GET /orders/{id}", &orders).cache_key("path.id"))
//!         .stage(Stage::named("prod").throttle(100.0, 200).cache(60.secs())),
//! )?;
//! let first = cloud.api(&api).get("/orders/42").send()?;
//! let again = cloud.api(&api).get("/orders/42").send()?;
//! assert_eq!(first.json()["id"], "42");
//! assert!(!first.from_cache && again.from_cache);
//! assert_eq!(cloud.lambda().stats(&orders)?.invocations, 1);
//! # Ok(()) }
//! ```

pub mod api;
pub mod auth;
pub mod billing;
pub mod cache;
pub mod deploy;
pub mod http;
pub mod keys;
pub mod model;
pub mod ops;
pub mod payload;
pub(crate) mod pipeline;
pub mod quotas;
pub mod routes;
pub mod throttle;
pub mod view;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::lambda::FunctionRef;

pub use http::{ApiClient, ApiRef, ApiRequest, ApiResponse, Call, Load, LoadReport};
pub use model::{ApigwState, Flavor, QuotaPeriod, StageStats};

/// One route (HTTP API) or method (REST API) and the function behind it.
///
/// ```
/// use cloudlab::prelude::*;
/// let f = FunctionRef::named("products");
/// let e = Endpoint::new("GET /products/{id}", &f).cache_key("path.id").api_key_required();
/// # let _ = e;
/// ```
#[derive(Clone, Debug)]
pub struct Endpoint {
    route_key: String,
    function_arn: String,
    api_key_required: bool,
    cache_keys: Vec<String>,
    authorizer: Option<String>,
    payload_format: Option<String>,
    timeout: Option<Duration>,
}

impl Endpoint {
    /// `route_key` is `METHOD /path` (or `$default` for HTTP APIs).
    pub fn new(route_key: &str, function: &FunctionRef) -> Endpoint {
        Endpoint {
            route_key: route_key.to_string(),
            function_arn: function.arn.clone(),
            api_key_required: false,
            cache_keys: Vec::new(),
            authorizer: None,
            payload_format: None,
            timeout: None,
        }
    }

    /// REST APIs: callers need an API key in a usage plan.
    pub fn api_key_required(mut self) -> Endpoint {
        self.api_key_required = true;
        self
    }

    /// REST APIs: a request parameter that keys the cache (`path.id`,
    /// `querystring.page`, `header.Accept`, or the full
    /// `method.request.path.id`).
    pub fn cache_key(mut self, param: &str) -> Endpoint {
        let full = if param.starts_with("method.request.") {
            param.to_string()
        } else {
            format!("method.request.{param}")
        };
        self.cache_keys.push(full);
        self
    }

    /// Protect it with the Lambda authorizer of this name.
    pub fn authorizer(mut self, name: &str) -> Endpoint {
        self.authorizer = Some(name.to_string());
        self
    }

    /// HTTP APIs: event format `1.0` or `2.0` (default `2.0`).
    pub fn payload_format(mut self, version: &str) -> Endpoint {
        self.payload_format = Some(version.to_string());
        self
    }

    /// Integration timeout (50 ms to 29 s for REST, 30 s for HTTP APIs).
    pub fn timeout(mut self, d: Duration) -> Endpoint {
        self.timeout = Some(d);
        self
    }
}

/// A Lambda authorizer to create with an API.
#[derive(Clone, Debug)]
pub struct Authorizer {
    name: String,
    function_arn: String,
    token: bool,
    sources: Vec<(bool, String)>,
    ttl: Option<Duration>,
    simple: bool,
    payload_format: String,
}

impl Authorizer {
    /// REST APIs: a TOKEN authorizer reading the `Authorization` header.
    pub fn token(name: &str, function: &FunctionRef) -> Authorizer {
        Authorizer {
            name: name.to_string(),
            function_arn: function.arn.clone(),
            token: true,
            sources: vec![(true, "Authorization".into())],
            ttl: None,
            simple: false,
            payload_format: "2.0".into(),
        }
    }

    /// A REQUEST authorizer (HTTP and REST APIs) reading the `Authorization` header.
    pub fn request(name: &str, function: &FunctionRef) -> Authorizer {
        Authorizer {
            token: false,
            ..Authorizer::token(name, function)
        }
    }

    /// Read the identity from this header instead (REQUEST: add it).
    pub fn header(mut self, name: &str) -> Authorizer {
        if self.token {
            self.sources.clear();
        } else {
            self.sources.retain(|(h, n)| !(*h && n == "Authorization"));
        }
        self.sources.push((true, name.to_string()));
        self
    }

    /// REQUEST: also read this query parameter.
    pub fn query(mut self, name: &str) -> Authorizer {
        self.sources.push((false, name.to_string()));
        self
    }

    /// Cache results this long (0 to 1 h; default 5 min).
    pub fn ttl(mut self, d: Duration) -> Authorizer {
        self.ttl = Some(d);
        self
    }

    /// HTTP APIs: the function answers `{"isAuthorized": bool, "context": {...}}`.
    pub fn simple_responses(mut self) -> Authorizer {
        self.simple = true;
        self
    }

    /// HTTP APIs: the event format (`1.0` or `2.0`, default `2.0`).
    pub fn payload_format(mut self, version: &str) -> Authorizer {
        self.payload_format = version.to_string();
        self
    }
}

/// A stage to deploy an API to, as a builder.
///
/// ```
/// use cloudlab::prelude::*;
/// let s = Stage::named("prod").throttle(50.0, 100).cache(5.mins()).variable("table", "orders");
/// # let _ = s;
/// ```
#[derive(Clone, Debug)]
pub struct Stage {
    name: String,
    variables: BTreeMap<String, String>,
    throttle: Option<(f64, u32)>,
    route_throttles: Vec<(String, f64, u32)>,
    cache: Option<Duration>,
    cache_size: String,
    auto_deploy: bool,
}

impl Stage {
    /// A stage called `name` (`$default` serves HTTP APIs at the root).
    pub fn named(name: &str) -> Stage {
        Stage {
            name: name.to_string(),
            variables: BTreeMap::new(),
            throttle: None,
            route_throttles: Vec::new(),
            cache: None,
            cache_size: "0.5".into(),
            auto_deploy: true,
        }
    }

    /// A stage variable.
    pub fn variable(mut self, name: &str, value: &str) -> Stage {
        self.variables.insert(name.to_string(), value.to_string());
        self
    }

    /// Throttle every route: `rate` requests per second, bursts of `burst`.
    pub fn throttle(mut self, rate: f64, burst: u32) -> Stage {
        self.throttle = Some((rate, burst));
        self
    }

    /// Throttle one route (`GET /orders/{id}`) differently.
    pub fn route_throttle(mut self, route_key: &str, rate: f64, burst: u32) -> Stage {
        self.route_throttles
            .push((route_key.to_string(), rate, burst));
        self
    }

    /// REST APIs: a cache cluster, caching GET responses for `ttl` (≤ 1 h).
    pub fn cache(mut self, ttl: Duration) -> Stage {
        self.cache = Some(ttl);
        self
    }

    /// REST APIs: cache size in GB (`0.5`, `1.6`, `6.1`, ...).
    pub fn cache_size(mut self, gb: &str) -> Stage {
        self.cache_size = gb.to_string();
        self
    }

    /// HTTP APIs: deploy changes by hand (`CreateDeployment`) instead of at once.
    pub fn manual_deploy(mut self) -> Stage {
        self.auto_deploy = false;
        self
    }
}

/// An HTTP API to create: routes, authorizers and a stage.
#[derive(Clone, Debug)]
pub struct HttpApi {
    name: String,
    endpoints: Vec<Endpoint>,
    authorizers: Vec<Authorizer>,
    stage: Stage,
}

impl HttpApi {
    /// An API called `name`, served on the auto-deploying `$default` stage.
    pub fn new(name: &str) -> HttpApi {
        HttpApi {
            name: name.to_string(),
            endpoints: Vec::new(),
            authorizers: Vec::new(),
            stage: Stage::named("$default"),
        }
    }

    /// A route (`GET /orders/{id}`, `ANY /{proxy+}`, `$default`) to a function.
    pub fn route(self, route_key: &str, function: &FunctionRef) -> HttpApi {
        self.endpoint(Endpoint::new(route_key, function))
    }

    /// A route with options.
    pub fn endpoint(mut self, e: Endpoint) -> HttpApi {
        self.endpoints.push(e);
        self
    }

    /// A Lambda authorizer routes can name.
    pub fn authorizer(mut self, a: Authorizer) -> HttpApi {
        self.authorizers.push(a);
        self
    }

    /// The stage (default: `$default`, auto-deploying).
    pub fn stage(mut self, s: Stage) -> HttpApi {
        self.stage = s;
        self
    }

    /// Throttle every route of the stage.
    pub fn throttle(mut self, rate: f64, burst: u32) -> HttpApi {
        self.stage = self.stage.throttle(rate, burst);
        self
    }
}

/// A REST API to create: methods, authorizers and a deployed stage.
#[derive(Clone, Debug)]
pub struct RestApi {
    name: String,
    endpoints: Vec<Endpoint>,
    authorizers: Vec<Authorizer>,
    stage: Stage,
}

impl RestApi {
    /// An API called `name`, deployed to stage `prod`.
    pub fn new(name: &str) -> RestApi {
        RestApi {
            name: name.to_string(),
            endpoints: Vec::new(),
            authorizers: Vec::new(),
            stage: Stage::named("prod"),
        }
    }

    /// A method (`GET /orders/{id}`, `ANY /{proxy+}`) with options.
    pub fn route(mut self, e: Endpoint) -> RestApi {
        self.endpoints.push(e);
        self
    }

    /// A method to a function, no options.
    pub fn method(self, route_key: &str, function: &FunctionRef) -> RestApi {
        self.route(Endpoint::new(route_key, function))
    }

    /// A Lambda authorizer methods can name.
    pub fn authorizer(mut self, a: Authorizer) -> RestApi {
        self.authorizers.push(a);
        self
    }

    /// The stage (default `prod`).
    pub fn stage(mut self, s: Stage) -> RestApi {
        self.stage = s;
        self
    }
}

/// A usage plan to create: stages, a per-key throttle and quota.
#[derive(Clone, Debug)]
pub struct UsagePlan {
    name: String,
    stages: Vec<(String, String)>,
    throttle: Option<(f64, u32)>,
    quota: Option<(u64, QuotaPeriod)>,
}

impl UsagePlan {
    /// A plan called `name`.
    pub fn new(name: &str) -> UsagePlan {
        UsagePlan {
            name: name.to_string(),
            stages: Vec::new(),
            throttle: None,
            quota: None,
        }
    }

    /// Covers this REST API's stage.
    pub fn stage(mut self, api: &ApiRef, stage: &str) -> UsagePlan {
        self.stages.push((api.id.clone(), stage.to_string()));
        self
    }

    /// Each key may send `rate` requests per second, bursts of `burst`.
    pub fn throttle(mut self, rate: f64, burst: u32) -> UsagePlan {
        self.throttle = Some((rate, burst));
        self
    }

    /// Each key may send `limit` requests per `period`.
    pub fn quota(mut self, limit: u64, period: QuotaPeriod) -> UsagePlan {
        self.quota = Some((limit, period));
        self
    }
}

/// An API key: id, name and the value clients send as `x-api-key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRef {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The secret value.
    pub value: String,
}

/// A usage plan: id and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsagePlanRef {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// The typed face of API Gateway, borrowed from a [`Cloud`] by [`Cloud::apigw`].
pub struct ApiGateway<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// Amazon API Gateway in this account.
    pub fn apigw(&mut self) -> ApiGateway<'_> {
        ApiGateway { cloud: self }
    }
}

fn s(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

impl ApiGateway<'_> {
    /// Creates an HTTP API with its integrations, routes, authorizers and stage.
    pub fn create_http_api(&mut self, spec: HttpApi) -> CloudResult<ApiRef> {
        let c = &mut *self.cloud;
        let api = c.call(
            "apigatewayv2",
            "CreateApi",
            json!({"Name": spec.name, "ProtocolType": "HTTP"}),
        )?;
        let id = s(&api, "ApiId");
        let made = build_http(c, &id, &spec);
        if let Err(e) = made {
            c.apigw.http_apis.remove(&id);
            return Err(e);
        }
        Ok(ApiRef {
            id,
            name: spec.name,
            flavor: Flavor::Http,
        })
    }

    /// Creates a REST API with its resources, methods, authorizers, a
    /// deployment and its stage settings.
    pub fn create_rest_api(&mut self, spec: RestApi) -> CloudResult<ApiRef> {
        let c = &mut *self.cloud;
        let api = c.call("apigateway", "CreateRestApi", json!({"name": spec.name}))?;
        let id = s(&api, "id");
        let made = build_rest(c, &id, &s(&api, "rootResourceId"), &spec);
        if let Err(e) = made {
            c.apigw.rest_apis.remove(&id);
            return Err(e);
        }
        Ok(ApiRef {
            id,
            name: spec.name,
            flavor: Flavor::Rest,
        })
    }

    /// Every API, HTTP then REST, by id.
    pub fn list_apis(&mut self) -> Vec<ApiRef> {
        let http = self.cloud.apigw.http_apis.values().map(|a| ApiRef {
            id: a.id.clone(),
            name: a.name.clone(),
            flavor: Flavor::Http,
        });
        let rest = self.cloud.apigw.rest_apis.values().map(|a| ApiRef {
            id: a.id.clone(),
            name: a.name.clone(),
            flavor: Flavor::Rest,
        });
        http.chain(rest).collect()
    }

    /// Redeploys the API's current routes to `stage` (REST APIs and HTTP
    /// stages without auto-deploy serve only what was deployed).
    pub fn deploy(&mut self, api: &ApiRef, stage: &str) -> CloudResult<()> {
        match api.flavor {
            Flavor::Rest => self.cloud.call(
                "apigateway",
                "CreateDeployment",
                json!({"restApiId": api.id, "stageName": stage}),
            )?,
            Flavor::Http => self.cloud.call(
                "apigatewayv2",
                "CreateDeployment",
                json!({"ApiId": api.id, "StageName": stage}),
            )?,
        };
        Ok(())
    }

    /// Sets the stage's default throttling (every route or method).
    pub fn set_throttle(
        &mut self,
        api: &ApiRef,
        stage: &str,
        rate: f64,
        burst: u32,
    ) -> CloudResult<()> {
        match api.flavor {
            Flavor::Http => self.cloud.call(
                "apigatewayv2",
                "UpdateStage",
                json!({"ApiId": api.id, "StageName": stage,
                       "DefaultRouteSettings": {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}}),
            )?,
            Flavor::Rest => self.cloud.call(
                "apigateway",
                "UpdateStage",
                json!({"restApiId": api.id, "stageName": stage, "patchOperations": [
                    {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": rate.to_string()},
                    {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": burst.to_string()},
                ]}),
            )?,
        };
        Ok(())
    }

    /// REST APIs: turns the stage cache on with this TTL, or off (`None`).
    pub fn set_cache(
        &mut self,
        api: &ApiRef,
        stage: &str,
        ttl: Option<Duration>,
    ) -> CloudResult<()> {
        let ops = match ttl {
            Some(t) => json!([
                {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
                {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
                {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": t.as_secs().to_string()},
            ]),
            None => json!([{"op": "replace", "path": "/cacheClusterEnabled", "value": "false"}]),
        };
        self.cloud.call(
            "apigateway",
            "UpdateStage",
            json!({"restApiId": api.id, "stageName": stage, "patchOperations": ops}),
        )?;
        Ok(())
    }

    /// REST APIs: empties the stage cache.
    pub fn flush_cache(&mut self, api: &ApiRef, stage: &str) -> CloudResult<()> {
        self.cloud.call(
            "apigateway",
            "FlushStageCache",
            json!({"restApiId": api.id, "stageName": stage}),
        )?;
        Ok(())
    }

    /// Creates an enabled API key.
    pub fn create_api_key(&mut self, name: &str) -> CloudResult<ApiKeyRef> {
        let k = self.cloud.call(
            "apigateway",
            "CreateApiKey",
            json!({"name": name, "enabled": true}),
        )?;
        Ok(ApiKeyRef {
            id: s(&k, "id"),
            name: s(&k, "name"),
            value: s(&k, "value"),
        })
    }

    /// Creates a usage plan.
    pub fn create_usage_plan(&mut self, plan: UsagePlan) -> CloudResult<UsagePlanRef> {
        let mut req = json!({
            "name": plan.name,
            "apiStages": plan.stages.iter().map(|(a, s)| json!({"apiId": a, "stage": s})).collect::<Vec<_>>(),
        });
        if let Some((rate, burst)) = plan.throttle {
            req["throttle"] = json!({"rateLimit": rate, "burstLimit": burst});
        }
        if let Some((limit, period)) = plan.quota {
            req["quota"] = json!({"limit": limit, "period": period});
        }
        let p = self.cloud.call("apigateway", "CreateUsagePlan", req)?;
        Ok(UsagePlanRef {
            id: s(&p, "id"),
            name: s(&p, "name"),
        })
    }

    /// Puts a key in a usage plan.
    pub fn add_key(&mut self, plan: &UsagePlanRef, key: &ApiKeyRef) -> CloudResult<()> {
        self.cloud.call(
            "apigateway",
            "CreateUsagePlanKey",
            json!({"usagePlanId": plan.id, "keyId": key.id, "keyType": "API_KEY"}),
        )?;
        Ok(())
    }

    /// Counters of a stage: requests, 2xx/4xx/5xx, throttled, cache hits and misses.
    pub fn stats(&mut self, api: &ApiRef, stage: &str) -> CloudResult<StageStats> {
        pipeline::stage_mut(self.cloud, api, stage)
            .map(|s| s.stats)
            .ok_or_else(|| ops::not_found(format!("Invalid stage identifier specified {stage}")))
    }

    /// A view of the API: routes, stages, counters.
    pub fn view(&mut self, api: &ApiRef) -> CloudResult<view::ApiView> {
        view::ApiView::of(self.cloud, api)
    }
}

fn build_http(c: &mut Cloud, id: &str, spec: &HttpApi) -> CloudResult<()> {
    let mut auth_ids = BTreeMap::new();
    for a in &spec.authorizers {
        let sources: Vec<String> = a
            .sources
            .iter()
            .map(|(h, n)| format!("$request.{}.{n}", if *h { "header" } else { "querystring" }))
            .collect();
        let mut req = json!({
            "ApiId": id, "Name": a.name, "AuthorizerType": "REQUEST",
            "AuthorizerUri": ops::invocation_uri(&a.function_arn),
            "AuthorizerPayloadFormatVersion": a.payload_format,
            "EnableSimpleResponses": a.simple,
            "IdentitySource": sources,
        });
        if let Some(t) = a.ttl {
            req["AuthorizerResultTtlInSeconds"] = json!(t.as_secs());
        }
        let out = c.call("apigatewayv2", "CreateAuthorizer", req)?;
        auth_ids.insert(a.name.clone(), s(&out, "AuthorizerId"));
    }
    for e in &spec.endpoints {
        if e.api_key_required || !e.cache_keys.is_empty() {
            return Err(ops::bad(format!(
                "{}: HTTP APIs have no API keys, usage plans or cache; use a REST API for those.",
                e.route_key
            )));
        }
        let mut req = json!({
            "ApiId": id, "IntegrationType": "AWS_PROXY", "IntegrationUri": e.function_arn,
            "PayloadFormatVersion": e.payload_format.clone().unwrap_or_else(|| "2.0".into()),
        });
        if let Some(t) = e.timeout {
            req["TimeoutInMillis"] = json!(t.as_millis() as u64);
        }
        let integration = c.call("apigatewayv2", "CreateIntegration", req)?;
        let mut route = json!({
            "ApiId": id, "RouteKey": e.route_key,
            "Target": format!("integrations/{}", s(&integration, "IntegrationId")),
        });
        if let Some(name) = &e.authorizer {
            let aid = auth_ids.get(name).ok_or_else(|| {
                ops::bad(format!(
                    "{}: no authorizer called {name} in this API.",
                    e.route_key
                ))
            })?;
            route["AuthorizationType"] = json!("CUSTOM");
            route["AuthorizerId"] = json!(aid);
        }
        c.call("apigatewayv2", "CreateRoute", route)?;
    }
    let st = &spec.stage;
    if st.cache.is_some() {
        return Err(ops::bad(
            "HTTP APIs have no cache; use a REST API for caching.",
        ));
    }
    let mut req = json!({
        "ApiId": id, "StageName": st.name, "AutoDeploy": st.auto_deploy,
        "StageVariables": st.variables,
    });
    if let Some((rate, burst)) = st.throttle {
        req["DefaultRouteSettings"] =
            json!({"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst});
    }
    if !st.route_throttles.is_empty() {
        let routes: serde_json::Map<String, Value> = st
            .route_throttles
            .iter()
            .map(|(k, r, b)| {
                (
                    k.clone(),
                    json!({"ThrottlingRateLimit": r, "ThrottlingBurstLimit": b}),
                )
            })
            .collect();
        req["RouteSettings"] = Value::Object(routes);
    }
    c.call("apigatewayv2", "CreateStage", req)?;
    if !st.auto_deploy {
        c.call(
            "apigatewayv2",
            "CreateDeployment",
            json!({"ApiId": id, "StageName": st.name}),
        )?;
    }
    Ok(())
}

/// The resource id of `path`, creating the missing resources on the way.
fn ensure_resource(c: &mut Cloud, id: &str, root: &str, path: &str) -> CloudResult<String> {
    let mut parent = root.to_string();
    let mut so_far = String::new();
    for part in path
        .trim_start_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
    {
        so_far.push('/');
        so_far.push_str(part);
        let existing = c
            .apigw
            .rest_apis
            .get(id)
            .and_then(|a| a.resources.values().find(|r| r.path == so_far))
            .map(|r| r.id.clone());
        parent = match existing {
            Some(r) => r,
            None => {
                let out = c.call(
                    "apigateway",
                    "CreateResource",
                    json!({"restApiId": id, "parentId": parent, "pathPart": part}),
                )?;
                s(&out, "id")
            }
        };
    }
    Ok(parent)
}

fn build_rest(c: &mut Cloud, id: &str, root: &str, spec: &RestApi) -> CloudResult<()> {
    let mut auth_ids = BTreeMap::new();
    for a in &spec.authorizers {
        let sources: Vec<String> = a
            .sources
            .iter()
            .map(|(h, n)| {
                format!(
                    "method.request.{}.{n}",
                    if *h { "header" } else { "querystring" }
                )
            })
            .collect();
        let mut req = json!({
            "restApiId": id, "name": a.name, "type": if a.token { "TOKEN" } else { "REQUEST" },
            "authorizerUri": ops::invocation_uri(&a.function_arn),
            "identitySource": sources.join(","),
        });
        if let Some(t) = a.ttl {
            req["authorizerResultTtlInSeconds"] = json!(t.as_secs());
        }
        let out = c.call("apigateway", "CreateAuthorizer", req)?;
        auth_ids.insert(a.name.clone(), s(&out, "id"));
    }
    for e in &spec.endpoints {
        let Some((method, path)) = e.route_key.split_once(' ') else {
            return Err(ops::bad(format!(
                "REST API methods are \"METHOD /path\" (got {:?}); REST APIs have no $default route.",
                e.route_key
            )));
        };
        let rid = ensure_resource(c, id, root, path)?;
        let params: BTreeMap<String, bool> =
            e.cache_keys.iter().map(|k| (k.clone(), false)).collect();
        let mut m = json!({
            "restApiId": id, "resourceId": rid, "httpMethod": method,
            "authorizationType": "NONE", "apiKeyRequired": e.api_key_required,
            "requestParameters": params,
        });
        if let Some(name) = &e.authorizer {
            let aid = auth_ids.get(name).ok_or_else(|| {
                ops::bad(format!(
                    "{}: no authorizer called {name} in this API.",
                    e.route_key
                ))
            })?;
            m["authorizationType"] = json!("CUSTOM");
            m["authorizerId"] = json!(aid);
        }
        c.call("apigateway", "PutMethod", m)?;
        let mut i = json!({
            "restApiId": id, "resourceId": rid, "httpMethod": method, "type": "AWS_PROXY",
            "integrationHttpMethod": "POST", "uri": ops::invocation_uri(&e.function_arn),
            "cacheKeyParameters": e.cache_keys,
        });
        if let Some(t) = e.timeout {
            i["timeoutInMillis"] = json!(t.as_millis() as u64);
        }
        c.call("apigateway", "PutIntegration", i)?;
    }
    let st = &spec.stage;
    c.call(
        "apigateway",
        "CreateDeployment",
        json!({"restApiId": id, "stageName": st.name, "variables": st.variables}),
    )?;
    let mut patch = Vec::new();
    let mut op = |path: String, value: String| {
        patch.push(json!({"op": "replace", "path": path, "value": value}))
    };
    if let Some((rate, burst)) = st.throttle {
        op("/*/*/throttling/rateLimit".into(), rate.to_string());
        op("/*/*/throttling/burstLimit".into(), burst.to_string());
    }
    for (key, rate, burst) in &st.route_throttles {
        let (m, p) = key.split_once(' ').unwrap_or(("GET", key));
        let k = cache::setting_key(p, &m.to_ascii_uppercase());
        op(format!("/{k}/throttling/rateLimit"), rate.to_string());
        op(format!("/{k}/throttling/burstLimit"), burst.to_string());
    }
    if let Some(ttl) = st.cache {
        op("/cacheClusterSize".into(), st.cache_size.clone());
        op("/cacheClusterEnabled".into(), "true".into());
        op("/*/*/caching/enabled".into(), "true".into());
        op(
            "/*/*/caching/ttlInSeconds".into(),
            ttl.as_secs().to_string(),
        );
    }
    if !patch.is_empty() {
        c.call(
            "apigateway",
            "UpdateStage",
            json!({"restApiId": id, "stageName": st.name, "patchOperations": patch}),
        )?;
    }
    Ok(())
}

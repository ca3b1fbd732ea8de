//! One request through API Gateway, in AWS's order: find the stage and the
//! route; check the API key; run the Lambda authorizer; throttle (usage plan
//! per key, then the route or method, then the account) and count the
//! quota; bill; answer from the REST cache, or invoke the integration with
//! its timeout; read the function's answer.
//!
//! Time: the pipeline runs at the current instant and returns when the
//! response is ready; the client waits that long (or, inside a burst, the
//! requests overlap and Lambda scales out to serve them).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::auth;
use super::cache;
use super::http::{ApiRef, ApiRequest, ApiResponse};
use super::keys;
use super::model::{CacheEntry, DeployedRoute, Flavor, Stage};
use super::payload::{EventContext, event, read_response};
use super::quotas::*;
use super::routes;
use super::throttle::{Limit, TokenBucket};
use crate::cloud::{Cloud, REGION};
use crate::error::{CloudError, CloudResult};
use crate::lambda::runtime::{Refused, execute};
use crate::time::{DurationExt, SimTime, human};

/// What a stage serves, copied out of the model for one request.
struct StageView {
    routes: Vec<DeployedRoute>,
    variables: BTreeMap<String, String>,
}

pub(crate) fn not_found_api(id: &str) -> CloudError {
    CloudError::new(
        "NotFoundException",
        format!("Invalid API identifier specified 123456789012:{id}"),
    )
    .with_status(404)
}

/// The stage a client uses when it names none.
pub(crate) fn default_stage(cloud: &Cloud, api: &ApiRef) -> CloudResult<String> {
    let names: Vec<String> = match api.flavor {
        Flavor::Http => cloud
            .apigw
            .http_apis
            .get(&api.id)
            .ok_or_else(|| not_found_api(&api.id))?
            .stages
            .keys()
            .cloned()
            .collect(),
        Flavor::Rest => cloud
            .apigw
            .rest_apis
            .get(&api.id)
            .ok_or_else(|| not_found_api(&api.id))?
            .stages
            .keys()
            .cloned()
            .collect(),
    };
    if names.iter().any(|n| n == "$default") {
        return Ok("$default".into());
    }
    match names.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(CloudError::new(
            "NotFoundException",
            format!(
                "The API {} has no stage yet: deploy it to a stage first.",
                api.name
            ),
        )),
        many => Err(CloudError::new(
            "BadRequestException",
            format!(
                "The API {} has several stages ({}): pick one with .stage(\"name\").",
                api.name,
                many.join(", ")
            ),
        )),
    }
}

pub(crate) fn stage_mut<'c>(
    cloud: &'c mut Cloud,
    api: &ApiRef,
    stage: &str,
) -> Option<&'c mut Stage> {
    match api.flavor {
        Flavor::Http => cloud
            .apigw
            .http_apis
            .get_mut(&api.id)?
            .stages
            .get_mut(stage),
        Flavor::Rest => cloud
            .apigw
            .rest_apis
            .get_mut(&api.id)?
            .stages
            .get_mut(stage),
    }
}

fn stage_view(cloud: &Cloud, api: &ApiRef, stage: &str) -> CloudResult<Option<StageView>> {
    match api.flavor {
        Flavor::Http => {
            let a = cloud
                .apigw
                .http_apis
                .get(&api.id)
                .ok_or_else(|| not_found_api(&api.id))?;
            let Some(s) = a.stages.get(stage) else {
                return Ok(None);
            };
            let routes = if s.auto_deploy {
                super::deploy::http_routes(a)
            } else {
                match s.deployment_id.as_ref().and_then(|d| a.deployments.get(d)) {
                    Some(d) => d.routes.clone(),
                    None => return Ok(None),
                }
            };
            Ok(Some(StageView {
                routes,
                variables: s.variables.clone(),
            }))
        }
        Flavor::Rest => {
            let a = cloud
                .apigw
                .rest_apis
                .get(&api.id)
                .ok_or_else(|| not_found_api(&api.id))?;
            let Some(s) = a.stages.get(stage) else {
                return Ok(None);
            };
            let Some(d) = s.deployment_id.as_ref().and_then(|d| a.deployments.get(d)) else {
                return Ok(None);
            };
            Ok(Some(StageView {
                routes: d.routes.clone(),
                variables: s.variables.clone(),
            }))
        }
    }
}

/// The request as it reaches the integration: with API Gateway's own headers.
fn with_gateway_headers(cloud: &mut Cloud, api: &ApiRef, req: &ApiRequest) -> ApiRequest {
    let mut r = req.clone();
    let host = format!("{}.execute-api.{REGION}.amazonaws.com", api.id);
    let trace = format!(
        "Root=1-{:08x}-{}",
        cloud.core.now.unix_secs(),
        cloud.core.rng.hex(24)
    );
    let mut extra = vec![
        ("Host".to_string(), host),
        ("X-Amzn-Trace-Id".to_string(), trace),
        ("X-Forwarded-For".to_string(), r.source_ip.clone()),
        ("X-Forwarded-Port".to_string(), "443".to_string()),
        ("X-Forwarded-Proto".to_string(), "https".to_string()),
    ];
    if !r.body.is_empty() && r.header_value("content-length").is_none() {
        extra.push(("Content-Length".to_string(), r.body.len().to_string()));
    }
    extra.retain(|(k, _)| r.header_value(k).is_none());
    r.headers.extend(extra);
    r
}

/// The outcome class of a response, for traces and stats.
fn record(
    cloud: &mut Cloud,
    api: &ApiRef,
    stage: &str,
    req: &ApiRequest,
    resp: &ApiResponse,
    note: &str,
) {
    if let Some(s) = stage_mut(cloud, api, stage) {
        s.stats.requests += 1;
        match resp.status {
            200..=299 => s.stats.ok_2xx += 1,
            400..=499 => s.stats.client_4xx += 1,
            500..=599 => s.stats.server_5xx += 1,
            _ => {}
        }
        if resp.status == 429 {
            s.stats.throttled += 1;
        }
    }
    let name: Arc<str> = api.name.as_str().into();
    let kind = match resp.status {
        429 => "throttle",
        500..=599 => "error",
        _ => "request",
    };
    cloud.core.trace(
        "apigateway",
        &name,
        kind,
        format!(
            "{stage} {} {} -> {} in {}{note}",
            req.method,
            req.path,
            resp.status,
            human(resp.latency)
        ),
    );
}

/// A request on its way: what its response is recorded against.
struct Started<'a> {
    api: &'a ApiRef,
    stage: &'a str,
    request: &'a ApiRequest,
    start: SimTime,
    request_id: String,
}

fn finish(
    cloud: &mut Cloud,
    r: &Started<'_>,
    mut resp: ApiResponse,
    end: SimTime,
    note: &str,
) -> (ApiResponse, SimTime) {
    resp.latency = end.since(r.start);
    let header = match r.api.flavor {
        Flavor::Rest => "x-amzn-RequestId",
        Flavor::Http => "apigw-requestid",
    };
    resp.headers.push((header.into(), r.request_id.clone()));
    record(cloud, r.api, r.stage, r.request, &resp, note);
    (resp, end)
}

fn internal(flavor: Flavor) -> ApiResponse {
    match flavor {
        Flavor::Rest => ApiResponse::message(500, "message", "Internal server error"),
        Flavor::Http => ApiResponse::message(500, "message", "Internal Server Error"),
    }
}

fn bad_gateway(flavor: Flavor) -> ApiResponse {
    match flavor {
        Flavor::Rest => ApiResponse::message(502, "message", "Internal server error"),
        Flavor::Http => ApiResponse::message(500, "message", "Internal Server Error"),
    }
}

fn too_many() -> ApiResponse {
    ApiResponse::message(429, "message", "Too Many Requests")
}

/// Takes a token from the route's bucket (its own limit or the stage default).
fn throttle_route(cloud: &mut Cloud, api: &ApiRef, stage: &str, route: &DeployedRoute) -> bool {
    let now = cloud.core.now;
    let Some(s) = stage_mut(cloud, api, stage) else {
        return true;
    };
    let limit = match api.flavor {
        Flavor::Http => s
            .route_limits
            .get(&route.route_key)
            .copied()
            .or(s.default_limit),
        Flavor::Rest => {
            let m = cache::effective(s, route.path(), &route.method);
            match (m.rate, m.burst) {
                (None, None) => None,
                (rate, burst) => Some(Limit {
                    rate: rate.unwrap_or(ACCOUNT_RATE),
                    burst: burst.unwrap_or(ACCOUNT_BURST),
                }),
            }
        }
    };
    let Some(limit) = limit else {
        return true;
    };
    let bucket = s
        .buckets
        .entry(route.route_key.clone())
        .or_insert_with(|| TokenBucket::new(limit, now));
    if bucket.limit() != limit {
        bucket.set_limit(limit);
    }
    bucket.take(now)
}

fn throttle_account(cloud: &mut Cloud) -> bool {
    let now = cloud.core.now;
    cloud
        .apigw
        .account_bucket
        .get_or_insert_with(|| {
            TokenBucket::new(
                Limit {
                    rate: ACCOUNT_RATE,
                    burst: ACCOUNT_BURST,
                },
                now,
            )
        })
        .take(now)
}

fn bill(cloud: &mut Cloud, flavor: Flavor, req: &ApiRequest) {
    match flavor {
        Flavor::Rest => cloud.core.bill("apigateway.rest.requests", 1.0),
        Flavor::Http => {
            let units = req.body.len().div_ceil(HTTP_METERING_CHUNK).max(1);
            cloud.core.bill("apigateway.http.requests", units as f64);
        }
    }
}

/// `${stageVariables.name}` in an integration's function ARN, filled in.
fn resolve_stage_variables(arn: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = arn.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("${{stageVariables.{k}}}"), v);
    }
    out
}

enum Lookup {
    Off,
    Hit(Box<ApiResponse>),
    Miss(String, u64),
}

/// Looks the request up in the stage cache when its method is cached.
fn cache_lookup(
    cloud: &mut Cloud,
    api: &ApiRef,
    stage: &str,
    route: &DeployedRoute,
    req: &ApiRequest,
    path_params: &BTreeMap<String, String>,
) -> Lookup {
    let now = cloud.core.now;
    let Some(s) = stage_mut(cloud, api, stage) else {
        return Lookup::Off;
    };
    let setting = cache::effective(s, route.path(), &route.method);
    let ttl = cache::ttl(s, &setting);
    if ttl == 0 {
        return Lookup::Off;
    }
    let key = cache::key(route, req, path_params);
    let refresh = setting.require_authorization_for_cache_control == Some(false)
        && req
            .header_value("cache-control")
            .is_some_and(|v| v.contains("max-age=0"));
    match s.cache.get(&key).filter(|e| e.expires > now && !refresh) {
        Some(e) => {
            s.stats.cache_hits += 1;
            Lookup::Hit(Box::new(e.response.clone()))
        }
        None => {
            s.stats.cache_misses += 1;
            Lookup::Miss(key, ttl)
        }
    }
}

/// Calls the route's integration; returns the response, how long it took
/// and a note for the trace.
pub(crate) fn integrate(
    cloud: &mut Cloud,
    api: &ApiRef,
    stage: &str,
    route: &DeployedRoute,
    ctx: &EventContext<'_>,
    variables: &BTreeMap<String, String>,
) -> (ApiResponse, std::time::Duration, &'static str) {
    let flavor = api.flavor;
    let zero = std::time::Duration::ZERO;
    let Some(integration) = route.integration.clone() else {
        return (internal(flavor), zero, " (no integration)");
    };
    let arn = resolve_stage_variables(&integration.function_arn, variables);
    let Ok(fname) = crate::lambda::ops::function_name(&arn) else {
        return (internal(flavor), zero, " (bad integration URI)");
    };
    if let Some(s) = stage_mut(cloud, api, stage) {
        s.stats.integration_calls += 1;
    }
    let start = cloud.core.now;
    let event = event(ctx, integration.payload_format);
    let lambda_id = cloud.core.rng.uuid();
    let exec = match execute(cloud, &fname, event, lambda_id) {
        Ok(e) => e,
        Err(Refused::Throttled(_)) => return (internal(flavor), zero, " (Lambda throttled)"),
        Err(Refused::NotFound(_)) => return (internal(flavor), zero, " (function not found)"),
    };
    let took = exec.finished.since(start);
    if took > integration.timeout {
        let resp = match flavor {
            Flavor::Rest => ApiResponse::message(504, "message", "Endpoint request timed out"),
            Flavor::Http => ApiResponse::message(504, "message", "Service Unavailable"),
        };
        return (resp, integration.timeout, " (integration timeout)");
    }
    match &exec.outcome {
        Err(_) => (bad_gateway(flavor), took, " (function error)"),
        Ok(output) => match read_response(output, integration.payload_format) {
            Ok(r) => (r, took, ""),
            Err(why) => {
                let name: Arc<str> = api.name.as_str().into();
                cloud.core.trace(
                    "apigateway",
                    &name,
                    "malformed-response",
                    format!("Malformed Lambda proxy response: {why}"),
                );
                (bad_gateway(flavor), took, " (malformed Lambda response)")
            }
        },
    }
}

/// Handles one request at the current instant; returns the response and when
/// the client has it. `Err` only when the API does not exist.
pub(crate) fn handle(
    cloud: &mut Cloud,
    api: &ApiRef,
    stage: &str,
    request: &ApiRequest,
) -> CloudResult<(ApiResponse, SimTime)> {
    let flavor = api.flavor;
    let start = cloud.core.now;
    let overhead = match flavor {
        Flavor::Rest => std::time::Duration::from_micros(6_000 + cloud.core.rng.range(0, 6_000)),
        Flavor::Http => std::time::Duration::from_micros(2_000 + cloud.core.rng.range(0, 3_000)),
    };
    let request_id = match flavor {
        Flavor::Rest => cloud.core.rng.uuid(),
        Flavor::Http => format!("{}=", cloud.core.rng.alnum(15)),
    };
    let view = stage_view(cloud, api, stage)?;
    let req = with_gateway_headers(cloud, api, request);
    let early = |status: u16, key: &str, msg: &str| ApiResponse::message(status, key, msg);
    let mut t = start + overhead;
    let started = Started {
        api,
        stage,
        request,
        start,
        request_id: request_id.clone(),
    };
    macro_rules! done {
        ($resp:expr, $note:expr) => {
            return Ok(finish(cloud, &started, $resp, t, $note))
        };
    }
    let Some(view) = view else {
        match flavor {
            Flavor::Rest => done!(early(403, "message", "Forbidden"), " (no such stage)"),
            Flavor::Http => done!(early(404, "message", "Not Found"), " (no such stage)"),
        }
    };
    if req.body.len() > MAX_PAYLOAD {
        done!(early(413, "message", "Request Entity Too Large"), "");
    }
    let matched = routes::best(
        &req.method,
        &req.path,
        view.routes
            .iter()
            .filter_map(|r| r.template.as_ref().map(|t| (r.method.as_str(), t, r))),
    )
    .or_else(|| {
        view.routes
            .iter()
            .find(|r| r.route_key == "$default")
            .map(|r| (r, BTreeMap::new()))
    });
    let Some((route, path_params)) = matched else {
        match flavor {
            Flavor::Rest => done!(early(403, "message", "Missing Authentication Token"), ""),
            Flavor::Http => done!(early(404, "message", "Not Found"), ""),
        }
    };
    let route = route.clone();
    let resource_path = match &route.template {
        Some(t) => t.text.clone(),
        None => req.path.clone(),
    };
    let mut key_use = None;
    if route.api_key_required {
        match keys::check(cloud, &api.id, stage, &req, None) {
            Ok(k) => key_use = Some(k),
            Err(resp) => done!(resp, " (API key)"),
        }
    }
    let mut ctx = EventContext {
        api,
        stage,
        route_key: &route.route_key,
        resource_path: &resource_path,
        resource_id: route.resource_id.as_deref(),
        request: &req,
        path_params: &path_params,
        stage_variables: &view.variables,
        request_id: &request_id,
        now: start,
        authorizer: None,
        api_key: key_use
            .as_ref()
            .map(|k| (k.key_id.clone(), k.value.clone())),
    };
    if let Some(auth_id) = &route.authorizer_id {
        let (granted, took) = auth::authorize(cloud, &ctx, auth_id);
        t += took;
        match granted {
            Ok(g) => ctx.authorizer = Some((g.principal, g.context)),
            Err(resp) => done!(resp, " (authorizer)"),
        }
    }
    if let Some(k) = &key_use
        && let Err(resp) = keys::meter(cloud, k)
    {
        done!(resp, " (usage plan)");
    }
    if !throttle_route(cloud, api, stage, &route) || !throttle_account(cloud) {
        done!(too_many(), "");
    }
    bill(cloud, flavor, &req);
    // The REST cache.
    let mut cache_slot: Option<(String, u64)> = None;
    if flavor == Flavor::Rest {
        match cache_lookup(cloud, api, stage, &route, &req, &path_params) {
            Lookup::Off => {}
            Lookup::Hit(mut resp) => {
                resp.from_cache = true;
                done!(*resp, " (cache hit)");
            }
            Lookup::Miss(key, ttl) => cache_slot = Some((key, ttl)),
        }
    }
    // The integration.
    let (resp, took, note) = integrate(cloud, api, stage, &route, &ctx, &view.variables);
    t += took;
    if !resp.is_success() {
        done!(resp, note);
    }
    if let Some((key, ttl)) = cache_slot
        && resp.body.len() <= CACHE_MAX_ITEM
    {
        let expires = cloud.core.now + ttl.secs();
        if let Some(s) = stage_mut(cloud, api, stage) {
            s.cache.retain(|_, e| e.expires > start);
            s.cache.insert(
                key,
                CacheEntry {
                    expires,
                    response: resp.clone(),
                },
            );
        }
    }
    done!(resp, "")
}

//! HTTP API actions (`apigatewayv2`): CreateApi (with quick create),
//! GetApi(s), DeleteApi, Create/Get integrations, Create/Update/Get/Delete
//! routes, Create/Update/Get/Delete stages, CreateDeployment, CreateAuthorizer.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{bad, conflict, function_arn_of, new_id, not_found, timeout};
use crate::apigw::model::{
    AuthorizerKind, Deployment, HttpApi, HttpRoute, Integration, PayloadFormat, Stage,
};
use crate::apigw::quotas::*;
use crate::apigw::routes::RouteKey;
use crate::apigw::throttle::Limit;
use crate::cloud::{Cloud, REGION};
use crate::error::{CloudError, CloudResult};

fn api_mut<'c>(cloud: &'c mut Cloud, id: &str) -> CloudResult<&'c mut HttpApi> {
    cloud.apigw.http_apis.get_mut(id).ok_or_else(|| {
        not_found(format!(
            "Invalid API identifier specified 123456789012:{id}"
        ))
    })
}

fn trace(cloud: &mut Cloud, api: &str, kind: &'static str, detail: String) {
    let name: std::sync::Arc<str> = api.into();
    cloud.core.trace("apigateway", &name, kind, detail);
}

/// The API as GetApi returns it.
pub fn api_json(a: &HttpApi) -> Value {
    json!({
        "ApiId": a.id,
        "Name": a.name,
        "ProtocolType": "HTTP",
        "ApiEndpoint": format!("https://{}.execute-api.{REGION}.amazonaws.com", a.id),
        "ApiKeySelectionExpression": "$request.header.x-api-key",
        "RouteSelectionExpression": "$request.method $request.path",
        "CreatedDate": a.created,
    })
}

/// CreateApi request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateApiInput {
    /// Name.
    pub name: String,
    /// Must be `HTTP` (WebSocket APIs are not modelled).
    pub protocol_type: String,
    /// Quick create: a Lambda function ARN to integrate with a default route.
    pub target: Option<String>,
    /// Quick create: the route key (default `$default`).
    pub route_key: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// CreateApi. With `Target`, also an integration, a route and an auto-deploying `$default` stage.
pub fn create_api(cloud: &mut Cloud, input: CreateApiInput) -> CloudResult<Value> {
    if input.protocol_type != "HTTP" {
        return Err(bad(format!(
            "ProtocolType must be HTTP in this sandbox (got {:?}); WebSocket APIs are not modelled.",
            input.protocol_type
        )));
    }
    if input.name.is_empty() || input.name.len() > 128 {
        return Err(bad("Name must be 1 to 128 characters."));
    }
    let id = new_id(cloud, 10);
    let api = HttpApi {
        id: id.clone(),
        name: input.name.clone(),
        created: cloud.core.now,
        routes: BTreeMap::new(),
        integrations: BTreeMap::new(),
        authorizers: BTreeMap::new(),
        deployments: BTreeMap::new(),
        stages: BTreeMap::new(),
    };
    cloud.apigw.http_apis.insert(id.clone(), api);
    trace(cloud, &input.name, "create-api", format!("HTTP API {id}"));
    if let Some(target) = input.target {
        let integration = create_integration(
            cloud,
            CreateIntegrationInput {
                api_id: id.clone(),
                integration_type: "AWS_PROXY".into(),
                integration_uri: Some(target),
                payload_format_version: Some("2.0".into()),
                ..Default::default()
            },
        );
        let integration = match integration {
            Ok(i) => i,
            Err(e) => {
                cloud.apigw.http_apis.remove(&id);
                return Err(e);
            }
        };
        create_route(
            cloud,
            RouteInput {
                api_id: id.clone(),
                route_key: Some(input.route_key.unwrap_or_else(|| "$default".into())),
                target: Some(format!(
                    "integrations/{}",
                    integration["IntegrationId"].as_str().unwrap_or_default()
                )),
                ..Default::default()
            },
        )?;
        create_stage(
            cloud,
            StageInput {
                api_id: id.clone(),
                stage_name: "$default".into(),
                auto_deploy: Some(true),
                ..Default::default()
            },
        )?;
    }
    Ok(api_json(&cloud.apigw.http_apis[&id]))
}

/// A request naming one API.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiIdInput {
    /// API id.
    pub api_id: String,
}

/// GetApi.
pub fn get_api(cloud: &mut Cloud, input: ApiIdInput) -> CloudResult<Value> {
    Ok(api_json(api_mut(cloud, &input.api_id)?))
}

/// GetApis.
pub fn get_apis(cloud: &mut Cloud) -> CloudResult<Value> {
    let items: Vec<Value> = cloud.apigw.http_apis.values().map(api_json).collect();
    Ok(json!({ "Items": items }))
}

/// DeleteApi.
pub fn delete_api(cloud: &mut Cloud, input: ApiIdInput) -> CloudResult<()> {
    let api = api_mut(cloud, &input.api_id)?.name.clone();
    cloud.apigw.http_apis.remove(&input.api_id);
    trace(cloud, &api, "delete-api", input.api_id);
    Ok(())
}

/// CreateIntegration request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateIntegrationInput {
    /// API id.
    pub api_id: String,
    /// `AWS_PROXY` (Lambda proxy).
    pub integration_type: String,
    /// The function ARN.
    pub integration_uri: Option<String>,
    /// `1.0` or `2.0` (required for Lambda proxy integrations).
    pub payload_format_version: Option<String>,
    /// `POST` for Lambda.
    pub integration_method: Option<String>,
    /// 50 to 30,000 ms (default 30,000).
    pub timeout_in_millis: Option<u64>,
}

fn integration_json(i: &Integration) -> Value {
    json!({
        "IntegrationId": i.id,
        "IntegrationType": "AWS_PROXY",
        "IntegrationMethod": "POST",
        "IntegrationUri": i.function_arn,
        "PayloadFormatVersion": i.payload_format.as_str(),
        "TimeoutInMillis": i.timeout.as_millis() as u64,
        "ConnectionType": "INTERNET",
    })
}

/// CreateIntegration: a Lambda proxy integration.
pub fn create_integration(cloud: &mut Cloud, input: CreateIntegrationInput) -> CloudResult<Value> {
    api_mut(cloud, &input.api_id)?;
    if input.integration_type != "AWS_PROXY" {
        return Err(bad(format!(
            "IntegrationType {:?} is not modelled: use AWS_PROXY (a Lambda proxy integration).",
            input.integration_type
        )));
    }
    let uri = input
        .integration_uri
        .ok_or_else(|| bad("IntegrationUri is required for AWS_PROXY integrations."))?;
    let function_arn = function_arn_of(&uri)?;
    let format = input
        .payload_format_version
        .as_deref()
        .ok_or_else(|| {
            bad("PayloadFormatVersion is required for Lambda proxy integrations (1.0 or 2.0).")
        })
        .and_then(|v| {
            PayloadFormat::parse(v).ok_or_else(|| {
                bad(format!(
                    "PayloadFormatVersion must be 1.0 or 2.0 (got {v:?})."
                ))
            })
        })?;
    let timeout = timeout(input.timeout_in_millis, HTTP_TIMEOUT, "TimeoutInMillis")?;
    let id = new_id(cloud, 7);
    let integration = Integration {
        id: id.clone(),
        function_arn,
        payload_format: format,
        timeout,
        cache_key_parameters: Vec::new(),
    };
    let out = integration_json(&integration);
    api_mut(cloud, &input.api_id)?
        .integrations
        .insert(id, integration);
    Ok(out)
}

/// GetIntegrations.
pub fn get_integrations(cloud: &mut Cloud, input: ApiIdInput) -> CloudResult<Value> {
    let items: Vec<Value> = api_mut(cloud, &input.api_id)?
        .integrations
        .values()
        .map(integration_json)
        .collect();
    Ok(json!({ "Items": items }))
}

/// CreateRoute / UpdateRoute request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteInput {
    /// API id.
    pub api_id: String,
    /// Route id (UpdateRoute, DeleteRoute).
    pub route_id: Option<String>,
    /// `GET /orders/{id}`, `ANY /{proxy+}` or `$default`.
    pub route_key: Option<String>,
    /// `integrations/<IntegrationId>`.
    pub target: Option<String>,
    /// `NONE` or `CUSTOM` (a Lambda authorizer).
    pub authorization_type: Option<String>,
    /// With `CUSTOM`.
    pub authorizer_id: Option<String>,
}

fn route_json(r: &HttpRoute) -> Value {
    let mut v = json!({
        "RouteId": r.id,
        "RouteKey": r.route_key,
        "AuthorizationType": r.authorization_type,
        "ApiKeyRequired": false,
    });
    if let Some(t) = &r.target {
        v["Target"] = json!(t);
    }
    if let Some(a) = &r.authorizer_id {
        v["AuthorizerId"] = json!(a);
    }
    v
}

fn check_route(api: &HttpApi, r: &HttpRoute) -> CloudResult<()> {
    if let Some(t) = &r.target {
        let id = t.strip_prefix("integrations/").ok_or_else(|| {
            bad(format!(
                "Target must be integrations/<IntegrationId> (got {t:?})."
            ))
        })?;
        if !api.integrations.contains_key(id) {
            return Err(not_found(format!(
                "Invalid integration identifier specified {id}"
            )));
        }
    }
    match r.authorization_type.as_str() {
        "NONE" => {}
        "CUSTOM" => {
            let id = r
                .authorizer_id
                .as_deref()
                .ok_or_else(|| bad("AuthorizationType CUSTOM needs an AuthorizerId."))?;
            if !api.authorizers.contains_key(id) {
                return Err(not_found(format!(
                    "Invalid authorizer identifier specified {id}"
                )));
            }
        }
        other => {
            return Err(bad(format!(
                "AuthorizationType {other:?} is not modelled: use NONE or CUSTOM."
            )));
        }
    }
    Ok(())
}

/// CreateRoute.
pub fn create_route(cloud: &mut Cloud, input: RouteInput) -> CloudResult<Value> {
    let key = input
        .route_key
        .clone()
        .ok_or_else(|| bad("RouteKey is required."))?;
    RouteKey::parse(&key)?;
    let id = new_id(cloud, 7);
    let api = api_mut(cloud, &input.api_id)?;
    if api.routes.values().any(|r| r.route_key == key) {
        return Err(conflict(format!(
            "Unable to create route {key}. Route with key {key} already exists for this API"
        )));
    }
    if api.routes.len() >= MAX_HTTP_ROUTES {
        return Err(CloudError::new(
            "LimitExceededException",
            format!("An HTTP API may have at most {MAX_HTTP_ROUTES} routes."),
        ));
    }
    let route = HttpRoute {
        id: id.clone(),
        route_key: key,
        target: input.target,
        authorization_type: input.authorization_type.unwrap_or_else(|| "NONE".into()),
        authorizer_id: input.authorizer_id,
    };
    check_route(api, &route)?;
    let out = route_json(&route);
    api.routes.insert(id, route);
    Ok(out)
}

/// UpdateRoute: changes what is given.
pub fn update_route(cloud: &mut Cloud, input: RouteInput) -> CloudResult<Value> {
    let rid = input
        .route_id
        .clone()
        .ok_or_else(|| bad("RouteId is required."))?;
    let api = api_mut(cloud, &input.api_id)?;
    let mut route = api
        .routes
        .get(&rid)
        .cloned()
        .ok_or_else(|| not_found(format!("Invalid route identifier specified {rid}")))?;
    if let Some(k) = input.route_key {
        RouteKey::parse(&k)?;
        route.route_key = k;
    }
    if input.target.is_some() {
        route.target = input.target;
    }
    if let Some(a) = input.authorization_type {
        route.authorization_type = a;
    }
    if input.authorizer_id.is_some() {
        route.authorizer_id = input.authorizer_id;
    }
    check_route(api, &route)?;
    let out = route_json(&route);
    api.routes.insert(rid, route);
    Ok(out)
}

/// GetRoutes.
pub fn get_routes(cloud: &mut Cloud, input: ApiIdInput) -> CloudResult<Value> {
    let items: Vec<Value> = api_mut(cloud, &input.api_id)?
        .routes
        .values()
        .map(route_json)
        .collect();
    Ok(json!({ "Items": items }))
}

/// DeleteRoute.
pub fn delete_route(cloud: &mut Cloud, input: RouteInput) -> CloudResult<()> {
    let rid = input.route_id.ok_or_else(|| bad("RouteId is required."))?;
    api_mut(cloud, &input.api_id)?
        .routes
        .remove(&rid)
        .map(|_| ())
        .ok_or_else(|| not_found(format!("Invalid route identifier specified {rid}")))
}

/// Throttling settings of a route (`ThrottlingBurstLimit`, `ThrottlingRateLimit`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteSettings {
    /// Bucket size.
    pub throttling_burst_limit: Option<u32>,
    /// Requests per second.
    pub throttling_rate_limit: Option<f64>,
}

impl RouteSettings {
    fn limit(&self) -> CloudResult<Option<Limit>> {
        match (self.throttling_rate_limit, self.throttling_burst_limit) {
            (None, None) => Ok(None),
            (rate, burst) => {
                let rate = rate.unwrap_or(ACCOUNT_RATE);
                if !(0.0..=ACCOUNT_RATE).contains(&rate) {
                    return Err(bad(format!(
                        "ThrottlingRateLimit must be between 0 and {ACCOUNT_RATE} (got {rate})."
                    )));
                }
                Ok(Some(Limit {
                    rate,
                    burst: burst.unwrap_or(ACCOUNT_BURST),
                }))
            }
        }
    }
}

fn limit_json(l: Option<&Limit>) -> Value {
    match l {
        Some(l) => json!({"ThrottlingBurstLimit": l.burst, "ThrottlingRateLimit": l.rate}),
        None => json!({}),
    }
}

/// CreateStage / UpdateStage request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StageInput {
    /// API id.
    pub api_id: String,
    /// Stage name (`$default` serves at the root of the endpoint).
    pub stage_name: String,
    /// Deploy every change at once.
    pub auto_deploy: Option<bool>,
    /// The deployment to serve.
    pub deployment_id: Option<String>,
    /// Stage variables.
    pub stage_variables: Option<BTreeMap<String, String>>,
    /// Throttling of every route.
    pub default_route_settings: Option<RouteSettings>,
    /// Throttling per route key.
    pub route_settings: Option<BTreeMap<String, RouteSettings>>,
}

/// The stage as GetStage returns it.
pub fn stage_json(s: &Stage) -> Value {
    let routes: serde_json::Map<String, Value> = s
        .route_limits
        .iter()
        .map(|(k, l)| (k.clone(), limit_json(Some(l))))
        .collect();
    let mut v = json!({
        "StageName": s.name,
        "AutoDeploy": s.auto_deploy,
        "StageVariables": s.variables,
        "DefaultRouteSettings": limit_json(s.default_limit.as_ref()),
        "RouteSettings": routes,
        "CreatedDate": s.created,
    });
    if let Some(d) = &s.deployment_id {
        v["DeploymentId"] = json!(d);
    }
    v
}

fn apply_stage(api: &HttpApi, s: &mut Stage, input: &StageInput) -> CloudResult<()> {
    if let Some(a) = input.auto_deploy {
        s.auto_deploy = a;
    }
    if let Some(d) = &input.deployment_id {
        if !api.deployments.contains_key(d) {
            return Err(not_found(format!(
                "Invalid deployment identifier specified {d}"
            )));
        }
        s.deployment_id = Some(d.clone());
    }
    if let Some(v) = &input.stage_variables {
        for (k, val) in v {
            if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(bad(format!(
                    "Stage variable names may hold only letters, digits and underscores (got {k:?})."
                )));
            }
            if val.len() > 2048 {
                return Err(bad(format!(
                    "Stage variable {k} is longer than 2,048 characters."
                )));
            }
        }
        s.variables = v.clone();
    }
    if let Some(d) = &input.default_route_settings {
        s.default_limit = d.limit()?;
    }
    if let Some(routes) = &input.route_settings {
        for (key, settings) in routes {
            RouteKey::parse(key)?;
            match settings.limit()? {
                Some(l) => {
                    s.route_limits.insert(key.clone(), l);
                }
                None => {
                    s.route_limits.remove(key);
                }
            }
        }
    }
    Ok(())
}

/// CreateStage.
pub fn create_stage(cloud: &mut Cloud, input: StageInput) -> CloudResult<Value> {
    let now = cloud.core.now;
    let api = api_mut(cloud, &input.api_id)?;
    let name = input.stage_name.clone();
    if name != "$default"
        && (name.is_empty()
            || name.len() > 128
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return Err(bad(format!(
            "Stage name must be $default or 1-128 letters, digits, hyphens and underscores (got {name:?})."
        )));
    }
    if api.stages.contains_key(&name) {
        return Err(conflict(format!("Stage {name} already exists")));
    }
    if api.stages.len() >= MAX_HTTP_STAGES {
        return Err(CloudError::new(
            "LimitExceededException",
            format!("An HTTP API may have at most {MAX_HTTP_STAGES} stages."),
        ));
    }
    let mut s = Stage::new(&name, now);
    apply_stage(api, &mut s, &input)?;
    let out = stage_json(&s);
    api.stages.insert(name.clone(), s);
    let api_name = api.name.clone();
    trace(cloud, &api_name, "create-stage", name);
    Ok(out)
}

/// UpdateStage: changes what is given.
pub fn update_stage(cloud: &mut Cloud, input: StageInput) -> CloudResult<Value> {
    let api = api_mut(cloud, &input.api_id)?;
    let mut s = api.stages.get(&input.stage_name).cloned().ok_or_else(|| {
        not_found(format!(
            "Invalid stage identifier specified {}",
            input.stage_name
        ))
    })?;
    apply_stage(api, &mut s, &input)?;
    let out = stage_json(&s);
    api.stages.insert(input.stage_name.clone(), s);
    Ok(out)
}

/// A request naming one stage.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StageNameInput {
    /// API id.
    pub api_id: String,
    /// Stage name.
    pub stage_name: String,
}

/// GetStage.
pub fn get_stage(cloud: &mut Cloud, input: StageNameInput) -> CloudResult<Value> {
    api_mut(cloud, &input.api_id)?
        .stages
        .get(&input.stage_name)
        .map(stage_json)
        .ok_or_else(|| {
            not_found(format!(
                "Invalid stage identifier specified {}",
                input.stage_name
            ))
        })
}

/// GetStages.
pub fn get_stages(cloud: &mut Cloud, input: ApiIdInput) -> CloudResult<Value> {
    let items: Vec<Value> = api_mut(cloud, &input.api_id)?
        .stages
        .values()
        .map(stage_json)
        .collect();
    Ok(json!({ "Items": items }))
}

/// DeleteStage.
pub fn delete_stage(cloud: &mut Cloud, input: StageNameInput) -> CloudResult<()> {
    api_mut(cloud, &input.api_id)?
        .stages
        .remove(&input.stage_name)
        .map(|_| ())
        .ok_or_else(|| {
            not_found(format!(
                "Invalid stage identifier specified {}",
                input.stage_name
            ))
        })
}

/// CreateDeployment request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDeploymentInput {
    /// API id.
    pub api_id: String,
    /// Point this stage at the new deployment.
    pub stage_name: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// CreateDeployment: freezes the routes; with `StageName`, that stage serves them.
pub fn create_deployment(cloud: &mut Cloud, input: CreateDeploymentInput) -> CloudResult<Value> {
    let id = new_id(cloud, 6);
    let now = cloud.core.now;
    let api = api_mut(cloud, &input.api_id)?;
    let routes = crate::apigw::deploy::http_routes(api);
    if let Some(stage) = &input.stage_name {
        let s = api
            .stages
            .get(stage)
            .ok_or_else(|| not_found(format!("Invalid stage identifier specified {stage}")))?;
        if s.auto_deploy {
            return Err(bad(format!(
                "Stage {stage} has AutoDeploy on: it deploys every change by itself."
            )));
        }
    }
    api.deployments.insert(
        id.clone(),
        Deployment {
            id: id.clone(),
            created: now,
            description: input.description.clone().unwrap_or_default(),
            routes,
        },
    );
    if let Some(stage) = &input.stage_name
        && let Some(s) = api.stages.get_mut(stage)
    {
        s.deployment_id = Some(id.clone());
    }
    Ok(json!({
        "DeploymentId": id,
        "DeploymentStatus": "DEPLOYED",
        "CreatedDate": now,
        "Description": input.description.unwrap_or_default(),
    }))
}

/// CreateAuthorizer request (Lambda `REQUEST` authorizers).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateAuthorizerInput {
    /// API id.
    pub api_id: String,
    /// Name.
    pub name: String,
    /// `REQUEST` (JWT authorizers are not modelled).
    pub authorizer_type: String,
    /// The function ARN, or its `.../functions/<ARN>/invocations` URI.
    pub authorizer_uri: Option<String>,
    /// `1.0` or `2.0`.
    pub authorizer_payload_format_version: Option<String>,
    /// `{"isAuthorized": bool}` answers (format 2.0).
    #[serde(default)]
    pub enable_simple_responses: bool,
    /// `$request.header.Authorization`, ...
    #[serde(default)]
    pub identity_source: Vec<String>,
    /// Result cache TTL (0-3,600 s; default 300 s when an identity source is set).
    pub authorizer_result_ttl_in_seconds: Option<u64>,
}

/// CreateAuthorizer.
pub fn create_authorizer(cloud: &mut Cloud, input: CreateAuthorizerInput) -> CloudResult<Value> {
    if input.authorizer_type != "REQUEST" {
        return Err(bad(format!(
            "AuthorizerType {:?} is not modelled: use REQUEST (a Lambda authorizer).",
            input.authorizer_type
        )));
    }
    let count = api_mut(cloud, &input.api_id)?.authorizers.len();
    if count >= MAX_AUTHORIZERS {
        return Err(CloudError::new(
            "LimitExceededException",
            format!("An API may have at most {MAX_AUTHORIZERS} authorizers."),
        ));
    }
    let format = input
        .authorizer_payload_format_version
        .as_deref()
        .map(|v| {
            PayloadFormat::parse(v).ok_or_else(|| {
                bad(format!(
                    "AuthorizerPayloadFormatVersion must be 1.0 or 2.0 (got {v:?})."
                ))
            })
        })
        .transpose()?
        .ok_or_else(|| {
            bad("AuthorizerPayloadFormatVersion is required for REQUEST authorizers.")
        })?;
    for s in &input.identity_source {
        if !s.starts_with("$request.header.") && !s.starts_with("$request.querystring.") {
            return Err(bad(format!(
                "Identity source {s:?} is not modelled: use $request.header.NAME or $request.querystring.NAME."
            )));
        }
    }
    let uri = input
        .authorizer_uri
        .ok_or_else(|| bad("AuthorizerUri is required for REQUEST authorizers."))?;
    let ttl = if input.identity_source.is_empty() {
        Some(input.authorizer_result_ttl_in_seconds.unwrap_or(0))
    } else {
        input.authorizer_result_ttl_in_seconds
    };
    let a = super::authorizer(
        cloud,
        input.name,
        AuthorizerKind::Request,
        &uri,
        input.identity_source,
        ttl,
        format,
        input.enable_simple_responses,
    )?;
    let out = json!({
        "AuthorizerId": a.id,
        "Name": a.name,
        "AuthorizerType": "REQUEST",
        "AuthorizerUri": super::invocation_uri(&a.function_arn),
        "AuthorizerPayloadFormatVersion": a.payload_format.as_str(),
        "EnableSimpleResponses": a.simple_responses,
        "IdentitySource": a.identity_sources,
        "AuthorizerResultTtlInSeconds": a.ttl.as_secs(),
    });
    api_mut(cloud, &input.api_id)?
        .authorizers
        .insert(a.id.clone(), a);
    Ok(out)
}

//! REST API actions (`apigateway`): Create/Get/Delete REST APIs,
//! GetResources, Create/Delete resources, PutMethod, PutIntegration,
//! CreateDeployment, Create/Get/Update/Delete stages (with patch operations
//! for throttling, caching and variables), FlushStageCache, CreateAuthorizer.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{bad, conflict, function_arn_of, invocation_uri, new_id, not_found, timeout};
use crate::apigw::cache::setting_key;
use crate::apigw::model::{
    AuthorizerKind, Deployment, Integration, Method, MethodSetting, PayloadFormat, Resource,
    RestApi, Stage,
};
use crate::apigw::quotas::*;
use crate::apigw::routes::{Template, check_method};
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};

pub(crate) fn api_mut<'c>(cloud: &'c mut Cloud, id: &str) -> CloudResult<&'c mut RestApi> {
    cloud.apigw.rest_apis.get_mut(id).ok_or_else(|| {
        not_found(format!(
            "Invalid API identifier specified 123456789012:{id}"
        ))
    })
}

fn trace(cloud: &mut Cloud, api: &str, kind: &'static str, detail: String) {
    let name: std::sync::Arc<str> = api.into();
    cloud.core.trace("apigateway", &name, kind, detail);
}

fn api_json(a: &RestApi) -> Value {
    json!({
        "id": a.id,
        "name": a.name,
        "description": a.description,
        "createdDate": a.created,
        "rootResourceId": a.root_id,
        "apiKeySource": "HEADER",
        "endpointConfiguration": {"types": ["REGIONAL"]},
    })
}

/// CreateRestApi request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRestApiInput {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
}

/// CreateRestApi: an API with its root resource `/`.
pub fn create_rest_api(cloud: &mut Cloud, input: CreateRestApiInput) -> CloudResult<Value> {
    if input.name.is_empty() || input.name.len() > 1024 {
        return Err(bad("name must be 1 to 1,024 characters."));
    }
    let id = new_id(cloud, 10);
    let root_id = new_id(cloud, 10);
    let root = Resource {
        id: root_id.clone(),
        parent_id: None,
        path_part: String::new(),
        path: "/".into(),
        methods: BTreeMap::new(),
    };
    let api = RestApi {
        id: id.clone(),
        name: input.name.clone(),
        description: input.description.unwrap_or_default(),
        created: cloud.core.now,
        root_id: root_id.clone(),
        resources: BTreeMap::from([(root_id, root)]),
        authorizers: BTreeMap::new(),
        deployments: BTreeMap::new(),
        stages: BTreeMap::new(),
    };
    let out = api_json(&api);
    cloud.apigw.rest_apis.insert(id.clone(), api);
    trace(cloud, &input.name, "create-api", format!("REST API {id}"));
    Ok(out)
}

/// A request naming one REST API.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestApiIdInput {
    /// API id.
    pub rest_api_id: String,
}

/// GetRestApi.
pub fn get_rest_api(cloud: &mut Cloud, input: RestApiIdInput) -> CloudResult<Value> {
    Ok(api_json(api_mut(cloud, &input.rest_api_id)?))
}

/// GetRestApis.
pub fn get_rest_apis(cloud: &mut Cloud) -> CloudResult<Value> {
    let items: Vec<Value> = cloud.apigw.rest_apis.values().map(api_json).collect();
    Ok(json!({ "items": items }))
}

/// DeleteRestApi (its cache clusters stop billing).
pub fn delete_rest_api(cloud: &mut Cloud, input: RestApiIdInput) -> CloudResult<()> {
    let name = api_mut(cloud, &input.rest_api_id)?.name.clone();
    crate::apigw::billing::close_caches_rest(cloud, &input.rest_api_id);
    cloud.apigw.rest_apis.remove(&input.rest_api_id);
    trace(cloud, &name, "delete-api", input.rest_api_id);
    Ok(())
}

fn integration_json(i: &Integration) -> Value {
    json!({
        "type": "AWS_PROXY",
        "httpMethod": "POST",
        "uri": invocation_uri(&i.function_arn),
        "timeoutInMillis": i.timeout.as_millis() as u64,
        "cacheKeyParameters": i.cache_key_parameters,
        "cacheNamespace": i.id,
        "passthroughBehavior": "WHEN_NO_MATCH",
    })
}

fn method_json(m: &Method) -> Value {
    let mut v = json!({
        "httpMethod": m.http_method,
        "authorizationType": m.authorization_type,
        "apiKeyRequired": m.api_key_required,
        "requestParameters": m.request_parameters,
    });
    if let Some(a) = &m.authorizer_id {
        v["authorizerId"] = json!(a);
    }
    if let Some(i) = &m.integration {
        v["methodIntegration"] = integration_json(i);
    }
    v
}

fn resource_json(r: &Resource) -> Value {
    let mut v = json!({ "id": r.id, "path": r.path });
    if let Some(p) = &r.parent_id {
        v["parentId"] = json!(p);
        v["pathPart"] = json!(r.path_part);
    }
    if !r.methods.is_empty() {
        let methods: Map<String, Value> = r
            .methods
            .iter()
            .map(|(k, m)| (k.clone(), method_json(m)))
            .collect();
        v["resourceMethods"] = Value::Object(methods);
    }
    v
}

/// GetResources.
pub fn get_resources(cloud: &mut Cloud, input: RestApiIdInput) -> CloudResult<Value> {
    let api = api_mut(cloud, &input.rest_api_id)?;
    let mut items: Vec<&Resource> = api.resources.values().collect();
    items.sort_by(|a, b| a.path.cmp(&b.path));
    let items: Vec<Value> = items.into_iter().map(resource_json).collect();
    Ok(json!({ "items": items }))
}

/// CreateResource request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateResourceInput {
    /// API id.
    pub rest_api_id: String,
    /// The parent resource.
    pub parent_id: String,
    /// The new segment: `orders`, `{id}` or `{proxy+}`.
    pub path_part: String,
}

/// CreateResource: a child path under `parentId`.
pub fn create_resource(cloud: &mut Cloud, input: CreateResourceInput) -> CloudResult<Value> {
    let id = new_id(cloud, 6);
    let api = api_mut(cloud, &input.rest_api_id)?;
    let parent = api.resources.get(&input.parent_id).ok_or_else(|| {
        not_found(format!(
            "Invalid Resource identifier specified {}",
            input.parent_id
        ))
    })?;
    if parent.path_part.ends_with("+}") {
        return Err(bad(format!(
            "A greedy resource ({}) cannot have children.",
            parent.path
        )));
    }
    let path = if parent.path == "/" {
        format!("/{}", input.path_part)
    } else {
        format!("{}/{}", parent.path, input.path_part)
    };
    Template::parse(&path)?;
    let siblings: Vec<&Resource> = api
        .resources
        .values()
        .filter(|r| r.parent_id.as_deref() == Some(input.parent_id.as_str()))
        .collect();
    if siblings.iter().any(|r| r.path_part == input.path_part) {
        return Err(conflict(format!(
            "Another resource with the same parent already has this name: {}",
            input.path_part
        )));
    }
    let variable = input.path_part.starts_with('{');
    if variable && let Some(other) = siblings.iter().find(|r| r.path_part.starts_with('{')) {
        return Err(bad(format!(
            "A sibling ({}) of this resource already has a variable path part -- only one is allowed",
            other.path_part
        )));
    }
    let r = Resource {
        id: id.clone(),
        parent_id: Some(input.parent_id),
        path_part: input.path_part,
        path,
        methods: BTreeMap::new(),
    };
    let out = resource_json(&r);
    api.resources.insert(id, r);
    Ok(out)
}

/// A request naming one resource.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceIdInput {
    /// API id.
    pub rest_api_id: String,
    /// Resource id.
    pub resource_id: String,
}

/// DeleteResource (and its children).
pub fn delete_resource(cloud: &mut Cloud, input: ResourceIdInput) -> CloudResult<()> {
    let api = api_mut(cloud, &input.rest_api_id)?;
    if input.resource_id == api.root_id {
        return Err(bad("The root resource cannot be deleted."));
    }
    let path = api
        .resources
        .get(&input.resource_id)
        .map(|r| r.path.clone())
        .ok_or_else(|| {
            not_found(format!(
                "Invalid Resource identifier specified {}",
                input.resource_id
            ))
        })?;
    let prefix = format!("{path}/");
    api.resources
        .retain(|_, r| r.path != path && !r.path.starts_with(&prefix));
    Ok(())
}

/// PutMethod request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutMethodInput {
    /// API id.
    pub rest_api_id: String,
    /// Resource id.
    pub resource_id: String,
    /// `GET`, `POST`, ..., `ANY`.
    pub http_method: String,
    /// `NONE` or `CUSTOM` (a Lambda authorizer).
    pub authorization_type: String,
    /// With `CUSTOM`.
    pub authorizer_id: Option<String>,
    /// Callers must send a valid `x-api-key`.
    #[serde(default)]
    pub api_key_required: bool,
    /// Declared parameters (`method.request.path.id`: required?).
    #[serde(default)]
    pub request_parameters: BTreeMap<String, bool>,
}

/// PutMethod: adds (or replaces) a method on a resource.
pub fn put_method(cloud: &mut Cloud, input: PutMethodInput) -> CloudResult<Value> {
    let method = check_method(&input.http_method)?;
    let api = api_mut(cloud, &input.rest_api_id)?;
    match input.authorization_type.as_str() {
        "NONE" => {}
        "CUSTOM" => {
            let id = input
                .authorizer_id
                .as_deref()
                .ok_or_else(|| bad("authorizationType CUSTOM needs an authorizerId."))?;
            if !api.authorizers.contains_key(id) {
                return Err(not_found(format!(
                    "Invalid authorizer identifier specified {id}"
                )));
            }
        }
        other => {
            return Err(bad(format!(
                "authorizationType {other:?} is not modelled: use NONE or CUSTOM."
            )));
        }
    }
    for p in input.request_parameters.keys() {
        let ok = [
            "method.request.path.",
            "method.request.querystring.",
            "method.request.header.",
        ]
        .iter()
        .any(|pre| p.starts_with(pre));
        if !ok {
            return Err(bad(format!(
                "Invalid request parameter {p:?}: use method.request.path|querystring|header.NAME."
            )));
        }
    }
    let res = api.resources.get_mut(&input.resource_id).ok_or_else(|| {
        not_found(format!(
            "Invalid Resource identifier specified {}",
            input.resource_id
        ))
    })?;
    let m = Method {
        http_method: method.clone(),
        authorization_type: input.authorization_type,
        authorizer_id: input.authorizer_id,
        api_key_required: input.api_key_required,
        request_parameters: input.request_parameters,
        integration: None,
    };
    let out = method_json(&m);
    res.methods.insert(method, m);
    Ok(out)
}

/// PutIntegration request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutIntegrationInput {
    /// API id.
    pub rest_api_id: String,
    /// Resource id.
    pub resource_id: String,
    /// The method.
    pub http_method: String,
    /// `AWS_PROXY` (Lambda proxy).
    #[serde(rename = "type")]
    pub kind: String,
    /// `POST` (Lambda is always invoked with POST).
    pub integration_http_method: Option<String>,
    /// `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/<ARN>/invocations`.
    pub uri: Option<String>,
    /// 50 to 29,000 ms (default 29,000).
    pub timeout_in_millis: Option<u64>,
    /// Parameters that key the cache (declared in the method's requestParameters).
    #[serde(default)]
    pub cache_key_parameters: Vec<String>,
}

/// PutIntegration: a Lambda proxy integration for a method.
pub fn put_integration(cloud: &mut Cloud, input: PutIntegrationInput) -> CloudResult<Value> {
    if input.kind != "AWS_PROXY" {
        return Err(bad(format!(
            "Integration type {:?} is not modelled: use AWS_PROXY (a Lambda proxy integration).",
            input.kind
        )));
    }
    if input
        .integration_http_method
        .as_deref()
        .is_some_and(|m| m != "POST")
    {
        return Err(bad(
            "Lambda proxy integrations invoke the function with POST: set integrationHttpMethod to POST.",
        ));
    }
    let uri = input
        .uri
        .ok_or_else(|| bad("uri is required for AWS_PROXY integrations."))?;
    let function_arn = function_arn_of(&uri)?;
    let timeout = timeout(input.timeout_in_millis, REST_TIMEOUT, "timeoutInMillis")?;
    let id = new_id(cloud, 6);
    let method = check_method(&input.http_method)?;
    let api = api_mut(cloud, &input.rest_api_id)?;
    let res = api.resources.get_mut(&input.resource_id).ok_or_else(|| {
        not_found(format!(
            "Invalid Resource identifier specified {}",
            input.resource_id
        ))
    })?;
    let m = res
        .methods
        .get_mut(&method)
        .ok_or_else(|| not_found("Invalid Method identifier specified"))?;
    for p in &input.cache_key_parameters {
        if !m.request_parameters.contains_key(p) {
            return Err(bad(format!(
                "Invalid cache key parameter specified: {p} (declare it in the method's requestParameters first)."
            )));
        }
    }
    let i = Integration {
        id,
        function_arn,
        payload_format: PayloadFormat::V1,
        timeout,
        cache_key_parameters: input.cache_key_parameters,
    };
    let out = integration_json(&i);
    m.integration = Some(i);
    Ok(out)
}

/// CreateDeployment request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDeploymentInput {
    /// API id.
    pub rest_api_id: String,
    /// Create (or update) this stage to serve the deployment.
    pub stage_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Stage variables for a new stage.
    pub variables: Option<BTreeMap<String, String>>,
}

/// CreateDeployment: freezes the API's methods; with `stageName`, a stage serves them.
pub fn create_deployment(cloud: &mut Cloud, input: CreateDeploymentInput) -> CloudResult<Value> {
    let id = new_id(cloud, 6);
    let now = cloud.core.now;
    let api = api_mut(cloud, &input.rest_api_id)?;
    let routes = crate::apigw::deploy::rest_routes(api);
    if routes.is_empty() {
        return Err(bad("The REST API doesn't contain any methods"));
    }
    if let Some(r) = routes.iter().find(|r| r.integration.is_none()) {
        return Err(bad(format!(
            "No integration defined for method ({})",
            r.route_key
        )));
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
    if let Some(stage) = &input.stage_name {
        let s = api
            .stages
            .entry(stage.clone())
            .or_insert_with(|| Stage::new(stage, now));
        s.deployment_id = Some(id.clone());
        if let Some(v) = &input.variables {
            s.variables = v.clone();
        }
    }
    let name = api.name.clone();
    trace(
        cloud,
        &name,
        "deploy",
        format!(
            "deployment {id}{}",
            input
                .stage_name
                .map(|s| format!(" to {s}"))
                .unwrap_or_default()
        ),
    );
    Ok(
        json!({ "id": id, "createdDate": now, "description": input.description.unwrap_or_default() }),
    )
}

fn setting_json(m: &MethodSetting) -> Value {
    json!({
        "throttlingRateLimit": m.rate.unwrap_or(ACCOUNT_RATE),
        "throttlingBurstLimit": m.burst.unwrap_or(ACCOUNT_BURST),
        "cachingEnabled": m.caching_enabled.unwrap_or(false),
        "cacheTtlInSeconds": m.cache_ttl.unwrap_or(CACHE_TTL_DEFAULT),
        "requireAuthorizationForCacheControl": m.require_authorization_for_cache_control.unwrap_or(true),
        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
    })
}

/// The stage as GetStage returns it.
pub fn stage_json(s: &Stage) -> Value {
    let settings: Map<String, Value> = s
        .method_settings
        .iter()
        .map(|(k, m)| (k.clone(), setting_json(m)))
        .collect();
    json!({
        "stageName": s.name,
        "deploymentId": s.deployment_id,
        "variables": s.variables,
        "cacheClusterEnabled": s.cache_cluster_enabled,
        "cacheClusterSize": s.cache_cluster_size,
        "cacheClusterStatus": if s.cache_cluster_enabled { "AVAILABLE" } else { "NOT_AVAILABLE" },
        "methodSettings": settings,
        "createdDate": s.created,
    })
}

/// CreateStage request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateStageInput {
    /// API id.
    pub rest_api_id: String,
    /// Name.
    pub stage_name: String,
    /// The deployment it serves.
    pub deployment_id: String,
    /// Stage variables.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// Turn the cache cluster on.
    #[serde(default)]
    pub cache_cluster_enabled: bool,
    /// Its size in GB (`0.5` default).
    pub cache_cluster_size: Option<String>,
}

fn check_size(size: &str) -> CloudResult<()> {
    if CACHE_SIZES.contains(&size) {
        Ok(())
    } else {
        Err(bad(format!(
            "Invalid cache cluster size {size:?}: use one of {}.",
            CACHE_SIZES.join(", ")
        )))
    }
}

/// CreateStage.
pub fn create_stage(cloud: &mut Cloud, input: CreateStageInput) -> CloudResult<Value> {
    let now = cloud.core.now;
    let name = input.stage_name.clone();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(bad(format!(
            "Stage name only allows a-zA-Z0-9_ and - (got {name:?})."
        )));
    }
    let size = input.cache_cluster_size.unwrap_or_else(|| "0.5".into());
    check_size(&size)?;
    let api = api_mut(cloud, &input.rest_api_id)?;
    if !api.deployments.contains_key(&input.deployment_id) {
        return Err(not_found(format!(
            "Invalid deployment identifier specified {}",
            input.deployment_id
        )));
    }
    if api.stages.contains_key(&name) {
        return Err(conflict("Stage already exists"));
    }
    let mut s = Stage::new(&name, now);
    s.deployment_id = Some(input.deployment_id);
    s.variables = input.variables;
    s.cache_cluster_enabled = input.cache_cluster_enabled;
    s.cache_cluster_size = size;
    crate::apigw::billing::accrue(&mut s, &mut cloud.core.meter, now);
    let out = stage_json(&s);
    api_mut(cloud, &input.rest_api_id)?.stages.insert(name, s);
    Ok(out)
}

/// A request naming one stage.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageNameInput {
    /// API id.
    pub rest_api_id: String,
    /// Stage name.
    pub stage_name: String,
}

fn stage_missing(name: &str) -> CloudError {
    not_found(format!("Invalid stage identifier specified {name}"))
}

/// GetStage.
pub fn get_stage(cloud: &mut Cloud, input: StageNameInput) -> CloudResult<Value> {
    api_mut(cloud, &input.rest_api_id)?
        .stages
        .get(&input.stage_name)
        .map(stage_json)
        .ok_or_else(|| stage_missing(&input.stage_name))
}

/// GetStages.
pub fn get_stages(cloud: &mut Cloud, input: RestApiIdInput) -> CloudResult<Value> {
    let items: Vec<Value> = api_mut(cloud, &input.rest_api_id)?
        .stages
        .values()
        .map(stage_json)
        .collect();
    Ok(json!({ "item": items }))
}

/// DeleteStage (its cache stops billing).
pub fn delete_stage(cloud: &mut Cloud, input: StageNameInput) -> CloudResult<()> {
    let now = cloud.core.now;
    let mut s = api_mut(cloud, &input.rest_api_id)?
        .stages
        .remove(&input.stage_name)
        .ok_or_else(|| stage_missing(&input.stage_name))?;
    s.cache_cluster_enabled = false;
    crate::apigw::billing::accrue(&mut s, &mut cloud.core.meter, now);
    Ok(())
}

/// FlushStageCache: empties the stage's cache.
pub fn flush_stage_cache(cloud: &mut Cloud, input: StageNameInput) -> CloudResult<()> {
    let s = api_mut(cloud, &input.rest_api_id)?
        .stages
        .get_mut(&input.stage_name)
        .ok_or_else(|| stage_missing(&input.stage_name))?;
    s.cache.clear();
    Ok(())
}

/// One JSON Patch operation of UpdateStage.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PatchOperation {
    /// `replace`, `add` or `remove`.
    pub op: String,
    /// `/cacheClusterEnabled`, `/*/*/throttling/rateLimit`, `/variables/name`, ...
    pub path: String,
    /// The new value, as a string.
    pub value: Option<String>,
}

/// UpdateStage request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStageInput {
    /// API id.
    pub rest_api_id: String,
    /// Stage name.
    pub stage_name: String,
    /// What to change.
    #[serde(default)]
    pub patch_operations: Vec<PatchOperation>,
}

fn value(op: &PatchOperation) -> CloudResult<&str> {
    op.value.as_deref().ok_or_else(|| {
        bad(format!(
            "Patch operation {} {} needs a value.",
            op.op, op.path
        ))
    })
}

fn parse_bool(op: &PatchOperation) -> CloudResult<bool> {
    match value(op)? {
        "true" => Ok(true),
        "false" => Ok(false),
        v => Err(bad(format!("Invalid boolean {v:?} for {}.", op.path))),
    }
}

fn parse_num<T: std::str::FromStr>(op: &PatchOperation) -> CloudResult<T> {
    let v = value(op)?;
    v.parse()
        .map_err(|_| bad(format!("Invalid number {v:?} for {}.", op.path)))
}

/// Applies one patch operation to a stage.
fn patch(
    api_deployments: &BTreeMap<String, Deployment>,
    s: &mut Stage,
    op: &PatchOperation,
) -> CloudResult<()> {
    if !matches!(op.op.as_str(), "replace" | "add" | "remove") {
        return Err(bad(format!(
            "Invalid patch operation {:?}: use replace, add or remove.",
            op.op
        )));
    }
    let parts: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["cacheClusterEnabled"] => s.cache_cluster_enabled = parse_bool(op)?,
        ["cacheClusterSize"] => {
            let v = value(op)?;
            check_size(v)?;
            s.cache_cluster_size = v.to_string();
        }
        ["deploymentId"] => {
            let v = value(op)?;
            if !api_deployments.contains_key(v) {
                return Err(not_found(format!(
                    "Invalid deployment identifier specified {v}"
                )));
            }
            s.deployment_id = Some(v.to_string());
        }
        ["variables", name] => {
            if op.op == "remove" {
                s.variables.remove(*name);
            } else {
                s.variables.insert(name.to_string(), value(op)?.to_string());
            }
        }
        [resource, method, group, field] => {
            let key = if *resource == "*" && *method == "*" {
                "*/*".to_string()
            } else {
                let m = check_method(method)?;
                format!("{resource}/{m}")
            };
            if !key.starts_with("*/") && !key.starts_with("~1") {
                return Err(bad(format!(
                    "Invalid method setting path {}: the resource path starts with ~1 (an escaped '/'), e.g. /~1orders~1{{id}}/GET/caching/enabled.",
                    op.path
                )));
            }
            let m = s.method_settings.entry(key).or_default();
            let remove = op.op == "remove";
            match (*group, *field) {
                ("throttling", "rateLimit") => {
                    m.rate = if remove {
                        None
                    } else {
                        Some(parse_num::<f64>(op)?)
                    }
                }
                ("throttling", "burstLimit") => {
                    m.burst = if remove {
                        None
                    } else {
                        Some(parse_num::<u32>(op)?)
                    }
                }
                ("caching", "enabled") => {
                    m.caching_enabled = if remove { None } else { Some(parse_bool(op)?) }
                }
                ("caching", "ttlInSeconds") => {
                    let ttl: u64 = parse_num(op)?;
                    if ttl > CACHE_TTL_MAX {
                        return Err(bad(format!(
                            "Invalid cache TTL {ttl}: it must be between 0 and {CACHE_TTL_MAX} seconds."
                        )));
                    }
                    m.cache_ttl = Some(ttl);
                }
                ("caching", "requireAuthorizationForCacheControl") => {
                    m.require_authorization_for_cache_control = Some(parse_bool(op)?)
                }
                _ => {
                    return Err(bad(format!(
                        "Invalid patch path {}: method settings are throttling/rateLimit, throttling/burstLimit, caching/enabled, caching/ttlInSeconds, caching/requireAuthorizationForCacheControl.",
                        op.path
                    )));
                }
            }
        }
        _ => {
            return Err(bad(format!(
                "Invalid patch path {}: use /cacheClusterEnabled, /cacheClusterSize, /deploymentId, /variables/NAME or /RESOURCE/METHOD/throttling|caching/FIELD.",
                op.path
            )));
        }
    }
    Ok(())
}

/// UpdateStage: applies patch operations (all or nothing).
pub fn update_stage(cloud: &mut Cloud, input: UpdateStageInput) -> CloudResult<Value> {
    let now = cloud.core.now;
    let api = api_mut(cloud, &input.rest_api_id)?;
    let mut s = api
        .stages
        .get(&input.stage_name)
        .cloned()
        .ok_or_else(|| stage_missing(&input.stage_name))?;
    let before = (s.cache_cluster_enabled, s.cache_cluster_size.clone());
    for op in &input.patch_operations {
        patch(&api.deployments, &mut s, op)?;
    }
    if before != (s.cache_cluster_enabled, s.cache_cluster_size.clone()) {
        // Bill the old cache up to now; a resized or re-enabled cache starts empty.
        let after = (s.cache_cluster_enabled, s.cache_cluster_size.clone());
        s.cache_cluster_enabled = before.0;
        s.cache_cluster_size = before.1;
        crate::apigw::billing::accrue(&mut s, &mut cloud.core.meter, now);
        s.cache_cluster_enabled = after.0;
        s.cache_cluster_size = after.1;
        s.cache.clear();
        crate::apigw::billing::accrue(&mut s, &mut cloud.core.meter, now);
    }
    let out = stage_json(&s);
    api_mut(cloud, &input.rest_api_id)?
        .stages
        .insert(input.stage_name, s);
    Ok(out)
}

/// CreateAuthorizer request (Lambda `TOKEN` or `REQUEST` authorizers).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAuthorizerInput {
    /// API id.
    pub rest_api_id: String,
    /// Name.
    pub name: String,
    /// `TOKEN` or `REQUEST`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/<ARN>/invocations`.
    pub authorizer_uri: String,
    /// `method.request.header.Authorization` (comma-separated for REQUEST).
    pub identity_source: Option<String>,
    /// Result cache TTL (0-3,600 s; default 300 s).
    pub authorizer_result_ttl_in_seconds: Option<u64>,
}

/// CreateAuthorizer.
pub fn create_authorizer(cloud: &mut Cloud, input: CreateAuthorizerInput) -> CloudResult<Value> {
    let kind = match input.kind.as_str() {
        "TOKEN" => AuthorizerKind::Token,
        "REQUEST" => AuthorizerKind::Request,
        other => {
            return Err(bad(format!(
                "Authorizer type {other:?} is not modelled: use TOKEN or REQUEST."
            )));
        }
    };
    let count = api_mut(cloud, &input.rest_api_id)?.authorizers.len();
    if count >= MAX_AUTHORIZERS {
        return Err(CloudError::new(
            "LimitExceededException",
            format!("An API may have at most {MAX_AUTHORIZERS} authorizers."),
        ));
    }
    let sources: Vec<String> = input
        .identity_source
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    for s in &sources {
        if !s.starts_with("method.request.header.") && !s.starts_with("method.request.querystring.")
        {
            return Err(bad(format!(
                "Invalid identity source {s:?}: use method.request.header.NAME or method.request.querystring.NAME."
            )));
        }
    }
    if kind == AuthorizerKind::Token && sources.len() != 1 {
        return Err(bad(
            "A TOKEN authorizer needs exactly one header identity source, e.g. method.request.header.Authorization.",
        ));
    }
    let a = super::authorizer(
        cloud,
        input.name,
        kind,
        &input.authorizer_uri,
        sources,
        input.authorizer_result_ttl_in_seconds,
        PayloadFormat::V1,
        false,
    )?;
    let out = json!({
        "id": a.id,
        "name": a.name,
        "type": input.kind,
        "authorizerUri": invocation_uri(&a.function_arn),
        "identitySource": a.identity_sources.join(", "),
        "authorizerResultTtlInSeconds": a.ttl.as_secs(),
    });
    api_mut(cloud, &input.rest_api_id)?
        .authorizers
        .insert(a.id.clone(), a);
    Ok(out)
}

/// The method-settings key for `path` and `method` (`~1orders~1{id}/GET`).
pub fn method_setting_key(path: &str, method: &str) -> String {
    setting_key(path, method)
}

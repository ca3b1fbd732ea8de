//! Invoking routes from the JSON face: `TestInvokeMethod` exactly as REST
//! APIs have it (the method as it is now, skipping authorizers, API keys,
//! throttling and the cache), and the sandbox-only `SandboxRequest` of both
//! services, which sends a request through a deployed stage the way a client
//! on the internet would.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{bad, not_found};
use crate::apigw::http::{ApiRef, ApiRequest};
use crate::apigw::model::Flavor;
use crate::apigw::payload::EventContext;
use crate::cloud::Cloud;
use crate::error::CloudResult;

/// Headers as JSON: `{"name": "value"}` or `{"name": ["v1", "v2"]}`.
fn headers_of(v: &Option<BTreeMap<String, Value>>) -> CloudResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (k, val) in v.iter().flatten() {
        match val {
            Value::String(s) => out.push((k.clone(), s.clone())),
            Value::Array(a) => {
                for s in a {
                    let s = s
                        .as_str()
                        .ok_or_else(|| bad(format!("Header {k} must hold strings.")))?;
                    out.push((k.clone(), s.to_string()));
                }
            }
            _ => {
                return Err(bad(format!(
                    "Header {k} must be a string or a list of strings."
                )));
            }
        }
    }
    Ok(out)
}

/// TestInvokeMethod request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestInvokeMethodInput {
    /// API id.
    pub rest_api_id: String,
    /// Resource id.
    pub resource_id: String,
    /// The method.
    pub http_method: String,
    /// `/orders/42?x=1` (default: the resource path).
    pub path_with_query_string: Option<String>,
    /// Body.
    pub body: Option<String>,
    /// Headers.
    pub headers: Option<BTreeMap<String, Value>>,
    /// Stage variables to use.
    #[serde(default)]
    pub stage_variables: BTreeMap<String, String>,
}

/// TestInvokeMethod: runs the method's integration as configured now.
pub fn test_invoke_method(cloud: &mut Cloud, input: TestInvokeMethodInput) -> CloudResult<Value> {
    let (api, route) = {
        let a = super::rest::api_mut(cloud, &input.rest_api_id)?;
        let api = ApiRef {
            id: a.id.clone(),
            name: a.name.clone(),
            flavor: Flavor::Rest,
        };
        let method = crate::apigw::routes::check_method(&input.http_method)?;
        let route = crate::apigw::deploy::rest_routes(a)
            .into_iter()
            .find(|r| {
                r.resource_id.as_deref() == Some(input.resource_id.as_str()) && r.method == method
            })
            .ok_or_else(|| not_found("Invalid Method identifier specified"))?;
        (api, route)
    };
    let path = input
        .path_with_query_string
        .unwrap_or_else(|| route.path().to_string());
    let mut req = ApiRequest::new(&input.http_method, &path);
    req.headers = headers_of(&input.headers)?;
    if let Some(b) = &input.body {
        req = req.body(b);
    }
    let params = route
        .template
        .as_ref()
        .and_then(|t| t.matches(&req.path))
        .unwrap_or_default();
    let request_id = cloud.core.rng.uuid();
    let resource_path = route.path().to_string();
    let ctx = EventContext {
        api: &api,
        stage: "test-invoke-stage",
        route_key: &route.route_key,
        resource_path: &resource_path,
        resource_id: route.resource_id.as_deref(),
        request: &req,
        path_params: &params,
        stage_variables: &input.stage_variables,
        request_id: &request_id,
        now: cloud.core.now,
        authorizer: None,
        api_key: None,
    };
    let (resp, took, note) = crate::apigw::pipeline::integrate(
        cloud,
        &api,
        "test-invoke-stage",
        &route,
        &ctx,
        &input.stage_variables,
    );
    let mut headers = serde_json::Map::new();
    let mut multi: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &resp.headers {
        headers.insert(k.clone(), json!(v));
        multi.entry(k.clone()).or_default().push(v.clone());
    }
    let log = format!(
        "Execution log for request {request_id}\nMethod request path: {params:?}\nEndpoint response status: {}{note}\nMethod completed with status: {}",
        resp.status, resp.status
    );
    Ok(json!({
        "status": resp.status,
        "body": resp.text(),
        "headers": headers,
        "multiValueHeaders": multi,
        "latency": took.as_millis() as u64,
        "log": log,
    }))
}

/// SandboxRequest (sandbox only, both services): a client request to a stage.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SandboxRequestInput {
    /// HTTP API id (`apigatewayv2`).
    pub api_id: Option<String>,
    /// REST API id (`apigateway`; also accepted as `restApiId`).
    #[serde(alias = "restApiId")]
    pub rest_api_id: Option<String>,
    /// Stage (default: `$default`, or the only stage).
    #[serde(alias = "stageName")]
    pub stage_name: Option<String>,
    /// `GET`, ... (also accepted as `method` or `httpMethod`).
    #[serde(alias = "method", alias = "httpMethod")]
    pub method: String,
    /// `/orders/42?x=1`, relative to the stage (also `path`).
    #[serde(alias = "path")]
    pub path: String,
    /// Headers (also `headers`).
    #[serde(alias = "headers")]
    pub headers: Option<BTreeMap<String, Value>>,
    /// Body, text (also `body`).
    #[serde(alias = "body")]
    pub body: Option<String>,
}

/// Runs a SandboxRequest against an HTTP API (`v2`) or a REST API.
pub fn sandbox_request(
    cloud: &mut Cloud,
    input: SandboxRequestInput,
    flavor: Flavor,
) -> CloudResult<Value> {
    let id = match flavor {
        Flavor::Http => input.api_id.clone(),
        Flavor::Rest => input.rest_api_id.clone().or(input.api_id.clone()),
    }
    .ok_or_else(|| bad("The request must name the API (ApiId, or RestApiId for REST APIs)."))?;
    let name = match flavor {
        Flavor::Http => cloud.apigw.http_apis.get(&id).map(|a| a.name.clone()),
        Flavor::Rest => cloud.apigw.rest_apis.get(&id).map(|a| a.name.clone()),
    }
    .ok_or_else(|| crate::apigw::pipeline::not_found_api(&id))?;
    let api = ApiRef { id, name, flavor };
    let mut req = ApiRequest::new(&input.method, &input.path);
    req.headers = headers_of(&input.headers)?;
    if let Some(b) = &input.body {
        req = req.body(b);
    }
    let mut client = cloud.api(&api);
    if let Some(s) = &input.stage_name {
        client = client.stage(s);
    }
    Ok(client.send(req)?.to_json())
}

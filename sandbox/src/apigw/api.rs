//! The AWS-shaped faces of API Gateway: `apigateway` (REST APIs, API keys,
//! usage plans; camelCase members as the SDKs name them) and `apigatewayv2`
//! (HTTP APIs; PascalCase members). Both have the sandbox-only
//! `SandboxRequest`, which sends a client request through a deployed stage.

use serde_json::Value;

use super::model::Flavor;
use super::ops::{STYLE, invoke, keys, rest, v2};
use crate::api::{empty, unknown_operation};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::params::parse;

/// REST API actions (`apigateway`).
pub const REST_OPERATIONS: &[&str] = &[
    "CreateApiKey",
    "CreateAuthorizer",
    "CreateDeployment",
    "CreateResource",
    "CreateRestApi",
    "CreateStage",
    "CreateUsagePlan",
    "CreateUsagePlanKey",
    "DeleteApiKey",
    "DeleteResource",
    "DeleteRestApi",
    "DeleteStage",
    "FlushStageCache",
    "GetApiKeys",
    "GetResources",
    "GetRestApi",
    "GetRestApis",
    "GetStage",
    "GetStages",
    "GetUsage",
    "GetUsagePlans",
    "PutIntegration",
    "PutMethod",
    "SandboxRequest",
    "TestInvokeMethod",
    "UpdateStage",
];

/// HTTP API actions (`apigatewayv2`).
pub const HTTP_OPERATIONS: &[&str] = &[
    "CreateApi",
    "CreateAuthorizer",
    "CreateDeployment",
    "CreateIntegration",
    "CreateRoute",
    "CreateStage",
    "DeleteApi",
    "DeleteRoute",
    "DeleteStage",
    "GetApi",
    "GetApis",
    "GetIntegrations",
    "GetRoutes",
    "GetStage",
    "GetStages",
    "SandboxRequest",
    "UpdateRoute",
    "UpdateStage",
];

/// Runs one `apigateway` (REST API) action from JSON.
pub fn dispatch_rest(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    match operation {
        "CreateApiKey" => keys::create_api_key(cloud, parse(STYLE, params)?),
        "CreateAuthorizer" => rest::create_authorizer(cloud, parse(STYLE, params)?),
        "CreateDeployment" => rest::create_deployment(cloud, parse(STYLE, params)?),
        "CreateResource" => rest::create_resource(cloud, parse(STYLE, params)?),
        "CreateRestApi" => rest::create_rest_api(cloud, parse(STYLE, params)?),
        "CreateStage" => rest::create_stage(cloud, parse(STYLE, params)?),
        "CreateUsagePlan" => keys::create_usage_plan(cloud, parse(STYLE, params)?),
        "CreateUsagePlanKey" => keys::create_usage_plan_key(cloud, parse(STYLE, params)?),
        "DeleteApiKey" => empty(keys::delete_api_key(cloud, parse(STYLE, params)?)),
        "DeleteResource" => empty(rest::delete_resource(cloud, parse(STYLE, params)?)),
        "DeleteRestApi" => empty(rest::delete_rest_api(cloud, parse(STYLE, params)?)),
        "DeleteStage" => empty(rest::delete_stage(cloud, parse(STYLE, params)?)),
        "FlushStageCache" => empty(rest::flush_stage_cache(cloud, parse(STYLE, params)?)),
        "GetApiKeys" => keys::get_api_keys(cloud, parse(STYLE, params)?),
        "GetResources" => rest::get_resources(cloud, parse(STYLE, params)?),
        "GetRestApi" => rest::get_rest_api(cloud, parse(STYLE, params)?),
        "GetRestApis" => rest::get_rest_apis(cloud),
        "GetStage" => rest::get_stage(cloud, parse(STYLE, params)?),
        "GetStages" => rest::get_stages(cloud, parse(STYLE, params)?),
        "GetUsage" => keys::get_usage(cloud, parse(STYLE, params)?),
        "GetUsagePlans" => keys::get_usage_plans(cloud),
        "PutIntegration" => rest::put_integration(cloud, parse(STYLE, params)?),
        "PutMethod" => rest::put_method(cloud, parse(STYLE, params)?),
        "SandboxRequest" => invoke::sandbox_request(cloud, parse(STYLE, params)?, Flavor::Rest),
        "TestInvokeMethod" => invoke::test_invoke_method(cloud, parse(STYLE, params)?),
        "UpdateStage" => rest::update_stage(cloud, parse(STYLE, params)?),
        other => Err(unknown_operation("apigateway", other, REST_OPERATIONS)),
    }
}

/// Runs one `apigatewayv2` (HTTP API) action from JSON.
pub fn dispatch_http(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    match operation {
        "CreateApi" => v2::create_api(cloud, parse(STYLE, params)?),
        "CreateAuthorizer" => v2::create_authorizer(cloud, parse(STYLE, params)?),
        "CreateDeployment" => v2::create_deployment(cloud, parse(STYLE, params)?),
        "CreateIntegration" => v2::create_integration(cloud, parse(STYLE, params)?),
        "CreateRoute" => v2::create_route(cloud, parse(STYLE, params)?),
        "CreateStage" => v2::create_stage(cloud, parse(STYLE, params)?),
        "DeleteApi" => empty(v2::delete_api(cloud, parse(STYLE, params)?)),
        "DeleteRoute" => empty(v2::delete_route(cloud, parse(STYLE, params)?)),
        "DeleteStage" => empty(v2::delete_stage(cloud, parse(STYLE, params)?)),
        "GetApi" => v2::get_api(cloud, parse(STYLE, params)?),
        "GetApis" => v2::get_apis(cloud),
        "GetIntegrations" => v2::get_integrations(cloud, parse(STYLE, params)?),
        "GetRoutes" => v2::get_routes(cloud, parse(STYLE, params)?),
        "GetStage" => v2::get_stage(cloud, parse(STYLE, params)?),
        "GetStages" => v2::get_stages(cloud, parse(STYLE, params)?),
        "SandboxRequest" => invoke::sandbox_request(cloud, parse(STYLE, params)?, Flavor::Http),
        "UpdateRoute" => v2::update_route(cloud, parse(STYLE, params)?),
        "UpdateStage" => v2::update_stage(cloud, parse(STYLE, params)?),
        other => Err(unknown_operation("apigatewayv2", other, HTTP_OPERATIONS)),
    }
}

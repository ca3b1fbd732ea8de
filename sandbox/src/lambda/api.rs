//! The AWS-shaped face of Lambda: operation names and JSON members as the
//! Lambda API Reference has them, dispatched to `ops`.

use serde_json::Value;

use super::ops::{STYLE, functions, invoke, mappings};
use crate::api::{empty, unknown_operation};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::params::{parse, respond};

/// Every Lambda action the sandbox implements.
pub const OPERATIONS: &[&str] = &[
    "AddPermission",
    "CreateEventSourceMapping",
    "CreateFunction",
    "DeleteEventSourceMapping",
    "DeleteFunction",
    "DeleteFunctionConcurrency",
    "DeleteFunctionEventInvokeConfig",
    "GetAccountSettings",
    "GetEventSourceMapping",
    "GetFunction",
    "GetFunctionConcurrency",
    "GetFunctionConfiguration",
    "GetFunctionEventInvokeConfig",
    "GetPolicy",
    "Invoke",
    "ListEventSourceMappings",
    "ListFunctions",
    "ListTags",
    "PutFunctionConcurrency",
    "PutFunctionEventInvokeConfig",
    "RemovePermission",
    "TagResource",
    "UntagResource",
    "UpdateEventSourceMapping",
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
    "UpdateFunctionEventInvokeConfig",
];

/// Runs one Lambda action from JSON.
pub fn dispatch(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    let p = params;
    match operation {
        "AddPermission" => functions::add_permission(cloud, parse(STYLE, p)?),
        // Kinesis sources are read by the stream pollers in `kinesis::esm`.
        "CreateEventSourceMapping" if crate::kinesis::esm::is_stream_source(&p) => {
            crate::kinesis::esm::dispatch(cloud, operation, p)
        }
        "GetEventSourceMapping" | "UpdateEventSourceMapping" | "DeleteEventSourceMapping"
            if crate::kinesis::esm::owns(cloud, &p) =>
        {
            crate::kinesis::esm::dispatch(cloud, operation, p)
        }
        "CreateEventSourceMapping" => respond(mappings::create_event_source_mapping(
            cloud,
            parse(STYLE, p)?,
        )?),
        "CreateFunction" => respond(functions::create_function(cloud, parse(STYLE, p)?)?),
        "DeleteEventSourceMapping" => respond(mappings::delete_event_source_mapping(
            cloud,
            parse(STYLE, p)?,
        )?),
        "DeleteFunction" => empty(functions::delete_function(cloud, parse(STYLE, p)?)),
        "DeleteFunctionConcurrency" => empty(functions::delete_function_concurrency(
            cloud,
            parse(STYLE, p)?,
        )),
        "DeleteFunctionEventInvokeConfig" => empty(functions::delete_function_event_invoke_config(
            cloud,
            parse(STYLE, p)?,
        )),
        "GetAccountSettings" => functions::get_account_settings(cloud),
        "GetEventSourceMapping" => {
            respond(mappings::get_event_source_mapping(cloud, parse(STYLE, p)?)?)
        }
        "GetFunction" => respond(functions::get_function(cloud, parse(STYLE, p)?)?),
        "GetFunctionConcurrency" => respond(functions::get_function_concurrency(
            cloud,
            parse(STYLE, p)?,
        )?),
        "GetFunctionConfiguration" => respond(functions::get_function_configuration(
            cloud,
            parse(STYLE, p)?,
        )?),
        "GetFunctionEventInvokeConfig" => respond(functions::get_function_event_invoke_config(
            cloud,
            parse(STYLE, p)?,
        )?),
        "GetPolicy" => functions::get_policy(cloud, parse(STYLE, p)?),
        "Invoke" => respond(invoke::invoke(cloud, parse(STYLE, p)?)?),
        "ListEventSourceMappings" => {
            let sqs = mappings::list_event_source_mappings(cloud, parse(STYLE, p.clone())?)?;
            crate::kinesis::esm::extend_list(cloud, &p, sqs)
        }
        "ListFunctions" => respond(functions::list_functions(cloud, parse(STYLE, p)?)?),
        "ListTags" => functions::list_tags(cloud, parse(STYLE, p)?),
        "PutFunctionConcurrency" => respond(functions::put_function_concurrency(
            cloud,
            parse(STYLE, p)?,
        )?),
        "PutFunctionEventInvokeConfig" => respond(functions::put_function_event_invoke_config(
            cloud,
            parse(STYLE, p)?,
        )?),
        "RemovePermission" => empty(functions::remove_permission(cloud, parse(STYLE, p)?)),
        "TagResource" => empty(functions::tag_resource(cloud, parse(STYLE, p)?)),
        "UntagResource" => empty(functions::untag_resource(cloud, parse(STYLE, p)?)),
        "UpdateEventSourceMapping" => respond(mappings::update_event_source_mapping(
            cloud,
            parse(STYLE, p)?,
        )?),
        "UpdateFunctionCode" => respond(functions::update_function_code(cloud, parse(STYLE, p)?)?),
        "UpdateFunctionConfiguration" => respond(functions::update_function_configuration(
            cloud,
            parse(STYLE, p)?,
        )?),
        "UpdateFunctionEventInvokeConfig" => respond(
            functions::update_function_event_invoke_config(cloud, parse(STYLE, p)?)?,
        ),
        other => Err(unknown_operation("lambda", other, OPERATIONS)),
    }
}

//! The AWS-shaped face of Step Functions: operation names and JSON members
//! exactly as the Step Functions API Reference has them (service `states`).

use serde_json::Value;

use super::ops::{STYLE, executions, machines, test_state, tokens};
use crate::api::{empty, unknown_operation};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::params::{parse, respond};

/// Every Step Functions action the sandbox implements.
pub const OPERATIONS: &[&str] = &[
    "CreateStateMachine",
    "DeleteStateMachine",
    "DescribeExecution",
    "DescribeStateMachine",
    "GetExecutionHistory",
    "ListExecutions",
    "ListStateMachines",
    "SendTaskFailure",
    "SendTaskHeartbeat",
    "SendTaskSuccess",
    "StartExecution",
    "StartSyncExecution",
    "StopExecution",
    "TestState",
    "UpdateStateMachine",
    "ValidateStateMachineDefinition",
];

/// Runs one Step Functions action from JSON.
pub fn dispatch(cloud: &mut Cloud, operation: &str, params: Value) -> CloudResult<Value> {
    match operation {
        "CreateStateMachine" => respond(machines::create_state_machine(
            cloud,
            parse(STYLE, params)?,
        )?),
        "DeleteStateMachine" => empty(machines::delete_state_machine(cloud, parse(STYLE, params)?)),
        "DescribeExecution" => executions::describe_execution(cloud, parse(STYLE, params)?),
        "DescribeStateMachine" => machines::describe_state_machine(cloud, parse(STYLE, params)?),
        "GetExecutionHistory" => executions::get_execution_history(cloud, parse(STYLE, params)?),
        "ListExecutions" => executions::list_executions(cloud, parse(STYLE, params)?),
        "ListStateMachines" => machines::list_state_machines(cloud, parse(STYLE, params)?),
        "SendTaskFailure" => empty(tokens::send_task_failure(cloud, parse(STYLE, params)?)),
        "SendTaskHeartbeat" => empty(tokens::send_task_heartbeat(cloud, parse(STYLE, params)?)),
        "SendTaskSuccess" => empty(tokens::send_task_success(cloud, parse(STYLE, params)?)),
        "StartExecution" => executions::start_execution(cloud, parse(STYLE, params)?),
        "StartSyncExecution" => executions::start_sync_execution(cloud, parse(STYLE, params)?),
        "StopExecution" => executions::stop_execution(cloud, parse(STYLE, params)?),
        "TestState" => test_state::test_state(cloud, parse(STYLE, params)?),
        "UpdateStateMachine" => machines::update_state_machine(cloud, parse(STYLE, params)?),
        "ValidateStateMachineDefinition" => respond(machines::validate_state_machine_definition(
            cloud,
            parse(STYLE, params)?,
        )?),
        other => Err(unknown_operation("states", other, OPERATIONS)),
    }
}

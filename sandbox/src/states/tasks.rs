//! Task integrations: what a Task state's resource does when it runs.
//!
//! - a Lambda function ARN: the effective input is the event, the function's
//!   response is the result (LambdaFunction* history events);
//! - `arn:aws:states:::lambda:invoke`: `Parameters` carry `FunctionName` and
//!   `Payload`; the result wraps the response as
//!   `{"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"}`;
//! - `sqs:sendMessage` and `sns:publish`: the API call with the Parameters as
//!   its request (a `MessageBody`/`Message` that is not a string is sent as
//!   JSON text);
//! - `states:startExecution` (`.sync`, `.sync:2`): a nested execution;
//! - `.waitForTaskToken` on any of these: after the call the task waits for
//!   SendTaskSuccess/SendTaskFailure with the token from `$$.Task.Token`.
//!
//! Each task runs as a scheduled job; a Lambda's result comes back when its
//! simulated duration is over.

use serde_json::{Value, json};

use super::definition::{Integration, Pattern};
use super::errors::{self, Failure};
use super::history::{Details, EventType};
use super::interp::{Input, deliver};
use super::model::{ParentRef, Status};
use crate::cloud::Cloud;

/// A task to run.
#[derive(Clone, Debug)]
pub(crate) struct TaskJob {
    pub exec: usize,
    pub run: usize,
    pub epoch: u64,
    pub integration: Integration,
    pub pattern: Pattern,
    pub resource: String,
    pub params: Value,
}

fn still_waiting(cloud: &Cloud, job: &TaskJob) -> bool {
    cloud.states.execs.get(job.exec).is_some_and(|ex| {
        ex.status == Status::Running
            && ex
                .runs
                .get(job.run)
                .is_some_and(|r| r.alive && r.epoch == job.epoch)
    })
}

fn names(job: &TaskJob) -> (String, String) {
    let tail = job
        .resource
        .strip_prefix("arn:aws:states:::")
        .unwrap_or(&job.resource);
    match tail.split_once(':') {
        Some((s, a)) => (s.to_string(), a.to_string()),
        None => ("states".into(), tail.to_string()),
    }
}

fn task_failed(job: &TaskJob, f: &Failure) -> (EventType, Details) {
    let (resource_type, resource) = names(job);
    (
        EventType::TaskFailed,
        Details::TaskError {
            resource_type,
            resource,
            error: f.error.clone(),
            cause: f.cause.clone(),
        },
    )
}

fn task_output(job: &TaskJob, kind: EventType, out: &Value) -> (EventType, Details) {
    let (resource_type, resource) = names(job);
    (
        kind,
        Details::TaskOutput {
            resource_type,
            resource,
            output: out.to_string(),
        },
    )
}

fn started(job: &TaskJob) -> (EventType, Details) {
    if matches!(job.integration, Integration::LambdaArn(_)) {
        return (EventType::LambdaFunctionStarted, Details::None);
    }
    let (resource_type, resource) = names(job);
    (
        EventType::TaskStarted,
        Details::TaskStarted {
            resource_type,
            resource,
        },
    )
}

/// Service error codes become `<Service>.<Code>Exception` task errors.
fn service_error(service: &str, code: &str) -> String {
    if code.ends_with("Exception") {
        format!("{service}.{code}")
    } else {
        format!("{service}.{code}Exception")
    }
}

/// Runs one task (a scheduled job).
pub(crate) fn run(cloud: &mut Cloud, job: TaskJob) {
    if !still_waiting(cloud, &job) {
        return;
    }
    match job.integration.clone() {
        Integration::LambdaArn(name) => lambda(cloud, job, name, true),
        Integration::LambdaInvoke => match job.params.get("FunctionName").and_then(Value::as_str) {
            Some(name) => {
                let name = name.to_string();
                lambda(cloud, job, name, false)
            }
            None => {
                let f = Failure::new(
                    errors::RUNTIME,
                    "The Parameters of a lambda:invoke task must contain FunctionName",
                );
                let ev = task_failed(&job, &f);
                deliver(
                    cloud,
                    job.exec,
                    job.run,
                    job.epoch,
                    Input::TaskDone(Err(f), vec![started(&job), ev]),
                );
            }
        },
        Integration::SqsSend => {
            let mut params = job.params.clone();
            stringify(&mut params, "MessageBody");
            api_call(cloud, job, "sqs", "SendMessage", params, "SQS");
        }
        Integration::SnsPublish => {
            let mut params = job.params.clone();
            stringify(&mut params, "Message");
            api_call(cloud, job, "sns", "Publish", params, "SNS");
        }
        Integration::StartExecution => start_execution(cloud, job),
        Integration::Unsupported(what) => {
            let f = Failure::runtime(format!(
                "The sandbox does not implement the Task resource '{}' ({what}). It runs Lambda functions, lambda:invoke, sqs:sendMessage, sns:publish and states:startExecution.",
                job.resource
            ));
            deliver(
                cloud,
                job.exec,
                job.run,
                job.epoch,
                Input::TaskDone(Err(f), vec![]),
            );
        }
    }
}

fn stringify(params: &mut Value, key: &str) {
    if let Some(v) = params.get_mut(key)
        && !v.is_string()
    {
        *v = Value::String(v.to_string());
    }
}

fn lambda(cloud: &mut Cloud, job: TaskJob, function: String, plain_arn: bool) {
    let fname = crate::lambda::ops::function_name(&function).unwrap_or(function.clone());
    let fname = fname.split(':').next().unwrap_or(&fname).to_string();
    let payload = if plain_arn {
        job.params.clone()
    } else {
        match job.params.get("Payload") {
            Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::String(s.clone())),
            Some(v) => v.clone(),
            None => json!({}),
        }
    };
    let start_ev = started(&job);
    deliver(
        cloud,
        job.exec,
        job.run,
        job.epoch,
        Input::TaskEvents(vec![start_ev]),
    );
    if !still_waiting(cloud, &job) {
        return;
    }
    let request_id = cloud.core.rng.uuid();
    let exec = crate::lambda::runtime::execute(cloud, &fname, payload, request_id.clone());
    let exec = match exec {
        Ok(e) => e,
        Err(refused) => {
            let e = refused.into_error();
            let f = Failure::new(service_error("Lambda", &e.code), e.message);
            let ev = if plain_arn {
                (
                    EventType::LambdaFunctionFailed,
                    Details::Error {
                        error: f.error.clone(),
                        cause: f.cause.clone(),
                    },
                )
            } else {
                task_failed(&job, &f)
            };
            deliver(
                cloud,
                job.exec,
                job.run,
                job.epoch,
                Input::TaskDone(Err(f), vec![ev]),
            );
            return;
        }
    };
    let finished = exec.finished;
    let result = match exec.outcome {
        Ok(v) => Ok(v),
        Err(e) => Err(Failure::new(
            e.error_type.clone(),
            json!({"errorMessage": e.error_message, "errorType": e.error_type}).to_string(),
        )),
    };
    let wrapped = |payload: Value| {
        json!({
            "ExecutedVersion": "$LATEST",
            "Payload": payload,
            "SdkHttpMetadata": {"HttpStatusCode": 200},
            "SdkResponseMetadata": {"RequestId": request_id},
            "StatusCode": 200,
        })
    };
    let input = match (result, plain_arn, job.pattern) {
        (Ok(v), true, _) => Input::TaskDone(
            Ok(v.clone()),
            vec![(
                EventType::LambdaFunctionSucceeded,
                Details::LambdaSucceeded {
                    output: v.to_string(),
                },
            )],
        ),
        (Err(f), true, _) => {
            let ev = (
                EventType::LambdaFunctionFailed,
                Details::Error {
                    error: f.error.clone(),
                    cause: f.cause.clone(),
                },
            );
            Input::TaskDone(Err(f), vec![ev])
        }
        (Ok(v), false, Pattern::Token) => {
            let out = wrapped(v);
            Input::TaskEvents(vec![task_output(&job, EventType::TaskSubmitted, &out)])
        }
        (Ok(v), false, _) => {
            let out = wrapped(v);
            let ev = task_output(&job, EventType::TaskSucceeded, &out);
            Input::TaskDone(Ok(out), vec![ev])
        }
        (Err(f), false, _) => {
            let ev = task_failed(&job, &f);
            Input::TaskDone(Err(f), vec![ev])
        }
    };
    let after = finished.since(cloud.core.now);
    let (e, r, g) = (job.exec, job.run, job.epoch);
    cloud.schedule(after, "states.task-done", move |c| {
        deliver(c, e, r, g, input)
    });
}

fn api_call(cloud: &mut Cloud, job: TaskJob, service: &str, op: &str, params: Value, prefix: &str) {
    let start_ev = started(&job);
    match cloud.call(service, op, params) {
        Ok(out) => {
            let input = if job.pattern == Pattern::Token {
                Input::TaskEvents(vec![
                    start_ev,
                    task_output(&job, EventType::TaskSubmitted, &out),
                ])
            } else {
                let ev = task_output(&job, EventType::TaskSucceeded, &out);
                Input::TaskDone(Ok(out), vec![start_ev, ev])
            };
            deliver(cloud, job.exec, job.run, job.epoch, input);
        }
        Err(e) => {
            let f = Failure::new(service_error(prefix, &e.code), e.message);
            let ev = task_failed(&job, &f);
            deliver(
                cloud,
                job.exec,
                job.run,
                job.epoch,
                Input::TaskDone(Err(f), vec![start_ev, ev]),
            );
        }
    }
}

fn start_execution(cloud: &mut Cloud, job: TaskJob) {
    let start_ev = started(&job);
    let arn = job
        .params
        .get("StateMachineArn")
        .and_then(Value::as_str)
        .map(str::to_string);
    let name = job
        .params
        .get("Name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let input = match job.params.get("Input") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(v) => Some(v.to_string()),
    };
    let parent = matches!(job.pattern, Pattern::Sync | Pattern::Sync2).then_some(ParentRef {
        exec: job.exec,
        run: job.run,
        epoch: job.epoch,
        parse_output: job.pattern == Pattern::Sync2,
    });
    let Some(arn) = arn else {
        let f = Failure::new(
            errors::RUNTIME,
            "The Parameters of a states:startExecution task must contain StateMachineArn",
        );
        deliver(
            cloud,
            job.exec,
            job.run,
            job.epoch,
            Input::TaskDone(Err(f), vec![start_ev]),
        );
        return;
    };
    match super::ops::start_nested(cloud, &arn, name, input, parent) {
        Ok(out) => {
            let input = match job.pattern {
                Pattern::Request => {
                    let ev = task_output(&job, EventType::TaskSucceeded, &out);
                    Input::TaskDone(Ok(out), vec![start_ev, ev])
                }
                _ => Input::TaskEvents(vec![
                    start_ev,
                    task_output(&job, EventType::TaskSubmitted, &out),
                ]),
            };
            deliver(cloud, job.exec, job.run, job.epoch, input);
        }
        Err(e) => {
            let f = Failure::new(service_error("StepFunctions", &e.code), e.message);
            let ev = task_failed(&job, &f);
            deliver(
                cloud,
                job.exec,
                job.run,
                job.epoch,
                Input::TaskDone(Err(f), vec![start_ev, ev]),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_are_prefixed() {
        assert_eq!(
            service_error("SQS", "QueueDoesNotExist"),
            "SQS.QueueDoesNotExistException"
        );
        assert_eq!(
            service_error("Lambda", "ResourceNotFoundException"),
            "Lambda.ResourceNotFoundException"
        );
    }
}

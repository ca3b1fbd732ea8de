//! Step Functions behaviour: every state type, data flow, retries and
//! catchers, tasks and their integrations, Standard vs Express, the JSON
//! face, history and billing.

use cloudlab::prelude::*;
use cloudlab::states::{EventType, History};
use std::sync::{Arc, Mutex};

fn run(c: &mut Cloud, def: Value, input: Value) -> (ExecutionInfo, History) {
    let sm = c.states().create_state_machine("sm", def).unwrap();
    let exec = c.states().start_execution(&sm, input).unwrap();
    c.run_until_idle();
    let d = c.states().describe(&exec).unwrap();
    let h = c.states().history(&exec).unwrap();
    (d, h)
}

#[test]
fn executions_run_only_when_time_moves() {
    let mut c = Cloud::new();
    let sm = c
        .states()
        .create_state_machine(
            "p",
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}),
        )
        .unwrap();
    let exec = c.states().start_execution(&sm, json!({"x": 1})).unwrap();
    assert_eq!(
        c.states().describe(&exec).unwrap().status,
        ExecutionStatus::Running
    );
    c.run_until_idle();
    let d = c.states().describe(&exec).unwrap();
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(d.output, Some(json!({"x": 1})));
    assert!(
        exec.arn
            .starts_with("arn:aws:states:us-east-1:123456789012:execution:p:")
    );
}

#[test]
fn spec_input_output_example() {
    // states-language.net, "Input and Output Processing": InputPath, ResultPath, OutputPath.
    let mut c = Cloud::new();
    let (d, _) = run(
        &mut c,
        json!({
            "StartAt": "X",
            "States": {
                "X": {
                    "Type": "Pass",
                    "InputPath": "$.a",
                    "Parameters": {"sum.$": "States.MathAdd($.x, $.y)"},
                    "ResultPath": "$.a.result",
                    "OutputPath": "$.a",
                    "End": true
                }
            }
        }),
        json!({"title": "Numbers to add", "a": {"x": 3, "y": 4}}),
    );
    assert_eq!(
        d.output,
        Some(json!({"x": 3, "y": 4, "result": {"sum": 7}}))
    );
}

#[test]
fn history_events_are_named_as_aws_names_them() {
    let mut c = Cloud::new();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "Hello",
            "States": {
                "Hello": {"Type": "Pass", "Result": "hi", "ResultPath": "$.greeting", "Next": "Done"},
                "Done": {"Type": "Succeed"}
            }
        }),
        json!({}),
    );
    assert!(d.succeeded());
    use EventType::*;
    assert_eq!(
        h.types(),
        vec![
            ExecutionStarted,
            PassStateEntered,
            PassStateExited,
            SucceedStateEntered,
            SucceedStateExited,
            ExecutionSucceeded
        ]
    );
    let ids: Vec<(u64, u64)> = h
        .events
        .iter()
        .map(|e| (e.id, e.previous_event_id))
        .collect();
    assert_eq!(ids, vec![(1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5)]);
    assert_eq!(d.transitions, 2);
}

#[test]
fn wait_states_take_virtual_time() {
    let mut c = Cloud::new();
    let (d, _) = run(
        &mut c,
        json!({
            "StartAt": "W1",
            "States": {
                "W1": {"Type": "Wait", "Seconds": 90, "Next": "W2"},
                "W2": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "W3"},
                "W3": {"Type": "Wait", "Timestamp": "2026-01-01T01:00:00Z", "Next": "W4"},
                "W4": {"Type": "Wait", "TimestampPath": "$.until", "End": true}
            }
        }),
        json!({"delay": 30, "until": "2026-01-02T00:00:00Z"}),
    );
    assert!(d.succeeded());
    assert_eq!(d.stop.unwrap().to_string(), "2026-01-02T00:00:00Z");
    assert_eq!(c.elapsed(), 1.days());
}

#[test]
fn choice_takes_the_first_matching_rule_or_the_default() {
    let def = json!({
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"And": [
                        {"Variable": "$.amount", "NumericGreaterThanEquals": 100},
                        {"Variable": "$.vip", "BooleanEquals": true}
                    ], "Next": "Vip"},
                    {"Variable": "$.amount", "NumericGreaterThanPath": "$.limit", "Next": "Review"},
                    {"Not": {"Variable": "$.country", "StringMatches": "U*"}, "Next": "Abroad"}
                ],
                "Default": "Normal"
            },
            "Vip": {"Type": "Pass", "Result": "vip", "End": true},
            "Review": {"Type": "Pass", "Result": "review", "End": true},
            "Abroad": {"Type": "Pass", "Result": "abroad", "End": true},
            "Normal": {"Type": "Pass", "Result": "normal", "End": true}
        }
    });
    for (input, want) in [
        (
            json!({"amount": 150, "vip": true, "limit": 50, "country": "UK"}),
            "vip",
        ),
        (
            json!({"amount": 150, "vip": false, "limit": 50, "country": "US"}),
            "review",
        ),
        (
            json!({"amount": 10, "vip": false, "limit": 50, "country": "FR"}),
            "abroad",
        ),
        (
            json!({"amount": 10, "vip": false, "limit": 50, "country": "US"}),
            "normal",
        ),
    ] {
        let mut c = Cloud::new();
        let (d, _) = run(&mut c, def.clone(), input);
        assert_eq!(d.output, Some(json!(want)));
    }
}

#[test]
fn no_matching_choice_fails_with_no_choice_matched() {
    let mut c = Cloud::new();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "C",
            "States": {
                "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "D"}]},
                "D": {"Type": "Succeed"}
            }
        }),
        json!({}),
    );
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error.as_deref(), Some("States.NoChoiceMatched"));
    assert_eq!(h.types().last(), Some(&EventType::ExecutionFailed));
}

#[test]
fn fail_state_sets_error_and_cause_from_paths() {
    let mut c = Cloud::new();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "F",
            "States": {"F": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('order {} refused', $.id)"}}
        }),
        json!({"e": "Order.Refused", "id": 7}),
    );
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error.as_deref(), Some("Order.Refused"));
    assert_eq!(d.cause.as_deref(), Some("order 7 refused"));
    assert_eq!(
        h.types(),
        vec![
            EventType::ExecutionStarted,
            EventType::FailStateEntered,
            EventType::ExecutionFailed
        ]
    );
}

#[test]
fn a_missing_path_fails_the_execution_with_states_runtime() {
    let mut c = Cloud::new();
    let (d, _) = run(
        &mut c,
        json!({
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Parameters": {"JobName.$": "$.JobName"}, "End": true}}
        }),
        json!({}),
    );
    assert_eq!(d.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        d.cause.as_deref(),
        Some(
            "An error occurred while executing the state 'P' (entered at the event id #2). The JSONPath '$.JobName' specified for the field 'JobName.$' could not be found in the input '{}'"
        )
    );
}

fn flaky(fails: usize) -> (Function, Arc<Mutex<Vec<SimTime>>>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&calls);
    let f = Function::new(move |event, ctx| {
        let mut calls = seen.lock().unwrap();
        calls.push(ctx.now());
        if calls.len() <= fails {
            Err(FnError::new("Payment.Unavailable", "try again"))
        } else {
            Ok(json!({"paid": event["amount"]}))
        }
    });
    (f, calls)
}

#[test]
fn retry_backs_off_as_specified_then_succeeds() {
    let mut c = Cloud::new();
    let (f, calls) = flaky(2);
    let pay = c.lambda().create_function("pay", f).unwrap();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "Pay",
            "States": {
                "Pay": {
                    "Type": "Task",
                    "Resource": pay.arn,
                    "Retry": [{"ErrorEquals": ["Payment.Unavailable"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}],
                    "End": true
                }
            }
        }),
        json!({"amount": 5}),
    );
    assert!(d.succeeded(), "{d:?}");
    assert_eq!(d.output, Some(json!({"paid": 5})));
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 3);
    // Retries wait 2 s and then 6 s after each failure (plus the function's own run time).
    let gap1 = calls[1].since(calls[0]).as_secs_f64();
    let gap2 = calls[2].since(calls[1]).as_secs_f64();
    assert!((2.0..2.5).contains(&gap1), "{gap1}");
    assert!((6.0..6.5).contains(&gap2), "{gap2}");
    assert_eq!(h.of(EventType::LambdaFunctionFailed).len(), 2);
    assert_eq!(
        h.of(EventType::TaskStateEntered).len(),
        1,
        "a retry does not re-enter the state"
    );
    assert_eq!(d.transitions, 3, "retries are billed as transitions");
}

#[test]
fn max_delay_and_jitter_cap_the_back_off() {
    let mut c = Cloud::new();
    let (f, calls) = flaky(4);
    let pay = c.lambda().create_function("pay", f).unwrap();
    let (d, _) = run(
        &mut c,
        json!({
            "StartAt": "Pay",
            "States": {"Pay": {
                "Type": "Task", "Resource": pay.arn, "End": true,
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "BackoffRate": 10,
                           "MaxAttempts": 5, "MaxDelaySeconds": 30, "JitterStrategy": "FULL"}]
            }}
        }),
        json!({}),
    );
    assert!(d.succeeded());
    let calls = calls.lock().unwrap();
    for w in calls.windows(2) {
        assert!(
            w[1].since(w[0]).as_secs_f64() <= 30.5,
            "MaxDelaySeconds caps each delay"
        );
    }
}

#[test]
fn exhausted_retries_fall_through_to_the_catcher() {
    let mut c = Cloud::new();
    let (f, _) = flaky(10);
    let pay = c.lambda().create_function("pay", f).unwrap();
    let refund = c
        .lambda()
        .create_function(
            "refund",
            Function::new(|e, _| Ok(json!({"refunded": e["order"]}))),
        )
        .unwrap();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "Pay",
            "States": {
                "Pay": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": pay.name, "Payload.$": "$"},
                    "ResultSelector": {"paid.$": "$.Payload.paid"},
                    "Retry": [{"ErrorEquals": ["Payment.Unavailable"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Refund"}],
                    "End": true
                },
                "Refund": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": refund.arn, "Payload": {"order.$": "$.order", "why.$": "$.error.Error"}},
                    "OutputPath": "$.Payload",
                    "End": true
                }
            }
        }),
        json!({"order": "o-1"}),
    );
    assert!(d.succeeded(), "{d:?}");
    assert_eq!(d.output, Some(json!({"refunded": "o-1"})));
    assert_eq!(h.of(EventType::TaskFailed).len(), 2);
    assert_eq!(h.states_entered(), vec!["Pay", "Refund"]);
    let scheduled = h.of(EventType::TaskScheduled);
    assert!(matches!(&scheduled[0].details,
        cloudlab::states::Details::TaskScheduled(t) if t.resource_type == "lambda" && t.resource == "invoke"));
}

#[test]
fn runtime_errors_are_not_caught_by_states_all() {
    let mut c = Cloud::new();
    let (d, _) = run(
        &mut c,
        json!({
            "StartAt": "T",
            "States": {
                "T": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "InputPath": "$.nope", "End": true}}}],
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
                "Caught": {"Type": "Succeed"}
            }
        }),
        json!({}),
    );
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error.as_deref(), Some("States.Runtime"));
}

#[test]
fn parallel_runs_branches_and_collects_their_outputs_in_order() {
    let mut c = Cloud::new();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "Both",
            "States": {
                "Both": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 5, "Next": "S2"}, "S2": {"Type": "Pass", "Result": "slow", "End": true}}},
                        {"StartAt": "Fast", "States": {"Fast": {"Type": "Pass", "Result": "fast", "End": true}}}
                    ],
                    "ResultPath": "$.results",
                    "End": true
                }
            }
        }),
        json!({"id": 1}),
    );
    assert_eq!(
        d.output,
        Some(json!({"id": 1, "results": ["slow", "fast"]}))
    );
    assert_eq!(c.elapsed(), 5.secs(), "branches run at the same time");
    assert_eq!(h.of(EventType::ParallelStateStarted).len(), 1);
    assert_eq!(h.of(EventType::ParallelStateSucceeded).len(), 1);
}

#[test]
fn a_failing_branch_aborts_its_siblings() {
    let mut c = Cloud::new();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "Both",
            "States": {
                "Both": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 3600, "End": true}}},
                        {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "branch 2"}}}
                    ],
                    "End": true
                }
            }
        }),
        json!({}),
    );
    assert_eq!(d.error.as_deref(), Some("Boom"));
    assert_eq!(c.elapsed(), Duration::ZERO, "the long branch was stopped");
    assert_eq!(h.of(EventType::WaitStateAborted).len(), 1);
    assert_eq!(h.of(EventType::ParallelStateFailed).len(), 1);
}

#[test]
fn map_processes_items_with_item_selector_and_context() {
    let mut c = Cloud::new();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemsPath": "$.orders",
                    "ItemSelector": {"index.$": "$$.Map.Item.Index", "order.$": "$$.Map.Item.Value", "shop.$": "$.shop"},
                    "ItemProcessor": {
                        "StartAt": "Price",
                        "States": {"Price": {"Type": "Pass", "Parameters": {"line.$": "States.Format('{}#{}: {}', $.shop, $.index, $.order.sku)"}, "OutputPath": "$.line", "End": true}}
                    },
                    "ResultPath": "$.lines",
                    "End": true
                }
            }
        }),
        json!({"shop": "s1", "orders": [{"sku": "a"}, {"sku": "b"}, {"sku": "c"}]}),
    );
    assert_eq!(
        d.output.unwrap()["lines"],
        json!(["s1#0: a", "s1#1: b", "s1#2: c"])
    );
    assert_eq!(h.of(EventType::MapIterationStarted).len(), 3);
    assert_eq!(h.of(EventType::MapIterationSucceeded).len(), 3);
    let started = h.of(EventType::MapStateStarted);
    assert!(matches!(
        started[0].details,
        cloudlab::states::Details::MapStarted { length: 3 }
    ));
}

#[test]
fn map_max_concurrency_limits_iterations_in_virtual_time() {
    let mut c = Cloud::new();
    let (d, _) = run(
        &mut c,
        json!({
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "MaxConcurrency": 2,
                    "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}},
                    "End": true
                }
            }
        }),
        json!([1, 2, 3, 4, 5]),
    );
    assert!(d.succeeded());
    assert_eq!(c.elapsed(), 30.secs(), "5 items, 2 at a time, 10 s each");
}

#[test]
fn distributed_map_tolerates_failures_up_to_the_threshold() {
    let def = |tolerated: u64| {
        json!({
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ToleratedFailureCount": tolerated,
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "Check",
                        "States": {
                            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": false, "Next": "Bad"}], "Default": "Good"},
                            "Bad": {"Type": "Fail", "Error": "Item.Bad"},
                            "Good": {"Type": "Succeed"}
                        }
                    },
                    "End": true
                }
            }
        })
    };
    let items = json!([{"ok": true}, {"ok": false}, {"ok": true}, {"ok": false}]);
    let mut c = Cloud::new();
    let (d, _) = run(&mut c, def(2), items.clone());
    assert!(d.succeeded(), "{d:?}");
    let mut c = Cloud::new();
    let (d, _) = run(&mut c, def(1), items);
    assert_eq!(
        d.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
}

#[test]
fn tolerated_failures_need_distributed_mode() {
    let mut c = Cloud::new();
    let err = c
        .states()
        .create_state_machine(
            "m",
            json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ToleratedFailureCount": 1, "End": true,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
        )
        .unwrap_err();
    assert_eq!(err.code, "InvalidDefinition");
    assert!(err.message.contains("DISTRIBUTED"), "{}", err.message);
}

#[test]
fn item_batcher_groups_items() {
    let mut c = Cloud::new();
    let (d, _) = run(
        &mut c,
        json!({
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run": "r1"}},
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                        "StartAt": "Count",
                        "States": {"Count": {"Type": "Pass", "Parameters": {"n.$": "States.ArrayLength($.Items)", "run.$": "$.BatchInput.run"}, "End": true}}
                    },
                    "End": true
                }
            }
        }),
        json!([1, 2, 3, 4, 5]),
    );
    assert_eq!(
        d.output,
        Some(json!([{"n": 2, "run": "r1"}, {"n": 2, "run": "r1"}, {"n": 1, "run": "r1"}]))
    );
}

#[test]
fn lambda_task_duration_is_virtual_time() {
    let mut c = Cloud::new();
    let slow = c
        .lambda()
        .create_function(
            "slow",
            Function::sleep()
                .timeout(10.secs())
                .init_duration(200.millis()),
        )
        .unwrap();
    let (d, h) = run(
        &mut c,
        json!({"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": slow.arn, "End": true}}}),
        json!({"ms": 4000}),
    );
    assert!(d.succeeded());
    assert!(c.elapsed() >= 4200.millis(), "{:?}", c.elapsed());
    use EventType::*;
    assert_eq!(
        h.types(),
        vec![
            ExecutionStarted,
            TaskStateEntered,
            LambdaFunctionScheduled,
            LambdaFunctionStarted,
            LambdaFunctionSucceeded,
            TaskStateExited,
            ExecutionSucceeded
        ]
    );
}

#[test]
fn task_timeout_fails_with_states_timeout() {
    let mut c = Cloud::new();
    let slow = c
        .lambda()
        .create_function("slow", Function::sleep().timeout(60.secs()))
        .unwrap();
    let (d, h) = run(
        &mut c,
        json!({"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": slow.arn, "TimeoutSeconds": 5, "End": true}}}),
        json!({"ms": 30000}),
    );
    assert_eq!(d.error.as_deref(), Some("States.Timeout"));
    assert_eq!(d.stop.unwrap().since(d.start), 5.secs());
    assert_eq!(h.of(EventType::LambdaFunctionTimedOut).len(), 1);
}

#[test]
fn sqs_and_sns_integrations_send() {
    let mut c = Cloud::new();
    let q = c.sqs().create_queue("shipments").unwrap();
    let t = c.sns().create_topic("news").unwrap();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "Queue",
            "States": {
                "Queue": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Parameters": {"QueueUrl": q.url, "MessageBody": {"order.$": "$.order"}},
                    "ResultPath": "$.sent",
                    "Next": "Tell"
                },
                "Tell": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sns:publish",
                    "Parameters": {"TopicArn": t.arn, "Message.$": "States.Format('order {} shipped', $.order)"},
                    "ResultPath": null,
                    "End": true
                }
            }
        }),
        json!({"order": "o-9"}),
    );
    assert!(d.succeeded(), "{d:?}");
    assert!(d.output.as_ref().unwrap()["sent"]["MessageId"].is_string());
    let got = c.sqs().receive(&q, Receive::max(1)).unwrap();
    assert_eq!(got[0].body, r#"{"order":"o-9"}"#);
    assert_eq!(h.of(EventType::TaskSucceeded).len(), 2);
}

#[test]
fn sqs_errors_become_task_errors() {
    let mut c = Cloud::new();
    let (d, _) = run(
        &mut c,
        json!({"StartAt": "Q", "States": {"Q": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/nope", "MessageBody": "x"}, "End": true}}}),
        json!({}),
    );
    assert_eq!(d.error.as_deref(), Some("SQS.QueueDoesNotExistException"));
}

#[test]
fn wait_for_task_token_waits_for_send_task_success() {
    let mut c = Cloud::new();
    let approvals = c.sqs().create_queue("approvals").unwrap();
    let sm = c
        .states()
        .create_state_machine(
            "approve",
            json!({
                "StartAt": "Ask",
                "States": {
                    "Ask": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters": {"QueueUrl": approvals.url, "MessageBody": {"token.$": "$$.Task.Token", "amount.$": "$.amount"}},
                        "ResultPath": "$.decision",
                        "HeartbeatSeconds": 3600,
                        "Next": "Done"
                    },
                    "Done": {"Type": "Succeed"}
                }
            }),
        )
        .unwrap();
    let exec = c
        .states()
        .start_execution(&sm, json!({"amount": 900}))
        .unwrap();
    c.advance(10.mins());
    assert_eq!(
        c.states().describe(&exec).unwrap().status,
        ExecutionStatus::Running
    );
    let got = c.sqs().receive(&approvals, Receive::max(1)).unwrap();
    let msg = got[0].clone();
    let body: Value = serde_json::from_str(&msg.body).unwrap();
    let token = body["token"].as_str().unwrap().to_string();
    c.states().send_task_heartbeat(&token).unwrap();
    c.advance(50.mins());
    c.states()
        .send_task_success(&token, json!({"approved": true}))
        .unwrap();
    c.run_until_idle();
    let d = c.states().describe(&exec).unwrap();
    assert!(d.succeeded(), "{d:?}");
    assert_eq!(d.output.unwrap()["decision"], json!({"approved": true}));
    let e = c.states().send_task_success(&token, json!({})).unwrap_err();
    assert_eq!(e.code, "TaskTimedOut");
    assert_eq!(
        c.states()
            .send_task_success("nope", json!({}))
            .unwrap_err()
            .code,
        "TaskDoesNotExist"
    );
}

#[test]
fn a_missing_heartbeat_fails_the_task() {
    let mut c = Cloud::new();
    let q = c.sqs().create_queue("work").unwrap();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "Ask",
            "States": {"Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": q.url, "MessageBody.$": "$$.Task.Token"}, "HeartbeatSeconds": 60, "End": true}}
        }),
        json!({}),
    );
    assert_eq!(d.error.as_deref(), Some("States.HeartbeatTimeout"));
    assert_eq!(c.elapsed(), 60.secs());
    assert_eq!(h.of(EventType::TaskTimedOut).len(), 1);
}

#[test]
fn a_lambda_can_complete_its_own_task_token() {
    let mut c = Cloud::new();
    c.lambda()
        .create_function(
            "approver",
            Function::new(|event, ctx| {
                let token = event["token"].as_str().unwrap_or_default().to_string();
                ctx.call(
                    "states",
                    "SendTaskFailure",
                    json!({"taskToken": token, "error": "Rejected", "cause": "too expensive"}),
                )?;
                Ok(json!("asked"))
            }),
        )
        .unwrap();
    let (d, h) = run(
        &mut c,
        json!({
            "StartAt": "Ask",
            "States": {
                "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                        "Parameters": {"FunctionName": "approver", "Payload": {"token.$": "$$.Task.Token"}},
                        "Catch": [{"ErrorEquals": ["Rejected"], "Next": "No"}], "End": true},
                "No": {"Type": "Pass", "End": true}
            }
        }),
        json!({}),
    );
    assert!(d.succeeded());
    assert_eq!(
        d.output,
        Some(json!({"Error": "Rejected", "Cause": "too expensive"}))
    );
    assert_eq!(h.states_entered(), vec!["Ask", "No"]);
}

#[test]
fn nested_executions_sync_and_sync2() {
    let mut c = Cloud::new();
    let child = c
        .states()
        .create_state_machine("child", json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "Next": "D"}, "D": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": true}}}))
        .unwrap();
    let parent = c
        .states()
        .create_state_machine(
            "parent",
            json!({
                "StartAt": "Run",
                "States": {
                    "Run": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                            "Parameters": {"StateMachineArn": child.arn, "Input": {"n.$": "$.n"}},
                            "OutputPath": "$.Output", "End": true}
                }
            }),
        )
        .unwrap();
    let exec = c
        .states()
        .start_execution(&parent, json!({"n": 21}))
        .unwrap();
    c.run_until_idle();
    let d = c.states().describe(&exec).unwrap();
    assert!(d.succeeded(), "{d:?}");
    assert_eq!(d.output, Some(json!({"doubled": 42})));
    assert_eq!(c.elapsed(), 60.secs());
    assert_eq!(c.states().list_executions(&child).unwrap().len(), 1);
}

#[test]
fn express_workflows_run_synchronously_and_bill_per_request() {
    let mut c = Cloud::new();
    let sm = c
        .states()
        .create_express_state_machine("fast", json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "Next": "P"}, "P": {"Type": "Pass", "Result": {"ok": true}, "End": true}}}))
        .unwrap();
    let d = c.states().start_sync_execution(&sm, json!({})).unwrap();
    assert!(d.succeeded());
    assert_eq!(d.output, Some(json!({"ok": true})));
    assert_eq!(c.elapsed(), 2.secs());
    assert!(d.execution.arn.contains(":express:fast:"));
    let bill = c.bill();
    assert_eq!(bill.line("states.express.requests").unwrap().units, 1.0);
    // 64 MB for 2 s (already a multiple of 100 ms): 0.0625 GB x 2 s.
    assert!((bill.line("states.express.gb_seconds").unwrap().units - 0.125).abs() < 1e-9);
    assert!(bill.line("states.standard.transitions").is_none());
    // The API refuses Express executions where AWS does.
    let e = c
        .call(
            "states",
            "DescribeExecution",
            json!({"executionArn": d.execution.arn}),
        )
        .unwrap_err();
    assert_eq!(e.code, "StateMachineTypeNotSupported");
}

#[test]
fn express_executions_time_out_after_five_minutes() {
    let mut c = Cloud::new();
    let sm = c
        .states()
        .create_express_state_machine(
            "slow",
            json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}}),
        )
        .unwrap();
    let d = c.states().start_sync_execution(&sm, json!({})).unwrap();
    assert_eq!(d.status, ExecutionStatus::TimedOut);
    assert_eq!(c.elapsed(), 5.mins());
}

#[test]
fn standard_billing_counts_transitions_with_a_free_tier() {
    let mut c = Cloud::new();
    let mut states = serde_json::Map::new();
    for i in 0..10 {
        let next = if i == 9 {
            json!({"Type": "Pass", "End": true})
        } else {
            json!({"Type": "Pass", "Next": format!("S{}", i + 1)})
        };
        states.insert(format!("S{i}"), next);
    }
    let sm = c
        .states()
        .create_state_machine("ten", json!({"StartAt": "S0", "States": states}))
        .unwrap();
    for _ in 0..500 {
        c.states().start_execution(&sm, json!({})).unwrap();
    }
    c.run_until_idle();
    let line = c
        .bill()
        .line("states.standard.transitions")
        .cloned()
        .unwrap();
    assert_eq!(line.units, 5000.0);
    assert_eq!(line.free_units, 4000.0);
    assert!((line.net_usd() - 1000.0 * 0.025 / 1000.0).abs() < 1e-12);
}

#[test]
fn execution_timeout_seconds_times_the_execution_out() {
    let mut c = Cloud::new();
    let (d, h) = run(
        &mut c,
        json!({"TimeoutSeconds": 30, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}}),
        json!({}),
    );
    assert_eq!(d.status, ExecutionStatus::TimedOut);
    assert_eq!(h.types().last(), Some(&EventType::ExecutionTimedOut));
    assert_eq!(c.elapsed(), 30.secs());
}

#[test]
fn stop_execution_aborts_and_records_it() {
    let mut c = Cloud::new();
    let sm = c
        .states()
        .create_state_machine(
            "w",
            json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}}),
        )
        .unwrap();
    let exec = c.states().start_execution(&sm, json!({})).unwrap();
    c.advance(10.secs());
    c.states()
        .stop_execution(&exec, "Operator", "changed my mind")
        .unwrap();
    c.run_until_idle();
    let d = c.states().describe(&exec).unwrap();
    assert_eq!(d.status, ExecutionStatus::Aborted);
    assert_eq!(c.elapsed(), 10.secs());
    let h = c.states().history(&exec).unwrap();
    assert_eq!(
        h.types()[h.len() - 2..],
        [EventType::WaitStateAborted, EventType::ExecutionAborted]
    );
}

#[test]
fn jsonata_states_transform_with_arguments_output_and_assign() {
    let mut c = Cloud::new();
    let add = c
        .lambda()
        .create_function(
            "add",
            Function::new(|e, _| {
                Ok(json!({"sum": e["a"].as_i64().unwrap_or(0) + e["b"].as_i64().unwrap_or(0)}))
            }),
        )
        .unwrap();
    let (d, _) = run(
        &mut c,
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "Add",
            "States": {
                "Add": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {"FunctionName": add.arn, "Payload": {"a": "{% $states.input.x %}", "b": "{% $states.input.y %}"}},
                    "Assign": {"total": "{% $states.result.Payload.sum %}"},
                    "Output": "{% $states.result.Payload %}",
                    "Next": "Big?"
                },
                "Big?": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $total > 10 %}", "Next": "Big"}],
                    "Default": "Small"
                },
                "Big": {"Type": "Pass", "Output": {"size": "big", "total": "{% $total %}"}, "End": true},
                "Small": {"Type": "Pass", "Output": {"size": "small"}, "End": true}
            }
        }),
        json!({"x": 7, "y": 8}),
    );
    assert_eq!(d.output, Some(json!({"size": "big", "total": 15})));
}

#[test]
fn jsonpath_variables_assign_and_read() {
    let mut c = Cloud::new();
    let (d, _) = run(
        &mut c,
        json!({
            "StartAt": "Keep",
            "States": {
                "Keep": {"Type": "Pass", "Assign": {"customer.$": "$.who"}, "OutputPath": null, "Next": "Use"},
                "Use": {"Type": "Pass", "Parameters": {"who.$": "$customer", "input.$": "$"}, "End": true}
            }
        }),
        json!({"who": "ana"}),
    );
    assert_eq!(d.output, Some(json!({"who": "ana", "input": {}})));
}

#[test]
fn create_reports_every_problem_with_aws_wording() {
    let mut c = Cloud::new();
    let e = c
        .call(
            "states",
            "CreateStateMachine",
            json!({
                "name": "bad",
                "roleArn": "arn:aws:iam::123456789012:role/r",
                "definition": json!({"StartAt": "pass1", "States": {"pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": {"Type": "Pass", "End": true}}}).to_string()
            }),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidDefinition");
    assert_eq!(
        e.message,
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'"
    );
    let v = c
        .call(
            "states",
            "ValidateStateMachineDefinition",
            json!({"definition": "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Nxt\": \"A\"}}}"}),
        )
        .unwrap();
    assert_eq!(v["result"], "FAIL");
    let locations: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["location"].as_str().unwrap())
        .collect();
    assert_eq!(locations, vec!["/States/A/Nxt", "/States/A"]);
    let ok = c
        .call("states", "ValidateStateMachineDefinition", json!({"definition": "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}}"}))
        .unwrap();
    assert_eq!(
        ok,
        json!({"result": "OK", "diagnostics": [], "truncated": false})
    );
}

#[test]
fn the_json_face_runs_a_whole_workflow() {
    let mut c = Cloud::new();
    let created = c
        .call(
            "states",
            "CreateStateMachine",
            json!({"name": "j", "roleArn": "arn:aws:iam::123456789012:role/r",
                   "definition": "{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"Seconds\": 5, \"End\": true}}}"}),
        )
        .unwrap();
    let arn = created["stateMachineArn"].as_str().unwrap().to_string();
    let started = c
        .call(
            "states",
            "StartExecution",
            json!({"stateMachineArn": arn, "name": "first", "input": "{\"a\": 1}"}),
        )
        .unwrap();
    let exec = started["executionArn"].as_str().unwrap().to_string();
    assert_eq!(
        exec,
        "arn:aws:states:us-east-1:123456789012:execution:j:first"
    );
    let again = c
        .call(
            "states",
            "StartExecution",
            json!({"stateMachineArn": arn, "name": "first", "input": "{\"a\": 2}"}),
        )
        .unwrap_err();
    assert_eq!(again.code, "ExecutionAlreadyExists");
    c.advance(6.secs());
    let d = c
        .call("states", "DescribeExecution", json!({"executionArn": exec}))
        .unwrap();
    assert_eq!(d["status"], "SUCCEEDED");
    assert_eq!(d["output"], "{\"a\":1}");
    let h = c
        .call(
            "states",
            "GetExecutionHistory",
            json!({"executionArn": exec, "reverseOrder": true, "maxResults": 2}),
        )
        .unwrap();
    assert_eq!(h["events"][0]["type"], "ExecutionSucceeded");
    assert!(h["nextToken"].is_string());
    let l = c
        .call(
            "states",
            "ListExecutions",
            json!({"stateMachineArn": arn, "statusFilter": "SUCCEEDED"}),
        )
        .unwrap();
    assert_eq!(l["executions"].as_array().unwrap().len(), 1);
    let bad = c
        .call(
            "states",
            "StartExecution",
            json!({"stateMachineArn": arn, "input": "{nope"}),
        )
        .unwrap_err();
    assert_eq!(bad.code, "InvalidExecutionInput");
    let missing = c
        .call(
            "states",
            "DescribeStateMachine",
            json!({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:nope"}),
        )
        .unwrap_err();
    assert_eq!(missing.code, "StateMachineDoesNotExist");
    let e = c.call("states", "StartExecution", json!({})).unwrap_err();
    assert_eq!(e.code, "ValidationException");
    assert!(e.message.contains("stateMachineArn"), "{}", e.message);
}

#[test]
fn test_state_runs_one_state() {
    let mut c = Cloud::new();
    let out = c
        .states()
        .test_state(
            json!({"Type": "Pass", "Parameters": {"x.$": "States.MathAdd($.a, 1)"}, "Next": "Later"}),
            json!({"a": 41}),
        )
        .unwrap();
    assert_eq!(out["status"], "SUCCEEDED");
    assert_eq!(out["output"], "{\"x\":42}");
    assert_eq!(out["nextState"], "Later");
    let (f, _) = flaky(10);
    c.lambda().create_function("pay", f).unwrap();
    let out = c
        .states()
        .test_state(
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "pay", "Payload.$": "$"},
                   "Retry": [{"ErrorEquals": ["States.ALL"]}], "End": true}),
            json!({}),
        )
        .unwrap();
    assert_eq!(out["status"], "RETRIABLE");
    assert_eq!(out["error"], "Payment.Unavailable");
    assert!(
        c.bill().line("states.standard.transitions").is_none(),
        "TestState is not billed"
    );
}

#[test]
fn graph_view_colours_states_by_what_happened() {
    let mut c = Cloud::new();
    let (f, _) = flaky(10);
    let pay = c.lambda().create_function("pay", f).unwrap();
    let sm = c
        .states()
        .create_state_machine(
            "order",
            json!({
                "StartAt": "Pay",
                "States": {
                    "Pay": {"Type": "Task", "Resource": pay.arn, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Cancel"}], "Next": "Ship"},
                    "Ship": {"Type": "Pass", "End": true},
                    "Cancel": {"Type": "Fail", "Error": "Cancelled"}
                }
            }),
        )
        .unwrap();
    let exec = c.states().start_execution(&sm, json!({})).unwrap();
    c.run_until_idle();
    let g = c.states().graph(&exec).unwrap();
    use cloudlab::states::view::Mark;
    assert_eq!(g.mark("Pay"), Mark::Caught);
    assert_eq!(g.mark("Ship"), Mark::NotRun);
    assert_eq!(g.mark("Cancel"), Mark::Failed);
    let svg = g.to_svg();
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert!(svg.contains(">Cancel<"));
    let html = c.states().history(&exec).unwrap().to_html();
    assert!(html.contains("TaskStateEntered") && html.contains("LambdaFunctionFailed"));
}

#[test]
fn same_seed_same_executions() {
    let once = || {
        let mut c = Cloud::with_seed(9);
        let (d, h) = run(
            &mut c,
            json!({"StartAt": "U", "States": {"U": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()", "r.$": "States.MathRandom(0, 1000)"}, "End": true}}}),
            json!({}),
        );
        (d.output, d.execution.arn, h.len())
    };
    assert_eq!(once(), once());
}

mod generated {
    //! Any valid definition either completes or fails with a `States.*` error
    //! (or the error of one of its own Fail states); it never panics.
    use super::*;
    use proptest::prelude::*;

    /// One step of a generated machine: (kind, a, b).
    type Step = (u8, u8, i64);

    fn value(k: i64) -> Value {
        match k.rem_euclid(6) {
            0 => json!(k),
            1 => json!(format!("s{k}")),
            2 => json!(k % 2 == 0),
            3 => Value::Null,
            4 => json!([k, k + 1]),
            _ => json!({"k": k}),
        }
    }

    /// Builds a machine from steps; nested machines use the tail of `steps`.
    fn machine(steps: &[Step], depth: u32, prefix: &str) -> Value {
        let n = steps.len().clamp(1, 6);
        let mut states = serde_json::Map::new();
        for i in 0..n {
            let (kind, a, b) = steps.get(i).copied().unwrap_or((0, 0, 0));
            let name = format!("{prefix}S{i}");
            let next = (i + 1 < n).then(|| format!("{prefix}S{}", i + 1));
            let mut st = match kind % 9 {
                0 => {
                    json!({"Type": "Pass", "Result": value(b), "ResultPath": if a % 2 == 0 { json!("$.r") } else { json!("$") }})
                }
                1 => {
                    let p = ["$", "$.r", "$.a", "$.a[0]", "$$.State.Name", "$.items[*]"]
                        [a as usize % 6];
                    json!({"Type": "Pass", "Parameters": {"x.$": p}})
                }
                2 => json!({"Type": "Wait", "Seconds": (b.rem_euclid(5))}),
                3 if next.is_some() => {
                    let target = format!(
                        "{prefix}S{}",
                        (i + 1 + a as usize % (n - i - 1).max(1)).min(n - 1)
                    );
                    let ops = [
                        "NumericEquals",
                        "StringEquals",
                        "BooleanEquals",
                        "IsPresent",
                        "IsNull",
                        "NumericLessThanPath",
                    ];
                    let op = ops[a as usize % ops.len()];
                    let operand = match op {
                        "NumericEquals" => json!(b),
                        "StringEquals" => json!(format!("s{b}")),
                        "NumericLessThanPath" => json!("$.a"),
                        _ => json!(b % 2 == 0),
                    };
                    let var = ["$.r", "$.a", "$.x", "$"][b.rem_euclid(4) as usize];
                    let mut rule = json!({"Variable": var, "Next": target});
                    rule[op] = operand;
                    json!({"Type": "Choice", "Choices": [rule], "Default": next.clone().unwrap_or_default()})
                }
                4 if next.is_none() => {
                    json!({"Type": "Fail", "Error": format!("Custom.E{a}"), "Cause": "generated"})
                }
                5 if next.is_none() => json!({"Type": "Succeed"}),
                6 if depth < 2 => json!({"Type": "Parallel", "Branches": [
                    machine(&steps[(i + 1).min(steps.len())..], depth + 1, &format!("{name}b0")),
                    machine(&steps[(i + 2).min(steps.len())..], depth + 1, &format!("{name}b1"))
                ], "ResultPath": "$.p",
                   "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": a as u64 % 2, "IntervalSeconds": 1}],
                   "Catch": if b % 2 == 0 { json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": next.clone().unwrap_or_else(|| name.clone())}]) } else { json!([]) }}),
                7 if depth < 2 => {
                    json!({"Type": "Map", "ItemsPath": (["$.items", "$", "$.a"][a as usize % 3]),
                    "MaxConcurrency": b.rem_euclid(3),
                    "ItemProcessor": machine(&steps[(i + 1).min(steps.len())..], depth + 1, &format!("{name}m")),
                    "ResultPath": "$.m"})
                }
                8 => {
                    let f = [
                        "States.Format('{}', $.a)",
                        "States.ArrayLength($.items)",
                        "States.MathAdd($.a, 1)",
                        "States.StringToJson($.s)",
                        "States.UUID()",
                    ][a as usize % 5];
                    json!({"Type": "Pass", "Parameters": {"f.$": f}})
                }
                _ => json!({"Type": "Pass"}),
            };
            let terminal = matches!(st["Type"].as_str(), Some("Choice" | "Fail" | "Succeed"));
            if !terminal {
                match &next {
                    Some(nx) => st["Next"] = json!(nx),
                    None => st["End"] = json!(true),
                }
            }
            // A catcher pointing at itself would be a loop; drop it.
            if st["Catch"]
                .as_array()
                .is_some_and(|c| c.is_empty() || c[0]["Next"] == json!(name))
            {
                st.as_object_mut().unwrap().remove("Catch");
            }
            states.insert(name, st);
        }
        json!({"StartAt": format!("{prefix}S0"), "States": states})
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(160))]
        #[test]
        fn valid_definitions_complete_or_fail_with_a_states_error(
            steps in proptest::collection::vec((0u8..9, 0u8..12, -3i64..9), 1..10),
            input_kind in 0u8..4,
        ) {
            let def = machine(&steps, 0, "");
            let mut c = Cloud::new();
            let Ok(sm) = c.states().create_state_machine("g", def.clone()) else {
                // Unreachable states (a Choice skipping ahead) are invalid ASL; that is fine.
                return Ok(());
            };
            let input = match input_kind {
                0 => json!({}),
                1 => json!({"a": 3, "items": [1, 2, 3], "s": "{\"z\": 1}"}),
                2 => json!([1, 2]),
                _ => json!({"a": "x", "items": "nope", "r": null}),
            };
            let exec = c.states().start_execution(&sm, input).unwrap();
            c.run_until_idle();
            let d = c.states().describe(&exec).unwrap();
            match d.status {
                ExecutionStatus::Succeeded => prop_assert!(d.output.is_some()),
                ExecutionStatus::Failed => {
                    let e = d.error.clone().unwrap_or_default();
                    prop_assert!(e.starts_with("States.") || e.starts_with("Custom."), "{e}: {:?} in {def}", d.cause);
                }
                other => prop_assert!(false, "{other:?} for {def}"),
            }
            // The graph view renders whatever happened.
            let g = c.states().graph(&exec).unwrap();
            prop_assert!(g.to_svg().ends_with("</svg>"));
        }
    }
}

#[test]
fn state_machines_appear_in_the_account_diagram_and_take_deliveries() {
    let mut c = Cloud::new();
    let f = c
        .lambda()
        .create_function("work", Function::echo())
        .unwrap();
    let sm = c
        .states()
        .create_state_machine("flow", json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": f.arn, "End": true}}}))
        .unwrap();
    let d = c.diagram();
    assert!(d.nodes.iter().any(|n| n.id == sm.arn));
    assert!(
        d.edges
            .iter()
            .any(|e| e.from == sm.arn && e.to == f.arn && e.label == "T")
    );
    // A Lambda destination (or any ARN delivery) starts an execution.
    let caller = c
        .lambda()
        .create_function("caller", Function::echo().on_success(&sm.arn))
        .unwrap();
    c.lambda()
        .invoke_async(&caller, json!({"hello": 1}))
        .unwrap();
    c.run_until_idle();
    let runs = c.states().list_executions(&sm).unwrap();
    assert_eq!(runs.len(), 1);
    assert!(runs[0].succeeded());
}

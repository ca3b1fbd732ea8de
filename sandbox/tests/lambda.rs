//! Lambda behaviour: environments, timeouts, async retries, throttling,
//! SQS event sources, logs and billing.

use cloudlab::prelude::*;
use std::sync::{Arc, Mutex};

#[test]
fn cold_start_then_warm_then_recycled() {
    let mut c = Cloud::new();
    let f = c.lambda().create_function("f", Function::echo()).unwrap();
    let a = c.lambda().invoke(&f, json!({"n": 1})).unwrap();
    let b = c.lambda().invoke(&f, json!({"n": 2})).unwrap();
    assert!(a.cold_start() && !b.cold_start());
    assert_eq!(b.payload, json!({"n": 2}));
    assert_eq!(c.lambda().environments(&f).unwrap(), 1);
    c.advance(16.mins());
    let d = c.lambda().invoke(&f, json!({})).unwrap();
    assert!(d.cold_start(), "idle environments are recycled");
    assert_eq!(c.lambda().stats(&f).unwrap().cold_starts, 2);
    assert!(c.trace().kind("recycle").count() >= 1);
}

#[test]
fn sync_invoke_takes_virtual_time() {
    let mut c = Cloud::new();
    let f = c
        .lambda()
        .create_function("slow", Function::sleep().init_duration(500.millis()))
        .unwrap();
    let out = c.lambda().invoke(&f, json!({"ms": 1200})).unwrap();
    assert_eq!(out.init_duration.map(|d| d.as_millis()), Some(500));
    assert!(out.duration >= 1200.millis());
    assert!(
        c.elapsed() >= 1700.millis(),
        "the caller waited for init and run"
    );
    // Billed: run rounded up to 1 ms, plus the init phase.
    assert_eq!(
        out.billed_duration.as_millis(),
        out.duration.as_nanos().div_ceil(1_000_000) + 500
    );
}

#[test]
fn timeout_ends_the_invocation_and_the_environment() {
    let mut c = Cloud::new();
    let f = c
        .lambda()
        .create_function(
            "busy",
            Function::new(|_e, ctx| {
                ctx.spend(5.secs());
                Ok(json!("finished"))
            })
            .timeout(3.secs()),
        )
        .unwrap();
    let out = c.lambda().invoke(&f, json!({})).unwrap();
    assert_eq!(out.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(out.error_type(), Some("Sandbox.Timedout"));
    assert_eq!(out.duration, 3.secs());
    assert!(out.log.contains("Task timed out after 3.00 seconds"));
    assert_eq!(c.lambda().environments(&f).unwrap(), 0);
}

#[test]
fn out_of_memory_and_panics_are_function_errors() {
    let mut c = Cloud::new();
    let hog = c
        .lambda()
        .create_function(
            "hog",
            Function::new(|_e, ctx| {
                ctx.use_memory(300);
                Ok(json!(null))
            })
            .memory(256),
        )
        .unwrap();
    let out = c.lambda().invoke(&hog, json!({})).unwrap();
    assert_eq!(out.error_type(), Some("Runtime.OutOfMemory"));
    let p = c
        .lambda()
        .create_function("panics", Function::new(|_e, _c| panic!("boom")))
        .unwrap();
    let out = c.lambda().invoke(&p, json!({})).unwrap();
    assert_eq!(out.error_type(), Some("Panic"));
    assert_eq!(out.payload["errorMessage"], "boom");
}

#[test]
fn state_survives_only_in_warm_environments() {
    let mut c = Cloud::new();
    let f = c
        .lambda()
        .create_function(
            "counter",
            Function::new(|_e, ctx| {
                let n = ctx.state::<u32>();
                *n += 1;
                Ok(json!(*n))
            }),
        )
        .unwrap();
    assert_eq!(c.lambda().invoke(&f, json!({})).unwrap().payload, json!(1));
    assert_eq!(c.lambda().invoke(&f, json!({})).unwrap().payload, json!(2));
    c.lambda().redeploy(&f).unwrap();
    assert_eq!(c.lambda().invoke(&f, json!({})).unwrap().payload, json!(1));
}

#[test]
fn logs_have_start_end_report_lines() {
    let mut c = Cloud::new();
    let f = c
        .lambda()
        .create_function(
            "logger",
            Function::new(|_e, ctx| {
                ctx.log("hello from the handler");
                Ok(json!({}))
            })
            .memory(512),
        )
        .unwrap();
    c.lambda().invoke(&f, json!({})).unwrap();
    c.lambda().invoke(&f, json!({})).unwrap();
    let logs = c.lambda().logs(&f);
    let reports = logs.containing("REPORT RequestId");
    assert_eq!(reports.len(), 2);
    assert!(reports[0].message.contains("Init Duration"));
    assert!(!reports[1].message.contains("Init Duration"));
    assert!(reports[0].message.contains("Memory Size: 512 MB"));
    assert_eq!(logs.containing("hello from the handler").len(), 2);
    assert_eq!(logs.containing("START RequestId").len(), 2);
    assert_eq!(logs.containing("END RequestId").len(), 2);
    assert_eq!(c.logs().groups(), vec!["/aws/lambda/logger"]);
}

#[test]
fn billing_is_requests_plus_gb_seconds() {
    let mut c = Cloud::new();
    let f = c
        .lambda()
        .create_function(
            "s",
            Function::sleep().memory(1024).init_duration(100.millis()),
        )
        .unwrap();
    let a = c.lambda().invoke(&f, json!({"ms": 999})).unwrap();
    let b = c.lambda().invoke(&f, json!({"ms": 999})).unwrap();
    let bill = c.bill();
    assert_eq!(bill.line("lambda.requests").unwrap().units, 2.0);
    let gbs = bill.line("lambda.x86.gb_seconds").unwrap().units;
    let expected = (a.billed_duration + b.billed_duration).as_secs_f64();
    assert!((gbs - expected).abs() < 1e-9, "{gbs} vs {expected}");
}

#[test]
fn async_failures_retry_twice_then_reach_the_dlq_and_destination() {
    let mut c = Cloud::new();
    let dlq = c.sqs().create_queue("fn-dlq").unwrap();
    let failures = c.sqs().create_queue("failures").unwrap();
    let f = c
        .lambda()
        .create_function(
            "flaky",
            Function::fail()
                .dead_letter_queue(&dlq)
                .on_failure(&failures.arn),
        )
        .unwrap();
    c.lambda()
        .invoke_async(&f, json!({"errorType": "PaymentDeclined"}))
        .unwrap();
    assert_eq!(
        c.lambda().stats(&f).unwrap().invocations,
        0,
        "async runs when time moves"
    );
    c.run_until_idle();
    assert_eq!(
        c.lambda().stats(&f).unwrap().invocations,
        3,
        "first try + 2 retries"
    );
    assert!(
        c.elapsed() >= 3.mins(),
        "retries come 1 and 2 minutes later"
    );
    let dead = c.sqs().receive(&dlq, 1).unwrap();
    assert_eq!(
        dead[0].body,
        json!({"errorType": "PaymentDeclined"}).to_string()
    );
    assert!(dead[0].attr("ErrorMessage").is_some());
    let record: Value =
        serde_json::from_str(&c.sqs().receive(&failures, 1).unwrap()[0].body).unwrap();
    assert_eq!(record["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 3);
    assert_eq!(record["responsePayload"]["errorType"], "PaymentDeclined");
}

#[test]
fn reserved_concurrency_zero_throttles() {
    let mut c = Cloud::new();
    let f = c.lambda().create_function("off", Function::echo()).unwrap();
    c.lambda().set_reserved_concurrency(&f, 0).unwrap();
    let err = c.lambda().invoke(&f, json!({})).unwrap_err();
    assert_eq!(err.code, "TooManyRequestsException");
    assert_eq!(err.status, 429);
    assert_eq!(c.lambda().stats(&f).unwrap().throttles, 1);
    let err = c.lambda().set_reserved_concurrency(&f, 901).unwrap_err();
    assert_eq!(err.code, "InvalidParameterValueException");
}

#[test]
fn async_burst_scales_out_environments() {
    let mut c = Cloud::new();
    let f = c
        .lambda()
        .create_function("burst", Function::sleep())
        .unwrap();
    for _ in 0..20 {
        c.lambda().invoke_async(&f, json!({"ms": 2000})).unwrap();
    }
    c.advance(1.secs());
    assert_eq!(
        c.lambda().environments(&f).unwrap(),
        20,
        "one environment per concurrent event"
    );
    c.run_until_idle();
    assert_eq!(c.lambda().stats(&f).unwrap().cold_starts, 20);
}

#[test]
fn sqs_event_source_processes_and_deletes_batches() {
    let mut c = Cloud::new();
    let q = c.sqs().create_queue("jobs").unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let f = c
        .lambda()
        .create_function(
            "worker",
            Function::new(move |event, _ctx| {
                for r in event["Records"].as_array().unwrap() {
                    assert_eq!(r["eventSource"], "aws:sqs");
                    s.lock()
                        .unwrap()
                        .push(r["body"].as_str().unwrap().to_string());
                }
                Ok(json!({}))
            }),
        )
        .unwrap();
    c.lambda().poll_queue(&f, &q, Polling::batch(5)).unwrap();
    for i in 0..12 {
        c.sqs().send(&q, format!("job {i}")).unwrap();
    }
    c.run_until_idle();
    let mut got = seen.lock().unwrap().clone();
    got.sort();
    assert_eq!(got.len(), 12);
    assert_eq!(
        c.sqs().counts(&q).unwrap().total(),
        0,
        "processed messages were deleted"
    );
}

#[test]
fn failing_batches_return_and_end_in_the_queue_dlq() {
    let mut c = Cloud::new();
    let dlq = c.sqs().create_queue("jobs-dlq").unwrap();
    let q = c
        .sqs()
        .create_queue_with(
            "jobs",
            QueueOptions::new()
                .visibility_timeout(30.secs())
                .dead_letter_queue(&dlq, 2),
        )
        .unwrap();
    let f = c
        .lambda()
        .create_function("broken", Function::fail())
        .unwrap();
    let m = c.lambda().poll_queue(&f, &q, Polling::batch(10)).unwrap();
    c.sqs().send(&q, "poison").unwrap();
    c.run_until_idle();
    assert_eq!(
        c.lambda().stats(&f).unwrap().invocations,
        2,
        "received twice, then dead-lettered"
    );
    assert_eq!(c.sqs().counts(&dlq).unwrap().visible, 1);
    assert_eq!(c.lambda().mapping_stats(&m).unwrap().failed, 2);
}

#[test]
fn partial_batch_failures_only_retry_the_failed_messages() {
    let mut c = Cloud::new();
    let q = c.sqs().create_queue("jobs").unwrap();
    let attempts = Arc::new(Mutex::new(0));
    let a = Arc::clone(&attempts);
    let f = c
        .lambda()
        .create_function(
            "picky",
            Function::new(move |event, _ctx| {
                *a.lock().unwrap() += 1;
                let failures: Vec<Value> = event["Records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["body"] == "bad")
                    .map(|r| json!({"itemIdentifier": r["messageId"]}))
                    .collect();
                Ok(json!({ "batchItemFailures": failures }))
            }),
        )
        .unwrap();
    c.lambda()
        .poll_queue(&f, &q, Polling::batch(10).report_failures())
        .unwrap();
    c.sqs().send_batch(&q, ["good", "bad", "good"]).unwrap();
    c.advance(1.secs());
    let counts = c.sqs().counts(&q).unwrap();
    assert_eq!(
        (counts.visible, counts.in_flight),
        (0, 1),
        "only the bad one is left"
    );
}

#[test]
fn event_source_needs_visibility_at_least_the_timeout() {
    let mut c = Cloud::new();
    let q = c
        .sqs()
        .create_queue_with("q", QueueOptions::new().visibility_timeout(10.secs()))
        .unwrap();
    let f = c
        .lambda()
        .create_function("f", Function::echo().timeout(60.secs()))
        .unwrap();
    let err = c
        .lambda()
        .poll_queue(&f, &q, Polling::batch(10))
        .unwrap_err();
    assert_eq!(err.code, "InvalidParameterValueException");
    assert!(
        err.message.contains("less than Function timeout"),
        "{}",
        err.message
    );
    let err = c
        .lambda()
        .poll_queue(&f, "missing", Polling::batch(10))
        .unwrap_err();
    assert_eq!(err.code, "InvalidParameterValueException");
}

#[test]
fn builtins_through_the_json_face() {
    let mut c = Cloud::new();
    c.call(
        "lambda",
        "CreateFunction",
        json!({"FunctionName": "e", "Runtime": "cloudlab.builtin", "Handler": "echo", "Role": "arn:aws:iam::123456789012:role/r"}),
    )
    .unwrap();
    let out = c
        .call(
            "lambda",
            "Invoke",
            json!({"FunctionName": "e", "Payload": "{\"a\": 1}", "LogType": "Tail"}),
        )
        .unwrap();
    assert_eq!(out["StatusCode"], 200);
    assert_eq!(out["Payload"], json!({"a": 1}));
    assert!(out["LogResult"].as_str().unwrap().len() > 10);
    c.call(
        "lambda",
        "CreateFunction",
        json!({"FunctionName": "x", "Runtime": "cloudlab.builtin", "Handler": "fail"}),
    )
    .unwrap();
    let out = c
        .call(
            "lambda",
            "Invoke",
            json!({"FunctionName": "x", "Payload": {"errorType": "Oops"}}),
        )
        .unwrap();
    assert_eq!(out["FunctionError"], "Unhandled");
    assert_eq!(out["Payload"]["errorType"], "Oops");
    let err = c
        .call(
            "lambda",
            "CreateFunction",
            json!({"FunctionName": "p", "Runtime": "python3.12", "Handler": "app.handler"}),
        )
        .unwrap_err();
    assert_eq!(err.code, "InvalidParameterValueException");
    let err = c
        .call("lambda", "Invoke", json!({"FunctionName": "nope"}))
        .unwrap_err();
    assert_eq!(err.code, "ResourceNotFoundException");
    let err = c
        .call(
            "lambda",
            "CreateFunction",
            json!({"FunctionName": "e", "Runtime": "cloudlab.builtin", "Handler": "echo"}),
        )
        .unwrap_err();
    assert_eq!(err.code, "ResourceConflictException");
    let err = c
        .call(
            "lambda",
            "CreateFunction",
            json!({"FunctionName": "m", "Handler": "echo", "MemorySize": 64}),
        )
        .unwrap_err();
    assert_eq!(err.code, "ValidationException");
}

#[test]
fn handler_calls_other_services() {
    let mut c = Cloud::new();
    let out_q = c.sqs().create_queue("out").unwrap();
    let f = c
        .lambda()
        .create_function(
            "forward",
            Function::new(|event, ctx| {
                ctx.sqs().send("out", event.to_string())?;
                Ok(json!("sent"))
            }),
        )
        .unwrap();
    c.lambda().invoke(&f, json!({"x": 1})).unwrap();
    assert_eq!(c.sqs().receive(&out_q, 1).unwrap()[0].body, "{\"x\":1}");
}

#[test]
fn a_handler_waits_for_the_functions_it_invokes_synchronously() {
    let mut c = Cloud::new();
    let slow = c
        .lambda()
        .create_function("slow", Function::sleep().init_duration(500.millis()))
        .unwrap();
    let caller = |timeout: Duration| {
        Function::new(|_e, ctx| {
            let inner = ctx.lambda().invoke("slow", json!({"ms": 2000}))?;
            Ok(json!({"inner_ms": inner.duration.as_millis() as u64}))
        })
        .timeout(timeout)
    };
    c.lambda()
        .create_function("caller", caller(10.secs()))
        .unwrap();
    c.lambda()
        .create_function("hasty", caller(1.secs()))
        .unwrap();
    c.lambda().invoke(&slow, json!({"ms": 1})).unwrap(); // warm: no init below
    let start = c.now();
    let out = c.lambda().invoke("caller", json!({})).unwrap();
    assert!(out.function_error.is_none(), "{:?}", out.payload);
    assert!(out.duration >= 2000.millis(), "{:?}", out.duration);
    assert!(
        c.now().since(start) >= 2000.millis(),
        "the clock moved once, by the whole call"
    );
    let out = c.lambda().invoke("hasty", json!({})).unwrap();
    assert_eq!(
        out.error_type(),
        Some("Sandbox.Timedout"),
        "waiting counts toward the timeout"
    );
}

//! EventBridge behaviour: buses, rules, targets and their inputs, PutEvents
//! limits and failures, schedules in virtual time, DLQs, archives and
//! replays, events from S3, and the JSON face's requests, responses and errors.

use std::sync::{Arc, Mutex};

use cloudlab::events::{Schedule, Target};
use cloudlab::prelude::*;

/// Receives (and deletes) what a queue holds, bodies parsed as JSON.
fn bodies(c: &mut Cloud, q: &Queue) -> Vec<Value> {
    let got = c.sqs().receive(q, Receive::max(10)).unwrap();
    for m in &got {
        c.sqs().delete(q, m).unwrap();
    }
    got.into_iter()
        .map(|m| serde_json::from_str(&m.body).unwrap_or(Value::String(m.body)))
        .collect()
}

/// A function that records the events it gets.
fn recorder(c: &mut Cloud, name: &str) -> (FunctionRef, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let f = c
        .lambda()
        .create_function(
            name,
            Function::new(move |event, _ctx| {
                s.lock().unwrap().push(event.clone());
                Ok(json!({}))
            }),
        )
        .unwrap();
    (f, seen)
}

#[test]
fn rules_route_matching_events_to_their_targets() {
    let mut c = Cloud::new();
    let big = c.sqs().create_queue("big-eu-orders").unwrap();
    let all = c.sqs().create_queue("all-orders").unwrap();
    let (f, seen) = recorder(&mut c, "audit");
    let big_rule = c
        .events()
        .put_rule(
            "big-eu-orders",
            Rule::pattern(json!({
                "source": ["shop"],
                "detail-type": ["OrderPlaced"],
                "detail": {"total": [{"numeric": [">=", 100]}], "region": [{"prefix": "eu-"}]}
            })),
        )
        .unwrap();
    let all_rule = c
        .events()
        .put_rule("all-orders", Rule::pattern(json!({"source": ["shop"]})))
        .unwrap();
    c.events()
        .add_target(&big_rule, Target::queue(&big))
        .unwrap();
    c.events()
        .add_target(&all_rule, Target::queue(&all))
        .unwrap();
    c.events()
        .add_target(&all_rule, Target::function(&f))
        .unwrap();
    let out = c
        .events()
        .put_events([
            Event::new(
                "shop",
                "OrderPlaced",
                json!({"total": 250, "region": "eu-west-1"}),
            ),
            Event::new(
                "shop",
                "OrderPlaced",
                json!({"total": 250, "region": "us-east-1"}),
            ),
            Event::new(
                "shop",
                "OrderPlaced",
                json!({"total": 20, "region": "eu-west-1"}),
            ),
            Event::new(
                "warehouse",
                "OrderPlaced",
                json!({"total": 999, "region": "eu-west-1"}),
            ),
        ])
        .unwrap();
    assert_eq!(out.failed_entry_count, 0);
    assert_eq!(out.event_ids().len(), 4);
    let got = bodies(&mut c, &big);
    assert_eq!(got.len(), 1);
    let e = &got[0];
    assert_eq!(e["detail"]["region"], "eu-west-1");
    assert_eq!(e["source"], "shop");
    assert_eq!(e["detail-type"], "OrderPlaced");
    assert_eq!(e["account"], "123456789012");
    assert_eq!(e["region"], "us-east-1");
    assert_eq!(e["version"], "0");
    assert_eq!(e["time"], "2026-01-01T00:00:00Z");
    assert_eq!(e["id"], out.event_ids()[0]);
    assert_eq!(bodies(&mut c, &all).len(), 3);
    assert!(
        seen.lock().unwrap().is_empty(),
        "functions run when time moves"
    );
    c.run_until_idle();
    assert_eq!(seen.lock().unwrap().len(), 3);
    let stats = c.events().rule_stats(&all_rule).unwrap();
    assert_eq!((stats.triggered, stats.invocations), (3, 6));
    assert_eq!(c.events().bus_stats(&Bus::default_bus()).unwrap().events, 4);
}

#[test]
fn custom_buses_only_see_their_own_events() {
    let mut c = Cloud::new();
    let orders = c.events().create_bus("orders").unwrap();
    assert_eq!(
        orders.arn,
        "arn:aws:events:us-east-1:123456789012:event-bus/orders"
    );
    let q = c.sqs().create_queue("q").unwrap();
    let on_custom = c
        .events()
        .put_rule(
            "r",
            Rule::pattern(json!({"source": ["shop"]})).on_bus(&orders),
        )
        .unwrap();
    assert_eq!(
        on_custom.arn,
        "arn:aws:events:us-east-1:123456789012:rule/orders/r"
    );
    c.events()
        .add_target(&on_custom, Target::queue(&q))
        .unwrap();
    c.events()
        .put_event(Event::new("shop", "X", json!({})))
        .unwrap();
    assert!(
        bodies(&mut c, &q).is_empty(),
        "that went to the default bus"
    );
    c.events()
        .put_event(Event::new("shop", "X", json!({})).bus(&orders))
        .unwrap();
    assert_eq!(bodies(&mut c, &q).len(), 1);
    let names: Vec<String> = c.events().buses().into_iter().map(|b| b.name).collect();
    assert_eq!(names, ["default", "orders"]);
    let err = c.events().delete_bus(&orders).unwrap_err();
    assert_eq!(err.code, "ValidationException");
    c.events().remove_target(&on_custom, "q").unwrap();
    c.events().delete_rule(&on_custom).unwrap();
    c.events().delete_bus(&orders).unwrap();
    assert_eq!(c.events().buses().len(), 1);
}

#[test]
fn disabled_rules_do_not_fire() {
    let mut c = Cloud::new();
    let q = c.sqs().create_queue("q").unwrap();
    let r = c
        .events()
        .put_rule("r", Rule::pattern(json!({"source": ["a"]})).disabled())
        .unwrap();
    c.events().add_target(&r, Target::queue(&q)).unwrap();
    c.events()
        .put_event(Event::new("a", "t", json!({})))
        .unwrap();
    assert!(bodies(&mut c, &q).is_empty());
    c.events().enable(&r).unwrap();
    c.events()
        .put_event(Event::new("a", "t", json!({})))
        .unwrap();
    assert_eq!(bodies(&mut c, &q).len(), 1);
    c.events().disable(&r).unwrap();
    c.events()
        .put_event(Event::new("a", "t", json!({})))
        .unwrap();
    assert!(bodies(&mut c, &q).is_empty());
}

#[test]
fn input_input_path_and_input_transformer() {
    let mut c = Cloud::new();
    let (a, b, d, fifo) = (
        c.sqs().create_queue("constant").unwrap(),
        c.sqs().create_queue("detail").unwrap(),
        c.sqs().create_queue("shaped").unwrap(),
        c.sqs().create_queue("ordered.fifo").unwrap(),
    );
    let r = c
        .events()
        .put_rule(
            "orders",
            Rule::pattern(json!({"detail-type": ["OrderPlaced"]})),
        )
        .unwrap();
    let ev = c.events();
    let mut ev = ev;
    ev.add_target(&r, Target::queue(&a).input(json!({"kind": "ping"})))
        .unwrap();
    ev.add_target(&r, Target::queue(&b).input_path("$.detail.items[1]"))
        .unwrap();
    ev.add_target(
        &r,
        Target::queue(&d).transform(
            [("id", "$.detail.id"), ("total", "$.detail.total"), ("missing", "$.detail.nope")],
            r#"{"order": <id>, "total": <total>, "note": "order <id> by <aws.events.rule-name>", "x": <missing>}"#,
        ),
    )
    .unwrap();
    let err = ev.add_target(&r, Target::queue(&fifo)).unwrap_err();
    assert!(err.message.contains("SqsParameters"), "{}", err.message);
    ev.add_target(&r, Target::queue(&fifo).message_group("orders"))
        .unwrap();
    let err = ev
        .add_target(
            &r,
            Target::queue(&a)
                .id("both")
                .input(json!(1))
                .input_path("$.detail"),
        )
        .unwrap_err();
    assert_eq!(err.code, "ValidationException");
    ev.put_event(Event::new(
        "shop",
        "OrderPlaced",
        json!({"id": "o-7", "total": 12.5, "items": [{"sku": "a"}, {"sku": "b"}]}),
    ))
    .unwrap();
    assert_eq!(bodies(&mut c, &a), [json!({"kind": "ping"})]);
    assert_eq!(bodies(&mut c, &b), [json!({"sku": "b"})]);
    assert_eq!(
        bodies(&mut c, &d),
        [json!({"order": "o-7", "total": 12.5, "note": "order o-7 by orders", "x": null})]
    );
    let m = c.sqs().receive(&fifo, Receive::max(10)).unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].group_id(), Some("orders"));
}

#[test]
fn put_events_limits_and_per_entry_failures() {
    let mut c = Cloud::new();
    let eleven: Vec<Event> = (0..11)
        .map(|i| Event::new("s", "t", json!({ "i": i })))
        .collect();
    let err = c.events().put_events(eleven).unwrap_err();
    assert_eq!(err.code, "ValidationException");
    assert!(
        err.message.contains("less than or equal to 10"),
        "{}",
        err.message
    );
    assert_eq!(
        c.events().put_events([]).unwrap_err().code,
        "ValidationException"
    );
    // 1 MB per request since January 2026: Source + DetailType + Detail bytes.
    let fill = |n: usize| json!({ "x": "y".repeat(n) });
    let exactly = 1_048_576 - 1 - 1 - r#"{"x":""}"#.len();
    assert!(
        c.events()
            .put_event(Event::new("s", "t", fill(exactly)))
            .is_ok()
    );
    let err = c
        .events()
        .put_event(Event::new("s", "t", fill(exactly + 1)))
        .unwrap_err();
    assert!(
        err.message.contains("Total size of the entries"),
        "{}",
        err.message
    );
    let out = c
        .call(
            "events",
            "PutEvents",
            json!({"Entries": [
                {"Source": "shop", "DetailType": "ok", "Detail": "{}"},
                {"DetailType": "no source", "Detail": "{}"},
                {"Source": "shop", "DetailType": "bad", "Detail": "[1, 2]"},
                {"Source": "aws.s3", "DetailType": "spoof", "Detail": "{}"},
                {"Source": "shop", "DetailType": "x", "Detail": "{}", "EventBusName": "nope"},
                {"Source": "shop", "DetailType": "no detail"}
            ]}),
        )
        .unwrap();
    assert_eq!(out["FailedEntryCount"], 5);
    let e = &out["Entries"];
    assert!(e[0]["EventId"].is_string());
    assert_eq!(e[1]["ErrorCode"], "InvalidArgument");
    assert_eq!(
        e[1]["ErrorMessage"],
        "Parameter Source is not valid. Reason: Source is a required argument."
    );
    assert_eq!(e[2]["ErrorCode"], "MalformedDetail");
    assert_eq!(e[2]["ErrorMessage"], "Detail is malformed.");
    assert_eq!(e[3]["ErrorCode"], "NotAuthorizedForSourceException");
    assert_eq!(e[4]["ErrorCode"], "ResourceNotFoundException");
    assert_eq!(
        e[5]["ErrorMessage"],
        "Parameter Detail is not valid. Reason: Detail is a required argument."
    );
    // Billing: custom events in 64 KB chunks, failed entries not billed.
    let billed = c.bill().line("events.custom.events").map(|l| l.units);
    assert_eq!(billed, Some(16.0 + 1.0));
}

#[test]
fn schedules_fire_in_virtual_time_without_keeping_the_cloud_busy() {
    let mut c = Cloud::new();
    let (f, seen) = recorder(&mut c, "cleanup");
    let r = c
        .events()
        .put_rule("every-5-min", Rule::schedule("rate(5 minutes)"))
        .unwrap();
    c.events().add_target(&r, Target::function(&f)).unwrap();
    assert_eq!(
        c.run_until_idle(),
        Duration::ZERO,
        "a schedule is background work"
    );
    c.advance(16.mins());
    c.run_until_idle();
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0]["source"], "aws.events");
    assert_eq!(got[0]["detail-type"], "Scheduled Event");
    assert_eq!(got[0]["resources"][0], r.arn);
    assert_eq!(got[0]["time"], "2026-01-01T00:05:00Z");
    assert_eq!(got[2]["time"], "2026-01-01T00:15:00Z");
    c.events().disable(&r).unwrap();
    c.advance(1.hours());
    assert_eq!(seen.lock().unwrap().len(), 3, "disabled: no more firings");
    c.events().enable(&r).unwrap();
    c.advance(6.mins());
    c.run_until_idle();
    assert_eq!(seen.lock().unwrap().len(), 4);
    // Scheduled events are AWS events: free.
    assert!(c.bill().line("events.custom.events").is_none());
}

#[test]
fn cron_schedules_and_bad_expressions() {
    let mut c = Cloud::new();
    let q = c.sqs().create_queue("nightly").unwrap();
    let r = c
        .events()
        .put_rule("nightly", Rule::schedule("cron(30 2 * * ? *)"))
        .unwrap();
    c.events().add_target(&r, Target::queue(&q)).unwrap();
    c.advance(3.days());
    let times: Vec<String> = bodies(&mut c, &q)
        .iter()
        .map(|e| e["time"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        times,
        [
            "2026-01-01T02:30:00Z",
            "2026-01-02T02:30:00Z",
            "2026-01-03T02:30:00Z"
        ]
    );
    for bad in ["rate(1 minutes)", "cron(0 2 * * * *)", "every day"] {
        let e = c.events().put_rule("bad", Rule::schedule(bad)).unwrap_err();
        assert_eq!(e.code, "ValidationException");
        assert_eq!(e.message, "Parameter ScheduleExpression is not valid.");
    }
    let custom = c.events().create_bus("custom").unwrap();
    let e = c
        .events()
        .put_rule("sched", Rule::schedule("rate(1 hour)").on_bus(&custom))
        .unwrap_err();
    assert_eq!(
        e.message,
        "ScheduleExpression is supported only on the default event bus."
    );
    assert!(Schedule::parse("cron(0/15 * ? * MON-FRI *)").is_ok());
}

#[test]
fn targets_that_are_gone_send_events_to_the_dead_letter_queue() {
    let mut c = Cloud::new();
    let dlq = c.sqs().create_queue("rule-dlq").unwrap();
    let gone = c.sqs().create_queue("gone").unwrap();
    let r = c
        .events()
        .put_rule("r", Rule::pattern(json!({"source": ["s"]})))
        .unwrap();
    c.events()
        .add_target(&r, Target::queue(&gone).dead_letter_queue(&dlq))
        .unwrap();
    c.events()
        .add_target(&r, Target::function(&FunctionRef::named("missing")).id("f"))
        .unwrap();
    c.sqs().delete_queue(&gone).unwrap();
    let id = c
        .events()
        .put_event(Event::new("s", "t", json!({"n": 1})))
        .unwrap();
    let dead = c.sqs().receive(&dlq, Receive::max(10)).unwrap();
    assert_eq!(dead.len(), 1, "not retried: straight to the DLQ");
    let m = &dead[0];
    let event: Value = serde_json::from_str(&m.body).unwrap();
    assert_eq!(event["id"], id.as_str());
    assert_eq!(m.attr("ERROR_CODE"), Some("RESOURCE_NOT_FOUND"));
    assert_eq!(m.attr("RULE_ARN"), Some(r.arn.as_str()));
    assert_eq!(m.attr("TARGET_ARN"), Some(gone.arn.as_str()));
    assert_eq!(m.attr("RETRY_ATTEMPTS"), Some("0"));
    let stats = c.events().rule_stats(&r).unwrap();
    assert_eq!((stats.failed_invocations, stats.sent_to_dlq), (2, 1));
    assert_eq!(
        c.trace().kind("invoke-failed").count(),
        1,
        "the function target had no DLQ"
    );
    let err = c
        .events()
        .add_target(
            &r,
            Target::queue(&gone)
                .id("x")
                .dead_letter_queue(&Queue::named("d.fifo")),
        )
        .unwrap_err();
    assert!(
        err.message.contains("standard SQS queue"),
        "{}",
        err.message
    );
}

#[test]
fn events_can_be_forwarded_to_another_bus() {
    let mut c = Cloud::new();
    let central = c.events().create_bus("central").unwrap();
    let q = c.sqs().create_queue("central-q").unwrap();
    let fwd = c
        .events()
        .put_rule("forward", Rule::pattern(json!({"source": ["shop"]})))
        .unwrap();
    c.events().add_target(&fwd, Target::bus(&central)).unwrap();
    let there = c
        .events()
        .put_rule(
            "there",
            Rule::pattern(json!({"detail-type": ["Sale"]})).on_bus(&central),
        )
        .unwrap();
    c.events().add_target(&there, Target::queue(&q)).unwrap();
    // A loop back to the default bus is refused at delivery.
    let back = c
        .events()
        .put_rule(
            "back",
            Rule::pattern(json!({"source": ["shop"]})).on_bus(&central),
        )
        .unwrap();
    c.events()
        .add_target(&back, Target::bus(&Bus::default_bus()))
        .unwrap();
    let id = c
        .events()
        .put_event(Event::new("shop", "Sale", json!({"n": 1})))
        .unwrap();
    let got = bodies(&mut c, &q);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["id"], id.as_str(), "forwarded as it is");
    assert!(
        c.trace()
            .kind("invoke-failed")
            .any(|e| e.detail.contains("loop"))
    );
    // The put and the forward are both custom events; the refused loop is not.
    assert_eq!(
        c.bill().line("events.custom.events").map(|l| l.units),
        Some(2.0)
    );
}

#[test]
fn archives_keep_events_and_replays_send_them_again() {
    let mut c = Cloud::new();
    let q = c.sqs().create_queue("orders").unwrap();
    let other = c.sqs().create_queue("other").unwrap();
    let r = c
        .events()
        .put_rule("orders", Rule::pattern(json!({"source": ["shop"]})))
        .unwrap();
    let r2 = c
        .events()
        .put_rule("other", Rule::pattern(json!({"source": ["shop"]})))
        .unwrap();
    c.events().add_target(&r, Target::queue(&q)).unwrap();
    c.events().add_target(&r2, Target::queue(&other)).unwrap();
    let archive = c
        .events()
        .create_archive(
            "shop-events",
            &Bus::default_bus(),
            Some(json!({"source": ["shop"]})),
            0,
        )
        .unwrap();
    for i in 0..3 {
        c.events()
            .put_event(Event::new("shop", "OrderPlaced", json!({"i": i})))
            .unwrap();
        c.events()
            .put_event(Event::new("noise", "Ignored", json!({})))
            .unwrap();
        c.advance(10.mins());
    }
    assert_eq!(c.events().archived(&archive).unwrap(), 3);
    bodies(&mut c, &q);
    bodies(&mut c, &other);
    // Replay the first 15 minutes (two events) to one rule only.
    c.events()
        .start_replay(
            "fix-1",
            &archive,
            SimTime::EPOCH,
            SimTime::EPOCH + 15.mins(),
            std::slice::from_ref(&r),
        )
        .unwrap();
    assert_eq!(
        c.events().replay_state("fix-1").unwrap(),
        ReplayState::Starting
    );
    c.run_until_idle();
    assert_eq!(
        c.events().replay_state("fix-1").unwrap(),
        ReplayState::Completed
    );
    let replayed = bodies(&mut c, &q);
    assert_eq!(replayed.len(), 2);
    assert!(replayed.iter().all(|e| e["replay-name"] == "fix-1"));
    assert!(
        bodies(&mut c, &other).is_empty(),
        "FilterArns limited the replay"
    );
    assert_eq!(
        c.events().archived(&archive).unwrap(),
        3,
        "replayed events are not archived again"
    );
    let d = c
        .call("events", "DescribeReplay", json!({"ReplayName": "fix-1"}))
        .unwrap();
    assert_eq!(d["State"], "COMPLETED");
    assert_eq!(d["Destination"]["FilterArns"][0], r.arn.as_str());
    let e = c
        .call(
            "events",
            "StartReplay",
            json!({"ReplayName": "future", "EventSourceArn": archive.arn, "EventStartTime": 0,
                   "EventEndTime": 4_000_000_000u64, "Destination": {"Arn": Bus::default_bus().arn}}),
        )
        .unwrap_err();
    assert!(e.message.contains("future"), "{}", e.message);
}

use cloudlab::events::ReplayState;

#[test]
fn s3_object_created_events_reach_the_default_bus() {
    let mut c = Cloud::new();
    let q = c.sqs().create_queue("uploads").unwrap();
    let b = c.s3().create_bucket("photos").unwrap();
    c.s3().set_eventbridge(&b, true).unwrap();
    let r = c
        .events()
        .put_rule(
            "jpegs",
            Rule::pattern(json!({
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {"bucket": {"name": ["photos"]}, "object": {"key": [{"suffix": ".jpg"}]}}
            })),
        )
        .unwrap();
    c.events()
        .add_target(&r, Target::queue(&q).input_path("$.detail.object.key"))
        .unwrap();
    c.s3().put_object(&b, "cat.jpg", "meow").unwrap();
    c.s3().put_object(&b, "notes.txt", "hi").unwrap();
    c.run_until_idle();
    assert_eq!(bodies(&mut c, &q), [json!("cat.jpg")]);
    assert!(
        c.bill().line("events.custom.events").is_none(),
        "AWS service events are free"
    );
}

#[test]
fn test_event_pattern_is_aws_shaped() {
    let mut c = Cloud::new();
    let event = json!({
        "id": "7bf73129-1428-4cd3-a780-95db273d1602", "detail-type": "EC2 Instance State-change Notification",
        "source": "aws.ec2", "account": "123456789012", "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
        "detail": {"instance-id": "i-abcd1111", "state": "pending"}
    })
    .to_string();
    let call = |c: &mut Cloud, pattern: &str, event: &str| {
        c.call(
            "events",
            "TestEventPattern",
            json!({"EventPattern": pattern, "Event": event}),
        )
    };
    let yes = call(
        &mut c,
        r#"{"source": ["aws.ec2"], "detail": {"state": ["pending"]}}"#,
        &event,
    )
    .unwrap();
    assert_eq!(yes, json!({"Result": true}));
    let no = call(
        &mut c,
        r#"{"detail": {"state": [{"anything-but": "pending"}]}}"#,
        &event,
    )
    .unwrap();
    assert_eq!(no, json!({"Result": false}));
    let e = call(&mut c, r#"{"source": "aws.ec2"}"#, &event).unwrap_err();
    assert_eq!(e.code, "InvalidEventPatternException");
    assert_eq!(
        e.message,
        "Event pattern is not valid. Reason: \"source\" must be an object or an array\n at [Source: (String)\"{\"source\": \"aws.ec2\"}\"; line: 1, column: 21]"
    );
    let e = call(&mut c, r#"{"source": ["x"]}"#, r#"{"source": "x"}"#).unwrap_err();
    assert_eq!(e.code, "ValidationException");
    assert!(
        e.message.starts_with("Parameter Event is not valid."),
        "{}",
        e.message
    );
    let e = c
        .call("events", "TestEventPattern", json!({"Event": event}))
        .unwrap_err();
    assert_eq!(
        e.message,
        "The request must contain the parameter EventPattern."
    );
}

#[test]
fn json_face_rules_targets_and_errors() {
    let mut c = Cloud::new();
    let out = c
        .call(
            "events",
            "PutRule",
            json!({"Name": "orders", "EventPattern": "{\"source\": [\"shop\"]}", "Description": "all shop events"}),
        )
        .unwrap();
    assert_eq!(
        out,
        json!({"RuleArn": "arn:aws:events:us-east-1:123456789012:rule/orders"})
    );
    let d = c
        .call("events", "DescribeRule", json!({"Name": "orders"}))
        .unwrap();
    assert_eq!(d["State"], "ENABLED");
    assert_eq!(d["EventBusName"], "default");
    assert_eq!(d["EventPattern"], "{\"source\": [\"shop\"]}");
    let e = c
        .call(
            "events",
            "PutRule",
            json!({"Name": "bad", "EventPattern": "{\"a\": [{\"contains\": \"x\"}]}"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidEventPatternException");
    assert!(
        e.message
            .starts_with("Event pattern is not valid. Reason: Unrecognized match type contains"),
        "{}",
        e.message
    );
    let e = c
        .call("events", "PutRule", json!({"Name": "none"}))
        .unwrap_err();
    assert_eq!(
        e.message,
        "Parameter(s) EventPattern or ScheduleExpression must be specified."
    );
    let e = c
        .call(
            "events",
            "PutRule",
            json!({"Name": "has space", "ScheduleExpression": "rate(1 day)"}),
        )
        .unwrap_err();
    assert!(
        e.message.contains("at 'name' failed to satisfy constraint"),
        "{}",
        e.message
    );
    let targets: Vec<Value> = (0..6)
        .map(|i| json!({"Id": format!("t{i}"), "Arn": format!("arn:aws:sqs:us-east-1:123456789012:q{i}")}))
        .collect();
    let e = c
        .call(
            "events",
            "PutTargets",
            json!({"Rule": "orders", "Targets": targets}),
        )
        .unwrap_err();
    assert_eq!(e.code, "LimitExceededException");
    let ok = c
        .call(
            "events",
            "PutTargets",
            json!({"Rule": "orders", "Targets": targets[..5].to_vec()}),
        )
        .unwrap();
    assert_eq!(ok, json!({"FailedEntryCount": 0, "FailedEntries": []}));
    let listed = c
        .call(
            "events",
            "ListTargetsByRule",
            json!({"Rule": "orders", "Limit": 2}),
        )
        .unwrap();
    assert_eq!(listed["Targets"].as_array().unwrap().len(), 2);
    assert_eq!(listed["NextToken"], "2");
    let e = c
        .call("events", "DeleteRule", json!({"Name": "orders"}))
        .unwrap_err();
    assert_eq!(e.message, "Rule can't be deleted since it has targets.");
    let removed = c
        .call(
            "events",
            "RemoveTargets",
            json!({"Rule": "orders", "Ids": ["t0", "t1", "t2", "t3", "t4", "t9"]}),
        )
        .unwrap();
    assert_eq!(removed["FailedEntryCount"], 1);
    assert_eq!(removed["FailedEntries"][0]["TargetId"], "t9");
    c.call("events", "DeleteRule", json!({"Name": "orders"}))
        .unwrap();
    let e = c
        .call("events", "DescribeRule", json!({"Name": "orders"}))
        .unwrap_err();
    assert_eq!(e.code, "ResourceNotFoundException");
    assert_eq!(e.message, "Rule orders does not exist on EventBus default.");
    let e = c
        .call("events", "CreateEventBus", json!({"Name": "default"}))
        .unwrap_err();
    assert_eq!(e.code, "ValidationException");
    c.call("events", "CreateEventBus", json!({"Name": "orders"}))
        .unwrap();
    let e = c
        .call("events", "CreateEventBus", json!({"Name": "orders"}))
        .unwrap_err();
    assert_eq!(e.code, "ResourceAlreadyExistsException");
    let buses = c.call("events", "ListEventBuses", json!({})).unwrap();
    assert_eq!(buses["EventBuses"].as_array().unwrap().len(), 2);
    let e = c.call("events", "PutRul", json!({})).unwrap_err();
    assert!(
        e.message.ends_with("Did you mean PutRule?"),
        "{}",
        e.message
    );
}

#[test]
fn views_show_buses_rules_and_the_diagram_edges() {
    let mut c = Cloud::new();
    let q = c.sqs().create_queue("q").unwrap();
    let r = c
        .events()
        .put_rule("to-q", Rule::pattern(json!({"source": ["s"]})))
        .unwrap();
    c.events().add_target(&r, Target::queue(&q)).unwrap();
    let s = c
        .events()
        .put_rule("tick", Rule::schedule("rate(1 hour)"))
        .unwrap();
    c.events()
        .add_target(&s, Target::queue(&q).id("tick"))
        .unwrap();
    let html = c.events().view().to_html();
    assert!(
        html.contains("Event bus default") && html.contains("to-q"),
        "{html}"
    );
    let d = c.diagram();
    assert!(d.edges.iter().any(|e| e.to == q.arn && e.label == "to-q"));
    assert!(d.nodes.iter().any(|n| n.label == "rate(1 hour)"));
    assert!(c.to_html().contains("EventBridge rules"));
}

#[test]
fn rules_start_state_machines_and_executions_report_their_status() {
    let mut c = Cloud::new();
    let ok = c
        .states()
        .create_state_machine(
            "fulfil",
            json!({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}}),
        )
        .unwrap();
    let broken = c
        .states()
        .create_state_machine(
            "broken",
            json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "bad order"}}}),
        )
        .unwrap();
    let r = c
        .events()
        .put_rule("orders", Rule::pattern(json!({"source": ["shop"]})))
        .unwrap();
    c.events()
        .add_target(&r, Target::state_machine(&ok).input_path("$.detail"))
        .unwrap();
    c.events()
        .add_target(&r, Target::state_machine(&broken))
        .unwrap();
    let watch = c.sqs().create_queue("watch").unwrap();
    let w = c
        .events()
        .put_rule(
            "finished",
            Rule::pattern(json!({
                "source": ["aws.states"],
                "detail-type": ["Step Functions Execution Status Change"],
                "detail": {"status": ["SUCCEEDED", "FAILED"]}
            })),
        )
        .unwrap();
    c.events()
        .add_target(&w, Target::queue(&watch).input_path("$.detail"))
        .unwrap();
    c.events()
        .put_event(Event::new("shop", "OrderPlaced", json!({"id": 7})))
        .unwrap();
    c.run_until_idle();
    let mut got = bodies(&mut c, &watch);
    got.sort_by_key(|d| d["status"].as_str().unwrap().to_string());
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["status"], "FAILED");
    assert_eq!(got[0]["error"], "Oops");
    assert_eq!(got[0]["stateMachineArn"], broken.arn.as_str());
    assert_eq!(got[1]["status"], "SUCCEEDED");
    assert_eq!(got[1]["output"], r#"{"id":7}"#);
    assert!(got[1]["stopDate"].is_u64());
    // One PutEvents event and four status changes (two RUNNING, two final).
    let bus = c.events().bus_stats(&Bus::default_bus()).unwrap();
    assert_eq!(bus.events, 5);
    assert_eq!(
        c.bill().line("events.custom.events").map(|l| l.units),
        Some(1.0)
    );
}

mod fuzz {
    //! Any JSON for any EventBridge operation gets a response or an
    //! AWS-shaped error, never a panic, on an account with a bus, rules,
    //! targets and an archive to trip over.

    use cloudlab::prelude::*;
    use proptest::prelude::*;

    fn member() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "Name",
            "EventBusName",
            "EventPattern",
            "ScheduleExpression",
            "State",
            "Rule",
            "Targets",
            "Id",
            "Arn",
            "Input",
            "InputPath",
            "InputTransformer",
            "InputPathsMap",
            "InputTemplate",
            "RetryPolicy",
            "MaximumRetryAttempts",
            "MaximumEventAgeInSeconds",
            "DeadLetterConfig",
            "SqsParameters",
            "MessageGroupId",
            "Ids",
            "Entries",
            "Source",
            "DetailType",
            "Detail",
            "Time",
            "Resources",
            "Event",
            "ArchiveName",
            "EventSourceArn",
            "RetentionDays",
            "ReplayName",
            "EventStartTime",
            "EventEndTime",
            "Destination",
            "FilterArns",
            "Limit",
            "NextToken",
            "NamePrefix",
            "TargetArn",
        ])
        .prop_map(String::from)
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("default".to_string()),
            Just("shop".to_string()),
            Just("r".to_string()),
            Just("arn:aws:sqs:us-east-1:123456789012:q".to_string()),
            Just("arn:aws:events:us-east-1:123456789012:event-bus/shop".to_string()),
            Just("arn:aws:events:us-east-1:123456789012:archive/a".to_string()),
            Just("rate(5 minutes)".to_string()),
            Just("cron(0 2 ? * MON *)".to_string()),
            Just(r#"{"source": ["s"]}"#.to_string()),
            Just(r#"{"detail": {"n": [{"numeric": [">", 1]}]}}"#.to_string()),
            Just("$.detail".to_string()),
            "\\PC{0,20}",
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            text().prop_map(Value::String),
            any::<i64>().prop_map(|n| json!(n)),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
        ];
        leaf.prop_recursive(3, 24, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(member(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn account() -> Cloud {
        let mut c = Cloud::new();
        let shop = c.events().create_bus("shop").unwrap();
        let q = c.sqs().create_queue("q").unwrap();
        let r = c
            .events()
            .put_rule("r", Rule::pattern(json!({"source": ["s"]})).on_bus(&shop))
            .unwrap();
        c.events().add_target(&r, Target::queue(&q)).unwrap();
        c.events().create_archive("a", &shop, None, 0).unwrap();
        c
    }

    /// JSON-ish text from pattern-language tokens.
    fn pattern_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "{",
                "}",
                "[",
                "]",
                ",",
                ":",
                "\"source\"",
                "\"detail\"",
                "\"numeric\"",
                "\"prefix\"",
                "\"anything-but\"",
                "\"exists\"",
                "\"$or\"",
                "\"wildcard\"",
                "\"s\"",
                "\">\"",
                "\"<=\"",
                "1",
                "-2.5e3",
                "true",
                "null",
                "\"a**\"",
            ]),
            0..24,
        )
        .prop_map(|t| t.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn well_formed_requests_with_odd_contents_get_answers(
            pattern in pattern_text(),
            template in "[<>a-z.\"{}: ]{0,30}",
            detail in pattern_text(),
            path in "[$.a-z\\[\\]0-9']{0,12}",
            start in 0u64..4_000_000_000,
            end in 0u64..4_000_000_000,
        ) {
            let mut c = account();
            let calls = [
                ("PutRule", json!({"Name": "p", "EventPattern": pattern, "EventBusName": "shop"})),
                ("TestEventPattern", json!({"EventPattern": pattern, "Event": detail})),
                ("PutTargets", json!({"Rule": "r", "EventBusName": "shop", "Targets": [
                    {"Id": "t", "Arn": "arn:aws:sqs:us-east-1:123456789012:q",
                     "InputTransformer": {"InputPathsMap": {"v": path}, "InputTemplate": template}}]})),
                ("PutTargets", json!({"Rule": "r", "EventBusName": "shop", "Targets": [
                    {"Id": "u", "Arn": "arn:aws:sqs:us-east-1:123456789012:q", "InputPath": path}]})),
                ("PutEvents", json!({"Entries": [
                    {"Source": "s", "DetailType": "t", "Detail": detail, "EventBusName": "shop"},
                    {"Source": "s", "DetailType": "t", "Detail": "{\"v\": [1, {\"a\": null}]}", "EventBusName": "shop"}]})),
                ("StartReplay", json!({"ReplayName": "x", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:archive/a",
                    "EventStartTime": start, "EventEndTime": end,
                    "Destination": {"Arn": "arn:aws:events:us-east-1:123456789012:event-bus/shop"}})),
            ];
            for (op, params) in calls {
                if let Err(e) = c.call("events", op, params) {
                    prop_assert!(!e.code.is_empty() && !e.message.is_empty(), "{op}: {e:?}");
                }
            }
            c.advance(2.mins());
        }

        #[test]
        fn any_request_gets_an_answer(
            op in prop::sample::select(cloudlab::events::api::OPERATIONS),
            params in prop::collection::btree_map(member(), value(), 0..6),
        ) {
            let mut c = account();
            let params = Value::Object(params.into_iter().collect());
            if let Err(e) = c.call("events", op, params) {
                prop_assert!(!e.code.is_empty() && !e.message.is_empty(), "{op}: {e:?}");
            }
            c.advance(2.mins());
        }
    }
}

//! SNS behaviour: fan-out, protocols, confirmation, retries, DLQs, FIFO.

use std::sync::{Arc, Mutex};

use cloudlab::prelude::*;

#[test]
fn fans_out_to_every_queue_with_envelope_or_raw() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("orders").unwrap();
    let a = c.sqs().create_queue("a").unwrap();
    let b = c.sqs().create_queue("b").unwrap();
    c.sns().subscribe_queue(&t, &a).unwrap();
    c.sns().subscribe_queue_raw(&t, &b).unwrap();
    let out = c
        .sns()
        .publish(
            &t,
            Publish::new("order 1")
                .subject("New order")
                .attr("kind", "book"),
        )
        .unwrap();
    let env: Value = serde_json::from_str(&c.sqs().receive(&a, 1).unwrap()[0].body).unwrap();
    assert_eq!(env["Type"], "Notification");
    assert_eq!(env["Message"], "order 1");
    assert_eq!(env["Subject"], "New order");
    assert_eq!(env["MessageId"], out.message_id.as_str());
    assert_eq!(env["TopicArn"], t.arn.as_str());
    assert_eq!(env["MessageAttributes"]["kind"]["Value"], "book");
    let raw = c.sqs().receive(&b, 1).unwrap();
    assert_eq!(raw[0].body, "order 1");
    assert_eq!(
        raw[0].attr("kind"),
        Some("book"),
        "raw delivery keeps attributes"
    );
    assert_eq!(c.sns().stats(&t).unwrap().delivered, 2);
}

#[test]
fn lambda_subscribers_get_the_sns_event_when_time_moves() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("t").unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let f = c
        .lambda()
        .create_function(
            "on-order",
            Function::new(move |event, _ctx| {
                let rec = &event["Records"][0];
                assert_eq!(rec["EventSource"], "aws:sns");
                s.lock()
                    .unwrap()
                    .push(rec["Sns"]["Message"].as_str().unwrap().to_string());
                Ok(json!({}))
            }),
        )
        .unwrap();
    c.sns().subscribe_lambda(&t, &f).unwrap();
    c.sns().publish(&t, "hello").unwrap();
    assert!(seen.lock().unwrap().is_empty());
    c.run_until_idle();
    assert_eq!(*seen.lock().unwrap(), vec!["hello"]);
}

#[test]
fn http_endpoints_are_retried_three_times_twenty_seconds_apart() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("t").unwrap();
    let url = "https://hooks.example.com/orders";
    let calls = Arc::new(Mutex::new(0));
    let k = Arc::clone(&calls);
    c.serve_http(url, move |req| {
        if req.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation" {
            return 200;
        }
        *k.lock().unwrap() += 1;
        500
    });
    let sub = c.sns().subscribe_http(&t, url).unwrap();
    assert!(!sub.pending, "a listening endpoint confirms by itself");
    c.sns().publish(&t, "x").unwrap();
    c.run_until_idle();
    assert_eq!(*calls.lock().unwrap(), 4, "first attempt + 3 retries");
    assert_eq!(c.elapsed(), 60.secs());
    assert_eq!(c.sns().stats(&t).unwrap().dropped, 1);
    assert_eq!(c.trace().kind("retry").count(), 3);
}

#[test]
fn client_errors_go_straight_to_the_subscription_dlq() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("t").unwrap();
    let dlq = c.sqs().create_queue("sub-dlq").unwrap();
    let q = c.sqs().create_queue("gone").unwrap();
    let sub = c.sns().subscribe_queue(&t, &q).unwrap();
    c.sns().set_dead_letter_queue(&sub, &dlq).unwrap();
    c.sqs().delete_queue(&q).unwrap();
    c.sns().publish(&t, "lost?").unwrap();
    let dead = c.sqs().receive(&dlq, 1).unwrap();
    assert_eq!(dead.len(), 1, "not lost: in the subscription DLQ");
    assert!(
        dead[0]
            .attr("ErrorMessage")
            .unwrap()
            .contains("does not exist")
    );
    assert_eq!(c.sns().stats(&t).unwrap().dead_lettered, 1);
}

#[test]
fn email_waits_for_confirmation() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("alerts").unwrap();
    let sub = c.sns().subscribe_email(&t, "ops@example.com").unwrap();
    assert!(sub.pending);
    assert!(
        c.inbox("ops@example.com")[0]
            .body
            .contains("To confirm this subscription")
    );
    c.sns().publish(&t, "first").unwrap();
    assert_eq!(
        c.inbox("ops@example.com").len(),
        1,
        "nothing delivered while pending"
    );
    c.sns().confirm(&sub).unwrap();
    c.sns()
        .publish(&t, Publish::new("second").subject("Disk full"))
        .unwrap();
    let inbox = c.inbox("ops@example.com");
    assert_eq!(inbox.len(), 2);
    assert_eq!(inbox[1].subject.as_deref(), Some("Disk full"));
    assert_eq!(inbox[1].body, "second");
}

#[test]
fn sms_and_per_protocol_messages() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("t").unwrap();
    let q = c.sqs().create_queue("q").unwrap();
    c.sns().subscribe_sms(&t, "+15555550100").unwrap();
    c.sns().subscribe_queue_raw(&t, &q).unwrap();
    c.sns()
        .publish(
            &t,
            Publish::new("long text for machines").for_protocol("sms", "short"),
        )
        .unwrap();
    assert_eq!(c.phone("+15555550100")[0].body, "short");
    assert_eq!(
        c.sqs().receive(&q, 1).unwrap()[0].body,
        "long text for machines"
    );
}

#[test]
fn fifo_topic_to_fifo_queue_keeps_order_and_dedups() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("orders.fifo").unwrap();
    let q = c.sqs().create_queue("orders.fifo").unwrap();
    c.sns().subscribe_queue_raw(&t, &q).unwrap();
    for (i, dedup) in ["a", "b", "a", "c"].iter().enumerate() {
        c.sns()
            .publish(&t, Publish::new(format!("m{i}")).group("g").dedup_id(dedup))
            .unwrap();
    }
    let got = c.sqs().receive(&q, Receive::max(10)).unwrap();
    let bodies: Vec<&str> = got.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["m0", "m1", "m3"]);
    let f = c.lambda().create_function("f", Function::echo()).unwrap();
    let err = c.sns().subscribe_lambda(&t, &f).unwrap_err();
    assert_eq!(err.code, "InvalidParameter");
    let err = c.sns().publish(&t, "no group").unwrap_err();
    assert_eq!(err.code, "InvalidParameter");
}

#[test]
fn publish_validation() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("t").unwrap();
    assert!(c.sns().publish(&t, "x".repeat(262_144)).is_ok());
    let err = c.sns().publish(&t, "x".repeat(262_145)).unwrap_err();
    assert!(err.message.contains("Message too long"), "{}", err.message);
    assert_eq!(
        c.sns().publish(&t, "").unwrap_err().code,
        "InvalidParameter"
    );
    let err = c
        .sns()
        .publish(&t, Publish::new("x").subject("line\nbreak"))
        .unwrap_err();
    assert!(err.message.contains("Subject"));
    let missing = Topic::named("missing");
    assert_eq!(c.sns().publish(&missing, "x").unwrap_err().code, "NotFound");
}

#[test]
fn attribute_filter_policies_route_messages() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("orders").unwrap();
    let books = c.sqs().create_queue("books").unwrap();
    let big = c.sqs().create_queue("big").unwrap();
    let all = c.sqs().create_queue("all").unwrap();
    let s1 = c.sns().subscribe_queue_raw(&t, &books).unwrap();
    let s2 = c.sns().subscribe_queue_raw(&t, &big).unwrap();
    c.sns().subscribe_queue_raw(&t, &all).unwrap();
    c.sns()
        .set_filter_policy(
            &s1,
            json!({"kind": ["book"], "store": [{"anything-but": "test"}]}),
        )
        .unwrap();
    c.sns()
        .set_filter_policy(&s2, json!({"total": [{"numeric": [">=", 100]}]}))
        .unwrap();
    let sends = [
        Publish::new("m1")
            .attr("kind", "book")
            .attr("store", "main")
            .number("total", 20),
        Publish::new("m2")
            .attr("kind", "book")
            .attr("store", "test")
            .number("total", 500),
        Publish::new("m3").attr("kind", "toy").number("total", 100),
        Publish::new("m4").attr("total", "100"),
        Publish::new("m5"),
    ];
    for p in sends {
        c.sns().publish(&t, p).unwrap();
    }
    let bodies = |c: &mut Cloud, q: &Queue| -> Vec<String> {
        let mut got: Vec<String> = c
            .sqs()
            .receive(q, Receive::max(10))
            .unwrap()
            .into_iter()
            .map(|m| m.body)
            .collect();
        got.sort();
        got
    };
    assert_eq!(bodies(&mut c, &books), ["m1"]);
    assert_eq!(
        bodies(&mut c, &big),
        ["m2", "m3"],
        "a String attribute is no number"
    );
    assert_eq!(bodies(&mut c, &all).len(), 5);
    let stats = c.sns().stats(&t).unwrap();
    assert_eq!(stats.delivered, 1 + 2 + 5);
    assert_eq!(stats.filtered_out, 4 + 3);
    assert_eq!(c.trace().kind("filtered-out").count(), 7);
}

#[test]
fn filtered_out_messages_are_not_billed_as_deliveries() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("alerts").unwrap();
    let url = "https://hooks.example.com/alerts";
    c.serve_http(url, |_| 200);
    let sub = c.sns().subscribe_http(&t, url).unwrap();
    c.sns()
        .set_filter_policy(&sub, json!({"severity": ["high"]}))
        .unwrap();
    for sev in ["low", "high", "low", "low"] {
        c.sns()
            .publish(&t, Publish::new("disk").attr("severity", sev))
            .unwrap();
    }
    let bill = c.bill();
    assert_eq!(bill.line("sns.http.deliveries").map(|l| l.units), Some(1.0));
    assert_eq!(
        bill.line("sns.publish.requests").map(|l| l.units),
        Some(4.0)
    );
    let posts = c.http_requests(url);
    assert_eq!(
        posts
            .iter()
            .filter(|r| r.headers["x-amz-sns-message-type"] == "Notification")
            .count(),
        1
    );
}

#[test]
fn body_filter_policies_read_nested_json() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("orders").unwrap();
    let eu = c.sqs().create_queue("eu-orders").unwrap();
    let sub = c.sns().subscribe_queue_raw(&t, &eu).unwrap();
    c.sns()
        .set_body_filter_policy(
            &sub,
            json!({"order": {"region": [{"prefix": "eu-"}], "items": {"sku": [{"wildcard": "book-*"}]}}}),
        )
        .unwrap();
    let msgs = [
        json!({"order": {"region": "eu-west-1", "items": [{"sku": "toy-1"}, {"sku": "book-7"}]}}),
        json!({"order": {"region": "us-east-1", "items": [{"sku": "book-1"}]}}),
        json!({"order": {"region": "eu-north-1", "items": [{"sku": "toy-2"}]}}),
    ];
    for m in msgs {
        c.sns().publish(&t, m).unwrap();
    }
    c.sns().publish(&t, "not json at all").unwrap();
    let got = c.sqs().receive(&eu, Receive::max(10)).unwrap();
    assert_eq!(got.len(), 1);
    assert!(got[0].body.contains("book-7"));
    assert_eq!(c.sns().stats(&t).unwrap().filtered_out, 3);
    // Lambda subscribers are filtered too, before the function is queued.
    let f = c.lambda().create_function("f", Function::echo()).unwrap();
    let ls = c.sns().subscribe_lambda(&t, &f).unwrap();
    c.sns()
        .set_body_filter_policy(&ls, json!({"order": {"region": ["nowhere"]}}))
        .unwrap();
    c.sns()
        .publish(&t, json!({"order": {"region": "eu-west-1"}}))
        .unwrap();
    c.run_until_idle();
    assert_eq!(
        c.trace().kind("queued").count(),
        0,
        "never queued for the function"
    );
    // Both subscriptions reject that last message (it has no book items).
    assert_eq!(c.sns().stats(&t).unwrap().filtered_out, 3 + 2);
}

#[test]
fn bad_filter_policies_get_sns_errors() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("t").unwrap();
    let q = c.sqs().create_queue("q").unwrap();
    let subscribe = |c: &mut Cloud, attrs: Value| {
        c.call(
            "sns",
            "Subscribe",
            json!({"TopicArn": t.arn, "Protocol": "sqs", "Endpoint": q.arn, "Attributes": attrs}),
        )
    };
    let e = subscribe(&mut c, json!({"FilterPolicy": r#"{"kind": "book"}"#})).unwrap_err();
    assert_eq!(e.code, "InvalidParameter");
    assert_eq!(
        e.message,
        "Invalid parameter: Attributes Reason: FilterPolicy: \"kind\" must be an object or an array"
    );
    let six = r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}"#;
    let e = subscribe(&mut c, json!({"FilterPolicy": six})).unwrap_err();
    assert!(
        e.message
            .ends_with("Filter policy can not have more than 5 keys"),
        "{}",
        e.message
    );
    let e = subscribe(&mut c, json!({"FilterPolicy": r#"{"a": {"b": ["c"]}}"#})).unwrap_err();
    assert!(
        e.message.contains("does not support nested filter policy"),
        "{}",
        e.message
    );
    let e = subscribe(&mut c, json!({"FilterPolicyScope": "Body"})).unwrap_err();
    assert!(e.message.contains("FilterPolicyScope"), "{}", e.message);
    let ok = subscribe(
        &mut c,
        json!({"FilterPolicy": r#"{"a": {"b": ["c"]}}"#, "FilterPolicyScope": "MessageBody"}),
    )
    .unwrap();
    let arn = ok["SubscriptionArn"].as_str().unwrap().to_string();
    let attrs = c
        .call(
            "sns",
            "GetSubscriptionAttributes",
            json!({"SubscriptionArn": arn}),
        )
        .unwrap();
    assert_eq!(attrs["Attributes"]["FilterPolicyScope"], "MessageBody");
    assert_eq!(
        attrs["Attributes"]["FilterPolicy"],
        r#"{"a": {"b": ["c"]}}"#
    );
    // Switching the scope back would leave a nested attribute policy: refused.
    let e = c
        .call(
            "sns",
            "SetSubscriptionAttributes",
            json!({"SubscriptionArn": arn, "AttributeName": "FilterPolicyScope", "AttributeValue": "MessageAttributes"}),
        )
        .unwrap_err();
    assert_eq!(
        e.message,
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
    );
    let e = c
        .call(
            "sns",
            "SetSubscriptionAttributes",
            json!({"SubscriptionArn": arn, "AttributeName": "FilterPolicy", "AttributeValue": r#"{"n": [{"numeric": [">", 1, "<", 0]}]}"#}),
        )
        .unwrap_err();
    assert_eq!(
        e.message,
        "Invalid parameter: FilterPolicy: Bottom must be less than top"
    );
    // Removing the policy delivers everything again.
    c.call(
        "sns",
        "SetSubscriptionAttributes",
        json!({"SubscriptionArn": arn, "AttributeName": "FilterPolicy", "AttributeValue": ""}),
    )
    .unwrap();
    c.sns().publish(&t, "anything").unwrap();
    assert_eq!(c.sqs().receive(&q, Receive::max(10)).unwrap().len(), 1);
}

#[test]
fn json_face_subscribe_confirm_list() {
    let mut c = Cloud::new();
    let arn = c.call("sns", "CreateTopic", json!({"Name": "t"})).unwrap()["TopicArn"]
        .as_str()
        .unwrap()
        .to_string();
    let out = c
        .call(
            "sns",
            "Subscribe",
            json!({"TopicArn": arn, "Protocol": "email", "Endpoint": "a@example.com"}),
        )
        .unwrap();
    assert_eq!(out["SubscriptionArn"], "pending confirmation");
    let mail = c.inbox("a@example.com")[0].body.clone();
    let token = mail.rsplit("Token: ").next().unwrap().trim().to_string();
    let confirmed = c
        .call(
            "sns",
            "ConfirmSubscription",
            json!({"TopicArn": arn, "Token": token}),
        )
        .unwrap();
    assert!(
        confirmed["SubscriptionArn"]
            .as_str()
            .unwrap()
            .starts_with(&arn)
    );
    let subs = c
        .call("sns", "ListSubscriptionsByTopic", json!({"TopicArn": arn}))
        .unwrap();
    assert_eq!(subs["Subscriptions"][0]["Protocol"], "email");
    let attrs = c
        .call("sns", "GetTopicAttributes", json!({"TopicArn": arn}))
        .unwrap();
    assert_eq!(attrs["Attributes"]["SubscriptionsConfirmed"], "1");
    let err = c
        .call(
            "sns",
            "Subscribe",
            json!({"TopicArn": arn, "Protocol": "carrier-pigeon", "Endpoint": "x"}),
        )
        .unwrap_err();
    assert_eq!(err.code, "InvalidParameter");
}

#[test]
fn more_than_ten_attributes_travel_in_the_envelope_but_not_raw_to_sqs() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("t").unwrap();
    let enveloped = c.sqs().create_queue("enveloped").unwrap();
    let raw = c.sqs().create_queue("raw").unwrap();
    let dlq = c.sqs().create_queue("raw-dlq").unwrap();
    c.sns().subscribe_queue(&t, &enveloped).unwrap();
    let raw_sub = c.sns().subscribe_queue_raw(&t, &raw).unwrap();
    c.sns().set_dead_letter_queue(&raw_sub, &dlq).unwrap();
    let mut p = Publish::new("twelve");
    for i in 0..12 {
        p = p.attr(&format!("a{i}"), "x");
    }
    c.sns().publish(&t, p).unwrap();
    let env: Value =
        serde_json::from_str(&c.sqs().receive(&enveloped, 1).unwrap()[0].body).unwrap();
    assert_eq!(env["MessageAttributes"].as_object().unwrap().len(), 12);
    assert!(
        c.sqs().receive(&raw, 1).unwrap().is_empty(),
        "a client-side error"
    );
    let dead = c.sqs().receive(&dlq, 1).unwrap();
    assert_eq!(dead.len(), 1, "not lost: in the subscription DLQ");
    assert!(dead[0].body.contains("twelve"));
    assert!(dead[0].attr("ErrorMessage").unwrap().contains("at most 10"));
}

#[test]
fn raw_delivery_is_for_queues_and_http_only() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("t").unwrap();
    let f = c.lambda().create_function("f", Function::echo()).unwrap();
    let sub = c.sns().subscribe_lambda(&t, &f).unwrap();
    let e = c
        .sns()
        .set_subscription_attribute(&sub, "RawMessageDelivery", "true")
        .unwrap_err();
    assert_eq!(e.code, "InvalidParameter");
    assert!(e.message.contains("[lambda]"), "{}", e.message);
    c.sns()
        .set_subscription_attribute(&sub, "RawMessageDelivery", "false")
        .unwrap();
}

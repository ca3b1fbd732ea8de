//! SNS behaviour: fan-out, protocols, confirmation, retries, DLQs, FIFO.

use std::collections::BTreeMap;
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
fn filter_policies_are_refused_until_supported() {
    let mut c = Cloud::new();
    let t = c.sns().create_topic("t").unwrap();
    let q = c.sqs().create_queue("q").unwrap();
    let mut attrs = BTreeMap::new();
    attrs.insert(
        "FilterPolicy".to_string(),
        r#"{"kind": ["book"]}"#.to_string(),
    );
    let err = c.sns().subscribe(&t, "sqs", &q.arn, attrs).unwrap_err();
    assert!(err.message.contains("not supported"), "{}", err.message);
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

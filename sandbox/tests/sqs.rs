//! SQS behaviour, through the typed face and the AWS-shaped face.

use cloudlab::prelude::*;
use cloudlab::sqs::QueueCounts;

fn cloud() -> Cloud {
    Cloud::new()
}

#[test]
fn received_message_reappears_after_visibility_timeout() {
    let mut c = cloud();
    let q = c
        .sqs()
        .create_queue_with("q", QueueOptions::new().visibility_timeout(30.secs()))
        .unwrap();
    c.sqs().send(&q, "hello").unwrap();
    let first = c.sqs().receive(&q, Receive::max(10)).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].receive_count(), 1);
    c.advance(29.secs());
    assert!(c.sqs().receive(&q, Receive::max(10)).unwrap().is_empty());
    c.advance(1.secs());
    let again = c.sqs().receive(&q, Receive::max(10)).unwrap();
    assert_eq!(again[0].message_id, first[0].message_id);
    assert_eq!(again[0].receive_count(), 2);
    assert_ne!(again[0].receipt_handle, first[0].receipt_handle);
}

#[test]
fn stale_receipt_handle_succeeds_without_deleting() {
    let mut c = cloud();
    let q = c
        .sqs()
        .create_queue_with("q", QueueOptions::new().visibility_timeout(5.secs()))
        .unwrap();
    c.sqs().send(&q, "x").unwrap();
    let old = c.sqs().receive(&q, 1).unwrap();
    c.advance(6.secs());
    let new = c.sqs().receive(&q, 1).unwrap();
    c.sqs().delete(&q, &old[0]).unwrap();
    assert_eq!(
        c.sqs().counts(&q).unwrap().in_flight,
        1,
        "old handle deleted nothing"
    );
    c.sqs().delete(&q, &new[0]).unwrap();
    assert_eq!(c.sqs().counts(&q).unwrap(), QueueCounts::default());
    let err = c.sqs().delete(&q, "AQEBgarbage").unwrap_err();
    assert_eq!(err.code, "ReceiptHandleIsInvalid");
}

#[test]
fn handle_from_another_queue_is_invalid() {
    let mut c = cloud();
    let a = c.sqs().create_queue("a").unwrap();
    let b = c.sqs().create_queue("b").unwrap();
    c.sqs().send(&a, "x").unwrap();
    let m = c.sqs().receive(&a, 1).unwrap();
    assert_eq!(
        c.sqs().delete(&b, &m[0]).unwrap_err().code,
        "ReceiptHandleIsInvalid"
    );
}

#[test]
fn change_visibility_shows_or_hides_a_message() {
    let mut c = cloud();
    let q = c.sqs().create_queue("q").unwrap();
    c.sqs().send(&q, "x").unwrap();
    let m = c.sqs().receive(&q, 1).unwrap();
    c.sqs().change_visibility(&q, &m[0], 0.secs()).unwrap();
    let m2 = c.sqs().receive(&q, 1).unwrap();
    assert_eq!(m2.len(), 1);
    c.sqs().change_visibility(&q, &m2[0], 120.secs()).unwrap();
    c.advance(100.secs());
    assert!(c.sqs().receive(&q, 1).unwrap().is_empty());
    c.advance(21.secs());
    let m3 = c.sqs().receive(&q, 1).unwrap();
    c.sqs().delete(&q, &m3[0]).unwrap();
    let err = c
        .sqs()
        .change_visibility(&q, &m3[0], 10.secs())
        .unwrap_err();
    assert_eq!(err.code, "MessageNotInflight");
    assert!(
        c.sqs()
            .change_visibility(&q, &m3[0], 43_201.secs())
            .is_err()
    );
}

#[test]
fn fifo_keeps_group_order_and_blocks_a_group_in_flight() {
    let mut c = cloud();
    let q = c
        .sqs()
        .create_queue_with("orders.fifo", QueueOptions::new().content_based_dedup())
        .unwrap();
    for (g, body) in [
        ("a", "a1"),
        ("b", "b1"),
        ("a", "a2"),
        ("b", "b2"),
        ("a", "a3"),
    ] {
        c.sqs().send(&q, Msg::new(body).group(g)).unwrap();
    }
    let first = c.sqs().receive(&q, Receive::max(2)).unwrap();
    let bodies: Vec<&str> = first.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["a1", "a2"], "messages of one group, in order");
    let second = c.sqs().receive(&q, Receive::max(10)).unwrap();
    let bodies: Vec<&str> = second.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["b1", "b2"],
        "group a is blocked while a1/a2 are in flight"
    );
    assert!(c.sqs().receive(&q, Receive::max(10)).unwrap().is_empty());
    for m in first.iter() {
        c.sqs().delete(&q, m).unwrap();
    }
    let third = c.sqs().receive(&q, Receive::max(10)).unwrap();
    assert_eq!(third[0].body, "a3");
    let seqs: Vec<u128> = first
        .iter()
        .chain(second.iter())
        .map(|m| {
            m.attributes
                .sequence_number
                .as_ref()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(seqs.iter().all(|s| *s > 0));
}

#[test]
fn fifo_deduplicates_for_five_minutes() {
    let mut c = cloud();
    let q = c.sqs().create_queue("pay.fifo").unwrap();
    let one = c
        .sqs()
        .send(&q, Msg::new("x").group("g").dedup_id("d1"))
        .unwrap();
    let dup = c
        .sqs()
        .send(&q, Msg::new("y").group("g").dedup_id("d1"))
        .unwrap();
    assert_eq!(one.message_id, dup.message_id);
    assert_eq!(c.sqs().counts(&q).unwrap().visible, 1);
    c.advance(5.mins());
    c.sqs()
        .send(&q, Msg::new("z").group("g").dedup_id("d1"))
        .unwrap();
    assert_eq!(c.sqs().counts(&q).unwrap().visible, 2);
    let err = c
        .sqs()
        .send(&q, Msg::new("no dedup id").group("g"))
        .unwrap_err();
    assert_eq!(err.code, "InvalidParameterValue");
    let err = c
        .sqs()
        .send(&q, Msg::new("no group").dedup_id("d9"))
        .unwrap_err();
    assert_eq!(err.code, "MissingParameter");
    let err = c
        .sqs()
        .send(&q, Msg::new("t").group("g").dedup_id("d2").delay(5.secs()))
        .unwrap_err();
    assert_eq!(err.code, "InvalidParameterValue");
}

#[test]
fn poison_message_moves_to_dlq_and_redrives_back() {
    let mut c = cloud();
    let dlq = c.sqs().create_queue("dlq").unwrap();
    let q = c
        .sqs()
        .create_queue_with(
            "work",
            QueueOptions::new()
                .visibility_timeout(10.secs())
                .dead_letter_queue(&dlq, 3),
        )
        .unwrap();
    let sent = c.sqs().send(&q, "poison").unwrap();
    for _ in 0..3 {
        assert_eq!(c.sqs().receive(&q, 1).unwrap().len(), 1);
        c.advance(10.secs());
    }
    assert!(c.sqs().receive(&q, 1).unwrap().is_empty());
    let dead = c.sqs().receive(&dlq, 1).unwrap();
    assert_eq!(dead[0].message_id, sent.message_id);
    assert_eq!(
        dead[0]
            .attributes
            .dead_letter_queue_source_arn
            .as_deref()
            .unwrap(),
        "arn:aws:sqs:us-east-1:123456789012:work"
    );
    c.sqs().change_visibility(&dlq, &dead[0], 0.secs()).unwrap();
    c.sqs().redrive(&dlq).unwrap();
    c.run_until_idle();
    assert_eq!(c.sqs().counts(&dlq).unwrap().total(), 0);
    let back = c.sqs().receive(&q, 1).unwrap();
    assert_eq!(back[0].message_id, sent.message_id);
    assert_eq!(back[0].receive_count(), 1);
}

#[test]
fn redrive_allow_policy_is_enforced() {
    let mut c = cloud();
    let dlq = c
        .sqs()
        .create_queue_with("dlq", QueueOptions::new().redrive_deny_all())
        .unwrap();
    let err = c
        .sqs()
        .create_queue_with("q", QueueOptions::new().dead_letter_queue(&dlq, 2))
        .unwrap_err();
    assert_eq!(err.code, "InvalidParameterValue");
    assert!(
        err.message.contains("RedriveAllowPolicy"),
        "{}",
        err.message
    );
    let fifo_dlq = c.sqs().create_queue("d.fifo").unwrap();
    let err = c
        .sqs()
        .create_queue_with("std", QueueOptions::new().dead_letter_queue(&fifo_dlq, 2))
        .unwrap_err();
    assert!(err.message.contains("FIFO"), "{}", err.message);
}

#[test]
fn long_polling_waits_in_virtual_time() {
    let mut c = cloud();
    let q = c.sqs().create_queue("q").unwrap();
    let got = c
        .sqs()
        .receive(&q, Receive::max(1).wait(20.secs()))
        .unwrap();
    assert!(got.is_empty());
    assert_eq!(
        c.elapsed(),
        20.secs(),
        "an empty long poll waits the full 20 s"
    );
    c.sqs().send(&q, Msg::new("later").delay(7.secs())).unwrap();
    let got = c
        .sqs()
        .receive(&q, Receive::max(1).wait(20.secs()))
        .unwrap();
    assert_eq!(got[0].body, "later");
    assert_eq!(
        c.elapsed(),
        27.secs(),
        "returns as soon as the delayed message is visible"
    );
    assert!(
        c.sqs()
            .receive(&q, Receive::max(1).wait(21.secs()))
            .is_err()
    );
}

#[test]
fn long_poll_sees_messages_sent_by_scheduled_work() {
    let mut c = cloud();
    let q = c.sqs().create_queue("q").unwrap();
    c.schedule(3.secs(), "test", |cloud| {
        cloud.sqs().send("q", "from a timer").unwrap();
    });
    let got = c
        .sqs()
        .receive(&q, Receive::max(1).wait(20.secs()))
        .unwrap();
    assert_eq!(got[0].body, "from a timer");
    assert_eq!(c.elapsed(), 3.secs());
}

#[test]
fn delay_queue_hides_new_messages() {
    let mut c = cloud();
    let q = c
        .sqs()
        .create_queue_with("q", QueueOptions::new().delay(30.secs()))
        .unwrap();
    c.sqs().send(&q, "x").unwrap();
    assert_eq!(c.sqs().counts(&q).unwrap().delayed, 1);
    c.advance(30.secs());
    assert_eq!(c.sqs().counts(&q).unwrap().visible, 1);
}

#[test]
fn messages_expire_after_retention() {
    let mut c = cloud();
    let q = c
        .sqs()
        .create_queue_with("q", QueueOptions::new().retention(60.secs()))
        .unwrap();
    c.sqs().send(&q, "x").unwrap();
    c.advance(59.secs());
    assert_eq!(c.sqs().counts(&q).unwrap().visible, 1);
    c.advance(1.secs());
    assert_eq!(c.sqs().counts(&q).unwrap().total(), 0);
    assert_eq!(c.sqs().stats(&q).unwrap().expired, 1);
    assert!(c.trace().kind("expire").count() == 1);
}

#[test]
fn purge_once_per_minute() {
    let mut c = cloud();
    let q = c.sqs().create_queue("q").unwrap();
    c.sqs().send(&q, "x").unwrap();
    c.sqs().purge(&q).unwrap();
    assert_eq!(c.sqs().counts(&q).unwrap().total(), 0);
    assert_eq!(c.sqs().purge(&q).unwrap_err().code, "PurgeQueueInProgress");
    c.advance(60.secs());
    c.sqs().purge(&q).unwrap();
}

#[test]
fn queue_names_and_attribute_errors() {
    let mut c = cloud();
    assert_eq!(
        c.sqs().create_queue("no spaces").unwrap_err().code,
        "InvalidParameterValue"
    );
    assert_eq!(
        c.sqs().get_queue("missing").unwrap_err().code,
        "QueueDoesNotExist"
    );
    let q = c.sqs().create_queue("q").unwrap();
    let err = c
        .sqs()
        .set_options(
            &q,
            QueueOptions::new().attribute("VisibilityTimeout", "99999"),
        )
        .unwrap_err();
    assert_eq!(err.code, "InvalidAttributeValue");
    c.sqs().delete_queue(&q).unwrap();
    assert_eq!(
        c.sqs().create_queue("q").unwrap_err().code,
        "QueueDeletedRecently"
    );
    c.advance(60.secs());
    c.sqs().create_queue("q").unwrap();
}

#[test]
fn message_size_limit_is_one_mebibyte() {
    let mut c = cloud();
    let q = c.sqs().create_queue("q").unwrap();
    c.sqs().send(&q, "x".repeat(1_048_576)).unwrap();
    let err = c.sqs().send(&q, "x".repeat(1_048_577)).unwrap_err();
    assert_eq!(err.code, "InvalidParameterValue");
    assert!(err.message.contains("1048576"));
    let err = c.sqs().send(&q, "bad \u{1} char").unwrap_err();
    assert_eq!(err.code, "InvalidMessageContents");
}

#[test]
fn billing_counts_64k_chunks_and_empty_receives() {
    let mut c = cloud();
    let q = c.sqs().create_queue("q").unwrap();
    c.sqs().send(&q, "x".repeat(200_000)).unwrap(); // 4 chunks
    c.sqs().receive(&q, Receive::max(1)).unwrap(); // 4 chunks
    c.sqs().receive(&q, Receive::max(1)).unwrap(); // empty: 1
    let units = c.bill().line("sqs.standard.requests").unwrap().units;
    assert_eq!(units, 1.0 + 4.0 + 4.0 + 1.0);
}

#[test]
fn attributes_round_trip_with_md5() {
    let mut c = cloud();
    let q = c.sqs().create_queue("q").unwrap();
    let sent = c
        .sqs()
        .send(&q, Msg::new("x").attr("kind", "book").number("qty", 3))
        .unwrap();
    let got = c.sqs().receive(&q, 1).unwrap();
    assert_eq!(got[0].attr("kind"), Some("book"));
    assert_eq!(got[0].attr("qty"), Some("3"));
    assert_eq!(
        got[0].md5_of_message_attributes,
        sent.md5_of_message_attributes
    );
    assert_eq!(got[0].md5_of_body, sent.md5_of_message_body);
}

#[test]
fn batches_fail_per_entry() {
    let mut c = cloud();
    let q = c.sqs().create_queue("q").unwrap();
    let out = c
        .sqs()
        .send_batch(&q, vec![Msg::new("ok"), Msg::new("late").delay(901.secs())])
        .unwrap();
    assert_eq!(out.successful.len(), 1);
    assert_eq!(out.failed[0].id, "1");
    let eleven: Vec<&str> = vec!["m"; 11];
    assert_eq!(
        c.sqs().send_batch(&q, eleven).unwrap_err().code,
        "TooManyEntriesInBatchRequest"
    );
}

#[test]
fn anomalies_duplicate_on_standard_queues_only_and_are_seeded() {
    let run = |seed, name: &str| {
        let mut c = Cloud::with_seed(seed).with_anomalies(true);
        let q = c.sqs().create_queue(name).unwrap();
        for i in 0..200 {
            let m = if name.ends_with(".fifo") {
                Msg::new(format!("m{i}"))
                    .group("g")
                    .dedup_id(&i.to_string())
            } else {
                Msg::new(format!("m{i}"))
            };
            c.sqs().send(&q, m).unwrap();
        }
        let mut deliveries = Vec::new();
        loop {
            let got = c.sqs().receive(&q, Receive::max(10)).unwrap();
            if got.is_empty() {
                break;
            }
            for m in &got {
                deliveries.push(m.body.clone());
                c.sqs().delete(&q, m).unwrap();
            }
        }
        deliveries
    };
    let std = run(1, "std");
    let mut unique = std.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 200, "nothing lost");
    assert!(std.len() > 200, "some duplicates");
    assert_eq!(std, run(1, "std"), "same seed, same anomalies");
    let fifo = run(1, "f.fifo");
    assert_eq!(fifo.len(), 200, "FIFO delivers exactly once");
    assert_eq!(fifo, (0..200).map(|i| format!("m{i}")).collect::<Vec<_>>());
}

#[test]
fn json_face_matches_typed_face() {
    let mut c = cloud();
    let url = c
        .call("sqs", "CreateQueue", json!({"QueueName": "q"}))
        .unwrap()["QueueUrl"]
        .as_str()
        .unwrap()
        .to_string();
    c.call(
        "sqs",
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "hi"}),
    )
    .unwrap();
    let got = c.sqs().receive("q", 1).unwrap();
    assert_eq!(got[0].body, "hi");
    let out = c
        .call(
            "sqs",
            "ChangeMessageVisibility",
            json!({"QueueUrl": url, "ReceiptHandle": got[0].receipt_handle, "VisibilityTimeout": 0}),
        )
        .unwrap();
    assert_eq!(out, json!({}));
    let attrs = c
        .call(
            "sqs",
            "GetQueueAttributes",
            json!({"QueueUrl": url, "AttributeNames": ["All"]}),
        )
        .unwrap();
    assert_eq!(attrs["Attributes"]["ApproximateNumberOfMessages"], "1");
    assert_eq!(
        attrs["Attributes"]["QueueArn"],
        "arn:aws:sqs:us-east-1:123456789012:q"
    );
    let err = c
        .call(
            "sqs",
            "GetQueueAttributes",
            json!({"QueueUrl": url, "AttributeNames": ["Nope"]}),
        )
        .unwrap_err();
    assert_eq!(err.code, "InvalidAttributeName");
}

#[test]
fn forced_duplicates_are_finite_and_hidden_like_any_delivery() {
    let mut c = Cloud::new();
    let q = c
        .sqs()
        .create_queue_with(
            "q",
            QueueOptions::new()
                .visibility_timeout(30.secs())
                .duplicate_rate(1.0),
        )
        .unwrap();
    c.sqs().send(&q, "x").unwrap();
    let first = c.sqs().receive(&q, 1).unwrap();
    let copy = c.sqs().receive(&q, 1).unwrap();
    assert_eq!(copy[0].message_id, first[0].message_id, "a concurrent copy");
    assert!(
        c.sqs().receive(&q, 1).unwrap().is_empty(),
        "no third delivery while in flight"
    );
    c.sqs().delete(&q, &copy[0]).unwrap();
    assert_eq!(
        c.sqs().counts(&q).unwrap().in_flight,
        1,
        "a copy survived the delete"
    );
    c.advance(30.secs());
    let again = c.sqs().receive(&q, 1).unwrap();
    assert_eq!(again[0].message_id, first[0].message_id);
    assert!(
        c.sqs().receive(&q, 1).unwrap().is_empty(),
        "redelivery hides it again"
    );
    c.sqs().delete(&q, &again[0]).unwrap();
    assert_eq!(
        c.sqs().counts(&q).unwrap().total(),
        0,
        "the second delete sticks"
    );
}

#[test]
fn unreceived_batch_messages_come_back_once_per_timeout_with_anomalies() {
    for seed in [1, 3, 4] {
        let mut c = Cloud::with_seed(seed).with_anomalies(true);
        let q = c.sqs().create_queue("q").unwrap();
        for i in 0..30 {
            c.sqs().send(&q, format!("m{i}")).unwrap();
        }
        c.sqs().receive(&q, Receive::max(5)).unwrap();
        c.advance(31.secs());
        let mut rounds = 0;
        while c.sqs().counts(&q).unwrap().total() > 0 {
            rounds += 1;
            assert!(rounds < 50, "seed {seed}: the queue never drains");
            loop {
                let got = c.sqs().receive(&q, Receive::max(10)).unwrap();
                if got.is_empty() {
                    break;
                }
                for m in &got {
                    c.sqs().delete(&q, m).unwrap();
                }
            }
            c.advance(31.secs());
        }
    }
}

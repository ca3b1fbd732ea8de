//! Kinesis Data Streams behaviour: shard mapping, throughput limits at their
//! boundaries, the retention window, iterators, resharding, enhanced fan-out,
//! Lambda event source mappings and billing.

use cloudlab::kinesis::keys::{even_ranges, hash_key, parse_sequence_number};
use cloudlab::kinesis::{Put, StreamStatus};
use cloudlab::prelude::*;
use proptest::prelude::*;
use std::sync::{Arc, Mutex};

fn stream(c: &mut Cloud, name: &str, shards: u32) -> Stream {
    c.kinesis().create_stream(name, shards).unwrap()
}

fn read_shard(c: &mut Cloud, s: &Stream, shard: &str) -> Vec<cloudlab::kinesis::Record> {
    let it = c.kinesis().iterator(s, shard, Start::TrimHorizon).unwrap();
    c.kinesis().get_records(&it).unwrap().records
}

#[test]
fn shards_split_the_hash_key_space_evenly() {
    for n in [1u32, 2, 3, 5, 8] {
        let mut c = Cloud::new();
        let name = format!("s{n}");
        c.kinesis().create_stream(&name, n).unwrap();
        let out = c
            .call("kinesis", "ListShards", json!({"StreamName": name}))
            .unwrap();
        let shards = out["Shards"].as_array().unwrap();
        assert_eq!(shards.len(), n as usize);
        for (i, (sh, want)) in shards.iter().zip(even_ranges(n)).enumerate() {
            assert_eq!(sh["ShardId"], format!("shardId-{i:012}"));
            assert_eq!(
                sh["HashKeyRange"]["StartingHashKey"],
                want.start.to_string()
            );
            assert_eq!(sh["HashKeyRange"]["EndingHashKey"], want.end.to_string());
        }
    }
}

#[test]
fn partition_keys_land_on_the_shard_their_md5_falls_in() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "clicks", 4);
    let ranges = even_ranges(4);
    for i in 0..200 {
        let key = format!("user-{i}");
        let out = c.kinesis().put(&s, &key, "x").unwrap();
        let want = ranges
            .iter()
            .position(|r| r.contains(hash_key(&key)))
            .unwrap();
        assert_eq!(out.shard_id, format!("shardId-{want:012}"), "{key}");
    }
    // An explicit hash key overrides the partition key.
    let out = c
        .kinesis()
        .put_record(&s, Put::new("user-1", "x").explicit_hash_key(u128::MAX))
        .unwrap();
    assert_eq!(out.shard_id, "shardId-000000000003");
    let e = c
        .call(
            "kinesis",
            "PutRecord",
            json!({"StreamName": "clicks", "Data": "eA==", "PartitionKey": "k",
                   "ExplicitHashKey": "340282366920938463463374607431768211456"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidArgumentException");
}

#[test]
fn sequence_numbers_increase_within_a_shard() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let mut last = String::new();
    for i in 0..50 {
        let out = c.kinesis().put(&s, "k", format!("{i}")).unwrap();
        assert_eq!(out.sequence_number.len(), 56);
        assert!(out.sequence_number > last);
        last = out.sequence_number;
        if i % 10 == 0 {
            c.advance(1.secs());
        }
    }
    let records = read_shard(&mut c, &s, "shardId-000000000000");
    let texts: Vec<String> = records.iter().map(|r| r.text()).collect();
    assert_eq!(texts, (0..50).map(|i| i.to_string()).collect::<Vec<_>>());
}

#[test]
fn a_new_stream_is_creating_before_it_is_active() {
    let mut c = Cloud::new();
    c.call(
        "kinesis",
        "CreateStream",
        json!({"StreamName": "s", "ShardCount": 1}),
    )
    .unwrap();
    let d = c
        .call(
            "kinesis",
            "DescribeStreamSummary",
            json!({"StreamName": "s"}),
        )
        .unwrap();
    assert_eq!(d["StreamDescriptionSummary"]["StreamStatus"], "CREATING");
    let e = c
        .call(
            "kinesis",
            "PutRecord",
            json!({"StreamName": "s", "Data": "eA==", "PartitionKey": "k"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "ResourceNotFoundException");
    c.advance(10.secs());
    assert_eq!(
        c.kinesis().status(&Stream::named("s")).unwrap(),
        StreamStatus::Active
    );
    let e = c
        .call(
            "kinesis",
            "CreateStream",
            json!({"StreamName": "s", "ShardCount": 1}),
        )
        .unwrap_err();
    assert_eq!(e.code, "ResourceInUseException");
}

#[test]
fn a_shard_takes_1000_records_per_second_and_not_one_more() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 2);
    // Records to one shard: the same key.
    for _ in 0..2 {
        let batch: Vec<(&str, &str)> = (0..500).map(|_| ("hot", "x")).collect();
        let out = c.kinesis().put_records(&s, batch).unwrap();
        assert_eq!(out.failed_record_count, 0);
    }
    let e = c.kinesis().put(&s, "hot", "x").unwrap_err();
    assert_eq!(e.code, "ProvisionedThroughputExceededException");
    assert!(e.message.contains("shardId-"), "{}", e.message);
    // The other shard is not affected.
    let other = (0..100)
        .map(|i| format!("k{i}"))
        .find(|k| {
            c.kinesis().shard_for(&s, k).unwrap() != c.kinesis().shard_for(&s, "hot").unwrap()
        })
        .unwrap();
    assert!(c.kinesis().put(&s, &other, "x").is_ok());
    c.advance(999.millis());
    assert!(
        c.kinesis().put(&s, "hot", "x").is_err(),
        "still inside the second"
    );
    c.advance(1.millis());
    assert!(
        c.kinesis().put(&s, "hot", "x").is_ok(),
        "a second later it has room"
    );
}

#[test]
fn a_shard_takes_1_mib_per_second() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    // 2,047 bytes of data + a 1-byte key = 2 KiB per record; 512 records = 1 MiB.
    let data = vec![b'a'; 2047];
    for _ in 0..512 {
        c.kinesis().put(&s, "k", data.clone()).unwrap();
        c.advance(1.millis());
    }
    let e = c.kinesis().put(&s, "k", vec![b'a'; 1]).unwrap_err();
    assert_eq!(e.code, "ProvisionedThroughputExceededException");
    assert_eq!(
        c.kinesis().shard_stats(&s).unwrap()["shardId-000000000000"].write_throttles,
        1
    );
}

#[test]
fn put_records_fails_record_by_record() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 2);
    let hot = c.kinesis().shard_for(&s, "hot").unwrap();
    let cold = (0..100)
        .map(|i| format!("k{i}"))
        .find(|k| c.kinesis().shard_for(&s, k).unwrap() != hot)
        .unwrap();
    // Fill the shard of "hot": 1,000 records in this second.
    for _ in 0..2 {
        let out = c
            .kinesis()
            .put_records(&s, (0..500).map(|_| ("hot", "x")))
            .unwrap();
        assert_eq!(out.failed_record_count, 0);
    }
    // A mixed batch: the records for the full shard fail, the other one goes in.
    let mixed = vec![
        ("hot".to_string(), "a"),
        (cold, "b"),
        ("hot".to_string(), "c"),
    ];
    let out = c.kinesis().put_records(&s, mixed).unwrap();
    assert_eq!(out.failed_record_count, 2);
    assert!(!out.records[0].is_ok() && !out.records[2].is_ok());
    assert!(out.records[1].is_ok());
    let failed = out.records.iter().find(|r| !r.is_ok()).unwrap();
    assert_eq!(
        failed.error_code.as_deref(),
        Some("ProvisionedThroughputExceededException")
    );
}

#[test]
fn put_records_limits_are_today_s() {
    let mut c = Cloud::new();
    stream(&mut c, "s", 1);
    let recs: Vec<Value> = (0..501)
        .map(|_| json!({"Data": "eA==", "PartitionKey": "k"}))
        .collect();
    let e = c
        .call(
            "kinesis",
            "PutRecords",
            json!({"StreamName": "s", "Records": recs}),
        )
        .unwrap_err();
    assert_eq!(e.code, "ValidationException");
    // A record of 1 MiB + 1 byte (with its key) is too large by default ...
    let big = vec![0u8; 1_048_576];
    let e = c
        .kinesis()
        .put(&Stream::named("s"), "k", big.clone())
        .unwrap_err();
    assert_eq!(e.code, "ValidationException");
    // ... until the stream opts in to larger records (up to 10 MiB).
    let arn = Stream::named("s").arn;
    c.call(
        "kinesis",
        "UpdateMaxRecordSize",
        json!({"StreamARN": arn, "MaxRecordSizeInKiB": 10240}),
    )
    .unwrap();
    assert!(c.kinesis().put(&Stream::named("s"), "k", big).is_ok());
    // 11 records of 1 MiB exceed the 10 MiB request limit.
    let entries: Vec<(String, Vec<u8>)> = (0..11)
        .map(|_| ("k".to_string(), vec![0u8; 1_000_000]))
        .collect();
    let e = c
        .kinesis()
        .put_records(&Stream::named("s"), entries)
        .unwrap_err();
    assert_eq!(e.code, "InvalidArgumentException");
}

#[test]
fn reads_are_limited_to_five_calls_per_second_per_shard() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    c.kinesis().put(&s, "k", "x").unwrap();
    let mut it = c
        .kinesis()
        .iterator(&s, "shardId-000000000000", Start::TrimHorizon)
        .unwrap();
    for _ in 0..5 {
        it = c
            .kinesis()
            .get_records(&it)
            .unwrap()
            .next_shard_iterator
            .unwrap();
    }
    let e = c.kinesis().get_records(&it).unwrap_err();
    assert_eq!(e.code, "ProvisionedThroughputExceededException");
    c.advance(1.secs());
    assert!(c.kinesis().get_records(&it).is_ok());
}

#[test]
fn reading_2_mib_blocks_the_shard_for_a_second() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    for _ in 0..4 {
        c.kinesis().put(&s, "k", vec![0u8; 524_287]).unwrap();
        c.advance(1.secs());
    }
    let it = c
        .kinesis()
        .iterator(&s, "shardId-000000000000", Start::TrimHorizon)
        .unwrap();
    let out = c.kinesis().get_records(&it).unwrap();
    assert_eq!(out.records.len(), 4); // 2 MiB
    let next = out.next_shard_iterator.unwrap();
    c.advance(999.millis());
    let e = c.kinesis().get_records(&next).unwrap_err();
    assert_eq!(e.code, "ProvisionedThroughputExceededException");
    c.advance(1.millis());
    assert!(c.kinesis().get_records(&next).is_ok());
}

#[test]
fn iterators_expire_after_five_minutes() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let it = c
        .kinesis()
        .iterator(&s, "shardId-000000000000", Start::Latest)
        .unwrap();
    c.advance(300.secs());
    let next = c
        .kinesis()
        .get_records(&it)
        .unwrap()
        .next_shard_iterator
        .unwrap();
    c.advance(300.secs() + 1.millis());
    let e = c.kinesis().get_records(&next).unwrap_err();
    assert_eq!(e.code, "ExpiredIteratorException");
    let e = c
        .call(
            "kinesis",
            "GetRecords",
            json!({"ShardIterator": "AAAAnot-an-iterator"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidArgumentException");
}

#[test]
fn iterator_types_start_where_they_say() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let shard = "shardId-000000000000";
    let mut seqs = Vec::new();
    for i in 0..5 {
        seqs.push(
            c.kinesis()
                .put(&s, "k", format!("r{i}"))
                .unwrap()
                .sequence_number,
        );
        c.advance(10.secs());
    }
    let texts = |c: &mut Cloud, start: Start| -> Vec<String> {
        c.advance(1.secs());
        let it = c.kinesis().iterator(&s, shard, start).unwrap();
        c.kinesis()
            .get_records(&it)
            .unwrap()
            .records
            .iter()
            .map(|r| r.text())
            .collect()
    };
    assert_eq!(texts(&mut c, Start::TrimHorizon).len(), 5);
    assert!(texts(&mut c, Start::Latest).is_empty());
    assert_eq!(
        texts(&mut c, Start::AtSequence(seqs[2].clone())),
        ["r2", "r3", "r4"]
    );
    assert_eq!(
        texts(&mut c, Start::AfterSequence(seqs[2].clone())),
        ["r3", "r4"]
    );
    let t = SimTime::EPOCH + 10.secs() + 25.secs();
    assert_eq!(texts(&mut c, Start::AtTimestamp(t)), ["r3", "r4"]);
    // A sequence number from another shard is refused.
    let other = stream(&mut c, "other", 2);
    let two = (0..50)
        .map(|i| format!("k{i}"))
        .find(|k| c.kinesis().shard_for(&other, k).unwrap() == "shardId-000000000001")
        .unwrap();
    let seq = c.kinesis().put(&other, &two, "x").unwrap().sequence_number;
    let e = c
        .kinesis()
        .iterator(&other, "shardId-000000000000", Start::AtSequence(seq))
        .unwrap_err();
    assert_eq!(e.code, "InvalidArgumentException");
    assert!(e.message.contains("shardId-000000000001"), "{}", e.message);
}

#[test]
fn millis_behind_latest_measures_the_reader_s_lag() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    for i in 0..3 {
        c.kinesis().put(&s, "k", format!("{i}")).unwrap();
        c.advance(10.secs());
    }
    let it = c
        .kinesis()
        .iterator(&s, "shardId-000000000000", Start::TrimHorizon)
        .unwrap();
    let out = c.kinesis().get_records_limit(&it, 1).unwrap();
    // The next unread record arrived 20 s ago.
    assert_eq!(out.millis_behind_latest, 20_000);
    let out = c
        .kinesis()
        .get_records(&out.next_shard_iterator.unwrap())
        .unwrap();
    assert_eq!(out.millis_behind_latest, 0);
}

#[test]
fn records_leave_the_window_after_the_retention_period() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    c.kinesis().put(&s, "k", "old").unwrap();
    c.advance(12.hours());
    c.kinesis().put(&s, "k", "newer").unwrap();
    c.advance(12.hours() - 1.secs());
    assert_eq!(read_shard(&mut c, &s, "shardId-000000000000").len(), 2);
    c.advance(1.secs());
    let left: Vec<String> = read_shard(&mut c, &s, "shardId-000000000000")
        .iter()
        .map(|r| r.text())
        .collect();
    assert_eq!(left, ["newer"]);
    // Longer retention keeps records longer; shorter drops them at once.
    c.kinesis().set_retention(&s, 48).unwrap();
    c.advance(20.hours());
    assert_eq!(read_shard(&mut c, &s, "shardId-000000000000").len(), 1);
    c.kinesis().set_retention(&s, 24).unwrap();
    assert!(read_shard(&mut c, &s, "shardId-000000000000").is_empty());
    for (op, hours, msg) in [
        ("IncreaseStreamRetentionPeriod", 8761, "too long"),
        ("DecreaseStreamRetentionPeriod", 23, "too short"),
    ] {
        let e = c
            .call(
                "kinesis",
                op,
                json!({"StreamName": "s", "RetentionPeriodHours": hours}),
            )
            .unwrap_err();
        assert_eq!(e.code, "InvalidArgumentException");
        assert!(e.message.contains(msg), "{}", e.message);
    }
    assert!(c.kinesis().set_retention(&s, 8760).is_ok());
}

#[test]
fn splitting_keeps_old_records_on_the_closed_parent() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    for i in 0..10 {
        c.kinesis()
            .put(&s, &format!("k{i}"), format!("before-{i}"))
            .unwrap();
    }
    c.kinesis()
        .split_shard_evenly(&s, "shardId-000000000000")
        .unwrap();
    assert_eq!(c.kinesis().status(&s).unwrap(), StreamStatus::Updating);
    let e = c.kinesis().update_shard_count(&s, 4).unwrap_err();
    assert_eq!(e.code, "ResourceInUseException");
    c.kinesis().wait_active(&s).unwrap();
    assert_eq!(
        c.kinesis().open_shard_ids(&s).unwrap(),
        ["shardId-000000000001", "shardId-000000000002"]
    );
    for i in 0..10 {
        let out = c
            .kinesis()
            .put(&s, &format!("k{i}"), format!("after-{i}"))
            .unwrap();
        assert_ne!(out.shard_id, "shardId-000000000000", "the parent is closed");
    }
    // Reading the parent to its end: all the old records, then no next iterator
    // and the children.
    c.advance(1.secs());
    let it = c
        .kinesis()
        .iterator(&s, "shardId-000000000000", Start::TrimHorizon)
        .unwrap();
    let out = c.kinesis().get_records(&it).unwrap();
    assert_eq!(out.records.len(), 10);
    assert!(out.records.iter().all(|r| r.text().starts_with("before-")));
    assert!(out.next_shard_iterator.is_none());
    let kids: Vec<&str> = out
        .child_shards
        .as_ref()
        .unwrap()
        .iter()
        .map(|k| k.shard_id.as_str())
        .collect();
    assert_eq!(kids, ["shardId-000000000001", "shardId-000000000002"]);
    let shards = c
        .call("kinesis", "DescribeStream", json!({"StreamName": "s"}))
        .unwrap();
    let parent = &shards["StreamDescription"]["Shards"][0];
    assert!(parent["SequenceNumberRange"]["EndingSequenceNumber"].is_string());
    assert_eq!(
        shards["StreamDescription"]["Shards"][1]["ParentShardId"],
        "shardId-000000000000"
    );
}

#[test]
fn merging_needs_adjacent_shards() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 3);
    let e = c
        .kinesis()
        .merge_shards(&s, "shardId-000000000000", "shardId-000000000002")
        .unwrap_err();
    assert_eq!(e.code, "InvalidArgumentException");
    c.kinesis()
        .merge_shards(&s, "shardId-000000000001", "shardId-000000000002")
        .unwrap();
    let shards = c.kinesis().shards(&s).unwrap();
    let child = shards.last().unwrap();
    assert_eq!(
        child.parent_shard_id.as_deref(),
        Some("shardId-000000000001")
    );
    assert_eq!(
        child.adjacent_parent_shard_id.as_deref(),
        Some("shardId-000000000002")
    );
    assert_eq!(child.hash_key_range.ending_hash_key, u128::MAX.to_string());
}

#[test]
fn update_shard_count_reaches_an_even_split_within_its_limits() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 2);
    let e = c.kinesis().update_shard_count(&s, 5).unwrap_err();
    assert!(e.message.contains("double"), "{}", e.message);
    let out = c.kinesis().update_shard_count(&s, 3).unwrap();
    assert_eq!((out.current_shard_count, out.target_shard_count), (2, 3));
    c.kinesis().wait_active(&s).unwrap();
    let mut open: Vec<u128> = c
        .kinesis()
        .shards(&s)
        .unwrap()
        .into_iter()
        .filter(|sh| sh.sequence_number_range.ending_sequence_number.is_none())
        .map(|sh| sh.hash_key_range.starting_hash_key.parse().unwrap())
        .collect();
    open.sort();
    let want: Vec<u128> = even_ranges(3).iter().map(|r| r.start).collect();
    assert_eq!(open, want);
    let e = c.kinesis().update_shard_count(&s, 1).unwrap_err();
    assert!(e.message.contains("half"), "{}", e.message);
    // Ten scalings a day, then LimitExceeded.
    let mut n = 3;
    for _ in 0..9 {
        n = if n == 3 { 4 } else { 3 };
        c.kinesis().update_shard_count(&s, n).unwrap();
        c.kinesis().wait_active(&s).unwrap();
    }
    let e = c.kinesis().update_shard_count(&s, 5).unwrap_err();
    assert_eq!(e.code, "LimitExceededException");
    c.advance(24.hours());
    assert!(c.kinesis().update_shard_count(&s, 5).is_ok());
}

#[test]
fn on_demand_streams_take_double_their_previous_peak() {
    let mut c = Cloud::new();
    let s = c.kinesis().create_on_demand_stream("od").unwrap();
    assert_eq!(c.kinesis().open_shard_ids(&s).unwrap().len(), 4);
    // 4,000 records/s to start, whatever the keys.
    for _ in 0..8 {
        let out = c
            .kinesis()
            .put_records(&s, (0..500).map(|_| ("same-key", "x")))
            .unwrap();
        assert_eq!(out.failed_record_count, 0);
    }
    assert!(c.kinesis().put(&s, "k", "x").is_err());
    c.advance(1.secs());
    // The peak was 4,000: now 8,000 fit.
    for _ in 0..16 {
        let out = c
            .kinesis()
            .put_records(&s, (0..500).map(|_| ("k", "x")))
            .unwrap();
        assert_eq!(out.failed_record_count, 0);
    }
    let e = c.kinesis().update_shard_count(&s, 8).unwrap_err();
    assert_eq!(e.code, "InvalidArgumentException");
}

#[test]
fn enhanced_fan_out_pushes_records_with_its_own_throughput() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let consumer = c.kinesis().register_consumer(&s, "analytics").unwrap();
    let sub = c
        .kinesis()
        .subscribe(&consumer, "shardId-000000000000", Start::Latest)
        .unwrap();
    for i in 0..3 {
        c.kinesis().put(&s, "k", format!("{i}")).unwrap();
    }
    // Other readers exhaust the shared read budget: the consumer does not care.
    let mut it = c
        .kinesis()
        .iterator(&s, "shardId-000000000000", Start::TrimHorizon)
        .unwrap();
    for _ in 0..5 {
        it = c
            .kinesis()
            .get_records(&it)
            .unwrap()
            .next_shard_iterator
            .unwrap();
    }
    assert!(c.kinesis().get_records(&it).is_err());
    assert!(
        c.kinesis().events(&sub).is_empty(),
        "not pushed before ~70 ms"
    );
    c.advance(70.millis());
    let events = c.kinesis().events(&sub);
    let got: Vec<String> = events
        .iter()
        .flat_map(|e| e.records.iter().map(|r| r.text()))
        .collect();
    assert_eq!(got, ["0", "1", "2"]);
    // 5 MiB arrive at once: pushed at 2 MiB/s.
    for _ in 0..5 {
        c.advance(1.secs());
        c.kinesis().put(&s, "k", vec![0u8; 1_048_575]).unwrap();
    }
    let t0 = c.now();
    c.run_until_idle();
    let pushed: usize = c
        .kinesis()
        .events(&sub)
        .iter()
        .map(|e| e.records.len())
        .sum();
    assert_eq!(pushed, 5);
    assert!(c.now() - t0 < 5.secs());
    // The subscription ends after 5 minutes.
    c.advance(5.mins());
    assert!(!c.kinesis().is_subscribed(&sub));
    assert_eq!(c.trace().kind("subscription-end").count(), 1);
}

#[test]
fn subscribe_to_shard_through_the_json_face_waits_for_the_subscription() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let consumer = c.kinesis().register_consumer(&s, "c1").unwrap();
    c.kinesis().put(&s, "k", "hello").unwrap();
    let out = c
        .call(
            "kinesis",
            "SubscribeToShard",
            json!({"ConsumerARN": consumer.arn, "ShardId": "shardId-000000000000",
                   "StartingPosition": {"Type": "TRIM_HORIZON"}}),
        )
        .unwrap();
    let events = out["EventStream"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0]["SubscribeToShardEvent"];
    assert_eq!(e["Records"][0]["Data"], "aGVsbG8=");
    assert_eq!(
        e["ContinuationSequenceNumber"],
        e["Records"][0]["SequenceNumber"]
    );
    assert!(c.elapsed() >= 5.mins());
}

fn recorder(
    c: &mut Cloud,
    name: &str,
    fail_on: Option<&'static str>,
) -> (FunctionRef, Arc<Mutex<Vec<Vec<String>>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let f = c
        .lambda()
        .create_function(
            name,
            Function::new(move |event, _ctx| {
                let batch: Vec<String> = event["Records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        let b64 = r["kinesis"]["data"].as_str().unwrap();
                        cloudlab::kinesis::Blob::from_base64(b64).unwrap().text()
                    })
                    .collect();
                log.lock().unwrap().push(batch.clone());
                if let Some(bad) = fail_on
                    && batch.iter().any(|b| b == bad)
                {
                    return Err(FnError::new("Poison", "cannot handle it"));
                }
                Ok(json!({}))
            }),
        )
        .unwrap();
    (f, seen)
}

#[test]
fn lambda_reads_shards_in_order_in_batches() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let (f, seen) = recorder(&mut c, "consumer", None);
    for i in 0..250 {
        c.kinesis().put(&s, "k", format!("{i}")).unwrap();
    }
    let m = c
        .kinesis()
        .trigger(&s, &f, StreamPolling::trim_horizon())
        .unwrap();
    c.run_until_idle();
    let batches = seen.lock().unwrap().clone();
    assert_eq!(
        batches.iter().map(Vec::len).collect::<Vec<_>>(),
        [100, 100, 50]
    );
    let all: Vec<String> = batches.concat();
    assert_eq!(all, (0..250).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(c.kinesis().mapping_stats(&m).unwrap().succeeded, 250);
    assert_eq!(
        c.kinesis().mapping_lag(&m).unwrap()["shardId-000000000000"],
        0
    );
    // The JSON face sees the mapping with its Kinesis settings.
    let got = c
        .call("lambda", "GetEventSourceMapping", json!({"UUID": m.uuid}))
        .unwrap();
    assert_eq!(got["StartingPosition"], "TRIM_HORIZON");
    assert_eq!(got["BatchSize"], 100);
    let list = c
        .call("lambda", "ListEventSourceMappings", json!({}))
        .unwrap();
    assert_eq!(list["EventSourceMappings"].as_array().unwrap().len(), 1);
}

#[test]
fn a_failing_batch_blocks_its_shard_until_retries_run_out() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let dlq = c.sqs().create_queue("failed-batches").unwrap();
    let (f, seen) = recorder(&mut c, "picky", Some("3"));
    for i in 0..6 {
        c.kinesis().put(&s, "k", format!("{i}")).unwrap();
    }
    let m = c
        .kinesis()
        .trigger(
            &s,
            &f,
            StreamPolling::trim_horizon()
                .batch(2)
                .retries(2)
                .on_failure(&dlq.arn),
        )
        .unwrap();
    c.run_until_idle();
    let batches = seen.lock().unwrap().clone();
    // [0,1] ok; [2,3] fails three times (1 try + 2 retries); then [4,5].
    let want: Vec<Vec<&str>> = vec![
        vec!["0", "1"],
        vec!["2", "3"],
        vec!["2", "3"],
        vec!["2", "3"],
        vec!["4", "5"],
    ];
    assert_eq!(batches, want);
    let stats = c.kinesis().mapping_stats(&m).unwrap();
    assert_eq!((stats.succeeded, stats.discarded), (4, 2));
    let got = c.sqs().receive(&dlq, Receive::max(10)).unwrap();
    let info: Value = got[0].body.parse().unwrap();
    assert_eq!(
        info["requestContext"]["condition"],
        "RetryAttemptsExhausted"
    );
    assert_eq!(info["KinesisBatchInfo"]["batchSize"], 2);
    assert_eq!(info["KinesisBatchInfo"]["shardId"], "shardId-000000000000");
}

#[test]
fn bisecting_isolates_the_poison_record() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let (f, seen) = recorder(&mut c, "picky", Some("5"));
    for i in 0..8 {
        c.kinesis().put(&s, "k", format!("{i}")).unwrap();
    }
    let m = c
        .kinesis()
        .trigger(
            &s,
            &f,
            StreamPolling::trim_horizon()
                .batch(8)
                .bisect_on_error()
                .retries(0),
        )
        .unwrap();
    c.run_until_idle();
    let batches = seen.lock().unwrap().clone();
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    // 8 fails -> 4 ok + 4 fails -> 2 fails + 2 ok ... -> [5] fails and is skipped.
    assert_eq!(sizes, [8, 4, 4, 2, 1, 1, 2]);
    let stats = c.kinesis().mapping_stats(&m).unwrap();
    assert_eq!(
        (stats.succeeded, stats.discarded, stats.bisections),
        (7, 1, 3)
    );
}

#[test]
fn old_records_are_skipped_by_maximum_record_age() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let (f, seen) = recorder(&mut c, "late", None);
    c.kinesis().put(&s, "k", "stale").unwrap();
    c.advance(2.mins());
    c.kinesis().put(&s, "k", "fresh").unwrap();
    let m = c
        .kinesis()
        .trigger(
            &s,
            &f,
            StreamPolling::trim_horizon().max_record_age(60.secs()),
        )
        .unwrap();
    c.run_until_idle();
    assert_eq!(seen.lock().unwrap().concat(), ["fresh"]);
    assert_eq!(c.kinesis().mapping_stats(&m).unwrap().discarded, 1);
}

#[test]
fn parallelization_keeps_order_per_partition_key() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let (f, seen) = recorder(&mut c, "wide", None);
    let keys = ["a", "b", "c", "d", "e", "f"];
    for i in 0..60 {
        let k = keys[i % keys.len()];
        c.kinesis().put(&s, k, format!("{k}{i}")).unwrap();
    }
    c.kinesis()
        .trigger(
            &s,
            &f,
            StreamPolling::trim_horizon().batch(5).parallelization(3),
        )
        .unwrap();
    c.run_until_idle();
    let all = seen.lock().unwrap().concat();
    assert_eq!(all.len(), 60);
    for k in keys {
        let order: Vec<usize> = all
            .iter()
            .filter(|r| r.starts_with(k))
            .map(|r| r[1..].parse().unwrap())
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "records of {k} stay in order");
    }
}

#[test]
fn reported_item_failures_checkpoint_before_the_first_failure() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let calls = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&calls);
    let f = c
        .lambda()
        .create_function(
            "partial",
            Function::new(move |event, _ctx| {
                let recs = event["Records"].as_array().unwrap().clone();
                let mut log = log.lock().unwrap();
                log.push(recs.len());
                // The first time, report the third record as failed.
                if log.len() == 1 {
                    let seq = recs[2]["kinesis"]["sequenceNumber"].clone();
                    return Ok(json!({"batchItemFailures": [{"itemIdentifier": seq}]}));
                }
                Ok(json!({"batchItemFailures": []}))
            }),
        )
        .unwrap();
    for i in 0..5 {
        c.kinesis().put(&s, "k", format!("{i}")).unwrap();
    }
    let m = c
        .kinesis()
        .trigger(
            &s,
            &f,
            StreamPolling::trim_horizon().batch(5).report_failures(),
        )
        .unwrap();
    c.run_until_idle();
    assert_eq!(*calls.lock().unwrap(), [5, 3]);
    assert_eq!(c.kinesis().mapping_stats(&m).unwrap().succeeded, 5);
}

#[test]
fn lambda_reads_parents_before_children_after_a_split() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let (f, seen) = recorder(&mut c, "ordered", None);
    c.kinesis()
        .trigger(&s, &f, StreamPolling::trim_horizon())
        .unwrap();
    c.lambda().set_reserved_concurrency(&f, 0).unwrap(); // hold the pollers back
    for i in 0..5 {
        c.kinesis().put(&s, "k", format!("p{i}")).unwrap();
    }
    c.kinesis()
        .split_shard_evenly(&s, "shardId-000000000000")
        .unwrap();
    for i in 0..5 {
        c.kinesis().put(&s, "k", format!("c{i}")).unwrap();
    }
    c.lambda().set_reserved_concurrency(&f, 10).unwrap();
    c.run_until_idle();
    let all = seen.lock().unwrap().concat();
    assert_eq!(
        all,
        ["p0", "p1", "p2", "p3", "p4", "c0", "c1", "c2", "c3", "c4"]
    );
}

#[test]
fn many_pollers_share_a_shard_s_read_limit() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    let mut mappings = Vec::new();
    for i in 0..6 {
        let (f, _) = recorder(&mut c, &format!("consumer{i}"), None);
        mappings.push(
            c.kinesis()
                .trigger(&s, &f, StreamPolling::latest())
                .unwrap(),
        );
    }
    c.kinesis().put(&s, "k", "x").unwrap();
    c.run_until_idle();
    let throttles: u64 = mappings
        .iter()
        .map(|m| c.kinesis().mapping_stats(m).unwrap().read_throttles)
        .sum();
    assert!(
        throttles >= 1,
        "six pollers in one second exceed 5 GetRecords/s"
    );
    for m in &mappings {
        assert_eq!(c.kinesis().mapping_stats(m).unwrap().succeeded, 1);
    }
}

#[test]
fn billing_counts_shard_hours_and_put_payload_units() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 2);
    c.kinesis().put(&s, "k", vec![0u8; 30_000]).unwrap(); // 2 units of 25 KB
    c.kinesis().put(&s, "k", "small").unwrap(); // 1 unit
    c.advance(24.hours() - 10.secs());
    let bill = c.bill();
    let hours = bill.line("kinesis.shard_hours").unwrap().units;
    assert!((hours - 48.0).abs() < 1e-6, "{hours}");
    assert_eq!(bill.line("kinesis.put_payload_units").unwrap().units, 3.0);
    assert!((bill.service_usd("kinesis") - (48.0 * 0.015 + 3.0 * 0.014 / 1e6)).abs() < 1e-9);
    // Longer retention adds extended-retention shard-hours.
    c.kinesis().set_retention(&s, 72).unwrap();
    c.advance(1.hours());
    let ext = c
        .bill()
        .line("kinesis.extended_retention.shard_hours")
        .unwrap()
        .units;
    assert!((ext - 2.0).abs() < 1e-6, "{ext}");
}

#[test]
fn the_json_face_reports_bad_input_with_aws_codes() {
    let mut c = Cloud::new();
    let e = c
        .call("kinesis", "PutRecord", json!({"StreamName": "s"}))
        .unwrap_err();
    assert_eq!(e.code, "ValidationException");
    assert!(e.message.contains("Data"), "{}", e.message);
    stream(&mut c, "s", 1);
    let e = c
        .call(
            "kinesis",
            "PutRecord",
            json!({"StreamName": "s", "Data": "!!", "PartitionKey": "k"}),
        )
        .unwrap_err();
    assert!(e.message.contains("base64"), "{}", e.message);
    let e = c
        .call("kinesis", "DescribeStream", json!({"StreamName": "nope"}))
        .unwrap_err();
    assert_eq!(e.code, "ResourceNotFoundException");
    let e = c.call("kinesis", "PutRecrod", json!({})).unwrap_err();
    assert!(e.message.contains("PutRecord"));
    let e = c
        .call("kinesis", "GetShardIterator", json!({"StreamName": "s", "ShardId": "shardId-000000000009", "ShardIteratorType": "LATEST"}))
        .unwrap_err();
    assert_eq!(e.code, "ResourceNotFoundException");
    let e = c
        .call("kinesis", "GetShardIterator", json!({"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_SEQUENCE_NUMBER"}))
        .unwrap_err();
    assert_eq!(e.code, "InvalidArgumentException");
}

#[test]
fn views_render_the_timeline_and_records() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 2);
    for i in 0..20 {
        c.kinesis()
            .put(&s, &format!("k{i}"), format!("r{i}"))
            .unwrap();
        c.advance(1.secs());
    }
    let _it = c
        .kinesis()
        .iterator(&s, "shardId-000000000000", Start::TrimHorizon)
        .unwrap();
    for _ in 0..1001 {
        let _ = c.kinesis().put(&s, "hot", "x");
    }
    let view = c.kinesis().view(&s).unwrap();
    let svg = view.to_svg();
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert!(svg.contains("write throttled"));
    assert!(svg.contains("iterator #1"));
    let html = view.to_html();
    assert!(html.contains("shardId-000000000001"));
    let records = c.kinesis().peek(&s).unwrap();
    assert_eq!(records.len(), 1020);
    assert!(records.to_html().contains("first 200 shown"));
    assert!(c.to_svg().contains("Kinesis"));
}

fn keys_strategy() -> impl Strategy<Value = Vec<(u8, u16, u16)>> {
    // (partition key, data size, seconds to advance afterwards)
    prop::collection::vec((0u8..40, 0u16..2000, 0u16..7200), 1..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every accepted record can be read (TRIM_HORIZON, through GetRecords)
    /// until it has been in the stream for the retention period, and not after;
    /// a split in the middle changes nothing about that.
    #[test]
    fn every_accepted_record_is_readable_until_it_expires(
        ops in keys_strategy(),
        shards in 1u32..4,
        retention in prop::sample::select(vec![24u32, 30, 48]),
        split_at in 0usize..60,
    ) {
        let mut c = Cloud::new();
        let s = c.kinesis().create_stream("p", shards).unwrap();
        c.kinesis().set_retention(&s, retention).unwrap();
        let mut accepted: Vec<(String, SimTime)> = Vec::new();
        for (i, (key, size, wait)) in ops.iter().enumerate() {
            if i == split_at && c.kinesis().status(&s).unwrap() == StreamStatus::Active {
                let first = c.kinesis().open_shard_ids(&s).unwrap()[0].clone();
                c.kinesis().split_shard_evenly(&s, &first).unwrap();
            }
            let data = vec![b'a' + (i % 26) as u8; *size as usize];
            if let Ok(out) = c.kinesis().put(&s, &format!("key-{key}"), data) {
                accepted.push((out.sequence_number, c.now()));
            }
            c.advance((*wait as u64).secs());
        }
        let mut readable = std::collections::BTreeSet::new();
        for shard in c.kinesis().shard_ids(&s).unwrap() {
            let mut it = c.kinesis().iterator(&s, &shard, Start::TrimHorizon).unwrap();
            loop {
                let out = c.kinesis().get_records(&it).unwrap();
                let n = out.records.len();
                readable.extend(out.records.into_iter().map(|r| r.sequence_number));
                match out.next_shard_iterator {
                    Some(next) if n > 0 => it = next,
                    _ => break,
                }
            }
        }
        let window = (retention as u64).hours();
        for (seq, at) in &accepted {
            let alive = *at + window > c.now();
            prop_assert_eq!(readable.contains(seq), alive, "record {:?} put at {}", parse_sequence_number(seq), at);
        }
    }
}

#[test]
fn streams_and_firehose_are_targets_by_arn() {
    let mut c = Cloud::new();
    let s = stream(&mut c, "s", 1);
    cloudlab::targets::send(&mut c, &s.arn, "from a target".into(), Default::default()).unwrap();
    assert!(cloudlab::targets::exists(&c, &s.arn));
    assert_eq!(
        read_shard(&mut c, &s, "shardId-000000000000")[0].text(),
        "from a target"
    );
    assert!(!cloudlab::targets::exists(
        &c,
        "arn:aws:kinesis:us-east-1:123456789012:stream/nope"
    ));
}

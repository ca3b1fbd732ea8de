//! Property tests: no message is ever lost, and duplicates happen only where
//! AWS allows them (standard queues with anomalies on).

use std::collections::{BTreeMap, BTreeSet};

use cloudlab::prelude::*;
use cloudlab::sqs::QueueStats;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Send { group: u8 },
    Receive { max: u32, visibility: Option<u8> },
    Delete { index: usize },
    Show { index: usize },
    Advance { secs: u16 },
    Purge,
    Redrive,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..3).prop_map(|group| Op::Send { group }),
        4 => (1u32..=10, proptest::option::of(0u8..40)).prop_map(|(max, visibility)| Op::Receive { max, visibility }),
        3 => (0usize..20).prop_map(|index| Op::Delete { index }),
        1 => (0usize..20).prop_map(|index| Op::Show { index }),
        3 => (0u16..400).prop_map(|secs| Op::Advance { secs }),
        1 => Just(Op::Purge),
        1 => Just(Op::Redrive),
    ]
}

/// A message id may be in at most one queue, and every id in a queue was sent.
fn check_places(cloud: &mut Cloud, queues: &[&Queue], sent: &BTreeSet<String>) {
    let mut seen = BTreeSet::new();
    for q in queues {
        for m in cloud.sqs().peek(*q).unwrap().messages {
            assert!(
                sent.contains(&m.message_id),
                "unknown message {}",
                m.message_id
            );
            assert!(
                seen.insert(m.message_id.clone()),
                "{} is in two places",
                m.message_id
            );
        }
    }
}

/// Per queue: everything that came in is still there or left by a counted way.
fn check_conservation(stats: QueueStats, held: usize) {
    let came_in = stats.sent + stats.moved_in;
    let left = stats.deleted + stats.expired + stats.moved_out + stats.purged;
    assert_eq!(
        came_in,
        held as u64 + left,
        "conservation broken: {stats:?}, {held} held"
    );
}

fn run(ops: Vec<Op>, fifo: bool, anomalies: bool, seed: u64) {
    let mut cloud = Cloud::with_seed(seed).with_anomalies(anomalies);
    let suffix = if fifo { ".fifo" } else { "" };
    let dlq = cloud.sqs().create_queue(&format!("dlq{suffix}")).unwrap();
    let q = cloud
        .sqs()
        .create_queue_with(
            &format!("work{suffix}"),
            QueueOptions::new()
                .visibility_timeout(30.secs())
                .retention(600.secs())
                .dead_letter_queue(&dlq, 3),
        )
        .unwrap();
    let mut sent = BTreeSet::new();
    let mut held: Vec<Message> = Vec::new();
    // For exactly-once checks: message id -> end of its current visibility window.
    let mut in_flight_until: BTreeMap<String, SimTime> = BTreeMap::new();
    let mut deleted: BTreeSet<String> = BTreeSet::new();
    let exactly_once = fifo || !anomalies;
    let mut n = 0u64;
    for op in ops {
        match op {
            Op::Send { group } => {
                n += 1;
                let mut m = Msg::new(format!("m{n}"));
                if fifo {
                    m = m.group(&format!("g{group}")).dedup_id(&n.to_string());
                }
                let out = cloud.sqs().send(&q, m).unwrap();
                sent.insert(out.message_id);
            }
            Op::Receive { max, visibility } => {
                let mut how = Receive::max(max);
                if let Some(v) = visibility {
                    how = how.visibility((v as u64).secs());
                }
                let now = cloud.now();
                for m in cloud.sqs().receive(&q, how).unwrap() {
                    if exactly_once {
                        assert!(
                            !deleted.contains(&m.message_id),
                            "deleted message {} came back",
                            m.message_id
                        );
                        if let Some(until) = in_flight_until.get(&m.message_id) {
                            assert!(
                                *until <= now,
                                "{} delivered twice while in flight",
                                m.message_id
                            );
                        }
                    }
                    let vis = visibility.map_or(30, u64::from);
                    in_flight_until.insert(m.message_id.clone(), now + vis.secs());
                    held.push(m);
                }
            }
            Op::Delete { index } => {
                if !held.is_empty() {
                    let m = held.remove(index % held.len());
                    cloud.sqs().delete(&q, &m).unwrap();
                    let mut still_there = false;
                    for queue in [&q, &dlq] {
                        still_there |= cloud
                            .sqs()
                            .peek(queue)
                            .unwrap()
                            .messages
                            .iter()
                            .any(|x| x.message_id == m.message_id);
                    }
                    if !still_there {
                        deleted.insert(m.message_id.clone());
                    }
                }
            }
            Op::Show { index } => {
                if !held.is_empty() {
                    let m = &held[index % held.len()];
                    // Fails harmlessly when the handle is stale or the message gone.
                    let r = cloud.sqs().change_visibility(&q, m, 0.secs());
                    if r.is_ok() {
                        in_flight_until.insert(m.message_id.clone(), cloud.now());
                    }
                }
            }
            Op::Advance { secs } => cloud.advance((secs as u64).secs()),
            Op::Purge => {
                let _ = cloud.sqs().purge(&dlq);
            }
            Op::Redrive => {
                let _ = cloud.sqs().redrive(&dlq);
            }
        }
        check_places(&mut cloud, &[&q, &dlq], &sent);
        for queue in [&q, &dlq] {
            let held_now = cloud.sqs().counts(queue).unwrap().total();
            check_conservation(cloud.sqs().stats(queue).unwrap(), held_now);
        }
    }
    let qs = cloud.sqs().stats(&q).unwrap();
    let ds = cloud.sqs().stats(&dlq).unwrap();
    assert_eq!(
        qs.sent,
        sent.len() as u64,
        "every accepted send is counted once"
    );
    assert_eq!(
        qs.moved_out + ds.moved_out,
        ds.moved_in + qs.moved_in,
        "moves between the two queues balance"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn standard_queues_never_lose_messages(ops in prop::collection::vec(op(), 1..120), seed in 0u64..1000) {
        run(ops, false, false, seed);
    }

    #[test]
    fn standard_queues_with_anomalies_never_lose_messages(ops in prop::collection::vec(op(), 1..120), seed in 0u64..1000) {
        run(ops, false, true, seed);
    }

    #[test]
    fn fifo_queues_deliver_exactly_once_even_with_anomalies(ops in prop::collection::vec(op(), 1..120), seed in 0u64..1000) {
        run(ops, true, true, seed);
    }
}

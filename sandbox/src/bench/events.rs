//! `cloudlab bench events`: 100 EventBridge-style rules matched against a
//! stream of events, compiled into one [`PatternSet`] versus the same
//! compiled patterns tried one rule at a time (and the naive interpreter).

use std::hint::black_box;

use serde_json::{Value, json};

use super::{Measurement, Report, rate};
use crate::pattern::{Pattern, PatternSet, naive};
use crate::rng::SimRng;

const SOURCES: usize = 25;
const TYPES: &[&str] = &["OrderPlaced", "OrderShipped", "PaymentFailed", "StockLow"];
const REGIONS: &[&str] = &[
    "eu-west-1",
    "eu-central-1",
    "us-east-1",
    "us-west-2",
    "ap-south-1",
];

/// The 100 rules: one per (source, detail-type), each with its own detail
/// condition drawn from the operators rules use most.
pub fn rules() -> Vec<Value> {
    let mut out = Vec::new();
    for s in 0..SOURCES {
        for (t, dt) in TYPES.iter().enumerate() {
            let detail = match (s + t) % 5 {
                0 => json!({"total": [{"numeric": [">=", 100 * (t + 1)]}]}),
                1 => json!({"region": [{"prefix": "eu-"}]}),
                2 => json!({"status": [{"anything-but": ["cancelled", "test"]}]}),
                3 => json!({"customer": {"tier": ["gold", "platinum"]}}),
                _ => {
                    json!({"coupon": [{"exists": false}], "channel": [{"equals-ignore-case": "WEB"}]})
                }
            };
            out.push(json!({
                "source": [format!("com.shop.service{s}")],
                "detail-type": [dt],
                "detail": detail,
            }));
        }
    }
    out
}

/// `n` distinct events spread over the rules' sources and types (a few from
/// sources no rule listens to), deterministic.
pub fn events(n: usize) -> Vec<Value> {
    let mut rng = SimRng::new(7);
    let pick =
        |rng: &mut SimRng, xs: &[&str]| xs[rng.range(0, xs.len() as u64 - 1) as usize].to_string();
    (0..n)
        .map(|i| {
            let source = format!("com.shop.service{}", rng.range(0, SOURCES as u64 + 4));
            let mut detail = json!({
                "orderId": format!("o-{i}"),
                "total": rng.range(1, 1000),
                "region": pick(&mut rng, REGIONS),
                "status": pick(&mut rng, &["new", "paid", "cancelled", "test"]),
                "customer": {"id": format!("c-{}", rng.range(1, 500)), "tier": pick(&mut rng, &["basic", "gold", "platinum"])},
                "channel": pick(&mut rng, &["web", "Web", "mobile"]),
                "items": [{"sku": "a-1", "qty": 1}, {"sku": "b-2", "qty": 3}],
            });
            if rng.chance(0.3) {
                detail["coupon"] = json!("SAVE10");
            }
            json!({
                "version": "0",
                "id": format!("evt-{i}"),
                "source": source,
                "detail-type": pick(&mut rng, TYPES),
                "account": "123456789012",
                "time": "2026-01-01T00:00:00Z",
                "region": "us-east-1",
                "resources": [],
                "detail": detail,
            })
        })
        .collect()
}

/// Runs the events benchmark over `n` events (at least 10,000).
pub fn run(n: usize) -> Report {
    let n = n.max(10_000);
    let rule_json = rules();
    let compiled: Vec<Pattern> = rule_json
        .iter()
        .map(|r| Pattern::from_value(r).expect("bench rules are valid"))
        .collect();
    let mut set = PatternSet::new();
    for (i, p) in compiled.iter().enumerate() {
        set.insert(i, p.clone());
    }
    let pool = events(1000);
    let mut scratch = Vec::new();

    let set_pass = |scratch: &mut Vec<u32>| {
        let mut hits = 0;
        for i in 0..n {
            hits += set.count_matches(&pool[i % pool.len()], scratch);
        }
        hits
    };
    let linear_pass = || {
        let mut hits = 0;
        for i in 0..n {
            let e = &pool[i % pool.len()];
            hits += compiled.iter().filter(|p| p.matches(e)).count();
        }
        hits
    };
    let naive_n = n / 10;
    let naive_pass = || {
        let mut hits = 0;
        for i in 0..naive_n {
            let e = &pool[i % pool.len()];
            hits += rule_json.iter().filter(|p| naive::matches(p, e)).count();
        }
        hits
    };
    // Same answers, then warm up.
    let (a, b) = (set_pass(&mut scratch), linear_pass());
    assert_eq!(a, b, "the set and one-at-a-time matching disagree");
    black_box(naive_pass());

    let mut hits = 0;
    let set_rate = rate(n, || hits = black_box(set_pass(&mut scratch)));
    let linear_rate = rate(n, || {
        black_box(linear_pass());
    });
    let naive_rate = rate(naive_n, || {
        black_box(naive_pass());
    });
    let mut report = Report {
        title: format!(
            "cloudlab bench events ({n} events, {} rules, {:.2} matches per event, median of {} runs)",
            compiled.len(),
            hits as f64 / n as f64,
            super::RUNS
        ),
        ..Default::default()
    };
    report.rows.push(Measurement {
        name: "100 rules, compiled set".into(),
        rate: set_rate,
        baseline_rate: linear_rate,
        unit: "events",
    });
    report.rows.push(Measurement {
        name: "naive interpreter, rule by rule".into(),
        rate: naive_rate,
        baseline_rate: linear_rate,
        unit: "events",
    });
    report.notes.push(
        "baseline: the same 100 compiled patterns tried one rule at a time; events are parsed JSON"
            .into(),
    );
    if cfg!(debug_assertions) {
        report.notes.push(
            "note: this is a debug build; run `cargo run --release -p cloudlab-cli -- bench events` for real figures".into(),
        );
    }
    report
        .notes
        .push("target: >= 1,000,000 events/s for the compiled set (release)".into());
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_valid_and_events_hit_some() {
        let rules = rules();
        assert_eq!(rules.len(), 100);
        let events = events(200);
        let hits: usize = events
            .iter()
            .map(|e| rules.iter().filter(|r| naive::matches(r, e)).count())
            .sum();
        assert!(hits > 20, "the workload should match now and then ({hits})");
        assert!(hits < 200 * 3);
    }
}

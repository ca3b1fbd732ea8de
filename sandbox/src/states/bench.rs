//! `cloudlab bench states`: how fast the interpreter moves through states.
//!
//! Two workloads, each reported in Pass-state transitions per second next to
//! a plain-Rust baseline measured in the same run: a loop that moves the same
//! JSON value through the same number of steps and writes the same two
//! history records per step (entered with its input, exited with its output).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::bench::{Measurement, Report};
use crate::cloud::Cloud;

/// A Standard state machine of `n` Pass states in a row.
pub fn chain_definition(n: usize) -> Value {
    let mut states = Map::new();
    for i in 0..n {
        let mut s = json!({"Type": "Pass"});
        if i + 1 == n {
            s["End"] = json!(true);
        } else {
            s["Next"] = json!(format!("S{}", i + 1));
        }
        states.insert(format!("S{i}"), s);
    }
    json!({"StartAt": "S0", "States": states})
}

/// A Map state over its input with one Pass state per item.
pub fn map_definition() -> Value {
    json!({
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 0,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                "End": true
            }
        }
    })
}

/// An account with the state machine `definition` created (validation is
/// not part of what is timed).
fn account(definition: Value) -> Cloud {
    let mut cloud = Cloud::new();
    cloud
        .states()
        .create_state_machine("bench", definition)
        .expect("a valid definition");
    cloud
}

/// Runs one execution on `input` to its end; returns its transitions.
fn execute(cloud: &mut Cloud, input: Value) -> u64 {
    let exec = cloud
        .states()
        .start_execution("bench", input)
        .expect("start");
    cloud.run_until_idle();
    let d = cloud.states().describe(&exec).expect("describe");
    assert!(d.succeeded(), "benchmark execution failed: {d:?}");
    d.transitions
}

/// The baseline: `steps` steps, each moving `value` on and recording it
/// twice as JSON text, as a history does.
pub fn baseline(steps: usize, value: &Value) -> usize {
    let names: Vec<Arc<str>> = (0..steps).map(|i| Arc::from(format!("S{i}"))).collect();
    let mut records: Vec<(u64, Arc<str>, String)> = Vec::new();
    let mut v = value.clone();
    let mut at = 0usize;
    while at < steps {
        records.push((2 * at as u64, Arc::clone(&names[at]), v.to_string()));
        v = black_box(v);
        records.push((2 * at as u64 + 1, Arc::clone(&names[at]), v.to_string()));
        at += 1;
    }
    black_box(&records);
    records.len()
}

fn rate(units: u64, f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    units as f64 / t.elapsed().as_secs_f64().max(1e-9)
}

fn best(runs: usize, mut f: impl FnMut() -> f64) -> f64 {
    (0..runs.max(1)).map(|_| f()).fold(0.0, f64::max)
}

/// Runs the Step Functions benchmarks: a chain of `chain` Pass states and a
/// Map over `items` items (best of `runs` each).
pub fn run(chain: usize, items: usize, runs: usize) -> Report {
    let chain = chain.clamp(10, 12_000);
    let items = items.max(10);
    let chain_def = chain_definition(chain);
    let input = json!({"order": "o-1", "total": 42});
    let mut chain_cloud = account(chain_def);
    // Warm up.
    execute(&mut chain_cloud, input.clone());
    baseline(100, &input);
    let chain_rate = best(runs, || {
        let i = input.clone();
        let mut n = 0;
        let r = rate(chain as u64, || n = execute(&mut chain_cloud, i));
        assert_eq!(n, chain as u64);
        r
    });
    let chain_base = best(runs, || {
        rate(chain as u64, || {
            black_box(baseline(chain, &input));
        })
    });
    let list: Vec<Value> = (0..items).map(|i| json!({"id": i})).collect();
    let map_input = Value::Array(list);
    let mut map_cloud = account(map_definition());
    let map_rate = best(runs, || {
        let i = map_input.clone();
        let mut n = 0;
        let r = rate(items as u64 + 1, || n = execute(&mut map_cloud, i));
        assert_eq!(n, items as u64 + 1);
        r
    });
    let map_base = best(runs, || {
        rate(items as u64 + 1, || {
            black_box(baseline(items + 1, &json!({"id": 7})));
        })
    });
    let mut report = Report {
        title: format!(
            "cloudlab bench states (chain of {chain} Pass states; Map over {items} items; best of {runs}; state machines created before timing)"
        ),
        ..Default::default()
    };
    report.rows.push(Measurement {
        name: format!("Pass chain ({chain} states)"),
        rate: chain_rate,
        baseline_rate: chain_base,
        unit: "transitions",
    });
    report.rows.push(Measurement {
        name: format!("Map over {items} items"),
        rate: map_rate,
        baseline_rate: map_base,
        unit: "transitions",
    });
    if cfg!(debug_assertions) {
        report.notes.push(
            "note: this is a debug build of the sandbox; run `cargo run --release -p cloudlab-cli -- bench states` for real figures".into(),
        );
    }
    report
        .notes
        .push("target: >= 1,000,000 transitions/s (each with its two history events)".into());
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_run_and_count_their_transitions() {
        assert_eq!(execute(&mut account(chain_definition(25)), json!({})), 25);
        assert_eq!(execute(&mut account(map_definition()), json!([1, 2, 3])), 4);
        assert_eq!(baseline(25, &json!({})), 50);
        let r = run(10, 10, 1);
        assert_eq!(r.rows.len(), 2);
        assert!(r.rows.iter().all(|m| m.rate > 0.0 && m.baseline_rate > 0.0));
    }
}

//! Benchmarks of the sandbox (`cloudlab bench sandbox`). Each workload is
//! timed next to a plain-Rust baseline doing the same bookkeeping in the same
//! process, and reported as a rate and a ratio to that baseline.

use std::collections::VecDeque;
use std::fmt;
use std::hint::black_box;
use std::time::Instant;

use crate::cloud::Cloud;
use crate::sqs::Receive;

pub mod events;
pub mod kinesis;
pub mod servers;

/// One measured workload.
#[derive(Clone, Debug)]
pub struct Measurement {
    /// What was measured.
    pub name: String,
    /// Units per second of the sandbox workload.
    pub rate: f64,
    /// Units per second of the baseline.
    pub baseline_rate: f64,
    /// What a unit is.
    pub unit: &'static str,
}

impl Measurement {
    /// Sandbox rate divided by baseline rate.
    pub fn ratio(&self) -> f64 {
        self.rate / self.baseline_rate
    }
}

/// Measurements of one benchmark run.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Title line.
    pub title: String,
    /// The measurements.
    pub rows: Vec<Measurement>,
    /// Notes printed under the table (build profile, targets).
    pub notes: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        writeln!(
            f,
            "{:<40} {:>16} {:>18} {:>10}",
            "workload", "rate", "baseline rate", "ratio"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<40} {:>13.0} {}/s {:>15.0} {}/s {:>10.4}",
                r.name,
                r.rate,
                short(r.unit),
                r.baseline_rate,
                short(r.unit),
                r.ratio()
            )?;
        }
        for n in &self.notes {
            writeln!(f, "{n}")?;
        }
        Ok(())
    }
}

fn short(unit: &str) -> &str {
    match unit {
        "messages" => "msg",
        "deliveries" => "dlv",
        _ => unit,
    }
}

/// How many timed runs each workload gets; the median is reported, so one
/// run slowed by the machine (a page-fault burst, another process) does not
/// decide the figure.
pub(crate) const RUNS: usize = 5;

/// Units per second of `f` doing `n` units: the median of [`RUNS`] runs.
fn rate(n: usize, mut f: impl FnMut()) -> f64 {
    let mut rates: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            n as f64 / t.elapsed().as_secs_f64().max(1e-9)
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[RUNS / 2]
}

/// The baseline for queue workloads: the same send/receive/delete bookkeeping
/// with a `VecDeque` and a `Vec` of in-flight bodies.
pub fn vecdeque_loop(n: usize) {
    let mut q: VecDeque<String> = VecDeque::new();
    let mut in_flight: Vec<String> = Vec::with_capacity(10);
    for i in 0..n {
        q.push_back(format!("message {i}"));
        if q.len() >= 10 {
            in_flight.extend(q.drain(..10));
            black_box(&in_flight);
            in_flight.clear();
        }
    }
}

/// SQS send + receive (batches of 10) + delete, per message.
pub fn sqs_round_trip(n: usize) {
    let mut cloud = Cloud::new();
    cloud.trace_mut().set_capacity(100_000);
    let q = cloud.sqs().create_queue("bench").expect("create");
    let mut sqs = cloud.sqs();
    for i in 0..n {
        sqs.send(&q, format!("message {i}")).expect("send");
        if (i + 1) % 10 == 0 {
            let got = sqs.receive(&q, Receive::max(10)).expect("receive");
            for m in &got {
                sqs.delete(&q, m).expect("delete");
            }
        }
    }
}

/// Baseline for fan-out: each message copied into 10 `VecDeque`s.
pub fn fanout_baseline(n: usize) {
    let mut queues: Vec<VecDeque<String>> = vec![VecDeque::new(); 10];
    for i in 0..n {
        let m = format!("message {i}");
        for q in queues.iter_mut() {
            q.push_back(m.clone());
            if q.len() > 100 {
                q.clear();
            }
        }
        black_box(&queues);
    }
}

/// SNS publish fanned out to 10 queues (raw delivery), queues drained as they fill.
pub fn sns_fanout(n: usize) {
    let mut cloud = Cloud::new();
    cloud.trace_mut().set_capacity(100_000);
    let topic = cloud.sns().create_topic("bench").expect("topic");
    let queues: Vec<_> = (0..10)
        .map(|i| cloud.sqs().create_queue(&format!("q{i}")).expect("queue"))
        .collect();
    for q in &queues {
        cloud
            .sns()
            .subscribe_queue_raw(&topic, q)
            .expect("subscribe");
    }
    for i in 0..n {
        cloud
            .sns()
            .publish(&topic, format!("message {i}"))
            .expect("publish");
        if (i + 1) % 100 == 0 {
            for q in &queues {
                cloud.sqs().purge(q).ok();
                cloud.advance(std::time::Duration::from_secs(61));
            }
        }
    }
}

/// SQS to Lambda: messages sent in batches of 10, consumed by an event source
/// mapping (batch 10) invoking a function that does nothing.
pub fn sqs_to_lambda(n: usize) {
    let mut cloud = Cloud::new();
    cloud.trace_mut().set_capacity(100_000);
    let q = cloud.sqs().create_queue("jobs").expect("queue");
    let f = cloud
        .lambda()
        .create_function(
            "worker",
            crate::lambda::Function::new(|_e, _c| Ok(serde_json::Value::Null)),
        )
        .expect("function");
    cloud
        .lambda()
        .poll_queue(&f, &q, crate::lambda::Polling::batch(10))
        .expect("mapping");
    let mut i = 0;
    while i < n {
        let batch: Vec<String> = (i..(i + 10).min(n))
            .map(|k| format!("message {k}"))
            .collect();
        i += batch.len();
        cloud.sqs().send_batch(&q, batch).expect("send");
        if i % 1000 == 0 {
            cloud.run_until_idle();
        }
    }
    cloud.run_until_idle();
}

/// Runs the sandbox benchmarks with `n` messages each.
pub fn sandbox(n: usize) -> Report {
    let n = n.max(1000);
    // Warm up allocators and caches once.
    sqs_round_trip(n / 10);
    vecdeque_loop(n / 10);
    let base = rate(n, || vecdeque_loop(n));
    let sqs = rate(n, || sqs_round_trip(n));
    let mut report = Report {
        title: format!("cloudlab bench sandbox ({n} messages per workload, median of {RUNS} runs)"),
        ..Default::default()
    };
    report.rows.push(Measurement {
        name: "SQS send+receive+delete".into(),
        rate: sqs,
        baseline_rate: base,
        unit: "messages",
    });
    let m = n / 10;
    let fan_base = rate(m * 10, || fanout_baseline(m));
    let fan = rate(m * 10, || sns_fanout(m));
    report.rows.push(Measurement {
        name: "SNS publish fanned out to 10 queues".into(),
        rate: fan,
        baseline_rate: fan_base,
        unit: "deliveries",
    });
    let lam = rate(m, || sqs_to_lambda(m));
    report.rows.push(Measurement {
        name: "SQS -> Lambda (batches of 10)".into(),
        rate: lam,
        baseline_rate: base,
        unit: "messages",
    });
    if cfg!(debug_assertions) {
        report.notes.push(
            "note: this is a debug build of the sandbox; run `cargo run --release -p cloudlab-cli -- bench sandbox` for real figures".into(),
        );
    }
    report.notes.push("target: >= 1,000,000 SQS msgs/s".into());
    report
}

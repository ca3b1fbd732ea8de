//! `cloudlab bench servers`: a day-long daily load profile through an
//! auto-scaled fleet behind a load balancer, in simulated requests per wall
//! second, against a plain loop that touches every request once (draws its
//! arrival second from the same profile and counts its latency in a
//! histogram) in the same run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use super::{Measurement, Report};
use crate::cloud::Cloud;
use crate::servers::{App, Component, Deployment, Profile, Tracked};

fn profile() -> Profile {
    Profile::daily(50.0, 500.0).plus(Profile::spike(15.0 * 3600.0, 1800.0, 400.0))
}

/// Runs the profile for `days` through the sandbox; returns requests simulated.
pub fn fleet_day(days: u64) -> u64 {
    let mut cloud = Cloud::new();
    cloud.trace_mut().set_capacity(10_000);
    let app = App::new("shop").component(Component::new("web", 40.0).memory_gib(1.0));
    let site = cloud
        .servers()
        .deploy(
            "shop",
            &app,
            Deployment::monolith("c5.large")
                .capacity(2, 2, 40)
                .detailed_monitoring(),
        )
        .expect("deploy");
    cloud.servers().wait_ready(&site).expect("ready");
    cloud
        .servers()
        .target_tracking(&site.groups[0], "cpu", Tracked::Cpu, 50.0)
        .expect("policy");
    let report = cloud
        .servers()
        .run(&site, profile(), Duration::from_secs(days * 86_400))
        .expect("run");
    report.counts.arrived
}

/// The baseline: one pass over every request of the same profile.
pub fn plain_loop(days: u64) -> u64 {
    let p = profile();
    let mut hist = [0u64; 64];
    let mut carry = 0.0;
    let mut n = 0u64;
    for s in 0..days * 86_400 {
        let x = carry + p.rate(Duration::from_secs(s));
        let k = x.floor() as u64;
        carry = x - k as f64;
        for i in 0..k {
            let latency_ms = 40.0 + (i % 7) as f64;
            hist[(latency_ms as usize) % 64] += 1;
            n += 1;
        }
    }
    black_box(hist);
    n
}

/// Runs the benchmark over `days` of load.
pub fn run(days: u64) -> Report {
    let days = days.max(1);
    let t = Instant::now();
    let base_n = plain_loop(days);
    let base = base_n as f64 / t.elapsed().as_secs_f64().max(1e-9);
    let t = Instant::now();
    let sim_n = fleet_day(days);
    let sim = sim_n as f64 / t.elapsed().as_secs_f64().max(1e-9);
    let mut report = Report {
        title: format!(
            "cloudlab bench servers ({days} day(s), daily curve 50-500 rps + spike, {sim_n} requests)"
        ),
        ..Default::default()
    };
    report.rows.push(Measurement {
        name: "ALB + auto-scaled fleet, 1 s ticks".into(),
        rate: sim,
        baseline_rate: base,
        unit: "requests",
    });
    if cfg!(debug_assertions) {
        report.notes.push(
            "note: debug build; run `cargo run --release -p cloudlab-cli -- bench servers`".into(),
        );
    }
    report
        .notes
        .push("baseline: a plain loop touching each request once (same profile)".into());
    report
}

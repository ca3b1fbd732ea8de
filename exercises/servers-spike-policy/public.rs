use grading::prelude::*;
use cloudlab::servers::{App, Component, Profile, RunReport};

use super::solution::{configure, deployment};

pub fn scenarios() -> Vec<Scenario> {
    vec![Scenario::new("a quiet hour at 20 rps", 4, quiet)
        .feedback("At 20 requests a second, one c5.large is half busy: pay for what the quiet hours need.")]
}

/// Deploys the learner's design, configures it and runs `profile` for `length`.
pub fn run(ctx: &mut Ctx, profile: Profile, length: Duration) -> Result<RunReport, check::Fail> {
    let mut cloud = ctx.cloud();
    let app = App::new("shop").component(Component::new("web", 50.0).memory_gib(1.0));
    let site = check::ok("deploy", cloud.servers().deploy("shop", &app, deployment()))?;
    check::ok("configure", configure(&mut cloud, &site))?;
    check::ok("wait for the instances", cloud.servers().wait_ready(&site))?;
    let r = check::ok("run the load", cloud.servers().run(&site, profile, length))?;
    ctx.note(format!(
        "p95 {:.0} ms, {} of {} dropped, {:.1} instance-hours, peak {} instances",
        r.p95_ms,
        r.counts.dropped(),
        r.counts.arrived,
        r.instance_hours,
        r.minutes.iter().map(|m| m.2).max().unwrap_or(0)
    ));
    Ok(r)
}

fn quiet(ctx: &mut Ctx) -> Outcome {
    let r = run(ctx, Profile::constant(20.0), 3600.secs())?;
    check::eq("dropped requests", 0, r.counts.dropped())?;
    check::within("instance-hours in a quiet hour", 0.0, 3.0, r.instance_hours)
}

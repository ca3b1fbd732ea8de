use grading::prelude::*;
use cloudlab::servers::{App, Component, Deployment, Profile};

use super::solution::design;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a one-component app at 100 rps", 4, one_component)
            .feedback("Deploy what you designed, then it must serve the peak without drops and within 300 ms at p95."),
    ]
}

/// Deploys `d`, waits until it is ready and sends `rps` for half an hour.
pub fn serve(ctx: &mut Ctx, app: &App, d: Deployment, rps: f64) -> Result<cloudlab::servers::RunReport, check::Fail> {
    let mut cloud = ctx.cloud();
    let site = check::ok("deploy your design", cloud.servers().deploy("shop", app, d))?;
    check::ok("wait for the instances", cloud.servers().wait_ready(&site))?;
    let r = check::ok("run the load", cloud.servers().run(&site, Profile::constant(rps), 1800.secs()))?;
    ctx.note(format!("{rps} rps for 30 min: p95 {:.0} ms, {} dropped, {:.1} instance-hours, cost {}", r.p95_ms, r.counts.dropped(), r.instance_hours, usd(r.cost_usd)));
    Ok(r)
}

fn one_component(ctx: &mut Ctx) -> Outcome {
    let app = App::new("api").component(Component::new("api", 20.0).memory_gib(1.0));
    let d = check::ok("design", design(&app, 100.0))?;
    let r = serve(ctx, &app, d, 100.0)?;
    check::eq("dropped requests", 0, r.counts.dropped())?;
    check::that("p95 latency under 300 ms", r.p95_ms < 300.0)
}

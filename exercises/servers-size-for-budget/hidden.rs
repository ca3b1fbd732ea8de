use grading::prelude::*;
use cloudlab::servers::{App, Component, Deployment};

use super::public::serve;
use super::solution::design;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a rarely used memory-hungry component", 6, hungry)
            .feedback("One component needs 8 GiB but only 5 % of requests use it. What does that do to every instance of a monolith?"),
        Scenario::new("a small two-part app", 5, small)
            .feedback("At low traffic, what does each extra tier cost even when it is idle?"),
        Scenario::new("the peak is served within 300 ms", 5, peak)
            .feedback("Latency grows without bound as CPUs near 100 %: size with headroom."),
    ]
}

/// What a careful operator pays: the cheaper plan at 60 % CPU.
fn reference(ctx: &mut Ctx, app: &App, rps: f64) -> Result<f64, check::Fail> {
    let m = check::ok("size", app.size_monolith(rps, 0.6))?;
    let t = check::ok("size", app.size_tiers(rps, 0.6))?;
    let best = if t.hourly_usd() < m.hourly_usd() { t } else { m };
    let r = serve(ctx, app, Deployment::from_plan(&best), rps)?;
    Ok(r.cost_usd)
}

fn within_budget(ctx: &mut Ctx, app: &App, rps: f64) -> Outcome {
    let d = check::ok("design", design(app, rps))?;
    let r = serve(ctx, app, d, rps)?;
    let budget = reference(ctx, app, rps)? * 1.15;
    check::eq("dropped requests", 0, r.counts.dropped())?;
    check::that("p95 latency under 300 ms", r.p95_ms < 300.0)?;
    check::within("cost of half an hour at the peak (USD)", 0.0, budget, r.cost_usd)
}

fn hungry(ctx: &mut Ctx) -> Outcome {
    let app = App::new("shop")
        .component(Component::new("web", 15.0).memory_gib(1.0).storage_gb(8))
        .component(Component::new("reports", 200.0).memory_gib(8.0).storage_gb(20))
        .request("browse", 0.95, &["web"])
        .request("report", 0.05, &["web", "reports"]);
    within_budget(ctx, &app, 400.0)
}

fn small(ctx: &mut Ctx) -> Outcome {
    let app = App::new("blog")
        .component(Component::new("web", 10.0).memory_gib(1.0))
        .component(Component::new("comments", 5.0).memory_gib(1.0))
        .request("read", 0.9, &["web"])
        .request("comment", 0.1, &["web", "comments"]);
    within_budget(ctx, &app, 30.0)
}

fn peak(ctx: &mut Ctx) -> Outcome {
    let app = App::new("api").component(Component::new("api", 25.0).io_ms(10.0).memory_gib(2.0));
    let d = check::ok("design", design(&app, 300.0))?;
    let r = serve(ctx, &app, d, 300.0)?;
    check::eq("dropped requests", 0, r.counts.dropped())?;
    check::that("p95 latency under 300 ms", r.p95_ms < 300.0)
}

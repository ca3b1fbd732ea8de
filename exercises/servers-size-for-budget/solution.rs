// exercise: servers-size-for-budget
use cloudlab::prelude::*;
use cloudlab::servers::{App, Deployment};

/// The cheapest deployment of `app` that serves `peak_rps` within 300 ms at p95.
pub fn design(app: &App, peak_rps: f64) -> CloudResult<Deployment> {
    // Leave 40 % headroom so requests do not queue at the peak.
    let monolith = app.size_monolith(peak_rps, 0.6)?;
    let tiers = app.size_tiers(peak_rps, 0.6)?;
    let best = if tiers.hourly_usd() < monolith.hourly_usd() {
        tiers
    } else {
        monolith
    };
    Ok(Deployment::from_plan(&best))
}

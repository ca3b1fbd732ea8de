// exercise: servers-size-for-budget
use cloudlab::prelude::*;
use cloudlab::servers::{App, Deployment};

/// The cheapest plan, sized to run the CPUs flat out.
pub fn design(app: &App, peak_rps: f64) -> CloudResult<Deployment> {
    let monolith = app.size_monolith(peak_rps, 1.0)?;
    let tiers = app.size_tiers(peak_rps, 1.0)?;
    let best = if tiers.hourly_usd() < monolith.hourly_usd() { tiers } else { monolith };
    Ok(Deployment::from_plan(&best))
}

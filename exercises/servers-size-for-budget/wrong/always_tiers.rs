// exercise: servers-size-for-budget
use cloudlab::prelude::*;
use cloudlab::servers::{App, Deployment};

/// Tiers are always better, aren't they?
pub fn design(app: &App, peak_rps: f64) -> CloudResult<Deployment> {
    Ok(Deployment::from_plan(&app.size_tiers(peak_rps, 0.6)?))
}

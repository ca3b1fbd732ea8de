// exercise: servers-size-for-budget
use cloudlab::prelude::*;
use cloudlab::servers::{App, Deployment};

/// The cheapest deployment of `app` that serves `peak_rps` within 300 ms at p95.
pub fn design(app: &App, peak_rps: f64) -> CloudResult<Deployment> {
    // TODO: is a monolith always the right call?
    let plan = app.size_monolith(peak_rps, 0.6)?;
    Ok(Deployment::from_plan(&plan))
}

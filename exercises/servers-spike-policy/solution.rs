// exercise: servers-spike-policy
use cloudlab::prelude::*;
use cloudlab::servers::{Deployment, Site, Tracked};

/// Two instances for the quiet hours, room for twelve; one-minute CPU metrics.
pub fn deployment() -> Deployment {
    Deployment::monolith("c5.large")
        .capacity(2, 2, 12)
        .detailed_monitoring()
}

/// Target tracking on CPU, low enough to leave headroom for the traffic that
/// arrives while new instances boot (90 s) and the alarm collects 3 datapoints.
pub fn configure(cloud: &mut Cloud, site: &Site) -> CloudResult<()> {
    cloud
        .servers()
        .target_tracking(&site.groups[0], "cpu-30", Tracked::Cpu, 30.0)?;
    Ok(())
}

// exercise: servers-spike-policy
use cloudlab::prelude::*;
use cloudlab::servers::{Deployment, Site, Tracked};

/// Target tracking at 50 % CPU, but with 5-minute EC2 metrics.
pub fn deployment() -> Deployment {
    Deployment::monolith("c5.large").capacity(2, 2, 12)
}

pub fn configure(cloud: &mut Cloud, site: &Site) -> CloudResult<()> {
    cloud
        .servers()
        .target_tracking(&site.groups[0], "cpu-50", Tracked::Cpu, 50.0)?;
    Ok(())
}

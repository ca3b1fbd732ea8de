// exercise: servers-spike-policy
use cloudlab::prelude::*;
use cloudlab::servers::{Deployment, Site};

/// How the shop's API is deployed.
pub fn deployment() -> Deployment {
    Deployment::monolith("c5.large").capacity(2, 2, 12)
}

/// Scaling policies for `site.groups[0]`.
pub fn configure(cloud: &mut Cloud, site: &Site) -> CloudResult<()> {
    let _ = (cloud, site);
    // TODO: nothing scales yet.
    Ok(())
}

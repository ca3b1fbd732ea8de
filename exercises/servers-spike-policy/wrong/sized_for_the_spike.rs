// exercise: servers-spike-policy
use cloudlab::prelude::*;
use cloudlab::servers::{Deployment, Site};

/// Twelve instances all the time: the spike never hurts.
pub fn deployment() -> Deployment {
    Deployment::monolith("c5.large").capacity(12, 12, 12)
}

pub fn configure(cloud: &mut Cloud, site: &Site) -> CloudResult<()> {
    let _ = (cloud, site);
    Ok(())
}

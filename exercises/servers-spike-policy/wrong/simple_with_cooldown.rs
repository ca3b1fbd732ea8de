// exercise: servers-spike-policy
use cloudlab::prelude::*;
use cloudlab::servers::{Deployment, Site};

/// One more instance whenever CPU is above 60 % (simple scaling, default cooldown).
pub fn deployment() -> Deployment {
    Deployment::monolith("c5.large")
        .capacity(2, 2, 12)
        .detailed_monitoring()
}

pub fn configure(cloud: &mut Cloud, site: &Site) -> CloudResult<()> {
    let g = &site.groups[0];
    let up = cloud.servers().simple_scaling(g, "add-one", 1, None)?;
    let cpu = MetricKey::new("AWS/EC2", "CPUUtilization", &[("AutoScalingGroupName", g)]);
    cloud
        .cloudwatch()
        .put_alarm(AlarmSpec::new("cpu-high", cpu).above(60.0).on_alarm(&up))
}

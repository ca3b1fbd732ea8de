use grading::prelude::*;
use cloudlab::servers::Profile;

use super::public::run;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a spike stays under 500 ms at p95", 5, spike_latency)
            .feedback("How long after the ramp starts does your first new instance serve traffic? Count the datapoints an alarm needs and the boot time."),
        Scenario::new("a spike drops almost nothing", 4, spike_drops)
            .feedback("Requests that wait more than 60 s for an instance are dropped by the load balancer."),
        Scenario::new("a spike costs at most half of a fleet sized for it", 4, spike_cost)
            .feedback("Twelve instances all the time is 24 instance-hours in two hours; scale in after the spike."),
        Scenario::new("a later, shorter spike", 3, second_spike)
            .feedback("Nobody knows when a campaign starts: the policy must react, not predict."),
    ]
}

fn ramp(start: f64, up: f64, hold: f64) -> Profile {
    Profile::Points(vec![
        (0.0, 20.0),
        (start, 20.0),
        (start + up, 220.0),
        (start + up + hold, 220.0),
        (start + 2.0 * up + hold, 20.0),
        (7200.0, 20.0),
    ])
}

fn spike_latency(ctx: &mut Ctx) -> Outcome {
    let r = run(ctx, ramp(1800.0, 600.0, 1200.0), 7200.secs())?;
    check::that("p95 latency under 500 ms", r.p95_ms < 500.0)
}

fn spike_drops(ctx: &mut Ctx) -> Outcome {
    let r = run(ctx, ramp(1800.0, 600.0, 1200.0), 7200.secs())?;
    check::within("share of requests dropped", 0.0, 0.001, r.drop_rate())
}

fn spike_cost(ctx: &mut Ctx) -> Outcome {
    let r = run(ctx, ramp(1800.0, 600.0, 1200.0), 7200.secs())?;
    check::within("instance-hours over the two hours", 0.0, 14.0, r.instance_hours)
}

fn second_spike(ctx: &mut Ctx) -> Outcome {
    let r = run(ctx, ramp(4000.0, 480.0, 600.0), 7200.secs())?;
    check::that("p95 latency under 500 ms", r.p95_ms < 500.0)?;
    check::within("share of requests dropped", 0.0, 0.001, r.drop_rate())
}

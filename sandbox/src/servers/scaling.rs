//! Auto Scaling: capacity (min, desired, max), launching and terminating
//! instances, and scaling policies run by CloudWatch alarms.
//!
//! - **Target tracking** creates two alarms, as AWS does: AlarmHigh (3 of 3
//!   one-minute datapoints above the target; 5-minute datapoints with EC2
//!   basic monitoring) and AlarmLow (15 of 15 below 90 % of the target). When
//!   one fires, the new capacity is `ceil(in service × metric / target)`.
//! - **Step scaling** runs on an alarm you create: the breach (metric −
//!   threshold) picks a step; instances still warming up do not count, so an
//!   alarm that stays in ALARM while they warm up does not add them twice.
//! - **Simple scaling** adds or removes a fixed amount, then waits out the
//!   cooldown (the group's default cooldown, 300 s, unless the policy sets one).
//!
//! Alarm actions on Auto Scaling policies repeat every minute while the alarm
//! stays in ALARM, as CloudWatch documents.

use std::sync::Arc;
use std::time::Duration;

use super::model::*;
use crate::cloud::Cloud;
use crate::cloudwatch::ops::Dimension;
use crate::cloudwatch::ops::alarms::{PutMetricAlarmInput, put_metric_alarm};
use crate::cloudwatch::ops::metrics::{Metric, MetricDataQuery, MetricStat};
use crate::error::{CloudError, CloudResult};
use crate::time::SimTime;

/// What a target-tracking policy keeps at its target.
#[derive(Clone, Debug, PartialEq)]
pub enum Tracked {
    /// Average CPU utilisation of the group, percent (ASGAverageCPUUtilization).
    Cpu,
    /// Requests per target per minute at the group's load balancer (ALBRequestCountPerTarget).
    RequestsPerTarget,
    /// Visible messages of an SQS queue per in-service instance.
    BacklogPerInstance(String),
}

/// How a step or simple policy changes capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjustment {
    /// Add (or remove) this many instances.
    ChangeInCapacity,
    /// Set capacity to this number.
    ExactCapacity,
    /// Add (or remove) this percentage of current capacity.
    PercentChangeInCapacity,
}

/// One step: breach bounds (metric minus threshold; `None` is unbounded) and
/// the adjustment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// Lower bound of the breach, inclusive.
    pub lower: Option<f64>,
    /// Upper bound of the breach, exclusive.
    pub upper: Option<f64>,
    /// The adjustment.
    pub adjustment: i64,
}

/// A scaling policy's behaviour.
#[derive(Clone, Debug, PartialEq)]
pub enum PolicyKind {
    /// Keep a metric at a target.
    TargetTracking {
        /// The metric.
        tracked: Tracked,
        /// Its target.
        target: f64,
        /// Never remove instances.
        disable_scale_in: bool,
    },
    /// Steps by breach size.
    Step {
        /// How adjustments read.
        adjustment: Adjustment,
        /// The steps.
        steps: Vec<Step>,
    },
    /// One adjustment, then a cooldown.
    Simple {
        /// How the adjustment reads.
        adjustment: Adjustment,
        /// The adjustment.
        amount: i64,
        /// Cooldown (default: the group's).
        cooldown: Option<Duration>,
    },
}

/// The ARN of a group's policy.
pub fn policy_arn(cloud: &mut Cloud, group: &str, name: &str) -> String {
    let id = cloud.core.rng.uuid();
    crate::cloud::arn(
        "autoscaling",
        &format!("scalingPolicy:{id}:autoScalingGroupName/{group}:policyName/{name}"),
    )
}

pub(crate) fn no_group(name: &str) -> CloudError {
    CloudError::new(
        "ValidationError",
        format!("AutoScalingGroup name not found - {name}"),
    )
}

fn apply(adj: Adjustment, base: u32, amount: i64) -> i64 {
    match adj {
        Adjustment::ChangeInCapacity => base as i64 + amount,
        Adjustment::ExactCapacity => amount,
        Adjustment::PercentChangeInCapacity => {
            let delta = base as f64 * amount as f64 / 100.0;
            // At least one instance either way, as AWS rounds.
            let d = if delta > 0.0 {
                delta.ceil().max(1.0)
            } else if delta < 0.0 {
                delta.floor().min(-1.0)
            } else {
                0.0
            };
            base as i64 + d as i64
        }
    }
}

/// Adds a policy to a group; target tracking also creates its two alarms.
pub(crate) fn put_policy(
    cloud: &mut Cloud,
    group: &str,
    name: &str,
    kind: PolicyKind,
) -> CloudResult<String> {
    let g = cloud
        .servers
        .groups
        .get(group)
        .ok_or_else(|| no_group(group))?;
    if g.policies.iter().any(|p| p.name == name) {
        return Err(CloudError::new(
            "ValidationError",
            format!("The group {group} already has a policy named {name}."),
        ));
    }
    if let PolicyKind::Step { steps, .. } = &kind
        && steps.is_empty()
    {
        return Err(CloudError::new(
            "ValidationError",
            "A step policy needs at least one step.",
        ));
    }
    let arn = policy_arn(cloud, group, name);
    let mut alarms = Vec::new();
    if let PolicyKind::TargetTracking {
        tracked,
        target,
        disable_scale_in,
    } = &kind
    {
        if *target <= 0.0 {
            return Err(CloudError::new(
                "ValidationError",
                "The target value must be above 0.",
            ));
        }
        let base = tt_alarm_base(cloud, group, tracked)?;
        let id = cloud.core.rng.uuid();
        let high = format!("TargetTracking-{group}-AlarmHigh-{id}");
        put_metric_alarm(
            cloud,
            PutMetricAlarmInput {
                alarm_name: high.clone(),
                alarm_description: Some(format!(
                    "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {arn}."
                )),
                alarm_actions: Some(vec![arn.clone()]),
                evaluation_periods: super::quotas::TT_HIGH_POINTS,
                datapoints_to_alarm: Some(super::quotas::TT_HIGH_POINTS),
                threshold: Some(*target),
                comparison_operator: "GreaterThanThreshold".into(),
                ..base.clone()
            },
        )?;
        alarms.push(high);
        if !disable_scale_in {
            let low = format!("TargetTracking-{group}-AlarmLow-{id}");
            put_metric_alarm(
                cloud,
                PutMetricAlarmInput {
                    alarm_name: low.clone(),
                    alarm_description: Some(format!(
                        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {arn}."
                    )),
                    alarm_actions: Some(vec![arn.clone()]),
                    evaluation_periods: super::quotas::TT_LOW_POINTS,
                    datapoints_to_alarm: Some(super::quotas::TT_LOW_POINTS),
                    threshold: Some(target * super::quotas::TT_LOW_FACTOR),
                    comparison_operator: "LessThanThreshold".into(),
                    ..base
                },
            )?;
            alarms.push(low);
        }
    }
    let g = cloud.servers.groups.get_mut(group).expect("checked");
    g.policies.push(Policy {
        name: name.to_string(),
        arn: arn.clone(),
        kind,
        alarms,
    });
    Ok(arn)
}

fn dim(name: &str, value: &str) -> Dimension {
    Dimension {
        name: name.into(),
        value: value.into(),
    }
}

fn tt_alarm_base(
    cloud: &Cloud,
    group: &str,
    tracked: &Tracked,
) -> CloudResult<PutMetricAlarmInput> {
    let g = &cloud.servers.groups[group];
    Ok(match tracked {
        Tracked::Cpu => PutMetricAlarmInput {
            namespace: Some("AWS/EC2".into()),
            metric_name: Some("CPUUtilization".into()),
            dimensions: vec![dim("AutoScalingGroupName", group)],
            statistic: Some("Average".into()),
            period: Some(if g.detailed_monitoring { 60 } else { 300 }),
            ..Default::default()
        },
        Tracked::RequestsPerTarget => {
            let Source::Site { lb, .. } = &g.source else {
                return Err(CloudError::new(
                    "ValidationError",
                    format!("The group {group} has no load balancer to count requests at."),
                ));
            };
            let b = &cloud.servers.balancers[lb];
            PutMetricAlarmInput {
                namespace: Some("AWS/ApplicationELB".into()),
                metric_name: Some("RequestCountPerTarget".into()),
                dimensions: vec![
                    dim("LoadBalancer", &b.dimension),
                    dim("TargetGroup", &b.target_group),
                ],
                statistic: Some("Sum".into()),
                period: Some(60),
                ..Default::default()
            }
        }
        Tracked::BacklogPerInstance(queue) => {
            let q = |id: &str, ns: &str, m: &str, d: Dimension, stat: &str| MetricDataQuery {
                id: id.into(),
                metric_stat: Some(MetricStat {
                    metric: Metric {
                        namespace: ns.into(),
                        metric_name: m.into(),
                        dimensions: vec![d],
                    },
                    period: 60,
                    stat: stat.into(),
                    unit: None,
                }),
                return_data: Some(false),
                ..Default::default()
            };
            PutMetricAlarmInput {
                metrics: Some(vec![
                    q(
                        "m1",
                        "AWS/SQS",
                        "ApproximateNumberOfMessagesVisible",
                        dim("QueueName", queue),
                        "Average",
                    ),
                    q(
                        "m2",
                        "AWS/AutoScaling",
                        "GroupInServiceInstances",
                        dim("AutoScalingGroupName", group),
                        "Average",
                    ),
                    MetricDataQuery {
                        id: "e1".into(),
                        expression: Some("m1 / m2".into()),
                        label: Some("Backlog per instance".into()),
                        return_data: Some(true),
                        ..Default::default()
                    },
                ]),
                ..Default::default()
            }
        }
    })
}

/// What an alarm action on `arn` does: finds the policy and scales.
pub(crate) fn alarm_action(
    cloud: &mut Cloud,
    arn: &str,
    alarm: &str,
    value: Option<f64>,
    threshold: f64,
) -> CloudResult<String> {
    let found = cloud.servers.groups.values().find_map(|g| {
        g.policies
            .iter()
            .find(|p| p.arn == arn)
            .map(|p| (g.name.clone(), p.clone()))
    });
    let (group, policy) = found.ok_or_else(|| {
        CloudError::new("ValidationError", format!("No such scaling policy: {arn}"))
    })?;
    let Some(value) = value else {
        return Ok("no datapoint to scale on".into());
    };
    let now = cloud.core.now;
    let g = &cloud.servers.groups[&group];
    let in_service = g.in_service(now) as u32;
    let settled = g
        .instances
        .iter()
        .filter(|i| i.state(now) == Lifecycle::InService && !i.warming(now))
        .count() as u32;
    let desired = g.desired;
    let new: i64 = match &policy.kind {
        PolicyKind::TargetTracking {
            target,
            disable_scale_in,
            ..
        } => {
            let proposed = (in_service.max(1) as f64 * value / target).ceil() as i64;
            let high = alarm.contains("-AlarmHigh-");
            if high {
                proposed.max(desired as i64)
            } else if *disable_scale_in {
                desired as i64
            } else {
                proposed.min(desired as i64)
            }
        }
        PolicyKind::Step { adjustment, steps } => {
            let breach = value - threshold;
            let step = steps.iter().find(|s| {
                s.lower.is_none_or(|l| breach >= l) && s.upper.is_none_or(|u| breach < u)
            });
            let Some(step) = step else {
                return Ok(format!("no step covers a breach of {breach}"));
            };
            let target = apply(*adjustment, settled, step.adjustment);
            match adjustment {
                Adjustment::ExactCapacity => target,
                _ if step.adjustment >= 0 => target.max(desired as i64),
                _ => apply(*adjustment, desired, step.adjustment),
            }
        }
        PolicyKind::Simple {
            adjustment,
            amount,
            cooldown,
        } => {
            if now < g.cooldown_until {
                return Ok(format!(
                    "in cooldown until {}",
                    g.cooldown_until.to_rfc3339_millis()
                ));
            }
            let c = cooldown.unwrap_or(g.default_cooldown);
            let boot = if *amount > 0 { g.boot } else { Duration::ZERO };
            let g = cloud.servers.groups.get_mut(&group).expect("exists");
            g.cooldown_until = now + boot + c;
            apply(*adjustment, desired, *amount)
        }
    };
    set_desired(
        cloud,
        &group,
        new,
        &format!("policy {} (alarm {alarm}, value {value:.2})", policy.name),
    )
}

/// Sets desired capacity (clamped to min..max) and launches or terminates.
pub(crate) fn set_desired(
    cloud: &mut Cloud,
    group: &str,
    new: i64,
    cause: &str,
) -> CloudResult<String> {
    let g = cloud
        .servers
        .groups
        .get_mut(group)
        .ok_or_else(|| no_group(group))?;
    let clamped = new.clamp(g.min as i64, g.max as i64) as u32;
    if clamped == g.desired {
        return Ok(format!("capacity stays {clamped}"));
    }
    let old = g.desired;
    g.desired = clamped;
    let followers: Vec<String> = cloud
        .servers
        .groups
        .values()
        .filter(|f| f.follows.as_deref() == Some(group))
        .map(|f| f.name.clone())
        .collect();
    for f in followers {
        if let Some(fg) = cloud.servers.groups.get_mut(&f) {
            fg.desired = clamped.clamp(fg.min, fg.max);
        }
        reconcile(cloud, &f, cause);
    }
    reconcile(cloud, group, cause);
    Ok(format!("desired capacity {old} -> {clamped}"))
}

pub(crate) fn reconcile_all(cloud: &mut Cloud, cause: &str) {
    let names: Vec<String> = cloud.servers.groups.keys().cloned().collect();
    for n in names {
        reconcile(cloud, &n, cause);
    }
}

/// Launches or terminates instances until the group has `desired` live ones.
pub(crate) fn reconcile(cloud: &mut Cloud, group: &str, cause: &str) {
    let now = cloud.core.now;
    let Some(g) = cloud.servers.groups.get(group) else {
        return;
    };
    let live = g.live(now).count() as u32;
    let desired = g.desired;
    if live < desired {
        for _ in live..desired {
            launch(cloud, group, cause);
        }
    } else if live > desired {
        let g = cloud.servers.groups.get_mut(group).expect("exists");
        // Pending instances first, then the newest in service.
        let mut order: Vec<usize> = (0..g.instances.len())
            .filter(|i| {
                matches!(
                    g.instances[*i].state(now),
                    Lifecycle::Pending | Lifecycle::InService
                )
            })
            .collect();
        order.sort_by_key(|i| {
            let inst = &g.instances[*i];
            (
                inst.state(now) == Lifecycle::InService,
                std::cmp::Reverse(inst.launched),
                std::cmp::Reverse(*i),
            )
        });
        let mut ended = Vec::new();
        for i in order.into_iter().take((live - desired) as usize) {
            let inst = &mut g.instances[i];
            if inst.state(now) == Lifecycle::Pending {
                inst.terminated = Some(now);
            } else {
                inst.draining_since = Some(now);
                if inst.queued == 0 {
                    inst.terminated = Some(now);
                }
            }
            ended.push(inst.id.clone());
        }
        for id in ended {
            activity(
                cloud,
                group,
                format!("Terminating EC2 instance: {id}"),
                cause,
            );
        }
        super::sim::bill(cloud, now);
    }
}

fn launch(cloud: &mut Cloud, group: &str, cause: &str) {
    let now = cloud.core.now;
    let id = format!("i-0{}", cloud.core.rng.hex(16));
    let g = cloud.servers.groups.get_mut(group).expect("exists");
    let ready = now + g.boot;
    g.instances.push(Instance {
        id: id.clone(),
        itype: g.itype,
        launched: now,
        ready_at: ready,
        warm_until: ready + g.warmup.unwrap_or_default(),
        draining_since: None,
        terminated: None,
        failing_since: None,
        queue: Default::default(),
        queued: 0,
        billed_until: now,
        carry_cpu: 0.0,
        carry_occ: 0.0,
        last_util: 0.0,
        cpu_used: 0.0,
        cpu_cap: 0.0,
    });
    activity(
        cloud,
        group,
        format!("Launching a new EC2 instance: {id}"),
        cause,
    );
}

fn activity(cloud: &mut Cloud, group: &str, description: String, cause: &str) {
    let now = cloud.core.now;
    let r: Arc<str> = Arc::from(group);
    cloud.core.trace(
        "autoscaling",
        &r,
        "activity",
        format!("{description} ({cause})"),
    );
    if let Some(g) = cloud.servers.groups.get_mut(group) {
        g.activities.push(Activity {
            at: now,
            description,
            cause: cause.to_string(),
        });
    }
}

/// Groups using ELB health checks terminate (and so replace) instances their
/// load balancer finds unhealthy once the grace period is over.
pub(crate) fn replace_unhealthy(cloud: &mut Cloud, now: SimTime) {
    let mut ended = Vec::new();
    for g in cloud.servers.groups.values_mut() {
        if !g.elb_health {
            continue;
        }
        for i in g.instances.iter_mut() {
            if i.state(now) == Lifecycle::InService
                && now >= i.launched + g.grace
                && i.failing_since.is_some()
                && !i.healthy(now)
            {
                i.terminated = Some(now);
                ended.push((g.name.clone(), i.id.clone()));
            }
        }
    }
    for (g, id) in ended {
        activity(
            cloud,
            &g,
            format!("Terminating EC2 instance: {id}"),
            "an ELB health check failed",
        );
        reconcile(cloud, &g, "replacing an unhealthy instance");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjustments() {
        assert_eq!(apply(Adjustment::ChangeInCapacity, 4, 2), 6);
        assert_eq!(apply(Adjustment::ChangeInCapacity, 4, -5), -1);
        assert_eq!(apply(Adjustment::ExactCapacity, 4, 7), 7);
        assert_eq!(apply(Adjustment::PercentChangeInCapacity, 4, 50), 6);
        // 10 % of 4 is 0.4: at least one instance.
        assert_eq!(apply(Adjustment::PercentChangeInCapacity, 4, 10), 5);
        assert_eq!(apply(Adjustment::PercentChangeInCapacity, 4, -10), 3);
    }
}

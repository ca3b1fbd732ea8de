//! Servers: the world serverless replaces. EC2-like instances sized for an
//! application's components, Application Load Balancers in front of them,
//! Auto Scaling groups that grow and shrink on CloudWatch alarms, and load
//! runs that report latency, dropped requests, instance-hours and cost.
//!
//! - `instances` is the instance-type table (prices from [`crate::billing`]);
//! - `app` holds components, request mixes and sizing (monolith vs tiers);
//! - `profile` load profiles; `model` the state; `sim` the one-second tick
//!   and the one-minute job; `scaling` Auto Scaling and its policies;
//!   `report` run reports and charts; this module the typed face
//!   (`cloud.servers()`).
//!
//! ```
//! use cloudlab::prelude::*;
//! use cloudlab::servers::{App, Component, Deployment, Profile};
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let app = App::new("shop").component(Component::new("web", 50.0).memory_gib(1.0));
//! let site = cloud.servers().deploy("shop", &app, Deployment::monolith("t3.small").capacity(1, 2, 4))?;
//! cloud.servers().wait_ready(&site)?;
//! let report = cloud.servers().run(&site, Profile::constant(30.0), 10.mins())?;
//! assert_eq!(report.counts.arrived, 18_000);
//! assert_eq!(report.counts.dropped(), 0);
//! assert!(report.p95_ms < 100.0);
//! # Ok(()) }
//! ```

pub mod app;
pub mod compare;
pub mod instances;
pub mod model;
pub mod profile;
pub mod quotas;
pub mod report;
pub mod scaling;
pub(crate) mod sim;

use std::collections::BTreeMap;
use std::time::Duration;

use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::sqs::AsQueue;
use crate::time::SimTime;

pub use app::{App, Component, Plan, PlanGroup};
pub use compare::{Comparison, ServerlessReport, run_serverless};
pub use instances::{INSTANCE_TYPES, InstanceType};
pub use model::{Activity, Algorithm, Lifecycle, RunCounts, ServersState};
pub use profile::Profile;
pub use report::RunReport;
pub use scaling::{Adjustment, PolicyKind, Step, Tracked};

use model::*;
use quotas::*;

/// How to deploy an application, as a builder.
#[derive(Clone, Debug, PartialEq)]
pub struct Deployment {
    tiers: Option<Vec<(String, String)>>,
    monolith: Option<String>,
    capacity: BTreeMap<String, (u32, u32, u32)>,
    default_capacity: (u32, u32, u32),
    linked: bool,
    algorithm: Algorithm,
    boot: Duration,
    warmup: Option<Duration>,
    elb_health: bool,
    detailed_monitoring: bool,
    cooldown: Duration,
}

impl Deployment {
    fn base() -> Deployment {
        Deployment {
            tiers: None,
            monolith: None,
            capacity: BTreeMap::new(),
            default_capacity: (1, 1, 1),
            linked: false,
            algorithm: Algorithm::RoundRobin,
            boot: DEFAULT_BOOT,
            warmup: None,
            elb_health: false,
            detailed_monitoring: false,
            cooldown: DEFAULT_COOLDOWN,
        }
    }

    /// Every component on instances of one type, scaled as a whole.
    pub fn monolith(instance_type: &str) -> Deployment {
        Deployment {
            monolith: Some(instance_type.to_string()),
            ..Deployment::base()
        }
    }

    /// One group per component: `(component, instance type)`, each behind its
    /// own load balancer.
    pub fn tiers(types: &[(&str, &str)]) -> Deployment {
        Deployment {
            tiers: Some(
                types
                    .iter()
                    .map(|(c, t)| (c.to_string(), t.to_string()))
                    .collect(),
            ),
            ..Deployment::base()
        }
    }

    /// The deployment a sizing plan describes (desired = min = the plan's
    /// count, max = 4 × that).
    pub fn from_plan(plan: &Plan) -> Deployment {
        let mut d = if plan.layout == "monolith" {
            Deployment::monolith(plan.groups[0].instance_type.name)
        } else {
            let types: Vec<(&str, &str)> = plan
                .groups
                .iter()
                .map(|g| (g.name.as_str(), g.instance_type.name))
                .collect();
            Deployment::tiers(&types)
        };
        for g in &plan.groups {
            let key = if plan.layout == "monolith" {
                ""
            } else {
                &g.name
            };
            d.capacity
                .insert(key.to_string(), (g.count, g.count, g.count * 4));
        }
        d
    }

    /// Min, desired and max instances of every group.
    pub fn capacity(mut self, min: u32, desired: u32, max: u32) -> Deployment {
        self.default_capacity = (min, desired, max);
        self
    }

    /// Min, desired and max of one tier.
    pub fn tier_capacity(mut self, tier: &str, min: u32, desired: u32, max: u32) -> Deployment {
        self.capacity.insert(tier.to_string(), (min, desired, max));
        self
    }

    /// Tiers linked one-to-one (each instance talks to one fixed instance of
    /// the next tier): every tier follows the first tier's capacity.
    pub fn linked(mut self) -> Deployment {
        self.linked = true;
        self
    }

    /// The load balancers' routing algorithm (default round robin).
    pub fn algorithm(mut self, a: Algorithm) -> Deployment {
        self.algorithm = a;
        self
    }

    /// Time from launch to in service (default 90 s).
    pub fn boot_time(mut self, d: Duration) -> Deployment {
        self.boot = d;
        self
    }

    /// Default instance warm-up (not set by default; at most 1 hour).
    pub fn warmup(mut self, d: Duration) -> Deployment {
        self.warmup = Some(d);
        self
    }

    /// Replace instances the load balancer finds unhealthy (ELB health checks).
    pub fn elb_health_checks(mut self) -> Deployment {
        self.elb_health = true;
        self
    }

    /// One-minute EC2 metrics instead of five-minute basic monitoring.
    pub fn detailed_monitoring(mut self) -> Deployment {
        self.detailed_monitoring = true;
        self
    }

    /// The groups' default cooldown (300 s).
    pub fn cooldown(mut self, d: Duration) -> Deployment {
        self.cooldown = d;
        self
    }
}

/// A deployed application: its name, groups and entry load balancer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Site name.
    pub name: String,
    /// Auto Scaling group names, in request order.
    pub groups: Vec<String>,
    /// The load balancer requests enter through.
    pub entry: String,
}

impl Site {
    /// The group running component `tier` (or the monolith's group).
    pub fn group(&self, tier: &str) -> String {
        self.groups
            .iter()
            .find(|g| g.ends_with(&format!("-{tier}")))
            .unwrap_or(&self.groups[0])
            .clone()
    }
}

/// One instance, as DescribeAutoScalingInstances shows it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InstanceInfo {
    /// Instance id.
    pub id: String,
    /// Type.
    pub instance_type: String,
    /// Lifecycle state.
    pub state: Lifecycle,
    /// Whether its load balancer finds it healthy.
    pub healthy: bool,
    /// Requests waiting on it.
    pub queued: u64,
    /// Launched at.
    pub launched: SimTime,
}

/// The typed face of EC2, Elastic Load Balancing and Auto Scaling, borrowed
/// from a [`Cloud`] by [`Cloud::servers`].
pub struct Servers<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// Servers: instances, load balancers and Auto Scaling groups.
    pub fn servers(&mut self) -> Servers<'_> {
        Servers { cloud: self }
    }
}

fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new("ValidationError", message)
}

impl Servers<'_> {
    fn new_group(
        &mut self,
        name: &str,
        itype: InstanceType,
        storage_gb: u32,
        cap: (u32, u32, u32),
        source: Source,
        d: &Deployment,
    ) -> CloudResult<()> {
        let (min, desired, max) = cap;
        if min > desired || desired > max {
            return Err(invalid(format!(
                "Group {name}: need min <= desired <= max (got {min}, {desired}, {max})."
            )));
        }
        if self.cloud.servers.groups.contains_key(name) {
            return Err(CloudError::new(
                "AlreadyExists",
                format!("AutoScalingGroup by this name already exists - {name}"),
            ));
        }
        if d.warmup.is_some_and(|w| w > MAX_WARMUP) {
            return Err(invalid("The default instance warm-up is at most 3,600 s."));
        }
        let now = self.cloud.core.now;
        let uuid = self.cloud.core.rng.uuid();
        self.cloud.servers.groups.insert(
            name.to_string(),
            Group {
                name: name.to_string(),
                arn: crate::cloud::arn(
                    "autoscaling",
                    &format!("autoScalingGroup:{uuid}:autoScalingGroupName/{name}"),
                ),
                itype,
                storage_gb,
                min,
                max,
                desired,
                instances: Vec::new(),
                source,
                default_cooldown: d.cooldown,
                cooldown_until: now,
                warmup: d.warmup,
                boot: d.boot,
                elb_health: d.elb_health,
                grace: DEFAULT_GRACE,
                detailed_monitoring: d.detailed_monitoring,
                policies: Vec::new(),
                activities: Vec::new(),
                follows: None,
                done: 0,
            },
        );
        scaling::reconcile(self.cloud, name, "group created");
        Ok(())
    }

    fn new_balancer(&mut self, name: &str, group: &str, algorithm: Algorithm) {
        let now = self.cloud.core.now;
        let id = self.cloud.core.rng.hex(16);
        self.cloud.servers.balancers.insert(
            name.to_string(),
            Balancer {
                name: name.to_string(),
                dimension: format!("app/{name}/{id}"),
                target_group: format!("targetgroup/{group}/{}", &id[..16]),
                group: group.to_string(),
                algorithm,
                rr_next: 0,
                minute: now.unix_secs() / 60 * 60,
                requests: 0,
                elb_5xx: 0,
                target_5xx: 0,
                latency: Default::default(),
                latency_stats: None,
                billed_until: now,
                lcu_pending: 0.0,
            },
        );
    }

    /// Deploys `app` as `deployment` under `name`: groups, load balancers and
    /// their first instances (in service after the boot time).
    pub fn deploy(&mut self, name: &str, app: &App, deployment: Deployment) -> CloudResult<Site> {
        let mix = app.mix()?;
        if self.cloud.servers.sites.contains_key(name) {
            return Err(CloudError::new(
                "AlreadyExists",
                format!("A site named {name} exists."),
            ));
        }
        let mut plan: Vec<(String, InstanceType, Vec<usize>, u32)> = Vec::new();
        if let Some(t) = &deployment.monolith {
            let itype = InstanceType::named(t)?;
            let need = app.monolith_need();
            if itype.memory_mib < need.memory_mib {
                return Err(invalid(format!(
                    "A monolith of {} needs {} MiB of memory on every instance (its largest component's); {} has {}.",
                    app.name, need.memory_mib, itype.name, itype.memory_mib
                )));
            }
            plan.push((
                name.to_string(),
                itype,
                (0..app.components.len()).collect(),
                need.storage_gb.max(8),
            ));
        } else if let Some(tiers) = &deployment.tiers {
            for (i, c) in app.components.iter().enumerate() {
                let t = tiers.iter().find(|(n, _)| *n == c.name).ok_or_else(|| {
                    invalid(format!("No instance type given for the tier {}.", c.name))
                })?;
                let itype = InstanceType::named(&t.1)?;
                if itype.memory_mib < c.memory_mib {
                    return Err(invalid(format!(
                        "The tier {} needs {} MiB of memory; {} has {}.",
                        c.name, c.memory_mib, itype.name, itype.memory_mib
                    )));
                }
                plan.push((
                    format!("{name}-{}", c.name),
                    itype,
                    vec![i],
                    c.storage_gb.max(8),
                ));
            }
            if let Some((unknown, _)) = tiers
                .iter()
                .find(|(n, _)| !app.components.iter().any(|c| c.name == *n))
            {
                return Err(invalid(format!("The app has no component {unknown}.")));
            }
        } else {
            return Err(invalid("A deployment is a monolith or tiers."));
        }
        let mut stages = Vec::new();
        let mut groups = Vec::new();
        for (k, (gname, itype, comps, storage)) in plan.iter().enumerate() {
            let tier = if deployment.monolith.is_some() {
                ""
            } else {
                &app.components[comps[0]].name
            };
            let cap = deployment
                .capacity
                .get(tier)
                .copied()
                .unwrap_or(deployment.default_capacity);
            let lb = format!("{gname}-alb");
            self.new_group(
                gname,
                *itype,
                *storage,
                cap,
                Source::Site {
                    site: name.to_string(),
                    stage: k,
                    lb: lb.clone(),
                },
                &deployment,
            )?;
            self.new_balancer(&lb, gname, deployment.algorithm);
            if deployment.linked && k > 0 {
                let first = plan[0].0.clone();
                let g = self.cloud.servers.groups.get_mut(gname).expect("created");
                g.follows = Some(first);
            }
            stages.push(Stage {
                group: gname.clone(),
                lb,
                components: comps.clone(),
            });
            groups.push(gname.clone());
        }
        let entry = stages[0].lb.clone();
        self.cloud.servers.sites.insert(
            name.to_string(),
            model::Site {
                app: app.clone(),
                mix,
                stages,
                run: None,
                last_run: None,
            },
        );
        sim::ensure_minute_job(self.cloud);
        Ok(Site {
            name: name.to_string(),
            groups,
            entry,
        })
    }

    /// An Auto Scaling group of workers that take messages from `queue`, each
    /// costing `work`'s CPU and I/O time (no load balancer).
    pub fn workers(
        &mut self,
        name: &str,
        queue: &(impl AsQueue + ?Sized),
        work: &Component,
        instance_type: &str,
        deployment: Deployment,
    ) -> CloudResult<String> {
        let url = queue.queue_url();
        let qname = crate::sqs::ops::messages::queue_name(&url)?.to_string();
        if !self.cloud.sqs.queues.contains_key(qname.as_str()) {
            return Err(CloudError::new(
                "QueueDoesNotExist",
                "The specified queue does not exist.",
            ));
        }
        let itype = InstanceType::named(instance_type)?;
        self.new_group(
            name,
            itype,
            work.storage_gb.max(8),
            deployment.default_capacity,
            Source::Queue {
                queue: qname,
                cpu_ms: work.cpu_ms,
                io_ms: work.io_ms,
                workers_per_vcpu: work.workers_per_vcpu,
            },
            &deployment,
        )?;
        sim::ensure_minute_job(self.cloud);
        sim::ensure_ticking(self.cloud);
        Ok(name.to_string())
    }

    /// Sends messages to `queue` at `profile`'s rate for `length` (bodies
    /// `{"n": 0}`, `{"n": 1}`, ...), from the next whole second; time must move
    /// for them to go out.
    pub fn produce(
        &mut self,
        queue: &(impl AsQueue + ?Sized),
        profile: Profile,
        length: Duration,
    ) -> CloudResult<()> {
        let url = queue.queue_url();
        let qname = crate::sqs::ops::messages::queue_name(&url)?.to_string();
        if !self.cloud.sqs.queues.contains_key(qname.as_str()) {
            return Err(CloudError::new(
                "QueueDoesNotExist",
                "The specified queue does not exist.",
            ));
        }
        let now = self.cloud.core.now;
        self.cloud.servers.producers.push(Producer {
            queue: qname,
            profile,
            start: now,
            end: now + length,
            carry: 0.0,
            sent: 0,
        });
        sim::ensure_ticking(self.cloud);
        Ok(())
    }

    /// Moves time on until every instance of the site is in service and
    /// healthy (or ten minutes have passed).
    pub fn wait_ready(&mut self, site: &Site) -> CloudResult<()> {
        let deadline = self.cloud.core.now + Duration::from_secs(600);
        loop {
            let now = self.cloud.core.now;
            let ready = site.groups.iter().all(|g| {
                self.cloud.servers.groups.get(g).is_some_and(|g| {
                    g.live(now).all(|i| i.healthy(now)) && g.live(now).count() as u32 == g.desired
                })
            });
            if ready {
                return Ok(());
            }
            if now >= deadline {
                return Err(invalid(format!(
                    "Site {} is not ready after ten minutes.",
                    site.name
                )));
            }
            self.cloud.advance(Duration::from_secs(1));
        }
    }

    /// Starts sending `profile` to `site` for `length`; time must move for it
    /// to run (`cloud.run_until_idle()`).
    pub fn start(&mut self, site: &Site, profile: Profile, length: Duration) -> CloudResult<()> {
        let now = self.cloud.core.now;
        sim::bill(self.cloud, now);
        let bill = self.cloud.bill();
        let before = report::servers_cost(&bill);
        let hours_before = report::instance_hours(&bill);
        let s = self
            .cloud
            .servers
            .sites
            .get_mut(&site.name)
            .ok_or_else(|| invalid(format!("No site named {}.", site.name)))?;
        if s.run.is_some() {
            return Err(invalid(format!(
                "Site {} is already running a load.",
                site.name
            )));
        }
        s.run = Some(Run {
            carry: vec![0.0; s.mix.len()],
            profile,
            start: now,
            end: now + length,
            counts: RunCounts::default(),
            latency: Default::default(),
            max_ms: 0.0,
            minutes: BTreeMap::new(),
            bill_before: before,
            hours_before,
        });
        sim::ensure_ticking(self.cloud);
        Ok(())
    }

    /// Sends `profile` to `site` for `length`, moves time to the end (plus
    /// what is still queued) and reports.
    pub fn run(
        &mut self,
        site: &Site,
        profile: Profile,
        length: Duration,
    ) -> CloudResult<RunReport> {
        if self.cloud.core.in_job() {
            return Err(invalid(
                "A load run cannot start inside a function or scheduled job.",
            ));
        }
        self.start(site, profile, length)?;
        let end = self.cloud.core.now + length;
        self.cloud.advance_to(end);
        while self.cloud.servers.sites[&site.name].run.is_some() {
            self.cloud.advance(Duration::from_secs(1));
        }
        self.report(site)
    }

    /// The report of the site's current or last run.
    pub fn report(&mut self, site: &Site) -> CloudResult<RunReport> {
        let now = self.cloud.core.now;
        sim::bill(self.cloud, now);
        let bill = self.cloud.bill();
        let queued = sim::site_queued(self.cloud, &site.name);
        let s = self
            .cloud
            .servers
            .sites
            .get(&site.name)
            .ok_or_else(|| invalid(format!("No site named {}.", site.name)))?;
        let run = s
            .run
            .as_ref()
            .or(s.last_run.as_ref())
            .ok_or_else(|| invalid(format!("Site {} has not run any load yet.", site.name)))?;
        Ok(RunReport::of(&site.name, run, queued, &bill, now))
    }

    fn group_mut(&mut self, group: &str) -> CloudResult<&mut Group> {
        self.cloud
            .servers
            .groups
            .get_mut(group)
            .ok_or_else(|| scaling::no_group(group))
    }

    /// Sets min, desired and max capacity (UpdateAutoScalingGroup).
    pub fn set_capacity(
        &mut self,
        group: &str,
        min: u32,
        desired: u32,
        max: u32,
    ) -> CloudResult<()> {
        if min > desired || desired > max {
            return Err(invalid(format!(
                "Need min <= desired <= max (got {min}, {desired}, {max})."
            )));
        }
        let g = self.group_mut(group)?;
        g.min = min;
        g.max = max;
        scaling::set_desired(
            self.cloud,
            group,
            desired as i64,
            "capacity set by the user",
        )?;
        scaling::reconcile(self.cloud, group, "capacity set by the user");
        Ok(())
    }

    /// A target-tracking policy; returns its ARN. Its two alarms appear in
    /// `cloud.cloudwatch().alarms()`.
    pub fn target_tracking(
        &mut self,
        group: &str,
        name: &str,
        tracked: Tracked,
        target: f64,
    ) -> CloudResult<String> {
        scaling::put_policy(
            self.cloud,
            group,
            name,
            PolicyKind::TargetTracking {
                tracked,
                target,
                disable_scale_in: false,
            },
        )
    }

    /// A step-scaling policy; returns the ARN to use as an alarm action.
    pub fn step_scaling(
        &mut self,
        group: &str,
        name: &str,
        adjustment: Adjustment,
        steps: Vec<Step>,
    ) -> CloudResult<String> {
        scaling::put_policy(
            self.cloud,
            group,
            name,
            PolicyKind::Step { adjustment, steps },
        )
    }

    /// A simple-scaling policy (`amount` instances, then a cooldown); returns its ARN.
    pub fn simple_scaling(
        &mut self,
        group: &str,
        name: &str,
        amount: i64,
        cooldown: Option<Duration>,
    ) -> CloudResult<String> {
        scaling::put_policy(
            self.cloud,
            group,
            name,
            PolicyKind::Simple {
                adjustment: Adjustment::ChangeInCapacity,
                amount,
                cooldown,
            },
        )
    }

    /// Makes the `index`-th live instance of `group` stop answering (its
    /// application hangs; EC2 status checks still pass).
    pub fn fail_instance(&mut self, group: &str, index: usize) -> CloudResult<String> {
        let now = self.cloud.core.now;
        let g = self.group_mut(group)?;
        let live: Vec<usize> = (0..g.instances.len())
            .filter(|i| {
                matches!(
                    g.instances[*i].state(now),
                    Lifecycle::InService | Lifecycle::Pending
                )
            })
            .collect();
        let i = *live
            .get(index)
            .ok_or_else(|| invalid(format!("Group {group} has {} live instances.", live.len())))?;
        g.instances[i].failing_since = Some(now);
        Ok(g.instances[i].id.clone())
    }

    /// The group's instances that are not terminated.
    pub fn instances(&mut self, group: &str) -> CloudResult<Vec<InstanceInfo>> {
        let now = self.cloud.core.now;
        let g = self.group_mut(group)?;
        Ok(g.instances
            .iter()
            .filter(|i| i.state(now) != Lifecycle::Terminated)
            .map(|i| InstanceInfo {
                id: i.id.clone(),
                instance_type: i.itype.name.to_string(),
                state: i.state(now),
                healthy: i.healthy(now),
                queued: i.queued,
                launched: i.launched,
            })
            .collect())
    }

    /// Desired capacity of a group.
    pub fn desired(&mut self, group: &str) -> CloudResult<u32> {
        Ok(self.group_mut(group)?.desired)
    }

    /// Scaling activities of a group, oldest first.
    pub fn activities(&mut self, group: &str) -> CloudResult<Vec<Activity>> {
        Ok(self.group_mut(group)?.activities.clone())
    }

    /// Messages the workers of `group` have processed.
    pub fn processed(&mut self, group: &str) -> CloudResult<u64> {
        Ok(self.group_mut(group)?.done)
    }
}

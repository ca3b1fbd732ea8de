//! The state of servers: instances, Auto Scaling groups, load balancers and
//! deployed sites, and the rules that are pure functions of time (booting,
//! load-balancer health checks, warm-up).
//!
//! Health is computed, not scheduled: an instance that enters service at *T*
//! passes its first health check at the first check instant (every
//! `HEALTH_INTERVAL`) at or after *T*; an instance failing since *F* is taken
//! out after `UNHEALTHY_THRESHOLD` failed checks.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use super::app::{App, RequestKind};
use super::instances::InstanceType;
use super::quotas::*;
use crate::time::SimTime;

/// Requests that arrived together and travel together (the simulation
/// aggregates requests per tick instead of tracking each one).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cohort {
    pub kind: u16,
    pub n: u64,
    /// Tick (Unix second) the requests arrived at the site.
    pub born: u64,
    /// Tick they joined the current queue.
    pub enq: u64,
    /// Latency accumulated in earlier stages, ms.
    pub acc_ms: f64,
}

/// Where an instance is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Lifecycle {
    /// Booting.
    Pending,
    /// Running and registered with its load balancer.
    InService,
    /// Deregistered: finishing the requests it has, then terminated.
    Draining,
    /// Gone.
    Terminated,
}

/// One EC2 instance.
#[derive(Clone, Debug)]
pub(crate) struct Instance {
    pub id: String,
    pub itype: InstanceType,
    pub launched: SimTime,
    pub ready_at: SimTime,
    pub warm_until: SimTime,
    pub draining_since: Option<SimTime>,
    pub terminated: Option<SimTime>,
    pub failing_since: Option<SimTime>,
    pub queue: VecDeque<Cohort>,
    pub queued: u64,
    pub billed_until: SimTime,
    pub carry_cpu: f64,
    pub carry_occ: f64,
    pub last_util: f64,
    /// This minute: CPU used and available, ms.
    pub cpu_used: f64,
    pub cpu_cap: f64,
}

impl Instance {
    pub fn state(&self, now: SimTime) -> Lifecycle {
        if self.terminated.is_some_and(|t| t <= now) {
            Lifecycle::Terminated
        } else if self.draining_since.is_some() {
            Lifecycle::Draining
        } else if now >= self.ready_at {
            Lifecycle::InService
        } else {
            Lifecycle::Pending
        }
    }

    /// Whether the load balancer considers the instance healthy now.
    pub fn healthy(&self, now: SimTime) -> bool {
        if self.state(now) != Lifecycle::InService {
            return false;
        }
        let first_pass = next_check(self.ready_at);
        if now < first_pass {
            return false;
        }
        match self.failing_since {
            None => true,
            Some(f) => {
                let out = next_check(f) + HEALTH_INTERVAL * (UNHEALTHY_THRESHOLD - 1);
                if f < first_pass {
                    return false;
                }
                now < out
            }
        }
    }

    /// Registered with the load balancer (in service, not draining).
    pub fn registered(&self, now: SimTime) -> bool {
        self.state(now) == Lifecycle::InService
    }

    /// Still warming up (its metrics do not count towards the group's yet).
    pub fn warming(&self, now: SimTime) -> bool {
        now < self.warm_until
    }
}

/// The first health-check instant at or after `t`.
pub(crate) fn next_check(t: SimTime) -> SimTime {
    let i = HEALTH_INTERVAL.as_secs();
    let s = t.unix_secs().div_ceil(i) * i;
    SimTime::from_unix_nanos(s * 1_000_000_000)
}

/// How a load balancer picks a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// Turn by turn (the ALB default).
    #[default]
    RoundRobin,
    /// The target with the fewest requests in progress.
    LeastOutstandingRequests,
}

/// A scaling activity (launch or terminate), as DescribeScalingActivities lists them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Activity {
    /// When.
    pub at: SimTime,
    /// What happened.
    pub description: String,
    /// Why.
    pub cause: String,
}

/// A scaling policy of a group.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Policy {
    pub name: String,
    pub arn: String,
    pub kind: super::scaling::PolicyKind,
    pub alarms: Vec<String>,
}

/// Where a group's work comes from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Source {
    /// Stage `stage` of a site, behind load balancer `lb`.
    Site {
        site: String,
        stage: usize,
        lb: String,
    },
    /// Messages of an SQS queue, each costing `cpu_ms` + `io_ms`.
    Queue {
        queue: String,
        cpu_ms: f64,
        io_ms: f64,
        workers_per_vcpu: u32,
    },
}

/// An Auto Scaling group.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub name: String,
    pub arn: String,
    pub itype: InstanceType,
    pub storage_gb: u32,
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    pub instances: Vec<Instance>,
    pub source: Source,
    pub default_cooldown: Duration,
    pub cooldown_until: SimTime,
    pub warmup: Option<Duration>,
    pub boot: Duration,
    pub elb_health: bool,
    pub grace: Duration,
    pub detailed_monitoring: bool,
    pub policies: Vec<Policy>,
    pub activities: Vec<Activity>,
    /// Sites whose tiers are linked one-to-one follow the first tier's capacity.
    pub follows: Option<String>,
    /// Queue workers: messages done, and their latencies (ms histogram).
    pub done: u64,
}

impl Group {
    /// Instances launched and not terminating: what counts against desired.
    pub fn live(&self, now: SimTime) -> impl Iterator<Item = &Instance> {
        self.instances
            .iter()
            .filter(move |i| matches!(i.state(now), Lifecycle::Pending | Lifecycle::InService))
    }

    pub fn in_service(&self, now: SimTime) -> usize {
        self.instances
            .iter()
            .filter(|i| i.state(now) == Lifecycle::InService)
            .count()
    }
}

/// An Application Load Balancer with one target group.
#[derive(Clone, Debug)]
pub(crate) struct Balancer {
    pub name: String,
    /// `app/<name>/<id>` (the LoadBalancer dimension).
    pub dimension: String,
    /// `targetgroup/<name>/<id>` (the TargetGroup dimension).
    pub target_group: String,
    pub group: String,
    pub algorithm: Algorithm,
    pub rr_next: usize,
    pub minute: u64,
    pub requests: u64,
    pub elb_5xx: u64,
    pub target_5xx: u64,
    pub latency: crate::cloudwatch::model::Histogram,
    pub latency_stats: Option<crate::cloudwatch::model::StatSet>,
    pub billed_until: SimTime,
    pub lcu_pending: f64,
}

/// A stage of a site: one group, the components it runs.
#[derive(Clone, Debug)]
pub(crate) struct Stage {
    pub group: String,
    pub lb: String,
    pub components: Vec<usize>,
}

/// Counters of one load run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunCounts {
    /// Requests that arrived.
    pub arrived: u64,
    /// Requests answered.
    pub served: u64,
    /// 503: no registered target.
    pub no_target: u64,
    /// 502: a failing instance got them.
    pub target_error: u64,
    /// 504: waited longer than the load balancer's idle timeout.
    pub timed_out: u64,
}

impl RunCounts {
    /// All requests dropped.
    pub fn dropped(&self) -> u64 {
        self.no_target + self.target_error + self.timed_out
    }
}

/// A load run in progress on a site.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    pub profile: super::profile::Profile,
    pub start: SimTime,
    pub end: SimTime,
    pub carry: Vec<f64>,
    pub counts: RunCounts,
    pub latency: crate::cloudwatch::model::Histogram,
    pub max_ms: f64,
    /// Per minute: (arrived, served, dropped, instances in service, p95 ms).
    pub minutes: BTreeMap<u64, MinuteRow>,
    pub bill_before: f64,
    pub hours_before: f64,
}

/// One minute of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct MinuteRow {
    pub arrived: u64,
    pub served: u64,
    pub dropped: u64,
    pub instances: u32,
    pub latency: crate::cloudwatch::model::Histogram,
}

/// A deployed application.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    pub app: App,
    pub mix: Vec<RequestKind>,
    pub stages: Vec<Stage>,
    pub run: Option<Run>,
    pub last_run: Option<Run>,
}

/// Sends messages to a queue at a profile's rate (a load run for workers).
#[derive(Clone, Debug)]
pub(crate) struct Producer {
    pub queue: String,
    pub profile: super::profile::Profile,
    pub start: SimTime,
    pub end: SimTime,
    pub carry: f64,
    pub sent: u64,
}

/// Servers, load balancers and Auto Scaling groups of an account.
#[derive(Debug, Default)]
pub struct ServersState {
    pub(crate) groups: BTreeMap<String, Group>,
    pub(crate) balancers: BTreeMap<String, Balancer>,
    pub(crate) sites: BTreeMap<String, Site>,
    pub(crate) ticking: bool,
    pub(crate) producers: Vec<Producer>,
    pub(crate) last_tick: u64,
    pub(crate) minute_job: bool,
}

impl ServersState {
    /// Number of Auto Scaling groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// True when there is nothing deployed.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;

    fn inst(ready: u64) -> Instance {
        let t = SimTime::EPOCH;
        Instance {
            id: "i-1".into(),
            itype: InstanceType::named("t3.micro").unwrap(),
            launched: t,
            ready_at: t + ready.secs(),
            warm_until: t,
            draining_since: None,
            terminated: None,
            failing_since: None,
            queue: VecDeque::new(),
            queued: 0,
            billed_until: t,
            carry_cpu: 0.0,
            carry_occ: 0.0,
            last_util: 0.0,
            cpu_used: 0.0,
            cpu_cap: 0.0,
        }
    }

    #[test]
    fn healthy_after_the_first_check_following_boot() {
        let i = inst(40);
        let t = SimTime::EPOCH;
        assert_eq!(i.state(t + 39.secs()), Lifecycle::Pending);
        assert_eq!(i.state(t + 40.secs()), Lifecycle::InService);
        assert!(!i.healthy(t + 59.secs()), "first check at 60 s");
        assert!(i.healthy(t + 60.secs()));
    }

    #[test]
    fn failing_instances_leave_after_two_failed_checks() {
        let mut i = inst(0);
        let t = SimTime::EPOCH;
        i.failing_since = Some(t + 65.secs());
        // Checks at 90 and 120 fail: out from 120 s.
        assert!(i.healthy(t + 100.secs()));
        assert!(!i.healthy(t + 120.secs()));
    }
}

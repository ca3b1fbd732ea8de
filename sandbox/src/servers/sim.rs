//! The simulation: a one-second tick moves requests through sites (route,
//! queue, serve, time out) and queue workers through their queues; a
//! one-minute background job publishes metrics, bills instances and load
//! balancers, replaces unhealthy instances and finishes draining ones.
//!
//! Requests are aggregated: each tick, the arrivals of each request kind form
//! one cohort; cohorts split as load balancers spread them and as instances
//! serve parts of them, so every request is counted exactly once: served,
//! waiting in a queue, or dropped (503, 502 or 504).

use std::sync::Arc;
use std::time::Duration;

use super::model::*;
use super::quotas::*;
use crate::cloud::Cloud;
use crate::cloudwatch::model::{Datum, Fill, Histogram, MetricKey, StatSet};
use crate::time::SimTime;

const TICK: Duration = Duration::from_secs(1);

/// Starts the per-second tick if something needs it.
pub(crate) fn ensure_ticking(cloud: &mut Cloud) {
    if cloud.servers.ticking || !busy(cloud) {
        return;
    }
    cloud.servers.ticking = true;
    let now = cloud.core.now;
    // The next whole second not ticked yet.
    let secs = now
        .unix_nanos()
        .div_ceil(1_000_000_000)
        .max(cloud.servers.last_tick + 1);
    let next = SimTime::from_unix_nanos(secs * 1_000_000_000);
    cloud.scheduler.at(next, "servers.tick", Box::new(tick));
}

fn busy(cloud: &Cloud) -> bool {
    cloud.servers.sites.values().any(|s| s.run.is_some())
        || !cloud.servers.producers.is_empty()
        || cloud
            .servers
            .groups
            .values()
            .any(|g| g.instances.iter().any(|i| i.queued > 0))
        || cloud.servers.groups.values().any(|g| match &g.source {
            Source::Queue { queue, .. } => {
                g.in_service(cloud.core.now) > 0
                    && cloud
                        .sqs
                        .queues
                        .get(queue.as_str())
                        .is_some_and(|q| !q.messages.is_empty())
            }
            _ => false,
        })
}

/// Starts the per-minute background job while anything is deployed.
pub(crate) fn ensure_minute_job(cloud: &mut Cloud) {
    if cloud.servers.minute_job || cloud.servers.groups.is_empty() {
        return;
    }
    cloud.servers.minute_job = true;
    let now = cloud.core.now;
    let next = SimTime::from_unix_nanos((now.unix_secs() / 60 + 1) * 60 * 1_000_000_000);
    cloud
        .scheduler
        .background(next, "servers.minute", Box::new(minute));
}

fn tick(cloud: &mut Cloud) {
    cloud.servers.ticking = false;
    let now = cloud.core.now;
    let secs = now.unix_secs();
    cloud.servers.last_tick = secs;
    let sites: Vec<String> = cloud.servers.sites.keys().cloned().collect();
    for s in sites {
        tick_site(cloud, &s, now, secs);
    }
    produce(cloud, now);
    let workers: Vec<String> = cloud
        .servers
        .groups
        .values()
        .filter(|g| matches!(g.source, Source::Queue { .. }))
        .map(|g| g.name.clone())
        .collect();
    for g in workers {
        tick_workers(cloud, &g, now);
    }
    finish_draining(cloud, now);
    finish_runs(cloud, now);
    ensure_ticking(cloud);
}

/// Sends this second's messages of every producer (batches of 10).
fn produce(cloud: &mut Cloud, now: SimTime) {
    let mut producers = std::mem::take(&mut cloud.servers.producers);
    for p in producers.iter_mut() {
        let x = p.carry + p.profile.rate(now.since(p.start));
        let n = x.floor() as u64;
        p.carry = x - n as f64;
        let url = crate::sqs::queue_url(&p.queue);
        let mut left = n;
        while left > 0 {
            let k = left.min(10);
            let entries = (0..k)
                .map(|i| crate::sqs::ops::messages::SendMessageBatchEntry {
                    id: format!("m{i}"),
                    message_body: format!("{{\"n\":{}}}", p.sent + i),
                    ..Default::default()
                })
                .collect();
            let input = crate::sqs::ops::messages::SendMessageBatchInput {
                queue_url: url.clone(),
                entries,
            };
            if crate::sqs::ops::messages::send_message_batch(cloud, input).is_err() {
                break;
            }
            p.sent += k;
            left -= k;
        }
    }
    producers.retain(|p| now + TICK < p.end);
    cloud.servers.producers.extend(producers);
}

fn tick_site(cloud: &mut Cloud, name: &str, now: SimTime, secs: u64) {
    let Some(site) = cloud.servers.sites.get_mut(name) else {
        return;
    };
    let mut inbound: Vec<Cohort> = Vec::new();
    if let Some(run) = &mut site.run
        && now < run.end
    {
        let rate = run.profile.rate(now.since(run.start));
        for (k, kind) in site.mix.iter().enumerate() {
            let x = run.carry[k] + rate * kind.share * TICK.as_secs_f64();
            let n = x.floor();
            run.carry[k] = x - n;
            if n >= 1.0 {
                inbound.push(Cohort {
                    kind: k as u16,
                    n: n as u64,
                    born: secs,
                    enq: secs,
                    acc_ms: 0.0,
                });
            }
        }
        let arrived: u64 = inbound.iter().map(|c| c.n).sum();
        run.counts.arrived += arrived;
        run.minutes.entry(secs / 60 * 60).or_default().arrived += arrived;
    }
    let stages = site.stages.clone();
    let mix = site.mix.clone();
    let app = site.app.clone();
    let mut drops = RunCounts::default();
    for stage in &stages {
        let cost = |kind: u16| -> (f64, f64) {
            let k = &mix[kind as usize];
            let mut cpu = 0.0;
            let mut io = 0.0;
            for c in k.path.iter().filter(|c| stage.components.contains(c)) {
                cpu += app.components[*c].cpu_ms;
                io += app.components[*c].io_ms;
            }
            (cpu, io)
        };
        let (work, pass): (Vec<Cohort>, Vec<Cohort>) = inbound.into_iter().partition(|c| {
            let (cpu, io) = cost(c.kind);
            cpu + io > 0.0
        });
        let workers = stage
            .components
            .iter()
            .map(|c| app.components[*c].workers_per_vcpu)
            .min()
            .unwrap_or(8);
        let mut out = pass;
        route(cloud, stage, work, now, secs, &mut drops);
        let Some(group) = cloud.servers.groups.get_mut(&stage.group) else {
            inbound = out;
            continue;
        };
        let mut served_lat = Histogram::default();
        let mut lat_stats: Option<StatSet> = None;
        for inst in group.instances.iter_mut() {
            if inst.queued == 0 && inst.state(now) == Lifecycle::Pending {
                continue;
            }
            serve(
                inst,
                now,
                secs,
                workers,
                &cost,
                &mut out,
                &mut drops,
                &mut |ms, n| {
                    served_lat.add(ms / 1000.0, n as f64);
                    let s = StatSet::of(ms / 1000.0, n as f64);
                    match &mut lat_stats {
                        Some(a) => a.merge(&s),
                        None => lat_stats = Some(s),
                    }
                },
            );
        }
        if let Some(lb) = cloud.servers.balancers.get_mut(&stage.lb) {
            roll_minute(lb, secs, &mut cloud.cloudwatch);
            lb.latency.merge(&served_lat);
            if let Some(s) = lat_stats {
                match &mut lb.latency_stats {
                    Some(a) => a.merge(&s),
                    None => lb.latency_stats = Some(s),
                }
            }
        }
        inbound = out;
    }
    let in_service = stages
        .first()
        .and_then(|s| cloud.servers.groups.get(&s.group))
        .map_or(0, |g| g.in_service(now) as u32);
    let site = cloud.servers.sites.get_mut(name).expect("exists");
    if let Some(run) = site.run.as_mut().or(site.last_run.as_mut()) {
        let row = run.minutes.entry(secs / 60 * 60).or_default();
        row.instances = row.instances.max(in_service);
        for c in &inbound {
            run.counts.served += c.n;
            row.served += c.n;
            run.latency.add(c.acc_ms, c.n as f64);
            row.latency.add(c.acc_ms, c.n as f64);
            run.max_ms = run.max_ms.max(c.acc_ms);
        }
        run.counts.no_target += drops.no_target;
        run.counts.target_error += drops.target_error;
        run.counts.timed_out += drops.timed_out;
        row.dropped += drops.dropped();
    }
}

/// Spreads cohorts over the stage's targets as its load balancer does.
fn route(
    cloud: &mut Cloud,
    stage: &Stage,
    work: Vec<Cohort>,
    now: SimTime,
    secs: u64,
    drops: &mut RunCounts,
) {
    let total: u64 = work.iter().map(|c| c.n).sum();
    let Some(lb) = cloud.servers.balancers.get_mut(&stage.lb) else {
        return;
    };
    roll_minute(lb, secs, &mut cloud.cloudwatch);
    lb.requests += total;
    let Some(group) = cloud.servers.groups.get_mut(&stage.group) else {
        return;
    };
    let mut targets: Vec<usize> = (0..group.instances.len())
        .filter(|i| group.instances[*i].healthy(now))
        .collect();
    if targets.is_empty() {
        // Fail open: every registered target, healthy or not.
        targets = (0..group.instances.len())
            .filter(|i| group.instances[*i].registered(now))
            .collect();
    }
    if targets.is_empty() {
        drops.no_target += total;
        lb.elb_5xx += total;
        return;
    }
    for c in work {
        let shares = match lb.algorithm {
            Algorithm::RoundRobin => {
                let k = targets.len() as u64;
                let (base, rem) = (c.n / k, (c.n % k) as usize);
                let start = lb.rr_next % targets.len();
                lb.rr_next = (start + rem) % targets.len();
                (0..targets.len())
                    .map(|i| base + u64::from((i + targets.len() - start) % targets.len() < rem))
                    .collect::<Vec<u64>>()
            }
            Algorithm::LeastOutstandingRequests => {
                let out: Vec<u64> = targets.iter().map(|t| group.instances[*t].queued).collect();
                water_fill(&out, c.n)
            }
        };
        for (t, n) in targets.iter().zip(shares) {
            if n == 0 {
                continue;
            }
            let inst = &mut group.instances[*t];
            if inst.failing_since.is_some_and(|f| f <= now) {
                drops.target_error += n;
                lb.target_5xx += n;
                continue;
            }
            inst.queued += n;
            inst.queue.push_back(Cohort {
                n,
                enq: secs,
                ..c.clone()
            });
        }
    }
}

/// Splits `n` requests so the targets' outstanding counts end as level as
/// possible (least outstanding requests).
pub(crate) fn water_fill(outstanding: &[u64], n: u64) -> Vec<u64> {
    let mut order: Vec<usize> = (0..outstanding.len()).collect();
    order.sort_by_key(|i| (outstanding[*i], *i));
    let mut give = vec![0u64; outstanding.len()];
    let mut left = n;
    let mut j = 1;
    // Raise the lowest j targets to the next one's level while requests last.
    while left > 0 {
        let level = outstanding[order[j - 1]];
        let next = if j < order.len() {
            outstanding[order[j]]
        } else {
            u64::MAX
        };
        let room = (next - level).saturating_mul(j as u64);
        if room >= left || j == order.len() {
            let each = left / j as u64;
            let rem = left % j as u64;
            for (r, i) in order[..j].iter().enumerate() {
                give[*i] += each + u64::from((r as u64) < rem);
            }
            break;
        }
        for i in &order[..j] {
            give[*i] += next - level;
        }
        left -= room;
        j += 1;
    }
    give
}

#[allow(clippy::too_many_arguments)]
fn serve(
    inst: &mut Instance,
    now: SimTime,
    secs: u64,
    workers: u32,
    cost: &dyn Fn(u16) -> (f64, f64),
    out: &mut Vec<Cohort>,
    drops: &mut RunCounts,
    record: &mut dyn FnMut(f64, u64),
) {
    if inst.failing_since.is_some_and(|f| f <= now) {
        drops.target_error += inst.queued;
        inst.queue.clear();
        inst.queued = 0;
        return;
    }
    let cap_cpu = inst.itype.vcpus as f64 * 1000.0;
    let cap_occ = cap_cpu * workers as f64;
    let mut cpu_left = cap_cpu + inst.carry_cpu;
    let mut occ_left = cap_occ + inst.carry_occ;
    let u = inst.last_util.min(0.95);
    let mut used = 0.0;
    while let Some(front) = inst.queue.front_mut() {
        if secs.saturating_sub(front.born) >= REQUEST_TIMEOUT_SECS {
            drops.timed_out += front.n;
            inst.queued -= front.n;
            inst.queue.pop_front();
            continue;
        }
        let (cpu, io) = cost(front.kind);
        let mut k = front.n;
        if cpu > 0.0 {
            k = k.min((cpu_left / cpu + 1e-9).floor() as u64);
        }
        let occ = cpu + io;
        if occ > 0.0 {
            k = k.min((occ_left / occ + 1e-9).floor() as u64);
        }
        if k == 0 {
            break;
        }
        cpu_left -= k as f64 * cpu;
        occ_left -= k as f64 * occ;
        used += k as f64 * cpu;
        let service = cpu + io;
        let wait = (secs - front.enq) as f64 * 1000.0 + service * u / (1.0 - u);
        let lat = front.acc_ms + wait + service;
        record(wait + service, k);
        out.push(Cohort {
            n: k,
            enq: secs,
            acc_ms: lat,
            ..front.clone()
        });
        front.n -= k;
        inst.queued -= k;
        if front.n == 0 {
            inst.queue.pop_front();
        }
    }
    // Keep unspent capacity only towards the request at the head of the queue.
    if let Some(front) = inst.queue.front() {
        let (cpu, io) = cost(front.kind);
        inst.carry_cpu = cpu_left.clamp(0.0, cpu);
        inst.carry_occ = occ_left.clamp(0.0, cpu + io);
    } else {
        inst.carry_cpu = 0.0;
        inst.carry_occ = 0.0;
    }
    inst.last_util = (used / cap_cpu).min(1.0);
    inst.cpu_used += used;
    inst.cpu_cap += cap_cpu;
}

/// Queue workers: each in-service instance receives and processes as many
/// messages as its CPU and workers allow this second.
fn tick_workers(cloud: &mut Cloud, group: &str, now: SimTime) {
    let Some(g) = cloud.servers.groups.get(group) else {
        return;
    };
    let Source::Queue {
        queue,
        cpu_ms,
        io_ms,
        workers_per_vcpu,
    } = g.source.clone()
    else {
        return;
    };
    let ready: Vec<usize> = (0..g.instances.len())
        .filter(|i| g.instances[*i].state(now) == Lifecycle::InService)
        .collect();
    let url = crate::sqs::queue_url(&queue);
    for i in ready {
        let inst = &cloud.servers.groups[group].instances[i];
        let cap_cpu = inst.itype.vcpus as f64 * 1000.0;
        let cap_occ = cap_cpu * workers_per_vcpu as f64;
        let mut can = f64::INFINITY;
        if cpu_ms > 0.0 {
            can = can.min((cap_cpu + inst.carry_cpu) / cpu_ms);
        }
        if cpu_ms + io_ms > 0.0 {
            can = can.min((cap_occ + inst.carry_occ) / (cpu_ms + io_ms));
        }
        let mut want = if can.is_finite() {
            can.floor() as u64
        } else {
            1000
        };
        let mut done = 0u64;
        while want > 0 {
            let input = crate::sqs::ops::messages::ReceiveMessageInput {
                queue_url: url.clone(),
                max_number_of_messages: Some(want.min(10) as u32),
                ..Default::default()
            };
            let Ok(got) = crate::sqs::ops::messages::receive_message(cloud, input) else {
                break;
            };
            if got.messages.is_empty() {
                break;
            }
            let n = got.messages.len() as u64;
            let entries = got
                .messages
                .iter()
                .enumerate()
                .map(
                    |(j, m)| crate::sqs::ops::messages::DeleteMessageBatchEntry {
                        id: format!("m{j}"),
                        receipt_handle: m.receipt_handle.clone(),
                    },
                )
                .collect();
            let _ = crate::sqs::ops::messages::delete_message_batch(
                cloud,
                crate::sqs::ops::messages::DeleteMessageBatchInput {
                    queue_url: url.clone(),
                    entries,
                },
            );
            done += n;
            want -= n.min(want);
        }
        let g = cloud.servers.groups.get_mut(group).expect("exists");
        g.done += done;
        let inst = &mut g.instances[i];
        let used = done as f64 * cpu_ms;
        inst.cpu_used += used;
        inst.cpu_cap += cap_cpu;
        inst.last_util = (used / cap_cpu).min(1.0);
        let spare_cpu = (cap_cpu + inst.carry_cpu - used).max(0.0);
        inst.carry_cpu = spare_cpu.min(cpu_ms);
        let spare_occ = (cap_occ + inst.carry_occ - done as f64 * (cpu_ms + io_ms)).max(0.0);
        inst.carry_occ = spare_occ.min(cpu_ms + io_ms);
    }
}

fn roll_minute(lb: &mut Balancer, secs: u64, cw: &mut crate::cloudwatch::CloudWatchState) {
    let minute = secs / 60 * 60;
    if lb.minute != minute {
        flush_lb(lb, cw);
        lb.minute = minute;
    }
}

fn flush_lb(lb: &mut Balancer, cw: &mut crate::cloudwatch::CloudWatchState) {
    let at = lb.minute;
    let dims = [("LoadBalancer", lb.dimension.as_str())];
    let put = |cw: &mut crate::cloudwatch::CloudWatchState,
               name: &str,
               dims: &[(&str, &str)],
               unit,
               d: Datum| {
        cw.series_mut(
            MetricKey::new("AWS/ApplicationELB", name, dims),
            unit,
            Fill::None,
        )
        .add(at, d);
    };
    if lb.requests > 0 {
        put(
            cw,
            "RequestCount",
            &dims,
            "Count",
            Datum::value(lb.requests as f64),
        );
    }
    if lb.elb_5xx > 0 {
        put(
            cw,
            "HTTPCode_ELB_5XX_Count",
            &dims,
            "Count",
            Datum::value(lb.elb_5xx as f64),
        );
    }
    if lb.target_5xx > 0 {
        put(
            cw,
            "HTTPCode_Target_5XX_Count",
            &dims,
            "Count",
            Datum::value(lb.target_5xx as f64),
        );
    }
    if let Some(s) = lb.latency_stats.take() {
        let h = std::mem::take(&mut lb.latency);
        put(
            cw,
            "TargetResponseTime",
            &dims,
            "Seconds",
            Datum {
                stats: s,
                histogram: Some(h),
            },
        );
    }
    lb.lcu_pending += lcu_hours(lb.requests as f64);
    lb.requests = 0;
    lb.elb_5xx = 0;
    lb.target_5xx = 0;
}

fn finish_draining(cloud: &mut Cloud, now: SimTime) {
    for g in cloud.servers.groups.values_mut() {
        for i in g.instances.iter_mut() {
            if i.terminated.is_none()
                && let Some(d) = i.draining_since
                && (i.queued == 0 || now.since(d) >= DEREGISTRATION_DELAY)
            {
                i.terminated = Some(now);
            }
        }
    }
}

fn finish_runs(cloud: &mut Cloud, now: SimTime) {
    let names: Vec<String> = cloud
        .servers
        .sites
        .iter()
        .filter(|(_, s)| s.run.as_ref().is_some_and(|r| now >= r.end))
        .map(|(n, _)| n.clone())
        .collect();
    for n in names {
        let queued: u64 = site_queued(cloud, &n);
        if queued == 0 {
            let site = cloud.servers.sites.get_mut(&n).expect("exists");
            site.last_run = site.run.take();
            let r: Arc<str> = Arc::from(n.as_str());
            cloud
                .core
                .trace("servers", &r, "run-finished", String::new());
        }
    }
}

/// Requests waiting in the queues of a site's instances.
pub(crate) fn site_queued(cloud: &Cloud, site: &str) -> u64 {
    let Some(s) = cloud.servers.sites.get(site) else {
        return 0;
    };
    s.stages
        .iter()
        .filter_map(|st| cloud.servers.groups.get(&st.group))
        .flat_map(|g| g.instances.iter())
        .map(|i| i.queued)
        .sum()
}

fn minute(cloud: &mut Cloud) {
    cloud.servers.minute_job = false;
    let now = cloud.core.now;
    let minute_start = now.unix_secs() / 60 * 60 - 60;
    bill(cloud, now);
    publish_groups(cloud, now, minute_start);
    let lbs: Vec<String> = cloud.servers.balancers.keys().cloned().collect();
    for l in lbs {
        let lb = cloud.servers.balancers.get_mut(&l).expect("exists");
        if lb.minute <= minute_start {
            flush_lb(lb, &mut cloud.cloudwatch);
            lb.minute = now.unix_secs() / 60 * 60;
        }
        publish_targets(cloud, &l, now, minute_start);
    }
    super::scaling::replace_unhealthy(cloud, now);
    finish_draining(cloud, now);
    super::scaling::reconcile_all(cloud, "");
    ensure_ticking(cloud);
    ensure_minute_job(cloud);
}

fn publish_targets(cloud: &mut Cloud, lb: &str, now: SimTime, at: u64) {
    let b = &cloud.servers.balancers[lb];
    let Some(g) = cloud.servers.groups.get(&b.group) else {
        return;
    };
    let healthy = g.instances.iter().filter(|i| i.healthy(now)).count() as f64;
    let registered = g.instances.iter().filter(|i| i.registered(now)).count() as f64;
    let dims = [
        ("LoadBalancer", b.dimension.as_str()),
        ("TargetGroup", b.target_group.as_str()),
    ];
    let requests = cloud
        .cloudwatch
        .get(&MetricKey::new(
            "AWS/ApplicationELB",
            "RequestCount",
            &dims[..1],
        ))
        .and_then(|s| s.points.get(&at))
        .map_or(0.0, |d| d.stats.sum);
    let mut rows = vec![
        ("HealthyHostCount", healthy),
        ("UnHealthyHostCount", registered - healthy),
    ];
    if healthy > 0.0 {
        rows.push(("RequestCountPerTarget", requests / healthy));
    }
    let keys: Vec<(MetricKey, f64)> = rows
        .into_iter()
        .map(|(n, v)| (MetricKey::new("AWS/ApplicationELB", n, &dims), v))
        .collect();
    for (k, v) in keys {
        cloud
            .cloudwatch
            .series_mut(k, "Count", Fill::None)
            .add(at, Datum::value(v));
    }
}

fn publish_groups(cloud: &mut Cloud, now: SimTime, at: u64) {
    let names: Vec<String> = cloud.servers.groups.keys().cloned().collect();
    for n in names {
        let g = cloud.servers.groups.get_mut(&n).expect("exists");
        let period = if g.detailed_monitoring { 60 } else { 300 };
        let mut used = 0.0;
        let mut cap = 0.0;
        for i in g.instances.iter_mut() {
            let counted = i.state(now) == Lifecycle::InService && !i.warming(now);
            if counted {
                // An idle in-service instance still has capacity.
                used += i.cpu_used;
                cap += i.cpu_cap.max(i.itype.vcpus as f64 * 60_000.0);
            }
            if period == 60 || (at + 60).is_multiple_of(period) {
                i.cpu_used = 0.0;
                i.cpu_cap = 0.0;
            }
        }
        let dims = [("AutoScalingGroupName", n.as_str())];
        let cw = &mut cloud.cloudwatch;
        if cap > 0.0 && (period == 60 || (at + 60).is_multiple_of(period)) {
            let pct = 100.0 * used / cap;
            let start = (at + 60) - period;
            cw.series_mut(
                MetricKey::new("AWS/EC2", "CPUUtilization", &dims),
                "Percent",
                Fill::None,
            )
            .add(start, Datum::value(pct));
        }
        let pending = g
            .instances
            .iter()
            .filter(|i| i.state(now) == Lifecycle::Pending)
            .count();
        let in_service = g.in_service(now);
        for (m, v) in [
            ("GroupDesiredCapacity", g.desired as f64),
            ("GroupInServiceInstances", in_service as f64),
            ("GroupPendingInstances", pending as f64),
            ("GroupTotalInstances", (pending + in_service) as f64),
            ("GroupMinSize", g.min as f64),
            ("GroupMaxSize", g.max as f64),
        ] {
            cw.series_mut(
                MetricKey::new("AWS/AutoScaling", m, &dims),
                "None",
                Fill::None,
            )
            .add(at, Datum::value(v));
        }
    }
}

/// Meters instance time (per second, 60 s minimum), root volumes and load
/// balancers up to `now`.
pub(crate) fn bill(cloud: &mut Cloud, now: SimTime) {
    let mut lines: Vec<(&'static str, f64)> = Vec::new();
    for g in cloud.servers.groups.values_mut() {
        for i in g.instances.iter_mut() {
            let end = i.terminated.map_or(now, |t| t.min(now));
            if end <= i.billed_until {
                continue;
            }
            let mut secs = end.since(i.billed_until).as_secs_f64();
            if i.terminated.is_some_and(|t| t <= now) {
                let lived = end.since(i.launched);
                if lived < MIN_BILLED {
                    secs += (MIN_BILLED - lived).as_secs_f64();
                }
            }
            i.billed_until = end;
            lines.push((i.itype.price_key, secs / 3600.0));
            lines.push(("ebs.gp3.gb_hours", g.storage_gb as f64 * secs / 3600.0));
        }
    }
    for lb in cloud.servers.balancers.values_mut() {
        if now > lb.billed_until {
            let h = now.since(lb.billed_until).as_secs_f64() / 3600.0;
            lb.billed_until = now;
            lines.push(("elb.alb.hours", h));
        }
        if lb.lcu_pending > 0.0 {
            lines.push(("elb.alb.lcu_hours", lb.lcu_pending));
            lb.lcu_pending = 0.0;
        }
    }
    for (k, u) in lines {
        cloud.core.bill(k, u);
    }
}

/// Meters LCUs for the requests of one minute (called as minutes close).
pub(crate) fn lcu_hours(requests: f64) -> f64 {
    let per_sec = requests / 60.0;
    let gb_per_hour = requests * BYTES_PER_REQUEST * 60.0 / 1e9;
    (per_sec / LCU_NEW_CONNECTIONS).max(gb_per_hour / LCU_GB_PER_HOUR) / 60.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn water_fill_levels_the_outstanding_counts() {
        assert_eq!(water_fill(&[0, 0, 0], 7), vec![3, 2, 2]);
        assert_eq!(water_fill(&[10, 0, 4], 6), vec![0, 5, 1]);
        assert_eq!(water_fill(&[5, 5], 0), vec![0, 0]);
        let g = water_fill(&[3, 9, 1, 1], 100);
        assert_eq!(g.iter().sum::<u64>(), 100);
        let after: Vec<u64> = g.iter().zip([3, 9, 1, 1]).map(|(a, b)| a + b).collect();
        assert!(
            after.iter().max().unwrap() - after.iter().min().unwrap() <= 1,
            "{after:?}"
        );
    }

    #[test]
    fn lcus_follow_the_largest_dimension() {
        // 1,500 requests a minute = 25 new connections per second = 1 LCU for the minute.
        assert!((lcu_hours(1500.0) - 1.0 / 60.0).abs() < 1e-12);
    }
}

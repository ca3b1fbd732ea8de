//! Servers: deployment, load balancing, health checks, Auto Scaling policies
//! driven by CloudWatch alarms, queue workers, billing, and the invariant that
//! every request is served, queued or counted as dropped.

use cloudlab::prelude::*;
use cloudlab::servers::{
    Adjustment, Algorithm, App, Component, Deployment, Profile, Step, Tracked,
};
use proptest::prelude::*;

fn web() -> App {
    App::new("shop").component(Component::new("web", 50.0).memory_gib(1.0))
}

#[test]
fn a_fleet_serves_its_load_and_bills_instance_hours() {
    let mut cloud = Cloud::new();
    let site = cloud
        .servers()
        .deploy(
            "shop",
            &web(),
            Deployment::monolith("t3.small").capacity(2, 2, 2),
        )
        .unwrap();
    cloud.servers().wait_ready(&site).unwrap();
    let r = cloud
        .servers()
        .run(&site, Profile::constant(40.0), 3600.secs())
        .unwrap();
    assert_eq!(r.counts.arrived, 144_000);
    assert_eq!(r.counts.served, 144_000);
    assert_eq!(r.counts.dropped(), 0);
    // 40 rps × 50 ms = 2 vCPUs busy of 4: latency stays near the 50 ms of work.
    assert!(r.p50_ms >= 50.0 && r.p95_ms < 120.0, "{r}");
    assert!(
        (r.instance_hours - 2.0).abs() < 0.01,
        "{}",
        r.instance_hours
    );
    // Two instances, two 8 GB volumes, the ALB hour and 40/25 = 1.6 LCUs.
    let expected = 2.0 * 0.0208 + 2.0 * 8.0 * 0.08 / 730.0 + 0.0225 + 1.6 * 0.008;
    assert!(
        (r.cost_usd - expected).abs() < 0.001,
        "{} vs {expected}",
        r.cost_usd
    );
}

#[test]
fn overload_queues_then_times_out() {
    let mut cloud = Cloud::new();
    let site = cloud
        .servers()
        .deploy(
            "shop",
            &web(),
            Deployment::monolith("t3.micro").capacity(1, 1, 1),
        )
        .unwrap();
    cloud.servers().wait_ready(&site).unwrap();
    // 2 vCPUs do 40 requests/s of 50 ms: 80 rps is twice what it can do.
    let r = cloud
        .servers()
        .run(&site, Profile::constant(80.0), 600.secs())
        .unwrap();
    assert!(r.counts.timed_out > 0, "{r}");
    assert_eq!(
        r.counts.arrived,
        r.counts.served + r.counts.dropped() + r.queued
    );
    assert!(r.p95_ms > 30_000.0, "{r}");
}

#[test]
fn round_robin_keeps_sending_to_a_failing_instance_until_health_checks_catch_it() {
    let mut cloud = Cloud::new();
    let site = cloud
        .servers()
        .deploy(
            "shop",
            &web(),
            Deployment::monolith("t3.small").capacity(3, 3, 3),
        )
        .unwrap();
    cloud.servers().wait_ready(&site).unwrap();
    let g = site.group("web");
    cloud.servers().fail_instance(&g, 0).unwrap();
    let r = cloud
        .servers()
        .run(&site, Profile::constant(30.0), 300.secs())
        .unwrap();
    // A third of the requests fail until two failed checks (at most ~60 s) take it out.
    let errors = r.counts.target_error;
    assert!(errors > 0 && errors <= 30 * 61 / 3 + 30, "{r}");
    assert_eq!(r.counts.arrived, r.counts.served + r.counts.dropped());
    let inst = cloud.servers().instances(&g).unwrap();
    assert_eq!(inst.iter().filter(|i| !i.healthy).count(), 1);
    // Without ELB health checks the group does not replace it.
    assert_eq!(inst.len(), 3);
}

#[test]
fn elb_health_checks_replace_a_failing_instance() {
    let mut cloud = Cloud::new();
    let site = cloud
        .servers()
        .deploy(
            "shop",
            &web(),
            Deployment::monolith("t3.small")
                .capacity(2, 2, 2)
                .elb_health_checks(),
        )
        .unwrap();
    cloud.servers().wait_ready(&site).unwrap();
    let g = site.group("web");
    let bad = cloud.servers().fail_instance(&g, 1).unwrap();
    cloud.advance(10.mins());
    let inst = cloud.servers().instances(&g).unwrap();
    assert!(inst.iter().all(|i| i.id != bad), "{inst:?}");
    assert_eq!(inst.len(), 2);
    let acts = cloud.servers().activities(&g).unwrap();
    assert!(acts.iter().any(|a| a.cause.contains("ELB health check")));
}

#[test]
fn least_outstanding_requests_favours_the_fresh_instance() {
    // One instance carries a backlog; LOR routes new requests around it.
    let run = |alg| {
        let mut cloud = Cloud::new();
        let site = cloud
            .servers()
            .deploy(
                "s",
                &web(),
                Deployment::monolith("t3.micro")
                    .capacity(2, 2, 2)
                    .algorithm(alg),
            )
            .unwrap();
        cloud.servers().wait_ready(&site).unwrap();
        // A spike of 400 rps for 5 s builds queues, then a steady 30 rps.
        let p = Profile::constant(30.0).plus(Profile::spike(0.0, 5.0, 400.0));
        cloud.servers().run(&site, p, 120.secs()).unwrap()
    };
    let rr = run(Algorithm::RoundRobin);
    let lor = run(Algorithm::LeastOutstandingRequests);
    assert_eq!(rr.counts.arrived, lor.counts.arrived);
    assert!(
        lor.p95_ms <= rr.p95_ms,
        "lor {} rr {}",
        lor.p95_ms,
        rr.p95_ms
    );
}

#[test]
fn target_tracking_scales_out_through_a_spike_and_back_in() {
    let mut cloud = Cloud::new();
    let site = cloud
        .servers()
        .deploy(
            "shop",
            &web(),
            Deployment::monolith("c5.large")
                .capacity(1, 1, 10)
                .detailed_monitoring(),
        )
        .unwrap();
    cloud.servers().wait_ready(&site).unwrap();
    let g = site.group("web");
    cloud
        .servers()
        .target_tracking(&g, "cpu50", Tracked::Cpu, 50.0)
        .unwrap();
    assert_eq!(cloud.cloudwatch().alarms().len(), 2);
    let p = Profile::constant(10.0).plus(Profile::spike(600.0, 1800.0, 100.0));
    let r = cloud.servers().run(&site, p, 2.hours()).unwrap();
    let peak = r.minutes.iter().map(|m| m.2).max().unwrap();
    assert!(
        peak >= 4,
        "110 rps × 50 ms = 5.5 vCPUs: {peak} instances\n{r}"
    );
    let last = r.minutes.last().unwrap().2;
    assert!(last < peak, "scaled back in: {last} < {peak}");
    assert_eq!(r.counts.arrived, r.counts.served + r.counts.dropped());
    let acts = cloud.servers().activities(&g).unwrap();
    assert!(acts.iter().any(|a| a.cause.contains("cpu50")));
}

#[test]
fn simple_scaling_waits_out_its_cooldown() {
    let mut cloud = Cloud::new();
    let site = cloud
        .servers()
        .deploy(
            "shop",
            &web(),
            Deployment::monolith("t3.micro")
                .capacity(1, 1, 10)
                .detailed_monitoring(),
        )
        .unwrap();
    cloud.servers().wait_ready(&site).unwrap();
    let g = site.group("web");
    let arn = cloud.servers().simple_scaling(&g, "add1", 1, None).unwrap();
    cloud
        .cloudwatch()
        .put_alarm(
            AlarmSpec::new(
                "busy",
                MetricKey::new("AWS/EC2", "CPUUtilization", &[("AutoScalingGroupName", &g)]),
            )
            .above(60.0)
            .on_alarm(&arn),
        )
        .unwrap();
    cloud
        .servers()
        .start(&site, Profile::constant(200.0), 20.mins())
        .unwrap();
    cloud.advance(9.mins());
    // The alarm repeats its action every minute, but the 300 s cooldown (after
    // a 90 s boot) lets only one instance in per 6.5 minutes.
    let d = cloud.servers().desired(&g).unwrap();
    assert!((2..=3).contains(&d), "{d}");
}

#[test]
fn step_scaling_on_queue_backlog_drains_it() {
    let mut cloud = Cloud::new();
    let q = cloud.sqs().create_queue("jobs").unwrap();
    let work = Component::new("worker", 200.0);
    let g = cloud
        .servers()
        .workers(
            "workers",
            &q,
            &work,
            "c5.large",
            Deployment::monolith("c5.large").capacity(1, 1, 8),
        )
        .unwrap();
    let arn = cloud
        .servers()
        .step_scaling(
            &g,
            "backlog",
            Adjustment::ChangeInCapacity,
            vec![
                Step {
                    lower: Some(0.0),
                    upper: Some(500.0),
                    adjustment: 1,
                },
                Step {
                    lower: Some(500.0),
                    upper: None,
                    adjustment: 3,
                },
            ],
        )
        .unwrap();
    cloud
        .cloudwatch()
        .put_alarm(
            AlarmSpec::new(
                "backlog",
                MetricKey::sqs("jobs", "ApproximateNumberOfMessagesVisible"),
            )
            .statistic("Maximum")
            .above(100.0)
            .on_alarm(&arn),
        )
        .unwrap();
    cloud.advance(2.mins());
    for i in 0..3000 {
        cloud.sqs().send(&q, format!("{i}")).unwrap();
    }
    cloud.advance(3.mins());
    assert!(cloud.servers().desired(&g).unwrap() >= 4);
    cloud.run_until_idle();
    assert_eq!(cloud.servers().processed(&g).unwrap(), 3000);
    assert_eq!(cloud.sqs().counts(&q).unwrap().total(), 0);
}

#[test]
fn backlog_per_instance_target_tracking() {
    let mut cloud = Cloud::new();
    let q = cloud.sqs().create_queue("jobs").unwrap();
    let g = cloud
        .servers()
        .workers(
            "w",
            &q,
            &Component::new("w", 100.0),
            "c5.large",
            Deployment::monolith("c5.large").capacity(1, 1, 10),
        )
        .unwrap();
    cloud
        .servers()
        .target_tracking(
            &g,
            "backlog",
            Tracked::BacklogPerInstance("jobs".into()),
            200.0,
        )
        .unwrap();
    cloud.advance(3.mins());
    for i in 0..5000 {
        cloud.sqs().send(&q, format!("{i}")).unwrap();
    }
    cloud.advance(6.mins());
    assert!(
        cloud.servers().desired(&g).unwrap() >= 3,
        "{}",
        cloud.cloudwatch().alarms()
    );
}

#[test]
fn tiers_need_their_own_memory_and_linked_tiers_scale_together() {
    let app = App::new("shop")
        .component(Component::new("web", 20.0).memory_gib(1.0))
        .component(Component::new("catalog", 5.0).memory_gib(12.0));
    let mut cloud = Cloud::new();
    let e = cloud
        .servers()
        .deploy(
            "a",
            &app,
            Deployment::tiers(&[("web", "t3.micro"), ("catalog", "t3.large")]),
        )
        .unwrap_err();
    assert!(e.message.contains("catalog"), "{}", e.message);
    let e = cloud
        .servers()
        .deploy("b", &app, Deployment::monolith("m5.large"))
        .unwrap_err();
    assert!(e.message.contains("largest component"), "{}", e.message);
    let site = cloud
        .servers()
        .deploy(
            "c",
            &app,
            Deployment::tiers(&[("web", "t3.micro"), ("catalog", "r5.large")])
                .capacity(1, 1, 5)
                .linked(),
        )
        .unwrap();
    cloud
        .servers()
        .set_capacity(&site.group("web"), 1, 3, 5)
        .unwrap();
    assert_eq!(cloud.servers().desired(&site.group("catalog")).unwrap(), 3);
    cloud.servers().wait_ready(&site).unwrap();
    let r = cloud
        .servers()
        .run(&site, Profile::constant(50.0), 60.secs())
        .unwrap();
    assert_eq!(r.counts.served, 3000);
    // Two stages: at least the 25 ms of work of both tiers.
    assert!(r.p50_ms >= 25.0, "{r}");
}

#[test]
fn alb_and_ec2_metrics_reach_cloudwatch() {
    let mut cloud = Cloud::new();
    let site = cloud
        .servers()
        .deploy(
            "shop",
            &web(),
            Deployment::monolith("t3.small")
                .capacity(2, 2, 2)
                .detailed_monitoring(),
        )
        .unwrap();
    cloud.servers().wait_ready(&site).unwrap();
    cloud
        .servers()
        .run(&site, Profile::constant(20.0), 5.mins())
        .unwrap();
    cloud.advance(2.mins());
    let metrics = cloud.cloudwatch().metrics();
    let names: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
    for n in [
        "RequestCount",
        "TargetResponseTime",
        "HealthyHostCount",
        "RequestCountPerTarget",
        "CPUUtilization",
        "GroupInServiceInstances",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let cpu = MetricKey::new(
        "AWS/EC2",
        "CPUUtilization",
        &[("AutoScalingGroupName", "shop")],
    );
    let pts = cloud
        .cloudwatch()
        .statistics(&cpu, "Average", 60.secs(), SimTime::EPOCH)
        .unwrap();
    // 20 rps × 50 ms = 1 vCPU of 4: 25 %.
    assert!(pts.iter().any(|p| (p.1 - 25.0).abs() < 1.0), "{pts:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn every_request_is_served_queued_or_dropped(
        rps in 0.0f64..300.0,
        spike in 0.0f64..800.0,
        count in 0u32..4,
        fail in proptest::option::of(0usize..3),
        lor in any::<bool>(),
        secs in 30u64..240,
    ) {
        let mut cloud = Cloud::new();
        let alg = if lor { Algorithm::LeastOutstandingRequests } else { Algorithm::RoundRobin };
        let site = cloud
            .servers()
            .deploy("p", &web(), Deployment::monolith("t3.micro").capacity(count, count, 4).algorithm(alg).boot_time(20.secs()))
            .unwrap();
        if let Some(i) = fail {
            let _ = cloud.servers().fail_instance("p", i);
        }
        let p = Profile::constant(rps).plus(Profile::spike(10.0, 10.0, spike));
        cloud.servers().start(&site, p, Duration::from_secs(secs)).unwrap();
        cloud.advance(Duration::from_secs(secs / 2));
        let mid = cloud.servers().report(&site).unwrap();
        let c = mid.counts;
        prop_assert_eq!(c.arrived, c.served + c.dropped() + mid.queued);
        cloud.run_until_idle();
        let r = cloud.servers().report(&site).unwrap();
        let c = r.counts;
        prop_assert_eq!(c.arrived, c.served + c.dropped() + r.queued);
        prop_assert_eq!(r.queued, 0);
    }
}

#[test]
fn the_bench_workload_runs_a_day() {
    // Debug builds are slow; one day still has to finish and count every request.
    let n = cloudlab::bench::servers::fleet_day(1);
    assert_eq!(n, cloudlab::bench::servers::plain_loop(1));
}

#[test]
fn the_same_load_on_api_gateway_and_lambda_costs_per_request() {
    use cloudlab::servers::{Comparison, run_serverless};
    let app = web();
    let profile = Profile::constant(1.0).plus(Profile::spike(600.0, 300.0, 10.0));
    let length = Duration::from_secs(3600);
    let lambda = run_serverless(&app, &profile, length, 1024, 42).unwrap();
    assert_eq!(lambda.requests, 3600 + 10 * 300);
    assert_eq!(lambda.ok, lambda.requests);
    assert!(lambda.cold_starts >= 1);
    // 50 ms of CPU at 1,024 MB (a little over half a vCPU) takes about 86 ms.
    assert!(lambda.p50_ms > 80.0 && lambda.p50_ms < 200.0, "{lambda:?}");
    let requests = lambda.requests as f64;
    let api = requests * 1.0 / 1e6;
    let invokes = requests * 0.2 / 1e6;
    assert!(lambda.cost_usd() > api + invokes, "{lambda:?}");
    let mut cloud = Cloud::new();
    let site = cloud
        .servers()
        .deploy(
            "shop",
            &app,
            Deployment::monolith("t3.micro").capacity(1, 1, 1),
        )
        .unwrap();
    cloud.servers().wait_ready(&site).unwrap();
    let servers = cloud.servers().run(&site, profile, length).unwrap();
    let cmp = Comparison::new(servers, lambda);
    // At this light load, paying per request is cheaper than a server all hour.
    assert!(cmp.serverless.cost_usd() < cmp.servers.cost_usd, "{cmp}");
    let svg = cmp.to_svg();
    assert!(svg.contains("API Gateway + Lambda") && svg.contains("servers"));
}

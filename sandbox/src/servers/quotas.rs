//! EC2, Elastic Load Balancing and Auto Scaling defaults, each with its
//! documentation page. Boot time is the sandbox's own figure (AWS documents none).

use std::time::Duration;

/// ALB health check interval (default 30 s).
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html>
pub const HEALTH_INTERVAL: Duration = Duration::from_secs(30);
/// Consecutive failed checks before a target is unhealthy (ALB default 2).
pub const UNHEALTHY_THRESHOLD: u32 = 2;
/// Consecutive passed checks before an unhealthy target is healthy again (ALB default 5).
pub const HEALTHY_THRESHOLD: u32 = 5;
/// How long a request may wait for a target before the ALB answers 504
/// (the ALB idle timeout, default 60 s).
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html>
pub const REQUEST_TIMEOUT_SECS: u64 = 60;
/// Deregistration delay: how long a draining target may finish its requests (default 300 s).
pub const DEREGISTRATION_DELAY: Duration = Duration::from_secs(300);
/// Default cooldown of an Auto Scaling group: simple scaling policies wait this
/// long after a scaling activity (300 s).
/// <https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scaling-cooldowns.html>
pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(300);
/// Largest default instance warm-up (it is not set by default).
/// <https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html>
pub const MAX_WARMUP: Duration = Duration::from_secs(3_600);
/// Time from launch to in service: boot plus application start (the sandbox's figure).
pub const DEFAULT_BOOT: Duration = Duration::from_secs(90);
/// Health check grace period when ELB health checks replace instances (300 s, the console default).
pub const DEFAULT_GRACE: Duration = Duration::from_secs(300);
/// Bytes one request and its response carry, for LCU billing (the sandbox's figure).
pub const BYTES_PER_REQUEST: f64 = 10_240.0;
/// One LCU: 25 new connections per second, 1 GB processed per hour.
/// <https://aws.amazon.com/elasticloadbalancing/pricing/>
pub const LCU_NEW_CONNECTIONS: f64 = 25.0;
/// GB per hour in one LCU (EC2 targets).
pub const LCU_GB_PER_HOUR: f64 = 1.0;
/// Seconds billed at least for each Linux instance launch.
/// <https://aws.amazon.com/ec2/pricing/on-demand/>
pub const MIN_BILLED: Duration = Duration::from_secs(60);
/// Groups of the target-tracking alarms: AlarmHigh breaches on 3 of 3
/// datapoints, AlarmLow on 15 of 15 below 90 % of the target. These are the
/// alarms AWS creates (visible in DescribeAlarms); their exact settings are
/// observed behaviour, not a documented contract.
pub const TT_HIGH_POINTS: u32 = 3;
/// See [`TT_HIGH_POINTS`].
pub const TT_LOW_POINTS: u32 = 15;
/// See [`TT_HIGH_POINTS`].
pub const TT_LOW_FACTOR: f64 = 0.9;

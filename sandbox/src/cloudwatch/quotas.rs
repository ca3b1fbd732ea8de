//! CloudWatch quotas and fixed behaviour at today's AWS values, each with the
//! documentation page it comes from.

/// Datapoints one GetMetricStatistics call may return.
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html>
pub const MAX_DATAPOINTS: u64 = 1_440;
/// Metrics (MetricDatum entries) in one PutMetricData request (raised from 20 in 2023).
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html>
pub const MAX_METRIC_DATA: usize = 1_000;
/// Values (and Counts) in one MetricDatum.
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html>
pub const MAX_VALUES_PER_DATUM: usize = 150;
/// Dimensions of one metric (raised from 10 to 30 in 2022).
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html>
pub const MAX_DIMENSIONS: usize = 30;
/// Queries in one GetMetricData request.
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html>
pub const MAX_QUERIES: usize = 500;
/// Longest alarm name, characters.
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html>
pub const MAX_ALARM_NAME: usize = 255;
/// Alarm actions per state (AlarmActions, OKActions, InsufficientDataActions).
pub const MAX_ACTIONS: usize = 5;
/// EvaluationPeriods × Period may cover at most one day.
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html>
pub const MAX_EVALUATION_SECONDS: u64 = 86_400;
/// Alarms per DescribeAlarms page (MaxRecords 1-100).
pub const MAX_RECORDS: usize = 100;
/// Seconds in the standard period unit (alarm and statistic periods are multiples of this).
pub const MINUTE: u64 = 60;
/// Regional name CloudWatch writes in alarm notifications.
pub const REGION_NAME: &str = "US East (N. Virginia)";

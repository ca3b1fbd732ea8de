//! API keys and usage plans (REST APIs): a method that requires a key
//! refuses requests without a valid `x-api-key` (403 Forbidden); a usage
//! plan gives each of its keys a throttle (token bucket) and a quota per day,
//! week or month (429 "Limit Exceeded" when used up).

use super::http::{ApiRequest, ApiResponse};
use super::model::QuotaPeriod;
use super::quotas::API_KEY_HEADER;
use super::throttle::TokenBucket;
use crate::cloud::Cloud;
use crate::time::SimTime;

/// A key that passed: its id and value, and the plan it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyUse {
    pub key_id: String,
    pub value: String,
    pub plan_id: String,
}

fn forbidden() -> ApiResponse {
    ApiResponse::message(403, "message", "Forbidden")
}

/// Finds the request's API key and a usage plan that covers this stage.
pub(crate) fn check(
    cloud: &Cloud,
    api_id: &str,
    stage: &str,
    req: &ApiRequest,
    from_authorizer: Option<&str>,
) -> Result<KeyUse, ApiResponse> {
    let value = from_authorizer
        .or_else(|| req.header_value(API_KEY_HEADER))
        .ok_or_else(forbidden)?;
    let key = cloud
        .apigw
        .api_keys
        .values()
        .find(|k| k.value == value && k.enabled)
        .ok_or_else(forbidden)?;
    let plan = cloud
        .apigw
        .usage_plans
        .values()
        .find(|p| {
            p.keys.contains(&key.id) && p.api_stages.iter().any(|(a, s)| a == api_id && s == stage)
        })
        .ok_or_else(forbidden)?;
    Ok(KeyUse {
        key_id: key.id.clone(),
        value: key.value.clone(),
        plan_id: plan.id.clone(),
    })
}

/// The first instant of the quota period holding `t` (UTC; weeks start on Monday).
pub fn period_start(period: QuotaPeriod, t: SimTime) -> SimTime {
    let z = t.to_jiff().to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let start = match period {
        QuotaPeriod::Day => z.start_of_day(),
        QuotaPeriod::Week => {
            let back = z.weekday().to_monday_zero_offset() as i64;
            z.checked_sub(jiff::Span::new().days(back))
                .and_then(|d| d.start_of_day())
        }
        QuotaPeriod::Month => z.first_of_month().and_then(|d| d.start_of_day()),
    };
    start
        .map(|s| SimTime::from_jiff(s.timestamp()))
        .unwrap_or(t)
}

/// Applies the plan's per-key throttle, then counts the request against its quota.
pub(crate) fn meter(cloud: &mut Cloud, key: &KeyUse) -> Result<(), ApiResponse> {
    let now = cloud.core.now;
    let Some(plan) = cloud.apigw.usage_plans.get_mut(&key.plan_id) else {
        return Ok(());
    };
    if let Some(limit) = plan.throttle {
        let bucket = plan
            .buckets
            .entry(key.key_id.clone())
            .or_insert_with(|| TokenBucket::new(limit, now));
        if !bucket.take(now) {
            return Err(ApiResponse::message(429, "message", "Too Many Requests"));
        }
    }
    if let Some(q) = plan.quota {
        let start = period_start(q.period, now);
        let used = plan.used.entry((key.key_id.clone(), start)).or_insert(0);
        if *used >= q.limit {
            return Err(ApiResponse::message(429, "message", "Limit Exceeded"));
        }
        *used += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;

    #[test]
    fn periods_start_at_utc_boundaries() {
        // 2026-01-01 is a Thursday.
        let t = SimTime::EPOCH + 14.hours();
        assert_eq!(period_start(QuotaPeriod::Day, t), SimTime::EPOCH);
        assert_eq!(
            period_start(QuotaPeriod::Week, t),
            SimTime::EPOCH - 3.days()
        );
        assert_eq!(
            period_start(QuotaPeriod::Month, SimTime::EPOCH + 40.days()),
            SimTime::EPOCH + 31.days()
        );
    }
}

//! Billing the REST API cache: a stage's cache cluster costs an hourly rate
//! by size from the moment it is enabled until it is disabled or deleted.
//! Hours are metered lazily, like S3 storage (on every change, and up to now
//! when a bill is drawn up). Requests are metered by the pipeline.

use super::model::{ApigwState, Stage};
use crate::billing::Meter;
use crate::cloud::Cloud;
use crate::time::SimTime;

/// Price keys of the cache sizes (GB), in [`super::quotas::CACHE_SIZES`] order.
pub const CACHE_KEYS: &[(&str, &str)] = &[
    ("0.5", "apigateway.cache.0_5gb.hours"),
    ("1.6", "apigateway.cache.1_6gb.hours"),
    ("6.1", "apigateway.cache.6_1gb.hours"),
    ("13.5", "apigateway.cache.13_5gb.hours"),
    ("28.4", "apigateway.cache.28_4gb.hours"),
    ("58.2", "apigateway.cache.58_2gb.hours"),
    ("118", "apigateway.cache.118gb.hours"),
    ("237", "apigateway.cache.237gb.hours"),
];

/// The price key of a cache size.
pub fn cache_key(size: &str) -> &'static str {
    CACHE_KEYS
        .iter()
        .find(|(s, _)| *s == size)
        .map_or(CACHE_KEYS[0].1, |(_, k)| *k)
}

fn meter_hours(meter: &mut Meter, size: &str, from: SimTime, to: SimTime) {
    for (at, secs, _) in crate::s3::storage::split_by_month(from, to) {
        meter.add(at, cache_key(size), secs / 3600.0);
    }
}

/// Meters a stage's cache hours up to `now` (and keeps counting if still on).
pub(crate) fn accrue(stage: &mut Stage, meter: &mut Meter, now: SimTime) {
    if let Some(from) = stage.cache_billed_from {
        meter_hours(meter, &stage.cache_cluster_size, from, now);
        stage.cache_billed_from = stage.cache_cluster_enabled.then_some(now);
    } else if stage.cache_cluster_enabled {
        stage.cache_billed_from = Some(now);
    }
}

/// Adds the not-yet-metered cache hours of every stage (for `Cloud::bill`).
pub(crate) fn pending(state: &ApigwState, meter: &mut Meter, now: SimTime) {
    for api in state.rest_apis.values() {
        for s in api.stages.values() {
            if let Some(from) = s.cache_billed_from {
                meter_hours(meter, &s.cache_cluster_size, from, now);
            }
        }
    }
}

/// Meters and stops the caches of a REST API being deleted.
pub(crate) fn close_caches_rest(cloud: &mut Cloud, api_id: &str) {
    let now = cloud.core.now;
    if let Some(api) = cloud.apigw.rest_apis.get_mut(api_id) {
        for s in api.stages.values_mut() {
            s.cache_cluster_enabled = false;
            accrue(s, &mut cloud.core.meter, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;

    #[test]
    fn hours_are_metered_while_the_cache_is_on() {
        let mut m = Meter::default();
        let mut s = Stage::new("prod", SimTime::EPOCH);
        s.cache_cluster_enabled = true;
        accrue(&mut s, &mut m, SimTime::EPOCH);
        accrue(&mut s, &mut m, SimTime::EPOCH + 90.mins());
        s.cache_cluster_enabled = false;
        accrue(&mut s, &mut m, SimTime::EPOCH + 3.hours());
        assert!((m.units("apigateway.cache.0_5gb.hours") - 3.0).abs() < 1e-9);
        accrue(&mut s, &mut m, SimTime::EPOCH + 10.hours());
        assert!((m.units("apigateway.cache.0_5gb.hours") - 3.0).abs() < 1e-9);
    }
}

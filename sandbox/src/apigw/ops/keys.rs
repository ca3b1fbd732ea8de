//! API keys and usage plans (`apigateway`): CreateApiKey, GetApiKeys,
//! DeleteApiKey, CreateUsagePlan, GetUsagePlans, CreateUsagePlanKey, GetUsage.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Value, json};

use super::{bad, conflict, new_id, not_found};
use crate::apigw::keys::period_start;
use crate::apigw::model::{ApiKey, Quota, QuotaPeriod, UsagePlan};
use crate::apigw::throttle::Limit;
use crate::cloud::Cloud;
use crate::error::CloudResult;

/// CreateApiKey request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiKeyInput {
    /// Name.
    pub name: String,
    /// Enabled (default false, as in the API: pass true).
    #[serde(default)]
    pub enabled: bool,
    /// A value of your own (20+ characters); generated when absent.
    pub value: Option<String>,
}

fn key_json(k: &ApiKey, include_value: bool) -> Value {
    let mut v = json!({
        "id": k.id,
        "name": k.name,
        "enabled": k.enabled,
        "createdDate": k.created,
    });
    if include_value {
        v["value"] = json!(k.value);
    }
    v
}

/// CreateApiKey.
pub fn create_api_key(cloud: &mut Cloud, input: CreateApiKeyInput) -> CloudResult<Value> {
    let value = match input.value {
        Some(v) if v.len() < 20 || v.len() > 128 => {
            return Err(bad("An API key value must be 20 to 128 characters long."));
        }
        Some(v) => v,
        None => cloud.core.rng.alnum(40),
    };
    if cloud.apigw.api_keys.values().any(|k| k.value == value) {
        return Err(conflict("An API key with this value already exists"));
    }
    let key = ApiKey {
        id: new_id(cloud, 10),
        name: input.name,
        value,
        enabled: input.enabled,
        created: cloud.core.now,
    };
    let out = key_json(&key, true);
    cloud.apigw.api_keys.insert(key.id.clone(), key);
    Ok(out)
}

/// GetApiKeys request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetApiKeysInput {
    /// Include the secret values.
    #[serde(default)]
    pub include_values: bool,
}

/// GetApiKeys.
pub fn get_api_keys(cloud: &mut Cloud, input: GetApiKeysInput) -> CloudResult<Value> {
    let items: Vec<Value> = cloud
        .apigw
        .api_keys
        .values()
        .map(|k| key_json(k, input.include_values))
        .collect();
    Ok(json!({ "items": items }))
}

/// A request naming one API key.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyInput {
    /// Key id.
    pub api_key: String,
}

/// DeleteApiKey (it leaves every usage plan).
pub fn delete_api_key(cloud: &mut Cloud, input: ApiKeyInput) -> CloudResult<()> {
    cloud
        .apigw
        .api_keys
        .remove(&input.api_key)
        .ok_or_else(|| not_found("Invalid API Key identifier specified"))?;
    for p in cloud.apigw.usage_plans.values_mut() {
        p.keys.remove(&input.api_key);
    }
    Ok(())
}

/// One `apiStages` entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiStage {
    /// REST API id.
    pub api_id: String,
    /// Stage name.
    pub stage: String,
}

/// A usage plan's `throttle`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleSettings {
    /// Bucket size.
    pub burst_limit: Option<u32>,
    /// Requests per second.
    pub rate_limit: Option<f64>,
}

/// A usage plan's `quota`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaSettings {
    /// Requests per period.
    pub limit: u64,
    /// `DAY`, `WEEK` or `MONTH`.
    pub period: QuotaPeriod,
    /// Must be 0 here (offsets are not modelled).
    #[serde(default)]
    pub offset: u64,
}

/// CreateUsagePlan request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUsagePlanInput {
    /// Name.
    pub name: String,
    /// Stages the plan covers.
    #[serde(default)]
    pub api_stages: Vec<ApiStage>,
    /// Per-key throttle.
    pub throttle: Option<ThrottleSettings>,
    /// Per-key quota.
    pub quota: Option<QuotaSettings>,
}

fn plan_json(p: &UsagePlan) -> Value {
    let stages: Vec<Value> = p
        .api_stages
        .iter()
        .map(|(a, s)| json!({"apiId": a, "stage": s}))
        .collect();
    let mut v = json!({ "id": p.id, "name": p.name, "apiStages": stages });
    if let Some(t) = p.throttle {
        v["throttle"] = json!({"burstLimit": t.burst, "rateLimit": t.rate});
    }
    if let Some(q) = p.quota {
        v["quota"] = json!({"limit": q.limit, "period": q.period, "offset": 0});
    }
    v
}

/// CreateUsagePlan.
pub fn create_usage_plan(cloud: &mut Cloud, input: CreateUsagePlanInput) -> CloudResult<Value> {
    for s in &input.api_stages {
        let api = cloud.apigw.rest_apis.get(&s.api_id).ok_or_else(|| {
            not_found(format!(
                "Invalid API identifier specified 123456789012:{}",
                s.api_id
            ))
        })?;
        if !api.stages.contains_key(&s.stage) {
            return Err(not_found(format!(
                "Invalid stage identifier specified: API {} has no stage {}",
                s.api_id, s.stage
            )));
        }
    }
    let throttle = input.throttle.map(|t| Limit {
        rate: t.rate_limit.unwrap_or(crate::apigw::quotas::ACCOUNT_RATE),
        burst: t.burst_limit.unwrap_or(crate::apigw::quotas::ACCOUNT_BURST),
    });
    let quota = match input.quota {
        Some(q) if q.offset != 0 => {
            return Err(bad(
                "Quota offsets are not modelled in this sandbox: use offset 0.",
            ));
        }
        Some(q) => Some(Quota {
            limit: q.limit,
            period: q.period,
        }),
        None => None,
    };
    let plan = UsagePlan {
        id: new_id(cloud, 6),
        name: input.name,
        api_stages: input
            .api_stages
            .into_iter()
            .map(|s| (s.api_id, s.stage))
            .collect(),
        throttle,
        quota,
        keys: BTreeSet::new(),
        buckets: BTreeMap::new(),
        used: BTreeMap::new(),
    };
    let out = plan_json(&plan);
    cloud.apigw.usage_plans.insert(plan.id.clone(), plan);
    Ok(out)
}

/// GetUsagePlans.
pub fn get_usage_plans(cloud: &mut Cloud) -> CloudResult<Value> {
    let items: Vec<Value> = cloud.apigw.usage_plans.values().map(plan_json).collect();
    Ok(json!({ "items": items }))
}

/// CreateUsagePlanKey request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUsagePlanKeyInput {
    /// The plan.
    pub usage_plan_id: String,
    /// The API key id.
    pub key_id: String,
    /// `API_KEY`.
    pub key_type: String,
}

/// CreateUsagePlanKey: puts a key in a plan.
pub fn create_usage_plan_key(
    cloud: &mut Cloud,
    input: CreateUsagePlanKeyInput,
) -> CloudResult<Value> {
    if input.key_type != "API_KEY" {
        return Err(bad("keyType must be API_KEY."));
    }
    let key = cloud
        .apigw
        .api_keys
        .get(&input.key_id)
        .cloned()
        .ok_or_else(|| not_found("Invalid API Key identifier specified"))?;
    let plan = cloud
        .apigw
        .usage_plans
        .get_mut(&input.usage_plan_id)
        .ok_or_else(|| {
            not_found(format!(
                "Invalid Usage Plan ID specified: {}",
                input.usage_plan_id
            ))
        })?;
    if !plan.keys.insert(key.id.clone()) {
        return Err(conflict("Usage Plan Key already exists"));
    }
    Ok(json!({ "id": key.id, "type": "API_KEY", "name": key.name, "value": key.value }))
}

/// GetUsage request (the current period only).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetUsageInput {
    /// The plan.
    pub usage_plan_id: String,
    /// One key (default: all).
    pub key_id: Option<String>,
}

/// GetUsage: per key, `[[used, remaining]]` for the current quota period.
pub fn get_usage(cloud: &mut Cloud, input: GetUsageInput) -> CloudResult<Value> {
    let now = cloud.core.now;
    let plan = cloud
        .apigw
        .usage_plans
        .get(&input.usage_plan_id)
        .ok_or_else(|| {
            not_found(format!(
                "Invalid Usage Plan ID specified: {}",
                input.usage_plan_id
            ))
        })?;
    let mut items = serde_json::Map::new();
    let start = plan.quota.map(|q| period_start(q.period, now));
    for k in &plan.keys {
        if input.key_id.as_ref().is_some_and(|id| id != k) {
            continue;
        }
        let used = start
            .and_then(|s| plan.used.get(&(k.clone(), s)))
            .copied()
            .unwrap_or(0);
        let remaining = plan.quota.map_or(0, |q| q.limit.saturating_sub(used));
        items.insert(k.clone(), json!([[used, remaining]]));
    }
    Ok(json!({
        "usagePlanId": plan.id,
        "startDate": start.unwrap_or(now).to_jiff().strftime("%Y-%m-%d").to_string(),
        "endDate": now.to_jiff().strftime("%Y-%m-%d").to_string(),
        "items": items,
    }))
}

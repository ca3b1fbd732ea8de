//! The REST API stage cache: responses to cacheable methods kept for a TTL
//! under a key made of the method, the resource path and the values of the
//! integration's cache key parameters — and nothing else. A method whose
//! responses vary with a path or query parameter that is not a cache key
//! serves one cached answer to everyone.

use std::collections::BTreeMap;

use super::http::ApiRequest;
use super::model::{DeployedRoute, MethodSetting, Stage};
use super::quotas::CACHE_TTL_DEFAULT;

/// The value of a cache key parameter (`method.request.path.id`,
/// `method.request.querystring.q`, `method.request.header.Accept`).
fn param_value(name: &str, req: &ApiRequest, path: &BTreeMap<String, String>) -> String {
    let n = name.strip_prefix("method.request.").unwrap_or(name);
    if let Some(p) = n.strip_prefix("path.") {
        return path.get(p).cloned().unwrap_or_default();
    }
    if let Some(q) = n
        .strip_prefix("querystring.")
        .or_else(|| n.strip_prefix("multivaluequerystring."))
    {
        return req
            .query
            .iter()
            .filter(|(k, _)| k == q)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(",");
    }
    if let Some(h) = n
        .strip_prefix("header.")
        .or_else(|| n.strip_prefix("multivalueheader."))
    {
        return req.header_values(h).join(",");
    }
    String::new()
}

/// The cache key of a request to `route`.
pub fn key(route: &DeployedRoute, req: &ApiRequest, path: &BTreeMap<String, String>) -> String {
    let mut k = format!("{} {}", req.method, route.path());
    if let Some(i) = &route.integration {
        for p in &i.cache_key_parameters {
            k.push_str(&format!(" {p}={}", param_value(p, req, path)));
        }
    }
    k
}

/// `~1orders~1{id}/GET`: the method-settings key of a resource path and method.
pub fn setting_key(path: &str, method: &str) -> String {
    format!("{}/{method}", path.replace('/', "~1"))
}

/// The effective settings of a method: its own, falling back to `*/*`.
pub fn effective(stage: &Stage, path: &str, method: &str) -> MethodSetting {
    let all = stage
        .method_settings
        .get("*/*")
        .cloned()
        .unwrap_or_default();
    let own = stage
        .method_settings
        .get(&setting_key(path, method))
        .cloned()
        .unwrap_or_default();
    MethodSetting {
        rate: own.rate.or(all.rate),
        burst: own.burst.or(all.burst),
        caching_enabled: own
            .caching_enabled
            .or(all.caching_enabled.filter(|_| method == "GET")),
        cache_ttl: own.cache_ttl.or(all.cache_ttl),
        require_authorization_for_cache_control: own
            .require_authorization_for_cache_control
            .or(all.require_authorization_for_cache_control),
    }
}

/// The TTL of a method's cached responses, seconds (0: not cached).
pub fn ttl(stage: &Stage, setting: &MethodSetting) -> u64 {
    if !stage.cache_cluster_enabled || setting.caching_enabled != Some(true) {
        return 0;
    }
    setting.cache_ttl.unwrap_or(CACHE_TTL_DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apigw::model::{Integration, PayloadFormat};
    use crate::apigw::routes::Template;

    fn route(keys: &[&str]) -> DeployedRoute {
        DeployedRoute {
            route_key: "GET /products/{id}".into(),
            method: "GET".into(),
            template: Some(Template::parse("/products/{id}").unwrap()),
            resource_id: Some("r1".into()),
            integration: Some(Integration {
                id: "i".into(),
                function_arn: "f".into(),
                payload_format: PayloadFormat::V1,
                timeout: std::time::Duration::from_secs(29),
                cache_key_parameters: keys.iter().map(|k| k.to_string()).collect(),
            }),
            authorizer_id: None,
            api_key_required: false,
        }
    }

    #[test]
    fn keys_hold_only_the_cache_key_parameters() {
        let p1 = BTreeMap::from([("id".to_string(), "1".to_string())]);
        let p2 = BTreeMap::from([("id".to_string(), "2".to_string())]);
        let req = ApiRequest::get("/products/1?lang=en");
        let bare = route(&[]);
        assert_eq!(key(&bare, &req, &p1), key(&bare, &req, &p2));
        let keyed = route(&["method.request.path.id", "method.request.querystring.lang"]);
        assert_ne!(key(&keyed, &req, &p1), key(&keyed, &req, &p2));
        assert!(key(&keyed, &req, &p1).ends_with("querystring.lang=en"));
    }

    #[test]
    fn setting_keys_escape_slashes() {
        assert_eq!(setting_key("/orders/{id}", "GET"), "~1orders~1{id}/GET");
        assert_eq!(setting_key("/", "GET"), "~1/GET");
    }
}

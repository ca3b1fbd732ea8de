//! How an API looks in a notebook (HTML) and a terminal: its routes and
//! what they call, its stages with throttling, cache and counters.

use std::fmt;

use super::cache;
use super::deploy;
use super::http::ApiRef;
use super::model::{DeployedRoute, Flavor, Stage};
use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::render::{Table, escape, section};

/// A snapshot of an API.
#[derive(Clone, Debug)]
pub struct ApiView {
    /// Title line.
    pub title: String,
    routes: Table,
    stages: Table,
}

fn function_name(arn: &str) -> String {
    arn.rsplit_once("function:")
        .map_or(arn, |(_, n)| n)
        .to_string()
}

fn route_rows(t: &mut Table, routes: &[DeployedRoute], authorizers: &dyn Fn(&str) -> String) {
    for r in routes {
        let (target, keys) = match &r.integration {
            Some(i) => (
                format!(
                    "λ {} (format {}, timeout {} s)",
                    function_name(&i.function_arn),
                    i.payload_format.as_str(),
                    i.timeout.as_secs_f64()
                ),
                i.cache_key_parameters
                    .iter()
                    .map(|k| k.trim_start_matches("method.request.").to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            None => ("(no integration)".into(), String::new()),
        };
        let mut auth = r
            .authorizer_id
            .as_deref()
            .map(authorizers)
            .unwrap_or_default();
        if r.api_key_required {
            auth.push_str(if auth.is_empty() {
                "API key"
            } else {
                " + API key"
            });
        }
        t.row([r.route_key.clone(), target, auth, keys]);
    }
}

fn limit_text(rate: Option<f64>, burst: Option<u32>) -> String {
    match (rate, burst) {
        (None, None) => "account (10,000/s, burst 5,000)".into(),
        (r, b) => format!(
            "{}/s, burst {}",
            r.map_or("10000".into(), |r| r.to_string()),
            b.map_or("5000".into(), |b| b.to_string())
        ),
    }
}

fn stage_row(t: &mut Table, s: &Stage, flavor: Flavor) {
    let throttle = match flavor {
        Flavor::Http => limit_text(
            s.default_limit.map(|l| l.rate),
            s.default_limit.map(|l| l.burst),
        ),
        Flavor::Rest => {
            let m = s.method_settings.get("*/*").cloned().unwrap_or_default();
            limit_text(m.rate, m.burst)
        }
    };
    let cache = if flavor == Flavor::Rest && s.cache_cluster_enabled {
        let m = cache::effective(s, "/", "GET");
        format!(
            "{} GB, TTL {} s, {} entries",
            s.cache_cluster_size,
            m.cache_ttl.unwrap_or(super::quotas::CACHE_TTL_DEFAULT),
            s.cache.len()
        )
    } else {
        "off".into()
    };
    let st = s.stats;
    t.row([
        s.name.clone(),
        throttle,
        cache,
        st.requests.to_string(),
        format!("{} / {} / {}", st.ok_2xx, st.client_4xx, st.server_5xx),
        st.throttled.to_string(),
        format!("{} / {}", st.cache_hits, st.cache_misses),
        st.integration_calls.to_string(),
    ]);
}

impl ApiView {
    pub(crate) fn of(cloud: &Cloud, api: &ApiRef) -> CloudResult<ApiView> {
        let mut routes = Table::new(["Route", "Integration", "Authorization", "Cache keys"]);
        let mut stages = Table::new([
            "Stage",
            "Throttle (per route)",
            "Cache",
            "Requests",
            "2xx / 4xx / 5xx",
            "429s",
            "Cache hits / misses",
            "Lambda calls",
        ]);
        match api.flavor {
            Flavor::Http => {
                let a = cloud
                    .apigw
                    .http_apis
                    .get(&api.id)
                    .ok_or_else(|| super::pipeline::not_found_api(&api.id))?;
                let names = |id: &str| {
                    a.authorizers
                        .get(id)
                        .map(|x| format!("λ authorizer {}", x.name))
                        .unwrap_or_default()
                };
                route_rows(&mut routes, &deploy::http_routes(a), &names);
                for s in a.stages.values() {
                    stage_row(&mut stages, s, Flavor::Http);
                }
            }
            Flavor::Rest => {
                let a = cloud
                    .apigw
                    .rest_apis
                    .get(&api.id)
                    .ok_or_else(|| super::pipeline::not_found_api(&api.id))?;
                let names = |id: &str| {
                    a.authorizers
                        .get(id)
                        .map(|x| format!("λ authorizer {}", x.name))
                        .unwrap_or_default()
                };
                route_rows(&mut routes, &deploy::rest_routes(a), &names);
                for s in a.stages.values() {
                    stage_row(&mut stages, s, Flavor::Rest);
                }
            }
        }
        Ok(ApiView {
            title: format!(
                "{} API {} ({}) · {}",
                api.flavor.as_str(),
                api.name,
                api.id,
                api.endpoint()
            ),
            routes,
            stages,
        })
    }

    /// The view as HTML.
    pub fn to_html(&self) -> String {
        format!(
            "<div style=\"font-family:system-ui,sans-serif\"><div style=\"font-weight:600\">{}</div>{}{}</div>",
            escape(&self.title),
            section("Routes", &self.routes.to_html()),
            section("Stages", &self.stages.to_html())
        )
    }
}

impl fmt::Display for ApiView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        write!(f, "{}{}", self.routes.to_text(), self.stages.to_text())
    }
}

crate::display_as_html!(ApiView);

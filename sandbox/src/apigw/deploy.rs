//! Deployments: freezing an API's routes so a stage serves them. REST APIs
//! serve what the last `CreateDeployment` froze; HTTP API stages with
//! `AutoDeploy` serve the routes as they are now.

use super::model::{DeployedRoute, HttpApi, RestApi};
use super::routes::RouteKey;

/// The routes of an HTTP API as they are now.
pub fn http_routes(api: &HttpApi) -> Vec<DeployedRoute> {
    api.routes
        .values()
        .filter_map(|r| {
            let integration = r
                .target
                .as_deref()
                .and_then(|t| t.strip_prefix("integrations/"))
                .and_then(|id| api.integrations.get(id))
                .cloned();
            let (method, template) = match RouteKey::parse(&r.route_key).ok()? {
                RouteKey::Default => ("ANY".to_string(), None),
                RouteKey::Route(m, t) => (m, Some(t)),
            };
            Some(DeployedRoute {
                route_key: r.route_key.clone(),
                method,
                template,
                resource_id: None,
                integration,
                authorizer_id: (r.authorization_type == "CUSTOM")
                    .then(|| r.authorizer_id.clone())
                    .flatten(),
                api_key_required: false,
            })
        })
        .collect()
}

/// The methods of a REST API as they are now.
pub fn rest_routes(api: &RestApi) -> Vec<DeployedRoute> {
    let mut out = Vec::new();
    for res in api.resources.values() {
        let Ok(template) = super::routes::Template::parse(&res.path) else {
            continue;
        };
        for m in res.methods.values() {
            out.push(DeployedRoute {
                route_key: format!("{} {}", m.http_method, res.path),
                method: m.http_method.clone(),
                template: Some(template.clone()),
                resource_id: Some(res.id.clone()),
                integration: m.integration.clone(),
                authorizer_id: (m.authorization_type == "CUSTOM")
                    .then(|| m.authorizer_id.clone())
                    .flatten(),
                api_key_required: m.api_key_required,
            });
        }
    }
    out
}

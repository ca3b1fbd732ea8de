//! Lambda authorizers: who may call a route. A TOKEN authorizer gets one
//! header; a REQUEST authorizer gets the request. The function answers with
//! an IAM policy (Allow/Deny on `execute-api:Invoke` for method ARNs) or, for
//! HTTP APIs with simple responses, `{"isAuthorized": true|false}`. Results
//! are cached by identity for the authorizer's TTL — the whole policy, which
//! is then checked against each later request's method ARN.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::http::{ApiRef, ApiRequest, ApiResponse};
use super::model::{AuthResult, Authorizer, AuthorizerKind, Flavor, PayloadFormat};
use super::payload::{EventContext, event_v1, event_v2};
use crate::cloud::{ACCOUNT_ID, Cloud, REGION};
use crate::lambda::runtime::execute;

/// `arn:aws:execute-api:us-east-1:123456789012:<api>/<stage>/<METHOD>/<path>`.
pub fn method_arn(api_id: &str, stage: &str, method: &str, path: &str) -> String {
    format!(
        "arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/{stage}/{method}/{}",
        path.trim_start_matches('/')
    )
}

/// IAM-style wildcard match: `*` any run of characters, `?` any one.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// The value of one identity source, if the request carries it.
fn identity_value(source: &str, req: &ApiRequest) -> Option<String> {
    let s = source
        .strip_prefix("method.request.")
        .or_else(|| source.strip_prefix("$request."))?;
    if let Some(h) = s.strip_prefix("header.") {
        return req.header_value(h).map(str::to_string);
    }
    if let Some(q) = s.strip_prefix("querystring.") {
        return req
            .query
            .iter()
            .rev()
            .find(|(k, _)| k == q)
            .map(|(_, v)| v.clone());
    }
    None
}

/// What the pipeline needs to know after authorization.
pub(crate) struct Granted {
    pub principal: Option<String>,
    pub context: Map<String, Value>,
}

/// Runs (or reads from cache) the authorizer and decides; the error is the
/// response the client gets. The duration is how long the authorizer took.
pub(crate) fn authorize(
    cloud: &mut Cloud,
    ctx: &EventContext<'_>,
    authorizer_id: &str,
) -> (Result<Granted, ApiResponse>, Duration) {
    let rest = ctx.api.flavor == Flavor::Rest;
    let Some(auth) = lookup(cloud, ctx.api, authorizer_id) else {
        return (Err(server_error(rest)), Duration::ZERO);
    };
    let unauthorized = || ApiResponse::message(401, "message", "Unauthorized");
    let mut identity = Vec::new();
    for source in &auth.identity_sources {
        match identity_value(source, ctx.request) {
            Some(v) if !v.is_empty() => identity.push(v),
            _ => return (Err(unauthorized()), Duration::ZERO),
        }
    }
    let arn = method_arn(
        &ctx.api.id,
        ctx.stage,
        &ctx.request.method,
        &ctx.request.path,
    );
    let now = cloud.core.now;
    let cache_key = identity.join("\u{1f}");
    let cached = (!auth.ttl.is_zero())
        .then(|| auth.cache.get(&cache_key))
        .flatten()
        .filter(|(exp, _)| *exp > now)
        .map(|(_, r)| r.clone());
    let (result, took) = match cached {
        Some(r) => {
            trace(cloud, ctx.api, "authorizer-cache-hit", auth.name.clone());
            (r, Duration::ZERO)
        }
        None => {
            let event = authorizer_event(&auth, ctx, &arn, &identity);
            match run(cloud, &auth, event, rest) {
                Ok((r, took)) => {
                    if !auth.ttl.is_zero() {
                        store(
                            cloud,
                            ctx.api,
                            authorizer_id,
                            cache_key,
                            now + auth.ttl,
                            r.clone(),
                        );
                    }
                    (r, took)
                }
                Err((resp, took)) => return (Err(resp), took),
            }
        }
    };
    (decide(&result, &arn, rest), took)
}

fn lookup(cloud: &Cloud, api: &ApiRef, id: &str) -> Option<Authorizer> {
    match api.flavor {
        Flavor::Http => cloud
            .apigw
            .http_apis
            .get(&api.id)?
            .authorizers
            .get(id)
            .cloned(),
        Flavor::Rest => cloud
            .apigw
            .rest_apis
            .get(&api.id)?
            .authorizers
            .get(id)
            .cloned(),
    }
}

fn store(
    cloud: &mut Cloud,
    api: &ApiRef,
    id: &str,
    key: String,
    exp: crate::time::SimTime,
    r: AuthResult,
) {
    let auths = match api.flavor {
        Flavor::Http => cloud
            .apigw
            .http_apis
            .get_mut(&api.id)
            .map(|a| &mut a.authorizers),
        Flavor::Rest => cloud
            .apigw
            .rest_apis
            .get_mut(&api.id)
            .map(|a| &mut a.authorizers),
    };
    if let Some(a) = auths.and_then(|a| a.get_mut(id)) {
        a.cache.retain(|_, (e, _)| *e > cloud.core.now);
        a.cache.insert(key, (exp, r));
    }
}

fn trace(cloud: &mut Cloud, api: &ApiRef, kind: &'static str, detail: String) {
    let name: std::sync::Arc<str> = api.name.as_str().into();
    cloud.core.trace("apigateway", &name, kind, detail);
}

fn server_error(rest: bool) -> ApiResponse {
    if rest {
        let mut r = ApiResponse::message(500, "message", "");
        r.body = br#"{"message":null}"#.to_vec();
        r
    } else {
        ApiResponse::message(500, "message", "Internal Server Error")
    }
}

fn authorizer_event(
    auth: &Authorizer,
    ctx: &EventContext<'_>,
    arn: &str,
    identity: &[String],
) -> Value {
    match (ctx.api.flavor, auth.kind) {
        (Flavor::Rest, AuthorizerKind::Token) => json!({
            "type": "TOKEN",
            "authorizationToken": identity.first().cloned().unwrap_or_default(),
            "methodArn": arn,
        }),
        (Flavor::Rest, AuthorizerKind::Request) => {
            let mut e = event_v1(ctx);
            if let Some(o) = e.as_object_mut() {
                o.remove("body");
                o.remove("isBase64Encoded");
                o.insert("type".into(), json!("REQUEST"));
                o.insert("methodArn".into(), json!(arn));
            }
            e
        }
        (Flavor::Http, _) => {
            let mut e = match auth.payload_format {
                PayloadFormat::V2 => event_v2(ctx),
                PayloadFormat::V1 => event_v1(ctx),
            };
            if let Some(o) = e.as_object_mut() {
                o.remove("body");
                o.insert("type".into(), json!("REQUEST"));
                match auth.payload_format {
                    PayloadFormat::V2 => {
                        o.insert("routeArn".into(), json!(arn));
                        o.insert("identitySource".into(), json!(identity));
                    }
                    PayloadFormat::V1 => {
                        o.insert("methodArn".into(), json!(arn));
                        o.insert("identitySource".into(), json!(identity.join(",")));
                    }
                }
            }
            e
        }
    }
}

/// Invokes the authorizer function and reads its answer.
fn run(
    cloud: &mut Cloud,
    auth: &Authorizer,
    event: Value,
    rest: bool,
) -> Result<(AuthResult, Duration), (ApiResponse, Duration)> {
    let name = crate::lambda::ops::function_name(&auth.function_arn)
        .map_err(|_| (server_error(rest), Duration::ZERO))?;
    let request_id = cloud.core.rng.uuid();
    let now = cloud.core.now;
    let exec = match execute(cloud, &name, event, request_id) {
        Ok(e) => e,
        Err(_) => return Err((server_error(rest), Duration::ZERO)),
    };
    let took = exec.finished.since(now);
    let output = match exec.outcome {
        Ok(v) => v,
        Err(e) if e.error_message == "Unauthorized" || e.error_type == "Unauthorized" => {
            return Err((ApiResponse::message(401, "message", "Unauthorized"), took));
        }
        Err(_) => return Err((server_error(rest), took)),
    };
    parse_result(&output, auth.simple_responses)
        .map(|r| (r, took))
        .ok_or((server_error(rest), took))
}

/// Reads an authorizer's answer: a simple response or a policy.
pub fn parse_result(output: &Value, simple: bool) -> Option<AuthResult> {
    let context = output
        .get("context")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if simple {
        return Some(AuthResult::Simple {
            allowed: output.get("isAuthorized")?.as_bool()?,
            context,
        });
    }
    let doc = output.get("policyDocument")?;
    let statements = match doc.get("Statement")? {
        Value::Array(a) => a.clone(),
        s @ Value::Object(_) => vec![s.clone()],
        _ => return None,
    };
    let mut parsed = Vec::new();
    for s in &statements {
        let allow = match s.get("Effect")?.as_str()? {
            "Allow" => true,
            "Deny" => false,
            _ => return None,
        };
        let resources = match s.get("Resource")? {
            Value::String(r) => vec![r.clone()],
            Value::Array(rs) => rs
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect(),
            _ => return None,
        };
        parsed.push((allow, resources));
    }
    Some(AuthResult::Policy {
        principal_id: output
            .get("principalId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        statements: parsed,
        context,
        usage_key: output
            .get("usageIdentifierKey")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// Applies a result to a method ARN: explicit deny wins, then an allow, else deny.
pub(crate) fn decide(result: &AuthResult, arn: &str, rest: bool) -> Result<Granted, ApiResponse> {
    let forbidden = |explicit: bool| {
        if rest {
            let msg = if explicit {
                "User is not authorized to access this resource with an explicit deny"
            } else {
                "User is not authorized to access this resource"
            };
            ApiResponse::message(403, "Message", msg)
        } else {
            ApiResponse::message(403, "message", "Forbidden")
        }
    };
    match result {
        AuthResult::Simple { allowed, context } => {
            if *allowed {
                Ok(Granted {
                    principal: None,
                    context: context.clone(),
                })
            } else {
                Err(forbidden(false))
            }
        }
        AuthResult::Policy {
            principal_id,
            statements,
            context,
            ..
        } => {
            let hits = |allow: bool| {
                statements
                    .iter()
                    .filter(|(a, _)| *a == allow)
                    .any(|(_, rs)| rs.iter().any(|r| wildcard(r, arn)))
            };
            if hits(false) {
                Err(forbidden(true))
            } else if hits(true) {
                Ok(Granted {
                    principal: Some(principal_id.clone()),
                    context: context.clone(),
                })
            } else {
                Err(forbidden(false))
            }
        }
    }
}

/// Identity sources as the two API flavours spell them.
pub fn default_identity_source(flavor: Flavor, header: &str) -> String {
    match flavor {
        Flavor::Rest => format!("method.request.header.{header}"),
        Flavor::Http => format!("$request.header.{header}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_iam() {
        let arn = "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/orders/42";
        assert!(wildcard(
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/orders/*",
            arn
        ));
        assert!(wildcard("arn:aws:execute-api:*:*:abc/*/*/*", arn));
        assert!(wildcard("*", arn));
        assert!(!wildcard(
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod/POST/*",
            arn
        ));
        assert!(wildcard("a?c", "abc"));
        assert!(!wildcard("a?c", "abbc"));
    }

    #[test]
    fn explicit_deny_beats_allow() {
        let out = json!({
            "principalId": "ana",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"},
                {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": ["*/DELETE/*"]}
            ]},
            "context": {"tier": "gold"}
        });
        let r = parse_result(&out, false).unwrap();
        let get = method_arn("abc", "prod", "GET", "/orders/1");
        let del = method_arn("abc", "prod", "DELETE", "/orders/1");
        let ok = decide(&r, &get, true).ok().unwrap();
        assert_eq!(ok.principal.as_deref(), Some("ana"));
        assert_eq!(ok.context["tier"], "gold");
        let denied = decide(&r, &del, true).err().unwrap();
        assert_eq!(denied.status, 403);
        assert!(denied.text().contains("explicit deny"));
    }

    #[test]
    fn malformed_answers_are_none() {
        assert!(parse_result(&json!({"principalId": "x"}), false).is_none());
        assert!(parse_result(&json!({"isAuthorized": "yes"}), true).is_none());
        let r = parse_result(&json!({"isAuthorized": false}), true).unwrap();
        assert_eq!(decide(&r, "arn", false).err().unwrap().status, 403);
    }
}

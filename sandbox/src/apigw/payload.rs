//! Lambda proxy integrations: the event API Gateway sends a function
//! (payload format 1.0 as REST APIs and HTTP APIs shape it, and HTTP APIs'
//! 2.0) and how it reads the function's answer back into an HTTP response.
//!
//! Formats: <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>
//! and <https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html>.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use serde_json::{Map, Value, json};

use super::http::{ApiRef, ApiRequest, ApiResponse};
use super::model::{Flavor, PayloadFormat};
use crate::cloud::{ACCOUNT_ID, REGION};
use crate::time::SimTime;

/// Everything an event is built from.
#[derive(Clone, Debug)]
pub struct EventContext<'a> {
    /// The API.
    pub api: &'a ApiRef,
    /// Stage name.
    pub stage: &'a str,
    /// `GET /orders/{id}` (HTTP) or `$default`.
    pub route_key: &'a str,
    /// The matched template (`/orders/{id}`), or the request path for `$default`.
    pub resource_path: &'a str,
    /// REST resource id.
    pub resource_id: Option<&'a str>,
    /// The request as the client sent it (plus API Gateway's own headers).
    pub request: &'a ApiRequest,
    /// Captured path parameters.
    pub path_params: &'a BTreeMap<String, String>,
    /// Stage variables.
    pub stage_variables: &'a BTreeMap<String, String>,
    /// The request id.
    pub request_id: &'a str,
    /// When the request arrived.
    pub now: SimTime,
    /// The authorizer's principal and context (`requestContext.authorizer`).
    pub authorizer: Option<(Option<String>, Map<String, Value>)>,
    /// The API key used (id, value), REST only.
    pub api_key: Option<(String, String)>,
}

impl EventContext<'_> {
    fn domain(&self) -> String {
        format!("{}.execute-api.{REGION}.amazonaws.com", self.api.id)
    }

    /// The path as the client sent it, with the stage prefix for named stages.
    fn raw_path(&self) -> String {
        if self.stage == "$default" {
            self.request.path.clone()
        } else {
            format!("/{}{}", self.stage, self.request.path)
        }
    }

    fn user_agent(&self) -> String {
        self.request
            .header_value("user-agent")
            .unwrap_or("Cloudlab/1.0")
            .to_string()
    }
}

/// `04/Mar/2020:19:15:17 +0000`, API Gateway's request time format.
pub fn request_time(t: SimTime) -> String {
    t.to_jiff().strftime("%d/%b/%Y:%H:%M:%S +0000").to_string()
}

/// The body for an event: (text or base64, isBase64Encoded). Text when it is
/// UTF-8 and its content type is textual (or absent).
pub fn event_body(req: &ApiRequest) -> (Option<String>, bool) {
    if req.body.is_empty() {
        return (None, false);
    }
    let textual = req.header_value("content-type").is_none_or(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.starts_with("text/")
            || ct.contains("json")
            || ct.contains("xml")
            || ct.contains("x-www-form-urlencoded")
            || ct.contains("javascript")
    });
    match std::str::from_utf8(&req.body) {
        Ok(text) if textual => (Some(text.to_string()), false),
        _ => (
            Some(base64::engine::general_purpose::STANDARD.encode(&req.body)),
            true,
        ),
    }
}

fn or_null(map: Map<String, Value>) -> Value {
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

fn string_map(m: &BTreeMap<String, String>) -> Map<String, Value> {
    m.iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

/// Payload format 1.0 (REST APIs' proxy event; HTTP APIs add `"version": "1.0"`).
pub fn event_v1(ctx: &EventContext<'_>) -> Value {
    let req = ctx.request;
    let mut headers = Map::new();
    let mut multi_headers: Map<String, Value> = Map::new();
    for (k, v) in &req.headers {
        headers.insert(k.clone(), json!(v));
        match multi_headers.get_mut(k) {
            Some(Value::Array(a)) => a.push(json!(v)),
            _ => {
                multi_headers.insert(k.clone(), json!([v]));
            }
        }
    }
    let mut query = Map::new();
    let mut multi_query: Map<String, Value> = Map::new();
    for (k, v) in &req.query {
        query.insert(k.clone(), json!(v));
        match multi_query.get_mut(k) {
            Some(Value::Array(a)) => a.push(json!(v)),
            _ => {
                multi_query.insert(k.clone(), json!([v]));
            }
        }
    }
    let rest = ctx.api.flavor == Flavor::Rest;
    let authorizer = match (&ctx.authorizer, rest) {
        (Some((principal, context)), true) => {
            let mut a = context.clone();
            if let Some(p) = principal {
                a.insert("principalId".into(), json!(p));
            }
            a.insert("integrationLatency".into(), json!(0));
            Value::Object(a)
        }
        (Some((_, context)), false) => json!({ "lambda": context }),
        (None, true) => Value::Null,
        (None, false) => json!({ "claims": null, "scopes": null }),
    };
    let (api_key, api_key_id) = match &ctx.api_key {
        Some((id, value)) => (json!(value), json!(id)),
        None => (Value::Null, Value::Null),
    };
    let mut identity = json!({
        "accessKey": null,
        "accountId": null,
        "caller": null,
        "cognitoAuthenticationProvider": null,
        "cognitoAuthenticationType": null,
        "cognitoIdentityId": null,
        "cognitoIdentityPoolId": null,
        "principalOrgId": null,
        "sourceIp": req.source_ip,
        "user": null,
        "userAgent": ctx.user_agent(),
        "userArn": null,
    });
    if rest {
        identity["apiKey"] = api_key;
        identity["apiKeyId"] = api_key_id;
    }
    let mut request_context = json!({
        "accountId": ACCOUNT_ID,
        "apiId": ctx.api.id,
        "domainName": ctx.domain(),
        "domainPrefix": ctx.api.id,
        "extendedRequestId": ctx.request_id,
        "httpMethod": req.method,
        "identity": identity,
        "path": ctx.raw_path(),
        "protocol": "HTTP/1.1",
        "requestId": ctx.request_id,
        "requestTime": request_time(ctx.now),
        "requestTimeEpoch": ctx.now.unix_millis(),
        "resourceId": ctx.resource_id,
        "resourcePath": ctx.resource_path,
        "stage": ctx.stage,
    });
    if !authorizer.is_null() {
        request_context["authorizer"] = authorizer;
    }
    let (body, b64) = event_body(req);
    let mut event = json!({
        "resource": ctx.resource_path,
        "path": if rest { req.path.clone() } else { ctx.raw_path() },
        "httpMethod": req.method,
        "headers": or_null(headers),
        "multiValueHeaders": or_null(multi_headers),
        "queryStringParameters": or_null(query),
        "multiValueQueryStringParameters": or_null(multi_query),
        "pathParameters": or_null(string_map(ctx.path_params)),
        "stageVariables": or_null(string_map(ctx.stage_variables)),
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": b64,
    });
    if !rest {
        event["version"] = json!("1.0");
    }
    event
}

/// Payload format 2.0 (HTTP APIs): header names in lower case, repeated
/// headers and query parameters joined with commas, cookies apart.
pub fn event_v2(ctx: &EventContext<'_>) -> Value {
    let req = ctx.request;
    let mut headers: Map<String, Value> = Map::new();
    let mut cookies: Vec<String> = Vec::new();
    for (k, v) in &req.headers {
        let k = k.to_ascii_lowercase();
        if k == "cookie" {
            cookies.extend(
                v.split(';')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty()),
            );
            continue;
        }
        match headers.get_mut(&k) {
            Some(Value::String(prev)) => {
                prev.push(',');
                prev.push_str(v);
            }
            _ => {
                headers.insert(k, json!(v));
            }
        }
    }
    let mut query: Map<String, Value> = Map::new();
    for (k, v) in &req.query {
        match query.get_mut(k) {
            Some(Value::String(prev)) => {
                prev.push(',');
                prev.push_str(v);
            }
            _ => {
                query.insert(k.clone(), json!(v));
            }
        }
    }
    let mut request_context = json!({
        "accountId": ACCOUNT_ID,
        "apiId": ctx.api.id,
        "domainName": ctx.domain(),
        "domainPrefix": ctx.api.id,
        "http": {
            "method": req.method,
            "path": ctx.raw_path(),
            "protocol": "HTTP/1.1",
            "sourceIp": req.source_ip,
            "userAgent": ctx.user_agent(),
        },
        "requestId": ctx.request_id,
        "routeKey": ctx.route_key,
        "stage": ctx.stage,
        "time": request_time(ctx.now),
        "timeEpoch": ctx.now.unix_millis(),
    });
    if let Some((_, context)) = &ctx.authorizer {
        request_context["authorizer"] = json!({ "lambda": context });
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": ctx.route_key,
        "rawPath": ctx.raw_path(),
        "rawQueryString": req.raw_query(),
        "headers": headers,
        "requestContext": request_context,
        "isBase64Encoded": false,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    let (body, b64) = event_body(req);
    if let Some(b) = body {
        event["body"] = json!(b);
        event["isBase64Encoded"] = json!(b64);
    }
    if !ctx.path_params.is_empty() {
        event["pathParameters"] = Value::Object(string_map(ctx.path_params));
    }
    if !ctx.stage_variables.is_empty() {
        event["stageVariables"] = Value::Object(string_map(ctx.stage_variables));
    }
    event
}

/// The event for an integration's payload format.
pub fn event(ctx: &EventContext<'_>, format: PayloadFormat) -> Value {
    match format {
        PayloadFormat::V1 => event_v1(ctx),
        PayloadFormat::V2 => event_v2(ctx),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn response(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> ApiResponse {
    ApiResponse {
        status,
        headers,
        body,
        latency: Duration::ZERO,
        from_cache: false,
    }
}

/// Reads a structured proxy response (`statusCode`, `headers`,
/// `multiValueHeaders`, `cookies`, `body`, `isBase64Encoded`).
fn structured(out: &Map<String, Value>, strict_body: bool) -> Result<ApiResponse, String> {
    let status = out
        .get("statusCode")
        .and_then(|s| {
            s.as_u64()
                .or_else(|| s.as_str().and_then(|t| t.parse().ok()))
        })
        .filter(|s| (100..600).contains(s))
        .ok_or("statusCode must be an HTTP status code (a number from 100 to 599)")?
        as u16;
    let mut headers = Vec::new();
    if let Some(h) = out.get("headers").filter(|h| !h.is_null()) {
        let h = h
            .as_object()
            .ok_or("headers must be an object of strings")?;
        for (k, v) in h {
            headers.push((
                k.clone(),
                scalar(v).ok_or(format!("header {k} must be a string"))?,
            ));
        }
    }
    if let Some(h) = out.get("multiValueHeaders").filter(|h| !h.is_null()) {
        let h = h
            .as_object()
            .ok_or("multiValueHeaders must be an object of arrays")?;
        for (k, vs) in h {
            let vs = vs
                .as_array()
                .ok_or(format!("multiValueHeaders.{k} must be an array"))?;
            headers.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
            for v in vs {
                headers.push((
                    k.clone(),
                    scalar(v).ok_or(format!("header {k} must hold strings"))?,
                ));
            }
        }
    }
    if let Some(c) = out.get("cookies").and_then(Value::as_array) {
        for cookie in c.iter().filter_map(Value::as_str) {
            headers.push(("set-cookie".into(), cookie.to_string()));
        }
    }
    let body = match out.get("body") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) if !strict_body => other.to_string(),
        Some(_) => return Err("body must be a string (serialise JSON bodies yourself)".into()),
    };
    let b64 = out
        .get("isBase64Encoded")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let body = if b64 {
        base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|e| format!("isBase64Encoded is true but body is not base64: {e}"))?
    } else {
        body.into_bytes()
    };
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("content-type".into(), "application/json".into()));
    }
    Ok(response(status, headers, body))
}

/// Turns a function's output into the HTTP response, or says why it is malformed.
///
/// Format 1.0 needs a structured response; 2.0 also takes any JSON and sends
/// it as a 200 `application/json` body.
pub fn read_response(output: &Value, format: PayloadFormat) -> Result<ApiResponse, String> {
    match (format, output) {
        (_, Value::Object(map)) if map.contains_key("statusCode") => {
            structured(map, format == PayloadFormat::V1)
        }
        (PayloadFormat::V1, _) => Err(
            "a proxy integration must return {\"statusCode\": ..., \"headers\": ..., \"body\": \"...\"}"
                .into(),
        ),
        (PayloadFormat::V2, v) => {
            let body = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Ok(response(
                200,
                vec![("content-type".into(), "application/json".into())],
                body.into_bytes(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_parts() -> (
        ApiRef,
        ApiRequest,
        BTreeMap<String, String>,
        BTreeMap<String, String>,
    ) {
        let api = ApiRef {
            id: "abcde12345".into(),
            name: "shop".into(),
            flavor: Flavor::Http,
        };
        let req = ApiRequest::new("GET", "/orders/42?x=1&x=2&y=3")
            .header("Accept", "a")
            .header("Accept", "b")
            .header("Cookie", "s=1; t=2");
        let params = BTreeMap::from([("id".to_string(), "42".to_string())]);
        (api, req, params, BTreeMap::new())
    }

    #[test]
    fn v2_joins_repeats_and_splits_cookies() {
        let (api, req, params, vars) = ctx_parts();
        let ctx = EventContext {
            api: &api,
            stage: "$default",
            route_key: "GET /orders/{id}",
            resource_path: "/orders/{id}",
            resource_id: None,
            request: &req,
            path_params: &params,
            stage_variables: &vars,
            request_id: "rid",
            now: SimTime::EPOCH,
            authorizer: None,
            api_key: None,
        };
        let e = event_v2(&ctx);
        assert_eq!(e["headers"]["accept"], "a,b");
        assert_eq!(e["cookies"], json!(["s=1", "t=2"]));
        assert_eq!(e["queryStringParameters"]["x"], "1,2");
        assert_eq!(e["rawQueryString"], "x=1&x=2&y=3");
        assert_eq!(e["pathParameters"]["id"], "42");
        assert!(e.get("stageVariables").is_none());
        assert!(e.get("body").is_none());
        assert_eq!(e["requestContext"]["time"], "01/Jan/2026:00:00:00 +0000");
        let e1 = event_v1(&ctx);
        assert_eq!(e1["version"], "1.0");
        assert_eq!(e1["queryStringParameters"]["x"], "2"); // the last value
        assert_eq!(
            e1["multiValueQueryStringParameters"]["x"],
            json!(["1", "2"])
        );
        assert_eq!(e1["multiValueHeaders"]["Accept"], json!(["a", "b"]));
        assert_eq!(e1["stageVariables"], Value::Null);
        assert_eq!(e1["body"], Value::Null);
    }

    #[test]
    fn binary_bodies_are_base64() {
        let req = ApiRequest::post("/u")
            .header("content-type", "image/png")
            .bytes(&[0x89, b'P', b'N', b'G']);
        assert_eq!(event_body(&req), (Some("iVBORw==".into()), true));
        let req = ApiRequest::post("/u").body("{\"a\":1}");
        assert_eq!(event_body(&req), (Some("{\"a\":1}".into()), false));
    }

    #[test]
    fn responses_per_format() {
        let r = read_response(&json!({"hello": "world"}), PayloadFormat::V2).unwrap();
        assert_eq!(
            (r.status, r.text()),
            (200, "{\"hello\":\"world\"}".to_string())
        );
        assert!(read_response(&json!({"hello": "world"}), PayloadFormat::V1).is_err());
        let r = read_response(
            &json!({"statusCode": 201, "headers": {"X-A": "1"}, "multiValueHeaders": {"X-B": ["1", "2"]}, "body": "ok"}),
            PayloadFormat::V1,
        )
        .unwrap();
        assert_eq!(r.status, 201);
        assert_eq!(r.header("x-b"), Some("2"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let e = read_response(
            &json!({"statusCode": 200, "body": {"a": 1}}),
            PayloadFormat::V1,
        );
        assert!(e.unwrap_err().contains("body must be a string"));
        let r = read_response(
            &json!({"statusCode": 200, "body": "aGk=", "isBase64Encoded": true, "cookies": ["a=1"]}),
            PayloadFormat::V2,
        )
        .unwrap();
        assert_eq!(r.text(), "hi");
        assert_eq!(r.header("set-cookie"), Some("a=1"));
        assert!(read_response(&json!({"statusCode": "teapot"}), PayloadFormat::V2).is_err());
    }
}

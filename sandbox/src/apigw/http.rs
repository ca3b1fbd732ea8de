//! Requests and responses as a client sees them, and the client itself:
//! `cloud.api(&api).request("GET", "/orders/42").header(..).send()`, bursts
//! of simultaneous requests, and steady load at a rate.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use serde::Serialize;
use serde_json::Value;

use super::model::Flavor;
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::time::SimTime;

/// An HTTP request to an API, as a builder.
///
/// ```
/// use cloudlab::apigw::ApiRequest;
/// let r = ApiRequest::new("GET", "/orders/42?expand=items&expand=customer")
///     .header("Authorization", "Bearer abc")
///     .query("page", "2");
/// assert_eq!(r.path, "/orders/42");
/// assert_eq!(r.query.len(), 3);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path after the stage, without the query (`/orders/42`).
    pub path: String,
    /// Query parameters, decoded, in order (a name may repeat).
    pub query: Vec<(String, String)>,
    /// Headers in order (a name may repeat).
    pub headers: Vec<(String, String)>,
    /// The body (empty: none).
    pub body: Vec<u8>,
    /// The client's address.
    pub source_ip: String,
}

impl ApiRequest {
    /// A request; `path` may carry a query string (`/search?q=x`).
    pub fn new(method: &str, path: &str) -> ApiRequest {
        let (path, raw_query) = path.split_once('?').unwrap_or((path, ""));
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        ApiRequest {
            method: method.to_ascii_uppercase(),
            path,
            query: parse_query(raw_query),
            headers: Vec::new(),
            body: Vec::new(),
            source_ip: crate::s3::events::SOURCE_IP.to_string(),
        }
    }

    /// A GET request.
    pub fn get(path: &str) -> ApiRequest {
        ApiRequest::new("GET", path)
    }

    /// A POST request.
    pub fn post(path: &str) -> ApiRequest {
        ApiRequest::new("POST", path)
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> ApiRequest {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &str, value: &str) -> ApiRequest {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// A text body.
    pub fn body(mut self, text: &str) -> ApiRequest {
        self.body = text.as_bytes().to_vec();
        self
    }

    /// A JSON body with `content-type: application/json`.
    pub fn json(self, value: &Value) -> ApiRequest {
        self.header("content-type", "application/json")
            .body(&value.to_string())
    }

    /// A binary body (API Gateway passes it base64-encoded).
    pub fn bytes(mut self, body: &[u8]) -> ApiRequest {
        self.body = body.to_vec();
        self
    }

    /// Values of header `name` (case-insensitive), in order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The last value of header `name`.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.header_values(name).last().copied()
    }

    /// The query string as sent (`a=1&a=2`).
    pub fn raw_query(&self) -> String {
        self.query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| super::routes::decode(&s.replace('+', " "));
            (dec(k), dec(v))
        })
        .collect()
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What the client got back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers in order (`set-cookie` may repeat).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// Time from request to response (virtual).
    pub latency: Duration,
    /// Served from the REST API cache.
    pub from_cache: bool,
}

impl ApiResponse {
    /// A response with a JSON `{"message": ...}` body, as API Gateway sends its own errors.
    pub fn message(status: u16, key: &str, message: &str) -> ApiResponse {
        ApiResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::json!({ key: message }).to_string().into_bytes(),
            latency: Duration::ZERO,
            from_cache: false,
        }
    }

    /// The body as text (lossy for binary bodies).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The last value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The response as the JSON face prints it.
    pub fn to_json(&self) -> Value {
        let mut headers = serde_json::Map::new();
        for (k, v) in &self.headers {
            match headers.get_mut(k) {
                Some(Value::String(prev)) => {
                    prev.push_str(", ");
                    prev.push_str(v);
                }
                _ => {
                    headers.insert(k.clone(), Value::String(v.clone()));
                }
            }
        }
        let (body, b64) = match std::str::from_utf8(&self.body) {
            Ok(t) => (t.to_string(), false),
            Err(_) => (
                base64::engine::general_purpose::STANDARD.encode(&self.body),
                true,
            ),
        };
        let mut v = serde_json::json!({
            "status": self.status,
            "headers": headers,
            "body": body,
            "latencyMs": self.latency.as_millis() as u64,
        });
        if b64 {
            v["isBase64Encoded"] = Value::Bool(true);
        }
        if self.from_cache {
            v["fromCache"] = Value::Bool(true);
        }
        v
    }
}

/// An API: its id, name, kind and invoke URL. Pass `&api` to `cloud.api(..)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiRef {
    /// The API id (`a1b2c3d4e5`).
    pub id: String,
    /// Name.
    pub name: String,
    /// HTTP or REST.
    pub flavor: Flavor,
}

impl ApiRef {
    /// `https://<id>.execute-api.us-east-1.amazonaws.com`.
    pub fn endpoint(&self) -> String {
        format!(
            "https://{}.execute-api.{}.amazonaws.com",
            self.id,
            crate::cloud::REGION
        )
    }
}

/// A client of one API, borrowed from a [`Cloud`] by [`Cloud::api`].
pub struct ApiClient<'a> {
    cloud: &'a mut Cloud,
    api: ApiRef,
    stage: Option<String>,
}

impl Cloud {
    /// A client for `api`: send requests as the outside world does.
    ///
    /// ```
    /// use cloudlab::prelude::*;
    /// # fn main() -> Result<(), CloudError> {
    /// let mut cloud = Cloud::new();
    /// let f = cloud.lambda().create_function("orders", Function::new(|event, _| {
    ///     Ok(json!({"order": event["pathParameters"]["id"]}))
    /// }))?;
    /// let api = cloud.apigw().create_http_api(HttpApi::new("shop").route("GET /orders/{id}", &f))?;
    /// let r = cloud.api(&api).request("GET", "/orders/42").send()?;
    /// assert_eq!(r.status, 200);
    /// assert_eq!(r.json()["order"], "42");
    /// # Ok(()) }
    /// ```
    pub fn api(&mut self, api: &ApiRef) -> ApiClient<'_> {
        ApiClient {
            cloud: self,
            api: api.clone(),
            stage: None,
        }
    }
}

/// A request being built by [`ApiClient::request`]; `send` it.
pub struct Call<'a> {
    client: ApiClient<'a>,
    request: ApiRequest,
}

impl Call<'_> {
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request = self.request.header(name, value);
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.request = self.request.query(name, value);
        self
    }

    /// A text body.
    pub fn body(mut self, text: &str) -> Self {
        self.request = self.request.body(text);
        self
    }

    /// A JSON body.
    pub fn json(mut self, value: &Value) -> Self {
        self.request = self.request.json(value);
        self
    }

    /// Sends it and waits for the response (time moves on by its latency).
    pub fn send(mut self) -> CloudResult<ApiResponse> {
        self.client.send(self.request)
    }
}

/// Steady load: `rate` requests per second for a while.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Load {
    rate: f64,
    duration: Duration,
}

impl Load {
    /// `rps` requests per second (for one second unless `during` says otherwise).
    pub fn rate(rps: f64) -> Load {
        Load {
            rate: rps.max(0.001),
            duration: Duration::from_secs(1),
        }
    }

    /// For how long.
    pub fn during(mut self, d: Duration) -> Load {
        self.duration = d;
        self
    }
}

/// What a burst or a load test got back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadReport {
    /// Requests sent.
    pub sent: usize,
    /// Responses by status.
    pub by_status: BTreeMap<u16, usize>,
    /// Latencies, sorted.
    pub latencies: Vec<Duration>,
    /// Responses served from the cache.
    pub cache_hits: usize,
}

impl LoadReport {
    /// Responses with this status.
    pub fn count(&self, status: u16) -> usize {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    /// The `p`-th percentile latency (0-100).
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((p / 100.0) * (self.latencies.len() - 1) as f64).round() as usize;
        self.latencies[i.min(self.latencies.len() - 1)]
    }

    fn of(responses: &[ApiResponse]) -> LoadReport {
        let mut r = LoadReport {
            sent: responses.len(),
            ..Default::default()
        };
        for resp in responses {
            *r.by_status.entry(resp.status).or_default() += 1;
            r.latencies.push(resp.latency);
            r.cache_hits += usize::from(resp.from_cache);
        }
        r.latencies.sort();
        r
    }
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let statuses: Vec<String> = self
            .by_status
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect();
        write!(
            f,
            "{} requests · {} · p50 {} · p99 {} · {} from cache",
            self.sent,
            statuses.join(", "),
            crate::time::human(self.percentile(50.0)),
            crate::time::human(self.percentile(99.0)),
            self.cache_hits
        )
    }
}

impl<'a> ApiClient<'a> {
    /// Sends to this stage (default: `$default` for HTTP APIs, else the only
    /// stage, else `prod`).
    pub fn stage(mut self, name: &str) -> Self {
        self.stage = Some(name.to_string());
        self
    }

    fn stage_name(&self) -> CloudResult<String> {
        if let Some(s) = &self.stage {
            return Ok(s.clone());
        }
        super::pipeline::default_stage(self.cloud, &self.api)
    }

    /// The stage's invoke URL.
    pub fn url(&self) -> CloudResult<String> {
        let stage = self.stage_name()?;
        Ok(if stage == "$default" {
            self.api.endpoint()
        } else {
            format!("{}/{stage}", self.api.endpoint())
        })
    }

    /// Starts a request (`/orders/42`, relative to the stage).
    pub fn request(self, method: &str, path: &str) -> Call<'a> {
        Call {
            request: ApiRequest::new(method, path),
            client: self,
        }
    }

    /// Starts a GET request.
    pub fn get(self, path: &str) -> Call<'a> {
        self.request("GET", path)
    }

    /// Starts a POST request.
    pub fn post(self, path: &str) -> Call<'a> {
        self.request("POST", path)
    }

    /// Sends a request and waits for its response (time moves on by its latency).
    pub fn send(&mut self, request: ApiRequest) -> CloudResult<ApiResponse> {
        let stage = self.stage_name()?;
        let (response, done) = super::pipeline::handle(self.cloud, &self.api, &stage, &request)?;
        self.cloud.advance_to(done);
        Ok(response)
    }

    /// `n` copies of `request` sent at the same instant; waits for them all.
    pub fn burst(&mut self, n: usize, request: ApiRequest) -> CloudResult<LoadReport> {
        let times = vec![Duration::ZERO; n];
        self.run_at(&times, move |_| request.clone())
    }

    /// Requests at a steady rate; `make(i)` builds the `i`-th. Waits for all.
    pub fn load(
        &mut self,
        load: Load,
        make: impl Fn(usize) -> ApiRequest + Send + Sync + 'static,
    ) -> CloudResult<LoadReport> {
        let n = (load.rate * load.duration.as_secs_f64()).round() as usize;
        let times: Vec<Duration> = (0..n)
            .map(|i| Duration::from_secs_f64(i as f64 / load.rate))
            .collect();
        self.run_at(&times, make)
    }

    fn run_at(
        &mut self,
        offsets: &[Duration],
        make: impl Fn(usize) -> ApiRequest + Send + Sync + 'static,
    ) -> CloudResult<LoadReport> {
        if self.cloud.core.in_job() {
            return Err(CloudError::new(
                "InvalidRequest",
                "Bursts and load tests run from the notebook, not from inside a function.",
            ));
        }
        let stage = self.stage_name()?;
        let out: Arc<Mutex<Vec<(usize, ApiResponse, SimTime)>>> = Arc::default();
        let make = Arc::new(make);
        for (i, off) in offsets.iter().enumerate() {
            let (out, make, api, stage) =
                (out.clone(), make.clone(), self.api.clone(), stage.clone());
            self.cloud.schedule(*off, "apigateway.client", move |c| {
                let req = make(i);
                if let Ok((resp, done)) = super::pipeline::handle(c, &api, &stage, &req) {
                    out.lock().expect("no poisoning").push((i, resp, done));
                }
            });
        }
        let last = offsets.iter().max().copied().unwrap_or_default();
        self.cloud.advance(last);
        let mut got = std::mem::take(&mut *out.lock().expect("no poisoning"));
        got.sort_by_key(|(i, _, _)| *i);
        if let Some(done) = got.iter().map(|(_, _, d)| *d).max() {
            self.cloud.advance_to(done);
        }
        let responses: Vec<ApiResponse> = got.into_iter().map(|(_, r, _)| r).collect();
        Ok(LoadReport::of(&responses))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_and_reencode() {
        let r = ApiRequest::new("get", "x?a=1&a=2&q=red+flower%21&flag");
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/x");
        assert_eq!(
            r.query,
            vec![
                ("a".into(), "1".into()),
                ("a".into(), "2".into()),
                ("q".into(), "red flower!".into()),
                ("flag".into(), "".into())
            ]
        );
        assert_eq!(r.raw_query(), "a=1&a=2&q=red%20flower%21&flag=");
    }

    #[test]
    fn responses_read_headers_case_insensitively() {
        let r = ApiResponse::message(429, "message", "Too Many Requests");
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        assert_eq!(r.json()["message"], "Too Many Requests");
        assert!(!r.is_success());
    }
}

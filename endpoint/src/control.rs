//! The sandbox's own controls, under `/_cloudlab/`:
//!
//! - `POST /_cloudlab/advance` with `{"seconds": N}`: moves virtual time by
//!   N seconds (fractions allowed), running everything that falls due
//!   (delays, visibility timeouts, retries, schedules). Answers
//!   `{"now": "<RFC 3339>", "elapsed_seconds": ...}`.
//! - `POST /_cloudlab/run-until-idle`: runs scheduled work until none is left
//!   (at most a year of virtual time).
//! - `GET /_cloudlab/health`: `{"status": "ok", "now": ...}`.

use std::time::Duration;

use cloudlab::CloudError;
use serde_json::{Value, json};

use crate::json_protocol::{parse_body, request_id};
use crate::{Request, Response, SharedCloud, lock};

fn ok(v: Value) -> Response {
    Response::new(200, "application/json", v.to_string())
}

fn err(status: u16, code: &str, message: String) -> Response {
    Response::new(
        status,
        "application/json",
        json!({"__type": code, "message": message}).to_string(),
    )
    .with_header("x-amzn-RequestId", request_id())
}

fn clock(cloud: &cloudlab::Cloud) -> Value {
    json!({
        "now": cloud.now().to_string(),
        "elapsed_seconds": cloud.elapsed().as_secs_f64(),
    })
}

/// Answers `/_cloudlab/<what>`.
pub fn handle(cloud: &SharedCloud, what: &str, req: &Request) -> Response {
    let method = req.method.as_str();
    match (method, what) {
        ("GET", "health") => {
            let c = lock(cloud);
            let mut v = clock(&c);
            v["status"] = json!("ok");
            ok(v)
        }
        ("POST", "advance") => {
            let body = match parse_body(&req.body) {
                Ok(b) => b,
                Err(e) => return err(400, &e.code, e.message),
            };
            let secs = match body.get("seconds").and_then(Value::as_f64) {
                Some(s) if s.is_finite() && (0.0..=366.0 * 86_400.0 * 10.0).contains(&s) => s,
                _ => {
                    let e = CloudError::new(
                        "InvalidParameterValue",
                        "The body must be {\"seconds\": N} with N a number of seconds >= 0.",
                    );
                    return err(400, &e.code, e.message);
                }
            };
            let mut c = lock(cloud);
            c.advance(Duration::from_secs_f64(secs));
            ok(clock(&c))
        }
        ("POST", "run-until-idle") => {
            let mut c = lock(cloud);
            c.run_until_idle();
            ok(clock(&c))
        }
        _ => err(
            404,
            "UnknownOperationException",
            format!(
                "No control {method} /_cloudlab/{what}: use POST /_cloudlab/advance, POST /_cloudlab/run-until-idle or GET /_cloudlab/health."
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::route::tests::req;

    #[test]
    fn advance_moves_the_clock() {
        let cloud = crate::shared(cloudlab::Cloud::new());
        let r = crate::handle(
            &cloud,
            &req("POST", "/_cloudlab/advance", &[], r#"{"seconds": 90}"#),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.text().contains("2026-01-01T00:01:30Z"), "{}", r.text());
        let r = crate::handle(
            &cloud,
            &req("POST", "/_cloudlab/advance", &[], r#"{"seconds": -1}"#),
        );
        assert_eq!(r.status, 400);
        let r = crate::handle(&cloud, &req("GET", "/_cloudlab/health", &[], ""));
        assert!(r.text().contains("\"ok\""));
        let r = crate::handle(&cloud, &req("GET", "/_cloudlab/nope", &[], ""));
        assert_eq!(r.status, 404);
    }
}

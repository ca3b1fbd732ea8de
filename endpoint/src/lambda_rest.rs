//! Lambda's REST-JSON API: the operation is in the method and path
//! (`POST /2015-03-31/functions/<name>/invocations`), members in the path,
//! the query string, headers and a JSON body.
//!
//! Functions created over HTTP run the sandbox's built-in handlers: use
//! `Runtime: cloudlab.builtin` with `Handler: echo` (returns its event),
//! `fail` or `sleep`, or a handler a notebook registered with
//! `cloud.lambda().register_handler(name, ...)` on the served account. The
//! deployment package (`Code.ZipFile`) is accepted and ignored.

use cloudlab::CloudError;
use serde_json::{Map, Value, json};

use crate::json_protocol::request_id;
use crate::{Request, Response, SharedCloud, lock};

/// Decodes `%XX` escapes in a path segment (function names may be ARNs).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The REST-JSON error: status, `x-amzn-errortype` header and `{"Type", "message"}`.
pub fn error_response(err: &CloudError, id: &str) -> Response {
    let status = if err.status >= 400 { err.status } else { 400 };
    let kind = if status >= 500 { "Service" } else { "User" };
    let body = json!({ "Type": kind, "message": err.message });
    Response::new(status, "application/json", body.to_string())
        .with_header("x-amzn-errortype", &err.code)
        .with_header("x-amzn-RequestId", id)
}

fn query_members(req: &Request, names: &[(&str, bool)]) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in form_urlencoded::parse(req.uri.query().unwrap_or("").as_bytes()) {
        if let Some((name, is_int)) = names.iter().find(|(n, _)| *n == k) {
            let value = match v.parse::<i64>() {
                Ok(n) if *is_int => Value::from(n),
                _ => Value::String(v.into_owned()),
            };
            m.insert(name.to_string(), value);
        }
    }
    m
}

fn body_object(req: &Request) -> Result<Map<String, Value>, CloudError> {
    match crate::json_protocol::parse_body(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Ok(Map::new()),
        Err(e) => Err(CloudError::new("InvalidRequestContentException", e.message)),
    }
}

/// Lambda's REST routes: (method, path after the API version, operation,
/// success status). A `{Member}` segment becomes that request member.
const ROUTES: &[(&str, &str, &str, u16)] = &[
    ("POST", "functions", "CreateFunction", 201),
    ("GET", "functions", "ListFunctions", 200),
    ("GET", "functions/{FunctionName}", "GetFunction", 200),
    ("DELETE", "functions/{FunctionName}", "DeleteFunction", 204),
    (
        "GET",
        "functions/{FunctionName}/configuration",
        "GetFunctionConfiguration",
        200,
    ),
    (
        "PUT",
        "functions/{FunctionName}/configuration",
        "UpdateFunctionConfiguration",
        200,
    ),
    (
        "PUT",
        "functions/{FunctionName}/code",
        "UpdateFunctionCode",
        200,
    ),
    (
        "POST",
        "functions/{FunctionName}/invocations",
        "Invoke",
        200,
    ),
    (
        "POST",
        "functions/{FunctionName}/policy",
        "AddPermission",
        201,
    ),
    ("GET", "functions/{FunctionName}/policy", "GetPolicy", 200),
    (
        "DELETE",
        "functions/{FunctionName}/policy/{StatementId}",
        "RemovePermission",
        204,
    ),
    (
        "PUT",
        "functions/{FunctionName}/concurrency",
        "PutFunctionConcurrency",
        200,
    ),
    (
        "GET",
        "functions/{FunctionName}/concurrency",
        "GetFunctionConcurrency",
        200,
    ),
    (
        "DELETE",
        "functions/{FunctionName}/concurrency",
        "DeleteFunctionConcurrency",
        204,
    ),
    (
        "POST",
        "event-source-mappings",
        "CreateEventSourceMapping",
        202,
    ),
    (
        "GET",
        "event-source-mappings",
        "ListEventSourceMappings",
        200,
    ),
    (
        "GET",
        "event-source-mappings/{UUID}",
        "GetEventSourceMapping",
        200,
    ),
    (
        "PUT",
        "event-source-mappings/{UUID}",
        "UpdateEventSourceMapping",
        202,
    ),
    (
        "DELETE",
        "event-source-mappings/{UUID}",
        "DeleteEventSourceMapping",
        202,
    ),
    ("GET", "account-settings", "GetAccountSettings", 200),
];

/// Which operation a method and path name, with the members taken from the path.
fn operation(method: &str, segs: &[String]) -> Option<(&'static str, Map<String, Value>, u16)> {
    // The first segment is the API version (2015-03-31, 2019-09-30 ...).
    let rest = segs.get(1..)?;
    ROUTES.iter().find_map(|&(m, pattern, op, status)| {
        let parts: Vec<&str> = pattern.split('/').collect();
        if m != method || parts.len() != rest.len() {
            return None;
        }
        let mut members = Map::new();
        for (part, seg) in parts.iter().zip(rest) {
            match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(member) => {
                    members.insert(member.to_string(), Value::String(seg.clone()));
                }
                None if part == seg => {}
                None => return None,
            }
        }
        Some((op, members, status))
    })
}

/// Runs one Lambda REST request.
pub fn handle(cloud: &SharedCloud, req: &Request) -> Response {
    let id = request_id();
    let segs: Vec<String> = req
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let Some((op, mut params, status)) = operation(req.method.as_str(), &segs) else {
        let err = CloudError::new(
            "UnknownOperationException",
            format!(
                "No Lambda operation in this sandbox answers {} {}.",
                req.method,
                req.uri.path()
            ),
        )
        .with_status(404);
        return error_response(&err, &id);
    };
    for (k, v) in query_members(
        req,
        &[
            ("Qualifier", false),
            ("Marker", false),
            ("MaxItems", true),
            ("FunctionName", false),
            ("EventSourceArn", false),
        ],
    ) {
        params.insert(k, v);
    }
    if op == "Invoke" {
        for (header, member) in [
            ("x-amz-invocation-type", "InvocationType"),
            ("x-amz-log-type", "LogType"),
        ] {
            let v = req.header(header);
            if !v.is_empty() {
                params.insert(member.into(), Value::String(v.to_string()));
            }
        }
        if !req.body.is_empty() {
            let text = String::from_utf8_lossy(&req.body).into_owned();
            params.insert("Payload".into(), Value::String(text));
        }
    } else if matches!(req.method.as_str(), "POST" | "PUT") {
        match body_object(req) {
            Ok(body) => {
                for (k, v) in body {
                    params.entry(k).or_insert(v);
                }
            }
            Err(e) => return error_response(&e, &id),
        }
    }
    let result = lock(cloud).call("lambda", op, Value::Object(params));
    let out = match result {
        Ok(v) => v,
        Err(e) => return error_response(&e, &id),
    };
    if op == "Invoke" {
        return invoke_response(&out, &id);
    }
    let body = if status == 204 {
        String::new()
    } else {
        out.to_string()
    };
    Response::new(status, "application/json", body).with_header("x-amzn-RequestId", &id)
}

fn invoke_response(out: &Value, id: &str) -> Response {
    let status = out["StatusCode"].as_u64().unwrap_or(200) as u16;
    let body = match &out["Payload"] {
        Value::Null => String::new(),
        v => v.to_string(),
    };
    let mut r = Response::new(status, "application/json", body).with_header("x-amzn-RequestId", id);
    for (member, header) in [
        ("FunctionError", "X-Amz-Function-Error"),
        ("LogResult", "X-Amz-Log-Result"),
        ("ExecutedVersion", "X-Amz-Executed-Version"),
    ] {
        if let Some(v) = out[member].as_str() {
            r = r.with_header(header, v);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::tests::req;

    #[test]
    fn routes_paths_to_operations() {
        let seg = |p: &str| -> Vec<String> {
            p.split('/')
                .filter(|s| !s.is_empty())
                .map(percent_decode)
                .collect()
        };
        let (op, m, _) = operation("POST", &seg("/2015-03-31/functions/f/invocations")).unwrap();
        assert_eq!(op, "Invoke");
        assert_eq!(m["FunctionName"], "f");
        let (op, m, s) = operation(
            "DELETE",
            &seg("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af"),
        )
        .unwrap();
        assert_eq!((op, s), ("DeleteFunction", 204));
        assert_eq!(m["FunctionName"], "arn:aws:lambda:us-east-1:1:function:f");
        assert!(operation("PATCH", &seg("/2015-03-31/functions")).is_none());
    }

    #[test]
    fn create_invoke_and_missing_function() {
        let cloud = crate::shared(cloudlab::Cloud::new());
        let r = crate::handle(
            &cloud,
            &req(
                "POST",
                "/2015-03-31/functions",
                &[],
                r#"{"FunctionName":"echo","Runtime":"cloudlab.builtin","Handler":"echo","Role":"arn:aws:iam::123456789012:role/r","Code":{"ZipFile":"UEsDBA=="}}"#,
            ),
        );
        assert_eq!(r.status, 201, "{}", r.text());
        let r = crate::handle(
            &cloud,
            &req(
                "POST",
                "/2015-03-31/functions/echo/invocations",
                &[],
                r#"{"a":1}"#,
            ),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            serde_json::from_slice::<Value>(&r.body).unwrap(),
            json!({"a": 1})
        );
        assert_eq!(r.header("X-Amz-Executed-Version"), Some("$LATEST"));
        let r = crate::handle(
            &cloud,
            &req("POST", "/2015-03-31/functions/nope/invocations", &[], "{}"),
        );
        assert_eq!(r.status, 404);
        assert_eq!(
            r.header("x-amzn-errortype"),
            Some("ResourceNotFoundException")
        );
    }
}

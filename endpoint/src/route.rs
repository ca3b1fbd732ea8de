//! Which service and protocol a request is for.
//!
//! In order: the `/_cloudlab/` control paths; Smithy RPC v2 CBOR paths
//! (`/service/<target prefix>/operation/<Op>`); the `X-Amz-Target` header
//! (JSON protocols); the `Authorization` header's credential scope
//! (`Credential=AKID/20260101/us-east-1/sns/aws4_request`, or the presigned
//! `X-Amz-Credential` query member) for the query protocol, Lambda and S3;
//! then the shape of the request (`Action=` in a form body, Lambda's
//! `/2015-03-31/` paths); anything left is S3. Signatures are never checked.

use crate::{Request, Response, SharedCloud};

/// Where a request goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/_cloudlab/<what>`.
    Control(String),
    /// awsJson 1.0 / 1.1: `Cloud::call(service, operation, body)`.
    Json {
        /// The sandbox's service name (`sqs`, `states`, ...).
        service: &'static str,
        /// The operation from `X-Amz-Target`.
        operation: String,
        /// `1.0` or `1.1`, echoed in the response content type.
        version: &'static str,
    },
    /// Smithy RPC v2 CBOR: `/service/<target prefix>/operation/<Op>`.
    Cbor {
        /// The sandbox's service name.
        service: &'static str,
        /// The operation from the path.
        operation: String,
    },
    /// The query protocol (form body with `Action=`), `sns` or `sqs`.
    Query {
        /// `sns` or `sqs`.
        service: &'static str,
    },
    /// Lambda's REST-JSON API.
    Lambda,
    /// S3's REST-XML API.
    S3,
    /// A target prefix or credential scope for a service this sandbox lacks.
    Unknown {
        /// What the request named.
        service: String,
        /// How to answer: `json` or `xml`.
        json: bool,
    },
}

/// `X-Amz-Target` prefixes the sandbox serves: (prefix, service, JSON version).
pub const TARGETS: &[(&str, &str, &str)] = &[
    ("AmazonSQS", "sqs", "1.0"),
    ("AWSStepFunctions", "states", "1.0"),
    ("AWSEvents", "events", "1.1"),
    ("Kinesis_20131202", "kinesis", "1.1"),
    ("Firehose_20150804", "firehose", "1.1"),
    ("GraniteServiceVersion20100801", "cloudwatch", "1.0"),
];

/// The service in a SigV4 credential scope: `Credential=AKID/date/region/<service>/aws4_request`.
pub fn credential_service(req: &Request) -> Option<String> {
    let auth = req.header("authorization");
    let cred = if let Some(i) = auth.find("Credential=") {
        auth[i + "Credential=".len()..].to_string()
    } else {
        // Presigned URLs carry it in the query string.
        let q = req.uri.query().unwrap_or("");
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "X-Amz-Credential")
            .map(|(_, v)| v.into_owned())?
    };
    let cred = cred.split([',', ' ']).next().unwrap_or("");
    let parts: Vec<&str> = cred.split('/').collect();
    if parts.len() >= 5 {
        Some(parts[parts.len() - 2].to_string())
    } else {
        None
    }
}

fn is_form(req: &Request) -> bool {
    req.header("content-type")
        .starts_with("application/x-www-form-urlencoded")
}

fn form_action(req: &Request) -> Option<String> {
    let body: &[u8] = if req.method == axum::http::Method::POST && is_form(req) {
        &req.body
    } else {
        req.uri.query().unwrap_or("").as_bytes()
    };
    form_urlencoded::parse(body)
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.into_owned())
}

/// Decides where `req` goes.
pub fn route(req: &Request) -> Route {
    let path = req.uri.path();
    if let Some(rest) = path.strip_prefix("/_cloudlab/") {
        return Route::Control(rest.trim_end_matches('/').to_string());
    }
    if let Some(rest) = path.strip_prefix("/service/")
        && let Some((prefix, op)) = rest.split_once("/operation/")
    {
        return match TARGETS.iter().find(|(p, _, _)| *p == prefix) {
            Some((_, service, _)) => Route::Cbor {
                service,
                operation: op.trim_end_matches('/').to_string(),
            },
            None => Route::Unknown {
                service: prefix.to_string(),
                json: true,
            },
        };
    }
    let target = req.header("x-amz-target");
    if !target.is_empty() {
        let (prefix, op) = target.split_once('.').unwrap_or((target, ""));
        return match TARGETS.iter().find(|(p, _, _)| *p == prefix) {
            Some((_, service, version)) => Route::Json {
                service,
                operation: op.to_string(),
                version,
            },
            None => Route::Unknown {
                service: prefix.to_string(),
                json: true,
            },
        };
    }
    let scope = credential_service(req);
    match scope.as_deref() {
        Some("sns") => return Route::Query { service: "sns" },
        Some("sqs") => return Route::Query { service: "sqs" },
        Some("lambda") => return Route::Lambda,
        Some("s3") => return Route::S3,
        Some(other) if other != "execute-api" => {
            return Route::Unknown {
                service: other.to_string(),
                json: !is_form(req),
            };
        }
        _ => {}
    }
    if path.starts_with("/2015-03-31/")
        || path.starts_with("/2017-10-31/")
        || path.starts_with("/2019-09-25/")
        || path.starts_with("/2019-09-30/")
    {
        return Route::Lambda;
    }
    if let Some(action) = form_action(req) {
        // Unsigned query requests: SNS unless the action is SQS's.
        let service = if cloudlab::sqs::api::OPERATIONS.contains(&action.as_str()) {
            "sqs"
        } else {
            "sns"
        };
        return Route::Query { service };
    }
    Route::S3
}

/// Runs a routed request.
pub fn dispatch(cloud: &SharedCloud, route: &Route, req: &Request) -> Response {
    match route {
        Route::Control(what) => crate::control::handle(cloud, what, req),
        Route::Json {
            service,
            operation,
            version,
        } => crate::json_protocol::handle(cloud, service, operation, version, req),
        Route::Cbor { service, operation } => crate::cbor::handle(cloud, service, operation, req),
        Route::Query { service } => crate::query::handle(cloud, service, req),
        Route::Lambda => crate::lambda_rest::handle(cloud, req),
        Route::S3 => crate::s3::handle(cloud, req),
        Route::Unknown { service, json } => {
            let err = cloudlab::CloudError::new(
                "UnknownServiceException",
                format!(
                    "The service '{service}' is not in this sandbox. It serves: {}.",
                    "sqs, sns, lambda, s3, states, events, kinesis, firehose, cloudwatch"
                ),
            );
            if *json {
                crate::json_protocol::error_response(
                    None,
                    "1.0",
                    &err,
                    "00000000-0000-0000-0000-000000000000",
                )
            } else {
                crate::query::error_response(None, &err, "00000000-0000-0000-0000-000000000000")
            }
        }
    }
}

/// A 500 in the shape `route`'s protocol uses.
pub fn internal_error(route: &Route, message: &str) -> Response {
    let err = cloudlab::CloudError::new("InternalFailure", message).with_status(500);
    let id = "00000000-0000-0000-0000-000000000000";
    match route {
        Route::Query { service } => crate::query::error_response(Some(service), &err, id),
        Route::Cbor { service, .. } => crate::cbor::error_response(service, &err, id),
        Route::S3 => crate::s3::error_response(&err, "", id),
        Route::Lambda => crate::lambda_rest::error_response(&err, id),
        _ => crate::json_protocol::error_response(None, "1.0", &err, id),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use axum::body::Bytes;
    use axum::http::{HeaderMap, HeaderValue, Method, Uri};

    pub(crate) fn req(method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Request {
        let mut h = HeaderMap::new();
        for (n, v) in headers {
            h.insert(
                axum::http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        Request {
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            uri: uri.parse::<Uri>().unwrap(),
            headers: h,
            body: Bytes::from(body.to_string()),
        }
    }

    const SNS_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sns/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";

    #[test]
    fn target_header_picks_json_service() {
        let r = req(
            "POST",
            "/",
            &[("x-amz-target", "AmazonSQS.SendMessage")],
            "{}",
        );
        assert_eq!(
            route(&r),
            Route::Json {
                service: "sqs",
                operation: "SendMessage".into(),
                version: "1.0"
            }
        );
        let r = req(
            "POST",
            "/",
            &[("x-amz-target", "Kinesis_20131202.PutRecord")],
            "{}",
        );
        assert!(matches!(
            route(&r),
            Route::Json {
                service: "kinesis",
                version: "1.1",
                ..
            }
        ));
        let r = req(
            "POST",
            "/",
            &[("x-amz-target", "DynamoDB_20120810.GetItem")],
            "{}",
        );
        assert!(matches!(route(&r), Route::Unknown { json: true, .. }));
    }

    #[test]
    fn credential_scope_picks_query_service() {
        let r = req(
            "POST",
            "/",
            &[
                ("authorization", SNS_AUTH),
                (
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                ),
            ],
            "Action=ListTopics&Version=2010-03-31",
        );
        assert_eq!(credential_service(&r).as_deref(), Some("sns"));
        assert_eq!(route(&r), Route::Query { service: "sns" });
    }

    #[test]
    fn paths_and_forms_without_credentials() {
        let r = req("POST", "/2015-03-31/functions/f/invocations", &[], "{}");
        assert_eq!(route(&r), Route::Lambda);
        let r = req(
            "POST",
            "/",
            &[("content-type", "application/x-www-form-urlencoded")],
            "Action=CreateQueue&QueueName=q",
        );
        assert_eq!(route(&r), Route::Query { service: "sqs" });
        let r = req("GET", "/bucket/key", &[], "");
        assert_eq!(route(&r), Route::S3);
        let r = req("POST", "/_cloudlab/advance", &[], "{\"seconds\": 1}");
        assert_eq!(route(&r), Route::Control("advance".into()));
    }

    #[test]
    fn presigned_s3_urls_route_to_s3() {
        let r = req(
            "GET",
            "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request",
            &[],
            "",
        );
        assert_eq!(credential_service(&r).as_deref(), Some("s3"));
        assert_eq!(route(&r), Route::S3);
    }
}

//! awsJson 1.0 / 1.1: the body is the operation's input as JSON, exactly what
//! `Cloud::call(service, operation, params)` takes; the answer is its output.
//!
//! Errors are `{"__type": "<Code>", "message": "..."}` with the error's HTTP
//! status. SQS is "query compatible": its errors also carry
//! `x-amzn-query-error: <legacy code>;Sender`, which boto3 uses to raise
//! `QueueDoesNotExist` and friends ([`sqs_query_code`]).

use cloudlab::CloudError;
use serde_json::{Value, json};

use crate::{Request, Response, SharedCloud, lock};

/// A request id for `x-amzn-RequestId`. It comes from a counter, not from the
/// sandbox's seeded RNG, so serving requests never shifts the account's ids.
pub fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("c10d1ab0-0000-4000-8000-{n:012x}")
}

/// The legacy query-protocol code SQS puts in `x-amzn-query-error` for an error code.
pub fn sqs_query_code(code: &str) -> &str {
    match code {
        "QueueDoesNotExist" => "AWS.SimpleQueueService.NonExistentQueue",
        "QueueNameExists" => "QueueAlreadyExists",
        "MessageNotInflight" => "AWS.SimpleQueueService.MessageNotInflight",
        "PurgeQueueInProgress" => "AWS.SimpleQueueService.PurgeQueueInProgress",
        "QueueDeletedRecently" => "AWS.SimpleQueueService.QueueDeletedRecently",
        "BatchEntryIdsNotDistinct" => "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "BatchRequestTooLong" => "AWS.SimpleQueueService.BatchRequestTooLong",
        "EmptyBatchRequest" => "AWS.SimpleQueueService.EmptyBatchRequest",
        "InvalidBatchEntryId" => "AWS.SimpleQueueService.InvalidBatchEntryId",
        "TooManyEntriesInBatchRequest" => "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "UnsupportedOperation" => "AWS.SimpleQueueService.UnsupportedOperation",
        other => other,
    }
}

fn content_type(version: &str) -> String {
    format!("application/x-amz-json-{version}")
}

/// The JSON error response for `err` (`service` = `sqs` adds the query-compatible header).
pub fn error_response(
    service: Option<&str>,
    version: &str,
    err: &CloudError,
    id: &str,
) -> Response {
    let status = if err.status >= 400 { err.status } else { 400 };
    let body = json!({ "__type": err.code, "message": err.message });
    let mut r = Response::new(status, &content_type(version), body.to_string())
        .with_header("x-amzn-RequestId", id);
    if service == Some("sqs") {
        let fault = if status >= 500 { "Receiver" } else { "Sender" };
        r = r.with_header(
            "x-amzn-query-error",
            format!("{};{fault}", sqs_query_code(&err.code)),
        );
    }
    r
}

/// Parses a JSON-protocol body: empty means `{}`; anything but an object is
/// a `SerializationException`, as AWS answers.
pub fn parse_body(body: &[u8]) -> Result<Value, CloudError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(CloudError::new(
            "SerializationException",
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(CloudError::new(
            "SerializationException",
            format!("The request body is not valid JSON: {e}."),
        )),
    }
}

/// Runs one JSON-protocol request.
pub fn handle(
    cloud: &SharedCloud,
    service: &str,
    operation: &str,
    version: &str,
    req: &Request,
) -> Response {
    let id = request_id();
    let svc = Some(service);
    if operation.is_empty() {
        let err = CloudError::new(
            "UnknownOperationException",
            "The X-Amz-Target header names no operation (expected <Prefix>.<Operation>).",
        );
        return error_response(svc, version, &err, &id);
    }
    let params = match parse_body(&req.body) {
        Ok(p) => p,
        Err(e) => return error_response(svc, version, &e, &id),
    };
    let result = lock(cloud).call(service, operation, params);
    match result {
        Ok(v) => Response::new(200, &content_type(version), v.to_string())
            .with_header("x-amzn-RequestId", &id),
        Err(e) => error_response(svc, version, &e, &id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::tests::req;

    fn call(target: &str, body: &str) -> Response {
        let cloud = crate::shared(cloudlab::Cloud::new());
        let r = req("POST", "/", &[("x-amz-target", target)], body);
        crate::handle(&cloud, &r)
    }

    #[test]
    fn runs_an_operation() {
        let r = call("AmazonSQS.CreateQueue", r#"{"QueueName":"q"}"#);
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.text().contains("QueueUrl"));
        assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    }

    #[test]
    fn sqs_errors_carry_the_legacy_code() {
        let r = call("AmazonSQS.GetQueueUrl", r#"{"QueueName":"missing"}"#);
        assert_eq!(r.status, 400);
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["__type"], "QueueDoesNotExist");
        assert_eq!(
            r.header("x-amzn-query-error"),
            Some("AWS.SimpleQueueService.NonExistentQueue;Sender")
        );
    }

    #[test]
    fn bad_json_and_unknown_operations_are_aws_errors() {
        let r = call("AWSEvents.PutEvents", "{not json");
        assert_eq!(r.status, 400);
        assert!(r.text().contains("SerializationException"));
        let r = call("AWSStepFunctions.Frobnicate", "{}");
        assert_eq!(r.status, 400);
        assert!(r.text().contains("UnknownOperationException"));
        let r = call("AmazonSQS.", "{}");
        assert!(r.text().contains("UnknownOperationException"));
    }
}

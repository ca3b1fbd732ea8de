//! Smithy RPC v2 CBOR: how current boto3 and the AWS CLI speak to CloudWatch
//! (`POST /service/GraniteServiceVersion20100801/operation/PutMetricData`,
//! `smithy-protocol: rpc-v2-cbor`). The CBOR body is turned into the JSON
//! `Cloud::call` takes and the answer back into CBOR: timestamps are CBOR
//! tag 1 (epoch seconds) both ways, byte strings become base64 text.

use base64::Engine;
use ciborium::value::{Integer, Value as Cbor};
use cloudlab::CloudError;
use serde_json::{Map, Number, Value};

use crate::json_protocol::{request_id, sqs_query_code};
use crate::{Request, Response, SharedCloud, lock};

/// CBOR to JSON (tag 1 timestamps become epoch seconds; bytes become base64).
pub fn to_json(v: Cbor) -> Value {
    match v {
        Cbor::Integer(i) => {
            let n = i128::from(i);
            i64::try_from(n)
                .map(Value::from)
                .or_else(|_| u64::try_from(n).map(Value::from))
                .unwrap_or_else(|_| Value::from(n as f64))
        }
        Cbor::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
        Cbor::Text(s) => Value::String(s),
        Cbor::Bytes(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Cbor::Bool(b) => Value::Bool(b),
        Cbor::Null => Value::Null,
        Cbor::Tag(_, inner) => to_json(*inner),
        Cbor::Array(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Cbor::Map(entries) => {
            let mut m = Map::new();
            for (k, v) in entries {
                let key = match k {
                    Cbor::Text(s) => s,
                    other => format!("{:?}", other),
                };
                if !matches!(v, Cbor::Null) {
                    m.insert(key, to_json(v));
                }
            }
            Value::Object(m)
        }
        _ => Value::Null,
    }
}

fn is_time_member(name: &str) -> bool {
    name.ends_with("Timestamp") || name == "Timestamps"
}

/// JSON to CBOR; numbers under `*Timestamp` / `Timestamps` members become tag 1.
pub fn from_json(name: &str, v: &Value) -> Cbor {
    match v {
        Value::Number(n) if is_time_member(name) => {
            Cbor::Tag(1, Box::new(Cbor::Float(n.as_f64().unwrap_or(0.0))))
        }
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Cbor::Integer(Integer::from(i)),
            (_, Some(u)) => Cbor::Integer(Integer::from(u)),
            _ => Cbor::Float(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => Cbor::Text(s.clone()),
        Value::Bool(b) => Cbor::Bool(*b),
        Value::Null => Cbor::Null,
        Value::Array(items) => Cbor::Array(items.iter().map(|i| from_json(name, i)).collect()),
        Value::Object(m) => Cbor::Map(
            m.iter()
                .map(|(k, v)| (Cbor::Text(k.clone()), from_json(k, v)))
                .collect(),
        ),
    }
}

fn encode(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = ciborium::ser::into_writer(v, &mut out);
    out
}

fn respond(status: u16, body: Vec<u8>, id: &str) -> Response {
    Response::new(status, "application/cbor", body)
        .with_header("smithy-protocol", "rpc-v2-cbor")
        .with_header("x-amzn-RequestId", id)
}

/// The CBOR error: `{"__type", "message"}` with the status and, for the
/// query-compatible services, `x-amzn-query-error`.
pub fn error_response(service: &str, err: &CloudError, id: &str) -> Response {
    let status = if err.status >= 400 { err.status } else { 400 };
    let body = Cbor::Map(vec![
        (Cbor::Text("__type".into()), Cbor::Text(err.code.clone())),
        (
            Cbor::Text("message".into()),
            Cbor::Text(err.message.clone()),
        ),
    ]);
    let fault = if status >= 500 { "Receiver" } else { "Sender" };
    let code = if service == "sqs" {
        sqs_query_code(&err.code)
    } else {
        &err.code
    };
    respond(status, encode(&body), id).with_header("x-amzn-query-error", format!("{code};{fault}"))
}

/// Runs one RPC v2 CBOR request for `service`.
pub fn handle(cloud: &SharedCloud, service: &str, operation: &str, req: &Request) -> Response {
    let id = request_id();
    let params = if req.body.is_empty() {
        Value::Object(Map::new())
    } else {
        match ciborium::de::from_reader::<Cbor, _>(&req.body[..]) {
            Ok(v @ Cbor::Map(_)) => to_json(v),
            Ok(_) => {
                let e = CloudError::new("SerializationException", "The CBOR body must be a map.");
                return error_response(service, &e, &id);
            }
            Err(e) => {
                let e = CloudError::new(
                    "SerializationException",
                    format!("The request body is not valid CBOR: {e}."),
                );
                return error_response(service, &e, &id);
            }
        }
    };
    let result = lock(cloud).call(service, operation, params);
    match result {
        Ok(v) => respond(200, encode(&from_json("", &v)), &id),
        Err(e) => error_response(service, &e, &id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_with_timestamps_as_tag_1() {
        let v = json!({"Datapoints": [{"Timestamp": 1767225600.0, "Sum": 3}], "Label": "x"});
        let c = from_json("", &v);
        let bytes = encode(&c);
        let back: Cbor = ciborium::de::from_reader(&bytes[..]).unwrap();
        assert!(format!("{back:?}").contains("Tag(1"));
        assert_eq!(to_json(back), v);
    }

    #[test]
    fn bad_cbor_is_a_serialization_error() {
        let cloud = crate::shared(cloudlab::Cloud::new());
        let r = crate::route::tests::req(
            "POST",
            "/service/GraniteServiceVersion20100801/operation/ListMetrics",
            &[("smithy-protocol", "rpc-v2-cbor")],
            "\u{1f}garbage",
        );
        let resp = crate::handle(&cloud, &r);
        assert_eq!(resp.status, 400);
        let body: Cbor = ciborium::de::from_reader(&resp.body[..]).unwrap();
        assert_eq!(to_json(body)["__type"], "SerializationException");
    }
}

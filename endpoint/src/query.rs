//! The query protocol: SNS (and SQS as older clients speak it).
//!
//! Requests are form-encoded members (`Action=Publish&TopicArn=...`), with
//! lists as `Name.member.N` (SNS) or flattened `Name.N` (SQS), and maps as
//! `Name.entry.N.key` / `.value` (SNS; `Name` / `Value` for message
//! attributes) or flattened `Attribute.N.Name` / `.Value` (SQS). [`to_params`]
//! turns them into the JSON `Cloud::call` takes; [`render`] writes the result
//! as `<OpResponse><OpResult>...</OpResult><ResponseMetadata>...` XML, and
//! [`error_response`] as `<ErrorResponse><Error><Type>Sender</Type>...`.

use cloudlab::CloudError;
use serde_json::{Map, Value};

use crate::json_protocol::{request_id, sqs_query_code};
use crate::xml::{Writer, scalar_text};
use crate::{Request, Response, SharedCloud, lock};

/// SNS's XML namespace.
pub const SNS_NS: &str = "http://sns.amazonaws.com/doc/2010-03-31/";
/// SQS's XML namespace.
pub const SQS_NS: &str = "http://queue.amazonaws.com/doc/2012-11-05/";

/// Query members that are integers in the JSON the sandbox takes.
const INTEGERS: &[&str] = &[
    "DelaySeconds",
    "MaxNumberOfMessages",
    "VisibilityTimeout",
    "WaitTimeSeconds",
    "MaxResults",
];
/// Query members that are booleans.
const BOOLEANS: &[&str] = &["ReturnSubscriptionArn"];

/// SQS's flattened query names and the JSON members they become: (query, json, is_map).
const SQS_RENAMES: &[(&str, &str, bool)] = &[
    ("Attribute", "Attributes", true),
    ("AttributeName", "AttributeNames", false),
    ("MessageAttribute", "MessageAttributes", true),
    ("MessageAttributeName", "MessageAttributeNames", false),
    (
        "MessageSystemAttributeName",
        "MessageSystemAttributeNames",
        false,
    ),
    ("MessageSystemAttribute", "MessageSystemAttributes", true),
    ("SendMessageBatchRequestEntry", "Entries", false),
    ("DeleteMessageBatchRequestEntry", "Entries", false),
    ("ChangeMessageVisibilityBatchRequestEntry", "Entries", false),
    ("Tag", "Tags", true),
    ("TagKey", "TagKeys", false),
];

#[derive(Debug)]
enum Node {
    Leaf(String),
    Branch(Vec<(String, Node)>),
}

impl Node {
    fn insert(&mut self, path: &[&str], value: String) {
        let Node::Branch(children) = self else {
            return; // `A=1&A.B=2`: the scalar wins, the rest is ignored
        };
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let pos = children.iter().position(|(k, _)| k == first);
        if rest.is_empty() {
            if pos.is_none() {
                children.push((first.to_string(), Node::Leaf(value)));
            }
            return;
        }
        let i = match pos {
            Some(i) => i,
            None => {
                children.push((first.to_string(), Node::Branch(Vec::new())));
                children.len() - 1
            }
        };
        children[i].1.insert(rest, value);
    }
}

fn scalar(name: &str, text: &str) -> Value {
    if INTEGERS.contains(&name)
        && let Ok(n) = text.parse::<i64>()
    {
        return Value::from(n);
    }
    if BOOLEANS.contains(&name) {
        match text {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            _ => {}
        }
    }
    Value::String(text.to_string())
}

fn numbered(children: &[(String, Node)]) -> Option<Vec<&Node>> {
    let mut items: Vec<(u64, &Node)> = Vec::new();
    for (k, n) in children {
        items.push((k.parse().ok()?, n));
    }
    items.sort_by_key(|(i, _)| *i);
    Some(items.into_iter().map(|(_, n)| n).collect())
}

fn child<'a>(children: &'a [(String, Node)], names: &[&str]) -> Option<&'a Node> {
    children
        .iter()
        .find(|(k, _)| names.contains(&k.as_str()))
        .map(|(_, n)| n)
}

/// A list of `{key|Name, value|Value}` entries as a JSON map.
fn entries_to_map(entries: &[&Node], service: &str) -> Value {
    let mut map = Map::new();
    for e in entries {
        if let Node::Branch(kv) = e {
            let key = match child(kv, &["key", "Name", "Key"]) {
                Some(Node::Leaf(k)) => k.clone(),
                _ => continue,
            };
            let value = child(kv, &["value", "Value"])
                .map(|v| to_json("Value", v, service))
                .unwrap_or(Value::String(String::new()));
            map.insert(key, value);
        }
    }
    Value::Object(map)
}

fn to_json(name: &str, node: &Node, service: &str) -> Value {
    let children = match node {
        Node::Leaf(s) => return scalar(name, s),
        Node::Branch(c) => c,
    };
    if children.len() == 1
        && children[0].0 == "member"
        && let Node::Branch(items) = &children[0].1
        && let Some(items) = numbered(items)
    {
        return Value::Array(
            items
                .iter()
                .map(|n| to_json("member", n, service))
                .collect(),
        );
    }
    if children.len() == 1
        && children[0].0 == "entry"
        && let Node::Branch(items) = &children[0].1
        && let Some(items) = numbered(items)
    {
        return entries_to_map(&items, service);
    }
    if let Some(items) = numbered(children) {
        return Value::Array(items.iter().map(|n| to_json(name, n, service)).collect());
    }
    let mut obj = Map::new();
    for (k, n) in children {
        let rename = if service == "sqs" {
            SQS_RENAMES.iter().find(|(q, _, _)| q == k)
        } else {
            None
        };
        match rename {
            Some((_, json_name, is_map)) => {
                let value = match (n, is_map) {
                    (Node::Branch(c), true) => match numbered(c) {
                        Some(items) => entries_to_map(&items, service),
                        None => to_json(k, n, service),
                    },
                    _ => to_json(k, n, service),
                };
                obj.insert(json_name.to_string(), value);
            }
            None => {
                obj.insert(k.clone(), to_json(k, n, service));
            }
        }
    }
    Value::Object(obj)
}

/// Decodes form pairs into (Action, JSON params for `Cloud::call`).
pub fn to_params(pairs: &[(String, String)], service: &str) -> Result<(String, Value), CloudError> {
    let mut root = Node::Branch(Vec::new());
    let mut action = None;
    for (k, v) in pairs {
        match k.as_str() {
            "Action" => action = Some(v.clone()),
            "Version" | "AWSAccessKeyId" | "SignatureVersion" | "SignatureMethod" | "Signature"
            | "Timestamp" | "Expires" | "SecurityToken" => {}
            k if k.starts_with("X-Amz-") => {}
            "" => {}
            k => {
                let path: Vec<&str> = k.split('.').collect();
                root.insert(&path, v.clone());
            }
        }
    }
    let action = action.filter(|a| !a.is_empty()).ok_or_else(|| {
        CloudError::new(
            "MissingAction",
            "The request must contain the parameter Action.",
        )
    })?;
    let params = to_json("", &root, service);
    let params = if params.is_object() {
        params
    } else {
        Value::Object(Map::new())
    };
    Ok((action, params))
}

/// The request's form pairs: the body of a form POST, else the query string.
pub fn form_pairs(req: &Request) -> Vec<(String, String)> {
    let mut bytes: Vec<u8> = req.uri.query().unwrap_or("").as_bytes().to_vec();
    if req.method == axum::http::Method::POST && !req.body.is_empty() {
        if !bytes.is_empty() {
            bytes.push(b'&');
        }
        bytes.extend_from_slice(&req.body);
    }
    form_urlencoded::parse(&bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn namespace(service: Option<&str>) -> &'static str {
    match service {
        Some("sqs") => SQS_NS,
        _ => SNS_NS,
    }
}

/// The query-protocol error XML for `err`.
pub fn error_response(service: Option<&str>, err: &CloudError, id: &str) -> Response {
    let code = match (service, err.code.as_str()) {
        // The query protocol's name for an action that does not exist.
        (_, "UnknownOperationException") => "InvalidAction",
        (Some("sqs"), c) => sqs_query_code(c),
        (_, c) => c,
    };
    let mut status = if err.status >= 400 { err.status } else { 400 };
    if service == Some("sns") && status == 400 && matches!(code, "NotFound" | "ResourceNotFound") {
        status = 404;
    }
    let fault = if status >= 500 { "Receiver" } else { "Sender" };
    let mut w = Writer::new();
    w.open_ns("ErrorResponse", namespace(service))
        .open("Error")
        .leaf("Type", fault)
        .leaf("Code", code)
        .leaf("Message", &err.message)
        .close("Error")
        .leaf("RequestId", id)
        .close("ErrorResponse");
    Response::new(status, "text/xml", w.finish()).with_header("x-amzn-RequestId", id)
}

/// SNS members whose JSON objects are maps (`entry` / `key` / `value` in XML).
const SNS_MAPS: &[&str] = &["Attributes"];

fn write_sns(w: &mut Writer, name: &str, v: &Value) {
    match v {
        Value::Object(m) if SNS_MAPS.contains(&name) => {
            w.open(name);
            for (k, v) in m {
                w.open("entry")
                    .leaf("key", k)
                    .leaf("value", &scalar_text(v))
                    .close("entry");
            }
            w.close(name);
        }
        Value::Object(m) => {
            w.open(name);
            for (k, v) in m {
                write_sns(w, k, v);
            }
            w.close(name);
        }
        Value::Array(items) => {
            w.open(name);
            for item in items {
                write_sns(w, "member", item);
            }
            w.close(name);
        }
        scalar => {
            w.leaf(name, &scalar_text(scalar));
        }
    }
}

/// The singular element SQS repeats for a flattened list member.
fn sqs_item_name(op: &str, member: &str) -> String {
    match member {
        "Messages" => "Message".into(),
        "QueueUrls" => "QueueUrl".into(),
        "Successful" => format!("{op}ResultEntry"),
        "Failed" => "BatchResultErrorEntry".into(),
        "queueUrls" => "QueueUrl".into(),
        other => other.trim_end_matches('s').to_string(),
    }
}

fn write_sqs(w: &mut Writer, op: &str, name: &str, v: &Value) {
    match v {
        Value::Object(m) if name == "Attributes" || name == "Tags" => {
            for (k, v) in m {
                w.open("Attribute")
                    .leaf("Name", k)
                    .leaf("Value", &scalar_text(v))
                    .close("Attribute");
            }
        }
        Value::Object(m) if name == "MessageAttributes" => {
            for (k, v) in m {
                w.open("MessageAttribute").leaf("Name", k);
                write_sqs(w, op, "Value", v);
                w.close("MessageAttribute");
            }
        }
        Value::Object(m) => {
            w.open(name);
            for (k, v) in m {
                write_sqs(w, op, k, v);
            }
            w.close(name);
        }
        Value::Array(items) => {
            let item = sqs_item_name(op, name);
            for i in items {
                write_sqs(w, op, &item, i);
            }
        }
        scalar => {
            w.leaf(name, &scalar_text(scalar));
        }
    }
}

/// The XML response for a successful `action` with the sandbox's JSON `result`.
pub fn render(service: &str, action: &str, result: &Value, id: &str) -> String {
    let mut w = Writer::new();
    let response = format!("{action}Response");
    let result_el = format!("{action}Result");
    w.open_ns(&response, namespace(Some(service)));
    if let Value::Object(m) = result
        && !m.is_empty()
    {
        w.open(&result_el);
        for (k, v) in m {
            if service == "sqs" {
                write_sqs(&mut w, action, k, v);
            } else {
                write_sns(&mut w, k, v);
            }
        }
        w.close(&result_el);
    }
    w.open("ResponseMetadata")
        .leaf("RequestId", id)
        .close("ResponseMetadata")
        .close(&response);
    w.finish()
}

/// Runs one query-protocol request for `service` (`sns` or `sqs`).
pub fn handle(cloud: &SharedCloud, service: &str, req: &Request) -> Response {
    let id = request_id();
    let pairs = form_pairs(req);
    let (action, params) = match to_params(&pairs, service) {
        Ok(x) => x,
        Err(e) => return error_response(Some(service), &e, &id),
    };
    let result = lock(cloud).call(service, &action, params);
    match result {
        Ok(v) => Response::new(200, "text/xml", render(service, &action, &v, &id))
            .with_header("x-amzn-RequestId", &id),
        Err(e) => error_response(Some(service), &e, &id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(s: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(s.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn sns_lists_and_maps() {
        let (action, p) = to_params(
            &pairs(
                "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At&Message=hi\
                 &MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value.DataType=String\
                 &MessageAttributes.entry.1.Value.StringValue=red",
            ),
            "sns",
        )
        .unwrap();
        assert_eq!(action, "Publish");
        assert_eq!(
            p,
            json!({
                "TopicArn": "arn:aws:sns:us-east-1:1:t",
                "Message": "hi",
                "MessageAttributes": {"color": {"DataType": "String", "StringValue": "red"}}
            })
        );
        let (_, p) = to_params(
            &pairs(
                "Action=CreateTopic&Name=t&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=T\
                 &Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.1.Key=a&Tags.member.1.Value=1",
            ),
            "sns",
        )
        .unwrap();
        assert_eq!(
            p,
            json!({
                "Name": "t",
                "Attributes": {"DisplayName": "T"},
                "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
            })
        );
        let (_, p) =
            to_params(&pairs("Action=Subscribe&ReturnSubscriptionArn=true"), "sns").unwrap();
        assert_eq!(p["ReturnSubscriptionArn"], json!(true));
    }

    #[test]
    fn sqs_flattened_members() {
        let (_, p) = to_params(
            &pairs(
                "Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5\
                 &AttributeName.1=All&MaxNumberOfMessages=10",
            ),
            "sqs",
        )
        .unwrap();
        assert_eq!(
            p,
            json!({
                "QueueName": "q",
                "Attributes": {"DelaySeconds": "5"},
                "AttributeNames": ["All"],
                "MaxNumberOfMessages": 10
            })
        );
    }

    #[test]
    fn unknown_actions_are_invalid_action() {
        let cloud = crate::shared(cloudlab::Cloud::new());
        let r = crate::route::tests::req(
            "POST",
            "/",
            &[("content-type", "application/x-www-form-urlencoded")],
            "Action=Frobnicate",
        );
        let resp = crate::handle(&cloud, &r);
        assert_eq!(resp.status, 400);
        assert!(
            resp.text().contains("<Code>InvalidAction</Code>"),
            "{}",
            resp.text()
        );
    }

    #[test]
    fn missing_action_is_an_error() {
        let e = to_params(&pairs("TopicArn=x"), "sns").unwrap_err();
        assert_eq!(e.code, "MissingAction");
    }

    #[test]
    fn renders_sns_results_and_errors() {
        let xml = render(
            "sns",
            "ListTopics",
            &json!({"Topics": [{"TopicArn": "a"}, {"TopicArn": "b"}]}),
            "r1",
        );
        assert!(xml.contains(
            "<ListTopicsResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><ListTopicsResult><Topics><member><TopicArn>a</TopicArn></member><member><TopicArn>b</TopicArn></member></Topics></ListTopicsResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></ListTopicsResponse>"
        ), "{xml}");
        let xml = render(
            "sns",
            "GetTopicAttributes",
            &json!({"Attributes": {"Owner": "1"}}),
            "r",
        );
        assert!(
            xml.contains(
                "<Attributes><entry><key>Owner</key><value>1</value></entry></Attributes>"
            )
        );
        let xml = render("sns", "DeleteTopic", &json!({}), "r");
        assert!(!xml.contains("DeleteTopicResult"));
        let r = error_response(
            Some("sns"),
            &CloudError::new("NotFound", "Topic <x> does not exist"),
            "r",
        );
        assert_eq!(r.status, 404);
        assert!(r.text().contains("<Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic &lt;x&gt; does not exist</Message></Error><RequestId>r</RequestId>"));
    }

    #[test]
    fn renders_sqs_flattened() {
        let xml = render(
            "sqs",
            "ReceiveMessage",
            &json!({"Messages": [{"Body": "x", "Attributes": {"SenderId": "1"}}]}),
            "r",
        );
        assert!(xml.contains("<ReceiveMessageResult><Message><Body>x</Body><Attribute><Name>SenderId</Name><Value>1</Value></Attribute></Message></ReceiveMessageResult>"), "{xml}");
        let r = error_response(
            Some("sqs"),
            &CloudError::new("QueueDoesNotExist", "no"),
            "r",
        );
        assert!(
            r.text()
                .contains("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>")
        );
    }
}

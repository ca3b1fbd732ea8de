//! Subscription filter policies: a subscription's `FilterPolicy` is an
//! event pattern (see [`crate::pattern`]) matched against the message
//! attributes (`FilterPolicyScope` `MessageAttributes`, the default) or the
//! message body parsed as JSON (`MessageBody`). Messages a policy rejects are
//! not delivered to that subscription and are not billed as deliveries.
//!
//! SNS adds its own limits on top of the pattern language: at most five keys,
//! at most 150 value combinations, numbers within ±1e9, no nesting for
//! attribute policies, 256 KB per policy.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::deliver::Notification;
use super::quotas::*;
use crate::attributes::Attributes;
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::pattern::Pattern;

/// What a filter policy is matched against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FilterScope {
    /// The message attributes (the default).
    #[default]
    MessageAttributes,
    /// The message body, read as a JSON object.
    MessageBody,
}

impl FilterScope {
    /// The scope as the API spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            FilterScope::MessageAttributes => "MessageAttributes",
            FilterScope::MessageBody => "MessageBody",
        }
    }

    /// Parses `MessageAttributes` or `MessageBody`.
    pub fn parse(s: &str) -> Option<FilterScope> {
        match s {
            "MessageAttributes" => Some(FilterScope::MessageAttributes),
            "MessageBody" => Some(FilterScope::MessageBody),
            _ => None,
        }
    }
}

/// A checked, compiled filter policy.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    pub pattern: Pattern,
    pub scope: FilterScope,
}

/// The error SNS gives for a bad policy; `subscribing` adds the
/// `Attributes Reason:` that Subscribe's message carries.
fn refuse(subscribing: bool, what: &str) -> CloudError {
    let lead = if subscribing {
        "Invalid parameter: Attributes Reason: "
    } else {
        "Invalid parameter: "
    };
    CloudError::new("InvalidParameter", format!("{lead}{what}"))
}

/// Checks the scope attribute's value.
pub(crate) fn parse_scope(value: &str, subscribing: bool) -> CloudResult<FilterScope> {
    FilterScope::parse(value).ok_or_else(|| {
        refuse(
            subscribing,
            &format!(
                "FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or MessageAttributes"
            ),
        )
    })
}

/// Parses and checks a policy for a scope.
pub(crate) fn compile(policy: &str, scope: FilterScope, subscribing: bool) -> CloudResult<Filter> {
    let bad = |why: &str| refuse(subscribing, &format!("FilterPolicy: {why}"));
    if policy.len() > MAX_FILTER_POLICY_BYTES {
        return Err(bad("Filter policy is too big"));
    }
    let pattern = Pattern::parse(policy).map_err(|e| bad(e.reason()))?;
    let value = pattern.as_value();
    if scope == FilterScope::MessageAttributes && nested(value) {
        return Err(refuse(
            subscribing,
            "Filter policy scope MessageAttributes does not support nested filter policy",
        ));
    }
    if branches_max_keys(value) > MAX_FILTER_POLICY_KEYS {
        return Err(bad(&format!(
            "Filter policy can not have more than {MAX_FILTER_POLICY_KEYS} keys"
        )));
    }
    if combinations(value, 1) > MAX_FILTER_POLICY_COMBINATIONS {
        return Err(bad("Filter policy is too complex"));
    }
    if let Some(n) = number_out_of_range(value) {
        return Err(bad(&format!(
            "Value {n} is out of range: numbers must be between -1.0E9 and 1.0E9, inclusive"
        )));
    }
    Ok(Filter { pattern, scope })
}

/// True when a field holds an object (outside `$or`'s own objects).
fn nested(policy: &Value) -> bool {
    policy.as_object().is_some_and(|m| {
        m.iter().any(|(k, v)| match v {
            Value::Object(_) => true,
            Value::Array(items) if k == "$or" => items.iter().any(nested),
            _ => false,
        })
    })
}

/// The most leaf keys any one `$or` alternative of the policy names.
fn branches_max_keys(policy: &Value) -> usize {
    let Some(m) = policy.as_object() else {
        return 0;
    };
    let mut own = 0;
    let mut or_max = 0;
    for (k, v) in m {
        match v {
            Value::Array(items) if k == "$or" => {
                or_max = items.iter().map(branches_max_keys).max().unwrap_or(0)
            }
            Value::Object(_) => own += branches_max_keys(v),
            _ => own += 1,
        }
    }
    own + or_max
}

/// SNS's complexity: the product over the policy's value lists of their
/// length times their nesting depth; `$or` adds up its alternatives.
fn combinations(policy: &Value, depth: usize) -> usize {
    let Some(m) = policy.as_object() else {
        return 1;
    };
    let mut product: usize = 1;
    for (k, v) in m {
        let factor = match v {
            Value::Array(items) if k == "$or" => items.iter().map(|b| combinations(b, depth)).sum(),
            Value::Array(items) => items.len() * depth,
            Value::Object(_) => combinations(v, depth + 1),
            _ => 1,
        };
        product = product.saturating_mul(factor);
    }
    product
}

/// The first number in the policy outside SNS's ±1e9.
fn number_out_of_range(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().filter(|f| f.abs() > MAX_FILTER_NUMBER),
        Value::Array(items) => items.iter().find_map(number_out_of_range),
        Value::Object(m) => m.values().find_map(number_out_of_range),
        _ => None,
    }
}

/// Message attributes as the JSON object a policy is matched against:
/// `String` as strings, `Number` as numbers, `String.Array` as arrays;
/// `Binary` attributes are ignored, as SNS documents.
pub(crate) fn attributes_json(attrs: &Attributes) -> Value {
    let mut out = Map::new();
    for (name, a) in attrs {
        let text = a.as_str();
        let v = match a.base_type() {
            "Binary" => continue,
            "Number" => serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_number)
                .or_else(|| text.trim().parse::<f64>().ok().map(Value::from))
                .unwrap_or_else(|| Value::String(text.to_string())),
            _ if a.data_type == "String.Array" => serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_array)
                .unwrap_or_else(|| Value::String(text.to_string())),
            _ => Value::String(text.to_string()),
        };
        out.insert(name.clone(), v);
    }
    Value::Object(out)
}

/// The compiled filter a subscription's attributes describe (`None` without a
/// `FilterPolicy`), checked as Subscribe (`subscribing`) or
/// SetSubscriptionAttributes checks it.
pub(crate) fn from_attributes(
    attributes: &std::collections::BTreeMap<String, String>,
    subscribing: bool,
) -> CloudResult<Option<Arc<Filter>>> {
    let scope = match attributes.get("FilterPolicyScope") {
        Some(s) => parse_scope(s, subscribing)?,
        None => FilterScope::default(),
    };
    match attributes.get("FilterPolicy") {
        Some(policy) => Ok(Some(Arc::new(compile(policy, scope, subscribing)?))),
        None => Ok(None),
    }
}

/// Refuses a new filter policy past the per-topic and per-account quotas
/// (`except`: the subscription being changed, not counted).
pub(crate) fn check_policy_limits(
    cloud: &Cloud,
    topic_arn: &str,
    except: Option<&str>,
) -> CloudResult<()> {
    let with_policy = cloud
        .sns
        .subscriptions
        .values()
        .filter(|s| s.filter.is_some() && Some(s.arn.as_str()) != except);
    let (mut on_topic, mut in_account) = (0, 0);
    for s in with_policy {
        in_account += 1;
        on_topic += usize::from(s.topic_arn == topic_arn);
    }
    if on_topic >= MAX_FILTER_POLICIES_PER_TOPIC || in_account >= MAX_FILTER_POLICIES_PER_ACCOUNT {
        return Err(CloudError::new(
            "FilterPolicyLimitExceeded",
            format!(
                "Filter policy limit exceeded: at most {MAX_FILTER_POLICIES_PER_TOPIC} per topic and {MAX_FILTER_POLICIES_PER_ACCOUNT} per account"
            ),
        )
        .with_status(403));
    }
    Ok(())
}

/// Whether a published message goes on to subscription `sub_arn`; a message
/// its filter policy rejects is counted and traced, never delivered or billed.
pub(crate) fn admits(cloud: &mut Cloud, n: &Notification, sub_arn: &str) -> bool {
    let Some(sub) = cloud.sns.subscriptions.get(sub_arn) else {
        return true;
    };
    let Some(filter) = sub.filter.clone() else {
        return true;
    };
    if sub.pending || filter.accepts(n.message_for(sub.protocol), &n.attributes) {
        return true;
    }
    let detail = format!(
        "MessageId={} not delivered to {} {}: rejected by its filter policy ({})",
        n.message_id,
        sub.protocol.as_str(),
        sub.endpoint,
        filter.scope.as_str()
    );
    if let Some(t) = cloud.sns.topics.get_mut(&*n.topic_name) {
        t.stats.filtered_out += 1;
    }
    cloud
        .core
        .trace("sns", &n.topic_name, "filtered-out", detail);
    false
}

impl Filter {
    /// Whether a message (its text for this subscription, its attributes) passes.
    pub fn accepts(&self, message: &str, attributes: &Attributes) -> bool {
        match self.scope {
            FilterScope::MessageAttributes => self.pattern.matches(&attributes_json(attributes)),
            FilterScope::MessageBody => match serde_json::from_str::<Value>(message) {
                Ok(body @ Value::Object(_)) => self.pattern.matches(&body),
                _ => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::AttributeValue;

    fn attrs(pairs: &[(&str, AttributeValue)]) -> Attributes {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn err(policy: &str, scope: FilterScope) -> String {
        compile(policy, scope, false).unwrap_err().message
    }

    #[test]
    fn attribute_policies_match_typed_attributes() {
        let f = compile(
            r#"{"store": ["example_corp"], "price_usd": [{"numeric": [">=", 100]}], "event": [{"anything-but": "order_cancelled"}]}"#,
            FilterScope::MessageAttributes,
            false,
        )
        .unwrap();
        let msg = attrs(&[
            ("store", AttributeValue::string("example_corp")),
            ("price_usd", AttributeValue::number(210.75)),
            ("event", AttributeValue::string("order_placed")),
            ("blob", AttributeValue::binary(b"ignored")),
        ]);
        assert!(f.accepts("", &msg));
        let cheap = attrs(&[
            ("store", AttributeValue::string("example_corp")),
            ("price_usd", AttributeValue::string("210.75")),
            ("event", AttributeValue::string("order_placed")),
        ]);
        assert!(!f.accepts("", &cheap), "a String attribute is not a number");
        assert!(!f.accepts("", &Attributes::new()));
    }

    #[test]
    fn string_arrays_match_any_element() {
        let f = compile(
            r#"{"customer_interests": ["rugby", "football"]}"#,
            FilterScope::MessageAttributes,
            false,
        )
        .unwrap();
        let mut a = AttributeValue::string(r#"["soccer", "rugby", "hockey"]"#);
        a.data_type = "String.Array".into();
        assert!(f.accepts("", &attrs(&[("customer_interests", a)])));
    }

    #[test]
    fn body_policies_read_the_message_as_json() {
        let f = compile(
            r#"{"order": {"total": [{"numeric": [">", 100]}]}}"#,
            FilterScope::MessageBody,
            false,
        )
        .unwrap();
        assert!(f.accepts(r#"{"order": {"total": 250}}"#, &Attributes::new()));
        assert!(!f.accepts(r#"{"order": {"total": 50}}"#, &Attributes::new()));
        assert!(!f.accepts("not json", &Attributes::new()));
        assert!(!f.accepts("[1]", &Attributes::new()));
    }

    #[test]
    fn sns_limits() {
        let a = FilterScope::MessageAttributes;
        assert_eq!(
            err(
                r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}"#,
                a
            ),
            "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"
        );
        let many: Vec<String> = (0..151).map(|i| format!("\"v{i}\"")).collect();
        assert_eq!(
            err(&format!(r#"{{"a": [{}]}}"#, many.join(",")), a),
            "Invalid parameter: FilterPolicy: Filter policy is too complex"
        );
        // 10 x 4 x 4 = 160 combinations.
        let ten: Vec<String> = (0..10).map(|i| format!("\"v{i}\"")).collect();
        let four = r#"["w","x","y","z"]"#;
        assert_eq!(
            err(
                &format!(r#"{{"a": [{}], "b": {four}, "c": {four}}}"#, ten.join(",")),
                a
            ),
            "Invalid parameter: FilterPolicy: Filter policy is too complex"
        );
        assert_eq!(
            err(r#"{"a": {"b": ["c"]}}"#, a),
            "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
        );
        assert!(compile(r#"{"a": {"b": ["c"]}}"#, FilterScope::MessageBody, false).is_ok());
        assert!(
            err(r#"{"n": [{"numeric": [">", 2000000000]}]}"#, a)
                .contains("between -1.0E9 and 1.0E9")
        );
        assert_eq!(
            err(r#"{"a": "b"}"#, a),
            "Invalid parameter: FilterPolicy: \"a\" must be an object or an array"
        );
        assert_eq!(
            compile("{}", a, true).unwrap_err().message,
            "Invalid parameter: Attributes Reason: FilterPolicy: Empty objects are not allowed"
        );
    }

    #[test]
    fn payload_combinations_count_depth() {
        // The SNS guide's example: 3 x 4 x 2 x 3 = 72 (values times depth).
        let p: Value = serde_json::from_str(
            r#"{"key_a": {"key_b": {"key_c": ["1","2","3","4"]}}, "key_d": {"key_e": ["1","2","3"]}}"#,
        )
        .unwrap();
        assert_eq!(combinations(&p, 1), 72);
        let or: Value = serde_json::from_str(
            r#"{"a": ["1","2"], "$or": [{"b": ["1"]}, {"c": ["1","2","3"]}]}"#,
        )
        .unwrap();
        assert_eq!(combinations(&or, 1), 8);
        assert_eq!(branches_max_keys(&or), 2);
    }
}

//! What a target receives: the whole event, a constant (`Input`), the part a
//! JSONPath selects (`InputPath`), or a template filled with values from the
//! event (`InputTransformer`).
//!
//! Templates follow AWS: a variable in a JSON value position gets the JSON
//! value (strings quoted); inside a quoted string it gets the text as is
//! (EventBridge does not escape it); a variable whose path is not in the
//! event becomes `null` (or nothing inside a string). The reserved variables
//! are `aws.events.rule-arn`, `aws.events.rule-name`, `aws.events.event`,
//! `aws.events.event.json` and `aws.events.event.ingestion-time`.

use serde_json::Value;

use super::ops::targets::{InputTransformer, Target};
use super::quotas::*;

/// One step of a JSONPath.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Field(String),
    Index(usize),
}

/// Parses the JSONPath subset EventBridge paths use: `$`, `.name`,
/// `['name']` and `[index]`.
pub(crate) fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let Some(mut rest) = path.strip_prefix('$') else {
        return Err(format!("{path} does not start with $"));
    };
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return Err(format!("{path} has an empty field name"));
            }
            steps.push(Step::Field(r[..end].to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("['") {
            let end = r
                .find("']")
                .ok_or_else(|| format!("{path} has an unclosed ['"))?;
            steps.push(Step::Field(r[..end].to_string()));
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r
                .find(']')
                .ok_or_else(|| format!("{path} has an unclosed ["))?;
            let i = r[..end]
                .parse()
                .map_err(|_| format!("{path} has a bad index {}", &r[..end]))?;
            steps.push(Step::Index(i));
            rest = &r[end + 1..];
        } else {
            return Err(format!("{path} is not a JSONPath"));
        }
    }
    Ok(steps)
}

/// The value at `path` in `v`, if there is one.
pub(crate) fn select<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let steps = parse_path(path).ok()?;
    steps.iter().try_fold(v, |v, s| match s {
        Step::Field(f) => v.get(f.as_str()),
        Step::Index(i) => v.get(*i),
    })
}

const RESERVED: &[&str] = &[
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event",
    "aws.events.event.json",
    "aws.events.event.ingestion-time",
];

/// Checks an `InputTransformer` as PutTargets does.
pub(crate) fn check_transformer(t: &InputTransformer) -> Result<(), String> {
    if t.input_paths_map.len() > MAX_INPUT_PATHS {
        return Err(format!(
            "InputPathsMap has more than {MAX_INPUT_PATHS} entries"
        ));
    }
    for (name, path) in &t.input_paths_map {
        if RESERVED.contains(&name.as_str()) || name.starts_with("aws.") {
            return Err(format!("{name} is a reserved variable name"));
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "variable name {name:?} may hold only letters, digits, _ and -"
            ));
        }
        parse_path(path)?;
    }
    if t.input_template.is_empty() || t.input_template.chars().count() > MAX_INPUT_CHARS {
        return Err(format!(
            "InputTemplate must be 1 to {MAX_INPUT_CHARS} characters"
        ));
    }
    Ok(())
}

/// What the rule that matched contributes to a template.
pub(crate) struct RuleInfo<'a> {
    pub name: &'a str,
    pub arn: &'a str,
    pub ingestion_time: &'a str,
}

/// The text a target receives for `event`.
pub(crate) fn input_for(target: &Target, event: &Value, rule: &RuleInfo) -> String {
    if let Some(input) = &target.input {
        return input.clone();
    }
    if let Some(path) = &target.input_path {
        return select(event, path).map_or_else(|| "null".to_string(), Value::to_string);
    }
    match &target.input_transformer {
        Some(t) => render(t, event, rule),
        None => event.to_string(),
    }
}

/// The value of a template variable, if it has one.
fn variable(
    name: &str,
    t: &InputTransformer,
    event: &Value,
    rule: &RuleInfo,
) -> Option<Option<Value>> {
    Some(match name {
        "aws.events.rule-arn" => Some(Value::String(rule.arn.to_string())),
        "aws.events.rule-name" => Some(Value::String(rule.name.to_string())),
        "aws.events.event" | "aws.events.event.json" => Some(event.clone()),
        "aws.events.event.ingestion-time" => Some(Value::String(rule.ingestion_time.to_string())),
        other => select(event, t.input_paths_map.get(other)?).cloned(),
    })
}

/// A `<name>` in a template: `None` when it is not a variable (left as
/// text), else the variable's value (`None` inside: not in the event).
fn placeholder(
    name: &str,
    t: &InputTransformer,
    event: &Value,
    rule: &RuleInfo,
) -> Option<Option<Value>> {
    let plausible = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if plausible {
        variable(name, t, event, rule)
    } else {
        None
    }
}

/// Fills a template (see the module docs for the rules).
pub(crate) fn render(t: &InputTransformer, event: &Value, rule: &RuleInfo) -> String {
    let template = &t.input_template;
    let json_mode = matches!(template.trim_start().chars().next(), Some('{' | '[' | '"'));
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template.as_str();
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
            && let Some(value) = placeholder(&rest[1..end], t, event, rule)
        {
            match value {
                Some(Value::String(s)) if in_string || !json_mode => out.push_str(&s),
                Some(v) => out.push_str(&v.to_string()),
                None if in_string || !json_mode => {}
                None => out.push_str("null"),
            }
            rest = &rest[end + 1..];
            escaped = false;
            continue;
        }
        if json_mode {
            match c {
                '"' if !escaped => in_string = !in_string,
                _ => {}
            }
            escaped = c == '\\' && !escaped && in_string;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ec2() -> Value {
        json!({
            "version": "0", "id": "7bf73129", "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2", "account": "123456789012", "time": "2015-11-11T21:29:54Z",
            "region": "us-east-1", "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
            "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "n": 3}
        })
    }

    fn tr(template: &str) -> String {
        let t = InputTransformer {
            input_paths_map: [
                ("instance", "$.detail.instance-id"),
                ("state", "$.detail.state"),
                ("n", "$.detail.n"),
                ("missing", "$.detail.nope"),
                ("first", "$.resources[0]"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            input_template: template.to_string(),
        };
        check_transformer(&t).unwrap();
        let rule = RuleInfo {
            name: "example",
            arn: "arn:aws:events:us-east-1:123456789012:rule/example",
            ingestion_time: "2026-01-01T00:00:00Z",
        };
        render(&t, &ec2(), &rule)
    }

    #[test]
    fn the_user_guide_examples() {
        assert_eq!(
            tr(r#""instance <instance> is in <state>""#),
            r#""instance i-0123456789 is in RUNNING""#
        );
        assert_eq!(
            tr(r#"{"instance" : <instance>, "state": <state>}"#),
            r#"{"instance" : "i-0123456789", "state": "RUNNING"}"#
        );
        assert_eq!(
            tr(
                r#"{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \"<instance>\" is in <state>"}"#
            ),
            r#"{"instance" : "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \"i-0123456789\" is in RUNNING"}"#
        );
        assert_eq!(
            tr(
                r#"{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}"#
            ),
            r#"{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}"#
        );
        assert_eq!(
            tr(r#""<aws.events.rule-name> triggered""#),
            r#""example triggered""#
        );
        let v: Value = serde_json::from_str(&tr(
            r#"{"ruleArn": <aws.events.rule-arn>, "originalEvent": <aws.events.event>}"#,
        ))
        .unwrap();
        assert_eq!(v["originalEvent"]["detail"]["state"], "RUNNING");
        assert_eq!(
            v["ruleArn"],
            "arn:aws:events:us-east-1:123456789012:rule/example"
        );
    }

    #[test]
    fn numbers_missing_paths_and_plain_text() {
        assert_eq!(
            tr(r#"{"n": <n>, "m": <missing>}"#),
            r#"{"n": 3, "m": null}"#
        );
        assert_eq!(tr(r#""n=<n> m=<missing>""#), r#""n=3 m=""#);
        assert_eq!(
            tr("Instance <instance> is <state>"),
            "Instance i-0123456789 is RUNNING"
        );
        assert_eq!(
            tr("<first>"),
            "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"
        );
        assert_eq!(tr("a <b> c"), "a <b> c", "unknown names stay");
    }

    #[test]
    fn paths() {
        let e = ec2();
        assert_eq!(select(&e, "$.detail.state"), Some(&json!("RUNNING")));
        assert_eq!(
            select(&e, "$['detail']['instance-id']"),
            Some(&json!("i-0123456789"))
        );
        assert_eq!(
            select(&e, "$.resources[0]").and_then(Value::as_str),
            Some("arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111")
        );
        assert_eq!(select(&e, "$"), Some(&e));
        assert_eq!(select(&e, "$.nope.x"), None);
        assert!(parse_path("detail").is_err());
        assert!(parse_path("$.a[x]").is_err());
        assert!(parse_path("$..a").is_err());
    }

    #[test]
    fn bad_transformers() {
        let mut t = InputTransformer {
            input_template: "<x>".into(),
            ..Default::default()
        };
        t.input_paths_map
            .insert("aws.events.rule-name".into(), "$.a".into());
        assert!(check_transformer(&t).unwrap_err().contains("reserved"));
        t.input_paths_map.clear();
        t.input_paths_map.insert("x".into(), "a.b".into());
        assert!(check_transformer(&t).is_err());
        t.input_paths_map.clear();
        t.input_template.clear();
        assert!(check_transformer(&t).is_err());
    }
}

//! One test per operator, with the examples from the EventBridge User Guide
//! ("Content filtering", "Arrays in event patterns", "Comparison operators")
//! and the SNS Developer Guide, each run through the compiled matcher and the
//! naive interpreter.

use serde_json::{Value, json};

use super::{Pattern, naive};

/// Matches with both implementations and insists they agree.
fn hit(pattern: Value, event: Value) -> bool {
    let compiled = Pattern::from_value(&pattern)
        .unwrap_or_else(|e| panic!("{pattern} should be valid: {e}"))
        .matches(&event);
    assert_eq!(
        compiled,
        naive::matches(&pattern, &event),
        "compiled and naive disagree on {pattern} / {event}"
    );
    compiled
}

fn reason(pattern: &str) -> String {
    Pattern::parse(pattern)
        .map(|_| panic!("{pattern} should be refused"))
        .unwrap_err()
        .reason()
        .to_string()
}

fn ec2_event() -> Value {
    json!({
        "version": "0",
        "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
        "detail-type": "EC2 Instance State-change Notification",
        "source": "aws.ec2",
        "account": "012345679012",
        "time": "2017-10-02T16:24:49Z",
        "region": "us-east-1",
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
        "detail": {
            "c-count": 5,
            "d-count": 3,
            "x-limit": 301.8,
            "source-ip": "10.0.0.33",
            "instance-id": "i-000000aaaaaa00000",
            "state": "running"
        }
    })
}

#[test]
fn exact_values_and_lists_are_or() {
    let p = json!({"source": ["aws.ec2", "aws.fargate"]});
    assert!(hit(p.clone(), ec2_event()));
    assert!(!hit(p, json!({"source": "aws.s3"})));
    assert!(hit(
        json!({
            "detail-type": ["EC2 Instance State-change Notification"],
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
            "detail": {"state": ["initializing", "running"]}
        }),
        ec2_event()
    ));
    // Every field must match (AND).
    assert!(!hit(
        json!({"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}),
        ec2_event()
    ));
    // Case matters; strings never equal numbers.
    assert!(!hit(json!({"source": ["AWS.EC2"]}), ec2_event()));
    assert!(!hit(json!({"detail": {"c-count": ["5"]}}), ec2_event()));
    assert!(hit(json!({"detail": {"c-count": [5]}}), ec2_event()));
    assert!(hit(json!({"detail": {"c-count": [5.0]}}), ec2_event()));
}

#[test]
fn nested_fields_need_the_same_structure() {
    assert!(hit(json!({"detail": {"state": ["running"]}}), ec2_event()));
    assert!(!hit(json!({"state": ["running"]}), ec2_event()));
    assert!(!hit(
        json!({"detail": {"state": {"name": ["running"]}}}),
        ec2_event()
    ));
}

#[test]
fn null_and_empty_string_match_themselves() {
    let e = json!({"detail": {"eventVersion": "", "responseElements": null}});
    assert!(hit(
        json!({"detail": {"responseElements": [null]}}),
        e.clone()
    ));
    assert!(hit(json!({"detail": {"eventVersion": [""]}}), e.clone()));
    assert!(!hit(json!({"detail": {"eventVersion": [null]}}), e.clone()));
    assert!(!hit(json!({"detail": {"missing": [null]}}), e));
}

#[test]
fn prefix_and_suffix() {
    assert!(hit(
        json!({"time": [{"prefix": "2017-10-02"}]}),
        ec2_event()
    ));
    assert!(!hit(
        json!({"time": [{"prefix": "2017-10-03"}]}),
        ec2_event()
    ));
    assert!(hit(
        json!({"FileName": [{"suffix": ".png"}]}),
        json!({"FileName": "cat.png"})
    ));
    assert!(!hit(
        json!({"FileName": [{"suffix": ".png"}]}),
        json!({"FileName": "cat.PNG"})
    ));
    assert!(hit(
        json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
        json!({"detail": {"service": "eventbridge"}})
    ));
    assert!(hit(
        json!({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
        json!({"detail": {"FileName": "CAT.PNG"}})
    ));
    // Only strings: a number never has a prefix.
    assert!(!hit(json!({"n": [{"prefix": "5"}]}), json!({"n": 55})));
}

#[test]
fn equals_ignore_case() {
    assert!(hit(
        json!({"Name": [{"equals-ignore-case": "alice"}]}),
        json!({"Name": "ALICE"})
    ));
    assert!(!hit(
        json!({"Name": [{"equals-ignore-case": "alice"}]}),
        json!({"Name": "alice2"})
    ));
}

#[test]
fn wildcard() {
    let p = json!({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]});
    assert!(hit(
        p.clone(),
        json!({"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/orders"})
    ));
    assert!(!hit(
        p,
        json!({"EventBusArn": "arn:aws:events:us-west-2:123456789012:event-bus/orders"})
    ));
    assert!(hit(
        json!({"source": [{"wildcard": "Simple*Service"}]}),
        json!({"source": "SimpleQueueService"})
    ));
    assert!(hit(
        json!({"k": [{"wildcard": r"a\*b"}]}),
        json!({"k": "a*b"})
    ));
    assert!(!hit(
        json!({"k": [{"wildcard": r"a\*b"}]}),
        json!({"k": "axb"})
    ));
}

#[test]
fn anything_but() {
    let p = |x: Value| json!({"detail": {"state": [{"anything-but": x}]}});
    assert!(hit(p(json!("initializing")), ec2_event()));
    assert!(!hit(p(json!("running")), ec2_event()));
    assert!(hit(p(json!(["stopped", "overloaded"])), ec2_event()));
    assert!(!hit(p(json!(["stopped", "running"])), ec2_event()));
    assert!(hit(p(json!({"prefix": "init"})), ec2_event()));
    assert!(!hit(p(json!({"prefix": "run"})), ec2_event()));
    assert!(!hit(p(json!({"suffix": "ing"})), ec2_event()));
    assert!(!hit(
        p(json!({"equals-ignore-case": "RUNNING"})),
        ec2_event()
    ));
    assert!(hit(
        p(json!({"equals-ignore-case": ["STOPPED", "PENDING"]})),
        ec2_event()
    ));
    assert!(!hit(p(json!({"wildcard": "r*g"})), ec2_event()));
    assert!(hit(
        json!({"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}),
        json!({"FilePath": "/usr/bin/ls"})
    ));
    let n = |x: Value| json!({"detail": {"x-limit": [{"anything-but": x}]}});
    assert!(hit(n(json!(123)), ec2_event()));
    assert!(!hit(n(json!(301.8)), ec2_event()));
    assert!(hit(n(json!([100, 200, 300])), ec2_event()));
    // anything-but needs the field to be there.
    assert!(!hit(
        json!({"detail": {"nope": [{"anything-but": "x"}]}}),
        ec2_event()
    ));
    // An array matches when any element is not excluded.
    assert!(hit(
        json!({"state": [{"anything-but": "a"}]}),
        json!({"state": ["a", "b"]})
    ));
    assert!(!hit(
        json!({"state": [{"anything-but": "a"}]}),
        json!({"state": ["a"]})
    ));
}

#[test]
fn numeric_ranges() {
    let p = json!({"detail": {
        "c-count": [{"numeric": [">", 0, "<=", 5]}],
        "d-count": [{"numeric": ["<", 10]}],
        "x-limit": [{"numeric": ["=", 3.018e2]}]
    }});
    assert!(hit(p, ec2_event()));
    let one = |spec: Value, v: Value| hit(json!({"n": [{"numeric": spec}]}), json!({"n": v}));
    assert!(one(json!([">=", 5]), json!(5)));
    assert!(!one(json!([">", 5]), json!(5)));
    assert!(one(json!([">", 5]), json!(5.000001)));
    assert!(
        !one(json!([">", 5]), json!(5.0000001)),
        "six decimal places"
    );
    assert!(
        !one(json!(["<", 0]), json!("-1")),
        "strings are not numbers"
    );
    assert!(one(json!(["<", 0]), json!([3, -1])));
    assert!(!one(json!([">", 0]), json!(6e9)), "outside [-5e9, 5e9]");
    // SNS guide: price_usd = 301.5 matches 3.015e2.
    assert!(one(json!(["=", 301.5]), json!(3.015e2)));
}

#[test]
fn ip_addresses() {
    assert!(hit(
        json!({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}),
        ec2_event()
    ));
    assert!(!hit(
        json!({"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}),
        ec2_event()
    ));
    assert!(hit(
        json!({"ip": [{"cidr": "2001:db8::/32"}]}),
        json!({"ip": "2001:db8:0:0:0:0:0:1"})
    ));
    // An exact IP matches other spellings of the same address.
    assert!(hit(
        json!({"ip": ["2001:db8::1"]}),
        json!({"ip": "2001:DB8:0:0:0:0:0:1"})
    ));
}

#[test]
fn exists_only_sees_leaves() {
    let absent = json!({"detail": {"c-count": [{"exists": false}]}});
    let e1 = json!({"detail": {"state": ["initializing", "running"]}});
    let e2 = json!({"detail": {"state": ["initializing", "running"], "c-count": {"c1": 100}}});
    assert!(hit(absent.clone(), e1.clone()));
    assert!(hit(absent.clone(), e2.clone()), "c-count is not a leaf");
    assert!(!hit(absent, ec2_event()));
    let present = json!({"detail": {"c-count": [{"exists": true}]}});
    assert!(hit(present.clone(), ec2_event()));
    assert!(!hit(present.clone(), e2));
    assert!(hit(present, json!({"detail": {"c-count": null}})));
}

#[test]
fn or_across_fields() {
    let p = json!({
        "source": ["aws.cloudwatch"],
        "$or": [
            {"metricName": ["CPUUtilization", "ReadLatency"]},
            {"metricType": ["MetricType"], "namespace": ["AWS/EC2", "AWS/ES"]},
            {"scope": ["Service"]}
        ]
    });
    assert!(hit(
        p.clone(),
        json!({"source": "aws.cloudwatch", "metricName": "ReadLatency"})
    ));
    assert!(hit(
        p.clone(),
        json!({"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/ES"})
    ));
    assert!(!hit(
        p.clone(),
        json!({"source": "aws.cloudwatch", "metricType": "MetricType"})
    ));
    assert!(!hit(p, json!({"source": "aws.ec2", "scope": "Service"})));
    let nested = json!({"detail": {"$or": [
        {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
        {"d-count": [{"numeric": ["<", 10]}]}
    ]}});
    assert!(hit(nested, ec2_event()));
}

#[test]
fn arrays_in_events_match_any_element() {
    // User Guide, "Arrays in event patterns".
    let e = json!({"resources": [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"
    ]});
    assert!(hit(
        json!({"resources": [
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:555555555555:instance/i-b188560f"
        ]}),
        e.clone()
    ));
    assert!(!hit(
        json!({"resources": ["arn:aws:ec2:us-east-1:555555555555:instance/i-b188560f"]}),
        e
    ));
    // Objects in arrays: fields of one nested pattern come from one element.
    let staff = json!({"employees": [
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Anna", "lastName": "Smith"},
        [{"firstName": "Peter", "lastName": "Jones"}]
    ]});
    assert!(hit(
        json!({"employees": {"firstName": ["Anna"]}}),
        staff.clone()
    ));
    assert!(hit(
        json!({"employees": {"firstName": ["Peter"], "lastName": ["Jones"]}}),
        staff.clone()
    ));
    assert!(!hit(
        json!({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}),
        staff
    ));
}

#[test]
fn large_account_numbers_compare_as_written() {
    assert!(hit(
        json!({"account": [123456789012u64]}),
        json!({"account": 123456789012u64})
    ));
    assert!(!hit(
        json!({"account": [123456789012u64]}),
        json!({"account": "123456789012"})
    ));
}

#[test]
fn structural_errors() {
    assert_eq!(reason(r#"["source"]"#), "Filter is not an object");
    assert_eq!(
        reason(r#"{"source": "aws.ec2"}"#),
        "\"source\" must be an object or an array"
    );
    assert_eq!(reason(r#"{"detail": {}}"#), "Empty objects are not allowed");
    assert_eq!(reason(r#"{"source": []}"#), "Empty arrays are not allowed");
    assert_eq!(
        reason(r#"{"source": [["a"]]}"#),
        "Match value must be String, number, true, false, or null"
    );
    assert_eq!(
        reason(r#"{"source": [{}]}"#),
        "Match expression name not found"
    );
    assert_eq!(
        reason(r#"{"source": [{"contains": "x"}]}"#),
        "Unrecognized match type contains"
    );
    assert_eq!(
        reason(r#"{"source": [{"prefix": "a", "suffix": "b"}]}"#),
        "Only one key allowed in match expression"
    );
    assert_eq!(
        reason(r#"{"source": [{"prefix": 5}]}"#),
        "prefix match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"source": [{"suffix": null}]}"#),
        "suffix match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"source": [{"prefix": {"x": "a"}}]}"#),
        "Unsupported prefix pattern: x"
    );
    assert_eq!(
        reason(r#"{"source": [{"suffix": {}}]}"#),
        "Suffix expression name not found"
    );
    assert_eq!(
        reason(r#"{"source": [{"exactly": 1}]}"#),
        "exact match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"source": [{"equals-ignore-case": ["a"]}]}"#),
        "equals-ignore-case match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"source": [{"exists": "yes"}]}"#),
        "exists match pattern must be either true or false."
    );
}

#[test]
fn numeric_errors() {
    let r = |spec: &str| reason(&format!(r#"{{"n": [{{"numeric": {spec}}}]}}"#));
    assert_eq!(r("5"), "Value of numeric must be an array.");
    assert_eq!(r("[]"), "Invalid member in numeric match: ]");
    assert_eq!(r("[5]"), "Invalid member in numeric match: 5");
    assert_eq!(r(r#"["!=", 5]"#), "Unrecognized numeric range operator: !=");
    assert_eq!(r(r#"["=", "5"]"#), "Value of equals must be numeric");
    assert_eq!(r(r#"[">", "5"]"#), "Value of > must be numeric");
    assert_eq!(
        r(r#"["=", 5, "<", 6]"#),
        "Too many elements in numeric expression"
    );
    assert_eq!(
        r(r#"["<", 5, ">", 1]"#),
        "Too many elements in numeric expression"
    );
    assert_eq!(r(r#"[">", 5, 6]"#), "Bad value in numeric range: 6");
    assert_eq!(r(r#"[">", 5, ">", 6]"#), "Bad numeric range operator: >");
    assert_eq!(r(r#"[">", 5, "<", "6"]"#), "Value of < must be numeric");
    assert_eq!(
        r(r#"[">", 5, "<", 6, 7]"#),
        "Too many terms in numeric range expression"
    );
    assert_eq!(r(r#"[">", 5, "<", 5]"#), "Bottom must be less than top");
    assert_eq!(
        r(r#"[">", 6e9]"#),
        "Value must be between -5.0E9 and 5.0E9, inclusive"
    );
}

#[test]
fn anything_but_errors() {
    let r = |op: &str| reason(&format!(r#"{{"n": [{{"anything-but": {op}}}]}}"#));
    assert_eq!(
        r("true"),
        "Value of anything-but must be an array or single string/number value."
    );
    assert_eq!(
        r(r#"["a", 1]"#),
        "Inside anything but list, either all values are number or string, mixed type is not supported"
    );
    assert_eq!(
        r("[]"),
        "Inside anything but list, either all values are number or string, mixed type is not supported"
    );
    assert_eq!(
        r(r#"["a", null]"#),
        "Inside anything but list, start|null|boolean is not supported."
    );
    assert_eq!(
        r(r#"{"numeric": [">", 1]}"#),
        "Unsupported anything-but pattern: numeric"
    );
    assert_eq!(r("{}"), "Anything-But expression name not found");
    assert_eq!(r(r#"{"prefix": ""}"#), "Null prefix/suffix not allowed");
    assert_eq!(
        r(r#"{"suffix": 5}"#),
        "prefix/suffix match pattern must be a string"
    );
    assert_eq!(
        r(r#"{"equals-ignore-case": [5]}"#),
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
    );
    assert_eq!(
        r(r#"{"wildcard": 5}"#),
        "wildcard match pattern must be a string"
    );
    assert_eq!(
        r(r#""a", "b": 1"#),
        "Too many elements in numeric expression"
    );
}

#[test]
fn wildcard_cidr_and_or_errors() {
    assert_eq!(
        reason(r#"{"k": [{"wildcard": "a**b"}]}"#),
        "Consecutive wildcard characters at pos 2"
    );
    assert_eq!(
        reason(r#"{"k": [{"wildcard": "a\\b"}]}"#),
        "Invalid escape character at pos 2"
    );
    assert_eq!(
        reason(r#"{"k": [{"wildcard": 1}]}"#),
        "wildcard match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"k": [{"cidr": 1}]}"#),
        "prefix match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"k": [{"cidr": "10.0.0.1"}]}"#),
        "Malformed CIDR, one '/' required"
    );
    assert_eq!(
        reason(r#"{"$or": {"a": ["b"]}}"#),
        "It must be an Array followed with $or."
    );
    assert_eq!(
        reason(r#"{"$or": [{"a": ["b"]}]}"#),
        "There must have at least 2 Objects in $or relationship."
    );
    assert_eq!(
        reason(r#"{"$or": [{"a": ["b"]}, "c"]}"#),
        "Only JSON object is allowed in array of $or relationship."
    );
    assert_eq!(
        reason(r#"{"$or": [{"a": ["b"]}, {"numeric": ["c"]}]}"#),
        "numeric is Ruler reserved fieldName which cannot be used inside $or."
    );
}

#[test]
fn errors_name_the_place_like_aws() {
    let e = Pattern::parse("{\n  \"source\": \"aws.ec2\"\n}").unwrap_err();
    assert_eq!(e.position().0, 2);
    let msg = e.eventbridge_message();
    assert!(
        msg.starts_with("Event pattern is not valid. Reason: \"source\" must be an object or an array\n at [Source: (String)\"{"),
        "{msg}"
    );
    assert!(msg.ends_with("line: 2, column: 22]"), "{msg}");
    let e = Pattern::parse(r#"{"source": ["a",]}"#).unwrap_err();
    assert!(
        e.reason().starts_with("Unexpected character (']'"),
        "{}",
        e.reason()
    );
}

#[test]
fn duplicate_keys_keep_the_last() {
    let p = Pattern::parse(r#"{"a": ["x"], "a": ["y"]}"#).unwrap();
    assert!(p.matches(&json!({"a": "y"})));
    assert!(!p.matches(&json!({"a": "x"})));
    assert_eq!(p.as_value(), &json!({"a": ["y"]}));
}

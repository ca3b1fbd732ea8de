//! Properties of the event-pattern engine: the compiled matcher agrees with
//! the naive interpreter on every valid pattern, a `PatternSet` finds exactly
//! the patterns that match one at a time, and no input text makes the
//! parser panic.

use cloudlab::pattern::{Pattern, PatternSet, naive};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const STRINGS: &[&str] = &[
    "",
    "a",
    "ab",
    "abc",
    "A",
    "AB",
    "Abc",
    "b.png",
    "x*y",
    "10.0.0.1",
    "010.0.0.1",
    "10.0.1.5",
    "2001:db8::1",
    "2001:DB8:0::1",
    "ÉTÉ",
    "été",
];
const NUMBERS: &[f64] = &[
    -1.0,
    0.0,
    1.0,
    1.5,
    5.0,
    5.0000001,
    100.0,
    6e9,
    123456789012.0,
];
const KEYS: &[&str] = &["a", "b", "detail"];
const WILDCARDS: &[&str] = &["a*", "*b", "a*c", "*", "A*", r"x\*y", "*.png", "10.*"];

fn string() -> impl Strategy<Value = String> {
    prop::sample::select(STRINGS).prop_map(String::from)
}

fn number() -> impl Strategy<Value = Value> {
    prop::sample::select(NUMBERS).prop_map(|f| {
        if f.fract() == 0.0 && f.abs() < 1e15 {
            json!(f as i64)
        } else {
            json!(f)
        }
    })
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => string().prop_map(Value::String),
        3 => number(),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
    ]
}

/// Event values: scalars, arrays (also of objects) and objects.
fn event_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(KEYS), inner, 0..4).prop_map(|m| {
                Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

fn event() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(prop::sample::select(KEYS), event_value(), 0..4)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

fn numeric_spec() -> impl Strategy<Value = Value> {
    let n = || prop::sample::select(&[-1.0, 0.0, 1.0, 1.5, 5.0, 100.0][..]);
    prop_oneof![
        (prop::sample::select(&["=", ">", ">=", "<", "<="][..]), n())
            .prop_map(|(op, v)| json!([op, v])),
        (
            prop::sample::select(&[">", ">="][..]),
            n(),
            prop::sample::select(&["<", "<="][..]),
            n()
        )
            .prop_filter("bottom < top", |(_, a, _, b)| a < b)
            .prop_map(|(o1, a, o2, b)| json!([o1, a, o2, b])),
    ]
}

fn nonempty_string() -> impl Strategy<Value = String> {
    string().prop_filter("non-empty", |s| !s.is_empty())
}

fn anything_but() -> impl Strategy<Value = Value> {
    let wild = || prop::sample::select(WILDCARDS).prop_map(String::from);
    prop_oneof![
        string().prop_map(Value::String),
        number().prop_filter("in range", |n| n.as_f64().unwrap().abs() <= 5e9),
        prop::collection::vec(string(), 1..3).prop_map(|v| json!(v)),
        prop::collection::vec(prop::sample::select(&[0, 1, 5, 100][..]), 1..3)
            .prop_map(|v| json!(v)),
        nonempty_string().prop_map(|s| json!({"prefix": s})),
        prop::collection::vec(nonempty_string(), 1..3).prop_map(|s| json!({"suffix": s})),
        string().prop_map(|s| json!({"equals-ignore-case": s})),
        prop::collection::vec(string(), 1..3).prop_map(|s| json!({"equals-ignore-case": s})),
        wild().prop_map(|w| json!({"wildcard": w})),
    ]
}

/// One entry of a pattern field's list.
fn match_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => scalar(),
        1 => string().prop_map(|s| json!({"prefix": s})),
        1 => string().prop_map(|s| json!({"prefix": {"equals-ignore-case": s}})),
        1 => string().prop_map(|s| json!({"suffix": s})),
        1 => string().prop_map(|s| json!({"suffix": {"equals-ignore-case": s}})),
        1 => string().prop_map(|s| json!({"equals-ignore-case": s})),
        1 => string().prop_map(|s| json!({"exactly": s})),
        1 => prop::sample::select(WILDCARDS).prop_map(|w| json!({"wildcard": w})),
        2 => numeric_spec().prop_map(|n| json!({"numeric": n})),
        1 => prop::sample::select(&["10.0.0.0/24", "10.0.0.0/8", "2001:db8::/32"][..]).prop_map(|c| json!({"cidr": c})),
        1 => any::<bool>().prop_map(|b| json!({"exists": b})),
        2 => anything_but().prop_map(|a| json!({"anything-but": a})),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop::collection::vec(match_value(), 1..4).prop_map(Value::Array)
}

/// A pattern object; `$or` branches and nested objects down to `depth`.
fn pattern_object(depth: u32) -> BoxedStrategy<Value> {
    let fields = if depth == 0 {
        prop::collection::btree_map(prop::sample::select(KEYS), leaf(), 1..3).boxed()
    } else {
        let node = prop_oneof![3 => leaf(), 1 => pattern_object(depth - 1)];
        prop::collection::btree_map(prop::sample::select(KEYS), node, 1..3).boxed()
    };
    let or = if depth == 0 {
        Just(None).boxed()
    } else {
        prop::option::weighted(0.25, prop::collection::vec(pattern_object(depth - 1), 2..4)).boxed()
    };
    (fields, or)
        .prop_map(|(fields, or)| {
            let mut m: Map<String, Value> = fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            if let Some(branches) = or {
                m.insert("$or".into(), Value::Array(branches));
            }
            Value::Object(m)
        })
        .boxed()
}

/// A tiny deterministic generator for events derived from a pattern.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Strings and numbers a pattern mentions, so derived events hit and nearly miss.
fn operands(p: &Value, out: &mut Vec<Value>) {
    match p {
        Value::String(s) => {
            out.push(json!(s));
            out.push(json!(s.to_uppercase()));
            out.push(json!(format!("{s}x")));
            out.push(json!(format!("x{s}")));
            out.push(json!(s.replace('*', "zz").replace('\\', "")));
        }
        Value::Number(n) => {
            let f = n.as_f64().unwrap();
            out.push(json!(n));
            out.push(json!(f + 0.5));
            out.push(json!(f - 1.0));
        }
        Value::Array(items) => items.iter().for_each(|i| operands(i, out)),
        Value::Object(m) => m.values().for_each(|v| operands(v, out)),
        other => out.push(other.clone()),
    }
}

/// An event shaped like `pattern`, its leaves drawn from the pattern's own
/// operands and a few other scalars; fields sometimes missing or arrays.
fn event_for(pattern: &Value, dice: &mut Dice) -> Value {
    let mut out = Map::new();
    let Some(fields) = pattern.as_object() else {
        return Value::Object(out);
    };
    for (k, p) in fields {
        if k == "$or" {
            let branches = p.as_array().unwrap();
            let pick = &branches[dice.roll(branches.len())];
            if let Value::Object(extra) = event_for(pick, dice) {
                out.extend(extra);
            }
            continue;
        }
        if dice.roll(8) == 0 {
            continue;
        }
        let v = match p {
            Value::Object(_) => match dice.roll(4) {
                0 => json!([event_for(p, dice), event_for(p, dice)]),
                1 => json!("not an object"),
                _ => event_for(p, dice),
            },
            _ => {
                let mut pool = Vec::new();
                operands(p, &mut pool);
                pool.extend(STRINGS.iter().map(|s| json!(s)));
                pool.extend([json!(5), json!(null), json!(true)]);
                let shape = dice.roll(5);
                let mut one = || pool[dice.roll(pool.len())].clone();
                match shape {
                    0 => json!([one(), one()]),
                    1 => json!({"a": one()}),
                    _ => one(),
                }
            }
        };
        out.insert(k.clone(), v);
    }
    Value::Object(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn compiled_matcher_agrees_with_the_naive_interpreter(
        pattern in pattern_object(2),
        events in prop::collection::vec(event(), 1..4),
        seed in 1..u64::MAX,
    ) {
        let compiled = Pattern::from_value(&pattern)
            .unwrap_or_else(|e| panic!("generated pattern {pattern} refused: {e}"));
        prop_assert_eq!(compiled.as_value(), &pattern);
        let mut dice = Dice(seed);
        let derived = (0..12).map(|_| event_for(&pattern, &mut dice));
        for e in events.into_iter().chain(derived) {
            prop_assert_eq!(compiled.matches(&e), naive::matches(&pattern, &e), "pattern {} event {}", pattern, e);
        }
    }

    #[test]
    fn a_set_finds_what_one_at_a_time_finds(
        patterns in prop::collection::vec(pattern_object(1), 1..8),
        anchors in prop::collection::vec(prop::sample::select(&["a", "b", "1", "x"][..]), 8),
        events in prop::collection::vec(event(), 1..6),
        seed in 1..u64::MAX,
    ) {
        // Give most patterns an exact top-level field so the index is used.
        let patterns: Vec<Value> = patterns.into_iter().zip(&anchors).enumerate().map(|(i, (mut p, a))| {
            if i % 3 != 2 {
                p["b"] = json!([a]);
            }
            p
        }).collect();
        let mut set = PatternSet::new();
        for (i, p) in patterns.iter().enumerate() {
            set.insert(i, Pattern::from_value(p).unwrap());
        }
        let mut dice = Dice(seed);
        let derived: Vec<Value> = patterns.iter().map(|p| event_for(p, &mut dice)).collect();
        for e in events.iter().chain(&derived) {
            let expected: Vec<usize> = (0..patterns.len()).filter(|&i| naive::matches(&patterns[i], e)).collect();
            let got: Vec<usize> = set.matches(e).into_iter().copied().collect();
            prop_assert_eq!(got, expected, "event {}", e);
        }
    }

    #[test]
    fn the_parser_never_panics(text in "\\PC{0,60}") {
        let _ = Pattern::parse(&text);
    }

    #[test]
    fn the_parser_never_panics_on_json_shaped_text(
        text in prop::collection::vec(prop::sample::select(&[
            "{", "}", "[", "]", ",", ":", "\"a\"", "\"numeric\"", "\"anything-but\"", "\"prefix\"",
            "\"$or\"", "\"exists\"", "\"wildcard\"", "\"cidr\"", "\"equals-ignore-case\"", "\">\"",
            "\"<=\"", "1", "-2.5", "true", "null", "\"a**\"", "\"10.0.0.0/8\"", " ",
        ][..]), 0..30).prop_map(|t| t.concat())
    ) {
        if let Err(e) = Pattern::parse(&text) {
            prop_assert!(!e.reason().is_empty());
        }
    }
}

#[test]
fn replacing_and_removing_patterns_reindexes() {
    let mut set = PatternSet::new();
    set.insert(
        "r1",
        Pattern::from_value(&json!({"source": ["a"]})).unwrap(),
    );
    set.insert(
        "r2",
        Pattern::from_value(&json!({"source": ["b"]})).unwrap(),
    );
    assert_eq!(set.matches(&json!({"source": "a"})), vec![&"r1"]);
    set.insert(
        "r1",
        Pattern::from_value(&json!({"source": ["b"]})).unwrap(),
    );
    assert_eq!(set.matches(&json!({"source": "b"})), vec![&"r1", &"r2"]);
    assert!(set.matches(&json!({"source": "a"})).is_empty());
    set.remove(&"r1");
    assert_eq!(set.matches(&json!({"source": "b"})), vec![&"r2"]);
    assert_eq!(set.len(), 1);
}

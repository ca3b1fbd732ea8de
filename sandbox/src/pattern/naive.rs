//! The reference interpreter: matches a pattern given as plain JSON against an
//! event by walking both, re-reading every operator each time. Slow and
//! simple on purpose; the compiled matcher ([`super::Pattern`]) must agree
//! with it on every valid pattern (a property test checks this).
//!
//! The pattern is assumed valid ([`super::Pattern::parse`] checks that).
//!
//! ```
//! use cloudlab::pattern::naive;
//! use serde_json::json;
//! let pattern = json!({"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}});
//! assert!(naive::matches(&pattern, &json!({"source": "shop", "detail": {"total": 250}})));
//! assert!(!naive::matches(&pattern, &json!({"source": "shop", "detail": {"total": 50}})));
//! ```

use serde_json::{Map, Value};

use super::values::{Cidr, comparable, parse_ip};

/// Whether `event` matches `pattern` (both JSON; the pattern already valid).
pub fn matches(pattern: &Value, event: &Value) -> bool {
    object(pattern, event)
}

fn object(pattern: &Value, v: &Value) -> bool {
    let Some(fields) = pattern.as_object() else {
        return false;
    };
    fields.iter().all(|(key, p)| {
        if key == "$or" {
            return p
                .as_array()
                .is_some_and(|branches| branches.iter().any(|b| object(b, v)));
        }
        let child = v.as_object().and_then(|m| m.get(key));
        match p {
            Value::Array(alternatives) => field(alternatives, child),
            Value::Object(_) => {
                let mut objects = Vec::new();
                if let Some(c) = child {
                    collect_objects(c, &mut objects);
                }
                if objects.is_empty() {
                    object(p, &Value::Object(Map::new()))
                } else {
                    objects.iter().any(|o| object(p, o))
                }
            }
            _ => false,
        }
    })
}

fn collect_objects<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|x| collect_objects(x, out)),
        Value::Object(_) => out.push(v),
        _ => {}
    }
}

fn collect_scalars<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|x| collect_scalars(x, out)),
        Value::Object(_) => {}
        _ => out.push(v),
    }
}

fn field(alternatives: &[Value], child: Option<&Value>) -> bool {
    let mut scalars = Vec::new();
    if let Some(c) = child {
        collect_scalars(c, &mut scalars);
    }
    alternatives.iter().any(|alt| match alt {
        Value::Object(expr) => {
            let Some((op, arg)) = expr.iter().next() else {
                return false;
            };
            if op == "exists" {
                return arg.as_bool() == Some(!scalars.is_empty());
            }
            scalars.iter().any(|s| operator(op, arg, s))
        }
        literal => scalars.iter().any(|s| equal(literal, s)),
    })
}

/// Equality of a pattern literal and an event scalar, as AWS compares them.
fn equal(literal: &Value, s: &Value) -> bool {
    match (literal, s) {
        (Value::String(a), Value::String(b)) => {
            a == b || parse_ip(a).is_some_and(|ip| parse_ip(b) == Some(ip))
        }
        (Value::Number(a), Value::Number(b)) => same_number(a.as_f64(), b.as_f64()),
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

fn same_number(a: Option<f64>, b: Option<f64>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    match (comparable(a), comparable(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn text_arg(arg: &Value) -> Option<&str> {
    arg.as_str()
}

fn operator(op: &str, arg: &Value, s: &Value) -> bool {
    let text = s.as_str();
    match op {
        "exactly" => text.is_some() && text == text_arg(arg),
        "prefix" | "suffix" => {
            let Some(t) = text else { return false };
            let (t, p) = match arg {
                Value::Object(m) => (
                    t.to_lowercase(),
                    m.values()
                        .next()
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_lowercase(),
                ),
                _ => (t.to_string(), arg.as_str().unwrap_or("").to_string()),
            };
            if op == "prefix" {
                t.starts_with(&p)
            } else {
                t.ends_with(&p)
            }
        }
        "equals-ignore-case" => {
            text.is_some_and(|t| t.to_lowercase() == arg.as_str().unwrap_or("").to_lowercase())
        }
        "wildcard" => text.is_some_and(|t| wildcard(arg.as_str().unwrap_or(""), t)),
        "numeric" => numeric(arg, s),
        "cidr" => {
            let net = arg.as_str().and_then(|c| Cidr::parse(c).ok());
            match (net, text.and_then(parse_ip)) {
                (Some(net), Some(ip)) => net.contains(ip),
                _ => false,
            }
        }
        "anything-but" => !excluded(arg, s),
        _ => false,
    }
}

/// Whether anything-but's operand excludes the scalar `s`.
fn excluded(arg: &Value, s: &Value) -> bool {
    match arg {
        Value::Array(items) => items.iter().any(|i| excluded(i, s)),
        Value::String(x) => s.as_str() == Some(x.as_str()),
        Value::Number(x) => match s {
            Value::Number(n) => {
                matches!((comparable(x.as_f64().unwrap_or(f64::NAN)), n.as_f64().and_then(comparable)), (Some(a), Some(b)) if a == b)
            }
            _ => false,
        },
        Value::Object(m) => {
            let Some((op, operand)) = m.iter().next() else {
                return false;
            };
            let Some(t) = s.as_str() else {
                return false;
            };
            let list: Vec<&str> = match operand {
                Value::Array(xs) => xs.iter().filter_map(Value::as_str).collect(),
                other => other.as_str().into_iter().collect(),
            };
            list.iter().any(|p| match op.as_str() {
                "prefix" => t.starts_with(p),
                "suffix" => t.ends_with(p),
                "equals-ignore-case" => t.to_lowercase() == p.to_lowercase(),
                "wildcard" => wildcard(p, t),
                _ => false,
            })
        }
        _ => false,
    }
}

fn numeric(arg: &Value, s: &Value) -> bool {
    let Some(k) = s.as_f64().filter(|_| s.is_number()).and_then(comparable) else {
        return false;
    };
    let Some(ops) = arg.as_array() else {
        return false;
    };
    ops.chunks(2).all(|pair| {
        let (Some(op), Some(t)) = (pair[0].as_str(), pair.get(1).and_then(Value::as_f64)) else {
            return false;
        };
        let Some(t) = comparable(t) else {
            return false;
        };
        match op {
            "=" => k == t,
            ">" => k > t,
            ">=" => k >= t,
            "<" => k < t,
            "<=" => k <= t,
            _ => false,
        }
    })
}

/// Backtracking wildcard match: `*` is any run, `\*` and `\\` are literal.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') => (0..=t.len()).any(|i| go(&p[1..], &t[i..])),
            Some('\\') if p.len() > 1 => t.first() == Some(&p[1]) && go(&p[2..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_backtracks() {
        assert!(wildcard("a*b*c", "aXbYbZc"));
        assert!(!wildcard("a*b*c", "aXbYbZ"));
        assert!(wildcard(r"\**", "*x"));
        assert!(!wildcard(r"\**", "x*"));
    }
}

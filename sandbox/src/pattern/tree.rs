//! A compiled pattern: the pattern's object structure with every match
//! expression turned into a ready-to-run [`Matcher`] (numbers in comparable
//! form, case-folded text, split wildcards, hashed anything-but sets).
//!
//! Matching follows AWS: every named field must match (AND), any value in a
//! field's list may match (OR), `$or` picks one of its objects; arrays in the
//! event are flattened and match when any element does; fields of a nested
//! pattern object must all come from the same array element.

use std::collections::HashSet;

use serde_json::Value;

use super::values::{Cidr, Ip, comparable, parse_ip};

/// A pattern object: fields that must all match, and an optional `$or`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Obj {
    pub fields: Vec<(Box<str>, Node)>,
    /// `$or`: at least one of these must match the same object.
    pub or: Vec<Obj>,
}

/// What a field holds in a pattern: a list of match values or a nested object.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Leaf(Leaf),
    Obj(Obj),
}

/// A field's list of alternatives.
#[derive(Clone, Debug, Default)]
pub(crate) struct Leaf {
    pub exists_true: bool,
    pub exists_false: bool,
    pub matchers: Vec<Matcher>,
}

/// One compiled match expression, tried against one scalar of the event.
#[derive(Clone, Debug)]
pub(crate) enum Matcher {
    Str(Box<str>),
    /// A string that is an IP address: also matches other spellings of it.
    Ip(Box<str>, Ip),
    /// A number: comparable form (if in range) and the value.
    Num(Option<i64>, f64),
    Bool(bool),
    Null,
    Prefix(Box<str>),
    /// Lower-cased prefix.
    PrefixIc(Box<str>),
    Suffix(Box<str>),
    SuffixIc(Box<str>),
    EqIc(Box<str>),
    Wildcard(Glob),
    Numeric(Range),
    Cidr(Cidr),
    /// anything-but over strings (other scalars always pass).
    NotStrings(HashSet<Box<str>>),
    /// anything-but over numbers, in comparable form (other scalars always pass).
    NotNumbers(Vec<i64>),
    NotPrefix(Vec<Box<str>>),
    NotSuffix(Vec<Box<str>>),
    /// Lower-cased.
    NotEqIc(Vec<Box<str>>),
    NotWildcard(Vec<Glob>),
}

/// A numeric range on comparable numbers; bounds are (value, inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Range {
    pub low: Option<(i64, bool)>,
    pub high: Option<(i64, bool)>,
}

impl Range {
    fn contains(&self, k: i64) -> bool {
        let above = match self.low {
            Some((b, true)) => k >= b,
            Some((b, false)) => k > b,
            None => true,
        };
        let below = match self.high {
            Some((b, true)) => k <= b,
            Some((b, false)) => k < b,
            None => true,
        };
        above && below
    }
}

/// A wildcard pattern split at its `*`s (escapes already resolved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Glob {
    /// Literal pieces between stars; `parts.len() == stars + 1`.
    pub parts: Vec<String>,
}

impl Glob {
    /// Splits an already-validated wildcard operand.
    pub fn new(pattern: &str) -> Glob {
        let mut parts = vec![String::new()];
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => parts
                    .last_mut()
                    .expect("one part")
                    .push(chars.next().unwrap_or('\\')),
                '*' => parts.push(String::new()),
                c => parts.last_mut().expect("one part").push(c),
            }
        }
        Glob { parts }
    }

    /// Leftmost-greedy glob match: anchored first and last parts, the middle
    /// parts found in order.
    pub fn matches(&self, s: &str) -> bool {
        let n = self.parts.len();
        if n == 1 {
            return s == self.parts[0];
        }
        let (first, last) = (&self.parts[0], &self.parts[n - 1]);
        if s.len() < first.len() + last.len()
            || !s.starts_with(first.as_str())
            || !s.ends_with(last.as_str())
        {
            return false;
        }
        let mut rest = &s[first.len()..s.len() - last.len()];
        for part in &self.parts[1..n - 1] {
            match rest.find(part.as_str()) {
                Some(i) => rest = &rest[i + part.len()..],
                None => return false,
            }
        }
        true
    }
}

/// ASCII-fast case-insensitive equality (full Unicode lower-casing otherwise).
fn eq_ic(value: &str, lower: &str) -> bool {
    if value.is_ascii() && lower.is_ascii() {
        value.eq_ignore_ascii_case(lower)
    } else {
        value.to_lowercase() == lower
    }
}

fn prefix_ic(value: &str, lower: &str) -> bool {
    if value.is_ascii() && lower.is_ascii() {
        value.len() >= lower.len()
            && value.as_bytes()[..lower.len()].eq_ignore_ascii_case(lower.as_bytes())
    } else {
        value.to_lowercase().starts_with(lower)
    }
}

fn suffix_ic(value: &str, lower: &str) -> bool {
    if value.is_ascii() && lower.is_ascii() {
        value.len() >= lower.len()
            && value.as_bytes()[value.len() - lower.len()..].eq_ignore_ascii_case(lower.as_bytes())
    } else {
        value.to_lowercase().ends_with(lower)
    }
}

impl Matcher {
    /// Whether one event scalar (string, number, boolean or null) matches.
    pub fn matches(&self, v: &Value) -> bool {
        match (self, v) {
            (Matcher::Str(p), Value::String(s)) => **p == **s,
            (Matcher::Ip(p, ip), Value::String(s)) => **p == **s || parse_ip(s) == Some(*ip),
            (Matcher::Num(key, f), Value::Number(n)) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                match (key, comparable(x)) {
                    (Some(k), Some(x)) => *k == x,
                    _ => x == *f,
                }
            }
            (Matcher::Bool(b), Value::Bool(x)) => b == x,
            (Matcher::Null, Value::Null) => true,
            (Matcher::Prefix(p), Value::String(s)) => s.starts_with(&**p),
            (Matcher::PrefixIc(p), Value::String(s)) => prefix_ic(s, p),
            (Matcher::Suffix(p), Value::String(s)) => s.ends_with(&**p),
            (Matcher::SuffixIc(p), Value::String(s)) => suffix_ic(s, p),
            (Matcher::EqIc(p), Value::String(s)) => eq_ic(s, p),
            (Matcher::Wildcard(g), Value::String(s)) => g.matches(s),
            (Matcher::Numeric(r), Value::Number(n)) => n
                .as_f64()
                .and_then(comparable)
                .is_some_and(|k| r.contains(k)),
            (Matcher::Cidr(c), Value::String(s)) => parse_ip(s).is_some_and(|ip| c.contains(ip)),
            (Matcher::NotStrings(set), Value::String(s)) => !set.contains(s.as_str()),
            (Matcher::NotNumbers(keys), Value::Number(n)) => n
                .as_f64()
                .and_then(comparable)
                .is_none_or(|k| !keys.contains(&k)),
            (Matcher::NotPrefix(ps), Value::String(s)) => !ps.iter().any(|p| s.starts_with(&**p)),
            (Matcher::NotSuffix(ps), Value::String(s)) => !ps.iter().any(|p| s.ends_with(&**p)),
            (Matcher::NotEqIc(ps), Value::String(s)) => !ps.iter().any(|p| eq_ic(s, p)),
            (Matcher::NotWildcard(gs), Value::String(s)) => !gs.iter().any(|g| g.matches(s)),
            // anything-but passes every scalar that is not of the kind it excludes.
            (
                Matcher::NotStrings(_)
                | Matcher::NotNumbers(_)
                | Matcher::NotPrefix(_)
                | Matcher::NotSuffix(_)
                | Matcher::NotEqIc(_)
                | Matcher::NotWildcard(_),
                _,
            ) => true,
            _ => false,
        }
    }

    /// For indexing: the exact scalar this matcher accepts, if it accepts
    /// exactly one spelling of one value.
    pub fn exact_key(&self) -> Option<ValueKey> {
        match self {
            Matcher::Str(s) => Some(ValueKey::Str(s.to_string())),
            Matcher::Num(Some(k), _) => Some(ValueKey::Num(*k)),
            Matcher::Bool(b) => Some(ValueKey::Bool(*b)),
            Matcher::Null => Some(ValueKey::Null),
            _ => None,
        }
    }
}

/// A scalar as an index key (numbers in comparable form).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ValueKey {
    Str(String),
    Num(i64),
    Bool(bool),
    Null,
}

impl ValueKey {
    /// The key of an event scalar, if it has one.
    pub fn of(v: &Value) -> Option<ValueKey> {
        match v {
            Value::String(s) => Some(ValueKey::Str(s.clone())),
            Value::Number(n) => n.as_f64().and_then(comparable).map(ValueKey::Num),
            Value::Bool(b) => Some(ValueKey::Bool(*b)),
            Value::Null => Some(ValueKey::Null),
            _ => None,
        }
    }
}

/// A member of an event object: a scan for small objects (faster than
/// hashing the key), the map's index for large ones.
#[inline]
pub(crate) fn get<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= 16 {
        map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

/// Calls `f` on every scalar in `v`, flattening arrays at any depth; objects
/// hold no scalars. Stops at the first `true`.
pub(crate) fn any_scalar(v: &Value, f: &mut impl FnMut(&Value) -> bool) -> bool {
    match v {
        Value::Array(items) => items.iter().any(|x| any_scalar(x, f)),
        Value::Object(_) => false,
        scalar => f(scalar),
    }
}

/// Calls `f` on every object in `v`, flattening arrays at any depth.
fn any_object(v: &Value, f: &mut impl FnMut(&Value) -> bool) -> bool {
    match v {
        Value::Array(items) => items.iter().any(|x| any_object(x, f)),
        Value::Object(_) => f(v),
        _ => false,
    }
}

fn has_object(v: &Value) -> bool {
    any_object(v, &mut |_| true)
}

impl Leaf {
    /// Whether the field's value (absent: `None`) satisfies this list.
    pub fn matches(&self, field: Option<&Value>) -> bool {
        let Some(field) = field else {
            return self.exists_false;
        };
        if self.exists_true || self.exists_false {
            let exists = any_scalar(field, &mut |_| true);
            if (self.exists_true && exists) || (self.exists_false && !exists) {
                return true;
            }
        }
        any_scalar(field, &mut |s| self.matchers.iter().any(|m| m.matches(s)))
    }
}

impl Obj {
    /// Whether `v` (an object, or anything else, read as having no fields)
    /// matches every field and the `$or`.
    pub fn matches(&self, v: &Value) -> bool {
        let map = v.as_object();
        let field_ok = |(key, node): &(Box<str>, Node)| {
            let child = map.and_then(|m| get(m, key));
            match node {
                Node::Leaf(leaf) => leaf.matches(child),
                Node::Obj(sub) => match child {
                    Some(c) if has_object(c) => any_object(c, &mut |o| sub.matches(o)),
                    _ => sub.matches(&Value::Object(Default::default())),
                },
            }
        };
        self.fields.iter().all(field_ok)
            && (self.or.is_empty() || self.or.iter().any(|o| o.matches(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let g = Glob::new("Simple*Service");
        assert!(g.matches("SimpleQueueService"));
        assert!(g.matches("SimpleService"));
        assert!(!g.matches("SimpleServices"));
        let g = Glob::new("*/lib/*");
        assert!(g.matches("/usr/lib/x"));
        assert!(!g.matches("/usr/bin/x"));
        let g = Glob::new(r"a\*b");
        assert!(g.matches("a*b"));
        assert!(!g.matches("axb"));
        let g = Glob::new("a*a");
        assert!(!g.matches("a"));
        assert!(g.matches("aa"));
        assert!(Glob::new("*").matches(""));
    }

    #[test]
    fn case_folding() {
        assert!(eq_ic("EventBridge", "eventbridge"));
        assert!(prefix_ic("EVENTBRIDGE", "eventb"));
        assert!(suffix_ic("x.PNG", ".png"));
        assert!(eq_ic("ÉTÉ", "été"));
        assert!(!prefix_ic("ev", "eventb"));
    }
}

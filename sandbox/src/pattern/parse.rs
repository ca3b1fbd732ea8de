//! Reading and checking a pattern: JSON text to a compiled [`Obj`] tree (and
//! the same pattern as a `serde_json::Value`), refusing what AWS refuses with
//! the reason AWS's pattern compiler gives, in the order it finds them.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::json::{Located, Reader, Token};
use super::tree::{Glob, Leaf, Matcher, Node, Obj, Range};
use super::values::{Cidr, comparable, parse_ip};

/// Field names that cannot appear inside `$or` (the pattern language's own words).
pub const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

const OUT_OF_RANGE: &str = "Value must be between -5.0E9 and 5.0E9, inclusive";
const ONE_KEY: &str = "Only one key allowed in match expression";
const TOO_MANY: &str = "Too many elements in numeric expression";

/// A parsed pattern: the compiled tree and the pattern as JSON.
pub(crate) struct Parsed {
    pub root: Obj,
    pub value: Value,
}

/// Parses and checks pattern text.
pub(crate) fn parse(text: &str) -> Result<Parsed, Located> {
    let mut p = Parser {
        r: Reader::new(text),
    };
    let (root, value) = match p.r.next_token()? {
        Some(Token::StartObject) => p.object(false)?,
        _ => return Err(p.r.error("Filter is not an object")),
    };
    if p.r.next_token()?.is_some() {
        return Err(p.r.error("Unexpected content after the pattern object"));
    }
    Ok(Parsed { root, value })
}

struct Parser<'a> {
    r: Reader<'a>,
}

/// What a single-operator anything-but applies to.
#[derive(Clone, Copy, PartialEq)]
enum Set {
    IgnoreCase,
    Prefix,
    Suffix,
    Wildcard,
}

impl Set {
    fn wrong_type(self) -> &'static str {
        match self {
            Set::IgnoreCase => {
                "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
            }
            Set::Wildcard => "wildcard match pattern must be a string",
            Set::Prefix | Set::Suffix => "prefix/suffix match pattern must be a string",
        }
    }
}

impl Parser<'_> {
    fn next(&mut self) -> Result<Token, Located> {
        match self.r.next_token()? {
            Some(t) => Ok(t),
            None => Err(self.r.error("Unexpected end-of-input")),
        }
    }

    fn fail<T>(&self, reason: impl Into<String>) -> Result<T, Located> {
        Err(self.r.error(reason))
    }

    fn expect_end_object(&mut self, reason: &str) -> Result<(), Located> {
        match self.next()? {
            Token::EndObject => Ok(()),
            _ => self.fail(reason),
        }
    }

    /// An object's members, after its `{`.
    fn object(&mut self, in_or: bool) -> Result<(Obj, Value), Located> {
        let mut obj = Obj::default();
        let mut map = Map::new();
        let mut any = false;
        loop {
            let name = match self.next()? {
                Token::EndObject => break,
                Token::Name(n) => n,
                other => return self.fail(format!("Unexpected token {}", other.text())),
            };
            any = true;
            if name == "$or" {
                let (branches, values) = self.or()?;
                obj.or = branches;
                map.insert(name, Value::Array(values));
                continue;
            }
            if in_or && RESERVED_IN_OR.contains(&name.as_str()) {
                return self.fail(format!(
                    "{name} is Ruler reserved fieldName which cannot be used inside $or."
                ));
            }
            let (node, value) = match self.next()? {
                Token::StartObject => {
                    let (o, v) = self.object(in_or)?;
                    (Node::Obj(o), v)
                }
                Token::StartArray => {
                    let (l, v) = self.leaf()?;
                    (Node::Leaf(l), v)
                }
                _ => return self.fail(format!("\"{name}\" must be an object or an array")),
            };
            match obj.fields.iter_mut().find(|(k, _)| **k == *name) {
                Some(slot) => slot.1 = node,
                None => obj.fields.push((name.clone().into_boxed_str(), node)),
            }
            map.insert(name, value);
        }
        if !any {
            return self.fail("Empty objects are not allowed");
        }
        Ok((obj, Value::Object(map)))
    }

    /// `$or`'s array of at least two objects.
    fn or(&mut self) -> Result<(Vec<Obj>, Vec<Value>), Located> {
        if self.next()? != Token::StartArray {
            return self.fail("It must be an Array followed with $or.");
        }
        let (mut branches, mut values) = (Vec::new(), Vec::new());
        loop {
            match self.next()? {
                Token::EndArray => break,
                Token::StartObject => {
                    let (o, v) = self.object(true)?;
                    branches.push(o);
                    values.push(v);
                }
                _ => return self.fail("Only JSON object is allowed in array of $or relationship."),
            }
        }
        if branches.len() < 2 {
            return self.fail("There must have at least 2 Objects in $or relationship.");
        }
        Ok((branches, values))
    }

    /// A field's list of match values, after its `[`.
    fn leaf(&mut self) -> Result<(Leaf, Value), Located> {
        let mut leaf = Leaf::default();
        let mut values = Vec::new();
        loop {
            let t = self.next()?;
            let value = match &t {
                Token::EndArray => break,
                Token::StartObject => self.expression(&mut leaf)?,
                Token::Str(s) => {
                    leaf.matchers.push(match parse_ip(s) {
                        Some(ip) => Matcher::Ip(s.as_str().into(), ip),
                        None => Matcher::Str(s.as_str().into()),
                    });
                    Value::String(s.clone())
                }
                Token::Num(text) => {
                    let f: f64 = text.parse().unwrap_or(f64::NAN);
                    leaf.matchers.push(Matcher::Num(comparable(f), f));
                    number_value(text)
                }
                Token::True | Token::False => {
                    let b = t == Token::True;
                    leaf.matchers.push(Matcher::Bool(b));
                    Value::Bool(b)
                }
                Token::Null => {
                    leaf.matchers.push(Matcher::Null);
                    Value::Null
                }
                _ => return self.fail("Match value must be String, number, true, false, or null"),
            };
            values.push(value);
        }
        if values.is_empty() {
            return self.fail("Empty arrays are not allowed");
        }
        Ok((leaf, Value::Array(values)))
    }

    /// One `{ "<operator>": ... }` match expression, after its `{`.
    fn expression(&mut self, leaf: &mut Leaf) -> Result<Value, Located> {
        let Token::Name(op) = self.next()? else {
            return self.fail("Match expression name not found");
        };
        let (matcher, operand) = match op.as_str() {
            "exactly" => {
                let s = self.string("exact match pattern must be a string")?;
                self.expect_end_object(ONE_KEY)?;
                (Matcher::Str(s.as_str().into()), Value::String(s))
            }
            "prefix" | "suffix" => self.affix(&op)?,
            "equals-ignore-case" => {
                let s = self.string("equals-ignore-case match pattern must be a string")?;
                self.expect_end_object(ONE_KEY)?;
                (Matcher::EqIc(s.to_lowercase().into()), Value::String(s))
            }
            "wildcard" => {
                let s = self.string("wildcard match pattern must be a string")?;
                self.wildcard_check(&s)?;
                self.expect_end_object(ONE_KEY)?;
                (Matcher::Wildcard(Glob::new(&s)), Value::String(s))
            }
            "numeric" => {
                if self.next()? != Token::StartArray {
                    return self.fail("Value of numeric must be an array.");
                }
                let (range, v) = self.numeric()?;
                self.expect_end_object(TOO_MANY)?;
                (Matcher::Numeric(range), v)
            }
            "cidr" => {
                let s = self.string("prefix match pattern must be a string")?;
                let cidr = Cidr::parse(&s).or_else(|e| self.fail(e))?;
                self.expect_end_object(ONE_KEY)?;
                (Matcher::Cidr(cidr), Value::String(s))
            }
            "exists" => {
                let b = match self.next()? {
                    Token::True => true,
                    Token::False => false,
                    _ => return self.fail("exists match pattern must be either true or false."),
                };
                self.expect_end_object(ONE_KEY)?;
                if b {
                    leaf.exists_true = true;
                } else {
                    leaf.exists_false = true;
                }
                return Ok(single(&op, Value::Bool(b)));
            }
            "anything-but" => self.anything_but()?,
            other => return self.fail(format!("Unrecognized match type {other}")),
        };
        leaf.matchers.push(matcher);
        Ok(single(&op, operand))
    }

    fn string(&mut self, reason: &str) -> Result<String, Located> {
        match self.next()? {
            Token::Str(s) => Ok(s),
            _ => self.fail(reason),
        }
    }

    /// `prefix` / `suffix`: a string, or `{"equals-ignore-case": "..."}`.
    fn affix(&mut self, op: &str) -> Result<(Matcher, Value), Located> {
        let prefix = op == "prefix";
        match self.next()? {
            Token::Str(s) => {
                self.expect_end_object(ONE_KEY)?;
                let m = if prefix {
                    Matcher::Prefix(s.as_str().into())
                } else {
                    Matcher::Suffix(s.as_str().into())
                };
                Ok((m, Value::String(s)))
            }
            Token::StartObject => {
                let title = if prefix { "Prefix" } else { "Suffix" };
                let Token::Name(inner) = self.next()? else {
                    return self.fail(format!("{title} expression name not found"));
                };
                if inner != "equals-ignore-case" {
                    return self.fail(format!("Unsupported {op} pattern: {inner}"));
                }
                let s = self.string("equals-ignore-case match pattern must be a string")?;
                self.expect_end_object(ONE_KEY)?;
                self.expect_end_object(ONE_KEY)?;
                let lower: Box<str> = s.to_lowercase().into();
                let m = if prefix {
                    Matcher::PrefixIc(lower)
                } else {
                    Matcher::SuffixIc(lower)
                };
                Ok((m, single(&inner, Value::String(s))))
            }
            _ => self.fail(format!("{op} match pattern must be a string")),
        }
    }

    /// Wildcards: `*` matches anything; `\*` and `\\` are literal; no `**`.
    fn wildcard_check(&self, s: &str) -> Result<(), Located> {
        let chars: Vec<(usize, char)> = s.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (at, c) = chars[i];
            let pos = at + 1;
            match c {
                '\\' => {
                    if !matches!(chars.get(i + 1), Some((_, '*' | '\\'))) {
                        return self.fail(format!("Invalid escape character at pos {pos}"));
                    }
                    i += 2;
                    continue;
                }
                '*' if matches!(chars.get(i + 1), Some((_, '*'))) => {
                    return self.fail(format!("Consecutive wildcard characters at pos {pos}"));
                }
                _ => {}
            }
            i += 1;
        }
        Ok(())
    }

    /// A threshold number, in comparable form.
    fn threshold(&self, text: &str) -> Result<i64, Located> {
        let f: f64 = text.parse().unwrap_or(f64::NAN);
        comparable(f).map_or_else(|| self.fail(OUT_OF_RANGE), Ok)
    }

    /// `numeric`'s operands, after its `[`.
    fn numeric(&mut self) -> Result<(Range, Value), Located> {
        let op = match self.next()? {
            Token::Str(s) => s,
            other => {
                return self.fail(format!("Invalid member in numeric match: {}", other.text()));
            }
        };
        let t = self.next()?;
        let name = if op == "=" { "equals" } else { op.as_str() };
        if !matches!(op.as_str(), "=" | ">" | ">=" | "<" | "<=") {
            return self.fail(format!("Unrecognized numeric range operator: {op}"));
        }
        let Token::Num(text) = t else {
            return self.fail(format!("Value of {name} must be numeric"));
        };
        let mut operands = vec![Value::String(op.clone()), number_value(&text)];
        let range = match op.as_str() {
            "=" | "<" | "<=" => {
                if self.next()? != Token::EndArray {
                    return self.fail(TOO_MANY);
                }
                let k = self.threshold(&text)?;
                match op.as_str() {
                    "=" => Range {
                        low: Some((k, true)),
                        high: Some((k, true)),
                    },
                    "<" => Range {
                        low: None,
                        high: Some((k, false)),
                    },
                    _ => Range {
                        low: None,
                        high: Some((k, true)),
                    },
                }
            }
            _ => {
                let low_incl = op == ">=";
                match self.next()? {
                    Token::EndArray => Range {
                        low: Some((self.threshold(&text)?, low_incl)),
                        high: None,
                    },
                    t => {
                        let (range, top_op, top) = self.range_top(t, &text, low_incl)?;
                        operands.push(Value::String(top_op));
                        operands.push(number_value(&top));
                        range
                    }
                }
            }
        };
        Ok((range, Value::Array(operands)))
    }

    /// The upper half of `[">", a, "<", b]`: returns the range, the operator and its number.
    fn range_top(
        &mut self,
        t: Token,
        bottom: &str,
        low_incl: bool,
    ) -> Result<(Range, String, String), Located> {
        let Token::Str(op) = t else {
            return self.fail(format!("Bad value in numeric range: {}", t.text()));
        };
        if op != "<" && op != "<=" {
            return self.fail(format!("Bad numeric range operator: {op}"));
        }
        let Token::Num(top) = self.next()? else {
            return self.fail(format!("Value of {op} must be numeric"));
        };
        if self.next()? != Token::EndArray {
            return self.fail("Too many terms in numeric range expression");
        }
        let (lo, hi) = (self.threshold(bottom)?, self.threshold(&top)?);
        let (lo_f, hi_f): (f64, f64) = (bottom.parse().unwrap_or(0.0), top.parse().unwrap_or(0.0));
        if lo_f >= hi_f {
            return self.fail("Bottom must be less than top");
        }
        let range = Range {
            low: Some((lo, low_incl)),
            high: Some((hi, op == "<=")),
        };
        Ok((range, op, top))
    }

    /// `anything-but`'s operand, after its name.
    fn anything_but(&mut self) -> Result<(Matcher, Value), Located> {
        let mut t = self.next()?;
        let mut set = None;
        if t == Token::StartObject {
            let Token::Name(inner) = self.next()? else {
                return self.fail("Anything-But expression name not found");
            };
            set = Some((
                match inner.as_str() {
                    "equals-ignore-case" => Set::IgnoreCase,
                    "prefix" => Set::Prefix,
                    "suffix" => Set::Suffix,
                    "wildcard" => Set::Wildcard,
                    _ => return self.fail(format!("Unsupported anything-but pattern: {inner}")),
                },
                inner,
            ));
            t = self.next()?;
        }
        if !matches!(t, Token::StartArray | Token::Str(_) | Token::Num(_)) {
            return self
                .fail("Value of anything-but must be an array or single string/number value.");
        }
        let (matcher, operand) = match &set {
            None => self.anything_but_values(t)?,
            Some((kind, _)) => self.anything_but_set(t, *kind)?,
        };
        self.expect_end_object(TOO_MANY)?;
        let operand = match set {
            Some((_, inner)) => {
                self.expect_end_object(TOO_MANY)?;
                single(&inner, operand)
            }
            None => operand,
        };
        Ok((matcher, operand))
    }

    /// Plain anything-but: one string or number, or a list of only strings or only numbers.
    fn anything_but_values(&mut self, t: Token) -> Result<(Matcher, Value), Located> {
        let (mut strings, mut numbers, mut values) = (Vec::new(), Vec::new(), Vec::new());
        let mut push = |p: &Self, t: Token| -> Result<(), Located> {
            match t {
                Token::Str(s) => {
                    values.push(Value::String(s.clone()));
                    strings.push(s);
                }
                Token::Num(n) => {
                    numbers.push(p.threshold(&n)?);
                    values.push(number_value(&n));
                }
                _ => unreachable!("checked by the caller"),
            }
            Ok(())
        };
        let list = t == Token::StartArray;
        if list {
            loop {
                match self.next()? {
                    Token::EndArray => break,
                    t @ (Token::Str(_) | Token::Num(_)) => push(self, t)?,
                    _ => {
                        return self.fail(
                            "Inside anything but list, start|null|boolean is not supported.",
                        );
                    }
                }
            }
            if strings.is_empty() == numbers.is_empty() {
                return self.fail(
                    "Inside anything but list, either all values are number or string, mixed type is not supported",
                );
            }
        } else {
            push(self, t)?;
        }
        let matcher = if strings.is_empty() {
            Matcher::NotNumbers(numbers)
        } else {
            Matcher::NotStrings(
                strings
                    .into_iter()
                    .map(String::into_boxed_str)
                    .collect::<HashSet<_>>(),
            )
        };
        let operand = if list {
            Value::Array(values)
        } else {
            values.remove(0)
        };
        Ok((matcher, operand))
    }

    /// anything-but with equals-ignore-case / prefix / suffix / wildcard: strings only.
    fn anything_but_set(&mut self, t: Token, kind: Set) -> Result<(Matcher, Value), Located> {
        let mut items = Vec::new();
        let list = t == Token::StartArray;
        let take = |p: &Self, t: Token, items: &mut Vec<String>| -> Result<(), Located> {
            let Token::Str(s) = t else {
                return p.fail(kind.wrong_type());
            };
            if s.is_empty() && matches!(kind, Set::Prefix | Set::Suffix) {
                return p.fail("Null prefix/suffix not allowed");
            }
            items.push(s);
            Ok(())
        };
        if list {
            loop {
                match self.next()? {
                    Token::EndArray => break,
                    t => take(self, t, &mut items)?,
                }
            }
            if items.is_empty() {
                return self.fail("Empty arrays are not allowed");
            }
        } else {
            take(self, t, &mut items)?;
        }
        if kind == Set::Wildcard {
            for s in &items {
                self.wildcard_check(s)?;
            }
        }
        let boxed = |f: fn(&str) -> String| items.iter().map(|s| f(s).into_boxed_str()).collect();
        let matcher = match kind {
            Set::IgnoreCase => Matcher::NotEqIc(boxed(|s| s.to_lowercase())),
            Set::Prefix => Matcher::NotPrefix(boxed(str::to_string)),
            Set::Suffix => Matcher::NotSuffix(boxed(str::to_string)),
            Set::Wildcard => Matcher::NotWildcard(items.iter().map(|s| Glob::new(s)).collect()),
        };
        let operand = if list {
            Value::Array(items.into_iter().map(Value::String).collect())
        } else {
            Value::String(items.remove(0))
        };
        Ok((matcher, operand))
    }
}

/// `{ name: value }`.
fn single(name: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(name.to_string(), value);
    Value::Object(m)
}

/// A number token as a JSON value (integers stay integers).
fn number_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

//! Intrinsic functions: `States.Format('Hi {}', $.name)` and the rest of the
//! `States.*` family that JSONPath states may call in `.$` fields.
//!
//! Every function of the AWS Step Functions Developer Guide ("Intrinsic
//! functions") is here. `States.UUID` and `States.MathRandom` (without a seed)
//! draw from the account's seeded RNG, so executions repeat exactly.

use std::fmt;

use base64::Engine;
use serde_json::{Number, Value};

use super::path::{Path, Scope};
use crate::rng::SimRng;

/// The longest string `States.Base64Encode`, `Base64Decode` and `Hash` accept.
pub const MAX_STRING_ARG: usize = 10_000;
/// The most elements `States.ArrayRange` may produce.
pub const MAX_RANGE: usize = 1_000;

/// One argument of an intrinsic call.
#[derive(Clone, Debug)]
pub enum Arg {
    /// `'text'`
    Str(String),
    /// `42`, `-1.5`
    Num(Number),
    /// `true`, `false`
    Bool(bool),
    /// `null`
    Null,
    /// `$.x`, `$$.Execution.Id`, `$var`
    Path(Path),
    /// A nested call.
    Call(Box<Call>),
}

/// A call such as `States.Array($.a, 'b')`.
#[derive(Clone, Debug)]
pub struct Call {
    /// The function, as written after `States.`.
    pub name: Func,
    /// Its arguments.
    pub args: Vec<Arg>,
}

macro_rules! funcs {
    ($($v:ident = $s:literal),* $(,)?) => {
        /// The intrinsic functions.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Func { $(#[doc = $s] $v),* }
        impl Func {
            /// Every function, in the order the Developer Guide lists them.
            pub const ALL: &'static [Func] = &[$(Func::$v),*];
            /// The full name, `States.Format`.
            pub fn name(self) -> &'static str { match self { $(Func::$v => $s),* } }
            fn from_name(s: &str) -> Option<Func> { match s { $($s => Some(Func::$v),)* _ => None } }
        }
    };
}

funcs! {
    Array = "States.Array",
    ArrayPartition = "States.ArrayPartition",
    ArrayContains = "States.ArrayContains",
    ArrayRange = "States.ArrayRange",
    ArrayGetItem = "States.ArrayGetItem",
    ArrayLength = "States.ArrayLength",
    ArrayUnique = "States.ArrayUnique",
    Base64Encode = "States.Base64Encode",
    Base64Decode = "States.Base64Decode",
    Hash = "States.Hash",
    JsonMerge = "States.JsonMerge",
    StringToJson = "States.StringToJson",
    JsonToString = "States.JsonToString",
    MathRandom = "States.MathRandom",
    MathAdd = "States.MathAdd",
    StringSplit = "States.StringSplit",
    Uuid = "States.UUID",
    Format = "States.Format",
}

/// A syntax or evaluation problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntrinsicError(pub String);

impl fmt::Display for IntrinsicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, IntrinsicError> {
    Err(IntrinsicError(msg.into()))
}

/// True when `text` looks like an intrinsic call (starts with `States.`).
pub fn looks_like_call(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn call(&mut self) -> Result<Call, IntrinsicError> {
        self.ws();
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            self.i += 1;
        }
        let name = &self.s[start..self.i];
        let Some(func) = Func::from_name(name) else {
            return err(format!("'{name}' is not an intrinsic function"));
        };
        self.ws();
        if self.peek() != Some('(') {
            return err(format!("expected '(' after {name}"));
        }
        self.i += 1;
        let mut args = Vec::new();
        self.ws();
        if self.peek() == Some(')') {
            self.i += 1;
            return Ok(Call { name: func, args });
        }
        loop {
            args.push(self.arg()?);
            self.ws();
            match self.peek() {
                Some(',') => self.i += 1,
                Some(')') => {
                    self.i += 1;
                    return Ok(Call { name: func, args });
                }
                _ => return err(format!("expected ',' or ')' in {name}(...)")),
            }
        }
    }

    fn arg(&mut self) -> Result<Arg, IntrinsicError> {
        self.ws();
        let rest = &self.s[self.i..];
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => {
                let len = path_len(rest);
                let text = &rest[..len];
                self.i += len;
                Path::parse(text.trim_end())
                    .map(Arg::Path)
                    .map_err(|e| IntrinsicError(e.0))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let len = rest
                    .find(|c: char| {
                        !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
                    })
                    .unwrap_or(rest.len());
                self.i += len;
                match serde_json::from_str::<Number>(&rest[..len]) {
                    Ok(n) => Ok(Arg::Num(n)),
                    Err(_) => err(format!("'{}' is not a number", &rest[..len])),
                }
            }
            _ if rest.starts_with("true") => {
                self.i += 4;
                Ok(Arg::Bool(true))
            }
            _ if rest.starts_with("false") => {
                self.i += 5;
                Ok(Arg::Bool(false))
            }
            _ if rest.starts_with("null") => {
                self.i += 4;
                Ok(Arg::Null)
            }
            _ if rest.starts_with("States.") => Ok(Arg::Call(Box::new(self.call()?))),
            _ => err(format!(
                "unexpected '{}'",
                rest.chars().take(12).collect::<String>()
            )),
        }
    }

    /// A single-quoted string; `\'`, `\\`, `\{` and `\}` are kept escaped
    /// for `{` `}` (States.Format needs to tell them from placeholders).
    fn string(&mut self) -> Result<Arg, IntrinsicError> {
        self.i += 1;
        let mut out = String::new();
        let mut chars = self.s[self.i..].char_indices();
        while let Some((k, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, e @ ('{' | '}'))) => {
                        out.push('\\');
                        out.push(e);
                    }
                    Some((_, e)) => out.push(e),
                    None => break,
                },
                '\'' => {
                    self.i += k + 1;
                    return Ok(Arg::Str(out));
                }
                _ => out.push(c),
            }
        }
        err("unterminated string literal")
    }
}

/// Length of a path argument: up to a `,` or `)` outside brackets and quotes.
fn path_len(s: &str) -> usize {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '[' | '(' => depth += 1,
                ']' => depth -= 1,
                ')' if depth > 0 => depth -= 1,
                ',' | ')' if depth == 0 => return i,
                _ => {}
            },
        }
    }
    s.len()
}

/// Parses an intrinsic call, the whole string.
pub fn parse(text: &str) -> Result<Call, IntrinsicError> {
    let mut p = Parser { s: text, i: 0 };
    let call = p.call()?;
    p.ws();
    if p.i != text.len() {
        return err(format!(
            "unexpected text after the call: '{}'",
            &text[p.i..]
        ));
    }
    check_arity(&call)?;
    Ok(call)
}

fn check_arity(call: &Call) -> Result<(), IntrinsicError> {
    use Func::*;
    let n = call.args.len();
    let ok = match call.name {
        Array | Format => n >= 1 || call.name == Array,
        ArrayPartition | ArrayContains | ArrayGetItem | Hash | MathAdd | StringSplit => n == 2,
        ArrayRange | JsonMerge => n == 3,
        ArrayLength | ArrayUnique | Base64Encode | Base64Decode | StringToJson | JsonToString => {
            n == 1
        }
        MathRandom => n == 2 || n == 3,
        Uuid => n == 0,
    };
    if !ok {
        return err(format!(
            "{} does not take {n} argument{}",
            call.name.name(),
            if n == 1 { "" } else { "s" }
        ));
    }
    for a in &call.args {
        if let Arg::Call(c) = a {
            check_arity(c)?;
        }
    }
    Ok(())
}

impl Call {
    /// True when the call (or a nested one) reads the context object.
    pub fn uses_context(&self) -> bool {
        self.args.iter().any(|a| match a {
            Arg::Path(p) => p.uses_context(),
            Arg::Call(c) => c.uses_context(),
            _ => false,
        })
    }

    /// Evaluates the call.
    pub fn eval(&self, scope: &dyn Scope, rng: &mut SimRng) -> Result<Value, IntrinsicError> {
        let mut args = Vec::with_capacity(self.args.len());
        for a in &self.args {
            args.push(match a {
                Arg::Str(s) => Value::String(if self.name == Func::Format {
                    s.clone()
                } else {
                    unescape_braces(s)
                }),
                Arg::Num(n) => Value::Number(n.clone()),
                Arg::Bool(b) => Value::Bool(*b),
                Arg::Null => Value::Null,
                Arg::Path(p) => p.read(scope).ok_or_else(|| {
                    IntrinsicError(format!(
                        "The JSONPath '{}' could not be found in the input",
                        p.as_str()
                    ))
                })?,
                Arg::Call(c) => c.eval(scope, rng)?,
            });
        }
        apply(self.name, args, rng)
    }
}

fn unescape_braces(s: &str) -> String {
    s.replace("\\{", "{").replace("\\}", "}")
}

fn as_str(f: Func, v: &Value, what: &str) -> Result<String, IntrinsicError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => err(format!(
            "The {what} argument of {} must be a string, not {}",
            f.name(),
            crate::params::kind(other)
        )),
    }
}

fn as_array(f: Func, v: Value, what: &str) -> Result<Vec<Value>, IntrinsicError> {
    match v {
        Value::Array(a) => Ok(a),
        other => err(format!(
            "The {what} argument of {} must be an array, not {}",
            f.name(),
            crate::params::kind(&other)
        )),
    }
}

fn as_int(f: Func, v: &Value, what: &str) -> Result<i64, IntrinsicError> {
    match v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|x| x.fract() == 0.0 && x.abs() < 9e15)
            .map(|x| x as i64)
    }) {
        Some(n) => Ok(n),
        None => err(format!(
            "The {what} argument of {} must be an integer, not {v}",
            f.name()
        )),
    }
}

fn apply(f: Func, args: Vec<Value>, rng: &mut SimRng) -> Result<Value, IntrinsicError> {
    use Func::*;
    if f == Array {
        return Ok(Value::Array(args));
    }
    let mut it = args.into_iter();
    let mut next = || it.next().unwrap_or(Value::Null);
    match f {
        Array => Ok(Value::Array(it.collect())),
        Format => {
            let template = as_str(f, &next(), "first")?;
            format(&template, it.collect())
        }
        StringToJson => {
            let s = as_str(f, &next(), "first")?;
            serde_json::from_str(&s)
                .or_else(|e| err(format!("States.StringToJson could not parse '{s}': {e}")))
        }
        JsonToString => Ok(Value::String(next().to_string())),
        ArrayPartition => {
            let a = as_array(f, next(), "first")?;
            let n = as_int(f, &next(), "second")?;
            if n <= 0 {
                return err("The chunk size of States.ArrayPartition must be a positive integer");
            }
            Ok(Value::Array(
                a.chunks(n as usize)
                    .map(|c| Value::Array(c.to_vec()))
                    .collect(),
            ))
        }
        ArrayContains => {
            let a = as_array(f, next(), "first")?;
            let x = next();
            Ok(Value::Bool(a.contains(&x)))
        }
        ArrayRange => {
            let (s, e, st) = (next(), next(), next());
            let (s, e, st) = (
                as_int(f, &s, "first")?,
                as_int(f, &e, "second")?,
                as_int(f, &st, "third")?,
            );
            if st == 0 {
                return err("The step of States.ArrayRange must not be 0");
            }
            let mut out = Vec::new();
            let mut x = s;
            while (st > 0 && x <= e) || (st < 0 && x >= e) {
                if out.len() == MAX_RANGE {
                    return err(format!(
                        "States.ArrayRange may produce at most {MAX_RANGE} elements"
                    ));
                }
                out.push(Value::from(x));
                x += st;
            }
            Ok(Value::Array(out))
        }
        ArrayGetItem => {
            let a = as_array(f, next(), "first")?;
            let i = as_int(f, &next(), "second")?;
            usize::try_from(i)
                .ok()
                .and_then(|i| a.get(i).cloned())
                .ok_or_else(|| {
                    IntrinsicError(format!(
                        "Index {i} is out of bounds for an array of length {}",
                        a.len()
                    ))
                })
        }
        ArrayLength => Ok(Value::from(as_array(f, next(), "first")?.len())),
        ArrayUnique => {
            let a = as_array(f, next(), "first")?;
            let mut out: Vec<Value> = Vec::with_capacity(a.len());
            for v in a {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            Ok(Value::Array(out))
        }
        Base64Encode => {
            let s = limited(f, &next())?;
            Ok(Value::String(
                base64::engine::general_purpose::STANDARD.encode(s.as_bytes()),
            ))
        }
        Base64Decode => {
            let s = limited(f, &next())?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .or_else(|e| err(format!("States.Base64Decode: '{s}' is not base64 ({e})")))?;
            String::from_utf8(bytes)
                .map(Value::String)
                .or_else(|_| err("States.Base64Decode: the decoded bytes are not UTF-8"))
        }
        Hash => {
            let data = match next() {
                Value::String(s) => s,
                other => other.to_string(),
            };
            if data.chars().count() > MAX_STRING_ARG {
                return err(format!(
                    "The data argument of States.Hash must be at most {MAX_STRING_ARG} characters"
                ));
            }
            let algo = as_str(f, &next(), "second")?;
            hash(&algo, data.as_bytes()).map(Value::String)
        }
        JsonMerge => {
            let (a, b, deep) = (next(), next(), next());
            if deep != Value::Bool(false) {
                return err(
                    "States.JsonMerge supports only shallow merges: its third argument must be false",
                );
            }
            match (a, b) {
                (Value::Object(mut a), Value::Object(b)) => {
                    for (k, v) in b {
                        a.insert(k, v);
                    }
                    Ok(Value::Object(a))
                }
                _ => err("Both JSON arguments of States.JsonMerge must be objects"),
            }
        }
        MathRandom => {
            let (s, e, seed) = (next(), next(), next());
            let s = as_int(f, &s, "first")?;
            let e = as_int(f, &e, "second")?;
            if e <= s {
                return err("The end of States.MathRandom must be greater than its start");
            }
            let span = (e - s) as u64;
            let r = if seed.is_null() {
                rng.next_u64()
            } else {
                SimRng::new(as_int(f, &seed, "third")? as u64).next_u64()
            };
            Ok(Value::from(s + (r % span) as i64))
        }
        MathAdd => {
            let (a, b) = (next(), next());
            let a = as_int(f, &a, "first")?;
            let b = as_int(f, &b, "second")?;
            Ok(Value::from(a.saturating_add(b)))
        }
        StringSplit => {
            let s = as_str(f, &next(), "first")?;
            let d = as_str(f, &next(), "second")?;
            let parts: Vec<Value> = s
                .split(|c| d.contains(c))
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(p.to_string()))
                .collect();
            Ok(Value::Array(parts))
        }
        Uuid => Ok(Value::String(rng.uuid())),
    }
}

fn limited(f: Func, v: &Value) -> Result<String, IntrinsicError> {
    let s = as_str(f, v, "first")?;
    if s.chars().count() > MAX_STRING_ARG {
        return err(format!(
            "The argument of {} must be at most {MAX_STRING_ARG} characters",
            f.name()
        ));
    }
    Ok(s)
}

/// The hex digest of `data` with one of States.Hash's algorithms.
pub fn hash(algo: &str, data: &[u8]) -> Result<String, IntrinsicError> {
    use sha2::Digest;
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
    Ok(match algo {
        "MD5" => hex(&md5::Md5::digest(data)),
        "SHA-1" => hex(&sha1::Sha1::digest(data)),
        "SHA-256" => hex(&sha2::Sha256::digest(data)),
        "SHA-384" => hex(&sha2::Sha384::digest(data)),
        "SHA-512" => hex(&sha2::Sha512::digest(data)),
        other => {
            return err(format!(
                "'{other}' is not a States.Hash algorithm (MD5, SHA-1, SHA-256, SHA-384, SHA-512)"
            ));
        }
    })
}

fn format(template: &str, args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let mut out = String::new();
    let mut args = args.into_iter();
    let mut used = 0usize;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('{' | '}')) => {
                out.push(chars.next().unwrap_or('{'));
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                used += 1;
                match args.next() {
                    Some(Value::String(s)) => out.push_str(&s),
                    Some(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => {
                        out.push_str(&v.to_string())
                    }
                    Some(other) => {
                        return err(format!(
                            "States.Format cannot insert {} into a string",
                            crate::params::kind(&other)
                        ));
                    }
                    None => {
                        return err(
                            "The number of arguments of States.Format does not match the number of placeholders",
                        );
                    }
                }
            }
            _ => out.push(c),
        }
    }
    if args.next().is_some() {
        return err(format!(
            "The number of arguments of States.Format does not match the number of placeholders ({used})"
        ));
    }
    Ok(Value::String(out))
}

/// A map from a string to intrinsic helpers for tests and docs.
#[doc(hidden)]
pub fn eval_str(text: &str, input: &Value, rng: &mut SimRng) -> Result<Value, IntrinsicError> {
    parse(text)?.eval(&super::path::JustInput(input), rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(text: &str, input: Value) -> Result<Value, IntrinsicError> {
        eval_str(text, &input, &mut SimRng::new(1))
    }

    #[test]
    fn developer_guide_examples() {
        // Examples from the Step Functions Developer Guide, "Intrinsic functions".
        assert_eq!(
            ev(
                "States.Format('Hello, my name is {}.', $.name)",
                json!({"name": "Arnav"})
            )
            .unwrap(),
            json!("Hello, my name is Arnav.")
        );
        assert_eq!(
            ev(
                "States.StringToJson($.escapedJsonString)",
                json!({"escapedJsonString": "{\"foo\": \"bar\"}"})
            )
            .unwrap(),
            json!({"foo": "bar"})
        );
        assert_eq!(
            ev(
                "States.JsonToString($.unescapedJson)",
                json!({"unescapedJson": {"foo": "bar"}})
            )
            .unwrap(),
            json!("{\"foo\":\"bar\"}")
        );
        assert_eq!(
            ev(
                "States.Array('Foo', 2020, $.someJson, null)",
                json!({"someJson": {"random": "abcdefg"}})
            )
            .unwrap(),
            json!(["Foo", 2020, {"random": "abcdefg"}, null])
        );
        assert_eq!(
            ev(
                "States.ArrayPartition($.inputArray, 4)",
                json!({"inputArray": [1,2,3,4,5,6,7,8,9]})
            )
            .unwrap(),
            json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]])
        );
        assert_eq!(
            ev(
                "States.ArrayContains($.inputArray, $.lookingFor)",
                json!({"inputArray": [1,2,3,4,5,6,7,8,9], "lookingFor": 5})
            )
            .unwrap(),
            json!(true)
        );
        assert_eq!(
            ev("States.ArrayRange(1, 9, 2)", json!({})).unwrap(),
            json!([1, 3, 5, 7, 9])
        );
        assert_eq!(
            ev(
                "States.ArrayGetItem($.inputArray, $.index)",
                json!({"inputArray": [1,2,3,4,5,6,7,8,9], "index": 5})
            )
            .unwrap(),
            json!(6)
        );
        assert_eq!(
            ev("States.ArrayLength($.a)", json!({"a": [1,2,3]})).unwrap(),
            json!(3)
        );
        assert_eq!(
            ev("States.ArrayUnique($.a)", json!({"a": [1,2,3,3,3,3,3,3,4]})).unwrap(),
            json!([1, 2, 3, 4])
        );
        assert_eq!(
            ev(
                "States.Base64Encode($.input)",
                json!({"input": "Data to encode"})
            )
            .unwrap(),
            json!("RGF0YSB0byBlbmNvZGU=")
        );
        assert_eq!(
            ev(
                "States.Base64Decode($.base64)",
                json!({"base64": "RGF0YSB0byBlbmNvZGU="})
            )
            .unwrap(),
            json!("Data to encode")
        );
        assert_eq!(
            ev(
                "States.Hash($.Data, $.Algorithm)",
                json!({"Data": "input data", "Algorithm": "SHA-1"})
            )
            .unwrap(),
            json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
        );
        assert_eq!(
            ev(
                "States.JsonMerge($.json1, $.json2, false)",
                json!({
                    "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
                    "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}
                })
            )
            .unwrap(),
            json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3})
        );
        assert_eq!(
            ev(
                "States.MathAdd($.value1, $.step)",
                json!({"value1": 111, "step": -1})
            )
            .unwrap(),
            json!(110)
        );
        assert_eq!(
            ev(
                "States.StringSplit($.inputString, $.splitter)",
                json!({"inputString": "This.is+a,test=string", "splitter": ".+,="})
            )
            .unwrap(),
            json!(["This", "is", "a", "test", "string"])
        );
    }

    #[test]
    fn escapes_nesting_and_errors() {
        assert_eq!(
            ev("States.Format('\\{{}\\} it\\'s {}', 'a', 3)", json!({})).unwrap(),
            json!("{a} it's 3")
        );
        assert_eq!(
            ev("States.ArrayLength(States.Array(1, 2))", json!({})).unwrap(),
            json!(2)
        );
        assert!(ev("States.Format('{} {}', 'a')", json!({})).is_err());
        assert!(ev("States.JsonMerge($.a, $.a, true)", json!({"a": {}})).is_err());
        assert!(ev("States.Hash('x', 'CRC32')", json!({})).is_err());
        assert!(parse("States.Nope(1)").is_err());
        assert!(parse("States.UUID(1)").is_err());
        assert!(parse("States.Array(1, 2").is_err());
        assert!(ev("States.ArrayRange(1, 5000, 1)", json!({})).is_err());
    }

    #[test]
    fn random_and_uuid_follow_the_seed() {
        let a = ev("States.MathRandom(1, 1000)", json!({})).unwrap();
        assert_eq!(a, ev("States.MathRandom(1, 1000)", json!({})).unwrap());
        let seeded = ev("States.MathRandom(1, 1000, 7)", json!({})).unwrap();
        let n = seeded.as_i64().unwrap();
        assert!((1..1000).contains(&n));
        let u = ev("States.UUID()", json!({})).unwrap();
        assert_eq!(u.as_str().unwrap().len(), 36);
    }
}

//! A JSONata subset for `QueryLanguage: JSONata` states.
//!
//! No Rust JSONata crate fits the sandbox: the one maintained crate
//! (`jsonata-rs`) is an alpha that reads the wall clock and `thread_rng` in
//! `$now`, `$millis`, `$random` and `$uuid` and binds those natives *after*
//! user functions, so they cannot be replaced by deterministic ones. This
//! module implements the part of JSONata that the AWS Step Functions
//! Developer Guide's examples use:
//!
//! - literals, `[...]` arrays (with `a..b` ranges), `{...}` objects;
//! - paths `a.b.c` over objects and arrays (arrays are mapped and flattened),
//!   predicates `items[price > 10]`, `items[0]`, `items[-1]`;
//! - `$states` (`input`, `context`, `result`, `errorOutput`), workflow
//!   variables `$name`, `$` (the current item) and `$$` (the input);
//! - `+ - * / %`, `&`, `= != < <= > >=`, `and`, `or`, `in`, `? :`, `~>`,
//!   blocks `( a; b )`, bindings `$x := ...`, lambdas `function($x) {...}`;
//! - functions: `$count $sum $max $min $average $string $number $boolean
//!   $not $exists $length $substring $substringBefore $substringAfter
//!   $uppercase $lowercase $trim $contains $split $join $replace $keys
//!   $values $lookup $merge $append $reverse $sort $distinct $map $filter
//!   $reduce $abs $floor $ceil $round $power $sqrt $now $millis $type`, and
//!   Step Functions' own `$partition $range $hash $random $uuid $parse`.
//!
//! Not implemented (an expression using them fails to parse or evaluate
//! with a message saying so): regular expressions, the parent operator `%`,
//! `@`/`#` binding, wildcards `*`/`**`, function signatures, partial
//! application, `$eval`, date picture formatting (`$fromMillis` with a
//! picture), `$formatNumber`, `$each`, `$sift`, `$zip`, `$spread`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Number, Value};

use super::template::Ev;

/// A parse or evaluation error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonataError(pub String);

impl fmt::Display for JsonataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

type Res<T> = Result<T, JsonataError>;

fn fail<T>(msg: impl Into<String>) -> Res<T> {
    Err(JsonataError(msg.into()))
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Name(String),
    Var(String),
    Op(&'static str),
}

const OPS: &[&str] = &[
    ":=", "~>", "..", "!=", "<=", ">=", "(", ")", "[", "]", "{", "}", ",", ";", ":", "?", ".", "+",
    "-", "*", "/", "%", "&", "=", "<", ">", "$",
];

fn lex(src: &str) -> Res<Vec<Tok>> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if src[i..].starts_with("/*") {
            let end = src[i + 2..]
                .find("*/")
                .ok_or_else(|| JsonataError("unterminated comment".into()))?;
            i += end + 4;
            continue;
        }
        if c == '"' || c == '\'' {
            let mut s = String::new();
            let mut j = i + 1;
            let mut chars = src[j..].chars();
            loop {
                let Some(ch) = chars.next() else {
                    return fail("unterminated string literal");
                };
                j += ch.len_utf8();
                if ch == c {
                    break;
                }
                if ch == '\\' {
                    let Some(e) = chars.next() else {
                        return fail("unterminated string literal");
                    };
                    j += e.len_utf8();
                    s.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                } else {
                    s.push(ch);
                }
            }
            out.push(Tok::Str(s));
            i = j;
            continue;
        }
        if c == '`' {
            let end = src[i + 1..]
                .find('`')
                .ok_or_else(|| JsonataError("unterminated `name`".into()))?;
            out.push(Tok::Name(src[i + 1..i + 1 + end].to_string()));
            i += end + 2;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
                if b[j] == b'.' && (j + 1 >= b.len() || !b[j + 1].is_ascii_digit()) {
                    break;
                }
                j += 1;
            }
            if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
                j += 1;
                if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                    j += 1;
                }
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let n: f64 = src[i..j]
                .parse()
                .map_err(|_| JsonataError(format!("bad number {}", &src[i..j])))?;
            out.push(Tok::Num(n));
            i = j;
            continue;
        }
        if c == '$' {
            let mut j = i + 1;
            if j < b.len() && b[j] == b'$' {
                out.push(Tok::Var("$".into()));
                i = j + 1;
                continue;
            }
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            out.push(Tok::Var(src[i + 1..j].to_string()));
            i = j;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < b.len() && ((b[j] as char).is_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            out.push(Tok::Name(src[i..j].to_string()));
            i = j;
            continue;
        }
        match OPS.iter().find(|op| src[i..].starts_with(**op)) {
            Some(op) => {
                out.push(Tok::Op(op));
                i += op.len();
            }
            None => return fail(format!("unexpected character '{c}'")),
        }
    }
    Ok(out)
}

/// A parsed expression.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A literal.
    Lit(Value),
    /// A field of the context item.
    Name(String),
    /// `$name` (`$` alone is the context item, `$$` the input).
    Var(String),
    /// `a.b`
    Path(Box<Expr>, Box<Expr>),
    /// `a[pred]`
    Filter(Box<Expr>, Box<Expr>),
    /// A binary operator.
    Bin(&'static str, Box<Expr>, Box<Expr>),
    /// `-x`
    Neg(Box<Expr>),
    /// `c ? a : b`
    Cond(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    /// `[a, b]`
    Array(Vec<Expr>),
    /// `a..b` inside an array constructor.
    Range(Box<Expr>, Box<Expr>),
    /// `{k: v}`
    Object(Vec<(Expr, Expr)>),
    /// `(a; b)`
    Block(Vec<Expr>),
    /// `$x := v`
    Bind(String, Box<Expr>),
    /// `f(args)`
    Call(Box<Expr>, Vec<Expr>),
    /// `function($a, $b) { body }`
    Lambda(Arc<Lambda>),
}

/// A user function.
#[derive(Debug)]
pub struct Lambda {
    params: Vec<String>,
    body: Expr,
}

struct P {
    t: Vec<Tok>,
    i: usize,
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }
    fn expect(&mut self, op: &str) -> Res<()> {
        if self.is_op(op) {
            self.i += 1;
            Ok(())
        } else {
            fail(format!("expected '{op}' but found {}", self.describe()))
        }
    }
    fn describe(&self) -> String {
        match self.peek() {
            None => "the end of the expression".into(),
            Some(Tok::Op(o)) => format!("'{o}'"),
            Some(Tok::Name(n)) => format!("'{n}'"),
            Some(Tok::Var(v)) => format!("'${v}'"),
            Some(Tok::Num(n)) => format!("{n}"),
            Some(Tok::Str(s)) => format!("\"{s}\""),
        }
    }

    fn bp(&self) -> Option<(&'static str, u8)> {
        let op = match self.peek()? {
            Tok::Op(o) => *o,
            Tok::Name(n) if n == "and" => "and",
            Tok::Name(n) if n == "or" => "or",
            Tok::Name(n) if n == "in" => "in",
            _ => return None,
        };
        let p = match op {
            ":=" => 10,
            "?" => 20,
            "or" => 25,
            "and" => 30,
            "=" | "!=" | "<" | "<=" | ">" | ">=" | "in" => 40,
            "~>" => 45,
            "&" => 50,
            "+" | "-" => 50,
            "*" | "/" | "%" => 60,
            "." => 75,
            "[" => 80,
            "(" => 80,
            _ => return None,
        };
        Some((op, p))
    }

    fn expr(&mut self, min: u8) -> Res<Expr> {
        let mut lhs = self.prefix()?;
        while let Some((op, p)) = self.bp() {
            if p <= min && !(op == ":=" && p >= min) {
                break;
            }
            self.i += 1;
            lhs = match op {
                "." => Expr::Path(Box::new(lhs), Box::new(self.expr(75)?)),
                "[" => {
                    if self.is_op("]") {
                        self.i += 1;
                        lhs
                    } else {
                        let pred = self.expr(0)?;
                        self.expect("]")?;
                        Expr::Filter(Box::new(lhs), Box::new(pred))
                    }
                }
                "(" => {
                    let args = self.list(")")?;
                    Expr::Call(Box::new(lhs), args)
                }
                "?" => {
                    let then = self.expr(0)?;
                    let els = if self.is_op(":") {
                        self.i += 1;
                        Some(Box::new(self.expr(19)?))
                    } else {
                        None
                    };
                    Expr::Cond(Box::new(lhs), Box::new(then), els)
                }
                ":=" => {
                    let Expr::Var(name) = lhs else {
                        return fail("the left side of := must be a $variable");
                    };
                    Expr::Bind(name, Box::new(self.expr(9)?))
                }
                "~>" => {
                    let rhs = self.expr(45)?;
                    match rhs {
                        Expr::Call(f, mut args) => {
                            args.insert(0, lhs);
                            Expr::Call(f, args)
                        }
                        f => Expr::Call(Box::new(f), vec![lhs]),
                    }
                }
                _ => Expr::Bin(op, Box::new(lhs), Box::new(self.expr(p)?)),
            };
        }
        Ok(lhs)
    }

    fn list(&mut self, close: &str) -> Res<Vec<Expr>> {
        let mut out = Vec::new();
        if self.is_op(close) {
            self.i += 1;
            return Ok(out);
        }
        loop {
            let e = self.expr(0)?;
            if close == "]" && self.is_op("..") {
                self.i += 1;
                let hi = self.expr(0)?;
                out.push(Expr::Range(Box::new(e), Box::new(hi)));
            } else {
                out.push(e);
            }
            if self.is_op(",") {
                self.i += 1;
                continue;
            }
            self.expect(close)?;
            return Ok(out);
        }
    }

    fn prefix(&mut self) -> Res<Expr> {
        let Some(t) = self.peek().cloned() else {
            return fail("unexpected end of the expression");
        };
        self.i += 1;
        Ok(match t {
            Tok::Num(n) => Expr::Lit(num(n)),
            Tok::Str(s) => Expr::Lit(Value::String(s)),
            Tok::Var(v) => Expr::Var(v),
            Tok::Name(n) => match n.as_str() {
                "true" => Expr::Lit(Value::Bool(true)),
                "false" => Expr::Lit(Value::Bool(false)),
                "null" => Expr::Lit(Value::Null),
                "function" => self.lambda()?,
                _ => Expr::Name(n),
            },
            Tok::Op("-") => Expr::Neg(Box::new(self.expr(70)?)),
            Tok::Op("(") => {
                let mut items = Vec::new();
                if self.is_op(")") {
                    self.i += 1;
                    return Ok(Expr::Block(items));
                }
                loop {
                    items.push(self.expr(0)?);
                    if self.is_op(";") {
                        self.i += 1;
                        if self.is_op(")") {
                            self.i += 1;
                            break;
                        }
                        continue;
                    }
                    self.expect(")")?;
                    break;
                }
                Expr::Block(items)
            }
            Tok::Op("[") => Expr::Array(self.list("]")?),
            Tok::Op("{") => {
                let mut fields = Vec::new();
                if self.is_op("}") {
                    self.i += 1;
                    return Ok(Expr::Object(fields));
                }
                loop {
                    let k = self.expr(0)?;
                    self.expect(":")?;
                    let v = self.expr(0)?;
                    fields.push((k, v));
                    if self.is_op(",") {
                        self.i += 1;
                        continue;
                    }
                    self.expect("}")?;
                    break;
                }
                Expr::Object(fields)
            }
            Tok::Op(o) => {
                return fail(format!(
                    "'{o}' is not supported here (this sandbox implements a JSONata subset)"
                ));
            }
        })
    }

    fn lambda(&mut self) -> Res<Expr> {
        self.expect("(")?;
        let mut params = Vec::new();
        if !self.is_op(")") {
            loop {
                match self.peek().cloned() {
                    Some(Tok::Var(v)) => {
                        self.i += 1;
                        params.push(v);
                    }
                    _ => return fail("function parameters must be $names"),
                }
                if self.is_op(",") {
                    self.i += 1;
                    continue;
                }
                break;
            }
        }
        self.expect(")")?;
        self.expect("{")?;
        let body = self.expr(0)?;
        self.expect("}")?;
        Ok(Expr::Lambda(Arc::new(Lambda { params, body })))
    }
}

fn num(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.007e15 {
        Value::from(n as i64)
    } else {
        Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// Parses an expression (the text between `{%` and `%}`).
pub fn parse(src: &str) -> Result<Expr, JsonataError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return fail("the expression is empty");
    }
    let mut p = P { t: toks, i: 0 };
    let e = p.expr(0)?;
    if p.i != p.t.len() {
        return fail(format!("unexpected {}", p.describe()));
    }
    Ok(e)
}

#[derive(Clone)]
enum Fv {
    Val(Option<Value>),
    Fun(Arc<Lambda>, Scope),
    Native(&'static str),
}

type Scope = Arc<BTreeMap<String, Fv>>;

struct Cx<'e, 'a> {
    ev: &'e mut Ev<'a>,
    states: Value,
    depth: usize,
}

/// Evaluates `expr` in a state (`$states`, variables, rng, virtual now).
/// Undefined results are `null`.
pub fn evaluate(expr: &Expr, ev: &mut Ev<'_>) -> Result<Value, JsonataError> {
    let states = ev.states_var();
    let input = ev.input.clone();
    let mut cx = Cx {
        ev,
        states,
        depth: 0,
    };
    let scope: Scope = Arc::new(BTreeMap::new());
    let mut scope = scope;
    let v = cx.eval(expr, Some(&input), &mut scope)?;
    match v {
        Fv::Val(v) => Ok(v.unwrap_or(Value::Null)),
        _ => fail("the expression evaluates to a function, not a JSON value"),
    }
}

fn truthy(v: &Option<Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => a.iter().any(|x| truthy(&Some(x.clone()))),
        Some(Value::Object(m)) => !m.is_empty(),
    }
}

fn seq(v: Option<Value>) -> Vec<Value> {
    match v {
        None => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(x) => vec![x],
    }
}

fn collapse(mut items: Vec<Value>) -> Option<Value> {
    match items.len() {
        0 => None,
        1 => items.pop(),
        _ => Some(Value::Array(items)),
    }
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

impl Cx<'_, '_> {
    fn val(&mut self, e: &Expr, ctx: Option<&Value>, scope: &mut Scope) -> Res<Option<Value>> {
        match self.eval(e, ctx, scope)? {
            Fv::Val(v) => Ok(v),
            _ => fail("a function was used where a value is needed"),
        }
    }

    fn eval(&mut self, e: &Expr, ctx: Option<&Value>, scope: &mut Scope) -> Res<Fv> {
        self.depth += 1;
        if self.depth > 500 {
            return fail("the expression recurses too deeply");
        }
        let r = self.eval_inner(e, ctx, scope);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, e: &Expr, ctx: Option<&Value>, scope: &mut Scope) -> Res<Fv> {
        Ok(Fv::Val(match e {
            Expr::Lit(v) => Some(v.clone()),
            Expr::Name(n) => match ctx {
                Some(Value::Object(m)) => m.get(n).cloned(),
                Some(Value::Array(a)) => collapse(
                    a.iter()
                        .filter_map(|x| x.get(n).cloned())
                        .flat_map(|x| seq(Some(x)))
                        .collect(),
                ),
                _ => None,
            },
            Expr::Var(v) => return self.var(v, ctx, scope),
            Expr::Path(a, b) => {
                let lhs = self.val(a, ctx, scope)?;
                let items = match lhs {
                    Some(Value::Array(a)) => a,
                    Some(x) => vec![x],
                    None => return Ok(Fv::Val(None)),
                };
                let mut out = Vec::new();
                for item in &items {
                    if let Some(v) = self.val(b, Some(item), scope)? {
                        match (v, b.as_ref()) {
                            (Value::Array(a), Expr::Array(_)) => out.push(Value::Array(a)),
                            (Value::Array(a), _) => out.extend(a),
                            (x, _) => out.push(x),
                        }
                    }
                }
                collapse(out)
            }
            Expr::Filter(a, pred) => {
                let items = seq(self.val(a, ctx, scope)?);
                let n = items.len() as i64;
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let p = self.val(pred, Some(item), scope)?;
                    let keep = match &p {
                        Some(Value::Number(k)) => {
                            let k = k.as_f64().unwrap_or(0.0).floor() as i64;
                            let k = if k < 0 { n + k } else { k };
                            k == i as i64
                        }
                        other => truthy(other),
                    };
                    if keep {
                        out.push(item.clone());
                    }
                }
                collapse(out)
            }
            Expr::Neg(x) => match self.val(x, ctx, scope)? {
                None => None,
                Some(v) => match f(&v) {
                    Some(n) => Some(num(-n)),
                    None => return fail(format!("cannot negate {v}")),
                },
            },
            Expr::Bin(op, a, b) => {
                if *op == "and" {
                    let l = self.val(a, ctx, scope)?;
                    return Ok(Fv::Val(Some(Value::Bool(
                        truthy(&l) && truthy(&self.val(b, ctx, scope)?),
                    ))));
                }
                if *op == "or" {
                    let l = self.val(a, ctx, scope)?;
                    return Ok(Fv::Val(Some(Value::Bool(
                        truthy(&l) || truthy(&self.val(b, ctx, scope)?),
                    ))));
                }
                let l = self.val(a, ctx, scope)?;
                let r = self.val(b, ctx, scope)?;
                binary(op, l, r)?
            }
            Expr::Cond(c, t, el) => {
                if truthy(&self.val(c, ctx, scope)?) {
                    return self.eval(t, ctx, scope);
                } else if let Some(el) = el {
                    return self.eval(el, ctx, scope);
                } else {
                    None
                }
            }
            Expr::Array(items) => {
                let mut out = Vec::new();
                for it in items {
                    match it {
                        Expr::Range(lo, hi) => {
                            let lo = self.val(lo, ctx, scope)?.and_then(|v| v.as_i64());
                            let hi = self.val(hi, ctx, scope)?.and_then(|v| v.as_i64());
                            if let (Some(lo), Some(hi)) = (lo, hi) {
                                if hi - lo > 10_000_000 {
                                    return fail("the range is too large");
                                }
                                out.extend((lo..=hi).map(Value::from));
                            }
                        }
                        Expr::Array(_) => {
                            if let Some(v) = self.val(it, ctx, scope)? {
                                out.push(v);
                            }
                        }
                        _ => out.extend(seq(self.val(it, ctx, scope)?)),
                    }
                }
                Some(Value::Array(out))
            }
            Expr::Range(..) => return fail("a range a..b must be inside [ ]"),
            Expr::Object(fields) => {
                let mut m = Map::new();
                for (k, v) in fields {
                    let key = match self.val(k, ctx, scope)? {
                        Some(Value::String(s)) => s,
                        Some(other) => {
                            return fail(format!("object keys must be strings, not {other}"));
                        }
                        None => continue,
                    };
                    if let Some(v) = self.val(v, ctx, scope)? {
                        m.insert(key, v);
                    }
                }
                Some(Value::Object(m))
            }
            Expr::Block(items) => {
                let mut inner = Arc::clone(scope);
                let mut last = Fv::Val(None);
                for it in items {
                    last = self.eval(it, ctx, &mut inner)?;
                }
                return Ok(last);
            }
            Expr::Bind(name, v) => {
                let val = self.eval(v, ctx, scope)?;
                Arc::make_mut(scope).insert(name.clone(), val.clone());
                return Ok(val);
            }
            Expr::Lambda(l) => return Ok(Fv::Fun(Arc::clone(l), Arc::clone(scope))),
            Expr::Call(fexpr, args) => {
                let func = self.eval(fexpr, ctx, scope)?;
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a, ctx, scope)?);
                }
                return self.apply(func, vals, ctx);
            }
        }))
    }

    fn var(&mut self, v: &str, ctx: Option<&Value>, scope: &Scope) -> Res<Fv> {
        if v.is_empty() {
            return Ok(Fv::Val(ctx.cloned()));
        }
        if v == "$" {
            return Ok(Fv::Val(Some(self.ev.input.clone())));
        }
        if let Some(x) = scope.get(v) {
            return Ok(x.clone());
        }
        if v == "states" {
            return Ok(Fv::Val(Some(self.states.clone())));
        }
        if let Some(x) = self.ev.vars.get(v) {
            return Ok(Fv::Val(Some(x.clone())));
        }
        if NATIVES.contains(&v) {
            return Ok(Fv::Native(
                NATIVES[NATIVES.iter().position(|n| *n == v).unwrap_or(0)],
            ));
        }
        Ok(Fv::Val(None))
    }

    fn apply(&mut self, func: Fv, args: Vec<Fv>, ctx: Option<&Value>) -> Res<Fv> {
        match func {
            Fv::Fun(l, captured) => {
                let mut scope = captured;
                let m = Arc::make_mut(&mut scope);
                for (i, p) in l.params.iter().enumerate() {
                    m.insert(p.clone(), args.get(i).cloned().unwrap_or(Fv::Val(None)));
                }
                self.eval(&l.body, ctx, &mut scope)
            }
            Fv::Native(name) => self.native(name, args),
            Fv::Val(_) => fail("attempted to call something that is not a function"),
        }
    }

    fn call_fn(&mut self, func: &Fv, args: Vec<Value>) -> Res<Option<Value>> {
        let args = args.into_iter().map(|v| Fv::Val(Some(v))).collect();
        match self.apply(func.clone(), args, None)? {
            Fv::Val(v) => Ok(v),
            _ => fail("a function returned a function"),
        }
    }

    fn native(&mut self, name: &str, args: Vec<Fv>) -> Res<Fv> {
        let mut funcs = Vec::new();
        let mut vals: Vec<Option<Value>> = Vec::new();
        for a in args {
            match a {
                Fv::Val(v) => vals.push(v),
                other => {
                    funcs.push(other);
                    vals.push(None);
                }
            }
        }
        let arg = |i: usize| vals.get(i).cloned().flatten();
        let s = |i: usize| -> Res<Option<String>> {
            match arg(i) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(other) => fail(format!(
                    "${name}: argument {} must be a string, not {other}",
                    i + 1
                )),
            }
        };
        let n = |i: usize| -> Res<Option<f64>> {
            match arg(i) {
                None => Ok(None),
                Some(v) => match v.as_f64() {
                    Some(x) => Ok(Some(x)),
                    None => fail(format!(
                        "${name}: argument {} must be a number, not {v}",
                        i + 1
                    )),
                },
            }
        };
        let nums = |i: usize| -> Res<Vec<f64>> {
            seq(arg(i))
                .iter()
                .map(|v| {
                    v.as_f64().ok_or_else(|| {
                        JsonataError(format!("${name}: expected numbers, found {v}"))
                    })
                })
                .collect()
        };
        let out: Option<Value> = match name {
            "count" => Some(Value::from(seq(arg(0)).len())),
            "sum" => Some(num(nums(0)?.iter().sum())),
            "max" => nums(0)?.into_iter().reduce(f64::max).map(num),
            "min" => nums(0)?.into_iter().reduce(f64::min).map(num),
            "average" => {
                let v = nums(0)?;
                (!v.is_empty()).then(|| num(v.iter().sum::<f64>() / v.len() as f64))
            }
            "string" => arg(0).map(|v| match v {
                Value::String(s) => Value::String(s),
                other => Value::String(other.to_string()),
            }),
            "number" => match arg(0) {
                None => None,
                Some(Value::Number(x)) => Some(Value::Number(x)),
                Some(Value::String(s)) => match s.trim().parse::<f64>() {
                    Ok(x) => Some(num(x)),
                    Err(_) => return fail(format!("$number: cannot convert \"{s}\" to a number")),
                },
                Some(Value::Bool(b)) => Some(Value::from(u8::from(b))),
                Some(other) => return fail(format!("$number: cannot convert {other}")),
            },
            "boolean" => arg(0).map(|v| Value::Bool(truthy(&Some(v)))),
            "not" => arg(0).map(|v| Value::Bool(!truthy(&Some(v)))),
            "exists" => Some(Value::Bool(arg(0).is_some())),
            "length" => s(0)?.map(|x| Value::from(x.chars().count())),
            "uppercase" => s(0)?.map(|x| Value::String(x.to_uppercase())),
            "lowercase" => s(0)?.map(|x| Value::String(x.to_lowercase())),
            "trim" => {
                s(0)?.map(|x| Value::String(x.split_whitespace().collect::<Vec<_>>().join(" ")))
            }
            "substring" => s(0)?.map(|x| {
                let chars: Vec<char> = x.chars().collect();
                let len = chars.len() as i64;
                let start = n(1).ok().flatten().unwrap_or(0.0) as i64;
                let start = if start < 0 {
                    (len + start).max(0)
                } else {
                    start.min(len)
                };
                let count = n(2)
                    .ok()
                    .flatten()
                    .map(|c| c.max(0.0) as i64)
                    .unwrap_or(len);
                let end = (start + count).min(len);
                Value::String(chars[start as usize..end as usize].iter().collect())
            }),
            "substringBefore" => match (s(0)?, s(1)?) {
                (Some(x), Some(c)) => Some(Value::String(
                    x.find(&c).map_or(x.clone(), |i| x[..i].to_string()),
                )),
                _ => None,
            },
            "substringAfter" => match (s(0)?, s(1)?) {
                (Some(x), Some(c)) => Some(Value::String(
                    x.find(&c)
                        .map_or(x.clone(), |i| x[i + c.len()..].to_string()),
                )),
                _ => None,
            },
            "contains" => match (s(0)?, s(1)?) {
                (Some(x), Some(c)) => Some(Value::Bool(x.contains(&c))),
                _ => None,
            },
            "split" => match (s(0)?, s(1)?) {
                (Some(x), Some(sep)) => {
                    let mut parts: Vec<Value> = if sep.is_empty() {
                        x.chars().map(|c| Value::String(c.to_string())).collect()
                    } else {
                        x.split(sep.as_str())
                            .map(|p| Value::String(p.into()))
                            .collect()
                    };
                    if let Some(limit) = n(2)? {
                        parts.truncate(limit.max(0.0) as usize);
                    }
                    Some(Value::Array(parts))
                }
                _ => None,
            },
            "join" => {
                let sep = s(1)?.unwrap_or_default();
                let parts: Vec<String> = seq(arg(0))
                    .into_iter()
                    .map(|v| match v {
                        Value::String(s) => Ok(s),
                        other => fail(format!("$join: expected strings, found {other}")),
                    })
                    .collect::<Res<_>>()?;
                Some(Value::String(parts.join(&sep)))
            }
            "replace" => match (s(0)?, s(1)?, s(2)?) {
                (Some(x), Some(pat), Some(rep)) => {
                    if pat.is_empty() {
                        return fail("$replace: the pattern must not be empty");
                    }
                    Some(Value::String(x.replace(&pat, &rep)))
                }
                _ => None,
            },
            "keys" => match arg(0) {
                Some(Value::Object(m)) => {
                    collapse(m.keys().map(|k| Value::String(k.clone())).collect())
                }
                Some(Value::Array(a)) => {
                    let mut keys: Vec<Value> = Vec::new();
                    for o in a {
                        if let Value::Object(m) = o {
                            for k in m.keys() {
                                let k = Value::String(k.clone());
                                if !keys.contains(&k) {
                                    keys.push(k);
                                }
                            }
                        }
                    }
                    collapse(keys)
                }
                _ => None,
            },
            "values" => match arg(0) {
                Some(Value::Object(m)) => collapse(m.values().cloned().collect()),
                _ => None,
            },
            "lookup" => match (arg(0), s(1)?) {
                (Some(Value::Object(m)), Some(k)) => m.get(&k).cloned(),
                (Some(Value::Array(a)), Some(k)) => {
                    collapse(a.iter().filter_map(|o| o.get(&k).cloned()).collect())
                }
                _ => None,
            },
            "merge" => {
                let mut m = Map::new();
                for o in seq(arg(0)) {
                    if let Value::Object(o) = o {
                        m.extend(o);
                    }
                }
                Some(Value::Object(m))
            }
            "append" => {
                let mut a = seq(arg(0));
                a.extend(seq(arg(1)));
                Some(Value::Array(a))
            }
            "reverse" => arg(0).map(|v| {
                let mut a = seq(Some(v));
                a.reverse();
                Value::Array(a)
            }),
            "distinct" => arg(0).map(|v| {
                let mut out: Vec<Value> = Vec::new();
                for x in seq(Some(v)) {
                    if !out.contains(&x) {
                        out.push(x);
                    }
                }
                Value::Array(out)
            }),
            "sort" => {
                let mut a = seq(arg(0));
                if let Some(func) = funcs.first().cloned() {
                    // Insertion sort with the user's "swap" predicate, as JSONata defines it.
                    let mut sorted: Vec<Value> = Vec::with_capacity(a.len());
                    for x in a {
                        let mut pos = sorted.len();
                        while pos > 0 {
                            let swap =
                                self.call_fn(&func, vec![sorted[pos - 1].clone(), x.clone()])?;
                            if truthy(&swap) {
                                pos -= 1;
                            } else {
                                break;
                            }
                        }
                        sorted.insert(pos, x);
                    }
                    Some(Value::Array(sorted))
                } else {
                    let mut err = None;
                    a.sort_by(|x, y| match (x, y) {
                        (Value::Number(p), Value::Number(q)) => p
                            .as_f64()
                            .partial_cmp(&q.as_f64())
                            .unwrap_or(std::cmp::Ordering::Equal),
                        (Value::String(p), Value::String(q)) => p.cmp(q),
                        _ => {
                            err = Some("$sort: values must all be numbers or all strings");
                            std::cmp::Ordering::Equal
                        }
                    });
                    if let Some(e) = err {
                        return fail(e);
                    }
                    Some(Value::Array(a))
                }
            }
            "map" | "filter" => {
                let Some(func) = funcs.first().cloned() else {
                    return fail(format!("${name}: the second argument must be a function"));
                };
                let items = seq(arg(0));
                let mut out = Vec::new();
                for (i, x) in items.iter().enumerate() {
                    let r = self.call_fn(
                        &func,
                        vec![x.clone(), Value::from(i), Value::Array(items.clone())],
                    )?;
                    if name == "map" {
                        if let Some(r) = r {
                            out.push(r);
                        }
                    } else if truthy(&r) {
                        out.push(x.clone());
                    }
                }
                Some(Value::Array(out))
            }
            "reduce" => {
                let Some(func) = funcs.first().cloned() else {
                    return fail("$reduce: the second argument must be a function");
                };
                let mut items = seq(arg(0)).into_iter();
                let mut acc = match arg(2) {
                    Some(init) => Some(init),
                    None => items.next(),
                };
                for x in items {
                    acc = self.call_fn(&func, vec![acc.unwrap_or(Value::Null), x])?;
                }
                acc
            }
            "abs" => n(0)?.map(|x| num(x.abs())),
            "floor" => n(0)?.map(|x| num(x.floor())),
            "ceil" => n(0)?.map(|x| num(x.ceil())),
            "round" => n(0)?.map(|x| {
                let p = 10f64.powi(n(1).ok().flatten().unwrap_or(0.0) as i32);
                let y = x * p;
                // JSONata rounds half to even.
                let r = if (y - y.trunc()).abs() == 0.5 {
                    let t = y.trunc();
                    if t % 2.0 == 0.0 { t } else { t + y.signum() }
                } else {
                    y.round()
                };
                num(r / p)
            }),
            "power" => match (n(0)?, n(1)?) {
                (Some(a), Some(b)) => Some(num(a.powf(b))),
                _ => None,
            },
            "sqrt" => n(0)?.map(|x| num(x.sqrt())),
            "now" => Some(Value::String(self.ev.now.to_rfc3339_millis())),
            "millis" => Some(Value::from(self.ev.now.unix_millis())),
            "type" => Some(Value::String(
                match arg(0) {
                    None => "undefined",
                    Some(Value::Null) => "null",
                    Some(Value::Bool(_)) => "boolean",
                    Some(Value::Number(_)) => "number",
                    Some(Value::String(_)) => "string",
                    Some(Value::Array(_)) => "array",
                    Some(Value::Object(_)) => "object",
                }
                .into(),
            )),
            // Step Functions' own functions.
            "partition" => {
                let a = seq(arg(0));
                let size = n(1)?.unwrap_or(0.0);
                if size < 1.0 {
                    return fail("$partition: the chunk size must be a positive integer");
                }
                Some(Value::Array(
                    a.chunks(size as usize)
                        .map(|c| Value::Array(c.to_vec()))
                        .collect(),
                ))
            }
            "range" => match (n(0)?, n(1)?, n(2)?) {
                (Some(a), Some(b), Some(step)) => {
                    if step == 0.0 {
                        return fail("$range: the step must not be 0");
                    }
                    let mut out = Vec::new();
                    let mut x = a;
                    while (step > 0.0 && x <= b) || (step < 0.0 && x >= b) {
                        if out.len() == 1000 {
                            return fail("$range may produce at most 1000 elements");
                        }
                        out.push(num(x));
                        x += step;
                    }
                    Some(Value::Array(out))
                }
                _ => None,
            },
            "hash" => match (arg(0), s(1)?) {
                (Some(data), Some(algo)) => {
                    let text = match data {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    Some(Value::String(
                        super::intrinsics::hash(&algo, text.as_bytes())
                            .map_err(|e| JsonataError(format!("$hash: {e}")))?,
                    ))
                }
                _ => None,
            },
            "random" => match n(0)? {
                Some(seed) => Some(num(crate::rng::SimRng::new(seed as u64).unit())),
                None => Some(num(self.ev.rng.unit())),
            },
            "uuid" => Some(Value::String(self.ev.rng.uuid())),
            "parse" => match s(0)? {
                Some(text) => Some(
                    serde_json::from_str(&text)
                        .map_err(|e| JsonataError(format!("$parse: {e}")))?,
                ),
                None => None,
            },
            other => return fail(format!("${other} is not implemented in this sandbox")),
        };
        Ok(Fv::Val(out))
    }
}

const NATIVES: &[&str] = &[
    "count",
    "sum",
    "max",
    "min",
    "average",
    "string",
    "number",
    "boolean",
    "not",
    "exists",
    "length",
    "uppercase",
    "lowercase",
    "trim",
    "substring",
    "substringBefore",
    "substringAfter",
    "contains",
    "split",
    "join",
    "replace",
    "keys",
    "values",
    "lookup",
    "merge",
    "append",
    "reverse",
    "distinct",
    "sort",
    "map",
    "filter",
    "reduce",
    "abs",
    "floor",
    "ceil",
    "round",
    "power",
    "sqrt",
    "now",
    "millis",
    "type",
    "partition",
    "range",
    "hash",
    "random",
    "uuid",
    "parse",
];

fn binary(op: &str, l: Option<Value>, r: Option<Value>) -> Res<Option<Value>> {
    match op {
        "&" => {
            let s = |v: Option<Value>| match v {
                None => String::new(),
                Some(Value::String(s)) => s,
                Some(other) => other.to_string(),
            };
            Ok(Some(Value::String(s(l) + &s(r))))
        }
        "+" | "-" | "*" | "/" | "%" => {
            let (Some(l), Some(r)) = (l, r) else {
                return Ok(None);
            };
            let (Some(a), Some(b)) = (l.as_f64(), r.as_f64()) else {
                return fail(format!(
                    "the operands of '{op}' must be numbers, not {l} and {r}"
                ));
            };
            let v = match op {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" => a / b,
                _ => a % b,
            };
            if !v.is_finite() {
                return fail(format!("the result of {a} {op} {b} is not a finite number"));
            }
            Ok(Some(num(v)))
        }
        "=" | "!=" => {
            let (Some(l), Some(r)) = (l, r) else {
                return Ok(Some(Value::Bool(op == "!=")));
            };
            let eq = match (l.as_f64(), r.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => l == r,
            };
            Ok(Some(Value::Bool(if op == "=" { eq } else { !eq })))
        }
        "<" | "<=" | ">" | ">=" => {
            let (Some(l), Some(r)) = (l, r) else {
                return Ok(Some(Value::Bool(false)));
            };
            let ord = match (&l, &r) {
                (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => {
                    return fail(format!(
                        "the operands of '{op}' must both be numbers or both strings, not {l} and {r}"
                    ));
                }
            };
            let Some(ord) = ord else {
                return Ok(Some(Value::Bool(false)));
            };
            use std::cmp::Ordering::*;
            Ok(Some(Value::Bool(match op {
                "<" => ord == Less,
                "<=" => ord != Greater,
                ">" => ord == Greater,
                _ => ord != Less,
            })))
        }
        "in" => {
            let Some(l) = l else {
                return Ok(Some(Value::Bool(false)));
            };
            Ok(Some(Value::Bool(seq(r).contains(&l))))
        }
        other => fail(format!("the operator '{other}' is not supported")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;
    use crate::states::template::Vars;
    use crate::time::SimTime;
    use serde_json::json;

    fn run(src: &str, input: Value) -> Res<Value> {
        let e = parse(src)?;
        let vars = Vars::default();
        let mut rng = SimRng::new(1);
        let ctx = json!({"Execution": {"Name": "e1"}});
        let mut ev = Ev {
            input: &input,
            context: &ctx,
            vars: &vars,
            rng: &mut rng,
            now: SimTime::EPOCH,
            result: None,
            error_output: None,
        };
        evaluate(&e, &mut ev)
    }

    #[test]
    fn developer_guide_style_expressions() {
        let input = json!({"order": {"items": [
            {"name": "pen", "price": 2, "qty": 3},
            {"name": "book", "price": 15, "qty": 1},
            {"name": "ink", "price": 7, "qty": 2}
        ], "customer": "Ana"}});
        assert_eq!(
            run("$states.input.order.customer", input.clone()).unwrap(),
            json!("Ana")
        );
        assert_eq!(
            run("$count($states.input.order.items)", input.clone()).unwrap(),
            json!(3)
        );
        assert_eq!(
            run(
                "$sum($states.input.order.items.(price * qty))",
                input.clone()
            )
            .unwrap(),
            json!(35)
        );
        assert_eq!(
            run("$states.input.order.items[price > 5].name", input.clone()).unwrap(),
            json!(["book", "ink"])
        );
        assert_eq!(
            run("$states.input.order.items[0].name", input.clone()).unwrap(),
            json!("pen")
        );
        assert_eq!(
            run("$states.input.order.items[-1].name", input.clone()).unwrap(),
            json!("ink")
        );
        assert_eq!(
            run(
                "'Hello ' & $states.input.order.customer & '!'",
                input.clone()
            )
            .unwrap(),
            json!("Hello Ana!")
        );
        assert_eq!(
            run(
                "$count($states.input.order.items) > 2 ? 'big' : 'small'",
                input.clone()
            )
            .unwrap(),
            json!("big")
        );
        assert_eq!(
            run(
                "{'total': $sum($states.input.order.items.price), 'n': 3}",
                input.clone()
            )
            .unwrap(),
            json!({"total": 24, "n": 3})
        );
        assert_eq!(
            run("$map([1,2,3], function($v) { $v * 2 })", json!({})).unwrap(),
            json!([2, 4, 6])
        );
        assert_eq!(
            run("( $x := 5; $y := $x + 1; $x * $y )", json!({})).unwrap(),
            json!(30)
        );
        assert_eq!(run("[1..4]", json!({})).unwrap(), json!([1, 2, 3, 4]));
        assert_eq!(
            run("$partition([1,2,3,4,5], 2)", json!({})).unwrap(),
            json!([[1, 2], [3, 4], [5]])
        );
        assert_eq!(
            run("$range(0, 10, 5)", json!({})).unwrap(),
            json!([0, 5, 10])
        );
        assert_eq!(run("$parse('{\"a\": 1}').a", json!({})).unwrap(), json!(1));
        assert_eq!(
            run("$states.context.Execution.Name", json!({})).unwrap(),
            json!("e1")
        );
        assert_eq!(run("'a' in ['a', 'b']", json!({})).unwrap(), json!(true));
        assert_eq!(
            run("$now()", json!({})).unwrap(),
            json!("2026-01-01T00:00:00.000Z")
        );
        assert_eq!(
            run("$reduce([1,2,3], function($a, $b) { $a + $b })", json!({})).unwrap(),
            json!(6)
        );
        assert_eq!(
            run("[3,1,2] ~> $sort()", json!({})).unwrap(),
            json!([1, 2, 3])
        );
        assert_eq!(run("$round(2.5)", json!({})).unwrap(), json!(2));
    }

    #[test]
    fn errors_are_reported_not_panicked() {
        assert!(parse("1 +").is_err());
        assert!(parse("$x[").is_err());
        assert!(parse("").is_err());
        assert!(run("'a' + 1", json!({})).is_err());
        assert!(run("$nosuch(1)", json!({})).is_err());
        assert!(run("1 / 0", json!({})).is_err());
        assert!(parse("a ** b").is_err() || run("a ** b", json!({})).is_err());
    }
}

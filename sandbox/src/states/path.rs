//! JSONPath as the Amazon States Language uses it.
//!
//! ASL has two kinds of path (states-language.net, "Paths"):
//!
//! - a **reference path** names exactly one node: `$`, `$.order.items[0]`,
//!   `$['first name']`. `ResultPath`, `ItemsPath`, a Choice rule's `Variable`
//!   and the `...Path` fields must be reference paths. They are parsed here,
//!   read and *written* (ResultPath writes) without a general JSONPath engine,
//!   which keeps the hot path of the interpreter allocation-free;
//! - a **path** may select many nodes (`$.items[*].price`, `$..id`,
//!   `$.items[?(@.qty > 1)]`), allowed in `InputPath`, `OutputPath` and in
//!   `.$` fields of `Parameters`. Those go to `serde_json_path` (RFC 9535
//!   JSONPath, which parses Jayway's `?(...)` filters as parenthesised
//!   expressions); as in Step Functions' Jayway engine, such a path yields an
//!   array of what it selected.
//!
//! A path may start at the state's input (`$`), at the context object (`$$`)
//! or, since 2024, at a workflow variable (`$orderId.total`).

use std::fmt;

use serde_json::{Map, Value};

/// Where a path starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    /// `$`: the state's input.
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Var(String),
}

/// One step of a reference path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// `.name` or `['name']`.
    Field(String),
    /// `[3]`.
    Index(usize),
}

/// A reference path: one node at most.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefPath {
    text: String,
    /// Where it starts.
    pub root: Root,
    /// The steps from the root.
    pub segs: Vec<Seg>,
}

/// A path: a reference path or a query that can select many nodes.
#[derive(Clone, Debug)]
pub enum Path {
    /// Exactly one node (or none).
    Ref(RefPath),
    /// Any JSONPath; evaluates to the array of matches.
    Query {
        /// The path as written.
        text: String,
        /// Where it starts.
        root: Root,
        /// The compiled query (rooted at `$`).
        query: Box<serde_json_path::JsonPath>,
    },
}

/// Why a string is not a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError(pub String);

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_var_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits the root off a path: (root, rest starting after the root).
fn split_root(text: &str) -> Result<(Root, &str), PathError> {
    if let Some(rest) = text.strip_prefix("$$") {
        return Ok((Root::Context, rest));
    }
    let Some(rest) = text.strip_prefix('$') else {
        return Err(PathError(format!("'{text}' does not start with '$'")));
    };
    let name_len = rest.find(|c: char| !is_var_char(c)).unwrap_or(rest.len());
    if name_len == 0 {
        return Ok((Root::Input, rest));
    }
    let name = &rest[..name_len];
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(PathError(format!("'{text}' is not a valid path")));
    }
    Ok((Root::Var(name.to_string()), &rest[name_len..]))
}

fn plain_field_char(c: char) -> bool {
    !matches!(
        c,
        '.' | '[' | ']' | '*' | '\'' | '"' | '(' | ')' | ',' | '?' | '@' | ':' | '$'
    ) && !c.is_whitespace()
}

impl RefPath {
    /// `$`: the whole input.
    pub fn root() -> RefPath {
        RefPath {
            text: "$".into(),
            root: Root::Input,
            segs: Vec::new(),
        }
    }

    /// Parses a reference path (`$.a.b[0]`, `$['a b']`, `$$.Execution.Id`, `$var.x`).
    pub fn parse(text: &str) -> Result<RefPath, PathError> {
        let (root, mut rest) = split_root(text)?;
        let mut segs = Vec::new();
        let bad = || PathError(format!("'{text}' is not a valid reference path"));
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                if r.starts_with('.') {
                    return Err(bad());
                }
                let n = r.find(|c| !plain_field_char(c)).unwrap_or(r.len());
                if n == 0 {
                    return Err(bad());
                }
                segs.push(Seg::Field(r[..n].to_string()));
                rest = &r[n..];
            } else if let Some(r) = rest.strip_prefix('[') {
                let r = r.trim_start();
                if let Some(q) = r.chars().next().filter(|c| *c == '\'' || *c == '"') {
                    let body = &r[1..];
                    let mut name = String::new();
                    let mut chars = body.char_indices();
                    let mut end = None;
                    while let Some((i, c)) = chars.next() {
                        if c == '\\' {
                            if let Some((_, e)) = chars.next() {
                                name.push(e);
                            }
                        } else if c == q {
                            end = Some(i + 1);
                            break;
                        } else {
                            name.push(c);
                        }
                    }
                    let end = end.ok_or_else(bad)?;
                    let after = body[end..].trim_start();
                    rest = after.strip_prefix(']').ok_or_else(bad)?;
                    segs.push(Seg::Field(name));
                } else {
                    let close = r.find(']').ok_or_else(bad)?;
                    let idx: usize = r[..close].trim().parse().map_err(|_| bad())?;
                    segs.push(Seg::Index(idx));
                    rest = &r[close + 1..];
                }
            } else {
                return Err(bad());
            }
        }
        Ok(RefPath {
            text: text.to_string(),
            root,
            segs,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True for `$` itself.
    pub fn is_identity(&self) -> bool {
        self.root == Root::Input && self.segs.is_empty()
    }

    /// The node the steps lead to from `v`.
    pub fn get_in<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        let mut cur = v;
        for s in &self.segs {
            cur = match (s, cur) {
                (Seg::Field(f), Value::Object(m)) => m.get(f)?,
                (Seg::Index(i), Value::Array(a)) => a.get(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The node the steps lead to from `v`, to change or move out.
    pub fn get_in_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        let mut cur = v;
        for s in &self.segs {
            cur = match (s, cur) {
                (Seg::Field(f), Value::Object(m)) => m.get_mut(f)?,
                (Seg::Index(i), Value::Array(a)) => a.get_mut(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Writes `value` at this path inside `target` (ResultPath), creating
    /// objects on the way. Fails when a step runs into a non-object.
    pub fn set_in(&self, target: &mut Value, value: Value) -> Result<(), PathError> {
        if self.segs.is_empty() {
            *target = value;
            return Ok(());
        }
        let mut cur = target;
        let last = self.segs.len() - 1;
        for (i, s) in self.segs.iter().enumerate() {
            match s {
                Seg::Field(f) => {
                    let Value::Object(m) = cur else {
                        return Err(PathError(format!(
                            "Unable to apply ResultPath '{}' because '{}' is not an object",
                            self.text,
                            prefix(&self.segs[..i])
                        )));
                    };
                    if i == last {
                        m.insert(f.clone(), value);
                        return Ok(());
                    }
                    cur = m
                        .entry(f.clone())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if cur.is_null() {
                        *cur = Value::Object(Map::new());
                    }
                }
                Seg::Index(n) => {
                    let Value::Array(a) = cur else {
                        return Err(PathError(format!(
                            "Unable to apply ResultPath '{}' because '{}' is not an array",
                            self.text,
                            prefix(&self.segs[..i])
                        )));
                    };
                    let len = a.len();
                    let Some(slot) = a.get_mut(*n) else {
                        return Err(PathError(format!(
                            "Unable to apply ResultPath '{}': index {n} is out of bounds (length {len})",
                            self.text
                        )));
                    };
                    if i == last {
                        *slot = value;
                        return Ok(());
                    }
                    cur = slot;
                }
            }
        }
        Ok(())
    }
}

fn prefix(segs: &[Seg]) -> String {
    let mut s = String::from("$");
    for seg in segs {
        match seg {
            Seg::Field(f) => {
                s.push('.');
                s.push_str(f);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

impl fmt::Display for RefPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What a path reads from: the input, the context object, the variables.
pub trait Scope {
    /// The state's input (`$`).
    fn input(&self) -> &Value;
    /// The context object (`$$`), built when first asked for.
    fn context(&self) -> &Value;
    /// A workflow variable.
    fn var(&self, name: &str) -> Option<&Value>;
}

/// A scope of just one value (no context, no variables).
pub struct JustInput<'a>(pub &'a Value);

impl Scope for JustInput<'_> {
    fn input(&self) -> &Value {
        self.0
    }
    fn context(&self) -> &Value {
        &Value::Null
    }
    fn var(&self, _name: &str) -> Option<&Value> {
        None
    }
}

fn root_value<'s>(root: &Root, scope: &'s dyn Scope) -> Option<&'s Value> {
    match root {
        Root::Input => Some(scope.input()),
        Root::Context => Some(scope.context()),
        Root::Var(name) => scope.var(name),
    }
}

impl Path {
    /// Parses a path: a reference path when it is one, otherwise a JSONPath query.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        if let Ok(r) = RefPath::parse(text) {
            return Ok(Path::Ref(r));
        }
        let (root, rest) = split_root(text)?;
        let query = serde_json_path::JsonPath::parse(&format!("${rest}"))
            .map_err(|e| PathError(format!("'{text}' is not a valid JSONPath: {}", e.message())))?;
        Ok(Path::Query {
            text: text.to_string(),
            root,
            query: Box::new(query),
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        match self {
            Path::Ref(r) => r.as_str(),
            Path::Query { text, .. } => text,
        }
    }

    /// True when the path reads the context object.
    pub fn uses_context(&self) -> bool {
        matches!(
            self,
            Path::Ref(RefPath {
                root: Root::Context,
                ..
            }) | Path::Query {
                root: Root::Context,
                ..
            }
        )
    }

    /// Reads the path: `Some(value)` for a reference path that exists, the
    /// array of matches for a query, `None` when a reference path is missing.
    pub fn read(&self, scope: &dyn Scope) -> Option<Value> {
        match self {
            Path::Ref(r) => root_value(&r.root, scope)
                .and_then(|v| r.get_in(v))
                .cloned(),
            Path::Query { root, query, .. } => {
                let v = root_value(root, scope)?;
                Some(Value::Array(
                    query.query(v).all().into_iter().cloned().collect(),
                ))
            }
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(path: &str, v: &Value) -> Option<Value> {
        Path::parse(path).unwrap().read(&JustInput(v))
    }

    #[test]
    fn reference_paths_parse_in_all_notations() {
        let p = RefPath::parse("$.a['b c'][2].d").unwrap();
        assert_eq!(
            p.segs,
            vec![
                Seg::Field("a".into()),
                Seg::Field("b c".into()),
                Seg::Index(2),
                Seg::Field("d".into())
            ]
        );
        assert_eq!(
            RefPath::parse("$$.Execution.Id").unwrap().root,
            Root::Context
        );
        assert_eq!(
            RefPath::parse("$order.total").unwrap().root,
            Root::Var("order".into())
        );
        assert!(RefPath::parse("$").unwrap().is_identity());
        for bad in [
            "a.b",
            "$.",
            "$..a",
            "$.a[*]",
            "$.a[?(@.x)]",
            "$.a[",
            "$['a'",
        ] {
            assert!(RefPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn spec_example_paths_select_what_the_spec_says() {
        // states-language.net, "Paths": the example input and its paths.
        let input = json!({
            "foo": 123,
            "bar": ["a", "b", "c"],
            "car": {"cdr": true}
        });
        assert_eq!(read("$.foo", &input), Some(json!(123)));
        assert_eq!(read("$.bar", &input), Some(json!(["a", "b", "c"])));
        assert_eq!(read("$.car.cdr", &input), Some(json!(true)));
        assert_eq!(read("$.nope", &input), None);
        assert_eq!(read("$.bar[*]", &input), Some(json!(["a", "b", "c"])));
    }

    #[test]
    fn queries_return_every_match_as_an_array() {
        let v = json!({"items": [{"id": 1, "qty": 2}, {"id": 2, "qty": 0}, {"id": 3, "qty": 5}]});
        assert_eq!(read("$.items[*].id", &v), Some(json!([1, 2, 3])));
        assert_eq!(read("$.items[?(@.qty > 1)].id", &v), Some(json!([1, 3])));
        assert_eq!(read("$..id", &v), Some(json!([1, 2, 3])));
        assert_eq!(read("$.items[?(@.qty > 9)]", &v), Some(json!([])));
        assert!(Path::parse("$.items[?(@.qty >]").is_err());
    }

    #[test]
    fn result_path_writes_create_objects_and_refuse_scalars() {
        let mut v = json!({"a": 1});
        RefPath::parse("$.b.c")
            .unwrap()
            .set_in(&mut v, json!(2))
            .unwrap();
        assert_eq!(v, json!({"a": 1, "b": {"c": 2}}));
        RefPath::parse("$.a")
            .unwrap()
            .set_in(&mut v, json!("x"))
            .unwrap();
        assert_eq!(v["a"], "x");
        let e = RefPath::parse("$.a.z")
            .unwrap()
            .set_in(&mut v, json!(0))
            .unwrap_err();
        assert!(e.0.contains("'$.a' is not an object"), "{e}");
        let mut arr = json!({"l": [1, 2]});
        RefPath::parse("$.l[1]")
            .unwrap()
            .set_in(&mut arr, json!(9))
            .unwrap();
        assert_eq!(arr, json!({"l": [1, 9]}));
    }
}

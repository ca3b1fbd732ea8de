//! Payload templates: `Parameters`, `ResultSelector`, `ItemSelector`,
//! `Assign` (JSONPath) and `Arguments`/`Output` (JSONata), compiled once when
//! the state machine is created and filled in at run time.
//!
//! In a JSONPath state a field whose name ends in `.$` takes its value from a
//! path or an intrinsic function call, and loses the `.$`. In a JSONata state
//! any string of the form `{% expression %}` is replaced by the value of the
//! expression.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::errors::{Failure, INTRINSIC_FAILURE, QUERY_EVALUATION_ERROR, RUNTIME};
use super::intrinsics::{self, Call};
use super::jsonata;
use super::path::{Path, Scope};
use crate::rng::SimRng;
use crate::time::SimTime;

/// A compiled template.
#[derive(Clone, Debug)]
pub enum Tmpl {
    /// A value with nothing to fill in.
    Lit(Value),
    /// An object with at least one dynamic field.
    Obj(Vec<(String, Tmpl)>),
    /// An array with at least one dynamic element.
    Arr(Vec<Tmpl>),
    /// `"field.$": "$.path"`.
    Path {
        /// The field as written, with its `.$`.
        field: String,
        /// The path.
        path: Path,
    },
    /// `"field.$": "States.Format(...)"`.
    Call {
        /// The field as written, with its `.$`.
        field: String,
        /// The call.
        call: Box<Call>,
    },
    /// `"{% expression %}"` in a JSONata state.
    Jsonata(Arc<jsonata::Expr>),
}

/// Workflow variables visible to a state: its own scope and the enclosing ones.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    /// Variables of enclosing scopes (read-only here).
    pub outer: Option<Arc<BTreeMap<String, Value>>>,
    /// Variables assigned in this scope.
    pub local: BTreeMap<String, Value>,
}

impl Vars {
    /// The value of `$name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.local
            .get(name)
            .or_else(|| self.outer.as_ref().and_then(|o| o.get(name)))
    }

    /// Everything visible, for an inner scope (a Map iteration or a branch).
    pub fn snapshot(&self) -> Option<Arc<BTreeMap<String, Value>>> {
        if self.local.is_empty() {
            return self.outer.clone();
        }
        let mut all = self.outer.as_deref().cloned().unwrap_or_default();
        all.extend(self.local.iter().map(|(k, v)| (k.clone(), v.clone())));
        Some(Arc::new(all))
    }
}

/// What a template (or JSONata expression) is evaluated against.
pub struct Ev<'a> {
    /// `$` in JSONPath, `$states.input` in JSONata.
    pub input: &'a Value,
    /// The context object (`$$`, `$states.context`); `Null` when not built.
    pub context: &'a Value,
    /// Workflow variables.
    pub vars: &'a Vars,
    /// The account's random source (States.UUID, $random ...).
    pub rng: &'a mut SimRng,
    /// Virtual now (JSONata `$now()`).
    pub now: SimTime,
    /// `$states.result` (JSONata, after a task).
    pub result: Option<&'a Value>,
    /// `$states.errorOutput` (JSONata, in a Catch).
    pub error_output: Option<&'a Value>,
}

impl Scope for Ev<'_> {
    fn input(&self) -> &Value {
        self.input
    }
    fn context(&self) -> &Value {
        self.context
    }
    fn var(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }
}

impl Ev<'_> {
    /// The `$states` object a JSONata expression sees.
    pub fn states_var(&self) -> Value {
        let mut m = Map::new();
        m.insert("input".into(), self.input.clone());
        m.insert("context".into(), self.context.clone());
        if let Some(r) = self.result {
            m.insert("result".into(), r.clone());
        }
        if let Some(e) = self.error_output {
            m.insert("errorOutput".into(), e.clone());
        }
        Value::Object(m)
    }
}

/// A problem compiling a template, with the field path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TmplError {
    /// Where, relative to the template (`/a/b.$`).
    pub at: String,
    /// What is wrong.
    pub message: String,
}

/// The `{% ... %}` body of a JSONata string, if it is one.
pub fn jsonata_body(s: &str) -> Option<&str> {
    let t = s.trim();
    t.strip_prefix("{%")?.strip_suffix("%}")
}

impl Tmpl {
    /// Compiles a JSONPath-state template (`.$` fields).
    pub fn jsonpath(v: &Value, errors: &mut Vec<TmplError>) -> Tmpl {
        compile(v, "", false, errors)
    }

    /// Compiles a JSONata-state template (`{% %}` strings).
    pub fn jsonata(v: &Value, errors: &mut Vec<TmplError>) -> Tmpl {
        compile(v, "", true, errors)
    }

    /// True when nothing is filled in at run time.
    pub fn is_static(&self) -> bool {
        matches!(self, Tmpl::Lit(_))
    }

    /// True when evaluating reads the context object.
    pub fn uses_context(&self) -> bool {
        match self {
            Tmpl::Lit(_) => false,
            Tmpl::Obj(f) => f.iter().any(|(_, t)| t.uses_context()),
            Tmpl::Arr(a) => a.iter().any(Tmpl::uses_context),
            Tmpl::Path { path, .. } => path.uses_context(),
            Tmpl::Call { call, .. } => call.uses_context(),
            Tmpl::Jsonata(_) => true,
        }
    }

    /// Fills the template in.
    pub fn eval(&self, ev: &mut Ev<'_>) -> Result<Value, Failure> {
        match self {
            Tmpl::Lit(v) => Ok(v.clone()),
            Tmpl::Obj(fields) => {
                let mut m = Map::with_capacity(fields.len());
                for (k, t) in fields {
                    m.insert(k.clone(), t.eval(ev)?);
                }
                Ok(Value::Object(m))
            }
            Tmpl::Arr(items) => items
                .iter()
                .map(|t| t.eval(ev))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Tmpl::Path { field, path } => path.read(ev).ok_or_else(|| {
                let source = match path {
                    Path::Ref(r) if matches!(r.root, super::path::Root::Context) => {
                        ev.context.to_string()
                    }
                    _ => ev.input.to_string(),
                };
                Failure::new(
                    RUNTIME,
                    format!(
                        "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{source}'",
                        path.as_str()
                    ),
                )
            }),
            Tmpl::Call { field, call } => call.eval_in(ev).map_err(|e| {
                Failure::new(
                    INTRINSIC_FAILURE,
                    format!(
                        "The evaluation of the intrinsic function for the field '{field}' failed: {e}"
                    ),
                )
            }),
            Tmpl::Jsonata(expr) => jsonata::evaluate(expr, ev).map_err(|e| {
                Failure::new(QUERY_EVALUATION_ERROR, e.to_string())
            }),
        }
    }
}

/// `Call::eval` needs the scope and the rng at once; `Ev` holds both.
impl Call {
    fn eval_in(&self, ev: &mut Ev<'_>) -> Result<Value, intrinsics::IntrinsicError> {
        let scope = EvScope {
            input: ev.input,
            context: ev.context,
            vars: ev.vars,
        };
        self.eval(&scope, ev.rng)
    }
}

struct EvScope<'a> {
    input: &'a Value,
    context: &'a Value,
    vars: &'a Vars,
}

impl Scope for EvScope<'_> {
    fn input(&self) -> &Value {
        self.input
    }
    fn context(&self) -> &Value {
        self.context
    }
    fn var(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }
}

fn compile(v: &Value, at: &str, jsonata_mode: bool, errors: &mut Vec<TmplError>) -> Tmpl {
    match v {
        Value::Object(m) => {
            let mut fields = Vec::with_capacity(m.len());
            for (k, val) in m {
                let here = format!("{at}/{k}");
                if !jsonata_mode && k.ends_with(".$") && k.len() > 2 {
                    let name = k[..k.len() - 2].to_string();
                    let Value::String(s) = val else {
                        errors.push(TmplError {
                            at: here,
                            message: format!(
                                "The value for the field '{k}' must be a STRING that contains a JSONPath or an intrinsic function"
                            ),
                        });
                        continue;
                    };
                    fields.push((name, dynamic(k, s, &here, errors)));
                } else {
                    fields.push((k.clone(), compile(val, &here, jsonata_mode, errors)));
                }
            }
            if fields.iter().all(|(_, t)| t.is_static()) {
                Tmpl::Lit(Value::Object(
                    fields
                        .into_iter()
                        .map(|(k, t)| match t {
                            Tmpl::Lit(v) => (k, v),
                            _ => unreachable!("all static"),
                        })
                        .collect(),
                ))
            } else {
                Tmpl::Obj(fields)
            }
        }
        Value::Array(a) => {
            let items: Vec<Tmpl> = a
                .iter()
                .enumerate()
                .map(|(i, x)| compile(x, &format!("{at}/{i}"), jsonata_mode, errors))
                .collect();
            if items.iter().all(Tmpl::is_static) {
                Tmpl::Lit(v.clone())
            } else {
                Tmpl::Arr(items)
            }
        }
        Value::String(s) if jsonata_mode => match jsonata_body(s) {
            Some(body) => match jsonata::parse(body) {
                Ok(e) => Tmpl::Jsonata(Arc::new(e)),
                Err(e) => {
                    errors.push(TmplError {
                        at: at.to_string(),
                        message: format!("The JSONata expression '{body}' is not valid: {e}"),
                    });
                    Tmpl::Lit(Value::Null)
                }
            },
            None => Tmpl::Lit(v.clone()),
        },
        other => Tmpl::Lit(other.clone()),
    }
}

fn dynamic(field: &str, s: &str, at: &str, errors: &mut Vec<TmplError>) -> Tmpl {
    if intrinsics::looks_like_call(s) {
        match intrinsics::parse(s) {
            Ok(call) => Tmpl::Call {
                field: field.to_string(),
                call: Box::new(call),
            },
            Err(e) => {
                errors.push(TmplError {
                    at: at.to_string(),
                    message: format!(
                        "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call ({e})"
                    ),
                });
                Tmpl::Lit(Value::Null)
            }
        }
    } else {
        match Path::parse(s) {
            Ok(path) => Tmpl::Path {
                field: field.to_string(),
                path,
            },
            Err(_) => {
                errors.push(TmplError {
                    at: at.to_string(),
                    message: format!(
                        "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"
                    ),
                });
                Tmpl::Lit(Value::Null)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fill(t: &Value, input: Value, ctx: Value) -> Result<Value, Failure> {
        let mut errs = Vec::new();
        let t = Tmpl::jsonpath(t, &mut errs);
        assert!(errs.is_empty(), "{errs:?}");
        let vars = Vars::default();
        let mut rng = SimRng::new(1);
        let mut ev = Ev {
            input: &input,
            context: &ctx,
            vars: &vars,
            rng: &mut rng,
            now: SimTime::EPOCH,
            result: None,
            error_output: None,
        };
        t.eval(&mut ev)
    }

    #[test]
    fn spec_parameters_example() {
        // states-language.net, "Parameters": the spec's own example.
        let input = json!({
            "flagged": 7,
            "vals": [0, 10, 20, 30, 40, 50]
        });
        let params = json!({
            "flagged": true,
            "parts": {
                "first.$": "$.vals[0]",
                "last3.$": "$.vals[3:]"
            }
        });
        assert_eq!(
            fill(&params, input, Value::Null).unwrap(),
            json!({"flagged": true, "parts": {"first": 0, "last3": [30, 40, 50]}})
        );
    }

    #[test]
    fn context_and_intrinsics_fill_in() {
        let t = json!({"id.$": "$$.Execution.Id", "msg.$": "States.Format('hi {}', $.who)"});
        let got = fill(
            &t,
            json!({"who": "ana"}),
            json!({"Execution": {"Id": "e1"}}),
        )
        .unwrap();
        assert_eq!(got, json!({"id": "e1", "msg": "hi ana"}));
    }

    #[test]
    fn a_missing_path_is_a_runtime_error_worded_as_aws_does() {
        let e = fill(&json!({"JobName.$": "$.JobName"}), json!({}), Value::Null).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert_eq!(
            e.cause,
            "The JSONPath '$.JobName' specified for the field 'JobName.$' could not be found in the input '{}'"
        );
    }

    #[test]
    fn bad_dynamic_fields_are_reported_with_their_place() {
        let mut errs = Vec::new();
        Tmpl::jsonpath(
            &json!({"a": {"b.$": 3, "c.$": "not a path", "d.$": "States.Nope()"}}),
            &mut errs,
        );
        let at: Vec<&str> = errs.iter().map(|e| e.at.as_str()).collect();
        assert_eq!(at, vec!["/a/b.$", "/a/c.$", "/a/d.$"]);
    }
}

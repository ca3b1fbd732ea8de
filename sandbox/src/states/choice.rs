//! Choice rules: the comparison operators, `And`/`Or`/`Not`, and JSONata
//! `Condition`s (states-language.net, "Choice State").

use std::cmp::Ordering;
use std::sync::Arc;

use serde_json::Value;

use super::jsonata;
use super::path::{RefPath, Scope};

/// Comparison operators. Every `String*`, `Numeric*`, `Boolean*` and
/// `Timestamp*` operator has a `...Path` twin whose operand is a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `StringEquals`
    StringEquals,
    /// `StringLessThan`
    StringLessThan,
    /// `StringGreaterThan`
    StringGreaterThan,
    /// `StringLessThanEquals`
    StringLessThanEquals,
    /// `StringGreaterThanEquals`
    StringGreaterThanEquals,
    /// `StringMatches` (`*` wildcard; no Path twin)
    StringMatches,
    /// `NumericEquals`
    NumericEquals,
    /// `NumericLessThan`
    NumericLessThan,
    /// `NumericGreaterThan`
    NumericGreaterThan,
    /// `NumericLessThanEquals`
    NumericLessThanEquals,
    /// `NumericGreaterThanEquals`
    NumericGreaterThanEquals,
    /// `BooleanEquals`
    BooleanEquals,
    /// `TimestampEquals`
    TimestampEquals,
    /// `TimestampLessThan`
    TimestampLessThan,
    /// `TimestampGreaterThan`
    TimestampGreaterThan,
    /// `TimestampLessThanEquals`
    TimestampLessThanEquals,
    /// `TimestampGreaterThanEquals`
    TimestampGreaterThanEquals,
    /// `IsNull`
    IsNull,
    /// `IsPresent`
    IsPresent,
    /// `IsNumeric`
    IsNumeric,
    /// `IsString`
    IsString,
    /// `IsBoolean`
    IsBoolean,
    /// `IsTimestamp`
    IsTimestamp,
}

/// Every operator with its field name.
pub const OPS: &[(&str, Op)] = &[
    ("StringEquals", Op::StringEquals),
    ("StringLessThan", Op::StringLessThan),
    ("StringGreaterThan", Op::StringGreaterThan),
    ("StringLessThanEquals", Op::StringLessThanEquals),
    ("StringGreaterThanEquals", Op::StringGreaterThanEquals),
    ("StringMatches", Op::StringMatches),
    ("NumericEquals", Op::NumericEquals),
    ("NumericLessThan", Op::NumericLessThan),
    ("NumericGreaterThan", Op::NumericGreaterThan),
    ("NumericLessThanEquals", Op::NumericLessThanEquals),
    ("NumericGreaterThanEquals", Op::NumericGreaterThanEquals),
    ("BooleanEquals", Op::BooleanEquals),
    ("TimestampEquals", Op::TimestampEquals),
    ("TimestampLessThan", Op::TimestampLessThan),
    ("TimestampGreaterThan", Op::TimestampGreaterThan),
    ("TimestampLessThanEquals", Op::TimestampLessThanEquals),
    ("TimestampGreaterThanEquals", Op::TimestampGreaterThanEquals),
    ("IsNull", Op::IsNull),
    ("IsPresent", Op::IsPresent),
    ("IsNumeric", Op::IsNumeric),
    ("IsString", Op::IsString),
    ("IsBoolean", Op::IsBoolean),
    ("IsTimestamp", Op::IsTimestamp),
];

impl Op {
    /// True for the `Is*` type tests (their operand is a boolean).
    pub fn is_test(self) -> bool {
        matches!(
            self,
            Op::IsNull
                | Op::IsPresent
                | Op::IsNumeric
                | Op::IsString
                | Op::IsBoolean
                | Op::IsTimestamp
        )
    }

    /// True when the operator has a `...Path` twin.
    pub fn has_path_form(self) -> bool {
        !self.is_test() && self != Op::StringMatches
    }

    /// What the literal operand must be, in words (for validation).
    pub fn operand_kind(self) -> &'static str {
        use Op::*;
        match self {
            StringEquals
            | StringLessThan
            | StringGreaterThan
            | StringLessThanEquals
            | StringGreaterThanEquals
            | StringMatches
            | TimestampEquals
            | TimestampLessThan
            | TimestampGreaterThan
            | TimestampLessThanEquals
            | TimestampGreaterThanEquals => "string",
            NumericEquals
            | NumericLessThan
            | NumericGreaterThan
            | NumericLessThanEquals
            | NumericGreaterThanEquals => "number",
            _ => "boolean",
        }
    }
}

/// The right-hand side of a comparison.
#[derive(Clone, Debug)]
pub enum Operand {
    /// A literal.
    Lit(Value),
    /// A `...Path` operand.
    Path(RefPath),
}

/// One rule (a top-level choice or a nested one).
#[derive(Clone, Debug)]
pub enum Rule {
    /// All must hold.
    And(Vec<Rule>),
    /// Any must hold.
    Or(Vec<Rule>),
    /// Must not hold.
    Not(Box<Rule>),
    /// `Variable` compared with an operand.
    Cmp {
        /// The variable's path.
        var: RefPath,
        /// The operator.
        op: Op,
        /// The operand.
        operand: Operand,
    },
    /// A JSONata `Condition`.
    Condition(Arc<jsonata::Expr>),
}

/// Why a rule could not be evaluated (a path to a missing value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError(pub String);

fn timestamp(v: &Value) -> Option<jiff::Timestamp> {
    let s = v.as_str()?;
    // RFC 3339 with an upper-case T and a time zone, as the spec requires.
    if !s.contains('T') {
        return None;
    }
    s.parse::<jiff::Timestamp>().ok()
}

/// `StringMatches`: `*` matches any run of characters; `\*` is a literal
/// asterisk and `\\` a literal backslash.
pub fn glob(pattern: &str, text: &str) -> bool {
    #[derive(PartialEq)]
    enum T {
        Star,
        Ch(char),
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => toks.push(T::Ch(chars.next().unwrap_or('\\'))),
            '*' => toks.push(T::Star),
            c => toks.push(T::Ch(c)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < text.len() {
        match toks.get(pi) {
            Some(T::Ch(c)) if *c == text[ti] => {
                ti += 1;
                pi += 1;
            }
            Some(T::Star) => {
                star = Some((pi, ti));
                pi += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks[pi..].iter().all(|t| *t == T::Star)
}

fn cmp_num(a: &Value, b: &Value) -> Option<Ordering> {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

fn holds(ord: Option<Ordering>, op: Op) -> bool {
    use Op::*;
    let Some(o) = ord else { return false };
    match op {
        StringEquals | NumericEquals | TimestampEquals => o == Ordering::Equal,
        StringLessThan | NumericLessThan | TimestampLessThan => o == Ordering::Less,
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => o == Ordering::Greater,
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => {
            o != Ordering::Greater
        }
        _ => o != Ordering::Less,
    }
}

impl Rule {
    /// Evaluates a JSONPath rule against `scope`. A missing `Variable` is an
    /// error, except for `IsPresent`; a value of the wrong type is `false`.
    pub fn eval(&self, scope: &dyn Scope) -> Result<bool, RuleError> {
        match self {
            Rule::And(rs) => {
                for r in rs {
                    if !r.eval(scope)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Rule::Or(rs) => {
                for r in rs {
                    if r.eval(scope)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Rule::Not(r) => Ok(!r.eval(scope)?),
            Rule::Condition(_) => Err(RuleError(
                "a JSONata Condition in a JSONPath Choice state".into(),
            )),
            Rule::Cmp { var, op, operand } => {
                let path = super::path::Path::Ref(var.clone());
                let value = path.read(scope);
                let Some(value) = value else {
                    if *op == Op::IsPresent {
                        return Ok(matches!(operand, Operand::Lit(Value::Bool(false))));
                    }
                    return Err(RuleError(format!(
                        "Invalid path '{}': The choice state's condition path references an invalid value.",
                        var.as_str()
                    )));
                };
                let rhs = match operand {
                    Operand::Lit(v) => v.clone(),
                    Operand::Path(p) => super::path::Path::Ref(p.clone())
                        .read(scope)
                        .ok_or_else(|| {
                            RuleError(format!(
                                "Invalid path '{}': The choice state's condition path references an invalid value.",
                                p.as_str()
                            ))
                        })?,
                };
                Ok(compare(*op, &value, &rhs))
            }
        }
    }
}

/// Applies one operator.
pub fn compare(op: Op, v: &Value, rhs: &Value) -> bool {
    use Op::*;
    let want = rhs.as_bool().unwrap_or(true);
    match op {
        IsNull => v.is_null() == want,
        IsPresent => want,
        IsNumeric => v.is_number() == want,
        IsString => v.is_string() == want,
        IsBoolean => v.is_boolean() == want,
        IsTimestamp => timestamp(v).is_some() == want,
        StringMatches => match (v.as_str(), rhs.as_str()) {
            (Some(s), Some(p)) => glob(p, s),
            _ => false,
        },
        StringEquals
        | StringLessThan
        | StringGreaterThan
        | StringLessThanEquals
        | StringGreaterThanEquals => match (v.as_str(), rhs.as_str()) {
            (Some(a), Some(b)) => holds(Some(a.cmp(b)), op),
            _ => false,
        },
        NumericEquals
        | NumericLessThan
        | NumericGreaterThan
        | NumericLessThanEquals
        | NumericGreaterThanEquals => {
            if v.is_number() && rhs.is_number() {
                holds(cmp_num(v, rhs), op)
            } else {
                false
            }
        }
        BooleanEquals => matches!((v, rhs), (Value::Bool(a), Value::Bool(b)) if a == b),
        _ => match (timestamp(v), timestamp(rhs)) {
            (Some(a), Some(b)) => holds(Some(a.cmp(&b)), op),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::states::path::JustInput;
    use serde_json::json;

    fn cmp(var: &str, op: Op, rhs: Value) -> Rule {
        Rule::Cmp {
            var: RefPath::parse(var).unwrap(),
            op,
            operand: Operand::Lit(rhs),
        }
    }

    #[test]
    fn spec_choice_example() {
        // states-language.net, "Choice State": the spec's example rules.
        let rule1 = Rule::Not(Box::new(cmp("$.type", Op::StringEquals, json!("Private"))));
        let rule2 = Rule::And(vec![
            cmp("$.value", Op::IsPresent, json!(true)),
            cmp("$.value", Op::IsNumeric, json!(true)),
            cmp("$.value", Op::NumericGreaterThanEquals, json!(20)),
            cmp("$.value", Op::NumericLessThan, json!(30)),
        ]);
        let input = json!({"type": "Private", "value": 22});
        assert!(!rule1.eval(&JustInput(&input)).unwrap());
        assert!(rule2.eval(&JustInput(&input)).unwrap());
        let input = json!({"type": "Public"});
        assert!(rule1.eval(&JustInput(&input)).unwrap());
        assert!(!rule2.eval(&JustInput(&input)).unwrap());
    }

    #[test]
    fn types_mismatches_are_false_and_missing_paths_are_errors() {
        let input = json!({"n": "12", "t": "2026-01-01T00:00:00Z", "b": true});
        let s = JustInput(&input);
        assert!(!cmp("$.n", Op::NumericEquals, json!(12)).eval(&s).unwrap());
        assert!(
            cmp(
                "$.t",
                Op::TimestampLessThan,
                json!("2026-01-02T00:00:00+01:00")
            )
            .eval(&s)
            .unwrap()
        );
        assert!(cmp("$.t", Op::IsTimestamp, json!(true)).eval(&s).unwrap());
        assert!(!cmp("$.n", Op::IsTimestamp, json!(true)).eval(&s).unwrap());
        assert!(cmp("$.b", Op::BooleanEquals, json!(true)).eval(&s).unwrap());
        assert!(cmp("$.x", Op::IsPresent, json!(false)).eval(&s).unwrap());
        let e = cmp("$.x", Op::StringEquals, json!("a"))
            .eval(&s)
            .unwrap_err();
        assert!(e.0.contains("Invalid path '$.x'"), "{e:?}");
        let path_rule = Rule::Cmp {
            var: RefPath::parse("$.n").unwrap(),
            op: Op::StringEquals,
            operand: Operand::Path(RefPath::parse("$.n").unwrap()),
        };
        assert!(path_rule.eval(&s).unwrap());
    }

    #[test]
    fn string_matches_globs() {
        assert!(glob("log-*.txt", "log-2026.txt"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "aXXbYc"));
        assert!(!glob("a*b", "aXc"));
        assert!(glob("a\\*b", "a*b"));
        assert!(!glob("a\\*b", "axb"));
        assert!(glob("*.log", "x.y.log"));
    }
}

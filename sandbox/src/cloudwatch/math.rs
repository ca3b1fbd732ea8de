//! Metric math: the arithmetic expressions GetMetricData and alarms accept
//! (`m1 / m2`, `(m1 + m2) * 100`, `m1 / 60`), over time series aligned by
//! timestamp. A timestamp missing from any operand is missing from the result.

use std::collections::BTreeMap;

use crate::error::{CloudError, CloudResult};

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number.
    Num(f64),
    /// Another query's result, by id.
    Id(String),
    /// `a op b`.
    Bin(Box<Expr>, char, Box<Expr>),
    /// `-a`.
    Neg(Box<Expr>),
}

/// A time series: value per timestamp (Unix seconds).
pub type TimeSeries = BTreeMap<u64, f64>;

fn bad(expr: &str, why: &str) -> CloudError {
    CloudError::new(
        "ValidationError",
        format!("Invalid metric math expression '{expr}': {why}."),
    )
}

/// Parses `text` (ids are `[a-z][a-zA-Z0-9_]*`, as GetMetricData requires).
pub fn parse(text: &str) -> CloudResult<Expr> {
    let tokens = tokenize(text)?;
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        text,
    };
    let e = p.sum()?;
    if p.pos != tokens.len() {
        return Err(bad(text, "unexpected text after the expression"));
    }
    Ok(e)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Id(String),
    Op(char),
}

fn tokenize(text: &str) -> CloudResult<Vec<Tok>> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if "+-*/()".contains(c) {
            out.push(Tok::Op(c));
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            let n = s
                .parse()
                .map_err(|_| bad(text, &format!("'{s}' is not a number")))?;
            out.push(Tok::Num(n));
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Id(chars[start..i].iter().collect()));
        } else {
            return Err(bad(text, &format!("unexpected character '{c}'")));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: &'a [Tok],
    pos: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn sum(&mut self) -> CloudResult<Expr> {
        let mut e = self.product()?;
        while let Some(Tok::Op(op @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            e = Expr::Bin(Box::new(e), op, Box::new(self.product()?));
        }
        Ok(e)
    }

    fn product(&mut self) -> CloudResult<Expr> {
        let mut e = self.unary()?;
        while let Some(Tok::Op(op @ ('*' | '/'))) = self.peek().cloned() {
            self.pos += 1;
            e = Expr::Bin(Box::new(e), op, Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> CloudResult<Expr> {
        match self.peek().cloned() {
            Some(Tok::Op('-')) => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.unary()?)))
            }
            Some(Tok::Op('(')) => {
                self.pos += 1;
                let e = self.sum()?;
                if self.peek() != Some(&Tok::Op(')')) {
                    return Err(bad(self.text, "missing ')'"));
                }
                self.pos += 1;
                Ok(e)
            }
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ok(Expr::Num(n))
            }
            Some(Tok::Id(id)) => {
                self.pos += 1;
                if self.peek() == Some(&Tok::Op('(')) {
                    return Err(bad(
                        self.text,
                        &format!("function {id}() is not supported in this sandbox (use + - * /)"),
                    ));
                }
                Ok(Expr::Id(id))
            }
            _ => Err(bad(self.text, "expected a number, an id or '('")),
        }
    }
}

impl Expr {
    /// Ids the expression reads.
    pub fn ids(&self) -> Vec<String> {
        match self {
            Expr::Num(_) => vec![],
            Expr::Id(i) => vec![i.clone()],
            Expr::Neg(a) => a.ids(),
            Expr::Bin(a, _, b) => {
                let mut v = a.ids();
                v.extend(b.ids());
                v
            }
        }
    }

    /// Evaluates over the series in `env`; `None` means "a constant".
    pub fn eval(&self, env: &BTreeMap<String, TimeSeries>) -> CloudResult<Result<TimeSeries, f64>> {
        Ok(match self {
            Expr::Num(n) => Err(*n),
            Expr::Id(i) => Ok(env.get(i).cloned().ok_or_else(|| {
                CloudError::new(
                    "ValidationError",
                    format!("The expression uses the id '{i}', which no query has."),
                )
            })?),
            Expr::Neg(a) => match a.eval(env)? {
                Ok(s) => Ok(s.into_iter().map(|(t, v)| (t, -v)).collect()),
                Err(n) => Err(-n),
            },
            Expr::Bin(a, op, b) => {
                let f = |x: f64, y: f64| match op {
                    '+' => x + y,
                    '-' => x - y,
                    '*' => x * y,
                    _ => x / y,
                };
                match (a.eval(env)?, b.eval(env)?) {
                    (Err(x), Err(y)) => Err(f(x, y)),
                    (Ok(s), Err(y)) => Ok(s.into_iter().map(|(t, x)| (t, f(x, y))).collect()),
                    (Err(x), Ok(s)) => Ok(s.into_iter().map(|(t, y)| (t, f(x, y))).collect()),
                    (Ok(s), Ok(r)) => Ok(s
                        .into_iter()
                        .filter_map(|(t, x)| r.get(&t).map(|y| (t, f(x, *y))))
                        .filter(|(_, v)| v.is_finite())
                        .collect()),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlog_per_instance() {
        let e = parse("m1 / m2").unwrap();
        let mut env = BTreeMap::new();
        env.insert("m1".to_string(), TimeSeries::from([(0, 100.0), (60, 50.0)]));
        env.insert("m2".to_string(), TimeSeries::from([(0, 4.0), (60, 0.0)]));
        let out = e.eval(&env).unwrap().unwrap();
        // Division by zero instances gives no datapoint, not infinity.
        assert_eq!(out, TimeSeries::from([(0, 25.0)]));
    }

    #[test]
    fn precedence_and_constants() {
        let e = parse("(m1 + 1) * 2 - -3").unwrap();
        let env = BTreeMap::from([("m1".to_string(), TimeSeries::from([(0, 1.0)]))]);
        assert_eq!(e.eval(&env).unwrap().unwrap()[&0], 7.0);
        assert_eq!(parse("2 * 3").unwrap().eval(&env).unwrap(), Err(6.0));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(parse("m1 +").unwrap_err().message.contains("expected"));
        assert!(parse("SUM(m1)").unwrap_err().message.contains("SUM"));
        assert!(parse("m1 $ 2").unwrap_err().message.contains("'$'"));
        let e = parse("m9").unwrap().eval(&BTreeMap::new()).unwrap_err();
        assert!(e.message.contains("m9"));
    }
}

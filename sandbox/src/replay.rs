//! Replay scripts: drive the AWS-shaped face from JSON lines.
//!
//! Input, one JSON object per line:
//! - `{"call": "<service>.<Operation>", "params": {...}}` runs [`Cloud::call`];
//! - `{"advance": SECONDS}` moves virtual time (fractions allowed);
//! - `{"comment": "..."}` is ignored. Blank lines are ignored too.
//!
//! Output, one line per call or advance, in order: `{"ok": RESPONSE}`,
//! `{"error": {"code": ..., "message": ...}}`, or `{"ok": {"now": RFC3339}}`.
//!
//! ```
//! use cloudlab::replay::{parse_script, run};
//! let script = r#"
//! {"comment": "a queue and a message"}
//! {"call": "sqs.CreateQueue", "params": {"QueueName": "q"}}
//! {"advance": 1.5}
//! {"call": "sqs.GetQueueUrl", "params": {"QueueName": "nope"}}
//! "#;
//! let steps = parse_script(script).unwrap();
//! let mut out = Vec::new();
//! run(&mut cloudlab::Cloud::new(), &steps, &mut out).unwrap();
//! let out = String::from_utf8(out).unwrap();
//! let lines: Vec<&str> = out.lines().collect();
//! assert_eq!(lines.len(), 3);
//! assert!(lines[1].contains("2026-01-01T00:00:01.5Z"));
//! assert!(lines[2].contains("QueueDoesNotExist"));
//! ```

use std::fmt;
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::cloud::Cloud;
use crate::time::DurationExt;

/// One executable line of a script.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Call `service.operation` with `params`.
    Call {
        /// 1-based line number in the script.
        line: usize,
        /// `sqs`, `sns`, `lambda`, ...
        service: String,
        /// `SendMessage`, ...
        operation: String,
        /// Request members.
        params: Value,
    },
    /// Move time forward.
    Advance {
        /// 1-based line number in the script.
        line: usize,
        /// Seconds (fractions allowed).
        seconds: f64,
    },
}

/// A line that is not a valid step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

const SHAPES: &str = r#"expected {"call": "<service>.<Operation>", "params": {...}}, {"advance": SECONDS} or {"comment": "..."}"#;

fn parse_line(line: usize, text: &str) -> Result<Option<Step>, ScriptError> {
    let err = |message: String| ScriptError { line, message };
    let v: Value = serde_json::from_str(text).map_err(|e| err(format!("not valid JSON: {e}")))?;
    let Value::Object(map) = &v else {
        return Err(err(format!("not an object; {SHAPES}")));
    };
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    match keys.as_slice() {
        ["comment"] => Ok(None),
        ["advance"] => match map["advance"].as_f64() {
            Some(s) if s >= 0.0 && s.is_finite() => Ok(Some(Step::Advance { line, seconds: s })),
            _ => Err(err(format!(
                "\"advance\" must be a non-negative number of seconds, not {}",
                map["advance"]
            ))),
        },
        ["call"] | ["call", "params"] | ["params", "call"] => {
            let call = map["call"]
                .as_str()
                .ok_or_else(|| err("\"call\" must be a string like \"sqs.SendMessage\"".into()))?;
            let (service, operation) = call
                .split_once('.')
                .filter(|(s, o)| !s.is_empty() && !o.is_empty())
                .ok_or_else(|| {
                    err(format!(
                        "\"call\" must be \"<service>.<Operation>\" (like \"sqs.SendMessage\"), not \"{call}\""
                    ))
                })?;
            let params = map.get("params").cloned().unwrap_or_else(|| json!({}));
            if !params.is_object() {
                return Err(err("\"params\" must be an object".into()));
            }
            Ok(Some(Step::Call {
                line,
                service: service.to_string(),
                operation: operation.to_string(),
                params,
            }))
        }
        _ => Err(err(format!("unexpected members {keys:?}; {SHAPES}"))),
    }
}

/// Parses a whole script. Every bad line is reported, none is run.
pub fn parse_script(text: &str) -> Result<Vec<Step>, Vec<ScriptError>> {
    let mut steps = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        match parse_line(i + 1, trimmed) {
            Ok(Some(step)) => steps.push(step),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(steps)
    } else {
        Err(errors)
    }
}

/// The output line for one step.
pub fn run_step(cloud: &mut Cloud, step: &Step) -> Value {
    match step {
        Step::Call {
            service,
            operation,
            params,
            ..
        } => match cloud.call(service, operation, params.clone()) {
            Ok(v) => json!({ "ok": v }),
            Err(e) => json!({ "error": e.to_json() }),
        },
        Step::Advance { seconds, .. } => {
            cloud.advance(seconds.secs());
            json!({ "ok": { "now": cloud.now().to_string() } })
        }
    }
}

/// Runs every step, writing one JSON line per step to `out`.
pub fn run(cloud: &mut Cloud, steps: &[Step], out: &mut impl Write) -> io::Result<()> {
    for step in steps {
        let line = run_step(cloud, step);
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_line_is_named() {
        let errs = parse_script("{\"call\": \"sqs\"}\n\n{nope\n[1]\n{\"advance\": -1}\n{\"x\": 1}")
            .unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 3, 4, 5, 6]);
        assert!(errs[0].message.contains("<service>.<Operation>"));
        assert!(errs[1].message.contains("not valid JSON"));
    }

    #[test]
    fn params_default_to_empty() {
        let steps = parse_script(r#"{"call": "sqs.ListQueues"}"#).unwrap();
        assert_eq!(
            steps,
            vec![Step::Call {
                line: 1,
                service: "sqs".into(),
                operation: "ListQueues".into(),
                params: json!({})
            }]
        );
    }
}

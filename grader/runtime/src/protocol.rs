//! The records a submission's child process sends the grader, one JSON object
//! per line on the result channel (the child's original stdout; learner output
//! goes to stderr). Every record carries the per-run key the grader handed the
//! child on stdin before any learner code ran: a line without it is not a result.

use serde::{Deserialize, Serialize};

/// A value shown in a report: JSON, or text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    /// A JSON value (pretty-printed for diffs).
    Json(serde_json::Value),
    /// Plain text.
    Text(String),
}

impl Shown {
    /// The text a report shows and diffs.
    pub fn render(&self) -> String {
        match self {
            Shown::Json(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
            Shown::Text(t) => t.clone(),
        }
    }
}

impl From<&str> for Shown {
    fn from(s: &str) -> Shown {
        Shown::Text(s.to_string())
    }
}

impl From<String> for Shown {
    fn from(s: String) -> Shown {
        Shown::Text(s)
    }
}

impl From<serde_json::Value> for Shown {
    fn from(v: serde_json::Value) -> Shown {
        Shown::Json(v)
    }
}

/// A panic caught while a scenario ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PanicInfo {
    /// The panic message (redacted when it would quote hidden scenario source).
    pub message: String,
    /// `solution.rs:LINE:COL` when the panic was in the learner's code.
    pub location: Option<String>,
}

/// Why one run of a scenario failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// What was checked.
    pub what: String,
    /// The expected value, if the check had one.
    pub expected: Option<Shown>,
    /// The actual value, if the check had one.
    pub actual: Option<Shown>,
    /// Context the scenario noted before failing.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Set when the run panicked instead of failing a check.
    #[serde(default)]
    pub panic: Option<PanicInfo>,
}

/// Which isolation was active in the child (each: "active", or why not).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protections {
    /// Resource limits: address space, CPU time, file size, no core dumps.
    pub rlimits: String,
    /// Landlock file-system (and, where the kernel has it, network) rules.
    pub landlock: String,
    /// The seccomp filter: no new processes, no sockets.
    pub seccomp: String,
}

impl Protections {
    /// True when all three were fully applied.
    pub fn all_active(&self) -> bool {
        [&self.rlimits, &self.landlock, &self.seccomp]
            .iter()
            .all(|s| s.as_str() == "active")
    }
}

/// One scenario as the plan lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanEntry {
    /// The scenario's name.
    pub name: String,
    /// Its points.
    pub points: u32,
    /// Its feedback text.
    pub feedback: String,
    /// Its seeds.
    pub seeds: Vec<u64>,
    /// From `hidden.rs` (true) or `public.rs` (false).
    pub hidden: bool,
}

/// A record on the result channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Record {
    /// First record: which protections are active.
    Hello {
        /// The protections.
        protections: Protections,
    },
    /// Every scenario that this run will grade, in order.
    Plan {
        /// The scenarios.
        scenarios: Vec<PlanEntry>,
    },
    /// Scenario `index` starts (the grader's clock for its time limit starts).
    Start {
        /// Index into the plan.
        index: usize,
    },
    /// One seed of scenario `index` finished.
    Seed {
        /// Index into the plan.
        index: usize,
        /// The seed.
        seed: u64,
        /// Whether it passed.
        passed: bool,
        /// Why not.
        failure: Option<Failure>,
    },
    /// Scenario `index` finished (all seeds).
    Done {
        /// Index into the plan.
        index: usize,
    },
    /// Every scenario ran.
    End,
}

/// A record with the run's key, as one line on the channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// The key the grader gave this run.
    pub key: String,
    /// The record.
    #[serde(flatten)]
    pub record: Record,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_as_tagged_json_lines() {
        let env = Envelope {
            key: "k".into(),
            record: Record::Seed {
                index: 2,
                seed: 7,
                passed: false,
                failure: Some(Failure {
                    what: "count".into(),
                    expected: Some(Shown::Json(serde_json::json!(1))),
                    actual: Some(Shown::Text("2".into())),
                    notes: vec![],
                    panic: None,
                }),
            },
        };
        let line = serde_json::to_string(&env).unwrap();
        assert!(
            line.starts_with(r#"{"key":"k","t":"seed","index":2"#),
            "{line}"
        );
        assert_eq!(serde_json::from_str::<Envelope>(&line).unwrap(), env);
    }
}

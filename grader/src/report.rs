//! Grade reports: the data (serialised as the stable `--format json`) and the
//! scoring rules. Renderers live in [`crate::render`].
//!
//! Scoring: a scenario worth `p` points over `n` seeds earns `p * passed / n`
//! (two decimals). A timed-out or crashed scenario earns nothing; the others
//! keep what they earned. A missing, refused or non-compiling solution scores
//! 0 for that exercise only.

use grading::protocol::{Failure, PanicInfo, PlanEntry, Protections};
use serde::Serialize;

use crate::run::{Interruption, RunOutcome};

/// Version of the JSON report format (bumped on any breaking change).
pub const FORMAT_VERSION: u32 = 1;

/// The whole report of a grading run.
#[derive(Clone, Debug, Serialize)]
pub struct GradeReport {
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// The exercises graded, in column order.
    pub exercises: Vec<ExerciseInfo>,
    /// One entry per submission.
    pub submissions: Vec<SubmissionReport>,
}

/// An exercise's id, title and points.
#[derive(Clone, Debug, Serialize)]
pub struct ExerciseInfo {
    /// The id.
    pub id: String,
    /// The title.
    pub title: String,
    /// Its points.
    pub points: u32,
}

/// One submission's results.
#[derive(Clone, Debug, Serialize)]
pub struct SubmissionReport {
    /// The submission's name (file stem or path in the batch).
    pub name: String,
    /// The file.
    pub path: String,
    /// Points earned.
    pub score: f64,
    /// Points possible.
    pub max_score: f64,
    /// One entry per exercise.
    pub exercises: Vec<ExerciseReport>,
}

/// How far an exercise's solution got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseStatus {
    /// It compiled and its scenarios ran (some may have failed).
    Graded,
    /// No solution cell (or the file could not be read).
    Missing,
    /// Refused before compiling: syntax, forbidden items or the contract.
    Refused,
    /// It did not compile.
    CompileError,
    /// The program did not start or died before reporting its plan.
    Crashed,
}

/// One exercise's results for one submission.
#[derive(Clone, Debug, Serialize)]
pub struct ExerciseReport {
    /// The exercise id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where the solution came from (`cell 4`, `ana.rs`).
    pub origin: Option<String>,
    /// What happened.
    pub status: ExerciseStatus,
    /// Points earned.
    pub score: f64,
    /// Points possible.
    pub max_score: f64,
    /// A one-line summary when not graded (why it scored 0).
    pub message: Option<String>,
    /// Detailed problems: refusals and compile errors, in the solution's lines.
    pub problems: Vec<String>,
    /// Per-scenario results (empty unless graded).
    pub scenarios: Vec<ScenarioReport>,
    /// Isolation the child reported.
    pub protections: Option<Protections>,
    /// What the solution printed (capped).
    pub output: String,
    /// Bytes of output dropped by the cap.
    pub output_dropped: usize,
    /// Lines on the result channel that did not carry the run key (ignored).
    pub ignored_result_lines: usize,
}

/// How a scenario ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioStatus {
    /// Every seed passed.
    Passed,
    /// Some seeds passed.
    Partial,
    /// No seed passed.
    Failed,
    /// Stopped at its time limit.
    TimedOut,
    /// The program died while it ran.
    Crashed,
    /// It never started (the program died earlier for good).
    NotRun,
}

/// One scenario's result.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioReport {
    /// Its name.
    pub name: String,
    /// From `hidden.rs`.
    pub hidden: bool,
    /// How it ended.
    pub status: ScenarioStatus,
    /// Points earned.
    pub score: f64,
    /// Points possible.
    pub max_score: f64,
    /// Seeds that passed.
    pub seeds_passed: usize,
    /// Seeds in all.
    pub seeds_total: usize,
    /// The author's feedback (only when it did not pass).
    pub feedback: Option<String>,
    /// The first failure.
    pub failure: Option<FailureReport>,
    /// Why it timed out or crashed.
    pub message: Option<String>,
}

/// The first failing seed of a scenario.
#[derive(Clone, Debug, Serialize)]
pub struct FailureReport {
    /// The seed.
    pub seed: u64,
    /// What was checked.
    pub what: String,
    /// Expected value, rendered.
    pub expected: Option<String>,
    /// Actual value, rendered.
    pub actual: Option<String>,
    /// A line diff of expected vs actual (`-` expected, `+` actual).
    pub diff: Option<String>,
    /// Context the scenario noted.
    pub notes: Vec<String>,
    /// Set when the code panicked.
    pub panic: Option<PanicInfo>,
}

/// Rounds to two decimals.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl ExerciseReport {
    /// A report for an exercise that was not graded.
    pub fn not_graded(
        id: &str,
        title: &str,
        points: u32,
        status: ExerciseStatus,
        message: String,
        problems: Vec<String>,
    ) -> ExerciseReport {
        ExerciseReport {
            id: id.to_string(),
            title: title.to_string(),
            origin: None,
            status,
            score: 0.0,
            max_score: points as f64,
            message: Some(message),
            problems,
            scenarios: Vec::new(),
            protections: None,
            output: String::new(),
            output_dropped: 0,
            ignored_result_lines: 0,
        }
    }

    /// The report of a run.
    pub fn from_run(id: &str, title: &str, points: u32, run: RunOutcome) -> ExerciseReport {
        if let Some(why) = run.startup_failure.clone() {
            let mut r =
                Self::not_graded(id, title, points, ExerciseStatus::Crashed, why, Vec::new());
            r.output = run.output;
            r.output_dropped = run.output_dropped;
            r.protections = run.protections;
            return r;
        }
        let scenarios: Vec<ScenarioReport> = run
            .plan
            .iter()
            .enumerate()
            .map(|(i, entry)| scenario_report(entry, i, &run))
            .collect();
        let score = round2(scenarios.iter().map(|s| s.score).sum());
        let max_score = scenarios.iter().map(|s| s.max_score).sum();
        ExerciseReport {
            id: id.to_string(),
            title: title.to_string(),
            origin: None,
            status: ExerciseStatus::Graded,
            score,
            max_score,
            message: None,
            problems: Vec::new(),
            scenarios,
            protections: run.protections,
            output: run.output,
            output_dropped: run.output_dropped,
            ignored_result_lines: run.forged_lines,
        }
    }

    /// True when every scenario passed.
    pub fn passed(&self) -> bool {
        self.status == ExerciseStatus::Graded
            && self
                .scenarios
                .iter()
                .all(|s| s.status == ScenarioStatus::Passed)
    }
}

fn scenario_report(entry: &PlanEntry, index: usize, run: &RunOutcome) -> ScenarioReport {
    let seeds = run.seeds.get(&index).map(Vec::as_slice).unwrap_or(&[]);
    let total = entry.seeds.len().max(1);
    let passed = seeds.iter().filter(|s| s.passed).count().min(total);
    let interrupted = run.interrupted.get(&index);
    let status = match interrupted {
        Some(Interruption::TimedOut(_)) => ScenarioStatus::TimedOut,
        Some(Interruption::Crashed(_)) => ScenarioStatus::Crashed,
        None if seeds.is_empty() => ScenarioStatus::NotRun,
        None if passed == total => ScenarioStatus::Passed,
        None if passed > 0 => ScenarioStatus::Partial,
        None => ScenarioStatus::Failed,
    };
    let score = if interrupted.is_some() {
        0.0
    } else {
        round2(entry.points as f64 * passed as f64 / total as f64)
    };
    let message = interrupted.map(|i| match i {
        Interruption::TimedOut(d) => format!(
            "stopped after {} ms (its time limit): an endless loop, or a long poll that never ends?",
            d.as_millis()
        ),
        Interruption::Crashed(why) => why.clone(),
    });
    let failure = seeds
        .iter()
        .find(|s| !s.passed)
        .and_then(|s| s.failure.as_ref().map(|f| failure_report(s.seed, f)));
    ScenarioReport {
        name: entry.name.clone(),
        hidden: entry.hidden,
        status,
        score,
        max_score: entry.points as f64,
        seeds_passed: if interrupted.is_some() { 0 } else { passed },
        seeds_total: total,
        feedback: (status != ScenarioStatus::Passed && !entry.feedback.is_empty())
            .then(|| entry.feedback.clone()),
        failure,
        message,
    }
}

fn failure_report(seed: u64, f: &Failure) -> FailureReport {
    let expected = f.expected.as_ref().map(|v| v.render());
    let actual = f.actual.as_ref().map(|v| v.render());
    let diff = match (&expected, &actual) {
        (Some(e), Some(a)) if e.contains('\n') || a.contains('\n') => Some(line_diff(e, a)),
        _ => None,
    };
    FailureReport {
        seed,
        what: f.what.clone(),
        expected,
        actual,
        diff,
        notes: f.notes.clone(),
        panic: f.panic.clone(),
    }
}

/// A line diff: unchanged lines start with two spaces, expected-only with
/// `- `, actual-only with `+ `.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let diff = similar::TextDiff::from_lines(expected, actual);
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "- ",
            similar::ChangeTag::Insert => "+ ",
            similar::ChangeTag::Equal => "  ",
        };
        out.push_str(sign);
        out.push_str(change.value().trim_end_matches('\n'));
        out.push('\n');
    }
    out
}

impl SubmissionReport {
    /// Totals the exercises.
    pub fn new(name: String, path: String, exercises: Vec<ExerciseReport>) -> SubmissionReport {
        SubmissionReport {
            score: round2(exercises.iter().map(|e| e.score).sum()),
            max_score: exercises.iter().map(|e| e.max_score).sum(),
            name,
            path,
            exercises,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::SeedResult;
    use std::time::Duration;

    fn entry(name: &str, points: u32, seeds: usize) -> PlanEntry {
        PlanEntry {
            name: name.into(),
            points,
            feedback: "think".into(),
            seeds: (1..=seeds as u64).collect(),
            hidden: true,
        }
    }

    fn seed(seed: u64, passed: bool) -> SeedResult {
        SeedResult {
            seed,
            passed,
            failure: (!passed).then(|| Failure {
                what: "count".into(),
                expected: Some(grading::protocol::Shown::Json(
                    serde_json::json!({"a": 1, "b": 2}),
                )),
                actual: Some(grading::protocol::Shown::Json(
                    serde_json::json!({"a": 1, "b": 3}),
                )),
                notes: vec![],
                panic: None,
            }),
        }
    }

    #[test]
    fn partial_credit_timeouts_and_crashes_score_as_documented() {
        let mut run = RunOutcome {
            plan: vec![
                entry("a", 4, 4),
                entry("b", 3, 1),
                entry("c", 2, 1),
                entry("d", 1, 1),
            ],
            ..Default::default()
        };
        run.seeds.insert(
            0,
            vec![seed(1, true), seed(2, false), seed(3, true), seed(4, true)],
        );
        run.interrupted
            .insert(1, Interruption::TimedOut(Duration::from_millis(500)));
        run.interrupted.insert(
            2,
            Interruption::Crashed("memory limit exceeded (64 MiB)".into()),
        );
        run.seeds.insert(3, vec![seed(1, true)]);
        let r = ExerciseReport::from_run("x", "X", 10, run);
        let got: Vec<(ScenarioStatus, f64)> =
            r.scenarios.iter().map(|s| (s.status, s.score)).collect();
        assert_eq!(
            got,
            vec![
                (ScenarioStatus::Partial, 3.0),
                (ScenarioStatus::TimedOut, 0.0),
                (ScenarioStatus::Crashed, 0.0),
                (ScenarioStatus::Passed, 1.0)
            ]
        );
        assert_eq!((r.score, r.max_score), (4.0, 10.0));
        let a = &r.scenarios[0];
        assert_eq!(a.failure.as_ref().unwrap().seed, 2);
        assert!(
            a.failure
                .as_ref()
                .unwrap()
                .diff
                .as_ref()
                .unwrap()
                .contains("-   \"b\": 2\n+   \"b\": 3")
        );
        assert_eq!(r.scenarios[3].feedback, None);
        assert_eq!(
            r.scenarios[2].message.as_deref(),
            Some("memory limit exceeded (64 MiB)")
        );
    }

    #[test]
    fn a_run_that_never_started_is_a_crash_verdict() {
        let run = RunOutcome {
            startup_failure: Some("the program did not start: boom".into()),
            ..Default::default()
        };
        let r = ExerciseReport::from_run("x", "X", 10, run);
        assert_eq!(r.status, ExerciseStatus::Crashed);
        assert_eq!(r.score, 0.0);
        assert_eq!(r.max_score, 10.0);
    }
}

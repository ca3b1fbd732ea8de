//! What the kernel's `:check <id>` calls: the exercise's PUBLIC scenarios on
//! one solution cell, in a child process like any grading run.
//!
//! ```no_run
//! use cloudlab_grader::{exercise, learner};
//! let ex = exercise::load_by_id(&exercise::default_root(), "sqs-idempotent-consumer")?;
//! let cell = ex.starter.clone(); // the learner's cell
//! let report = learner::check_public(&ex, &cell)?;
//! println!("{}", report.to_text());   // or report.to_html() in a notebook
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The first call in a process prepares the grading workspace (the first
//! ever compiles the sandbox, about a minute); later calls cost one small
//! compile and one run.

use std::sync::{Mutex, OnceLock};

use crate::exercise::Exercise;
use crate::grade::{GradeOptions, Grader};
use crate::render::{self, Style};
use crate::report::ExerciseReport;
use crate::submission::Submission;
use crate::toolchain::ToolchainError;

static GRADER: OnceLock<Mutex<Option<Grader>>> = OnceLock::new();

/// Runs `exercise`'s public scenarios on `source`; the report says what
/// passed, what failed and why (compile errors in the cell's own lines).
pub fn check_public(exercise: &Exercise, source: &str) -> Result<ExerciseReport, ToolchainError> {
    let cell = GRADER.get_or_init(|| Mutex::new(None));
    let mut guard = cell.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if guard.is_none() {
        *guard = Some(Grader::new(GradeOptions {
            public_only: true,
            jobs: 1,
            ..GradeOptions::default()
        })?);
    }
    let Some(grader) = guard.as_ref() else {
        unreachable!("set above")
    };
    let submission = Submission::from_source("cell", source);
    let mut report = grader.grade(&[submission], std::slice::from_ref(exercise));
    let mut ex = report
        .submissions
        .pop()
        .and_then(|mut s| s.exercises.pop())
        .unwrap_or_else(|| {
            ExerciseReport::not_graded(
                exercise.id(),
                &exercise.meta.title,
                exercise.meta.points,
                crate::report::ExerciseStatus::Crashed,
                "nothing was graded".into(),
                Vec::new(),
            )
        });
    ex.origin = Some("your cell".into());
    Ok(ex)
}

impl ExerciseReport {
    /// The report as an HTML fragment (the grader's renderer, for notebooks).
    pub fn to_html(&self) -> String {
        render::exercise_html(self)
    }

    /// The report as plain text.
    pub fn to_text(&self) -> String {
        render::exercise_text(self, Style { color: false })
    }
}

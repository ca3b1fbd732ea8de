//! What the builder needs from an exercise: the parts the `{exercise}`
//! directive expands to. The folders themselves (`exercises/<id>/`) are read
//! by `cloudlab_grader::exercise` ([`ExerciseDir`]); this module only holds
//! the view of them the builder uses, so lessons and grading never disagree
//! about an exercise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cloudlab_grader::exercise::{self as grader, ExerciseError};

use crate::diagnostics::Diagnostic;

/// One exercise as a lesson shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExerciseParts {
    /// The id (`exercises/<id>/`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Points it is worth.
    pub points: u32,
    /// The prompt, markdown.
    pub prompt: String,
    /// The solution cell as learners first see it.
    pub starter: String,
    /// The reference solution (instructor notebooks only).
    pub solution: String,
    /// Hints (markdown), in the order `:hint` reveals them.
    pub hints: Vec<String>,
    /// The slug of the lesson the exercise belongs to.
    pub lesson: String,
}

/// The exercises a course uses, by id.
pub type Exercises = BTreeMap<String, ExerciseParts>;

/// Why an exercise id could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExerciseProblem {
    /// No such exercise; these ids exist.
    Unknown {
        /// Ids that do exist.
        known: Vec<String>,
    },
    /// The exercise's files are wrong (as the exercise loader reports them).
    Invalid(Vec<Diagnostic>),
}

/// Where the builder looks exercises up by id.
pub trait ExerciseSource {
    /// The exercise `id`, or why it cannot be used.
    fn lookup(&self, id: &str) -> Result<ExerciseParts, ExerciseProblem>;
}

impl ExerciseSource for Exercises {
    fn lookup(&self, id: &str) -> Result<ExerciseParts, ExerciseProblem> {
        self.get(id)
            .cloned()
            .ok_or_else(|| ExerciseProblem::Unknown {
                known: self.keys().cloned().collect(),
            })
    }
}

/// An `exercises/` folder, read with `cloudlab_grader::exercise`.
#[derive(Clone, Debug)]
pub struct ExerciseDir(pub PathBuf);

impl ExerciseDir {
    /// The folder `root`.
    pub fn new(root: impl Into<PathBuf>) -> ExerciseDir {
        ExerciseDir(root.into())
    }

    /// Every exercise id in the folder (none when the folder does not exist).
    pub fn ids(&self) -> Vec<String> {
        grader::list_ids(&self.0).unwrap_or_default()
    }
}

fn diagnostic(root: &Path, e: ExerciseError) -> Diagnostic {
    match e {
        ExerciseError::Invalid {
            path,
            line,
            message,
        } => Diagnostic::new(&path, line.unwrap_or(1), message),
        ExerciseError::MissingFile { ref path } => Diagnostic::new(path, 1, e.to_string()),
        ExerciseError::Io { ref path, .. } => Diagnostic::new(path, 1, e.to_string()),
        other => Diagnostic::new(root, 1, other.to_string()),
    }
}

impl ExerciseSource for ExerciseDir {
    fn lookup(&self, id: &str) -> Result<ExerciseParts, ExerciseProblem> {
        let known = self.ids();
        if !known.iter().any(|k| k == id) {
            return Err(ExerciseProblem::Unknown { known });
        }
        let ex = grader::load_by_id(&self.0, id)
            .map_err(|e| ExerciseProblem::Invalid(vec![diagnostic(&self.0, e)]))?;
        Ok(ExerciseParts {
            id: ex.meta.id.clone(),
            title: ex.meta.title.clone(),
            points: ex.meta.points,
            prompt: ex.prompt.clone(),
            starter: ex.starter.clone(),
            solution: ex.solution.clone(),
            hints: ex.meta.hints.clone(),
            lesson: ex.meta.lesson.clone(),
        })
    }
}

/// The marker line every solution cell starts with.
pub fn marker(id: &str) -> String {
    format!("// exercise: {id}")
}

/// `code` with the marker line first (added when the file lacks it).
pub fn with_marker(id: &str, code: &str) -> String {
    let marker = marker(id);
    let code = code.trim_end();
    if code.lines().next().map(str::trim) == Some(marker.as_str()) {
        code.to_string()
    } else {
        format!("{marker}\n{code}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_is_added_once() {
        assert_eq!(with_marker("a", "fn f() {}\n"), "// exercise: a\nfn f() {}");
        assert_eq!(
            with_marker("a", "// exercise: a\nfn f() {}"),
            "// exercise: a\nfn f() {}"
        );
    }
}

//! What the builder needs from an exercise: the parts the `{exercise}`
//! directive expands to. The folders themselves (`exercises/<id>/`) are read
//! by `cloudlab_grader::exercise`; this module only holds the view of them the
//! builder uses, so lessons and grading never disagree about an exercise.

use std::collections::BTreeMap;

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
}

/// The exercises lessons may reference, by id.
pub type Exercises = BTreeMap<String, ExerciseParts>;

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

//! Submissions: a notebook (`.ipynb`), a Rust file (`.rs`) or a directory of
//! them, and the solution cell each holds for an exercise.
//!
//! In a notebook, the solution for exercise `<id>` is the last code cell whose
//! first non-blank line is `// exercise: <id>`, or whose metadata says
//! `"cloudlab": {"exercise": "<id>"}` (or `"exercise": "<id>"`). Learners
//! duplicate, move and delete cells: the last match wins, and no match is a
//! clear "missing" verdict for that exercise only.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// What can go wrong reading a submission.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmissionError {
    /// The file could not be read.
    #[error("{path}: {message}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The notebook is not valid JSON.
    #[error("{path}:{line}:{column}: the notebook is not valid JSON ({message})")]
    CorruptNotebook {
        /// The file.
        path: String,
        /// Line of the JSON error.
        line: usize,
        /// Column of the JSON error.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// Valid JSON but not a notebook.
    #[error("{path}: not a Jupyter notebook ({message})")]
    NotANotebook {
        /// The file.
        path: String,
        /// What is missing.
        message: String,
    },
}

/// A solution found in a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Solution {
    /// The solution's source, exactly as written (lines match the cell's).
    pub source: String,
    /// Where it came from, for messages: `cell 7` or the file name.
    pub origin: String,
}

/// The content of a submission file.
#[derive(Clone, Debug)]
enum Content {
    Notebook(Vec<Cell>),
    Rust(String),
    Broken(SubmissionError),
}

#[derive(Clone, Debug)]
struct Cell {
    index: usize,
    source: String,
    exercise_meta: Option<String>,
}

/// One submission file.
#[derive(Clone, Debug)]
pub struct Submission {
    /// A name for reports and the gradebook: the path relative to the batch
    /// directory, without extension, or the file stem.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    content: Content,
}

impl Submission {
    /// Reads a `.ipynb` or `.rs` file. Never fails: a broken file becomes a
    /// submission whose every exercise reports the problem.
    pub fn read(path: &Path, name: &str) -> Submission {
        let shown = path.display().to_string();
        let content = match std::fs::read_to_string(path) {
            Err(e) => Content::Broken(SubmissionError::Unreadable {
                path: shown,
                message: e.to_string(),
            }),
            Ok(text) if is_notebook(path) => match parse_notebook(&shown, &text) {
                Ok(cells) => Content::Notebook(cells),
                Err(e) => Content::Broken(e),
            },
            Ok(text) => Content::Rust(text),
        };
        Submission {
            name: name.to_string(),
            path: path.to_path_buf(),
            content,
        }
    }

    /// A submission from source text (what `:check` grades).
    pub fn from_source(name: &str, source: &str) -> Submission {
        Submission {
            name: name.to_string(),
            path: PathBuf::from(format!("{name}.rs")),
            content: Content::Rust(source.to_string()),
        }
    }

    /// The problem that makes the whole file unusable, if any.
    pub fn error(&self) -> Option<&SubmissionError> {
        match &self.content {
            Content::Broken(e) => Some(e),
            _ => None,
        }
    }

    /// The solution for exercise `id`, or why there is none.
    pub fn solution(&self, id: &str) -> Result<Solution, String> {
        match &self.content {
            Content::Broken(e) => Err(e.to_string()),
            Content::Rust(text) => {
                let marker = first_code_line(text).and_then(marker_id);
                match marker {
                    Some(found) if found != id => Err(format!(
                        "{} is marked `// exercise: {found}`, not `{id}`",
                        file_name(&self.path)
                    )),
                    _ => Ok(Solution {
                        source: text.clone(),
                        origin: file_name(&self.path),
                    }),
                }
            }
            Content::Notebook(cells) => cells
                .iter()
                .rev()
                .find(|c| {
                    c.exercise_meta.as_deref() == Some(id)
                        || first_code_line(&c.source).and_then(marker_id) == Some(id)
                })
                .map(|c| Solution {
                    source: c.source.clone(),
                    origin: format!("cell {}", c.index + 1),
                })
                .ok_or_else(|| {
                    format!(
                        "no solution cell for `{id}` in {} (a code cell starting with `// exercise: {id}`); it scores 0",
                        file_name(&self.path)
                    )
                }),
        }
    }

    /// The exercise ids this submission has solution cells for, in cell order.
    pub fn exercise_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = match &self.content {
            Content::Broken(_) => Vec::new(),
            Content::Rust(text) => first_code_line(text)
                .and_then(marker_id)
                .map(str::to_string)
                .into_iter()
                .collect(),
            Content::Notebook(cells) => cells
                .iter()
                .filter_map(|c| {
                    c.exercise_meta.clone().or_else(|| {
                        first_code_line(&c.source)
                            .and_then(marker_id)
                            .map(str::to_string)
                    })
                })
                .collect(),
        };
        let mut seen = std::collections::BTreeSet::new();
        ids.retain(|id| seen.insert(id.clone()));
        ids
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string())
}

fn is_notebook(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ipynb")
}

fn first_code_line(source: &str) -> Option<&str> {
    source.lines().map(str::trim).find(|l| !l.is_empty())
}

/// `// exercise: <id>` -> `<id>`.
pub fn marker_id(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("//")?.trim_start();
    let id = rest.strip_prefix("exercise:")?.trim();
    (!id.is_empty() && !id.contains(char::is_whitespace)).then_some(id)
}

fn parse_notebook(path: &str, text: &str) -> Result<Vec<Cell>, SubmissionError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| SubmissionError::CorruptNotebook {
        path: path.to_string(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or("")
            .to_string(),
    })?;
    let cells = doc.get("cells").and_then(Value::as_array).ok_or_else(|| {
        SubmissionError::NotANotebook {
            path: path.to_string(),
            message: "no `cells` list".into(),
        }
    })?;
    Ok(cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.get("cell_type").and_then(Value::as_str) == Some("code"))
        .map(|(index, c)| Cell {
            index,
            source: cell_source(c.get("source")),
            exercise_meta: c.get("metadata").and_then(exercise_meta),
        })
        .collect())
}

/// nbformat allows a string or a list of strings.
fn cell_source(source: Option<&Value>) -> String {
    match source {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

fn exercise_meta(meta: &Value) -> Option<String> {
    meta.pointer("/cloudlab/exercise")
        .or_else(|| meta.get("exercise"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Every `.ipynb` and `.rs` file under `dir` (recursively, sorted), named by
/// their path relative to `dir` without the extension.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<Submission>> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    Ok(files
        .iter()
        .map(|path| {
            let rel = path.strip_prefix(dir).unwrap_or(path).with_extension("");
            Submission::read(path, &rel.to_string_lossy())
        })
        .collect())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "ipynb" || e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn notebook(cells: Value) -> String {
        json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).to_string()
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn the_last_matching_cell_wins_and_others_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let nb = notebook(json!([
            {"cell_type": "markdown", "source": "// exercise: a", "metadata": {}},
            {"cell_type": "code", "source": ["// exercise: a\n", "fn old() {}\n"], "metadata": {}},
            {"cell_type": "code", "source": "let x = 1;", "metadata": {}},
            {"cell_type": "code", "source": "\n// exercise: a\nfn new() {}\n", "metadata": {}},
            {"cell_type": "code", "source": "fn b() {}", "metadata": {"cloudlab": {"exercise": "b"}}},
        ]));
        let s = Submission::read(&write(dir.path(), "ana.ipynb", &nb), "ana");
        let a = s.solution("a").unwrap();
        assert!(a.source.contains("fn new"));
        assert_eq!(a.origin, "cell 4");
        assert_eq!(s.solution("b").unwrap().source, "fn b() {}");
        assert_eq!(s.exercise_ids(), vec!["a", "b"]);
        let missing = s.solution("c").unwrap_err();
        assert!(
            missing.contains("no solution cell for `c` in ana.ipynb"),
            "{missing}"
        );
    }

    #[test]
    fn a_corrupt_notebook_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "bo.ipynb",
            "{\"cells\": [\n  {\"cell_type\": \"code\",,}\n]}",
        );
        let s = Submission::read(&path, "bo");
        let err = s.error().unwrap().to_string();
        assert!(err.contains("bo.ipynb:2:"), "{err}");
        assert!(err.contains("not valid JSON"), "{err}");
        assert_eq!(s.solution("a").unwrap_err(), err);
        let path = write(dir.path(), "cy.ipynb", "[1, 2]");
        let err = Submission::read(&path, "cy").error().unwrap().to_string();
        assert!(err.contains("not a Jupyter notebook"), "{err}");
    }

    #[test]
    fn a_rust_file_answers_for_its_marked_exercise_only() {
        let s = Submission::from_source("x", "// exercise: a\nfn f() {}\n");
        assert!(s.solution("a").is_ok());
        assert!(
            s.solution("b")
                .unwrap_err()
                .contains("marked `// exercise: a`")
        );
        let unmarked = Submission::from_source("y", "fn f() {}\n");
        assert!(unmarked.solution("b").is_ok());
    }

    #[test]
    fn markers_parse_with_spacing_variants() {
        assert_eq!(marker_id("// exercise: sqs-dlq"), Some("sqs-dlq"));
        assert_eq!(marker_id("//exercise:sqs-dlq  "), Some("sqs-dlq"));
        assert_eq!(marker_id("// exercise:"), None);
        assert_eq!(marker_id("// exercises: x"), None);
    }

    #[test]
    fn a_directory_is_read_recursively_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("group1")).unwrap();
        write(dir.path(), "b.rs", "// exercise: a\n");
        write(&dir.path().join("group1"), "a.ipynb", &notebook(json!([])));
        write(dir.path(), "notes.txt", "ignored");
        let subs = read_dir(dir.path()).unwrap();
        let names: Vec<&str> = subs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["b", "group1/a"]);
    }
}

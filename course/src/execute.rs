//! Running notebooks: the builder drives an [`Executor`] (the Cloudlab
//! kernel, wired in by the `cloudlab` binary) cell by cell, collects outputs
//! by cell id, and reports failing cells with their lesson and source line.

use std::path::PathBuf;

use serde_json::Value;

use crate::cells::Cell;
use crate::notebook::{CellOutputs, Outputs};
use crate::parse::Lesson;

/// What ran one cell produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CellRun {
    /// The kernel's execution count.
    pub execution_count: Option<u64>,
    /// nbformat outputs, including an `error` output when the cell failed.
    pub outputs: Vec<Value>,
    /// The kernel replied with a status other than `ok` (even without an
    /// `error` output).
    pub failed: bool,
}

impl CellRun {
    /// The error output's `ename: evalue`, if the cell failed.
    pub fn error(&self) -> Option<String> {
        let from_output = self
            .outputs
            .iter()
            .find(|o| o.get("output_type").and_then(Value::as_str) == Some("error"))
            .map(|o| {
                let name = o.get("ename").and_then(Value::as_str).unwrap_or("Error");
                let value = o.get("evalue").and_then(Value::as_str).unwrap_or("");
                crate::html::strip_ansi(&format!("{name}: {value}"))
            });
        match from_output {
            Some(e) => Some(e),
            None if self.failed => Some("the cell failed (the kernel replied `error`)".into()),
            None => None,
        }
    }
}

/// Something that runs notebook cells in order, with fresh state per notebook.
pub trait Executor {
    /// Starts a fresh session for `lesson` (no definitions or cloud from an
    /// earlier notebook survive).
    fn start(&mut self, lesson: &Lesson) -> Result<(), String>;
    /// Runs one cell's source and waits for it to finish.
    fn run(&mut self, source: &str) -> Result<CellRun, String>;
    /// Ends the session (the default does nothing).
    fn stop(&mut self) {}
}

/// A cell that failed when it should not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellFailure {
    /// The lesson source.
    pub file: PathBuf,
    /// The line of the cell's first code line (or directive) in the source.
    pub line: usize,
    /// The lesson's slug.
    pub lesson: String,
    /// The error.
    pub message: String,
}

impl std::fmt::Display for CellFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: cell failed in lesson `{}`: {}",
            self.file.display(),
            self.line,
            self.lesson,
            self.message
        )
    }
}

/// Runs `cells` top to bottom. Cells tagged `skip-execution` are not run;
/// an error in a cell tagged `raises-exception` is expected. A kernel that
/// stops answering ends the notebook (the remaining cells are not run).
pub fn run_cells(
    exec: &mut dyn Executor,
    lesson: &Lesson,
    cells: &[Cell],
    on_cell: &mut dyn FnMut(&Cell),
) -> (Outputs, Vec<CellFailure>) {
    let mut outputs = Outputs::new();
    let mut failures = Vec::new();
    let fail = |line: usize, message: String| CellFailure {
        file: lesson.path.clone(),
        line,
        lesson: lesson.slug.clone(),
        message,
    };
    if let Err(e) = exec.start(lesson) {
        failures.push(fail(1, format!("the kernel did not start: {e}")));
        return (outputs, failures);
    }
    for cell in cells.iter().filter(|c| c.kind.is_code()) {
        if cell.kind.has_tag("skip-execution") {
            continue;
        }
        on_cell(cell);
        match exec.run(&cell.source) {
            Ok(run) => {
                if let Some(err) = run.error()
                    && !cell.kind.has_tag("raises-exception")
                {
                    failures.push(fail(cell.line, err));
                }
                outputs.insert(
                    cell.id.clone(),
                    CellOutputs {
                        execution_count: run.execution_count,
                        outputs: run.outputs,
                    },
                );
            }
            Err(e) => {
                failures.push(fail(cell.line, format!("the kernel failed: {e}")));
                break;
            }
        }
    }
    exec.stop();
    (outputs, failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::{Variant, expand};
    use crate::exercise::Exercises;
    use serde_json::json;

    /// Runs cells by looking at their source: `fail` errors, `kaput` kills the kernel.
    struct Fake {
        starts: usize,
        ran: Vec<String>,
    }

    impl Executor for Fake {
        fn start(&mut self, _lesson: &Lesson) -> Result<(), String> {
            self.starts += 1;
            Ok(())
        }
        fn run(&mut self, source: &str) -> Result<CellRun, String> {
            self.ran.push(source.to_string());
            if source.contains("kaput") {
                return Err("kernel died".into());
            }
            let outputs = if source.contains("fail") {
                vec![
                    json!({"output_type": "error", "ename": "E0425", "evalue": "\u{1b}[31mboom\u{1b}[0m", "traceback": []}),
                ]
            } else {
                vec![json!({"output_type": "stream", "name": "stdout", "text": "ok\n"})]
            };
            Ok(CellRun {
                execution_count: Some(self.ran.len() as u64),
                outputs,
                failed: false,
            })
        }
    }

    fn lesson(body: &str) -> Lesson {
        let src = format!(
            "---\ntitle: T\nsummary: S\norder: 1\nobjectives: [o]\nestimated_minutes: 20\n---\n{body}"
        );
        crate::parse::parse_lesson(std::path::Path::new("lessons/t.md"), &src).unwrap()
    }

    #[test]
    fn failures_name_lesson_and_line_and_tags_are_honoured() {
        let l = lesson(
            "```{code-cell} rust\nlet a = 1;\n```\n\n```{code-cell} rust\nfail();\n```\n\n```{code-cell} rust\n:tags: [raises-exception]\nfail();\n```\n\n```{code-cell} rust\n:tags: [skip-execution]\nnever();\n```\n",
        );
        let cells = expand(&l, &Exercises::new(), Variant::Instructor);
        let mut fake = Fake {
            starts: 0,
            ran: vec![],
        };
        let (outs, failures) = run_cells(&mut fake, &l, &cells, &mut |_| {});
        assert_eq!(fake.starts, 1);
        assert_eq!(fake.ran.len(), 3, "skip-execution is not run");
        assert_eq!(outs.len(), 3);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(
            failures[0].to_string(),
            "lessons/t.md:13: cell failed in lesson `t`: E0425: boom"
        );
    }

    #[test]
    fn a_dead_kernel_ends_the_notebook() {
        let l = lesson("```{code-cell} rust\nkaput\n```\n\n```{code-cell} rust\nlet b = 2;\n```\n");
        let cells = expand(&l, &Exercises::new(), Variant::Instructor);
        let mut fake = Fake {
            starts: 0,
            ran: vec![],
        };
        let (_, failures) = run_cells(&mut fake, &l, &cells, &mut |_| {});
        assert_eq!(fake.ran.len(), 1);
        assert!(failures[0].message.contains("kernel died"));
        assert!(
            CellRun {
                failed: true,
                ..Default::default()
            }
            .error()
            .is_some()
        );
    }
}

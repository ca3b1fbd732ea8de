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
}

impl CellRun {
    /// The error output's `ename: evalue`, if the cell failed.
    pub fn error(&self) -> Option<String> {
        self.outputs
            .iter()
            .find(|o| o.get("output_type").and_then(Value::as_str) == Some("error"))
            .map(|o| {
                let name = o.get("ename").and_then(Value::as_str).unwrap_or("Error");
                let value = o.get("evalue").and_then(Value::as_str).unwrap_or("");
                crate::html::strip_ansi(&format!("{name}: {value}"))
            })
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

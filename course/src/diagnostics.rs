//! Problems found in lesson sources, each with the file and line it is on.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a lesson source: where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The lesson file.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, in words an author can act on.
    pub message: String,
}

impl Diagnostic {
    /// A problem at `file:line`.
    pub fn new(file: &Path, line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// Every problem found in a set of sources, in file and line order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds a problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds a problem at `file:line`.
    pub fn at(&mut self, file: &Path, line: usize, message: impl Into<String>) {
        self.0.push(Diagnostic::new(file, line, message));
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sorts by file and line.
    pub fn sort(&mut self) {
        self.0.sort();
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        write!(f, "{} problem(s) in the lesson sources", self.0.len())
    }
}

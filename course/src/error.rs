//! What can stop a build.

use std::path::PathBuf;

use crate::diagnostics::Diagnostics;

/// Why a build (or scaffold) failed. Source problems come all at once.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Problems in the lesson sources, each with file and line; nothing was written.
    #[error("{0}")]
    Sources(Diagnostics),
    /// A file or folder could not be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// What was read.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A file or folder could not be written.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// What was written.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A site template failed to load or render.
    #[error("template: {0}")]
    Template(String),
    /// `cloudlab new ...` was asked for something it cannot make.
    #[error("{0}")]
    Scaffold(String),
}

impl BuildError {
    pub(crate) fn read(path: impl Into<PathBuf>, source: std::io::Error) -> BuildError {
        BuildError::Read {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn write(path: impl Into<PathBuf>, source: std::io::Error) -> BuildError {
        BuildError::Write {
            path: path.into(),
            source,
        }
    }
}

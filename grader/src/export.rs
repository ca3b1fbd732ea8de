//! `cloudlab export gradescope`: an autograder zip for Gradescope.
//!
//! The zip holds `setup.sh` (installs Rust, builds `cloudlab`, prepares the
//! grading workspace), `run_autograder` (grades the first notebook or `.rs`
//! file in `/autograder/submission` into `/autograder/results/results.json`)
//! and `cloudlab/`: the sources needed to build, with the chosen exercises.
//! `run_autograder` honours `AUTOGRADER_ROOT` and `CLOUDLAB_BIN` so it can be
//! tested against a local fake `/autograder` layout.

use std::io::Write;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;

use crate::exercise::Exercise;

/// Top-level paths the autograder needs to build `cloudlab` besides the
/// workspace members (read from `Cargo.toml`): the manifest, the lock file and
/// the templates the course crate compiles in.
const SOURCES: &[&str] = &["Cargo.toml", "Cargo.lock", "templates"];

/// The `[workspace] members` of `repo/Cargo.toml`.
pub fn workspace_members(repo: &Path) -> Result<Vec<String>, ExportError> {
    let path = repo.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|source| ExportError::Io {
        path: path.clone(),
        source,
    })?;
    let manifest: toml::Table =
        text.parse()
            .map_err(|e: toml::de::Error| ExportError::Manifest {
                path: path.clone(),
                message: e.message().to_string(),
            })?;
    let members = manifest
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .ok_or_else(|| ExportError::Manifest {
            path: path.clone(),
            message: "no [workspace] members".into(),
        })?;
    members
        .iter()
        .map(|m| {
            m.as_str()
                .map(str::to_string)
                .ok_or_else(|| ExportError::Manifest {
                    path: path.clone(),
                    message: format!("workspace member {m} is not a path"),
                })
        })
        .collect()
}

/// Why the export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading a source or writing the zip failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The zip writer failed.
    #[error("writing the zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The workspace manifest does not list its members.
    #[error("{}: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn setup_sh() -> String {
    r#"#!/usr/bin/env bash
# Gradescope setup: Rust, the cloudlab binary, and the precompiled sandbox.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
# Only what is missing is installed (the network is needed for that alone).
if ! command -v cc >/dev/null || ! command -v curl >/dev/null; then
  apt-get update -qq && apt-get install -y -qq curl build-essential pkg-config >/dev/null
fi
if ! command -v cargo >/dev/null; then
  curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain 1.95
fi
(cd cloudlab && cargo build --release --locked -p cloudlab-cli)
CLOUDLAB_EXERCISES="$PWD/cloudlab/exercises" cloudlab/target/release/cloudlab grade --prepare
"#
    .to_string()
}

fn run_autograder(exercises: &[&Exercise]) -> String {
    let ids: Vec<String> = exercises
        .iter()
        .map(|e| format!("--exercise {}", e.id()))
        .collect();
    format!(
        r#"#!/usr/bin/env bash
# Gradescope entry point: grade the submitted notebook (or .rs file).
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
HERE="$(cd "$(dirname "$0")" && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
BIN="${{CLOUDLAB_BIN:-$HERE/cloudlab/target/release/cloudlab}}"
export CLOUDLAB_EXERCISES="$HERE/cloudlab/exercises"
mkdir -p "$ROOT/results"
SUB="$(find "$ROOT/submission" -type f \( -name '*.ipynb' -o -name '*.rs' \) | sort | head -n 1)"
if [ -z "$SUB" ]; then
  echo '{{"score": 0, "output": "No notebook (.ipynb) or .rs file was submitted.", "tests": []}}' > "$ROOT/results/results.json"
  exit 0
fi
"$BIN" grade "$SUB" {ids} --format gradescope --output "$ROOT/results/results.json"
"#,
        ids = ids.join(" ")
    )
}

fn add_file(
    zip: &mut zip::ZipWriter<std::fs::File>,
    name: &str,
    bytes: &[u8],
    mode: u32,
) -> Result<(), ExportError> {
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(mode);
    zip.start_file(name, options)?;
    zip.write_all(bytes).map_err(|source| ExportError::Io {
        path: PathBuf::from(name),
        source,
    })
}

fn add_tree(
    zip: &mut zip::ZipWriter<std::fs::File>,
    root: &Path,
    rel: &Path,
) -> Result<(), ExportError> {
    let path = root.join(rel);
    let io = |source| ExportError::Io {
        path: path.clone(),
        source,
    };
    if path.is_file() {
        let bytes = std::fs::read(&path).map_err(io)?;
        let name = Path::new("cloudlab").join(rel);
        return add_file(zip, &name.to_string_lossy(), &bytes, 0o644);
    }
    if !path.is_dir() {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&path)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if name == "target" || name.starts_with('.') {
            continue;
        }
        add_tree(zip, root, &rel.join(name))?;
    }
    Ok(())
}

/// Writes the autograder zip for `exercises` to `out`.
pub fn gradescope(repo: &Path, exercises: &[&Exercise], out: &Path) -> Result<(), ExportError> {
    let file = std::fs::File::create(out).map_err(|source| ExportError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let mut zip = zip::ZipWriter::new(file);
    add_file(&mut zip, "setup.sh", setup_sh().as_bytes(), 0o755)?;
    add_file(
        &mut zip,
        "run_autograder",
        run_autograder(exercises).as_bytes(),
        0o755,
    )?;
    let members = workspace_members(repo)?;
    for src in SOURCES
        .iter()
        .copied()
        .chain(members.iter().map(String::as_str))
    {
        add_tree(&mut zip, repo, Path::new(src))?;
    }
    for ex in exercises {
        let rel = Path::new("exercises").join(ex.id());
        let parent = ex.dir.parent().unwrap_or(repo);
        add_tree_from(&mut zip, parent, ex.id(), &rel)?;
    }
    zip.finish()?;
    Ok(())
}

/// Adds `dir/<name>` under `cloudlab/<rel>`.
fn add_tree_from(
    zip: &mut zip::ZipWriter<std::fs::File>,
    dir: &Path,
    name: &str,
    rel: &Path,
) -> Result<(), ExportError> {
    let src = dir.join(name);
    let mut files = Vec::new();
    collect(&src, &mut files).map_err(|source| ExportError::Io {
        path: src.clone(),
        source,
    })?;
    for f in files {
        let inner = f.strip_prefix(&src).unwrap_or(&f);
        let bytes = std::fs::read(&f).map_err(|source| ExportError::Io {
            path: f.clone(),
            source,
        })?;
        let name = Path::new("cloudlab").join(rel).join(inner);
        add_file(zip, &name.to_string_lossy(), &bytes, 0o644)?;
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

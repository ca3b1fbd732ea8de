//! Exercises on disk: `exercises/<id>/` loaded into an [`Exercise`].
//!
//! ```text
//! exercises/<id>/
//!   exercise.toml   id, title, lesson, points, limits, hints, the contract
//!   prompt.md       what the learner is asked to do (markdown)
//!   starter.rs      the solution cell as learners first see it
//!   solution.rs     the reference solution (instructors only)
//!   public.rs       scenarios learners may run with `:check`
//!   hidden.rs       hidden scenarios (their source is never shown)
//!   wrong/*.rs      plausible wrong solutions that must fail a hidden scenario
//! ```
//!
//! ```no_run
//! let ex = cloudlab_grader::exercise::load_by_id(
//!     &cloudlab_grader::exercise::default_root(),
//!     "sqs-idempotent-consumer",
//! )?;
//! println!("{}: {} points", ex.meta.title, ex.meta.points);
//! # Ok::<(), cloudlab_grader::exercise::ExerciseError>(())
//! ```
//!
//! Every error names the file and, where it can, the line (`exercise.toml:7:
//! ...`), so authors can fix their exercise from the message alone.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::contract::Contract;

/// Files every exercise folder must have, besides `exercise.toml`.
pub const REQUIRED_FILES: &[&str] = &[
    "prompt.md",
    "starter.rs",
    "solution.rs",
    "public.rs",
    "hidden.rs",
];

/// What can go wrong loading an exercise.
#[derive(Debug, thiserror::Error)]
pub enum ExerciseError {
    /// No folder `<root>/<id>` with an `exercise.toml`.
    #[error("no exercise `{id}` in {}{}", root.display(), suggestion(known, id))]
    NotFound {
        /// The id asked for.
        id: String,
        /// Where exercises were looked for.
        root: PathBuf,
        /// The ids that do exist.
        known: Vec<String>,
    },
    /// A file the format requires is missing.
    #[error("{}: missing (every exercise needs {})", path.display(), REQUIRED_FILES.join(", "))]
    MissingFile {
        /// The missing file.
        path: PathBuf,
    },
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is there but wrong; `line` is 1-based when known.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

fn suggestion(known: &[String], id: &str) -> String {
    let close = known
        .iter()
        .filter(|k| k.contains(id) || id.contains(k.as_str()) || shares_words(k, id))
        .cloned()
        .collect::<Vec<_>>();
    if !close.is_empty() {
        format!(" (did you mean {}?)", close.join(", "))
    } else if known.is_empty() {
        " (there are no exercises there)".to_string()
    } else {
        format!(" (known: {})", known.join(", "))
    }
}

fn shares_words(a: &str, b: &str) -> bool {
    let words: Vec<&str> = b.split('-').filter(|w| w.len() > 3).collect();
    a.split('-').any(|w| words.contains(&w))
}

/// Time and memory limits for running one submission.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Wall-clock limit per scenario (all its seeds), milliseconds.
    #[serde(default = "Limits::default_time_ms")]
    pub time_ms: u64,
    /// CPU-time limit per scenario, milliseconds (defaults to `time_ms`).
    #[serde(default)]
    pub cpu_ms: Option<u64>,
    /// Address-space cap for the child process, MiB.
    #[serde(default = "Limits::default_memory_mb")]
    pub memory_mb: u64,
    /// Bytes of the learner's printed output kept in reports (per stream).
    #[serde(default = "Limits::default_output_bytes")]
    pub output_bytes: usize,
}

impl Limits {
    fn default_time_ms() -> u64 {
        5_000
    }
    fn default_memory_mb() -> u64 {
        512
    }
    fn default_output_bytes() -> usize {
        16 * 1024
    }

    /// The CPU limit per scenario, milliseconds.
    pub fn cpu_ms(&self) -> u64 {
        self.cpu_ms.unwrap_or(self.time_ms)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time_ms: Self::default_time_ms(),
            cpu_ms: None,
            memory_mb: Self::default_memory_mb(),
            output_bytes: Self::default_output_bytes(),
        }
    }
}

/// `exercise.toml`, as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    title: String,
    lesson: String,
    points: u32,
    #[serde(default)]
    hints: Vec<String>,
    #[serde(default)]
    limits: Limits,
    contract: crate::contract::RawContract,
}

/// The metadata of an exercise (`exercise.toml`).
#[derive(Clone, Debug)]
pub struct Meta {
    /// The exercise id: the folder name, lowercase words joined by `-`.
    pub id: String,
    /// A short title.
    pub title: String,
    /// The lesson the exercise belongs to (a file stem in `lessons/`).
    pub lesson: String,
    /// Total points: the sum of the points of all scenarios, public and hidden.
    pub points: u32,
    /// Hints, in the order `:hint` reveals them (markdown).
    pub hints: Vec<String>,
    /// Time and memory limits.
    pub limits: Limits,
    /// What the solution must define.
    pub contract: Contract,
}

/// A plausible wrong solution (`wrong/<name>.rs`) that must fail a hidden scenario.
#[derive(Clone, Debug)]
pub struct WrongSolution {
    /// The file stem.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Its source.
    pub source: String,
}

/// One exercise, loaded and validated.
#[derive(Clone)]
pub struct Exercise {
    /// The folder it was loaded from.
    pub dir: PathBuf,
    /// `exercise.toml`.
    pub meta: Meta,
    /// `prompt.md`: the task, shown to learners.
    pub prompt: String,
    /// `starter.rs`: the learner's first solution cell (starts `// exercise: <id>`).
    pub starter: String,
    /// `solution.rs`: the reference solution (instructor notebooks only).
    pub solution: String,
    /// `public.rs`: scenarios learners can run with `:check`.
    pub public: String,
    /// `wrong/*.rs`, sorted by name.
    pub wrong: Vec<WrongSolution>,
    hidden: String,
}

impl fmt::Debug for Exercise {
    /// Never prints the hidden scenarios' source.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exercise")
            .field("dir", &self.dir)
            .field("meta", &self.meta)
            .field("wrong", &self.wrong.len())
            .finish_non_exhaustive()
    }
}

impl Exercise {
    /// The exercise id.
    pub fn id(&self) -> &str {
        &self.meta.id
    }

    /// `hidden.rs`. Its source must never reach learners or any report: only
    /// the grader's build step should read it.
    pub fn hidden_source(&self) -> &str {
        &self.hidden
    }

    /// The path of one of the exercise's files.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The first line every solution cell starts with: `// exercise: <id>`.
    pub fn marker(&self) -> String {
        format!("// exercise: {}", self.meta.id)
    }
}

/// Where exercises live by default: `$CLOUDLAB_EXERCISES`, else the
/// repository's `exercises/` folder.
pub fn default_root() -> PathBuf {
    match std::env::var_os("CLOUDLAB_EXERCISES") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(|p| p.join("exercises"))
            .unwrap_or_else(|| PathBuf::from("exercises")),
    }
}

/// The ids of every exercise under `root` (folders with an `exercise.toml`), sorted.
pub fn list_ids(root: &Path) -> Result<Vec<String>, ExerciseError> {
    let entries = std::fs::read_dir(root).map_err(|source| ExerciseError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let mut ids: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("exercise.toml").is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    ids.sort();
    Ok(ids)
}

/// Loads exercise `id` from `root/<id>/`.
pub fn load_by_id(root: &Path, id: &str) -> Result<Exercise, ExerciseError> {
    let dir = root.join(id);
    let valid_id = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid_id || !dir.join("exercise.toml").is_file() {
        return Err(ExerciseError::NotFound {
            id: id.to_string(),
            root: root.to_path_buf(),
            known: list_ids(root).unwrap_or_default(),
        });
    }
    load(&dir)
}

/// Loads every exercise under `root`, in id order (the first error stops it).
pub fn load_all(root: &Path) -> Result<Vec<Exercise>, ExerciseError> {
    list_ids(root)?
        .iter()
        .map(|id| load(&root.join(id)))
        .collect()
}

/// Loads and validates the exercise in `dir`.
pub fn load(dir: &Path) -> Result<Exercise, ExerciseError> {
    let toml_path = dir.join("exercise.toml");
    let meta = parse_meta(&toml_path, &read(&toml_path)?)?;
    let folder = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if meta.id != folder {
        return Err(invalid(
            &toml_path,
            None,
            format!("id `{}` must match the folder name `{folder}`", meta.id),
        ));
    }
    let mut files: BTreeMap<&str, String> = BTreeMap::new();
    for name in REQUIRED_FILES {
        files.insert(name, read(&dir.join(name))?);
    }
    let ex = Exercise {
        dir: dir.to_path_buf(),
        prompt: files.remove("prompt.md").unwrap_or_default(),
        starter: files.remove("starter.rs").unwrap_or_default(),
        solution: files.remove("solution.rs").unwrap_or_default(),
        public: files.remove("public.rs").unwrap_or_default(),
        hidden: files.remove("hidden.rs").unwrap_or_default(),
        wrong: load_wrong(&dir.join("wrong"))?,
        meta,
    };
    check_marker(&ex, "starter.rs", &ex.starter)?;
    check_marker(&ex, "solution.rs", &ex.solution)?;
    Ok(ex)
}

fn check_marker(ex: &Exercise, file: &str, source: &str) -> Result<(), ExerciseError> {
    let first = source.lines().next().unwrap_or("").trim();
    if first != ex.marker() {
        return Err(invalid(
            &ex.file(file),
            Some(1),
            format!("must start with the line `{}`", ex.marker()),
        ));
    }
    Ok(())
}

fn load_wrong(dir: &Path) -> Result<Vec<WrongSolution>, ExerciseError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| ExerciseError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            Ok(WrongSolution {
                name: path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("wrong")
                    .to_string(),
                source: read(&path)?,
                path,
            })
        })
        .collect()
}

fn read(path: &Path) -> Result<String, ExerciseError> {
    std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ExerciseError::MissingFile {
                path: path.to_path_buf(),
            }
        } else {
            ExerciseError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}

fn invalid(path: &Path, line: Option<usize>, message: impl Into<String>) -> ExerciseError {
    ExerciseError::Invalid {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// The 1-based line of byte offset `at` in `text`.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Parses and validates `exercise.toml` text (`path` is only for messages).
pub fn parse_meta(path: &Path, text: &str) -> Result<Meta, ExerciseError> {
    let raw: RawMeta = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        invalid(path, line, e.message().trim().to_string())
    })?;
    let line_for = |key: &str| {
        text.find(&format!("\n{key}"))
            .map(|at| line_of(text, at + 1))
    };
    if !is_valid_id(&raw.id) {
        return Err(invalid(
            path,
            line_for("id"),
            format!(
                "id `{}` must be lowercase letters, digits and `-` (like `sqs-dead-letter-queue`)",
                raw.id
            ),
        ));
    }
    if raw.points == 0 {
        return Err(invalid(
            path,
            line_for("points"),
            "points must be at least 1",
        ));
    }
    if raw.limits.time_ms == 0 || raw.limits.memory_mb < 16 {
        return Err(invalid(
            path,
            line_for("[limits]"),
            "limits: time_ms must be > 0 and memory_mb at least 16",
        ));
    }
    let contract = Contract::parse(raw.contract)
        .map_err(|e| invalid(path, e.span.map(|s| line_of(text, s.start)), e.message))?;
    Ok(Meta {
        id: raw.id,
        title: raw.title,
        lesson: raw.lesson,
        points: raw.points,
        hints: raw.hints,
        limits: raw.limits,
        contract,
    })
}

/// True for ids like `sqs-dead-letter-queue`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "demo"
title = "Demo"
lesson = "sqs-basics"
points = 10
hints = ["Look at receive_count."]

[limits]
time_ms = 1000

[contract]
types = ["Ledger"]
fns = ["fn drain(cloud: &mut Cloud, queue: &Queue, ledger: &mut Ledger) -> CloudResult<usize>"]

[contract.methods]
Ledger = ["fn new() -> Ledger"]
"#;

    #[test]
    fn parses_a_good_exercise_toml() {
        let meta = parse_meta(Path::new("exercise.toml"), GOOD).unwrap();
        assert_eq!(meta.id, "demo");
        assert_eq!(meta.points, 10);
        assert_eq!(meta.limits.time_ms, 1000);
        assert_eq!(meta.limits.memory_mb, 512);
        assert_eq!(meta.hints.len(), 1);
        assert_eq!(meta.contract.fns.len(), 1);
        assert_eq!(meta.contract.fns[0].name, "drain");
    }

    #[test]
    fn a_toml_syntax_error_names_file_and_line() {
        let bad = GOOD.replace("points = 10", "points = = 10");
        let err = parse_meta(Path::new("ex/exercise.toml"), &bad).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("ex/exercise.toml:5:"), "{text}");
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let bad = GOOD.replace("time_ms = 1000", "time_ms = 1000\nmemroy_mb = 64");
        let err = parse_meta(Path::new("exercise.toml"), &bad).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("exercise.toml:10:"), "{text}");
        assert!(text.contains("memroy_mb"), "{text}");
    }

    #[test]
    fn a_contract_signature_that_does_not_parse_names_its_line() {
        let bad = GOOD.replace("-> CloudResult<usize>", "-> CloudResult<usize");
        let err = parse_meta(Path::new("exercise.toml"), &bad).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("exercise.toml:13:"), "{text}");
        assert!(text.contains("fn drain"), "{text}");
    }

    #[test]
    fn bad_ids_and_zero_points_are_refused() {
        let bad = GOOD.replace("\"demo\"", "\"Demo Ex\"");
        assert!(
            parse_meta(Path::new("e"), &bad)
                .unwrap_err()
                .to_string()
                .contains("lowercase")
        );
        let bad = GOOD.replace("points = 10", "points = 0");
        assert!(
            parse_meta(Path::new("e"), &bad)
                .unwrap_err()
                .to_string()
                .contains("e:5: points must be at least 1")
        );
    }

    #[test]
    fn a_missing_exercise_suggests_close_ids() {
        let dir = tempfile::tempdir().unwrap();
        for id in ["sqs-dead-letter-queue", "sns-fan-out"] {
            std::fs::create_dir(dir.path().join(id)).unwrap();
            std::fs::write(dir.path().join(id).join("exercise.toml"), "").unwrap();
        }
        let err = load_by_id(dir.path(), "sqs-dead-letter").unwrap_err();
        assert!(
            err.to_string()
                .contains("did you mean sqs-dead-letter-queue?"),
            "{err}"
        );
        let err = load_by_id(dir.path(), "../etc").unwrap_err();
        assert!(matches!(err, ExerciseError::NotFound { .. }));
    }

    #[test]
    fn a_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let ex = dir.path().join("demo");
        std::fs::create_dir(&ex).unwrap();
        std::fs::write(ex.join("exercise.toml"), GOOD).unwrap();
        std::fs::write(ex.join("prompt.md"), "Do it").unwrap();
        let err = load(&ex).unwrap_err();
        assert!(
            matches!(err, ExerciseError::MissingFile { ref path } if path.ends_with("starter.rs"))
        );
    }

    #[test]
    fn the_starter_must_carry_the_marker_line() {
        let dir = tempfile::tempdir().unwrap();
        let ex = dir.path().join("demo");
        std::fs::create_dir(&ex).unwrap();
        std::fs::write(ex.join("exercise.toml"), GOOD).unwrap();
        for f in REQUIRED_FILES {
            std::fs::write(ex.join(f), "// exercise: demo\n").unwrap();
        }
        assert!(load(&ex).is_ok());
        std::fs::write(ex.join("starter.rs"), "fn main() {}\n").unwrap();
        let err = load(&ex).unwrap_err().to_string();
        assert!(
            err.contains("starter.rs:1: must start with the line `// exercise: demo`"),
            "{err}"
        );
    }
}

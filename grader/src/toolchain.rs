//! The grading workspace: a cache directory holding a precompiled sandbox and
//! grading runtime, so a submission compiles as one small crate with `rustc`
//! against those rlibs (no cargo, no lock, nothing else recompiled).
//!
//! ```text
//! <cache>/                 $CLOUDLAB_GRADER_CACHE, else <repo>/target/grader
//!   probe/                 a tiny crate that depends on cloudlab + grading
//!   target/                its shared target dir (built once, by cargo)
//!   jobs/<key>/            generated submission crates (deleted after building)
//!   bin/<key>              built submission binaries, reused while sources match
//!                          (the 128 most recently used are kept)
//!   bench-cargo/           `cloudlab bench grader`'s cargo baseline crate
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// Crates a submission is compiled against (`--extern name=rlib`).
pub const EXTERNS: &[&str] = &["cloudlab", "grading", "serde_json"];

/// Why the grading workspace could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    /// A file in the cache could not be written or read.
    #[error("grading workspace {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// cargo could not build the sandbox and runtime.
    #[error("building the sandbox for grading failed (cargo {status}):\n{stderr}")]
    Cargo {
        /// cargo's exit status.
        status: String,
        /// The end of cargo's stderr.
        stderr: String,
    },
    /// cargo built, but an rlib is missing from its report.
    #[error("cargo did not report the rlib of `{0}`")]
    MissingRlib(String),
}

/// A prepared grading workspace.
#[derive(Clone, Debug)]
pub struct Toolchain {
    /// The cache directory.
    pub cache: PathBuf,
    /// `-L dependency=` directory.
    pub deps: PathBuf,
    /// `--extern` crates.
    pub externs: BTreeMap<String, PathBuf>,
    /// Changes whenever a precompiled rlib changes (part of every cache key).
    pub fingerprint: String,
}

/// The repository this grader was built from (holds `sandbox/` and `grader/runtime/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `$CLOUDLAB_GRADER_CACHE`, else `<repo>/target/grader`.
pub fn default_cache() -> PathBuf {
    std::env::var_os("CLOUDLAB_GRADER_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target").join("grader"))
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ToolchainError + '_ {
    move |source| ToolchainError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The manifest of the probe crate (`name = "cloudlab-grading-probe"`):
/// the sandbox, the runtime and serde_json, with the grading profile.
pub(crate) fn probe_manifest(repo: &Path) -> String {
    format!(
        r#"[package]
name = "cloudlab-grading-probe"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
cloudlab = {{ path = "{sandbox}" }}
grading = {{ package = "cloudlab-grading-rt", path = "{runtime}" }}
serde_json = {{ version = "1", features = ["preserve_order"] }}

[profile.dev]
opt-level = 0
debug = false
incremental = false

[profile.dev.package."*"]
opt-level = 3
debug = false
"#,
        sandbox = repo.join("sandbox").display(),
        runtime = repo.join("grader").join("runtime").display(),
    )
}

const PROBE_MAIN: &str =
    "fn main() {\n    let _ = (cloudlab::Cloud::new(), grading::prelude::json!(1));\n}\n";

impl Toolchain {
    /// Prepares (or checks) the grading workspace in `cache`: the first call
    /// compiles the sandbox and runtime with cargo; later ones find them built.
    pub fn prepare(cache: &Path) -> Result<Toolchain, ToolchainError> {
        let repo = repo_root();
        let probe = cache.join("probe");
        std::fs::create_dir_all(probe.join("src")).map_err(io_err(&probe))?;
        write_if_changed(&probe.join("Cargo.toml"), &probe_manifest(&repo))?;
        write_if_changed(&probe.join("src").join("main.rs"), PROBE_MAIN)?;
        let lock = probe.join("Cargo.lock");
        if !lock.exists() {
            // Same versions as the workspace: nothing new to download.
            let _ = std::fs::copy(repo.join("Cargo.lock"), &lock);
        }
        let target = cache.join("target");
        let out =
            cargo_build(&probe, &target, true).or_else(|_| cargo_build(&probe, &target, false))?;
        let externs = rlibs(&out)?;
        let mut hash = Sha256::new();
        for (name, path) in &externs {
            let stamp = std::fs::metadata(path)
                .and_then(|m| m.modified())
                .map(|t| format!("{t:?}"))
                .unwrap_or_default();
            hash.update(format!("{name}={}@{stamp}\n", path.display()));
        }
        Ok(Toolchain {
            cache: cache.to_path_buf(),
            deps: target.join("debug").join("deps"),
            externs,
            fingerprint: hex(&hash.finalize())[..16].to_string(),
        })
    }

    /// The command that compiles the crate rooted at `main` into `out`.
    pub fn rustc(&self, main: &Path, out: &Path) -> Command {
        let mut cmd = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()));
        cmd.current_dir(repo_root())
            .args([
                "--edition",
                "2024",
                "--crate-type",
                "bin",
                "--crate-name",
                "submission",
            ])
            .args([
                "-C",
                "opt-level=0",
                "-C",
                "debuginfo=0",
                "-C",
                "codegen-units=4",
            ])
            .args(["--error-format", "json", "-A", "warnings"])
            .arg("-L")
            .arg(format!("dependency={}", self.deps.display()));
        for (name, path) in &self.externs {
            cmd.arg("--extern")
                .arg(format!("{name}={}", path.display()));
        }
        cmd.arg("-o").arg(out).arg(main);
        cmd
    }
}

/// Settings of an outer cargo (under `cargo test`) that must not leak into
/// the grading workspace's builds.
pub(crate) const OUTER_CARGO_VARS: &[&str] = &[
    "CARGO_TARGET_DIR",
    "RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
];

fn cargo_build(probe: &Path, target: &Path, offline: bool) -> Result<String, ToolchainError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(probe.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target)
        .args(["--message-format", "json", "--quiet"]);
    if offline {
        cmd.arg("--offline");
    }
    for var in OUTER_CARGO_VARS {
        cmd.env_remove(var);
    }
    let out = cmd.output().map_err(io_err(probe))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
        return Err(ToolchainError::Cargo {
            status: out.status.to_string(),
            stderr: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).to_string())
}

fn rlibs(cargo_json: &str) -> Result<BTreeMap<String, PathBuf>, ToolchainError> {
    let mut found = BTreeMap::new();
    for line in cargo_json.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let name = msg["target"]["name"].as_str().unwrap_or_default();
        if !EXTERNS.contains(&name) {
            continue;
        }
        let rlib = msg["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .find(|f| f.ends_with(".rlib"));
        if let Some(rlib) = rlib {
            found.insert(name.to_string(), PathBuf::from(rlib));
        }
    }
    for name in EXTERNS {
        if !found.contains_key(*name) {
            return Err(ToolchainError::MissingRlib(name.to_string()));
        }
    }
    Ok(found)
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), ToolchainError> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(io_err(path))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

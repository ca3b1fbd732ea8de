//! `cloudlab bench endpoint`: boto3 against this endpoint vs boto3 against
//! moto's in-process `mock_aws`, in the same run.
//!
//! The loop (in `bench/bench_endpoint.py`, embedded here) sends, receives and
//! deletes N messages one at a time through boto3's SQS client, first against
//! a server started in this process on a free port, then inside `mock_aws`.
//! Python comes from `CLOUDLAB_PYTHON`, else `.venv/bin/python` in the
//! current directory or the workspace root, else `python3`; it needs
//! `boto3` and `moto` (`pip install -r tests/python/requirements.txt`).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::{Options, serve_in_background, shared};

/// The Python side of the benchmark.
pub const SCRIPT: &str = include_str!("../bench/bench_endpoint.py");

/// Errors running the benchmark.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// No usable Python or it lacks boto3/moto.
    #[error("{0}")]
    Python(String),
    /// The server did not start.
    #[error(transparent)]
    Serve(#[from] crate::ServeError),
    /// I/O around the script.
    #[error("bench I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// The Python interpreter the benchmark uses.
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("CLOUDLAB_PYTHON")
        && !p.is_empty()
    {
        return PathBuf::from(p);
    }
    let candidates = [
        std::env::current_dir()
            .unwrap_or_default()
            .join(".venv/bin/python"),
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python")),
    ];
    candidates
        .into_iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// What one run measured.
#[derive(Clone, Debug)]
pub struct Report {
    /// Messages per loop.
    pub messages: usize,
    /// send+receive+delete loops per second through the endpoint.
    pub endpoint_per_s: f64,
    /// The same against moto's `mock_aws`.
    pub moto_per_s: f64,
    /// The same loop over plain `http.client` (no SDK) against the endpoint.
    pub raw_http_per_s: f64,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "boto3 SQS send+receive+delete, {} messages, one at a time",
            self.messages
        )?;
        writeln!(
            f,
            "  cloudlab endpoint  {:>8.0} msgs/s",
            self.endpoint_per_s
        )?;
        writeln!(f, "  moto mock_aws      {:>8.0} msgs/s", self.moto_per_s)?;
        write!(
            f,
            "  ratio              {:>8.2}x (endpoint / moto)",
            self.endpoint_per_s / self.moto_per_s.max(f64::MIN_POSITIVE)
        )?;
        write!(
            f,
            "\n  (the endpoint through plain http.client, no SDK: {:.0} msgs/s)",
            self.raw_http_per_s
        )
    }
}

/// Runs the benchmark with `messages` messages per loop.
pub fn run(messages: usize) -> Result<Report, BenchError> {
    let py = python();
    let check = Command::new(&py)
        .args(["-c", "import boto3, moto"])
        .output()
        .map_err(|e| {
            BenchError::Python(format!(
                "cannot run {}: {e}. Set CLOUDLAB_PYTHON to a Python with boto3 and moto.",
                py.display()
            ))
        })?;
    if !check.status.success() {
        return Err(BenchError::Python(format!(
            "{} cannot import boto3 and moto ({}). Install them: {} -m pip install -r tests/python/requirements.txt, or set CLOUDLAB_PYTHON.",
            py.display(),
            String::from_utf8_lossy(&check.stderr)
                .trim()
                .lines()
                .last()
                .unwrap_or(""),
            py.display()
        )));
    }
    let server = serve_in_background(shared(cloudlab::Cloud::new()), 0, Options::default())?;
    let script =
        std::env::temp_dir().join(format!("cloudlab-bench-endpoint-{}.py", std::process::id()));
    std::fs::write(&script, SCRIPT)?;
    let out = Command::new(&py)
        .arg(&script)
        .args([
            "--endpoint",
            &server.url(),
            "--messages",
            &messages.to_string(),
        ])
        .output();
    let _ = std::fs::remove_file(&script);
    let out = out?;
    server.stop();
    if !out.status.success() {
        return Err(BenchError::Python(format!(
            "the benchmark script failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("");
    let v: Value = serde_json::from_str(line)
        .map_err(|e| BenchError::Python(format!("unexpected benchmark output ({e}): {text}")))?;
    Ok(Report {
        messages,
        endpoint_per_s: v["endpoint"].as_f64().unwrap_or(0.0),
        moto_per_s: v["moto"].as_f64().unwrap_or(0.0),
        raw_http_per_s: v["raw"].as_f64().unwrap_or(0.0),
    })
}

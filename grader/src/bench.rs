//! `cloudlab bench grader`: how fast grading is, as ratios to a bare `cargo
//! build` of the same code measured in the same run.
//!
//! - **warm single**: one new submission (the grading workspace already
//!   prepared; the submission never seen before), compiled and run end to
//!   end, against `cargo build` of the same solution and scenarios;
//! - **batch**: generated submissions (right, wrong, not compiling, not
//!   parsing) graded in one run with `-j N`, per submission, against the mean
//!   `cargo build` of a sample of them.
//!
//! Every submission carries a fresh nonce, so no cached binary is reused.
//! The bench also checks the verdicts (right solutions score full marks,
//! wrong ones less, broken ones 0 with the right status): a fast wrong grader
//! would not count.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::compile::{self, Unit};
use crate::exercise::Exercise;
use crate::grade::{GradeOptions, Grader};
use crate::report::{ExerciseReport, ExerciseStatus};
use crate::submission::Submission;
use crate::toolchain::{self, ToolchainError};

/// What to measure.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Submissions in the batch.
    pub submissions: usize,
    /// Parallel compilations and runs.
    pub jobs: usize,
    /// Batch submissions also built with `cargo build` for the baseline.
    pub cargo_samples: usize,
    /// The grading workspace.
    pub cache: PathBuf,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            submissions: 100,
            jobs: crate::grade::default_jobs(),
            cargo_samples: 3,
            cache: toolchain::default_cache(),
        }
    }
}

/// Why the bench could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The grading workspace could not be prepared.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// A file of the baseline crate could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `cargo build` of the baseline failed where the grader compiled.
    #[error("cargo build of the baseline failed:\n{0}")]
    Cargo(String),
    /// The exercise has no wrong solutions to generate wrong submissions from.
    #[error("exercise {0} has no wrong/*.rs to generate wrong submissions from")]
    NoWrongSolutions(String),
}

/// What a generated submission is meant to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// The reference solution.
    Right,
    /// One of the exercise's wrong solutions.
    Wrong,
    /// The reference with a type error: refused by the compiler.
    CompileError,
    /// The reference with a syntax error: refused before compiling.
    SyntaxError,
}

impl Kind {
    /// The kind of batch submission `i`: out of every 10, 5 right, 3 wrong,
    /// 1 that does not compile and 1 that does not parse.
    pub fn of(i: usize) -> Kind {
        match i % 10 {
            0..=4 => Kind::Right,
            5..=7 => Kind::Wrong,
            8 => Kind::CompileError,
            _ => Kind::SyntaxError,
        }
    }

    /// How the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Right => "right",
            Kind::Wrong => "wrong",
            Kind::CompileError => "not compiling",
            Kind::SyntaxError => "not parsing",
        }
    }

    /// Whether `report` is the verdict this kind deserves.
    pub fn expects(self, report: &ExerciseReport) -> bool {
        match self {
            Kind::Right => report.passed() && report.score == report.max_score,
            Kind::Wrong => {
                report.status == ExerciseStatus::Graded && report.score < report.max_score
            }
            Kind::CompileError => report.status == ExerciseStatus::CompileError,
            Kind::SyntaxError => report.status == ExerciseStatus::Refused,
        }
    }
}

/// One generated submission: its source and what it should get.
#[derive(Clone, Debug)]
pub struct Generated {
    /// What it is meant to be.
    pub kind: Kind,
    /// The solution cell.
    pub source: String,
}

/// Generates `n` submissions for `ex` (see [`Kind::of`]), each unique by `nonce`.
pub fn generate(ex: &Exercise, n: usize, nonce: &str) -> Result<Vec<Generated>, BenchError> {
    if ex.wrong.is_empty() {
        return Err(BenchError::NoWrongSolutions(ex.id().to_string()));
    }
    Ok((0..n)
        .map(|i| {
            let kind = Kind::of(i);
            let base = match kind {
                Kind::Wrong => &ex.wrong[(i / 10 * 3 + i % 10 - 5) % ex.wrong.len()].source,
                _ => &ex.solution,
            };
            let broken = match kind {
                Kind::CompileError => "\npub fn bench_broken() -> u32 {\n    \"not a number\"\n}\n",
                Kind::SyntaxError => "\npub fn bench_broken( {\n",
                _ => "",
            };
            Generated {
                kind,
                source: format!("{base}{broken}\n// bench {nonce} #{i}\n"),
            }
        })
        .collect())
}

/// One measurement against its baseline.
#[derive(Clone, Debug)]
pub struct Measured {
    /// The grader's time (per submission).
    pub grader: Duration,
    /// `cargo build` of the same code (per submission).
    pub cargo: Duration,
}

impl Measured {
    /// grader / cargo.
    pub fn ratio(&self) -> f64 {
        self.grader.as_secs_f64() / self.cargo.as_secs_f64().max(1e-9)
    }
}

/// Everything the bench measured.
#[derive(Clone, Debug)]
pub struct BenchReport {
    /// The exercise the submissions answer.
    pub exercise: String,
    /// Parallelism.
    pub jobs: usize,
    /// Cores of this machine.
    pub cores: usize,
    /// Preparing the (already built) grading workspace.
    pub prepare: Duration,
    /// One new submission, end to end.
    pub single: Measured,
    /// The batch, in all.
    pub batch_total: Duration,
    /// The batch per submission, and the sampled cargo builds per submission.
    pub batch: Measured,
    /// Submissions per kind in the batch.
    pub kinds: Vec<(Kind, usize)>,
    /// Batch submissions whose verdict was not what their kind deserves.
    pub wrong_verdicts: Vec<String>,
    /// Submissions in the batch.
    pub submissions: usize,
    /// Batch submissions built with cargo for the baseline.
    pub cargo_samples: usize,
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
        writeln!(
            f,
            "grader bench: exercise {}, -j {} on {} core(s)",
            self.exercise, self.jobs, self.cores
        )?;
        writeln!(
            f,
            "  prepare (sandbox already built)   {}",
            secs(self.prepare)
        )?;
        writeln!(
            f,
            "  warm single submission            {}   cargo build of the same code {}   ratio {:.2}x   (target <= 2 s: {})",
            secs(self.single.grader),
            secs(self.single.cargo),
            self.single.ratio(),
            verdict(self.single.grader <= Duration::from_secs(2))
        )?;
        let kinds: Vec<String> = self
            .kinds
            .iter()
            .map(|(k, n)| format!("{n} {}", k.label()))
            .collect();
        writeln!(f, "  batch of {} ({})", self.submissions, kinds.join(", "))?;
        writeln!(
            f,
            "    total {}   per submission {}   cargo build per submission {} (mean of {})   ratio {:.2}x   (target <= 60 s: {})",
            secs(self.batch_total),
            secs(self.batch.grader),
            secs(self.batch.cargo),
            self.cargo_samples,
            self.batch.ratio(),
            verdict(self.batch_total <= Duration::from_secs(60))
        )?;
        if self.wrong_verdicts.is_empty() {
            writeln!(
                f,
                "    verdicts: every submission got the verdict its kind deserves"
            )
        } else {
            writeln!(f, "    WRONG VERDICTS ({}):", self.wrong_verdicts.len())?;
            for v in &self.wrong_verdicts {
                writeln!(f, "      {v}")?;
            }
            Ok(())
        }
    }
}

/// Runs the bench on `ex`.
pub fn run(ex: &Exercise, options: &BenchOptions) -> Result<BenchReport, BenchError> {
    let grade_options = GradeOptions {
        jobs: options.jobs.max(1),
        public_only: false,
        progress: false,
        cache: options.cache.clone(),
    };
    let started = Instant::now();
    let grader = Grader::new(grade_options)?;
    let prepare = started.elapsed();
    let nonce = nonce();
    let baseline = CargoBaseline::new(grader.toolchain())?;

    let single = generate(ex, 1, &format!("{nonce}-single"))?.remove(0);
    let t = Instant::now();
    grader.grade(
        &[Submission::from_source("single", &single.source)],
        std::slice::from_ref(ex),
    );
    let single_grader = t.elapsed();
    let single_cargo = baseline.build(ex, &single.source)?;

    let batch = generate(ex, options.submissions, &nonce)?;
    let subs: Vec<Submission> = batch
        .iter()
        .enumerate()
        .map(|(i, g)| Submission::from_source(&format!("s{i:03}"), &g.source))
        .collect();
    let t = Instant::now();
    let report = grader.grade(&subs, std::slice::from_ref(ex));
    let batch_total = t.elapsed();
    let wrong_verdicts = report
        .submissions
        .iter()
        .zip(&batch)
        .filter_map(|(s, g)| {
            let r = s.exercises.first()?;
            (!g.kind.expects(r)).then(|| {
                format!(
                    "{} ({}): {:?} {}/{}",
                    s.name,
                    g.kind.label(),
                    r.status,
                    r.score,
                    r.max_score
                )
            })
        })
        .collect();

    let samples = sample(&batch, options.cargo_samples);
    let mut cargo_total = Duration::ZERO;
    for g in &samples {
        cargo_total += baseline.build(ex, &g.source)?;
    }
    let n = batch.len().max(1) as u32;
    let mut kinds: Vec<(Kind, usize)> = Vec::new();
    for g in &batch {
        match kinds.iter_mut().find(|(k, _)| *k == g.kind) {
            Some((_, count)) => *count += 1,
            None => kinds.push((g.kind, 1)),
        }
    }
    kinds.sort();
    Ok(BenchReport {
        exercise: ex.id().to_string(),
        jobs: options.jobs.max(1),
        cores: crate::grade::default_jobs(),
        prepare,
        single: Measured {
            grader: single_grader,
            cargo: single_cargo,
        },
        batch_total,
        batch: Measured {
            grader: batch_total / n,
            cargo: cargo_total / samples.len().max(1) as u32,
        },
        kinds,
        wrong_verdicts,
        submissions: batch.len(),
        cargo_samples: samples.len(),
    })
}

/// Up to `n` submissions of different kinds, those that reach the compiler
/// first (a syntax error never costs the grader a compile, so it is sampled last).
fn sample(batch: &[Generated], n: usize) -> Vec<Generated> {
    let mut picked: Vec<Generated> = Vec::new();
    for kind in [
        Kind::Right,
        Kind::Wrong,
        Kind::CompileError,
        Kind::SyntaxError,
    ] {
        if let Some(g) = batch.iter().find(|g| g.kind == kind) {
            picked.push(g.clone());
        }
    }
    let mut rest = batch.iter().filter(|g| g.kind != Kind::SyntaxError).cycle();
    while picked.len() < n {
        match rest.next() {
            Some(g) => picked.push(g.clone()),
            None => break,
        }
    }
    picked.truncate(n);
    picked
}

fn nonce() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}-{}", t.as_nanos(), std::process::id())
}

/// A cargo package that builds one submission's crate (the same generated
/// sources) in the grading workspace's target dir, whose dependencies are
/// already built: a bare `cargo build` of the same code.
struct CargoBaseline {
    dir: PathBuf,
    target: PathBuf,
}

impl CargoBaseline {
    fn new(tc: &toolchain::Toolchain) -> Result<CargoBaseline, BenchError> {
        let dir = tc.cache.join("bench-cargo");
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| BenchError::Io { path, source }
        };
        std::fs::create_dir_all(dir.join("src")).map_err(io(&dir))?;
        let manifest = toolchain::probe_manifest(&toolchain::repo_root())
            .replace("cloudlab-grading-probe", "cloudlab-grading-bench");
        std::fs::write(dir.join("Cargo.toml"), manifest).map_err(io(&dir))?;
        let lock = tc.cache.join("probe").join("Cargo.lock");
        if lock.exists() {
            std::fs::copy(&lock, dir.join("Cargo.lock")).map_err(io(&lock))?;
        }
        Ok(CargoBaseline {
            dir,
            target: tc.cache.join("target"),
        })
    }

    /// Writes the crate for `source` and times `cargo build` of it. A build
    /// that fails because the source does not compile still counts (cargo
    /// did the same work the grader did); cargo failing otherwise is an error.
    fn build(&self, ex: &Exercise, source: &str) -> Result<Duration, BenchError> {
        let src = self.dir.join("src");
        let _ = std::fs::remove_dir_all(&src);
        let unit = Unit {
            solution: source.to_string(),
            public: ex.public.clone(),
            hidden: ex.hidden_source().to_string(),
        };
        compile::write_crate(&src, &[&unit]).map_err(|source| BenchError::Io {
            path: src.clone(),
            source,
        })?;
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.arg("build")
            .arg("--offline")
            .arg("--quiet")
            .arg("--manifest-path")
            .arg(self.dir.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&self.target);
        for var in toolchain::OUTER_CARGO_VARS {
            cmd.env_remove(var);
        }
        let t = Instant::now();
        let out = cmd.output().map_err(|source| BenchError::Io {
            path: self.dir.clone(),
            source,
        })?;
        let took = t.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() && !stderr.contains("could not compile `cloudlab-grading-bench`") {
            return Err(BenchError::Cargo(stderr.to_string()));
        }
        Ok(took)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise;

    #[test]
    fn generated_batches_mix_kinds_unique_sources_and_break_where_meant() {
        let ex = exercise::load_by_id(&exercise::default_root(), "sqs-idempotent-consumer")
            .expect("the exercise loads");
        let batch = generate(&ex, 20, "t").expect("generated");
        let count = |k: Kind| batch.iter().filter(|g| g.kind == k).count();
        assert_eq!(
            [
                count(Kind::Right),
                count(Kind::Wrong),
                count(Kind::CompileError),
                count(Kind::SyntaxError)
            ],
            [10, 6, 2, 2]
        );
        let unique: std::collections::BTreeSet<&str> =
            batch.iter().map(|g| g.source.as_str()).collect();
        assert_eq!(unique.len(), 20, "every submission is new to the cache");
        let wrong_bases: std::collections::BTreeSet<&str> = batch
            .iter()
            .filter(|g| g.kind == Kind::Wrong)
            .filter_map(|g| ex.wrong.iter().find(|w| g.source.starts_with(&w.source)))
            .map(|w| w.name.as_str())
            .collect();
        assert_eq!(
            wrong_bases.len(),
            ex.wrong.len().min(6),
            "wrong solutions rotate"
        );
        for g in &batch {
            let checked = crate::source::check(&g.source, &ex.meta.contract);
            assert_eq!(
                checked.is_err(),
                g.kind == Kind::SyntaxError,
                "{:?} refused before compiling?",
                g.kind
            );
        }
    }

    #[test]
    fn cargo_samples_prefer_submissions_that_reach_the_compiler() {
        let batch: Vec<Generated> = (0..10)
            .map(|i| Generated {
                kind: Kind::of(i),
                source: format!("{i}"),
            })
            .collect();
        let kinds: Vec<Kind> = sample(&batch, 3).iter().map(|g| g.kind).collect();
        assert_eq!(kinds, [Kind::Right, Kind::Wrong, Kind::CompileError]);
        assert_eq!(sample(&batch, 6).len(), 6);
    }

    #[test]
    fn ratios_divide_grader_by_cargo() {
        let m = Measured {
            grader: Duration::from_millis(500),
            cargo: Duration::from_secs(2),
        };
        assert!((m.ratio() - 0.25).abs() < 1e-9);
    }
}

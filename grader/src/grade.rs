//! Grading: submissions x exercises -> checked sources -> compiled units
//! (batched) -> isolated runs (`-j N` at once) -> a [`GradeReport`].

use std::path::PathBuf;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};

use crate::compile::{self, Compiled, Unit};
use crate::exercise::Exercise;
use crate::report::{
    ExerciseInfo, ExerciseReport, ExerciseStatus, FORMAT_VERSION, GradeReport, SubmissionReport,
};
use crate::run::{self, RunSpec};
use crate::source;
use crate::submission::Submission;
use crate::toolchain::{Toolchain, ToolchainError};

/// How to grade.
#[derive(Clone, Debug)]
pub struct GradeOptions {
    /// Parallel compilations and runs (default: the number of cores).
    pub jobs: usize,
    /// Run only the public scenarios (what `:check` does).
    pub public_only: bool,
    /// Show a progress bar on stderr (hidden when stderr is not a terminal).
    pub progress: bool,
    /// The grading workspace (see [`crate::toolchain`]).
    pub cache: PathBuf,
}

impl Default for GradeOptions {
    fn default() -> Self {
        GradeOptions {
            jobs: default_jobs(),
            public_only: false,
            progress: false,
            cache: crate::toolchain::default_cache(),
        }
    }
}

/// The number of cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// A grader with its workspace prepared.
pub struct Grader {
    toolchain: Toolchain,
    options: GradeOptions,
}

/// One (submission, exercise) pair on its way through the grader.
enum Job {
    Done(Box<ExerciseReport>),
    Unit { unit: usize, origin: String },
}

impl Grader {
    /// Prepares the grading workspace (compiles the sandbox the first time).
    pub fn new(options: GradeOptions) -> Result<Grader, ToolchainError> {
        Ok(Grader {
            toolchain: Toolchain::prepare(&options.cache)?,
            options,
        })
    }

    /// The prepared toolchain.
    pub fn toolchain(&self) -> &Toolchain {
        &self.toolchain
    }

    /// Grades every submission on every exercise.
    pub fn grade(&self, submissions: &[Submission], exercises: &[Exercise]) -> GradeReport {
        let bar = self.progress_bar(submissions.len() * exercises.len());
        let mut units = Vec::new();
        let jobs: Vec<Vec<Job>> = submissions
            .iter()
            .map(|s| {
                exercises
                    .iter()
                    .map(|e| prepare(s, e, &mut units))
                    .collect()
            })
            .collect();
        bar.set_message("compiling");
        let compiled = compile::compile_all(&self.toolchain, &units, self.options.jobs);
        bar.set_message("running");
        let specs: Vec<Option<RunSpec>> = self.run_specs(&jobs, &compiled, exercises);
        let outcomes = self.run_all(&specs, &bar);
        bar.finish_and_clear();
        let mut outcomes = outcomes.into_iter();
        let submissions = submissions
            .iter()
            .zip(jobs)
            .map(|(sub, row)| {
                let reports = row
                    .into_iter()
                    .zip(exercises)
                    .map(|(job, ex)| match job {
                        Job::Done(report) => *report,
                        Job::Unit { unit, origin } => {
                            let outcome = outcomes.next().flatten();
                            finish(ex, &compiled[unit], outcome, origin)
                        }
                    })
                    .collect();
                SubmissionReport::new(sub.name.clone(), sub.path.display().to_string(), reports)
            })
            .collect();
        GradeReport {
            version: FORMAT_VERSION,
            exercises: exercises
                .iter()
                .map(|e| ExerciseInfo {
                    id: e.meta.id.clone(),
                    title: e.meta.title.clone(),
                    points: e.meta.points,
                })
                .collect(),
            submissions,
        }
    }

    fn progress_bar(&self, len: usize) -> ProgressBar {
        if !self.options.progress || len < 2 {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} ({elapsed})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    }

    /// One spec per unit job, in job order (None for jobs that failed to compile).
    fn run_specs(
        &self,
        jobs: &[Vec<Job>],
        compiled: &[Compiled],
        exercises: &[Exercise],
    ) -> Vec<Option<RunSpec>> {
        jobs.iter()
            .flat_map(|row| row.iter().zip(exercises))
            .filter_map(|(job, ex)| match job {
                Job::Unit { unit, .. } => Some(match &compiled[*unit] {
                    Compiled::Built(b) => Some(RunSpec {
                        binary: b.binary.clone(),
                        sub: b.sub,
                        public_only: self.options.public_only,
                        limits: ex.meta.limits,
                        scratch_root: self.toolchain.cache.join("scratch"),
                    }),
                    Compiled::Failed(_) => None,
                }),
                Job::Done(_) => None,
            })
            .collect()
    }

    fn run_all(
        &self,
        specs: &[Option<RunSpec>],
        bar: &ProgressBar,
    ) -> Vec<Option<run::RunOutcome>> {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(self.options.jobs.clamp(1, 64))
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(_) => return specs.iter().map(|_| None).collect(),
        };
        let permits = Arc::new(tokio::sync::Semaphore::new(self.options.jobs.max(1)));
        runtime.block_on(async {
            let tasks: Vec<_> = specs
                .iter()
                .cloned()
                .map(|spec| {
                    let permits = permits.clone();
                    let bar = bar.clone();
                    tokio::spawn(async move {
                        let spec = spec?;
                        let _permit = permits.acquire_owned().await.ok()?;
                        let out = run::run(&spec).await;
                        bar.inc(1);
                        Some(out)
                    })
                })
                .collect();
            let mut out = Vec::with_capacity(tasks.len());
            for t in tasks {
                out.push(t.await.ok().flatten());
            }
            out
        })
    }
}

/// Finds and checks the solution; queues it for compiling or reports why not.
fn prepare(sub: &Submission, ex: &Exercise, units: &mut Vec<Unit>) -> Job {
    let m = &ex.meta;
    let not_graded = |status, message: String, problems| {
        Job::Done(Box::new(ExerciseReport::not_graded(
            &m.id, &m.title, m.points, status, message, problems,
        )))
    };
    let solution = match sub.solution(&m.id) {
        Ok(s) => s,
        Err(why) => return not_graded(ExerciseStatus::Missing, why, Vec::new()),
    };
    if let Err(refusal) = source::check(&solution.source, &m.contract) {
        let problems = refusal.problems().iter().map(|p| p.to_string()).collect();
        let mut report = ExerciseReport::not_graded(
            &m.id,
            &m.title,
            m.points,
            ExerciseStatus::Refused,
            format!("{}: the solution {}", solution.origin, refusal.summary()),
            problems,
        );
        report.origin = Some(solution.origin);
        return Job::Done(Box::new(report));
    }
    units.push(Unit {
        solution: solution.source,
        public: ex.public.clone(),
        hidden: ex.hidden_source().to_string(),
    });
    Job::Unit {
        unit: units.len() - 1,
        origin: solution.origin,
    }
}

fn finish(
    ex: &Exercise,
    compiled: &Compiled,
    outcome: Option<run::RunOutcome>,
    origin: String,
) -> ExerciseReport {
    let m = &ex.meta;
    let mut report = match (compiled, outcome) {
        (Compiled::Failed(errors), _) => ExerciseReport::not_graded(
            &m.id,
            &m.title,
            m.points,
            ExerciseStatus::CompileError,
            format!(
                "{origin}: the solution does not compile (line numbers are the solution's own)"
            ),
            errors.clone(),
        ),
        (Compiled::Built(_), Some(run)) => ExerciseReport::from_run(&m.id, &m.title, m.points, run),
        (Compiled::Built(_), None) => ExerciseReport::not_graded(
            &m.id,
            &m.title,
            m.points,
            ExerciseStatus::Crashed,
            "the run could not be started".into(),
            Vec::new(),
        ),
    };
    report.origin = Some(origin);
    report
}

//! `cloudlab build` and `cloudlab new ...`: the course builder's commands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use cloudlab_course::execute::{CellRun, Executor};
use cloudlab_course::exercise::ExerciseDir;
use cloudlab_course::parse::Lesson;
use cloudlab_course::{BuildError, Progress};
use cloudlab_kernel::client::{KernelClient, KernelCommand};
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `cloudlab build`.
#[derive(Args)]
pub struct BuildArgs {
    /// Output folder: `student/`, `instructor/` and `site/` inside it are replaced.
    #[arg(long, default_value = "dist")]
    out: PathBuf,
    /// Run every instructor notebook through the Cloudlab kernel (one fresh
    /// kernel per lesson) and keep the outputs in notebooks and pages.
    #[arg(long)]
    execute: bool,
    /// Folder of lesson sources.
    #[arg(long, default_value = "lessons")]
    lessons: PathBuf,
    /// Folder of exercises (`<id>/exercise.toml` ...).
    #[arg(long, default_value = "exercises")]
    exercises: PathBuf,
}

/// Arguments of `cloudlab new`.
#[derive(Args)]
pub struct NewArgs {
    #[command(subcommand)]
    what: NewWhat,
}

#[derive(Subcommand)]
enum NewWhat {
    /// A lesson source `lessons/<slug>.md`, ordered after the others.
    Lesson {
        /// Lowercase letters, digits and `-`.
        slug: String,
        /// Folder of lesson sources.
        #[arg(long, default_value = "lessons")]
        lessons: PathBuf,
    },
    /// An exercise folder `exercises/<id>/` (a small working example to replace).
    Exercise {
        /// Lowercase letters, digits and `-`.
        id: String,
        /// The slug of the lesson it belongs to.
        #[arg(long)]
        lesson: String,
        /// Folder of exercises.
        #[arg(long, default_value = "exercises")]
        exercises: PathBuf,
        /// Folder of lesson sources.
        #[arg(long, default_value = "lessons")]
        lessons: PathBuf,
    },
}

/// Runs notebook cells in the Cloudlab kernel, one fresh kernel per lesson.
struct KernelExecutor {
    command: KernelCommand,
    client: Option<KernelClient>,
}

impl Executor for KernelExecutor {
    fn start(&mut self, _lesson: &Lesson) -> Result<(), String> {
        self.stop();
        self.client = Some(KernelClient::start(&self.command).map_err(|e| e.to_string())?);
        Ok(())
    }

    fn run(&mut self, source: &str) -> Result<CellRun, String> {
        let client = self.client.as_mut().ok_or("the kernel is not running")?;
        let run = client.execute(source).map_err(|e| e.to_string())?;
        Ok(CellRun {
            execution_count: Some(run.execution_count as u64),
            outputs: run.outputs.iter().map(|o| o.to_nbformat()).collect(),
            failed: !run.is_ok(),
        })
    }

    fn stop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.shutdown();
        }
    }
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn begin(&mut self, steps: u64) {
        self.0.set_length(steps);
    }
    fn step(&mut self, what: &str) {
        self.0.set_message(what.to_string());
        self.0.inc(1);
    }
    fn finish(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Runs `cloudlab build`.
pub fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let exercises = ExerciseDir::new(&args.exercises);
    let course = match cloudlab_course::load(&args.lessons, &exercises) {
        Ok(c) => c,
        Err(BuildError::Sources(diags)) => {
            for d in &diags.0 {
                eprintln!("{d}");
            }
            eprintln!(
                "{} problem(s) in the lesson sources; nothing was written",
                diags.len()
            );
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e).context("loading the lessons"),
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut kernel = if args.execute {
        let binary = std::env::current_exe().context("finding the cloudlab binary")?;
        Some(KernelExecutor {
            command: KernelCommand::cloudlab(&binary),
            client: None,
        })
    } else {
        None
    };
    let executor = kernel.as_mut().map(|k| k as &mut dyn Executor);
    let report = cloudlab_course::build(&course, &args.out, executor, &mut Bar(bar))
        .context("building the course")?;
    for f in &report.failures {
        eprintln!("{f}");
    }
    println!(
        "built {} lesson(s) into {}: {} notebook(s), site at {}",
        report.lessons,
        args.out.display(),
        report.lessons * 2,
        args.out.join("site").join("index.html").display()
    );
    if report.failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{} cell(s) failed", report.failures.len());
        Ok(ExitCode::from(1))
    }
}

/// Runs `cloudlab new ...`.
pub fn new(args: NewArgs) -> anyhow::Result<ExitCode> {
    match args.what {
        NewWhat::Lesson { slug, lessons } => {
            let path = cloudlab_course::scaffold::new_lesson(&lessons, &slug)?;
            println!("wrote {}", path.display());
        }
        NewWhat::Exercise {
            id,
            lesson,
            exercises,
            lessons,
        } => {
            let dir = cloudlab_course::scaffold::new_exercise(&exercises, &id, &lessons, &lesson)?;
            println!(
                "wrote {}/ (use it in lessons/{lesson}.md with ```{{exercise}} {id}```)",
                dir.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `cloudlab bench course`.
pub fn bench(lessons: &Path, exercises: &Path, iterations: usize) -> anyhow::Result<()> {
    let exercises = ExerciseDir::new(exercises);
    let scratch =
        std::env::temp_dir().join(format!("cloudlab-bench-course-{}", std::process::id()));
    let report = cloudlab_course::bench::course(lessons, &exercises, &scratch, iterations);
    let _ = std::fs::remove_dir_all(&scratch);
    println!("{}", report.context("benchmarking the course build")?);
    Ok(())
}

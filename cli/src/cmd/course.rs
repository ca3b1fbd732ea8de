//! `cloudlab build` and `cloudlab new ...`: the course builder's commands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use cloudlab_course::exercise::ExerciseDir;
use cloudlab_course::{BuildError, Progress};
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `cloudlab build`.
#[derive(Args)]
pub struct BuildArgs {
    /// Output folder: `student/`, `instructor/` and `site/` inside it are replaced.
    #[arg(long, default_value = "dist")]
    out: PathBuf,
    /// Run every instructor notebook through the Cloudlab kernel and keep the outputs.
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
    if args.execute {
        anyhow::bail!(
            "--execute needs the Cloudlab kernel's client (cloudlab_kernel::client), which is not on main yet"
        );
    }
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = cloudlab_course::build(&course, &args.out, None, &mut Bar(bar))
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

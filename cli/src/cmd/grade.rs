//! `cloudlab grade`, `cloudlab check` and `cloudlab export gradescope`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use cloudlab_grader::exercise::{self, Exercise};
use cloudlab_grader::render::{self, Style};
use cloudlab_grader::{GradeOptions, Grader, Submission, author, export, submission};

/// Report formats of `cloudlab grade`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Terminal text (colours unless NO_COLOR or not a terminal).
    Text,
    /// The stable JSON report (format version 1, see exercises/README.md).
    Json,
    /// Gradescope's results.json (first submission).
    Gradescope,
    /// JUnit XML.
    Junit,
    /// CSV gradebook: one row per submission, one column per exercise.
    Csv,
}

/// Arguments of `cloudlab grade`.
#[derive(Args)]
pub struct GradeArgs {
    /// Notebooks (.ipynb), Rust files (.rs) or directories of them (a batch).
    inputs: Vec<PathBuf>,
    /// Exercises to grade (default: every exercise the submissions have cells for).
    #[arg(long = "exercise", short = 'e')]
    exercises: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Parallel compilations and runs (default: the number of cores).
    #[arg(short = 'j', long)]
    jobs: Option<usize>,
    /// Run only the public scenarios.
    #[arg(long)]
    public_only: bool,
    /// Only prepare the grading workspace (compile the sandbox), grade nothing.
    #[arg(long)]
    prepare: bool,
    /// Where exercises live (default: $CLOUDLAB_EXERCISES or the repo's exercises/).
    #[arg(long)]
    exercises_dir: Option<PathBuf>,
}

/// Arguments of `cloudlab check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Exercises to check (default: all).
    exercises: Vec<String>,
    /// Parallel compilations and runs.
    #[arg(short = 'j', long)]
    jobs: Option<usize>,
    /// Where exercises live.
    #[arg(long)]
    exercises_dir: Option<PathBuf>,
}

/// Arguments of `cloudlab export`.
#[derive(Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    what: ExportWhat,
}

#[derive(Subcommand)]
enum ExportWhat {
    /// An autograder zip for Gradescope (setup.sh, run_autograder, sources).
    Gradescope {
        /// The exercises it grades.
        #[arg(required = true)]
        exercises: Vec<String>,
        /// The zip to write.
        #[arg(long, short = 'o', default_value = "autograder.zip")]
        output: PathBuf,
        /// Where exercises live.
        #[arg(long)]
        exercises_dir: Option<PathBuf>,
    },
}

fn load(root: &std::path::Path, ids: &[String]) -> anyhow::Result<Vec<Exercise>> {
    ids.iter()
        .map(|id| exercise::load_by_id(root, id).map_err(anyhow::Error::from))
        .collect()
}

fn options(jobs: Option<usize>, public_only: bool) -> GradeOptions {
    GradeOptions {
        jobs: jobs
            .unwrap_or_else(cloudlab_grader::grade::default_jobs)
            .max(1),
        public_only,
        progress: std::io::stderr().is_terminal(),
        ..GradeOptions::default()
    }
}

fn read_inputs(inputs: &[PathBuf]) -> anyhow::Result<Vec<Submission>> {
    let mut subs = Vec::new();
    for input in inputs {
        if input.is_dir() {
            subs.extend(
                submission::read_dir(input)
                    .with_context(|| format!("reading {}", input.display()))?,
            );
        } else if input.exists() {
            let name = input
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            subs.push(Submission::read(input, &name));
        } else {
            bail!("{}: no such file or directory", input.display());
        }
    }
    Ok(subs)
}

/// Runs `cloudlab grade`. Exit 0 when grading ran (scores are data), 2 on bad input.
pub fn grade(args: GradeArgs) -> anyhow::Result<ExitCode> {
    let root = args
        .exercises_dir
        .clone()
        .unwrap_or_else(exercise::default_root);
    if args.prepare {
        let grader = Grader::new(options(args.jobs, false))?;
        eprintln!(
            "grading workspace ready: {}",
            grader.toolchain().cache.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if args.inputs.is_empty() {
        eprintln!("error: nothing to grade: give notebooks, .rs files or directories");
        return Ok(ExitCode::from(2));
    }
    let subs = match read_inputs(&args.inputs) {
        Ok(subs) => subs,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let ids = if args.exercises.is_empty() {
        let known = exercise::list_ids(&root).unwrap_or_default();
        let mut ids: Vec<String> = subs
            .iter()
            .flat_map(|s| s.exercise_ids())
            .filter(|id| known.contains(id))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    } else {
        args.exercises.clone()
    };
    if ids.is_empty() {
        eprintln!(
            "error: no exercise to grade: the submissions have no `// exercise: <id>` cells; name one with --exercise"
        );
        return Ok(ExitCode::from(2));
    }
    let exercises = match load(&root, &ids) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let grader = Grader::new(options(args.jobs, args.public_only))?;
    let report = grader.grade(&subs, &exercises);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let text = match args.format {
        Format::Text => render::text(&report, Style::detect(to_terminal)),
        Format::Json => render::json(&report),
        Format::Gradescope => render::gradescope(&report),
        Format::Junit => render::junit(&report),
        Format::Csv => render::csv(&report),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `cloudlab check`: 1 when any exercise misses, 2 when an exercise
/// cannot be loaded.
pub fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let root = args
        .exercises_dir
        .clone()
        .unwrap_or_else(exercise::default_root);
    let loaded = if args.exercises.is_empty() {
        exercise::list_ids(&root)
            .map_err(anyhow::Error::from)
            .and_then(|ids| load(&root, &ids))
    } else {
        load(&root, &args.exercises)
    };
    let exercises = match loaded {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let grader = Grader::new(options(args.jobs, false))?;
    let checks: Vec<author::ExerciseCheck> = exercises
        .iter()
        .map(|ex| author::check(&grader, ex))
        .collect();
    print!("{}", author::table(&checks));
    let bad = checks.iter().filter(|c| !c.ok()).count();
    if bad > 0 {
        eprintln!("{bad} exercise(s) miss");
        return Ok(ExitCode::from(1));
    }
    println!("{} exercise(s) ok", checks.len());
    Ok(ExitCode::SUCCESS)
}

/// Runs `cloudlab export ...`: 2 when an exercise cannot be loaded.
pub fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    match args.what {
        ExportWhat::Gradescope {
            exercises,
            output,
            exercises_dir,
        } => {
            let root = exercises_dir.unwrap_or_else(exercise::default_root);
            let loaded = match load(&root, &exercises) {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    return Ok(ExitCode::from(2));
                }
            };
            let refs: Vec<&Exercise> = loaded.iter().collect();
            export::gradescope(&cloudlab_grader::toolchain::repo_root(), &refs, &output)?;
            eprintln!("wrote {}", output.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

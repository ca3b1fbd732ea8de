//! `cloudlab`: the one command. It parses arguments and calls the libraries
//! (`cloudlab`, `cloudlab-kernel`, `cloudlab-course`, `cloudlab-grader`);
//! each subcommand family lives in its own module under `cmd/`.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Cloudlab: learn serverless architecture on a simulated AWS account.
#[derive(Parser)]
#[command(name = "cloudlab", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The simulated cloud: replay JSON-lines scripts against it, or serve it to the AWS CLI and SDKs.
    Sandbox(cmd::sandbox::SandboxArgs),
    /// Benchmarks: each prints a ratio against a baseline run in the same process.
    Bench(cmd::bench::BenchArgs),
    /// Build the course: lessons to student and instructor notebooks and a static site.
    Build(cmd::course::BuildArgs),
    /// Scaffold a new lesson (or exercise) from the templates.
    New(cmd::course::NewArgs),
    /// Grade notebooks or .rs files against exercises' hidden scenarios.
    Grade(cmd::grade::GradeArgs),
    /// Author checks: reference passes, starter and wrong solutions fail.
    Check(cmd::grade::CheckArgs),
    /// Export graders for other platforms (Gradescope).
    Export(cmd::grade::ExportArgs),
    /// The Cloudlab Jupyter kernel: install, uninstall, run.
    Kernel(cmd::kernel::KernelArgs),
    /// Build the course, install the kernel and open JupyterLab on the lessons.
    Lab(cmd::kernel::LabArgs),
}

fn main() -> ExitCode {
    cloudlab_kernel::runtime_hook();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sandbox(args) => cmd::sandbox::run(args),
        Command::Bench(args) => cmd::bench::run(args),
        Command::Build(args) => cmd::course::build(args),
        Command::New(args) => cmd::course::new(args),
        Command::Grade(args) => cmd::grade::grade(args),
        Command::Check(args) => cmd::grade::check(args),
        Command::Export(args) => cmd::grade::export(args),
        Command::Kernel(args) => cmd::kernel::run(args),
        Command::Lab(args) => cmd::kernel::lab(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

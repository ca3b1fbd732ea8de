//! `cloudlab bench ...`: benchmarks. Each prints its measurement and the ratio
//! to a baseline measured in the same run, never a bare time.

use std::process::ExitCode;

use clap::{Args, Subcommand};

/// Arguments of `cloudlab bench`.
#[derive(Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    which: Which,
}

#[derive(Subcommand)]
enum Which {
    /// SQS send+receive+delete, SNS fan-out, SQS->Lambda, against a VecDeque loop.
    Sandbox {
        /// Messages per measurement.
        #[arg(long, default_value_t = 200_000)]
        messages: usize,
    },
    /// 100 EventBridge rules compiled into one pattern set, against the same
    /// patterns tried one rule at a time.
    Events {
        /// Events per measurement.
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
    },
    /// Build every lesson (notebooks + site, no execution) against reading,
    /// rendering with pulldown-cmark alone and writing the same sources.
    Course {
        /// Folder of lesson sources.
        #[arg(long, default_value = "lessons")]
        lessons: std::path::PathBuf,
        /// Folder of exercises.
        #[arg(long, default_value = "exercises")]
        exercises: std::path::PathBuf,
        /// Runs of each measurement (the best is reported).
        #[arg(long, default_value_t = 5)]
        iterations: usize,
    },
    /// The Cloudlab kernel (warm cache, sandbox preloaded) against plain evcxr
    /// with the sandbox as a `:dep`, both driven by a real Jupyter client.
    Kernel {
        /// Later sandbox cells to time (the median is reported).
        #[arg(long, default_value_t = 20)]
        cells: usize,
    },
}

/// Runs `cloudlab bench ...`.
pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.which {
        Which::Sandbox { messages } => {
            let report = cloudlab::bench::sandbox(messages);
            println!("{report}");
        }
        Which::Events { events } => println!("{}", cloudlab::bench::events::run(events)),
        Which::Course {
            lessons,
            exercises,
            iterations,
        } => super::course::bench(&lessons, &exercises, iterations)?,
        Which::Kernel { cells } => {
            let exe = std::env::current_exe()?;
            let sandbox = cloudlab_kernel::bench::default_sandbox();
            println!("{}", cloudlab_kernel::bench::run(&exe, &sandbox, cells)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

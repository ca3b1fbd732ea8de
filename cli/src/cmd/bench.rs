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
    /// A day-long load profile through an auto-scaled fleet behind a load
    /// balancer, against a plain loop over the same requests.
    Servers {
        /// Days of load.
        #[arg(long, default_value_t = 1)]
        days: u64,
    },
    /// Step Functions: Pass-state transitions per second on a long chain and
    /// a Map, against a plain loop writing the same history records.
    States {
        /// Pass states in the chain (at most 12,000: a Standard history holds 25,000 events).
        #[arg(long, default_value_t = 10_000)]
        chain: usize,
        /// Items of the Map.
        #[arg(long, default_value_t = 1_000)]
        items: usize,
        /// Runs of each measurement (the best is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Kinesis PutRecords and GetRecords on a 16-shard stream, against MD5
    /// routing into a VecDeque per shard.
    Kinesis {
        /// Records per measurement.
        #[arg(long, default_value_t = 200_000)]
        records: usize,
    },
    /// boto3 SQS send+receive+delete through `cloudlab sandbox serve`'s
    /// endpoint (started in this process), against the same loop in moto's
    /// in-process `mock_aws`. Needs a Python with boto3 and moto
    /// (CLOUDLAB_PYTHON, else .venv/bin/python).
    Endpoint {
        /// Messages per loop.
        #[arg(long, default_value_t = 500)]
        messages: usize,
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
    /// Grading: one new submission warm, and a batch of generated ones (right,
    /// wrong, not compiling), against `cargo build` of the same code.
    Grader {
        /// The exercise the submissions answer.
        #[arg(long, short = 'e', default_value = "sqs-idempotent-consumer")]
        exercise: String,
        /// Submissions in the batch.
        #[arg(long, default_value_t = 100)]
        submissions: usize,
        /// Parallel compilations and runs (default: the number of cores).
        #[arg(short = 'j', long)]
        jobs: Option<usize>,
        /// Batch submissions also built with `cargo build` for the baseline.
        #[arg(long, default_value_t = 3)]
        cargo_samples: usize,
    },
}

/// Runs `cloudlab bench ...`.
pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.which {
        Which::States { chain, items, runs } => {
            println!("{}", cloudlab::states::bench::run(chain, items, runs));
        }
        Which::Sandbox { messages } => {
            let report = cloudlab::bench::sandbox(messages);
            println!("{report}");
        }
        Which::Events { events } => println!("{}", cloudlab::bench::events::run(events)),
        Which::Servers { days } => println!("{}", cloudlab::bench::servers::run(days)),
        Which::Kinesis { records } => println!("{}", cloudlab::bench::kinesis::run(records)),
        Which::Endpoint { messages } => println!("{}", cloudlab_endpoint::bench::run(messages)?),
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
        Which::Grader {
            exercise,
            submissions,
            jobs,
            cargo_samples,
        } => {
            let ex = cloudlab_grader::exercise::load_by_id(
                &cloudlab_grader::exercise::default_root(),
                &exercise,
            )?;
            let options = cloudlab_grader::bench::BenchOptions {
                submissions,
                jobs: jobs.unwrap_or_else(cloudlab_grader::grade::default_jobs),
                cargo_samples,
                ..Default::default()
            };
            print!("{}", cloudlab_grader::bench::run(&ex, &options)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

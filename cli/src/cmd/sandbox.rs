//! `cloudlab sandbox ...`: replay scripts against the simulated cloud.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

/// Arguments of `cloudlab sandbox`.
#[derive(Args)]
pub struct SandboxArgs {
    #[command(subcommand)]
    command: SandboxCommand,
}

#[derive(Subcommand)]
enum SandboxCommand {
    /// Run a JSON-lines script of AWS-shaped calls; print one JSON result per line.
    ///
    /// Script lines: {"call": "sqs.SendMessage", "params": {...}},
    /// {"advance": SECONDS} or {"comment": "..."}. Output lines: {"ok": ...},
    /// {"error": {"code": ..., "message": ...}} or {"ok": {"now": ...}}.
    /// Exits 0 when the script ran (failed calls are data), 2 when a line is
    /// not valid JSON or not one of those shapes (nothing is run then).
    Replay {
        /// The script, or `-` for standard input.
        script: PathBuf,
        /// Seed for ids and documented randomness.
        #[arg(long, default_value_t = cloudlab::cloud::DEFAULT_SEED)]
        seed: u64,
        /// Turn on standard-queue anomalies (duplicates, reordering).
        #[arg(long)]
        anomalies: bool,
    },
}

/// Runs `cloudlab sandbox ...`.
pub fn run(args: SandboxArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        SandboxCommand::Replay {
            script,
            seed,
            anomalies,
        } => replay(&script, seed, anomalies),
    }
}

fn replay(script: &PathBuf, seed: u64, anomalies: bool) -> anyhow::Result<ExitCode> {
    let (name, text) = if script.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the script from standard input")?;
        ("<stdin>".to_string(), text)
    } else {
        let text = std::fs::read_to_string(script)
            .with_context(|| format!("reading {}", script.display()))?;
        (script.display().to_string(), text)
    };
    let steps = match cloudlab::replay::parse_script(&text) {
        Ok(steps) => steps,
        Err(errors) => {
            for e in &errors {
                eprintln!("{name}:{}: {}", e.line, e.message);
            }
            eprintln!("{} bad line(s); nothing was run", errors.len());
            return Ok(ExitCode::from(2));
        }
    };
    let mut cloud = cloudlab::Cloud::with_seed(seed).with_anomalies(anomalies);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    cloudlab::replay::run(&mut cloud, &steps, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

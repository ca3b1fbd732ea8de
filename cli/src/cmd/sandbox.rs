//! `cloudlab sandbox ...`: replay scripts against the simulated cloud, or
//! serve it over HTTP to the AWS CLI and SDKs.

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
    /// Serve one simulated account over HTTP, the way AWS serves its APIs, so
    /// the AWS CLI, boto3 and the SDKs work against it.
    ///
    /// SIGNATURES ARE NOT CHECKED: any access key and secret are accepted
    /// (the Authorization header only says which service a request is for).
    /// Listen on 127.0.0.1 only, never on a network others can reach.
    ///
    /// Example: aws --endpoint-url http://127.0.0.1:4566 sqs create-queue --queue-name q
    ///
    /// Serves SQS (JSON and query), SNS (query), Lambda (REST), Step
    /// Functions, EventBridge, Kinesis, Firehose (JSON), CloudWatch (RPC v2
    /// CBOR and JSON) and S3 (REST-XML, path and virtual-host buckets). Virtual time moves with POST
    /// /_cloudlab/advance {"seconds": N}, or with the wall clock under
    /// --realtime. Prints "listening on http://HOST:PORT" when ready.
    Serve {
        /// Port to listen on (0 picks a free one and prints it).
        #[arg(long, default_value_t = 4566)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Seed for ids and documented randomness.
        #[arg(long, default_value_t = cloudlab::cloud::DEFAULT_SEED)]
        seed: u64,
        /// Turn on standard-queue anomalies (duplicates, reordering).
        #[arg(long)]
        anomalies: bool,
        /// Also advance virtual time with the wall clock.
        #[arg(long)]
        realtime: bool,
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
        SandboxCommand::Serve {
            port,
            host,
            seed,
            anomalies,
            realtime,
        } => serve(&host, port, seed, anomalies, realtime),
    }
}

fn serve(
    host: &str,
    port: u16,
    seed: u64,
    anomalies: bool,
    realtime: bool,
) -> anyhow::Result<ExitCode> {
    let cloud =
        cloudlab_endpoint::shared(cloudlab::Cloud::with_seed(seed).with_anomalies(anomalies));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let addr = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let listener = cloudlab_endpoint::bind(&addr).await?;
        let bound = listener.local_addr()?;
        println!("listening on http://{bound}");
        if realtime {
            println!("virtual time follows the wall clock (--realtime)");
        }
        std::io::stdout().flush()?;
        cloudlab_endpoint::serve_listener(cloud, listener, cloudlab_endpoint::Options { realtime })
            .await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
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

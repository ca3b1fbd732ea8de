//! `cloudlab bench kernel`: the Cloudlab kernel against plain evcxr, in the
//! same run, both driven by the real client over ZeroMQ.
//!
//! The notebook: a first cell that creates a `Cloud` and sends an SQS message,
//! then some later sandbox cells. Plain evcxr gets the sandbox as a `:dep`
//! path dependency in its first cell, a fresh build folder and evcxr's
//! defaults (it compiles the sandbox on every start: evcxr's cache skips path
//! crates); the Cloudlab kernel has it preloaded from its warm build cache.
//! The Cloudlab kernel's first result is measured twice: started cold, and
//! taking over a warm spare (`cloudlab kernel spare`) as `cloudlab lab` has one.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::KernelError;
use crate::client::{KernelClient, KernelCommand};
use crate::spare;

/// The first cell of the notebook.
pub const FIRST_CELL: &str = "let mut cloud = Cloud::new();\n\
    let q = cloud.sqs().create_queue(\"bench\")?;\n\
    cloud.sqs().send(&q, \"hello\")?;";

/// Later cells, used in turn (`{i}` is the cell number).
const LATER_CELLS: &[&str] = &[
    "cloud.sqs().send(&q, \"message {i}\")?;",
    "let got{i} = cloud.sqs().receive(&q, Receive::max(1))?;\ngot{i}.len()",
    "cloud.advance(31.secs());\ncloud.now()",
    "cloud.sqs().send(&q, format!(\"order {}\", {i}))?;\n{i} * 2",
];

/// What was measured for one kernel.
#[derive(Clone, Debug)]
pub struct Timings {
    /// From starting the kernel process to the first cell's reply.
    pub first_result: Duration,
    /// Each later cell, from request to idle.
    pub later: Vec<Duration>,
}

impl Timings {
    /// The median of the later cells.
    pub fn median_later(&self) -> Duration {
        let mut v = self.later.clone();
        v.sort();
        v.get(v.len() / 2).copied().unwrap_or_default()
    }
}

/// Both kernels' timings.
#[derive(Clone, Debug)]
pub struct Report {
    /// The Cloudlab kernel, started cold (no spare waiting).
    pub cloudlab: Timings,
    /// Start → first result when a warm spare was waiting (see [`crate::spare`]).
    pub with_spare: Duration,
    /// Plain evcxr with the sandbox as a `:dep`.
    pub plain: Timings,
}

/// Runs the notebook on both kernels (`binary` is the `cloudlab` command).
pub fn run(binary: &Path, sandbox: &Path, later_cells: usize) -> Result<Report, KernelError> {
    let cold = KernelCommand::cloudlab(binary).env(spare::SPARES_ENV, "0");
    let cloudlab = measure(&cold, FIRST_CELL, later_cells)?;
    eprintln!(
        "cloudlab kernel: first result {:.2} s, median later cell {:.3} s; now with a warm spare...",
        secs(cloudlab.first_result),
        secs(cloudlab.median_later())
    );
    let with_spare = first_result_with_spare(binary)?;
    eprintln!(
        "with a warm spare: first result {:.2} s; now plain evcxr (compiles the sandbox: minutes)...",
        secs(with_spare)
    );
    let dep = format!(
        ":dep cloudlab = {{ path = \"{}\" }}\nuse cloudlab::prelude::*;\n{FIRST_CELL}",
        sandbox.display()
    );
    let plain = measure(
        &KernelCommand::cloudlab(binary).arg("--plain"),
        &dep,
        later_cells,
    )?;
    Ok(Report {
        cloudlab,
        with_spare,
        plain,
    })
}

/// Starts a spare in this folder, waits until it is warm, then times a kernel
/// start that claims it (and starts no next spare).
fn first_result_with_spare(binary: &Path) -> Result<Duration, KernelError> {
    let config = crate::KernelConfig::from_env();
    let cwd = std::env::current_dir()?;
    let mut child = spare::spawn_detached(&config, binary, &cwd, Duration::ZERO, None)?;
    if !spare::wait_ready(&config, &cwd, Duration::from_secs(600)) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(KernelError::Client(
            "the spare kernel did not get warm within 10 minutes".into(),
        ));
    }
    let claim = KernelCommand::cloudlab(binary).env(spare::SPARES_ENV, "claim");
    let timings = measure(&claim, FIRST_CELL, 0);
    // The spare is the kernel that just shut down: it exits by itself. If
    // it does not, the kernel measured was not the spare.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while matches!(child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let exited = matches!(child.try_wait(), Ok(Some(_)));
    let _ = child.kill();
    let _ = child.wait();
    if !exited {
        return Err(KernelError::Client(
            "the kernel started next to a warm spare did not take it over".into(),
        ));
    }
    Ok(timings?.first_result)
}

fn measure(
    command: &KernelCommand,
    first: &str,
    later_cells: usize,
) -> Result<Timings, KernelError> {
    let mut kernel = KernelClient::start(command)?;
    // Plain evcxr compiles the whole sandbox in its first cell: allow for it.
    let options = crate::client::ExecuteOptions {
        timeout: Duration::from_secs(3600),
        ..Default::default()
    };
    let run = kernel.execute_with(first, &options)?;
    let first_result = kernel.started.elapsed();
    expect_ok(&run, first, &kernel)?;
    let mut later = Vec::with_capacity(later_cells);
    for i in 0..later_cells {
        let code = LATER_CELLS[i % LATER_CELLS.len()].replace("{i}", &i.to_string());
        let run = kernel.execute(&code)?;
        expect_ok(&run, &code, &kernel)?;
        later.push(run.elapsed);
    }
    let _ = kernel.shutdown();
    Ok(Timings {
        first_result,
        later,
    })
}

fn expect_ok(
    run: &crate::client::Execution,
    code: &str,
    kernel: &KernelClient,
) -> Result<(), KernelError> {
    if run.is_ok() {
        return Ok(());
    }
    Err(KernelError::Client(format!(
        "benchmark cell failed:\n{code}\n{:?}\nkernel log:\n{}",
        run.error(),
        kernel.log()
    )))
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (c, p) = (&self.cloudlab, &self.plain);
        let ratio = |a: Duration, b: Duration| secs(a) / secs(b).max(1e-9);
        writeln!(
            f,
            "kernel benchmark: Cloudlab kernel vs plain evcxr (sandbox as a :dep path dependency)"
        )?;
        writeln!(
            f,
            "{:<42} {:>10} {:>12} {:>8}",
            "measurement", "cloudlab", "plain evcxr", "ratio"
        )?;
        writeln!(
            f,
            "{:<42} {:>9.2}s {:>11.2}s {:>8.3}",
            "start -> first result (Cloud + SQS send)",
            secs(c.first_result),
            secs(p.first_result),
            ratio(c.first_result, p.first_result)
        )?;
        writeln!(
            f,
            "{:<42} {:>9.2}s {:>12} {:>8.3}",
            "  the same, a warm spare waiting",
            secs(self.with_spare),
            "-",
            ratio(self.with_spare, p.first_result)
        )?;
        writeln!(
            f,
            "{:<42} {:>9.2}s {:>11.2}s {:>8.3}",
            format!("median of {} later sandbox cells", c.later.len()),
            secs(c.median_later()),
            secs(p.median_later()),
            ratio(c.median_later(), p.median_later())
        )?;
        write!(
            f,
            "targets: first result <= 5 s after a warm install, later cells <= 0.5 s, \
             ratio of first results <= 0.5"
        )
    }
}

/// The sandbox folder a `cloudlab` binary's kernel would use.
pub fn default_sandbox() -> PathBuf {
    crate::KernelConfig::from_env().sandbox_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_prints_ratios() {
        let t = |first, later: &[u64]| Timings {
            first_result: Duration::from_secs(first),
            later: later.iter().map(|ms| Duration::from_millis(*ms)).collect(),
        };
        let r = Report {
            cloudlab: t(5, &[300, 100, 200]),
            with_spare: Duration::from_secs(1),
            plain: t(20, &[400, 400, 400]),
        };
        assert_eq!(r.cloudlab.median_later(), Duration::from_millis(200));
        let text = r.to_string();
        assert!(text.contains("0.250"), "{text}");
        assert!(text.contains("0.500"), "{text}");
        assert!(text.contains("a warm spare waiting"), "{text}");
        assert!(text.contains("0.050"), "{text}");
    }
}

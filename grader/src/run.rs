//! Running a built submission: one child process per run, never the grader's
//! own. The child gets a fresh scratch directory as its working directory, an
//! empty environment and a random run key on stdin; results come back on its
//! stdout (the result channel), what learner code prints on its stderr.
//!
//! Each scenario has a wall-clock limit, enforced here, and a CPU limit,
//! enforced by the child's rlimit. A scenario that times out or crashes the
//! child fails alone: the child is started again from the next scenario, so
//! points already reported stay and later scenarios still get their chance.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use grading::protocol::{Envelope, Failure, PlanEntry, Protections, Record};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::time::Instant;

use crate::exercise::Limits;

/// Most bytes read from the result channel per run before the child is stopped.
const CHANNEL_MAX: usize = 8 << 20;

/// What to run.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// The binary.
    pub binary: Arc<PathBuf>,
    /// The suite inside it.
    pub sub: usize,
    /// Only the public scenarios (`:check`), or all.
    pub public_only: bool,
    /// Limits from the exercise.
    pub limits: Limits,
    /// Where scratch directories are made.
    pub scratch_root: PathBuf,
}

/// One seed's result.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedResult {
    /// The seed.
    pub seed: u64,
    /// Whether it passed.
    pub passed: bool,
    /// Why not.
    pub failure: Option<Failure>,
}

/// Why a scenario did not finish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Interruption {
    /// It ran past its wall-clock limit and was stopped.
    TimedOut(Duration),
    /// The child died or exited while it ran.
    Crashed(String),
}

/// Everything one submission's runs reported.
#[derive(Clone, Debug, Default)]
pub struct RunOutcome {
    /// Protections the child reported (from its first start).
    pub protections: Option<Protections>,
    /// The scenarios, in order.
    pub plan: Vec<PlanEntry>,
    /// Finished seeds, by scenario index.
    pub seeds: BTreeMap<usize, Vec<SeedResult>>,
    /// Scenarios that were stopped or crashed.
    pub interrupted: BTreeMap<usize, Interruption>,
    /// The child never reported its plan: why.
    pub startup_failure: Option<String>,
    /// What learner code printed (capped).
    pub output: String,
    /// Bytes of output dropped by the cap.
    pub output_dropped: usize,
    /// Lines on the result channel without the run key (ignored).
    pub forged_lines: usize,
}

/// How one child process ended.
enum Ending {
    /// It reported `End`.
    Finished,
    /// It was stopped or died; `at` is the scenario it was in, if any.
    Broken {
        at: Option<usize>,
        why: Interruption,
    },
}

/// Runs every scenario of `spec`, restarting after a timeout or crash.
pub async fn run(spec: &RunSpec) -> RunOutcome {
    let mut outcome = RunOutcome::default();
    let mut from = 0;
    loop {
        let ending = run_once(spec, from, &mut outcome).await;
        let Ending::Broken { at, why } = ending else {
            break;
        };
        if outcome.plan.is_empty() {
            outcome.startup_failure = Some(match why {
                Interruption::TimedOut(d) => format!("the program did not start within {d:?}"),
                Interruption::Crashed(reason) => format!("the program did not start: {reason}"),
            });
            break;
        }
        let next = match at {
            Some(index) => {
                outcome.interrupted.insert(index, why);
                index + 1
            }
            None => outcome
                .seeds
                .keys()
                .max()
                .map_or(0, |k| k + 1)
                .max(from + 1),
        };
        if next >= outcome.plan.len() || next <= from && at.is_none() {
            break;
        }
        from = next;
    }
    outcome
}

/// A fresh random key for one run (from the kernel's random source).
fn run_key() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_ok() {
        return crate::toolchain::hex(&bytes);
    }
    let mut h = Sha256::new();
    h.update(format!(
        "{:?}{:?}",
        std::time::SystemTime::now(),
        std::thread::current().id()
    ));
    h.update(std::process::id().to_le_bytes());
    let local = 0u8;
    h.update(format!("{:p}", &local));
    crate::toolchain::hex(&h.finalize())
}

async fn run_once(spec: &RunSpec, from: usize, outcome: &mut RunOutcome) -> Ending {
    let scratch = match tempdir_in(&spec.scratch_root) {
        Ok(dir) => dir,
        Err(e) => return crashed(None, format!("no scratch directory: {e}")),
    };
    let mut cmd = Command::new(spec.binary.as_ref());
    cmd.args(["--sub", &spec.sub.to_string()])
        .args(["--set", if spec.public_only { "public" } else { "all" }])
        .args(["--from", &from.to_string()])
        .args(["--memory-mb", &spec.limits.memory_mb.to_string()])
        .args(["--cpu-ms", &spec.limits.cpu_ms().to_string()])
        .arg("--scratch")
        .arg(&scratch.0)
        .current_dir(&scratch.0)
        .env_clear()
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return crashed(None, format!("could not start: {e}")),
    };
    let key = run_key();
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(format!("{key}\n").as_bytes()).await;
    }
    let cap = spec.limits.output_bytes;
    let stderr = child
        .stderr
        .take()
        .map(|err| tokio::spawn(read_capped(err, cap)));
    let Some(stdout) = child.stdout.take() else {
        return crashed(None, "no result channel".into());
    };
    let limit = Duration::from_millis(spec.limits.time_ms);
    let ending = read_results(stdout, &key, limit, outcome).await;
    let ending = match ending {
        Ok(()) => Ending::Finished,
        Err(Some((at, why))) => {
            let _ = child.start_kill();
            Ending::Broken { at, why }
        }
        Err(None) => Ending::Broken {
            at: None,
            why: Interruption::Crashed(String::new()),
        },
    };
    let status = match tokio::time::timeout(Duration::from_secs(5), child.wait()).await {
        Ok(status) => status.ok(),
        Err(_) => {
            let _ = child.start_kill();
            None
        }
    };
    let (text, dropped) = match stderr {
        Some(task) => task.await.unwrap_or_default(),
        None => (String::new(), 0),
    };
    append_output(outcome, &text, dropped, cap);
    match ending {
        Ending::Broken {
            at,
            why: Interruption::Crashed(r),
        } if r.is_empty() => crashed(at, describe_exit(status, &text, &spec.limits)),
        other => other,
    }
}

fn crashed(at: Option<usize>, why: String) -> Ending {
    Ending::Broken {
        at,
        why: Interruption::Crashed(why),
    }
}

/// Reads records until `End` (Ok), a timeout (Err(Some)) or EOF (Err(None),
/// or Err(Some) with the running scenario).
async fn read_results(
    stdout: tokio::process::ChildStdout,
    key: &str,
    limit: Duration,
    outcome: &mut RunOutcome,
) -> Result<(), Option<(Option<usize>, Interruption)>> {
    let mut lines = BufReader::new(stdout).lines();
    let startup = limit.max(Duration::from_secs(10));
    let mut deadline = Instant::now() + startup;
    let mut running: Option<usize> = None;
    let mut bytes = 0usize;
    loop {
        let line = match tokio::time::timeout_at(deadline, lines.next_line()).await {
            Err(_) => {
                let allowed = if running.is_some() { limit } else { startup };
                return Err(Some((running, Interruption::TimedOut(allowed))));
            }
            Ok(Ok(Some(line))) => line,
            Ok(_) => {
                return match running {
                    Some(index) => Err(Some((Some(index), Interruption::Crashed(String::new())))),
                    None => Err(None),
                };
            }
        };
        bytes += line.len();
        if bytes > CHANNEL_MAX {
            return Err(Some((
                running,
                Interruption::Crashed("the result channel overflowed".into()),
            )));
        }
        let record = match serde_json::from_str::<Envelope>(&line) {
            Ok(env) if env.key == key => env.record,
            _ => {
                outcome.forged_lines += 1;
                continue;
            }
        };
        match record {
            Record::Hello { protections } => {
                outcome.protections.get_or_insert(protections);
            }
            Record::Plan { scenarios } => {
                if outcome.plan.is_empty() {
                    outcome.plan = scenarios;
                }
            }
            Record::Start { index } => {
                running = Some(index);
                deadline = Instant::now() + limit;
            }
            Record::Seed {
                index,
                seed,
                passed,
                failure,
            } => outcome.seeds.entry(index).or_default().push(SeedResult {
                seed,
                passed,
                failure,
            }),
            Record::Done { .. } => {
                running = None;
                deadline = Instant::now() + startup;
            }
            Record::End => return Ok(()),
        }
    }
}

/// Why a child ended without reporting `End`, in words.
fn describe_exit(status: Option<ExitStatus>, stderr: &str, limits: &Limits) -> String {
    let Some(status) = status else {
        return "the program stopped responding".into();
    };
    if stderr.contains("memory allocation of") {
        return format!("memory limit exceeded ({} MiB)", limits.memory_mb);
    }
    if stderr.contains("has overflowed its stack") {
        return "stack overflow (unbounded recursion?)".into();
    }
    match (status.code(), status.signal()) {
        (Some(code), _) => {
            format!("the program exited (code {code}) in the middle of the scenario")
        }
        (_, Some(24)) => {
            format!("CPU time limit exceeded ({} ms)", limits.cpu_ms())
        }
        (_, Some(9)) => "the program was killed (limit exceeded)".into(),
        (_, Some(6)) => "the program aborted".into(),
        (_, Some(11)) => "segmentation fault".into(),
        (_, Some(sig)) => format!("the program was killed by signal {sig}"),
        _ => "the program ended unexpectedly".into(),
    }
}

fn append_output(outcome: &mut RunOutcome, text: &str, dropped: usize, cap: usize) {
    let room = cap.saturating_sub(outcome.output.len());
    if text.len() <= room {
        outcome.output.push_str(text);
    } else {
        let cut = (0..=room)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        outcome.output.push_str(&text[..cut]);
        outcome.output_dropped += text.len() - cut;
    }
    outcome.output_dropped += dropped;
}

/// Reads a stream to its end, keeping the first `cap` bytes.
async fn read_capped(mut r: impl tokio::io::AsyncRead + Unpin, cap: usize) -> (String, usize) {
    let mut kept = Vec::new();
    let mut dropped = 0usize;
    let mut buf = vec![0u8; 8192];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len()).min(n);
                kept.extend_from_slice(&buf[..room]);
                dropped += n - room;
            }
        }
    }
    (String::from_utf8_lossy(&kept).to_string(), dropped)
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempdir_in(root: &std::path::Path) -> std::io::Result<TempDir> {
    std::fs::create_dir_all(root)?;
    for attempt in 0..100u32 {
        let dir = root.join(format!("run-{}-{}", std::process::id(), &run_key()[..12]));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(TempDir(dir)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 99 => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free scratch directory name"))
}

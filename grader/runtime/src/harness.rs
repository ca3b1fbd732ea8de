//! The child's `main`: read the run key, isolate, announce the plan, run the
//! scenarios in order and report each seed on the result channel.
//!
//! The generated crate's `main` calls [`main`] with one [`Suite`] per
//! submission it holds. Arguments (all set by the grader):
//! `--sub N --set public|all --from K --scratch DIR --memory-mb M --cpu-ms C`.

use std::io::{BufRead, Write};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::isolate::{self, Limits};
use crate::protocol::{Envelope, Failure, PanicInfo, PlanEntry, Record};
use crate::scenario::{Ctx, Scenario};

/// One submission's scenarios.
pub struct Suite {
    /// `public.rs`'s `scenarios`.
    pub public: fn() -> Vec<Scenario>,
    /// `hidden.rs`'s `scenarios`.
    pub hidden: fn() -> Vec<Scenario>,
}

/// Which scenarios a run grades.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Set {
    /// Only `public.rs` (what `:check` runs).
    Public,
    /// `public.rs`, then `hidden.rs`.
    All,
}

#[derive(Debug)]
struct Args {
    sub: usize,
    set: Set,
    from: usize,
    scratch: PathBuf,
    memory_mb: u64,
    cpu_ms: u64,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        sub: 0,
        set: Set::All,
        from: 0,
        scratch: std::env::temp_dir(),
        memory_mb: 512,
        cpu_ms: 10_000,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let num = || value.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--sub" => args.sub = num()? as usize,
            "--from" => args.from = num()? as usize,
            "--memory-mb" => args.memory_mb = num()?,
            "--cpu-ms" => args.cpu_ms = num()?,
            "--scratch" => args.scratch = PathBuf::from(&value),
            "--set" => {
                args.set = match value.as_str() {
                    "public" => Set::Public,
                    "all" => Set::All,
                    other => return Err(format!("--set: unknown set {other}")),
                }
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// The result channel: the process's original stdout, with the run key.
struct Channel {
    out: std::fs::File,
    key: String,
}

impl Channel {
    /// Moves the original stdout aside for results and points fd 1 at
    /// stderr, so anything learner code prints lands in the output stream.
    fn open(key: String) -> std::io::Result<Channel> {
        use std::os::fd::FromRawFd;
        // SAFETY: dup/dup2 on the process's own standard descriptors; the
        // duplicated fd is owned by the File from here on.
        unsafe {
            let fd = libc::dup(1);
            if fd < 0 || libc::dup2(2, 1) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(Channel {
                out: std::fs::File::from_raw_fd(fd),
                key,
            })
        }
    }

    fn send(&mut self, record: Record) {
        let env = Envelope {
            key: self.key.clone(),
            record,
        };
        if let Ok(mut line) = serde_json::to_string(&env) {
            line.push('\n');
            // A closed channel means the grader is gone: nothing to report to.
            let _ = self.out.write_all(line.as_bytes());
            let _ = self.out.flush();
        }
    }
}

static LAST_PANIC: Mutex<Option<PanicInfo>> = Mutex::new(None);

/// Longest panic message kept, bytes.
const PANIC_MESSAGE_MAX: usize = 2_000;

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let raw = if let Some(s) = info.payload().downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(a panic without a message)".to_string()
        };
        let file = info
            .location()
            .map(|l| (l.file().to_string(), l.line(), l.column()));
        let panic = describe_panic(raw, file);
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(panic);
        }
    }));
}

/// Where a panic happened, as a report may show it: learner and public lines
/// are shown; inside hidden scenarios only that it happened there (an
/// `assert!` message would quote the hidden source).
fn describe_panic(message: String, file: Option<(String, u32, u32)>) -> PanicInfo {
    let mut message = message;
    if message.len() > PANIC_MESSAGE_MAX {
        let cut = (0..=PANIC_MESSAGE_MAX)
            .rev()
            .find(|i| message.is_char_boundary(*i))
            .unwrap_or(0);
        message.truncate(cut);
        message.push_str(" ...");
    }
    let Some((file, line, col)) = file else {
        return PanicInfo {
            message,
            location: None,
        };
    };
    let base = file.rsplit('/').next().unwrap_or(&file).to_string();
    match base.as_str() {
        "solution.rs" | "public.rs" => PanicInfo {
            message,
            location: Some(format!("{base}:{line}:{col}")),
        },
        "hidden.rs" => PanicInfo {
            message: if message.starts_with("assertion") {
                "a check in a hidden scenario failed".to_string()
            } else {
                message
            },
            location: Some("a hidden scenario".to_string()),
        },
        _ => PanicInfo {
            message,
            location: None,
        },
    }
}

fn run_seed(scenario: &Scenario, seed: u64) -> Option<Failure> {
    let mut ctx = Ctx::new(seed, scenario.anomalies);
    if let Ok(mut last) = LAST_PANIC.lock() {
        *last = None;
    }
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| (scenario.run)(&mut ctx)));
    match result {
        Ok(Ok(())) => None,
        Ok(Err(fail)) => {
            let mut failure = *fail.0;
            failure.notes.extend(ctx.notes);
            Some(failure)
        }
        Err(_) => {
            let panic = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut l| l.take())
                .unwrap_or(PanicInfo {
                    message: "(the panic hook was replaced)".into(),
                    location: None,
                });
            Some(Failure {
                what: "the code panicked".to_string(),
                expected: None,
                actual: None,
                notes: ctx.notes,
                panic: Some(panic),
            })
        }
    }
}

fn plan(scenarios: &[(Scenario, bool)]) -> Vec<PlanEntry> {
    scenarios
        .iter()
        .map(|(s, hidden)| PlanEntry {
            name: s.name.clone(),
            points: s.points,
            feedback: s.feedback.clone(),
            seeds: s.seeds.clone(),
            hidden: *hidden,
        })
        .collect()
}

/// The child's entry point; never returns.
pub fn main(suites: &[Suite]) -> ! {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("harness: {e}");
            std::process::exit(2);
        }
    };
    let mut key = String::new();
    if std::io::stdin().lock().read_line(&mut key).is_err() || key.trim().is_empty() {
        eprintln!("harness: no run key on stdin");
        std::process::exit(2);
    }
    let mut channel = match Channel::open(key.trim().to_string()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("harness: result channel: {e}");
            std::process::exit(2);
        }
    };
    let limits = Limits {
        memory_mb: args.memory_mb,
        cpu_ms: args.cpu_ms,
        file_bytes: 1 << 20,
    };
    let protections = isolate::apply(&limits, &args.scratch);
    channel.send(Record::Hello { protections });
    let Some(suite) = suites.get(args.sub) else {
        eprintln!("harness: no submission {}", args.sub);
        std::process::exit(2);
    };
    let mut scenarios: Vec<(Scenario, bool)> =
        (suite.public)().into_iter().map(|s| (s, false)).collect();
    if args.set == Set::All {
        scenarios.extend((suite.hidden)().into_iter().map(|s| (s, true)));
    }
    channel.send(Record::Plan {
        scenarios: plan(&scenarios),
    });
    install_panic_hook();
    for (index, (scenario, _)) in scenarios.iter().enumerate().skip(args.from) {
        let _ = isolate::cpu_budget(args.cpu_ms);
        channel.send(Record::Start { index });
        for &seed in &scenario.seeds {
            let failure = run_seed(scenario, seed);
            channel.send(Record::Seed {
                index,
                seed,
                passed: failure.is_none(),
                failure,
            });
        }
        channel.send(Record::Done { index });
    }
    channel.send(Record::End);
    std::process::exit(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_assertion_messages_are_redacted() {
        let p = describe_panic(
            "assertion failed: ledger.total() == 30".into(),
            Some(("src/s0/hidden.rs".into(), 12, 5)),
        );
        assert_eq!(p.message, "a check in a hidden scenario failed");
        assert_eq!(p.location.as_deref(), Some("a hidden scenario"));
    }

    #[test]
    fn learner_panics_keep_message_and_line() {
        let p = describe_panic(
            "not yet implemented".into(),
            Some(("/x/src/s3/solution.rs".into(), 7, 9)),
        );
        assert_eq!(p.message, "not yet implemented");
        assert_eq!(p.location.as_deref(), Some("solution.rs:7:9"));
        let long = describe_panic("é".repeat(5_000), None);
        assert!(long.message.len() <= PANIC_MESSAGE_MAX + 4);
    }

    #[test]
    fn arguments_parse_and_bad_ones_are_refused() {
        let a = parse_args(
            [
                "--sub",
                "3",
                "--set",
                "public",
                "--from",
                "2",
                "--memory-mb",
                "64",
            ]
            .map(String::from)
            .into_iter(),
        )
        .unwrap();
        assert_eq!((a.sub, a.set, a.from, a.memory_mb), (3, Set::Public, 2, 64));
        assert!(parse_args(["--set", "secret"].map(String::from).into_iter()).is_err());
        assert!(parse_args(["--sub"].map(String::from).into_iter()).is_err());
    }
}

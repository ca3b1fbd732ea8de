//! Warm spares: a kernel started before anyone asks for one.
//!
//! Most of a kernel's start (about 8 s here) is evcxr and rust-analyzer
//! loading the standard library and the sandbox, and none of it depends on
//! the front end. A spare (`cloudlab kernel spare`) does that work ahead of
//! time and waits on a Unix socket in the build cache. The next
//! `cloudlab kernel run` with the same configuration, binary and working
//! folder hands it the connection file, starts the next spare, and then only
//! waits: the spare binds the channels and is the kernel from then on.
//!
//! One text line each way on the socket:
//! - `claim <connection file>` → `ok`. The connection stays open as a
//!   lifeline: the spare exits when the process that claimed it dies
//!   (Jupyter killed it), and that process exits when the spare does.
//! - `ready?` → `ready` once evcxr and the preload are done.
//! - `stop` → `stopped`, and the spare exits.
//!
//! A spare nobody claims exits after [`IDLE`]. The next spare starts
//! [`RESPAWN_DELAY`] after a claim, so its warm-up does not compete with the
//! claimed kernel's first cells. `CLOUDLAB_KERNEL_SPARES=0` turns spares off;
//! `=claim` takes a waiting spare but starts no next one (benchmarks, tests).

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::KernelError;
use crate::config::KernelConfig;
use crate::connection::read_connection_file;
use crate::server::{self, Started};
use crate::worker::Job;

/// How long an unclaimed spare waits before it exits.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// How long after a claim the next spare starts.
pub const RESPAWN_DELAY: Duration = Duration::from_secs(10);
/// Environment variable: `0` turns spares off, `claim` only takes them.
pub const SPARES_ENV: &str = "CLOUDLAB_KERNEL_SPARES";
/// How long a request waits for the spare's answer (a spare still in its
/// delay first takes a build folder, which may wait for `kernel install`).
const ANSWER: Duration = Duration::from_secs(60);

/// What a spare is asked on its socket.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Request {
    /// Take over this connection file.
    Claim(PathBuf),
    /// Answer `ready` once warm.
    Ready,
    /// Exit.
    Stop,
}

impl Request {
    /// Parses one request line; the error says what was wrong.
    pub(crate) fn parse(line: &str) -> Result<Request, String> {
        let line = line.trim_end_matches(['\r', '\n']);
        match line.split_once(' ') {
            Some(("claim", path)) if !path.is_empty() => Ok(Request::Claim(PathBuf::from(path))),
            _ if line == "ready?" => Ok(Request::Ready),
            _ if line == "stop" => Ok(Request::Stop),
            _ => Err(format!(
                "unknown request {line:?} (expected `claim <file>`, `ready?` or `stop`)"
            )),
        }
    }
}

/// What a starting kernel does about spares (from `CLOUDLAB_KERNEL_SPARES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Take a waiting spare and start the next one (unset, or any other value).
    On,
    /// Take a waiting spare, start no next one (`claim`).
    ClaimOnly,
    /// Ignore spares (`0`).
    Off,
}

impl Mode {
    /// The mode the environment asks for.
    pub fn from_env() -> Mode {
        Mode::parse(std::env::var(SPARES_ENV).ok().as_deref())
    }

    fn parse(value: Option<&str>) -> Mode {
        match value.map(str::trim) {
            Some("0") => Mode::Off,
            Some("claim") => Mode::ClaimOnly,
            _ => Mode::On,
        }
    }
}

/// The socket a spare for `config` started in `cwd` listens on. Everything a
/// kernel's behaviour depends on is in the name: the folder cells run in, the
/// configuration, and which build of this binary runs.
pub fn socket_path(config: &KernelConfig, cwd: &Path) -> PathBuf {
    let exe = std::env::current_exe().ok();
    let built = exe
        .as_ref()
        .and_then(|e| std::fs::metadata(e).ok())
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let key = format!(
        "{}\n{}\n{}\n{}\n{}\n{:?}\n{built}",
        cwd.display(),
        config.root.display(),
        config.exercises_dir.display(),
        config.memory_limit_mb,
        config.cache_dir.display(),
        exe,
    );
    config.cache_dir.join(format!(
        "spare-{:016x}.sock",
        crate::config::fnv1a(key.as_bytes())
    ))
}

/// Runs a spare in the current folder until it is claimed and its kernel
/// shuts down, it is stopped, or [`IDLE`] passes. Returns at once when a
/// live spare already listens for the same key.
///
/// With a `delay`, the socket is bound at once but the warm-up waits that
/// long (or until the first request).
pub fn serve(config: KernelConfig, delay: Duration) -> Result<(), KernelError> {
    let cwd = std::env::current_dir()?;
    let path = socket_path(&config, &cwd);
    let Some(listener) = bind(&path)? else {
        eprintln!(
            "cloudlab kernel spare: one is already waiting at {}",
            path.display()
        );
        return Ok(());
    };
    let requests = accept_in_background(&listener)?;
    let early = requests.recv_timeout(delay).ok();
    // Sets environment variables: the only other thread (accepting) reads none.
    let build_dir = server::prepare_build_dir(&config)?;
    let runtime = server::tokio_runtime()?;
    let started = Started::new(config);
    let claim = wait_for_claim(&requests, early, &started, IDLE);
    // Nobody else can connect now; anyone queued reads end-of-file and starts
    // normally.
    let _ = std::fs::remove_file(&path);
    drop(requests);
    drop(listener);
    let Some((mut stream, connection_file)) = claim else {
        started.worker.kill_runtime();
        return Ok(());
    };
    let info = match read_connection_file(&connection_file) {
        Ok(info) => info,
        Err(e) => {
            let _ = writeln!(stream, "error {e}");
            started.worker.kill_runtime();
            return Err(e);
        }
    };
    writeln!(stream, "ok")?;
    watch_lifeline(stream, std::sync::Arc::clone(&started.worker));
    let result = runtime.block_on(server::serve(info, started));
    drop(build_dir);
    result
}

/// Binds `path`, replacing a stale socket; `None` when a live spare has it.
fn bind(path: &Path) -> Result<Option<UnixListener>, KernelError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    match UnixListener::bind(path) {
        Ok(l) => Ok(Some(l)),
        Err(e) if e.kind() == ErrorKind::AddrInUse => {
            if UnixStream::connect(path).is_ok() {
                return Ok(None);
            }
            std::fs::remove_file(path)?;
            Ok(Some(UnixListener::bind(path)?))
        }
        Err(e) => Err(e.into()),
    }
}

/// Accepts connections on a thread; they arrive on the returned channel.
fn accept_in_background(listener: &UnixListener) -> std::io::Result<mpsc::Receiver<UnixStream>> {
    let (tx, rx) = mpsc::channel();
    let accepting = listener.try_clone()?;
    std::thread::spawn(move || {
        for stream in accepting.incoming().flatten() {
            if tx.send(stream).is_err() {
                break;
            }
        }
    });
    Ok(rx)
}

/// Answers requests (`early` first) until a claim (returned with its
/// connection), a stop, or `idle` without a claim (both `None`).
fn wait_for_claim(
    requests: &mpsc::Receiver<UnixStream>,
    mut early: Option<UnixStream>,
    started: &Started,
    idle: Duration,
) -> Option<(UnixStream, PathBuf)> {
    let deadline = Instant::now() + idle;
    loop {
        let mut stream = match early.take() {
            Some(stream) => stream,
            None => requests
                .recv_timeout(deadline.checked_duration_since(Instant::now())?)
                .ok()?,
        };
        let _ = stream.set_read_timeout(Some(ANSWER));
        let mut line = String::new();
        if BufReader::new(&stream).read_line(&mut line).is_err() {
            continue;
        }
        match Request::parse(&line) {
            Ok(Request::Claim(file)) => {
                let _ = stream.set_read_timeout(None);
                return Some((stream, file));
            }
            Ok(Request::Ready) => answer_when_ready(stream, started),
            Ok(Request::Stop) => {
                let _ = writeln!(stream, "stopped");
                return None;
            }
            Err(e) => {
                let _ = writeln!(stream, "error {e}");
            }
        }
    }
}

/// Writes `ready` to `stream` once the worker has done every earlier job.
fn answer_when_ready(mut stream: UnixStream, started: &Started) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    if !started.worker.send(Job::Ping(tx)) {
        let _ = writeln!(stream, "error the kernel's worker is gone");
        return;
    }
    std::thread::spawn(move || {
        let answer = if rx.blocking_recv().is_ok() {
            "ready"
        } else {
            "error the worker stopped"
        };
        let _ = writeln!(stream, "{answer}");
    });
}

/// Exits the process when the claimer's end of `stream` closes.
fn watch_lifeline(mut stream: UnixStream, worker: std::sync::Arc<crate::worker::WorkerHandle>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        worker.kill_runtime();
        std::process::exit(0);
    });
}

/// A claimed spare: the connection to it.
pub(crate) struct Lease {
    stream: UnixStream,
}

impl Lease {
    /// Blocks until the spare's kernel has ended.
    pub(crate) fn wait(mut self) {
        let mut buf = [0u8; 64];
        while matches!(self.stream.read(&mut buf), Ok(n) if n > 0) {}
    }
}

/// Hands `connection_file` to a waiting spare for `config` in this folder;
/// `None` (start normally) when there is none or it does not answer `ok`.
pub(crate) fn claim(config: &KernelConfig, connection_file: &Path) -> Option<Lease> {
    if Mode::from_env() == Mode::Off {
        return None;
    }
    let path = socket_path(config, &std::env::current_dir().ok()?);
    let mut stream = UnixStream::connect(&path).ok()?;
    let file = std::path::absolute(connection_file).ok()?;
    let answer = ask(&mut stream, &format!("claim {}", file.to_str()?))?;
    if answer != "ok" {
        eprintln!(
            "cloudlab kernel: the spare at {} said {answer:?}; starting normally",
            path.display()
        );
        return None;
    }
    stream.set_read_timeout(None).ok()?;
    Some(Lease { stream })
}

/// Sends one request line and reads the one-line answer.
fn ask(stream: &mut UnixStream, request: &str) -> Option<String> {
    stream.set_read_timeout(Some(ANSWER)).ok()?;
    writeln!(stream, "{request}").ok()?;
    let mut line = String::new();
    BufReader::new(&*stream).read_line(&mut line).ok()?;
    Some(line.trim_end().to_owned())
}

/// Starts the next spare in this folder, warming up after [`RESPAWN_DELAY`],
/// in its own process group (so signals for this kernel do not reach it),
/// unless the mode says not to.
pub(crate) fn respawn() {
    if Mode::from_env() != Mode::On {
        return;
    }
    let (Ok(exe), Ok(dir)) = (std::env::current_exe(), std::env::current_dir()) else {
        return;
    };
    if let Ok(mut child) = spawn_detached(&exe, &dir, RESPAWN_DELAY) {
        // Reap it if it exits while this process still runs.
        std::thread::spawn(move || child.wait());
    }
}

/// Starts `exe kernel spare` in `dir` (warming up after `delay`), detached
/// from this process's group. Its output goes to a log beside its socket
/// (`spare-<hash>.log`): it will be a kernel nobody sees start.
pub fn spawn_detached(
    exe: &Path,
    dir: &Path,
    delay: Duration,
) -> std::io::Result<std::process::Child> {
    use std::os::unix::process::CommandExt;
    let log_path = socket_path(&KernelConfig::from_env(), dir).with_extension("log");
    if let Some(parent) = log_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let log = std::fs::File::create(&log_path)?;
    Command::new(exe)
        .args([
            "kernel",
            "spare",
            "--delay-secs",
            &delay.as_secs().to_string(),
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .process_group(0)
        .spawn()
}

/// Waits until the spare for `config` in `cwd` is warm. False when no spare
/// answers within 5 s (one binds its socket as soon as it starts) or it is
/// not warm after `timeout`.
pub fn wait_ready(config: &KernelConfig, cwd: &Path, timeout: Duration) -> bool {
    let path = socket_path(config, cwd);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(mut stream) = UnixStream::connect(&path) {
            let _ = stream.set_read_timeout(Some(timeout));
            if writeln!(stream, "ready?").is_ok() {
                let mut line = String::new();
                let _ = BufReader::new(&stream).read_line(&mut line);
                return line.trim_end() == "ready";
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Asks the spare for `config` in `cwd` to exit; whether one was waiting.
pub fn stop(config: &KernelConfig, cwd: &Path) -> bool {
    let path = socket_path(config, cwd);
    let Ok(mut stream) = UnixStream::connect(&path) else {
        return false;
    };
    ask(&mut stream, "stop").as_deref() == Some("stopped")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_and_bad_ones_say_what_is_expected() {
        assert_eq!(
            Request::parse("claim /tmp/kernel-1.json\n"),
            Ok(Request::Claim(PathBuf::from("/tmp/kernel-1.json")))
        );
        assert_eq!(Request::parse("ready?\n"), Ok(Request::Ready));
        assert_eq!(Request::parse("stop"), Ok(Request::Stop));
        let err = Request::parse("claim \n").unwrap_err();
        assert!(err.contains("expected `claim <file>`"), "{err}");
        assert!(Request::parse("shutdown").is_err());
    }

    #[test]
    fn the_mode_comes_from_one_variable() {
        assert_eq!(Mode::parse(None), Mode::On);
        assert_eq!(Mode::parse(Some("1")), Mode::On);
        assert_eq!(Mode::parse(Some(" 0 ")), Mode::Off);
        assert_eq!(Mode::parse(Some("claim")), Mode::ClaimOnly);
    }

    #[test]
    fn the_socket_depends_on_the_folder_and_the_configuration() {
        let mut config = KernelConfig::from_env();
        config.cache_dir = PathBuf::from("/tmp/cache");
        let here = socket_path(&config, Path::new("/lessons"));
        assert_eq!(here, socket_path(&config, Path::new("/lessons")));
        assert_ne!(here, socket_path(&config, Path::new("/elsewhere")));
        let mut capped = config.clone();
        capped.memory_limit_mb += 1;
        assert_ne!(here, socket_path(&capped, Path::new("/lessons")));
        assert!(here.starts_with("/tmp/cache"));
    }

    #[test]
    fn a_stale_socket_is_replaced_and_a_live_one_kept() {
        let dir = std::env::temp_dir().join(format!("cl-spare-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("spare.sock");
        let live = bind(&path).unwrap().expect("first bind");
        assert!(
            bind(&path).unwrap().is_none(),
            "a live spare keeps its socket"
        );
        drop(live);
        assert!(bind(&path).unwrap().is_some(), "a stale socket is replaced");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

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
//! - `claim <connection file>` → `ok` once the spare has bound the file's
//!   channels (else `error ...`, and the claimer starts normally). The
//!   connection stays open as a lifeline: the spare exits when the process
//!   that claimed it dies (Jupyter killed it); when the spare's kernel ends
//!   it writes `exit <code>` and the claimer exits with that code.
//! - `ready?` → `ready` once the worker has finished starting (evcxr and the
//!   preload; a failure there is reported to the front end, as in any kernel).
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
/// Environment variable: a pid; unclaimed spares exit when it is gone
/// (`cloudlab lab` sets its own, for its spares and JupyterLab's kernels).
pub const OWNER_ENV: &str = "CLOUDLAB_KERNEL_SPARE_OWNER";
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

/// The socket a spare for `config` started in `cwd` listens on. Everything in
/// the name must match: the folder cells run in, the configuration, and which
/// build of this binary runs. (The rest of the environment is not compared,
/// nor sandbox sources edited after the spare started.)
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
    socket_dir().join(format!(
        "spare-{:016x}.sock",
        crate::config::fnv1a(key.as_bytes())
    ))
}

/// A short private folder for the sockets (a Unix socket path must fit in
/// 108 bytes, which a build cache under a long home folder may not):
/// `$XDG_RUNTIME_DIR/cloudlab`, else `/tmp/cloudlab-<uid>`.
fn socket_dir() -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("cloudlab"),
        _ => {
            let uid = std::fs::metadata("/proc/self").map_or(0, |m| m.uid());
            std::env::temp_dir().join(format!("cloudlab-{uid}"))
        }
    }
}

/// The log of the spare that listens on `socket`: in the build cache.
fn log_path(config: &KernelConfig, socket: &Path) -> PathBuf {
    let name = socket.with_extension("log");
    config.cache_dir.join(name.file_name().unwrap_or_default())
}

/// Runs a spare in the current folder until it is claimed and its kernel
/// shuts down, it is stopped, or [`IDLE`] passes. Returns at once when a
/// live spare already listens for the same key.
///
/// With a `delay`, the socket is bound at once but the warm-up waits that
/// long (or until the first request). With `CLOUDLAB_KERNEL_SPARE_OWNER`
/// set to a pid, an unclaimed spare exits when that process is gone.
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
    let listener = Listening { listener, path };
    let requests = Requests::accept(&listener.listener)?;
    let early = match requests.next(Instant::now() + delay) {
        Next::Request(stream, Ok(Request::Stop)) => {
            stopped(stream);
            return Ok(());
        }
        Next::Request(stream, request) => Some((stream, request)),
        Next::OwnerGone => return Ok(()),
        Next::Timeout => None,
    };
    // Sets environment variables: the only other thread (accepting) reads none.
    let build_dir = server::prepare_build_dir(&config)?;
    let runtime = server::tokio_runtime()?;
    let started = Started::new(config);
    let claim = wait_for_claim(&requests, early, &started);
    // Nobody else can connect now; anyone queued reads end-of-file and starts
    // normally.
    drop(listener);
    drop(requests);
    let Some((stream, connection_file)) = claim else {
        started.worker.kill_runtime();
        return Ok(());
    };
    let result = runtime.block_on(become_kernel(stream, &connection_file, started));
    drop(build_dir);
    result
}

/// Binds the claimer's channels, answers `ok` (or `error ...`), serves, and
/// finally writes `exit <code>` for the claimer to exit with.
async fn become_kernel(
    mut stream: UnixStream,
    connection_file: &Path,
    started: Started,
) -> Result<(), KernelError> {
    let bound = async { server::bind(&read_connection_file(connection_file)?).await };
    let channels = match bound.await {
        Ok(channels) => channels,
        Err(e) => {
            let _ = writeln!(stream, "error {e}");
            started.worker.kill_runtime();
            return Err(e);
        }
    };
    writeln!(stream, "ok")?;
    watch_lifeline(stream.try_clone()?, std::sync::Arc::clone(&started.worker));
    let result = server::serve(channels, started).await;
    let code = if result.is_ok() { 0 } else { 1 };
    let _ = writeln!(stream, "exit {code}");
    result
}

/// Answers a stop request.
fn stopped(mut stream: UnixStream) {
    let _ = writeln!(stream, "stopped");
}

/// The bound socket; its file goes when this does, however the spare ends.
struct Listening {
    listener: UnixListener,
    path: PathBuf,
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Binds `path`, replacing a stale socket; `None` when a live spare has it.
/// A lock file beside it makes the check and the bind one step, so two
/// spares starting together cannot both replace the same stale socket.
fn bind(path: &Path) -> Result<Option<UnixListener>, KernelError> {
    if let Some(parent) = path.parent() {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)?;
    }
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path.with_extension("lock"))?;
    lock.lock()?;
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

/// Connections accepted on a thread, read one request at a time.
struct Requests {
    streams: mpsc::Receiver<UnixStream>,
    owner: Option<u32>,
}

/// What waiting for a request gave.
enum Next {
    /// A connection and its request line.
    Request(UnixStream, Result<Request, String>),
    /// The deadline passed.
    Timeout,
    /// The process named by `CLOUDLAB_KERNEL_SPARE_OWNER` is gone.
    OwnerGone,
}

impl Requests {
    fn accept(listener: &UnixListener) -> std::io::Result<Requests> {
        let (tx, rx) = mpsc::channel();
        let accepting = listener.try_clone()?;
        std::thread::spawn(move || {
            for stream in accepting.incoming().flatten() {
                if tx.send(stream).is_err() {
                    break;
                }
            }
        });
        let owner = std::env::var(OWNER_ENV)
            .ok()
            .and_then(|v| v.trim().parse().ok());
        Ok(Requests { streams: rx, owner })
    }

    /// The next readable request before `deadline`, checking the owner
    /// every second.
    fn next(&self, deadline: Instant) -> Next {
        loop {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Next::Timeout;
            };
            if let Some(pid) = self.owner
                && !Path::new(&format!("/proc/{pid}")).exists()
            {
                return Next::OwnerGone;
            }
            let Ok(stream) = self.streams.recv_timeout(left.min(Duration::from_secs(1))) else {
                continue;
            };
            let _ = stream.set_read_timeout(Some(ANSWER));
            let mut line = String::new();
            if BufReader::new(&stream).read_line(&mut line).is_ok() {
                return Next::Request(stream, Request::parse(&line));
            }
        }
    }
}

/// Answers requests (`early` first) until a claim (returned with its
/// connection), a stop, the owner's exit, or [`IDLE`] without a claim.
fn wait_for_claim(
    requests: &Requests,
    mut early: Option<(UnixStream, Result<Request, String>)>,
    started: &Started,
) -> Option<(UnixStream, PathBuf)> {
    let deadline = Instant::now() + IDLE;
    loop {
        let (mut stream, request) = match early.take() {
            Some(pending) => pending,
            None => match requests.next(deadline) {
                Next::Request(stream, request) => (stream, request),
                Next::Timeout | Next::OwnerGone => return None,
            },
        };
        match request {
            Ok(Request::Claim(file)) => {
                let _ = stream.set_read_timeout(None);
                return Some((stream, file));
            }
            Ok(Request::Ready) => answer_when_ready(stream, started),
            Ok(Request::Stop) => {
                stopped(stream);
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
    /// Blocks until the spare's kernel has ended; its exit code (1 when it
    /// died without saying).
    pub(crate) fn wait(self) -> i32 {
        let mut code = 1;
        for line in BufReader::new(self.stream).lines() {
            let Ok(line) = line else { break };
            if let Some(n) = line
                .strip_prefix("exit ")
                .and_then(|n| n.trim().parse().ok())
            {
                code = n;
            }
        }
        code
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
    let answer = ask(&mut stream, &format!("claim {}", file.to_str()?), ANSWER)?;
    if answer != "ok" {
        let why = if answer.is_empty() {
            "was taken by another kernel".to_string()
        } else {
            format!("said {answer:?}")
        };
        eprintln!(
            "cloudlab kernel: the spare at {} {why}; starting normally",
            path.display()
        );
        return None;
    }
    stream.set_read_timeout(None).ok()?;
    Some(Lease { stream })
}

/// Sends one request line and reads the one-line answer (waiting at most
/// `timeout`).
fn ask(stream: &mut UnixStream, request: &str, timeout: Duration) -> Option<String> {
    stream.set_read_timeout(Some(timeout)).ok()?;
    writeln!(stream, "{request}").ok()?;
    let mut line = String::new();
    BufReader::new(&*stream).read_line(&mut line).ok()?;
    Some(line.trim_end().to_owned())
}

/// Starts the next spare in this folder, warming up after [`RESPAWN_DELAY`],
/// in its own process group (so signals for this kernel do not reach it),
/// unless the mode says not to.
pub(crate) fn respawn(config: &KernelConfig) {
    if Mode::from_env() != Mode::On {
        return;
    }
    let (Ok(exe), Ok(dir)) = (std::env::current_exe(), std::env::current_dir()) else {
        return;
    };
    if let Ok(mut child) = spawn_detached(config, &exe, &dir, RESPAWN_DELAY, None) {
        // Reap it if it exits while this process still runs.
        std::thread::spawn(move || child.wait());
    }
}

/// Starts `exe kernel spare` in `dir` (warming up after `delay`), detached
/// from this process's group, exiting unclaimed when `owner` (a pid) does.
/// It inherits this process's environment, so `config` must be what that
/// environment gives (`KernelConfig::from_env`). Its output is appended to
/// `spare-<hash>.log` in the build cache: it will be a kernel nobody sees start.
pub fn spawn_detached(
    config: &KernelConfig,
    exe: &Path,
    dir: &Path,
    delay: Duration,
    owner: Option<u32>,
) -> std::io::Result<std::process::Child> {
    use std::os::unix::process::CommandExt;
    let log_path = log_path(config, &socket_path(config, dir));
    if let Some(parent) = log_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)?;
    let mut command = Command::new(exe);
    if let Some(pid) = owner {
        command.env(OWNER_ENV, pid.to_string());
    }
    command
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
            return ask(&mut stream, "ready?", timeout).as_deref() == Some("ready");
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
    ask(&mut stream, "stop", ANSWER).as_deref() == Some("stopped")
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
        // However long the cache folder's path, the socket's fits in 108 bytes.
        config.cache_dir = PathBuf::from(format!("/home/{}/cache", "x".repeat(200)));
        let long = socket_path(&config, Path::new("/lessons"));
        assert!(long.as_os_str().len() < 108, "{}", long.display());
        let log = log_path(&config, &long);
        assert!(log.starts_with(&config.cache_dir) && log.extension().unwrap() == "log");
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

//! The kernel process: binds the five channels of a connection file and
//! answers the messages a front end sends. Busy/idle surrounds every request;
//! execution counts start at 1.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jupyter_protocol::{
    CodeMirrorMode, CommClose, CommInfoReply, CompleteReply, ConnectionInfo, ExecuteInput,
    ExecuteReply, ExecuteRequest, ExecutionCount, HelpLink, HistoryEntry, HistoryReply,
    HistoryRequest, InspectReply, InterruptReply, IsCompleteReply, JupyterMessage,
    JupyterMessageContent, KernelInfoReply, LanguageInfo, ReplyError, ReplyStatus, ShutdownReply,
    ShutdownRequest, Status, UnknownMessage,
};
use jupyter_zmq_client::{
    KernelControlConnection, KernelHeartbeatConnection, KernelIoPubConnection,
    KernelShellConnection, KernelStdinConnection, create_kernel_control_connection,
    create_kernel_heartbeat_connection, create_kernel_iopub_connection,
    create_kernel_shell_connection, create_kernel_stdin_connection,
};
use tokio::sync::{mpsc, oneshot, watch};

use crate::KernelError;
use crate::config::KernelConfig;
use crate::connection::read_connection_file;
use crate::is_complete::{self, Completeness};
use crate::pool;
use crate::preload;
use crate::spare;
use crate::stdin::{self, StdinBridge};
use crate::worker::{ExecuteJob, Job, WorkerHandle};

/// After a failed cell with `stop_on_error`, the execute requests already
/// queued (a "Run All") are aborted, as ipykernel does; a queue read that
/// waits longer than this finds the queue empty.
const QUEUED: Duration = Duration::from_millis(2);

/// Runs a kernel for `connection_file` until a front end shuts it down.
///
/// A connection file it cannot use is an error (the process should exit);
/// everything after that (no Rust toolchain, a sandbox that does not build,
/// bad cells) is reported to the front end and the kernel stays up.
///
/// When a warm spare for the same configuration and folder is waiting
/// (see [`crate::spare`]), it takes over the connection file and this
/// process only waits for it to end.
pub fn run(connection_file: &Path, config: KernelConfig) -> Result<(), KernelError> {
    let info = read_connection_file(connection_file)?;
    if !config.plain
        && let Some(lease) = spare::claim(&config, connection_file)
    {
        spare::respawn(&config);
        return match lease.wait() {
            0 => Ok(()),
            code => Err(KernelError::Runtime(format!(
                "the spare kernel that took over this start ended with code {code}; \
                 its log is spare-<hash>.log in {}",
                config.cache_dir.display()
            ))),
        };
    }
    let build_dir = prepare_build_dir(&config)?;
    let runtime = tokio_runtime()?;
    let result =
        runtime.block_on(async move { serve(bind(&info).await?, Started::new(config)).await });
    drop(build_dir);
    result
}

/// The runtime the channels are served on.
pub(crate) fn tokio_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Chooses the folder evcxr builds in and points evcxr at it. Must run
/// before any thread starts: it sets environment variables.
pub(crate) fn prepare_build_dir(config: &KernelConfig) -> Result<BuildDir, KernelError> {
    let (dir, slot) = if config.plain {
        let dir = std::env::temp_dir().join(format!("cloudlab-plain-evcxr-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        (dir, None)
    } else {
        let slot = pool::acquire(&config.cache_dir)?;
        (slot.dir.clone(), Some(slot))
    };
    write_build_files(config, &dir)?;
    // SAFETY: called from `run` (and `spare::serve`) before the runtime and
    // the worker threads exist; a spare's one other thread only accepts
    // connections. Nothing reads the environment concurrently.
    unsafe {
        std::env::set_var("EVCXR_TMPDIR", &dir);
        std::env::set_var("EVCXR_CONFIG_DIR", dir.join(".evcxr-config"));
    }
    Ok(BuildDir {
        dir,
        _slot: slot,
        remove: config.plain,
    })
}

/// The lock file (so cargo picks the versions already on disk, offline) and
/// evcxr's and cargo's configuration.
pub(crate) fn write_build_files(config: &KernelConfig, dir: &Path) -> Result<(), KernelError> {
    let write = |path: PathBuf, text: &str| -> Result<(), KernelError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| cache_err(parent, e))?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            std::fs::write(&path, text).map_err(|e| cache_err(&path, e))?;
        }
        Ok(())
    };
    let lock = std::fs::read_to_string(config.lock_file()).unwrap_or_default();
    if !lock.is_empty() && !dir.join("Cargo.lock").is_file() {
        write(dir.join("Cargo.lock"), &lock)?;
    }
    let evcxr_toml = if config.plain {
        "[evcxr]\noffline_mode = true\n"
    } else {
        preload::EVCXR_TOML
    };
    write(dir.join(".evcxr-config").join("evcxr.toml"), evcxr_toml)?;
    if !config.plain {
        let pool_config = config.cache_dir.join(".cargo").join("config.toml");
        write(pool_config, preload::POOL_CARGO_CONFIG)?;
    }
    Ok(())
}

fn cache_err(path: &Path, e: std::io::Error) -> KernelError {
    KernelError::Cache {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The build folder, held while the kernel runs.
pub(crate) struct BuildDir {
    dir: PathBuf,
    _slot: Option<pool::Slot>,
    remove: bool,
}

impl Drop for BuildDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// What a kernel has before a front end's sockets exist: the worker (evcxr
/// and the preload start at once) and the channels it reports through.
pub(crate) struct Started {
    iopub_tx: mpsc::UnboundedSender<JupyterMessage>,
    iopub_rx: mpsc::UnboundedReceiver<JupyterMessage>,
    asks: mpsc::UnboundedReceiver<stdin::Ask>,
    cancel: std::sync::Arc<tokio::sync::Notify>,
    pub(crate) worker: std::sync::Arc<WorkerHandle>,
}

impl Started {
    /// Starts the worker; messages it sends wait until [`serve`] binds iopub.
    pub(crate) fn new(config: KernelConfig) -> Started {
        let (iopub_tx, iopub_rx) = mpsc::unbounded_channel::<JupyterMessage>();
        let (bridge, asks, cancel) = StdinBridge::new();
        let worker = std::sync::Arc::new(WorkerHandle::spawn(config, iopub_tx.clone(), bridge));
        Started {
            iopub_tx,
            iopub_rx,
            asks,
            cancel,
            worker,
        }
    }
}

/// The five channels of a connection file, bound.
pub(crate) struct Channels {
    iopub: KernelIoPubConnection,
    shell: KernelShellConnection,
    control: KernelControlConnection,
    stdin: KernelStdinConnection,
    heartbeat: KernelHeartbeatConnection,
}

/// Binds the five channels of `info`; the error names the one that failed.
pub(crate) async fn bind(info: &ConnectionInfo) -> Result<Channels, KernelError> {
    let session = uuid::Uuid::new_v4().to_string();
    let socket_err = |channel: &'static str, url: String| {
        move |source| KernelError::Socket {
            channel,
            url,
            source,
        }
    };
    Ok(Channels {
        iopub: create_kernel_iopub_connection(info, &session)
            .await
            .map_err(socket_err("iopub", info.iopub_url()))?,
        shell: create_kernel_shell_connection(info, &session)
            .await
            .map_err(socket_err("shell", info.shell_url()))?,
        control: create_kernel_control_connection(info, &session)
            .await
            .map_err(socket_err("control", info.control_url()))?,
        stdin: create_kernel_stdin_connection(info, &session)
            .await
            .map_err(socket_err("stdin", info.stdin_url()))?,
        heartbeat: create_kernel_heartbeat_connection(info)
            .await
            .map_err(socket_err("heartbeat", info.hb_url()))?,
    })
}

/// Answers requests on `channels` until shutdown.
pub(crate) async fn serve(channels: Channels, started: Started) -> Result<(), KernelError> {
    let Started {
        iopub_tx,
        mut iopub_rx,
        asks,
        cancel,
        worker,
    } = started;
    let Channels {
        mut iopub,
        shell,
        control,
        stdin: stdin_conn,
        mut heartbeat,
    } = channels;
    tokio::spawn(async move {
        while let Some(msg) = iopub_rx.recv().await {
            if let Err(e) = iopub.send(msg).await {
                eprintln!("cloudlab kernel: iopub send failed: {e}");
            }
        }
    });
    tokio::spawn(async move { while heartbeat.single_heartbeat().await.is_ok() {} });

    tokio::spawn(stdin::serve(stdin_conn, asks, cancel));

    let (stop_tx, mut stop_rx) = watch::channel(false);
    tokio::spawn(control_loop(
        control,
        iopub_tx.clone(),
        std::sync::Arc::clone(&worker),
        stop_tx,
    ));
    let mut shell_state = Shell::new(shell, iopub_tx, worker);
    let _ = shell_state.iopub.send(Status::starting().into());
    loop {
        if let Some(msg) = shell_state.pending.pop_front() {
            shell_state.handle(msg).await;
            continue;
        }
        tokio::select! {
            msg = shell_state.conn.read() => match msg {
                Ok(msg) => shell_state.handle(msg).await,
                Err(e) => eprintln!("cloudlab kernel: unreadable shell message: {e}"),
            },
            _ = stop_rx.changed() => break,
        }
    }
    // Give iopub a moment to send the last messages (the shutdown reply's idle).
    tokio::time::sleep(Duration::from_millis(50)).await;
    shell_state.worker.kill_runtime();
    Ok(())
}

/// The kernel_info reply: a Rust kernel, with Cloudlab's name and banner.
pub(crate) fn kernel_info() -> KernelInfoReply {
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: "5.3".into(),
        implementation: "cloudlab".into(),
        implementation_version: env!("CARGO_PKG_VERSION").into(),
        language_info: LanguageInfo {
            name: "rust".into(),
            version: rustc_version(),
            mimetype: Some("text/rust".into()),
            file_extension: Some(".rs".into()),
            pygments_lexer: Some("rust".into()),
            codemirror_mode: Some(CodeMirrorMode::Simple("rust".into())),
            nbconvert_exporter: Some("rust".into()),
        },
        banner: format!(
            "Cloudlab {} (Rust, evcxr) - a simulated AWS account in your notebook.\n\
             `Cloud` and the sandbox prelude are loaded; :help lists the magics.",
            env!("CARGO_PKG_VERSION")
        ),
        help_links: vec![
            HelpLink {
                text: "Rust standard library".into(),
                url: "https://doc.rust-lang.org/std/".into(),
            },
            HelpLink {
                text: "evcxr commands".into(),
                url: "https://github.com/evcxr/evcxr/blob/main/COMMON.md".into(),
            },
        ],
        debugger: false,
        error: None,
    }
}

/// `rustc --version` (`1.95.0`), asked once.
fn rustc_version() -> String {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION
        .get_or_init(|| {
            std::process::Command::new("rustc")
                .arg("--version")
                .output()
                .ok()
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .and_then(|s| s.split_whitespace().nth(1).map(str::to_string))
                .unwrap_or_else(|| "unknown".into())
        })
        .clone()
}

/// One executed cell, for `history_request`.
struct HistoryItem {
    count: usize,
    code: String,
    output: String,
}

struct Shell {
    conn: KernelShellConnection,
    iopub: mpsc::UnboundedSender<JupyterMessage>,
    worker: std::sync::Arc<WorkerHandle>,
    count: usize,
    history: Vec<HistoryItem>,
    /// A cell failed with `stop_on_error`: abort the queued execute requests.
    abort_queued: bool,
    /// Requests read while aborting, to handle next.
    pending: std::collections::VecDeque<JupyterMessage>,
}

impl Shell {
    fn new(
        conn: KernelShellConnection,
        iopub: mpsc::UnboundedSender<JupyterMessage>,
        worker: std::sync::Arc<WorkerHandle>,
    ) -> Shell {
        Shell {
            conn,
            iopub,
            worker,
            count: 0,
            history: Vec::new(),
            abort_queued: false,
            pending: std::collections::VecDeque::new(),
        }
    }

    async fn handle(&mut self, msg: JupyterMessage) {
        let _ = self.iopub.send(Status::busy().as_child_of(&msg));
        let reply = match &msg.content {
            JupyterMessageContent::KernelInfoRequest(_) => Some(kernel_info().into()),
            JupyterMessageContent::ExecuteRequest(req) => {
                Some(self.execute(&msg, req).await.into())
            }
            JupyterMessageContent::IsCompleteRequest(req) => {
                Some(is_complete_reply(&req.code).into())
            }
            JupyterMessageContent::CompleteRequest(req) => {
                let (reply, rx) = oneshot::channel();
                let job = Job::Complete {
                    code: req.code.clone(),
                    cursor: req.cursor_pos,
                    reply,
                };
                let fallback = CompleteReply {
                    cursor_start: req.cursor_pos,
                    cursor_end: req.cursor_pos,
                    ..CompleteReply::default()
                };
                Some(self.ask(job, rx).await.unwrap_or(fallback).into())
            }
            JupyterMessageContent::InspectRequest(req) => {
                let (reply, rx) = oneshot::channel();
                let job = Job::Inspect {
                    code: req.code.clone(),
                    cursor: req.cursor_pos,
                    reply,
                };
                Some(
                    self.ask(job, rx)
                        .await
                        .unwrap_or_else(InspectReply::default)
                        .into(),
                )
            }
            JupyterMessageContent::HistoryRequest(req) => Some(self.history(req).into()),
            JupyterMessageContent::CommInfoRequest(_) => Some(CommInfoReply::default().into()),
            JupyterMessageContent::CommOpen(open) => {
                // No comm targets here: close it, so the front end does not wait.
                let close = CommClose {
                    comm_id: open.comm_id.clone(),
                    data: Default::default(),
                };
                let _ = self.iopub.send(close.as_child_of(&msg));
                None
            }
            JupyterMessageContent::CommMsg(_) | JupyterMessageContent::CommClose(_) => None,
            JupyterMessageContent::ShutdownRequest(req) => Some(shutdown_reply(req).into()),
            JupyterMessageContent::UnknownMessage(m) if m.msg_type.ends_with("_request") => {
                Some(unknown_reply(m))
            }
            _ => None,
        };
        // Requests that were already queued when a cell failed with
        // stop_on_error are aborted (read before the failing reply goes out).
        let queued = if std::mem::take(&mut self.abort_queued) {
            self.take_queued().await
        } else {
            Vec::new()
        };
        if let Some(content) = reply {
            let reply = JupyterMessage::new(content, Some(&msg));
            if let Err(e) = self.conn.send(reply).await {
                eprintln!("cloudlab kernel: shell reply failed: {e}");
            }
        }
        let _ = self.iopub.send(Status::idle().as_child_of(&msg));
        for msg in queued {
            if matches!(msg.content, JupyterMessageContent::ExecuteRequest(_)) {
                let _ = self.iopub.send(Status::busy().as_child_of(&msg));
                let reply = aborted_reply(self.count).as_child_of(&msg);
                let _ = self.conn.send(reply).await;
                let _ = self.iopub.send(Status::idle().as_child_of(&msg));
            } else {
                self.pending.push_back(msg);
            }
        }
    }

    /// The requests already waiting on the shell socket.
    async fn take_queued(&mut self) -> Vec<JupyterMessage> {
        let mut queued = Vec::new();
        while let Ok(read) = tokio::time::timeout(QUEUED, self.conn.read()).await {
            if let Ok(msg) = read {
                queued.push(msg);
            }
        }
        queued
    }

    async fn ask<T>(&self, job: Job, rx: oneshot::Receiver<T>) -> Option<T> {
        if !self.worker.send(job) {
            return None;
        }
        rx.await.ok()
    }

    async fn execute(&mut self, msg: &JupyterMessage, req: &ExecuteRequest) -> ExecuteReply {
        let counts = !req.silent && req.store_history;
        if counts {
            self.count += 1;
        }
        let count = self.count.max(1);
        if !req.silent {
            let input = ExecuteInput {
                code: req.code.clone(),
                execution_count: ExecutionCount::new(count),
            };
            let _ = self.iopub.send(input.as_child_of(msg));
        }
        let (reply, rx) = oneshot::channel();
        let job = Job::Execute(ExecuteJob {
            request: Box::new(msg.clone()),
            code: req.code.clone(),
            count,
            silent: req.silent,
            allow_stdin: req.allow_stdin,
            reply,
        });
        let reply = self
            .ask(job, rx)
            .await
            .unwrap_or_else(|| internal_error_reply(count));
        if counts {
            self.history.push(HistoryItem {
                count,
                code: req.code.clone(),
                output: String::new(),
            });
        }
        if reply.status == ReplyStatus::Error && req.stop_on_error {
            self.abort_queued = true;
        }
        reply
    }

    fn history(&self, req: &HistoryRequest) -> HistoryReply {
        history_entries(&self.history, req)
    }
}

/// Answers a history request from the cells run so far.
fn history_entries(history: &[HistoryItem], req: &HistoryRequest) -> HistoryReply {
    {
        let entry = |h: &HistoryItem, output: bool| {
            if output {
                HistoryEntry::InputOutput(0, h.count, (h.code.clone(), h.output.clone()))
            } else {
                HistoryEntry::Input(0, h.count, h.code.clone())
            }
        };
        let items: Vec<HistoryEntry> = match req {
            HistoryRequest::Tail { n, output, .. } => {
                let n = usize::try_from(*n).unwrap_or(0);
                let skip = history.len().saturating_sub(n);
                history[skip..].iter().map(|h| entry(h, *output)).collect()
            }
            HistoryRequest::Range {
                start,
                stop,
                output,
                ..
            } => history
                .iter()
                .filter(|h| {
                    let c = h.count as i64;
                    c >= i64::from(*start) && (*stop <= 0 || c < i64::from(*stop))
                })
                .map(|h| entry(h, *output))
                .collect(),
            HistoryRequest::Search {
                pattern,
                unique,
                output,
                n,
                ..
            } => {
                let mut seen = std::collections::HashSet::new();
                let mut found: Vec<HistoryEntry> = history
                    .iter()
                    .rev()
                    .filter(|h| glob_match(pattern, &h.code))
                    .filter(|h| !*unique || seen.insert(h.code.clone()))
                    .take(
                        usize::try_from(*n)
                            .ok()
                            .filter(|n| *n > 0)
                            .unwrap_or(usize::MAX),
                    )
                    .map(|h| entry(h, *output))
                    .collect();
                found.reverse();
                found
            }
        };
        HistoryReply::new(items)
    }
}

async fn control_loop(
    mut control: KernelControlConnection,
    iopub: mpsc::UnboundedSender<JupyterMessage>,
    worker: std::sync::Arc<WorkerHandle>,
    stop: watch::Sender<bool>,
) {
    loop {
        let msg = match control.read().await {
            Ok(msg) => msg,
            Err(e) => {
                eprintln!("cloudlab kernel: unreadable control message: {e}");
                continue;
            }
        };
        let _ = iopub.send(Status::busy().as_child_of(&msg));
        let (reply, shutdown): (Option<JupyterMessageContent>, bool) = match &msg.content {
            JupyterMessageContent::InterruptRequest(_) => {
                if worker.interrupt() {
                    eprintln!("cloudlab kernel: interrupt: stopped the running cell");
                }
                (Some(InterruptReply::new().into()), false)
            }
            JupyterMessageContent::ShutdownRequest(req) => (Some(shutdown_reply(req).into()), true),
            JupyterMessageContent::KernelInfoRequest(_) => (Some(kernel_info().into()), false),
            JupyterMessageContent::UnknownMessage(m) if m.msg_type.ends_with("_request") => {
                (Some(unknown_reply(m)), false)
            }
            _ => (None, false),
        };
        if let Some(content) = reply {
            let reply = JupyterMessage::new(content, Some(&msg));
            let _ = control.send(reply).await;
        }
        let _ = iopub.send(Status::idle().as_child_of(&msg));
        if shutdown {
            eprintln!("cloudlab kernel: shutting down");
            worker.kill_runtime();
            let _ = stop.send(true);
            return;
        }
    }
}

fn shutdown_reply(req: &ShutdownRequest) -> ShutdownReply {
    ShutdownReply {
        restart: req.restart,
        status: ReplyStatus::Ok,
        error: None,
    }
}

fn is_complete_reply(code: &str) -> IsCompleteReply {
    match is_complete::check(code) {
        Completeness::Complete => IsCompleteReply::complete(),
        Completeness::Incomplete(indent) => IsCompleteReply::incomplete(indent),
        Completeness::Invalid => IsCompleteReply::invalid(),
    }
}

fn unknown_reply(m: &UnknownMessage) -> JupyterMessageContent {
    m.reply(serde_json::json!({
        "status": "error",
        "ename": "UnsupportedRequest",
        "evalue": format!("the Cloudlab kernel does not handle {}", m.msg_type),
        "traceback": [],
    }))
}

fn aborted_reply(count: usize) -> ExecuteReply {
    ExecuteReply {
        status: ReplyStatus::Aborted,
        execution_count: ExecutionCount::new(count),
        ..ExecuteReply::default()
    }
}

fn internal_error_reply(count: usize) -> ExecuteReply {
    let text =
        "internal error in the Cloudlab kernel (the cell's worker stopped); please report it";
    ExecuteReply {
        status: ReplyStatus::Error,
        execution_count: ExecutionCount::new(count),
        error: Some(Box::new(ReplyError {
            ename: "KernelError".into(),
            evalue: text.into(),
            traceback: vec![text.into()],
        })),
        ..ExecuteReply::default()
    }
}

/// IPython-style history search patterns: `*` any text, `?` one character.
fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_builds_dependencies_optimised_but_plain_evcxr_does_not() {
        let base = std::env::temp_dir().join(format!("cl-build-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let mut config = KernelConfig {
            root: base.join("no-repo"),
            cache_dir: base.join("pool"),
            memory_limit_mb: 0,
            exercises_dir: base.join("exercises"),
            plain: false,
        };
        write_build_files(&config, &config.cache_dir.join("slot-0")).unwrap();
        let cargo = std::fs::read_to_string(base.join("pool/.cargo/config.toml")).unwrap();
        assert!(
            cargo.contains("[profile.dev.package.\"*\"]\nopt-level = 1"),
            "{cargo}"
        );
        let evcxr = std::fs::read_to_string(base.join("pool/slot-0/.evcxr-config/evcxr.toml"));
        assert!(evcxr.unwrap().contains("opt_level = \"0\""));

        config.plain = true;
        config.cache_dir = base.join("plain-pool");
        write_build_files(&config, &base.join("plain")).unwrap();
        assert!(!base.join("plain-pool/.cargo").exists());
        assert!(!base.join(".cargo").exists());
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn kernel_info_describes_rust() {
        let info = serde_json::to_value(kernel_info()).unwrap();
        let lang = &info["language_info"];
        assert_eq!(lang["name"], "rust");
        assert_eq!(lang["file_extension"], ".rs");
        assert_eq!(lang["mimetype"], "text/rust");
        assert_eq!(lang["codemirror_mode"], "rust");
        assert_eq!(info["implementation"], "cloudlab");
        assert_eq!(info["status"], "ok");
    }

    #[test]
    fn is_complete_maps_to_protocol_statuses() {
        let s = |code| serde_json::to_value(is_complete_reply(code)).unwrap()["status"].clone();
        assert_eq!(s("1"), "complete");
        assert_eq!(s("fn f() {"), "incomplete");
        assert_eq!(s(")"), "invalid");
    }

    #[test]
    fn aborted_and_error_replies_serialise() {
        let v = serde_json::to_value(aborted_reply(3)).unwrap();
        assert_eq!(v["status"], "aborted");
        let v = serde_json::to_value(internal_error_reply(3)).unwrap();
        assert_eq!(v["status"], "error");
        assert_eq!(v["ename"], "KernelError");
    }

    #[test]
    fn unknown_requests_get_an_error_reply() {
        let m = UnknownMessage {
            msg_type: "debug_request".into(),
            content: serde_json::json!({}),
        };
        let reply = unknown_reply(&m);
        assert_eq!(reply.message_type(), "debug_reply");
    }

    #[test]
    fn glob() {
        assert!(glob_match("1*", "1 + 1"));
        assert!(glob_match("*cloud*", "let cloud = 1;"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "abbc"));
        assert!(!glob_match("x*", "1 + 1"));
    }

    #[test]
    fn history_tail_range_and_search() {
        let items = ["1 + 1", "let x = 2;", "1 + 1"];
        let history: Vec<HistoryItem> = items
            .iter()
            .enumerate()
            .map(|(i, c)| HistoryItem {
                count: i + 1,
                code: c.to_string(),
                output: String::new(),
            })
            .collect();
        let shell_history = |req: HistoryRequest| {
            let json = serde_json::to_value(history_entries(&history, &req)).unwrap();
            json["history"].as_array().unwrap().clone()
        };
        let tail = shell_history(HistoryRequest::Tail {
            n: 2,
            output: false,
            raw: true,
        });
        assert_eq!(tail.len(), 2);
        assert_eq!(tail[0][2], "let x = 2;");
        let range = shell_history(HistoryRequest::Range {
            session: Some(0),
            start: 1,
            stop: 2,
            output: true,
            raw: true,
        });
        assert_eq!(range.len(), 1);
        assert_eq!(range[0][2].as_array().unwrap().len(), 2);
        let unique = shell_history(HistoryRequest::Search {
            pattern: "1*".into(),
            unique: true,
            output: false,
            raw: true,
            n: 0,
        });
        assert_eq!(unique.len(), 1);
    }
}

//! A small blocking Jupyter client: start a kernel process, run cells,
//! collect their outputs. Used by `cloudlab bench kernel` and by the course
//! builder to execute notebooks.
//!
//! ```no_run
//! use cloudlab_kernel::client::{KernelClient, KernelCommand};
//! let cmd = KernelCommand::cloudlab("target/debug/cloudlab".as_ref());
//! let mut kernel = KernelClient::start(&cmd)?;
//! let run = kernel.execute("let mut cloud = Cloud::new(); 1 + 1")?;
//! assert!(run.is_ok());
//! assert_eq!(run.result_text().as_deref(), Some("2"));
//! for output in &run.outputs {
//!     println!("{}", output.to_nbformat()); // nbformat 4 output JSON
//! }
//! kernel.shutdown()?;
//! # Ok::<(), cloudlab_kernel::KernelError>(())
//! ```

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jupyter_protocol::{
    ConnectionInfo, ExecuteRequest, InputReply, InterruptRequest, JupyterMessage,
    JupyterMessageContent, KernelInfoRequest, Payload, ReplyStatus, ShutdownRequest, Transport,
};
use jupyter_zmq_client::{
    ClientControlConnection, ClientIoPubConnection, ClientShellConnection, ClientStdinConnection,
    create_client_control_connection, create_client_iopub_connection,
    create_client_shell_connection_with_identity, create_client_stdin_connection_with_identity,
    peek_ports_with_listeners, peer_identity_for_session,
};
use serde_json::{Value, json};

use crate::KernelError;

/// How to start a kernel: a program and arguments, where the argument
/// `{connection_file}` is replaced by the connection file's path.
#[derive(Clone, Debug)]
pub struct KernelCommand {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl KernelCommand {
    /// `<cloudlab> kernel run --connection-file {connection_file}`.
    pub fn cloudlab(binary: &Path) -> KernelCommand {
        KernelCommand {
            program: binary.to_path_buf(),
            args: ["kernel", "run", "--connection-file", "{connection_file}"]
                .map(String::from)
                .to_vec(),
            env: Vec::new(),
        }
    }

    /// Any kernel command line (e.g. a kernelspec's `argv`).
    pub fn new(program: &Path, args: &[&str]) -> KernelCommand {
        KernelCommand {
            program: program.to_path_buf(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: &str) -> KernelCommand {
        self.args.push(arg.to_string());
        self
    }

    /// Sets an environment variable for the kernel process.
    pub fn env(mut self, key: &str, value: &str) -> KernelCommand {
        self.env.push((key.to_string(), value.to_string()));
        self
    }
}

/// One output of a cell, as the front end would show it.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Printed text: `name` is `stdout` or `stderr`.
    Stream {
        /// `stdout` or `stderr`.
        name: String,
        /// The text.
        text: String,
    },
    /// A `display_data` bundle (mime type -> content).
    Display(Value),
    /// The cell's value (`execute_result`).
    Result {
        /// Its execution count.
        count: usize,
        /// Mime type -> content.
        data: Value,
    },
    /// An error.
    Error {
        /// Error name (`CompilationError`, `panic` ...).
        ename: String,
        /// One-line message.
        evalue: String,
        /// Lines to show (may contain ANSI colours).
        traceback: Vec<String>,
    },
}

impl Output {
    /// The output in nbformat 4 form (`output_type` ...), for writing notebooks.
    pub fn to_nbformat(&self) -> Value {
        match self {
            Output::Stream { name, text } => {
                json!({"output_type": "stream", "name": name, "text": text})
            }
            Output::Display(data) => {
                json!({"output_type": "display_data", "data": data, "metadata": {}})
            }
            Output::Result { count, data } => json!({
                "output_type": "execute_result", "execution_count": count,
                "data": data, "metadata": {}
            }),
            Output::Error {
                ename,
                evalue,
                traceback,
            } => json!({
                "output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback
            }),
        }
    }
}

/// What running one cell produced.
#[derive(Clone, Debug)]
pub struct Execution {
    /// `ok`, `error` or `aborted`.
    pub status: String,
    /// The cell's execution count.
    pub execution_count: usize,
    /// Outputs in the order the kernel sent them.
    pub outputs: Vec<Output>,
    /// Payloads (e.g. `set_next_input` from `:exercise`).
    pub payload: Vec<Value>,
    /// From sending the request to the kernel going idle.
    pub elapsed: Duration,
}

impl Execution {
    /// Whether the cell succeeded.
    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }

    /// The `text/plain` of the cell's value, if it had one.
    pub fn result_text(&self) -> Option<String> {
        self.outputs.iter().find_map(|o| match o {
            Output::Result { data, .. } => data["text/plain"].as_str().map(str::to_string),
            _ => None,
        })
    }

    /// Everything printed to `name` (`stdout` or `stderr`).
    pub fn stream(&self, name: &str) -> String {
        self.outputs
            .iter()
            .filter_map(|o| match o {
                Output::Stream { name: n, text } if n == name => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The first error output, if any.
    pub fn error(&self) -> Option<&Output> {
        self.outputs
            .iter()
            .find(|o| matches!(o, Output::Error { .. }))
    }
}

/// Options for one execution.
#[derive(Clone, Debug)]
pub struct ExecuteOptions {
    /// Give up (and interrupt the kernel) after this long.
    pub timeout: Duration,
    /// Answers for `input_request`s, in order (empty strings after that).
    pub stdin: Vec<String>,
    /// Send an `interrupt_request` this long after the request.
    pub interrupt_after: Option<Duration>,
}

impl Default for ExecuteOptions {
    fn default() -> Self {
        ExecuteOptions {
            timeout: Duration::from_secs(300),
            stdin: Vec::new(),
            interrupt_after: None,
        }
    }
}

/// A running kernel process and a connection to it.
pub struct KernelClient {
    rt: tokio::runtime::Runtime,
    child: Child,
    session: String,
    shell: ClientShellConnection,
    iopub: ClientIoPubConnection,
    control: ClientControlConnection,
    stdin: ClientStdinConnection,
    dir: PathBuf,
    /// When the process was started (for start-up timings).
    pub started: Instant,
}

impl KernelClient {
    /// Starts the kernel and waits (up to 2 minutes) until it answers `kernel_info`.
    pub fn start(command: &KernelCommand) -> Result<KernelClient, KernelError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let session = uuid::Uuid::new_v4().to_string();
        let dir = std::env::temp_dir().join(format!("cloudlab-client-{session}"));
        std::fs::create_dir_all(&dir)?;
        let started = Instant::now();
        let (info, child) = rt.block_on(spawn(command, &dir, &session))?;
        let connected = rt.block_on(connect(&info, &session));
        let (shell, iopub, control, stdin) = match connected {
            Ok(c) => c,
            Err(e) => {
                kill(child);
                return Err(e);
            }
        };
        let mut client = KernelClient {
            rt,
            child,
            session,
            shell,
            iopub,
            control,
            stdin,
            dir,
            started,
        };
        client.wait_ready(Duration::from_secs(120))?;
        Ok(client)
    }

    /// The kernel's stderr so far (it is written to a log file).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("kernel.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<(), KernelError> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(KernelError::Client(format!(
                    "the kernel exited ({status}) before answering:\n{}",
                    self.log()
                )));
            }
            let request: JupyterMessage = KernelInfoRequest {}.into();
            let request = request.with_session(&self.session);
            let ready = self.rt.block_on(async {
                self.shell.send(request).await.ok()?;
                tokio::time::timeout(Duration::from_secs(2), self.shell.read())
                    .await
                    .ok()?
                    .ok()?;
                // The reply came; is iopub subscribed yet (busy/idle arrive)?
                tokio::time::timeout(Duration::from_millis(500), self.iopub.read())
                    .await
                    .ok()?
                    .ok()
            });
            if ready.is_some() {
                self.drain_iopub(Duration::from_millis(100));
                return Ok(());
            }
        }
        Err(KernelError::Client(format!(
            "the kernel did not answer within {limit:?}:\n{}",
            self.log()
        )))
    }

    fn drain_iopub(&mut self, quiet: Duration) {
        self.rt.block_on(async {
            while let Ok(Ok(_)) = tokio::time::timeout(quiet, self.iopub.read()).await {}
        });
    }

    /// Runs `code` with default options (5-minute timeout, no stdin answers).
    pub fn execute(&mut self, code: &str) -> Result<Execution, KernelError> {
        self.execute_with(code, &ExecuteOptions::default())
    }

    /// Runs `code` and collects its outputs until the kernel goes idle.
    pub fn execute_with(
        &mut self,
        code: &str,
        options: &ExecuteOptions,
    ) -> Result<Execution, KernelError> {
        let mut request = ExecuteRequest::new(code.to_string());
        request.allow_stdin = true;
        request.stop_on_error = false;
        let request: JupyterMessage =
            JupyterMessage::new(request, None).with_session(&self.session);
        let msg_id = request.header.msg_id.clone();
        let started = Instant::now();
        let session = self.session.clone();
        let rt = &self.rt;
        let (shell, iopub, control, stdin) = (
            &mut self.shell,
            &mut self.iopub,
            &mut self.control,
            &mut self.stdin,
        );
        rt.block_on(async move {
            shell.send(request).await?;
            let mut collector = Collector::default();
            let mut answers = options.stdin.iter();
            let deadline = tokio::time::Instant::now() + options.timeout;
            let mut interrupt_at = options
                .interrupt_after
                .map(|d| tokio::time::Instant::now() + d);
            loop {
                let interrupt_sleep = async {
                    match interrupt_at {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    msg = iopub.read() => {
                        let msg = msg?;
                        if is_child_of(&msg, &msg_id) && collector.take(msg) {
                            break;
                        }
                    }
                    msg = stdin.read() => {
                        let msg = msg?;
                        if matches!(msg.content, JupyterMessageContent::InputRequest(_)) {
                            let value = answers.next().cloned().unwrap_or_default();
                            let reply = InputReply { value, ..InputReply::default() };
                            stdin.send(reply.as_child_of(&msg).with_session(&session)).await?;
                        }
                    }
                    reply = control.read() => {
                        // interrupt_reply: read it, so the next control reply is the next one.
                        reply?;
                    }
                    _ = interrupt_sleep => {
                        interrupt_at = None;
                        let req: JupyterMessage = InterruptRequest {}.into();
                        control.send(req.with_session(&session)).await?;
                    }
                    _ = tokio::time::sleep_until(deadline) => {
                        let req: JupyterMessage = InterruptRequest {}.into();
                        control.send(req.with_session(&session)).await?;
                        return Err(KernelError::Client(format!(
                            "the cell did not finish within {:?} (interrupted it)", options.timeout
                        )));
                    }
                }
            }
            let reply = loop {
                let msg = tokio::time::timeout(Duration::from_secs(30), shell.read())
                    .await
                    .map_err(|_| KernelError::Client("no execute_reply".into()))??;
                if is_child_of(&msg, &msg_id)
                    && let JupyterMessageContent::ExecuteReply(r) = msg.content
                {
                    break r;
                }
            };
            Ok(Execution {
                status: match reply.status {
                    ReplyStatus::Ok => "ok",
                    ReplyStatus::Error => "error",
                    ReplyStatus::Aborted => "aborted",
                }
                .to_string(),
                execution_count: reply.execution_count.value(),
                outputs: collector.outputs,
                payload: reply
                    .payload
                    .iter()
                    .map(|p: &Payload| serde_json::to_value(p).unwrap_or(Value::Null))
                    .collect(),
                elapsed: started.elapsed(),
            })
        })
    }

    /// Asks the kernel to shut down and waits for the process to end.
    pub fn shutdown(mut self) -> Result<(), KernelError> {
        let req: JupyterMessage = ShutdownRequest { restart: false }.into();
        let req = req.with_session(&self.session);
        let _ = self.rt.block_on(async {
            self.control.send(req).await?;
            tokio::time::timeout(Duration::from_secs(10), self.control.read())
                .await
                .map_err(|_| KernelError::Client("no shutdown_reply".into()))?
                .map_err(KernelError::from)
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        Err(KernelError::Client(format!(
            "the kernel did not exit after shutdown_request; killed it. Its log:\n{}",
            self.log()
        )))
    }
}

impl Drop for KernelClient {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Collects one execution's iopub messages; `take` says when it is over.
#[derive(Default)]
struct Collector {
    outputs: Vec<Output>,
    busy: bool,
}

impl Collector {
    fn take(&mut self, msg: JupyterMessage) -> bool {
        match msg.content {
            JupyterMessageContent::Status(s) => {
                let state = s.execution_state.as_str().to_string();
                if state == "busy" {
                    self.busy = true;
                }
                return state == "idle" && self.busy;
            }
            JupyterMessageContent::StreamContent(s) => {
                let name = serde_json::to_value(&s.name)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                match self.outputs.last_mut() {
                    Some(Output::Stream { name: n, text }) if *n == name => text.push_str(&s.text),
                    _ => self.outputs.push(Output::Stream { name, text: s.text }),
                }
            }
            JupyterMessageContent::DisplayData(d) => self.outputs.push(Output::Display(
                serde_json::to_value(&d.data).unwrap_or(Value::Null),
            )),
            JupyterMessageContent::ExecuteResult(r) => self.outputs.push(Output::Result {
                count: r.execution_count.value(),
                data: serde_json::to_value(&r.data).unwrap_or(Value::Null),
            }),
            JupyterMessageContent::ErrorOutput(e) => self.outputs.push(Output::Error {
                ename: e.ename,
                evalue: e.evalue,
                traceback: e.traceback,
            }),
            _ => {}
        }
        false
    }
}

fn is_child_of(msg: &JupyterMessage, msg_id: &str) -> bool {
    msg.parent_header
        .as_ref()
        .is_some_and(|h| h.msg_id == msg_id)
}

fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

async fn spawn(
    command: &KernelCommand,
    dir: &Path,
    session: &str,
) -> Result<(ConnectionInfo, Child), KernelError> {
    let ip = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    let (ports, listeners) = peek_ports_with_listeners(ip, 5).await?;
    let info = ConnectionInfo {
        ip: ip.to_string(),
        transport: Transport::TCP,
        shell_port: ports[0],
        iopub_port: ports[1],
        stdin_port: ports[2],
        control_port: ports[3],
        hb_port: ports[4],
        key: session.replace('-', ""),
        signature_scheme: "hmac-sha256".into(),
        kernel_name: Some("cloudlab".into()),
    };
    let path = dir.join("connection.json");
    std::fs::write(&path, serde_json::to_string(&info).unwrap_or_default())?;
    let log = std::fs::File::create(dir.join("kernel.log"))?;
    let args: Vec<String> = command
        .args
        .iter()
        .map(|a| a.replace("{connection_file}", &path.display().to_string()))
        .collect();
    drop(listeners);
    let child = Command::new(&command.program)
        .args(&args)
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .map_err(|e| {
            KernelError::Client(format!("cannot start {}: {e}", command.program.display()))
        })?;
    Ok((info, child))
}

async fn connect(
    info: &ConnectionInfo,
    session: &str,
) -> Result<
    (
        ClientShellConnection,
        ClientIoPubConnection,
        ClientControlConnection,
        ClientStdinConnection,
    ),
    KernelError,
> {
    let identity = peer_identity_for_session(session)?;
    let shell =
        create_client_shell_connection_with_identity(info, session, identity.clone()).await?;
    let iopub = create_client_iopub_connection(info, "", session).await?;
    let control = create_client_control_connection(info, session).await?;
    let stdin = create_client_stdin_connection_with_identity(info, session, identity).await?;
    Ok((shell, iopub, control, stdin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_convert_to_nbformat() {
        let s = Output::Stream {
            name: "stdout".into(),
            text: "hi\n".into(),
        };
        assert_eq!(s.to_nbformat()["output_type"], "stream");
        let r = Output::Result {
            count: 3,
            data: json!({"text/plain": "2"}),
        };
        assert_eq!(r.to_nbformat()["execution_count"], 3);
        let e = Output::Error {
            ename: "panic".into(),
            evalue: "x".into(),
            traceback: vec!["x".into()],
        };
        assert_eq!(e.to_nbformat()["output_type"], "error");
    }

    #[test]
    fn a_missing_kernel_binary_is_a_clear_error() {
        let cmd = KernelCommand::new(Path::new("/nonexistent/cloudlab"), &["{connection_file}"]);
        let err = KernelClient::start(&cmd).err().unwrap();
        assert!(err.to_string().contains("/nonexistent/cloudlab"), "{err}");
    }
}

//! The thread that owns evcxr. It starts evcxr and loads the sandbox as soon
//! as the kernel starts (while the front end is still connecting), then runs
//! cells, completions and inspections one at a time.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use evcxr::{CommandContext, EvalCallbacks, EvalOutputs};
use jupyter_protocol::{
    CompleteReply, DisplayData, ErrorOutput, ExecuteReply, ExecuteResult, ExecutionCount,
    InputRequest, InspectReply, JupyterMessage, Media, Payload, ReplyError, ReplyStatus,
};
use tokio::sync::{mpsc::UnboundedSender, oneshot};

use crate::config::KernelConfig;
use crate::exercises::Exercises;
use crate::magics::{self, Magic};
use crate::outcome;
use crate::preload;
use crate::stdin::StdinBridge;
use crate::streams::{CellOutput, Streams};

/// A request for the worker.
pub(crate) enum Job {
    /// Run a cell.
    Execute(ExecuteJob),
    /// Complete at `cursor` (in characters).
    Complete {
        code: String,
        cursor: usize,
        reply: oneshot::Sender<CompleteReply>,
    },
    /// Inspect at `cursor` (in characters).
    Inspect {
        code: String,
        cursor: usize,
        reply: oneshot::Sender<InspectReply>,
    },
    /// Answer once every earlier job is done (and so evcxr and the preload).
    Ping(oneshot::Sender<()>),
}

/// One cell to run.
pub(crate) struct ExecuteJob {
    pub request: Box<JupyterMessage>,
    pub code: String,
    pub count: usize,
    pub silent: bool,
    pub allow_stdin: bool,
    pub reply: oneshot::Sender<ExecuteReply>,
}

/// State shared with the control channel (interrupt, shutdown).
#[derive(Default)]
pub(crate) struct Shared {
    executing: AtomicBool,
    interrupted: AtomicBool,
    process: Mutex<Option<Arc<Mutex<Child>>>>,
}

/// The kernel's handle on the worker thread.
pub(crate) struct WorkerHandle {
    jobs: std::sync::mpsc::Sender<Job>,
    shared: Arc<Shared>,
    stdin: StdinBridge,
}

impl WorkerHandle {
    /// Starts the worker: evcxr and the preload begin at once.
    pub fn spawn(
        config: KernelConfig,
        iopub: UnboundedSender<JupyterMessage>,
        stdin: StdinBridge,
    ) -> WorkerHandle {
        let (jobs, rx) = std::sync::mpsc::channel();
        let shared = Arc::new(Shared::default());
        let worker = Worker {
            config,
            iopub,
            stdin: stdin.clone(),
            shared: Arc::clone(&shared),
            ctx: None,
            streams: None,
            startup_error: None,
            preload_error: None,
            hook_pid: None,
            log: Vec::new(),
            hints_shown: HashMap::new(),
            solutions: HashMap::new(),
            last_solution: None,
            endpoint_loaded: false,
        };
        std::thread::Builder::new()
            .name("cloudlab-evcxr".into())
            .spawn(move || worker.run(rx))
            .expect("spawning the evcxr worker thread");
        WorkerHandle {
            jobs,
            shared,
            stdin,
        }
    }

    /// Queues a job; false when the worker is gone.
    pub fn send(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }

    /// Stops the running cell by killing the runtime process (the only way to
    /// stop arbitrary Rust code). Returns whether a cell was running.
    pub fn interrupt(&self) -> bool {
        if !self.shared.executing.load(Ordering::SeqCst) {
            return false;
        }
        self.shared.interrupted.store(true, Ordering::SeqCst);
        self.stdin.cancel();
        self.kill_runtime();
        true
    }

    /// Kills the runtime process (at shutdown, so nothing waits on a busy cell).
    pub fn kill_runtime(&self) {
        let handle = self.shared.process.lock().map(|p| p.clone()).ok().flatten();
        if let Some(handle) = handle
            && let Ok(mut child) = handle.lock()
        {
            let _ = child.kill();
        }
    }
}

/// A cell that ran successfully, kept for `:replay`.
#[derive(Clone, Debug)]
struct LoggedCell {
    count: usize,
    code: String,
    inputs: Vec<String>,
}

/// How a cell ended, before it is reported.
enum CellEnd {
    Ok {
        data: Option<Media>,
        payload: Vec<Payload>,
    },
    Err(ErrorOutput),
}

struct Worker {
    config: KernelConfig,
    iopub: UnboundedSender<JupyterMessage>,
    stdin: StdinBridge,
    shared: Arc<Shared>,
    ctx: Option<CommandContext>,
    streams: Option<Streams>,
    /// Why evcxr could not start (missing toolchain ...): every cell says so.
    startup_error: Option<String>,
    /// Why the sandbox preload failed: said once, then cells run without it.
    preload_error: Option<String>,
    /// The runtime process the panic hook is installed in.
    hook_pid: Option<u32>,
    /// Successful cells since the last reset, for `:replay`.
    log: Vec<LoggedCell>,
    /// Hints already shown, per exercise.
    hints_shown: HashMap<String, usize>,
    /// The latest solution cell (`// exercise: <id>` first) per exercise.
    solutions: HashMap<String, String>,
    /// The exercise of the latest solution cell, for a bare `:check`.
    last_solution: Option<String>,
    /// `:endpoint` ran: reload the endpoint crate after a reset or a replay.
    endpoint_loaded: bool,
}

impl Worker {
    fn run(mut self, jobs: std::sync::mpsc::Receiver<Job>) {
        self.start();
        for job in jobs {
            // A bug in evcxr or rust-analyzer must not take the kernel down: the
            // reply sender is dropped and the shell answers with an error.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| self.handle(job)));
        }
    }

    fn handle(&mut self, job: Job) {
        match job {
            Job::Execute(job) => {
                let reply = job.reply;
                let content = self.execute(
                    &job.request,
                    &job.code,
                    job.count,
                    job.silent,
                    job.allow_stdin,
                );
                let _ = reply.send(content);
            }
            Job::Complete {
                code,
                cursor,
                reply,
            } => {
                let _ = reply.send(self.complete(&code, cursor));
            }
            Job::Inspect {
                code,
                cursor,
                reply,
            } => {
                let _ = reply.send(self.inspect(&code, cursor));
            }
            Job::Ping(reply) => {
                let _ = reply.send(());
            }
        }
    }

    // ---- start-up ---------------------------------------------------------

    fn start(&mut self) {
        let started = std::time::Instant::now();
        let lap = |what: &str| {
            eprintln!(
                "cloudlab kernel: {what} after {:.1} s",
                started.elapsed().as_secs_f64()
            )
        };
        match self.new_context() {
            Ok((ctx, outputs)) => {
                if let Ok(mut p) = self.shared.process.lock() {
                    *p = Some(ctx.process_handle());
                }
                self.streams = Some(Streams::spawn(
                    outputs.stdout,
                    outputs.stderr,
                    self.iopub.clone(),
                ));
                self.ctx = Some(ctx);
                lap("evcxr ready");
                if !self.config.plain {
                    if let Err(e) = self.load_preload() {
                        eprintln!("cloudlab kernel: the sandbox preload failed:\n{e}");
                        self.preload_error = Some(e);
                    }
                    lap("sandbox preloaded");
                }
            }
            Err(e) => {
                eprintln!("cloudlab kernel: cannot start evcxr: {e}");
                self.startup_error = Some(e);
            }
        }
    }

    fn new_context(&self) -> Result<(CommandContext, evcxr::EvalContextOutputs), String> {
        let runtime =
            crate::runtime::runtime_command(self.config.memory_limit_mb, !self.config.plain)
                .map_err(|e| format!("cannot find own binary: {e}"))?;
        let (eval, outputs) = evcxr::EvalContext::with_subprocess_command(runtime)
            .map_err(|e| explain_start_error(&e.to_string()))?;
        Ok((CommandContext::with_eval_context(eval), outputs))
    }

    /// Runs the preload quietly; the panic hook is then in place.
    fn load_preload(&mut self) -> Result<(), String> {
        let code = preload::preload_code(&self.config.sandbox_dir());
        let result = self.quiet(&code);
        self.hook_pid = self.runtime_pid();
        result
    }

    /// Runs code with its output dropped; errors come back as text.
    fn quiet(&mut self, code: &str) -> Result<(), String> {
        let (Some(ctx), Some(streams)) = (self.ctx.as_mut(), self.streams.as_ref()) else {
            return Err("evcxr is not running".into());
        };
        let parent: JupyterMessage = jupyter_protocol::ExecuteRequest::new(String::new()).into();
        streams.begin(&parent, true);
        let result = ctx.execute(code).map(|_| ()).map_err(|e| match e {
            evcxr::Error::CompilationErrors(errors) => {
                let out = outcome::compile_errors(&errors, code, "the sandbox preload");
                crate::diagnostics::strip_ansi(&out.traceback.join("\n"))
            }
            other => other.to_string(),
        });
        streams.flush();
        result
    }

    fn runtime_pid(&self) -> Option<u32> {
        let handle = self.shared.process.lock().ok()?.clone()?;
        let child = handle.lock().ok()?;
        Some(child.id())
    }

    // ---- execution --------------------------------------------------------

    fn execute(
        &mut self,
        request: &JupyterMessage,
        code: &str,
        count: usize,
        silent: bool,
        allow_stdin: bool,
    ) -> ExecuteReply {
        if let Some(streams) = &self.streams {
            streams.begin(request, silent);
        }
        let end = match (&self.startup_error, magics::parse(code)) {
            (Some(e), _) => CellEnd::Err(outcome::error(
                "KernelStartError",
                e,
                vec![format!(
                    "\x1b[1;31mThe Cloudlab kernel cannot run Rust:\x1b[0m {e}"
                )],
            )),
            (None, _) if doc_request(code).is_some() => self.page_doc(code),
            (None, Some(Ok(magic))) => self.magic(magic, request),
            (None, Some(Err(e))) => CellEnd::Err(outcome::error(
                "MagicError",
                &e.to_string(),
                vec![e.to_string()],
            )),
            (None, None) => {
                self.note_solution(code);
                self.run_code(request, code, count, allow_stdin)
            }
        };
        self.report(request, end, count, silent)
    }

    /// Sends the result or error of a cell on iopub and builds the reply.
    fn report(
        &self,
        request: &JupyterMessage,
        end: CellEnd,
        count: usize,
        silent: bool,
    ) -> ExecuteReply {
        let execution_count = ExecutionCount::new(count);
        match end {
            CellEnd::Ok { data, payload } => {
                if let (Some(data), false) = (data, silent) {
                    let mut result = ExecuteResult::new(execution_count, data);
                    // `{}`, not null: front ends validate it as an object.
                    result.transient = Some(jupyter_protocol::Transient::default());
                    let _ = self.iopub.send(result.as_child_of(request));
                }
                ExecuteReply {
                    status: ReplyStatus::Ok,
                    execution_count,
                    payload,
                    user_expressions: Some(HashMap::new()),
                    error: None,
                }
            }
            CellEnd::Err(err) => {
                if !silent {
                    let _ = self.iopub.send(err.as_child_of(request));
                }
                ExecuteReply {
                    status: ReplyStatus::Error,
                    execution_count,
                    payload: Vec::new(),
                    user_expressions: Some(HashMap::new()),
                    error: Some(Box::new(ReplyError {
                        ename: err.ename,
                        evalue: err.evalue,
                        traceback: err.traceback,
                    })),
                }
            }
        }
    }

    fn run_code(
        &mut self,
        request: &JupyterMessage,
        code: &str,
        count: usize,
        allow_stdin: bool,
    ) -> CellEnd {
        let mut notice = None;
        if let Some(e) = self.preload_error.take() {
            notice = Some(format!(
                "warning: the Cloudlab sandbox could not be loaded, so `Cloud` and friends \
                 are missing:\n{e}\n"
            ));
        }
        if let Some(text) = notice {
            let msg = jupyter_protocol::StreamContent::stderr(&text).as_child_of(request);
            let _ = self.iopub.send(msg);
        }
        if !self.config.plain && self.runtime_pid() != self.hook_pid {
            // The runtime restarted (crash, interrupt): put the panic hook back.
            let _ = self.quiet(preload::INSTALL_PANIC_HOOK);
            self.hook_pid = self.runtime_pid();
            if let Some(streams) = &self.streams {
                streams.begin(request, false);
            }
        }
        let inputs = RefCell::new(Vec::new());
        let result = self.eval(code, request, allow_stdin, &inputs);
        let cell = self.flush();
        let origin = format!("In [{count}]");
        match result {
            Ok(outputs) => {
                // Any panic while the cell ran is the cell's error. (The thread
                // name cannot tell the cell's thread apart: cells use their own
                // copy of std, which never named the runtime's main thread.)
                if let Some(p) = cell.panics.first() {
                    self.show_displays(request, &cell.final_displays);
                    return CellEnd::Err(outcome::panic(p, &origin));
                }
                self.log.push(LoggedCell {
                    count,
                    code: code.to_string(),
                    inputs: inputs.into_inner(),
                });
                if let Some(t) = outputs.timing {
                    let text = format!("Took {}ms\n", t.as_millis());
                    let msg = jupyter_protocol::StreamContent::stdout(&text).as_child_of(request);
                    let _ = self.iopub.send(msg);
                }
                // The cell's value: evcxr's last rich output, unless something
                // was printed after it (then every display was shown already).
                let data = if !cell.final_displays.is_empty() {
                    let last: HashMap<String, String> = cell.final_displays.into_iter().collect();
                    outcome::media(&last)
                } else if cell.displays_sent == 0 {
                    // No display copies (plain mode, or the preload failed).
                    outcome::media(&outputs.content_by_mime_type)
                } else {
                    None
                };
                CellEnd::Ok {
                    data,
                    payload: Vec::new(),
                }
            }
            Err(e) => {
                self.show_displays(request, &cell.final_displays);
                CellEnd::Err(self.eval_error(e, code, &origin, &cell))
            }
        }
    }

    /// Sends held displays as `display_data` (the cell did not end with them).
    fn show_displays(&self, request: &JupyterMessage, displays: &[(String, String)]) {
        for (mime, content) in displays {
            let map = HashMap::from([(mime.clone(), content.clone())]);
            if let Some(media) = outcome::media(&map) {
                self.display(request, media);
            }
        }
    }

    fn eval(
        &mut self,
        code: &str,
        request: &JupyterMessage,
        allow_stdin: bool,
        inputs: &RefCell<Vec<String>>,
    ) -> Result<EvalOutputs, evcxr::Error> {
        let Some(ctx) = self.ctx.as_mut() else {
            return Err(evcxr::Error::Message("evcxr is not running".into()));
        };
        let stdin = &self.stdin;
        let mut callbacks = EvalCallbacks {
            input_reader: &|req| {
                let value = if allow_stdin {
                    let ask = InputRequest {
                        prompt: req.prompt,
                        password: req.is_password,
                    };
                    stdin.ask(ask.as_child_of(request))
                } else {
                    String::new()
                };
                inputs.borrow_mut().push(value.clone());
                value
            },
        };
        self.shared.interrupted.store(false, Ordering::SeqCst);
        self.shared.executing.store(true, Ordering::SeqCst);
        let mut result = ctx.execute_with_callbacks(code, &mut callbacks);
        self.shared.executing.store(false, Ordering::SeqCst);
        if let Ok(outputs) = &mut result {
            preload::hide_own_vars(code, &mut outputs.content_by_mime_type);
        }
        result
    }

    fn flush(&self) -> CellOutput {
        self.streams
            .as_ref()
            .map(Streams::flush)
            .unwrap_or_default()
    }

    fn eval_error(
        &mut self,
        e: evcxr::Error,
        code: &str,
        origin: &str,
        cell: &CellOutput,
    ) -> ErrorOutput {
        match e {
            evcxr::Error::CompilationErrors(errors) => {
                outcome::compile_errors(&errors, code, origin)
            }
            evcxr::Error::SubprocessTerminated(status) => {
                let interrupted = self.shared.interrupted.swap(false, Ordering::SeqCst);
                let reason = outcome::death_reason(
                    interrupted,
                    &cell.stderr_tail,
                    &status,
                    self.config.memory_limit_mb,
                );
                outcome::runtime_died(&reason, self.log.len())
            }
            evcxr::Error::TypeRedefinedVariablesLost(vars) => outcome::error(
                "VariablesLost",
                &format!(
                    "redefining a type lost these variables: {}",
                    vars.join(", ")
                ),
                vec![format!(
                    "A type was redefined, so these variables (of the old type) were dropped: {}",
                    vars.join(", ")
                )],
            ),
            evcxr::Error::Message(m) => {
                outcome::error("Error", &m, m.lines().map(str::to_string).collect())
            }
        }
    }

    /// `?Cloud`: the documentation of a name, in the pager (as IPython does).
    fn page_doc(&mut self, code: &str) -> CellEnd {
        let name = doc_request(code).unwrap_or_default();
        let reply = self.inspect(name, name.chars().count());
        if !reply.found {
            let text = format!("no documentation found for `{name}`");
            return CellEnd::Err(outcome::error("NotFound", &text, vec![text.clone()]));
        }
        CellEnd::Ok {
            data: None,
            payload: vec![Payload::Page {
                data: reply.data,
                start: 0,
            }],
        }
    }

    // ---- course magics ----------------------------------------------------

    fn magic(&mut self, magic: Magic, request: &JupyterMessage) -> CellEnd {
        let result = match magic {
            Magic::Help => Ok(self.help()),
            Magic::Reset => self.reset(),
            Magic::Replay => self.replay(request),
            Magic::Exercise(id) => return self.exercise(&id, request),
            Magic::Hint(id) => self.hint(&id),
            Magic::Check(id) => self.check(id),
            Magic::Endpoint => self.endpoint(),
        };
        let _ = self.flush();
        match result {
            Ok(media) => {
                self.display(request, media);
                CellEnd::Ok {
                    data: None,
                    payload: Vec::new(),
                }
            }
            Err(e) => CellEnd::Err(e),
        }
    }

    fn display(&self, request: &JupyterMessage, media: Media) {
        let _ = self
            .iopub
            .send(DisplayData::new(media).as_child_of(request));
    }

    fn help(&mut self) -> Media {
        let mut text = String::from("Cloudlab magics:\n");
        let mut md = String::from("**Cloudlab magics**\n\n| magic | what it does |\n|-|-|\n");
        for (name, args, what) in magics::COURSE_MAGICS {
            let call = format!("{name} {args}").trim().to_string();
            text.push_str(&format!("  {call:<16} {what}\n"));
            md.push_str(&format!("| `{call}` | {what} |\n"));
        }
        let evcxr_help = self
            .ctx
            .as_mut()
            .and_then(|ctx| ctx.execute(":help").ok())
            .and_then(|o| o.get("text/plain").map(str::to_string))
            .unwrap_or_default();
        text.push_str("\nevcxr commands:\n");
        md.push_str(
            "\n**evcxr commands** (`:dep`, `:vars`, `:timing` ... work as in evcxr)\n\n```text\n",
        );
        for line in evcxr_help.lines().filter(|l| !l.starts_with(":help ")) {
            text.push_str(&format!("  {line}\n"));
            md.push_str(line);
            md.push('\n');
        }
        md.push_str("```\n");
        outcome::markdown(&text, &md)
    }

    /// Back to a fresh kernel: no variables, no definitions, the prelude
    /// (and the endpoint crate, if `:endpoint` ran) loaded.
    fn fresh_state(&mut self) -> Result<(), ErrorOutput> {
        let cleared = self.quiet(":clear");
        let mut loaded = cleared.and_then(|_| self.load_preload());
        if loaded.is_ok() && self.endpoint_loaded {
            loaded = self.load_endpoint();
        }
        loaded.map_err(|e| outcome::text_error("ResetFailed", &e))
    }

    /// `:endpoint`: the endpoint crate as a dependency, its names in scope.
    fn endpoint(&mut self) -> Result<Media, ErrorOutput> {
        self.load_endpoint()
            .map_err(|e| outcome::text_error("EndpointFailed", &e))?;
        self.endpoint_loaded = true;
        let text = "cloudlab-endpoint loaded. Share a Cloud, then serve it:\n\n\
                    let cloud = shared(Cloud::new());\n\
                    let server = cloud.serve(4566)?;   // keep `server`: dropping it stops it\n\
                    cloud.lock().unwrap().sqs().create_queue(\"orders\")?;\n\n\
                    Shell cells see the same account: \
                    !aws --endpoint-url http://localhost:4566 sqs list-queues \
                    (any access key; signatures are not checked).";
        let md = format!("```text\n{text}\n```");
        Ok(outcome::markdown(text, &md))
    }

    fn load_endpoint(&mut self) -> Result<(), String> {
        let dir = self.config.root.join("endpoint");
        if !dir.join("Cargo.toml").exists() {
            return Err(format!("no endpoint crate at {}", dir.display()));
        }
        self.quiet(&preload::endpoint_code(&dir))
    }

    fn reset(&mut self) -> Result<Media, ErrorOutput> {
        self.fresh_state()?;
        self.log.clear();
        let text = "Fresh start: every variable and definition is gone (your Cloud too); the \
                    sandbox prelude is loaded. Start again with `let mut cloud = Cloud::new();`.";
        Ok(outcome::markdown(text, text))
    }

    fn replay(&mut self, request: &JupyterMessage) -> Result<Media, ErrorOutput> {
        let cells = self.log.clone();
        if cells.is_empty() {
            let text = "Nothing to replay: no cell has run successfully since the kernel started (or since :reset).";
            return Ok(outcome::markdown(text, text));
        }
        self.fresh_state()?;
        let started = std::time::Instant::now();
        for (i, cell) in cells.iter().enumerate() {
            if let Some(streams) = &self.streams {
                streams.begin(request, true);
            }
            if let Err(reason) = self.replay_one(cell) {
                self.log.truncate(i);
                if let Some(streams) = &self.streams {
                    streams.begin(request, false);
                }
                let evalue = format!("replay stopped at In [{}]: {reason}", cell.count);
                return Err(outcome::error(
                    "ReplayFailed",
                    &evalue,
                    vec![
                        evalue.clone(),
                        format!(
                            "The {i} cells before it were replayed; the state is as after them."
                        ),
                    ],
                ));
            }
        }
        if let Some(streams) = &self.streams {
            streams.begin(request, false);
        }
        let list: Vec<String> = cells.iter().map(|c| format!("[{}]", c.count)).collect();
        let text = format!(
            "Replayed {} cell{} (In {}) in {:.1} s: the state is back.",
            cells.len(),
            if cells.len() == 1 { "" } else { "s" },
            list.join(", "),
            started.elapsed().as_secs_f64()
        );
        Ok(outcome::markdown(&text, &text))
    }

    fn replay_one(&mut self, cell: &LoggedCell) -> Result<(), String> {
        let Some(ctx) = self.ctx.as_mut() else {
            return Err("evcxr is not running".into());
        };
        let inputs = RefCell::new(VecDeque::from(cell.inputs.clone()));
        let mut callbacks = EvalCallbacks {
            input_reader: &|_| inputs.borrow_mut().pop_front().unwrap_or_default(),
        };
        self.shared.executing.store(true, Ordering::SeqCst);
        let result = ctx.execute_with_callbacks(&cell.code, &mut callbacks);
        self.shared.executing.store(false, Ordering::SeqCst);
        let out = self.flush();
        match result {
            Ok(_) => match out.panics.first() {
                Some(p) => Err(format!("it panicked: {}", p.message)),
                None => Ok(()),
            },
            Err(evcxr::Error::CompilationErrors(errors)) => Err(errors
                .first()
                .map(|e| e.message())
                .unwrap_or_else(|| "it does not compile".into())),
            Err(e) => Err(e.to_string()),
        }
    }

    fn exercise(&mut self, id: &str, request: &JupyterMessage) -> CellEnd {
        match Exercises::new(&self.config.exercises_dir).show(id) {
            Ok(shown) => {
                self.display(request, shown.media);
                CellEnd::Ok {
                    data: None,
                    payload: vec![Payload::SetNextInput {
                        text: shown.starter,
                        replace: false,
                    }],
                }
            }
            Err(e) => CellEnd::Err(e),
        }
    }

    fn check(&mut self, id: Option<String>) -> Result<Media, ErrorOutput> {
        let Some(id) = id.or_else(|| self.last_solution.clone()) else {
            let text = "No solution cell yet: run the cell that starts with `// exercise: <id>` \
                        (`:exercise <id>` puts one below), then :check.";
            return Err(outcome::error("NoSolution", text, vec![text.into()]));
        };
        let Some(source) = self.solutions.get(&id).cloned() else {
            let text = format!(
                "No solution cell for `{id}` yet: run the cell that starts with \
                 `// exercise: {id}` (`:exercise {id}` puts one below), then :check {id}."
            );
            return Err(outcome::error("NoSolution", &text, vec![text.clone()]));
        };
        Exercises::new(&self.config.exercises_dir).check(&id, &source)
    }

    /// Remembers a solution cell for `:check`.
    fn note_solution(&mut self, code: &str) {
        let first = code.lines().map(str::trim).find(|l| !l.is_empty());
        if let Some(id) = first.and_then(cloudlab_grader::submission::marker_id) {
            self.solutions.insert(id.to_string(), code.to_string());
            self.last_solution = Some(id.to_string());
        }
    }

    fn hint(&mut self, id: &str) -> Result<Media, ErrorOutput> {
        let shown = self.hints_shown.entry(id.to_string()).or_insert(0);
        let (media, next) = Exercises::new(&self.config.exercises_dir).hint(id, *shown)?;
        *shown = next;
        Ok(media)
    }

    // ---- completion and inspection -------------------------------------------

    fn complete(&mut self, code: &str, cursor: usize) -> CompleteReply {
        let pos = char_to_byte(code, cursor);
        let mut reply = CompleteReply {
            cursor_start: cursor,
            cursor_end: cursor,
            ..CompleteReply::default()
        };
        if let Some(ctx) = self.ctx.as_mut()
            && let Ok(c) = ctx.completions(code, pos)
        {
            reply.cursor_start = byte_to_char(code, c.start_offset);
            reply.cursor_end = byte_to_char(code, c.end_offset);
            reply.matches = c.completions.into_iter().map(|c| c.code).collect();
        }
        if let Some((start, extra)) = magic_completions(code, pos, &self.config.exercises_dir) {
            reply.cursor_start = byte_to_char(code, start);
            reply.cursor_end = cursor;
            reply.matches.extend(extra);
            reply.matches.sort();
            reply.matches.dedup();
        }
        reply
    }

    fn inspect(&mut self, code: &str, cursor: usize) -> InspectReply {
        let mut pos = char_to_byte(code, cursor);
        // Inspect the whole word under the cursor.
        pos += code[pos..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(code.len() - pos);
        let hover = self
            .ctx
            .as_mut()
            .and_then(|ctx| ctx.hover_at(code, pos).ok());
        match hover {
            Some((plain, html))
                if !plain.trim().is_empty() && plain != "No documentation found" =>
            {
                let map = serde_json::json!({ "text/plain": plain, "text/html": html });
                InspectReply {
                    found: true,
                    data: serde_json::from_value(map).unwrap_or_default(),
                    ..InspectReply::default()
                }
            }
            _ => InspectReply::default(),
        }
    }
}

/// Completions for `:magic` names and exercise ids: (start byte, matches).
fn magic_completions(
    code: &str,
    pos: usize,
    exercises: &std::path::Path,
) -> Option<(usize, Vec<String>)> {
    let line_start = code[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = &code[line_start..pos];
    if !line.starts_with(':') {
        return None;
    }
    match line.split_once(' ') {
        None => {
            let names = magics::COURSE_MAGICS
                .iter()
                .map(|(n, _, _)| n.to_string())
                .filter(|n| n.starts_with(line))
                .collect();
            Some((line_start, names))
        }
        Some((":exercise" | ":hint", prefix)) if !prefix.contains(' ') => {
            let ids = Exercises::new(exercises)
                .ids()
                .into_iter()
                .filter(|id| id.starts_with(prefix))
                .collect();
            Some((pos - prefix.len(), ids))
        }
        Some(_) => None,
    }
}

/// `?path::to::Name` alone in a cell: the name to document.
fn doc_request(code: &str) -> Option<&str> {
    let name = code.trim().strip_prefix('?')?.trim();
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '.');
    ok.then_some(name)
}

/// Byte offset of character `chars` in `s` (clamped to the end).
pub(crate) fn char_to_byte(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

/// Character offset of byte `byte` in `s`.
pub(crate) fn byte_to_char(s: &str, byte: usize) -> usize {
    s.get(..byte.min(s.len())).map_or(0, |p| p.chars().count())
}

/// A clear message for the common reasons evcxr cannot start.
fn explain_start_error(e: &str) -> String {
    if e.contains("cargo") || e.contains("rustc") {
        format!(
            "{e}\nIs the Rust toolchain installed and on PATH? Cloudlab needs rustc and cargo 1.95 \
             (https://rustup.rs)."
        )
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_convert_between_chars_and_bytes() {
        let s = "let é = 1;";
        assert_eq!(char_to_byte(s, 4), 4);
        assert_eq!(char_to_byte(s, 5), 6);
        assert_eq!(byte_to_char(s, 6), 5);
        assert_eq!(char_to_byte(s, 100), s.len());
    }

    #[test]
    fn doc_requests() {
        assert_eq!(doc_request("?Cloud"), Some("Cloud"));
        assert_eq!(doc_request(" ? std::vec::Vec "), Some("std::vec::Vec"));
        assert_eq!(doc_request("got?"), None);
        assert_eq!(doc_request("?"), None);
        assert_eq!(doc_request("?a + b"), None);
    }

    #[test]
    fn magic_names_complete() {
        let (start, names) = magic_completions(":ex", 3, std::path::Path::new("/none")).unwrap();
        assert_eq!(start, 0);
        assert_eq!(names, vec![":exercise".to_string()]);
        assert!(magic_completions("let x", 5, std::path::Path::new("/none")).is_none());
    }
}

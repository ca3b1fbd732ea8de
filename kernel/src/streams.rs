//! Forwards what cells print (evcxr's stdout and stderr channels) to iopub as
//! `stream` messages, in order, and picks the panic reports out of stdout.
//!
//! One thread reads both channels and the worker's requests, so a flush
//! (asked for when a cell ends) sees every line the cell printed before the
//! kernel sends the cell's result and goes idle.

use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, select};
use jupyter_protocol::{DisplayData, JupyterMessage, StreamContent};
use tokio::sync::mpsc::UnboundedSender;

use crate::preload::{PANIC_BEGIN, PANIC_END};
use crate::runtime::{DISPLAY_BEGIN, DISPLAY_END};

/// How long stderr must stay quiet before a flush completes: the runtime's
/// stderr pipe is read by another thread, so lines written just before the
/// cell ended may still be on their way.
const STDERR_SETTLE: Duration = Duration::from_millis(15);
/// Bytes of stderr kept per cell, to explain why the runtime died.
const STDERR_TAIL: usize = 4096;

/// A panic reported by the preloaded hook.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PanicReport {
    /// The panicking thread (`main` for the cell itself).
    pub thread: String,
    /// The panic message.
    pub message: String,
    /// `file:line:col`, when known.
    pub location: String,
}

/// What the forwarder saw during one cell.
#[derive(Debug, Default)]
pub(crate) struct CellOutput {
    /// Panics, in order.
    pub panics: Vec<PanicReport>,
    /// The end of what the cell wrote to stderr.
    pub stderr_tail: String,
    /// Rich displays after which nothing else was printed: the cell's value,
    /// when it ended with one (not sent yet; mime type and content).
    pub final_displays: Vec<(String, String)>,
    /// How many displays were sent as `display_data`.
    pub displays_sent: usize,
}

enum Request {
    /// Attribute output to this request; drop it when `muted`.
    Begin {
        parent: Box<JupyterMessage>,
        muted: bool,
    },
    /// Send everything seen so far, then answer.
    Flush(Sender<CellOutput>),
}

/// The worker's handle on the forwarder thread.
pub(crate) struct Streams {
    requests: Sender<Request>,
}

impl Streams {
    /// Starts the forwarder for evcxr's output channels.
    pub fn spawn(
        stdout: Receiver<String>,
        stderr: Receiver<String>,
        iopub: UnboundedSender<JupyterMessage>,
    ) -> Streams {
        let (requests, rx) = crossbeam_channel::unbounded();
        let mut fwd = Forwarder {
            iopub,
            parent: None,
            muted: false,
            pending_panic: None,
            display: None,
            cell: CellOutput::default(),
        };
        std::thread::Builder::new()
            .name("cloudlab-streams".into())
            .spawn(move || fwd.run(&stdout, &stderr, &rx))
            .expect("spawning the stream forwarder thread");
        Streams { requests }
    }

    /// Output from now on belongs to `parent` (and is dropped when `muted`).
    pub fn begin(&self, parent: &JupyterMessage, muted: bool) {
        let _ = self.requests.send(Request::Begin {
            parent: Box::new(parent.clone()),
            muted,
        });
    }

    /// Waits until every line printed so far has been sent; returns the panics
    /// and stderr tail seen since the last flush.
    pub fn flush(&self) -> CellOutput {
        let (tx, rx) = crossbeam_channel::bounded(1);
        if self.requests.send(Request::Flush(tx)).is_err() {
            return CellOutput::default();
        }
        rx.recv().unwrap_or_default()
    }
}

struct Forwarder {
    iopub: UnboundedSender<JupyterMessage>,
    parent: Option<JupyterMessage>,
    muted: bool,
    /// A panic report being read: header seen, message lines so far.
    pending_panic: Option<PanicReport>,
    /// A display copy being read: mime type and content so far.
    display: Option<(String, String)>,
    cell: CellOutput,
}

impl Forwarder {
    fn run(
        &mut self,
        stdout: &Receiver<String>,
        stderr: &Receiver<String>,
        rx: &Receiver<Request>,
    ) {
        loop {
            select! {
                recv(stdout) -> line => match line {
                    Ok(line) => self.stdout_lines(line, stdout),
                    Err(_) => return,
                },
                recv(stderr) -> line => match line {
                    Ok(line) => {
                        // What the cell printed to stdout first usually came first.
                        while let Ok(out) = stdout.try_recv() {
                            self.stdout_lines(out, stdout);
                        }
                        self.stderr_lines(line, stderr)
                    }
                    Err(_) => return,
                },
                recv(rx) -> req => match req {
                    Ok(Request::Begin { parent, muted }) => {
                        self.parent = Some(*parent);
                        self.muted = muted;
                    }
                    Ok(Request::Flush(done)) => {
                        self.flush(stdout, stderr);
                        let _ = done.send(std::mem::take(&mut self.cell));
                    }
                    Err(_) => return,
                },
            }
        }
    }

    fn flush(&mut self, stdout: &Receiver<String>, stderr: &Receiver<String>) {
        while let Ok(line) = stdout.try_recv() {
            self.stdout_lines(line, stdout);
        }
        while let Ok(line) = stderr.recv_timeout(STDERR_SETTLE) {
            self.stderr_lines(line, stderr);
        }
        if let Some(p) = self.pending_panic.take() {
            self.cell.panics.push(p);
        }
        if let Some(d) = self.display.take() {
            self.cell.final_displays.push(d);
        }
    }

    /// Handles `first` and any lines already waiting, as one stream message.
    fn stdout_lines(&mut self, first: String, stdout: &Receiver<String>) {
        let mut text = String::new();
        let mut line = Some(first);
        while let Some(l) = line {
            if let Some(shown) = self.special_line(l, &mut text) {
                self.send_displays();
                text.push_str(&shown);
                text.push('\n');
            }
            line = if text.len() < 64 * 1024 {
                stdout.try_recv().ok()
            } else {
                None
            };
        }
        self.send(StreamContent::stdout(&text));
    }

    /// Consumes display copies and panic reports; returns ordinary output.
    fn special_line(&mut self, line: String, text: &mut String) -> Option<String> {
        if let Some((_, content)) = self.display.as_mut() {
            if line == DISPLAY_END {
                // Output printed before the display goes first; an earlier
                // display was not the last thing in the cell, so it shows now.
                self.send(StreamContent::stdout(&std::mem::take(text)));
                self.send_displays();
                if let Some(done) = self.display.take() {
                    self.cell.final_displays.push(done);
                }
            } else {
                if !content.is_empty() {
                    content.push('\n');
                }
                content.push_str(&line);
            }
            return None;
        }
        if let Some(mime) = line
            .strip_prefix(DISPLAY_BEGIN)
            .filter(|m| m.starts_with(' '))
        {
            self.display = Some((mime.trim().to_string(), String::new()));
            return None;
        }
        self.panic_line(line)
    }

    /// Sends the held displays as `display_data`.
    fn send_displays(&mut self) {
        for (mime, content) in std::mem::take(&mut self.cell.final_displays) {
            let mut map = std::collections::HashMap::new();
            map.insert(mime, content);
            if let (Some(media), Some(parent), false) =
                (crate::outcome::media(&map), &self.parent, self.muted)
            {
                let _ = self.iopub.send(DisplayData::new(media).as_child_of(parent));
            }
            self.cell.displays_sent += 1;
        }
    }

    fn stderr_lines(&mut self, first: String, stderr: &Receiver<String>) {
        self.send_displays();
        let mut text = first;
        text.push('\n');
        while text.len() < 64 * 1024 {
            match stderr.try_recv() {
                Ok(l) => {
                    text.push_str(&l);
                    text.push('\n');
                }
                Err(_) => break,
            }
        }
        let tail = &mut self.cell.stderr_tail;
        tail.push_str(&text);
        if tail.len() > STDERR_TAIL {
            let mut cut = tail.len() - STDERR_TAIL;
            while !tail.is_char_boundary(cut) {
                cut += 1;
            }
            tail.drain(..cut);
        }
        self.send(StreamContent::stderr(&text));
    }

    /// Consumes panic-report lines; returns the line when it is ordinary output.
    fn panic_line(&mut self, line: String) -> Option<String> {
        if let Some(thread) = line.strip_prefix(PANIC_BEGIN) {
            self.pending_panic = Some(PanicReport {
                thread: thread.trim().to_string(),
                ..PanicReport::default()
            });
            return None;
        }
        let Some(report) = self.pending_panic.as_mut() else {
            return Some(line);
        };
        if let Some(at) = line.strip_prefix(PANIC_END) {
            report.location = at.trim().to_string();
            let done = self.pending_panic.take().unwrap_or_default();
            self.cell.panics.push(done);
        } else {
            if !report.message.is_empty() {
                report.message.push('\n');
            }
            report.message.push_str(&line);
        }
        None
    }

    fn send(&self, content: StreamContent) {
        if content.text.is_empty() || self.muted {
            return;
        }
        if let Some(parent) = &self.parent {
            let _ = self.iopub.send(content.as_child_of(parent));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::{ExecuteRequest, JupyterMessageContent};

    fn setup() -> (
        Streams,
        Sender<String>,
        Sender<String>,
        tokio::sync::mpsc::UnboundedReceiver<JupyterMessage>,
        JupyterMessage,
    ) {
        let (out_tx, out_rx) = crossbeam_channel::unbounded();
        let (err_tx, err_rx) = crossbeam_channel::unbounded();
        let (iopub_tx, iopub_rx) = tokio::sync::mpsc::unbounded_channel();
        let streams = Streams::spawn(out_rx, err_rx, iopub_tx);
        let parent: JupyterMessage = ExecuteRequest::new("x".into()).into();
        streams.begin(&parent, false);
        streams.flush(); // the forwarder has taken the parent
        (streams, out_tx, err_tx, iopub_rx, parent)
    }

    fn texts(rx: &mut tokio::sync::mpsc::UnboundedReceiver<JupyterMessage>) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(m) = rx.try_recv() {
            if let JupyterMessageContent::StreamContent(s) = m.content {
                out.push(format!("{:?}:{}", s.name, s.text));
            }
        }
        out
    }

    #[test]
    fn lines_arrive_before_the_flush_returns() {
        let (streams, out, err, mut rx, parent) = setup();
        out.send("hello".into()).unwrap();
        out.send("world".into()).unwrap();
        err.send("oops".into()).unwrap();
        let cell = streams.flush();
        assert!(cell.panics.is_empty());
        assert_eq!(cell.stderr_tail, "oops\n");
        let all = texts(&mut rx).concat();
        assert!(all.contains("hello\n"), "{all}");
        assert!(all.contains("world\n"), "{all}");
        assert!(all.contains("Stderr:oops\n"), "{all}");
        drop(parent);
    }

    #[test]
    fn panic_reports_are_taken_out_of_stdout() {
        let (streams, out, _err, mut rx, _parent) = setup();
        out.send("before".into()).unwrap();
        out.send(format!("{PANIC_BEGIN} main")).unwrap();
        out.send("index out of bounds".into()).unwrap();
        out.send("second line".into()).unwrap();
        out.send(format!("{PANIC_END} src/lib.rs:3:5")).unwrap();
        let cell = streams.flush();
        assert_eq!(
            cell.panics,
            vec![PanicReport {
                thread: "main".into(),
                message: "index out of bounds\nsecond line".into(),
                location: "src/lib.rs:3:5".into(),
            }]
        );
        assert_eq!(texts(&mut rx), vec!["Stdout:before\n".to_string()]);
        assert!(streams.flush().panics.is_empty(), "reports go to one cell");
    }

    fn kinds(rx: &mut tokio::sync::mpsc::UnboundedReceiver<JupyterMessage>) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(m) = rx.try_recv() {
            out.push(m.message_type().to_string());
        }
        out
    }

    fn display(out: &Sender<String>, html: &str) {
        out.send(format!("{DISPLAY_BEGIN} text/html")).unwrap();
        out.send(html.into()).unwrap();
        out.send(DISPLAY_END.into()).unwrap();
    }

    #[test]
    fn displays_show_in_order_and_the_last_is_held() {
        let (streams, out, _err, mut rx, _parent) = setup();
        out.send("a".into()).unwrap();
        display(&out, "<b>1</b>");
        out.send("b".into()).unwrap();
        display(&out, "<b>2</b>");
        display(&out, "<b>3</b>");
        let cell = streams.flush();
        assert_eq!(
            kinds(&mut rx),
            vec!["stream", "display_data", "stream", "display_data"]
        );
        assert_eq!(
            cell.final_displays,
            vec![("text/html".to_string(), "<b>3</b>".to_string())]
        );
    }

    #[test]
    fn muted_cells_print_nothing() {
        let (streams, out, _err, mut rx, parent) = setup();
        streams.begin(&parent, true);
        streams.flush();
        out.send("quiet".into()).unwrap();
        streams.flush();
        assert!(texts(&mut rx).is_empty());
    }
}

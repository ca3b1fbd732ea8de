//! The stdin channel: when a cell reads input (`evcxr_input::get_string`),
//! the worker asks the front end with an `input_request` and waits.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use jupyter_protocol::{JupyterMessage, JupyterMessageContent};
use jupyter_zmq_client::KernelStdinConnection;
use tokio::sync::{Notify, mpsc, oneshot};

/// One question for the front end.
pub(crate) struct Ask {
    request: JupyterMessage,
    reply: oneshot::Sender<String>,
}

/// The worker's side: ask and wait (blocking), or give up on interrupt.
#[derive(Clone)]
pub(crate) struct StdinBridge {
    tx: mpsc::UnboundedSender<Ask>,
    cancel: Arc<Notify>,
    waiting: Arc<AtomicBool>,
}

impl StdinBridge {
    /// A bridge and the receiving end for [`serve`].
    pub fn new() -> (StdinBridge, mpsc::UnboundedReceiver<Ask>, Arc<Notify>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let cancel = Arc::new(Notify::new());
        let bridge = StdinBridge {
            tx,
            cancel: Arc::clone(&cancel),
            waiting: Arc::new(AtomicBool::new(false)),
        };
        (bridge, rx, cancel)
    }

    /// Sends `request` (an `input_request`) and blocks until the answer; an
    /// empty string if the front end goes away or the cell is interrupted.
    pub fn ask(&self, request: JupyterMessage) -> String {
        let (reply, rx) = oneshot::channel();
        self.waiting.store(true, Ordering::SeqCst);
        let value = if self.tx.send(Ask { request, reply }).is_ok() {
            rx.blocking_recv().unwrap_or_default()
        } else {
            String::new()
        };
        self.waiting.store(false, Ordering::SeqCst);
        value
    }

    /// Stops waiting for input (the cell is being interrupted).
    pub fn cancel(&self) {
        if self.waiting.load(Ordering::SeqCst) {
            self.cancel.notify_one();
        }
    }
}

/// Serves the stdin channel: one question at a time.
pub(crate) async fn serve(
    mut conn: KernelStdinConnection,
    mut asks: mpsc::UnboundedReceiver<Ask>,
    cancel: Arc<Notify>,
) {
    while let Some(ask) = asks.recv().await {
        if conn.send(ask.request).await.is_err() {
            let _ = ask.reply.send(String::new());
            continue;
        }
        let value = tokio::select! {
            answer = read_reply(&mut conn) => answer,
            _ = cancel.notified() => String::new(),
        };
        let _ = ask.reply.send(value);
    }
}

async fn read_reply(conn: &mut KernelStdinConnection) -> String {
    loop {
        match conn.read().await {
            Ok(msg) => {
                if let JupyterMessageContent::InputReply(reply) = msg.content {
                    return reply.value;
                }
            }
            Err(_) => return String::new(),
        }
    }
}

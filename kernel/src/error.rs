//! Errors of the kernel library.

use std::path::PathBuf;

/// What can stop the kernel from starting, installing or talking to a client.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// The connection file could not be read.
    #[error("cannot read connection file {}: {source}", path.display())]
    ConnectionFileRead {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The connection file is not the JSON Jupyter writes.
    #[error("connection file {} is not a Jupyter connection file: {source}", path.display())]
    ConnectionFileParse {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The connection file asks for something this kernel cannot do.
    #[error("connection file {}: {message}", path.display())]
    ConnectionFileUnusable {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A socket could not be bound or connected.
    #[error("cannot open the {channel} channel at {url}: {source}")]
    Socket {
        /// Which channel.
        channel: &'static str,
        /// Its address.
        url: String,
        /// Why.
        source: jupyter_zmq_client::RuntimeError,
    },
    /// Sending or receiving a Jupyter message failed.
    #[error("Jupyter wire protocol: {0}")]
    Wire(#[from] jupyter_zmq_client::RuntimeError),
    /// Writing or removing a kernelspec failed.
    #[error("{action} {}: {source}", path.display())]
    Install {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The build cache could not be prepared.
    #[error("build cache {}: {message}", path.display())]
    Cache {
        /// The cache folder.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The kernel started but could not run Rust (no toolchain, sandbox does not build, ...).
    #[error("the Rust runtime could not start: {0}")]
    Runtime(String),
    /// A client request timed out or the kernel went away.
    #[error("kernel client: {0}")]
    Client(String),
    /// Any other I/O failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

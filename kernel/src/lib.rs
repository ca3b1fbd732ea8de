//! # cloudlab-kernel: the Cloudlab Jupyter kernel
//!
//! A Jupyter kernel for Rust built on [`evcxr`], speaking the wire protocol
//! through `jupyter-zmq-client` and `jupyter-protocol`. The sandbox (crate
//! `cloudlab`) is preloaded, so the first cell can say `Cloud::new()`.
//!
//! - [`run`] serves one kernel for a connection file (`cloudlab kernel run`);
//! - [`install`] writes the kernelspec and warms the build cache;
//! - [`spare`] keeps a warm kernel waiting, so the next start is quick;
//! - [`bench`] measures it against plain evcxr (`cloudlab bench kernel`);
//! - [`client`] is a small blocking client (start a kernel, run cells,
//!   collect outputs) for the benchmark and the course builder;
//! - [`magics`], [`is_complete`] and [`diagnostics`] are the pure parts:
//!   course magics, `is_complete`, and compile errors as tracebacks.
//!
//! How a cell runs: the shell task hands it to the worker thread that owns
//! evcxr; evcxr compiles it against the sandbox and runs it in a child
//! process (this same binary, taken over by [`runtime_hook`]). Output lines
//! are forwarded to iopub by the stream thread. If the child dies (abort,
//! stack overflow, out of memory, interrupt), evcxr restarts it and the
//! kernel offers `:replay`, which re-runs the successful cells: the sandbox
//! is deterministic, so the state comes back the same.

pub mod bench;
pub mod client;
pub mod config;
mod connection;
pub mod diagnostics;
mod error;
mod exercises;
pub mod install;
pub mod is_complete;
pub mod magics;
mod outcome;
mod pool;
mod preload;
mod runtime;
mod server;
pub mod spare;
mod stdin;
mod streams;
mod worker;

pub use config::KernelConfig;
pub use connection::read_connection_file;
pub use error::KernelError;
pub use runtime::runtime_hook;
pub use server::run;

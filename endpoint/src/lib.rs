//! # An AWS-compatible HTTP endpoint for the simulated cloud
//!
//! `cloudlab-endpoint` puts one [`cloudlab::Cloud`] (one simulated account)
//! behind HTTP the way AWS serves its APIs, so the AWS CLI, boto3 and the
//! other SDKs work against the sandbox with dummy credentials:
//!
//! ```text
//! cloudlab sandbox serve --port 4566
//! aws --endpoint-url http://127.0.0.1:4566 sqs create-queue --queue-name orders
//! ```
//!
//! **Signatures are accepted without checking.** Any access key and secret
//! work; the `Authorization` header is read only to learn which service a
//! request is for. Never expose this server beyond your own machine.
//!
//! Protocols, by how a request is recognised ([`route`]):
//!
//! | request | service | module |
//! |-|-|-|
//! | `X-Amz-Target: AmazonSQS.<Op>` (JSON 1.0) | SQS | [`json_protocol`] |
//! | `X-Amz-Target: AWSStepFunctions.<Op>` (JSON 1.0) | Step Functions | [`json_protocol`] |
//! | `X-Amz-Target: AWSEvents.<Op>` (JSON 1.1) | EventBridge | [`json_protocol`] |
//! | `X-Amz-Target: Kinesis_20131202.<Op>` (JSON 1.1) | Kinesis | [`json_protocol`] |
//! | `X-Amz-Target: Firehose_20150804.<Op>` (JSON 1.1) | Firehose | [`json_protocol`] |
//! | form body `Action=...`, credential scope `sns` | SNS | [`query`] |
//! | form body `Action=...`, credential scope `sqs` | SQS (legacy query) | [`query`] |
//! | `/service/GraniteServiceVersion20100801/operation/<Op>` (Smithy RPC v2 CBOR) | CloudWatch | [`cbor`] |
//! | `/2015-03-31/functions...` | Lambda (REST-JSON) | [`lambda_rest`] |
//! | credential scope `s3`, or anything else | S3 (REST-XML) | [`s3`] |
//! | `/_cloudlab/...` | the sandbox's own controls | [`control`] |
//!
//! Virtual time moves only when asked: `POST /_cloudlab/advance` with
//! `{"seconds": N}`, or with the wall clock in `--realtime` mode
//! ([`Options::realtime`]).
//!
//! From Rust (a notebook, a test):
//!
//! ```no_run
//! use cloudlab_endpoint::{ServeExt, shared};
//! let cloud = shared(cloudlab::Cloud::new());
//! let server = cloud.serve(4566).expect("port 4566 is free");
//! println!("listening on {}", server.url());
//! // cells keep using the same account through the lock:
//! cloud.lock().unwrap().sqs().create_queue("orders").unwrap();
//! ```

pub mod bench;
pub mod cbor;
pub mod control;
pub mod json_protocol;
pub mod lambda_rest;
pub mod query;
pub mod route;
pub mod s3;
pub mod xml;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use cloudlab::Cloud;

/// One simulated account shared between the server and its owner.
pub type SharedCloud = Arc<Mutex<Cloud>>;

/// Wraps a `Cloud` so a server and your own code can both use it.
pub fn shared(cloud: Cloud) -> SharedCloud {
    Arc::new(Mutex::new(cloud))
}

/// Locks the account, recovering it if an earlier request panicked while
/// holding the lock (the sandbox's state is still consistent between calls).
pub fn lock(cloud: &SharedCloud) -> MutexGuard<'_, Cloud> {
    cloud.lock().unwrap_or_else(|e| e.into_inner())
}

/// Errors starting a server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound (port in use, bad host).
    #[error("cannot listen on {addr}: {reason}")]
    Bind {
        /// What we tried to bind.
        addr: String,
        /// Why it failed (in the message, so not also a `source`).
        reason: std::io::Error,
    },
    /// Any other I/O failure of the server.
    #[error("endpoint I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// How a server runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Advance virtual time with the wall clock (every 100 ms), as well as by
    /// `POST /_cloudlab/advance`.
    pub realtime: bool,
}

/// One HTTP request, as the protocol modules see it.
#[derive(Clone, Debug)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: Method,
    /// The path and query.
    pub uri: Uri,
    /// All headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Request {
    /// A header's value as text (empty when absent or not text).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// One HTTP response.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a body and a content type.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The first value of a header (case-insensitive), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl IntoResponse for Response {
    fn into_response(self) -> axum::response::Response {
        let mut r = axum::response::Response::new(axum::body::Body::from(self.body));
        *r.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        for (n, v) in self.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_str(&v),
            ) {
                r.headers_mut().append(n, v);
            }
        }
        r
    }
}

/// Answers one request against `cloud`: routes it ([`route::route`]) and runs
/// it through the matching protocol. Never panics: a panic inside the
/// sandbox becomes a 500 `InternalFailure` in the protocol's error shape.
pub fn handle(cloud: &SharedCloud, req: &Request) -> Response {
    let route = route::route(req);
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        route::dispatch(cloud, &route, req)
    }));
    match run {
        Ok(resp) => resp,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            route::internal_error(&route, &format!("The sandbox failed: {what}"))
        }
    }
}

fn router(cloud: SharedCloud) -> axum::Router {
    axum::Router::new()
        .fallback(
            |axum::extract::State(cloud): axum::extract::State<SharedCloud>,
             method: Method,
             uri: Uri,
             headers: HeaderMap,
             body: Bytes| async move {
                let req = Request {
                    method,
                    uri,
                    headers,
                    body,
                };
                handle(&cloud, &req)
            },
        )
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(cloud)
}

/// Serves `cloud` on an already bound listener until the future is dropped.
pub async fn serve_listener(
    cloud: SharedCloud,
    listener: tokio::net::TcpListener,
    options: Options,
) -> Result<(), ServeError> {
    if options.realtime {
        tokio::spawn(realtime_clock(cloud.clone()));
    }
    axum::serve(listener, router(cloud)).await?;
    Ok(())
}

/// Binds `addr` and serves `cloud` on it (until the future is dropped).
pub async fn serve(cloud: SharedCloud, addr: &str, options: Options) -> Result<(), ServeError> {
    let listener = bind(addr).await?;
    serve_listener(cloud, listener, options).await
}

/// Binds a TCP listener, naming the address in the error.
pub async fn bind(addr: &str) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|reason| ServeError::Bind {
            addr: addr.to_string(),
            reason,
        })
}

/// Moves virtual time with the wall clock: every 100 ms, by the time that passed.
async fn realtime_clock(cloud: SharedCloud) {
    let mut last = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tick.tick().await;
        let now = Instant::now();
        let d = now - last;
        last = now;
        lock(&cloud).advance(d);
    }
}

/// A server running on its own thread; dropping it stops the server.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// The bound address (with the real port when you asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, for `endpoint_url` / `--endpoint-url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts a server for `cloud` on `127.0.0.1:port` (0 picks a free port) on a
/// background thread with its own tokio runtime, and returns once it listens.
pub fn serve_in_background(
    cloud: SharedCloud,
    port: u16,
    options: Options,
) -> Result<Server, ServeError> {
    serve_in_background_on(cloud, &format!("127.0.0.1:{port}"), options)
}

/// [`serve_in_background`] on any address (`host:port`).
pub fn serve_in_background_on(
    cloud: SharedCloud,
    addr: &str,
    options: Options,
) -> Result<Server, ServeError> {
    let std_listener = std::net::TcpListener::bind(addr).map_err(|reason| ServeError::Bind {
        addr: addr.to_string(),
        reason,
    })?;
    std_listener.set_nonblocking(true)?;
    let bound = std_listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let thread = std::thread::Builder::new()
        .name(format!("cloudlab-endpoint-{}", bound.port()))
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                    return;
                };
                if options.realtime {
                    tokio::spawn(realtime_clock(cloud.clone()));
                }
                let _ = axum::serve(listener, router(cloud))
                    .with_graceful_shutdown(async {
                        let _ = stop_rx.await;
                    })
                    .await;
            });
        })?;
    Ok(Server {
        addr: bound,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

/// Same as [`serve_in_background`] with default options: the name a notebook reads.
pub fn serve_shared(cloud: SharedCloud, port: u16) -> Result<Server, ServeError> {
    serve_in_background(cloud, port, Options::default())
}

/// `cloud.serve(4566)` on a shared account.
///
/// A notebook's `let mut cloud = Cloud::new();` is owned by the notebook and
/// cannot be lent to a server thread, so serve a [`SharedCloud`]:
/// `let cloud = cloudlab_endpoint::shared(Cloud::new()); let server = cloud.serve(4566)?;`
/// and use `cloud.lock().unwrap()` in later cells. Keep `server` alive: dropping it stops it.
pub trait ServeExt {
    /// Serves this account on `127.0.0.1:port` in the background (0 = a free port).
    fn serve(&self, port: u16) -> Result<Server, ServeError>;
}

impl ServeExt for SharedCloud {
    fn serve(&self, port: u16) -> Result<Server, ServeError> {
        serve_shared(self.clone(), port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn serves_a_shared_cloud_over_tcp() {
        let cloud = shared(Cloud::new());
        let server = cloud.serve(0).expect("a free port");
        cloud.lock().unwrap().sqs().create_queue("seen").unwrap();
        let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
        let body = r#"{}"#;
        write!(
            s,
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
        assert!(out.contains("/123456789012/seen"), "{out}");
        server.stop();
    }
}

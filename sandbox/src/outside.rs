//! The world outside the account that SNS delivers to: simulated HTTP(S)
//! endpoints (a closure that answers with a status code, and a recorder of
//! every request), e-mail inboxes and phones.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::render::{Table, section};
use crate::time::SimTime;

/// A request an HTTP endpoint received.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HttpRequest {
    /// When it arrived.
    pub at: SimTime,
    /// `POST`.
    pub method: String,
    /// The endpoint URL.
    pub url: String,
    /// Headers (`x-amz-sns-message-type` ...).
    pub headers: BTreeMap<String, String>,
    /// The body.
    pub body: String,
    /// The status the endpoint answered.
    pub status: u16,
}

/// Decides the status code an endpoint answers a request with.
pub type Responder = Arc<dyn Fn(&HttpRequest) -> u16 + Send + Sync>;

#[derive(Clone)]
pub(crate) struct HttpEndpoint {
    pub responder: Responder,
    pub requests: Vec<HttpRequest>,
}

/// An e-mail or SMS that reached an inbox or phone.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Delivered {
    /// When it arrived.
    pub at: SimTime,
    /// Subject (e-mail only).
    pub subject: Option<String>,
    /// The text.
    pub body: String,
}

/// HTTP endpoints, inboxes and phones.
#[derive(Clone, Default)]
pub struct Outside {
    pub(crate) http: BTreeMap<String, HttpEndpoint>,
    pub(crate) unreachable: BTreeMap<String, Vec<HttpRequest>>,
    pub(crate) inboxes: BTreeMap<String, Vec<Delivered>>,
    pub(crate) phones: BTreeMap<String, Vec<Delivered>>,
}

impl fmt::Debug for Outside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outside")
            .field("http", &self.http.keys().collect::<Vec<_>>())
            .field("inboxes", &self.inboxes.keys().collect::<Vec<_>>())
            .field("phones", &self.phones.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Outside {
    /// Delivers an HTTP request: the endpoint's status, or `None` when no
    /// endpoint listens at that URL (a connection failure).
    pub(crate) fn post(&mut self, mut req: HttpRequest) -> Option<u16> {
        match self.http.get_mut(&req.url) {
            Some(ep) => {
                let status = (ep.responder)(&req);
                req.status = status;
                ep.requests.push(req);
                Some(status)
            }
            None => {
                self.unreachable
                    .entry(req.url.clone())
                    .or_default()
                    .push(req);
                None
            }
        }
    }
}

/// Requests to an HTTP endpoint, for display.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpLog(pub Vec<HttpRequest>);

impl std::ops::Deref for HttpLog {
    type Target = [HttpRequest];
    fn deref(&self) -> &[HttpRequest] {
        &self.0
    }
}

impl HttpLog {
    /// The requests as an HTML table.
    pub fn to_html(&self) -> String {
        let mut t = Table::new(["Time", "Type", "Status", "Body"]);
        for r in &self.0 {
            t.row([
                r.at.to_rfc3339_millis(),
                r.headers
                    .get("x-amz-sns-message-type")
                    .cloned()
                    .unwrap_or_default(),
                r.status.to_string(),
                crate::render::preview(&r.body, 80),
            ]);
        }
        section("HTTP requests", &t.to_html())
    }
}

/// Messages in an inbox or on a phone, for display.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outbox(pub Vec<Delivered>);

impl std::ops::Deref for Outbox {
    type Target = [Delivered];
    fn deref(&self) -> &[Delivered] {
        &self.0
    }
}

impl Outbox {
    /// The messages as an HTML table.
    pub fn to_html(&self) -> String {
        let mut t = Table::new(["Time", "Subject", "Body"]);
        for m in &self.0 {
            t.row([
                m.at.to_rfc3339_millis(),
                m.subject.clone().unwrap_or_default(),
                crate::render::preview(&m.body, 100),
            ]);
        }
        section("Messages", &t.to_html())
    }
}

crate::display_as_html!(HttpLog, Outbox);

impl crate::Cloud {
    /// Starts a simulated HTTP(S) endpoint at `url` that answers every request
    /// with `responder(&request)` (a status code) and records it.
    ///
    /// ```
    /// use cloudlab::prelude::*;
    /// let mut cloud = Cloud::new();
    /// cloud.serve_http("https://example.com/hook", |_req| 200);
    /// assert!(cloud.http_requests("https://example.com/hook").is_empty());
    /// ```
    pub fn serve_http(
        &mut self,
        url: &str,
        responder: impl Fn(&HttpRequest) -> u16 + Send + Sync + 'static,
    ) {
        let requests = self
            .outside
            .http
            .remove(url)
            .map(|e| e.requests)
            .unwrap_or_default();
        self.outside.http.insert(
            url.to_string(),
            HttpEndpoint {
                responder: Arc::new(responder),
                requests,
            },
        );
    }

    /// Stops the endpoint at `url`: requests fail to connect from now on.
    pub fn stop_http(&mut self, url: &str) {
        if let Some(ep) = self.outside.http.remove(url) {
            self.outside
                .unreachable
                .entry(url.to_string())
                .or_default()
                .extend(ep.requests);
        }
    }

    /// Requests delivered to `url` (answered ones, and attempts that found no
    /// endpoint, with status 0).
    pub fn http_requests(&self, url: &str) -> HttpLog {
        let mut all: Vec<HttpRequest> = self
            .outside
            .http
            .get(url)
            .map(|e| e.requests.clone())
            .unwrap_or_default();
        all.extend(
            self.outside
                .unreachable
                .get(url)
                .cloned()
                .unwrap_or_default(),
        );
        all.sort_by_key(|r| r.at);
        HttpLog(all)
    }

    /// E-mails delivered to `address`.
    pub fn inbox(&self, address: &str) -> Outbox {
        Outbox(
            self.outside
                .inboxes
                .get(address)
                .cloned()
                .unwrap_or_default(),
        )
    }

    /// Text messages delivered to `phone` (E.164, `+15555550100`).
    pub fn phone(&self, phone: &str) -> Outbox {
        Outbox(self.outside.phones.get(phone).cloned().unwrap_or_default())
    }
}

//! The same load on the serverless design: an HTTP API (API Gateway) whose
//! routes invoke a Lambda function doing the same work per request, and a
//! side-by-side cost chart against a servers run.
//!
//! Unlike the servers simulation, every request here goes through the real
//! sandbox API Gateway and Lambda (one scheduled job per request, spread
//! evenly over each second), so cold starts, concurrency and throttling are
//! the sandbox's own. That costs time: keep these profiles to a few requests
//! per second for a day, or shorter windows.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::app::App;
use super::profile::Profile;
use super::report::RunReport;
use crate::apigw::{ApiRequest, HttpApi};
use crate::billing::usd;
use crate::cloud::Cloud;
use crate::cloudwatch::model::Histogram;
use crate::error::CloudResult;
use crate::lambda::Function;
use crate::render::{Table, escape, section};

/// What the serverless run did.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerlessReport {
    /// Requests sent.
    pub requests: u64,
    /// Answered 2xx.
    pub ok: u64,
    /// Throttled (429) or failed (5xx).
    pub failed: u64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Lambda cold starts.
    pub cold_starts: u64,
    /// Cost items (description, USD at list price, no free tier).
    pub items: Vec<(String, f64)>,
    /// Function memory, MB.
    pub memory_mb: u32,
}

impl ServerlessReport {
    /// Total cost, USD (list price).
    pub fn cost_usd(&self) -> f64 {
        self.items.iter().map(|i| i.1).sum()
    }
}

#[derive(Default)]
struct Tally {
    ok: u64,
    failed: u64,
    latency: Histogram,
    max: f64,
}

/// Milliseconds one request of each kind takes in a function of `memory_mb`
/// (CPU time scales down below 1,769 MB, where a function has one vCPU).
fn durations(app: &App, memory_mb: u32) -> CloudResult<Vec<f64>> {
    let slow = (1769.0 / memory_mb as f64).max(1.0);
    Ok(app
        .mix()?
        .iter()
        .map(|k| {
            k.path
                .iter()
                .map(|c| app.components[*c].cpu_ms * slow + app.components[*c].io_ms)
                .sum()
        })
        .collect())
}

/// Runs `profile` for `length` against API Gateway (HTTP API) + Lambda in a
/// fresh account with `seed`.
pub fn run_serverless(
    app: &App,
    profile: &Profile,
    length: Duration,
    memory_mb: u32,
    seed: u64,
) -> CloudResult<ServerlessReport> {
    let mix = app.mix()?;
    let work = durations(app, memory_mb)?;
    let mut cloud = Cloud::with_seed(seed);
    cloud.trace_mut().set_capacity(1_000);
    let w = work.clone();
    let f = cloud.lambda().create_function(
        &app.name,
        Function::new(move |event, ctx| {
            let path = event["rawPath"].as_str().unwrap_or("/k0");
            let k: usize = path.trim_start_matches("/k").parse().unwrap_or(0);
            let ms = w.get(k).copied().unwrap_or(0.0);
            ctx.spend(Duration::from_secs_f64(ms / 1000.0));
            Ok(serde_json::json!({"statusCode": 200, "body": "ok"}))
        })
        .memory(memory_mb)
        .timeout(Duration::from_secs(29)),
    )?;
    let mut spec = HttpApi::new(&app.name);
    for k in 0..mix.len() {
        spec = spec.route(&format!("GET /k{k}"), &f);
    }
    let api = cloud.apigw().create_http_api(spec)?;
    let tally: Arc<Mutex<Tally>> = Arc::default();
    let shares: Vec<f64> = mix.iter().map(|k| k.share).collect();
    let mut carry = vec![0.0; shares.len()];
    let mut sent = 0u64;
    for s in 0..length.as_secs() {
        let rate = profile.rate(Duration::from_secs(s));
        let mut batch = Vec::new();
        for (k, share) in shares.iter().enumerate() {
            let x = carry[k] + rate * share;
            carry[k] = x - x.floor();
            for _ in 0..x.floor() as u64 {
                batch.push(k);
            }
        }
        let n = batch.len();
        for (i, k) in batch.into_iter().enumerate() {
            let (api, tally) = (api.clone(), tally.clone());
            let at = Duration::from_secs(s) + Duration::from_secs_f64(i as f64 / n as f64);
            let at = at.saturating_sub(cloud.elapsed());
            cloud.schedule(at, "servers.compare", move |c| {
                let req = ApiRequest::new("GET", &format!("/k{k}"));
                if let Ok((resp, _)) = crate::apigw::pipeline::handle(c, &api, "$default", &req) {
                    let mut t = tally.lock().expect("no poisoning");
                    if resp.is_success() {
                        t.ok += 1;
                    } else {
                        t.failed += 1;
                    }
                    let ms = resp.latency.as_secs_f64() * 1000.0;
                    t.latency.add(ms, 1.0);
                    t.max = t.max.max(ms);
                }
            });
            sent += 1;
        }
        // Run each second as it comes, so the scheduler holds one second of jobs.
        cloud.advance_to(crate::time::SimTime::EPOCH + Duration::from_secs(s + 1));
    }
    cloud.run_until_idle();
    let cold = cloud.lambda().stats(&f)?.cold_starts;
    let bill = cloud.bill();
    let mut items: Vec<(String, f64)> = bill
        .lines
        .iter()
        .filter(|l| l.service == "apigateway" || l.service == "lambda")
        .map(|l| (format!("{}: {}", l.service, l.description), l.gross_usd()))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let t = tally.lock().expect("no poisoning");
    let pct = |p| t.latency.percentile(p, 0.0, t.max).unwrap_or(0.0);
    Ok(ServerlessReport {
        requests: sent,
        ok: t.ok,
        failed: t.failed,
        p50_ms: pct(50.0),
        p95_ms: pct(95.0),
        p99_ms: pct(99.0),
        cold_starts: cold,
        items,
        memory_mb,
    })
}

/// A servers run and a serverless run of the same load, side by side.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The servers run.
    pub servers: RunReport,
    /// The serverless run.
    pub serverless: ServerlessReport,
}

impl Comparison {
    /// Pairs two reports of the same profile.
    pub fn new(servers: RunReport, serverless: ServerlessReport) -> Comparison {
        Comparison {
            servers,
            serverless,
        }
    }

    /// Side-by-side cost bars (list prices, no free tier) as SVG.
    pub fn to_svg(&self) -> String {
        let a = self.servers.cost_usd;
        let b = self.serverless.cost_usd();
        let max = a.max(b).max(1e-9);
        let (w, h, top, base) = (420.0, 240.0, 30.0, 200.0);
        let bar = |x: f64, v: f64, colour: &str, label: &str, sub: &str| {
            let hh = (v / max) * (base - top);
            format!(
                "<rect x=\"{x}\" y=\"{:.1}\" width=\"110\" height=\"{hh:.1}\" fill=\"{colour}\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"600\">{}</text>\
<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{}</text>\
<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">{}</text>",
                base - hh,
                x + 55.0,
                base - hh - 5.0,
                escape(&usd(v)),
                x + 55.0,
                base + 16.0,
                escape(label),
                x + 55.0,
                base + 30.0,
                escape(sub)
            )
        };
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"system-ui,sans-serif\">\
<text x=\"10\" y=\"16\" font-size=\"12\" font-weight=\"600\">Cost of the same load ({} s)</text>\
<line x1=\"40\" x2=\"{}\" y1=\"{base}\" y2=\"{base}\" stroke=\"#999\"/>",
            self.servers.length_secs,
            w - 20.0
        );
        s.push_str(&bar(
            70.0,
            a,
            "#0f766e",
            "servers",
            &format!("{:.1} instance-hours", self.servers.instance_hours),
        ));
        s.push_str(&bar(
            240.0,
            b,
            "#ed7100",
            "API Gateway + Lambda",
            &format!(
                "{} MB, {} requests",
                self.serverless.memory_mb, self.serverless.requests
            ),
        ));
        s.push_str("</svg>");
        s
    }

    fn table(&self) -> Table {
        let mut t = Table::new(["", "servers", "API Gateway + Lambda"]);
        let (a, b) = (&self.servers, &self.serverless);
        t.row([
            "requests".into(),
            a.counts.arrived.to_string(),
            b.requests.to_string(),
        ]);
        t.row([
            "failed or dropped".into(),
            a.counts.dropped().to_string(),
            b.failed.to_string(),
        ]);
        t.row([
            "p50 / p95 / p99".into(),
            format!("{:.0} / {:.0} / {:.0} ms", a.p50_ms, a.p95_ms, a.p99_ms),
            format!("{:.0} / {:.0} / {:.0} ms", b.p50_ms, b.p95_ms, b.p99_ms),
        ]);
        t.row([
            "cost (list price)".into(),
            usd(a.cost_usd),
            usd(b.cost_usd()),
        ]);
        let mut items = String::new();
        for (k, v) in &b.items {
            let _ = write!(items, "{k} {}; ", usd(*v));
        }
        t.row(["serverless items".into(), String::new(), items]);
        t
    }

    /// The comparison as HTML (chart and table).
    pub fn to_html(&self) -> String {
        section(
            "Servers vs serverless",
            &format!("{}{}", self.to_svg(), self.table().to_html()),
        )
    }
}

impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.table().to_text())
    }
}

crate::display_as_html!(Comparison);

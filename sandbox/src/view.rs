//! How a whole account looks: an architecture diagram of its resources and
//! their connections, tables of queues, topics and functions, the latest
//! trace events and the bill.

use std::fmt;

use crate::billing::{Bill, usd};
use crate::cloud::Cloud;
use crate::diagram::{Diagram, NodeKind};
use crate::render::{Table, escape, section};
use crate::time::human;
use crate::trace::TraceView;

impl Cloud {
    /// The account's resources and how they connect, as a diagram.
    pub fn diagram(&self) -> Diagram {
        let mut d = Diagram::default();
        for q in self.sqs.queues.values() {
            d.node(&q.arn, &q.name, NodeKind::Queue);
        }
        for q in self.sqs.queues.values() {
            if let Some(r) = &q.config.redrive_policy
                && d.nodes.iter().any(|n| n.id == r.dead_letter_target_arn)
            {
                d.edge(
                    &q.arn,
                    &r.dead_letter_target_arn,
                    &format!("DLQ after {}", r.max_receive_count),
                    true,
                );
            }
        }
        for t in self.sns.topics.values() {
            d.node(&t.arn, &t.name, NodeKind::Topic);
        }
        for f in self.lambda.functions.values() {
            d.node(&f.arn, &f.name, NodeKind::Function);
        }
        for s in self.sns.subscriptions.values() {
            let kind = match s.protocol {
                crate::sns::Protocol::Sqs => NodeKind::Queue,
                crate::sns::Protocol::Lambda => NodeKind::Function,
                _ => NodeKind::External,
            };
            let label = s.endpoint.rsplit(':').next().unwrap_or(&s.endpoint);
            let label = if kind == NodeKind::External {
                s.endpoint.as_str()
            } else {
                label
            };
            d.node(&s.endpoint, label, kind);
            let edge_label = if s.raw() { "raw" } else { s.protocol.as_str() };
            d.edge(&s.topic_arn, &s.endpoint, edge_label, s.pending);
            if let Some(dlq) = s.dead_letter_arn() {
                d.edge(&s.topic_arn, &dlq, "sub DLQ", true);
            }
        }
        for b in self.s3.buckets.values() {
            let arn = b.arn();
            d.node(&arn, &b.name, NodeKind::Other("S3"));
            for r in &b.notifications.rules {
                let mut label = r
                    .events
                    .iter()
                    .map(|e| e.trim_start_matches("s3:"))
                    .collect::<Vec<_>>()
                    .join(" ");
                if !r.prefix.is_empty() || !r.suffix.is_empty() {
                    label.push_str(&format!(" {}*{}", r.prefix, r.suffix));
                }
                d.edge(&arn, r.destination.arn(), &label, false);
            }
            if b.notifications.eventbridge {
                let bus = crate::cloud::arn("events", "event-bus/default");
                d.node(&bus, "default", NodeKind::Other("EventBridge"));
                d.edge(&arn, &bus, "all events", false);
            }
        }
        for (api, routes) in self.apigw.route_table() {
            let id = format!("apigateway:{}", api.id);
            d.node(&id, &api.name, NodeKind::Other("API Gateway"));
            let mut by_fn: std::collections::BTreeMap<String, Vec<String>> = Default::default();
            for (route, function_arn) in routes {
                by_fn.entry(function_arn).or_default().push(route);
            }
            for (arn, keys) in by_fn {
                let label = if keys.len() > 2 {
                    format!("{} +{}", keys[..2].join(", "), keys.len() - 2)
                } else {
                    keys.join(", ")
                };
                d.edge(&id, &arn, &label, false);
            }
        }
        for m in self.states.machines.values() {
            d.node(&m.arn, &m.name, NodeKind::Other("Step Functions"));
            for (target, label) in crate::states::view::task_targets(&m.definition) {
                if d.nodes.iter().any(|n| n.id == target) {
                    d.edge(&m.arn, &target, &label, false);
                }
            }
        }
        crate::kinesis::view::add_to_diagram(self, &mut d);
        crate::firehose::view::add_to_diagram(self, &mut d);
        for m in self.lambda.mappings.values() {
            let fn_arn = crate::cloud::arn("lambda", &format!("function:{}", m.function));
            d.edge(
                &m.source_arn,
                &fn_arn,
                &format!("poll ×{}", m.batch_size),
                !m.enabled,
            );
        }
        for f in self.lambda.functions.values() {
            let c = &f.config;
            for (arn, label) in [
                (&c.event_invoke.on_success, "on success"),
                (&c.event_invoke.on_failure, "on failure"),
                (&c.dead_letter_arn, "DLQ"),
            ] {
                if let Some(arn) = arn {
                    d.edge(&f.arn, arn, label, label != "on success");
                }
            }
        }
        crate::events::view::add_to_diagram(self, &mut d);
        for lb in self.servers.balancers.values() {
            d.node(&lb.dimension, &lb.name, NodeKind::Other("ALB"));
        }
        for g in self.servers.groups.values() {
            d.node(
                &g.arn,
                &format!("{} ×{}", g.name, g.desired),
                NodeKind::Other("ASG"),
            );
        }
        for lb in self.servers.balancers.values() {
            if let Some(g) = self.servers.groups.get(&lb.group) {
                let how = match lb.algorithm {
                    crate::servers::Algorithm::RoundRobin => "round robin",
                    crate::servers::Algorithm::LeastOutstandingRequests => "least outstanding",
                };
                d.edge(&lb.dimension, &g.arn, how, false);
            }
        }
        for site in self.servers.sites.values() {
            for pair in site.stages.windows(2) {
                let from = self.servers.groups.get(&pair[0].group);
                let to = self.servers.balancers.get(&pair[1].lb);
                if let (Some(g), Some(lb)) = (from, to) {
                    d.edge(&g.arn, &lb.dimension, "calls", false);
                }
            }
        }
        for g in self.servers.groups.values() {
            if let crate::servers::model::Source::Queue { queue, .. } = &g.source
                && let Some(q) = self.sqs.queues.get(queue.as_str())
            {
                d.edge(&q.arn, &g.arn, "poll", false);
            }
        }
        d
    }

    /// A snapshot of the account for display.
    pub fn view(&self) -> CloudView {
        let now = self.core.now;
        let mut queues = Table::new(["Queue", "Type", "Visible", "In flight", "Delayed", "DLQ"]);
        for q in self.sqs.queues.values() {
            let (v, i, dl) = q.counts(now);
            queues.row([
                q.name.to_string(),
                if q.fifo() { "FIFO" } else { "Standard" }.to_string(),
                v.to_string(),
                i.to_string(),
                dl.to_string(),
                q.config
                    .redrive_policy
                    .as_ref()
                    .map(|r| {
                        let n = r.dead_letter_target_arn.rsplit(':').next().unwrap_or("");
                        format!("{n} (after {})", r.max_receive_count)
                    })
                    .unwrap_or_default(),
            ]);
        }
        let mut topics = Table::new(["Topic", "Subscriptions", "Published", "Delivered"]);
        for t in self.sns.topics.values() {
            topics.row([
                t.name.to_string(),
                t.subscriptions.len().to_string(),
                t.stats.published.to_string(),
                t.stats.delivered.to_string(),
            ]);
        }
        let mut functions = Table::new([
            "Function",
            "Memory",
            "Timeout",
            "Environments",
            "Invocations",
            "Errors",
            "Cold starts",
        ]);
        for f in self.lambda.functions.values() {
            functions.row([
                f.name.to_string(),
                format!("{} MB", f.config.memory_mb),
                human(f.config.timeout),
                f.envs.len().to_string(),
                f.stats.invocations.to_string(),
                f.stats.errors.to_string(),
                f.stats.cold_starts.to_string(),
            ]);
        }
        let mut buckets = Table::new(["Bucket", "Objects", "Bytes", "Notification rules"]);
        for b in self.s3.buckets.values() {
            buckets.row([
                b.name.to_string(),
                b.objects.len().to_string(),
                b.bytes.to_string(),
                (b.notifications.rules.len() + usize::from(b.notifications.eventbridge))
                    .to_string(),
            ]);
        }
        let mut apis = Table::new(["API", "Type", "Routes", "Stages"]);
        for (api, routes) in self.apigw.route_table() {
            let stages: Vec<String> = match api.flavor {
                crate::apigw::Flavor::Http => self.apigw.http_apis[&api.id]
                    .stages
                    .keys()
                    .cloned()
                    .collect(),
                crate::apigw::Flavor::Rest => self.apigw.rest_apis[&api.id]
                    .stages
                    .keys()
                    .cloned()
                    .collect(),
            };
            apis.row([
                api.name.clone(),
                api.flavor.as_str().to_string(),
                routes.len().to_string(),
                stages.join(", "),
            ]);
        }
        let mut rules = Table::new(["Bus", "Rule", "Trigger", "Targets", "Triggered"]);
        for b in crate::events::view::EventsView::of(self).buses {
            for r in b.rules {
                rules.row([
                    b.name.clone(),
                    r.name,
                    crate::render::preview(&r.trigger, 60),
                    r.targets.join(", "),
                    r.stats.triggered.to_string(),
                ]);
            }
        }
        CloudView {
            header: format!(
                "Account {} · {} · {} (+{}) · seed {}",
                self.account_id(),
                self.region(),
                now,
                human(self.elapsed()),
                self.core.seed
            ),
            diagram: self.diagram(),
            queues,
            topics,
            functions,
            buckets,
            apis,
            rules,
            streams: crate::kinesis::view::streams_table(self),
            recent: self.core.trace.tail(10),
            bill: self.bill(),
        }
    }

    /// The account as HTML (diagram, resources, recent events, bill).
    pub fn to_html(&self) -> String {
        self.view().to_html()
    }

    /// The account's architecture diagram as SVG.
    pub fn to_svg(&self) -> String {
        self.diagram().to_svg()
    }

    /// Renders in a Jupyter notebook (the evcxr display protocol).
    pub fn evcxr_display(&self) {
        crate::render::evcxr_html(&self.to_html());
    }
}

/// A snapshot of a whole account.
#[derive(Clone, Debug)]
pub struct CloudView {
    header: String,
    diagram: Diagram,
    queues: Table,
    topics: Table,
    functions: Table,
    buckets: Table,
    apis: Table,
    rules: Table,
    streams: Table,
    recent: TraceView,
    bill: Bill,
}

impl CloudView {
    /// The snapshot as HTML.
    pub fn to_html(&self) -> String {
        let mut h = format!(
            "<div style=\"font-family:system-ui,sans-serif\"><div style=\"font-weight:600\">☁ Cloudlab</div><div style=\"font-size:12px;color:#444;margin-bottom:6px\">{}</div>{}",
            escape(&self.header),
            self.diagram.to_svg()
        );
        for (title, t) in [
            ("Queues", &self.queues),
            ("Topics", &self.topics),
            ("Functions", &self.functions),
            ("Buckets", &self.buckets),
            ("APIs", &self.apis),
            ("EventBridge rules", &self.rules),
            ("Streams", &self.streams),
        ] {
            if !t.is_empty() {
                h.push_str(&section(title, &t.to_html()));
            }
        }
        if !self.recent.is_empty() {
            h.push_str(&self.recent.to_html());
        }
        h.push_str(&format!(
            "<div style=\"font-size:12px;margin-top:4px\">Bill so far: <b>{}</b> ({} before the free tier) — prices as of {}</div></div>",
            usd(self.bill.total_usd()),
            usd(self.bill.total_gross_usd()),
            self.bill.as_of
        ));
        h
    }
}

impl fmt::Display for CloudView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.header)?;
        for t in [
            &self.queues,
            &self.topics,
            &self.functions,
            &self.buckets,
            &self.apis,
            &self.rules,
            &self.streams,
        ] {
            if !t.is_empty() {
                write!(f, "{}", t.to_text())?;
            }
        }
        write!(f, "Bill so far: {}", usd(self.bill.total_usd()))
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.view())
    }
}

impl TraceView {
    fn table(&self) -> Table {
        let mut t = Table::new(["Time", "Service", "Resource", "Event", "Detail"]);
        for e in &self.0 {
            t.row([
                e.at.to_rfc3339_millis(),
                e.service.to_string(),
                e.resource.to_string(),
                e.kind.to_string(),
                e.detail.clone(),
            ]);
        }
        t
    }

    /// The events as an HTML table.
    pub fn to_html(&self) -> String {
        section(
            &format!("Trace ({} events)", self.0.len()),
            &self.table().to_html(),
        )
    }
}

impl fmt::Display for TraceView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table().to_text())
    }
}

impl Bill {
    fn table(&self) -> Table {
        let mut t = Table::new([
            "Service",
            "Item",
            "Units",
            "List price",
            "Free tier",
            "Cost",
        ]);
        for l in &self.lines {
            t.row([
                l.service.to_string(),
                l.description.to_string(),
                format!("{:.3} {}", l.units, l.unit),
                usd(l.gross_usd()),
                format!("{:.0}", l.free_units),
                usd(l.net_usd()),
            ]);
        }
        t
    }

    /// The bill as an HTML table.
    pub fn to_html(&self) -> String {
        section(
            &format!(
                "Bill: {} ({} before free tier; us-east-1 list prices as of {})",
                usd(self.total_usd()),
                usd(self.total_gross_usd()),
                self.as_of
            ),
            &self.table().to_html(),
        )
    }
}

impl fmt::Display for Bill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table().to_text())?;
        write!(
            f,
            "total {} ({} before free tier)",
            usd(self.total_usd()),
            usd(self.total_gross_usd())
        )
    }
}

impl crate::trace::Trace {
    /// The last 50 events as HTML.
    pub fn to_html(&self) -> String {
        self.tail(50).to_html()
    }
}

crate::display_as_html!(CloudView, TraceView, Bill, crate::trace::Trace, Diagram);

impl Diagram {
    /// The diagram as HTML (the SVG inline).
    pub fn to_html(&self) -> String {
        self.to_svg()
    }
}

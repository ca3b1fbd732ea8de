//! Views: the state machine as an SVG graph coloured by what an execution
//! did (as the console's graph inspector colours it), and the execution's
//! event history as a table.

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write;
use std::sync::Arc;

use super::definition::{Definition, Kind, Machine};
use super::history::{Details, EventType, HistoryEvent};
use super::model::{Exec, Status};
use crate::render::{Cell, Table, badge, escape, preview, section};

/// What happened to a state in an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mark {
    /// Never entered.
    NotRun,
    /// Entered and left normally.
    Succeeded,
    /// Failed; a Catch handled it.
    Caught,
    /// Failed (or a Fail state).
    Failed,
    /// Stopped with the execution.
    Aborted,
    /// Running now.
    InProgress,
}

impl Mark {
    fn colours(self) -> (&'static str, &'static str, &'static str) {
        // (stroke, fill, legend)
        match self {
            Mark::NotRun => ("#9ca3af", "#ffffff", "not run"),
            Mark::Succeeded => ("#1d8102", "#e9f7e4", "succeeded"),
            Mark::Caught => ("#d97706", "#fff4e0", "caught error"),
            Mark::Failed => ("#d13212", "#fde8e4", "failed"),
            Mark::Aborted => ("#6b7280", "#eeeeee", "cancelled"),
            Mark::InProgress => ("#0972d3", "#e6f1fc", "in progress"),
        }
    }
}

/// Per state: how its entries went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StateStats {
    /// Times entered.
    pub entered: u32,
    /// Entries that left normally.
    pub succeeded: u32,
    /// Entries that failed and were caught.
    pub caught: u32,
    /// Entries that failed.
    pub failed: u32,
    /// Entries stopped with the execution.
    pub aborted: u32,
    /// Entries still running.
    pub running: u32,
}

impl StateStats {
    /// The colour the graph gives the state.
    pub fn mark(&self) -> Mark {
        if self.running > 0 {
            Mark::InProgress
        } else if self.failed > 0 {
            Mark::Failed
        } else if self.caught > 0 {
            Mark::Caught
        } else if self.aborted > 0 {
            Mark::Aborted
        } else if self.succeeded > 0 {
            Mark::Succeeded
        } else {
            Mark::NotRun
        }
    }
}

fn is_error(kind: EventType) -> bool {
    use EventType::*;
    matches!(
        kind,
        TaskFailed
            | TaskTimedOut
            | TaskStartFailed
            | TaskSubmitFailed
            | LambdaFunctionFailed
            | LambdaFunctionTimedOut
            | LambdaFunctionStartFailed
            | LambdaFunctionScheduleFailed
            | MapStateFailed
            | ParallelStateFailed
    )
}

/// How each state did in an execution, from its history.
pub fn state_stats(history: &[HistoryEvent], running: bool) -> BTreeMap<String, StateStats> {
    // Which entry (the id of its StateEntered event) each event belongs to:
    // events chain to their run's previous event.
    let mut entry_of: Vec<Option<usize>> = vec![None; history.len() + 1];
    #[derive(Default, Clone, Copy)]
    struct Entry {
        exited: bool,
        error: bool,
        aborted: bool,
        fail_state: bool,
    }
    let mut entries: BTreeMap<usize, (String, Entry)> = BTreeMap::new();
    for e in history {
        let id = e.id as usize;
        let entry = match &e.details {
            Details::StateEntered { name, .. } => {
                entries.insert(
                    id,
                    (
                        name.to_string(),
                        Entry {
                            fail_state: e.kind == EventType::FailStateEntered,
                            ..Entry::default()
                        },
                    ),
                );
                Some(id)
            }
            _ => entry_of
                .get(e.previous_event_id as usize)
                .copied()
                .flatten(),
        };
        if id < entry_of.len() {
            entry_of[id] = entry;
        }
        let Some(en) = entry else { continue };
        let Some((_, st)) = entries.get_mut(&en) else {
            continue;
        };
        match e.kind {
            k if is_error(k) => st.error = true,
            EventType::TaskStateAborted
            | EventType::WaitStateAborted
            | EventType::MapStateAborted
            | EventType::ParallelStateAborted => st.aborted = true,
            _ => {}
        }
        if matches!(e.details, Details::StateExited { .. }) {
            st.exited = true;
            // Events after this one belong to the next state.
            if id < entry_of.len() {
                entry_of[id] = None;
            }
        }
    }
    let mut out: BTreeMap<String, StateStats> = BTreeMap::new();
    for (_, (name, en)) in entries {
        let s = out.entry(name).or_default();
        s.entered += 1;
        if en.fail_state {
            s.failed += 1;
        } else if en.exited && en.error {
            s.caught += 1;
        } else if en.exited {
            s.succeeded += 1;
        } else if en.aborted {
            s.aborted += 1;
        } else if running {
            s.running += 1;
        } else {
            s.failed += 1;
        }
    }
    out
}

/// A state machine drawn as a graph, optionally coloured by an execution.
///
/// ```
/// use cloudlab::prelude::*;
/// # fn main() -> Result<(), CloudError> {
/// let mut cloud = Cloud::new();
/// let sm = cloud.states().create_state_machine("two", json!({
///     "StartAt": "A",
///     "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}
/// }))?;
/// let exec = cloud.states().start_execution(&sm, json!({}))?;
/// cloud.run_until_idle();
/// let graph = cloud.states().graph(&exec)?;
/// assert!(graph.to_svg().contains(">A<"));
/// assert_eq!(graph.stats("B").unwrap().succeeded, 1);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ExecutionGraph {
    machine: Arc<Machine>,
    stats: BTreeMap<String, StateStats>,
    title: String,
    status: Option<Status>,
}

impl ExecutionGraph {
    pub(crate) fn of(def: &Definition, exec: Option<&Exec>) -> ExecutionGraph {
        let (stats, title, status) = match exec {
            Some(ex) => (
                state_stats(&ex.history.to_vec(), ex.status == Status::Running),
                format!("{} · {}", ex.name, ex.status.as_str()),
                Some(ex.status),
            ),
            None => (BTreeMap::new(), "definition".to_string(), None),
        };
        ExecutionGraph {
            machine: Arc::clone(&def.machine),
            stats,
            title,
            status,
        }
    }

    /// How the state called `name` did.
    pub fn stats(&self, name: &str) -> Option<StateStats> {
        self.stats.get(name).copied()
    }

    /// The colour of the state called `name`.
    pub fn mark(&self, name: &str) -> Mark {
        self.stats
            .get(name)
            .map(StateStats::mark)
            .unwrap_or(Mark::NotRun)
    }

    /// The graph as SVG.
    pub fn to_svg(&self) -> String {
        let mut body = String::new();
        let block = layout(&self.machine, self);
        let (w, h) = (block.w + 2 * PAD, block.h + 2 * PAD + 34);
        block.draw(&mut body, PAD, PAD + 34);
        let mut legend = String::new();
        let mut x = PAD;
        for m in [
            Mark::Succeeded,
            Mark::Caught,
            Mark::Failed,
            Mark::InProgress,
            Mark::Aborted,
            Mark::NotRun,
        ] {
            let (stroke, fill, label) = m.colours();
            let _ = write!(
                legend,
                "<rect x=\"{x}\" y=\"20\" width=\"10\" height=\"10\" fill=\"{fill}\" stroke=\"{stroke}\"/><text x=\"{}\" y=\"29\" font-size=\"10\" fill=\"#333\">{label}</text>",
                x + 13
            );
            x += 20 + 6 * label.len() as i64;
        }
        let w = w.max(x + PAD);
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"system-ui,sans-serif\">\
<defs><marker id=\"sf-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\
<text x=\"{PAD}\" y=\"13\" font-size=\"12\" font-weight=\"600\" fill=\"#111\">{}</text>{legend}{body}</svg>",
            escape(&self.title)
        )
    }

    /// The graph as HTML (the SVG inline).
    pub fn to_html(&self) -> String {
        self.to_svg()
    }
}

impl fmt::Display for ExecutionGraph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        fn walk(
            m: &Machine,
            g: &ExecutionGraph,
            depth: usize,
            f: &mut fmt::Formatter<'_>,
        ) -> fmt::Result {
            for s in &m.states {
                let st = g.stats(&s.name).unwrap_or_default();
                writeln!(
                    f,
                    "{:indent$}{} ({}) {} ×{}",
                    "",
                    s.name,
                    s.kind.type_name(),
                    st.mark().colours().2,
                    st.entered,
                    indent = depth * 2
                )?;
                match &s.kind {
                    Kind::Parallel { branches } => {
                        for b in branches {
                            walk(b, g, depth + 1, f)?;
                        }
                    }
                    Kind::Map(spec) => walk(&spec.processor, g, depth + 1, f)?,
                    _ => {}
                }
            }
            Ok(())
        }
        walk(&self.machine, self, 0, f)?;
        if let Some(s) = self.status {
            write!(f, "execution: {}", s.as_str())?;
        }
        Ok(())
    }
}

const PAD: i64 = 12;
const NW: i64 = 170;
const NH: i64 = 40;
const GAP_X: i64 = 26;
const GAP_Y: i64 = 34;

/// A laid-out machine: nodes at positions relative to the block.
struct Block {
    w: i64,
    h: i64,
    nodes: Vec<Placed>,
    edges: Vec<(usize, usize, &'static str)>,
}

struct Placed {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
    name: String,
    kind: &'static str,
    mark: Mark,
    entered: u32,
    inner: Vec<Block>,
    inner_label: String,
}

fn layer_of(m: &Machine) -> Vec<usize> {
    // Breadth-first distance from StartAt; unreachable states go last.
    let n = m.states.len();
    let mut layer = vec![usize::MAX; n];
    if n == 0 {
        return layer;
    }
    let mut queue = std::collections::VecDeque::from([m.start]);
    layer[m.start] = 0;
    while let Some(i) = queue.pop_front() {
        for t in targets(m, i) {
            if layer[t] == usize::MAX {
                layer[t] = layer[i] + 1;
                queue.push_back(t);
            }
        }
    }
    let max = layer
        .iter()
        .filter(|l| **l != usize::MAX)
        .max()
        .copied()
        .unwrap_or(0);
    for l in &mut layer {
        if *l == usize::MAX {
            *l = max + 1;
        }
    }
    layer
}

fn targets(m: &Machine, i: usize) -> Vec<usize> {
    let s = &m.states[i];
    let mut t: Vec<usize> = s.next.into_iter().collect();
    if let Kind::Choice { choices, default } = &s.kind {
        t.extend(choices.iter().map(|c| c.next));
        t.extend(*default);
    }
    t.extend(s.catch.iter().map(|c| c.next));
    t.retain(|x| *x < m.states.len());
    t
}

fn layout(m: &Machine, g: &ExecutionGraph) -> Block {
    let layers = layer_of(m);
    let depth = layers.iter().max().map_or(0, |d| d + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (i, l) in layers.iter().enumerate() {
        rows[*l].push(i);
    }
    let mut nodes: Vec<Option<Placed>> = (0..m.states.len()).map(|_| None).collect();
    let mut y = 0;
    let mut width = NW;
    let mut placed_rows = Vec::new();
    for row in &rows {
        let mut items = Vec::new();
        for &i in row {
            let s = &m.states[i];
            let st = g.stats(&s.name).unwrap_or_default();
            let (inner, label): (Vec<Block>, String) = match &s.kind {
                Kind::Parallel { branches } => (
                    branches.iter().map(|b| layout(b, g)).collect(),
                    format!("{} branches", branches.len()),
                ),
                Kind::Map(spec) => (
                    vec![layout(&spec.processor, g)],
                    if st.entered > 0 {
                        let iters = spec
                            .processor
                            .states
                            .get(spec.processor.start)
                            .and_then(|s0| g.stats(&s0.name))
                            .map(|x| x.entered)
                            .unwrap_or(0);
                        format!("item processor · {iters} iterations")
                    } else {
                        "item processor".into()
                    },
                ),
                _ => (Vec::new(), String::new()),
            };
            let (w, h) = if inner.is_empty() {
                (NW, NH)
            } else {
                let iw: i64 =
                    inner.iter().map(|b| b.w).sum::<i64>() + GAP_X * (inner.len() as i64 - 1);
                let ih = inner.iter().map(|b| b.h).max().unwrap_or(0);
                ((iw + 2 * PAD).max(NW), NH + ih + 2 * PAD + 8)
            };
            items.push((i, w, h, inner, label, st));
        }
        let row_w: i64 =
            items.iter().map(|x| x.1).sum::<i64>() + GAP_X * (items.len() as i64 - 1).max(0);
        let row_h = items.iter().map(|x| x.2).max().unwrap_or(NH);
        width = width.max(row_w);
        placed_rows.push((items, row_w, y));
        y += row_h + GAP_Y;
    }
    for (items, row_w, ry) in placed_rows {
        let mut x = (width - row_w) / 2;
        for (i, w, h, inner, label, st) in items {
            let s = &m.states[i];
            nodes[i] = Some(Placed {
                x,
                y: ry,
                w,
                h,
                name: s.name.to_string(),
                kind: s.kind.type_name(),
                mark: st.mark(),
                entered: st.entered,
                inner,
                inner_label: label,
            });
            x += w + GAP_X;
        }
    }
    let mut edges = Vec::new();
    for (i, s) in m.states.iter().enumerate() {
        if let Some(n) = s.next {
            edges.push((i, n, ""));
        }
        if let Kind::Choice { choices, default } = &s.kind {
            for c in choices {
                edges.push((i, c.next, ""));
            }
            if let Some(d) = default {
                edges.push((i, *d, "default"));
            }
        }
        for c in &s.catch {
            edges.push((i, c.next, "catch"));
        }
    }
    edges.retain(|(a, b, _)| *a < nodes.len() && *b < nodes.len());
    Block {
        w: width,
        h: (y - GAP_Y).max(NH),
        nodes: nodes.into_iter().flatten().collect(),
        edges,
    }
}

impl Block {
    fn draw(&self, s: &mut String, ox: i64, oy: i64) {
        for &(a, b, label) in &self.edges {
            let (pa, pb) = (&self.nodes[a], &self.nodes[b]);
            let (x1, y1) = (ox + pa.x + pa.w / 2, oy + pa.y + pa.h);
            let (x2, y2) = (ox + pb.x + pb.w / 2, oy + pb.y);
            let dash = if label == "catch" {
                " stroke-dasharray=\"5,4\""
            } else {
                ""
            };
            if pb.y > pa.y {
                let my = (y1 + y2) / 2;
                let _ = write!(
                    s,
                    "<path d=\"M{x1},{y1} C{x1},{my} {x2},{my} {x2},{y2}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.3\"{dash} marker-end=\"url(#sf-arrow)\"/>"
                );
            } else {
                // A loop back up: go round the right side.
                let rx = ox + pa.x.max(pb.x) + pa.w.max(pb.w) + 14;
                let (sx, sy) = (ox + pa.x + pa.w, oy + pa.y + pa.h / 2);
                let (ex, ey) = (ox + pb.x + pb.w, oy + pb.y + pb.h / 2);
                let _ = write!(
                    s,
                    "<path d=\"M{sx},{sy} C{rx},{sy} {rx},{ey} {ex},{ey}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.3\"{dash} marker-end=\"url(#sf-arrow)\"/>"
                );
            }
            if !label.is_empty() {
                let _ = write!(
                    s,
                    "<text x=\"{}\" y=\"{}\" font-size=\"9\" fill=\"#555\" text-anchor=\"middle\">{label}</text>",
                    (x1 + x2) / 2 + 4,
                    (y1 + y2) / 2
                );
            }
        }
        for n in &self.nodes {
            let (stroke, fill, legend) = n.mark.colours();
            let (x, y) = (ox + n.x, oy + n.y);
            let times = if n.entered > 1 {
                format!(" ×{}", n.entered)
            } else {
                String::new()
            };
            let rx = if matches!(n.kind, "Succeed" | "Fail") {
                20
            } else {
                6
            };
            let _ = write!(
                s,
                "<g><title>{} ({}) — {legend}{times}</title><rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"/>\
<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#111\" text-anchor=\"middle\">{}</text>\
<text x=\"{}\" y=\"{}\" font-size=\"9\" fill=\"{stroke}\" text-anchor=\"middle\">{}{}</text></g>",
                escape(&n.name),
                n.kind,
                n.w,
                n.h,
                x + n.w / 2,
                y + 17,
                escape(&preview(&n.name, 24)),
                x + n.w / 2,
                y + 31,
                n.kind,
                escape(&times),
            );
            if !n.inner.is_empty() {
                let _ = write!(
                    s,
                    "<text x=\"{}\" y=\"{}\" font-size=\"9\" fill=\"#555\">{}</text>",
                    x + 8,
                    y + NH + 4,
                    escape(&n.inner_label)
                );
                let mut ix = x + PAD;
                for b in &n.inner {
                    let _ = write!(
                        s,
                        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"none\" stroke=\"#bbb\" stroke-dasharray=\"3,3\"/>",
                        ix - 4,
                        y + NH + 8,
                        b.w + 8,
                        b.h + 8
                    );
                    b.draw(s, ix, y + NH + 12);
                    ix += b.w + GAP_X;
                }
            }
        }
    }
}

/// An execution's history, for display.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The execution's name.
    pub execution: String,
    /// The events, oldest first.
    pub events: Vec<HistoryEvent>,
}

impl History {
    /// The event types in order (handy in tests and check-yourself cells).
    pub fn types(&self) -> Vec<EventType> {
        self.events.iter().map(|e| e.kind).collect()
    }

    /// Events of one type.
    pub fn of(&self, kind: EventType) -> Vec<&HistoryEvent> {
        self.events.iter().filter(|e| e.kind == kind).collect()
    }

    /// Names of the states entered, in order.
    pub fn states_entered(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match &e.details {
                Details::StateEntered { name, .. } => Some(name.to_string()),
                _ => None,
            })
            .collect()
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    fn table(&self) -> Table {
        let mut t = Table::new(["ID", "Type", "Step", "Elapsed", "Detail"]);
        let start = self.events.first().map(|e| e.timestamp);
        for e in &self.events {
            let elapsed = start
                .map(|s| crate::time::human(e.timestamp.since(s)))
                .unwrap_or_default();
            let detail = match &e.details {
                Details::None => String::new(),
                Details::ExecutionStarted { input, .. } => format!("input {}", preview(input, 60)),
                Details::ExecutionSucceeded { output } => format!("output {}", preview(output, 60)),
                Details::Error { error, cause } | Details::TaskError { error, cause, .. } => {
                    format!("{error}: {}", preview(cause, 80))
                }
                Details::StateEntered { input, .. } => format!("input {}", preview(input, 60)),
                Details::StateExited { output, .. } => format!("output {}", preview(output, 60)),
                Details::TaskScheduled(t) => format!(
                    "{}:{} {}",
                    t.resource_type,
                    t.resource,
                    preview(&t.parameters, 50)
                ),
                Details::TaskStarted {
                    resource_type,
                    resource,
                } => format!("{resource_type}:{resource}"),
                Details::TaskOutput { output, .. } | Details::LambdaSucceeded { output } => {
                    format!("output {}", preview(output, 60))
                }
                Details::LambdaScheduled {
                    resource, input, ..
                } => {
                    format!(
                        "{} {}",
                        resource.rsplit(':').next().unwrap_or(resource),
                        preview(input, 50)
                    )
                }
                Details::MapStarted { length } => format!("{length} items"),
                Details::MapIteration { index, .. } => format!("item {index}"),
            };
            let kind = e.kind.as_str();
            let colour = if kind.contains("Failed") || kind.contains("TimedOut") {
                "#d13212"
            } else if kind.contains("Aborted") {
                "#6b7280"
            } else if kind.contains("Succeeded") {
                "#1d8102"
            } else {
                "#0972d3"
            };
            t.row([
                Cell::Text(e.id.to_string()),
                Cell::Html(badge(kind, colour)),
                Cell::Text(e.state_name().unwrap_or_default().to_string()),
                Cell::Text(elapsed),
                Cell::Text(detail),
            ]);
        }
        t
    }

    /// The history as an HTML table.
    pub fn to_html(&self) -> String {
        section(
            &format!(
                "Execution {} — {} events",
                self.execution,
                self.events.len()
            ),
            &self.table().to_html(),
        )
    }
}

impl fmt::Display for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table().to_text())
    }
}

crate::display_as_html!(ExecutionGraph, History);

/// What a state machine's Task states call, as (target ARN, label) pairs,
/// for the account diagram.
pub fn task_targets(def: &Definition) -> Vec<(String, String)> {
    use super::definition::Integration;
    let mut out: Vec<(String, String)> = Vec::new();
    fn walk(m: &Machine, out: &mut Vec<(String, String)>) {
        for s in &m.states {
            match &s.kind {
                Kind::Task(t) => {
                    let param = |key: &str| -> Option<String> {
                        match &s.parameters {
                            Some(super::template::Tmpl::Lit(v)) => {
                                v.get(key).and_then(|x| x.as_str()).map(str::to_string)
                            }
                            Some(super::template::Tmpl::Obj(fields)) => fields
                                .iter()
                                .find(|(k, _)| k == key)
                                .and_then(|(_, t)| match t {
                                    super::template::Tmpl::Lit(v) => v.as_str().map(str::to_string),
                                    _ => None,
                                }),
                            _ => None,
                        }
                    };
                    let target = match &t.integration {
                        Integration::LambdaArn(name) => Some(crate::cloud::arn(
                            "lambda",
                            &format!("function:{}", name.split(':').next().unwrap_or(name)),
                        )),
                        Integration::LambdaInvoke => param("FunctionName").map(|f| {
                            if f.starts_with("arn:") {
                                f
                            } else {
                                crate::cloud::arn("lambda", &format!("function:{f}"))
                            }
                        }),
                        Integration::SqsSend => param("QueueUrl")
                            .map(|u| crate::cloud::arn("sqs", u.rsplit('/').next().unwrap_or(&u))),
                        Integration::SnsPublish => param("TopicArn"),
                        Integration::StartExecution => param("StateMachineArn"),
                        Integration::Unsupported(_) => None,
                    };
                    if let Some(arn) = target {
                        let label = s.name.to_string();
                        if !out.iter().any(|(a, _)| *a == arn) {
                            out.push((arn, label));
                        }
                    }
                }
                Kind::Parallel { branches } => branches.iter().for_each(|b| walk(b, out)),
                Kind::Map(spec) => walk(&spec.processor, out),
                _ => {}
            }
        }
    }
    walk(&def.machine, &mut out);
    out
}

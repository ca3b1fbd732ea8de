//! State machine definitions: the Amazon States Language parsed into the
//! form the interpreter runs, and validated the way CreateStateMachine and
//! ValidateStateMachineDefinition validate: every problem at once, each with
//! its code, message and location (`/States/Pay/Next`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use super::choice::{OPS, Operand, Rule};
use super::intrinsics::{self, Call};
use super::jsonata;
use super::path::{Path, RefPath};
use super::quotas::{MAX_STATE_NAME_LEN, MAX_TIMEOUT_SECONDS};
use super::template::{Tmpl, jsonata_body};

/// The query language of a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// JSONPath (the default): paths, `.$` fields, intrinsic functions.
    #[default]
    JsonPath,
    /// JSONata: `{% expressions %}`, Arguments, Output, `$states`.
    Jsonata,
}

/// One problem with a definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// `ERROR` or `WARNING`.
    pub severity: &'static str,
    /// `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`, ...
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Where: a JSON pointer into the definition (`/States/Pay/Next`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl fmt::Display for Diagnostic {
    /// `CODE: message at /location`, as CreateStateMachine words each problem.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(l) = &self.location {
            write!(f, " at {l}")?;
        }
        Ok(())
    }
}

/// Where a Choice/Wait/Fail/Task field takes its value from.
#[derive(Clone, Debug)]
pub enum Src<T> {
    /// Written in the definition.
    Fixed(T),
    /// A reference path (`SecondsPath`, `ErrorPath` ...).
    Path(RefPath),
    /// An intrinsic function (`ErrorPath`/`CausePath` allow them).
    Call(Box<Call>),
    /// A JSONata expression.
    Jsonata(Arc<jsonata::Expr>),
}

/// `InputPath`/`OutputPath`.
#[derive(Clone, Debug)]
pub enum Sel {
    /// Absent or `$`: everything.
    All,
    /// `null`: an empty object.
    Nothing,
    /// A path.
    Path(Path),
}

/// `ResultPath`.
#[derive(Clone, Debug)]
pub enum ResultSel {
    /// Absent or `$`: the result replaces the input.
    Replace,
    /// `null`: the result is discarded; the output is the input.
    Discard,
    /// `$.x`: the result is written into the input at that path.
    At(RefPath),
}

/// A Retrier.
#[derive(Clone, Debug)]
pub struct Retrier {
    /// Error names it handles.
    pub errors: Vec<String>,
    /// Seconds before the first retry (default 1).
    pub interval: f64,
    /// Retries at most (default 3; 0 never retries).
    pub max_attempts: u32,
    /// Multiplier of the interval per attempt (default 2.0).
    pub backoff: f64,
    /// Cap on any one delay, seconds.
    pub max_delay: Option<f64>,
    /// `JitterStrategy: FULL`: each delay is drawn uniformly from [0, delay].
    pub jitter: bool,
}

/// A Catcher.
#[derive(Clone, Debug)]
pub struct Catcher {
    /// Error names it handles.
    pub errors: Vec<String>,
    /// The state to go to.
    pub next: usize,
    /// Where the error output goes in the state's input (default `$`).
    pub result_path: ResultSel,
    /// JSONata `Output`.
    pub output: Option<Tmpl>,
    /// Variables to assign.
    pub assign: Option<Tmpl>,
}

/// A Choice rule with its target.
#[derive(Clone, Debug)]
pub struct Choice {
    /// The rule.
    pub rule: Rule,
    /// Where it leads.
    pub next: usize,
    /// JSONata `Output` for this branch.
    pub output: Option<Tmpl>,
    /// Variables to assign when taken.
    pub assign: Option<Tmpl>,
}

/// A Task's resource, as the interpreter runs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Integration {
    /// A Lambda function ARN (the legacy form): the input is the event.
    LambdaArn(String),
    /// `arn:aws:states:::lambda:invoke`: Parameters `FunctionName`, `Payload`.
    LambdaInvoke,
    /// `arn:aws:states:::sqs:sendMessage`: `QueueUrl`, `MessageBody`.
    SqsSend,
    /// `arn:aws:states:::sns:publish`: `TopicArn`, `Message`.
    SnsPublish,
    /// `arn:aws:states:::states:startExecution` (`.sync`, `.sync:2`).
    StartExecution,
    /// Anything else: valid ASL, but the sandbox cannot run it.
    Unsupported(String),
}

/// How a Task waits for its integration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Request/response: done when the call returns.
    Request,
    /// `.sync`: done when the job (a nested execution) finishes.
    Sync,
    /// `.sync:2`: like `.sync`, output parsed as JSON.
    Sync2,
    /// `.waitForTaskToken`: done when SendTaskSuccess/Failure is called.
    Token,
}

/// A Task state.
#[derive(Clone, Debug)]
pub struct TaskSpec {
    /// The resource ARN as written.
    pub resource: String,
    /// What it calls.
    pub integration: Integration,
    /// How it waits.
    pub pattern: Pattern,
    /// `TimeoutSeconds`/`TimeoutSecondsPath`.
    pub timeout: Option<Src<u64>>,
    /// `HeartbeatSeconds`/`HeartbeatSecondsPath`.
    pub heartbeat: Option<Src<u64>>,
}

/// A Wait state's wait.
#[derive(Clone, Debug)]
pub enum WaitFor {
    /// `Seconds`/`SecondsPath`.
    Seconds(Src<u64>),
    /// `Timestamp`/`TimestampPath`.
    Timestamp(Src<String>),
}

/// A Map state.
#[derive(Clone, Debug)]
pub struct MapSpec {
    /// The item processor (or legacy Iterator).
    pub processor: Arc<Machine>,
    /// `ItemsPath` (JSONPath; default `$`).
    pub items_path: RefPath,
    /// `Items` (JSONata).
    pub items: Option<Tmpl>,
    /// `ItemSelector` (or legacy `Parameters`).
    pub item_selector: Option<Tmpl>,
    /// `MaxConcurrency` (0: no limit).
    pub max_concurrency: Src<u64>,
    /// `ToleratedFailurePercentage`.
    pub tolerated_percentage: Option<Src<f64>>,
    /// `ToleratedFailureCount`.
    pub tolerated_count: Option<Src<u64>>,
    /// `ItemBatcher`: items per batch.
    pub batch_max_items: Option<Src<u64>>,
    /// `ItemBatcher.BatchInput`.
    pub batch_input: Option<Tmpl>,
    /// `ProcessorConfig.Mode: DISTRIBUTED`.
    pub distributed: bool,
}

/// What kind of state, and its own fields.
#[derive(Clone, Debug)]
pub enum Kind {
    /// Pass, with its optional `Result`.
    Pass {
        /// `Result`.
        result: Option<Value>,
    },
    /// Task.
    Task(Box<TaskSpec>),
    /// Choice.
    Choice {
        /// The rules in order.
        choices: Vec<Choice>,
        /// `Default`.
        default: Option<usize>,
    },
    /// Wait.
    Wait(WaitFor),
    /// Succeed.
    Succeed,
    /// Fail.
    Fail {
        /// `Error`/`ErrorPath`.
        error: Option<Src<String>>,
        /// `Cause`/`CausePath`.
        cause: Option<Src<String>>,
    },
    /// Parallel.
    Parallel {
        /// The branches.
        branches: Vec<Arc<Machine>>,
    },
    /// Map.
    Map(Box<MapSpec>),
}

impl Kind {
    /// The `Type` as written.
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Pass { .. } => "Pass",
            Kind::Task(_) => "Task",
            Kind::Choice { .. } => "Choice",
            Kind::Wait(_) => "Wait",
            Kind::Succeed => "Succeed",
            Kind::Fail { .. } => "Fail",
            Kind::Parallel { .. } => "Parallel",
            Kind::Map(_) => "Map",
        }
    }
}

/// One state, compiled.
#[derive(Clone, Debug)]
pub struct State {
    /// Its name.
    pub name: Arc<str>,
    /// Its type and own fields.
    pub kind: Kind,
    /// `Next` (None with `End: true` and for Choice/Succeed/Fail).
    pub next: Option<usize>,
    /// Query language in effect.
    pub lang: Lang,
    /// `InputPath`.
    pub input_path: Sel,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata).
    pub parameters: Option<Tmpl>,
    /// `ResultSelector`.
    pub result_selector: Option<Tmpl>,
    /// `ResultPath`.
    pub result_path: ResultSel,
    /// `OutputPath`.
    pub output_path: Sel,
    /// JSONata `Output`.
    pub output: Option<Tmpl>,
    /// `Assign`.
    pub assign: Option<Tmpl>,
    /// Retriers.
    pub retry: Vec<Retrier>,
    /// Catchers.
    pub catch: Vec<Catcher>,
    /// True when some field reads the context object (`$$`).
    pub needs_context: bool,
}

/// A state machine or a sub-machine (a Parallel branch, a Map's processor).
#[derive(Clone, Debug)]
pub struct Machine {
    /// Index of `StartAt`.
    pub start: usize,
    /// States in definition order.
    pub states: Vec<State>,
    /// Name -> index.
    pub index: BTreeMap<String, usize>,
    /// `TimeoutSeconds` (top level only).
    pub timeout: Option<u64>,
    /// Where it sits in the definition (`""` or `/States/P/Branches/0`).
    pub location: String,
}

impl Machine {
    /// The state called `name`.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.index.get(name).map(|i| &self.states[*i])
    }
}

/// A validated definition.
#[derive(Clone, Debug)]
pub struct Definition {
    /// The top-level machine.
    pub machine: Arc<Machine>,
    /// The top-level query language.
    pub lang: Lang,
    /// The definition as JSON.
    pub json: Value,
}

impl Definition {
    /// Parses and validates ASL text; every error is reported at once
    /// (warnings alone do not fail a definition).
    pub fn parse(text: &str) -> Result<Definition, Vec<Diagnostic>> {
        match Definition::analyse(text) {
            (Some(d), _) => Ok(d),
            (None, diags) => Err(diags
                .into_iter()
                .filter(|d| d.severity == "ERROR")
                .collect()),
        }
    }

    /// Validates a definition given as JSON.
    pub fn from_json(json: Value) -> Result<Definition, Vec<Diagnostic>> {
        match Definition::analyse_json(json) {
            (Some(d), _) => Ok(d),
            (None, diags) => Err(diags
                .into_iter()
                .filter(|d| d.severity == "ERROR")
                .collect()),
        }
    }

    /// Every diagnostic (errors and warnings), and the definition when
    /// there are no errors.
    pub fn analyse(text: &str) -> (Option<Definition>, Vec<Diagnostic>) {
        match serde_json::from_str(text) {
            Ok(json) => Definition::analyse_json(json),
            Err(e) => (
                None,
                vec![Diagnostic {
                    severity: "ERROR",
                    code: "INVALID_JSON_DESCRIPTION",
                    message: format!("Invalid JSON: {e}"),
                    location: None,
                }],
            ),
        }
    }

    /// [`Definition::analyse`] for a definition given as JSON.
    pub fn analyse_json(json: Value) -> (Option<Definition>, Vec<Diagnostic>) {
        let mut v = Validator::default();
        let Value::Object(top) = &json else {
            v.schema("The definition must be a JSON object", "");
            return (None, v.diags);
        };
        let lang = match top.get("QueryLanguage") {
            None => Lang::JsonPath,
            Some(Value::String(s)) if s == "JSONPath" => Lang::JsonPath,
            Some(Value::String(s)) if s == "JSONata" => Lang::Jsonata,
            Some(_) => {
                v.schema(
                    "Value is not a valid QueryLanguage: use 'JSONPath' or 'JSONata'",
                    "/QueryLanguage",
                );
                Lang::JsonPath
            }
        };
        v.top_lang = lang;
        let machine = v.machine(top, "", true, lang);
        if v.diags.iter().any(|d| d.severity == "ERROR") {
            return (None, v.diags);
        }
        let diags = std::mem::take(&mut v.diags);
        (
            Some(Definition {
                machine: Arc::new(machine),
                lang,
                json,
            }),
            diags,
        )
    }

    /// Every state name, in definition order, nested ones included.
    pub fn state_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        fn walk(m: &Machine, out: &mut Vec<String>) {
            for s in &m.states {
                out.push(s.name.to_string());
                match &s.kind {
                    Kind::Parallel { branches } => branches.iter().for_each(|b| walk(b, out)),
                    Kind::Map(spec) => walk(&spec.processor, out),
                    _ => {}
                }
            }
        }
        walk(&self.machine, &mut out);
        out
    }
}

/// Formats validation problems the way CreateStateMachine reports them.
pub fn invalid_definition_message(diags: &[Diagnostic]) -> String {
    let parts: Vec<String> = diags.iter().map(ToString::to_string).collect();
    format!("Invalid State Machine Definition: '{}'", parts.join(", "))
}

#[derive(Default)]
struct Validator {
    diags: Vec<Diagnostic>,
    names: BTreeMap<String, String>,
    top_lang: Lang,
}

const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

fn allowed(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pass" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Result",
            "Assign",
            "Output",
        ],
        "Task" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "Resource",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Arguments",
            "Output",
            "Assign",
        ],
        "Choice" => &[
            "Choices",
            "Default",
            "InputPath",
            "OutputPath",
            "Assign",
            "Output",
        ],
        "Wait" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "Assign",
            "Output",
        ],
        "Succeed" => &["InputPath", "OutputPath", "Output"],
        "Fail" => &["Error", "Cause", "ErrorPath", "CausePath"],
        "Parallel" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "Branches",
            "Arguments",
            "Output",
            "Assign",
        ],
        "Map" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "ItemsPath",
            "ItemSelector",
            "ItemProcessor",
            "Iterator",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ItemBatcher",
            "ItemReader",
            "ResultWriter",
            "Label",
            "Items",
            "Arguments",
            "Output",
            "Assign",
        ],
        _ => &[],
    }
}

const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items"];
const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "ResultPath",
    "Parameters",
    "ResultSelector",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
];

/// Target names a state refers to, with the location of each reference.
struct Pending {
    state: usize,
    targets: Vec<(String, String, Slot)>,
}

#[derive(Clone, Copy)]
enum Slot {
    Next,
    Default,
    Choice(usize),
    Catch(usize),
}

impl Validator {
    fn push(&mut self, code: &'static str, message: impl Into<String>, at: &str) {
        self.diags.push(Diagnostic {
            severity: "ERROR",
            code,
            message: message.into(),
            location: Some(if at.is_empty() { "/".into() } else { at.into() }),
        });
    }

    fn schema(&mut self, message: impl Into<String>, at: &str) {
        self.push("SCHEMA_VALIDATION_FAILED", message, at);
    }

    fn machine(&mut self, obj: &Map<String, Value>, at: &str, top: bool, lang: Lang) -> Machine {
        let allowed: &[&str] = if top {
            &[
                "Comment",
                "StartAt",
                "States",
                "TimeoutSeconds",
                "Version",
                "QueryLanguage",
            ]
        } else {
            &["Comment", "StartAt", "States", "ProcessorConfig"]
        };
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                if k == "QueryLanguage" {
                    self.schema("Field 'QueryLanguage' is not supported", at);
                } else {
                    self.schema(format!("Field '{k}' is not supported"), at);
                }
            }
        }
        let mut missing = Vec::new();
        for req in ["StartAt", "States"] {
            if !obj.contains_key(req) {
                missing.push(req);
            }
        }
        if !missing.is_empty() {
            self.schema(
                format!("These fields are required: [{}]", missing.join(", ")),
                at,
            );
        }
        let timeout = if top {
            obj.get("TimeoutSeconds").and_then(|t| {
                self.positive_int(t, &format!("{at}/TimeoutSeconds"), MAX_TIMEOUT_SECONDS)
            })
        } else {
            None
        };
        let states_obj = match obj.get("States") {
            Some(Value::Object(m)) if !m.is_empty() => Some(m),
            Some(Value::Object(_)) => {
                self.schema("The field 'States' should be non-empty", at);
                None
            }
            Some(_) => {
                self.schema("Expected value of type: Object", &format!("{at}/States"));
                None
            }
            None => None,
        };
        let mut states = Vec::new();
        let mut index = BTreeMap::new();
        let mut pending = Vec::new();
        if let Some(m) = states_obj {
            for (name, raw) in m {
                let here = format!("{at}/States/{name}");
                if let Some(first) = self.names.get(name) {
                    let first = first.clone();
                    self.push(
                        "DUPLICATE_STATE_NAME",
                        format!("Duplicate State name: {name} (also at {first})"),
                        &here,
                    );
                } else {
                    self.names.insert(name.clone(), here.clone());
                }
                if name.is_empty() || name.chars().count() > MAX_STATE_NAME_LEN {
                    self.push(
                        "INVALID_STATE_NAME",
                        format!("State names must be 1 to {MAX_STATE_NAME_LEN} characters long"),
                        &here,
                    );
                }
                let Value::Object(so) = raw else {
                    self.schema("Expected value of type: Object", &here);
                    continue;
                };
                let i = states.len();
                let (state, targets) = self.state(name, so, &here, lang);
                index.insert(name.clone(), i);
                states.push(state);
                pending.push(Pending { state: i, targets });
            }
        }
        // Resolve targets now that every name is known.
        for p in pending {
            for (target, loc, slot) in p.targets {
                let Some(&t) = index.get(&target) else {
                    self.push(
                        "MISSING_TRANSITION_TARGET",
                        format!("Missing 'Next' target: {target}"),
                        &loc,
                    );
                    continue;
                };
                let s = &mut states[p.state];
                match slot {
                    Slot::Next => s.next = Some(t),
                    Slot::Default => {
                        if let Kind::Choice { default, .. } = &mut s.kind {
                            *default = Some(t);
                        }
                    }
                    Slot::Choice(k) => {
                        if let Kind::Choice { choices, .. } = &mut s.kind {
                            choices[k].next = t;
                        }
                    }
                    Slot::Catch(k) => s.catch[k].next = t,
                }
            }
        }
        let start = match obj.get("StartAt") {
            Some(Value::String(s)) => match index.get(s) {
                Some(&i) => Some(i),
                None => {
                    if states_obj.is_some() {
                        self.push(
                            "MISSING_TRANSITION_TARGET",
                            format!("Missing 'Next' target: {s}"),
                            &format!("{at}/StartAt"),
                        );
                    }
                    None
                }
            },
            Some(_) => {
                self.schema("Expected value of type: String", &format!("{at}/StartAt"));
                None
            }
            None => None,
        };
        let machine = Machine {
            start: start.unwrap_or(0),
            states,
            index,
            timeout,
            location: at.to_string(),
        };
        if let Some(start) = start {
            self.graph_checks(&machine, start, at);
        }
        machine
    }

    fn graph_checks(&mut self, m: &Machine, start: usize, at: &str) {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if i >= m.states.len() || !seen.insert(i) {
                continue;
            }
            let s = &m.states[i];
            stack.extend(s.next);
            stack.extend(s.catch.iter().map(|c| c.next));
            if let Kind::Choice { choices, default } = &s.kind {
                stack.extend(choices.iter().map(|c| c.next));
                stack.extend(*default);
            }
        }
        for (i, s) in m.states.iter().enumerate() {
            if !seen.contains(&i) {
                self.push(
                    "MISSING_TRANSITION_TARGET",
                    format!("State \"{}\" is not reachable.", s.name),
                    &format!("{at}/States/{}", s.name),
                );
            }
        }
        let terminal = m.states.iter().any(|s| {
            matches!(s.kind, Kind::Succeed | Kind::Fail { .. })
                || (s.next.is_none() && !matches!(s.kind, Kind::Choice { .. }))
        });
        if !terminal && !m.states.is_empty() {
            self.diags.push(Diagnostic {
                severity: "ERROR",
                code: "MISSING_END_STATE",
                message: "Workflow has no terminal state".into(),
                location: (!at.is_empty()).then(|| at.to_string()),
            });
        }
    }

    fn positive_int(&mut self, v: &Value, at: &str, max: u64) -> Option<u64> {
        match v.as_u64() {
            Some(n) if n >= 1 && n <= max => Some(n),
            Some(_) | None if v.is_number() => {
                self.schema(format!("The value must be an integer from 1 to {max}"), at);
                None
            }
            _ => {
                self.schema("Expected value of type: Integer", at);
                None
            }
        }
    }

    fn string<'v>(&mut self, obj: &'v Map<String, Value>, key: &str, at: &str) -> Option<&'v str> {
        match obj.get(key) {
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.schema("Expected value of type: String", &format!("{at}/{key}"));
                None
            }
            None => None,
        }
    }

    fn ref_path(&mut self, obj: &Map<String, Value>, key: &str, at: &str) -> Option<RefPath> {
        let s = self.string(obj, key, at)?;
        match RefPath::parse(s) {
            Ok(p) => Some(p),
            Err(_) => {
                self.schema(
                    format!("The value for the field '{key}' must be a valid ReferencePath"),
                    &format!("{at}/{key}"),
                );
                None
            }
        }
    }

    fn sel(&mut self, obj: &Map<String, Value>, key: &str, at: &str) -> Sel {
        match obj.get(key) {
            None => Sel::All,
            Some(Value::Null) => Sel::Nothing,
            Some(Value::String(s)) => match Path::parse(s) {
                Ok(Path::Ref(r)) if r.is_identity() => Sel::All,
                Ok(p) => Sel::Path(p),
                Err(_) => {
                    self.schema(
                        format!("The value for the field '{key}' must be a valid JSONPath"),
                        &format!("{at}/{key}"),
                    );
                    Sel::All
                }
            },
            Some(_) => {
                self.schema("Expected value of type: String", &format!("{at}/{key}"));
                Sel::All
            }
        }
    }

    fn result_sel(&mut self, obj: &Map<String, Value>, key: &str, at: &str) -> ResultSel {
        match obj.get(key) {
            None => ResultSel::Replace,
            Some(Value::Null) => ResultSel::Discard,
            Some(Value::String(s)) => match RefPath::parse(s) {
                Ok(r) if r.is_identity() => ResultSel::Replace,
                Ok(r) if r.root == super::path::Root::Input => ResultSel::At(r),
                _ => {
                    self.schema(
                        format!("The value for the field '{key}' must be a valid ReferencePath"),
                        &format!("{at}/{key}"),
                    );
                    ResultSel::Replace
                }
            },
            Some(_) => {
                self.schema("Expected value of type: String", &format!("{at}/{key}"));
                ResultSel::Replace
            }
        }
    }

    fn tmpl(&mut self, obj: &Map<String, Value>, key: &str, at: &str, lang: Lang) -> Option<Tmpl> {
        let v = obj.get(key)?;
        let here = format!("{at}/{key}");
        let object_only = matches!(
            key,
            "Parameters" | "ResultSelector" | "ItemSelector" | "Assign"
        ) || (key == "BatchInput");
        if object_only && !v.is_object() {
            self.schema("Expected value of type: Object", &here);
            return None;
        }
        let mut errs = Vec::new();
        let t = match lang {
            Lang::JsonPath => Tmpl::jsonpath(v, &mut errs),
            Lang::Jsonata => Tmpl::jsonata(v, &mut errs),
        };
        for e in errs {
            let code = if lang == Lang::Jsonata {
                "INVALID_JSONATA_EXPRESSION"
            } else {
                "SCHEMA_VALIDATION_FAILED"
            };
            self.push(code, e.message, &format!("{here}{}", e.at));
        }
        Some(t)
    }

    fn jsonata_expr(&mut self, s: &str, at: &str) -> Option<Arc<jsonata::Expr>> {
        let body = jsonata_body(s)?;
        match jsonata::parse(body) {
            Ok(e) => Some(Arc::new(e)),
            Err(e) => {
                self.push(
                    "INVALID_JSONATA_EXPRESSION",
                    format!("The JSONata expression '{body}' is not valid: {e}"),
                    at,
                );
                None
            }
        }
    }

    /// A number field (`Seconds`, `TimeoutSeconds` ...) with its `...Path` twin.
    fn num_src(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        at: &str,
        lang: Lang,
        min: u64,
        max: u64,
    ) -> Option<Src<u64>> {
        let path_key = format!("{key}Path");
        if obj.contains_key(key) && obj.contains_key(&path_key) {
            self.schema(
                format!("Only one of '{key}' or '{path_key}' may be set"),
                at,
            );
        }
        if let Some(v) = obj.get(key) {
            let here = format!("{at}/{key}");
            if let (Lang::Jsonata, Value::String(s)) = (lang, v) {
                return self.jsonata_expr(s, &here).map(Src::Jsonata);
            }
            return match v.as_u64() {
                Some(n) if n >= min && n <= max => Some(Src::Fixed(n)),
                _ => {
                    self.schema(
                        format!("The value of '{key}' must be an integer from {min} to {max}"),
                        &here,
                    );
                    None
                }
            };
        }
        self.ref_path(obj, &path_key, at).map(Src::Path)
    }

    fn str_src(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        at: &str,
        lang: Lang,
    ) -> Option<Src<String>> {
        let path_key = format!("{key}Path");
        if obj.contains_key(key) && obj.contains_key(&path_key) {
            self.schema(
                format!("Only one of '{key}' or '{path_key}' may be set"),
                at,
            );
        }
        if let Some(s) = self.string(obj, key, at) {
            if lang == Lang::Jsonata && jsonata_body(s).is_some() {
                return self
                    .jsonata_expr(s, &format!("{at}/{key}"))
                    .map(Src::Jsonata);
            }
            return Some(Src::Fixed(s.to_string()));
        }
        let s = self.string(obj, &path_key, at)?;
        if intrinsics::looks_like_call(s) {
            match intrinsics::parse(s) {
                Ok(c) => Some(Src::Call(Box::new(c))),
                Err(e) => {
                    self.schema(
                        format!("The value for the field '{path_key}' must be a valid JSONPath or a valid intrinsic function call ({e})"),
                        &format!("{at}/{path_key}"),
                    );
                    None
                }
            }
        } else {
            self.ref_path(obj, &path_key, at).map(Src::Path)
        }
    }

    fn state(
        &mut self,
        name: &str,
        obj: &Map<String, Value>,
        at: &str,
        parent_lang: Lang,
    ) -> (State, Vec<(String, String, Slot)>) {
        let mut targets = Vec::new();
        let kind_name = match obj.get("Type") {
            Some(Value::String(t)) => t.as_str(),
            Some(_) => {
                self.schema("Expected value of type: String", &format!("{at}/Type"));
                ""
            }
            None => {
                self.schema("These fields are required: [Type]", at);
                ""
            }
        };
        let known = allowed(kind_name);
        if known.is_empty() && !kind_name.is_empty() {
            self.schema(
                format!("'{kind_name}' is not a valid state Type: use Pass, Task, Choice, Wait, Succeed, Fail, Parallel or Map"),
                &format!("{at}/Type"),
            );
        }
        let lang = match obj.get("QueryLanguage") {
            None => parent_lang,
            Some(Value::String(s)) if s == "JSONata" => Lang::Jsonata,
            Some(Value::String(s)) if s == "JSONPath" => {
                if self.top_lang == Lang::Jsonata {
                    self.schema(
                        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                        at,
                    );
                }
                Lang::JsonPath
            }
            Some(_) => {
                self.schema(
                    "Value is not a valid QueryLanguage: use 'JSONPath' or 'JSONata'",
                    &format!("{at}/QueryLanguage"),
                );
                parent_lang
            }
        };
        if !known.is_empty() {
            for k in obj.keys() {
                if COMMON.contains(&k.as_str()) {
                    continue;
                }
                if !known.contains(&k.as_str()) {
                    self.schema(
                        format!("Field '{k}' is not supported"),
                        &format!("{at}/{k}"),
                    );
                } else if lang == Lang::JsonPath && JSONATA_ONLY.contains(&k.as_str()) {
                    self.schema(
                        format!("The QueryLanguage is set to 'JSONPath', but field '{k}' is only supported for the 'JSONata' QueryLanguage"),
                        at,
                    );
                } else if lang == Lang::Jsonata && JSONPATH_ONLY.contains(&k.as_str()) {
                    self.schema(
                        format!("The QueryLanguage is set to 'JSONata', but field '{k}' is only supported for the 'JSONPath' QueryLanguage"),
                        at,
                    );
                }
            }
        }
        // Next / End.
        let terminal_type = matches!(kind_name, "Choice" | "Succeed" | "Fail");
        let end = match obj.get("End") {
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.schema("Expected value of type: Boolean", &format!("{at}/End"));
                false
            }
            None => false,
        };
        if !terminal_type && !known.is_empty() {
            match (obj.get("Next"), end) {
                (Some(_), true) => self.schema("Only one of 'Next' or 'End' may be set", at),
                (None, false) => self.schema("These fields are required: [Next, End]", at),
                _ => {}
            }
            if let Some(n) = self.string(obj, "Next", at) {
                targets.push((n.to_string(), format!("{at}/Next"), Slot::Next));
            }
        }
        let input_path = self.sel(obj, "InputPath", at);
        let output_path = self.sel(obj, "OutputPath", at);
        let result_path = self.result_sel(obj, "ResultPath", at);
        let parameters = match lang {
            Lang::JsonPath if kind_name != "Map" => self.tmpl(obj, "Parameters", at, lang),
            Lang::JsonPath => None,
            Lang::Jsonata => self.tmpl(obj, "Arguments", at, lang),
        };
        let result_selector = self.tmpl(obj, "ResultSelector", at, lang);
        let output = if lang == Lang::Jsonata {
            self.tmpl(obj, "Output", at, lang)
        } else {
            None
        };
        let assign = self.tmpl(obj, "Assign", at, lang);
        let retry = self.retriers(obj, at);
        let mut catch = Vec::new();
        if let Some(c) = obj.get("Catch") {
            match c {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let here = format!("{at}/Catch/{i}");
                        let Value::Object(co) = item else {
                            self.schema("Expected value of type: Object", &here);
                            continue;
                        };
                        for k in co.keys() {
                            if ![
                                "ErrorEquals",
                                "Next",
                                "ResultPath",
                                "Output",
                                "Assign",
                                "Comment",
                            ]
                            .contains(&k.as_str())
                            {
                                self.schema(format!("Field '{k}' is not supported"), &here);
                            }
                        }
                        let errors = self.error_equals(co, &here, i + 1 == items.len());
                        match self.string(co, "Next", &here) {
                            Some(n) => targets.push((
                                n.to_string(),
                                format!("{here}/Next"),
                                Slot::Catch(catch.len()),
                            )),
                            None => self.schema("These fields are required: [Next]", &here),
                        }
                        let result_path = self.result_sel(co, "ResultPath", &here);
                        let output = if lang == Lang::Jsonata {
                            self.tmpl(co, "Output", &here, lang)
                        } else {
                            None
                        };
                        let assign = self.tmpl(co, "Assign", &here, lang);
                        catch.push(Catcher {
                            errors,
                            next: usize::MAX,
                            result_path,
                            output,
                            assign,
                        });
                    }
                }
                _ => self.schema("Expected value of type: Array", &format!("{at}/Catch")),
            }
        }
        let kind = match kind_name {
            "Pass" => {
                if lang == Lang::JsonPath
                    && let Some(Value::Object(r)) = obj.get("Result")
                    && r.keys().any(|k| k.ends_with(".$"))
                {
                    self.diags.push(Diagnostic {
                                severity: "WARNING",
                                code: "PASS_RESULT_IS_STATIC",
                                message: "The Result field of a Pass state is static: '.$' fields in it are not evaluated (use Parameters)".into(),
                                location: Some(format!("{at}/Result")),
                            });
                }
                Kind::Pass {
                    result: obj.get("Result").cloned(),
                }
            }
            "Task" => self.task(obj, at, lang),
            "Choice" => self.choice(obj, at, lang, &mut targets),
            "Wait" => self.wait(obj, at, lang),
            "Succeed" => Kind::Succeed,
            "Fail" => Kind::Fail {
                error: self.str_src(obj, "Error", at, lang),
                cause: self.str_src(obj, "Cause", at, lang),
            },
            "Parallel" => {
                let mut branches = Vec::new();
                match obj.get("Branches") {
                    Some(Value::Array(bs)) if !bs.is_empty() => {
                        for (i, b) in bs.iter().enumerate() {
                            let here = format!("{at}/Branches/{i}");
                            match b {
                                Value::Object(bo) => {
                                    branches.push(Arc::new(self.machine(bo, &here, false, lang)))
                                }
                                _ => self.schema("Expected value of type: Object", &here),
                            }
                        }
                    }
                    Some(_) => self.schema(
                        "The field 'Branches' must be a non-empty array",
                        &format!("{at}/Branches"),
                    ),
                    None => self.schema("These fields are required: [Branches]", at),
                }
                Kind::Parallel { branches }
            }
            "Map" => self.map(obj, at, lang),
            _ => Kind::Pass { result: None },
        };
        let mut needs_context = [&parameters, &result_selector, &output, &assign]
            .iter()
            .any(|t| t.as_ref().is_some_and(Tmpl::uses_context));
        if let Kind::Map(m) = &kind {
            needs_context |= m.item_selector.is_some();
        }
        if let Kind::Task(t) = &kind {
            needs_context |= t.pattern == Pattern::Token;
        }
        needs_context |= lang == Lang::Jsonata;
        let state = State {
            name: Arc::from(name),
            kind,
            next: None,
            lang,
            input_path,
            parameters,
            result_selector,
            result_path,
            output_path,
            output,
            assign,
            retry,
            catch,
            needs_context,
        };
        (state, targets)
    }

    fn error_equals(&mut self, obj: &Map<String, Value>, at: &str, last: bool) -> Vec<String> {
        let errors: Vec<String> = match obj.get("ErrorEquals") {
            Some(Value::Array(a)) if !a.is_empty() => a
                .iter()
                .filter_map(|e| match e {
                    Value::String(s) => Some(s.clone()),
                    _ => {
                        self.schema(
                            "Expected value of type: String",
                            &format!("{at}/ErrorEquals"),
                        );
                        None
                    }
                })
                .collect(),
            Some(_) => {
                self.schema(
                    "The field 'ErrorEquals' must be a non-empty array of strings",
                    &format!("{at}/ErrorEquals"),
                );
                Vec::new()
            }
            None => {
                self.schema("These fields are required: [ErrorEquals]", at);
                Vec::new()
            }
        };
        if errors.iter().any(|e| e == super::errors::ALL) && (errors.len() > 1 || !last) {
            self.schema(
                "States.ALL must appear alone in ErrorEquals and only in the last retrier or catcher",
                &format!("{at}/ErrorEquals"),
            );
        }
        errors
    }

    fn retriers(&mut self, obj: &Map<String, Value>, at: &str) -> Vec<Retrier> {
        let mut out = Vec::new();
        let Some(r) = obj.get("Retry") else {
            return out;
        };
        let Value::Array(items) = r else {
            self.schema("Expected value of type: Array", &format!("{at}/Retry"));
            return out;
        };
        for (i, item) in items.iter().enumerate() {
            let here = format!("{at}/Retry/{i}");
            let Value::Object(ro) = item else {
                self.schema("Expected value of type: Object", &here);
                continue;
            };
            for k in ro.keys() {
                if ![
                    "ErrorEquals",
                    "IntervalSeconds",
                    "MaxAttempts",
                    "BackoffRate",
                    "MaxDelaySeconds",
                    "JitterStrategy",
                    "Comment",
                ]
                .contains(&k.as_str())
                {
                    self.schema(format!("Field '{k}' is not supported"), &here);
                }
            }
            let errors = self.error_equals(ro, &here, i + 1 == items.len());
            let interval = match ro.get("IntervalSeconds") {
                None => 1.0,
                Some(v) => match v.as_u64() {
                    Some(n) if (1..=99_999_999).contains(&n) => n as f64,
                    _ => {
                        self.schema(
                            "IntervalSeconds must be an integer from 1 to 99999999",
                            &format!("{here}/IntervalSeconds"),
                        );
                        1.0
                    }
                },
            };
            let max_attempts = match ro.get("MaxAttempts") {
                None => 3,
                Some(v) => match v.as_u64() {
                    Some(n) if n <= 99_999_999 => n as u32,
                    _ => {
                        self.schema(
                            "MaxAttempts must be an integer from 0 to 99999999",
                            &format!("{here}/MaxAttempts"),
                        );
                        3
                    }
                },
            };
            let backoff = match ro.get("BackoffRate") {
                None => 2.0,
                Some(v) => match v.as_f64() {
                    Some(x) if x >= 1.0 => x,
                    _ => {
                        self.schema(
                            "BackoffRate must be a number greater than or equal to 1.0",
                            &format!("{here}/BackoffRate"),
                        );
                        2.0
                    }
                },
            };
            let max_delay = match ro.get("MaxDelaySeconds") {
                None => None,
                Some(v) => match v.as_u64() {
                    Some(n) if (1..31_622_401).contains(&n) => Some(n as f64),
                    _ => {
                        self.schema(
                            "MaxDelaySeconds must be an integer from 1 to 31622400",
                            &format!("{here}/MaxDelaySeconds"),
                        );
                        None
                    }
                },
            };
            let jitter = match ro.get("JitterStrategy") {
                None => false,
                Some(Value::String(s)) if s == "FULL" => true,
                Some(Value::String(s)) if s == "NONE" => false,
                Some(_) => {
                    self.schema(
                        "JitterStrategy must be FULL or NONE",
                        &format!("{here}/JitterStrategy"),
                    );
                    false
                }
            };
            out.push(Retrier {
                errors,
                interval,
                max_attempts,
                backoff,
                max_delay,
                jitter,
            });
        }
        out
    }

    fn task(&mut self, obj: &Map<String, Value>, at: &str, lang: Lang) -> Kind {
        let resource = match self.string(obj, "Resource", at) {
            Some(r) => r.to_string(),
            None => {
                if !obj.contains_key("Resource") {
                    self.schema("These fields are required: [Resource]", at);
                }
                String::new()
            }
        };
        let (integration, pattern) = if resource.is_empty() {
            (Integration::Unsupported(String::new()), Pattern::Request)
        } else {
            match classify(&resource) {
                Some(x) => x,
                None => {
                    self.push(
                        "INVALID_RESOURCE",
                        format!("Resource '{resource}' is not a valid ARN"),
                        &format!("{at}/Resource"),
                    );
                    (Integration::Unsupported(resource.clone()), Pattern::Request)
                }
            }
        };
        let timeout = self.num_src(obj, "TimeoutSeconds", at, lang, 1, MAX_TIMEOUT_SECONDS);
        let heartbeat = self.num_src(obj, "HeartbeatSeconds", at, lang, 1, MAX_TIMEOUT_SECONDS);
        if let (Some(Src::Fixed(t)), Some(Src::Fixed(h))) = (&timeout, &heartbeat)
            && h >= t
        {
            self.schema(
                "HeartbeatSeconds must be smaller than TimeoutSeconds",
                &format!("{at}/HeartbeatSeconds"),
            );
        }
        Kind::Task(Box::new(TaskSpec {
            resource,
            integration,
            pattern,
            timeout,
            heartbeat,
        }))
    }

    fn choice(
        &mut self,
        obj: &Map<String, Value>,
        at: &str,
        lang: Lang,
        targets: &mut Vec<(String, String, Slot)>,
    ) -> Kind {
        let mut choices = Vec::new();
        match obj.get("Choices") {
            Some(Value::Array(items)) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    let here = format!("{at}/Choices/{i}");
                    let Value::Object(co) = item else {
                        self.schema("Expected value of type: Object", &here);
                        continue;
                    };
                    let rule = self.rule(co, &here, true, lang);
                    match self.string(co, "Next", &here) {
                        Some(n) => targets.push((
                            n.to_string(),
                            format!("{here}/Next"),
                            Slot::Choice(choices.len()),
                        )),
                        None => self.schema("These fields are required: [Next]", &here),
                    }
                    let output = if lang == Lang::Jsonata {
                        self.tmpl(co, "Output", &here, lang)
                    } else {
                        None
                    };
                    let assign = self.tmpl(co, "Assign", &here, lang);
                    choices.push(Choice {
                        rule: rule.unwrap_or(Rule::And(Vec::new())),
                        next: usize::MAX,
                        output,
                        assign,
                    });
                }
            }
            Some(_) => self.schema(
                "The field 'Choices' must be a non-empty array",
                &format!("{at}/Choices"),
            ),
            None => self.schema("These fields are required: [Choices]", at),
        }
        if let Some(d) = self.string(obj, "Default", at) {
            targets.push((d.to_string(), format!("{at}/Default"), Slot::Default));
        }
        Kind::Choice {
            choices,
            default: None,
        }
    }

    fn rule(&mut self, obj: &Map<String, Value>, at: &str, top: bool, lang: Lang) -> Option<Rule> {
        if lang == Lang::Jsonata {
            for k in obj.keys() {
                if !["Condition", "Next", "Output", "Assign", "Comment"].contains(&k.as_str()) {
                    self.schema(format!("Field '{k}' is not supported"), at);
                }
            }
            return match self.string(obj, "Condition", at) {
                Some(s) => match self.jsonata_expr(s, &format!("{at}/Condition")) {
                    Some(e) => Some(Rule::Condition(e)),
                    None => {
                        if jsonata_body(s).is_none() {
                            self.schema(
                                "The Condition must be a JSONata expression in {% %}",
                                &format!("{at}/Condition"),
                            );
                        }
                        None
                    }
                },
                None => {
                    self.schema("These fields are required: [Condition]", at);
                    None
                }
            };
        }
        let mut extra: Vec<&str> = vec!["Comment"];
        if top {
            extra.extend(["Next", "Assign"]);
        }
        let ops: Vec<&String> = obj
            .keys()
            .filter(|k| !extra.contains(&k.as_str()) && k.as_str() != "Variable")
            .collect();
        if ops.len() != 1 {
            if ops.is_empty() {
                self.schema(
                    "A choice rule must have exactly one comparison operator or And/Or/Not",
                    at,
                );
            } else {
                let names: Vec<&str> = ops.iter().map(|s| s.as_str()).collect();
                self.schema(
                    format!(
                        "A choice rule must have exactly one comparison operator; found [{}]",
                        names.join(", ")
                    ),
                    at,
                );
            }
            return None;
        }
        let op = ops[0].as_str();
        let val = &obj[op];
        let here = format!("{at}/{op}");
        match op {
            "And" | "Or" => {
                if obj.contains_key("Variable") {
                    self.schema("Field 'Variable' is not supported with And/Or", at);
                }
                let Value::Array(items) = val else {
                    self.schema("Expected value of type: Array", &here);
                    return None;
                };
                if items.is_empty() {
                    self.schema(format!("The field '{op}' must be a non-empty array"), &here);
                }
                let mut rules = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let h = format!("{here}/{i}");
                    match item {
                        Value::Object(o) => rules.extend(self.rule(o, &h, false, lang)),
                        _ => self.schema("Expected value of type: Object", &h),
                    }
                }
                Some(if op == "And" {
                    Rule::And(rules)
                } else {
                    Rule::Or(rules)
                })
            }
            "Not" => {
                let Value::Object(o) = val else {
                    self.schema("Expected value of type: Object", &here);
                    return None;
                };
                self.rule(o, &here, false, lang)
                    .map(|r| Rule::Not(Box::new(r)))
            }
            _ => {
                let (name, is_path) = match op.strip_suffix("Path") {
                    Some(base) if OPS.iter().any(|(n, o)| *n == base && o.has_path_form()) => {
                        (base, true)
                    }
                    _ => (op, false),
                };
                let Some(&(_, opv)) = OPS.iter().find(|(n, _)| *n == name) else {
                    self.schema(format!("Field '{op}' is not supported"), at);
                    return None;
                };
                let var = match obj.get("Variable") {
                    Some(_) => self.ref_path(obj, "Variable", at),
                    None => {
                        self.schema("These fields are required: [Variable]", at);
                        None
                    }
                }?;
                let operand = if is_path {
                    match val.as_str().map(RefPath::parse) {
                        Some(Ok(p)) => Operand::Path(p),
                        _ => {
                            self.schema(
                                format!(
                                    "The value for the field '{op}' must be a valid ReferencePath"
                                ),
                                &here,
                            );
                            return None;
                        }
                    }
                } else {
                    let ok = match opv.operand_kind() {
                        "string" => val.is_string(),
                        "number" => val.is_number(),
                        _ => val.is_boolean(),
                    };
                    if !ok {
                        self.schema(
                            format!("The value of '{op}' must be a {}", opv.operand_kind()),
                            &here,
                        );
                        return None;
                    }
                    if opv.operand_kind() == "string"
                        && name.starts_with("Timestamp")
                        && !super::choice::compare(
                            super::choice::Op::IsTimestamp,
                            val,
                            &Value::Bool(true),
                        )
                    {
                        self.schema(
                            format!("The value of '{op}' must be an RFC 3339 timestamp"),
                            &here,
                        );
                        return None;
                    }
                    Operand::Lit(val.clone())
                };
                Some(Rule::Cmp {
                    var,
                    op: opv,
                    operand,
                })
            }
        }
    }

    fn wait(&mut self, obj: &Map<String, Value>, at: &str, lang: Lang) -> Kind {
        let present: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
            .into_iter()
            .filter(|k| obj.contains_key(*k))
            .collect();
        if present.len() != 1 {
            self.schema(
                "A Wait state must have exactly one of Seconds, Timestamp, SecondsPath or TimestampPath",
                at,
            );
        }
        if obj.contains_key("Seconds") || obj.contains_key("SecondsPath") {
            let s = self.num_src(obj, "Seconds", at, lang, 0, 99_999_999);
            return Kind::Wait(WaitFor::Seconds(s.unwrap_or(Src::Fixed(0))));
        }
        if let Some(Value::String(ts)) = obj.get("Timestamp")
            && !(lang == Lang::Jsonata && jsonata_body(ts).is_some())
            && !super::choice::compare(
                super::choice::Op::IsTimestamp,
                &Value::String(ts.clone()),
                &Value::Bool(true),
            )
        {
            self.schema(
                "The value of 'Timestamp' must be an RFC 3339 timestamp",
                &format!("{at}/Timestamp"),
            );
        }
        let t = self.str_src(obj, "Timestamp", at, lang);
        Kind::Wait(WaitFor::Timestamp(t.unwrap_or(Src::Fixed(String::new()))))
    }

    fn map(&mut self, obj: &Map<String, Value>, at: &str, lang: Lang) -> Kind {
        let (key, proc_obj) = match (obj.get("ItemProcessor"), obj.get("Iterator")) {
            (Some(p), None) => ("ItemProcessor", Some(p)),
            (None, Some(p)) => ("Iterator", Some(p)),
            (Some(_), Some(_)) => {
                self.schema("Only one of 'ItemProcessor' or 'Iterator' may be set", at);
                ("ItemProcessor", None)
            }
            (None, None) => {
                self.schema("These fields are required: [ItemProcessor]", at);
                ("ItemProcessor", None)
            }
        };
        let here = format!("{at}/{key}");
        let mut distributed = false;
        let processor = match proc_obj {
            Some(Value::Object(po)) => {
                if let Some(Value::Object(cfg)) = po.get("ProcessorConfig") {
                    distributed = cfg.get("Mode").and_then(Value::as_str) == Some("DISTRIBUTED");
                }
                self.machine(po, &here, false, lang)
            }
            Some(_) => {
                self.schema("Expected value of type: Object", &here);
                empty_machine()
            }
            None => empty_machine(),
        };
        if obj.contains_key("ItemReader") {
            self.schema(
                "Field 'ItemReader' is not supported in this sandbox (there is no S3): pass the items in the input",
                &format!("{at}/ItemReader"),
            );
        }
        for k in [
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ItemBatcher",
            "ResultWriter",
            "Label",
        ] {
            if obj.contains_key(k) && !distributed {
                self.schema(
                    format!("Field '{k}' is only supported for a Map state in DISTRIBUTED mode (ItemProcessor.ProcessorConfig.Mode)"),
                    &format!("{at}/{k}"),
                );
            }
        }
        let items_path = if lang == Lang::JsonPath {
            self.ref_path(obj, "ItemsPath", at)
                .unwrap_or_else(RefPath::root)
        } else {
            RefPath::root()
        };
        let items = if lang == Lang::Jsonata {
            self.tmpl(obj, "Items", at, lang)
        } else {
            None
        };
        let selector_key = if obj.contains_key("ItemSelector") {
            if obj.contains_key("Parameters") {
                self.schema("Only one of 'ItemSelector' or 'Parameters' may be set", at);
            }
            "ItemSelector"
        } else {
            "Parameters"
        };
        let item_selector = self.tmpl(obj, selector_key, at, lang);
        let max_concurrency = self
            .num_src(obj, "MaxConcurrency", at, lang, 0, 99_999_999)
            .unwrap_or(Src::Fixed(0));
        let tolerated_percentage = if let Some(v) = obj.get("ToleratedFailurePercentage") {
            match v.as_f64() {
                Some(x) if (0.0..=100.0).contains(&x) => Some(Src::Fixed(x)),
                _ => {
                    if let (Lang::Jsonata, Some(s)) = (lang, v.as_str()) {
                        self.jsonata_expr(s, &format!("{at}/ToleratedFailurePercentage"))
                            .map(Src::Jsonata)
                    } else {
                        self.schema(
                            "ToleratedFailurePercentage must be a number from 0 to 100",
                            &format!("{at}/ToleratedFailurePercentage"),
                        );
                        None
                    }
                }
            }
        } else {
            self.ref_path(obj, "ToleratedFailurePercentagePath", at)
                .map(Src::Path)
        };
        let tolerated_count = self.num_src(obj, "ToleratedFailureCount", at, lang, 0, 99_999_999);
        let (batch_max_items, batch_input) = match obj.get("ItemBatcher") {
            Some(Value::Object(b)) => {
                let h = format!("{at}/ItemBatcher");
                for k in b.keys() {
                    if ![
                        "MaxItemsPerBatch",
                        "MaxItemsPerBatchPath",
                        "MaxInputBytesPerBatch",
                        "MaxInputBytesPerBatchPath",
                        "BatchInput",
                    ]
                    .contains(&k.as_str())
                    {
                        self.schema(format!("Field '{k}' is not supported"), &h);
                    }
                }
                (
                    self.num_src(b, "MaxItemsPerBatch", &h, lang, 1, 99_999_999),
                    self.tmpl(b, "BatchInput", &h, lang),
                )
            }
            Some(_) => {
                self.schema(
                    "Expected value of type: Object",
                    &format!("{at}/ItemBatcher"),
                );
                (None, None)
            }
            None => (None, None),
        };
        Kind::Map(Box::new(MapSpec {
            processor: Arc::new(processor),
            items_path,
            items,
            item_selector,
            max_concurrency,
            tolerated_percentage,
            tolerated_count,
            batch_max_items,
            batch_input,
            distributed,
        }))
    }
}

fn empty_machine() -> Machine {
    Machine {
        start: 0,
        states: Vec::new(),
        index: BTreeMap::new(),
        timeout: None,
        location: String::new(),
    }
}

/// What a Task resource ARN calls and how it waits; `None` when it is no ARN.
pub fn classify(resource: &str) -> Option<(Integration, Pattern)> {
    let (service, _region, _account, rest) = crate::cloud::parse_arn(resource)?;
    match service {
        "lambda" => {
            let name = rest.strip_prefix("function:")?;
            Some((Integration::LambdaArn(name.to_string()), Pattern::Request))
        }
        "states" => {
            if let Some(name) = rest.strip_prefix("activity:") {
                return Some((
                    Integration::Unsupported(format!("activity:{name}")),
                    Pattern::Request,
                ));
            }
            let (action, pattern) = match rest.rsplit_once('.') {
                Some((a, "sync")) => (a, Pattern::Sync),
                Some((a, "sync:2")) => (a, Pattern::Sync2),
                Some((a, "waitForTaskToken")) => (a, Pattern::Token),
                _ => match rest.strip_suffix(".sync:2") {
                    Some(a) => (a, Pattern::Sync2),
                    None => (rest, Pattern::Request),
                },
            };
            let integration = match action {
                "lambda:invoke" => Integration::LambdaInvoke,
                "sqs:sendMessage" => Integration::SqsSend,
                "sns:publish" => Integration::SnsPublish,
                "states:startExecution" => Integration::StartExecution,
                other => Integration::Unsupported(other.to_string()),
            };
            Some((integration, pattern))
        }
        _ => Some((
            Integration::Unsupported(resource.to_string()),
            Pattern::Request,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diags(def: Value) -> Vec<String> {
        match Definition::from_json(def) {
            Ok(_) => Vec::new(),
            Err(d) => d.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn spec_hello_world_is_valid() {
        let d = Definition::from_json(json!({
            "Comment": "A simple minimal example of the States language",
            "StartAt": "Hello World",
            "States": {
                "Hello World": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:HelloWorld",
                    "End": true
                }
            }
        }))
        .unwrap();
        assert_eq!(d.state_names(), vec!["Hello World"]);
        let Kind::Task(t) = &d.machine.states[0].kind else {
            panic!()
        };
        assert_eq!(t.integration, Integration::LambdaArn("HelloWorld".into()));
    }

    #[test]
    fn reports_every_problem_at_once_as_aws_words_them() {
        // The example AWS answers with two MISSING_TRANSITION_TARGET problems.
        let got = diags(json!({
            "StartAt": "pass1",
            "States": {
                "pass1": {"Type": "Pass", "Next": "pass3"},
                "pass2": {"Type": "Pass", "End": true}
            }
        }));
        assert_eq!(
            got,
            vec![
                "MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next",
                "MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2",
            ]
        );
        let got = diags(json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "B", "Bogus": 1, "TimeoutSeconds": 3},
                "B": {"Type": "Wait", "Next": "A"}
            }
        }));
        assert!(
            got.contains(
                &"SCHEMA_VALIDATION_FAILED: Field 'Bogus' is not supported at /States/A/Bogus"
                    .to_string()
            ),
            "{got:?}"
        );
        assert!(got.contains(&"SCHEMA_VALIDATION_FAILED: Field 'TimeoutSeconds' is not supported at /States/A/TimeoutSeconds".to_string()), "{got:?}");
        assert!(
            got.iter()
                .any(|d| d
                    .starts_with("SCHEMA_VALIDATION_FAILED: A Wait state must have exactly one")),
            "{got:?}"
        );
        assert!(
            got.contains(&"MISSING_END_STATE: Workflow has no terminal state at /".to_string())
                || got.iter().any(|d| d.starts_with("MISSING_END_STATE")),
            "{got:?}"
        );
    }

    #[test]
    fn nested_problems_carry_their_path() {
        let got = diags(json!({
            "StartAt": "P",
            "States": {
                "P": {"Type": "Parallel", "End": true, "Branches": [
                    {"StartAt": "X", "States": {"X": {"Type": "Pass"}}}
                ]},
            }
        }));
        assert_eq!(
            got,
            vec![
                "SCHEMA_VALIDATION_FAILED: These fields are required: [Next, End] at /States/P/Branches/0/States/X"
            ]
        );
        let got = diags(json!({
            "StartAt": "C",
            "States": {
                "C": {"Type": "Choice", "Choices": [
                    {"Variable": "$.x", "NumericEquals": "1", "Next": "D"},
                    {"Variable": "x", "StringEquals": "a", "Next": "Nope"}
                ], "Default": "D"},
                "D": {"Type": "Succeed"}
            }
        }));
        assert_eq!(
            got,
            vec![
                "SCHEMA_VALIDATION_FAILED: The value of 'NumericEquals' must be a number at /States/C/Choices/0/NumericEquals",
                "SCHEMA_VALIDATION_FAILED: The value for the field 'Variable' must be a valid ReferencePath at /States/C/Choices/1/Variable",
                "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nope at /States/C/Choices/1/Next",
            ]
        );
    }

    #[test]
    fn bad_json_and_duplicates() {
        let e = Definition::parse("{nope").unwrap_err();
        assert_eq!(e[0].code, "INVALID_JSON_DESCRIPTION");
        let got = diags(json!({
            "StartAt": "M",
            "States": {
                "M": {"Type": "Map", "End": true, "ItemProcessor": {
                    "StartAt": "M", "States": {"M": {"Type": "Succeed"}}
                }}
            }
        }));
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("DUPLICATE_STATE_NAME"), "{got:?}");
    }

    #[test]
    fn query_language_fields_are_checked() {
        let got = diags(json!({
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Output": {"x": 1}, "End": true}}
        }));
        assert_eq!(
            got,
            vec![
                "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage at /States/A"
            ]
        );
        let ok = Definition::from_json(json!({
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Output": "{% $states.input.x + 1 %}", "End": true}}
        }));
        assert!(ok.is_ok(), "{ok:?}");
        let got = diags(json!({
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Output": "{% 1 + %}", "End": true}}
        }));
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("INVALID_JSONATA_EXPRESSION"), "{got:?}");
    }

    #[test]
    fn resources_are_classified() {
        assert_eq!(
            classify("arn:aws:states:::lambda:invoke"),
            Some((Integration::LambdaInvoke, Pattern::Request))
        );
        assert_eq!(
            classify("arn:aws:states:::lambda:invoke.waitForTaskToken"),
            Some((Integration::LambdaInvoke, Pattern::Token))
        );
        assert_eq!(
            classify("arn:aws:states:::states:startExecution.sync:2"),
            Some((Integration::StartExecution, Pattern::Sync2))
        );
        assert_eq!(
            classify("arn:aws:states:::sqs:sendMessage"),
            Some((Integration::SqsSend, Pattern::Request))
        );
        assert!(classify("createToken").is_none());
    }
}

//! The interpreter: runs executions state by state in virtual time.
//!
//! An execution is a tree of *runs*: the top level, each Parallel branch and
//! each Map iteration. A run steps through states synchronously until it must
//! wait — for a Wait timer, a task, a retry's back-off or its children — and
//! every such wait is a scheduled job that comes back through [`deliver`]
//! carrying the run's generation, so a late event (a timeout after the task
//! finished, a task of an aborted branch) is recognised and dropped.
//!
//! The interpreter never calls user code directly: tasks run as jobs
//! (`tasks.rs`), so a Lambda handler may call SendTaskSuccess on the very
//! execution that invoked it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::choice::Rule;
use super::definition::{
    Integration, Kind, Lang, Machine, Pattern, ResultSel, Sel, Src, State, WaitFor,
};
use super::errors::{self, Failure};
use super::history::{Details, EventType};
use super::model::{Exec, Kids, Phase, Run, StatesState, Status, TaskInfo, TokenRef, WorkflowType};
use super::quotas::*;
use super::template::{Ev, Tmpl, Vars};
use crate::cloud::{Cloud, Core};
use crate::scheduler::Scheduler;
use crate::time::SimTime;

/// What comes back to a waiting run.
#[derive(Debug)]
pub(crate) enum Input {
    /// A Wait state's time is up.
    WaitDone(Value),
    /// A retry's back-off is over.
    Retry,
    /// History events of a task that goes on waiting (started, submitted).
    TaskEvents(Vec<(EventType, Details)>),
    /// The task finished; the events describe how.
    TaskDone(Result<Value, Failure>, Vec<(EventType, Details)>),
    /// TimeoutSeconds (false) or HeartbeatSeconds (true, with the heartbeat seq) ran out.
    TaskTimeout(bool, u64),
}

enum Flow {
    Go(usize, Value),
    End(Value),
    Error(Failure),
    Block,
}

pub(crate) struct Cx<'a> {
    pub core: &'a mut Core,
    pub sched: &'a mut Scheduler,
    pub ex: &'a mut Exec,
    pub tokens: &'a mut std::collections::BTreeMap<String, TokenRef>,
    pub id: usize,
}

/// Runs whatever is ready in execution `id`.
pub(crate) fn drive(cloud: &mut Cloud, id: usize) {
    let Cloud {
        core,
        scheduler,
        states,
        ..
    } = &mut *cloud;
    let Some(ex) = states.execs.get_mut(id) else {
        return;
    };
    let mut cx = Cx {
        core,
        sched: scheduler,
        ex,
        tokens: &mut states.tokens,
        id,
    };
    cx.run_ready();
    cx.settle_bill();
    let finished = cx.ex.status != Status::Running;
    let parent = cx.ex.parent;
    if finished {
        release(states, id);
    }
    crate::events::sources::execution_status(cloud, id);
    if finished && let Some(p) = parent {
        notify_parent(cloud, id, p);
    }
}

/// Hands an event to run `run` of execution `exec`, if it still waits for it.
pub(crate) fn deliver(cloud: &mut Cloud, exec: usize, run: usize, epoch: u64, input: Input) {
    let Some(ex) = cloud.states.execs.get_mut(exec) else {
        return;
    };
    if ex.status != Status::Running {
        return;
    }
    let Some(r) = ex.runs.get(run) else { return };
    if r.epoch != epoch || !r.alive {
        return;
    }
    {
        let Cloud {
            core,
            scheduler,
            states,
            ..
        } = &mut *cloud;
        let ex = &mut states.execs[exec];
        let mut cx = Cx {
            core,
            sched: scheduler,
            ex,
            tokens: &mut states.tokens,
            id: exec,
        };
        cx.accept(run, input);
    }
    drive(cloud, exec);
}

fn notify_parent(cloud: &mut Cloud, child: usize, p: super::model::ParentRef) {
    let ex = &cloud.states.execs[child];
    let describe = super::ops::describe_json(cloud, child);
    let (result, events) = match ex.status {
        Status::Succeeded => {
            let mut out = describe;
            if p.parse_output
                && let Some(Value::String(s)) = out.get("output").cloned()
            {
                out["output"] = serde_json::from_str(&s).unwrap_or(Value::String(s));
            }
            let out = capitalise_keys(out);
            let text = out.to_string();
            (
                Ok(out),
                vec![(
                    EventType::TaskSucceeded,
                    Details::TaskOutput {
                        resource_type: "states".into(),
                        resource: if p.parse_output {
                            "startExecution.sync:2"
                        } else {
                            "startExecution.sync"
                        }
                        .into(),
                        output: text,
                    },
                )],
            )
        }
        _ => {
            let error = match ex.status {
                Status::TimedOut => errors::TIMEOUT.to_string(),
                Status::Aborted => "States.Aborted".to_string(),
                _ => errors::TASK_FAILED.to_string(),
            };
            let cause = capitalise_keys(describe).to_string();
            let f = Failure::new(error, cause);
            let ev = (
                EventType::TaskFailed,
                Details::TaskError {
                    resource_type: "states".into(),
                    resource: if p.parse_output {
                        "startExecution.sync:2"
                    } else {
                        "startExecution.sync"
                    }
                    .into(),
                    error: f.error.clone(),
                    cause: f.cause.clone(),
                },
            );
            (Err(f), vec![ev])
        }
    };
    cloud.schedule(Duration::ZERO, "states.child-done", move |c| {
        deliver(c, p.exec, p.run, p.epoch, Input::TaskDone(result, events));
    });
}

/// DescribeExecution's camelCase members, as a `.sync` task's output has
/// them in PascalCase (`ExecutionArn`, `Output` ...).
fn capitalise_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let key = match c.next() {
                        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                        None => k,
                    };
                    (key, v)
                })
                .collect(),
        ),
        other => other,
    }
}

fn json_text(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

impl Cx<'_> {
    fn now(&self) -> SimTime {
        self.core.now
    }

    /// Adds a history event for run `r` (or the execution when `None`).
    fn event(&mut self, r: Option<usize>, kind: EventType, details: Details) -> u64 {
        let prev = match r {
            Some(r) => self.ex.runs[r].last_event,
            None => self.ex.history.len() as u64,
        };
        let id = self.ex.history.push(prev, self.core.now, kind, details);
        if let Some(r) = r {
            self.ex.runs[r].last_event = id;
        }
        id
    }

    fn settle_bill(&mut self) {
        let n = self.ex.transitions - self.ex.billed_transitions;
        if n > 0 && self.ex.kind == WorkflowType::Standard && !self.ex.test {
            self.core.bill("states.standard.transitions", n as f64);
        }
        self.ex.billed_transitions = self.ex.transitions;
    }

    fn run_ready(&mut self) {
        while let Some(r) = self.ex.ready.pop_front() {
            if self.ex.status != Status::Running {
                break;
            }
            self.advance(r);
            if self.ex.kind == WorkflowType::Standard && self.ex.history.len() > MAX_HISTORY_EVENTS
            {
                self.end_execution(
                    Status::Failed,
                    Some(Failure::runtime(format!(
                        "The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."
                    ))),
                    None,
                );
                break;
            }
        }
    }

    fn state(machine: &Machine, i: usize) -> &State {
        &machine.states[i]
    }

    fn advance(&mut self, r: usize) {
        loop {
            let phase = std::mem::take(&mut self.ex.runs[r].phase);
            let flow = match phase {
                Phase::Enter(input) => self.enter(r, input),
                Phase::Children(kids) => {
                    self.ex.runs[r].phase = Phase::Children(kids);
                    self.children_progress(r)
                }
                Phase::Idle | Phase::Finished => {
                    self.ex.runs[r].phase = phase;
                    return;
                }
            };
            if !self.follow(r, flow) {
                return;
            }
        }
    }

    /// Acts on a flow; true when the run should keep stepping.
    fn follow(&mut self, r: usize, flow: Flow) -> bool {
        let mut flow = flow;
        loop {
            match flow {
                Flow::Go(next, output) => {
                    let run = &mut self.ex.runs[r];
                    run.state = next;
                    run.phase = Phase::Enter(output);
                    return true;
                }
                Flow::End(output) => {
                    self.finish_run(r, Ok(output));
                    return false;
                }
                Flow::Block => return false,
                Flow::Error(f) => {
                    flow = self.on_error(r, f);
                    if let Flow::Error(f) = flow {
                        self.finish_run(r, Err(f));
                        return false;
                    }
                }
            }
        }
    }

    fn in_state_error(&self, r: usize, f: Failure) -> Failure {
        if f.error != errors::RUNTIME {
            return f;
        }
        let run = &self.ex.runs[r];
        let st = Self::state(&run.machine, run.state);
        let name = &st.name;
        let entered = self
            .ex
            .history
            .last_about(EventType::entered(st.kind.type_name()), name)
            .unwrap_or(0);
        Failure::new(
            f.error,
            format!(
                "An error occurred while executing the state '{name}' (entered at the event id #{entered}). {}",
                f.cause
            ),
        )
    }

    fn context(&self, r: usize, item: Option<(usize, &Value)>) -> Value {
        let run = &self.ex.runs[r];
        let st = Self::state(&run.machine, run.state);
        let mut ctx = json!({
            "Execution": {
                "Id": self.ex.arn,
                "Input": self.ex.input,
                "Name": self.ex.name,
                "RoleArn": self.ex.role_arn,
                "StartTime": self.ex.start.to_rfc3339_millis(),
                "RedriveCount": self.ex.redrive_count,
            },
            "State": {
                "EnteredTime": run.entered_at.to_rfc3339_millis(),
                "Name": &*st.name,
                "RetryCount": run.retry_count,
            },
            "StateMachine": {
                "Id": self.ex.machine_arn,
                "Name": self.ex.machine_name,
            },
        });
        if let Some(t) = &run.token {
            ctx["Task"] = json!({"Token": t});
        }
        if let Some((i, v)) = item {
            ctx["Map"] = json!({"Item": {"Index": i, "Value": v}});
        }
        ctx
    }

    /// Evaluates a template for run `r` against `input`.
    fn fill(
        &mut self,
        r: usize,
        t: &Tmpl,
        input: &Value,
        ctx: &Value,
        result: Option<&Value>,
        error_output: Option<&Value>,
    ) -> Result<Value, Failure> {
        let vars = &self.ex.runs[r].vars;
        let mut ev = Ev {
            input,
            context: ctx,
            vars,
            rng: &mut self.core.rng,
            now: self.core.now,
            result,
            error_output,
        };
        t.eval(&mut ev)
    }

    fn select(
        &self,
        r: usize,
        sel: &Sel,
        v: Value,
        ctx: &Value,
        field: &str,
    ) -> Result<Value, Failure> {
        match sel {
            Sel::All => Ok(v),
            Sel::Nothing => Ok(Value::Object(Map::new())),
            Sel::Path(p) => {
                let vars = &self.ex.runs[r].vars;
                let scope = Scope3 {
                    input: &v,
                    context: ctx,
                    vars,
                };
                p.read(&scope).ok_or_else(|| {
                    Failure::runtime(format!(
                        "Invalid path '{}' : No results for path: {} ({field})",
                        p.as_str(),
                        p.as_str()
                    ))
                })
            }
        }
    }

    fn apply_result_path(raw: Value, sel: &ResultSel, result: Value) -> Result<Value, Failure> {
        match sel {
            ResultSel::Replace => Ok(result),
            ResultSel::Discard => Ok(raw),
            ResultSel::At(p) => {
                let mut raw = raw;
                if !raw.is_object() && !p.segs.is_empty() {
                    return Err(Failure::runtime(format!(
                        "Unable to apply ResultPath '{}' to input '{}': the input is not an object",
                        p.as_str(),
                        json_text(&raw)
                    )));
                }
                p.set_in(&mut raw, result)
                    .map_err(|e| Failure::runtime(e.0))?;
                Ok(raw)
            }
        }
    }

    fn assign(
        &mut self,
        r: usize,
        st: &State,
        input: &Value,
        result: Option<&Value>,
        ctx: &Value,
    ) -> Result<(), Failure> {
        let Some(t) = &st.assign else { return Ok(()) };
        let value = self.fill(r, t, input, ctx, result, None)?;
        if let Value::Object(m) = value {
            let vars = &mut self.ex.runs[r].vars;
            for (k, v) in m {
                vars.local.insert(k, v);
            }
        }
        Ok(())
    }

    /// Adds run `r`'s Entered (`entered`) or Exited event of state `st`
    /// with `value` as its JSON; `States.DataLimitExceeded` (and no event)
    /// when the JSON is longer than `limit` bytes.
    fn state_event(
        &mut self,
        r: usize,
        st: &State,
        (kind, entered): (EventType, bool),
        value: &Value,
        limit: usize,
    ) -> Result<(), Failure> {
        let prev = self.ex.runs[r].last_event;
        let name = (Arc::clone(&st.name), entered);
        let Some(id) = self
            .ex
            .history
            .push_state(prev, self.core.now, kind, name, value, limit)
        else {
            return Err(Failure::new(
                errors::DATA_LIMIT_EXCEEDED,
                format!(
                    "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                    st.name
                ),
            ));
        };
        self.ex.runs[r].last_event = id;
        Ok(())
    }

    fn enter(&mut self, r: usize, raw: Value) -> Flow {
        let machine = Arc::clone(&self.ex.runs[r].machine);
        let i = self.ex.runs[r].state;
        let st = Self::state(&machine, i);
        self.ex.transitions += 1;
        {
            let now = self.core.now;
            let run = &mut self.ex.runs[r];
            run.entered_at = now;
            run.retry_count = 0;
            run.token = None;
            run.task = None;
            if !st.retry.is_empty() {
                run.attempts.clear();
                run.attempts.resize(st.retry.len(), 0);
            }
        }
        let kind = EventType::entered(st.kind.type_name());
        if let Err(f) = self.state_event(r, st, (kind, true), &raw, MAX_PAYLOAD_BYTES) {
            return Flow::Error(f);
        }
        self.work(r, &machine, i, raw)
    }

    /// The state's own work on its raw input (also what a retry repeats).
    fn work(&mut self, r: usize, machine: &Arc<Machine>, i: usize, raw: Value) -> Flow {
        let st = Self::state(machine, i);
        let flow = match &st.kind {
            Kind::Pass { result } => self.pass(r, st, raw, result.as_ref()),
            Kind::Choice { choices, default } => self.choice(r, st, raw, choices, *default),
            Kind::Wait(w) => self.wait(r, st, raw, w),
            Kind::Succeed => self.succeed(r, st, raw),
            Kind::Fail { error, cause } => {
                self.fail_state(r, st, raw, error.as_ref(), cause.as_ref())
            }
            Kind::Task(spec) => self.task(r, st, raw, spec),
            Kind::Parallel { branches } => self.parallel(r, st, raw, branches),
            Kind::Map(spec) => self.map(r, st, raw, spec),
        };
        match flow {
            Flow::Error(f) => Flow::Error(self.in_state_error(r, f)),
            other => other,
        }
    }

    fn ctx_if(&self, r: usize, st: &State) -> Value {
        if st.needs_context {
            self.context(r, None)
        } else {
            Value::Null
        }
    }

    /// Leaves the state with `output`: the Exited event, then Next or End.
    fn exit(&mut self, r: usize, st: &State, output: Value) -> Flow {
        if let Some(kind) = EventType::exited(st.kind.type_name())
            && let Err(f) = self.state_event(r, st, (kind, false), &output, MAX_PAYLOAD_BYTES)
        {
            return Flow::Error(f);
        }
        match st.next {
            Some(n) => Flow::Go(n, output),
            None => Flow::End(output),
        }
    }

    fn pass(&mut self, r: usize, st: &State, raw: Value, result: Option<&Value>) -> Flow {
        if st.lang == Lang::Jsonata {
            let ctx = self.context(r, None);
            let out = match &st.output {
                Some(t) => match self.fill(r, t, &raw, &ctx, None, None) {
                    Ok(v) => v,
                    Err(f) => return Flow::Error(f),
                },
                None => raw.clone(),
            };
            if let Err(f) = self.assign(r, st, &raw, None, &ctx) {
                return Flow::Error(f);
            }
            return self.exit(r, st, out);
        }
        // JSONPath: the common case (no paths at all) moves the input through.
        let simple = matches!(st.input_path, Sel::All)
            && st.parameters.is_none()
            && result.is_none()
            && matches!(st.result_path, ResultSel::Replace)
            && matches!(st.output_path, Sel::All)
            && st.assign.is_none();
        if simple {
            return self.exit(r, st, raw);
        }
        let ctx = self.ctx_if(r, st);
        let flow = (|| -> Result<Value, Failure> {
            let effective = self.select(r, &st.input_path, raw.clone(), &ctx, "InputPath")?;
            let res = match (result, &st.parameters) {
                (Some(v), _) => v.clone(),
                (None, Some(t)) => self.fill(r, t, &effective, &ctx, None, None)?,
                (None, None) => effective,
            };
            self.assign(r, st, &res, None, &ctx)?;
            let out = Self::apply_result_path(raw, &st.result_path, res)?;
            self.select(r, &st.output_path, out, &ctx, "OutputPath")
        })();
        match flow {
            Ok(out) => self.exit(r, st, out),
            Err(f) => Flow::Error(f),
        }
    }

    fn choice(
        &mut self,
        r: usize,
        st: &State,
        raw: Value,
        choices: &[super::definition::Choice],
        default: Option<usize>,
    ) -> Flow {
        let ctx = self.ctx_if(r, st);
        let jsonata = st.lang == Lang::Jsonata;
        let effective = if jsonata {
            raw
        } else {
            match self.select(r, &st.input_path, raw, &ctx, "InputPath") {
                Ok(v) => v,
                Err(f) => return Flow::Error(f),
            }
        };
        let mut chosen = None;
        for (k, c) in choices.iter().enumerate() {
            let hit = match &c.rule {
                Rule::Condition(e) => {
                    let t = Tmpl::Jsonata(Arc::clone(e));
                    match self.fill(r, &t, &effective, &ctx, None, None) {
                        Ok(v) => match v {
                            Value::Bool(b) => b,
                            other => {
                                return Flow::Error(Failure::new(
                                    errors::QUERY_EVALUATION_ERROR,
                                    format!(
                                        "The Condition of Choices[{k}] evaluated to {other}, not a boolean"
                                    ),
                                ));
                            }
                        },
                        Err(f) => return Flow::Error(f),
                    }
                }
                rule => {
                    let vars = &self.ex.runs[r].vars;
                    let scope = Scope3 {
                        input: &effective,
                        context: &ctx,
                        vars,
                    };
                    match rule.eval(&scope) {
                        Ok(b) => b,
                        Err(e) => return Flow::Error(Failure::runtime(e.0)),
                    }
                }
            };
            if hit {
                chosen = Some(k);
                break;
            }
        }
        let (next, output_t, assign_t) = match chosen {
            Some(k) => (
                choices[k].next,
                choices[k].output.as_ref(),
                choices[k].assign.as_ref(),
            ),
            None => match default {
                Some(d) => (d, st.output.as_ref(), st.assign.as_ref()),
                None => {
                    return Flow::Error(Failure::new(
                        errors::NO_CHOICE_MATCHED,
                        format!(
                            "No Choice rule matched and no Default is set for the state '{}'.",
                            st.name
                        ),
                    ));
                }
            },
        };
        if let Some(t) = assign_t {
            match self.fill(r, t, &effective, &ctx, None, None) {
                Ok(Value::Object(m)) => self.ex.runs[r].vars.local.extend(m),
                Ok(_) => {}
                Err(f) => return Flow::Error(f),
            }
        }
        let out = if jsonata {
            match output_t {
                Some(t) => match self.fill(r, t, &effective, &ctx, None, None) {
                    Ok(v) => v,
                    Err(f) => return Flow::Error(f),
                },
                None => effective,
            }
        } else {
            match self.select(r, &st.output_path, effective, &ctx, "OutputPath") {
                Ok(v) => v,
                Err(f) => return Flow::Error(f),
            }
        };
        let text = json_text(&out);
        self.event(
            Some(r),
            EventType::ChoiceStateExited,
            Details::StateExited {
                name: Arc::clone(&st.name),
                output: text,
            },
        );
        Flow::Go(next, out)
    }

    fn num<T: Clone>(
        &mut self,
        r: usize,
        src: &Src<T>,
        input: &Value,
        ctx: &Value,
        field: &str,
    ) -> Result<Value, Failure>
    where
        Value: From<T>,
    {
        match src {
            Src::Fixed(v) => Ok(Value::from(v.clone())),
            Src::Path(p) => {
                let vars = &self.ex.runs[r].vars;
                let scope = Scope3 {
                    input,
                    context: ctx,
                    vars,
                };
                super::path::Path::Ref(p.clone()).read(&scope).ok_or_else(|| {
                    Failure::runtime(format!(
                        "The JSONPath '{}' specified for the field '{field}Path' could not be found in the input '{}'",
                        p.as_str(),
                        json_text(input)
                    ))
                })
            }
            Src::Call(c) => {
                let vars = &self.ex.runs[r].vars;
                let scope = Scope3 {
                    input,
                    context: ctx,
                    vars,
                };
                c.eval(&scope, &mut self.core.rng)
                    .map_err(|e| Failure::new(errors::INTRINSIC_FAILURE, e.0))
            }
            Src::Jsonata(e) => {
                let t = Tmpl::Jsonata(Arc::clone(e));
                self.fill(r, &t, input, ctx, None, None)
            }
        }
    }

    fn wait(&mut self, r: usize, st: &State, raw: Value, w: &WaitFor) -> Flow {
        let ctx = self.ctx_if(r, st);
        let jsonata = st.lang == Lang::Jsonata;
        let effective = if jsonata {
            raw
        } else {
            match self.select(r, &st.input_path, raw, &ctx, "InputPath") {
                Ok(v) => v,
                Err(f) => return Flow::Error(f),
            }
        };
        let until = match w {
            WaitFor::Seconds(src) => match self.num(r, src, &effective, &ctx, "Seconds") {
                Ok(v) => match v.as_f64() {
                    Some(s) if s >= 0.0 && s.is_finite() => {
                        self.now() + Duration::from_secs_f64(s.min(MAX_TIMEOUT_SECONDS as f64))
                    }
                    _ => {
                        return Flow::Error(Failure::runtime(format!(
                            "The value of Seconds must be a non-negative number, not {v}"
                        )));
                    }
                },
                Err(f) => return Flow::Error(f),
            },
            WaitFor::Timestamp(src) => match self.num(r, src, &effective, &ctx, "Timestamp") {
                Ok(Value::String(s)) => match SimTime::parse_rfc3339(&s) {
                    Some(t) => t,
                    None => {
                        return Flow::Error(Failure::runtime(format!(
                            "The value '{s}' of Timestamp is not an RFC 3339 timestamp"
                        )));
                    }
                },
                Ok(other) => {
                    return Flow::Error(Failure::runtime(format!(
                        "The value of Timestamp must be a string, not {other}"
                    )));
                }
                Err(f) => return Flow::Error(f),
            },
        };
        if let Err(f) = self.assign(r, st, &effective, None, &ctx) {
            return Flow::Error(f);
        }
        let out = if jsonata {
            match &st.output {
                Some(t) => match self.fill(r, t, &effective, &ctx, None, None) {
                    Ok(v) => v,
                    Err(f) => return Flow::Error(f),
                },
                None => effective,
            }
        } else {
            match self.select(r, &st.output_path, effective, &ctx, "OutputPath") {
                Ok(v) => v,
                Err(f) => return Flow::Error(f),
            }
        };
        let after = until.since(self.now());
        let (exec, epoch) = (self.id, self.ex.runs[r].epoch);
        let at = self.now() + after;
        let timer = self.sched.at(
            at,
            "states.wait",
            Box::new(move |c: &mut Cloud| deliver(c, exec, r, epoch, Input::WaitDone(out))),
        );
        self.ex.runs[r].timers.push(timer);
        Flow::Block
    }

    fn succeed(&mut self, r: usize, st: &State, raw: Value) -> Flow {
        let ctx = self.ctx_if(r, st);
        let out = if st.lang == Lang::Jsonata {
            match &st.output {
                Some(t) => self.fill(r, t, &raw, &ctx, None, None),
                None => Ok(raw),
            }
        } else {
            self.select(r, &st.input_path, raw, &ctx, "InputPath")
                .and_then(|v| self.select(r, &st.output_path, v, &ctx, "OutputPath"))
        };
        match out {
            Ok(v) => self.exit(r, st, v),
            Err(f) => Flow::Error(f),
        }
    }

    fn fail_state(
        &mut self,
        r: usize,
        st: &State,
        raw: Value,
        error: Option<&Src<String>>,
        cause: Option<&Src<String>>,
    ) -> Flow {
        let ctx = self.ctx_if(r, st);
        let mut text = |src: Option<&Src<String>>, field: &str| -> Result<String, Failure> {
            match src {
                None => Ok(String::new()),
                Some(src) => match self.num(r, src, &raw, &ctx, field)? {
                    Value::String(s) => Ok(s),
                    other => Err(Failure::runtime(format!(
                        "The value of {field} must be a string, not {other}"
                    ))),
                },
            }
        };
        let e = match text(error, "Error") {
            Ok(s) => s,
            Err(f) => return Flow::Error(f),
        };
        let c = match text(cause, "Cause") {
            Ok(s) => s,
            Err(f) => return Flow::Error(f),
        };
        // A Fail state ends the run; Retry and Catch do not apply to it.
        self.finish_run(r, Err(Failure::new(e, c)));
        Flow::Block
    }

    fn arguments(
        &mut self,
        r: usize,
        st: &State,
        raw: &Value,
        ctx: &Value,
    ) -> Result<Value, Failure> {
        if st.lang == Lang::Jsonata {
            return match &st.parameters {
                Some(t) => self.fill(r, t, raw, ctx, None, None),
                None => Ok(raw.clone()),
            };
        }
        let effective = self.select(r, &st.input_path, raw.clone(), ctx, "InputPath")?;
        match &st.parameters {
            Some(t) => self.fill(r, t, &effective, ctx, None, None),
            None => Ok(effective),
        }
    }

    fn task(
        &mut self,
        r: usize,
        st: &State,
        raw: Value,
        spec: &super::definition::TaskSpec,
    ) -> Flow {
        if needs_raw(st) {
            self.ex.runs[r].raw = raw.clone();
        }
        if spec.pattern == Pattern::Token {
            let token = self.core.rng.alnum(TASK_TOKEN_LEN);
            self.tokens.insert(
                token.clone(),
                TokenRef {
                    exec: self.id,
                    run: r,
                    epoch: self.ex.runs[r].epoch,
                },
            );
            self.ex.runs[r].token = Some(token);
        }
        let ctx = self.ctx_if(r, st);
        let params = match self.arguments(r, st, &raw, &ctx) {
            Ok(p) => p,
            Err(f) => return Flow::Error(f),
        };
        let effective_for_timeouts = raw.clone();
        let timeout = match &spec.timeout {
            Some(s) => match self.num(r, s, &effective_for_timeouts, &ctx, "TimeoutSeconds") {
                Ok(v) => v.as_u64(),
                Err(f) => return Flow::Error(f),
            },
            None => None,
        };
        let heartbeat = match &spec.heartbeat {
            Some(s) => match self.num(r, s, &effective_for_timeouts, &ctx, "HeartbeatSeconds") {
                Ok(v) => v.as_u64(),
                Err(f) => return Flow::Error(f),
            },
            None => None,
        };
        let lambda_arn = matches!(spec.integration, Integration::LambdaArn(_));
        let (resource_type, resource) = resource_names(spec);
        let epoch = self.ex.runs[r].epoch;
        self.ex.runs[r].task = Some(TaskInfo {
            lambda_arn,
            resource_type: resource_type.clone(),
            resource: resource.clone(),
            heartbeat,
            heartbeat_seq: 0,
        });
        if lambda_arn {
            self.event(
                Some(r),
                EventType::LambdaFunctionScheduled,
                Details::LambdaScheduled {
                    resource: spec.resource.clone(),
                    input: json_text(&params),
                    timeout,
                },
            );
        } else {
            self.event(
                Some(r),
                EventType::TaskScheduled,
                Details::TaskScheduled(Box::new(super::history::TaskScheduled {
                    resource_type,
                    resource,
                    parameters: json_text(&params),
                    timeout,
                    heartbeat,
                })),
            );
        }
        let exec = self.id;
        if let Some(t) = timeout {
            let timer = self.sched.at(
                self.now() + Duration::from_secs(t),
                "states.task-timeout",
                Box::new(move |c: &mut Cloud| {
                    deliver(c, exec, r, epoch, Input::TaskTimeout(false, 0))
                }),
            );
            self.ex.runs[r].timers.push(timer);
        }
        if let Some(h) = heartbeat {
            let timer = self.sched.at(
                self.now() + Duration::from_secs(h),
                "states.heartbeat",
                Box::new(move |c: &mut Cloud| {
                    deliver(c, exec, r, epoch, Input::TaskTimeout(true, 0))
                }),
            );
            self.ex.runs[r].timers.push(timer);
        }
        let job = super::tasks::TaskJob {
            exec,
            run: r,
            epoch,
            integration: spec.integration.clone(),
            pattern: spec.pattern,
            resource: spec.resource.clone(),
            params,
        };
        let timer = self.sched.at(
            self.now() + TRANSITION_LATENCY,
            "states.task",
            Box::new(move |c: &mut Cloud| super::tasks::run(c, job)),
        );
        self.ex.runs[r].timers.push(timer);
        Flow::Block
    }

    /// After a task (or children) produced `result`: ResultSelector,
    /// ResultPath, OutputPath (or JSONata Output), Assign, then leave.
    fn conclude(&mut self, r: usize, result: Value) -> Flow {
        let machine = Arc::clone(&self.ex.runs[r].machine);
        let st = Self::state(&machine, self.ex.runs[r].state);
        let raw = std::mem::take(&mut self.ex.runs[r].raw);
        let ctx = self.ctx_if(r, st);
        let out = (|| -> Result<Value, Failure> {
            if st.lang == Lang::Jsonata {
                self.assign(r, st, &raw, Some(&result), &ctx)?;
                return match &st.output {
                    Some(t) => self.fill(r, t, &raw, &ctx, Some(&result), None),
                    None => Ok(result),
                };
            }
            let selected = match &st.result_selector {
                Some(t) => self.fill(r, t, &result, &ctx, None, None)?,
                None => result,
            };
            self.assign(r, st, &selected, None, &ctx)?;
            let merged = Self::apply_result_path(raw, &st.result_path, selected)?;
            self.select(r, &st.output_path, merged, &ctx, "OutputPath")
        })();
        self.clear_wait(r);
        match out {
            Ok(v) => self.exit(r, st, v),
            Err(f) => Flow::Error(self.in_state_error(r, f)),
        }
    }

    fn clear_wait(&mut self, r: usize) {
        let run = &mut self.ex.runs[r];
        run.epoch += 1;
        for t in run.timers.drain(..) {
            self.sched.cancel(t);
        }
        // The token stays known: using it again answers TaskTimedOut.
        run.token = None;
    }

    fn accept(&mut self, r: usize, input: Input) {
        let flow = match input {
            Input::WaitDone(out) => {
                self.clear_wait(r);
                let machine = Arc::clone(&self.ex.runs[r].machine);
                let st = Self::state(&machine, self.ex.runs[r].state);
                self.exit(r, st, out)
            }
            Input::Retry => {
                self.clear_wait(r);
                self.ex.transitions += 1;
                self.ex.runs[r].retry_count += 1;
                let machine = Arc::clone(&self.ex.runs[r].machine);
                let i = self.ex.runs[r].state;
                let raw = self.ex.runs[r].raw.clone();
                self.work(r, &machine, i, raw)
            }
            Input::TaskEvents(events) => {
                for (k, d) in events {
                    self.event(Some(r), k, d);
                }
                Flow::Block
            }
            Input::TaskDone(result, events) => {
                for (k, d) in events {
                    self.event(Some(r), k, d);
                }
                match result {
                    Ok(v) => self.conclude(r, v),
                    Err(f) => {
                        self.clear_wait(r);
                        Flow::Error(f)
                    }
                }
            }
            Input::TaskTimeout(heartbeat, seq) => {
                let info = self.ex.runs[r].task.clone();
                if heartbeat && info.as_ref().is_some_and(|i| i.heartbeat_seq != seq) {
                    return;
                }
                let (error, cause) = if heartbeat {
                    (
                        errors::HEARTBEAT_TIMEOUT,
                        "The task did not send a heartbeat within HeartbeatSeconds.",
                    )
                } else {
                    (
                        errors::TIMEOUT,
                        "The task did not finish within TimeoutSeconds.",
                    )
                };
                let f = Failure::new(error, cause);
                match info {
                    Some(i) if i.lambda_arn => {
                        self.event(
                            Some(r),
                            EventType::LambdaFunctionTimedOut,
                            Details::Error {
                                error: f.error.clone(),
                                cause: f.cause.clone(),
                            },
                        );
                    }
                    Some(i) => {
                        self.event(
                            Some(r),
                            EventType::TaskTimedOut,
                            Details::TaskError {
                                resource_type: i.resource_type,
                                resource: i.resource,
                                error: f.error.clone(),
                                cause: f.cause.clone(),
                            },
                        );
                    }
                    None => {}
                }
                self.clear_wait(r);
                Flow::Error(f)
            }
        };
        if self.follow(r, flow) {
            self.ex.ready.push_back(r);
        }
    }

    /// A heartbeat arrived: restart the HeartbeatSeconds clock.
    pub(crate) fn heartbeat(&mut self, r: usize) {
        let epoch = self.ex.runs[r].epoch;
        let exec = self.id;
        let Some(info) = self.ex.runs[r].task.as_mut() else {
            return;
        };
        let Some(h) = info.heartbeat else { return };
        info.heartbeat_seq += 1;
        let seq = info.heartbeat_seq;
        let timer = self.sched.at(
            self.core.now + Duration::from_secs(h),
            "states.heartbeat",
            Box::new(move |c: &mut Cloud| {
                deliver(c, exec, r, epoch, Input::TaskTimeout(true, seq))
            }),
        );
        self.ex.runs[r].timers.push(timer);
    }

    fn on_error(&mut self, r: usize, f: Failure) -> Flow {
        let machine = Arc::clone(&self.ex.runs[r].machine);
        let st = Self::state(&machine, self.ex.runs[r].state);
        if !matches!(
            st.kind,
            Kind::Task(_) | Kind::Parallel { .. } | Kind::Map(_)
        ) {
            return Flow::Error(f);
        }
        if let Some(k) = st
            .retry
            .iter()
            .position(|rt| errors::matches(&rt.errors, &f.error))
        {
            let rt = &st.retry[k];
            let done = self.ex.runs[r].attempts.get(k).copied().unwrap_or(0);
            if done < rt.max_attempts && self.ex.test {
                self.ex.test_flag = Some("RETRIABLE");
                return Flow::Error(f);
            }
            if done < rt.max_attempts {
                self.ex.runs[r].attempts[k] = done + 1;
                let mut delay = rt.interval * rt.backoff.powi(done as i32);
                if let Some(cap) = rt.max_delay {
                    delay = delay.min(cap);
                }
                if rt.jitter {
                    delay *= self.core.rng.unit();
                }
                let delay = Duration::from_secs_f64(delay.clamp(0.0, MAX_TIMEOUT_SECONDS as f64));
                self.clear_wait(r);
                let (exec, epoch) = (self.id, self.ex.runs[r].epoch);
                let timer = self.sched.at(
                    self.core.now + delay,
                    "states.retry",
                    Box::new(move |c: &mut Cloud| deliver(c, exec, r, epoch, Input::Retry)),
                );
                self.ex.runs[r].timers.push(timer);
                return Flow::Block;
            }
        }
        let Some(k) = st
            .catch
            .iter()
            .position(|c| errors::matches(&c.errors, &f.error))
        else {
            return Flow::Error(f);
        };
        let catcher = &st.catch[k];
        if self.ex.test {
            self.ex.test_flag = Some("CAUGHT_ERROR");
        }
        let raw = std::mem::take(&mut self.ex.runs[r].raw);
        let error_output = f.to_output();
        let ctx = self.ctx_if(r, st);
        let out = if st.lang == Lang::Jsonata {
            let assigned = match &catcher.assign {
                Some(t) => self.fill(r, t, &raw, &ctx, None, Some(&error_output)),
                None => Ok(Value::Null),
            };
            match assigned {
                Ok(Value::Object(m)) => self.ex.runs[r].vars.local.extend(m),
                Ok(_) => {}
                Err(e) => return Flow::Error(e),
            }
            match &catcher.output {
                Some(t) => self.fill(r, t, &raw, &ctx, None, Some(&error_output)),
                None => Ok(error_output),
            }
        } else {
            if let Some(t) = &catcher.assign {
                match self.fill(r, t, &error_output, &ctx, None, None) {
                    Ok(Value::Object(m)) => self.ex.runs[r].vars.local.extend(m),
                    Ok(_) => {}
                    Err(e) => return Flow::Error(e),
                }
            }
            Self::apply_result_path(raw, &catcher.result_path, error_output)
        };
        let out = match out {
            Ok(v) => v,
            Err(e) => return Flow::Error(self.in_state_error(r, e)),
        };
        self.clear_wait(r);
        if let Some(kind) = EventType::exited(st.kind.type_name()) {
            let text = json_text(&out);
            self.event(
                Some(r),
                kind,
                Details::StateExited {
                    name: Arc::clone(&st.name),
                    output: text,
                },
            );
        }
        Flow::Go(catcher.next, out)
    }

    fn new_run(
        &mut self,
        machine: Arc<Machine>,
        parent: (usize, usize),
        input: Value,
        vars: Vars,
    ) -> usize {
        let id = self.ex.runs.len();
        let last = self.ex.history.len() as u64;
        let start = machine.start;
        self.ex.runs.push(Run {
            machine,
            parent: Some(parent),
            state: start,
            raw: Value::Null,
            phase: Phase::Enter(input),
            epoch: 0,
            attempts: Vec::new(),
            retry_count: 0,
            vars,
            last_event: last,
            entered_at: self.core.now,
            token: None,
            timers: Vec::new(),
            task: None,
            alive: true,
        });
        id
    }

    fn parallel(&mut self, r: usize, st: &State, raw: Value, branches: &[Arc<Machine>]) -> Flow {
        if needs_raw(st) {
            self.ex.runs[r].raw = raw.clone();
        }
        let ctx = self.ctx_if(r, st);
        let input = match self.arguments(r, st, &raw, &ctx) {
            Ok(v) => v,
            Err(f) => return Flow::Error(f),
        };
        self.event(Some(r), EventType::ParallelStateStarted, Details::None);
        let outer = Vars {
            outer: self.ex.runs[r].vars.snapshot(),
            local: Default::default(),
        };
        let mut runs = Vec::with_capacity(branches.len());
        for (slot, b) in branches.iter().enumerate() {
            let id = self.new_run(Arc::clone(b), (r, slot), input.clone(), outer.clone());
            self.ex.runs[id].last_event = self.ex.runs[r].last_event;
            runs.push(id);
            self.ex.ready.push_back(id);
        }
        let n = runs.len();
        self.ex.runs[r].phase = Phase::Children(Box::new(Kids {
            map: false,
            runs,
            results: vec![None; n],
            queue: VecDeque::new(),
            items: Vec::new(),
            running: n,
            limit: n,
            done: 0,
            failed: 0,
            tolerated_count: None,
            tolerated_pct: None,
            first_failure: None,
            effective: Value::Null,
        }));
        Flow::Block
    }

    fn map(&mut self, r: usize, st: &State, raw: Value, spec: &super::definition::MapSpec) -> Flow {
        if needs_raw(st) {
            self.ex.runs[r].raw = raw.clone();
        }
        let ctx = self.ctx_if(r, st);
        let jsonata = st.lang == Lang::Jsonata;
        let res = (|| -> Result<(Value, Items), Failure> {
            let effective = if jsonata {
                raw
            } else {
                self.select(r, &st.input_path, raw, &ctx, "InputPath")?
            };
            let items = if let Some(t) = &spec.items {
                self.fill(r, t, &effective, &ctx, None, None)?
            } else if spec.items_path.root == super::path::Root::Input {
                // Left in place: taken out once the other fields are read.
                let found = spec
                    .items_path
                    .get_in(&effective)
                    .ok_or_else(|| no_items(spec))?;
                if !found.is_array() {
                    return Err(not_an_array(spec, found));
                }
                return Ok((effective, Items::InInput));
            } else {
                let vars = &self.ex.runs[r].vars;
                let scope = Scope3 {
                    input: &effective,
                    context: &ctx,
                    vars,
                };
                super::path::Path::Ref(spec.items_path.clone())
                    .read(&scope)
                    .ok_or_else(|| no_items(spec))?
            };
            match items {
                Value::Array(items) => Ok((effective, Items::Owned(items))),
                other => Err(not_an_array(spec, &other)),
            }
        })();
        let (mut effective, items) = match res {
            Ok(x) => x,
            Err(f) => return Flow::Error(f),
        };
        let mut batch = None;
        if let Some(src) = &spec.batch_max_items {
            match self.num(r, src, &effective, &ctx, "MaxItemsPerBatch") {
                Ok(v) => batch = v.as_u64().filter(|n| *n > 0),
                Err(f) => return Flow::Error(f),
            }
        }
        let batch_input = match (&spec.batch_input, batch) {
            (Some(t), Some(_)) => match self.fill(r, t, &effective, &ctx, None, None) {
                Ok(v) => Some(v),
                Err(f) => return Flow::Error(f),
            },
            _ => None,
        };
        let max = match self.num(r, &spec.max_concurrency, &effective, &ctx, "MaxConcurrency") {
            Ok(v) => v.as_u64().unwrap_or(0) as usize,
            Err(f) => return Flow::Error(f),
        };
        let cap = if spec.distributed {
            DISTRIBUTED_MAP_CONCURRENCY
        } else {
            INLINE_MAP_CONCURRENCY
        };
        let limit = if max == 0 { cap } else { max.min(cap) }.max(1);
        let tolerated_count = match &spec.tolerated_count {
            Some(s) => match self.num(r, s, &effective, &ctx, "ToleratedFailureCount") {
                Ok(v) => v.as_u64(),
                Err(f) => return Flow::Error(f),
            },
            None => None,
        };
        let tolerated_pct = match &spec.tolerated_percentage {
            Some(s) => match self.num(r, s, &effective, &ctx, "ToleratedFailurePercentage") {
                Ok(v) => v.as_f64(),
                Err(f) => return Flow::Error(f),
            },
            None => None,
        };
        let items = match items {
            Items::Owned(items) => items,
            Items::InInput => take_items(spec, &mut effective),
        };
        let items = match batch {
            Some(n) => batches(items, n as usize, batch_input.as_ref()),
            None => items,
        };
        let n = items.len();
        // Room for every iteration's run and at least its four events (and
        // a few more: growing a long history at its end copies all of it).
        self.ex.runs.reserve(n);
        self.ex.history.reserve(4 * n.min(MAX_HISTORY_EVENTS) + 16);
        self.event(
            Some(r),
            EventType::MapStateStarted,
            Details::MapStarted { length: n },
        );
        let mut kids = Box::new(Kids {
            map: true,
            runs: vec![usize::MAX; n],
            results: vec![None; n],
            queue: (0..n).collect(),
            items,
            running: 0,
            limit,
            done: 0,
            failed: 0,
            tolerated_count,
            tolerated_pct,
            first_failure: None,
            effective: if spec.item_selector.is_some() {
                effective
            } else {
                Value::Null
            },
        });
        if n == 0 {
            self.ex.runs[r].phase = Phase::Children(kids);
            return self.children_progress(r);
        }
        let outer = Vars {
            outer: self.ex.runs[r].vars.snapshot(),
            local: Default::default(),
        };
        let started = self.start_iterations(r, st, spec, &mut kids, &outer, &ctx);
        self.ex.runs[r].phase = Phase::Children(kids);
        if let Err(f) = started {
            self.abort_children(r);
            return Flow::Error(f);
        }
        Flow::Block
    }

    fn start_iterations(
        &mut self,
        r: usize,
        st: &State,
        spec: &super::definition::MapSpec,
        kids: &mut Kids,
        outer: &Vars,
        ctx: &Value,
    ) -> Result<(), Failure> {
        while kids.running < kids.limit {
            let Some(i) = kids.queue.pop_front() else {
                break;
            };
            let item = std::mem::take(&mut kids.items[i]);
            let input = match &spec.item_selector {
                Some(t) => {
                    let _ = ctx;
                    let item_ctx = self.context(r, Some((i, &item)));
                    let effective = std::mem::take(&mut kids.effective);
                    let filled = self.fill(r, t, &effective, &item_ctx, None, None);
                    kids.effective = effective;
                    filled?
                }
                None => item,
            };
            self.event(
                Some(r),
                EventType::MapIterationStarted,
                Details::MapIteration {
                    name: Arc::clone(&st.name),
                    index: i,
                },
            );
            let id = self.new_run(Arc::clone(&spec.processor), (r, i), input, outer.clone());
            self.ex.runs[id].last_event = self.ex.runs[r].last_event;
            kids.runs[i] = id;
            kids.running += 1;
            self.ex.ready.push_back(id);
        }
        Ok(())
    }

    /// A child run finished (or none were needed): decide what the parent does.
    fn children_progress(&mut self, r: usize) -> Flow {
        let Phase::Children(kids) = &self.ex.runs[r].phase else {
            return Flow::Block;
        };
        let total = kids.results.len();
        let machine = Arc::clone(&self.ex.runs[r].machine);
        let st = Self::state(&machine, self.ex.runs[r].state);
        if kids.failed > 0 && !self.tolerated(kids) {
            let f = kids
                .first_failure
                .clone()
                .unwrap_or_else(|| Failure::new(errors::BRANCH_FAILED, ""));
            let map = kids.map;
            let f = if map && (kids.tolerated_count.is_some() || kids.tolerated_pct.is_some()) {
                Failure::new(
                    errors::EXCEED_TOLERATED,
                    format!(
                        "The specified tolerated failure threshold was exceeded: {} of {} items failed.",
                        kids.failed, total
                    ),
                )
            } else {
                f
            };
            self.abort_children(r);
            let kind = if map {
                EventType::MapStateFailed
            } else {
                EventType::ParallelStateFailed
            };
            self.event(Some(r), kind, Details::None);
            self.ex.runs[r].phase = Phase::Idle;
            return Flow::Error(f);
        }
        if kids.done < total {
            // Start queued Map iterations if there is room.
            if kids.map && !kids.queue.is_empty() && kids.running < kids.limit {
                let Phase::Children(mut kids) = std::mem::take(&mut self.ex.runs[r].phase) else {
                    return Flow::Block;
                };
                let Kind::Map(spec) = &st.kind else {
                    return Flow::Block;
                };
                let outer = Vars {
                    outer: self.ex.runs[r].vars.snapshot(),
                    local: Default::default(),
                };
                let ctx = self.ctx_if(r, st);
                let res = self.start_iterations(r, st, spec, &mut kids, &outer, &ctx);
                self.ex.runs[r].phase = Phase::Children(kids);
                if let Err(f) = res {
                    self.abort_children(r);
                    return Flow::Error(f);
                }
            }
            return Flow::Block;
        }
        let Phase::Children(kids) = std::mem::take(&mut self.ex.runs[r].phase) else {
            return Flow::Block;
        };
        let results: Vec<Value> = kids
            .results
            .into_iter()
            .map(|v| v.unwrap_or(Value::Null))
            .collect();
        let kind = if kids.map {
            EventType::MapStateSucceeded
        } else {
            EventType::ParallelStateSucceeded
        };
        self.event(Some(r), kind, Details::None);
        self.conclude(r, Value::Array(results))
    }

    fn tolerated(&self, kids: &Kids) -> bool {
        if !kids.map {
            return false;
        }
        let total = kids.results.len().max(1) as f64;
        let by_count = kids
            .tolerated_count
            .is_some_and(|c| kids.failed as u64 <= c);
        let by_pct = kids
            .tolerated_pct
            .is_some_and(|p| kids.failed as f64 * 100.0 / total <= p);
        by_count || by_pct
    }

    /// Stops every child still running (a sibling failed or the parent was stopped).
    fn abort_children(&mut self, r: usize) {
        let Phase::Children(kids) = &self.ex.runs[r].phase else {
            return;
        };
        let map = kids.map;
        let live: Vec<(usize, usize)> = kids
            .runs
            .iter()
            .enumerate()
            .filter(|(slot, id)| **id != usize::MAX && kids.results[*slot].is_none())
            .map(|(slot, id)| (slot, *id))
            .collect();
        let name = Arc::clone(&Self::state(&self.ex.runs[r].machine, self.ex.runs[r].state).name);
        for (slot, id) in live {
            if !self.ex.runs[id].alive {
                continue;
            }
            self.abort_run(id);
            if map {
                self.event(
                    Some(r),
                    EventType::MapIterationAborted,
                    Details::MapIteration {
                        name: Arc::clone(&name),
                        index: slot,
                    },
                );
            }
        }
        if let Phase::Children(kids) = &mut self.ex.runs[r].phase {
            kids.queue.clear();
        }
    }

    /// Stops run `id` and everything under it.
    fn abort_run(&mut self, id: usize) {
        if !self.ex.runs[id].alive {
            return;
        }
        if let Phase::Children(_) = &self.ex.runs[id].phase {
            self.abort_children(id);
        }
        let waiting = matches!(self.ex.runs[id].phase, Phase::Idle | Phase::Children(_));
        let type_name = Self::state(&self.ex.runs[id].machine, self.ex.runs[id].state)
            .kind
            .type_name();
        if waiting && let Some(kind) = EventType::aborted(type_name) {
            self.event(Some(id), kind, Details::None);
        }
        self.clear_wait(id);
        let run = &mut self.ex.runs[id];
        run.alive = false;
        run.phase = Phase::Finished;
    }

    fn finish_run(&mut self, r: usize, result: Result<Value, Failure>) {
        self.ex.runs[r].phase = Phase::Finished;
        self.ex.runs[r].alive = false;
        let Some((parent, slot)) = self.ex.runs[r].parent else {
            match result {
                Ok(out) => {
                    let text = self.output_text(r, &out);
                    self.end_execution(Status::Succeeded, None, Some(text));
                    self.ex.output_value = Some(out);
                }
                Err(f) => self.end_execution(Status::Failed, Some(f), None),
            }
            return;
        };
        let machine = Arc::clone(&self.ex.runs[parent].machine);
        let pst = Self::state(&machine, self.ex.runs[parent].state);
        let name = Arc::clone(&pst.name);
        let Phase::Children(kids) = &mut self.ex.runs[parent].phase else {
            return;
        };
        kids.done += 1;
        kids.running = kids.running.saturating_sub(1);
        let map = kids.map;
        let ok = result.is_ok();
        match result {
            Ok(v) => kids.results[slot] = Some(v),
            Err(f) => {
                kids.failed += 1;
                kids.results[slot] = Some(Value::Null);
                if kids.first_failure.is_none() {
                    kids.first_failure = Some(f);
                }
            }
        }
        if map {
            let prev = self.ex.runs[r].last_event;
            let kind = if ok {
                EventType::MapIterationSucceeded
            } else {
                EventType::MapIterationFailed
            };
            let details = Details::MapIteration { name, index: slot };
            let id = self.ex.history.push(prev, self.core.now, kind, details);
            self.ex.runs[parent].last_event = id;
        } else {
            self.ex.runs[parent].last_event = self.ex.runs[r].last_event;
        }
        self.ex.ready.push_back(parent);
    }

    /// The JSON text of `out`, with which run `r` ended: `exit` has just
    /// written it as the run's last event (Exited), so it is copied from
    /// there rather than written again.
    fn output_text(&self, r: usize, out: &Value) -> String {
        let text = self.ex.history.state_text(self.ex.runs[r].last_event);
        debug_assert!(text.as_ref().is_none_or(|t| *t == json_text(out)));
        text.unwrap_or_else(|| json_text(out))
    }

    /// Ends the execution (and every run in it); `output` is the JSON text
    /// of a successful execution's output.
    pub(crate) fn end_execution(
        &mut self,
        status: Status,
        failure: Option<Failure>,
        output: Option<String>,
    ) {
        if self.ex.status != Status::Running {
            return;
        }
        if status != Status::Succeeded && self.ex.runs.first().is_some_and(|r| r.alive) {
            self.abort_run(0);
        }
        for id in 0..self.ex.runs.len() {
            self.clear_wait(id);
            self.ex.runs[id].alive = false;
        }
        for t in self.ex.timers.drain(..) {
            self.sched.cancel(t);
        }
        self.ex.ready.clear();
        self.ex.status = status;
        self.ex.stop = Some(self.core.now);
        let (kind, details) = match status {
            Status::Succeeded => {
                let text = output.unwrap_or_else(|| "null".into());
                self.ex.output = Some(text.clone());
                (
                    EventType::ExecutionSucceeded,
                    Details::ExecutionSucceeded { output: text },
                )
            }
            Status::Failed | Status::TimedOut | Status::Aborted => {
                let f = failure.clone().unwrap_or_else(|| Failure::new("", ""));
                let kind = match status {
                    Status::Failed => EventType::ExecutionFailed,
                    Status::TimedOut => EventType::ExecutionTimedOut,
                    _ => EventType::ExecutionAborted,
                };
                (
                    kind,
                    Details::Error {
                        error: f.error,
                        cause: f.cause,
                    },
                )
            }
            Status::Running => return,
        };
        self.ex.failure = failure;
        let last = self.ex.runs.first().map(|r| r.last_event).unwrap_or(0);
        self.ex.history.push(last, self.core.now, kind, details);
        let took = self.core.now.since(self.ex.start);
        let name = Arc::clone(&self.ex.trace_name);
        let detail = match &self.ex.failure {
            Some(f) => format!(
                "{} {} after {}: {}",
                self.ex.name,
                status.as_str(),
                crate::time::human(took),
                f.error
            ),
            None => format!(
                "{} {} after {}",
                self.ex.name,
                status.as_str(),
                crate::time::human(took)
            ),
        };
        self.core.trace("states", &name, "execution-end", detail);
        if self.ex.kind == WorkflowType::Express && !self.ex.test {
            let mb = express_memory_mb(self.ex);
            let step = EXPRESS_DURATION_STEP.as_nanos();
            let billed = took.as_nanos().div_ceil(step).max(1) * step;
            let gb_s = mb as f64 / 1024.0 * (billed as f64 / 1e9);
            self.core.bill("states.express.gb_seconds", gb_s);
        }
        self.settle_bill();
    }
}

/// True when a Task/Parallel/Map state needs its raw input again after its
/// work: for ResultPath, a retry, a catcher or JSONata's `$states.input`.
fn needs_raw(st: &State) -> bool {
    st.lang == Lang::Jsonata
        || !matches!(st.result_path, ResultSel::Replace)
        || !st.retry.is_empty()
        || !st.catch.is_empty()
}

/// Where a Map state's items are: a list of their own, or still inside
/// the state's effective input (moved out once nothing else reads it).
enum Items {
    Owned(Vec<Value>),
    InInput,
}

fn no_items(spec: &super::definition::MapSpec) -> Failure {
    Failure::runtime(format!(
        "Invalid path '{}' : No results for path: {}",
        spec.items_path, spec.items_path
    ))
}

fn not_an_array(spec: &super::definition::MapSpec, found: &Value) -> Failure {
    Failure::runtime(format!(
        "Map state input must be an array, but ItemsPath '{}' selected {}",
        spec.items_path,
        crate::params::kind(found)
    ))
}

/// The items array at ItemsPath inside `effective` (checked to be there):
/// moved out, or copied when an ItemSelector still reads the input.
fn take_items(spec: &super::definition::MapSpec, effective: &mut Value) -> Vec<Value> {
    let found = if spec.item_selector.is_some() {
        spec.items_path.get_in(effective).cloned()
    } else {
        spec.items_path.get_in_mut(effective).map(std::mem::take)
    };
    match found {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

/// ItemBatcher: the items in batches of `n`, each `{"BatchInput"?, "Items"}`.
fn batches(items: Vec<Value>, n: usize, batch_input: Option<&Value>) -> Vec<Value> {
    let mut out = Vec::with_capacity(items.len().div_ceil(n));
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let mut m = Map::new();
        if let Some(b) = batch_input {
            m.insert("BatchInput".into(), b.clone());
        }
        m.insert(
            "Items".into(),
            Value::Array(items.by_ref().take(n).collect()),
        );
        out.push(Value::Object(m));
    }
    out
}

/// Frees what only a running execution needs (its runs); the history stays.
/// Its output value, if any, becomes the account's `recent_output`.
fn release(states: &mut StatesState, id: usize) {
    let ex = &mut states.execs[id];
    ex.runs = Vec::new();
    ex.ready = VecDeque::new();
    if let Some(v) = ex.output_value.take() {
        states.recent_output = Some((id, v));
    }
}

/// Express memory: the definition and the largest payload, in 64 MB steps.
fn express_memory_mb(ex: &Exec) -> u64 {
    let bytes =
        ex.definition.json.to_string().len() as u64 + ex.history.largest_state_text() as u64;
    let step = EXPRESS_MEMORY_STEP_MB * 1024 * 1024;
    bytes.div_ceil(step).max(1) * EXPRESS_MEMORY_STEP_MB
}

fn resource_names(spec: &super::definition::TaskSpec) -> (String, String) {
    match &spec.integration {
        Integration::LambdaArn(_) => ("lambda".into(), spec.resource.clone()),
        _ => {
            let tail = spec
                .resource
                .strip_prefix("arn:aws:states:::")
                .unwrap_or(&spec.resource);
            match tail.split_once(':') {
                Some((service, action)) => (service.to_string(), action.to_string()),
                None => ("states".into(), tail.to_string()),
            }
        }
    }
}

/// A scope from parts (input, context, variables).
struct Scope3<'a> {
    input: &'a Value,
    context: &'a Value,
    vars: &'a Vars,
}

impl super::path::Scope for Scope3<'_> {
    fn input(&self) -> &Value {
        self.input
    }
    fn context(&self) -> &Value {
        self.context
    }
    fn var(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }
}

/// Starts execution `id` (already stored): the first event and the first run.
pub(crate) fn begin(cloud: &mut Cloud, id: usize, timeout: Duration) {
    let ex = &mut cloud.states.execs[id];
    let machine = Arc::clone(&ex.definition.machine);
    let input = ex.input.clone();
    ex.runs.push(Run {
        machine,
        parent: None,
        state: 0,
        raw: Value::Null,
        phase: Phase::Enter(input),
        epoch: 0,
        attempts: Vec::new(),
        retry_count: 0,
        vars: Vars::default(),
        last_event: 0,
        entered_at: cloud.core.now,
        token: None,
        timers: Vec::new(),
        task: None,
        alive: true,
    });
    let start = ex.definition.machine.start;
    ex.runs[0].state = start;
    ex.history
        .reserve(2 * ex.definition.machine.states.len() + 2);
    let started = Details::ExecutionStarted {
        input: ex.input_text.clone(),
        role_arn: ex.role_arn.clone(),
    };
    let first = ex
        .history
        .push(0, cloud.core.now, EventType::ExecutionStarted, started);
    ex.runs[0].last_event = first;
    ex.ready.push_back(0);
    let timer = cloud.schedule(timeout, "states.execution-timeout", move |c| {
        timeout_execution(c, id);
    });
    cloud.states.execs[id].timers.push(timer);
    cloud.schedule(TRANSITION_LATENCY, "states.start", move |c| drive(c, id));
    crate::events::sources::execution_status(cloud, id);
}

fn timeout_execution(cloud: &mut Cloud, id: usize) {
    let Cloud {
        core,
        scheduler,
        states,
        ..
    } = &mut *cloud;
    let Some(ex) = states.execs.get_mut(id) else {
        return;
    };
    if ex.status != Status::Running {
        return;
    }
    ex.timers.clear();
    let mut cx = Cx {
        core,
        sched: scheduler,
        ex,
        tokens: &mut states.tokens,
        id,
    };
    let limit = cx.now().since(cx.ex.start);
    cx.end_execution(
        Status::TimedOut,
        Some(Failure::new(
            errors::TIMEOUT,
            format!(
                "The execution ran longer than its timeout ({}).",
                crate::time::human(limit)
            ),
        )),
        None,
    );
    let parent = cx.ex.parent;
    release(states, id);
    crate::events::sources::execution_status(cloud, id);
    if let Some(p) = parent {
        notify_parent(cloud, id, p);
    }
}

/// StopExecution: aborts a running execution.
pub(crate) fn stop(cloud: &mut Cloud, id: usize, error: Option<String>, cause: Option<String>) {
    {
        let Cloud {
            core,
            scheduler,
            states,
            ..
        } = &mut *cloud;
        let ex = &mut states.execs[id];
        let mut cx = Cx {
            core,
            sched: scheduler,
            ex,
            tokens: &mut states.tokens,
            id,
        };
        cx.end_execution(
            Status::Aborted,
            Some(Failure::new(
                error.unwrap_or_default(),
                cause.unwrap_or_default(),
            )),
            None,
        );
        release(states, id);
    }
    crate::events::sources::execution_status(cloud, id);
    if let Some(p) = cloud.states.execs[id].parent {
        notify_parent(cloud, id, p);
    }
}

/// A heartbeat for the task behind `token`.
pub(crate) fn heartbeat(cloud: &mut Cloud, t: TokenRef) {
    let Cloud {
        core,
        scheduler,
        states,
        ..
    } = &mut *cloud;
    let ex = &mut states.execs[t.exec];
    if ex.runs.get(t.run).is_none_or(|r| r.epoch != t.epoch) {
        return;
    }
    let mut cx = Cx {
        core,
        sched: scheduler,
        ex,
        tokens: &mut states.tokens,
        id: t.exec,
    };
    cx.heartbeat(t.run);
}

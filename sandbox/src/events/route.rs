//! What happens to an event on a bus: it is archived, matched against the
//! bus's enabled rules (one [`crate::pattern::PatternSet`]), and sent to each
//! matching rule's targets, with retries (exponential backoff with full
//! jitter, within the target's RetryPolicy) and the target's dead-letter
//! queue. Scheduled rules fire here too, as background jobs in virtual time.
//!
//! Errors a retry cannot fix (the target does not exist, the request is
//! refused) go straight to the dead-letter queue, as AWS documents; throttling
//! and server errors are retried.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::ops::targets::Target;
use super::quotas::*;
use super::transform::{self, RuleInfo};
use crate::attributes::{AttributeValue, Attributes};
use crate::cloud::{ACCOUNT_ID, Cloud, REGION, parse_arn};
use crate::time::SimTime;

/// How an event reached a bus.
#[derive(Clone, Debug)]
pub(crate) enum Via {
    /// PutEvents.
    Api,
    /// An AWS service of this account (S3, Step Functions ...).
    Aws,
    /// A rule on another bus forwarded it; the buses it has been on.
    Bus(Vec<Arc<str>>),
    /// A replay; only these rules (all when empty).
    Replay { rules: Vec<String> },
}

/// `2026-01-01T00:00:00Z`: the envelope's `time`, to the second.
pub(crate) fn event_time(t: SimTime) -> String {
    t.to_jiff().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The envelope EventBridge wraps an event's detail in.
pub(crate) fn envelope(
    id: &str,
    source: &str,
    detail_type: &str,
    time: SimTime,
    resources: &[String],
    detail: Value,
) -> Value {
    json!({
        "version": "0",
        "id": id,
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT_ID,
        "time": event_time(time),
        "region": REGION,
        "resources": resources,
        "detail": detail,
    })
}

/// Puts `event` on bus `bus`: archives it, then sends it to every matching rule's targets.
pub(crate) fn ingest(cloud: &mut Cloud, bus: &str, event: Arc<Value>, via: Via) {
    let Some(b) = cloud.events.buses.get_mut(bus) else {
        return;
    };
    b.stats.events += 1;
    let mut rules: Vec<String> = b.matcher.matches(&event).into_iter().cloned().collect();
    if let Via::Replay { rules: only } = &via
        && !only.is_empty()
    {
        rules.retain(|r| only.contains(r));
    }
    if !rules.is_empty() {
        b.stats.matched += 1;
    }
    let bus_arc = b.name.clone();
    let mut path = match &via {
        Via::Bus(p) => p.clone(),
        _ => Vec::new(),
    };
    path.push(bus_arc.clone());
    cloud.core.trace(
        "events",
        &bus_arc,
        if matches!(via, Via::Replay { .. }) {
            "replayed"
        } else {
            "event"
        },
        format!(
            "{} from {} (id {}) matched {}",
            event["detail-type"].as_str().unwrap_or(""),
            event["source"].as_str().unwrap_or(""),
            event["id"].as_str().unwrap_or(""),
            if rules.is_empty() {
                "no rule".to_string()
            } else {
                rules.join(", ")
            }
        ),
    );
    if !matches!(via, Via::Replay { .. }) {
        archive(cloud, bus, &event);
    }
    for rule in rules {
        trigger(cloud, bus, &rule, &event, &path);
    }
}

/// Copies the event into each archive of the bus whose pattern it matches.
fn archive(cloud: &mut Cloud, bus: &str, event: &Arc<Value>) {
    let now = cloud.core.now;
    let mut bytes = 0;
    for a in cloud.events.archives.values_mut() {
        if &*a.bus == bus && a.pattern.as_ref().is_none_or(|p| p.matches(event)) {
            let size = event.to_string().len() as u64;
            a.events.push((now, event.clone()));
            a.bytes += size;
            bytes += size;
        }
    }
    if bytes > 0 {
        cloud.core.bill("events.archive.gb", bytes as f64 / 1e9);
    }
}

/// Sends `event` to every target of rule `rule` on bus `bus`.
fn trigger(cloud: &mut Cloud, bus: &str, rule: &str, event: &Arc<Value>, path: &[Arc<str>]) {
    let now = cloud.core.now;
    let Some(r) = cloud
        .events
        .buses
        .get_mut(bus)
        .and_then(|b| b.rules.get_mut(rule))
    else {
        return;
    };
    r.stats.triggered += 1;
    let (targets, arn, bus_arc) = (r.targets.clone(), r.arn.clone(), r.bus.clone());
    if targets.is_empty() {
        cloud.core.trace(
            "events",
            &bus_arc,
            "no-targets",
            format!("rule {rule} has no targets"),
        );
    }
    for target in targets {
        invoke(
            cloud,
            Invocation {
                bus: bus_arc.clone(),
                rule: rule.to_string(),
                rule_arn: arn.clone(),
                target,
                event: event.clone(),
                attempt: 0,
                first: now,
                path: path.to_vec(),
            },
        );
    }
}

/// One event on its way to one target.
#[derive(Clone, Debug)]
pub(crate) struct Invocation {
    pub bus: Arc<str>,
    pub rule: String,
    pub rule_arn: String,
    pub target: Target,
    pub event: Arc<Value>,
    /// 0 for the first attempt.
    pub attempt: u32,
    /// When the first attempt was made (the event's age counts from here).
    pub first: SimTime,
    /// The buses the event has been on, this one last.
    pub path: Vec<Arc<str>>,
}

/// Why an attempt failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The ERROR_CODE a dead-letter message carries.
    pub code: &'static str,
    pub message: String,
    pub retriable: bool,
}

impl Failure {
    fn from_error(e: &crate::error::CloudError) -> Failure {
        let retriable = e.status == 429
            || e.status >= 500
            || e.code.contains("Throttl")
            || e.code.contains("LimitExceeded");
        let code = if e.status == 404
            || e.code.contains("NotFound")
            || e.code.contains("NonExistent")
            || e.code.contains("DoesNotExist")
        {
            "RESOURCE_NOT_FOUND"
        } else if retriable && e.status < 500 {
            "THROTTLING"
        } else if retriable {
            "INTERNAL_ERROR"
        } else {
            "SDK_CLIENT_ERROR"
        };
        Failure {
            code,
            message: e.to_string(),
            retriable,
        }
    }

    fn missing(what: &str, arn: &str) -> Failure {
        Failure {
            code: "RESOURCE_NOT_FOUND",
            message: format!("{what} {arn} does not exist."),
            retriable: false,
        }
    }
}

fn stats<'c>(cloud: &'c mut Cloud, inv: &Invocation) -> Option<&'c mut super::model::RuleStats> {
    cloud
        .events
        .buses
        .get_mut(&*inv.bus)
        .and_then(|b| b.rules.get_mut(&inv.rule))
        .map(|r| &mut r.stats)
}

/// Makes one attempt, then retries or gives up as the target's policy says.
pub(crate) fn invoke(cloud: &mut Cloud, inv: Invocation) {
    let ingestion = event_time(inv.first);
    let input = transform::input_for(
        &inv.target,
        &inv.event,
        &RuleInfo {
            name: &inv.rule,
            arn: &inv.rule_arn,
            ingestion_time: &ingestion,
        },
    );
    match send(cloud, &inv, input) {
        Ok(()) => {
            if let Some(s) = stats(cloud, &inv) {
                s.invocations += 1;
            }
            cloud.core.trace(
                "events",
                &inv.bus,
                "invoke",
                format!(
                    "rule {} -> {} (attempt {})",
                    inv.rule,
                    inv.target.arn,
                    inv.attempt + 1
                ),
            );
        }
        Err(f) if f.retriable => retry_or_give_up(cloud, inv, f),
        Err(f) => give_up(cloud, &inv, &f, None),
    }
}

/// The delay before retry `attempt` (0-based): full jitter over an
/// exponentially growing ceiling, never under the base delay.
pub(crate) fn retry_delay(rng: &mut crate::rng::SimRng, attempt: u32) -> Duration {
    let ceiling = RETRY_BASE
        .saturating_mul(1u32 << attempt.min(20))
        .min(RETRY_CAP);
    let ms = rng.range(RETRY_BASE.as_millis() as u64, ceiling.as_millis() as u64);
    Duration::from_millis(ms)
}

/// Schedules the next attempt, unless the retry policy is exhausted.
pub(crate) fn retry_or_give_up(cloud: &mut Cloud, inv: Invocation, f: Failure) {
    let policy = inv.target.retry_limits();
    if inv.attempt >= policy.max_attempts {
        return give_up(cloud, &inv, &f, Some("MaximumRetryAttempts"));
    }
    let delay = retry_delay(&mut cloud.core.rng, inv.attempt);
    if (cloud.core.now + delay).since(inv.first) > policy.max_age {
        return give_up(cloud, &inv, &f, Some("MaximumEventAge"));
    }
    if let Some(s) = stats(cloud, &inv) {
        s.retries += 1;
    }
    cloud.core.trace(
        "events",
        &inv.bus,
        "retry",
        format!(
            "rule {} -> {}: {}; attempt {} in {:.1} s",
            inv.rule,
            inv.target.arn,
            f.message,
            inv.attempt + 2,
            delay.as_secs_f64()
        ),
    );
    let next = Invocation {
        attempt: inv.attempt + 1,
        ..inv
    };
    cloud.schedule(delay, "events.retry", move |c| invoke(c, next));
}

/// The event will not reach the target: to its DLQ (with AWS's attributes), or dropped.
fn give_up(cloud: &mut Cloud, inv: &Invocation, f: &Failure, exhausted: Option<&str>) {
    if let Some(s) = stats(cloud, inv) {
        s.failed_invocations += 1;
    }
    let Some(dlq) = inv.target.dead_letter_arn().map(str::to_string) else {
        cloud.core.trace(
            "events",
            &inv.bus,
            "invoke-failed",
            format!(
                "rule {} -> {}: {} (dropped: no DLQ)",
                inv.rule, inv.target.arn, f.message
            ),
        );
        return;
    };
    let mut attrs = Attributes::new();
    let mut put = |k: &str, v: String| {
        attrs.insert(k.to_string(), AttributeValue::string(v));
    };
    put("RULE_ARN", inv.rule_arn.clone());
    put("TARGET_ARN", inv.target.arn.clone());
    put("ERROR_CODE", f.code.to_string());
    put("ERROR_MESSAGE", f.message.clone());
    put("RETRY_ATTEMPTS", inv.attempt.to_string());
    if let Some(e) = exhausted {
        put("EXHAUSTED_RETRY_CONDITION", e.to_string());
    }
    let ok = crate::targets::send(cloud, &dlq, inv.event.to_string(), attrs).is_ok();
    if ok && let Some(s) = stats(cloud, inv) {
        s.sent_to_dlq += 1;
    }
    cloud.core.trace(
        "events",
        &inv.bus,
        "dead-letter",
        format!(
            "rule {} -> {}: {} -> {}{}",
            inv.rule,
            inv.target.arn,
            f.message,
            dlq.rsplit(':').next().unwrap_or(&dlq),
            if ok {
                ""
            } else {
                " (DLQ unavailable: dropped)"
            }
        ),
    );
}

/// One attempt to hand the input to the target.
fn send(cloud: &mut Cloud, inv: &Invocation, input: String) -> Result<(), Failure> {
    let arn = inv.target.arn.as_str();
    match parse_arn(arn) {
        Some(("sqs", _, _, queue)) => to_queue(cloud, inv, queue, input),
        Some(("sns", _, _, topic)) => {
            if !cloud.sns.topics.contains_key(topic) {
                return Err(Failure::missing("Topic", arn));
            }
            crate::sns::ops::publish_to(cloud, arn, input, None, Attributes::new())
                .map(|_| ())
                .map_err(|e| Failure::from_error(&e))
        }
        Some(("lambda", _, _, res)) => {
            let name = res.trim_start_matches("function:");
            let name = name.split(':').next().unwrap_or(name);
            let payload = serde_json::from_str(&input).unwrap_or(Value::String(input));
            crate::lambda::asynch::enqueue(cloud, name, payload, "events")
                .map(|_| ())
                .map_err(|e| Failure::from_error(&e))
        }
        Some(("events", _, _, res)) => to_bus(cloud, inv, res.trim_start_matches("event-bus/")),
        Some(("states", _, _, res)) if res.starts_with("stateMachine:") => {
            crate::states::ops::executions::start_execution(
                cloud,
                crate::states::ops::executions::StartExecutionInput {
                    state_machine_arn: arn.to_string(),
                    input: Some(input),
                    ..Default::default()
                },
            )
            .map(|_| ())
            .map_err(|e| Failure::from_error(&e))
        }
        _ => Err(Failure {
            code: "SDK_CLIENT_ERROR",
            message: format!("Delivering to {arn} is not supported in this sandbox."),
            retriable: false,
        }),
    }
}

fn to_queue(cloud: &mut Cloud, inv: &Invocation, queue: &str, body: String) -> Result<(), Failure> {
    if !cloud.sqs.queues.contains_key(queue) {
        return Err(Failure::missing("Queue", &inv.target.arn));
    }
    let fifo = queue.ends_with(".fifo");
    let group = inv
        .target
        .sqs_parameters
        .as_ref()
        .and_then(|p| p.message_group_id.clone());
    let input = crate::sqs::ops::messages::SendMessageInput {
        queue_url: crate::sqs::queue_url(queue),
        message_body: body,
        message_group_id: if fifo { group } else { None },
        message_deduplication_id: fifo.then(|| inv.event["id"].as_str().unwrap_or("").to_string()),
        ..Default::default()
    };
    crate::sqs::ops::messages::send_message(cloud, input)
        .map(|_| ())
        .map_err(|e| Failure::from_error(&e))
}

/// Forwards the event as it is to another bus (a custom event there).
fn to_bus(cloud: &mut Cloud, inv: &Invocation, name: &str) -> Result<(), Failure> {
    if !cloud.events.buses.contains_key(name) {
        return Err(Failure::missing("Event bus", &inv.target.arn));
    }
    if inv.path.iter().any(|b| &**b == name) {
        return Err(Failure {
            code: "SDK_CLIENT_ERROR",
            message: format!(
                "Not forwarding event {} to bus {name}: it would loop.",
                inv.event["id"].as_str().unwrap_or("")
            ),
            retriable: false,
        });
    }
    let size = inv.event.to_string().len();
    cloud.core.bill(
        "events.custom.events",
        size.div_ceil(BILLING_CHUNK).max(1) as f64,
    );
    ingest(cloud, name, inv.event.clone(), Via::Bus(inv.path.clone()));
    Ok(())
}

/// Schedules the next firing of a scheduled rule (a background job, so it
/// does not keep `run_until_idle` busy).
pub(crate) fn arm_schedule(cloud: &mut Cloud, bus: &str, rule: &str) {
    let now = cloud.core.now;
    let Some(r) = cloud.events.buses.get(bus).and_then(|b| b.rules.get(rule)) else {
        return;
    };
    let Some((_, schedule)) = r.schedule.as_ref().filter(|_| r.enabled) else {
        return;
    };
    let Some(at) = schedule.next_after(r.created, now) else {
        return;
    };
    let (bus, rule, generation) = (bus.to_string(), rule.to_string(), r.generation);
    cloud.scheduler.background(
        at,
        "events.schedule",
        Box::new(move |c| fire(c, &bus, &rule, generation)),
    );
}

/// A scheduled rule fires: a `Scheduled Event` from `aws.events` to its targets.
fn fire(cloud: &mut Cloud, bus: &str, rule: &str, generation: u64) {
    let Some(r) = cloud.events.buses.get(bus).and_then(|b| b.rules.get(rule)) else {
        return;
    };
    if r.generation != generation || !r.enabled {
        return;
    }
    let arn = r.arn.clone();
    let id = cloud.core.rng.uuid();
    let event = envelope(
        &id,
        "aws.events",
        "Scheduled Event",
        cloud.core.now,
        &[arn],
        json!({}),
    );
    let bus_arc: Arc<str> = bus.into();
    cloud.core.trace(
        "events",
        &bus_arc,
        "schedule",
        format!("rule {rule} fired (id {id})"),
    );
    trigger(
        cloud,
        bus,
        rule,
        &Arc::new(event),
        std::slice::from_ref(&bus_arc),
    );
    arm_schedule(cloud, bus, rule);
}

/// Puts an event from one of this account's AWS services on the default bus
/// (free, as AWS service events are).
pub fn put_aws_event(cloud: &mut Cloud, event: Value) {
    ingest(cloud, "default", Arc::new(event), Via::Aws);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqs::{Queue, Receive};
    use crate::time::DurationExt;

    fn throttled() -> Failure {
        Failure {
            code: "THROTTLING",
            message: "Rate exceeded".into(),
            retriable: true,
        }
    }

    #[test]
    fn retriable_failures_retry_then_run_out_into_the_dlq() {
        let mut cloud = Cloud::new();
        let dlq = cloud.sqs().create_queue("dlq").unwrap();
        let later = Queue::named("later");
        let inv = Invocation {
            bus: "default".into(),
            rule: "r".into(),
            rule_arn: crate::events::model::rule_arn("default", "r"),
            target: Target::queue(&later)
                .dead_letter_queue(&dlq)
                .retry(2, 1.hours()),
            event: Arc::new(json!({"id": "e1"})),
            attempt: 0,
            first: cloud.now(),
            path: vec!["default".into()],
        };
        // Throttled now; by the retry the queue exists, so the retry delivers.
        retry_or_give_up(&mut cloud, inv.clone(), throttled());
        assert_eq!(cloud.pending().len(), 1);
        cloud.sqs().create_queue("later").unwrap();
        let waited = cloud.run_until_idle();
        assert!(waited >= RETRY_BASE, "{waited:?}");
        assert_eq!(
            cloud.sqs().receive(&later, Receive::max(10)).unwrap().len(),
            1
        );
        // Attempts used up: to the DLQ, saying why.
        let spent = Invocation {
            attempt: 2,
            ..inv.clone()
        };
        retry_or_give_up(&mut cloud, spent, throttled());
        let m = cloud.sqs().receive(&dlq, Receive::max(10)).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(
            m[0].attr("EXHAUSTED_RETRY_CONDITION"),
            Some("MaximumRetryAttempts")
        );
        assert_eq!(m[0].attr("ERROR_CODE"), Some("THROTTLING"));
        assert_eq!(m[0].attr("RETRY_ATTEMPTS"), Some("2"));
        cloud.sqs().delete(&dlq, &m[0]).unwrap();
        // Too old: the event's age runs out before the attempts do.
        cloud.advance(2.hours());
        retry_or_give_up(&mut cloud, inv, throttled());
        let m = cloud.sqs().receive(&dlq, Receive::max(10)).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(
            m[0].attr("EXHAUSTED_RETRY_CONDITION"),
            Some("MaximumEventAge")
        );
    }

    #[test]
    fn retry_delays_grow_with_jitter_and_cap() {
        let mut rng = crate::rng::SimRng::new(1);
        for attempt in 0..40 {
            let d = retry_delay(&mut rng, attempt);
            assert!(d >= RETRY_BASE, "{d:?}");
            assert!(d <= RETRY_CAP, "{d:?}");
            if attempt == 0 {
                assert_eq!(d, RETRY_BASE);
            }
        }
        let late: Vec<Duration> = (0..20).map(|_| retry_delay(&mut rng, 30)).collect();
        assert!(
            late.iter().any(|d| *d > Duration::from_secs(60)),
            "{late:?}"
        );
    }
}

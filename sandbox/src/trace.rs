//! The trace: one line per thing that happened in the simulated account, in
//! time order (a message sent, a function cold-started, a delivery retried).
//!
//! Lessons read it to *show* behaviour; graders read it to check it.
//!
//! Hot paths (every SQS send, receive and delete) record their detail as a
//! `Detail` of parts; its text is made the first time the event is read, so
//! events that are never looked at cost no formatting and no allocation.

use std::sync::{Arc, OnceLock};

use crate::rng::Uuid;
use crate::time::SimTime;

/// One event in the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    /// When it happened, in virtual time.
    pub at: SimTime,
    /// The service, as the SDKs name it: `sqs`, `sns`, `lambda`, ...
    pub service: &'static str,
    /// The resource's name (queue, topic, function ...).
    pub resource: Arc<str>,
    /// What happened, in a word or two: `send`, `receive`, `cold-start`, `retry` ...
    pub kind: &'static str,
    /// The particulars: ids, sizes, error codes.
    pub detail: String,
}

/// Every event of a `Cloud`, oldest first.
///
/// The trace keeps at most [`Trace::capacity`] events (one million by default);
/// older events are dropped and counted so a long simulation cannot run out of
/// memory.
#[derive(Clone, Debug)]
pub struct Trace {
    events: std::collections::VecDeque<Slot>,
    capacity: usize,
    dropped: u64,
}

/// A kept event: made already, or recorded as parts and made when first read.
#[derive(Clone, Debug)]
enum Slot {
    Ready(TraceEvent),
    Parts {
        at: SimTime,
        service: &'static str,
        resource: Arc<str>,
        kind: &'static str,
        detail: Detail,
        made: OnceLock<Box<TraceEvent>>,
    },
}

impl Slot {
    /// The service, kind and resource, read without making the event.
    fn key(&self) -> (&'static str, &'static str, &str) {
        match self {
            Slot::Ready(e) => (e.service, e.kind, &e.resource),
            Slot::Parts {
                service,
                kind,
                resource,
                ..
            } => (service, kind, resource),
        }
    }

    fn event(&self) -> &TraceEvent {
        match self {
            Slot::Ready(e) => e,
            Slot::Parts {
                at,
                service,
                resource,
                kind,
                detail,
                made,
            } => made.get_or_init(|| {
                Box::new(TraceEvent {
                    at: *at,
                    service,
                    resource: Arc::clone(resource),
                    kind,
                    detail: detail.text(),
                })
            }),
        }
    }
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            events: Default::default(),
            capacity: 1_000_000,
            dropped: 0,
        }
    }
}

impl Trace {
    /// Records one event.
    pub fn record(
        &mut self,
        at: SimTime,
        service: &'static str,
        resource: &Arc<str>,
        kind: &'static str,
        detail: String,
    ) {
        self.push(Slot::Ready(TraceEvent {
            at,
            service,
            resource: Arc::clone(resource),
            kind,
            detail,
        }));
    }

    /// Records one event whose detail is made of parts (formatted when read).
    pub(crate) fn record_parts(
        &mut self,
        at: SimTime,
        service: &'static str,
        resource: &Arc<str>,
        kind: &'static str,
        detail: Detail,
    ) {
        self.push(Slot::Parts {
            at,
            service,
            resource: Arc::clone(resource),
            kind,
            detail,
            made: OnceLock::new(),
        });
    }

    fn push(&mut self, slot: Slot) {
        if self.events.len() == self.capacity {
            self.events.pop_front();
            self.dropped += 1;
        }
        self.events.push_back(slot);
    }

    /// How many events the trace keeps before dropping the oldest.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Keeps at most `capacity` events from now on.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        while self.events.len() > self.capacity {
            self.events.pop_front();
            self.dropped += 1;
        }
    }

    /// Number of events dropped because the trace was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// All kept events, oldest first.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = &TraceEvent> + ExactSizeIterator {
        self.events.iter().map(Slot::event)
    }

    /// Number of kept events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when nothing has happened yet.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Events of one service (`"sqs"`).
    pub fn service<'a>(&'a self, service: &'a str) -> impl Iterator<Item = &'a TraceEvent> + 'a {
        self.events
            .iter()
            .filter(move |s| s.key().0 == service)
            .map(Slot::event)
    }

    /// Events of one kind (`"cold-start"`).
    pub fn kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a TraceEvent> + 'a {
        self.events
            .iter()
            .filter(move |s| s.key().1 == kind)
            .map(Slot::event)
    }

    /// Events about one resource (by name).
    pub fn resource<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a TraceEvent> + 'a {
        self.events
            .iter()
            .filter(move |s| s.key().2 == name)
            .map(Slot::event)
    }

    /// The last `n` events, oldest first: a view that renders as a table.
    pub fn tail(&self, n: usize) -> TraceView {
        let skip = self.events.len().saturating_sub(n);
        TraceView(self.events().skip(skip).cloned().collect())
    }

    /// Events matching `keep`, as a view that renders as a table.
    pub fn filter(&self, keep: impl Fn(&TraceEvent) -> bool) -> TraceView {
        TraceView(self.events().filter(|e| keep(e)).cloned().collect())
    }

    /// Forgets every event (the counters in meters are not touched).
    pub fn clear(&mut self) {
        self.events.clear();
    }
}

/// A selection of trace events, for display.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TraceView(pub Vec<TraceEvent>);

impl TraceView {
    /// The selected events.
    pub fn events(&self) -> &[TraceEvent] {
        &self.0
    }

    /// Number of selected events.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when nothing was selected.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Arc<str> {
        Arc::from(s)
    }

    #[test]
    fn keeps_order_and_filters() {
        let mut t = Trace::default();
        t.record(SimTime::EPOCH, "sqs", &name("q"), "send", "a".into());
        t.record(SimTime::EPOCH, "sns", &name("t"), "publish", "b".into());
        t.record(SimTime::EPOCH, "sqs", &name("q"), "receive", "c".into());
        assert_eq!(t.len(), 3);
        assert_eq!(t.service("sqs").count(), 2);
        assert_eq!(t.kind("publish").count(), 1);
        assert_eq!(t.resource("q").count(), 2);
        assert_eq!(t.tail(1).events()[0].detail, "c");
    }

    #[test]
    fn drops_oldest_beyond_capacity() {
        let mut t = Trace::default();
        t.set_capacity(2);
        for i in 0..5 {
            t.record(SimTime::EPOCH, "sqs", &name("q"), "send", i.to_string());
        }
        assert_eq!(t.len(), 2);
        assert_eq!(t.dropped(), 3);
        assert_eq!(t.events().next().unwrap().detail, "3");
    }
}

/// A trace detail about one id, kept as its parts and turned into text only
/// when the event is read: `{texts[0]}{id}{texts[1]}{number}{texts[2]}` (the
/// number only if set). The texts are a `'static` template, so a detail is
/// 40 bytes and recording one allocates nothing; hot paths (every SQS send,
/// receive and delete) record one through `Core::trace_parts`.
///
/// `Detail::new(&["MessageId=", " receive #", ""], id, Some(2))` reads
/// `MessageId=<id> receive #2`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Detail {
    id: Uuid,
    number: Option<u64>,
    /// Before the id, between the id and the number, after the number.
    texts: &'static [&'static str; 3],
}

impl Detail {
    /// The template `texts` filled with `id` and `number`.
    pub fn new(texts: &'static [&'static str; 3], id: Uuid, number: Option<u64>) -> Detail {
        Detail { id, number, texts }
    }

    /// The text.
    pub fn text(&self) -> String {
        let [prefix, middle, end] = *self.texts;
        match self.number {
            Some(n) => format!("{prefix}{}{middle}{n}{end}", self.id),
            None => format!("{prefix}{}{middle}{end}", self.id),
        }
    }
}

#[cfg(test)]
mod detail_tests {
    use super::*;
    use crate::rng::SimRng;

    #[test]
    fn builds_text_from_parts() {
        let id = SimRng::new(1).uuid_raw();
        let d = Detail::new(&["MessageId=", " (", " B)"], id, Some(1_234_567));
        assert_eq!(d.text(), format!("MessageId={id} (1234567 B)"));
        assert_eq!(Detail::new(&["", "", ""], id, None).text(), id.to_string());
    }

    #[test]
    fn parts_read_like_text() {
        let mut t = Trace::default();
        let q: Arc<str> = Arc::from("q");
        let id = SimRng::new(1).uuid_raw();
        t.record_parts(
            SimTime::EPOCH,
            "sqs",
            &q,
            "send",
            Detail::new(&["a ", " #", ""], id, Some(1)),
        );
        t.record(SimTime::EPOCH, "sqs", &q, "send", "b".into());
        let details: Vec<&str> = t.events().map(|e| e.detail.as_str()).collect();
        assert_eq!(details, [format!("a {id} #1").as_str(), "b"]);
        assert_eq!(t.tail(2).events()[0].detail, format!("a {id} #1"));
    }

    /// Every SQS send, receive and delete pushes a slot: keep it small
    /// (it was 160 bytes with the texts inline; copying it showed in profiles).
    #[test]
    fn a_slot_stays_compact() {
        assert!(
            std::mem::size_of::<Slot>() <= 120,
            "{}",
            std::mem::size_of::<Slot>()
        );
    }
}

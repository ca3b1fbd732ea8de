//! The state of one queue and the rules its messages live by: delay,
//! visibility, receive counts, retention, FIFO groups and deduplication.
//!
//! Visibility is lazy: a message stores the instant it becomes visible and
//! every operation compares that with the clock, so no timers are needed for
//! it. Operations here touch one queue only; moving a message between queues
//! (dead-letter queues, redrive) happens in `ops`.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};

use rustc_hash::FxHashMap;
use std::sync::Arc;

use base64::Engine;

use super::config::QueueConfig;
use super::quotas::*;
use crate::attributes::Attributes;
use crate::rng::{SimRng, Uuid};
use crate::time::{DurationExt, SimTime};

/// A message as the queue stores it.
#[derive(Clone, Debug)]
pub(crate) struct StoredMessage {
    pub seq: u64,
    /// The MessageId, as 16 bytes (text only when shown).
    pub message_id: Uuid,
    pub body: String,
    pub attributes: Attributes,
    /// MD5 of the body, raw (rendered as hex only in responses).
    pub md5_of_body: [u8; 16],
    pub md5_of_attributes: Option<String>,
    pub trace_header: Option<String>,
    pub sender_id: &'static str,
    pub sent_at: SimTime,
    /// Retention counts from here (the original enqueue time on standard DLQs).
    pub enqueued_at: SimTime,
    /// Hidden (delayed or in flight) until this instant.
    pub visible_at: SimTime,
    pub receive_count: u32,
    pub first_receive: Option<SimTime>,
    pub last_receive: Option<SimTime>,
    /// Receipt handles of this generation or later delete the message.
    pub valid_from: u32,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
    pub sequence_number: Option<String>,
    pub dead_letter_source: Option<String>,
    pub in_ready: bool,
    pub duplicate_pending: bool,
    /// Anomalies strike each message at most once per kind (copy on receive,
    /// copy surviving a delete), so forced duplicates stay finite.
    pub duplicated: bool,
    pub survived: bool,
}

/// Where a message is, as seen at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum MessageState {
    /// Waiting out a delay; never received yet.
    Delayed,
    /// Can be received now.
    Visible,
    /// Received and hidden until its visibility timeout ends.
    InFlight,
}

impl StoredMessage {
    pub fn state(&self, now: SimTime) -> MessageState {
        if self.visible_at <= now {
            MessageState::Visible
        } else if self.last_receive.is_some() {
            MessageState::InFlight
        } else {
            MessageState::Delayed
        }
    }
}

/// Counters of what happened to a queue's messages (for conservation checks
/// and views).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct QueueStats {
    /// Messages accepted by send (duplicates dropped by FIFO dedup not counted).
    pub sent: u64,
    /// Messages that arrived from another queue (dead-lettering or redrive).
    pub moved_in: u64,
    /// Deliveries by receive (a message received twice counts twice).
    pub received: u64,
    /// Messages deleted.
    pub deleted: u64,
    /// Messages dropped when their retention period ended.
    pub expired: u64,
    /// Messages moved out to a dead-letter queue or redriven elsewhere.
    pub moved_out: u64,
    /// Messages removed by PurgeQueue.
    pub purged: u64,
    /// Sends FIFO deduplication dropped.
    pub deduplicated: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct DedupEntry {
    pub expires: SimTime,
    pub message_id: String,
    pub sequence_number: String,
}

/// One queue.
#[derive(Debug)]
pub(crate) struct QueueState {
    pub id: u32,
    pub name: Arc<str>,
    pub url: String,
    pub arn: String,
    pub config: QueueConfig,
    pub tags: BTreeMap<String, String>,
    pub created: SimTime,
    pub last_modified: SimTime,
    pub anomalies: Option<bool>,
    /// Chance of a duplicate per receive and per delete when anomalies are on.
    pub duplicate_rate: Option<f64>,
    pub messages: FxHashMap<u64, StoredMessage>,
    pub stats: QueueStats,
    pub last_purge: Option<SimTime>,
    next_seq: u64,
    ready: VecDeque<u64>,
    waiting: BinaryHeap<Reverse<(SimTime, u64)>>,
    expiry: BinaryHeap<Reverse<(SimTime, u64)>>,
    groups: HashMap<String, VecDeque<u64>>,
    dedup: HashMap<String, DedupEntry>,
    dedup_order: VecDeque<(SimTime, String)>,
    next_sequence_number: u128,
}

/// What one receive took out of the queue.
#[derive(Debug, Default)]
pub(crate) struct Taken {
    /// Messages delivered, with the receipt handle of this delivery.
    pub delivered: Vec<(u64, String)>,
    /// Messages past maxReceiveCount, removed for the dead-letter queue.
    pub dead_letters: Vec<StoredMessage>,
    /// How many of `delivered` were duplicate deliveries (anomalies).
    pub duplicates: usize,
}

/// What a delete did.
#[derive(Debug)]
pub(crate) enum Deleted {
    /// The message is gone.
    Gone(Uuid),
    /// The handle was from an earlier receive: nothing happened.
    Stale,
    /// A copy survived (anomaly) and will be delivered again.
    Survived(Uuid),
}

/// Why a receipt handle did not act on a message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HandleError {
    /// Not a handle this queue issued.
    Invalid,
    /// A real handle, but its message is gone or a newer receive replaced it.
    Stale,
    /// The message is not in flight (ChangeMessageVisibility only).
    NotInFlight,
}

impl QueueState {
    pub fn new(id: u32, name: &str, config: QueueConfig, now: SimTime, rng: &mut SimRng) -> Self {
        QueueState {
            id,
            name: Arc::from(name),
            url: super::queue_url(name),
            arn: crate::cloud::arn("sqs", name),
            config,
            tags: BTreeMap::new(),
            created: now,
            last_modified: now,
            anomalies: None,
            duplicate_rate: None,
            messages: FxHashMap::default(),
            stats: QueueStats::default(),
            last_purge: None,
            next_seq: 0,
            ready: VecDeque::new(),
            waiting: BinaryHeap::new(),
            expiry: BinaryHeap::new(),
            groups: HashMap::new(),
            dedup: HashMap::new(),
            dedup_order: VecDeque::new(),
            next_sequence_number: 18_000_000_000_000_000_000 + rng.range(0, 999_999_999) as u128,
        }
    }

    /// The duplicate chance in force (the queue's own or the default).
    pub fn duplicate_rate(&self) -> f64 {
        self.duplicate_rate.unwrap_or(ANOMALY_DUPLICATE_RATE)
    }

    pub fn fifo(&self) -> bool {
        self.config.fifo
    }

    /// FIFO dedup key for a send, if this send is deduplicated at all.
    pub fn dedup_key(&self, group: &str, dedup_id: &str) -> String {
        if self.config.deduplication_scope == "messageGroup" {
            format!("{group}\u{0}{dedup_id}")
        } else {
            dedup_id.to_string()
        }
    }

    /// The earlier send this one duplicates, within the 5-minute window.
    pub fn find_duplicate(&mut self, key: &str, now: SimTime) -> Option<DedupEntry> {
        while let Some((t, _)) = self.dedup_order.front() {
            if *t > now {
                break;
            }
            let (t, k) = self.dedup_order.pop_front().expect("front");
            if self.dedup.get(&k).is_some_and(|e| e.expires == t) {
                self.dedup.remove(&k);
            }
        }
        self.dedup.get(key).cloned()
    }

    /// Stores a new message (already validated). Returns its sequence number on FIFO.
    pub fn enqueue(
        &mut self,
        mut msg: StoredMessage,
        dedup_key: Option<String>,
        now: SimTime,
    ) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        msg.seq = seq;
        if self.fifo() {
            self.next_sequence_number += 1 + (seq as u128 % 7);
            let sn = format!("{:020}", self.next_sequence_number);
            msg.sequence_number = Some(sn.clone());
            if let Some(key) = dedup_key {
                let expires = now + (DEDUP_INTERVAL as u64).secs();
                self.dedup.insert(
                    key.clone(),
                    DedupEntry {
                        expires,
                        message_id: msg.message_id.to_string(),
                        sequence_number: sn,
                    },
                );
                self.dedup_order.push_back((expires, key));
            }
            let group = msg.group_id.clone().unwrap_or_default();
            self.groups.entry(group).or_default().push_back(seq);
        } else if msg.visible_at <= now {
            msg.in_ready = true;
            self.ready.push_back(seq);
        } else {
            self.waiting.push(Reverse((msg.visible_at, seq)));
        }
        self.expiry.push(Reverse((msg.enqueued_at, seq)));
        self.messages.insert(seq, msg);
        seq
    }

    /// Drops messages whose retention period has ended; returns them.
    pub fn expire(&mut self, now: SimTime) -> Vec<StoredMessage> {
        let retention = (self.config.message_retention_period as u64).secs();
        let mut gone = Vec::new();
        while let Some(Reverse((enqueued, seq))) = self.expiry.peek().copied() {
            if enqueued + retention > now {
                break;
            }
            self.expiry.pop();
            if self
                .messages
                .get(&seq)
                .is_some_and(|m| m.enqueued_at == enqueued)
                && let Some(m) = self.remove(seq)
            {
                self.stats.expired += 1;
                gone.push(m);
            }
        }
        gone
    }

    /// Removes a message from every index.
    pub fn remove(&mut self, seq: u64) -> Option<StoredMessage> {
        let m = self.messages.remove(&seq)?;
        if let Some(g) = &m.group_id
            && let Some(q) = self.groups.get_mut(g)
        {
            if let Some(pos) = q.iter().position(|s| *s == seq) {
                q.remove(pos);
            }
            if q.is_empty() {
                self.groups.remove(g);
            }
        }
        Some(m)
    }

    fn promote(&mut self, now: SimTime) {
        while let Some(Reverse((t, seq))) = self.waiting.peek().copied() {
            if t > now {
                break;
            }
            self.waiting.pop();
            if let Some(m) = self.messages.get_mut(&seq)
                && m.visible_at == t
                && !m.in_ready
            {
                m.in_ready = true;
                self.ready.push_back(seq);
            }
        }
    }

    /// When the next hidden message becomes visible, if any is hidden.
    pub fn next_visible_at(&self, now: SimTime) -> Option<SimTime> {
        if self.fifo() {
            return self
                .messages
                .values()
                .filter(|m| m.visible_at > now)
                .map(|m| m.visible_at)
                .min();
        }
        self.waiting
            .iter()
            .map(|Reverse((t, _))| *t)
            .filter(|t| *t > now)
            .min()
    }

    /// Takes up to `max` messages for delivery, hiding them for `visibility`.
    pub fn take(
        &mut self,
        now: SimTime,
        max: usize,
        visibility: u32,
        max_receives: Option<u32>,
        anomalies: bool,
        rng: &mut SimRng,
    ) -> Taken {
        let picked = if self.fifo() {
            self.pick_fifo(now, max, max_receives)
        } else {
            self.pick_standard(now, max, max_receives, anomalies, rng)
        };
        let mut taken = Taken {
            delivered: Vec::with_capacity(picked.deliver.len()),
            ..Taken::default()
        };
        for seq in picked.dead {
            if let Some(m) = self.remove(seq) {
                self.stats.moved_out += 1;
                taken.dead_letters.push(m);
            }
        }
        let hide = (visibility as u64).secs();
        let duplicate_rate = self.duplicate_rate();
        for seq in picked.deliver {
            let id = self.id;
            let Some(m) = self.messages.get_mut(&seq) else {
                continue;
            };
            // A pending copy only counts as a duplicate while the first delivery is
            // still in flight; once that has ended it is an ordinary redelivery.
            let duplicate = std::mem::take(&mut m.duplicate_pending) && m.visible_at > now;
            m.receive_count += 1;
            m.first_receive.get_or_insert(now);
            m.last_receive = Some(now);
            if duplicate {
                taken.duplicates += 1;
            } else {
                m.valid_from = m.receive_count;
                m.visible_at = now + hide;
                if !self.config.fifo {
                    self.waiting.push(Reverse((m.visible_at, seq)));
                }
            }
            let handle = encode_handle(id, seq, m.receive_count, rng);
            if !self.config.fifo
                && anomalies
                && !duplicate
                && !m.duplicated
                && rng.chance(duplicate_rate)
            {
                m.duplicate_pending = true;
                m.duplicated = true;
                if !m.in_ready {
                    m.in_ready = true;
                    self.ready.push_back(seq);
                }
            }
            self.stats.received += 1;
            taken.delivered.push((seq, handle));
        }
        taken
    }

    fn pick_standard(
        &mut self,
        now: SimTime,
        max: usize,
        max_receives: Option<u32>,
        anomalies: bool,
        rng: &mut SimRng,
    ) -> Picked {
        self.promote(now);
        let mut picked = Picked::default();
        let mut skips = 0;
        while picked.deliver.len() < max {
            let Some(seq) = self.ready.pop_front() else {
                break;
            };
            let Some(m) = self.messages.get_mut(&seq) else {
                continue;
            };
            m.in_ready = false;
            if m.visible_at > now && !m.duplicate_pending {
                continue;
            }
            if anomalies && skips < 3 && !self.ready.is_empty() && rng.chance(ANOMALY_REORDER_RATE)
            {
                skips += 1;
                m.in_ready = true;
                let at = rng.range(1, self.ready.len().min(8) as u64) as usize;
                self.ready.insert(at, seq);
                continue;
            }
            if !m.duplicate_pending && max_receives.is_some_and(|limit| m.receive_count >= limit) {
                picked.dead.push(seq);
                continue;
            }
            picked.deliver.push(seq);
        }
        picked
    }

    fn pick_fifo(&mut self, now: SimTime, max: usize, max_receives: Option<u32>) -> Picked {
        let mut picked = Picked::default();
        let mut heads: Vec<(u64, &String)> = self
            .groups
            .iter()
            .filter_map(|(g, q)| q.front().map(|s| (*s, g)))
            .collect();
        heads.sort();
        let order: Vec<String> = heads.into_iter().map(|(_, g)| g.clone()).collect();
        for group in order {
            if picked.deliver.len() >= max {
                break;
            }
            let queue = &self.groups[&group];
            let blocked = queue
                .iter()
                .map(|s| &self.messages[s])
                .take_while(|m| m.last_receive.is_some())
                .any(|m| m.visible_at > now);
            if blocked {
                continue;
            }
            for seq in queue.iter().copied() {
                if picked.deliver.len() >= max {
                    break;
                }
                let m = &self.messages[&seq];
                if m.visible_at > now {
                    break;
                }
                if max_receives.is_some_and(|limit| m.receive_count >= limit) {
                    picked.dead.push(seq);
                    continue;
                }
                picked.deliver.push(seq);
            }
        }
        picked
    }

    /// Finds the message a receipt handle names, if the handle can act on it.
    pub fn resolve(&self, handle: &str) -> Result<u64, HandleError> {
        let (id, seq, generation) = decode_handle(handle).ok_or(HandleError::Invalid)?;
        if id != self.id || seq >= self.next_seq {
            return Err(HandleError::Invalid);
        }
        match self.messages.get(&seq) {
            Some(m) if generation >= m.valid_from && generation <= m.receive_count => Ok(seq),
            _ => Err(HandleError::Stale),
        }
    }

    /// Deletes the message a handle names. A stale handle succeeds without
    /// deleting, as SQS does. With anomalies on (standard queues), a copy
    /// may survive on a server that missed the delete and come back once its
    /// visibility timeout ends: [`Deleted::Survived`].
    pub fn delete(
        &mut self,
        handle: &str,
        now: SimTime,
        anomalies: bool,
        rng: &mut SimRng,
    ) -> Result<Deleted, HandleError> {
        match self.resolve(handle) {
            Ok(seq)
                if anomalies
                    && !self.fifo()
                    && !self.messages[&seq].survived
                    && rng.chance(self.duplicate_rate()) =>
            {
                let hide = (self.config.visibility_timeout as u64).secs();
                let m = self.messages.get_mut(&seq).expect("resolved");
                m.survived = true;
                m.valid_from = m.receive_count + 1;
                m.visible_at = m.visible_at.max(now + hide);
                self.waiting.push(Reverse((m.visible_at, seq)));
                Ok(Deleted::Survived(m.message_id))
            }
            Ok(seq) => {
                self.stats.deleted += 1;
                Ok(self
                    .remove(seq)
                    .map_or(Deleted::Stale, |m| Deleted::Gone(m.message_id)))
            }
            Err(HandleError::Stale) => Ok(Deleted::Stale),
            Err(e) => Err(e),
        }
    }

    /// Sets a received message's visibility timeout to `timeout` from now.
    pub fn change_visibility(
        &mut self,
        handle: &str,
        timeout: u32,
        now: SimTime,
    ) -> Result<u64, HandleError> {
        let seq = match self.resolve(handle) {
            Ok(seq) => seq,
            Err(HandleError::Stale) => return Err(HandleError::NotInFlight),
            Err(e) => return Err(e),
        };
        let m = self.messages.get_mut(&seq).expect("resolved");
        if m.state(now) != MessageState::InFlight {
            return Err(HandleError::NotInFlight);
        }
        m.visible_at = now + (timeout as u64).secs();
        if !self.config.fifo {
            self.waiting.push(Reverse((m.visible_at, seq)));
        }
        Ok(seq)
    }

    /// Removes every message sent before `before` (PurgeQueue).
    pub fn purge(&mut self, before: SimTime) -> usize {
        let doomed: Vec<u64> = self
            .messages
            .values()
            .filter(|m| m.sent_at <= before)
            .map(|m| m.seq)
            .collect();
        for seq in &doomed {
            self.remove(*seq);
        }
        self.stats.purged += doomed.len() as u64;
        doomed.len()
    }

    /// (visible, in flight, delayed) right now.
    pub fn counts(&self, now: SimTime) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for m in self.messages.values() {
            match m.state(now) {
                MessageState::Visible => c.0 += 1,
                MessageState::InFlight => c.1 += 1,
                MessageState::Delayed => c.2 += 1,
            }
        }
        c
    }

    /// Messages in the order they were stored.
    pub fn ordered(&self) -> Vec<&StoredMessage> {
        let mut v: Vec<_> = self.messages.values().collect();
        v.sort_by_key(|m| m.seq);
        v
    }
}

#[derive(Default)]
struct Picked {
    deliver: Vec<u64>,
    dead: Vec<u64>,
}

const HANDLE_MAGIC: &[u8; 2] = b"CL";

fn encode_handle(queue: u32, seq: u64, generation: u32, rng: &mut SimRng) -> String {
    let mut bytes = [0u8; 34];
    bytes[..2].copy_from_slice(HANDLE_MAGIC);
    bytes[2..6].copy_from_slice(&queue.to_be_bytes());
    bytes[6..14].copy_from_slice(&seq.to_be_bytes());
    bytes[14..18].copy_from_slice(&generation.to_be_bytes());
    bytes[18..26].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[26..34].copy_from_slice(&rng.next_u64().to_be_bytes());
    // Scramble the structured part with the random tail so handles look opaque.
    for i in 2..18 {
        bytes[i] ^= bytes[18 + i - 2];
    }
    // Encoded into a fixed buffer: `encode_string` goes through a chunked
    // writer that costs more than the encoding (one handle per delivery).
    let mut text = [0u8; 4 + 48];
    text[..4].copy_from_slice(b"AQEB");
    let n = base64::engine::general_purpose::STANDARD
        .encode_slice(bytes, &mut text[4..])
        .expect("34 bytes encode to 48 characters");
    String::from(std::str::from_utf8(&text[..4 + n]).expect("base64 is ASCII"))
}

fn decode_handle(handle: &str) -> Option<(u32, u64, u32)> {
    let text = handle.strip_prefix("AQEB")?;
    if text.len() != 48 {
        return None;
    }
    let mut bytes = [0u8; 36];
    let n = base64::engine::general_purpose::STANDARD
        .decode_slice(text, &mut bytes)
        .ok()?;
    if n != 34 {
        return None;
    }
    for i in 2..18 {
        bytes[i] ^= bytes[18 + i - 2];
    }
    if &bytes[..2] != HANDLE_MAGIC {
        return None;
    }
    let queue = u32::from_be_bytes(bytes[2..6].try_into().ok()?);
    let seq = u64::from_be_bytes(bytes[6..14].try_into().ok()?);
    let generation = u32::from_be_bytes(bytes[14..18].try_into().ok()?);
    Some((queue, seq, generation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_round_trip_and_reject_garbage() {
        let mut rng = SimRng::new(1);
        let h = encode_handle(7, 42, 3, &mut rng);
        assert!(h.starts_with("AQEB"));
        assert_eq!(decode_handle(&h), Some((7, 42, 3)));
        assert_eq!(decode_handle("AQEBnonsense"), None);
        assert_eq!(decode_handle(""), None);
        assert_eq!(decode_handle(&h[..h.len() - 4]), None);
    }
}

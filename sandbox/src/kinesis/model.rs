//! The state of streams and shards, and the rules records live by: routing by
//! hash key, sequence numbers, the retention window, and the per-shard
//! throughput limits measured in virtual time.
//!
//! Expiry and status changes are lazy: records store their arrival time and a
//! stream stores when it stops CREATING or UPDATING; operations compare with
//! the clock. Nothing here touches the `Cloud`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use super::keys::{HashRange, sequence_number, shard_id};
use super::quotas::*;
use crate::time::SimTime;

/// A record as a shard stores it.
#[derive(Clone, Debug)]
pub(crate) struct StoredRecord {
    pub partition_key: Arc<str>,
    pub data: Arc<[u8]>,
    pub arrival: SimTime,
}

impl StoredRecord {
    /// Bytes counted against limits: data blob plus partition key.
    pub fn size(&self) -> u64 {
        (self.data.len() + self.partition_key.len()) as u64
    }
}

/// A sliding one-second window of units taken (records and bytes).
#[derive(Clone, Debug, Default)]
pub(crate) struct RateWindow {
    entries: VecDeque<(SimTime, u64, u64)>,
    records: u64,
    bytes: u64,
}

impl RateWindow {
    /// Drops what is older than one second.
    pub fn prune(&mut self, now: SimTime) {
        while let Some(&(t, r, b)) = self.entries.front() {
            if t + Duration::from_secs(1) > now {
                break;
            }
            self.entries.pop_front();
            self.records -= r;
            self.bytes -= b;
        }
    }

    /// Records and bytes taken in the last second.
    pub fn used(&self) -> (u64, u64) {
        (self.records, self.bytes)
    }

    /// Whether `records`/`bytes` more fit under the limits. A window with
    /// nothing in it takes one record of any size (a large record bursts).
    pub fn fits(&self, records: u64, bytes: u64, max_records: u64, max_bytes: u64) -> bool {
        if self.records == 0 && self.bytes == 0 && records == 1 {
            return true;
        }
        self.records + records <= max_records && self.bytes + bytes <= max_bytes
    }

    /// Takes `records`/`bytes` now.
    pub fn take(&mut self, now: SimTime, records: u64, bytes: u64) {
        match self.entries.back_mut() {
            Some(last) if last.0 == now => {
                last.1 += records;
                last.2 += bytes;
            }
            _ => self.entries.push_back((now, records, bytes)),
        }
        self.records += records;
        self.bytes += bytes;
    }
}

/// The shared GetRecords budget of one shard: 5 calls and 2 MiB per second.
///
/// Bytes read count against the budget for one second, or for as long as
/// they take to pay off at 2 MiB/s if longer: a call returning 10 MiB blocks
/// the shard for 5 seconds, one returning 2 MiB for 1 second, as the
/// GetRecords reference describes.
#[derive(Clone, Debug, Default)]
pub(crate) struct ReadLimiter {
    calls: VecDeque<SimTime>,
    /// (until, bytes) of recent reads.
    bytes: Vec<(SimTime, u64)>,
}

impl ReadLimiter {
    fn prune(&mut self, now: SimTime) {
        while self
            .calls
            .front()
            .is_some_and(|t| *t + Duration::from_secs(1) <= now)
        {
            self.calls.pop_front();
        }
        self.bytes.retain(|(until, _)| *until > now);
    }

    fn bytes_in_window(&self) -> u64 {
        self.bytes.iter().map(|(_, b)| b).sum()
    }

    /// Why a GetRecords now would be throttled, if it would.
    pub fn refuse(&mut self, now: SimTime) -> Option<&'static str> {
        self.prune(now);
        if self.calls.len() >= SHARD_READ_CALLS_PER_SEC {
            return Some("more than 5 GetRecords calls in one second");
        }
        if self.bytes_in_window() >= SHARD_READ_BYTES_PER_SEC {
            return Some("more than 2 MiB read per second");
        }
        None
    }

    /// Records a GetRecords call that returned `bytes`.
    pub fn take(&mut self, now: SimTime, bytes: u64) {
        self.calls.push_back(now);
        if bytes > 0 {
            let pay = Duration::from_secs_f64(bytes as f64 / SHARD_READ_BYTES_PER_SEC as f64);
            self.bytes
                .push((now + pay.max(Duration::from_secs(1)), bytes));
        }
    }

    /// When the next call could succeed.
    pub fn next_allowed(&self, now: SimTime) -> SimTime {
        let by_calls = if self.calls.len() >= SHARD_READ_CALLS_PER_SEC {
            self.calls[self.calls.len() - SHARD_READ_CALLS_PER_SEC] + Duration::from_secs(1)
        } else {
            now
        };
        let mut live: Vec<(SimTime, u64)> = self
            .bytes
            .iter()
            .copied()
            .filter(|(u, _)| *u > now)
            .collect();
        live.sort();
        let mut sum: u64 = live.iter().map(|(_, b)| b).sum();
        let mut by_bytes = now;
        for (until, b) in live {
            if sum < SHARD_READ_BYTES_PER_SEC {
                break;
            }
            sum -= b;
            by_bytes = until;
        }
        by_calls.max(by_bytes).max(now)
    }
}

/// Lifetime counters of one shard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ShardStats {
    /// Records accepted.
    pub records_in: u64,
    /// Bytes accepted (data + partition keys).
    pub bytes_in: u64,
    /// Records refused by the write limit.
    pub write_throttles: u64,
    /// GetRecords calls refused by the read limit.
    pub read_throttles: u64,
    /// GetRecords calls served.
    pub reads: u64,
    /// Records returned by GetRecords and pushes (a record read twice counts twice).
    pub records_out: u64,
    /// Records that left the retention window.
    pub expired: u64,
}

/// A throttle, remembered for the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Throttle {
    pub at: SimTime,
    pub write: bool,
}

/// How many throttles a shard remembers for views.
const THROTTLE_MEMORY: usize = 2_000;

/// One shard: an ordered, append-only log of records with a hash key range.
#[derive(Clone, Debug)]
pub(crate) struct Shard {
    pub index: u32,
    pub range: HashRange,
    pub parent: Option<u32>,
    pub adjacent_parent: Option<u32>,
    pub created: SimTime,
    pub closed: Option<SimTime>,
    pub records: VecDeque<StoredRecord>,
    /// Position of `records[0]`.
    pub base: u64,
    pub bytes_stored: u64,
    pub writes: RateWindow,
    pub reads: ReadLimiter,
    pub stats: ShardStats,
    pub throttles: VecDeque<Throttle>,
}

impl Shard {
    pub fn new(index: u32, range: HashRange, now: SimTime) -> Shard {
        Shard {
            index,
            range,
            parent: None,
            adjacent_parent: None,
            created: now,
            closed: None,
            records: VecDeque::new(),
            base: 0,
            bytes_stored: 0,
            writes: RateWindow::default(),
            reads: ReadLimiter::default(),
            stats: ShardStats::default(),
            throttles: VecDeque::new(),
        }
    }

    /// `shardId-...`.
    pub fn id(&self) -> String {
        shard_id(self.index)
    }

    /// Position the next record written gets (the tip).
    pub fn tip(&self) -> u64 {
        self.base + self.records.len() as u64
    }

    /// Drops records older than `retention` (the window moves on).
    pub fn trim(&mut self, now: SimTime, retention: Duration) -> u64 {
        let mut n = 0;
        while let Some(r) = self.records.front() {
            if r.arrival + retention > now {
                break;
            }
            self.bytes_stored -= r.size();
            self.records.pop_front();
            self.base += 1;
            n += 1;
        }
        self.stats.expired += n;
        n
    }

    /// The record at `position`, if it is still in the window.
    pub fn get(&self, position: u64) -> Option<&StoredRecord> {
        position
            .checked_sub(self.base)
            .and_then(|i| self.records.get(i as usize))
    }

    /// Position of the first record that arrived at or after `t` (the tip if none).
    pub fn position_at(&self, t: SimTime) -> u64 {
        self.base + self.records.partition_point(|r| r.arrival < t) as u64
    }

    /// Appends a record; returns its position.
    pub fn append(&mut self, record: StoredRecord) -> u64 {
        let pos = self.tip();
        self.bytes_stored += record.size();
        self.stats.records_in += 1;
        self.stats.bytes_in += record.size();
        self.records.push_back(record);
        pos
    }

    /// Remembers a throttle for the timeline.
    pub fn note_throttle(&mut self, at: SimTime, write: bool) {
        if self.throttles.len() == THROTTLE_MEMORY {
            self.throttles.pop_front();
        }
        self.throttles.push_back(Throttle { at, write });
        if write {
            self.stats.write_throttles += 1;
        } else {
            self.stats.read_throttles += 1;
        }
    }
}

/// Provisioned (you choose the shards) or on-demand (AWS scales them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum StreamMode {
    /// N shards, each 1 MiB/s or 1,000 records/s in and 2 MiB/s out.
    #[serde(rename = "PROVISIONED")]
    Provisioned,
    /// Capacity follows the traffic (up to double the previous peak).
    #[serde(rename = "ON_DEMAND")]
    OnDemand,
}

impl StreamMode {
    /// As the API spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            StreamMode::Provisioned => "PROVISIONED",
            StreamMode::OnDemand => "ON_DEMAND",
        }
    }
}

/// CREATING, ACTIVE, UPDATING or DELETING.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum StreamStatus {
    /// Just created; not usable yet.
    #[serde(rename = "CREATING")]
    Creating,
    /// Usable.
    #[serde(rename = "ACTIVE")]
    Active,
    /// Resharding or changing mode: reads and writes work, other changes wait.
    #[serde(rename = "UPDATING")]
    Updating,
    /// Being deleted.
    #[serde(rename = "DELETING")]
    Deleting,
}

impl StreamStatus {
    /// As the API spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            StreamStatus::Creating => "CREATING",
            StreamStatus::Active => "ACTIVE",
            StreamStatus::Updating => "UPDATING",
            StreamStatus::Deleting => "DELETING",
        }
    }
}

/// The write capacity of an on-demand stream: 4 MiB/s and 4,000 records/s to
/// start, then double the highest second seen.
#[derive(Clone, Debug, Default)]
pub(crate) struct OnDemandCapacity {
    pub window: RateWindow,
    second: u64,
    second_records: u64,
    second_bytes: u64,
    pub peak_records: u64,
    pub peak_bytes: u64,
}

impl OnDemandCapacity {
    /// (records/s, bytes/s) the stream accepts now.
    pub fn limits(&self) -> (u64, u64) {
        let base = ON_DEMAND_INITIAL_SHARDS as u64;
        (
            (base * SHARD_WRITE_RECORDS_PER_SEC).max(ON_DEMAND_PEAK_MULTIPLE * self.peak_records),
            (base * SHARD_WRITE_BYTES_PER_SEC).max(ON_DEMAND_PEAK_MULTIPLE * self.peak_bytes),
        )
    }

    /// Counts accepted writes towards the per-second peak.
    pub fn record(&mut self, now: SimTime, records: u64, bytes: u64) {
        let s = now.unix_secs();
        if s != self.second {
            self.peak_records = self.peak_records.max(self.second_records);
            self.peak_bytes = self.peak_bytes.max(self.second_bytes);
            self.second = s;
            self.second_records = 0;
            self.second_bytes = 0;
        }
        self.second_records += records;
        self.second_bytes += bytes;
        self.window.take(now, records, bytes);
    }
}

/// Where a reader (a chain of shard iterators) is, for views and lag.
#[derive(Clone, Debug)]
pub(crate) struct Reader {
    pub shard: u32,
    pub position: u64,
    pub last_used: SimTime,
    pub label: Option<String>,
}

/// An enhanced fan-out consumer.
#[derive(Clone, Debug)]
pub(crate) struct Consumer {
    pub name: String,
    pub arn: String,
    pub created: SimTime,
    /// CREATING until then, ACTIVE after.
    pub ready_at: SimTime,
    /// Pushed position per shard of its live subscriptions.
    pub positions: BTreeMap<u32, u64>,
    pub records_pushed: u64,
    pub bytes_pushed: u64,
}

/// One stream.
#[derive(Clone, Debug)]
pub(crate) struct StreamState {
    pub name: Arc<str>,
    pub arn: String,
    pub created: SimTime,
    pub status: StreamStatus,
    /// When CREATING/UPDATING ends.
    pub busy_until: Option<SimTime>,
    pub mode: StreamMode,
    pub retention_hours: u32,
    pub max_record_bytes: u64,
    /// Every shard ever, by number (closed parents stay, as on AWS).
    pub shards: Vec<Shard>,
    /// Open shards by starting hash key: (start, shard number).
    pub routing: Vec<(u128, u32)>,
    pub tags: BTreeMap<String, String>,
    pub scalings: VecDeque<SimTime>,
    pub on_demand: OnDemandCapacity,
    pub readers: BTreeMap<u64, Reader>,
    pub consumers: BTreeMap<String, Consumer>,
    pub encryption: Option<String>,
    /// Shard-hours are metered up to here.
    pub metered_until: SimTime,
}

impl StreamState {
    /// A stream with `shards` evenly split shards, CREATING until `now + CREATE_DURATION`.
    pub fn new(
        name: &str,
        arn: String,
        mode: StreamMode,
        shards: u32,
        now: SimTime,
    ) -> StreamState {
        let mut s = StreamState {
            name: Arc::from(name),
            arn,
            created: now,
            status: StreamStatus::Creating,
            busy_until: Some(now + CREATE_DURATION),
            mode,
            retention_hours: DEFAULT_RETENTION_HOURS,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            shards: Vec::new(),
            routing: Vec::new(),
            tags: BTreeMap::new(),
            scalings: VecDeque::new(),
            on_demand: OnDemandCapacity::default(),
            readers: BTreeMap::new(),
            consumers: BTreeMap::new(),
            encryption: None,
            metered_until: now,
        };
        for (i, range) in super::keys::even_ranges(shards).into_iter().enumerate() {
            s.shards.push(Shard::new(i as u32, range, now));
        }
        s.reroute();
        s
    }

    /// The retention period.
    pub fn retention(&self) -> Duration {
        Duration::from_secs(self.retention_hours as u64 * 3600)
    }

    /// Applies status changes that are due and drops expired records.
    pub fn settle(&mut self, now: SimTime) {
        if let Some(t) = self.busy_until
            && t <= now
        {
            self.busy_until = None;
            if matches!(self.status, StreamStatus::Creating | StreamStatus::Updating) {
                self.status = StreamStatus::Active;
            }
        }
        let retention = self.retention();
        for shard in &mut self.shards {
            shard.trim(now, retention);
        }
    }

    /// Rebuilds the routing table from the open shards.
    pub fn reroute(&mut self) {
        self.routing = self
            .shards
            .iter()
            .filter(|s| s.closed.is_none())
            .map(|s| (s.range.start, s.index))
            .collect();
        self.routing.sort_unstable();
    }

    /// The open shard whose range holds `key`.
    pub fn route(&self, key: u128) -> u32 {
        let i = self.routing.partition_point(|(start, _)| *start <= key);
        self.routing[i.saturating_sub(1)].1
    }

    /// Open shard numbers in hash key order.
    pub fn open_shards(&self) -> impl Iterator<Item = &Shard> {
        self.routing.iter().map(|(_, i)| &self.shards[*i as usize])
    }

    /// Number of open shards.
    pub fn open_count(&self) -> u32 {
        self.routing.len() as u32
    }

    /// The sequence number of the record at `position` of shard `shard`.
    pub fn sequence_number(&self, shard: u32, position: u64, arrival: SimTime) -> String {
        sequence_number(self.created, arrival, shard, position)
    }

    /// The shard numbered `index`, if it exists.
    pub fn shard(&self, index: u32) -> Option<&Shard> {
        self.shards.get(index as usize)
    }

    /// A fresh reader id, forgetting readers unused for longer than an iterator lives.
    pub fn new_reader(
        &mut self,
        shard: u32,
        position: u64,
        now: SimTime,
        label: Option<String>,
    ) -> u64 {
        self.readers
            .retain(|_, r| r.last_used + ITERATOR_LIFETIME > now || r.label.is_some());
        let id = self.readers.keys().next_back().map_or(1, |k| k + 1);
        self.readers.insert(
            id,
            Reader {
                shard,
                position,
                last_used: now,
                label,
            },
        );
        id
    }

    /// Total records stored (all shards).
    pub fn records_stored(&self) -> usize {
        self.shards.iter().map(|s| s.records.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;

    fn rec(at: SimTime, bytes: usize) -> StoredRecord {
        StoredRecord {
            partition_key: Arc::from("k"),
            data: Arc::from(vec![0u8; bytes.saturating_sub(1)]),
            arrival: at,
        }
    }

    #[test]
    fn window_slides_by_one_second() {
        let t = SimTime::EPOCH;
        let mut w = RateWindow::default();
        w.take(t, 1000, 10);
        assert!(!w.fits(1, 1, 1000, 1 << 20));
        w.prune(t + 999.millis());
        assert!(!w.fits(1, 1, 1000, 1 << 20));
        w.prune(t + 1000.millis());
        assert!(w.fits(1000, 1 << 20, 1000, 1 << 20));
        assert_eq!(w.used(), (0, 0));
    }

    #[test]
    fn an_empty_window_takes_one_large_record() {
        let w = RateWindow::default();
        assert!(w.fits(1, 5 << 20, 1000, 1 << 20));
        assert!(!w.fits(2, 5 << 20, 1000, 1 << 20));
    }

    #[test]
    fn reads_pay_two_mib_per_second() {
        let t = SimTime::EPOCH;
        let mut r = ReadLimiter::default();
        assert!(r.refuse(t).is_none());
        r.take(t, 10 * 1_048_576);
        assert!(r.refuse(t + 4.9.secs()).is_some(), "10 MiB blocks 5 s");
        assert!(r.refuse(t + 5.secs()).is_none());
        for i in 0..5u64 {
            r.take(t + 5.secs() + i.millis(), 0);
        }
        assert_eq!(
            r.refuse(t + 5.5.secs()),
            Some("more than 5 GetRecords calls in one second")
        );
        assert_eq!(r.next_allowed(t + 5.5.secs()), t + 6.secs());
    }

    #[test]
    fn trimming_moves_the_base() {
        let mut s = Shard::new(0, HashRange::ALL, SimTime::EPOCH);
        for i in 0..5u64 {
            s.append(rec(SimTime::EPOCH + (i * 3600).secs(), 10));
        }
        assert_eq!(s.tip(), 5);
        s.trim(SimTime::EPOCH + 26.hours(), 24.hours());
        assert_eq!((s.base, s.records.len()), (3, 2));
        assert!(s.get(2).is_none() && s.get(3).is_some());
        assert_eq!(s.bytes_stored, 20);
        assert_eq!(s.position_at(SimTime::EPOCH + 4.hours()), 4);
        assert_eq!(s.position_at(SimTime::EPOCH + 9.hours()), 5);
    }

    #[test]
    fn routing_finds_the_open_shard() {
        let s = StreamState::new(
            "s",
            "arn".into(),
            StreamMode::Provisioned,
            4,
            SimTime::EPOCH,
        );
        assert_eq!(s.route(0), 0);
        assert_eq!(s.route(u128::MAX), 3);
        assert_eq!(s.route(1u128 << 127), 2);
        assert_eq!(s.route((1u128 << 127) - 1), 1);
    }
}

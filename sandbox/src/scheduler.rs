//! The discrete-event scheduler: jobs due at virtual instants, run in time
//! order (ties in the order they were scheduled).
//!
//! Services schedule what happens later (a retry, a poller waking, a function
//! finishing) as a job: a closure that gets the whole `Cloud` when its time
//! comes. Background jobs (recurring schedules) do not keep
//! [`crate::Cloud::run_until_idle`] running.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

use crate::cloud::Cloud;
use crate::time::SimTime;

/// Work to do at a virtual instant.
pub type Job = Box<dyn FnOnce(&mut Cloud) + Send>;

/// Identifies a scheduled job so it can be cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerId(u64);

struct Entry {
    at: SimTime,
    seq: u64,
    label: &'static str,
    background: bool,
    job: Job,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// Jobs waiting for their time.
#[derive(Default)]
pub struct Scheduler {
    heap: BinaryHeap<Entry>,
    next_seq: u64,
    cancelled: HashSet<u64>,
    foreground: usize,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("pending", &self.len())
            .finish()
    }
}

impl Scheduler {
    /// Schedules `job` at `at`. `label` names it in views (`"sns.retry"`).
    pub fn at(&mut self, at: SimTime, label: &'static str, job: Job) -> TimerId {
        self.push(at, label, false, job)
    }

    /// Schedules a background job: one that should not keep the cloud busy
    /// (a recurring schedule's next tick).
    pub fn background(&mut self, at: SimTime, label: &'static str, job: Job) -> TimerId {
        self.push(at, label, true, job)
    }

    fn push(&mut self, at: SimTime, label: &'static str, background: bool, job: Job) -> TimerId {
        let seq = self.next_seq;
        self.next_seq += 1;
        if !background {
            self.foreground += 1;
        }
        self.heap.push(Entry {
            at,
            seq,
            label,
            background,
            job,
        });
        TimerId(seq)
    }

    /// Cancels a job that has not run yet (no effect if it has).
    pub fn cancel(&mut self, id: TimerId) {
        if self.heap.iter().any(|e| e.seq == id.0) {
            self.cancelled.insert(id.0);
        }
    }

    /// When the next job is due (cancelled ones skipped lazily).
    pub fn next_due(&mut self) -> Option<SimTime> {
        self.skip_cancelled();
        self.heap.peek().map(|e| e.at)
    }

    /// When the next foreground job is due, if any foreground job is pending.
    pub fn has_foreground(&self) -> bool {
        self.foreground > 0
    }

    /// Removes and returns the earliest job due at or before `until`.
    pub fn pop_due(&mut self, until: SimTime) -> Option<(SimTime, Job)> {
        self.skip_cancelled();
        if self.heap.peek().is_some_and(|e| e.at <= until) {
            let e = self.heap.pop()?;
            if !e.background {
                self.foreground -= 1;
            }
            return Some((e.at, e.job));
        }
        None
    }

    fn skip_cancelled(&mut self) {
        while let Some(top) = self.heap.peek() {
            if !self.cancelled.remove(&top.seq) {
                break;
            }
            let e = self.heap.pop().expect("peeked");
            if !e.background {
                self.foreground -= 1;
            }
        }
    }

    /// Number of pending jobs (cancelled ones not yet skipped included).
    pub fn len(&self) -> usize {
        self.heap.len() - self.cancelled.len()
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Pending jobs as (time, label), earliest first, for views.
    pub fn pending(&self) -> Vec<(SimTime, &'static str)> {
        let mut v: Vec<_> = self
            .heap
            .iter()
            .filter(|e| !self.cancelled.contains(&e.seq))
            .map(|e| (e.at, e.seq, e.label))
            .collect();
        v.sort();
        v.into_iter().map(|(at, _, label)| (at, label)).collect()
    }
}

//! The scheduler's pending timers: retries whose backoff ends and attempts that time out, in time order.

use super::Millis;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What happens when a timer fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Alarm {
    /// The backoff of `app` before `attempt` ends.
    Retry { app: u32, attempt: u32 },
    /// Attempt `attempt` of `app` times out.
    Timeout { app: u32, attempt: u32 },
    /// The run's deadline passes.
    Deadline,
}

/// Timers by due time, then by the order they were set (so equal times fire in a fixed order).
#[derive(Debug, Default)]
pub(super) struct Timers {
    heap: BinaryHeap<Reverse<(Millis, u64, Alarm)>>,
    set: u64,
}

impl Timers {
    /// Sets an alarm for `at`.
    pub(super) fn set(&mut self, at: Millis, alarm: Alarm) {
        self.set += 1;
        self.heap.push(Reverse((at, self.set, alarm)));
    }

    /// The earliest due time.
    pub(super) fn next(&self) -> Option<Millis> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// The earliest alarm due at or before `now`, removed.
    pub(super) fn pop_due(&mut self, now: Millis) -> Option<Alarm> {
        match self.heap.peek() {
            Some(Reverse((at, _, _))) if *at <= now => {
                self.heap.pop().map(|Reverse((_, _, alarm))| alarm)
            }
            _ => None,
        }
    }

    /// Forgets every alarm.
    pub(super) fn clear(&mut self) {
        self.heap.clear();
    }
}

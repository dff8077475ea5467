//! Apps ready to start, one queue per concurrency class, each in app order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The ready apps: queue 0 holds the apps of no class, queue `c + 1` those of class `c`.
#[derive(Debug)]
pub(super) struct ReadyQueues {
    queues: Vec<BinaryHeap<Reverse<(u32, u32)>>>,
}

impl ReadyQueues {
    /// Empty queues for `classes` concurrency classes.
    pub(super) fn new(classes: usize) -> ReadyQueues {
        ReadyQueues {
            queues: (0..=classes).map(|_| BinaryHeap::new()).collect(),
        }
    }

    /// Queues `app` (of `class`, if any) for its next `attempt`.
    pub(super) fn push(&mut self, app: u32, attempt: u32, class: Option<u32>) {
        let queue = class.map_or(0, |c| c as usize + 1);
        self.queues[queue].push(Reverse((app, attempt)));
    }

    /// The lowest-numbered ready app whose class has room (`has_room(class)`), removed, with its attempt.
    pub(super) fn pop(&mut self, has_room: impl Fn(u32) -> bool) -> Option<(u32, u32)> {
        let open = |q: usize| q == 0 || u32::try_from(q - 1).is_ok_and(&has_room);
        let best = (0..self.queues.len())
            .filter(|&q| open(q))
            .filter_map(|q| self.queues[q].peek().map(|Reverse(head)| (*head, q)))
            .min()?;
        self.queues[best.1].pop().map(|Reverse(head)| head)
    }

    /// Empties every queue, returning the apps that were in them.
    pub(super) fn drain(&mut self) -> Vec<u32> {
        self.queues
            .iter_mut()
            .flat_map(|q| q.drain().map(|Reverse((app, _))| app))
            .collect()
    }
}

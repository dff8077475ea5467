//! The journal of a run: every step of every app, appended in durable groups, read back to resume.

use aoa_core::Result;
use serde::{Deserialize, Serialize};

/// One step of one app in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The attempt is about to be made (committed before the callback is called).
    Started {
        /// The attempt, from 1.
        attempt: u32,
    },
    /// The attempt's callback and health gate succeeded: the app is done.
    Succeeded {
        /// The attempt.
        attempt: u32,
    },
    /// On resume, an app whose attempt was in flight was found healthy at its target version: done without
    /// a second deploy.
    Adopted,
    /// The attempt failed.
    AttemptFailed {
        /// The attempt.
        attempt: u32,
        /// Why, in the callback's words.
        reason: String,
    },
    /// The attempt ran past its timeout or the run's deadline; a late outcome is ignored.
    TimedOut {
        /// The attempt.
        attempt: u32,
    },
    /// Another attempt follows after a backoff.
    Retrying {
        /// The next attempt.
        attempt: u32,
        /// When it may start (milliseconds since the run began).
        at_ms: u64,
    },
    /// The app failed for good.
    Failed {
        /// Attempts made.
        attempts: u32,
    },
    /// The app will not run.
    Skipped {
        /// Why (`upstream failed: X`, `run stopped after X failed`, `stopped`, `deadline passed`).
        reason: String,
    },
    /// The app was running when the run was abandoned: whether it is deployed is unknown.
    InDoubt {
        /// The attempt that was running.
        attempt: u32,
    },
}

/// One journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEvent {
    /// The run.
    pub run_id: String,
    /// The entry's number in the run, from 1 (a resume continues the numbering).
    pub seq: u64,
    /// Milliseconds since this process began driving the run.
    pub at_ms: u64,
    /// Wall-clock time, milliseconds since the Unix epoch.
    pub unix_ms: u64,
    /// The app.
    pub app: String,
    /// What happened.
    #[serde(flatten)]
    pub step: Step,
}

/// Where a run's steps are kept. [`Journal::append`] must be atomic and durable: after it returns, the
/// events survive a crash; if it fails, none of them was recorded.
pub trait Journal {
    /// Appends `events` in one commit.
    ///
    /// # Errors
    /// The store's error; the run stops before any callback for these events is called.
    fn append(&mut self, events: &[JournalEvent]) -> Result<()>;

    /// Every event of `run_id`, in `seq` order (empty for an unknown run).
    ///
    /// # Errors
    /// The store's error.
    fn events(&mut self, run_id: &str) -> Result<Vec<JournalEvent>>;

    /// Called at least every 100 ms while a run goes on, events or not: a journal that holds a lease renews
    /// it here.
    ///
    /// # Errors
    /// The store's error (the lease was lost): the run stops starting apps.
    fn keepalive(&mut self) -> Result<()> {
        Ok(())
    }
}

/// A journal in memory: for tests and for runs that need no resume.
#[derive(Debug, Default, Clone)]
pub struct MemoryJournal {
    /// Every event appended, in order.
    pub events: Vec<JournalEvent>,
    /// How many commits were made.
    pub commits: usize,
}

impl Journal for MemoryJournal {
    fn append(&mut self, events: &[JournalEvent]) -> Result<()> {
        self.events.extend_from_slice(events);
        self.commits += 1;
        Ok(())
    }

    fn events(&mut self, run_id: &str) -> Result<Vec<JournalEvent>> {
        Ok(self
            .events
            .iter()
            .filter(|e| e.run_id == run_id)
            .cloned()
            .collect())
    }
}

//! What a scheduler is told ([`Event`]) and what it answers ([`Decision`]), and where each app stands.

use super::Millis;

/// Something that happened, fed to [`super::Scheduler::on`] with the time it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The run begins: the first apps start.
    Begin,
    /// An attempt of an app succeeded (its deploy returned and its health gate passed).
    Succeeded {
        /// The app.
        app: u32,
        /// The attempt (from 1) that succeeded.
        attempt: u32,
    },
    /// An attempt of an app failed.
    Failed {
        /// The app.
        app: u32,
        /// The attempt (from 1) that failed.
        attempt: u32,
    },
    /// Time passed: retries whose backoff ended start, attempts past their timeout time out, the deadline
    /// passes. Feed it at [`super::Scheduler::next_wake`].
    Tick,
    /// Stop starting apps (a first Ctrl-C): running apps may finish; everything not started is skipped.
    Stop,
    /// Give up on the running apps too (a second Ctrl-C): they are left in doubt.
    Abandon,
}

/// What the runtime must do, or what became final, in the order it was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Start this attempt of the app now.
    Start {
        /// The app.
        app: u32,
        /// The attempt, from 1.
        attempt: u32,
    },
    /// The attempt ran past its timeout (or the deadline): the runtime abandons it; a late outcome of it is
    /// ignored.
    TimedOut {
        /// The app.
        app: u32,
        /// The attempt that timed out.
        attempt: u32,
    },
    /// The attempt failed; the next one starts at `at` (or later, within the limits).
    Retry {
        /// The app.
        app: u32,
        /// The next attempt.
        attempt: u32,
        /// When its backoff ends.
        at: Millis,
    },
    /// The app succeeded.
    Succeeded {
        /// The app.
        app: u32,
        /// The attempt that succeeded.
        attempt: u32,
    },
    /// The app failed for good after this many attempts.
    Failed {
        /// The app.
        app: u32,
        /// Attempts made.
        attempts: u32,
    },
    /// The app will not run.
    Skipped {
        /// The app.
        app: u32,
        /// Why.
        reason: SkipReason,
    },
    /// The app was running when the run was abandoned: whether it is deployed is unknown.
    InDoubt {
        /// The app.
        app: u32,
        /// The attempt that was running.
        attempt: u32,
    },
}

/// Why an app did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// An app it waits for (directly or not) failed: `app` is the one that failed.
    UpstreamFailed {
        /// The failed app.
        app: u32,
    },
    /// The run stopped starting apps after `app` failed (the fail-fast policy).
    RunStopped {
        /// The failed app.
        app: u32,
    },
    /// The run was stopped from outside (Ctrl-C).
    Stopped,
    /// The run's deadline passed first.
    DeadlinePassed,
}

/// Where one app stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppStatus {
    /// Takes no part in the run (settled before it began).
    Settled,
    /// Waits for apps before it.
    Waiting,
    /// Ready, waiting for a free slot (or for its wave).
    Ready,
    /// An attempt is running.
    Running {
        /// The attempt.
        attempt: u32,
        /// When it started.
        since: Millis,
    },
    /// An attempt failed; the next starts after the backoff.
    Backoff {
        /// The attempt that failed.
        attempt: u32,
        /// When the backoff ends.
        until: Millis,
    },
    /// Succeeded.
    Succeeded,
    /// Failed for good.
    Failed {
        /// Attempts made.
        attempts: u32,
    },
    /// Will not run.
    Skipped(SkipReason),
    /// Was running when the run was abandoned.
    InDoubt {
        /// The attempt that was running.
        attempt: u32,
    },
}

impl AppStatus {
    /// Whether nothing more will happen to the app in this run.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            AppStatus::Settled
                | AppStatus::Succeeded
                | AppStatus::Failed { .. }
                | AppStatus::Skipped(_)
                | AppStatus::InDoubt { .. }
        )
    }
}

/// How many apps stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Settled before the run began.
    pub settled: u32,
    /// Not final yet (waiting, ready, running or in backoff).
    pub pending: u32,
    /// Running now.
    pub running: u32,
    /// Succeeded.
    pub succeeded: u32,
    /// Failed for good.
    pub failed: u32,
    /// Skipped.
    pub skipped: u32,
    /// In doubt.
    pub in_doubt: u32,
}

//! How a rollout may run: limits, retries, timeouts and what a failure does.

use super::Millis;
use crate::error::{Error, Result};

/// What a final failure does to the rest of the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnFailure {
    /// Start nothing new; running apps finish; everything not started is skipped (the default).
    #[default]
    FailFast,
    /// Independent branches go on; every app downstream of the failed one is skipped.
    Continue,
}

/// Retries of a failed attempt: the `n`-th retry waits `min(cap, initial * factor^(n-1))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retry {
    /// Attempts in all, the first included (at least 1; default 3).
    pub max_attempts: u32,
    /// The wait before the first retry (default 1 s).
    pub initial: Millis,
    /// The growth of each further wait (finite, at least 1; default 2).
    pub factor: f64,
    /// The longest wait (default 60 s).
    pub cap: Millis,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            max_attempts: 3,
            initial: 1_000,
            factor: 2.0,
            cap: 60_000,
        }
    }
}

impl Retry {
    /// The wait after attempt `failed` (from 1) failed.
    pub fn delay(&self, failed: u32) -> Millis {
        let exponent = i32::try_from(failed.saturating_sub(1)).unwrap_or(i32::MAX);
        let wait = self.initial as f64 * self.factor.powi(exponent);
        if wait.is_finite() && wait < self.cap as f64 {
            to_millis(wait)
        } else {
            self.cap
        }
    }
}

/// Whole milliseconds of a finite, non-negative wait below a `u64` cap.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "callers pass a finite wait in 0..cap, and cap is a u64"
)]
fn to_millis(wait: f64) -> Millis {
    wait.round() as Millis
}

/// The limits and rules of one run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Policy {
    /// At most this many apps run at once (`None`: no limit).
    pub max_parallel: Option<u32>,
    /// The limit of each concurrency class, by class number (see [`super::Setup::class`]).
    pub class_limits: Vec<u32>,
    /// Retries of failed attempts.
    pub retry: Retry,
    /// An attempt that runs longer times out and counts as failed.
    pub attempt_timeout: Option<Millis>,
    /// When the whole run must end (a time on the runtime's clock): running attempts time out, nothing
    /// more starts.
    pub deadline: Option<Millis>,
    /// What a final failure does.
    pub on_failure: OnFailure,
    /// A barrier between waves: no app of a wave starts before every app of the earlier waves is final.
    pub waves: bool,
}

impl Policy {
    /// Checks the limits.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a zero limit, zero attempts, a zero timeout or a factor below 1.
    pub fn check(&self) -> Result<()> {
        let problem = if self.max_parallel == Some(0) {
            Some("max_parallel must be at least 1".to_owned())
        } else if let Some(class) = self.class_limits.iter().position(|&l| l == 0) {
            Some(format!(
                "the limit of concurrency class {class} must be at least 1"
            ))
        } else if self.retry.max_attempts == 0 {
            Some("max_attempts must be at least 1".to_owned())
        } else if !(self.retry.factor.is_finite() && self.retry.factor >= 1.0) {
            Some(format!(
                "the backoff factor must be a number of at least 1, not {}",
                self.retry.factor
            ))
        } else if self.attempt_timeout == Some(0) {
            Some("the attempt timeout must be at least 1 ms".to_owned())
        } else {
            None
        };
        problem.map_or(Ok(()), |message| Err(Error::InvalidArgument { message }))
    }
}

//! What the user's code does for a rollout: deploy an app, tell its health, roll it back.

use std::time::Instant;

/// One attempt to deploy one app.
#[derive(Debug, Clone)]
pub struct DeployRequest<'a> {
    /// The app's name.
    pub app: &'a str,
    /// The version the manifest declares for it, if any.
    pub version: Option<&'a str>,
    /// The attempt, from 1.
    pub attempt: u32,
    /// The run this attempt belongs to.
    pub run_id: &'a str,
    /// The same for every attempt of this app in this run, resumes included: a deploy that sees it again
    /// may treat the request as a repeat.
    pub idempotency_key: &'a str,
    /// When the attempt times out, if it has a timeout: a deploy that outlives it is ignored.
    pub deadline: Option<Instant>,
}

/// An app's health as its `observe` callback sees it (the health states of Argo CD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// Running as it should.
    Healthy,
    /// Not healthy yet, getting there.
    Progressing,
    /// Running but failing.
    Degraded,
    /// Not there.
    Missing,
    /// Cannot be told.
    Unknown,
}

/// What `observe` reports of an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// Its health.
    pub health: Health,
    /// The version it runs, when known.
    pub version: Option<String>,
}

/// The user's code. `deploy` is required; without `observe` an app counts as healthy as soon as `deploy`
/// returns, and without `rollback` a rollback fails each app with a clear message. Callbacks run on worker
/// threads, several at once; an `Err`, or a panic, fails only that attempt.
pub trait Callbacks: Send + Sync {
    /// Deploys one app; `Err` carries the reason it failed.
    ///
    /// # Errors
    /// The reason the deploy failed, in the user's words.
    fn deploy(&self, request: &DeployRequest<'_>) -> Result<(), String>;

    /// The health of `app` (polled after `deploy` returns until it is healthy or the gate times out, and on
    /// resume for apps whose deploy was in flight).
    ///
    /// # Errors
    /// The reason the health could not be read (counts as [`Health::Unknown`]).
    fn observe(&self, app: &str) -> Result<Observation, String> {
        let _ = app;
        Ok(Observation {
            health: Health::Healthy,
            version: None,
        })
    }

    /// Whether `observe` is provided; the runtime skips the health gate when it is not.
    fn observes(&self) -> bool {
        false
    }

    /// Returns `app` to `to_version` (`None`: the app did not exist before the run).
    ///
    /// # Errors
    /// The reason the rollback failed.
    fn rollback(&self, app: &str, to_version: Option<&str>) -> Result<(), String> {
        let _ = (app, to_version);
        Err("no rollback callback was given".to_owned())
    }
}

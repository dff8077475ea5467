//! Rollouts with Kotlin callbacks: a uniffi callback interface, called from the runtime's worker threads.

use crate::{Manifest, Result};
use aoa_rollout::text::{Call, Foreign, report};
use std::sync::Arc;

/// Why a callback failed (`CallbackException.Failed` in Kotlin; any other exception a callback throws
/// becomes one too, with the exception's text).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum CallbackError {
    /// The callback failed.
    #[error("{reason}")]
    Failed {
        /// Why, in the callback's words.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CallbackError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> CallbackError {
        CallbackError::Failed { reason: e.reason }
    }
}

/// What `observe` reports of an app.
#[derive(Debug, uniffi::Record)]
pub struct Observed {
    /// `healthy`, `progressing`, `degraded`, `missing` or `unknown`.
    pub health: String,
    /// The version it runs, when known.
    pub version: Option<String>,
}

/// The user's code for a rollout, called from worker threads (several at once): throwing fails only that app.
#[uniffi::export(callback_interface)]
pub trait RolloutCallbacks: Send + Sync {
    /// Deploys `app` at `version` (attempt from 1; the idempotency key is the same for every attempt).
    fn deploy(
        &self,
        app: String,
        version: Option<String>,
        attempt: u32,
        run_id: String,
        idempotency_key: String,
    ) -> std::result::Result<(), CallbackError>;
    /// The app's health (polled after `deploy` when the rollout was started with `observes`).
    fn observe(&self, app: String) -> std::result::Result<Observed, CallbackError>;
    /// Returns `app` to `to_version` (`null`: it did not exist before).
    fn rollback(
        &self,
        app: String,
        to_version: Option<String>,
    ) -> std::result::Result<(), CallbackError>;
    /// Receives every journal entry as JSON, on the thread that called `rollout` (a failure is ignored).
    fn on_event(&self, event_json: String) -> std::result::Result<(), CallbackError>;
}

#[uniffi::export]
impl Manifest {
    /// Deploys every app with `callbacks`, each as soon as the apps it waits for succeeded; `observes`: poll
    /// `observe` as the health gate; `options_json`: the run options (`{"max_parallel": 4, ...}`) or `null`.
    /// Returns the report as JSON.
    pub fn rollout(
        &self,
        callbacks: Box<dyn RolloutCallbacks>,
        options_json: Option<String>,
        observes: bool,
    ) -> Result<String> {
        let callbacks: Arc<dyn RolloutCallbacks> = Arc::from(callbacks);
        let user = Arc::clone(&callbacks);
        let call = move |c: Call<'_>| {
            let (app, version) = (c.app.to_owned(), c.version.map(str::to_owned));
            let answer = match c.kind {
                "deploy" => user
                    .deploy(
                        app,
                        version,
                        c.attempt,
                        c.run_id.into(),
                        c.idempotency_key.into(),
                    )
                    .map(|()| (None, None)),
                "observe" => user.observe(app).map(|o| (Some(o.health), o.version)),
                _ => user.rollback(app, version).map(|()| (None, None)),
            };
            answer.map_err(|CallbackError::Failed { reason }| reason)
        };
        let foreign = Arc::new(Foreign { call, observes });
        let mut progress = |event: &str| {
            let _ = callbacks.on_event(event.to_owned());
        };
        let report = report(&self.0, options_json.as_deref(), foreign, &mut progress)?;
        Ok(serde_json::to_string(&report).unwrap_or_default())
    }
}

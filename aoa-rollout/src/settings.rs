//! A run's options as JSON, the same in every language: what the bindings hand over.
//!
//! ```json
//! {"run_id": "r1", "max_parallel": 4, "class_limits": {"db-migration": 2},
//!  "retry": {"max_attempts": 3, "initial_ms": 1000, "factor": 2.0, "cap_ms": 60000},
//!  "attempt_timeout_ms": 600000, "deadline_ms": 3600000, "on_failure": "continue", "waves": false,
//!  "workers": 16, "health_poll_ms": 1000, "health_timeout_ms": 300000,
//!  "subject": "user:ann", "groups": ["group:sre"]}
//! ```
//!
//! Every field is optional; unknown fields are errors. `deadline_ms` counts from the start of the run.
//! `subject` and `groups`: who runs it (the RBAC check before anything runs; required for a manifest with
//! permission sections).

use crate::rbac::Actor;
use crate::run::Options;
use aoa_core::schedule::{OnFailure, Retry};
use aoa_core::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The JSON shape of [`Options`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    run_id: Option<String>,
    max_parallel: Option<u32>,
    #[serde(default)]
    class_limits: BTreeMap<String, u32>,
    retry: Option<RetrySettings>,
    attempt_timeout_ms: Option<u64>,
    deadline_ms: Option<u64>,
    on_failure: Option<FailureSetting>,
    #[serde(default)]
    waves: bool,
    workers: Option<usize>,
    health_poll_ms: Option<u64>,
    health_timeout_ms: Option<u64>,
    subject: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetrySettings {
    max_attempts: Option<u32>,
    initial_ms: Option<u64>,
    factor: Option<f64>,
    cap_ms: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum FailureSetting {
    FailFast,
    Continue,
}

/// The options of a JSON text (`None` or `""`: the defaults).
///
/// # Errors
/// [`Error::InvalidArgument`] naming the field that is not understood or out of range.
pub fn options_from_json(text: Option<&str>) -> Result<Options> {
    let settings: Settings = match text.map(str::trim) {
        None | Some("") => Settings::default(),
        Some(text) => serde_json::from_str(text).map_err(|e| Error::InvalidArgument {
            message: format!("rollout options: {e}"),
        })?,
    };
    let mut options = Options::default();
    let defaults = Retry::default();
    if let Some(r) = settings.retry {
        options.policy.retry = Retry {
            max_attempts: r.max_attempts.unwrap_or(defaults.max_attempts),
            initial: r.initial_ms.unwrap_or(defaults.initial),
            factor: r.factor.unwrap_or(defaults.factor),
            cap: r.cap_ms.unwrap_or(defaults.cap),
        };
    }
    options.run_id = settings.run_id;
    options.policy.max_parallel = settings.max_parallel;
    options.class_limits = settings.class_limits;
    options.policy.attempt_timeout = settings.attempt_timeout_ms;
    options.policy.deadline = settings.deadline_ms;
    options.policy.on_failure = match settings.on_failure {
        Some(FailureSetting::Continue) => OnFailure::Continue,
        Some(FailureSetting::FailFast) | None => OnFailure::FailFast,
    };
    options.policy.waves = settings.waves;
    if let Some(workers) = settings.workers {
        options.workers = workers;
    }
    if let Some(ms) = settings.health_poll_ms {
        options.health_poll = Duration::from_millis(ms);
    }
    if let Some(ms) = settings.health_timeout_ms {
        options.health_timeout = Duration::from_millis(ms);
    }
    options.actor = settings.subject.map(|subject| Actor {
        subject,
        groups: settings.groups,
    });
    options.policy.check()?;
    Ok(options)
}

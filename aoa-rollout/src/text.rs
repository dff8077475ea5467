//! The JSON-text entry points the bindings call: options in, the report or the error out, each as
//! `{"ok": ...}` or `{"error": {...}}` like `aoa_core::dispatch::text`.

use crate::callbacks::{Callbacks, DeployRequest, Observation};
use crate::journal::{JournalEvent, MemoryJournal};
use crate::report::Report;
use crate::run::Rollout;
use crate::settings::options_from_json;
use aoa_core::dispatch::text::failure;
use aoa_core::{Manifest, Result};
use serde_json::json;
use std::sync::Arc;

/// Rolls out `manifest` (see [`Rollout::run`]) with `options` as JSON (see [`options_from_json`]); each
/// journal entry is handed to `progress` as JSON text. Returns the outcome as JSON text.
pub fn run(
    manifest: &Manifest,
    options: Option<&str>,
    callbacks: Arc<dyn Callbacks>,
    progress: &mut dyn FnMut(&str),
) -> String {
    outcome(report(manifest, options, callbacks, progress))
}

/// [`run`] with the report or the error as they are (for the C ABI, which reports errors its own way).
///
/// # Errors
/// Those of [`options_from_json`] and [`Rollout::run`].
pub fn report(
    manifest: &Manifest,
    options: Option<&str>,
    callbacks: Arc<dyn Callbacks>,
    progress: &mut dyn FnMut(&str),
) -> Result<Report> {
    let mut journal = MemoryJournal::default();
    Rollout::new(manifest, options_from_json(options)?).run(callbacks, &mut journal, &mut |e| {
        progress(&event_text(e));
    })
}

/// A journal entry as JSON text (the shape of `aoa rollout --output json` lines).
pub fn event_text(event: &JournalEvent) -> String {
    serde_json::to_string(event).unwrap_or_default()
}

/// One callback request as a binding hands it to its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call<'a> {
    /// `deploy`, `observe` or `rollback`.
    pub kind: &'static str,
    /// The app.
    pub app: &'a str,
    /// The version to deploy (`deploy`) or to return to (`rollback`); `None` for `observe`.
    pub version: Option<&'a str>,
    /// The attempt, from 1 (`deploy`; 0 otherwise).
    pub attempt: u32,
    /// The run (`deploy`; empty otherwise).
    pub run_id: &'a str,
    /// The idempotency key (`deploy`; empty otherwise).
    pub idempotency_key: &'a str,
}

/// The fields of a [`Call`], in order, as a tuple.
pub type CallFields<'a> = (
    &'static str,
    &'a str,
    Option<&'a str>,
    u32,
    &'a str,
    &'a str,
);

impl<'a> Call<'a> {
    /// `(kind, app, version, attempt, run_id, idempotency_key)`: the arguments the bindings pass on.
    pub fn fields(&self) -> CallFields<'a> {
        let c = *self;
        (
            c.kind,
            c.app,
            c.version,
            c.attempt,
            c.run_id,
            c.idempotency_key,
        )
    }
}

/// A foreign callback's answer: for `observe`, the health's name (`healthy`, `progressing`, `degraded`,
/// `missing`, `unknown`) and the version seen; `(None, None)` for the others; `Err` the reason it failed.
pub type Answer = std::result::Result<(Option<String>, Option<String>), String>;

/// [`Callbacks`] made of one function of the binding's language, which handles every [`Call`].
#[derive(Debug)]
pub struct Foreign<F> {
    /// Calls into the language.
    pub call: F,
    /// Whether the user gave an `observe` callback.
    pub observes: bool,
}

impl<F: Fn(Call<'_>) -> Answer + Send + Sync> Foreign<F> {
    fn simple(&self, kind: &'static str, app: &str, version: Option<&str>) -> Answer {
        let (attempt, run_id, idempotency_key) = (0, "", "");
        (self.call)(Call {
            kind,
            app,
            version,
            attempt,
            run_id,
            idempotency_key,
        })
    }
}

impl<F: Fn(Call<'_>) -> Answer + Send + Sync> Callbacks for Foreign<F> {
    fn deploy(&self, r: &DeployRequest<'_>) -> std::result::Result<(), String> {
        let (app, version, attempt, run_id) = (r.app, r.version, r.attempt, r.run_id);
        let idempotency_key = r.idempotency_key;
        (self.call)(Call {
            kind: "deploy",
            app,
            version,
            attempt,
            run_id,
            idempotency_key,
        })
        .map(drop)
    }

    fn observe(&self, app: &str) -> std::result::Result<Observation, String> {
        let (health, version) = self.simple("observe", app, None)?;
        let health = health.unwrap_or_default();
        let health = serde_json::from_value(health.as_str().into()).map_err(|_| {
            format!("observe returned `{health}`, not healthy, progressing, degraded, missing or unknown")
        })?;
        Ok(Observation { health, version })
    }

    fn observes(&self) -> bool {
        self.observes
    }

    fn rollback(&self, app: &str, to_version: Option<&str>) -> std::result::Result<(), String> {
        self.simple("rollback", app, to_version).map(drop)
    }
}

fn outcome<T: serde::Serialize>(result: Result<T>) -> String {
    match result.and_then(|v| aoa_core::dispatch::to_value(&v)) {
        Ok(value) => json!({ "ok": value }).to_string(),
        Err(e) => failure(&e),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::callbacks::Health;
    use aoa_core::Format;
    use std::sync::Mutex;

    #[test]
    fn foreign_callbacks_see_every_call_and_parse_the_health() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let foreign = Foreign {
            observes: true,
            call: move |c: Call<'_>| {
                assert_eq!(c.fields().1, c.app);
                record.lock().unwrap().push(format!(
                    "{} {} {:?} {} {}",
                    c.kind, c.app, c.version, c.attempt, c.idempotency_key
                ));
                match (c.kind, c.app) {
                    ("deploy", "bad") => Err("boom".to_owned()),
                    ("observe", "db") => Ok((Some("progressing".into()), Some("2".into()))),
                    ("observe", "x") => Ok((Some("sideways".into()), None)),
                    ("observe", _) => Ok((Some("healthy".into()), None)),
                    _ => Ok((None, None)),
                }
            },
        };
        let observed = foreign.observe("db").unwrap();
        assert_eq!(
            (observed.health, observed.version.as_deref()),
            (Health::Progressing, Some("2"))
        );
        assert_eq!(
            foreign.observe("x").unwrap_err(),
            "observe returned `sideways`, not healthy, progressing, degraded, missing or unknown"
        );
        assert!(foreign.rollback("db", Some("1")).is_ok() && foreign.observes());
        let m = Manifest::from_str(
            "apps:\n- name: bad\n- {name: ok, version: '3'}\n",
            Format::Yaml,
        )
        .unwrap();
        let out = run(
            &m,
            Some(r#"{"run_id": "r", "on_failure": "continue", "retry": {"max_attempts": 1}}"#),
            Arc::new(foreign),
            &mut |_| {},
        );
        let out: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(out["ok"]["counts"]["succeeded"], 1);
        assert_eq!(
            out["ok"]["apps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["app"] == "bad")
                .unwrap()["reason"],
            "boom"
        );
        let mut seen = seen.lock().unwrap().clone();
        seen.sort();
        assert_eq!(
            seen,
            [
                "deploy bad None 1 r/bad",
                "deploy ok Some(\"3\") 1 r/ok",
                "observe db None 0 ",
                "observe ok None 0 ",
                "observe x None 0 ",
                "rollback db Some(\"1\") 0 ",
            ]
        );
    }

    #[test]
    fn the_subject_in_the_options_is_checked_before_anything_runs() {
        let m = Manifest::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/platform"))
            .unwrap();
        let calls = Arc::new(Mutex::new(0));
        let counted = Arc::clone(&calls);
        let call = move |_: Call<'_>| {
            *counted.lock().unwrap() += 1;
            Ok((None, None))
        };
        let foreign: Arc<dyn Callbacks> = Arc::new(Foreign {
            call,
            observes: false,
        });
        let outcome = |options: &str| {
            let out = run(&m, Some(options), Arc::clone(&foreign), &mut |_| {});
            serde_json::from_str::<serde_json::Value>(&out).unwrap()
        };
        assert_eq!(outcome("{}")["error"]["code"], "invalid-argument");
        assert_eq!(
            outcome(r#"{"subject": "user:bob"}"#)["error"]["code"],
            "denied"
        );
        assert_eq!(*calls.lock().unwrap(), 0);
        let ok = outcome(r#"{"subject": "user:ann", "groups": ["group:platform-admins"]}"#);
        assert_eq!(ok["ok"]["counts"]["succeeded"], 30);
        assert_eq!(*calls.lock().unwrap(), 30);
    }
}

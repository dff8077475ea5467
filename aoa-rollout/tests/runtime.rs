//! The runtime with Rust callbacks: order, parallelism, failures, panics, retries, the health gate, resume
//! and rollback, checked against what the callbacks saw and what the journal holds.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]

use aoa_core::schedule::{OnFailure, Policy, Retry};
use aoa_core::{Format, Manifest};
use aoa_rollout::{
    Callbacks, DeployRequest, Health, Journal, MemoryJournal, Observation, Options, Rollout, Step,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PLATFORM: &str = "apps:\n- name: root\n- {name: db, parent: root, version: '2'}\n\
- {name: cache, parent: root}\n- {name: api, parent: root, depends_on: [db, cache], version: '5'}\n\
- {name: web, parent: root, depends_on: [api]}\n";

/// Records every call; fails or panics where told; reports health from a table.
#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<String>>,
    running: AtomicUsize,
    most_running: AtomicUsize,
    /// app → failures before the first success (`usize::MAX`: always fails).
    failures: HashMap<&'static str, usize>,
    panics: Vec<&'static str>,
    health: Mutex<HashMap<String, Vec<Health>>>,
    observed: bool,
    deployed_version: HashMap<&'static str, &'static str>,
}

impl Recorder {
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl Callbacks for Recorder {
    fn deploy(&self, r: &DeployRequest<'_>) -> Result<(), String> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_running.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(3));
        self.calls.lock().unwrap().push(format!(
            "deploy {} #{} {}",
            r.app, r.attempt, r.idempotency_key
        ));
        self.running.fetch_sub(1, Ordering::SeqCst);
        if self.panics.contains(&r.app) {
            panic!("boom in {}", r.app);
        }
        match self.failures.get(r.app) {
            Some(&n) if (r.attempt as usize) <= n => {
                Err(format!("{} failed attempt {}", r.app, r.attempt))
            }
            _ => Ok(()),
        }
    }

    fn observe(&self, app: &str) -> Result<Observation, String> {
        let mut health = self.health.lock().unwrap();
        let seen = health.get_mut(app).and_then(|h| {
            if h.len() > 1 {
                Some(h.remove(0))
            } else {
                h.first().copied()
            }
        });
        self.calls.lock().unwrap().push(format!("observe {app}"));
        Ok(Observation {
            health: seen.unwrap_or(Health::Healthy),
            version: self.deployed_version.get(app).map(|v| (*v).to_owned()),
        })
    }

    fn observes(&self) -> bool {
        self.observed
    }

    fn rollback(&self, app: &str, to: Option<&str>) -> Result<(), String> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("rollback {app} to {}", to.unwrap_or("nothing")));
        Ok(())
    }
}

fn manifest() -> Manifest {
    Manifest::from_str(PLATFORM, Format::Yaml).unwrap()
}

fn options(policy: Policy) -> Options {
    Options {
        policy,
        run_id: Some("r1".to_owned()),
        health_poll: Duration::from_millis(1),
        health_timeout: Duration::from_millis(200),
        ..Options::default()
    }
}

fn position(calls: &[String], prefix: &str) -> usize {
    calls
        .iter()
        .position(|c| c.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in {calls:?}"))
}

#[test]
fn every_app_deploys_once_after_what_it_waits_for_within_the_limit() {
    let m = manifest();
    let recorder = Arc::new(Recorder::default());
    let mut journal = MemoryJournal::default();
    let mut seen = Vec::new();
    let policy = Policy {
        max_parallel: Some(2),
        ..Policy::default()
    };
    let report = Rollout::new(&m, options(policy))
        .run(recorder.clone(), &mut journal, &mut |e| {
            seen.push(e.clone())
        })
        .unwrap();
    let calls = recorder.calls();
    assert_eq!(calls.len(), 5, "{calls:?}");
    assert!(position(&calls, "deploy root") < position(&calls, "deploy db"));
    assert!(position(&calls, "deploy db") < position(&calls, "deploy api"));
    assert!(position(&calls, "deploy cache") < position(&calls, "deploy api"));
    assert!(position(&calls, "deploy api") < position(&calls, "deploy web"));
    assert!(recorder.most_running.load(Ordering::SeqCst) <= 2);
    assert!(
        calls.contains(&"deploy api #1 r1/api".to_owned()),
        "the idempotency key is run/app"
    );
    assert_eq!(report.counts.succeeded, 5);
    let path = &report.critical_path;
    assert_eq!(
        (
            path.len(),
            path[0].as_str(),
            path[2].as_str(),
            path[3].as_str()
        ),
        (4, "root", "api", "web"),
        "{path:?}"
    );
    assert!(path[1] == "db" || path[1] == "cache");
    assert_eq!(seen, journal.events, "progress sees every journal entry");
    let seqs: Vec<u64> = journal.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    for app in ["root", "db", "cache", "api", "web"] {
        let started = journal
            .events
            .iter()
            .position(|e| e.app == app && matches!(e.step, Step::Started { .. }))
            .unwrap();
        let done = journal
            .events
            .iter()
            .position(|e| e.app == app && matches!(e.step, Step::Succeeded { .. }))
            .unwrap();
        assert!(started < done);
    }
    assert!(
        journal.commits < journal.events.len(),
        "events share commits"
    );
}

#[test]
fn a_failure_or_a_panic_fails_only_its_app_and_skips_what_waits_for_it() {
    let m = manifest();
    let recorder = Arc::new(Recorder {
        panics: vec!["cache"],
        ..Recorder::default()
    });
    let mut journal = MemoryJournal::default();
    let policy = Policy {
        on_failure: OnFailure::Continue,
        retry: Retry {
            max_attempts: 1,
            ..Retry::default()
        },
        ..Policy::default()
    };
    let report = Rollout::new(&m, options(policy))
        .run(recorder, &mut journal, &mut |_| {})
        .unwrap();
    let by_app: BTreeMap<&str, (&str, Option<&str>)> = report
        .apps
        .iter()
        .map(|a| (a.app.as_str(), (a.status.as_str(), a.reason.as_deref())))
        .collect();
    assert_eq!(
        by_app["cache"],
        (
            "failed",
            Some("the deploy callback panicked: boom in cache")
        )
    );
    assert_eq!(by_app["api"], ("skipped", Some("upstream failed: cache")));
    assert_eq!(by_app["web"], ("skipped", Some("upstream failed: cache")));
    assert_eq!(by_app["db"].0, "succeeded");
    assert_eq!(
        (
            report.counts.failed,
            report.counts.skipped,
            report.counts.succeeded
        ),
        (1, 2, 2)
    );
}

#[test]
fn a_failed_attempt_is_retried_and_the_health_gate_waits_for_healthy() {
    let m = manifest();
    let health = HashMap::from([(
        "api".to_owned(),
        vec![Health::Progressing, Health::Progressing, Health::Healthy],
    )]);
    let recorder = Arc::new(Recorder {
        failures: HashMap::from([("db", 1)]),
        health: Mutex::new(health),
        observed: true,
        ..Recorder::default()
    });
    let mut journal = MemoryJournal::default();
    let policy = Policy {
        retry: Retry {
            max_attempts: 2,
            initial: 5,
            factor: 2.0,
            cap: 50,
        },
        ..Policy::default()
    };
    let report = Rollout::new(&m, options(policy))
        .run(recorder.clone(), &mut journal, &mut |_| {})
        .unwrap();
    assert_eq!(report.counts.succeeded, 5);
    let calls = recorder.calls();
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("observe api"))
            .count(),
        3,
        "{calls:?}"
    );
    let db: Vec<&Step> = journal
        .events
        .iter()
        .filter(|e| e.app == "db")
        .map(|e| &e.step)
        .collect();
    assert_eq!(
        db,
        [
            &Step::Started { attempt: 1 },
            &Step::AttemptFailed {
                attempt: 1,
                reason: "db failed attempt 1".to_owned()
            },
            &Step::Retrying {
                attempt: 2,
                at_ms: match db[2] {
                    Step::Retrying { at_ms, .. } => *at_ms,
                    _ => 0,
                }
            },
            &Step::Started { attempt: 2 },
            &Step::Succeeded { attempt: 2 },
        ]
    );
}

#[test]
fn an_app_that_never_gets_healthy_fails_with_its_last_health() {
    let m = Manifest::from_str("apps:\n- name: a\n", Format::Yaml).unwrap();
    let health = HashMap::from([("a".to_owned(), vec![Health::Degraded])]);
    let recorder = Arc::new(Recorder {
        health: Mutex::new(health),
        observed: true,
        ..Recorder::default()
    });
    let policy = Policy {
        retry: Retry {
            max_attempts: 1,
            ..Retry::default()
        },
        ..Policy::default()
    };
    let mut journal = MemoryJournal::default();
    let report = Rollout::new(&m, options(policy))
        .run(recorder, &mut journal, &mut |_| {})
        .unwrap();
    let reason = report.apps[0].reason.clone().unwrap();
    assert!(
        reason.starts_with("not healthy after") && reason.ends_with("(last seen: degraded)"),
        "{reason}"
    );
}

#[test]
fn resume_skips_what_succeeded_adopts_healthy_apps_in_flight_and_redeploys_the_rest() {
    let m = manifest();
    // A first run that was killed: root and db succeeded; cache and api were in flight.
    let mut journal = MemoryJournal::default();
    let step = |seq: u64, app: &str, step: Step| aoa_rollout::JournalEvent {
        run_id: "r1".to_owned(),
        seq,
        at_ms: seq,
        unix_ms: 0,
        app: app.to_owned(),
        step,
    };
    journal
        .append(&[
            step(1, "root", Step::Started { attempt: 1 }),
            step(2, "root", Step::Succeeded { attempt: 1 }),
            step(3, "db", Step::Started { attempt: 1 }),
            step(4, "cache", Step::Started { attempt: 1 }),
            step(5, "db", Step::Succeeded { attempt: 1 }),
        ])
        .unwrap();
    // cache is healthy (no version declared); nothing else was deployed.
    let recorder = Arc::new(Recorder {
        observed: true,
        health: Mutex::new(HashMap::from([("cache".to_owned(), vec![Health::Healthy])])),
        ..Recorder::default()
    });
    let report = Rollout::new(&m, options(Policy::default()))
        .resume("r1", recorder.clone(), &mut journal, &mut |_| {})
        .unwrap();
    let deploys: Vec<String> = recorder
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("deploy"))
        .collect();
    assert_eq!(deploys, ["deploy api #1 r1/api", "deploy web #1 r1/web"]);
    assert!(
        journal
            .events
            .iter()
            .any(|e| e.app == "cache" && e.step == Step::Adopted && e.seq == 6)
    );
    assert_eq!(report.counts.settled, 3);
    assert_eq!(report.counts.succeeded, 2);

    // An app in flight whose observed version is not the target is deployed again, with the same key.
    let mut journal = MemoryJournal::default();
    journal
        .append(&[step(1, "db", Step::Started { attempt: 1 })])
        .unwrap();
    let recorder = Arc::new(Recorder {
        observed: true,
        deployed_version: HashMap::from([("db", "1")]),
        ..Recorder::default()
    });
    Rollout::new(&m, options(Policy::default()))
        .resume("r1", recorder.clone(), &mut journal, &mut |_| {})
        .unwrap();
    assert!(recorder.calls().contains(&"deploy db #1 r1/db".to_owned()));
    let err = Rollout::new(&m, options(Policy::default()))
        .resume("nope", recorder, &mut journal, &mut |_| {})
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: run `nope` is not in the journal"
    );
}

#[test]
fn rollback_returns_what_the_run_deployed_in_the_exact_reverse_order() {
    let m = manifest();
    let recorder = Arc::new(Recorder::default());
    let mut journal = MemoryJournal::default();
    Rollout::new(&m, options(Policy::default()))
        .run(recorder.clone(), &mut journal, &mut |_| {})
        .unwrap();
    let previous = BTreeMap::from([
        ("api".to_owned(), Some("4".to_owned())),
        ("db".to_owned(), Some("1".to_owned())),
    ]);
    let report = Rollout::new(&m, options(Policy::default()))
        .rollback("r1", &previous, recorder.clone(), &mut journal, &mut |_| {})
        .unwrap();
    assert_eq!(report.run_id, "r1-rollback");
    assert_eq!(report.counts.succeeded, 5);
    let calls: Vec<String> = recorder
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("rollback"))
        .collect();
    assert!(position(&calls, "rollback web") < position(&calls, "rollback api"));
    assert!(position(&calls, "rollback api") < position(&calls, "rollback db"));
    assert!(position(&calls, "rollback db") < position(&calls, "rollback root"));
    assert!(
        calls.contains(&"rollback api to 4".to_owned())
            && calls.contains(&"rollback web to nothing".to_owned())
    );
}

#[test]
fn a_first_interrupt_stops_starting_apps_and_the_run_ends_consistently() {
    let m = manifest();
    let interrupts = Arc::new(AtomicUsize::new(1));
    let recorder = Arc::new(Recorder::default());
    let mut journal = MemoryJournal::default();
    let opts = Options {
        interrupts: Some(interrupts),
        ..options(Policy::default())
    };
    let report = Rollout::new(&m, opts)
        .run(recorder.clone(), &mut journal, &mut |_| {})
        .unwrap();
    assert_eq!(report.counts.succeeded, 1, "root was already started");
    assert_eq!(report.counts.skipped, 4);
    assert!(
        report
            .apps
            .iter()
            .filter(|a| a.status == "skipped")
            .all(|a| a.reason.as_deref() == Some("stopped"))
    );
}

#[test]
fn options_from_json_fill_every_field_and_name_bad_ones() {
    let o = aoa_rollout::options_from_json(Some(
        r#"{"run_id": "r7", "max_parallel": 4, "class_limits": {"db": 2}, "retry": {"max_attempts": 5, "initial_ms": 10},
            "attempt_timeout_ms": 100, "on_failure": "continue", "waves": true, "health_poll_ms": 3}"#,
    ))
    .unwrap();
    assert_eq!(o.run_id.as_deref(), Some("r7"));
    assert_eq!(
        (
            o.policy.max_parallel,
            o.policy.retry.max_attempts,
            o.policy.retry.initial
        ),
        (Some(4), 5, 10)
    );
    assert_eq!(
        (
            o.policy.retry.cap,
            o.policy.attempt_timeout,
            o.policy.on_failure
        ),
        (60_000, Some(100), OnFailure::Continue)
    );
    assert!(
        o.policy.waves && o.class_limits["db"] == 2 && o.health_poll == Duration::from_millis(3)
    );
    let unknown = aoa_rollout::options_from_json(Some(r#"{"max_paralel": 4}"#))
        .unwrap_err()
        .to_string();
    assert!(unknown.contains("unknown field `max_paralel`"), "{unknown}");
    let zero = aoa_rollout::options_from_json(Some(r#"{"max_parallel": 0}"#))
        .unwrap_err()
        .to_string();
    assert!(zero.contains("max_parallel must be at least 1"), "{zero}");
    assert_eq!(aoa_rollout::options_from_json(None).unwrap().workers, 16);
}

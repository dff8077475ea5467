//! Shared by the store suites: the backends every test runs on, and manifests.
#![allow(dead_code, reason = "each suite uses a part")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions"
)]

use aoa_core::{Format, Manifest};
use aoa_store::{Options, StateStore};
use std::sync::atomic::{AtomicU32, Ordering};

/// One backend to run a test on: its URL (a fresh SQLite file, or the test PostgreSQL).
pub(crate) struct Backend {
    pub(crate) url: String,
    pub(crate) label: &'static str,
    _dir: Option<tempfile::TempDir>,
}

/// The backends: a SQLite file always; PostgreSQL when `AOA_TEST_POSTGRES` is set (test.sh starts one and
/// sets `AOA_TEST_REQUIRE_POSTGRES=1`, so a missing server fails instead of skipping).
pub(crate) fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = vec![Backend {
        url: format!("sqlite:{}", dir.path().join("state.db").display()),
        label: "sqlite",
        _dir: Some(dir),
    }];
    match std::env::var("AOA_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => out.push(Backend {
            url,
            label: "postgres",
            _dir: None,
        }),
        _ => {
            assert!(
                std::env::var("AOA_TEST_REQUIRE_POSTGRES").is_err(),
                "AOA_TEST_REQUIRE_POSTGRES is set but AOA_TEST_POSTGRES is not"
            );
            eprintln!("note: AOA_TEST_POSTGRES not set: SQLite only (test.sh runs PostgreSQL too)");
        }
    }
    out
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A registry id no other test (or run) uses, so tests share one PostgreSQL database.
pub(crate) fn registry(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{test}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

pub(crate) fn options(registry: &str, actor: &str) -> Options {
    Options {
        registry: registry.into(),
        actor: actor.into(),
        ..Options::default()
    }
}

pub(crate) fn open(url: &str, registry: &str) -> StateStore {
    aoa_store::open(url, options(registry, "tester")).unwrap()
}

pub(crate) fn yaml(text: &str) -> Manifest {
    Manifest::from_str(text, Format::Yaml).unwrap()
}

/// `n` plain apps `app-00000`.. with version `version`.
pub(crate) fn many(n: usize, version: &str) -> Manifest {
    let records: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({"name": format!("app-{i:06}"), "version": version, "owner": "team", "labels": {"env": "prod"}}))
        .collect();
    Manifest::from_records(&records).unwrap()
}

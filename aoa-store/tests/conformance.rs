//! The store conformance vectors (`tests/conformance/store/*.json`), the Rust runner: each vector is a sequence
//! of steps on a fresh SQLite store in a temporary directory, opened with [`OPTIONS`]; every binding's runner
//! does the same. `AOA_BLESS=1` writes each step's `expected` from the current store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::dispatch;
use aoa_store::dispatch::text;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The options every runner opens a vector's store with (a fixed clock and actor, so results are stable).
const OPTIONS: &str =
    r#"{"registry": "conformance", "actor": "conformance", "now_ms": 1800000000000}"#;

fn matches(expected: &Value, actual: &Value) -> bool {
    let Some(want) = expected.get("error") else {
        return expected == actual;
    };
    let Some(got) = actual.get("error") else {
        return false;
    };
    let listed = |w: &Value, g: &Value| {
        w.as_object()
            .is_some_and(|w| w.iter().all(|(k, v)| g.get(k) == Some(v)))
    };
    want["code"] == got["code"]
        && want.get("message").is_none_or(|m| *m == got["message"])
        && match (
            want.get("diagnostics").and_then(Value::as_array),
            got["diagnostics"].as_array(),
        ) {
            (Some(wd), Some(gd)) => {
                wd.len() == gd.len() && wd.iter().zip(gd).all(|(w, g)| listed(w, g))
            }
            (None, _) => true,
            (Some(_), None) => false,
        }
}

#[test]
fn every_store_vector() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::set_current_dir(&root).unwrap();
    let bless = std::env::var_os("AOA_BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/conformance/store")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no store vectors found");
    let mut failures = Vec::new();
    for file in &files {
        let mut vector: Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("state.db").display());
        let mut store = text::open(&url, Some(OPTIONS)).unwrap();
        for (i, step) in vector["steps"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .enumerate()
        {
            let manifest = step
                .get("manifest")
                .map(|m| dispatch::load(m, Path::new("")).unwrap());
            let args = step.get("args").map(Value::to_string);
            let outcome: Value = serde_json::from_str(&text::call(
                &mut store,
                manifest.as_ref(),
                step["operation"].as_str().unwrap(),
                args.as_deref(),
            ))
            .unwrap();
            let actual = outcome.get("ok").cloned().unwrap_or(outcome);
            if bless {
                step["expected"] = actual;
            } else if !matches(&step["expected"], &actual) {
                failures.push(format!(
                    "{} step {i}:\n  expected {}\n  actual   {actual}",
                    file.display(),
                    step["expected"]
                ));
            }
        }
        if bless {
            std::fs::write(file, serde_json::to_string_pretty(&vector).unwrap() + "\n").unwrap();
        }
    }
    assert!(
        failures.is_empty(),
        "{} step(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{} store vectors passed", files.len());
}

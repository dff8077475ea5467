//! The Rust runner of the cross-language conformance suite: every `tests/conformance/vectors/*.json` through
//! [`aoa_core::dispatch::call`] (one `manifest`), [`aoa_core::dispatch::call_pair`] (`manifest` and `new`) or
//! [`aoa_core::dispatch::call_free`] (no `manifest`). `AOA_BLESS=1 cargo test -p aoa-core --test conformance` writes each vector's
//! `expected` from the current core (then read the diff carefully before committing).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)] // test helpers may fail loudly

use aoa_core::dispatch;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct Vector<'a> {
    name: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<&'a Value>,
    operation: &'a Value,
    args: &'a Value,
    expected: &'a Value,
}

fn run(vector: &Value) -> Value {
    let op = vector["operation"]
        .as_str()
        .expect("`operation` is a string");
    let args = &vector["args"];
    let load = |source: &Value| dispatch::load(source, Path::new(""));
    let result = match (vector.get("manifest"), vector.get("new")) {
        (None, None) => dispatch::call_free(op, args),
        (Some(old), Some(new)) => {
            load(old).and_then(|old| dispatch::call_pair(&old, &load(new)?, op, args))
        }
        (Some(m), None) => load(m).and_then(|m| dispatch::call(&m, op, args)),
        (None, Some(_)) => panic!("`new` without `manifest`"),
    };
    match result {
        Ok(value) => value,
        Err(e) => serde_json::json!({ "error": dispatch::error_to_value(&e) }),
    }
}

/// The suite's comparison, the same in every runner: results must be equal; for an error, the code (and the
/// message, when given) must be equal, and each expected diagnostic's listed fields must match.
fn matches(expected: &Value, actual: &Value) -> bool {
    let Some(want) = expected.get("error") else {
        return expected == actual;
    };
    let Some(got) = actual.get("error") else {
        return false;
    };
    if want["code"] != got["code"] {
        return false;
    }
    if want.get("message").is_some_and(|m| *m != got["message"]) {
        return false;
    }
    let (Some(wd), Some(gd)) = (
        want.get("diagnostics").and_then(Value::as_array),
        got["diagnostics"].as_array(),
    ) else {
        return want.get("diagnostics").is_none();
    };
    wd.len() == gd.len()
        && wd.iter().zip(gd).all(|(w, g)| {
            w.as_object()
                .is_some_and(|w| w.iter().all(|(k, v)| g.get(k) == Some(v)))
        })
}

#[test]
fn every_vector() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::set_current_dir(&root).unwrap();
    let bless = std::env::var_os("AOA_BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/conformance/vectors")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no conformance vectors found");
    let mut failures = Vec::new();
    for file in &files {
        let vector: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let actual = run(&vector);
        if bless {
            let out = Vector {
                name: &vector["name"],
                manifest: vector.get("manifest"),
                new: vector.get("new"),
                operation: &vector["operation"],
                args: &vector["args"],
                expected: &actual,
            };
            let text = serde_json::to_string_pretty(&out).unwrap() + "\n";
            std::fs::write(file, text).unwrap();
        } else if !matches(&vector["expected"], &actual) {
            failures.push(format!(
                "{}:\n  expected {}\n  actual   {}",
                file.display(),
                vector["expected"],
                actual
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} vector(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{} conformance vectors passed", files.len());
}

//! Diagnostics are always complete and clear (issue 10, item 6): the cap of 200 with a final "N more" line
//! for every kind of problem, no empty location, 1-based columns, no Rust debug text, and `params --explain`
//! values taken from the value itself.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::diagnostic::MAX_DIAGNOSTICS;
use aoa_core::{Diagnostic, Error, Format, Location, Manifest, PlanOptions, SourceText};

const N: usize = 250;

fn assert_capped(err: &Error, found: usize) {
    let list = err.diagnostics();
    assert_eq!(list.len(), MAX_DIAGNOSTICS + 1, "{:?}", err.code());
    let last = list.last().unwrap();
    assert_eq!(last.code, "more-problems");
    assert_eq!(
        last.message,
        format!("{} more problems not shown", found - MAX_DIAGNOSTICS)
    );
    assert_eq!(
        list.iter().map(Diagnostic::problem_count).sum::<usize>(),
        found
    );
    assert!(
        list[..MAX_DIAGNOSTICS]
            .iter()
            .all(|d| d.code != "more-problems")
    );
}

fn yaml(text: &str) -> Result<Manifest, Error> {
    Manifest::from_str(text, Format::Yaml)
}

#[test]
fn syntax_errors_are_capped() {
    let sources = (0..N)
        .map(|i| SourceText {
            origin: format!("f{i}.json"),
            text: "{\"apps\": [".into(),
            format: Format::Json,
        })
        .collect();
    let err = Manifest::from_sources(sources).unwrap_err();
    assert!(matches!(err, Error::Syntax { .. }));
    assert_capped(&err, N);
}

#[test]
fn structure_and_graph_problems_are_capped_together() {
    let mut text = String::from("apps:\n");
    for i in 0..N {
        text.push_str(&format!(
            "  - {{name: a{i}, dependson: []}}\n  - {{name: b{i}, parent: nope}}\n"
        ));
    }
    let err = yaml(&text).unwrap_err();
    assert_capped(&err, 2 * N);
}

#[test]
fn access_problems_and_escalations_are_capped() {
    let mut text = String::from("apps:\n");
    for i in 0..N {
        text.push_str(&format!(
            "  - {{name: a{i}, grants: [{{subject: nobody, actions: [read]}}]}}\n"
        ));
    }
    let err = yaml(&text).unwrap_err();
    assert!(matches!(err, Error::InvalidAccess { .. }));
    assert_capped(&err, N);
    let mut text = String::from("apps:\n  - {name: root, ceiling: [read]}\n");
    for i in 0..N {
        text.push_str(&format!(
            "  - {{name: c{i}, parent: root, grants: [{{subject: 'user:a', actions: [deploy]}}]}}\n"
        ));
    }
    let err = yaml(&text).unwrap_err();
    assert!(matches!(err, Error::Escalation { .. }));
    assert_capped(&err, N);
}

#[test]
fn parameter_problems_are_capped() {
    let mut text = String::from("apps:\n");
    for i in 0..N {
        text.push_str(&format!("  - {{name: c{i}, schema: {{type: record, name: P, fields: [{{name: port, type: int}}]}}, params: {{port: x}}}}\n"));
    }
    let err = yaml(&text).unwrap_err();
    assert!(matches!(err, Error::Params { .. }), "{err}");
    assert_capped(&err, N);
}

#[test]
fn cycles_are_capped() {
    let mut text = String::from("apps:\n");
    for i in 0..N {
        text.push_str(&format!(
            "  - {{name: a{i}, depends_on: [b{i}]}}\n  - {{name: b{i}, depends_on: [a{i}]}}\n"
        ));
    }
    let m = yaml(&text).unwrap();
    let err = m.plan(&PlanOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Cycle { .. }));
    assert_capped(&err, N);
}

#[test]
fn no_empty_location_is_printed() {
    let root = Location {
        file: "m.yaml".into(),
        path: String::new(),
        line: None,
        column: None,
    };
    assert_eq!(root.to_string(), "m.yaml");
    let mut d = Diagnostic::new("not-a-manifest", "expected a mapping").with_path("");
    d.file = Some("<records>".into());
    assert_eq!(d.to_string(), "<records>: expected a mapping");
    d.path = Some("/apps/1".into());
    assert_eq!(d.to_string(), "<records> at /apps/1: expected a mapping");
    let err = Manifest::from_records(&[serde_json::json!(3)]).unwrap_err();
    assert!(!err.to_string().contains("at :"), "{err}");
}

#[test]
fn columns_are_one_based_everywhere() {
    for text in [
        "",
        "{",
        "{\"apps\": [",
        "{\"apps\": [{\"name\": \"a\"}]} x",
        "[1, 2",
    ] {
        let err = Manifest::from_str(text, Format::Json).unwrap_err();
        for d in err.diagnostics() {
            assert!(d.line.is_some_and(|l| l >= 1), "{text:?}: {d:?}");
            assert!(d.column.is_some_and(|c| c >= 1), "{text:?}: {d:?}");
        }
    }
    for text in ["apps: [", "apps:\n  - {name: a\n", "\t- x"] {
        for d in yaml(text).unwrap_err().diagnostics() {
            assert!(d.column.is_some_and(|c| c >= 1), "{text:?}: {d:?}");
        }
    }
}

#[test]
fn messages_hold_no_rust_debug_text() {
    let err = yaml("apps:\n  - name: \"web\\e[31m\"\n  - name: \"a\\u202Eb\"\n").unwrap_err();
    for d in err.diagnostics() {
        assert!(!d.message.contains("'\\u{"), "{}", d.message);
        assert!(
            !d.message.contains('\u{1b}') && !d.message.contains('\u{202e}'),
            "{}",
            d.message
        );
    }
    let messages: Vec<String> = err.diagnostics().into_iter().map(|d| d.message).collect();
    assert!(
        messages.iter().any(|m| m.contains("U+001B")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("U+202E")),
        "{messages:?}"
    );
    let err = yaml("apps:\n  - {name: a, grants: [{subject: 'user:x', actions: [\"re\\tad\"]}]}\n")
        .unwrap_err();
    let message = &err.diagnostics()[0].message;
    assert!(
        message.contains("U+0009") && !message.contains("'\\t'"),
        "{message}"
    );
}

#[test]
fn explain_rows_carry_the_values_themselves() {
    let text = "apps:\n  - name: a\n    params: {\"a/b\": 1, \"~0\": [2], \"\": {x: null}, \"e\": {}, \"n\": {\"~1/\": true}}\n";
    let m = yaml(text).unwrap();
    let id = m.app("a").unwrap();
    let resolved = m.params(id).unwrap();
    let rows = resolved.explain();
    assert_eq!(rows.len(), 5);
    for row in &rows {
        let leaf = resolved.value.pointer(&row.path).unwrap();
        assert_eq!(&row.value, leaf, "{}", row.path);
    }
}

//! No terminal control sequence from the input reaches the terminal (issue 10, item 5): every name the
//! CLI prints as text is escaped, and the mermaid diagram quotes every name.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

mod common;
use common::{aoa, root, temp_file};

fn clean(text: &str) -> bool {
    !text
        .chars()
        .any(|c| (c.is_control() && c != '\n') || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

#[test]
fn hostile_names_in_a_manifest_are_escaped_in_every_text_output() {
    let manifest = temp_file(
        "hostile.yaml",
        "apps:\n  - name: \"web\\e]0;owned\\a\"\n    parent: \"plat\\u202Eform\"\n    labels: {env: \"pr\\u200Bod\"}\n  - name: ok\n    depends_on: [\"x\\e[2J\"]\n",
    );
    for args in [
        vec!["validate", "-m", &manifest],
        vec!["plan", "-m", &manifest],
        vec!["graph", "-m", &manifest],
    ] {
        let (code, stdout, stderr) = aoa(&args);
        assert_ne!(code, 0);
        assert!(clean(&stdout), "{args:?}: {stdout:?}");
        assert!(clean(&stderr), "{args:?}: {stderr:?}");
        assert!(
            stdout.contains("\\u{1b}") || stderr.contains("\\u{1b}"),
            "{args:?}: {stdout:?} {stderr:?}"
        );
    }
}

#[test]
fn hostile_names_in_arguments_are_escaped() {
    let example = common::example();
    for args in [
        vec![
            "check",
            "user:\u{1b}[2J",
            "read",
            "platform",
            "-m",
            &example,
        ],
        vec![
            "check",
            "user:ann",
            "read",
            "plat\u{202e}form",
            "-m",
            &example,
        ],
        vec!["who-can", "re\u{1b}ad", "platform", "-m", &example],
        vec!["params", "pay\u{7}ments", "-m", &example],
    ] {
        let (_, stdout, stderr) = aoa(&args);
        assert!(clean(&stdout), "{args:?}: {stdout:?}");
        assert!(clean(&stderr), "{args:?}: {stderr:?}");
    }
}

#[test]
fn mermaid_labels_never_hold_a_quote_or_a_markdown_backtick() {
    let fixture = root().join("aoa-cli/tests/fixtures/hostile-names");
    let (code, stdout, _) = aoa(&[
        "graph",
        "-m",
        &fixture.display().to_string(),
        "--diagram",
        "mermaid",
    ]);
    assert_eq!(code, 0);
    let labels: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.trim().split_once("[\"").map(|(_, rest)| rest))
        .collect();
    assert_eq!(labels.len(), 13, "{stdout}");
    for label in labels {
        let inner = label.strip_suffix("\"]").unwrap();
        assert!(!inner.contains(['"', '`', '<', '>', '[', ']']), "{label}");
    }
    assert!(stdout.contains("n1[\"a#34;b\"]"), "{stdout}");
}

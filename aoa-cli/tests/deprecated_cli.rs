//! The uniform CLI: `-m/--manifest` (default: the current directory) on every command that reads a
//! manifest, and the old spellings still accepted for one release, each with a deprecation line on stderr.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

mod common;

use common::*;
use std::process::Command;

/// Asserts that `old` prints what `new` prints, that `new` warns of nothing, and that `old` warns exactly
/// `warning`.
fn same_output_with_warning(old: &[&str], new: &[&str], warning: &str) {
    let (new_code, new_out, new_err) = aoa_bytes(new);
    let (old_code, old_out, old_err) = aoa_bytes(old);
    assert_eq!(new_err, "", "{new:?} warns");
    assert_eq!(
        (old_code, &old_out),
        (new_code, &new_out),
        "{old:?} vs {new:?}"
    );
    assert_eq!(old_err, format!("{warning}\n"), "{old:?}");
}

#[test]
fn the_positional_manifest_still_works_and_warns() {
    let ex = example();
    let warning = format!("warning: the positional manifest is deprecated; use -m {ex}");
    for command in ["validate", "plan", "teardown", "graph"] {
        same_output_with_warning(&[command, &ex], &[command, "-m", &ex], &warning);
    }
    same_output_with_warning(
        &[
            "plan",
            &ex,
            "--max-parallel",
            "2",
            "--changed",
            "data/kafka",
        ],
        &[
            "plan",
            "--changed",
            "data/kafka",
            "-m",
            &ex,
            "--max-parallel",
            "2",
        ],
        &warning,
    );
    same_output_with_warning(
        &["params", &ex, "payments/api", "--explain"],
        &["params", "payments/api", "--explain", "-m", &ex],
        &warning,
    );
}

#[test]
fn the_manifest_given_twice_is_a_usage_error() {
    let ex = example();
    let (code, _, stderr) = aoa(&["plan", &ex, "-m", &ex]);
    assert_eq!(code, 2);
    assert!(stderr.contains("the manifest is given twice"), "{stderr}");
    let (code, _, stderr) = aoa(&["params", &ex, "payments/api", "-m", &ex]);
    assert_eq!(code, 2);
    assert!(stderr.contains("the manifest is given twice"), "{stderr}");
}

#[test]
fn renamed_options_and_commands_still_work_and_warn() {
    let ex = example();
    same_output_with_warning(
        &["graph", "-m", &ex, "--format", "mermaid"],
        &["graph", "-m", &ex, "--diagram", "mermaid"],
        "warning: `--format` is deprecated; use `--diagram`",
    );
    same_output_with_warning(
        &["params", "payments/api", "-m", &ex, "--format", "avro-json"],
        &[
            "params",
            "payments/api",
            "-m",
            &ex,
            "--encoding",
            "avro-json",
        ],
        "warning: `--format` is deprecated; use `--encoding`",
    );
    same_output_with_warning(
        &["access", "payments/api", "-m", &ex],
        &["effective", "payments/api", "-m", &ex],
        "warning: `aoa access` is deprecated; use `aoa effective`",
    );
    let (code, _, stderr) = aoa(&["graph", "-m", &ex, "--format", "dot", "--diagram", "dot"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn the_default_manifest_is_the_current_directory() {
    let run = |args: &[&str], dir: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_aoa"))
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let ex = example();
    let (code, here) = run(&["plan"], &ex);
    assert_eq!(code, Some(0));
    assert_eq!(here, aoa(&["plan", "-m", &ex]).1);
    let (code, _) = run(
        &[
            "schema",
            "check",
            "payments-api",
            "schemas/payments-api/2.avsc",
        ],
        &ex,
    );
    assert_eq!(code, Some(0));
}

#[test]
fn every_command_that_reads_a_manifest_says_its_default() {
    for command in [
        "validate",
        "plan",
        "teardown",
        "graph",
        "check",
        "who-can",
        "what-can",
        "effective",
        "params",
    ] {
        let (code, help, _) = aoa(&[command, "--help"]);
        assert_eq!(code, 0);
        assert!(
            help.contains("-m, --manifest <PATH>")
                && help.contains("[default: the current directory]"),
            "aoa {command} --help:\n{help}"
        );
        assert!(
            !help.contains("MANIFEST"),
            "aoa {command} --help shows the old positional"
        );
    }
    let (_, help, _) = aoa(&["schema", "check", "--help"]);
    assert!(help.contains("[default: the current directory]"), "{help}");
    let (_, help, _) = aoa(&["--help"]);
    assert!(help.contains("default: the current directory"), "{help}");
    assert!(!help.contains("access"), "the old name is hidden:\n{help}");
}

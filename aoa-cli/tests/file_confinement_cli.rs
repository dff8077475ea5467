//! The built `aoa` reads only what a manifest may make it read: schema files inside the manifest's tree,
//! regular files only, and quotes a schema file that does not parse only as a short, escaped excerpt.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "TOP-SECRET-CONTENT-OF-A-FILE-OUTSIDE";

/// Runs `aoa` and returns (exit code, stdout, stderr); fails if it runs for more than 20 s (a read that
/// blocks on a FIFO or never ends on a device).
fn aoa(args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aoa"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("`aoa {}` still running after 20 s", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `<tmp>/aoa-cli-files-<pid>-<name>/` with `outside.avsc` (a valid schema holding a secret) and `proj/`
/// holding `aoa.yaml`, whose app `a` has the schema `schema`; returns `(outer, proj)`.
fn tree(name: &str, schema: &str) -> (PathBuf, PathBuf) {
    let outer = std::env::temp_dir().join(format!("aoa-cli-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&outer);
    let proj = outer.join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::write(
        outer.join("outside.avsc"),
        format!(r#"{{"type":"record","name":"S","doc":"{SECRET}","fields":[{{"name":"port","type":"int"}}]}}"#),
    )
    .unwrap();
    std::fs::write(
        proj.join("aoa.yaml"),
        format!("apps:\n  - name: a\n    schema: '{schema}'\n    params: {{port: 1}}\n"),
    )
    .unwrap();
    (outer, proj)
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn a_schema_outside_the_manifest_is_refused_by_params_and_validate() {
    let (outer, proj) = tree("outside", "../outside.avsc");
    let manifest = path(&proj.join("aoa.yaml"));
    let (code, stdout, stderr) = aoa(&["params", &manifest, "a"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("[file-outside-manifest]"), "{stderr}");
    assert!(
        stderr.contains("../outside.avsc") && stderr.contains("(app `a`)"),
        "{stderr}"
    );
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));

    std::os::unix::fs::symlink("../outside.avsc", proj.join("link.avsc")).unwrap();
    std::fs::write(
        proj.join("aoa.yaml"),
        "apps:\n  - name: a\n    schema: link.avsc\n",
    )
    .unwrap();
    let (code, stdout, _) = aoa(&["--output", "json", "validate", &manifest]);
    assert_eq!(code, 1, "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "file-outside-manifest", "{report}");
    assert_eq!(d["app"], "a");
    assert!(!stdout.contains(SECRET));
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn special_files_are_refused_at_once() {
    let (outer, proj) = tree("special", "fifo.avsc");
    let status = Command::new("mkfifo")
        .arg(proj.join("fifo.avsc"))
        .status()
        .unwrap();
    assert!(status.success());
    let (code, _, stderr) = aoa(&["validate", &path(&proj.join("aoa.yaml"))]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("not a regular file (it is a FIFO)"),
        "{stderr}"
    );
    let (code, _, stderr) = aoa(&["validate", "/dev/zero"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("character device"), "{stderr}");
    let (code, _, stderr) = aoa(&["schema", "fingerprint", "/dev/zero"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn a_registry_named_directly_keeps_its_entries_inside() {
    let (outer, proj) = tree("registry", "svc@1");
    std::fs::create_dir_all(proj.join("schemas/svc")).unwrap();
    std::os::unix::fs::symlink("../../../outside.avsc", proj.join("schemas/svc/1.avsc")).unwrap();
    std::fs::write(
        proj.join("new.avsc"),
        r#"{"type":"record","name":"S","fields":[{"name":"port","type":"int"}]}"#,
    )
    .unwrap();
    let (code, stdout, stderr) = aoa(&[
        "schema",
        "check",
        "svc",
        &path(&proj.join("new.avsc")),
        "--registry",
        &path(&proj.join("schemas")),
    ]);
    assert_ne!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("[file-outside-manifest]"), "{stderr}");
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
    std::fs::remove_dir_all(outer).unwrap();
}

#[test]
fn a_schema_file_that_does_not_parse_is_quoted_short_and_escaped() {
    let (outer, proj) = tree("excerpt", "bad.avsc");
    let long = "S".repeat(500);
    let bad = proj.join("bad.avsc");
    std::fs::write(&bad, format!(r#"{{"type":"\u001b[2J{long}"}}"#)).unwrap();
    for args in [
        vec!["schema", "fingerprint", &path(&bad)],
        vec!["validate", &path(&proj.join("aoa.yaml"))],
    ] {
        let (code, stdout, stderr) = aoa(&args);
        assert_ne!(code, 0, "{stdout}{stderr}");
        let all = format!("{stdout}{stderr}");
        assert!(all.contains("invalid-schema"), "{all}");
        assert!(!all.contains('\u{1b}'), "{all:?}");
        assert!(!all.contains(&"S".repeat(81)), "{all}");
    }
    std::fs::remove_dir_all(outer).unwrap();
}

//! Helpers shared by the CLI test files: run the built `aoa`, find the example, write scratch files.

#![allow(dead_code, reason = "each test file uses the helpers it needs")]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The example platform's directory.
pub(crate) fn example() -> String {
    root().join("examples/platform").display().to_string()
}

/// Runs `aoa` and returns (exit code, stdout bytes, stderr).
pub(crate) fn aoa_bytes(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aoa"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs `aoa` and returns (exit code, stdout, stderr).
pub(crate) fn aoa(args: &[&str]) -> (i32, String, String) {
    let (code, stdout, stderr) = aoa_bytes(args);
    (code, String::from_utf8(stdout).unwrap(), stderr)
}

/// Runs `aoa --output json ...` and parses its stdout.
pub(crate) fn aoa_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--output", "json"];
    all.extend_from_slice(args);
    let (code, stdout, _) = aoa(&all);
    (
        code,
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}")),
    )
}

/// Writes a scratch file in a directory of this test process and returns its path.
pub(crate) fn temp_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!(
        "aoa-cli-{}-{}",
        std::process::id(),
        name.replace('/', "_")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

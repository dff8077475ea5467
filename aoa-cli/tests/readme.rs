//! Every README block marked `<!-- readme-check: ARGS -->` is the real output of `aoa ARGS`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

use std::path::Path;
use std::process::Command;

#[test]
fn readme_output_blocks_match_the_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut checked = 0;
    let mut rest = readme.as_str();
    // `readme-check: ARGS` is the whole output; `readme-check-head: N ARGS` its first N lines.
    while let Some(start) = rest.find("<!-- readme-check") {
        let after = &rest[start + "<!-- readme-check".len()..];
        let (head, after) = match after.strip_prefix("-head: ") {
            Some(a) => {
                let (n, a) = a.split_once(' ').unwrap();
                (Some(n.parse::<usize>().unwrap()), a)
            }
            None => (None, after.strip_prefix(": ").unwrap()),
        };
        let (args, after) = after.split_once(" -->").unwrap();
        let block_start = after.find("```text\n").unwrap() + "```text\n".len();
        let block_end = after[block_start..].find("```").unwrap();
        let expected = &after[block_start..block_start + block_end];
        let output = Command::new(env!("CARGO_BIN_EXE_aoa"))
            .args(args.split_whitespace())
            .current_dir(&root)
            .output()
            .unwrap();
        let mut actual = String::from_utf8(output.stdout).unwrap();
        if let Some(n) = head {
            actual = actual.split_inclusive('\n').take(n).collect();
        }
        assert_eq!(
            actual, expected,
            "README block for `aoa {args}` is out of date"
        );
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            !stderr.contains("deprecated"),
            "README block for `aoa {args}` uses a deprecated form: {stderr}"
        );
        checked += 1;
        rest = &after[block_start + block_end..];
    }
    assert!(checked >= 3, "the README's checked blocks were not found");
}

#[test]
fn readme_code_blocks_are_the_example_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut checked = 0;
    for part in readme.split("<!-- readme-file: ").skip(1) {
        let (file, after) = part.split_once(" -->").unwrap();
        let body_start = after.find("```").unwrap();
        let body = &after[body_start..];
        let body = &body[body.find('\n').unwrap() + 1..];
        let body = &body[..body.find("```").unwrap()];
        let wanted = std::fs::read_to_string(root.join(file)).unwrap();
        assert_eq!(
            body, wanted,
            "README block for `{file}` differs from the file"
        );
        checked += 1;
    }
    assert!(checked >= 2, "the README's file blocks were not found");
}

#[test]
fn the_readme_cargo_run_commands_work_without_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut checked = 0;
    for line in readme.lines() {
        let Some((_, rest)) = line.split_once("cargo run -p aoa-cli -- ") else {
            continue;
        };
        let args = rest.split('#').next().unwrap().split_whitespace();
        let output = Command::new(env!("CARGO_BIN_EXE_aoa"))
            .args(args)
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(output.status.success(), "README: `{line}` fails");
        assert_eq!(
            String::from_utf8(output.stderr).unwrap(),
            "",
            "README: `{line}` warns"
        );
        checked += 1;
    }
    assert!(checked >= 1, "the README's first command was not found");
}

//! The permission commands end to end on the example platform: output, JSON shape and exit codes.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

use std::process::{Command, Output};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/platform");

fn aoa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aoa"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_allowed_exits_0_and_explains() {
    let o = aoa(&[
        "check",
        "-m",
        EXAMPLE,
        "user:bob",
        "deploy",
        "payments/api",
        "--group",
        "payments-devs",
        "--explain",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(text.starts_with("allowed: `user:bob`"), "{text}");
    assert!(
        text.contains("grant to `group:payments-devs` (role `deployer`"),
        "{text}"
    );
    assert!(text.contains("10-payments.yaml:"), "{text}");
}

#[test]
fn check_denied_exits_1_and_says_which_denial() {
    let o = aoa(&[
        "check",
        "-m",
        EXAMPLE,
        "user:bob",
        "secrets:read",
        "payments/api",
        "-g",
        "payments-leads",
        "-g",
        "contractors",
        "--explain",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with("denied (forbidden)"),
        "{}",
        stdout(&o)
    );
    let o = aoa(&[
        "check",
        "-m",
        EXAMPLE,
        "user:bob",
        "debug:trace",
        "web/storefront",
        "-g",
        "web-devs",
        "--explain",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("(other env)"), "{}", stdout(&o));
}

#[test]
fn check_json_shape() {
    let o = aoa(&[
        "--output",
        "json",
        "check",
        "-m",
        EXAMPLE,
        "user:alice",
        "write:config",
        "payments/api",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["allowed"], false);
    assert_eq!(v["outcome"], "not_granted");
    assert_eq!(v["nearest_miss"]["why"], "not_propagated");
    assert_eq!(v["nearest_miss"]["grant"]["subject"], "user:alice");
    assert_eq!(v["nearest_miss"]["grant"]["declared"]["line"], 12);
}

#[test]
fn bad_arguments_exit_2() {
    let o = aoa(&["check", "-m", EXAMPLE, "bob", "deploy", "payments/api"]);
    assert_eq!(o.status.code(), Some(2));
    let o = aoa(&["check", "-m", EXAMPLE, "user:bob", "deploy", "payments/apj"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `payments/api`?"));
}

#[test]
fn who_can_and_access_list_sources() {
    let o = aoa(&["who-can", "-m", EXAMPLE, "deploy", "web/cms"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(
        text.contains("group:web-devs") && text.contains("group:platform-admins"),
        "{text}"
    );
    let o = aoa(&[
        "--output",
        "json",
        "effective",
        "-m",
        EXAMPLE,
        "payments/api",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["app"], "payments/api");
    let identity = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"] == "app:payments/api")
        .unwrap();
    assert_eq!(identity["allowed"][0]["sources"][0]["effect"], "identity");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn diff_reports_gains_and_fails_on_gain() {
    let dir = std::env::temp_dir().join(format!("aoa-access-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    copy_dir(std::path::Path::new(EXAMPLE), &dir);
    let web = dir.join("40-web.yaml");
    let text = std::fs::read_to_string(&web).unwrap();
    let changed = text.replace(
        "env: [staging]}",
        "env: [staging]}\n      - {subject: \"user:eve\", role: deployer}",
    );
    assert_ne!(text, changed);
    std::fs::write(&web, changed).unwrap();
    let dir_s = dir.to_string_lossy().into_owned();
    let same = aoa(&["diff", EXAMPLE, EXAMPLE, "--fail-on-gain"]);
    assert_eq!(same.status.code(), Some(0));
    assert!(stdout(&same).starts_with("0 permission(s) gained, 0 lost"));
    let o = aoa(&["diff", EXAMPLE, &dir_s, "--fail-on-gain"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("user:eve") && text.contains("+ deploy on web/cms"),
        "{text}"
    );
    let o = aoa(&["--output", "json", "diff", EXAMPLE, &dir_s]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["subjects"][0]["changes"][0]["kind"], "grant_added");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn validate_reports_escalations_with_exit_1() {
    let dir = std::env::temp_dir().join(format!("aoa-access-esc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("m.yaml");
    std::fs::write(
        &file,
        "apps:\n  - name: team\n    ceiling: [deploy]\n    grants: [{subject: \"group:g\", actions: [\"secrets:*\"]}]\n",
    )
    .unwrap();
    let f = file.to_string_lossy().into_owned();
    let o = aoa(&["validate", "-m", &f]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("[escalation]"), "{}", stdout(&o));
    let o = aoa(&["check", "-m", &f, "user:u", "deploy", "team"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("privilege escalation"));
    std::fs::remove_dir_all(&dir).unwrap();
}

//! Commands as callbacks: placeholders, environment, logs, exit codes, the timeout kill, observe's output.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use aoa_rollout::{Callbacks, DeployRequest, Exec, Health};
use std::time::{Duration, Instant};

fn request<'a>(app: &'a str, deadline: Option<Instant>) -> DeployRequest<'a> {
    DeployRequest {
        app,
        version: Some("1.2"),
        attempt: 2,
        run_id: "r9",
        idempotency_key: "r9/x",
        deadline,
    }
}

#[test]
fn placeholders_environment_and_logs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let script = format!(
        "sh -c 'echo \"$0 $1 $2 $AOA_APP $AOA_VERSION $AOA_ATTEMPT $AOA_RUN_ID $AOA_IDEMPOTENCY_KEY\" >> {}; echo logged' {{app}} {{version}} {{attempt}}",
        out.display()
    );
    let exec = Exec::new(&script, None, None, &dir.path().join("logs")).unwrap();
    exec.deploy(&request("team/api", None)).unwrap();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "team/api 1.2 2 team/api 1.2 2 r9 r9/x\n"
    );
    let log = dir.path().join("logs/r9/team%2Fapi.2.log");
    assert_eq!(std::fs::read_to_string(log).unwrap(), "logged\n");
}

#[test]
fn a_non_zero_exit_fails_and_a_late_command_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let failing = Exec::new("sh -c 'exit 3'", None, None, dir.path()).unwrap();
    let err = failing.deploy(&request("a", None)).unwrap_err();
    assert!(err.contains("exited with exit status: 3"), "{err}");
    let slow = Exec::new("sleep 5", None, None, dir.path()).unwrap();
    let began = Instant::now();
    let err = slow
        .deploy(&request(
            "a",
            Some(Instant::now() + Duration::from_millis(100)),
        ))
        .unwrap_err();
    assert!(err.contains("killed at the attempt's timeout"), "{err}");
    assert!(began.elapsed() < Duration::from_secs(4));
    let missing = Exec::new("/nonexistent/deploy", None, None, dir.path()).unwrap();
    assert!(
        missing
            .deploy(&request("a", None))
            .unwrap_err()
            .starts_with("cannot run \"/nonexistent/deploy\"")
    );
}

#[test]
fn observe_reads_health_and_version_and_bad_commands_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let exec = Exec::new("true", Some("echo healthy 1.2"), None, dir.path()).unwrap();
    let seen = exec.observe("a").unwrap();
    assert_eq!(
        (seen.health, seen.version.as_deref()),
        (Health::Healthy, Some("1.2"))
    );
    let odd = Exec::new("true", Some("echo fine"), None, dir.path()).unwrap();
    assert!(odd.observe("a").unwrap_err().contains("printed \"fine\""));
    assert!(
        Exec::new("'unclosed", None, None, dir.path())
            .unwrap_err()
            .to_string()
            .contains("unclosed quote")
    );
    assert!(
        Exec::new("  ", None, None, dir.path())
            .unwrap_err()
            .to_string()
            .contains("needs a command")
    );
    let no_rollback = Exec::new("true", None, None, dir.path()).unwrap();
    assert_eq!(
        no_rollback.rollback("a", None).unwrap_err(),
        "no --rollback-exec command was given"
    );
}

#[test]
fn shell_mode_quotes_what_it_fills_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut exec = Exec::new(
        &format!("printf '%s|' {{app}} > {}", out.display()),
        None,
        None,
        dir.path(),
    )
    .unwrap();
    exec.shell = true;
    exec.deploy(&request("a b;rm", None)).unwrap();
    assert_eq!(std::fs::read_to_string(out).unwrap(), "a b;rm|");
}

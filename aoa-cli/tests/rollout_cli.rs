//! `aoa rollout` and `aoa rollback` as a user runs them: real deploy scripts, a SQLite store, permission
//! denials, and kill -9 of the whole process group at random moments followed by `--resume`: every app is
//! deployed exactly once.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use common::aoa;
use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// A manifest of `n` apps under one root, each depending on up to two earlier ones, and the scripts: deploy
/// writes the version to `v.APP`, then appends `APP KEY` to `markers` (after a short sleep); observe says
/// `healthy VERSION` once the marker is there.
fn workspace(dir: &Path, n: usize) {
    let mut yaml = String::from("apps:\n- name: root\n");
    for i in 1..n {
        let mut deps: Vec<usize> = [i / 2, i / 3].into_iter().filter(|&d| d > 0).collect();
        deps.dedup();
        let deps: Vec<String> = deps.iter().map(|d| format!("a{d}")).collect();
        yaml.push_str(&format!(
            "- {{name: a{i}, parent: root, version: '1.{i}', depends_on: [{}]}}\n",
            deps.join(", ")
        ));
    }
    std::fs::write(dir.join("aoa.yaml"), yaml).unwrap();
    std::fs::write(
        dir.join("deploy.sh"),
        "sleep 0.02\necho \"$3\" > \"$(dirname \"$0\")/v.$1\"\necho \"$1 $2\" >> \"$(dirname \"$0\")/markers\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("observe.sh"),
        "d=\"$(dirname \"$0\")\"\ngrep -q \"^$1 \" \"$d/markers\" 2>/dev/null && echo healthy \"$(cat \"$d/v.$1\")\" || echo missing\n",
    )
    .unwrap();
}

fn rollout_args(dir: &Path, extra: &[&str]) -> Vec<String> {
    let d = dir.display();
    let mut args: Vec<String> = vec![
        "rollout".into(),
        "-m".into(),
        format!("{d}/aoa.yaml"),
        "--store".into(),
        format!("sqlite:{d}/state.db"),
        "--exec".into(),
        format!("sh {d}/deploy.sh {{app}} {{key}} {{version}}"),
        "--observe".into(),
        format!("sh {d}/observe.sh {{app}}"),
        "--max-parallel".into(),
        "4".into(),
        "--log-dir".into(),
        format!("{d}/logs"),
        "--lease-ttl".into(),
        "2s".into(),
        "--wait".into(),
        "10s".into(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn markers(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let mut by_app: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in std::fs::read_to_string(dir.join("markers"))
        .unwrap_or_default()
        .lines()
    {
        let (app, key) = line.split_once(' ').unwrap();
        by_app
            .entry(app.to_owned())
            .or_default()
            .push(key.to_owned());
    }
    by_app
}

#[test]
fn a_rollout_deploys_every_app_once_records_versions_and_rolls_back_in_reverse() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path(), 12);
    let args = rollout_args(dir.path(), &["--run-id", "r1"]);
    let (code, out, err) = aoa(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("run r1: 12 succeeded, 0 failed, 0 skipped"),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.ends_with("a5  started (attempt 1)")),
        "{out}"
    );
    let seen = markers(dir.path());
    assert_eq!(seen.len(), 12);
    assert!(
        seen.iter()
            .all(|(app, keys)| keys == &[format!("r1/{app}")])
    );
    let store = format!("sqlite:{}/state.db", dir.path().display());
    let (code, shown, _) = aoa(&[
        "registry",
        "show",
        "a5",
        "--store",
        &store,
        "-m",
        &dir.path().join("aoa.yaml").display().to_string(),
    ]);
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("1.5"),
        "the registry records the deployed version: {shown}"
    );
    let (code, verified, _) = aoa(&["audit", "verify", "--store", &store]);
    assert_eq!(code, 0, "{verified}");

    // A second rollout with the same id is refused: resume it instead.
    let (code, _, err) = aoa(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already in the journal"), "{err}");

    let d = dir.path().display();
    let rollback_log = format!("{d}/rolled-back");
    let script = format!("sh -c 'echo \"$0 [$1]\" >> {rollback_log}' {{app}} {{version}}");
    let (code, out, err) = aoa(&[
        "rollback",
        "-m",
        &format!("{d}/aoa.yaml"),
        "--store",
        &store,
        "--run",
        "r1",
        "--rollback-exec",
        &script,
        "--log-dir",
        &format!("{d}/logs"),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let order: Vec<String> = std::fs::read_to_string(&rollback_log)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(order.len(), 12);
    assert_eq!(
        order.last().map(String::as_str),
        Some("root []"),
        "root goes last, to nothing before the run"
    );
    let at = |app: &str| {
        order
            .iter()
            .position(|l| l.starts_with(&format!("{app} ")))
            .unwrap()
    };
    assert!(
        at("a4") < at("a2") && at("a6") < at("a3") && at("a2") < at("root"),
        "{order:?}"
    );
}

#[test]
fn a_denied_subject_runs_nothing_and_sees_why() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path(), 3);
    let mut yaml = std::fs::read_to_string(dir.path().join("aoa.yaml")).unwrap();
    yaml = yaml.replacen(
        "- name: root\n",
        "- name: root\n  grants: [{subject: 'group:sre', actions: [deploy]}]\n",
        1,
    );
    std::fs::write(dir.path().join("aoa.yaml"), yaml).unwrap();
    let args = rollout_args(dir.path(), &["--as", "user:mallory"]);
    let (code, out, err) = aoa(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("permission denied (nothing ran)"), "{err}");
    assert!(
        err.contains("denied (not granted): `user:mallory` `deploy` on `root`"),
        "{err}"
    );
    assert!(markers(dir.path()).is_empty(), "no deploy ran");
    let args = rollout_args(
        dir.path(),
        &["--as", "user:ann", "-g", "sre", "--allow-gain"],
    );
    let (code, out, err) = aoa(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, _, err) = aoa(&rollout_args(dir.path(), &[])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert_eq!(code, 2);
    assert!(err.contains("say who may deploy"), "{err}");
}

#[test]
fn kill_9_at_random_moments_then_resume_deploys_every_app_exactly_once() {
    for (seed, delay_ms) in [40u64, 90, 160, 260, 420].into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        workspace(dir.path(), 40);
        let args = rollout_args(dir.path(), &["--run-id", "crash"]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_aoa"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        // The whole process group: aoa and the deploy scripts it runs, as a machine or container would die.
        let group = i32::try_from(child.id()).unwrap();
        let status = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{group}")])
            .status()
            .unwrap();
        assert!(status.success());
        let _ = child.wait();

        let resumed = rollout_args(dir.path(), &["--resume", "crash"]);
        let (code, out, err) = aoa(&resumed.iter().map(String::as_str).collect::<Vec<_>>());
        let (code, out, err) = if err.contains("is not in the journal") {
            // Killed before the first commit: nothing ran, start it again.
            aoa(&args.iter().map(String::as_str).collect::<Vec<_>>())
        } else {
            (code, out, err)
        };
        assert_eq!(code, 0, "seed {seed}: {out}\n{err}");
        let seen = markers(dir.path());
        assert_eq!(seen.len(), 40, "seed {seed}: every app deployed");
        for (app, keys) in &seen {
            assert_eq!(
                keys,
                &[format!("crash/{app}")],
                "seed {seed}: {app} deployed exactly once"
            );
        }
        let store = format!("sqlite:{}/state.db", dir.path().display());
        let (code, verified, _) = aoa(&["audit", "verify", "--store", &store]);
        assert_eq!(code, 0, "seed {seed}: the audit chain verifies: {verified}");
    }
}

#[test]
fn json_output_is_one_event_per_line_then_the_report() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path(), 4);
    let mut args = vec!["--output".to_owned(), "json".to_owned()];
    args.extend(rollout_args(
        dir.path(),
        &["--run-id", "j1", "--on-failure", "continue"],
    ));
    let (code, out, err) = aoa(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (report, events) = lines.split_last().unwrap();
    assert_eq!(report["report"]["counts"]["succeeded"], 4);
    assert_eq!(events.len(), 8, "started and succeeded for each app");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(
            (e["run_id"].as_str(), e["seq"].as_u64()),
            (Some("j1"), Some(i as u64 + 1))
        );
        assert!(
            ["started", "succeeded"].contains(&e["step"].as_str().unwrap()),
            "{e}"
        );
    }
}

#[test]
fn a_first_ctrl_c_stops_starting_apps_and_lets_running_ones_finish() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path(), 40);
    let args = rollout_args(dir.path(), &["--run-id", "int"]);
    let child = Command::new(env!("CARGO_BIN_EXE_aoa"))
        .args(&args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    let status = Command::new("kill")
        .args(["-s", "INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("skipped (stopped)"), "{text}");
    let report = text.lines().find(|l| l.starts_with("run int:")).unwrap();
    assert!(
        report.contains(" 0 failed") && report.contains(" 0 in doubt"),
        "running apps finished: {report}"
    );
    let seen = markers(dir.path());
    assert!(
        !seen.is_empty() && seen.len() < 40,
        "{} apps ran",
        seen.len()
    );
}

/// `0.019s` and `(0.1s)` as `_s`: times vary from run to run.
fn without_times(line: &str) -> String {
    let mut out = String::new();
    let mut number = String::new();
    for c in line.chars() {
        if c.is_ascii_digit() || (c == '.' && !number.is_empty()) {
            number.push(c);
            continue;
        }
        if c == 's' && number.contains('.') {
            out.push('_');
        } else {
            out.push_str(&number);
        }
        number.clear();
        out.push(c);
    }
    out.push_str(&number);
    out
}

#[test]
fn the_readme_walkthrough_runs_as_shown() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let start = readme.find("<!-- rollout-walkthrough -->").unwrap();
    let end = readme.find("<!-- /rollout-walkthrough -->").unwrap();
    let block = &readme[start..end];
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}/state.db", dir.path().display());
    let logs = format!("{}/logs", dir.path().display());
    let mut steps: Vec<(String, Vec<String>)> = Vec::new();
    for line in block
        .lines()
        .filter(|l| !l.starts_with("```") && !l.starts_with("<!--"))
    {
        match line.strip_prefix("$ ") {
            Some(command) => steps.push((command.to_owned(), Vec::new())),
            None if line == "..." || line.is_empty() => {}
            None => steps.last_mut().unwrap().1.push(line.to_owned()),
        }
    }
    assert_eq!(steps.len(), 5);
    for (command, expected) in steps {
        let (env, rest) = match command.strip_prefix("AOA_DEMO_FAIL=") {
            Some(rest) => {
                let (value, rest) = rest.split_once(' ').unwrap();
                (Some(value.to_owned()), rest.to_owned())
            }
            None => (None, command.clone()),
        };
        let mut words = shlex::split(&rest).unwrap();
        assert_eq!(words.remove(0), "aoa");
        words.extend([
            "--store".to_owned(),
            store.clone(),
            "--log-dir".to_owned(),
            logs.clone(),
        ]);
        let mut run = Command::new(env!("CARGO_BIN_EXE_aoa"));
        run.args(&words).current_dir(common::root());
        if let Some(value) = env {
            run.env("AOA_DEMO_FAIL", value);
        }
        let out = run.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let actual: Vec<String> = text.lines().map(without_times).collect();
        let mut at = 0;
        for line in &expected {
            let want = without_times(line);
            match actual[at..].iter().position(|a| *a == want) {
                Some(i) => at += i + 1,
                None => panic!(
                    "`{command}`: the README line\n{line}\nis not in the output (in order):\n{text}"
                ),
            }
        }
    }
}

#[test]
fn a_second_rollout_is_refused_while_the_first_holds_the_registry_lease() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path(), 30);
    let mut first = rollout_args(dir.path(), &["--run-id", "one"]);
    first.retain(|a| a != "--wait" && a != "10s");
    let child = Command::new(env!("CARGO_BIN_EXE_aoa"))
        .args(&first)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let mut second = rollout_args(dir.path(), &["--run-id", "two"]);
    second.retain(|a| a != "--wait" && a != "10s");
    let (code, _, err) = aoa(&second.iter().map(String::as_str).collect::<Vec<_>>());
    let first = child.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("held by") && err.contains("until"), "{err}");
}

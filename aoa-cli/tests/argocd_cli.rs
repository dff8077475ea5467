//! `aoa argocd`: exit codes, text and JSON output on the example repository.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use std::path::Path;
use std::process::{Command, Output};

fn aoa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aoa"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn import_prints_the_tree_and_exits_1_on_findings() {
    let o = aoa(&["argocd", "import", "examples/argocd"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.starts_with("imported examples/argocd: 4 Applications (+3 generated), 1 ApplicationSets, 2 AppProjects, 1 RBAC configs; 7 files, 0 skipped\n"), "{text}");
    assert!(
        text.contains(
            "  root (wave 0, project platform)\n    cert-manager (wave -1, project platform)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "    environments (ApplicationSet, wave 0)\n      shop-dev (wave 0, project team)\n"
        ),
        "{text}"
    );
    assert!(text.contains("[invalid-wave]"));
    let json = aoa(&["--output", "json", "argocd", "import", "examples/argocd"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["counts"]["applications"], 4);
    assert_eq!(v["manifest"]["apps"].as_array().unwrap().len(), 8);
}

#[test]
fn import_writes_a_manifest_that_plans_and_exports_without_changes() {
    let dir = std::env::temp_dir().join(format!("aoa-argocd-cli-{}", std::process::id()));
    let written = dir.to_str().unwrap();
    let o = aoa(&["argocd", "import", "examples/argocd", "--write", written]);
    assert_eq!(o.status.code(), Some(1));
    assert!(dir.join("argocd.json").is_file());
    let plan = aoa(&["plan", "-m", written]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    let diff = aoa(&["argocd", "export", "-m", written, "--diff"]);
    assert_eq!(
        stdout(&diff),
        "sync waves from the plan: 3 waves, 0 annotations change\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn can_answers_yes_or_no_with_exit_codes() {
    let yes = aoa(&[
        "argocd",
        "can",
        "example:team-devs",
        "sync",
        "applications",
        "team/api",
        "--dir",
        "examples/argocd",
    ]);
    assert_eq!(yes.status.code(), Some(0));
    assert!(stdout(&yes).starts_with("Yes\n"));
    let no = aoa(&[
        "argocd",
        "can",
        "example:release-managers",
        "sync",
        "app",
        "platform/cert-manager",
        "--dir",
        "examples/argocd",
    ]);
    assert_eq!(no.status.code(), Some(1));
    assert!(stdout(&no).contains("at examples/argocd/rbac/argocd-rbac-cm.yaml:10: p, role:release, applications, sync, platform/*, deny"));
    let builtin = aoa(&["argocd", "can", "role:readonly", "get", "applications"]);
    assert_eq!(builtin.status.code(), Some(0));
}

#[test]
fn order_and_projects() {
    let o = aoa(&["argocd", "order", "examples/argocd"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("root (source apps)\n  Sync       -1  Application argocd/cert-manager  examples/argocd/apps/cert-manager.yaml:1\n"), "{text}");
    let p = aoa(&["argocd", "projects", "examples/argocd"]);
    assert_eq!(p.status.code(), Some(1));
    let text = stdout(&p);
    assert!(text.contains("ApplicationSet environments RollingSync\n  step 1: shop-dev, shop-staging\n  step 2: shop-prod\n"), "{text}");
    assert!(text.contains("[project-denied]"));
    let missing = aoa(&["argocd", "order", "examples/argocd/none"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn export_apply_writes_the_waves_a_new_import_reads_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let source = root.join("../shared/fixtures/argocd/argoproj-deployments");
    let copy = std::env::temp_dir().join(format!("aoa-argocd-apply-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    let mut stack = vec![source.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let target = copy.join(path.strip_prefix(&source).unwrap());
            if path.is_dir() {
                stack.push(path);
            } else {
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let dir = copy.to_str().unwrap();
    let o = aoa(&[
        "argocd",
        "export",
        "-m",
        "examples/argocd-deps",
        "--apply",
        dir,
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrote 10 annotations"));
    let json = aoa(&["--output", "json", "argocd", "import", dir]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let wave = |name: &str| {
        v["applications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap()["wave"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(wave("argo-cd"), 3);
    assert_eq!(wave("workflow-examples"), 5);
    assert_eq!(wave("cert-manager"), 0);
    std::fs::remove_dir_all(&copy).unwrap();
}

//! The built `aoa` binary on the example and on broken manifests: exit codes and output shapes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

mod common;

use common::*;

#[test]
fn plan_on_the_example_prints_waves_for_people() {
    let (code, stdout, _) = aoa(&["plan", "-m", &example()]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("rollout plan: 30 apps in 6 waves\nwave 0 (1 apps)\n  platform\n"),
        "{stdout}"
    );
    assert!(stdout.contains("critical path (6 apps): platform -> "));
}

#[test]
fn plan_json_has_the_documented_shape() {
    let (code, plan) = aoa_json(&["plan", "-m", &example(), "--max-parallel", "3"]);
    assert_eq!(code, 0);
    assert_eq!(plan["direction"], "rollout");
    assert_eq!(plan["app_count"], 30);
    let waves = plan["waves"].as_array().unwrap();
    assert_eq!(waves.len(), 6);
    assert_eq!(waves[0]["index"], 0);
    assert_eq!(waves[0]["batches"], serde_json::json!([["platform"]]));
    for wave in waves {
        for batch in wave["batches"].as_array().unwrap() {
            assert!(batch.as_array().unwrap().len() <= 3);
        }
    }
    assert_eq!(plan["critical_path"].as_array().unwrap().len(), 6);
}

#[test]
fn changed_and_select_and_teardown() {
    let (_, plan) = aoa_json(&["plan", "-m", &example(), "--changed", "data/kafka"]);
    assert_eq!(plan["app_count"], 7);
    assert_eq!(plan["waves"][0]["batches"][0][0], "data/kafka");
    let (_, plan) = aoa_json(&[
        "plan",
        "-m",
        &example(),
        "--select",
        "name=web/storefront-staging",
    ]);
    let order: Vec<&str> = plan["waves"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["batches"][0].as_array().unwrap())
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(order.last(), Some(&"web/storefront-staging"));
    assert!(
        order.contains(&"platform/vault"),
        "prerequisites are included: {order:?}"
    );
    let (_, teardown) = aoa_json(&["teardown", "-m", &example()]);
    assert_eq!(teardown["direction"], "teardown");
    assert_eq!(
        teardown["waves"].as_array().unwrap().last().unwrap()["batches"],
        serde_json::json!([["platform"]])
    );
    let (code, err) = aoa_json(&["plan", "-m", &example(), "--changed", "data/kafak"]);
    assert_eq!(code, 2);
    assert_eq!(err["error"]["code"], "unknown-app");
    assert_eq!(
        err["error"]["message"],
        "unknown app `data/kafak`; did you mean `data/kafka`?"
    );
}

#[test]
fn validate_reports_ok_or_every_problem() {
    let (code, stdout, _) = aoa(&["validate", "-m", &example()]);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "ok: 30 apps, 61 edges, 6 waves\n")
    );
    let broken = temp_file(
        "broken.yaml",
        "apps:\n  - name: a\n    parent: b\n  - name: a\n    dependson: []\n",
    );
    let (code, report) = aoa_json(&["validate", "-m", &broken]);
    assert_eq!(code, 1);
    assert_eq!(report["valid"], false);
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["unknown-key", "duplicate-app", "unknown-parent"],
        "every problem, structure first"
    );
    let broken = temp_file(
        "broken2.yaml",
        "apps:\n  - name: a\n    parent: b\n  - name: a\n",
    );
    let (code, stdout, _) = aoa(&["validate", "-m", &broken]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            "broken2.yaml:3:13: parent `b` is not an app of the manifest (app `a`) [unknown-parent]"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("broken2.yaml:4:11: app `a` is declared twice (app `a`) [duplicate-app]"),
        "{stdout}"
    );
}

#[test]
fn cycles_are_findings_with_exit_1() {
    let cyclic = temp_file(
        "cyclic.yaml",
        "apps:\n  - name: a\n    depends_on: [b]\n  - name: b\n    depends_on: [a]\n",
    );
    let (code, err) = aoa_json(&["plan", "-m", &cyclic]);
    assert_eq!(code, 1);
    assert_eq!(err["error"]["code"], "cycle");
    assert_eq!(
        err["error"]["diagnostics"][0]["message"],
        "cycle: a -> b -> a"
    );
    assert_eq!(err["error"]["diagnostics"][0]["line"], 5);
    let (code, stdout, _) = aoa(&["validate", "-m", &cyclic]);
    assert_eq!(code, 1);
    assert!(stdout.contains("cycle: a -> b -> a"));
}

#[test]
fn unreadable_input_and_usage_errors_exit_2() {
    let (code, _, stderr) = aoa(&["plan", "-m", "/nonexistent/manifest.yaml"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: cannot read `/nonexistent/manifest.yaml`"),
        "{stderr}"
    );
    let bad = temp_file("bad.json", "{\"apps\": [\n");
    let (code, err) = aoa_json(&["plan", "-m", &bad]);
    assert_eq!(code, 2);
    assert_eq!(err["error"]["code"], "syntax");
    assert_eq!(err["error"]["diagnostics"][0]["line"], 2);
    let (code, _, stderr) = aoa(&["plan", "--max-paralel", "2"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--max-parallel"), "{stderr}");
    let (code, _, stderr) = aoa(&["plan", "-m", &example(), "--max-parallel", "0"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`max_parallel` must be at least 1"));
}

#[test]
fn graph_prints_dot_and_mermaid() {
    let (code, dot, _) = aoa(&["graph", "-m", &example()]);
    assert_eq!(code, 0);
    assert!(dot.starts_with("digraph aoa {"));
    assert!(dot.contains("\"platform\" -> \"team-web\";"));
    assert!(dot.contains("\"payments/db\" -> \"payments/api\" [style=dashed];"));
    assert_eq!(dot.matches(" -> ").count(), 61);
    let (code, mermaid, _) = aoa(&["graph", "-m", &example(), "--diagram", "mermaid"]);
    assert_eq!(code, 0);
    assert!(mermaid.starts_with("flowchart LR\n"));
    assert_eq!(
        mermaid.matches("-->").count() + mermaid.matches("-.->").count(),
        61
    );
}

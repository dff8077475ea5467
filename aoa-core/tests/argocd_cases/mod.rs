//! Runs one acceptance case of `../shared/fixtures/argocd/acceptance/` by id or index.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::argocd::applicationset::{IntOrPercent, MatchExpression, max_update, rolling_steps};
use aoa_core::argocd::order::{Phase, Task, multi_step, sort};
use aoa_core::argocd::project::{DestinationPattern, ProjectSpec};
use aoa_core::argocd::rbac::{Enforcer, MatchMode, Policy, split_csv};
use aoa_core::source::parse_yaml_documents;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/argocd")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml(path: &str) -> Value {
    parse_yaml_documents(&read(path), path)
        .unwrap()
        .remove(0)
        .value
}

fn policy_text(name: &str) -> String {
    match name {
        "" => String::new(),
        "BUILTIN" => read("argo-cd/assets/builtin-policy.csv"),
        "TESTDATA" => read("argo-cd/cmd/argocd/commands/admin/testdata/rbac/policy.csv"),
        "TESTDATA_CM" => {
            let cm = yaml("argo-cd/cmd/argocd/commands/admin/testdata/rbac/argocd-rbac-cm.yaml");
            let data = cm["data"].as_object().unwrap();
            // util/rbac PolicyCSV: policy.csv, then the other policy.*.csv keys in key order.
            let mut text = data["policy.csv"].as_str().unwrap().to_string();
            let mut keys: Vec<&String> = data
                .keys()
                .filter(|k| k.starts_with("policy.") && k.ends_with(".csv") && *k != "policy.csv")
                .collect();
            keys.sort();
            for k in keys {
                text.push('\n');
                text.push_str(data[k].as_str().unwrap());
            }
            text
        }
        other => read(&format!("acceptance/policies/{other}.csv")),
    }
}

/// One row of `rbac_cases.csv`.
pub(crate) fn rbac(id: &str) {
    let text = read("acceptance/rbac_cases.csv");
    let mut lines = text.lines();
    let header = split_csv(lines.next().unwrap()).unwrap();
    let row = lines
        .map(|l| split_csv(l).unwrap())
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("no row {id}"));
    let get = |name: &str| row[header.iter().position(|h| h == name).unwrap()].as_str();
    let mode = MatchMode::parse(get("match_mode"));
    let mut policy = Policy::new(mode);
    policy.add(&policy_text(get("builtin_policy")), "builtin", None);
    policy.add(&policy_text(get("user_policy")), "user", None);
    let enforcer = Enforcer {
        policy,
        default_role: get("default_role").to_string(),
    };
    let mut runtime = Policy::new(mode);
    runtime.add(&policy_text(get("runtime_policy")), "runtime", None);
    let verdict = enforcer.can(
        Some(&runtime),
        get("subject"),
        get("resource"),
        get("action"),
        get("object"),
    );
    assert_eq!(
        if verdict.allowed { "allow" } else { "deny" },
        get("expected"),
        "{id}: {}",
        verdict.explanation
    );
}

fn ordering_case(id: &str) -> Value {
    let all = yaml("acceptance/ordering_cases.yaml");
    all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
        .clone()
}

fn task(v: &Value) -> Task {
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let api = s("apiVersion");
    let kind = s("kind");
    let defines = (kind == "CustomResourceDefinition").then(|| {
        format!(
            "{}/{}",
            v["spec"]["group"].as_str().unwrap(),
            v["spec"]["names"]["kind"].as_str().unwrap()
        )
    });
    Task {
        phase: Phase::parse(&s("phase")),
        wave: v.get("wave").and_then(Value::as_i64).unwrap_or(0),
        group: api.rsplit_once('/').map_or("", |(g, _)| g).to_string(),
        kind,
        name: s("name"),
        namespace: s("namespace"),
        defines,
        ..Task::default()
    }
}

fn shape(t: &Task) -> (Option<Phase>, String, String, i64) {
    (t.phase, t.kind.clone(), t.name.clone(), t.wave)
}

/// One case of `ordering_cases.yaml`.
pub(crate) fn ordering(id: &str) {
    let case = ordering_case(id);
    if let Some(single) = case.get("single") {
        for key in ["single", "double"] {
            let c = &case[key];
            let tasks = sort(
                c["tasks"].as_array().unwrap().iter().map(task).collect(),
                false,
            );
            assert_eq!(
                multi_step(&tasks),
                c["multiStep"].as_bool().unwrap(),
                "{id} {key}"
            );
            if let Some(first) = c.get("firstWave") {
                assert_eq!(tasks[0].wave, first.as_i64().unwrap());
                assert_eq!(tasks[tasks.len() - 1].wave, c["lastWave"].as_i64().unwrap());
            }
        }
        let _ = single;
        return;
    }
    if let Some(waves) = case.get("waves").and_then(Value::as_object) {
        let prune: Vec<&str> = case["prune"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let origin = case["origin"].as_str().unwrap();
        let global = origin.contains("global pruneLast=true");
        let marked = origin
            .split("only ")
            .nth(1)
            .and_then(|r| r.split(' ').next());
        let tasks: Vec<Task> = waves
            .iter()
            .map(|(name, wave)| Task {
                phase: Some(Phase::Sync),
                wave: wave.as_i64().unwrap(),
                kind: if name == "ns" { "Namespace" } else { "Pod" }.into(),
                name: name.clone(),
                prune: prune.contains(&name.as_str()),
                prune_last: marked == Some(name.as_str()),
                ..Task::default()
            })
            .collect();
        let sorted = sort(tasks, global);
        for (name, wave) in case["expected_wave"].as_object().unwrap() {
            let t = sorted.iter().find(|t| &t.name == name).unwrap();
            assert_eq!(t.wave, wave.as_i64().unwrap(), "{id}: {name}");
        }
        return;
    }
    let input: Vec<Task> = case["input"].as_array().unwrap().iter().map(task).collect();
    let sorted = sort(input, false);
    let expected = case["expected_order"].as_array().unwrap();
    assert_eq!(sorted.len(), expected.len());
    for (t, e) in sorted.iter().zip(expected) {
        match e {
            Value::String(s) => assert!(t.name == *s || t.kind == *s, "{id}: {t:?} is not {s}"),
            e => assert_eq!(shape(t), shape(&task(e)), "{id}"),
        }
    }
    for (name, effective) in case
        .get("expected_effective")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let t = sorted.iter().find(|t| &t.name == name).unwrap();
        assert_eq!(
            t.phase,
            Phase::parse(effective["phase"].as_str().unwrap()),
            "{id}: {name}"
        );
        assert_eq!(t.wave, effective["wave"].as_i64().unwrap(), "{id}: {name}");
    }
}

fn project_cases(section: &str) -> Vec<Value> {
    yaml("acceptance/project_and_rollingsync_cases.yaml")[section]
        .as_array()
        .unwrap()
        .clone()
}

/// One case of `source_repos`.
pub(crate) fn source_repo(index: usize) {
    let case = &project_cases("source_repos")[index];
    let spec: ProjectSpec =
        serde_json::from_value(serde_json::json!({"sourceRepos": case["proj"]})).unwrap();
    assert_eq!(
        spec.is_source_permitted(case["app"].as_str().unwrap()),
        case["permitted"].as_bool().unwrap(),
        "{case}"
    );
}

/// One case of `destinations`.
pub(crate) fn destination(index: usize) {
    let case = &project_cases("destinations")[index];
    let spec: ProjectSpec =
        serde_json::from_value(serde_json::json!({"destinations": case["proj"]})).unwrap();
    let dest: DestinationPattern = serde_json::from_value(case["app"].clone()).unwrap();
    assert_eq!(
        spec.is_destination_permitted(&dest),
        case["permitted"].as_bool().unwrap(),
        "{case}"
    );
}

/// One case of `group_kinds`.
pub(crate) fn group_kind(index: usize) {
    let case = &project_cases("group_kinds")[index];
    let spec: ProjectSpec = serde_json::from_value(case["spec"].clone()).unwrap();
    let (group, kind) = case["gk"].as_str().unwrap().split_once('/').unwrap();
    let name = case.get("name").and_then(Value::as_str).unwrap_or("");
    assert_eq!(
        spec.is_group_kind_permitted(group, kind, name, case["namespaced"].as_bool().unwrap()),
        case["permitted"].as_bool().unwrap(),
        "{case}"
    );
}

/// One case of `rolling_sync_selection`.
pub(crate) fn rolling(id: &str) {
    let cases = project_cases("rolling_sync_selection");
    let case = cases.iter().find(|c| c["id"] == id).unwrap();
    if let Some(table) = case.get("max_update").and_then(Value::as_object) {
        for (key, expected) in table {
            let (value, count) = key.split_once(" of ").unwrap();
            let value = match value {
                "unset" => None,
                v if v.ends_with('%') => Some(IntOrPercent::Percent(v.into())),
                v => Some(IntOrPercent::Int(v.parse().unwrap())),
            };
            let got = max_update(value.as_ref(), count.parse().unwrap()).unwrap();
            assert_eq!(got as u64, expected.as_u64().unwrap(), "{id}: {key}");
        }
        return;
    }
    let steps: Vec<Vec<MatchExpression>> = serde_json::from_value(case["steps"].clone()).unwrap();
    let apps: Vec<(String, BTreeMap<String, String>)> = case["apps"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, labels)| {
            (
                name.clone(),
                serde_json::from_value(labels.clone()).unwrap(),
            )
        })
        .collect();
    let result = rolling_steps(&steps, &apps);
    let expected: Vec<Vec<String>> =
        serde_json::from_value(case["expected_steps"].clone()).unwrap();
    assert_eq!(result.steps, expected, "{id}");
    if let Some(empty) = case.pointer("/expected_issues/EmptySteps") {
        let empty: Vec<usize> = serde_json::from_value(empty.clone()).unwrap();
        assert_eq!(result.empty_steps, empty, "{id}");
    }
}

//! Planner behaviour on small hand-written graphs: waves, batches, critical path, cycles, impacted, select, teardown.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)] // test helpers may fail loudly

use aoa_core::{EdgeKind, Error, Format, Manifest, PlanOptions, Selector};

fn manifest(yaml: &str) -> Manifest {
    Manifest::from_str(yaml, Format::Yaml).unwrap()
}

const DIAMOND: &str = "apps:
- name: root
- name: db
  parent: root
- name: cache
  parent: root
- name: api
  parent: root
  depends_on: [db, cache]
- name: web
  parent: root
  depends_on: [api]
- name: jobs
  parent: root
  depends_on: [db]
";

fn waves<'m>(plan: &aoa_core::Plan<'m>) -> Vec<Vec<&'m str>> {
    plan.waves
        .iter()
        .map(|w| w.batches.iter().flatten().copied().collect())
        .collect()
}

#[test]
fn waves_are_longest_paths_sorted_by_name() {
    let m = manifest(DIAMOND);
    let plan = m.plan(&PlanOptions::default()).unwrap();
    assert_eq!(
        waves(&plan),
        vec![
            vec!["root"],
            vec!["cache", "db"],
            vec!["api", "jobs"],
            vec!["web"]
        ]
    );
    assert_eq!(plan.critical_path, vec!["root", "cache", "api", "web"]);
    assert_eq!(plan.app_count, 6);
}

#[test]
fn max_parallel_splits_waves_into_batches() {
    let m = manifest(DIAMOND);
    let plan = m
        .plan(&PlanOptions {
            max_parallel: Some(1),
        })
        .unwrap();
    assert_eq!(plan.waves[1].batches, vec![vec!["cache"], vec!["db"]]);
    let err = m
        .plan(&PlanOptions {
            max_parallel: Some(0),
        })
        .unwrap_err();
    assert_eq!(err.code(), "invalid-argument");
}

#[test]
fn teardown_is_the_exact_reverse() {
    let m = manifest(DIAMOND);
    let plan = m
        .plan(&PlanOptions {
            max_parallel: Some(1),
        })
        .unwrap();
    let mut order = plan.order();
    order.reverse();
    let teardown = m
        .teardown(&PlanOptions {
            max_parallel: Some(1),
        })
        .unwrap();
    assert_eq!(teardown.order(), order);
    assert_eq!(teardown.direction, aoa_core::Direction::Teardown);
    assert_eq!(teardown.critical_path, vec!["web", "api", "cache", "root"]);
}

#[test]
fn impacted_is_the_changed_apps_and_everything_downstream() {
    let m = manifest(DIAMOND);
    let plan = m.impacted(&["db"], &PlanOptions::default()).unwrap();
    assert_eq!(
        waves(&plan),
        vec![vec!["db"], vec!["api", "jobs"], vec!["web"]]
    );
    let all = m.impacted(&["root"], &PlanOptions::default()).unwrap();
    assert_eq!(all.app_count, 6);
    let err = m.impacted(&["dbb"], &PlanOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "unknown app `dbb`; did you mean `db`?");
}

#[test]
fn select_adds_prerequisites_like_terraform_target() {
    let m = manifest(
        "apps:
- {name: root, labels: {env: prod}}
- {name: db, parent: root, labels: {env: prod, team: a}}
- {name: api, parent: root, depends_on: [db], labels: {env: prod, team: b}}
- {name: stage, parent: root, labels: {env: staging, team: b}}
",
    );
    let plan = m
        .select(
            &Selector::parse(&["team=b,env=prod"]).unwrap(),
            &PlanOptions::default(),
        )
        .unwrap();
    assert_eq!(plan.order(), vec!["root", "db", "api"]);
    let plan = m
        .select(
            &Selector::parse(&["name=stage", "team=a"]).unwrap(),
            &PlanOptions::default(),
        )
        .unwrap();
    assert_eq!(plan.order(), vec!["root", "db", "stage"]);
    assert_eq!(
        Selector::parse(&["oops"]).unwrap_err().code(),
        "invalid-argument"
    );
    assert_eq!(
        m.select(&Selector::names(&["nope"]), &PlanOptions::default())
            .unwrap_err()
            .code(),
        "unknown-app"
    );
}

#[test]
fn every_cycle_is_named_with_edge_kinds_and_declarations() {
    let m = manifest(
        "apps:
- name: root
- name: a
  parent: root
  depends_on: [c]
- name: b
  parent: a
- name: c
  depends_on: [b]
- name: x
  depends_on: [y]
- name: y
  depends_on: [x]
- name: after
  depends_on: [x]
",
    );
    let err = m.plan(&PlanOptions::default()).unwrap_err();
    let Error::Cycle { cycles } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(cycles.len(), 2);
    assert_eq!(cycles[0].text, "a -> b -> c -> a");
    assert_eq!(cycles[0].members, vec!["a", "b", "c"]);
    let kinds: Vec<EdgeKind> = cycles[0].edges.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![EdgeKind::Parent, EdgeKind::DependsOn, EdgeKind::DependsOn]
    );
    assert_eq!(cycles[0].edges[0].declared.path, "/apps/2/parent");
    assert_eq!(cycles[0].edges[0].declared.line, Some(7));
    assert_eq!(cycles[0].edges[2].declared.path, "/apps/1/depends_on/0");
    assert_eq!(cycles[1].text, "x -> y -> x");
    assert_eq!(m.cycles(), cycles.clone());
    let d = &err.diagnostics()[0];
    assert_eq!(
        (d.code, d.line, d.app.as_deref()),
        ("cycle", Some(7), Some("b"))
    );
    assert!(
        err.to_string()
            .starts_with("2 cycle(s) in the rollout graph: a -> b -> c -> a; x -> y -> x")
    );
}

#[test]
fn a_cycle_outside_an_impacted_set_does_not_block_it() {
    let m = manifest(
        "apps:\n- name: ok\n- name: next\n  depends_on: [ok]\n- name: x\n  depends_on: [y]\n- name: y\n  depends_on: [x]\n",
    );
    assert!(m.plan(&PlanOptions::default()).is_err());
    assert_eq!(
        m.impacted(&["ok"], &PlanOptions::default())
            .unwrap()
            .order(),
        vec!["ok", "next"]
    );
    assert_eq!(
        m.impacted(&["x"], &PlanOptions::default())
            .unwrap_err()
            .code(),
        "cycle"
    );
}

#[test]
fn a_long_chain_does_not_overflow_the_stack() {
    let n = 100_000;
    let records: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            if i == 0 {
                serde_json::json!({"name": "n0"})
            } else {
                serde_json::json!({"name": format!("n{i}"), "depends_on": [format!("n{}", i - 1)]})
            }
        })
        .collect();
    let m = Manifest::from_records(&records).unwrap();
    assert_eq!(m.plan(&PlanOptions::default()).unwrap().waves.len(), n);
    let mut cyclic = records.clone();
    cyclic[0] = serde_json::json!({"name": "n0", "depends_on": [format!("n{}", n - 1)]});
    let m = Manifest::from_records(&cyclic).unwrap();
    let cycles = m.cycles();
    assert_eq!(cycles.len(), 1);
    assert_eq!(cycles[0].members.len(), n);
}

#[test]
fn an_empty_manifest_has_an_empty_plan() {
    let m = manifest("apps: []\n");
    let plan = m.plan(&PlanOptions::default()).unwrap();
    assert!(plan.waves.is_empty() && plan.critical_path.is_empty());
}

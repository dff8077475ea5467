//! Invariants of the Argo CD interop: Argo's sync order is a total order that does not depend on the input's
//! order; exported waves respect every `depends_on` edge, keep consistent annotations and are a fixed point.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::Manifest;
use aoa_core::argocd::order::{Phase, Task, sort};
use aoa_core::argocd::{export, rbac};
use proptest::prelude::*;
use serde_json::json;

const KINDS: &[&str] = &[
    "Namespace",
    "Pod",
    "Service",
    "Application",
    "CustomResourceDefinition",
    "Workflow",
    "ConfigMap",
];

fn task() -> impl Strategy<Value = Task> {
    (
        prop::option::of(prop::sample::select(vec![
            Phase::PreSync,
            Phase::Sync,
            Phase::PostSync,
            Phase::SyncFail,
        ])),
        -2i64..3,
        prop::sample::select(KINDS.to_vec()),
        prop::sample::select(vec!["a", "b", "ns1", "ns2"]),
        prop::sample::select(vec!["", "ns1", "ns2"]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(phase, wave, kind, name, namespace, prune, prune_last)| {
            let crd = kind == "CustomResourceDefinition";
            Task {
                phase,
                wave,
                kind: kind.into(),
                group: if crd {
                    "apiextensions.k8s.io".into()
                } else if kind == "Workflow" {
                    "argoproj.io".into()
                } else {
                    String::new()
                },
                name: name.into(),
                namespace: namespace.into(),
                prune,
                prune_last,
                defines: crd.then(|| "argoproj.io/Workflow".into()),
                ..Task::default()
            }
        })
}

proptest! {
    #[test]
    fn argo_order_does_not_depend_on_the_input_order(
        tasks in prop::collection::vec(task(), 0..24),
        seed in any::<u64>(),
        prune_last in any::<bool>(),
    ) {
        let mut shuffled = tasks.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, usize::try_from(state % (i as u64 + 1)).unwrap_or(0));
        }
        let a = sort(tasks.clone(), prune_last);
        let b = sort(shuffled, prune_last);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.len(), tasks.len());
        // The same tasks come out, only reordered (namespaces and CRDs may take another task's phase and wave).
        let ids = |v: &[Task]| {
            let mut ids: Vec<(String, String, String, bool)> =
                v.iter().map(|t| (t.kind.clone(), t.name.clone(), t.namespace.clone(), t.prune)).collect();
            ids.sort();
            ids
        };
        prop_assert_eq!(ids(&a), ids(&tasks));
    }

    #[test]
    fn exported_waves_respect_every_dependency_and_are_a_fixed_point(
        deps in prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 0..3), 1..30),
        waves in prop::collection::vec(prop::option::of(-3i64..6), 30),
        parents in prop::collection::vec(prop::option::of(any::<prop::sample::Index>()), 30),
    ) {
        let records: Vec<serde_json::Value> = deps
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut depends: Vec<String> = if i == 0 { Vec::new() } else {
                    d.iter().map(|x| format!("a{}", x.index(i))).collect()
                };
                depends.sort();
                depends.dedup();
                let mut r = json!({"name": format!("a{i}"), "depends_on": depends});
                if let (Some(p), true) = (&parents[i], i > 0) {
                    r["parent"] = json!(format!("a{}", p.index(i)));
                }
                if let Some(w) = waves[i] {
                    r["labels"] = json!({"argocd/sync-wave": w.to_string()});
                }
                r
            })
            .collect();
        let manifest = Manifest::from_records(&records).unwrap();
        let out = export::export(&manifest).unwrap();
        let new: std::collections::HashMap<&str, i64> =
            out.annotations.iter().map(|a| (a.app.as_str(), a.new)).collect();
        for r in &records {
            let me = new[r["name"].as_str().unwrap()];
            for d in r["depends_on"].as_array().unwrap() {
                prop_assert!(new[d.as_str().unwrap()] < me, "{} -> {}", d, r["name"]);
            }
        }
        for a in &out.annotations {
            if let Some(old) = a.old {
                prop_assert!(a.new >= old);
            }
        }
        // Writing the new waves back and exporting again changes nothing.
        let written: Vec<serde_json::Value> = records
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r["labels"] = json!({"argocd/sync-wave": new[r["name"].as_str().unwrap()].to_string()});
                r
            })
            .collect();
        let again = export::export(&Manifest::from_records(&written).unwrap()).unwrap();
        prop_assert_eq!(again.changed, 0);
    }

    #[test]
    fn a_subject_granted_by_a_role_is_allowed_and_a_deny_line_first_wins(
        role in "[a-z]{1,6}", user in "[a-z]{1,6}", object in "[a-z]{1,6}/[a-z]{1,6}",
    ) {
        let mut policy = rbac::Policy::new(rbac::MatchMode::Glob);
        let text = format!("p, role:{role}, applications, get, */*, allow\ng, {user}, role:{role}");
        let findings = policy.add(&text, "p.csv", Some(1));
        prop_assert!(findings.is_empty());
        let enforcer = rbac::Enforcer { policy, default_role: String::new() };
        let v = enforcer.can(None, &user, "applications", "get", &object);
        prop_assert!(v.allowed);
        prop_assert_eq!(v.via.len(), 1);
        let mut deny = rbac::Policy::new(rbac::MatchMode::Glob);
        deny.add(&format!("p, {user}, applications, get, {object}, deny"), "d.csv", Some(1));
        prop_assert!(!enforcer.can(Some(&deny), &user, "applications", "get", &object).allowed);
    }
}

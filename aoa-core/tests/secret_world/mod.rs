//! Random app trees with secret grants, denies and ceilings, for the secrets and export property tests.
#![allow(dead_code, reason = "each test binary uses a part")]

use proptest::prelude::*;
use serde_json::{Value, json};

pub(crate) const PATTERNS: [&str; 5] = [
    "keyvault://kv-a/*",
    "keyvault://kv-a/db-*",
    "keyvault://kv-a/db-password",
    "keyvault://kv-b/*",
    "keyvault://*",
];
pub(crate) const SECRETS: [&str; 4] = [
    "keyvault://kv-a/db-password",
    "keyvault://kv-a/api-key",
    "keyvault://kv-b/db-password",
    "keyvault://kv-c/x",
];

#[derive(Debug, Clone)]
pub(crate) struct World {
    pub(crate) parent: Vec<Option<usize>>,
    /// (app, pattern, propagate)
    pub(crate) grants: Vec<(usize, usize, bool)>,
    pub(crate) denies: Vec<(usize, usize, bool)>,
    /// A deny-free ceiling is written as a grant pattern list: (app, patterns).
    pub(crate) ceilings: Vec<(usize, Vec<usize>)>,
}

pub(crate) fn world() -> impl Strategy<Value = World> {
    (2usize..9).prop_flat_map(|n| {
        let parents = (1..n).map(|i| prop::option::of(0..i)).collect::<Vec<_>>();
        let rule = (0..n, 0..PATTERNS.len(), prop::bool::weighted(0.8));
        (
            parents,
            prop::collection::vec(rule.clone(), 0..6),
            prop::collection::vec(rule, 0..3),
            prop::collection::vec((0..n, prop::collection::vec(0..PATTERNS.len(), 1..3)), 0..2),
        )
            .prop_map(|(parents, grants, denies, ceilings)| World {
                parent: std::iter::once(None).chain(parents).collect(),
                grants,
                denies,
                ceilings,
            })
    })
}

pub(crate) fn records(w: &World) -> Vec<Value> {
    (0..w.parent.len())
        .map(|i| {
            let entries = |rules: &[(usize, usize, bool)]| -> Vec<Value> {
                (rules.iter().filter(|r| r.0 == i))
                    .map(|r| json!({"secrets": [PATTERNS[r.1]], "propagate": r.2}))
                    .collect()
            };
            let mut app = json!({
                "name": format!("a{i}"),
                "secrets": {"grants": entries(&w.grants), "deny": entries(&w.denies)},
            });
            if let Some(p) = w.parent[i] {
                app["parent"] = json!(format!("a{p}"));
            }
            // A ceiling is kept only when it holds every grant below it (else the load is an escalation).
            if let Some((_, c)) = w.ceilings.iter().find(|c| c.0 == i) {
                let patterns: Vec<String> = c
                    .iter()
                    .map(|&p| format!("secrets:{}", PATTERNS[p]))
                    .collect();
                app["ceiling"] = json!(patterns);
            }
            app
        })
        .collect()
}

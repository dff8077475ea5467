//! Argo CD RBAC `can` per query, for `bench/argocd.sh` (which runs pycasbin with Argo's `model.conf` on the same
//! policy and queries and compares every answer).
//!
//! Usage: `argocd_rbac POLICY.csv DEFAULT_ROLE QUERIES.tsv ANSWERS.txt` — queries are `sub\tres\tact\tobj`
//! lines; answers are written one `allow`/`deny` per line; the time per query goes to stdout as JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark fails loudly on bad input"
)]

use aoa_core::argocd::rbac::{BUILTIN_POLICY, Enforcer, MatchMode, Policy};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, policy_path, default_role, queries_path, answers_path] = args.as_slice() else {
        panic!("usage: argocd_rbac POLICY.csv DEFAULT_ROLE QUERIES.tsv ANSWERS.txt");
    };
    let text = std::fs::read_to_string(policy_path).unwrap();
    let queries_text = std::fs::read_to_string(queries_path).unwrap();
    let queries: Vec<Vec<&str>> = queries_text
        .lines()
        .map(|l| l.split('\t').collect())
        .collect();
    let load = Instant::now();
    let mut policy = Policy::new(MatchMode::Glob);
    assert!(policy.add(BUILTIN_POLICY, "<builtin>", Some(0)).is_empty());
    assert!(policy.add(&text, policy_path, Some(1)).is_empty());
    let enforcer = Enforcer {
        policy,
        default_role: default_role.clone(),
    };
    let load = load.elapsed();
    let mut answers = Vec::with_capacity(queries.len());
    // Two rounds: the first warms caches, the second is timed.
    for round in 0..2 {
        answers.clear();
        let start = Instant::now();
        for q in &queries {
            answers.push(enforcer.can(None, q[0], q[1], q[2], q[3]).allowed);
        }
        if round == 1 {
            let elapsed = start.elapsed();
            println!(
                "{{\"queries\": {}, \"us_per_query\": {:.3}, \"load_ms\": {:.3}}}",
                queries.len(),
                elapsed.as_secs_f64() * 1e6 / queries.len() as f64,
                load.as_secs_f64() * 1e3
            );
        }
    }
    let out: String = answers
        .iter()
        .map(|&a| if a { "allow\n" } else { "deny\n" })
        .collect();
    std::fs::write(answers_path, out).unwrap();
}

//! Property tests of the planner's invariants on random graphs, with petgraph as an independent oracle.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)] // test helpers may fail loudly

use aoa_core::{Error, Manifest, PlanOptions, Selector};
use petgraph::graph::DiGraph;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A random graph: parents always point to an earlier app of a hidden order (parent chains cannot loop);
/// dependencies point anywhere when `cyclic`, else only to earlier apps.
#[derive(Debug, Clone)]
struct RandomGraph {
    names: Vec<String>,
    parent: Vec<Option<usize>>,
    deps: Vec<Vec<usize>>,
}

impl RandomGraph {
    fn records(&self, order: &[usize]) -> Vec<Value> {
        order
            .iter()
            .map(|&i| {
                json!({
                    "name": self.names[i],
                    "parent": self.parent[i].map(|p| self.names[p].clone()),
                    "depends_on": self.deps[i].iter().map(|&d| self.names[d].clone()).collect::<Vec<_>>(),
                    "labels": {"env": if i % 3 == 0 { "prod" } else { "dev" }},
                })
            })
            .collect()
    }

    /// Edges in rollout direction.
    fn edges(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for v in 0..self.names.len() {
            if let Some(p) = self.parent[v] {
                out.push((p, v));
            }
            for &d in &self.deps[v] {
                out.push((d, v));
            }
        }
        out
    }

    fn oracle(&self) -> DiGraph<(), ()> {
        let mut g = DiGraph::new();
        let nodes: Vec<_> = (0..self.names.len()).map(|_| g.add_node(())).collect();
        for (a, b) in self.edges() {
            g.add_edge(nodes[a], nodes[b], ());
        }
        g
    }
}

fn graph(max_apps: usize, cyclic: bool) -> impl Strategy<Value = RandomGraph> {
    (1..max_apps).prop_flat_map(move |n| {
        let parents = proptest::collection::vec(
            proptest::option::weighted(0.7, any::<prop::sample::Index>()),
            n,
        );
        let deps = proptest::collection::vec(
            proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
            n,
        );
        let names = Just(
            (0..n)
                .map(|i| format!("app-{:02}", (i * 7919) % 1000))
                .collect::<Vec<_>>(),
        );
        (names, parents, deps).prop_map(move |(names, parents, deps)| {
            let n = names.len();
            let parent = (0..n)
                .map(|i| {
                    if i == 0 {
                        None
                    } else {
                        parents[i].map(|ix| ix.index(i))
                    }
                })
                .collect();
            let deps = (0..n)
                .map(|i| {
                    let mut set = BTreeSet::new();
                    for ix in &deps[i] {
                        let d = if cyclic {
                            ix.index(n)
                        } else if i == 0 {
                            continue;
                        } else {
                            ix.index(i)
                        };
                        if d != i {
                            set.insert(d);
                        }
                    }
                    set.into_iter().collect()
                })
                .collect();
            RandomGraph {
                names,
                parent,
                deps,
            }
        })
    })
}

fn shuffled(n: usize) -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    let identity: Vec<usize> = (0..n).collect();
    (
        Just(identity.clone()).prop_shuffle(),
        Just(identity).prop_shuffle(),
    )
}

fn load(g: &RandomGraph, order: &[usize]) -> Manifest {
    Manifest::from_records(&g.records(order)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn waves_respect_every_edge_and_are_tight((g, (o1, o2)) in graph(40, false).prop_flat_map(|g| { let n = g.names.len(); (Just(g), shuffled(n)) })) {
        let m = load(&g, &o1);
        let plan = m.plan(&PlanOptions::default()).unwrap();
        let mut wave_of = BTreeMap::new();
        for w in &plan.waves {
            let apps: Vec<&str> = w.batches.iter().flatten().copied().collect();
            let mut sorted = apps.clone();
            sorted.sort();
            prop_assert_eq!(&apps, &sorted, "a wave is sorted by name");
            for a in apps { wave_of.insert(a.to_string(), w.index); }
        }
        prop_assert_eq!(wave_of.len(), g.names.len(), "every app exactly once");
        for (a, b) in g.edges() {
            prop_assert!(wave_of[&g.names[a]] < wave_of[&g.names[b]], "edge {} -> {} goes forward", g.names[a], g.names[b]);
        }
        for v in 0..g.names.len() {
            let w = wave_of[&g.names[v]];
            let preds: Vec<usize> = g.edges().into_iter().filter(|&(_, b)| b == v).map(|(a, _)| wave_of[&g.names[a]]).collect();
            if w == 0 { prop_assert!(preds.is_empty()); } else { prop_assert!(preds.contains(&(w - 1))); }
        }
        prop_assert_eq!(plan.critical_path.len(), plan.waves.len());
        // Shuffling the input changes nothing in the output.
        let other = load(&g, &o2);
        let plan2 = other.plan(&PlanOptions::default()).unwrap();
        prop_assert_eq!(serde_json::to_value(&plan).unwrap(), serde_json::to_value(&plan2).unwrap());
    }

    #[test]
    fn cycles_are_reported_iff_they_exist_and_are_real((g, (o1, o2)) in graph(30, true).prop_flat_map(|g| { let n = g.names.len(); (Just(g), shuffled(n)) })) {
        let m = load(&g, &o1);
        let oracle = g.oracle();
        let has_cycle = petgraph::algo::is_cyclic_directed(&oracle);
        let nontrivial = petgraph::algo::tarjan_scc(&oracle).into_iter().filter(|c| c.len() > 1).count();
        let edges: BTreeSet<(String, String)> = g.edges().into_iter().map(|(a, b)| (g.names[a].clone(), g.names[b].clone())).collect();
        match m.plan(&PlanOptions::default()) {
            Ok(_) => prop_assert!(!has_cycle),
            Err(Error::Cycle { cycles }) => {
                prop_assert!(has_cycle);
                prop_assert_eq!(cycles.len(), nontrivial, "one cycle per cycle-bearing component");
                for c in &cycles {
                    let distinct: BTreeSet<&String> = c.path.iter().collect();
                    prop_assert_eq!(distinct.len(), c.path.len());
                    prop_assert_eq!(c.edges.len(), c.path.len());
                    for (i, e) in c.edges.iter().enumerate() {
                        prop_assert!(edges.contains(&(e.from.clone(), e.to.clone())), "edge {} -> {} exists", e.from, e.to);
                        prop_assert_eq!(&e.from, &c.path[i]);
                        prop_assert_eq!(&e.to, &c.path[(i + 1) % c.path.len()]);
                    }
                }
                let shape = |cs: &[aoa_core::Cycle]| cs.iter().map(|c| (c.text.clone(), c.members.clone())).collect::<Vec<_>>();
                prop_assert_eq!(shape(&cycles), shape(&load(&g, &o2).cycles()), "cycles do not depend on input order");
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn impacted_is_closed_under_successors_and_minimal(g in graph(40, false), picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..4)) {
        let order: Vec<usize> = (0..g.names.len()).collect();
        let m = load(&g, &order);
        let changed: Vec<String> = picks.iter().map(|p| g.names[p.index(g.names.len())].clone()).collect();
        let plan = m.impacted(&changed, &PlanOptions::default()).unwrap();
        let set: BTreeSet<String> = plan.order().into_iter().map(str::to_string).collect();
        // Oracle: reachability from the changed apps.
        let mut expected: BTreeSet<String> = changed.iter().cloned().collect();
        loop {
            let before = expected.len();
            for (a, b) in g.edges() {
                if expected.contains(&g.names[a]) { expected.insert(g.names[b].clone()); }
            }
            if expected.len() == before { break; }
        }
        prop_assert_eq!(&set, &expected);
        let position: BTreeMap<&str, usize> = plan.order().into_iter().enumerate().map(|(i, a)| (a, i)).collect();
        for (a, b) in g.edges() {
            if let (Some(pa), Some(pb)) = (position.get(g.names[a].as_str()), position.get(g.names[b].as_str())) {
                prop_assert!(pa < pb);
            }
        }
    }

    #[test]
    fn select_is_closed_under_predecessors(g in graph(40, false)) {
        let order: Vec<usize> = (0..g.names.len()).collect();
        let m = load(&g, &order);
        let plan = m.select(&Selector::parse(&["env=prod"]).unwrap(), &PlanOptions::default()).unwrap();
        let set: BTreeSet<&str> = plan.order().into_iter().collect();
        for (i, name) in g.names.iter().enumerate() {
            if i % 3 == 0 { prop_assert!(set.contains(name.as_str())); }
        }
        for (a, b) in g.edges() {
            if set.contains(g.names[b].as_str()) { prop_assert!(set.contains(g.names[a].as_str())); }
        }
    }

    #[test]
    fn teardown_reverses_the_plan_and_batches_partition_waves(g in graph(40, false), size in 1usize..5) {
        let order: Vec<usize> = (0..g.names.len()).collect();
        let m = load(&g, &order);
        let options = PlanOptions { max_parallel: Some(size) };
        let plan = m.plan(&options).unwrap();
        let unbatched = m.plan(&PlanOptions::default()).unwrap();
        prop_assert_eq!(plan.order(), unbatched.order());
        for w in &plan.waves {
            prop_assert!(w.batches.iter().all(|b| !b.is_empty() && b.len() <= size));
        }
        let mut reversed = plan.order();
        reversed.reverse();
        prop_assert_eq!(m.teardown(&options).unwrap().order(), reversed);
    }
}

//! The rollout graph: edges point in rollout direction (`parent -> child`, `dependency -> dependent`).
//!
//! Everything is flat and index-based: successors in one CSR array, waves computed by Kahn's algorithm,
//! cycles by an iterative Tarjan pass over only the apps Kahn could not place.

#![expect(
    clippy::cast_possible_truncation,
    reason = "app ids and name ranks are u32: the manifest builder rejects more than u32::MAX - 1 apps"
)]

mod cycles;
mod layering;
mod plan;
mod select;

pub use crate::diagnostic::{Cycle, CycleEdge, EdgeKind};
pub use plan::{Direction, Plan, PlanOptions, Wave};
pub use select::Selector;

use crate::manifest::{AppId, Model};
use layering::Layering;
use std::sync::OnceLock;

/// The rollout graph of a model: successor lists in one CSR array, the name order, and the full layering
/// (cached on first use). Plans, cycles, impacted sets and selections are answered from it.
#[derive(Debug)]
pub struct Graph {
    succ_start: Vec<u32>,
    succ: Vec<u32>,
    /// Each app's number of predecessors (its in-degree over the whole graph).
    in_degree: Vec<u32>,
    /// App ids in name order (bytewise).
    by_name: Vec<u32>,
    /// Position of each app in name order.
    rank: Vec<u32>,
    full: OnceLock<Result<Layering, Vec<Cycle>>>,
}

impl Graph {
    /// Builds the graph of `m`: an edge from each app's parent and from each of its dependencies to it.
    pub fn build(m: &Model) -> Graph {
        let n = m.len();
        let mut succ_start = vec![0u32; n + 1];
        let mut in_degree = vec![0u32; n];
        for v in m.ids() {
            for p in m.predecessors(v) {
                succ_start[p.index() + 1] += 1;
                in_degree[v.index()] += 1;
            }
        }
        for i in 0..n {
            succ_start[i + 1] += succ_start[i];
        }
        let mut fill = succ_start.clone();
        let mut succ = vec![0u32; succ_start[n] as usize];
        for v in m.ids() {
            for p in m.predecessors(v) {
                let slot = &mut fill[p.index()];
                succ[*slot as usize] = v.0;
                *slot += 1;
            }
        }
        let by_name: Vec<u32> = m.ids_by_name().map(|id| id.0).collect();
        let mut rank = vec![0u32; n];
        for (pos, &id) in by_name.iter().enumerate() {
            rank[id as usize] = pos as u32;
        }
        Graph {
            succ_start,
            succ,
            in_degree,
            by_name,
            rank,
            full: OnceLock::new(),
        }
    }

    /// The apps that roll out right after app `v` (its children and dependents), by id, in id order.
    pub fn successors(&self, v: u32) -> &[u32] {
        &self.succ[self.succ_start[v as usize] as usize..self.succ_start[v as usize + 1] as usize]
    }

    /// The number of edges of the rollout graph (a parent that is also a dependency counts twice).
    pub fn edge_count(&self) -> usize {
        self.succ.len()
    }

    /// The number of apps.
    pub fn app_count(&self) -> usize {
        self.rank.len()
    }

    /// The apps that roll out right after `id`: its children and the apps that depend on it, by name.
    pub fn successors_by_name(&self, id: AppId) -> Vec<AppId> {
        let mut out: Vec<AppId> = self.successors(id.0).iter().map(|&s| AppId(s)).collect();
        out.sort_by_key(|a| self.rank[a.index()]);
        out.dedup();
        out
    }
}

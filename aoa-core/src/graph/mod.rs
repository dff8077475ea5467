//! The rollout graph: edges point in rollout direction (`parent -> child`, `dependency -> dependent`).
//!
//! Everything is flat and index-based: successors in one CSR array, waves computed by Kahn's algorithm,
//! cycles by an iterative Tarjan pass over only the apps Kahn could not place.

mod cycles;
mod layering;
mod plan;
mod select;

pub use cycles::{Cycle, CycleEdge, EdgeKind};
pub use plan::{Direction, Plan, PlanOptions, Wave};
pub use select::Selector;

use crate::manifest::{AppId, Manifest};
use layering::Layering;
use std::sync::OnceLock;

/// Successor lists and cached analyses of a manifest's graph (built on first use).
#[derive(Debug)]
pub(crate) struct Graph {
    succ_start: Vec<u32>,
    succ: Vec<u32>,
    /// Position of each app in name order.
    rank: Vec<u32>,
    full: OnceLock<Result<Layering, Vec<Cycle>>>,
}

impl Graph {
    fn build(m: &Manifest) -> Graph {
        let n = m.len();
        let mut succ_start = vec![0u32; n + 1];
        for v in m.ids() {
            for p in m.predecessors(v) {
                succ_start[p.index() + 1] += 1;
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
        let mut rank = vec![0u32; n];
        for (pos, id) in m.ids_by_name().enumerate() {
            rank[id.index()] = pos as u32;
        }
        Graph {
            succ_start,
            succ,
            rank,
            full: OnceLock::new(),
        }
    }

    /// The apps that roll out right after `v` (its children and dependents), in id order.
    pub(crate) fn successors(&self, v: u32) -> &[u32] {
        &self.succ[self.succ_start[v as usize] as usize..self.succ_start[v as usize + 1] as usize]
    }

    /// The number of edges.
    pub(crate) fn edge_count(&self) -> usize {
        self.succ.len()
    }
}

impl Manifest {
    /// The graph index, built on first use.
    pub(crate) fn graph(&self) -> &Graph {
        self.graph.get_or_init(|| Graph::build(self))
    }

    /// The apps that roll out right after `id`: its children and the apps that depend on it, by name.
    pub fn successors(&self, id: AppId) -> Vec<AppId> {
        let g = self.graph();
        let mut out: Vec<AppId> = g.successors(id.0).iter().map(|&s| AppId(s)).collect();
        out.sort_by_key(|a| g.rank[a.index()]);
        out.dedup();
        out
    }

    /// The number of edges of the rollout graph (a parent that is also a dependency counts twice).
    pub fn edge_count(&self) -> usize {
        self.graph().edge_count()
    }
}

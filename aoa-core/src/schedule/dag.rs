//! The graph a scheduler runs over, as a small trait, and a flat successor list that implements it.

use crate::error::{Error, Result};

/// A directed acyclic graph over apps `0..node_count()`: an edge `u -> v` means `v` may start only after `u`
/// succeeded.
pub trait Dag {
    /// The number of apps.
    fn node_count(&self) -> usize;
    /// The apps that wait for `v` (duplicates allowed; every entry below `node_count()`).
    fn successors(&self, v: u32) -> &[u32];
}

/// Successor lists in one flat array (CSR): the scheduler's own copy of a graph, or a reversed graph for a
/// rollback.
#[derive(Debug, Clone, Default)]
pub struct Successors {
    start: Vec<u32>,
    targets: Vec<u32>,
}

impl Successors {
    /// The graph of `n` apps with these edges (`(before, after)`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an edge naming an app `>= n`, or more than `u32::MAX` edges.
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Result<Successors> {
        let out_of_range = |&(u, v): &(u32, u32)| u as usize >= n || v as usize >= n;
        if let Some(&(u, v)) = edges.iter().find(|e| out_of_range(e)) {
            return Err(Error::InvalidArgument {
                message: format!("edge {u} -> {v} names an app outside 0..{n}"),
            });
        }
        Successors::build(n, edges.len(), |emit| {
            for &(u, v) in edges {
                emit(u, v);
            }
        })
    }

    /// A copy of `dag`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `dag` has more than `u32::MAX` edges or names an app out of range.
    pub fn copy(dag: &impl Dag) -> Result<Successors> {
        Successors::of(dag, false)
    }

    /// The reverse of `dag`: every edge turned around, so the apps that waited now go first (teardown,
    /// rollback).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `dag` has more than `u32::MAX` edges or names an app out of range.
    pub fn reversed(dag: &impl Dag) -> Result<Successors> {
        Successors::of(dag, true)
    }

    /// The edges of `dag`, turned around when `reverse`.
    fn of(dag: &impl Dag, reverse: bool) -> Result<Successors> {
        let n = dag.node_count();
        let edges: usize = (0..n).map(|v| dag.successors(index(v)).len()).sum();
        if (0..n).any(|v| dag.successors(index(v)).iter().any(|&s| s as usize >= n)) {
            return Err(Error::InvalidArgument {
                message: format!("the graph names an app outside 0..{n}"),
            });
        }
        Successors::build(n, edges, |emit| {
            for v in 0..n {
                for &s in dag.successors(index(v)) {
                    if reverse {
                        emit(s, index(v))
                    } else {
                        emit(index(v), s)
                    }
                }
            }
        })
    }

    /// Counting sort of the edges that `each` emits (twice: once to count, once to place).
    fn build(
        n: usize,
        edge_count: usize,
        each: impl Fn(&mut dyn FnMut(u32, u32)),
    ) -> Result<Successors> {
        if u32::try_from(edge_count).is_err() || u32::try_from(n).is_err() {
            return Err(Error::InvalidArgument {
                message: format!(
                    "{n} apps and {edge_count} edges exceed the scheduler's u32 indexes"
                ),
            });
        }
        let mut start = vec![0u32; n + 1];
        each(&mut |u, _| start[u as usize + 1] += 1);
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut targets = vec![0u32; edge_count];
        each(&mut |u, v| {
            let slot = &mut fill[u as usize];
            targets[*slot as usize] = v;
            *slot += 1;
        });
        Ok(Successors { start, targets })
    }
}

impl Dag for Successors {
    fn node_count(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    fn successors(&self, v: u32) -> &[u32] {
        let v = v as usize;
        &self.targets[self.start[v] as usize..self.start[v + 1] as usize]
    }
}

/// An app index below `node_count()`, which [`Successors::build`] checked fits `u32`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "node counts are checked to fit u32 before indexing"
)]
fn index(v: usize) -> u32 {
    v as u32
}

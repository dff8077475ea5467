//! The cycle report: a cycle of the rollout graph named in full, with every edge, its kind and where it was declared.

use super::{Diagnostic, Location};
use serde::Serialize;

/// How an edge of the rollout graph was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// `parent -> child`, declared by the child's `parent`.
    Parent,
    /// `dependency -> dependent`, declared in the dependent's `depends_on`.
    DependsOn,
}

/// One edge of a reported cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct CycleEdge {
    /// The app that rolls out first along this edge.
    pub from: String,
    /// The app that waits for `from`.
    pub to: String,
    /// How the edge was declared.
    pub kind: EdgeKind,
    /// Where it was declared (in `to`'s `parent` or `depends_on`).
    pub declared: Location,
}

/// A cycle-bearing strongly connected component with one concrete cycle through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Cycle {
    /// The concrete cycle, starting at the component's first app by name (not repeated at the end).
    pub path: Vec<String>,
    /// Every app of the component, by name.
    pub members: Vec<String>,
    /// The edges of the concrete cycle, in order.
    pub edges: Vec<CycleEdge>,
    /// The cycle written out: `a -> b -> c -> a`.
    pub text: String,
}

impl Cycle {
    /// The cycle as a diagnostic placed at its first edge's declaration.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::new("cycle", format!("cycle: {}", self.text)).with_hint(
            "remove one of these `depends_on` (or `parent`) links; every edge of the cycle is listed with where it was declared",
        );
        if let Some(edge) = self.edges.first() {
            d.app = Some(edge.to.clone());
            d.file = Some(edge.declared.file.clone());
            d.line = edge.declared.line;
            d.column = edge.declared.column;
            d.path = Some(edge.declared.path.clone());
        }
        d
    }
}

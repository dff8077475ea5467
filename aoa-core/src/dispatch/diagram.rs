//! The rollout graph as a diagram (`aoa graph`, the `graph` operation): every app, parent edges solid and
//! `depends_on` edges dashed, in Graphviz dot or a Mermaid flowchart.

use crate::api::Manifest;
use crate::error::{Error, Result};
use crate::suggest;
use std::io::Write;

/// A diagram language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diagram {
    /// Graphviz dot.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

impl Diagram {
    /// Every language by name.
    pub const ALL: [(&'static str, Diagram); 2] =
        [("dot", Diagram::Dot), ("mermaid", Diagram::Mermaid)];

    /// The language named `name` (`dot` or `mermaid`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for another name, with a did-you-mean hint.
    pub fn parse(name: &str) -> Result<Diagram> {
        Self::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, d)| *d)
            .ok_or_else(|| {
                let hint = suggest::did_you_mean(name, Self::ALL.map(|(n, _)| n))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                Error::InvalidArgument {
                    message: format!("unknown diagram `{name}`{hint}"),
                }
            })
    }
}

/// Writes the diagram of `manifest`'s rollout graph: apps sorted by name, then each app's incoming edges.
///
/// # Errors
///
/// The errors of `out`.
pub fn write_diagram(
    manifest: &Manifest,
    diagram: Diagram,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let m = manifest;
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    match diagram {
        Diagram::Dot => writeln!(out, "digraph aoa {{\n  rankdir=LR;")?,
        Diagram::Mermaid => writeln!(out, "flowchart LR")?,
    }
    for id in m.ids_by_name() {
        match diagram {
            Diagram::Dot => writeln!(out, "  {};", quote(m.name(id)))?,
            Diagram::Mermaid => writeln!(out, "  n{}[{}]", id.0, quote(m.name(id)))?,
        }
    }
    for id in m.ids_by_name() {
        for (i, pred) in m.predecessors(id).enumerate() {
            let is_parent = i == 0 && m.parent(id).is_some();
            let (from, to) = (quote(m.name(pred)), quote(m.name(id)));
            match (diagram, is_parent) {
                (Diagram::Dot, true) => writeln!(out, "  {from} -> {to};")?,
                (Diagram::Dot, false) => writeln!(out, "  {from} -> {to} [style=dashed];")?,
                (Diagram::Mermaid, true) => writeln!(out, "  n{} --> n{}", pred.0, id.0)?,
                (Diagram::Mermaid, false) => writeln!(out, "  n{} -.-> n{}", pred.0, id.0)?,
            }
        }
    }
    if diagram == Diagram::Dot {
        writeln!(out, "}}")?;
    }
    Ok(())
}

/// The diagram as text.
pub fn diagram(manifest: &Manifest, diagram: Diagram) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail, and every piece written is UTF-8.
    let _ = write_diagram(manifest, diagram, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

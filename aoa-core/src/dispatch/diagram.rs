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
            Diagram::Mermaid => writeln!(out, "  n{}[\"{}\"]", id.0, mermaid_text(m.name(id)))?,
        }
    }
    for id in m.ids_by_name() {
        for (i, pred) in m.predecessors(id).enumerate() {
            let is_parent = i == 0 && m.parent(id).is_some();
            match (diagram, is_parent) {
                (Diagram::Dot, true) => {
                    writeln!(out, "  {} -> {};", quote(m.name(pred)), quote(m.name(id)))?;
                }
                (Diagram::Dot, false) => writeln!(
                    out,
                    "  {} -> {} [style=dashed];",
                    quote(m.name(pred)),
                    quote(m.name(id))
                )?,
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

/// A name as the text of a quoted Mermaid label: letters, digits and `-_./:@+` as they are, every other
/// character as a Mermaid entity code (`#34;`), so that no name can end the label, start a Markdown string
/// or inject HTML, and the flowchart always parses.
fn mermaid_text(name: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() && !crate::diagnostic::needs_escape(c) || "-_./:@+".contains(c) {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}

/// The diagram as text.
pub fn diagram(manifest: &Manifest, diagram: Diagram) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail, and every piece written is UTF-8.
    let _ = write_diagram(manifest, diagram, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::mermaid_text;

    #[test]
    fn mermaid_labels_keep_plain_names_and_encode_the_rest() {
        assert_eq!(
            mermaid_text("team-3/pay_ments.v2:x@y+z"),
            "team-3/pay_ments.v2:x@y+z"
        );
        assert_eq!(mermaid_text("a\"b"), "a#34;b");
        assert_eq!(mermaid_text("`x`"), "#96;x#96;");
        assert_eq!(mermaid_text("<b>#[]"), "#60;b#62;#35;#91;#93;");
        assert_eq!(mermaid_text("é"), "é");
    }
}

//! The one error type of aoa-core; every binding maps each variant to its own error kind.

use crate::diagnostic::Diagnostic;
use crate::graph::Cycle;

/// Everything that can go wrong in aoa-core.
///
/// Each variant has a stable [`Error::code`]; the bindings map codes to their own error classes
/// (Python exception subclasses of `aoa.AoaError`, Node `err.code`, C status codes).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("cannot read `{path}`: {message}")]
    Io {
        /// The path that could not be read.
        path: String,
        /// What the operating system said.
        message: String,
    },
    /// A manifest file is not well-formed YAML or JSON.
    #[error("{}", summarize("syntax error", diagnostics))]
    Syntax {
        /// One diagnostic per unreadable file, with line and column.
        diagnostics: Vec<Diagnostic>,
    },
    /// A manifest was read but is not valid (unknown keys, duplicate names, unknown parents, ...).
    #[error("{}", summarize("invalid manifest", diagnostics))]
    Manifest {
        /// Every problem found (capped at [`crate::manifest::MAX_DIAGNOSTICS`]; the last one says how many were left out).
        diagnostics: Vec<Diagnostic>,
    },
    /// The rollout graph has cycles, so no order exists.
    #[error("{}", summarize_cycles(cycles))]
    Cycle {
        /// Every cycle-bearing strongly connected component, each with one concrete cycle.
        cycles: Vec<Cycle>,
    },
    /// The parameters or schemas of a manifest are not valid: malformed sections, schemas that do not
    /// parse or cannot be found, locked overrides, values that break their schema, stale schema pins.
    #[error("{}", summarize("invalid parameters", diagnostics))]
    Params {
        /// Every problem found, each placed at the app and value it is about.
        diagnostics: Vec<Diagnostic>,
    },
    /// A schema or schema registry handed to an operation cannot be used.
    #[error("{}", summarize("unusable schema", diagnostics))]
    Schema {
        /// Every problem found.
        diagnostics: Vec<Diagnostic>,
    },
    /// An operation named an app that the manifest does not have.
    #[error("unknown app `{name}`{}", hint.as_ref().map(|h| format!("; {h}")).unwrap_or_default())]
    UnknownApp {
        /// The name that was asked for.
        name: String,
        /// A did-you-mean hint, if a close name exists.
        hint: Option<String>,
    },
    /// An argument of an operation is not acceptable (for example `max_parallel` = 0).
    #[error("invalid argument: {message}")]
    InvalidArgument {
        /// What is wrong with it.
        message: String,
    },
}

impl Error {
    /// A stable identifier of the error kind, the same in every language.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Syntax { .. } => "syntax",
            Error::Manifest { .. } => "manifest",
            Error::Cycle { .. } => "cycle",
            Error::Params { .. } => "params",
            Error::Schema { .. } => "schema",
            Error::UnknownApp { .. } => "unknown-app",
            Error::InvalidArgument { .. } => "invalid-argument",
        }
    }

    /// The structured diagnostics of this error (one per problem; a single one for simple errors).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Syntax { diagnostics }
            | Error::Manifest { diagnostics }
            | Error::Params { diagnostics }
            | Error::Schema { diagnostics } => diagnostics.clone(),
            Error::Cycle { cycles } => cycles.iter().map(Cycle::to_diagnostic).collect(),
            Error::UnknownApp { name, hint } => {
                let mut d = Diagnostic::new("unknown-app", self.to_string()).with_app(name.clone());
                d.hint.clone_from(hint);
                vec![d]
            }
            Error::Io { path, .. } => {
                let mut d = Diagnostic::new("io", self.to_string());
                d.file = Some(path.clone());
                vec![d]
            }
            Error::InvalidArgument { .. } => {
                vec![Diagnostic::new("invalid-argument", self.to_string())]
            }
        }
    }
}

fn summarize(what: &str, diagnostics: &[Diagnostic]) -> String {
    match diagnostics {
        [] => what.to_string(),
        [only] => format!("{what}: {only}"),
        [first, rest @ ..] => format!("{what}: {first} (and {} more)", rest.len()),
    }
}

fn summarize_cycles(cycles: &[Cycle]) -> String {
    let shown: Vec<&str> = cycles.iter().take(3).map(|c| c.text.as_str()).collect();
    let more = cycles.len().saturating_sub(shown.len());
    let tail = if more > 0 {
        format!(" (and {more} more)")
    } else {
        String::new()
    };
    format!(
        "{} cycle(s) in the rollout graph: {}{tail}",
        cycles.len(),
        shown.join("; ")
    )
}

/// Result alias for aoa-core operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

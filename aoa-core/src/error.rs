//! The one error type of aoa-core; every binding maps each variant to its own error kind.

use crate::diagnostic::Cycle;
use crate::diagnostic::{Diagnostic, capped};

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
        /// Every problem found ([`Error::diagnostics`] lists at most [`crate::diagnostic::MAX_DIAGNOSTICS`], then how many more).
        diagnostics: Vec<Diagnostic>,
    },
    /// The rollout graph has cycles, so no order exists.
    #[error("{}", summarize_cycles(cycles))]
    Cycle {
        /// Every cycle-bearing strongly connected component, each with one concrete cycle.
        cycles: Vec<Cycle>,
    },
    /// The permission sections (`roles`, `grants`, `deny`, `ceiling`, `identity`) are not valid: unknown
    /// roles, malformed subjects or action patterns, wrong types.
    #[error("{}", summarize("invalid access sections", diagnostics))]
    InvalidAccess {
        /// Every problem found, each at its file, line and app.
        diagnostics: Vec<Diagnostic>,
    },
    /// A grant or an app identity asks for more than a ceiling at or above its app allows, or a role
    /// redefines an ancestor's role of the same name with more actions.
    #[error("{}", summarize("privilege escalation", diagnostics))]
    Escalation {
        /// One diagnostic per escalation, naming the app, the subject, the actions and both locations.
        diagnostics: Vec<Diagnostic>,
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
    /// A state store cannot be opened, read or written (a malformed store URL, an unreachable server, a file that
    /// is not a database, a read-only or full disk, a broken audit chain); nothing was half-written.
    #[error("store `{store}`: {message}")]
    Store {
        /// The store, as its URL without a password.
        store: String,
        /// What went wrong.
        message: String,
    },
    /// A state store was written by a newer aoa (its schema version is beyond what this one knows).
    #[error(
        "store `{store}` has schema version {found}, newer than this aoa's {supported}: upgrade aoa (stores are never downgraded)"
    )]
    StoreVersion {
        /// The store, as its URL without a password.
        store: String,
        /// The schema version the store has.
        found: i64,
        /// The newest schema version this aoa knows.
        supported: i64,
    },
    /// A lease of a state store is held by someone else, or was taken over (fenced) since it was acquired.
    #[error("store `{store}`: lease `{lease}` held by {holder} until {until}")]
    LeaseHeld {
        /// The store, as its URL without a password.
        store: String,
        /// The lease (`registry` for applies).
        lease: String,
        /// Who holds it.
        holder: String,
        /// When it expires (RFC 3339, UTC).
        until: String,
    },
    /// A registry apply would give apps permissions they did not have, and gains were not allowed.
    #[error(
        "{}",
        summarize("privilege gain refused (pass --allow-gain to accept)", diagnostics)
    )]
    GainRefused {
        /// One `privilege-gain` diagnostic per (subject, app, action) gained, as `aoa diff` lists them.
        diagnostics: Vec<Diagnostic>,
    },
    /// The subject of a rollout or rollback may not act on some of its apps: nothing ran.
    #[error("{}", summarize("permission denied (nothing ran)", diagnostics))]
    Denied {
        /// One `denied` diagnostic per app, whose message is the `aoa check --explain` text.
        diagnostics: Vec<Diagnostic>,
    },
}

impl Error {
    /// The stable kind of this error, the same in every language.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Io { .. } => ErrorCode::Io,
            Error::Syntax { .. } => ErrorCode::Syntax,
            Error::Manifest { .. } => ErrorCode::Manifest,
            Error::Cycle { .. } => ErrorCode::Cycle,
            Error::InvalidAccess { .. } => ErrorCode::InvalidAccess,
            Error::Escalation { .. } => ErrorCode::Escalation,
            Error::Params { .. } => ErrorCode::Params,
            Error::Schema { .. } => ErrorCode::Schema,
            Error::UnknownApp { .. } => ErrorCode::UnknownApp,
            Error::InvalidArgument { .. } => ErrorCode::InvalidArgument,
            Error::Store { .. } => ErrorCode::Store,
            Error::StoreVersion { .. } => ErrorCode::StoreVersion,
            Error::LeaseHeld { .. } => ErrorCode::LeaseHeld,
            Error::GainRefused { .. } => ErrorCode::GainRefused,
            Error::Denied { .. } => ErrorCode::Denied,
        }
    }

    /// The structured diagnostics of this error (one per problem; a single one for simple errors), at most
    /// [`crate::diagnostic::MAX_DIAGNOSTICS`] of them and then one `more-problems` line saying how many more,
    /// for every kind of error.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Syntax { diagnostics }
            | Error::Manifest { diagnostics }
            | Error::InvalidAccess { diagnostics }
            | Error::Escalation { diagnostics }
            | Error::Params { diagnostics }
            | Error::Schema { diagnostics }
            | Error::GainRefused { diagnostics }
            | Error::Denied { diagnostics } => capped(diagnostics.iter().cloned()),
            Error::Cycle { cycles } => capped(cycles.iter().map(Cycle::to_diagnostic)),
            Error::UnknownApp { name, hint } => {
                let mut d = Diagnostic::new(ErrorCode::UnknownApp.as_str(), self.to_string())
                    .with_app(name.clone());
                d.hint.clone_from(hint);
                vec![d]
            }
            Error::Io { path, .. } => {
                let mut d = Diagnostic::new(ErrorCode::Io.as_str(), self.to_string());
                d.file = Some(path.clone());
                vec![d]
            }
            Error::InvalidArgument { .. }
            | Error::Store { .. }
            | Error::StoreVersion { .. }
            | Error::LeaseHeld { .. } => {
                vec![Diagnostic::new(self.code().as_str(), self.to_string())]
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

/// The kind of an [`Error`], without its details: the one registry every binding maps, each with one
/// exhaustive `match` (Python exception classes, Node `err.code`, C statuses, Kotlin exceptions).
///
/// ```
/// use aoa_core::ErrorCode;
/// assert_eq!(ErrorCode::UnknownApp.as_str(), "unknown-app");
/// assert_eq!(ErrorCode::parse("unknown-app"), Some(ErrorCode::UnknownApp));
/// assert_eq!(ErrorCode::ALL.len(), 15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// `io`: a file or directory could not be read ([`Error::Io`]).
    Io,
    /// `syntax`: a manifest file is not well-formed ([`Error::Syntax`]).
    Syntax,
    /// `manifest`: a manifest is not valid ([`Error::Manifest`]).
    Manifest,
    /// `cycle`: the rollout graph has cycles ([`Error::Cycle`]).
    Cycle,
    /// `invalid-access`: the permission sections are not valid ([`Error::InvalidAccess`]).
    InvalidAccess,
    /// `escalation`: something asks for more than a ceiling allows ([`Error::Escalation`]).
    Escalation,
    /// `params`: the parameters or schemas are not valid ([`Error::Params`]).
    Params,
    /// `schema`: a schema or registry handed to an operation cannot be used ([`Error::Schema`]).
    Schema,
    /// `unknown-app`: an operation named an app the manifest does not have ([`Error::UnknownApp`]).
    UnknownApp,
    /// `invalid-argument`: an argument of an operation is not acceptable ([`Error::InvalidArgument`]).
    InvalidArgument,
    /// `store`: a state store cannot be opened, read or written ([`Error::Store`]).
    Store,
    /// `store-version`: a state store was written by a newer aoa ([`Error::StoreVersion`]).
    StoreVersion,
    /// `lease-held`: a store lease is held by someone else or was taken over ([`Error::LeaseHeld`]).
    LeaseHeld,
    /// `gain-refused`: a registry apply would grant new permissions ([`Error::GainRefused`]).
    GainRefused,
    /// `denied`: a rollout's subject may not act on some of its apps ([`Error::Denied`]).
    Denied,
}

impl ErrorCode {
    /// Every error code, in declaration order.
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::Io,
        ErrorCode::Syntax,
        ErrorCode::Manifest,
        ErrorCode::Cycle,
        ErrorCode::InvalidAccess,
        ErrorCode::Escalation,
        ErrorCode::Params,
        ErrorCode::Schema,
        ErrorCode::UnknownApp,
        ErrorCode::InvalidArgument,
        ErrorCode::Store,
        ErrorCode::StoreVersion,
        ErrorCode::LeaseHeld,
        ErrorCode::GainRefused,
        ErrorCode::Denied,
    ];

    /// The stable kebab-case spelling (`unknown-app`), the same in every language.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Io => "io",
            ErrorCode::Syntax => "syntax",
            ErrorCode::Manifest => "manifest",
            ErrorCode::Cycle => "cycle",
            ErrorCode::InvalidAccess => "invalid-access",
            ErrorCode::Escalation => "escalation",
            ErrorCode::Params => "params",
            ErrorCode::Schema => "schema",
            ErrorCode::UnknownApp => "unknown-app",
            ErrorCode::InvalidArgument => "invalid-argument",
            ErrorCode::Store => "store",
            ErrorCode::StoreVersion => "store-version",
            ErrorCode::LeaseHeld => "lease-held",
            ErrorCode::GainRefused => "gain-refused",
            ErrorCode::Denied => "denied",
        }
    }

    /// The code spelled `text`, if there is one.
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Result alias for aoa-core operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use crate::diagnostic::CODES;

    #[test]
    fn error_codes_round_trip_and_every_diagnostic_code_names_one() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        for c in CODES {
            assert!(
                ErrorCode::parse(c.error).is_some(),
                "{}: {}",
                c.name,
                c.error
            );
        }
    }
}

//! Diagnostics: one finding about a manifest, with where it was found and what to do; the cycle report
//! types; the table of every diagnostic code.

mod codes;
mod cycle;
mod excerpt;

pub use codes::{CODES, Code, is_code};
pub use cycle::{Cycle, CycleEdge, EdgeKind};
pub use excerpt::{EXCERPT_CHARS, excerpt};

use serde::Serialize;
use std::fmt;

/// Where something was declared in a manifest: the file, the JSON pointer inside it and, when the text is
/// known, the 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Location {
    /// The file, as the caller named it (`<string>` for text handed in directly, `<records>` for records).
    pub file: String,
    /// The JSON pointer inside the file (for example `/apps/3/parent`).
    pub path: String,
    /// 1-based line, when the text is known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when the text is known.
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{}:{line}:{column}", self.file),
            _ => write!(f, "{} at {}", self.file, self.path),
        }
    }
}

/// One finding about a manifest: what is wrong, where, for which app, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Diagnostic {
    /// A stable, kebab-case code for the kind of finding (for example `unknown-parent`).
    pub code: &'static str,
    /// What is wrong, in one line.
    pub message: String,
    /// The file the finding is in, if known.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column, if known.
    pub column: Option<usize>,
    /// The JSON pointer of the offending value inside its file (for example `/apps/3/parent`).
    pub path: Option<String>,
    /// The app the finding is about, if any.
    pub app: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with a code (one of [`CODES`]) and a message and nothing else filled in.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(
            is_code(code),
            "diagnostic code `{code}` is not in the CODES table"
        );
        Diagnostic {
            code,
            message: message.into(),
            file: None,
            line: None,
            column: None,
            path: None,
            app: None,
            hint: None,
        }
    }

    /// Names the app the finding is about.
    pub fn with_app(mut self, app: impl Into<String>) -> Self {
        self.app = Some(app.into());
        self
    }

    /// Adds a hint saying what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Records the JSON pointer of the offending value.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Records the file (and the line and column, when known) of the offending value.
    pub fn at(mut self, file: &str, position: Option<(usize, usize)>) -> Self {
        self.file = Some(file.to_string());
        if let Some((line, column)) = position {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    /// Places the diagnostic at a declaration: its file, pointer, line and column.
    pub fn located(mut self, location: Location) -> Self {
        self.file = Some(location.file);
        self.path = Some(location.path);
        self.line = location.line;
        self.column = location.column;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let (Some(line), Some(column)) = (self.line, self.column) {
                write!(f, ":{line}:{column}")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(app) = &self.app {
            write!(f, " (app `{app}`)")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

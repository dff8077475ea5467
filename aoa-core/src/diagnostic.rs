//! Diagnostics: one finding about a manifest, with where it was found and what to do.

use serde::Serialize;
use std::fmt;

/// A position in a manifest file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file the position is in, as the caller named it (`<string>` for text handed in directly).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One finding about a manifest: what is wrong, where, for which app, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// A diagnostic with a code and a message and nothing else filled in.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
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

    /// Records the file (and the position, when known) of the offending value.
    pub fn at(mut self, file: &str, location: Option<Location>) -> Self {
        self.file = Some(file.to_string());
        if let Some(loc) = location {
            self.line = Some(loc.line);
            self.column = Some(loc.column);
        }
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

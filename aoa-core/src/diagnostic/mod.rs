//! Diagnostics: one finding about a manifest, with where it was found and what to do; the cycle report
//! types; the table of every diagnostic code.

mod codes;
mod cycle;
mod excerpt;

pub use codes::{CODES, Code, is_code};
pub use cycle::{Cycle, CycleEdge, EdgeKind};
pub use excerpt::{EXCERPT_CHARS, escaped, excerpt, is_invisible, needs_escape};

use serde::Serialize;
use std::fmt;

/// At most this many problems are listed in one error; a final `more-problems` line says how many more
/// were found (see [`capped`]).
pub const MAX_DIAGNOSTICS: usize = 200;

/// The first [`MAX_DIAGNOSTICS`] problems of `list`, then one `more-problems` line saying how many were
/// left out (a `more-problems` line already in `list` adds the number it names). Every error's list of
/// diagnostics goes through it, so the cap and its final line are the same for every kind of problem.
pub fn capped(list: impl IntoIterator<Item = Diagnostic>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut hidden = 0;
    for d in list {
        if d.code == "more-problems" {
            hidden += d.problem_count();
        } else if out.len() < MAX_DIAGNOSTICS {
            out.push(d);
        } else {
            hidden += 1;
        }
    }
    if hidden > 0 {
        out.push(more_problems(hidden));
    }
    out
}

/// The last line of a capped list: `N more problems not shown`.
pub fn more_problems(hidden: usize) -> Diagnostic {
    Diagnostic::new("more-problems", format!("{hidden} more problems not shown"))
        .with_hint("fix the problems shown and run again to see the rest")
}

/// A character for a message: itself in backticks when it is visible, else its code point (`U+202E`), so
/// that no control or invisible character of the input reaches a terminal and no Rust escape syntax
/// reaches a reader.
pub fn describe_char(c: char) -> String {
    if needs_escape(c) || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}`")
    }
}

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
            // The empty pointer is the whole document: the file alone says it.
            _ if self.path.is_empty() => write!(f, "{}", self.file),
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

    /// How many problems this diagnostic stands for: the number a `more-problems` line names, else one.
    pub fn problem_count(&self) -> usize {
        if self.code == "more-problems" {
            self.message
                .split(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(1)
        } else {
            1
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

/// For people: `file:line:column: message (app `x`); hint: ...`, every piece escaped ([`escaped`]) so that
/// no control or invisible character of the input reaches a terminal.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", escaped(file))?;
            if let (Some(line), Some(column)) = (self.line, self.column) {
                write!(f, ":{line}:{column}")?;
            } else if let Some(path) = self.path.as_deref().filter(|p| !p.is_empty()) {
                write!(f, " at {}", escaped(path))?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", escaped(&self.message))?;
        if let Some(app) = &self.app {
            write!(f, " (app `{}`)", escaped(app))?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; hint: {}", escaped(hint))?;
        }
        Ok(())
    }
}

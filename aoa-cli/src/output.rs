//! Rendering results and errors for people (text) or scripts (JSON), and the exit-code convention.

use aoa_core::{Diagnostic, Error};
use serde::Serialize;
use std::io::{BufWriter, Write};

/// How results are printed.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutputFormat {
    /// For people.
    Text,
    /// For scripts: one JSON document on stdout.
    Json,
}

/// The process exit code.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Exit {
    /// Success.
    Ok = 0,
    /// The manifest was read and has problems (or a check was denied).
    Findings = 1,
    /// The command could not run.
    Input = 2,
}

/// The exit code an error calls for.
pub(crate) fn exit_for(error: &Error) -> Exit {
    match error {
        Error::Manifest { .. }
        | Error::Cycle { .. }
        | Error::Params { .. }
        | Error::InvalidAccess { .. }
        | Error::Escalation { .. }
        | Error::GainRefused { .. } => Exit::Findings,
        Error::Denied { .. } => Exit::Input,
        Error::Io { .. }
        | Error::Schema { .. }
        | Error::Syntax { .. }
        | Error::UnknownApp { .. }
        | Error::InvalidArgument { .. }
        | Error::Store { .. }
        | Error::StoreVersion { .. }
        | Error::LeaseHeld { .. } => Exit::Input,
    }
}

/// The JSON shape of an error: `{"error": {"code", "message", "diagnostics": [...]}}`.
#[derive(Serialize)]
pub(crate) struct ErrorBody<'a> {
    code: &'a str,
    message: String,
    diagnostics: Vec<Diagnostic>,
}

/// Prints an error (to stdout as JSON, or to stderr as text) and returns its exit code.
pub(crate) fn report_error(error: &Error, format: OutputFormat) -> Exit {
    let diagnostics = error.diagnostics();
    match format {
        OutputFormat::Json => {
            let body = ErrorBody {
                code: error.code().as_str(),
                message: error.to_string(),
                diagnostics,
            };
            print_json(&serde_json::json!({ "error": body }));
        }
        OutputFormat::Text => {
            let mut err = Escaping(std::io::stderr().lock());
            let _ = writeln!(err, "error: {}", headline(error));
            for d in &diagnostics {
                let _ = write_diagnostic(&mut err, d);
            }
        }
    }
    exit_for(error)
}

fn headline(error: &Error) -> String {
    // Every problem found, also those past the cap that the `more-problems` line counts.
    let n: usize = error
        .diagnostics()
        .iter()
        .map(Diagnostic::problem_count)
        .sum();
    match error {
        Error::Manifest { .. } => format!("the manifest has {n} problem(s)"),
        Error::Syntax { .. } => "the manifest cannot be parsed".into(),
        Error::InvalidAccess { .. } => format!("the access sections have {n} problem(s)"),
        Error::Escalation { .. } => {
            format!("{n} privilege escalation(s): grants wider than a ceiling")
        }
        Error::Params { .. } => format!("the manifest parameters have {n} problem(s)"),
        Error::Cycle { .. } => format!("the rollout graph has {n} cycle(s), so no order exists"),
        other => other.to_string(),
    }
}

/// Writes one diagnostic for people: `file:line:col: message (app `x`)` and an indented hint.
pub(crate) fn write_diagnostic(out: &mut impl Write, d: &Diagnostic) -> std::io::Result<()> {
    let mut place = d.file.clone().unwrap_or_default();
    if let (Some(line), Some(column)) = (d.line, d.column) {
        place = format!("{place}:{line}:{column}");
    } else if let Some(path) = d
        .path
        .as_ref()
        .filter(|p| !place.is_empty() && !p.is_empty())
    {
        place = format!("{place} at {path}");
    }
    let app = d
        .app
        .as_ref()
        .map(|a| format!(" (app `{a}`)"))
        .unwrap_or_default();
    if place.is_empty() {
        writeln!(out, "  {}{app} [{}]", d.message, d.code)?;
    } else {
        writeln!(out, "  {place}: {}{app} [{}]", d.message, d.code)?;
    }
    if let Some(hint) = &d.hint {
        writeln!(out, "    hint: {hint}")?;
    }
    Ok(())
}

/// A writer for people: every piece written is text, and control and invisible formatting characters in
/// it (a terminal escape sequence in an app name, a bidirectional override) are written as `\u{1b}`, line
/// breaks excepted. Every name from the input reaches the terminal through it.
pub(crate) struct Escaping<W: Write>(pub(crate) W);

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // `write!` hands over whole `str` pieces, so a piece is valid UTF-8; anything else is written lossily.
        let text = String::from_utf8_lossy(buf);
        let mut lines = text.split('\n');
        if let Some(first) = lines.next() {
            self.0.write_all(aoa_core::escaped(first).as_bytes())?;
        }
        for line in lines {
            self.0.write_all(b"\n")?;
            self.0.write_all(aoa_core::escaped(line).as_bytes())?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Standard output for text meant for people, buffered and escaped ([`Escaping`]).
pub(crate) fn text_out() -> Escaping<BufWriter<std::io::StdoutLock<'static>>> {
    Escaping(BufWriter::new(std::io::stdout().lock()))
}

/// Prints a value as one JSON document on stdout.
pub(crate) fn print_json<T: Serialize>(value: &T) {
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let _ = serde_json::to_writer(&mut out, value);
    let _ = writeln!(out);
    let _ = out.flush();
}

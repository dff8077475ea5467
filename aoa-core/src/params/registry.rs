//! The schema registry of a manifest: the schema files of its registry directory parsed into a
//! [`Registry`], each unusable version or mode one diagnostic.

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::schema::{CompatibilityMode, Registry};
use crate::source::{MODE_FILE, RegistryListing, read_registry};
use std::path::Path;

/// Builds the registry of a registry directory; every unusable version or mode is one diagnostic.
pub fn load_registry(dir: &Path) -> Result<Registry, RegistryProblems> {
    let RegistryListing { files, modes } = read_registry(dir).map_err(RegistryProblems::Io)?;
    let triples = files
        .iter()
        .map(|f| (f.subject.as_str(), f.version.as_str(), f.text.as_str()));
    let place = |subject: &str| {
        let mut d = Diagnostic::new("registry", "");
        d.file = Some(dir.join(subject).display().to_string());
        d
    };
    let (mut registry, mut problems) = match Registry::from_versions(triples) {
        Ok(registry) => (registry, Vec::new()),
        Err(errors) => (
            Registry::new(),
            errors
                .iter()
                .map(|e| {
                    let mut d = place(error_subject(e));
                    d.message = e.to_string();
                    d.with_hint("store each version of a subject as `schemas/<subject>/<n>.avsc`, numbered from 1, each a valid avro schema")
                })
                .collect(),
        ),
    };
    for (subject, mode) in modes {
        match mode.parse::<CompatibilityMode>() {
            Ok(mode) => registry.set_mode(&subject, mode),
            Err(e) => {
                let mut d = place(&subject);
                d.message = e.to_string();
                problems.push(d.with_hint(format!("write one mode name in `{MODE_FILE}`")));
            }
        }
    }
    if problems.is_empty() {
        Ok(registry)
    } else {
        Err(RegistryProblems::Invalid(problems))
    }
}

/// Why a registry directory could not be loaded.
#[derive(Debug)]
pub enum RegistryProblems {
    /// It could not be read.
    Io(Error),
    /// Versions or modes in it are not usable.
    Invalid(Vec<Diagnostic>),
}

fn error_subject(error: &crate::schema::RegistryError) -> &str {
    use crate::schema::RegistryError as E;
    match error {
        E::BadVersion { subject, .. }
        | E::DuplicateVersion { subject, .. }
        | E::VersionGap { subject, .. }
        | E::Schema { subject, .. }
        | E::UnknownSubject { subject }
        | E::UnknownVersion { subject, .. } => subject,
        E::BadMode { .. } | E::BadReference { .. } | E::Incompatible { .. } => "",
    }
}

//! The schema registry of a manifest: the schema files of its registry directory parsed into a
//! [`Registry`], each unusable version or mode one diagnostic.

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::schema::{CompatibilityMode, Registry};
use crate::source::{Confinement, LoadOptions, MODE_FILE, RegistryListing, read_registry};
use std::path::Path;

/// Builds the registry of a registry directory named directly (its files must resolve inside it), under
/// the default [`LoadOptions`]; every unusable version or mode is one diagnostic.
///
/// # Errors
/// The errors of [`load_registry_in`].
pub fn load_registry(dir: &Path) -> Result<Registry, RegistryProblems> {
    if !dir.is_dir() {
        return Ok(Registry::new());
    }
    let confinement = Confinement::of_registry(dir).map_err(RegistryProblems::Io)?;
    load_registry_in(dir, &confinement, &LoadOptions::default())
}

/// Builds the registry of the registry directory `dir` of a manifest whose tree is `confinement`; every
/// unusable version or mode, and every entry leading outside the tree, is one diagnostic.
///
/// # Errors
/// [`RegistryProblems::Io`] when a file cannot be read ([`read_registry`]); [`RegistryProblems::Invalid`]
/// with every problem otherwise.
pub fn load_registry_in(
    dir: &Path,
    confinement: &Confinement,
    options: &LoadOptions,
) -> Result<Registry, RegistryProblems> {
    let RegistryListing {
        files,
        modes,
        outside,
    } = read_registry(dir, confinement, options).map_err(RegistryProblems::Io)?;
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
    for (file, how) in outside {
        let mut d = Diagnostic::new("file-outside-manifest", how).with_hint(
            "keep the registry's subject directories and files inside the manifest's directory (copy them in)",
        );
        d.file = Some(file);
        problems.push(d);
    }
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

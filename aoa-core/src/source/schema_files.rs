//! Reading schema files: the registry layout `schemas/<subject>/<version>.avsc` next to a manifest, and
//! schema files that apps reference by path. Parsing them is the params layer's work.

use super::files::{Confinement, FileKind, LoadOptions, Refusal, read_file, read_resolved};
use super::io_error;
use crate::error::Result;
use std::path::{Path, PathBuf};

/// The name of the registry directory next to a manifest.
pub const REGISTRY_DIR: &str = "schemas";

/// The file of a subject that may hold its compatibility mode (for example `FULL`).
pub const MODE_FILE: &str = "compatibility";

/// One stored schema version of a registry directory.
#[derive(Debug, Clone)]
pub struct RegistryFile {
    /// The subject (the directory name).
    pub subject: String,
    /// The version as named by the file (`2.avsc`).
    pub version: String,
    /// The file, for messages.
    pub path: String,
    /// The schema text.
    pub text: String,
}

/// The registry directory of a manifest path: `schemas/` inside a manifest directory or next to a
/// manifest file.
pub fn registry_dir(manifest: &Path) -> PathBuf {
    if manifest.is_dir() {
        manifest.join(REGISTRY_DIR)
    } else {
        manifest
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join(REGISTRY_DIR)
    }
}

/// The contents of a registry directory.
#[derive(Debug, Clone, Default)]
pub struct RegistryListing {
    /// Every stored version, sorted by subject and file name.
    pub files: Vec<RegistryFile>,
    /// Subject and mode name of each `compatibility` file.
    pub modes: Vec<(String, String)>,
    /// Entries that resolve outside the tree, not read: each path as listed and how it leads outside.
    pub outside: Vec<(String, String)>,
}

/// Reads every `<subject>/<version>.avsc` of a registry directory (sorted), and each subject's
/// optional `compatibility` file; a missing directory is an empty registry.
///
/// The directory, its subject directories and its files must resolve inside `confinement` (one that does
/// not is listed in [`RegistryListing::outside`] and neither listed nor read); each file is read by
/// [`read_file`] under the schema file limit of `options`. Other entries are ignored, as are dangling links.
///
/// # Errors
/// [`Error::Io`] when a directory or file cannot be read, or a version or `compatibility` file is not a
/// regular file or is too large.
pub fn read_registry(
    dir: &Path,
    confinement: &Confinement,
    options: &LoadOptions,
) -> Result<RegistryListing> {
    let mut listing = RegistryListing::default();
    if !dir.is_dir() || !inside(confinement, dir, &mut listing)? {
        return Ok(listing);
    }
    for subject_dir in sorted_entries(dir)? {
        if !subject_dir.is_dir() || !inside(confinement, &subject_dir, &mut listing)? {
            continue;
        }
        let subject = file_name(&subject_dir);
        for file in sorted_entries(&subject_dir)? {
            let name = file_name(&file);
            if name != MODE_FILE && !name.ends_with(".avsc") {
                continue;
            }
            let Some(resolved) = resolve(confinement, &file, &mut listing)? else {
                continue;
            };
            let text = read_resolved(&resolved, &file, FileKind::Schema, options)?;
            if name == MODE_FILE {
                listing
                    .modes
                    .push((subject.clone(), text.trim().to_string()));
            } else {
                listing.files.push(RegistryFile {
                    subject: subject.clone(),
                    version: name,
                    path: file.display().to_string(),
                    text,
                });
            }
        }
    }
    Ok(listing)
}

/// Whether the directory `path` resolves inside `confinement` (else it is recorded as outside).
fn inside(confinement: &Confinement, path: &Path, listing: &mut RegistryListing) -> Result<bool> {
    Ok(resolve(confinement, path, listing)?.is_some())
}

/// The resolved `path`, or `None` when it is a dangling link or leads outside (recorded in `listing`).
fn resolve(
    confinement: &Confinement,
    path: &Path,
    listing: &mut RegistryListing,
) -> Result<Option<PathBuf>> {
    match confinement.entry(path) {
        Ok(resolved) => Ok(Some(resolved)),
        Err(Refusal::Missing(_)) => Ok(None),
        Err(Refusal::Io(e)) => Err(e),
        Err(Refusal::Outside(how)) => {
            listing.outside.push((
                path.display().to_string(),
                format!("registry entry `{}` {how}", path.display()),
            ));
            Ok(None)
        }
    }
}

/// Reads a schema file named directly (as `aoa schema fingerprint FILE` does): any path, but a regular file
/// under the default schema file limit.
///
/// # Errors
/// The errors of [`read_file`].
pub fn read_schema_file(path: &Path) -> Result<String> {
    read_file(path, FileKind::Schema, &LoadOptions::default())
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        entries.push(entry.map_err(|e| io_error(dir, e))?.path());
    }
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

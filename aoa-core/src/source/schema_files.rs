//! Reading schema files: the registry layout `schemas/<subject>/<version>.avsc` next to a manifest, and
//! schema files that apps reference by path. Parsing them is the params layer's work.

use crate::error::{Error, Result};
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
}

/// Reads every `<subject>/<version>.avsc` of a registry directory (sorted), and each subject's
/// optional `compatibility` file; a missing directory is an empty registry.
pub fn read_registry(dir: &Path) -> Result<RegistryListing> {
    let mut listing = RegistryListing::default();
    let RegistryListing { files, modes } = &mut listing;
    if !dir.is_dir() {
        return Ok(listing);
    }
    for subject_dir in sorted_entries(dir)? {
        if !subject_dir.is_dir() {
            continue;
        }
        let subject = file_name(&subject_dir);
        for file in sorted_entries(&subject_dir)? {
            let name = file_name(&file);
            if name == MODE_FILE {
                modes.push((subject.clone(), read_text(&file)?.trim().to_string()));
            } else if file.is_file() && name.ends_with(".avsc") {
                files.push(RegistryFile {
                    subject: subject.clone(),
                    version: name,
                    path: file.display().to_string(),
                    text: read_text(&file)?,
                });
            }
        }
    }
    Ok(listing)
}

/// Reads a schema file.
pub fn read_schema_file(path: &Path) -> Result<String> {
    read_text(path)
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| io_error(path, e))
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

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

//! Manifest sources: the texts a manifest is read from, their formats, and how to locate a JSON pointer in them.
//!
//! The core does no I/O of its own except [`read_path`], which reads exactly the file or directory its caller names.

mod json_locate;
mod locator;
mod schema_files;
mod yaml;

pub use locator::Locator;
pub use schema_files::{
    MODE_FILE, REGISTRY_DIR, RegistryFile, RegistryListing, read_registry, read_schema_file,
    registry_dir,
};
pub(crate) use yaml::parse_yaml;

use crate::error::{Error, Result};
use std::path::Path;

/// The format of a manifest text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON (RFC 8259).
    Json,
    /// YAML 1.2 (a superset of JSON).
    Yaml,
}

impl Format {
    /// The format a file name implies by its extension (`.json`, `.yaml`, `.yml`), if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    /// Parses a format name as the bindings and the CLI spell it (`json`, `yaml`, `yml`).
    pub fn parse(name: &str) -> Result<Format> {
        match name.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "yaml" | "yml" => Ok(Format::Yaml),
            other => Err(Error::InvalidArgument {
                message: format!("unknown format `{other}`; use `yaml` or `json`"),
            }),
        }
    }
}

/// One manifest text with the name it is reported under.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// The name diagnostics use for this text (a file path, or `<string>`).
    pub origin: String,
    /// The text itself.
    pub text: String,
    /// How to parse it.
    pub format: Format,
}

/// Reads a manifest file, or every `*.yaml`, `*.yml` and `*.json` file directly inside a directory
/// (sorted by file name, so the result does not depend on the directory's listing order).
pub fn read_path(path: &Path) -> Result<Vec<SourceText>> {
    let io_error = |p: &Path, e: std::io::Error| Error::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    let files: Vec<std::path::PathBuf> = if meta.is_dir() {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(path).map_err(|e| io_error(path, e))? {
            let entry_path = entry.map_err(|e| io_error(path, e))?.path();
            if entry_path.is_file() && Format::from_path(&entry_path).is_some() {
                found.push(entry_path);
            }
        }
        found.sort();
        if found.is_empty() {
            return Err(Error::Io {
                path: path.display().to_string(),
                message: "the directory holds no `.yaml`, `.yml` or `.json` file".into(),
            });
        }
        found
    } else {
        vec![path.to_path_buf()]
    };
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).map_err(|e| io_error(&file, e))?;
            Ok(SourceText {
                origin: file.display().to_string(),
                format: Format::from_path(&file).unwrap_or(Format::Yaml),
                text,
            })
        })
        .collect()
}

/// Escapes one JSON-pointer token (`~` becomes `~0`, `/` becomes `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

//! Manifest sources: the texts a manifest is read from, their formats, and how to locate a JSON pointer in them.
//!
//! The core does no I/O of its own except here: [`read_path`] reads the file or directory its caller names,
//! [`read_registry`] the registry inside a manifest's directory tree, and the params layer the schema files
//! apps name, once [`Confinement::reference`] has placed them inside that tree; every read goes through
//! [`read_file`] (regular files only, each under a limit of [`LoadOptions`]).

mod files;
mod json_locate;
mod json_strict;
mod locator;
mod schema_files;
mod tree;
mod yaml;

pub(crate) use files::read_resolved;
pub use files::{
    Confinement, DEFAULT_MAX_MANIFEST_FILE_BYTES, DEFAULT_MAX_SCHEMA_FILE_BYTES, FileKind,
    LoadOptions, Refusal, read_file,
};
pub(crate) use json_strict::{StrictValue, line_column, strict_json, syntax_error};
pub use locator::Locator;
pub use schema_files::{
    MODE_FILE, REGISTRY_DIR, RegistryFile, RegistryListing, read_registry, read_schema_file,
    registry_dir,
};
pub use tree::{MAX_TREE_FILES, TreeFile, read_tree};
pub(crate) use yaml::parse_yaml;
pub use yaml::{
    MAX_YAML_DEPTH, MIN_ALIAS_EXPANSION_BYTES, YamlDocument, parse_yaml_documents,
    parse_yaml_documents_to_depth,
};

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

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
/// (sorted by file name, so the result does not depend on the directory's listing order), under the default
/// [`LoadOptions`].
///
/// # Errors
/// The errors of [`read_path_with`].
pub fn read_path(path: &Path) -> Result<Vec<SourceText>> {
    read_path_with(path, &LoadOptions::default())
}

/// [`read_path`] under `options`. The file named directly is trusted (it may be a link to anywhere); the
/// files of a directory must resolve inside it.
///
/// # Errors
/// [`Error::Io`] when a file cannot be read, is not a regular file (a directory, FIFO, socket or device with
/// a manifest's extension included) or is larger than `options.max_manifest_file_bytes`, when an entry of
/// the directory is a symbolic link leading outside it, or when the directory holds no manifest file.
pub fn read_path_with(path: &Path, options: &LoadOptions) -> Result<Vec<SourceText>> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    let files = if meta.is_dir() {
        directory_files(path)?
    } else {
        vec![(path.to_path_buf(), path.to_path_buf())]
    };
    files
        .into_iter()
        .map(|(shown, resolved)| {
            let text = files::read_resolved(&resolved, &shown, FileKind::Manifest, options)?;
            Ok(SourceText {
                origin: shown.display().to_string(),
                format: Format::from_path(&shown).unwrap_or(Format::Yaml),
                text,
            })
        })
        .collect()
}

/// The manifest files directly inside the directory `path`, sorted, each as (path as listed, resolved
/// path); dangling links are skipped, entries leading outside the directory refused.
fn directory_files(path: &Path) -> Result<Vec<(PathBuf, PathBuf)>> {
    let confinement = Confinement::of_manifest(path)?;
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| io_error(path, e))? {
        let entry_path = entry.map_err(|e| io_error(path, e))?.path();
        if Format::from_path(&entry_path).is_some() {
            entries.push(entry_path);
        }
    }
    entries.sort();
    let mut found = Vec::with_capacity(entries.len());
    for entry in entries {
        match confinement.entry(&entry) {
            Ok(resolved) => found.push((entry, resolved)),
            // A dangling link (an editor's lock file) is not a manifest file.
            Err(Refusal::Missing(_)) => {}
            Err(Refusal::Io(e)) => return Err(e),
            Err(Refusal::Outside(how)) => {
                return Err(Error::Io {
                    path: entry.display().to_string(),
                    message: format!(
                        "this entry of a manifest directory {how}; name the file directly, or copy it into the directory"
                    ),
                });
            }
        }
    }
    if found.is_empty() {
        return Err(Error::Io {
            path: path.display().to_string(),
            message: "the directory holds no `.yaml`, `.yml` or `.json` file".into(),
        });
    }
    Ok(found)
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Escapes one JSON-pointer token (`~` becomes `~0`, `/` becomes `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The deepest nesting of a value handed in as records or operation arguments (as for JSON and YAML text).
pub const MAX_VALUE_NESTING: usize = 128;

/// Whether `value` nests lists and mappings deeper than `max` levels; iterative, so any depth is safe.
pub fn nests_deeper_than(value: &serde_json::Value, max: usize) -> bool {
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &serde_json::Value>> = match value {
            serde_json::Value::Array(items) => Box::new(items.iter()),
            serde_json::Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth >= max {
            return true;
        }
        stack.extend(children.map(|child| (child, depth + 1)));
    }
    false
}

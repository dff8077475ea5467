//! Reading a directory tree of YAML files (an Argo CD repository): every `*.yaml` and `*.yml` file at any
//! depth, confined to the directory named (entries resolving outside it are skipped and reported), regular
//! files only, each under the manifest file limit of [`LoadOptions`].

use super::files::{FileKind, LoadOptions, Refusal, read_resolved};
use super::{Confinement, Format};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The most files one tree may hold (a guard against pointing aoa at `/`).
pub const MAX_TREE_FILES: usize = 1_000_000;

/// One file of a tree: its path relative to the tree's root (`/`-separated), and its text, or why it was
/// not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    /// The path relative to the root, with `/` separators (`argoproj/base/dex.yaml`).
    pub relative: String,
    /// The path as shown in findings (the root as named, joined with `relative`).
    pub shown: String,
    /// The text, or the reason it could not be read (too large, not UTF-8, not a regular file, outside).
    pub text: std::result::Result<String, String>,
}

/// The YAML files of the tree `root` (sorted by relative path), and the relative paths of its
/// directories (sorted). Hidden entries (`.git`) are not visited.
///
/// # Errors
/// [`Error::Io`] when `root` is not a readable directory, or holds more than [`MAX_TREE_FILES`] files.
pub fn read_tree(root: &Path, options: &LoadOptions) -> Result<(Vec<TreeFile>, Vec<String>)> {
    let meta = std::fs::metadata(root).map_err(|e| io(root, &e.to_string()))?;
    if !meta.is_dir() {
        return Err(io(root, "not a directory; name the repository's directory"));
    }
    let confinement = Confinement::of_manifest(root)?;
    let mut files = Vec::new();
    let mut dirs = vec![String::new()];
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, relative)) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| io(&dir, &e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let Some(name) = entry
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let child = if relative.is_empty() {
                name.clone()
            } else {
                format!("{relative}/{name}")
            };
            let kind = std::fs::symlink_metadata(&entry).map(|m| m.file_type());
            let is_link = kind.as_ref().is_ok_and(std::fs::FileType::is_symlink);
            if entry.is_dir() {
                // A linked directory is not followed: the tree stays the tree on disk (no loops).
                if !is_link {
                    dirs.push(child.clone());
                    stack.push((entry, child));
                }
                continue;
            }
            if Format::from_path(&entry) != Some(Format::Yaml) {
                continue;
            }
            if files.len() >= MAX_TREE_FILES {
                return Err(io(root, &format!("more than {MAX_TREE_FILES} YAML files")));
            }
            let shown = entry.display().to_string();
            let text = match confinement.entry(&entry) {
                Ok(resolved) => read_resolved(&resolved, &entry, FileKind::Manifest, options)
                    .map_err(|e| reason(&e)),
                Err(Refusal::Missing(_)) => continue,
                Err(Refusal::Io(e)) => Err(reason(&e)),
                Err(Refusal::Outside(how)) => Err(format!("this entry {how}")),
            };
            files.push(TreeFile {
                relative: child,
                shown,
                text,
            });
        }
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    dirs.sort();
    Ok((files, dirs))
}

fn reason(error: &Error) -> String {
    match error {
        Error::Io { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

fn io(path: &Path, message: &str) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_yaml_files_in_order_and_skips_hidden_and_other_files() {
        let dir = std::env::temp_dir().join(format!("aoa-tree-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("b/c")).unwrap();
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join("b/c/x.yml"), "a: 1").unwrap();
        std::fs::write(dir.join("a.yaml"), "b: 2").unwrap();
        std::fs::write(dir.join("readme.md"), "no").unwrap();
        std::fs::write(dir.join(".git/h.yaml"), "no").unwrap();
        let (files, dirs) = read_tree(&dir, &LoadOptions::default()).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.relative.as_str()).collect();
        assert_eq!(names, ["a.yaml", "b/c/x.yml"]);
        assert_eq!(dirs, ["", "b", "b/c"]);
        let tight = LoadOptions {
            max_manifest_file_bytes: 2,
            ..LoadOptions::default()
        };
        let (files, _) = read_tree(&dir, &tight).unwrap();
        assert!(files[0].text.as_ref().unwrap_err().contains("limit"));
        assert!(read_tree(&dir.join("a.yaml"), &tight).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

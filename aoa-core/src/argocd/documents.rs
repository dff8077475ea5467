//! The Kubernetes objects of a repository: every document of every YAML file of a directory tree, each with
//! its file and line; files aoa cannot parse (placeholders, Helm templates) reported and skipped.

use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::source::{LoadOptions, TreeFile, parse_yaml_documents_to_depth, read_tree};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One Kubernetes object (one YAML document with `apiVersion` and `kind`).
#[derive(Debug, Clone)]
pub struct Object {
    /// The file as shown in findings.
    pub file: String,
    /// The file relative to the repository root, `/`-separated.
    pub relative: String,
    /// The 1-based line where the document starts.
    pub line: usize,
    /// The document.
    pub value: Value,
    /// `kind`.
    pub kind: String,
    /// The API group (`argoproj.io`; empty for the core group).
    pub group: String,
    /// `metadata.name` (or `metadata.generateName` when no name is set).
    pub name: String,
    /// `metadata.namespace` (empty when unset).
    pub namespace: String,
    /// For a ConfigMap: the first line of each `data` value's content.
    pub data_lines: BTreeMap<String, usize>,
}

impl Object {
    /// The annotation `key` as text (a number or boolean written without quotes as its YAML text).
    pub fn annotation(&self, key: &str) -> Option<String> {
        text(self.value.pointer("/metadata/annotations")?.get(key)?)
    }

    /// The labels (`metadata.labels`) whose values are text.
    pub fn labels(&self) -> BTreeMap<String, String> {
        string_map(self.value.pointer("/metadata/labels"))
    }

    /// A string field by JSON pointer.
    pub fn str_at(&self, pointer: &str) -> Option<&str> {
        self.value.pointer(pointer)?.as_str()
    }

    /// The directory of the file, relative to the root (empty at the root).
    pub fn dir(&self) -> &str {
        self.relative.rsplit_once('/').map_or("", |(d, _)| d)
    }
}

/// A mapping of strings (labels, annotations, cluster-secret metadata) from an optional JSON value.
pub(crate) fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), text(v)?)))
                .collect()
        })
        .unwrap_or_default()
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Every object of a directory tree, and what could not be read.
#[derive(Debug, Clone, Default)]
pub struct Repository {
    /// The root as named.
    pub root: String,
    /// The objects, in file order, then document order.
    pub objects: Vec<Object>,
    /// Relative paths of every YAML file found.
    pub files: BTreeSet<String>,
    /// Relative paths of every directory (the root is ``).
    pub dirs: BTreeSet<String>,
    /// Files reported and skipped: `unparsable-file`, `needs-rendering`.
    pub skipped: Vec<Diagnostic>,
    /// Documents that are not Kubernetes objects, objects without a name, and the like.
    pub findings: Vec<Diagnostic>,
    /// How many documents were read.
    pub documents: usize,
}

/// Loads every object of the tree `root`.
///
/// # Errors
/// [`crate::Error::Io`] when `root` is not a readable directory; everything inside it that cannot be read is
/// a finding, never an error.
pub fn load(root: &Path, options: &LoadOptions) -> Result<Repository> {
    let (files, dirs) = read_tree(root, options)?;
    let mut repo = Repository {
        root: root.display().to_string(),
        files: files.iter().map(|f| f.relative.clone()).collect(),
        dirs: dirs.into_iter().collect(),
        ..Repository::default()
    };
    let charts: BTreeSet<String> = files
        .iter()
        .filter(|f| file_name(&f.relative) == "Chart.yaml")
        .map(|f| parent(&f.relative).to_string())
        .collect();
    for file in &files {
        read_file(&mut repo, file, &charts);
    }
    Ok(repo)
}

fn file_name(relative: &str) -> &str {
    relative.rsplit_once('/').map_or(relative, |(_, n)| n)
}

fn parent(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The chart directory `relative` belongs to (the nearest directory above it holding a `Chart.yaml`), if
/// it is a file of a Helm chart.
fn chart_of<'a>(relative: &str, charts: &'a BTreeSet<String>) -> Option<&'a String> {
    let mut dir = parent(relative);
    loop {
        if let Some(chart) = charts.get(dir) {
            return Some(chart);
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent(dir);
    }
}

fn read_file(repo: &mut Repository, file: &TreeFile, charts: &BTreeSet<String>) {
    let text = match &file.text {
        Ok(text) => text,
        Err(reason) => {
            repo.skipped.push(
                Diagnostic::new("unparsable-file", format!("not read: {reason}"))
                    .at(&file.shown, None),
            );
            return;
        }
    };
    if let Some(chart) = chart_of(&file.relative, charts) {
        let inside = file.relative[chart.len()..].trim_start_matches('/');
        if inside.starts_with("templates/") {
            let what = if text.contains("kind: Application") {
                "an Application templated by a Helm chart"
            } else {
                "a Helm chart template"
            };
            repo.skipped.push(
                Diagnostic::new(
                    "needs-rendering",
                    format!(
                        "{what} (chart `{}`): aoa does not render Helm",
                        display_dir(chart)
                    ),
                )
                .at(&file.shown, None)
                .with_hint("render it (`helm template`) and import the output"),
            );
        }
        // The chart's own files (Chart.yaml, values) are not Kubernetes objects.
        return;
    }
    // Findings need a document's line and a ConfigMap's `/data/KEY` lines: positions two levels deep.
    let documents = match parse_yaml_documents_to_depth(text, &file.shown, 2) {
        Ok(documents) => documents,
        Err(error) => {
            let placeholder = has_placeholder(text);
            let mut d = Diagnostic::new(
                "unparsable-file",
                format!(
                    "aoa cannot parse this file{}: {}",
                    if placeholder {
                        " (it holds `<PLACEHOLDER>` values substituted before use)"
                    } else {
                        ""
                    },
                    error.message
                ),
            )
            .at(&file.shown, error.line.zip(error.column))
            .with_hint("it is skipped; substitute the placeholders or fix the YAML to import it");
            d.path = None;
            repo.skipped.push(d);
            return;
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    for document in documents {
        repo.documents += 1;
        let line = document.line;
        let data_lines = if document.value.get("kind").and_then(Value::as_str) == Some("ConfigMap")
        {
            content_lines(&document.positions, &lines)
        } else {
            BTreeMap::new()
        };
        let value = document.value;
        let at = |d: Diagnostic| d.at(&file.shown, Some((line, 1)));
        let (Some(api_version), Some(kind)) = (
            value.get("apiVersion").and_then(Value::as_str),
            value.get("kind").and_then(Value::as_str),
        ) else {
            repo.findings.push(at(Diagnostic::new(
                "not-kubernetes",
                "not a Kubernetes object: the document has no `apiVersion` and `kind`",
            )
            .with_hint("aoa reads Kubernetes YAML; this document is skipped")));
            continue;
        };
        let name = value
            .pointer("/metadata/name")
            .or_else(|| value.pointer("/metadata/generateName"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if name.is_empty() && kind != "Kustomization" {
            repo.findings.push(at(Diagnostic::new(
                "missing-name",
                format!("a `{kind}` without `metadata.name`"),
            )
            .with_hint("every Kubernetes object needs a name; this one is skipped")));
            continue;
        }
        let group = api_version
            .rsplit_once('/')
            .map_or("", |(g, _)| g)
            .to_string();
        let namespace = value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        repo.objects.push(Object {
            file: file.shown.clone(),
            relative: file.relative.clone(),
            line,
            kind: kind.to_string(),
            group,
            name,
            namespace,
            value,
            data_lines,
        });
    }
}

/// The first content line of each `/data/KEY` value: the line after a block scalar's `|` or `>`, else
/// the value's own line.
fn content_lines(
    positions: &rustc_hash::FxHashMap<String, (usize, usize)>,
    lines: &[&str],
) -> BTreeMap<String, usize> {
    positions
        .iter()
        .filter_map(|(pointer, &(line, column))| {
            let key = pointer.strip_prefix("/data/")?;
            if key.contains('/') {
                return None;
            }
            let key = key.replace("~1", "/").replace("~0", "~");
            let rest = lines.get(line - 1)?.get(column - 1..).unwrap_or("");
            let block = rest.starts_with('|') || rest.starts_with('>');
            Some((key, if block { line + 1 } else { line }))
        })
        .collect()
}

fn display_dir(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

/// Whether `text` holds a `<UPPER_CASE>` placeholder (kubefirst's `<CLUSTER_NAME>`).
pub(crate) fn has_placeholder(text: &str) -> bool {
    text.split('<').skip(1).any(|rest| {
        rest.split_once('>').is_some_and(|(inner, _)| {
            !inner.is_empty()
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_upper_case_words_in_angle_brackets() {
        assert!(has_placeholder("path: registry/clusters/<CLUSTER_NAME>"));
        assert!(!has_placeholder("a < b and c > d"));
        assert!(!has_placeholder("<lower>"));
    }
}

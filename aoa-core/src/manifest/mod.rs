//! The manifest: a validated app graph held as flat, index-based arrays.
//!
//! ```
//! use aoa_core::{Format, Manifest};
//! let m = Manifest::from_str("apps:\n  - name: root\n  - name: api\n    parent: root\n", Format::Yaml).unwrap();
//! assert_eq!(m.len(), 2);
//! let api = m.app("api").unwrap();
//! assert_eq!(m.parent(api).map(|p| m.name(p)), Some("root"));
//! ```

mod build;
mod section;
mod spec;

pub use section::Section;
pub use spec::{API_VERSION, APP_KEYS, AppSpec, DOCUMENT_KEYS};

use crate::diagnostic::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::source::{self, Format, Locator, SourceText};
use crate::suggest;
use build::FileApps;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// At most this many diagnostics are listed for one manifest; one more line says how many were left out.
pub const MAX_DIAGNOSTICS: usize = 200;

/// Marks "no app" in the flat arrays.
pub(crate) const NO_APP: u32 = u32::MAX;

/// The index of an app in its manifest (stable for the manifest's lifetime; apps are numbered in input order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AppId(pub u32);

impl AppId {
    /// The id as a vector index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a manifest file came from and how to find positions in it.
#[derive(Debug)]
pub(crate) struct FileInfo {
    pub origin: String,
    pub locator: Locator,
    pub first_app: u32,
}

/// What an app declares beyond its place in the graph (kept out of line: most generated apps have none).
#[derive(Debug)]
pub(crate) struct AppMeta {
    labels: BTreeMap<String, String>,
    version: Option<String>,
    owner: Option<String>,
    sections: BTreeMap<Section, Value>,
}

/// A validated manifest: every name unique, every parent and dependency known, parent chains loop-free.
///
/// Dependency cycles are allowed here: they are findings that [`Manifest::cycles`] names and that make
/// [`Manifest::plan`] fail.
#[derive(Debug)]
pub struct Manifest {
    files: Vec<FileInfo>,
    names: Vec<String>,
    parent: Vec<u32>,
    dep_start: Vec<u32>,
    deps: Vec<u32>,
    meta: Vec<Option<Box<AppMeta>>>,
    by_name: Vec<u32>,
    pub(crate) graph: OnceLock<Graph>,
}

static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

impl Manifest {
    /// Loads a manifest file, or every `*.yaml`, `*.yml` and `*.json` file of a directory, merged.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Manifest> {
        Manifest::from_sources(source::read_path(path.as_ref())?)
    }

    /// Parses one manifest text (reported as `<string>` in diagnostics).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str, format: Format) -> Result<Manifest> {
        Manifest::from_sources(vec![SourceText {
            origin: "<string>".into(),
            text: text.to_string(),
            format,
        }])
    }

    /// Merges several manifest texts into one manifest (apps of all texts share one namespace).
    pub fn from_sources(sources: Vec<SourceText>) -> Result<Manifest> {
        let mut syntax = Vec::new();
        let mut invalid = Vec::new();
        let mut files = Vec::with_capacity(sources.len());
        for src in sources {
            match parse_source(src) {
                Ok(Ok(file)) => files.push(file),
                Ok(Err(mut problems)) => invalid.append(&mut problems),
                Err(diagnostic) => syntax.push(diagnostic),
            }
        }
        if !syntax.is_empty() {
            return Err(Error::Syntax {
                diagnostics: syntax,
            });
        }
        if !invalid.is_empty() {
            invalid.truncate(MAX_DIAGNOSTICS);
            return Err(Error::Manifest {
                diagnostics: invalid,
            });
        }
        build::build(files)
    }

    /// Builds a manifest from app records (each a mapping as in a manifest's `apps` list), as scripts do.
    pub fn from_records(records: &[Value]) -> Result<Manifest> {
        let doc = serde_json::json!({ "apps": records });
        let file = file_from_value(&doc, "<records>".into(), Locator::None)
            .map_err(|d| Error::Manifest { diagnostics: d })?;
        build::build(vec![file])
    }

    /// Builds a manifest from app records already read into [`AppSpec`]s, reported as `<records>` exactly like
    /// [`Manifest::from_records`] (the bindings read plain records straight into specs, skipping JSON values).
    ///
    /// ```
    /// use aoa_core::{AppSpec, Manifest};
    /// let api = AppSpec { name: "api".into(), depends_on: vec!["db".into()], ..AppSpec::default() };
    /// let db = AppSpec { name: "db".into(), ..AppSpec::default() };
    /// assert_eq!(Manifest::from_record_specs(vec![api, db]).unwrap().len(), 2);
    /// ```
    pub fn from_record_specs(apps: Vec<AppSpec>) -> Result<Manifest> {
        build::build(vec![FileApps {
            info: FileInfo {
                origin: "<records>".into(),
                locator: Locator::None,
                first_app: 0,
            },
            apps,
        }])
    }

    /// Builds a manifest from typed app specs.
    pub fn from_apps(apps: Vec<AppSpec>) -> Result<Manifest> {
        build::build(vec![FileApps {
            info: FileInfo {
                origin: "<apps>".into(),
                locator: Locator::None,
                first_app: 0,
            },
            apps,
        }])
    }

    /// The number of apps.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the manifest has no apps.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Every app id, in input order.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = AppId> + '_ {
        (0..self.names.len() as u32).map(AppId)
    }

    /// Every app id, sorted by name (bytewise).
    pub fn ids_by_name(&self) -> impl ExactSizeIterator<Item = AppId> + '_ {
        self.by_name.iter().map(|&i| AppId(i))
    }

    /// The id of the app called `name`, if there is one.
    pub fn id(&self, name: &str) -> Option<AppId> {
        self.by_name
            .binary_search_by(|&i| self.names[i as usize].as_bytes().cmp(name.as_bytes()))
            .ok()
            .map(|pos| AppId(self.by_name[pos]))
    }

    /// The id of the app called `name`, or an [`Error::UnknownApp`] with a did-you-mean hint.
    pub fn app(&self, name: &str) -> Result<AppId> {
        self.id(name).ok_or_else(|| Error::UnknownApp {
            name: name.to_string(),
            hint: suggest::did_you_mean(name, self.names.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?")),
        })
    }

    /// Resolves a list of names to ids, failing on the first unknown one.
    pub fn apps<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<AppId>> {
        names.iter().map(|n| self.app(n.as_ref())).collect()
    }

    /// The app's name.
    pub fn name(&self, id: AppId) -> &str {
        &self.names[id.index()]
    }

    /// The app's parent, if it has one.
    pub fn parent(&self, id: AppId) -> Option<AppId> {
        let p = self.parent[id.index()];
        (p != NO_APP).then_some(AppId(p))
    }

    /// The app's ancestors, nearest first (the app itself excluded).
    pub fn ancestors(&self, id: AppId) -> impl Iterator<Item = AppId> + '_ {
        std::iter::successors(self.parent(id), |&a| self.parent(a))
    }

    /// The apps this app declares in `depends_on`, in declaration order.
    pub fn depends_on(&self, id: AppId) -> impl ExactSizeIterator<Item = AppId> + '_ {
        let (start, end) = (self.dep_start[id.index()], self.dep_start[id.index() + 1]);
        self.deps[start as usize..end as usize]
            .iter()
            .map(|&d| AppId(d))
    }

    /// Every app that must roll out before this one: its parent, then its dependencies.
    pub fn predecessors(&self, id: AppId) -> impl Iterator<Item = AppId> + '_ {
        self.parent(id).into_iter().chain(self.depends_on(id))
    }

    /// The app's labels.
    pub fn labels(&self, id: AppId) -> &BTreeMap<String, String> {
        self.meta[id.index()]
            .as_ref()
            .map_or(&NO_LABELS, |m| &m.labels)
    }

    /// The app's `version` tag.
    pub fn version(&self, id: AppId) -> Option<&str> {
        self.meta[id.index()].as_ref()?.version.as_deref()
    }

    /// The app's `owner`.
    pub fn owner(&self, id: AppId) -> Option<&str> {
        self.meta[id.index()].as_ref()?.owner.as_deref()
    }

    /// The raw value of one of the app's feature sections, as written.
    pub fn section(&self, id: AppId, section: Section) -> Option<&Value> {
        self.meta[id.index()].as_ref()?.sections.get(&section)
    }

    /// Where a value of the app was declared: `suffix` is a JSON pointer inside the app (`""` for the app
    /// itself, `/depends_on/2`, `/grants/0`). Gives the file, the pointer inside it and, when the text is
    /// known, the line and column.
    pub fn locate(&self, id: AppId, suffix: &str) -> Declared {
        let (file, pointer) = app_pointer(&self.files, id, suffix);
        let location = file.locator.locate(&file.origin, &pointer);
        Declared {
            file: file.origin.clone(),
            path: pointer,
            line: location.as_ref().map(|l| l.line),
            column: location.as_ref().map(|l| l.column),
        }
    }

    /// A diagnostic about a value of an app, placed at its declaration.
    pub fn diagnostic_at(&self, id: AppId, suffix: &str, diagnostic: Diagnostic) -> Diagnostic {
        let declared = self.locate(id, suffix);
        let mut d = diagnostic.with_app(self.name(id)).with_path(declared.path);
        d.file = Some(declared.file);
        d.line = declared.line;
        d.column = declared.column;
        d
    }
}

/// Where something was declared in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Declared {
    /// The file.
    pub file: String,
    /// The JSON pointer inside the file.
    pub path: String,
    /// 1-based line, when the text is known.
    pub line: Option<usize>,
    /// 1-based column, when the text is known.
    pub column: Option<usize>,
}

impl std::fmt::Display for Declared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{}:{line}:{column}", self.file),
            _ => write!(f, "{} at {}", self.file, self.path),
        }
    }
}

/// The file an app is declared in and the JSON pointer of `suffix` inside it.
pub(crate) fn app_pointer<'f>(
    files: &'f [FileInfo],
    id: AppId,
    suffix: &str,
) -> (&'f FileInfo, String) {
    let slot = files
        .partition_point(|f| f.first_app <= id.0)
        .saturating_sub(1);
    let file = &files[slot];
    (file, format!("/apps/{}{suffix}", id.0 - file.first_app))
}

/// Parses one source: `Err` for a syntax error, `Ok(Err)` for structural problems, `Ok(Ok)` for apps.
fn parse_source(
    src: SourceText,
) -> std::result::Result<std::result::Result<FileApps, Vec<Diagnostic>>, Diagnostic> {
    match src.format {
        Format::Yaml => {
            let (value, positions) = source::parse_yaml(&src.text, &src.origin)?;
            Ok(file_from_value(
                &value,
                src.origin,
                Locator::Yaml(positions),
            ))
        }
        Format::Json => match serde_json::from_str::<spec::Document>(&src.text) {
            Ok(doc) if doc.api_version.as_deref().is_none_or(|v| v == API_VERSION) => {
                Ok(Ok(FileApps {
                    info: FileInfo {
                        origin: src.origin,
                        locator: Locator::json(src.text),
                        first_app: 0,
                    },
                    apps: doc.apps,
                }))
            }
            Ok(_) => explain_json(src),
            Err(e) if e.is_syntax() || e.is_eof() => {
                let mut d = Diagnostic::new(
                    "json-syntax",
                    format!("invalid JSON: {}", strip_position(&e)),
                )
                .with_hint("fix the JSON syntax at this position");
                d.file = Some(src.origin);
                d.line = Some(e.line());
                d.column = Some(e.column());
                Err(d)
            }
            Err(_) => explain_json(src),
        },
    }
}

/// The fast JSON path rejected the text's structure: re-read it generically to report every problem.
fn explain_json(
    src: SourceText,
) -> std::result::Result<std::result::Result<FileApps, Vec<Diagnostic>>, Diagnostic> {
    let value: Value = serde_json::from_str(&src.text).map_err(|e| {
        Diagnostic::new(
            "json-syntax",
            format!("invalid JSON: {}", strip_position(&e)),
        )
        .at(
            &src.origin,
            Some(Location {
                file: src.origin.clone(),
                line: e.line(),
                column: e.column(),
            }),
        )
    })?;
    Ok(file_from_value(&value, src.origin, Locator::json(src.text)))
}

fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Converts a document value to a file's apps, placing each problem at its line and column.
fn file_from_value(
    value: &Value,
    origin: String,
    locator: Locator,
) -> std::result::Result<FileApps, Vec<Diagnostic>> {
    let (apps, problems) = spec::document_from_value(value);
    if problems.is_empty() {
        return Ok(FileApps {
            info: FileInfo {
                origin,
                locator,
                first_app: 0,
            },
            apps,
        });
    }
    Err(problems
        .into_iter()
        .map(|d| {
            let location = d.path.as_deref().and_then(|p| locator.locate(&origin, p));
            d.at(&origin, location)
        })
        .collect())
}

//! The manifest model: names, parent and dependency arrays and the feature sections of every app, held as
//! flat, index-based arrays, with where each was declared. No caches and no indexes of other layers: the
//! graph, access and params layers build theirs from this model, and the facade [`crate::Manifest`] holds
//! them.
//!
//! ```
//! use aoa_core::{Format, Manifest};
//! let m = Manifest::from_str("apps:\n  - name: root\n  - name: api\n    parent: root\n", Format::Yaml).unwrap();
//! assert_eq!(m.len(), 2);
//! let api = m.app("api").unwrap();
//! assert_eq!(m.parent(api).map(|p| m.name(p)), Some("root"));
//! ```

#![expect(
    clippy::cast_possible_truncation,
    reason = "app ids are u32: the builder rejects more than u32::MAX - 1 apps"
)]

mod build;
mod decl;
mod name_index;
mod names;
mod section;
pub(crate) mod spec;

pub use section::Section;
pub use spec::{API_VERSION, APP_KEYS, AppSpec, DOCUMENT_KEYS};

use crate::diagnostic::{Diagnostic, Location, capped};
use crate::error::{Error, Result};
use crate::source::{self, Format, Locator, SourceText};
use crate::suggest;
use decl::{Decl, FastDocument};
use names::NameTable;
use serde_json::Value;
use std::collections::BTreeMap;

/// At most this many diagnostics are listed for one manifest; one more line says how many were left out.
pub const MAX_DIAGNOSTICS: usize = crate::diagnostic::MAX_DIAGNOSTICS;

/// The longest app name, label key or value, subject, role name or action pattern, in bytes (UTF-8).
pub const MAX_NAME_BYTES: usize = 1024;

/// Why `text`, a `what` (`app name`, `subject`, ...), is too long, if it is longer than [`MAX_NAME_BYTES`]:
/// its length and a short excerpt of it.
pub(crate) fn too_long(what: &str, text: &str) -> Option<String> {
    (text.len() > MAX_NAME_BYTES).then(|| {
        format!(
            "{what} `{}` is {} bytes long, more than {MAX_NAME_BYTES}",
            crate::diagnostic::excerpt(text),
            text.len()
        )
    })
}

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
}

/// What an app declares beyond its place in the graph (kept out of line: most generated apps have none).
#[derive(Debug)]
pub(crate) struct AppMeta {
    labels: BTreeMap<String, String>,
    version: Option<String>,
    owner: Option<String>,
    sections: BTreeMap<Section, Value>,
}

/// A validated manifest model: every name unique, every parent and dependency known, parent chains
/// loop-free.
///
/// Dependency cycles are allowed here: they are findings that [`crate::Manifest::cycles`] names and that
/// make [`crate::Manifest::plan`] fail.
#[derive(Debug)]
pub struct Model {
    files: Vec<FileInfo>,
    /// App ids of file `f` start at `file_starts[f]`.
    file_starts: Vec<u32>,
    names: NameTable,
    parent: Vec<u32>,
    dep_start: Vec<u32>,
    deps: Vec<u32>,
    meta: Vec<Option<Box<AppMeta>>>,
    by_name: Vec<u32>,
}

static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

impl Model {
    /// Parses one manifest text (reported as `<string>` in diagnostics).
    ///
    /// # Errors
    /// [`Error::Syntax`] or [`Error::Manifest`] with every problem found.
    pub fn from_text(text: &str, format: Format) -> Result<Model> {
        Model::from_sources(vec![SourceText {
            origin: "<string>".into(),
            text: text.to_string(),
            format,
        }])
    }

    /// Merges several manifest texts into one model (apps of all texts share one namespace).
    ///
    /// # Errors
    /// [`Error::Syntax`] when a text is not well-formed, else [`Error::Manifest`] with every problem found.
    pub fn from_sources(sources: Vec<SourceText>) -> Result<Model> {
        let mut syntax = Vec::new();
        let mut invalid = Vec::new();
        let mut files = Vec::with_capacity(sources.len());
        // YAML is parsed now (its positions are recorded while parsing); JSON keeps its text in the
        // locator and is read below, borrowing names from that text.
        let mut parsed: Vec<Option<Vec<Decl<'static>>>> = Vec::with_capacity(sources.len());
        for mut src in sources {
            // A UTF-8 byte-order mark is no part of the document (YAML 1.2 and RFC 8259 allow readers to
            // skip it).
            if src.text.starts_with('\u{feff}') {
                src.text.drain(..'\u{feff}'.len_utf8());
            }
            match src.format {
                Format::Yaml => match source::parse_yaml(&src.text, &src.origin) {
                    Ok((value, positions)) => {
                        let locator = Locator::Yaml(positions);
                        let (decls, mut problems) = decls_from_value(&value, &src.origin, &locator);
                        parsed.push(Some(decls));
                        invalid.append(&mut problems);
                        files.push(FileInfo {
                            origin: src.origin,
                            locator,
                        });
                    }
                    Err(d) => syntax.push(d),
                },
                Format::Json => {
                    parsed.push(None);
                    files.push(FileInfo {
                        origin: src.origin,
                        locator: Locator::json(src.text),
                    });
                }
            }
        }
        let mut decls: Vec<Decl<'_>> = Vec::new();
        let mut file_starts = Vec::with_capacity(files.len());
        for (file, pre) in files.iter().zip(parsed) {
            file_starts.push(u32::try_from(decls.len()).unwrap_or(NO_APP));
            match pre {
                Some(mut owned) => decls.append(&mut owned),
                None => match parse_json(file) {
                    Ok((mut apps, mut problems)) => {
                        decls.append(&mut apps);
                        invalid.append(&mut problems);
                    }
                    Err(d) => syntax.push(d),
                },
            }
        }
        if !syntax.is_empty() {
            return Err(Error::Syntax {
                diagnostics: capped(syntax),
            });
        }
        let built = with_structure_problems(invalid, build::build(&files, &file_starts, decls))?;
        Ok(Model::assemble(files, file_starts, built))
    }

    /// Builds a model from app records (each a mapping as in a manifest's `apps` list), as scripts do.
    ///
    /// # Errors
    /// [`Error::Manifest`] with every problem found.
    pub fn from_records(records: &[Value]) -> Result<Model> {
        if records
            .iter()
            .any(|r| source::nests_deeper_than(r, source::MAX_VALUE_NESTING - 2))
        {
            return Err(Error::InvalidArgument {
                message: format!(
                    "the records nest deeper than {} levels",
                    source::MAX_VALUE_NESTING
                ),
            });
        }
        let doc = serde_json::json!({ "apps": records });
        let file = FileInfo {
            origin: "<records>".into(),
            locator: Locator::None,
        };
        let (decls, problems) = decls_from_value(&doc, &file.origin, &file.locator);
        let files = vec![file];
        let built = with_structure_problems(problems, build::build(&files, &[0], decls))?;
        Ok(Model::assemble(files, vec![0], built))
    }

    /// Builds a model from typed app specs, reported in diagnostics as `origin` (`<records>`, `<apps>`).
    ///
    /// # Errors
    /// [`Error::Manifest`] with every problem found.
    pub fn from_specs(apps: Vec<AppSpec>, origin: &str) -> Result<Model> {
        let files = vec![FileInfo {
            origin: origin.into(),
            locator: Locator::None,
        }];
        let built = build::build(&files, &[0], apps.into_iter().map(Decl::from).collect())?;
        Ok(Model::assemble(files, vec![0], built))
    }

    fn assemble(files: Vec<FileInfo>, file_starts: Vec<u32>, built: build::Built) -> Model {
        Model {
            files,
            file_starts,
            names: built.names,
            parent: built.parent,
            dep_start: built.dep_start,
            deps: built.deps,
            meta: built.meta,
            by_name: built.by_name,
        }
    }

    /// Whether any app has one of the sections `wanted` accepts.
    pub fn has_section(&self, wanted: impl Fn(Section) -> bool) -> bool {
        (self.meta.iter().flatten()).any(|m| m.sections.keys().any(|&s| wanted(s)))
    }

    /// The number of apps as an app id bound (ids are `0..app_count()`).
    pub fn app_count(&self) -> u32 {
        self.parent.len() as u32
    }

    /// The number of apps.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the manifest has no apps.
    pub fn is_empty(&self) -> bool {
        self.names.len() == 0
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
            .binary_search_by(|&i| self.names.get(i as usize).as_bytes().cmp(name.as_bytes()))
            .ok()
            .map(|pos| AppId(self.by_name[pos]))
    }

    /// The id of the app called `name`, or an [`Error::UnknownApp`] with a did-you-mean hint.
    pub fn app(&self, name: &str) -> Result<AppId> {
        self.id(name).ok_or_else(|| Error::UnknownApp {
            name: name.to_string(),
            hint: suggest::did_you_mean(name, self.names.iter())
                .map(|s| format!("did you mean `{s}`?")),
        })
    }

    /// Resolves a list of names to ids, failing on the first unknown one.
    pub fn apps<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<AppId>> {
        names.iter().map(|n| self.app(n.as_ref())).collect()
    }

    /// The app's name.
    pub fn name(&self, id: AppId) -> &str {
        self.names.get(id.index())
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
    pub fn locate(&self, id: AppId, suffix: &str) -> Location {
        let (file, pointer) = app_pointer(&self.files, &self.file_starts, id, suffix);
        let position = file.locator.locate(&pointer);
        Location {
            file: file.origin.clone(),
            path: pointer,
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
        }
    }

    /// A diagnostic about a value of an app, placed at its declaration.
    pub fn diagnostic_at(&self, id: AppId, suffix: &str, diagnostic: Diagnostic) -> Diagnostic {
        diagnostic
            .with_app(self.name(id))
            .located(self.locate(id, suffix))
    }
}

/// The file an app is declared in and the JSON pointer of `suffix` inside it.
pub(crate) fn app_pointer<'f>(
    files: &'f [FileInfo],
    file_starts: &[u32],
    id: AppId,
    suffix: &str,
) -> (&'f FileInfo, String) {
    let slot = file_starts
        .partition_point(|&s| s <= id.0)
        .saturating_sub(1);
    let first = file_starts.get(slot).copied().unwrap_or(0);
    (&files[slot], format!("/apps/{}{suffix}", id.0 - first))
}

/// Structure problems (unknown keys, wrong types) come first, then the graph checks' problems; either
/// kind makes the manifest invalid.
fn with_structure_problems(
    mut structure: Vec<Diagnostic>,
    built: Result<build::Built>,
) -> Result<build::Built> {
    match built {
        Ok(built) if structure.is_empty() => Ok(built),
        Ok(_) => Err(Error::Manifest {
            diagnostics: capped(structure),
        }),
        Err(Error::Manifest { diagnostics }) => {
            structure.extend(diagnostics);
            Err(Error::Manifest {
                diagnostics: capped(structure),
            })
        }
        Err(other) => Err(other),
    }
}

/// Reads a JSON file's apps (borrowing names from its text) and its structure problems; `Err` is a
/// syntax error. The fast path is serde into [`Decl`]s; when it rejects the structure, the text is
/// re-read generically to report every problem with its position.
fn parse_json(
    file: &FileInfo,
) -> std::result::Result<(Vec<Decl<'_>>, Vec<Diagnostic>), Diagnostic> {
    let Locator::Json { text, .. } = &file.locator else {
        return Ok((Vec::new(), Vec::new()));
    };
    match serde_json::from_str::<FastDocument<'_>>(text) {
        Ok(doc) if doc.api_version.as_deref().is_none_or(|v| v == API_VERSION) => {
            Ok((doc.apps, Vec::new()))
        }
        Err(e) if e.is_syntax() || e.is_eof() => Err(source::syntax_error(&file.origin, &e)),
        _ => {
            let value = source::strict_json(text, &file.origin, &file.locator)?;
            Ok(decls_from_value(&value, &file.origin, &file.locator))
        }
    }
}

/// Converts a document value to declarations and its structure problems, each placed at its line and column.
fn decls_from_value(
    value: &Value,
    origin: &str,
    locator: &Locator,
) -> (Vec<Decl<'static>>, Vec<Diagnostic>) {
    let (apps, problems) = spec::document_from_value(value);
    let problems = problems
        .into_iter()
        .map(|d| {
            let position = d.path.as_deref().and_then(|p| locator.locate(p));
            d.at(origin, position)
        })
        .collect();
    (apps.into_iter().map(Decl::from).collect(), problems)
}

//! Building the flat, index-based manifest from declared apps, with every semantic check.

#![expect(
    clippy::cast_possible_truncation,
    reason = "app ids and dependency offsets are u32: `build` rejects more than u32::MAX - 1 apps first"
)]

use super::decl::{Decl, Str};
use super::name_index::NameIndex;
use super::names::NameTable;
use super::{AppId, AppMeta, FileInfo, MAX_DIAGNOSTICS, NO_APP};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::suggest;

/// How many unknown-name problems get a did-you-mean search (each scans every name).
const SUGGESTION_BUDGET: usize = 10;

/// The checked graph, ready to become a [`super::Manifest`] with its files.
pub(crate) struct Built {
    pub names: NameTable,
    pub parent: Vec<u32>,
    pub dep_start: Vec<u32>,
    pub deps: Vec<u32>,
    pub meta: Vec<Option<Box<AppMeta>>>,
    pub by_name: Vec<u32>,
}

/// Collects diagnostics, each placed at its file, line and column.
struct Problems<'a> {
    files: &'a [FileInfo],
    file_starts: &'a [u32],
    list: Vec<Diagnostic>,
    total: usize,
    suggestions_left: usize,
}

impl Problems<'_> {
    fn push(&mut self, id: u32, suffix: &str, diagnostic: Diagnostic) {
        self.total += 1;
        if self.list.len() < MAX_DIAGNOSTICS {
            let (file, pointer) =
                super::app_pointer(self.files, self.file_starts, AppId(id), suffix);
            let position = file.locator.locate(&pointer);
            self.list
                .push(diagnostic.with_path(pointer).at(&file.origin, position));
        }
    }

    fn unknown_hint<'n>(
        &mut self,
        name: &str,
        names: impl Iterator<Item = &'n str>,
        fallback: &str,
    ) -> String {
        if self.suggestions_left == 0 {
            return fallback.to_string();
        }
        self.suggestions_left -= 1;
        suggest::hint(name, names, fallback)
    }
}

/// Checks the declared apps (`decls`, numbered in order; file `f` starts at `file_starts[f]`) and indexes
/// them, or returns every problem found.
pub(crate) fn build(
    files: &[FileInfo],
    file_starts: &[u32],
    decls: Vec<Decl<'_>>,
) -> Result<Built> {
    let n = u32::try_from(decls.len())
        .ok()
        .filter(|&n| n < NO_APP)
        .ok_or_else(too_many)?;
    let mut problems = Problems {
        files,
        file_starts,
        list: Vec::new(),
        total: 0,
        suggestions_left: SUGGESTION_BUDGET,
    };

    let mut names = NameTable::with_capacity(decls.len());
    for decl in &decls {
        names.push(&decl.name.0).ok_or_else(too_many)?;
    }
    let mut index = NameIndex::with_capacity(decls.len());
    for id in 0..n {
        let name = names.get(id as usize);
        if let Some(problem) = name_problem(name) {
            problems.push(id, "/name", Diagnostic::new("invalid-name", problem).with_app(name).with_hint(
                "use a non-empty name without spaces, commas, control or invisible formatting characters, e.g. `team-3/payments`",
            ));
        }
        if let Some(meta) = &decls[id as usize].meta {
            for (key, value) in &meta.labels {
                let what = if key.len().max(value.len()) > super::MAX_NAME_BYTES {
                    format!("is longer than {} bytes", super::MAX_NAME_BYTES)
                } else if let Some(c) = key
                    .chars()
                    .chain(value.chars())
                    .find(|&c| crate::diagnostic::needs_escape(c))
                {
                    format!("contains {}", crate::diagnostic::describe_char(c))
                } else {
                    continue;
                };
                let suffix = format!("/labels/{}", crate::source::escape_pointer_token(key));
                let message = format!(
                    "label `{}: {}` {what}",
                    crate::diagnostic::excerpt(key),
                    crate::diagnostic::excerpt(value),
                );
                problems.push(id, &suffix, Diagnostic::new("invalid-label", message).with_app(name).with_hint(
                    "labels select apps and match environments: write them without control characters, bidirectional overrides or zero-width characters",
                ));
            }
        }
        if let Err(first) = index.insert(&names, id) {
            let (file, pointer) = super::app_pointer(files, file_starts, AppId(first), "/name");
            let place = file.locator.locate(&pointer).map_or_else(
                || format!("{} at {pointer}", file.origin),
                |(line, column)| format!("{}:{line}:{column}", file.origin),
            );
            problems.push(
                id,
                "/name",
                Diagnostic::new("duplicate-app", format!("app `{name}` is declared twice"))
                    .with_app(name)
                    .with_hint(format!(
                        "the first declaration is at {place}; rename or remove one"
                    )),
            );
        }
    }

    let (raw_parent, ref_start, raw_refs) = resolve_refs(&decls, &names, &index);
    let mut parent = vec![NO_APP; decls.len()];
    let mut dep_start = Vec::with_capacity(decls.len() + 1);
    let mut deps = Vec::with_capacity(raw_refs.len());
    for (id, decl) in (0..n).zip(&decls) {
        let name = names.get(id as usize);
        if let Some(p) = &decl.parent {
            let p: &str = &p.0;
            match raw_parent[id as usize] {
                pid if pid == id => problems.push(
                    id,
                    "/parent",
                    Diagnostic::new("self-parent", format!("app `{p}` is its own parent"))
                        .with_app(name)
                        .with_hint("remove `parent`, or name the app that governs this one"),
                ),
                UNKNOWN => {
                    let hint =
                        problems.unknown_hint(p, names.iter(), "declare that app, or fix the name");
                    problems.push(
                        id,
                        "/parent",
                        Diagnostic::new(
                            "unknown-parent",
                            format!("parent `{p}` is not an app of the manifest"),
                        )
                        .with_app(name)
                        .with_hint(hint),
                    );
                }
                pid => parent[id as usize] = pid,
            }
        }
        dep_start.push(deps.len() as u32);
        let first_dep = deps.len();
        let resolved =
            &raw_refs[ref_start[id as usize] as usize..ref_start[id as usize + 1] as usize];
        for (j, (d, &did)) in decl.depends_on.iter().zip(resolved).enumerate() {
            let d: &str = &d.0;
            match did {
                did if did == id => problems.push(
                    id,
                    &format!("/depends_on/{j}"),
                    Diagnostic::new("self-dependency", format!("app `{d}` depends on itself"))
                        .with_app(name)
                        .with_hint("remove it from its own `depends_on`"),
                ),
                UNKNOWN => {
                    let hint =
                        problems.unknown_hint(d, names.iter(), "declare that app, or fix the name");
                    problems.push(
                        id,
                        &format!("/depends_on/{j}"),
                        Diagnostic::new(
                            "unknown-dependency",
                            format!("dependency `{d}` is not an app of the manifest"),
                        )
                        .with_app(name)
                        .with_hint(hint),
                    );
                }
                did if deps[first_dep..].contains(&did) => problems.push(
                    id,
                    &format!("/depends_on/{j}"),
                    Diagnostic::new(
                        "duplicate-dependency",
                        format!("`{d}` is listed twice in `depends_on`"),
                    )
                    .with_app(name)
                    .with_hint("list each dependency once"),
                ),
                did => deps.push(did),
            }
        }
        let sections = decl
            .meta
            .as_ref()
            .map(|m| m.sections.keys())
            .into_iter()
            .flatten();
        for section in sections.filter(|s| !s.is_supported()) {
            problems.push(
                id,
                &format!("/{}", section.key()),
                Diagnostic::new(
                    "unsupported-section",
                    format!("section `{}` is not supported yet", section.key()),
                )
                .with_app(name)
                .with_hint("remove it; this version of aoa reserves it for a later release"),
            );
        }
    }
    dep_start.push(deps.len() as u32);
    drop(index);

    for cycle in parent_loops(&parent) {
        let chain: Vec<&str> = cycle
            .iter()
            .chain(cycle.first())
            .map(|&a| &*decls[a as usize].name.0)
            .collect();
        let first = cycle[0];
        problems.push(
            first,
            "/parent",
            Diagnostic::new(
                "parent-loop",
                format!("the parent chain loops: {}", chain.join(" -> ")),
            )
            .with_app(&*decls[first as usize].name.0)
            .with_hint("a parent chain must end at a root app; remove one of these `parent` links"),
        );
    }

    if problems.total > 0 {
        let mut list = problems.list;
        if problems.total > list.len() {
            list.push(crate::diagnostic::more_problems(
                problems.total - list.len(),
            ));
        }
        return Err(Error::Manifest { diagnostics: list });
    }

    let meta = decls.into_iter().map(|d| d.meta).collect();
    let by_name = names.sorted_ids();
    Ok(Built {
        names,
        parent,
        dep_start,
        deps,
        meta,
        by_name,
    })
}

/// Marks a parent or dependency name that no app has.
const UNKNOWN: u32 = u32::MAX - 1;

/// Below this many apps, lookups run on the calling thread only.
const PARALLEL_THRESHOLD: usize = 100_000;

/// Looks up every parent and dependency name: the parent of each app (`NO_APP` for none, `UNKNOWN` for a
/// name no app has), and every dependency (app `i`'s are `refs[ref_start[i]..ref_start[i + 1]]`).
///
/// The lookups are independent reads, so large manifests split them across the machine's cores.
fn resolve_refs(
    decls: &[Decl<'_>],
    names: &NameTable,
    index: &NameIndex,
) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let mut ref_start = Vec::with_capacity(decls.len() + 1);
    let mut total = 0u32;
    for decl in decls {
        ref_start.push(total);
        total = total.saturating_add(decl.depends_on.len() as u32);
    }
    ref_start.push(total);
    let mut parent = vec![NO_APP; decls.len()];
    let mut refs = vec![UNKNOWN; total as usize];
    let lookup = |s: &Str<'_>| index.get(names, &s.0).unwrap_or(UNKNOWN);
    let threads = if decls.len() < PARALLEL_THRESHOLD {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    let chunk = decls.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let mut rest: &mut [u32] = &mut refs;
        for (k, parents) in parent.chunks_mut(chunk).enumerate() {
            let first = k * chunk;
            let base = ref_start[first] as usize;
            let end = ref_start[first + parents.len()] as usize;
            let (mine, tail) = std::mem::take(&mut rest).split_at_mut(end - base);
            rest = tail;
            let ref_start = &ref_start;
            scope.spawn(move || {
                for (offset, slot) in parents.iter_mut().enumerate() {
                    let decl = &decls[first + offset];
                    *slot = decl.parent.as_ref().map_or(NO_APP, lookup);
                    let at = ref_start[first + offset] as usize - base;
                    for (j, d) in decl.depends_on.iter().enumerate() {
                        mine[at + j] = lookup(d);
                    }
                }
            });
        }
    });
    (parent, ref_start, refs)
}

fn too_many() -> Error {
    Error::InvalidArgument {
        message: format!(
            "a manifest may hold at most {} apps and 4 GiB of names",
            NO_APP - 1
        ),
    }
}

/// Why `name` is not a valid app name, if it is not.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("app name is empty".into());
    }
    if let Some(problem) = super::too_long("app name", name) {
        return Some(problem);
    }
    name.chars()
        .find(|&c| c.is_whitespace() || crate::diagnostic::needs_escape(c) || c == ',')
        .map(|c| {
            format!(
                "app name `{}` contains {}",
                crate::diagnostic::escaped(name),
                crate::diagnostic::describe_char(c)
            )
        })
}

/// Every loop of parent links, each listed once, starting at its member with the lowest id.
fn parent_loops(parent: &[u32]) -> Vec<Vec<u32>> {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; parent.len()];
    let mut loops = Vec::new();
    let mut path = Vec::new();
    for start in 0..parent.len() {
        let mut at = start;
        while at != NO_APP as usize && state[at] == NEW {
            state[at] = ON_PATH;
            path.push(at as u32);
            at = parent[at] as usize;
        }
        let on_path = at != NO_APP as usize && state[at] == ON_PATH;
        if let Some(pos) = path.iter().position(|&a| on_path && a as usize == at) {
            let mut members = path[pos..].to_vec();
            if let Some(low) = members
                .iter()
                .enumerate()
                .min_by_key(|(_, a)| **a)
                .map(|(i, _)| i)
            {
                members.rotate_left(low);
            }
            loops.push(members);
        }
        for a in path.drain(..) {
            state[a as usize] = DONE;
        }
    }
    loops
}

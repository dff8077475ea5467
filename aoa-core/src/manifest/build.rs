//! Building the flat, index-based manifest from declared apps, with every semantic check.

use super::spec::AppSpec;
use super::{AppId, AppMeta, FileInfo, MAX_DIAGNOSTICS, Manifest, NO_APP};
use crate::access::AccessIndex;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::suggest;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::collections::HashMap;

/// How many unknown-name problems get a did-you-mean search (each scans every name).
const SUGGESTION_BUDGET: usize = 10;

/// Declared apps of one file, before checking.
pub(crate) struct FileApps {
    pub info: FileInfo,
    pub apps: Vec<AppSpec>,
}

/// Collects diagnostics, each placed at its file, line and column.
struct Problems<'a> {
    files: &'a [FileInfo],
    list: Vec<Diagnostic>,
    total: usize,
    suggestions_left: usize,
}

impl Problems<'_> {
    fn push(&mut self, id: u32, suffix: &str, diagnostic: Diagnostic) {
        self.total += 1;
        if self.list.len() < MAX_DIAGNOSTICS {
            let (file, pointer) = super::app_pointer(self.files, AppId(id), suffix);
            let location = file.locator.locate(&file.origin, &pointer);
            self.list
                .push(diagnostic.with_path(pointer).at(&file.origin, location));
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

/// Checks the declared apps and builds the manifest, or returns every problem found.
pub(crate) fn build(inputs: Vec<FileApps>) -> Result<Manifest> {
    let mut files = Vec::with_capacity(inputs.len());
    let mut specs = Vec::with_capacity(inputs.iter().map(|f| f.apps.len()).sum());
    for mut input in inputs {
        input.info.first_app = u32::try_from(specs.len()).map_err(|_| too_many())?;
        files.push(input.info);
        specs.append(&mut input.apps);
    }
    let n = u32::try_from(specs.len())
        .ok()
        .filter(|&n| n < NO_APP)
        .ok_or_else(too_many)?;
    let mut problems = Problems {
        files: &files,
        list: Vec::new(),
        total: 0,
        suggestions_left: SUGGESTION_BUDGET,
    };

    let mut index: FxHashMap<&str, u32> =
        HashMap::with_capacity_and_hasher(specs.len(), FxBuildHasher);
    for (id, spec) in (0..n).zip(&specs) {
        if let Some(problem) = name_problem(&spec.name) {
            problems.push(id, "/name", Diagnostic::new("invalid-name", problem).with_app(&spec.name).with_hint(
                "use a non-empty name without spaces, commas or control characters, e.g. `team-3/payments`",
            ));
        }
        if let Some(&first) = index.get(spec.name.as_str()) {
            let (file, pointer) = super::app_pointer(&files, AppId(first), "/name");
            let place = file.locator.locate(&file.origin, &pointer).map_or_else(
                || format!("{} at {pointer}", file.origin),
                |l| l.to_string(),
            );
            problems.push(
                id,
                "/name",
                Diagnostic::new(
                    "duplicate-app",
                    format!("app `{}` is declared twice", spec.name),
                )
                .with_app(&spec.name)
                .with_hint(format!(
                    "the first declaration is at {place}; rename or remove one"
                )),
            );
        } else {
            index.insert(spec.name.as_str(), id);
        }
    }

    let mut parent = vec![NO_APP; specs.len()];
    let mut dep_start = Vec::with_capacity(specs.len() + 1);
    let mut deps = Vec::with_capacity(specs.iter().map(|s| s.depends_on.len()).sum());
    for (id, spec) in (0..n).zip(&specs) {
        if let Some(p) = &spec.parent {
            match index.get(p.as_str()) {
                Some(&pid) if pid == id => problems.push(
                    id,
                    "/parent",
                    Diagnostic::new("self-parent", format!("app `{p}` is its own parent"))
                        .with_app(&spec.name)
                        .with_hint("remove `parent`, or name the app that governs this one"),
                ),
                Some(&pid) => parent[id as usize] = pid,
                None => {
                    let hint = problems.unknown_hint(
                        p,
                        index.keys().copied(),
                        "declare that app, or fix the name",
                    );
                    problems.push(
                        id,
                        "/parent",
                        Diagnostic::new(
                            "unknown-parent",
                            format!("parent `{p}` is not an app of the manifest"),
                        )
                        .with_app(&spec.name)
                        .with_hint(hint),
                    );
                }
            }
        }
        dep_start.push(deps.len() as u32);
        let first_dep = deps.len();
        for (j, d) in spec.depends_on.iter().enumerate() {
            let suffix = format!("/depends_on/{j}");
            match index.get(d.as_str()) {
                Some(&did) if did == id => problems.push(
                    id,
                    &suffix,
                    Diagnostic::new("self-dependency", format!("app `{d}` depends on itself"))
                        .with_app(&spec.name)
                        .with_hint("remove it from its own `depends_on`"),
                ),
                Some(&did) if deps[first_dep..].contains(&did) => problems.push(
                    id,
                    &suffix,
                    Diagnostic::new(
                        "duplicate-dependency",
                        format!("`{d}` is listed twice in `depends_on`"),
                    )
                    .with_app(&spec.name)
                    .with_hint("list each dependency once"),
                ),
                Some(&did) => deps.push(did),
                None => {
                    let hint = problems.unknown_hint(
                        d,
                        index.keys().copied(),
                        "declare that app, or fix the name",
                    );
                    problems.push(
                        id,
                        &suffix,
                        Diagnostic::new(
                            "unknown-dependency",
                            format!("dependency `{d}` is not an app of the manifest"),
                        )
                        .with_app(&spec.name)
                        .with_hint(hint),
                    );
                }
            }
        }
        for section in spec.sections.keys().filter(|s| !s.is_supported()) {
            problems.push(
                id,
                &format!("/{}", section.key()),
                Diagnostic::new(
                    "unsupported-section",
                    format!("section `{}` is not supported yet", section.key()),
                )
                .with_app(&spec.name)
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
            .map(|&a| specs[a as usize].name.as_str())
            .collect();
        let first = cycle[0];
        problems.push(
            first,
            "/parent",
            Diagnostic::new(
                "parent-loop",
                format!("the parent chain loops: {}", chain.join(" -> ")),
            )
            .with_app(&specs[first as usize].name)
            .with_hint("a parent chain must end at a root app; remove one of these `parent` links"),
        );
    }

    if problems.total > 0 {
        let mut list = problems.list;
        if problems.total > list.len() {
            list.push(Diagnostic::new(
                "more-problems",
                format!("{} more problems not shown", problems.total - list.len()),
            ));
        }
        return Err(Error::Manifest { diagnostics: list });
    }

    let has_access = specs
        .iter()
        .any(|s| s.sections.keys().any(|k| k.is_access()));
    let mut names = Vec::with_capacity(specs.len());
    let mut meta = Vec::with_capacity(specs.len());
    for spec in specs {
        let extra = !spec.labels.is_empty()
            || spec.version.is_some()
            || spec.owner.is_some()
            || !spec.sections.is_empty();
        meta.push(extra.then(|| {
            Box::new(AppMeta {
                labels: spec.labels,
                version: spec.version,
                owner: spec.owner,
                sections: spec.sections,
            })
        }));
        names.push(spec.name);
    }
    let mut by_name: Vec<u32> = (0..n).collect();
    by_name.sort_unstable_by(|&a, &b| {
        names[a as usize]
            .as_bytes()
            .cmp(names[b as usize].as_bytes())
    });
    let manifest = Manifest {
        files,
        names,
        parent,
        dep_start,
        deps,
        meta,
        by_name,
        graph: Default::default(),
        access: Default::default(),
    };
    if has_access {
        let index = AccessIndex::build(&manifest).into_result()?;
        let _ = manifest.access.set(index);
    }
    Ok(manifest)
}

fn too_many() -> Error {
    Error::InvalidArgument {
        message: format!("a manifest may hold at most {} apps", NO_APP - 1),
    }
}

/// Why `name` is not a valid app name, if it is not.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("app name is empty".into());
    }
    name.chars()
        .find(|c| c.is_whitespace() || c.is_control() || *c == ',')
        .map(|c| format!("app name `{}` contains {c:?}", name.escape_debug()))
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

//! Roles: named sets of action patterns, visible on the declaring app and its descendants, nestable to
//! any depth through `includes`, resolved to the nearest definition up the tree.

use super::parse::RoleDecl;
use super::pattern::not_covered;
use crate::diagnostic::Diagnostic;
use crate::manifest::{AppId, Model};
use crate::suggest;
use rustc_hash::FxHashMap;

/// Every role of a manifest with its expansion to action patterns.
pub(crate) struct Roles<'d> {
    decls: &'d [RoleDecl],
    by_app_name: FxHashMap<(u32, &'d str), usize>,
    /// Each role's sorted, deduplicated patterns (`None` when it could not be expanded).
    expanded: Vec<Option<Vec<String>>>,
    /// Roles that could not be expanded (an unknown include, a cycle, over the limit), kept across roots
    /// so that each role is walked once; and the roles on the current walk's path.
    failed: Vec<bool>,
    on_stack: Vec<bool>,
    /// What the expansions may still hold, in patterns ([`MAX_EXPANDED_PATTERNS`]).
    patterns_left: usize,
    /// How many unknown roles may still get a list of the visible roles and a did-you-mean (each reads
    /// the roles of every ancestor).
    hints_left: std::cell::Cell<usize>,
}

/// The most action patterns all roles together may expand to (each role's own patterns plus those of the
/// roles it includes, transitively): include chains and fans could otherwise ask for memory quadratic in
/// the manifest.
pub const MAX_EXPANDED_PATTERNS: usize = 1_000_000;

impl<'d> Roles<'d> {
    /// Indexes and expands every role, reporting unknown includes and include cycles.
    pub(super) fn new(m: &Model, decls: &'d [RoleDecl], problems: &mut Vec<Diagnostic>) -> Self {
        let by_app_name = decls
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.app.0, r.name.as_str()), i))
            .collect();
        let mut roles = Roles {
            decls,
            by_app_name,
            expanded: vec![None; decls.len()],
            failed: vec![false; decls.len()],
            on_stack: vec![false; decls.len()],
            patterns_left: MAX_EXPANDED_PATTERNS,
            hints_left: std::cell::Cell::new(10),
        };
        for root in 0..decls.len() {
            roles.expand(m, root, problems);
        }
        roles
    }

    /// The role `name` as seen from `app`: its own definition or the nearest ancestor's.
    pub(super) fn resolve(&self, m: &Model, app: AppId, name: &str) -> Option<usize> {
        std::iter::once(app)
            .chain(m.ancestors(app))
            .find_map(|a| self.by_app_name.get(&(a.0, name)).copied())
    }

    /// The patterns of a resolved role.
    pub(super) fn patterns(&self, role: usize) -> Option<&[String]> {
        self.expanded[role].as_deref()
    }

    /// A diagnostic for a role name that no app at or above `app` defines.
    pub(super) fn unknown(&self, m: &Model, app: AppId, name: &str, suffix: &str) -> Diagnostic {
        let searched = self.hints_left.get() > 0;
        self.hints_left.set(self.hints_left.get().saturating_sub(1));
        let visible: Vec<&str> = std::iter::once(app)
            .filter(|_| searched)
            .chain(m.ancestors(app))
            .flat_map(|a| {
                self.decls
                    .iter()
                    .filter(move |r| r.app == a)
                    .map(|r| r.name.as_str())
            })
            .collect();
        let fallback = if visible.is_empty() {
            "define it under `roles` on this app or an ancestor".to_string()
        } else {
            format!("roles visible here: {}", visible.join(", "))
        };
        let hint = suggest::hint(name, visible.iter().copied(), &fallback);
        m.diagnostic_at(
            app,
            suffix,
            Diagnostic::new(
                "unknown-role",
                format!(
                    "role `{name}` is not defined on `{}` or any ancestor",
                    m.name(app)
                ),
            )
            .with_hint(hint),
        )
    }

    /// Expands role `root` and everything it includes, iteratively (no depth limit).
    fn expand(&mut self, m: &Model, root: usize, problems: &mut Vec<Diagnostic>) {
        if self.expanded[root].is_some() || self.failed[root] {
            return;
        }
        // Depth-first over includes with an explicit stack; `on_stack` finds cycles.
        let Roles {
            failed, on_stack, ..
        } = self;
        let (mut failed, mut on_stack) = (std::mem::take(failed), std::mem::take(on_stack));
        let mut stack = vec![(root, 0usize)];
        on_stack[root] = true;
        while let Some(&(role, next)) = stack.last() {
            let decl = &self.decls[role];
            if let Some((name, suffix)) = decl.includes.get(next) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match self.resolve(m, decl.app, name) {
                    None => {
                        problems.push(self.unknown(m, decl.app, name, suffix));
                        failed[role] = true;
                    }
                    Some(inc) if on_stack[inc] => {
                        let d = Diagnostic::new(
                            "role-cycle",
                            format!("role `{}` includes itself through `{name}`", decl.name),
                        )
                        .with_hint("remove one of the `includes` that close the loop");
                        problems.push(m.diagnostic_at(decl.app, suffix, d));
                        failed[role] = true;
                    }
                    Some(inc) if self.expanded[inc].is_some() || failed[inc] => {}
                    Some(inc) => {
                        on_stack[inc] = true;
                        stack.push((inc, 0));
                    }
                }
                continue;
            }
            stack.pop();
            on_stack[role] = false;
            let mut patterns = decl.patterns.clone();
            for (name, _) in &decl.includes {
                match self
                    .resolve(m, decl.app, name)
                    .and_then(|i| self.expanded[i].as_ref())
                {
                    Some(inc) => patterns.extend(inc.iter().cloned()),
                    None => failed[role] = true,
                }
            }
            if !failed[role] {
                patterns.sort_unstable();
                patterns.dedup();
                match self.patterns_left.checked_sub(patterns.len()) {
                    Some(left) => self.patterns_left = left,
                    None => {
                        let d = Diagnostic::new(
                            "invalid-role",
                            format!(
                                "role `{}` takes the roles past {MAX_EXPANDED_PATTERNS} action patterns in all, includes expanded",
                                decl.name
                            ),
                        )
                        .with_hint("include fewer roles, or name the actions with globs (`read:*`)");
                        problems.push(m.diagnostic_at(decl.app, &decl.suffix, d));
                        failed[role] = true;
                    }
                }
            }
            if failed[role] {
                if let Some(&(parent, _)) = stack.last() {
                    failed[parent] = true;
                }
                continue;
            }
            self.expanded[role] = Some(patterns);
        }
        self.failed = failed;
        self.on_stack = on_stack;
    }

    /// Reports every role that redefines a role of the same name on an ancestor with more actions.
    pub(super) fn widened(&self, m: &Model) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (i, decl) in self.decls.iter().enumerate() {
            let Some(parent) = m.parent(decl.app) else {
                continue;
            };
            let Some(shadowed) = self.resolve(m, parent, &decl.name) else {
                continue;
            };
            let (Some(mine), Some(theirs)) = (self.patterns(i), self.patterns(shadowed)) else {
                continue;
            };
            let wider = not_covered(theirs, mine);
            if wider.is_empty() {
                continue;
            }
            let outer = &self.decls[shadowed];
            let d = Diagnostic::new(
                "role-widened",
                format!(
                    "role `{}` on `{}` is wider than the role `{}` it shadows on `{}` ({}): `{}` not in it",
                    decl.name,
                    m.name(decl.app),
                    outer.name,
                    m.name(outer.app),
                    m.locate(outer.app, &outer.suffix),
                    wider.join("`, `")
                ),
            )
            .with_hint("a role may be redefined below only with the same or fewer actions; rename it or narrow it");
            out.push(m.diagnostic_at(decl.app, &decl.suffix, d));
        }
        out
    }
}

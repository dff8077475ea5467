//! Privilege drift: every (subject, app, action) that becomes allowed or stops being allowed between two
//! manifests, grouped by subject and by the manifest change that caused it.

use super::Reason;
use super::check::Act;
use super::effective::{ActionAccess, Effective};
use super::glob_gains::{Witness, witnesses};
use super::model::Rule;
use super::pattern::glob_matches;
use crate::diagnostic::Location;

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The kind of manifest change behind a gain or a loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A grant (or identity need) that the old manifest does not have.
    GrantAdded,
    /// A grant (or identity need) of the old manifest that the new one does not have.
    GrantRemoved,
    /// A deny that the old manifest does not have.
    DenyAdded,
    /// A deny of the old manifest that the new one does not have.
    DenyRemoved,
    /// An app that only one of the manifests has.
    AppAddedOrRemoved,
    /// A ceiling changed (added, removed, widened or narrowed) on the app or an ancestor.
    CeilingChanged,
    /// An `env` label or a parent link changed on the path to the root.
    TreeChanged,
}

/// An app and an action, or a glob pattern of a grant through which actions were gained or lost.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct AppAction {
    /// The app.
    pub app: String,
    /// The action, or a grant's glob pattern (`secrets:*`) when some of the actions it matches changed —
    /// whether or not the manifests spell any of them out.
    pub action: String,
    /// For a pattern: the concrete actions of either manifest it matches whose answer changed (absent for an
    /// action).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
}

/// One manifest change and what it gave or took from one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// The changed rule, when the change is a rule.
    pub rule: Option<Rule>,
    /// The app the change is on.
    pub app: String,
    /// Where the change is: in the new manifest for additions, in the old one for removals.
    pub declared: Option<Location>,
    /// What became allowed.
    pub gained: Vec<AppAction>,
    /// What stopped being allowed.
    pub lost: Vec<AppAction>,
}

/// Every change for one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct SubjectChanges {
    /// The subject.
    pub subject: String,
    /// The changes, each with its gains and losses.
    pub changes: Vec<Change>,
}

/// The answer of [`diff`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct AccessDiff {
    /// How many (subject, app, action) became allowed.
    pub gained: usize,
    /// How many stopped being allowed.
    pub lost: usize,
    /// The changes by subject, subjects sorted.
    pub subjects: Vec<SubjectChanges>,
}

type RuleKey<'a> = (
    super::Effect,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a [String],
    &'a [String],
    bool,
);

fn key(r: &Rule) -> RuleKey<'_> {
    (
        r.effect,
        &r.subject,
        &r.app,
        r.role.as_deref(),
        &r.actions,
        &r.env,
        r.propagate,
    )
}

/// Per subject, per action: the grants allowing it, or the denies forbidding it.
struct View<'a> {
    allowed: BTreeMap<(&'a str, &'a str), Vec<Reason<'a>>>,
    denied: BTreeMap<(&'a str, &'a str), Vec<Reason<'a>>>,
}

impl<'a> View<'a> {
    fn of(effective: Option<Effective<'a>>) -> Self {
        let mut view = View {
            allowed: BTreeMap::new(),
            denied: BTreeMap::new(),
        };
        for s in effective.into_iter().flat_map(|e| e.subjects) {
            let put = |map: &mut BTreeMap<_, _>, list: Vec<ActionAccess<'a>>| {
                for a in list {
                    map.insert((s.subject, a.action), a.sources);
                }
            };
            put(&mut view.allowed, s.allowed);
            put(&mut view.denied, s.denied);
        }
        view
    }
}

/// Every (subject, app, action) allowed in one manifest and not the other, with the change behind it.
/// Apps are matched by name. Actions range over the concrete actions written in either manifest, and over
/// every action a grant's glob pattern matches: a change there is reported as the pattern, with the concrete
/// actions it covers ([`AppAction::covers`]).
pub fn diff(old_access: super::Access<'_>, new_access: super::Access<'_>) -> AccessDiff {
    let (old, new) = (old_access.model(), new_access.model());
    let old_keys: HashSet<RuleKey<'_>> = old_access.index().rules().iter().map(key).collect();
    let new_keys: HashSet<RuleKey<'_>> = new_access.index().rules().iter().map(key).collect();
    let names: BTreeSet<&str> = old
        .ids()
        .map(|id| old.name(id))
        .chain(new.ids().map(|id| new.name(id)))
        .collect();
    let union: BTreeSet<&str> = (old_access.index().vocabulary().iter())
        .chain(new_access.index().vocabulary())
        .map(String::as_str)
        .collect();
    let over = |access: &super::Access<'_>| -> Vec<(&str, Act<'_>)> {
        union
            .iter()
            .filter_map(|&name| access.action(name).ok().map(|act| (name, act)))
            .collect()
    };
    let (old_actions, new_actions) = (over(&old_access), over(&new_access));
    let mut grouped: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    let (mut gained, mut lost) = (0, 0);
    for name in names {
        let (old_id, new_id) = (old.id(name), new.id(name));
        let found = witnesses(
            old_id.map(|id| (old_access, id)),
            new_id.map(|id| (new_access, id)),
        );
        let before = View::of(old_id.map(|id| {
            old_access.effective_over(id, &with_witnesses(&old_access, &old_actions, &found))
        }));
        let after = View::of(new_id.map(|id| {
            new_access.effective_over(id, &with_witnesses(&new_access, &new_actions, &found))
        }));
        let app_only_in_one = old.id(name).is_none() || new.id(name).is_none();
        let directions = [
            (
                true,
                &before,
                &after,
                &old_keys,
                &new_keys,
                ChangeKind::GrantAdded,
                ChangeKind::DenyRemoved,
            ),
            (
                false,
                &after,
                &before,
                &new_keys,
                &old_keys,
                ChangeKind::GrantRemoved,
                ChangeKind::DenyAdded,
            ),
        ];
        for (gain, from, to, from_keys, to_keys, by_grant, by_deny) in directions {
            for (&(subject, action), sources) in &to.allowed {
                if from.allowed.contains_key(&(subject, action)) {
                    continue;
                }
                // The cause: a grant that only `to` has, else a deny that only `from` has.
                let cause = sources
                    .iter()
                    .find(|r| !from_keys.contains(&key(r.rule)))
                    .map(|r| (by_grant, Some(r)))
                    .or_else(|| {
                        from.denied.get(&(subject, action)).and_then(|denies| {
                            denies
                                .iter()
                                .find(|r| !to_keys.contains(&key(r.rule)))
                                .map(|r| (by_deny, Some(r)))
                        })
                    });
                let entry = change(
                    &mut grouped,
                    subject,
                    name,
                    cause,
                    app_only_in_one,
                    (old_access, new_access),
                );
                let (count, list) = if gain {
                    (&mut gained, &mut entry.gained)
                } else {
                    (&mut lost, &mut entry.lost)
                };
                *count += 1;
                list.push(match found.iter().find(|w| w.action == action) {
                    Some(w) => AppAction {
                        app: name.to_string(),
                        action: w.pattern.clone(),
                        covers: covered(&w.pattern, subject, from, to, &found),
                    },
                    None => AppAction {
                        app: name.to_string(),
                        action: action.to_string(),
                        covers: Vec::new(),
                    },
                });
            }
        }
    }
    AccessDiff {
        gained,
        lost,
        subjects: grouped
            .into_iter()
            .map(|(subject, changes)| SubjectChanges { subject, changes })
            .collect(),
    }
}

/// `actions` and the witness actions of `found`, resolved against `access`.
fn with_witnesses<'s>(
    access: &super::Access<'_>,
    actions: &[(&'s str, Act<'s>)],
    found: &'s [Witness],
) -> Vec<(&'s str, Act<'s>)> {
    let mut all = actions.to_vec();
    all.extend(found.iter().filter_map(|w| {
        let act = access.action(&w.action).ok()?;
        Some((w.action.as_str(), act))
    }));
    all
}

/// The concrete actions matching `pattern` that `subject` has in `to` and not in `from` (witnesses excluded).
fn covered(
    pattern: &str,
    subject: &str,
    from: &View<'_>,
    to: &View<'_>,
    found: &[Witness],
) -> Vec<String> {
    (to.allowed.keys())
        .filter(|&&(s, a)| {
            s == subject
                && glob_matches(pattern, a)
                && !from.allowed.contains_key(&(s, a))
                && found.iter().all(|w| w.action != a)
        })
        .map(|&(_, a)| a.to_string())
        .collect()
}

/// The change entry of `subject` for a cause, created on first use.
fn change<'g>(
    grouped: &'g mut BTreeMap<String, Vec<Change>>,
    subject: &str,
    app: &str,
    cause: Option<(ChangeKind, Option<&Reason<'_>>)>,
    app_only_in_one: bool,
    (old, new): (super::Access<'_>, super::Access<'_>),
) -> &'g mut Change {
    let (kind, reason) = match cause {
        Some(found) => found,
        None if app_only_in_one => (ChangeKind::AppAddedOrRemoved, None),
        None => (ChangeKind::TreeChanged, None),
    };
    let rule = reason.map(|r| r.rule.clone());
    let mut declared = reason.map(|r| r.declared.clone());
    let mut on = rule.as_ref().map_or(app, |r| r.app.as_str()).to_string();
    let mut kind = kind;
    if kind == ChangeKind::TreeChanged
        && let Some((at, place)) = changed_ceiling(old, new, app)
    {
        kind = ChangeKind::CeilingChanged;
        on = at;
        declared = Some(place);
    }
    let list = grouped.entry(subject.to_string()).or_default();
    let pos = list
        .iter()
        .position(|c| c.kind == kind && c.rule == rule && c.app == on);
    let pos = pos.unwrap_or_else(|| {
        list.push(Change {
            kind,
            rule,
            app: on,
            declared,
            gained: Vec::new(),
            lost: Vec::new(),
        });
        list.len() - 1
    });
    &mut list[pos]
}

/// The nearest app at or above `app` (in the new manifest, else the old) whose ceiling differs between
/// the two manifests, with where that ceiling is (or was) declared.
fn changed_ceiling(
    old_access: super::Access<'_>,
    new_access: super::Access<'_>,
    app: &str,
) -> Option<(String, Location)> {
    let (old_ix, new_ix) = (old_access.index(), new_access.index());
    let (old, new) = (old_access.model(), new_access.model());
    let id = new.id(app)?;
    std::iter::once(id).chain(new.ancestors(id)).find_map(|a| {
        let name = new.name(a);
        let before = old.id(name).and_then(|o| old_ix.ceiling(o));
        let after = new_ix.ceiling(a);
        if before == after {
            return None;
        }
        let place = match (after, old.id(name)) {
            (None, Some(o)) => old.locate(o, "/ceiling"),
            _ => new.locate(a, "/ceiling"),
        };
        Some((name.to_string(), place))
    })
}

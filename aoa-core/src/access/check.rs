//! `check`: may this subject (with these groups) do this action on this app, and why.

use super::Access;
use super::model::{Hot, NONE, Rule};
use super::pattern::{glob_matches, pattern_problem};
use super::subject::{SubjectKind, parse_subject};
use crate::diagnostic::Location;
use crate::error::{Error, Result};
use crate::manifest::AppId;
use serde::Serialize;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A grant applies and no deny does.
    Allowed,
    /// A deny applies (denies always win).
    Forbidden,
    /// No grant applies (see [`Decision::nearest_miss`]).
    NotGranted,
}

/// A rule that decided a check, with where it was declared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Reason<'a> {
    /// The grant, deny or identity need.
    #[serde(flatten)]
    pub rule: &'a Rule,
    /// Its place in the manifest.
    pub declared: &'a Location,
}

/// Why a grant of the asked action to the caller did not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MissKind {
    /// It is restricted to other environments than the app's `env` label.
    OtherEnv,
    /// It is declared on an ancestor with `propagate: false`.
    NotPropagated,
    /// It is declared on an app that is neither the app nor one of its ancestors.
    OtherSubtree,
    /// It applies, but a ceiling at or above the app does not allow the action.
    AboveCeiling,
}

/// The nearest grant that would have allowed the action but did not apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Miss<'a> {
    /// Why it did not apply.
    pub why: MissKind,
    /// The grant.
    pub grant: Reason<'a>,
    /// For [`MissKind::AboveCeiling`]: the app whose ceiling excludes the action.
    pub ceiling: Option<&'a str>,
    /// One line for people.
    pub message: String,
}

/// The answer of [`Access::check`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Decision<'a> {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// Allowed, forbidden (by a deny) or not granted.
    pub outcome: Outcome,
    /// Every grant that allowed it, or every deny that forbade it (empty when not granted).
    pub reasons: Vec<Reason<'a>>,
    /// When not granted: the nearest grant of the action to the caller that did not apply, if any.
    pub nearest_miss: Option<Miss<'a>>,
}

/// An action resolved against the vocabulary: an interned id, or text matched against patterns.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Act<'s> {
    Known(u32),
    Unknown(&'s str),
}

impl<'m> Access<'m> {
    /// Decides whether `subject` (`user:ID`, `group:ID` or `app:NAME`), also member of `groups` (ids,
    /// with or without `group:`), may do `action` on the app named `app`, naming every rule that decided.
    pub fn check<S: AsRef<str>>(
        &self,
        subject: &str,
        groups: &[S],
        action: &str,
        app: &str,
    ) -> Result<Decision<'m>> {
        let app = match self.ix.app_id(self.m, app) {
            Some(id) => id,
            None => self.m.app(app)?,
        };
        self.check_id(subject, groups, action, app)
    }

    /// [`Access::check`] on an app id, for callers that resolved it already.
    pub fn check_id<S: AsRef<str>>(
        &self,
        subject: &str,
        groups: &[S],
        action: &str,
        app: AppId,
    ) -> Result<Decision<'m>> {
        let act = self.action(action)?;
        let mut caller = self.caller(subject, groups)?;
        // An app's own identity on itself is also the subject of the secret grants of its chain.
        if subject.strip_prefix("app:") == Some(self.m.name(app)) {
            caller.extend(
                self.ix
                    .subject_id(SubjectKind::App, &super::SELF_SUBJECT[4..]),
            );
        }
        Ok(self.decide(&caller, act, app))
    }

    /// The interned ids of the subject and its groups that some rule names (others have no rules).
    pub(crate) fn caller<S: AsRef<str>>(&self, subject: &str, groups: &[S]) -> Result<Vec<u32>> {
        let (kind, id) =
            parse_subject(subject).map_err(|message| Error::InvalidArgument { message })?;
        let mut ids = Vec::with_capacity(1 + groups.len());
        ids.extend(self.ix.subject_id(kind, id));
        for g in groups {
            let g = g.as_ref();
            let g = g.strip_prefix("group:").unwrap_or(g);
            ids.extend(self.ix.subject_id(SubjectKind::Group, g));
        }
        Ok(ids)
    }

    /// Resolves an action, rejecting patterns and malformed text.
    pub(crate) fn action<'s>(&self, action: &'s str) -> Result<Act<'s>> {
        if let Some(id) = self.ix.actions.get(action) {
            return Ok(Act::Known(id));
        }
        match pattern_problem(action, false) {
            None => Ok(Act::Unknown(action)),
            Some(problem) => Err(Error::InvalidArgument {
                message: format!("invalid action: {problem}"),
            }),
        }
    }

    /// Whether action set `set` contains the action.
    pub(crate) fn set_has(&self, set: u32, act: Act<'_>) -> bool {
        match act {
            Act::Known(a) => {
                let word = self.ix.set_bits[set as usize * self.ix.words + a as usize / 64];
                word >> (a % 64) & 1 != 0
            }
            Act::Unknown(text) => self.ix.sets[set as usize]
                .iter()
                .any(|p| glob_matches(p, text)),
        }
    }

    /// Whether a rule's hot entry reaches the app at preorder `pos` with environment `env`.
    pub(crate) fn reaches(&self, h: &Hot, pos: u32, env: u32) -> bool {
        h.lo <= pos
            && pos < h.hi
            && (h.env == NONE || self.ix.env_sets[h.env as usize].contains(&env))
    }

    /// The app whose ceiling excludes the action on `app` (the nearest such), if any.
    pub(crate) fn ceiling_cut(&self, app: AppId, act: Act<'_>) -> Option<AppId> {
        let mut node = self.ix.ceiling_of[app.index()];
        if let Act::Known(a) = act {
            let chain_allows = node == NONE
                || self.ix.ceiling_bits[node as usize * self.ix.words + a as usize / 64]
                    >> (a % 64)
                    & 1
                    != 0;
            if chain_allows {
                return None;
            }
        }
        while node != NONE {
            let c = &self.ix.ceilings[node as usize];
            if !self.set_has(c.set, act) {
                return Some(c.app);
            }
            node = c.parent;
        }
        None
    }

    /// A rule with its declaration (located once, then cached).
    pub(crate) fn reason(&self, rule: u32) -> Reason<'m> {
        let r = &self.ix.rules[rule as usize];
        Reason {
            rule: r,
            declared: self.ix.declared[rule as usize]
                .get_or_init(|| self.m.locate(r.app_id, &r.suffix)),
        }
    }

    /// The decision for resolved inputs.
    pub(crate) fn decide(&self, caller: &[u32], act: Act<'_>, app: AppId) -> Decision<'m> {
        let ix = self.ix;
        let [pos, env] = ix.place[app.index()];
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        for &s in caller {
            let (deny, allow) = ix.rules_of(s);
            for h in deny {
                if self.reaches(h, pos, env) && self.set_has(h.set, act) {
                    denies.push(h.rule);
                }
            }
            for h in allow {
                if self.reaches(h, pos, env) && self.set_has(h.set, act) {
                    allows.push(h.rule);
                }
            }
        }
        if !denies.is_empty() {
            denies.sort_unstable();
            return Decision {
                allowed: false,
                outcome: Outcome::Forbidden,
                reasons: denies.into_iter().map(|r| self.reason(r)).collect(),
                nearest_miss: None,
            };
        }
        if let Some(&first) = allows.iter().min() {
            if let Some(cut) = self.ceiling_cut(app, act) {
                let grant = self.reason(first);
                let message = format!(
                    "the grant on `{}` applies, but the ceiling of `{}` does not allow the action",
                    grant.rule.app,
                    self.m.name(cut)
                );
                return Decision {
                    allowed: false,
                    outcome: Outcome::NotGranted,
                    reasons: Vec::new(),
                    nearest_miss: Some(Miss {
                        why: MissKind::AboveCeiling,
                        grant,
                        ceiling: Some(self.m.name(cut)),
                        message,
                    }),
                };
            }
            allows.sort_unstable();
            return Decision {
                allowed: true,
                outcome: Outcome::Allowed,
                reasons: allows.into_iter().map(|r| self.reason(r)).collect(),
                nearest_miss: None,
            };
        }
        Decision {
            allowed: false,
            outcome: Outcome::NotGranted,
            reasons: Vec::new(),
            nearest_miss: self.nearest_miss(caller, act, app),
        }
    }

    /// Among the caller's grants of the action that do not reach the app, the one declared nearest to
    /// it in the tree (ties: the first declared).
    fn nearest_miss(&self, caller: &[u32], act: Act<'_>, app: AppId) -> Option<Miss<'m>> {
        let ix = self.ix;
        let [pos, _] = ix.place[app.index()];
        // On the app's own path, the deepest ancestor (the largest preorder number) is nearest; off it,
        // the grant whose subtree starts closest to the app in preorder. Both read only the hot entry.
        let mut best: Option<(bool, u32, u32)> = None;
        for &s in caller {
            for h in ix.rules_of(s).1 {
                if !self.set_has(h.set, act) {
                    continue;
                }
                let on_path = h.lo <= pos && pos < h.end;
                let key = (!on_path, pos.abs_diff(h.lo), h.rule);
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
        }
        let (_, _, rule) = best?;
        let grant = self.reason(rule);
        let r = grant.rule;
        let target = self.m.name(app);
        let above = ix.contains(r.app_id, app);
        let (why, message) = if above && !r.propagate && r.app_id != app {
            (
                MissKind::NotPropagated,
                format!(
                    "the grant to `{}` on `{}` has `propagate: false`, so it does not reach `{target}`",
                    r.subject, r.app
                ),
            )
        } else if above {
            let env = self
                .m
                .labels(app)
                .get("env")
                .map_or("no `env` label".to_string(), |e| format!("`env: {e}`"));
            (
                MissKind::OtherEnv,
                format!(
                    "the grant to `{}` on `{}` is restricted to env `{}`, and `{target}` has {env}",
                    r.subject,
                    r.app,
                    r.env.join("`, `")
                ),
            )
        } else {
            (
                MissKind::OtherSubtree,
                format!(
                    "the grant to `{}` is on `{}`, which is not `{target}` or one of its ancestors",
                    r.subject, r.app
                ),
            )
        };
        Some(Miss {
            why,
            grant,
            ceiling: None,
            message,
        })
    }
}

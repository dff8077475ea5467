//! Effective permissions: who may do what on an app (`effective`, `who_can`) and what one caller may do
//! everywhere (`what_can`). Actions are enumerated over the manifest's vocabulary (every concrete action
//! written in it); `check` answers for any action.

#![expect(
    clippy::cast_possible_truncation,
    reason = "action indexes are u32, bounded by the manifest's vocabulary"
)]

use super::Access;
use super::check::{Act, Reason};
use super::model::NONE;
use super::parse::Effect;
use crate::error::Result;
use crate::manifest::AppId;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// One action of a subject on an app, with the rules behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct ActionAccess<'a> {
    /// The action, or a grant's glob pattern (`read:*`).
    pub action: &'a str,
    /// The grants that allow it (for an allowed action) or the denies that forbid it (for a denied one).
    pub sources: Vec<Reason<'a>>,
    /// For a pattern: only some of the actions it matches are allowed (a deny or a ceiling takes the
    /// others; `check` tells which). Absent when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

/// What one subject may do on an app.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct SubjectAccess<'a> {
    /// The subject (`user:alice`, `group:ops`, `app:x`).
    pub subject: &'a str,
    /// The allowed actions, in vocabulary order, then the glob patterns of grants through which some
    /// action is allowed (`*`, `read:*`).
    pub allowed: Vec<ActionAccess<'a>>,
    /// Actions granted to it but forbidden by a deny.
    pub denied: Vec<ActionAccess<'a>>,
}

/// The answer of [`Access::effective`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Effective<'a> {
    /// The app.
    pub app: &'a str,
    /// Every subject a rule reaching the app names, in first-seen order.
    pub subjects: Vec<SubjectAccess<'a>>,
}

/// One subject allowed an action, with the grants that allow it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Who<'a> {
    /// The subject.
    pub subject: &'a str,
    /// The grants that allow it.
    pub sources: Vec<Reason<'a>>,
}

/// The answer of [`Access::who_can`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct WhoCan<'a> {
    /// The app.
    pub app: &'a str,
    /// The action.
    pub action: String,
    /// Every subject allowed it (users of allowed groups are not listed: groups come from tokens).
    pub subjects: Vec<Who<'a>>,
}

/// The actions a caller may do on one app.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct AppActions<'a> {
    /// The app.
    pub app: &'a str,
    /// The allowed actions, in vocabulary order, then the glob patterns of grants through which some
    /// action is allowed.
    pub actions: Vec<&'a str>,
}

/// The answer of [`Access::what_can`]: every app where the caller may do something, in input order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct WhatCan<'a> {
    /// The apps with at least one allowed action.
    pub apps: Vec<AppActions<'a>>,
}

impl<'m> Access<'m> {
    /// Every rule reaching the app (declared on it or on an ancestor, propagating, env matching), in
    /// declaration order.
    pub(crate) fn reaching(&self, app: AppId) -> Vec<u32> {
        let ix = self.ix;
        let [pos, env] = ix.place[app.index()];
        let mut out: Vec<u32> = std::iter::once(app)
            .chain(self.m.ancestors(app))
            .flat_map(|a| {
                &ix.app_rules
                    [ix.app_start[a.index()] as usize..ix.app_start[a.index() + 1] as usize]
            })
            .copied()
            .filter(|&r| self.reaches(&ix.rule_hot[r as usize], pos, env))
            .collect();
        out.sort_unstable();
        out
    }

    /// Every subject with its allowed (and denied) actions on the app named `app`, each with its sources.
    pub fn effective(&self, app: &str) -> Result<Effective<'m>> {
        let id = self.m.app(app)?;
        Ok(self.effective_id(id))
    }

    /// [`Access::effective`] on an app id: every concrete action the manifest writes, then every glob
    /// pattern of a grant through which the subject is allowed at least one action (with its grants).
    pub fn effective_id(&self, app: AppId) -> Effective<'m> {
        let vocabulary: Vec<(&'m str, Act<'m>)> = (self.ix.actions.names.iter())
            .enumerate()
            .map(|(a, name)| (name.as_str(), Act::Known(a as u32)))
            .collect();
        let mut effective = self.effective_over(app, &vocabulary);
        let ix = self.ix;
        let reaching = self.reaching(app);
        let is_glob_grant = |r: u32| {
            let rule = &ix.rules[r as usize];
            rule.effect != Effect::Deny && rule.actions.iter().any(|a| a.contains('*'))
        };
        if !reaching.iter().any(|&r| is_glob_grant(r)) {
            return effective;
        }
        let mut by_subject: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
        for &r in &reaching {
            by_subject
                .entry(ix.rules[r as usize].subject.as_str())
                .or_default()
                .push(r);
        }
        let ceilings = self.ceiling_chain(app);
        for s in &mut effective.subjects {
            let Some(rules) = by_subject.get(s.subject) else {
                continue;
            };
            if !rules.iter().any(|&r| is_glob_grant(r)) {
                continue;
            }
            for glob in self.allowed_globs(rules, ceilings.clone()) {
                let sources = (rules.iter())
                    .filter(|&&r| {
                        let rule = &ix.rules[r as usize];
                        rule.effect != Effect::Deny
                            && rule.actions.iter().any(|a| a == glob.pattern)
                    })
                    .map(|&r| self.reason(r))
                    .collect();
                s.allowed.push(ActionAccess {
                    action: glob.pattern,
                    sources,
                    partial: glob.partial,
                });
            }
        }
        effective
    }

    /// [`Access::effective`] over a given list of actions (those of another manifest too, for `diff`).
    pub(crate) fn effective_over<'s>(
        &self,
        app: AppId,
        actions: &[(&'s str, Act<'s>)],
    ) -> Effective<'s>
    where
        'm: 's,
    {
        let ix = self.ix;
        let mut rules = self.reaching(app);
        rules.sort_by_key(|&r| (ix.rule_subject[r as usize], r));
        let mut subjects = Vec::new();
        for group in
            rules.chunk_by(|&a, &b| ix.rule_subject[a as usize] == ix.rule_subject[b as usize])
        {
            let subject = ix.subjects[ix.rule_subject[group[0] as usize] as usize].as_str();
            let mut allowed = Vec::new();
            let mut denied = Vec::new();
            for &(action, act) in actions {
                let has = |deny: bool| -> Vec<Reason<'s>> {
                    group
                        .iter()
                        .filter(|&&r| (ix.rules[r as usize].effect == Effect::Deny) == deny)
                        .filter(|&&r| self.set_has(ix.rule_hot[r as usize].set, act))
                        .map(|&r| self.reason(r))
                        .collect()
                };
                let grants = has(false);
                if grants.is_empty() || self.ceiling_cut(app, act).is_some() {
                    continue;
                }
                let denies = has(true);
                if denies.is_empty() {
                    allowed.push(ActionAccess {
                        action,
                        sources: grants,
                        partial: false,
                    });
                } else {
                    denied.push(ActionAccess {
                        action,
                        sources: denies,
                        partial: false,
                    });
                }
            }
            subjects.push(SubjectAccess {
                subject,
                allowed,
                denied,
            });
        }
        Effective {
            app: self.m.name(app),
            subjects,
        }
    }

    /// Every subject named in the manifest that may do `action` on the app named `app`.
    pub fn who_can(&self, action: &str, app: &str) -> Result<WhoCan<'m>> {
        let id = self.m.app(app)?;
        let act = self.action(action)?;
        let ix = self.ix;
        let mut subjects = Vec::new();
        if self.ceiling_cut(id, act).is_none() {
            let mut rules = self.reaching(id);
            rules.retain(|&r| self.set_has(ix.rule_hot[r as usize].set, act));
            rules.sort_by_key(|&r| (ix.rule_subject[r as usize], r));
            for group in
                rules.chunk_by(|&a, &b| ix.rule_subject[a as usize] == ix.rule_subject[b as usize])
            {
                if group
                    .iter()
                    .any(|&r| ix.rules[r as usize].effect == Effect::Deny)
                {
                    continue;
                }
                subjects.push(Who {
                    subject: ix.subjects[ix.rule_subject[group[0] as usize] as usize].as_str(),
                    sources: group.iter().map(|&r| self.reason(r)).collect(),
                });
            }
        }
        Ok(WhoCan {
            app: self.m.name(id),
            action: action.to_string(),
            subjects,
        })
    }

    /// Every app where `subject`, also member of `groups`, may do something, with the actions.
    pub fn what_can<S: AsRef<str>>(&self, subject: &str, groups: &[S]) -> Result<WhatCan<'m>> {
        let ix = self.ix;
        let caller = self.caller(subject, groups)?;
        let allows: Vec<_> = caller.iter().flat_map(|&s| ix.rules_of(s).1).collect();
        let denies: Vec<_> = caller.iter().flat_map(|&s| ix.rules_of(s).0).collect();
        let mut apps = Vec::new();
        let mut bits = vec![0u64; ix.words];
        // Glob patterns are listed too; their answer depends only on the rules and the ceiling chain, so it
        // is computed once per distinct pair.
        let globs_possible = (allows.iter()).any(|h| {
            ix.rules[h.rule as usize]
                .actions
                .iter()
                .any(|a| a.contains('*'))
        });
        let mut memo: FxHashMap<(Vec<u32>, u32), Vec<&'m str>> = FxHashMap::default();
        let patterns = |globs: Vec<super::glob_gains::AllowedGlob<'m>>| -> Vec<&'m str> {
            globs.into_iter().map(|g| g.pattern).collect()
        };
        for app in self.m.ids() {
            let [pos, env] = ix.place[app.index()];
            bits.fill(0);
            let mut any = false;
            for h in allows.iter().filter(|h| self.reaches(h, pos, env)) {
                let set = &ix.set_bits[h.set as usize * ix.words..][..ix.words];
                bits.iter_mut().zip(set).for_each(|(b, s)| *b |= s);
                any = true;
            }
            if !any {
                continue;
            }
            for h in denies.iter().filter(|h| self.reaches(h, pos, env)) {
                let set = &ix.set_bits[h.set as usize * ix.words..][..ix.words];
                bits.iter_mut().zip(set).for_each(|(b, s)| *b &= !s);
            }
            let node = ix.ceiling_of[app.index()];
            if node != NONE {
                let ceiling = &ix.ceiling_bits[node as usize * ix.words..][..ix.words];
                bits.iter_mut().zip(ceiling).for_each(|(b, c)| *b &= c);
            }
            let mut actions: Vec<&str> = ix
                .actions
                .names
                .iter()
                .enumerate()
                .filter(|(a, _)| bits[a / 64] >> (a % 64) & 1 != 0)
                .map(|(_, name)| name.as_str())
                .collect();
            if globs_possible {
                let rules: Vec<u32> = (allows.iter().chain(&denies))
                    .filter(|h| self.reaches(h, pos, env))
                    .map(|h| h.rule)
                    .collect();
                let globs = memo.entry((rules.clone(), node)).or_insert_with(|| {
                    patterns(self.allowed_globs(&rules, self.ceiling_chain(app)))
                });
                actions.extend(globs.iter().copied());
            }
            if !actions.is_empty() {
                apps.push(AppActions {
                    app: self.m.name(app),
                    actions,
                });
            }
        }
        Ok(WhatCan { apps })
    }
}

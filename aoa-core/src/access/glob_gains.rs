//! Gains and losses that exist only through glob patterns: for one app, per subject, an action that one
//! manifest allows and the other does not, found exactly over the patterns involved (grants, denies and the
//! ceilings on the chain to the root) — even when neither manifest spells such an action out.

use super::Access;
use super::glob_set::{Search, witness};
use super::parse::Effect;
use super::pattern::glob_contains;
use crate::manifest::AppId;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

/// An action that became allowed (or stopped being allowed) for some subject, standing for the glob
/// pattern of a grant that allows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Witness {
    /// A concrete action the pattern matches whose answer changed.
    pub action: String,
    /// The glob pattern of the grant it stands for (`secrets:*`).
    pub pattern: String,
}

/// What decides one subject's actions on one app: the patterns of the grants and denies reaching it and
/// the ceilings on its chain to the root.
#[derive(Debug, Default, PartialEq, Eq)]
struct Terms<'a> {
    allow: Vec<&'a str>,
    deny: Vec<&'a str>,
    ceilings: Vec<&'a [String]>,
}

impl<'m> Access<'m> {
    /// The ceilings on the chain from `app` to the root, nearest first.
    pub(crate) fn ceiling_chain(&self, app: AppId) -> Vec<&'m [String]> {
        let ix = self.ix;
        let mut ceilings: Vec<&'m [String]> = Vec::new();
        let mut node = ix.ceiling_of[app.index()];
        while node != super::model::NONE {
            let c = &ix.ceilings[node as usize];
            ceilings.push(&ix.sets[c.set as usize]);
            node = c.parent;
        }
        ceilings
    }

    /// The terms of every subject that a rule reaching `app` names.
    fn terms(&self, app: AppId) -> BTreeMap<&'m str, Terms<'m>> {
        let ix = self.ix;
        let mut by_subject: BTreeMap<&'m str, Vec<u32>> = BTreeMap::new();
        for r in self.reaching(app) {
            by_subject
                .entry(ix.rules[r as usize].subject.as_str())
                .or_default()
                .push(r);
        }
        let ceilings = self.ceiling_chain(app);
        (by_subject.into_iter())
            .map(|(subject, rules)| (subject, self.terms_of(&rules, ceilings.clone())))
            .collect()
    }

    /// The terms made of the rules `rules` (indexes into the index's rules) under `ceilings`.
    fn terms_of(&self, rules: &[u32], ceilings: Vec<&'m [String]>) -> Terms<'m> {
        let mut terms = Terms {
            ceilings,
            ..Terms::default()
        };
        for &r in rules {
            let rule = &self.ix.rules[r as usize];
            let list = match rule.effect {
                Effect::Deny => &mut terms.deny,
                Effect::Grant | Effect::Identity => &mut terms.allow,
            };
            list.extend(rule.actions.iter().map(String::as_str));
        }
        for list in [&mut terms.allow, &mut terms.deny] {
            list.sort_unstable();
            list.dedup();
        }
        terms
    }

    /// The glob patterns of the grants among `rules` (rules reaching one app) through which at least one
    /// action is allowed under `ceilings` (the app's chain), each marked partial when not all of it is.
    pub(crate) fn allowed_globs(
        &self,
        rules: &[u32],
        ceilings: Vec<&'m [String]>,
    ) -> Vec<AllowedGlob<'m>> {
        allowed_globs(&self.terms_of(rules, ceilings))
    }
}

/// A glob pattern of a grant through which some action is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AllowedGlob<'a> {
    /// The pattern.
    pub pattern: &'a str,
    /// Whether only some of the actions it matches are allowed (a deny or a ceiling takes the others).
    pub partial: bool,
}

/// The glob patterns of the grants of `terms` that allow at least one action (a search too large to decide
/// counts as allowing, partially: the pattern is listed rather than hidden).
fn allowed_globs<'a>(terms: &Terms<'a>) -> Vec<AllowedGlob<'a>> {
    let none = Terms::default();
    let mut question = None;
    let mut found = Vec::new();
    for (i, pattern) in terms.allow.iter().enumerate() {
        if !pattern.contains('*') {
            continue;
        }
        // The common cases need no search: a deny containing the pattern takes all of it; with no deny
        // and a ceiling pattern containing it on every ceiling of the chain, all of it is allowed.
        if terms.deny.iter().any(|d| glob_contains(d, pattern)) {
            continue;
        }
        if terms.deny.is_empty()
            && (terms.ceilings.iter()).all(|c| c.iter().any(|p| glob_contains(p, pattern)))
        {
            found.push(AllowedGlob {
                pattern,
                partial: false,
            });
            continue;
        }
        let question = question.get_or_insert_with(|| Question::new(&none, terms));
        let at = question.allow_start(true) + i;
        let some = witness(&question.patterns, |m| m[at] && question.allowed(m, true));
        if some == Search::None {
            continue;
        }
        let not_all = witness(&question.patterns, |m| m[at] && !question.allowed(m, true));
        found.push(AllowedGlob {
            pattern,
            partial: some == Search::TooLarge || not_all != Search::None,
        });
    }
    found
}

/// For every subject whose terms differ between `old` and `new` on one app (absent on one side: nothing is
/// allowed there), one witness per glob pattern of a grant through which an action was gained or lost.
pub(crate) fn witnesses(
    old: Option<(Access<'_>, AppId)>,
    new: Option<(Access<'_>, AppId)>,
) -> Vec<Witness> {
    let old_terms = old.map(|(a, id)| a.terms(id)).unwrap_or_default();
    let new_terms = new.map(|(a, id)| a.terms(id)).unwrap_or_default();
    let none = Terms::default();
    let mut found = Vec::new();
    let subjects: BTreeSet<&str> = old_terms.keys().chain(new_terms.keys()).copied().collect();
    for subject in subjects {
        let before = old_terms.get(subject).unwrap_or(&none);
        let after = new_terms.get(subject).unwrap_or(&none);
        if before == after {
            continue;
        }
        let question = Question::new(before, after);
        for (gain, side) in [(true, after), (false, before)] {
            for (i, pattern) in side.allow.iter().enumerate() {
                if !pattern.contains('*') {
                    continue; // a concrete action is in the vocabulary, where the diff already looks
                }
                let at = question.allow_start(gain) + i;
                let action = match witness(&question.patterns, |m| {
                    m[at] && question.allowed(m, gain) && !question.allowed(m, !gain)
                }) {
                    Search::Found(action) => action,
                    Search::None => continue,
                    // Too many states to decide: report the pattern, standing for itself.
                    Search::TooLarge => (*pattern).to_string(),
                };
                found.push(Witness {
                    action,
                    pattern: (*pattern).to_string(),
                });
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The patterns of both sides in one list, with where each side's groups start.
struct Question<'a> {
    patterns: Vec<&'a str>,
    /// Per side (before, after): the ranges of allow, deny, and each ceiling.
    sides: [Ranges; 2],
}

struct Ranges {
    allow: Range<usize>,
    deny: Range<usize>,
    ceilings: Vec<Range<usize>>,
}

impl Ranges {
    /// Appends the patterns of `terms` to `patterns` and says where each group went.
    fn push<'a>(patterns: &mut Vec<&'a str>, terms: &Terms<'a>) -> Ranges {
        let mut group = |list: &mut dyn Iterator<Item = &'a str>| {
            let start = patterns.len();
            patterns.extend(list);
            start..patterns.len()
        };
        Ranges {
            allow: group(&mut terms.allow.iter().copied()),
            deny: group(&mut terms.deny.iter().copied()),
            ceilings: (terms.ceilings.iter())
                .map(|c| group(&mut c.iter().map(String::as_str)))
                .collect(),
        }
    }
}

impl<'a> Question<'a> {
    fn new(before: &Terms<'a>, after: &Terms<'a>) -> Self {
        let mut patterns = Vec::new();
        let before_ranges = Ranges::push(&mut patterns, before);
        let after_ranges = Ranges::push(&mut patterns, after);
        Question {
            sides: [before_ranges, after_ranges],
            patterns,
        }
    }

    /// Where the grant patterns of one side (`after`, or before) start in [`Question::patterns`].
    fn allow_start(&self, after: bool) -> usize {
        self.sides[usize::from(after)].allow.start
    }

    /// Whether an action matching exactly the patterns `m` is allowed on one side (`after` or before), as
    /// `check` decides: a grant matches, no deny does, and every ceiling on the chain has a matching pattern.
    fn allowed(&self, m: &[bool], after: bool) -> bool {
        let side = &self.sides[usize::from(after)];
        let any = |r: &Range<usize>| m[r.clone()].iter().any(|&x| x);
        any(&side.allow) && !any(&side.deny) && side.ceilings.iter().all(any)
    }
}

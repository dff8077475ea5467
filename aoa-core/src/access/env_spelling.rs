//! `env` labels that look like an environment a deny above them names but are not it.
//!
//! Environments match exactly, byte for byte (`prod` is not `Prod`): a deny restricted to `env: [prod]`
//! reaches only apps whose own `env` label is exactly `prod`. An app sets its own label, so a child could
//! step out from under a parent's deny by writing `Prod`, `PROD` or `pro_d`. That is a finding here: an
//! app whose `env` label folds (letters and digits only, lowercased) to the same word as an environment of a
//! deny that reaches its place in the tree, but is spelled differently, is an `env-spelling` problem.
//! A different word (`production`) or no label at all is not caught: such a deny covers only apps labelled
//! with its exact spelling, which `docs/permissions.md` says.
//!
//! Linear in apps and rules, plus `log` per labelled app: deny ranges are grouped by folded environment and
//! spelling, sorted by start, with a running maximum of their ends.

use super::model::{AccessIndex, NONE, Rule};
use super::parse::Effect;
use crate::diagnostic::{Diagnostic, escaped};
use crate::manifest::{AppId, Model};
use rustc_hash::FxHashMap;

/// The ranges of the denies naming one spelling of an environment: `(start, running max end, rule)`,
/// sorted by start.
type Ranges = Vec<(u32, u32, usize)>;

/// Every app whose `env` label is a different spelling of an environment a deny reaching it names.
pub(super) fn check(m: &Model, ix: &AccessIndex, rules: &[Rule]) -> Vec<Diagnostic> {
    // folded environment -> spelling -> ranges
    let mut by_fold: FxHashMap<String, FxHashMap<&str, Ranges>> = FxHashMap::default();
    for (i, rule) in rules.iter().enumerate() {
        if rule.effect != Effect::Deny {
            continue;
        }
        let lo = ix.place[rule.app_id.index()][0];
        let hi = if rule.propagate {
            ix.tout[rule.app_id.index()]
        } else {
            lo + 1
        };
        for env in &rule.env {
            let folded = fold(env);
            if !folded.is_empty() {
                let spellings = by_fold.entry(folded).or_default();
                spellings.entry(env.as_str()).or_default().push((lo, hi, i));
            }
        }
    }
    if by_fold.is_empty() {
        return Vec::new();
    }
    for ranges in by_fold.values_mut().flat_map(|s| s.values_mut()) {
        ranges.sort_unstable();
        let mut best = (0, usize::MAX);
        for range in ranges.iter_mut() {
            if range.1 > best.0 {
                best = (range.1, range.2);
            }
            (range.1, range.2) = best;
        }
    }
    // Each interned label's group of deny spellings, folded once.
    let groups: Vec<Option<&FxHashMap<&str, Ranges>>> = ix
        .envs
        .names
        .iter()
        .map(|label| by_fold.get(&fold(label)))
        .collect();
    let mut found = Vec::new();
    for id in m.ids() {
        let [pre, env] = ix.place[id.index()];
        let Some(spellings) = groups
            .get(env as usize)
            .copied()
            .flatten()
            .filter(|_| env != NONE)
        else {
            continue;
        };
        let label = &ix.envs.names[env as usize];
        let reaching = spellings
            .iter()
            .filter(|(spelling, _)| **spelling != label.as_str())
            .find_map(|(spelling, ranges)| {
                let before = ranges.partition_point(|r| r.0 <= pre);
                let &(_, end, rule) = ranges.get(before.checked_sub(1)?)?;
                (end > pre).then_some((*spelling, rule))
            });
        if let Some((spelling, rule)) = reaching {
            found.push(finding(m, id, label, spelling, &rules[rule]));
        }
    }
    found
}

fn finding(m: &Model, id: AppId, label: &str, spelling: &str, deny: &Rule) -> Diagnostic {
    let declared = m.locate(deny.app_id, &deny.suffix);
    let message = format!(
        "`env: {}` differs only in case or punctuation from `{}`, which the deny to `{}` on `{}` names: \
         environments match exactly, so that deny does not reach this app",
        escaped(label),
        escaped(spelling),
        escaped(&deny.subject),
        escaped(&deny.app),
    );
    m.diagnostic_at(id, "/labels/env", Diagnostic::new("env-spelling", message)).with_hint(format!(
        "write `env: {}` (the deny is at {declared}), or give a different environment a name that is not a respelling of it",
        escaped(spelling)
    ))
}

/// An environment reduced to its letters and digits, lowercased: `Prod`, `PROD` and `p-rod` fold to `prod`.
fn fold(env: &str) -> String {
    env.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

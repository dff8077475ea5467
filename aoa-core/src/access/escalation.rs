//! Escalation checks: every grant and every app identity's needs must fit inside the ceilings of its app
//! and all its ancestors.

use super::model::{AccessIndex, NONE, Rule};
use super::parse::Effect;
use super::pattern::not_covered;
use crate::diagnostic::Diagnostic;
use crate::manifest::Model;

/// One diagnostic per (rule, ceiling) pair where the rule asks for actions the ceiling does not allow;
/// each offending pattern is reported at the nearest ceiling that forbids it.
pub(crate) fn check(m: &Model, ix: &AccessIndex, rules: &[Rule]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in rules.iter().filter(|r| r.effect != Effect::Deny) {
        let mut reported: Vec<&str> = Vec::new();
        let mut node = ix.ceiling_of[rule.app_id.index()];
        while node != NONE {
            let ceiling = &ix.ceilings[node as usize];
            let offending: Vec<&str> = not_covered(&ix.sets[ceiling.set as usize], &rule.actions)
                .into_iter()
                .filter(|a| !reported.contains(a))
                .collect();
            if !offending.is_empty() {
                let what = match rule.effect {
                    Effect::Identity => "the identity of",
                    _ => "a grant on",
                };
                let d = Diagnostic::new(
                    "escalation",
                    format!(
                        "{what} `{}` gives `{}` the actions `{}`, beyond the ceiling of `{}` declared at {}",
                        rule.app,
                        rule.subject,
                        offending.join("`, `"),
                        m.name(ceiling.app),
                        m.locate(ceiling.app, "/ceiling")
                    ),
                )
                .with_hint(format!(
                    "narrow the actions to fit `{}` (ceiling: {}), or widen that ceiling",
                    m.name(ceiling.app),
                    ix.sets[ceiling.set as usize].join(", ")
                ));
                out.push(m.diagnostic_at(rule.app_id, &rule.suffix, d));
                reported.extend(offending);
            }
            node = ceiling.parent;
        }
    }
    out
}

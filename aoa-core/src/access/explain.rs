//! Decisions and rules as text for people: the lines `aoa check --explain` prints, shared by every tool that
//! explains a decision (the token exchange refuses an ungranted scope with exactly this text).

use super::check::{Decision, MissKind, Outcome, Reason};
use super::model::Rule;
use super::parse::Effect;
use std::fmt::Write;

/// One rule: `grant to `group:ops` (role `deployer`: deploy, read:*) on `team-x`, env prod`.
pub fn describe(rule: &Rule) -> String {
    let what = match &rule.role {
        Some(role) => format!("role `{role}`: {}", rule.actions.join(", ")),
        None => rule.actions.join(", "),
    };
    let mut text = format!(
        "{} to `{}` ({what}) on `{}`",
        effect_word(rule.effect),
        rule.subject,
        rule.app
    );
    if !rule.env.is_empty() {
        let _ = write!(text, ", env {}", rule.env.join(", "));
    }
    if !rule.propagate {
        text.push_str(", not propagated");
    }
    text
}

/// `grant`, `deny` or `identity need`.
pub fn effect_word(effect: Effect) -> &'static str {
    match effect {
        Effect::Grant => "grant",
        Effect::Deny => "deny",
        Effect::Identity => "identity need",
    }
}

/// Two lines for a rule: `  {verb}{rule}` and `    at {location}`.
pub fn reason_lines(verb: &str, r: &Reason<'_>) -> String {
    format!("  {verb}{}\n    at {}\n", describe(r.rule), r.declared)
}

/// The text of `aoa check [--explain]`: the verdict line, then (with `reasons`) every rule that decided or
/// the nearest grant that did not apply.
pub fn explain<S: AsRef<str>>(
    d: &Decision<'_>,
    subject: &str,
    groups: &[S],
    action: &str,
    app: &str,
    reasons: bool,
) -> String {
    let groups: Vec<&str> = groups.iter().map(AsRef::as_ref).collect();
    let groups = if groups.is_empty() {
        String::new()
    } else {
        format!(" (groups: {})", groups.join(", "))
    };
    let who = format!("`{subject}`{groups} `{action}` on `{app}`");
    let mut out = match d.outcome {
        Outcome::Allowed => format!("allowed: {who}\n"),
        Outcome::Forbidden => format!("denied (forbidden): {who}\n"),
        Outcome::NotGranted => format!("denied (not granted): {who}\n"),
    };
    if !reasons {
        return out;
    }
    let verb = match d.outcome {
        Outcome::Allowed => "allowed by ",
        _ => "forbidden by ",
    };
    for r in &d.reasons {
        out.push_str(&reason_lines(verb, r));
    }
    match &d.nearest_miss {
        Some(miss) => {
            let label = match miss.why {
                MissKind::OtherEnv => "other env",
                MissKind::NotPropagated => "not propagated",
                MissKind::OtherSubtree => "other subtree",
                MissKind::AboveCeiling => "above ceiling",
            };
            let _ = writeln!(
                out,
                "  nearest grant that did not apply ({label}): {}",
                miss.message
            );
            out.push_str(&reason_lines("", &miss.grant));
        }
        None if d.outcome == Outcome::NotGranted => {
            let _ = writeln!(
                out,
                "  no grant to this subject or its groups covers `{action}` anywhere"
            );
        }
        None => {}
    }
    out
}

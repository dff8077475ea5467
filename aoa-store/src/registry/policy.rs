//! The policy every apply passes: required scopes some ancestor allows, and no permission gained unless
//! gains are allowed (the gains listed as `aoa diff` lists them, from the core's own diff).

use super::record::AppRecord;
use aoa_core::access::{AccessDiff, Effect, glob_contains};
use aoa_core::{Diagnostic, Error, Manifest, Result};
use std::collections::HashMap;

/// Checks that every scope an app requires (its `identity` needs) is allowed by the grants or the ceiling of
/// one of its ancestors.
///
/// # Errors
/// [`Error::Escalation`] with one `scope-not-allowed` diagnostic per (app, scope), naming the nearest
/// ancestor (or saying the app has none).
pub fn check_scopes(manifest: &Manifest) -> Result<()> {
    let model = manifest.model();
    let index = manifest.access().index();
    let mut grants: HashMap<&str, Vec<&str>> = HashMap::new();
    for rule in index.rules() {
        if rule.effect == Effect::Grant {
            grants
                .entry(rule.app.as_str())
                .or_default()
                .extend(rule.actions.iter().map(String::as_str));
        }
    }
    let mut problems = Vec::new();
    for rule in index
        .rules()
        .iter()
        .filter(|r| r.effect == Effect::Identity)
    {
        let Some(id) = model.id(&rule.app) else {
            continue;
        };
        for scope in &rule.actions {
            let allowed = model.ancestors(id).any(|a| {
                let by_grant = grants
                    .get(model.name(a))
                    .is_some_and(|g| g.iter().any(|p| glob_contains(p, scope)));
                let by_ceiling = index
                    .ceiling(a)
                    .is_some_and(|c| c.iter().any(|p| glob_contains(p, scope)));
                by_grant || by_ceiling
            });
            if allowed {
                continue;
            }
            let nearest = model.parent(id).map(|p| model.name(p).to_string());
            let message = match &nearest {
                Some(p) => format!(
                    "app `{}` requires scope `{scope}`, which no ancestor's grants or ceilings allow (nearest ancestor: `{p}`)",
                    rule.app
                ),
                None => format!(
                    "app `{}` requires scope `{scope}`, but it has no ancestor whose grants or ceilings could allow it",
                    rule.app
                ),
            };
            let hint = match &nearest {
                Some(p) => format!(
                    "grant `{scope}` (or a pattern covering it) on `{p}` or above, or add it to a ceiling there"
                ),
                None => "give the app a parent that grants the scope".to_string(),
            };
            problems.push(model.diagnostic_at(
                id,
                "/identity",
                Diagnostic::new("scope-not-allowed", message).with_hint(hint),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Escalation {
            diagnostics: problems,
        })
    }
}

/// The permissions `new` gives that the registry's current apps (`current`, retired ones ignored) did not
/// have: the core's [`Manifest::diff`] from the manifest rebuilt from the records to `new`.
///
/// # Errors
/// A `store` error when the recorded apps no longer form a manifest.
pub fn gains(store: &str, current: &[AppRecord], new: &Manifest) -> Result<AccessDiff> {
    let live: Vec<&AppRecord> = current.iter().filter(|r| !r.retired).collect();
    let old_has_access = live.iter().any(|r| !r.access.is_empty());
    if !old_has_access
        && !new
            .model()
            .has_section(aoa_core::manifest::Section::is_access)
    {
        return Ok(AccessDiff {
            gained: 0,
            lost: 0,
            subjects: Vec::new(),
        });
    }
    let old = Manifest::from_apps(live.iter().map(|r| r.to_spec()).collect()).map_err(|e| {
        crate::backend::store_error(
            store,
            format!("the recorded apps do not form a manifest: {e}"),
        )
    })?;
    Ok(old.diff(new))
}

/// One `privilege-gain` diagnostic per (subject, app, action) of `diff` gained, as `aoa diff` lists it.
pub fn gain_diagnostics(diff: &AccessDiff) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in &diff.subjects {
        for c in &s.changes {
            let kind = serde_json::to_value(c.kind)
                .ok()
                .and_then(|v| v.as_str().map(|k| k.replace('_', " ")))
                .unwrap_or_default();
            let place = c
                .declared
                .as_ref()
                .map(|d| format!(" at {d}"))
                .unwrap_or_default();
            for a in &c.gained {
                out.push(
                    Diagnostic::new(
                        "privilege-gain",
                        format!(
                            "`{}` gains `{}` on `{}` ({kind} on `{}`{place})",
                            s.subject, a.action, a.app, c.app
                        ),
                    )
                    .with_app(a.app.clone()),
                );
            }
        }
    }
    out
}

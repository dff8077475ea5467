//! RBAC before anything runs: the subject must be allowed the action on every app of the run.

use aoa_core::access::explain;
use aoa_core::{AppId, Diagnostic, Error, Manifest, Result};

/// Who runs a rollout: a subject (`user:ann`) and the groups it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actor {
    /// `user:ID`, `group:ID` or `app:NAME`.
    pub subject: String,
    /// Group ids (`sre`) or subjects (`group:sre`).
    pub groups: Vec<String>,
}

/// Checks that `actor` may do `action` (`deploy`, `rollback`) on each of `apps`. Without an actor, only a
/// manifest without permission sections passes (there is nothing to check).
///
/// # Errors
/// [`Error::Denied`] with one diagnostic per denied app, whose message is the `aoa check --explain` text;
/// [`Error::InvalidArgument`] for a malformed subject, or no actor for a manifest with permission sections.
pub fn check_all(
    manifest: &Manifest,
    actor: Option<&Actor>,
    action: &str,
    apps: &[AppId],
) -> Result<()> {
    let Some(actor) = actor else {
        if manifest.has_section(|s| s.is_access()) {
            return Err(Error::InvalidArgument {
                message: format!(
                    "the manifest has permission sections: say who may {action} (a subject such as `user:ann`, and its groups)"
                ),
            });
        }
        return Ok(());
    };
    let access = manifest.access();
    let mut denied = Vec::new();
    for &id in apps {
        let app = manifest.name(id);
        let decision = access.check(&actor.subject, &actor.groups, action, app)?;
        if !decision.allowed {
            let text = explain(&decision, &actor.subject, &actor.groups, action, app, true);
            let mut lines = text.lines();
            let mut d = Diagnostic::new("denied", lines.next().unwrap_or_default()).with_app(app);
            let why: Vec<&str> = lines.map(str::trim).collect();
            if !why.is_empty() {
                d = d.with_hint(why.join("; "));
            }
            denied.push(d);
        }
    }
    if denied.is_empty() {
        Ok(())
    } else {
        Err(Error::Denied {
            diagnostics: denied,
        })
    }
}

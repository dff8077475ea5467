//! Permissions: one parent governs who may do what across its whole subtree.
//!
//! Five app sections declare the model (see `docs/permissions.md`):
//! - `roles`: named sets of action patterns, usable on the app and its descendants;
//! - `grants`: `{subject, role | actions, env?, propagate?}`, applying to the app and every descendant;
//! - `deny`: `{subject, actions | role, env?, propagate?}`, propagating the same way and winning over any allow;
//! - `ceiling`: the action patterns that may ever be granted at or below the app;
//! - `identity`: `{needs: [..]}`, the actions the app's own workload identity `app:<name>` gets on it.
//!
//! The manifest builds its [`AccessIndex`] while loading, so bad sections and escalations are load errors.
//!
//! ```
//! use aoa_core::{Format, Manifest};
//! let m = Manifest::from_str(r#"
//! apps:
//!   - name: root
//!     roles: {deployer: [deploy, "read:*"]}
//!     grants: [{subject: "group:ops", role: deployer}]
//!   - name: api
//!     parent: root
//! "#, Format::Yaml)?;
//! let d = m.access().check("user:ann", &["ops"], "read:logs", "api")?;
//! assert!(d.allowed);
//! assert_eq!(d.reasons[0].rule.app, "root");
//! # Ok::<(), aoa_core::Error>(())
//! ```

mod azure;
mod check;
mod diff;
mod effective;
mod env_spelling;
mod escalation;
mod exchange;
mod explain;
mod glob_gains;
mod glob_set;
mod model;
mod parse;
mod pattern;
mod roles;
mod secret_decl;
mod secret_ref;
mod secrets;
mod subject;

pub use azure::{
    KEY_VAULT_SECRETS_USER, PRINCIPAL_LABEL, RoleAssignment, RoleAssignmentProperties,
    RoleAssignments, assignment_name,
};
pub use check::{Decision, Miss, MissKind, Outcome, Reason};
pub use diff::{AccessDiff, AppAction, Change, ChangeKind, SubjectChanges, diff};
pub use effective::{ActionAccess, AppActions, Effective, SubjectAccess, WhatCan, Who, WhoCan};
pub use exchange::{
    AccessClaims, ExchangeOutcome, ExchangePolicy, ExchangeRequest, MAX_TTL, OAuthError, Refusal,
    act_depth,
};
pub use explain::{describe, effect_word, explain, reason_lines};
pub use model::MAX_DISTINCT_ACTIONS;
pub use model::{AccessIndex, Rule};
pub use parse::Effect;
pub use pattern::{glob_contains, glob_matches, is_glob, pattern_problem};
pub use roles::MAX_EXPANDED_PATTERNS;
pub use secret_decl::{SELF_SUBJECT, SecretUse};
pub use secret_ref::{
    SECRET_ACTION_PREFIX, SecretRef, Store, format_utc, parse_duration, parse_utc,
};
pub use secrets::{AppSecrets, DueSecret, DueWhy, SecretReader, SecretReaders, UsedSecret};
pub use subject::{SubjectKind, parse_subject};

use crate::manifest::{AppId, Model};

/// The permission operations of a manifest: its model and its access index.
#[derive(Debug, Clone, Copy)]
pub struct Access<'m> {
    m: &'m Model,
    ix: &'m AccessIndex,
}

impl<'m> Access<'m> {
    /// The operations over a model and its index (built from the same model; the facade
    /// [`crate::Manifest::access`] pairs them).
    pub fn new(m: &'m Model, ix: &'m AccessIndex) -> Self {
        Access { m, ix }
    }

    /// The model the index was built from.
    pub fn model(&self) -> &'m Model {
        self.m
    }

    /// The index (rules, vocabulary, subjects).
    pub fn index(&self) -> &'m AccessIndex {
        self.ix
    }

    /// The actions the app's own identity `app:<name>` needs (and so is allowed on it), as declared.
    pub fn identity(&self, app: &str) -> crate::Result<Vec<&'m str>> {
        let id = self.m.app(app)?;
        Ok(self.identity_id(id))
    }

    /// [`Access::identity`] on an app id.
    pub fn identity_id(&self, app: AppId) -> Vec<&'m str> {
        self.ix
            .rules
            .iter()
            .filter(|r| r.effect == Effect::Identity && r.app_id == app)
            .flat_map(|r| r.actions.iter().map(String::as_str))
            .collect()
    }
}

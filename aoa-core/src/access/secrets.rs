//! Secrets through the access model: reading secret `S` is the action `secrets:S` of the app's own identity
//! on itself, allowed by the `secrets` grants of the app and its ancestors (subject [`SELF_SUBJECT`]) or
//! by ordinary grants to `app:NAME`, cut by any deny above and by every ceiling of the chain, exactly like
//! any other action. An app that uses a secret its chain does not allow is a load error.

use super::Access;
use super::check::{Act, Decision, Reason};
use super::effective::ActionAccess;
use super::model::AccessIndex;
use super::parse::Effect;
use super::secret_decl::{SELF_SUBJECT, SecretUse};
use super::secret_ref::{SECRET_ACTION_PREFIX, SecretRef, format_utc};
use super::subject::SubjectKind;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::manifest::{AppId, Model};
use serde::Serialize;

/// A secret an app uses, with the grants that allow it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct UsedSecret<'a> {
    /// The use as declared.
    #[serde(flatten)]
    pub used: &'a SecretUse,
    /// The grants that allow the app to read it.
    pub grants: Vec<Reason<'a>>,
}

/// The answer of [`Access::secrets`]: what an app uses and what it may read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct AppSecrets<'a> {
    /// The app.
    pub app: &'a str,
    /// The secrets it uses (its `secrets.use`), each with the grants behind it.
    pub uses: Vec<UsedSecret<'a>>,
    /// Every secret or secret pattern its identity may read (without the `secrets:` prefix), with sources;
    /// `partial` when a deny or a ceiling takes part of a pattern.
    pub granted: Vec<ActionAccess<'a>>,
}

/// One app that may read a secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct SecretReader<'a> {
    /// The app.
    pub app: &'a str,
    /// Whether it declares a use of the secret.
    pub uses: bool,
    /// The grants that allow it.
    pub sources: Vec<Reason<'a>>,
}

/// The answer of [`Access::secret_readers`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct SecretReaders<'a> {
    /// The secret, without its version.
    pub secret: String,
    /// Every app whose identity may read it, by name.
    pub readers: Vec<SecretReader<'a>>,
}

/// Why a secret is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DueWhy {
    /// It expires.
    Expires,
    /// Its rotation policy (`rotated` + `rotate_every`) calls for a new version.
    Rotation,
}

/// A secret that expires or is due for rotation within a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct DueSecret {
    /// The secret, without its version.
    pub secret: String,
    /// Expiry or rotation (the earlier of the two when both fall in the window).
    pub why: DueWhy,
    /// When (UTC).
    pub at: String,
    /// Whether that moment is already past.
    pub overdue: bool,
    /// The apps that use it, by name.
    pub consumers: Vec<String>,
}

impl<'m> Access<'m> {
    /// Every secret use declared in the manifest, app by app.
    pub fn secret_uses(&self) -> &'m [SecretUse] {
        &self.ix.uses
    }

    /// Whether the app's own identity may read the secret (a reference with or without version).
    pub fn secret_decision(&self, app: AppId, secret: &SecretRef) -> Decision<'m> {
        let caller = self.self_caller(app);
        let action = secret.action();
        let act = (self.ix.actions.get(&action)).map_or(Act::Unknown(&action), Act::Known);
        self.decide(&caller, act, app)
    }

    /// The subject ids of the app's own identity on itself: `app:NAME` and [`SELF_SUBJECT`].
    pub(crate) fn self_caller(&self, app: AppId) -> Vec<u32> {
        let ix = self.ix;
        (ix.subject_id(SubjectKind::App, self.m.name(app))
            .into_iter())
        .chain(ix.subject_id(SubjectKind::App, &SELF_SUBJECT[4..]))
        .collect()
    }

    /// What the app named `app` uses, with the grant behind each, and every secret pattern it may read.
    ///
    /// # Errors
    /// [`Error::UnknownApp`] for a name the manifest does not have.
    pub fn secrets(&self, app: &str) -> Result<AppSecrets<'m>> {
        let id = self.m.app(app)?;
        let uses = (self.ix.uses.iter())
            .filter(|u| u.app_id == id)
            .map(|used| UsedSecret {
                used,
                grants: self.secret_decision(id, &used.secret).reasons,
            })
            .collect();
        let own = format!("app:{app}");
        let mut granted: Vec<ActionAccess<'m>> = Vec::new();
        for s in self.effective_id(id).subjects {
            if s.subject != SELF_SUBJECT && s.subject != own {
                continue;
            }
            for mut a in s.allowed {
                let secret = a.action.strip_prefix(SECRET_ACTION_PREFIX);
                let Some(secret) = secret.filter(|s| s.contains("://")) else {
                    continue;
                };
                a.action = secret;
                match granted.iter_mut().find(|g| g.action == a.action) {
                    Some(g) => g.sources.extend(a.sources),
                    None => granted.push(a),
                }
            }
        }
        Ok(AppSecrets {
            app: self.m.name(id),
            uses,
            granted,
        })
    }

    /// Every app whose own identity may read `secret` (a reference, with or without version).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for text that is not a secret reference.
    pub fn secret_readers(&self, secret: &str) -> Result<SecretReaders<'m>> {
        let parsed =
            SecretRef::parse(secret).map_err(|message| Error::InvalidArgument { message })?;
        let base = parsed.base();
        let mut readers = Vec::new();
        for app in self.m.ids_by_name() {
            let d = self.secret_decision(app, &parsed);
            if d.allowed {
                readers.push(SecretReader {
                    app: self.m.name(app),
                    uses: (self.ix.uses.iter()).any(|u| u.app_id == app && u.secret.base() == base),
                    sources: d.reasons,
                });
            }
        }
        Ok(SecretReaders {
            secret: base,
            readers,
        })
    }

    /// The secrets that expire or are due for rotation before `now + within` (seconds since the epoch and
    /// seconds: the caller supplies the time), earliest first, each with the apps that use it.
    pub fn secrets_due(&self, now: i64, within: i64) -> Vec<DueSecret> {
        let until = now.saturating_add(within);
        let mut due: Vec<(i64, String, DueWhy, Vec<String>)> = Vec::new();
        for u in &self.ix.uses {
            let events = [
                (u.expires_at, DueWhy::Expires),
                (u.due_at, DueWhy::Rotation),
            ];
            for (at, why) in events {
                let Some(at) = at.filter(|&at| at <= until) else {
                    continue;
                };
                let base = u.secret.base();
                match due.iter_mut().find(|d| d.1 == base) {
                    Some(d) => {
                        if (at, why) < (d.0, d.2) {
                            (d.0, d.2) = (at, why);
                        }
                        if !d.3.contains(&u.app) {
                            d.3.push(u.app.clone());
                        }
                    }
                    None => due.push((at, base, why, vec![u.app.clone()])),
                }
            }
        }
        due.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        due.into_iter()
            .map(|(at, secret, why, mut consumers)| {
                consumers.sort_unstable();
                DueSecret {
                    secret,
                    why,
                    at: format_utc(at),
                    overdue: at < now,
                    consumers,
                }
            })
            .collect()
    }
}

/// One `ungranted-secret` diagnostic per secret use that the app's chain does not allow, naming the app, the
/// secret and the nearest grant (or the deny that forbids it).
pub(crate) fn ungranted(m: &Model, ix: &AccessIndex) -> Vec<Diagnostic> {
    let access = Access::new(m, ix);
    let mut out = Vec::new();
    for u in &ix.uses {
        let d = access.secret_decision(u.app_id, &u.secret);
        if d.allowed {
            continue;
        }
        let head = format!("app `{}` uses secret `{}`", u.app, u.reference);
        let message = if let Some(deny) = d.reasons.first() {
            format!(
                "{head}, forbidden by the secret deny ({}) on `{}` at {}",
                deny.rule.actions.join(", "),
                deny.rule.app,
                deny.declared
            )
        } else if let Some(miss) = &d.nearest_miss {
            format!("{head}, which its chain does not grant: {}", miss.message)
        } else {
            match nearest_secret_grant(&access, u.app_id) {
                Some(g) => format!(
                    "{head}, which its chain does not grant; the nearest secret grant is on `{}` ({}) at {}",
                    g.rule.app,
                    g.rule.actions.join(", "),
                    g.declared
                ),
                None => format!("{head}, but no app at or above it grants secrets"),
            }
        };
        let d = Diagnostic::new("ungranted-secret", message).with_hint(
            "grant it in the `secrets.grants` of the app or an ancestor (within every ceiling, under no deny), or remove the use",
        );
        out.push(m.diagnostic_at(u.app_id, &format!("{}/ref", u.suffix), d));
    }
    out
}

/// The secret grant declared nearest above the app (on it or its closest ancestor that has one).
fn nearest_secret_grant<'m>(access: &Access<'m>, app: AppId) -> Option<Reason<'m>> {
    let ix = access.index();
    let m = access.model();
    std::iter::once(app).chain(m.ancestors(app)).find_map(|a| {
        let rules =
            &ix.app_rules[ix.app_start[a.index()] as usize..ix.app_start[a.index() + 1] as usize];
        rules
            .iter()
            .copied()
            .filter(|&r| {
                let rule = &ix.rules[r as usize];
                rule.effect == Effect::Grant
                    && rule
                        .actions
                        .iter()
                        .any(|p| p.starts_with(SECRET_ACTION_PREFIX))
            })
            .min()
            .map(|r| access.reason(r))
    })
}

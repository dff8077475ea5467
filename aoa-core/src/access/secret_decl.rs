//! Reading an app's `secrets` section: the secret patterns it grants (and denies) to every app identity of
//! its subtree, as access rules of the subject [`SELF_SUBJECT`] in the `secrets:` action namespace, and the
//! secrets the app itself uses.
//!
//! ```yaml
//! secrets:
//!   grants: [{secrets: ["keyvault://payments-prod/*"], env: [prod]}]   # propagate: true by default
//!   deny: [{secrets: ["keyvault://payments-prod/root-*"]}]
//!   use:
//!     - {ref: "keyvault://payments-prod/db-password", purpose: "postgres login",
//!        rotate_every: 90d, rotated: "2026-10-01", expires: "2027-03-01"}
//! ```

use super::parse::{Effect, Reader, RuleDecl};
use super::secret_ref::{SECRET_ACTION_PREFIX, SecretRef, parse_duration, parse_utc};
use super::subject::SubjectKind;
use crate::manifest::AppId;
use serde::Serialize;
use serde_json::{Map, Value};

/// The subject of secret grants and denies: each app's own identity, on itself (`app:NAME` reading a secret on
/// `NAME`). No app name can be it: app subjects name an app of the manifest.
pub const SELF_SUBJECT: &str = "app:*";

const SECTION_KEYS: [&str; 3] = ["grants", "deny", "use"];
const RULE_KEYS: [&str; 4] = ["secrets", "env", "propagate", "comment"];
const USE_KEYS: [&str; 6] = [
    "ref",
    "purpose",
    "rotate_every",
    "rotated",
    "expires",
    "comment",
];
const SCHEMES: [&str; 3] = ["keyvault://", "env://", "file://"];

/// A secret an app uses, as declared in its `secrets.use`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct SecretUse {
    /// The app that uses it.
    pub app: String,
    /// The reference as written (`keyvault://payments-prod/db-password`).
    pub reference: String,
    /// What the app uses it for.
    pub purpose: Option<String>,
    /// How often it must be rotated (`90d`), if a policy is set.
    pub rotate_every: Option<String>,
    /// When it was last rotated (UTC date or date-time).
    pub rotated: Option<String>,
    /// When it expires (UTC date or date-time).
    pub expires: Option<String>,
    #[serde(skip)]
    pub(crate) app_id: AppId,
    #[serde(skip)]
    pub(crate) secret: SecretRef,
    #[serde(skip)]
    pub(crate) suffix: String,
    /// Rotation due and expiry, seconds since the epoch.
    #[serde(skip)]
    pub(crate) due_at: Option<i64>,
    #[serde(skip)]
    pub(crate) expires_at: Option<i64>,
}

impl SecretUse {
    /// The parsed reference.
    pub fn secret(&self) -> &SecretRef {
        &self.secret
    }
}

impl Reader<'_> {
    /// The `secrets` section of the app: grant and deny rules appended to `rules`, uses to `uses`.
    pub(super) fn secrets(
        &mut self,
        value: &Value,
        rules: &mut Vec<RuleDecl>,
        uses: &mut Vec<SecretUse>,
    ) {
        let Value::Object(map) = value else {
            self.wrong_type(
                "/secrets",
                "`secrets`",
                "a mapping with `grants`, `deny` or `use`",
                value,
            );
            return;
        };
        self.unknown_keys(map, "/secrets", &SECTION_KEYS);
        for (key, effect) in [("grants", Effect::Grant), ("deny", Effect::Deny)] {
            if let Some(list) = map.get(key) {
                let at = format!("/secrets/{key}");
                for (suffix, item) in self.entries(list, &at) {
                    if let Some(rule) = self.secret_rule(item, effect, suffix) {
                        rules.push(rule);
                    }
                }
            }
        }
        if let Some(list) = map.get("use") {
            for (suffix, item) in self.entries(list, "/secrets/use") {
                if let Some(used) = self.secret_use(item, suffix) {
                    uses.push(used);
                }
            }
        }
    }

    fn entries<'v>(&mut self, list: &'v Value, at: &str) -> Vec<(String, &'v Map<String, Value>)> {
        let Value::Array(items) = list else {
            self.wrong_type(
                at,
                &format!("`{}`", at.trim_start_matches('/')),
                "a list of entries",
                list,
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let suffix = format!("{at}/{i}");
            match item {
                Value::Object(fields) => out.push((suffix, fields)),
                other => self.wrong_type(&suffix, "an entry", "a mapping", other),
            }
        }
        out
    }

    fn secret_rule(
        &mut self,
        fields: &Map<String, Value>,
        effect: Effect,
        suffix: String,
    ) -> Option<RuleDecl> {
        self.unknown_keys(fields, &suffix, &RULE_KEYS);
        let Some(list) = fields.get("secrets") else {
            self.problem(
                &suffix,
                "missing-actions",
                "the entry names no `secrets`".into(),
                "add `secrets: [\"keyvault://VAULT/*\"]`",
            );
            return None;
        };
        let mut patterns = Vec::new();
        for (text, at) in self.strings(list, &format!("{suffix}/secrets"), "`secrets`") {
            if !SCHEMES.iter().any(|s| text.starts_with(s)) {
                self.problem(
                    &at,
                    "invalid-secret",
                    format!("secret pattern `{}` names no store", text.escape_debug()),
                    "start it with `keyvault://`, `env://` or `file://` (`keyvault://VAULT/*` for a whole vault)",
                );
                continue;
            }
            let action = format!("{SECRET_ACTION_PREFIX}{text}");
            match super::pattern::pattern_problem(&action, true) {
                None => patterns.push(action),
                Some(problem) => self.problem(
                    &at,
                    "invalid-secret",
                    format!("invalid secret pattern: {problem}"),
                    "use letters, digits, `-_.:/` and `*` for any run of characters",
                ),
            }
        }
        let (env, propagate) = self.scope(fields, &suffix);
        Some(RuleDecl {
            effect,
            app: self.app,
            subject: SELF_SUBJECT.to_string(),
            kind: SubjectKind::App,
            role: None,
            patterns,
            env,
            propagate,
            suffix: format!("{suffix}/secrets"),
        })
    }

    fn secret_use(&mut self, fields: &Map<String, Value>, suffix: String) -> Option<SecretUse> {
        self.unknown_keys(fields, &suffix, &USE_KEYS);
        let mut text = |key: &str| -> Option<String> {
            match fields.get(key) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => {
                    self.wrong_type(
                        &format!("{suffix}/{key}"),
                        &format!("`{key}`"),
                        "a string",
                        other,
                    );
                    None
                }
            }
        };
        let reference = text("ref");
        let purpose = text("purpose");
        let rotate_every = text("rotate_every");
        let rotated = text("rotated");
        let expires = text("expires");
        let Some(reference) = reference else {
            self.problem(
                &suffix,
                "invalid-secret",
                "the entry has no `ref`".into(),
                "add `ref: keyvault://VAULT/NAME`",
            );
            return None;
        };
        let secret = match SecretRef::parse(&reference) {
            Ok(s) => s,
            Err(message) => {
                self.problem(
                    &format!("{suffix}/ref"),
                    "invalid-secret",
                    message,
                    "write `keyvault://VAULT/NAME[/VERSION]`, `env://NAME` or `file://PATH`",
                );
                return None;
            }
        };
        let mut time =
            |key: &str, value: &Option<String>, parse: fn(&str) -> Result<i64, String>| {
                let v = value.as_deref()?;
                parse(v)
                    .map_err(|message| {
                        self.problem(
                            &format!("{suffix}/{key}"),
                            "invalid-secret",
                            message,
                            "fix the value",
                        );
                    })
                    .ok()
            };
        let every = time("rotate_every", &rotate_every, parse_duration);
        let last = time("rotated", &rotated, parse_utc);
        let expires_at = time("expires", &expires, parse_utc);
        if every.is_some() && rotated.is_none() {
            self.problem(
                &format!("{suffix}/rotate_every"),
                "invalid-secret",
                "`rotate_every` needs `rotated`, the date of the last rotation".into(),
                "add `rotated: YYYY-MM-DD`",
            );
        }
        Some(SecretUse {
            app: self.m.name(self.app).to_string(),
            reference,
            purpose,
            rotate_every,
            rotated,
            expires,
            app_id: self.app,
            secret,
            suffix,
            due_at: last.zip(every).map(|(l, e)| l + e),
            expires_at,
        })
    }
}

//! Reading the access sections of a manifest (`roles`, `grants`, `deny`, `ceiling`, `identity`) into
//! declarations, with a located diagnostic for every problem.

use super::pattern::pattern_problem;
use super::subject::{SubjectKind, parse_subject};
use crate::diagnostic::Diagnostic;
use crate::manifest::spec::kind;
use crate::manifest::{AppId, Model, Section};
use crate::source::escape_pointer_token;
use crate::suggest;
use serde::Serialize;
use serde_json::{Map, Value};

/// Whether a rule allows or forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// An entry of `grants`.
    Grant,
    /// An entry of `deny`: always wins over any allow.
    Deny,
    /// The actions an app's own identity needs (`identity: {needs: [..]}`), granted to `app:<name>` on it.
    Identity,
}

/// A role as declared on one app.
#[derive(Debug)]
pub(crate) struct RoleDecl {
    pub app: AppId,
    pub name: String,
    pub patterns: Vec<String>,
    /// Included role names, each with its JSON pointer suffix.
    pub includes: Vec<(String, String)>,
    pub suffix: String,
}

/// A grant, deny or identity need as declared.
#[derive(Debug)]
pub(crate) struct RuleDecl {
    pub effect: Effect,
    pub app: AppId,
    pub subject: String,
    pub kind: SubjectKind,
    pub role: Option<(String, String)>,
    pub patterns: Vec<String>,
    pub env: Vec<String>,
    pub propagate: bool,
    pub suffix: String,
}

/// A ceiling as declared.
#[derive(Debug)]
pub(crate) struct CeilingDecl {
    pub app: AppId,
    pub patterns: Vec<String>,
}

/// Every access declaration of a manifest, in app order.
#[derive(Debug, Default)]
pub(crate) struct Declarations {
    pub roles: Vec<RoleDecl>,
    pub rules: Vec<RuleDecl>,
    pub ceilings: Vec<CeilingDecl>,
    /// The secrets each app uses (its `secrets.use`).
    pub uses: Vec<super::secret_decl::SecretUse>,
}

/// How many problems may get a did-you-mean search over every app name (each is linear in the apps).
const SUGGESTION_BUDGET: usize = 10;

const RULE_KEYS: [&str; 6] = ["subject", "role", "actions", "env", "propagate", "comment"];
const ROLE_KEYS: [&str; 2] = ["actions", "includes"];
const IDENTITY_KEYS: [&str; 1] = ["needs"];

/// Reads every access section of the manifest, appending a diagnostic for each problem.
pub(crate) fn read(m: &Model, problems: &mut Vec<Diagnostic>) -> Declarations {
    let mut out = Declarations::default();
    for app in m.ids() {
        let mut r = Reader { m, app, problems };
        if let Some(v) = m.section(app, Section::Roles) {
            r.roles(v, &mut out.roles);
        }
        if let Some(v) = m.section(app, Section::Grants) {
            r.rules(v, Effect::Grant, &mut out.rules);
        }
        if let Some(v) = m.section(app, Section::Deny) {
            r.rules(v, Effect::Deny, &mut out.rules);
        }
        if let Some(v) = m.section(app, Section::Ceiling) {
            let patterns = r.patterns(v, "/ceiling", true);
            out.ceilings.push(CeilingDecl { app, patterns });
        }
        if let Some(v) = m.section(app, Section::Identity) {
            r.identity(v, &mut out.rules);
        }
        if let Some(v) = m.section(app, Section::Secrets) {
            r.secrets(v, &mut out.rules, &mut out.uses);
        }
    }
    out
}

/// Reads the sections of one app.
pub(super) struct Reader<'a> {
    pub(super) m: &'a Model,
    pub(super) app: AppId,
    problems: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    pub(super) fn problem(
        &mut self,
        suffix: &str,
        code: &'static str,
        message: String,
        hint: &str,
    ) {
        let d = Diagnostic::new(code, message).with_hint(hint);
        self.problems
            .push(self.m.diagnostic_at(self.app, suffix, d));
    }

    pub(super) fn wrong_type(&mut self, suffix: &str, what: &str, expected: &str, found: &Value) {
        self.problem(
            suffix,
            "wrong-type",
            format!("{what} must be {expected}, found {}", kind(found)),
            &format!("write {what} as {expected}"),
        );
    }

    pub(super) fn unknown_keys(&mut self, map: &Map<String, Value>, at: &str, known: &[&str]) {
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            let hint = suggest::hint(
                key,
                known.iter().copied(),
                &format!("remove it; the keys here are {}", known.join(", ")),
            );
            let suffix = format!("{at}/{}", escape_pointer_token(key));
            self.problem(
                &suffix,
                "unknown-key",
                format!("unknown key `{key}`"),
                &hint,
            );
        }
    }

    /// A list of action patterns (or of concrete actions when `glob` is false).
    fn patterns(&mut self, value: &Value, at: &str, glob: bool) -> Vec<String> {
        let Value::Array(items) = value else {
            self.wrong_type(
                at,
                &format!("`{}`", at.trim_start_matches('/')),
                "a list of actions",
                value,
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let suffix = format!("{at}/{i}");
            match item {
                Value::String(s) => match pattern_problem(s, glob) {
                    None => out.push(s.clone()),
                    Some(problem) => self.problem(
                        &suffix,
                        "invalid-action",
                        format!("invalid action pattern: {problem}"),
                        "use letters, digits, `-_.:/` and `*` for any run of characters, e.g. `read:*`",
                    ),
                },
                other => self.wrong_type(&suffix, "an action", "a string", other),
            }
        }
        out
    }

    /// A list of strings (role names, environments).
    pub(super) fn strings(&mut self, value: &Value, at: &str, what: &str) -> Vec<(String, String)> {
        let items: Vec<(String, &Value)> = match value {
            Value::String(_) => vec![(at.to_string(), value)],
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{at}/{i}"), v))
                .collect(),
            other => {
                self.wrong_type(at, what, "a list of strings", other);
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (suffix, item) in items {
            match item {
                Value::String(s) if !s.is_empty() => out.push((s.clone(), suffix)),
                other => self.wrong_type(&suffix, what, "a non-empty string", other),
            }
        }
        out
    }

    fn roles(&mut self, value: &Value, out: &mut Vec<RoleDecl>) {
        let Value::Object(map) = value else {
            self.wrong_type(
                "/roles",
                "`roles`",
                "a mapping of role name to actions",
                value,
            );
            return;
        };
        for (name, def) in map {
            let suffix = format!("/roles/{}", escape_pointer_token(name));
            if let Some(problem) = pattern_problem(name, false) {
                self.problem(
                    &suffix,
                    "invalid-role",
                    format!("invalid role name: {problem}"),
                    "use letters, digits and `-_.:/` in role names",
                );
                continue;
            }
            let (patterns, includes) = match def {
                Value::Object(fields) => {
                    self.unknown_keys(fields, &suffix, &ROLE_KEYS);
                    let patterns = fields
                        .get("actions")
                        .map(|v| self.patterns(v, &format!("{suffix}/actions"), true))
                        .unwrap_or_default();
                    let includes = fields
                        .get("includes")
                        .map(|v| self.strings(v, &format!("{suffix}/includes"), "`includes`"))
                        .unwrap_or_default();
                    (patterns, includes)
                }
                other => (self.patterns(other, &suffix, true), Vec::new()),
            };
            out.push(RoleDecl {
                app: self.app,
                name: name.clone(),
                patterns,
                includes,
                suffix,
            });
        }
    }

    fn rules(&mut self, value: &Value, effect: Effect, out: &mut Vec<RuleDecl>) {
        let key = if effect == Effect::Deny {
            "deny"
        } else {
            "grants"
        };
        let Value::Array(items) = value else {
            self.wrong_type(
                &format!("/{key}"),
                &format!("`{key}`"),
                "a list of entries",
                value,
            );
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let suffix = format!("/{key}/{i}");
            if let Some(rule) = self.rule(item, effect, suffix) {
                out.push(rule);
            }
        }
    }

    fn rule(&mut self, item: &Value, effect: Effect, suffix: String) -> Option<RuleDecl> {
        let Value::Object(fields) = item else {
            self.wrong_type(
                &suffix,
                "an entry",
                "a mapping with `subject` and `role` or `actions`",
                item,
            );
            return None;
        };
        self.unknown_keys(fields, &suffix, &RULE_KEYS);
        let subject = self.subject(fields.get("subject"), &suffix);
        let role = match fields.get("role") {
            None => None,
            Some(Value::String(r)) => Some((r.clone(), format!("{suffix}/role"))),
            Some(other) => {
                self.wrong_type(&format!("{suffix}/role"), "`role`", "a role name", other);
                return None;
            }
        };
        let patterns = fields
            .get("actions")
            .map(|v| self.patterns(v, &format!("{suffix}/actions"), true))
            .unwrap_or_default();
        if role.is_none() && !fields.contains_key("actions") {
            self.problem(
                &suffix,
                "missing-actions",
                "the entry names neither `role` nor `actions`".into(),
                "add `role: NAME` or `actions: [..]`",
            );
        }
        let (env, propagate) = self.scope(fields, &suffix);
        let (kind, subject) = subject?;
        Some(RuleDecl {
            effect,
            app: self.app,
            subject,
            kind,
            role,
            patterns,
            env,
            propagate,
            suffix,
        })
    }

    /// The `env` restriction and `propagate` flag of a rule entry (`propagate` defaults to true).
    pub(super) fn scope(
        &mut self,
        fields: &Map<String, Value>,
        suffix: &str,
    ) -> (Vec<String>, bool) {
        let at = format!("{suffix}/env");
        let env = match fields.get("env") {
            // An empty list would mean "every environment", the opposite of what it says.
            Some(Value::Array(items)) if items.is_empty() => {
                self.problem(
                    &at,
                    "wrong-type",
                    "`env: []` names no environment; a rule with an `env` list applies only in the environments listed".into(),
                    "list the environments (`env: [prod]`), or leave `env` out to mean every environment",
                );
                Vec::new()
            }
            Some(v) => self.strings(v, &at, "`env`"),
            None => Vec::new(),
        }
        .into_iter()
        .map(|(e, _)| e)
        .collect();
        let propagate = match fields.get("propagate") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.wrong_type(
                    &format!("{suffix}/propagate"),
                    "`propagate`",
                    "`true` or `false`",
                    other,
                );
                true
            }
        };
        (env, propagate)
    }

    fn subject(&mut self, value: Option<&Value>, at: &str) -> Option<(SubjectKind, String)> {
        let suffix = format!("{at}/subject");
        let text = match value {
            Some(Value::String(s)) => s,
            Some(other) => {
                self.wrong_type(&suffix, "`subject`", "a string such as `group:ops`", other);
                return None;
            }
            None => {
                self.problem(
                    at,
                    "missing-subject",
                    "the entry has no `subject`".into(),
                    "add `subject: user:ID`, `group:ID` or `app:NAME`",
                );
                return None;
            }
        };
        match parse_subject(text) {
            Ok((SubjectKind::App, name)) if self.m.id(name).is_none() => {
                // Each search reads every app name: only the first few problems get one, so that many
                // unknown subjects stay linear.
                let hint = if self.problems.len() < SUGGESTION_BUDGET {
                    suggest::hint(
                        name,
                        self.m.ids().map(|id| self.m.name(id)),
                        "name an app of the manifest",
                    )
                } else {
                    "name an app of the manifest".to_string()
                };
                self.problem(
                    &suffix,
                    "unknown-app",
                    format!("subject `{text}` names an app that the manifest does not have"),
                    &hint,
                );
                None
            }
            Ok((kind, _)) => Some((kind, text.clone())),
            Err(message) => {
                self.problem(
                    &suffix,
                    "invalid-subject",
                    message,
                    "a subject is `user:ID`, `group:ID` or `app:NAME`",
                );
                None
            }
        }
    }

    fn identity(&mut self, value: &Value, out: &mut Vec<RuleDecl>) {
        let Value::Object(fields) = value else {
            self.wrong_type("/identity", "`identity`", "a mapping with `needs`", value);
            return;
        };
        self.unknown_keys(fields, "/identity", &IDENTITY_KEYS);
        let patterns = fields
            .get("needs")
            .map(|v| self.patterns(v, "/identity/needs", true))
            .unwrap_or_default();
        out.push(RuleDecl {
            effect: Effect::Identity,
            app: self.app,
            subject: format!("app:{}", self.m.name(self.app)),
            kind: SubjectKind::App,
            role: None,
            patterns,
            env: Vec::new(),
            propagate: false,
            suffix: "/identity/needs".into(),
        });
    }
}

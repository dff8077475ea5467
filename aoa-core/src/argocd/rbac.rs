//! Argo CD's RBAC (util/rbac with `assets/model.conf`): `p, sub, res, act, obj, eft` and `g, member, role`
//! lines from the built-in policy, `argocd-rbac-cm` (`policy.csv` then the `policy.*.csv` overlays by key),
//! and AppProject roles; `g` transitive (10 levels, as casbin's role manager), role names matched exactly,
//! resources, actions and objects by glob (no separator) or unanchored regex; the default role checked
//! first; an allow wins unless a matching deny comes first in the casbin effector's scan.

use super::documents::{Object, Repository};
use super::glob::{Dialect, Glob};
use crate::diagnostic::Diagnostic;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

/// Argo CD's built-in policy (`assets/builtin-policy.csv`).
pub const BUILTIN_POLICY: &str = include_str!("builtin-policy.csv");

/// The name of Argo CD's RBAC ConfigMap.
pub const RBAC_CONFIGMAP: &str = "argocd-rbac-cm";

/// casbin's default role hierarchy depth.
const MAX_HIERARCHY: usize = 10;

/// How resources, actions and objects of `p` lines match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// gobwas/glob without separators (the default).
    #[default]
    Glob,
    /// Go regular expressions, unanchored.
    Regex,
}

impl MatchMode {
    /// `policy.matchMode` as Argo reads it: `regex`, else glob.
    pub fn parse(text: &str) -> MatchMode {
        if text == "regex" {
            MatchMode::Regex
        } else {
            MatchMode::Glob
        }
    }
}

/// Where a policy line comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct LineSource {
    /// The file (or `<builtin>`, `<policy>`, `<project NAME>`).
    pub file: String,
    /// The 1-based line in that file, when known.
    pub line: Option<usize>,
    /// The line as written.
    pub text: String,
}

#[derive(Debug, Clone)]
enum Pattern {
    Glob(Glob),
    Regex(regex::Regex),
    /// A glob that does not compile: Argo logs it and never matches.
    NeverMatches,
    /// A regex that does not compile: casbin's `regexMatch` panics, the whole enforcement fails (denied).
    Fails(String),
}

impl Pattern {
    fn new(text: &str, mode: MatchMode) -> Pattern {
        match mode {
            MatchMode::Glob => Glob::compile(text, Dialect::Gobwas, None)
                .map_or(Pattern::NeverMatches, Pattern::Glob),
            MatchMode::Regex => regex::Regex::new(text)
                .map_or_else(|e| Pattern::Fails(e.to_string()), Pattern::Regex),
        }
    }

    fn matches(&self, text: &str) -> Result<bool, String> {
        match self {
            Pattern::Glob(g) => Ok(g.matches(text)),
            Pattern::Regex(r) => Ok(r.is_match(text)),
            Pattern::NeverMatches => Ok(false),
            Pattern::Fails(e) => Err(e.clone()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
/// A `p` line's effect.
pub enum Effect {
    /// `allow`.
    Allow,
    /// `deny`.
    Deny,
    /// Anything else (casbin's indeterminate: never decides).
    Other,
}

#[derive(Debug, Clone)]
struct Rule {
    sub: String,
    res: Pattern,
    act: Pattern,
    obj: Pattern,
    eft: Effect,
    source: LineSource,
}

/// The line that decided an enforcement: its effect, the rule, the `g` chain to its subject.
type Decided<'p> = (Effect, &'p Rule, Vec<LineSource>);

/// A loaded policy: `p` rules in load order and the `g` role graph.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    rules: Vec<Rule>,
    /// subject -> indices of its rules (in load order).
    by_sub: FxHashMap<String, Vec<usize>>,
    /// member -> (role, the `g` line).
    roles: FxHashMap<String, Vec<(String, LineSource)>>,
    mode: MatchMode,
}

/// Splits one policy line as Go's `encoding/csv` with `TrimLeadingSpace` does.
///
/// # Errors
/// The reason the line is not valid CSV (a bare or extraneous `"`).
pub fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut field = String::new();
            let mut chars = quoted.char_indices();
            let after = loop {
                match chars.next() {
                    None => return Err("extraneous or missing \" in quoted-field".into()),
                    Some((i, '"')) => {
                        if quoted[i + 1..].starts_with('"') {
                            field.push('"');
                            chars.next();
                        } else {
                            break &quoted[i + 1..];
                        }
                    }
                    Some((_, c)) => field.push(c),
                }
            };
            fields.push(field);
            match after.strip_prefix(',') {
                Some(next) => rest = next,
                None if after.is_empty() => return Ok(fields),
                None => return Err("extraneous or missing \" in quoted-field".into()),
            }
        } else {
            let (field, next) = match rest.find(',') {
                Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                None => (rest, None),
            };
            if field.contains('"') {
                return Err("bare \" in non-quoted-field".into());
            }
            fields.push(field.to_string());
            match next {
                Some(next) => rest = next,
                None => return Ok(fields),
            }
        }
    }
}

impl Policy {
    /// An empty policy in `mode`.
    pub fn new(mode: MatchMode) -> Policy {
        Policy {
            mode,
            ..Policy::default()
        }
    }

    /// Adds the lines of `text` (a CSV policy), each with its source; returns a finding per line Argo
    /// refuses (wrong number of fields, bad CSV, unknown line type) and per regex that does not compile.
    /// `first_line` is the file line of the text's first line (`None`: lines are not in a file).
    pub fn add(&mut self, text: &str, file: &str, first_line: Option<usize>) -> Vec<Diagnostic> {
        let mut findings = Vec::new();
        for (n, raw) in text.split('\n').enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let source = LineSource {
                file: file.to_string(),
                line: first_line.map(|l| l + n),
                text: line.to_string(),
            };
            let at_line = source.line;
            let bad = |message: String| {
                let mut d = Diagnostic::new("rbac-line", message).with_hint(
                    "Argo CD refuses the whole policy: `p, SUBJECT, RESOURCE, ACTION, OBJECT, allow|deny` or `g, MEMBER, ROLE`",
                );
                d.file = Some(file.to_string());
                d.line = at_line;
                d.column = at_line.map(|_| 1);
                d
            };
            let tokens = match split_csv(line) {
                Ok(tokens) => tokens,
                Err(e) => {
                    findings.push(bad(format!("invalid RBAC policy line `{line}`: {e}")));
                    continue;
                }
            };
            match tokens[0].as_str() {
                "p" if tokens.len() == 6 => {
                    let mut rule = Rule {
                        sub: tokens[1].clone(),
                        res: Pattern::new(&tokens[2], self.mode),
                        act: Pattern::new(&tokens[3], self.mode),
                        obj: Pattern::new(&tokens[4], self.mode),
                        eft: match tokens[5].as_str() {
                            "allow" => Effect::Allow,
                            "deny" => Effect::Deny,
                            _ => Effect::Other,
                        },
                        source,
                    };
                    for pattern in [&rule.res, &rule.act, &rule.obj] {
                        if let Pattern::Fails(e) = pattern {
                            let mut d = bad(format!(
                                "a regular expression that does not compile in `{line}`: {e}"
                            ));
                            d.code = "rbac-regex";
                            d.hint = Some("Argo CD denies every request that reaches this line; fix the expression".into());
                            findings.push(d);
                        }
                    }
                    rule.sub.shrink_to_fit();
                    self.by_sub
                        .entry(rule.sub.clone())
                        .or_default()
                        .push(self.rules.len());
                    self.rules.push(rule);
                }
                "g" if tokens.len() == 3 => {
                    self.roles
                        .entry(tokens[1].clone())
                        .or_default()
                        .push((tokens[2].clone(), source));
                }
                // casbin appends these to other sections of the model, where they change nothing.
                "r" | "e" | "m" => {}
                "p" | "g" => findings.push(bad(format!(
                    "invalid RBAC policy line `{line}`: a `{}` line has {} fields, not {}",
                    tokens[0],
                    tokens.len(),
                    if tokens[0] == "p" { 6 } else { 3 }
                ))),
                other => findings.push(bad(format!(
                    "invalid RBAC policy line `{line}`: unknown line type `{other}`"
                ))),
            }
        }
        findings
    }

    /// The roles `subject` has (itself included), up to casbin's depth, each with the chain of `g` lines
    /// that grants it.
    fn reachable<'p>(&'p self, subject: &'p str) -> FxHashMap<&'p str, Vec<&'p LineSource>> {
        let mut seen: FxHashMap<&str, Vec<&LineSource>> = FxHashMap::default();
        seen.insert(subject, Vec::new());
        let mut frontier = vec![subject];
        for _ in 0..MAX_HIERARCHY {
            let mut next = Vec::new();
            for member in &frontier {
                for (role, line) in self.roles.get(*member).into_iter().flatten() {
                    if !seen.contains_key(role.as_str()) {
                        let mut chain = seen.get(member).cloned().unwrap_or_default();
                        chain.push(line);
                        seen.insert(role, chain);
                        next.push(role.as_str());
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        seen
    }

    /// casbin's `Enforce(sub, res, act, obj)` with Argo's model: the deciding line (allow or deny) if any.
    /// Only the rules of the subject's roles are scanned (casbin evaluates `g` first and skips the others),
    /// in load order, so the first matching deny and the first allow are casbin's.
    ///
    /// # Errors
    /// A regex that does not compile reached during the scan (casbin's enforcement fails).
    fn enforce(
        &self,
        sub: &str,
        res: &str,
        act: &str,
        obj: &str,
    ) -> Result<Option<Decided<'_>>, String> {
        let roles = self.reachable(sub);
        let mut candidates: Vec<usize> = roles
            .keys()
            .filter_map(|role| self.by_sub.get(*role))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        let mut allow = None;
        for index in candidates {
            let rule = &self.rules[index];
            if !(rule.res.matches(res)? && rule.act.matches(act)? && rule.obj.matches(obj)?) {
                continue;
            }
            let chain = || {
                roles
                    .get(rule.sub.as_str())
                    .map(|c| c.iter().map(|l| (*l).clone()).collect())
                    .unwrap_or_default()
            };
            match rule.eft {
                Effect::Deny => return Ok(Some((Effect::Deny, rule, chain()))),
                Effect::Allow if allow.is_none() => allow = Some((Effect::Allow, rule, chain())),
                _ => {}
            }
        }
        Ok(allow)
    }

    /// Whether the policy has any rule or role (empty policies deny everything).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.roles.is_empty()
    }
}

/// Argo's enforcer: a policy, a default role and a match mode.
#[derive(Debug, Clone)]
pub struct Enforcer {
    /// The built-in and user policy lines.
    pub policy: Policy,
    /// `policy.default` (empty: none).
    pub default_role: String,
}

/// One RBAC verdict with aoa's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Verdict {
    /// Whether Argo CD allows the request.
    pub allowed: bool,
    /// The subject asked about.
    pub subject: String,
    /// The resource.
    pub resource: String,
    /// The action.
    pub action: String,
    /// The object.
    pub object: String,
    /// The line that decided (an allow, or the deny that overrode any allow); none when nothing matched.
    pub decided_by: Option<LineSource>,
    /// Whether the default role decided.
    pub by_default_role: bool,
    /// The `g` lines from the subject to the deciding line's role.
    pub via: Vec<LineSource>,
    /// Why, in one sentence.
    pub explanation: String,
}

impl Enforcer {
    /// The match mode of the enforcer's policy.
    pub fn policy_mode(&self) -> MatchMode {
        self.policy.mode
    }

    /// `enforce` of util/rbac: the default role first (an allow short-circuits), then the subject; the
    /// runtime (project) policy, when given, is scanned after the enforcer's own lines.
    pub fn can(
        &self,
        runtime: Option<&Policy>,
        sub: &str,
        res: &str,
        act: &str,
        obj: &str,
    ) -> Verdict {
        let combined;
        let policy = match runtime {
            Some(extra) if !extra.is_empty() => {
                combined = self.combine(extra);
                &combined
            }
            _ => &self.policy,
        };
        let mut verdict = Verdict {
            allowed: false,
            subject: sub.into(),
            resource: res.into(),
            action: act.into(),
            object: obj.into(),
            decided_by: None,
            by_default_role: false,
            via: Vec::new(),
            explanation: String::new(),
        };
        let mut default_note = String::new();
        if !self.default_role.is_empty() {
            match policy.enforce(&self.default_role, res, act, obj) {
                Ok(Some((Effect::Allow, rule, via))) => {
                    verdict.allowed = true;
                    verdict.by_default_role = true;
                    verdict.explanation = format!(
                        "allowed by the default role `{}`: `{}`",
                        self.default_role, rule.source.text
                    );
                    verdict.decided_by = Some(rule.source.clone());
                    verdict.via = via;
                    return verdict;
                }
                Ok(Some((_, rule, _))) => {
                    default_note = format!(
                        " (the default role `{}` is denied by `{}`)",
                        self.default_role, rule.source.text
                    );
                }
                Ok(None) => {
                    default_note = format!(" (nor does the default role `{}`)", self.default_role);
                }
                Err(e) => default_note = format!(" (checking the default role failed: {e})"),
            }
        }
        match policy.enforce(sub, res, act, obj) {
            Ok(Some((eft, rule, via))) => {
                verdict.allowed = eft == Effect::Allow;
                if verdict.allowed {
                    default_note.clear();
                }
                verdict.explanation = format!(
                    "{} by `{}`{}{default_note}",
                    if verdict.allowed { "allowed" } else { "denied" },
                    rule.source.text,
                    if via.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " through {}",
                            via.iter()
                                .map(|l| format!("`{}`", l.text))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                );
                verdict.decided_by = Some(rule.source.clone());
                verdict.via = via;
            }
            Ok(None) => {
                verdict.explanation = format!(
                    "denied: no policy line allows `{sub}` to `{act}` `{res}` `{obj}`{default_note}"
                );
            }
            Err(e) => {
                verdict.explanation = format!(
                    "denied: a regular expression of the policy does not compile ({e}){default_note}"
                );
            }
        }
        verdict
    }

    fn combine(&self, extra: &Policy) -> Policy {
        let mut policy = self.policy.clone();
        for rule in &extra.rules {
            policy
                .by_sub
                .entry(rule.sub.clone())
                .or_default()
                .push(policy.rules.len());
            policy.rules.push(rule.clone());
        }
        for (member, roles) in &extra.roles {
            policy
                .roles
                .entry(member.clone())
                .or_default()
                .extend(roles.iter().cloned());
        }
        policy
    }
}

/// What an import reports about one `argocd-rbac-cm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct RbacSummary {
    /// The file.
    pub file: String,
    /// The line its document starts at.
    pub line: usize,
    /// `policy.default`.
    pub default_role: String,
    /// `policy.matchMode`.
    pub match_mode: MatchMode,
    /// `scopes` (default `[groups]`).
    pub scopes: String,
    /// The policy keys read, in Argo's order (`policy.csv`, then overlays by key).
    pub keys: Vec<String>,
    /// How many `p` and `g` lines were loaded.
    pub lines: usize,
}

/// Whether `object` is an `argocd-rbac-cm` ConfigMap.
pub(crate) fn is_rbac_cm(object: &Object) -> bool {
    object.kind == "ConfigMap" && object.group.is_empty() && object.name == RBAC_CONFIGMAP
}

/// The `data` of a ConfigMap as text values, with each key's first content line.
fn data(object: &Object) -> Vec<(String, String, Option<usize>)> {
    let Some(map) = object
        .value
        .get("data")
        .and_then(serde_json::Value::as_object)
    else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| {
            let line = object.data_lines.get(k).copied();
            Some((k.clone(), v.as_str()?.to_string(), line))
        })
        .collect()
}

/// Argo's `PolicyCSV`: `policy.csv` first, then every other `policy.*.csv` key in key order.
fn policy_keys(data: &[(String, String, Option<usize>)]) -> Vec<usize> {
    let mut keys: Vec<usize> = Vec::new();
    if let Some(i) = data.iter().position(|(k, _, _)| k == "policy.csv") {
        keys.push(i);
    }
    let mut overlays: Vec<usize> = (0..data.len())
        .filter(|&i| {
            let k = &data[i].0;
            k.starts_with("policy.") && k.ends_with(".csv") && k != "policy.csv"
        })
        .collect();
    overlays.sort_by(|&a, &b| data[a].0.cmp(&data[b].0));
    keys.extend(overlays);
    keys
}

/// The enforcer of an `argocd-rbac-cm` object (over the built-in policy when `builtin`), and its findings.
pub fn enforcer_of(
    object: Option<&Object>,
    builtin: bool,
) -> (Enforcer, Vec<Diagnostic>, Option<RbacSummary>) {
    let data = object.map(data).unwrap_or_default();
    let get = |key: &str| {
        data.iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.trim().to_string())
    };
    let mode = MatchMode::parse(&get("policy.matchMode").unwrap_or_default());
    let mut policy = Policy::new(mode);
    let mut findings = Vec::new();
    if builtin {
        findings.extend(policy.add(BUILTIN_POLICY, "<builtin>", Some(0)));
    }
    let keys = policy_keys(&data);
    if let Some(object) = object {
        for &i in &keys {
            let (_, text, line) = &data[i];
            findings.extend(policy.add(text, &object.file, *line));
        }
    }
    let enforcer = Enforcer {
        default_role: get("policy.default").unwrap_or_default(),
        policy,
    };
    let summary = object.map(|o| RbacSummary {
        file: o.file.clone(),
        line: o.line,
        default_role: enforcer.default_role.clone(),
        match_mode: mode,
        scopes: get("scopes").unwrap_or_else(|| "[groups]".into()),
        keys: keys.iter().map(|&i| data[i].0.clone()).collect(),
        lines: enforcer.policy.rules.len()
            + enforcer.policy.roles.values().map(Vec::len).sum::<usize>(),
    });
    (enforcer, findings, summary)
}

/// Every `argocd-rbac-cm` of a repository, its findings added to `findings`.
pub fn summaries(repo: &Repository, findings: &mut Vec<Diagnostic>) -> Vec<RbacSummary> {
    repo.objects
        .iter()
        .filter(|o| is_rbac_cm(o))
        .filter_map(|o| {
            let (_, mut found, summary) = enforcer_of(Some(o), false);
            findings.append(&mut found);
            summary
        })
        .collect()
}

/// The resources whose objects are `PROJECT/NAME` (util/rbac `ProjectScoped`).
pub const PROJECT_SCOPED: &[&str] = &[
    "applications",
    "applicationsets",
    "logs",
    "exec",
    "clusters",
    "repositories",
];

/// What `argocd admin settings rbac can` does to its arguments: resource aliases (`app`, `repo`, `cert`,
/// ...) resolved, and for a project-scoped resource an empty or `*` object widened to `*/*`.
pub fn normalize_request(resource: &str, object: &str) -> (String, String) {
    let resource = match resource {
        "account" => "accounts",
        "app" | "apps" | "application" => "applications",
        "cert" | "certs" | "certificate" => "certificates",
        "cluster" => "clusters",
        "extension" => "extensions",
        "gpgkey" | "key" => "gpgkeys",
        "log" => "logs",
        "proj" | "projs" | "project" => "projects",
        "repo" | "repos" | "repository" => "repositories",
        other => other,
    };
    let object = if PROJECT_SCOPED.contains(&resource) && (object.is_empty() || object == "*") {
        "*/*"
    } else {
        object
    };
    (resource.to_string(), object.to_string())
}

/// The project a request's object belongs to: `PROJECT/...` for project-scoped resources, the object itself
/// for `projects`.
pub fn project_of<'a>(resource: &str, object: &'a str) -> Option<&'a str> {
    if resource == "projects" {
        return Some(object);
    }
    PROJECT_SCOPED
        .contains(&resource)
        .then(|| object.split_once('/').map(|(p, _)| p))
        .flatten()
}

/// Subjects seen in a policy (for benchmarks and listings): every `p` subject and `g` member and role.
pub fn subjects(policy: &Policy) -> Vec<String> {
    let mut all: FxHashSet<&str> = policy.rules.iter().map(|r| r.sub.as_str()).collect();
    for (member, roles) in &policy.roles {
        all.insert(member);
        all.extend(roles.iter().map(|(r, _)| r.as_str()));
    }
    let mut all: Vec<String> = all.into_iter().map(str::to_string).collect();
    all.sort();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_go_encoding_csv_with_leading_space_trimmed() {
        assert_eq!(
            split_csv("p, a, b , \"x,y\", z").unwrap(),
            ["p", "a", "b ", "x,y", "z"]
        );
        assert_eq!(split_csv("p,\"a\"\"b\"").unwrap(), ["p", "a\"b"]);
        assert!(split_csv("p, a\"b").is_err());
        assert!(split_csv("p, \"a\" b").is_err());
    }

    #[test]
    fn wrong_field_counts_and_bad_regexes_are_findings_with_lines() {
        let mut p = Policy::new(MatchMode::Regex);
        let found = p.add(
            "p, a, b, c\ng, x\np, a, (, get, .*, allow\n",
            "rbac.yaml",
            Some(10),
        );
        let codes: Vec<(&str, Option<usize>)> = found.iter().map(|d| (d.code, d.line)).collect();
        assert_eq!(
            codes,
            [
                ("rbac-line", Some(10)),
                ("rbac-line", Some(11)),
                ("rbac-regex", Some(12))
            ]
        );
    }
}

//! The manifest's data model as written: documents of apps, read fast by serde or checked key by key.

use super::decl::Field;
use super::section::Section;
use crate::diagnostic::Diagnostic;
use crate::source::escape_pointer_token;
use crate::suggest;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The keys an app may have, besides the [`Section`] keys.
pub const APP_KEYS: [&str; 6] = ["name", "parent", "depends_on", "labels", "version", "owner"];
/// The keys a manifest document may have at its top level.
pub const DOCUMENT_KEYS: [&str; 2] = ["apiVersion", "apps"];
/// The only `apiVersion` this version of aoa reads.
pub const API_VERSION: &str = "aoa/v1";

/// One app as declared in a manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AppSpec {
    /// Unique name (`/` allowed, e.g. `team-3/payments`).
    pub name: String,
    /// The app that governs this one, if any.
    pub parent: Option<String>,
    /// Apps that must roll out before this one.
    pub depends_on: Vec<String>,
    /// Free-form labels (`env`, `team`, ...), used by selectors and env-restricted grants.
    pub labels: BTreeMap<String, String>,
    /// A revision tag.
    pub version: Option<String>,
    /// Who owns the app.
    pub owner: Option<String>,
    /// The feature sections of the app, as written.
    pub sections: BTreeMap<Section, Value>,
}

/// Converts a parsed document value to apps, collecting every problem (with its JSON pointer) instead of
/// stopping at the first. Used for YAML, for records handed in by bindings, and to explain a JSON file
/// that the fast path rejected.
pub(crate) fn document_from_value(doc: &Value) -> (Vec<AppSpec>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let Value::Object(top) = doc else {
        problems.push(
            Diagnostic::new(
                "not-a-manifest",
                format!("expected a mapping with `apps`, found {}", kind(doc)),
            )
            .with_path("")
            .with_hint("a manifest is `apps: [...]`, optionally with `apiVersion: aoa/v1`"),
        );
        return (Vec::new(), problems);
    };
    for (key, value) in top {
        match key.as_str() {
            "apps" => {}
            "apiVersion" => {
                if value.as_str() != Some(API_VERSION) {
                    problems.push(
                        Diagnostic::new(
                            "unsupported-api-version",
                            format!("unsupported `apiVersion` {value}"),
                        )
                        .with_path("/apiVersion")
                        .with_hint(format!("use `apiVersion: {API_VERSION}` or leave it out")),
                    );
                }
            }
            other => problems.push(unknown_key(other, "", DOCUMENT_KEYS.iter().copied(), None)),
        }
    }
    let apps = match top.get("apps") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            problems.push(type_error("/apps", None, "`apps`", "a list of apps", other));
            return (Vec::new(), problems);
        }
        None => {
            problems.push(
                Diagnostic::new("missing-apps", "the manifest has no `apps` list")
                    .with_path("")
                    .with_hint("add `apps:` with one entry per app"),
            );
            return (Vec::new(), problems);
        }
    };
    let specs = apps
        .iter()
        .enumerate()
        .filter_map(|(i, item)| app_from_value(item, &format!("/apps/{i}"), &mut problems))
        .collect();
    (specs, problems)
}

/// Converts one app value, recording every problem; `None` if it has no usable name.
fn app_from_value(item: &Value, at: &str, problems: &mut Vec<Diagnostic>) -> Option<AppSpec> {
    let Value::Object(fields) = item else {
        problems.push(type_error(
            at,
            None,
            "an app",
            "a mapping with at least `name`",
            item,
        ));
        return None;
    };
    let name = match fields.get("name") {
        Some(Value::String(name)) => Some(name.clone()),
        Some(other) => {
            problems.push(type_error(
                &format!("{at}/name"),
                None,
                "`name`",
                "a string",
                other,
            ));
            None
        }
        None => {
            problems.push(
                Diagnostic::new("missing-name", "app has no `name`")
                    .with_path(at)
                    .with_hint("give every app a unique `name`"),
            );
            None
        }
    };
    let app_name = name.as_deref();
    let mut app = AppSpec {
        name: name.clone().unwrap_or_default(),
        ..AppSpec::default()
    };
    for (key, value) in fields {
        let path = format!("{at}/{}", escape_pointer_token(key));
        let mut expect_string = |what: &str| match value {
            Value::String(s) => Some(s.clone()),
            other => {
                problems.push(type_error(&path, app_name, what, "a string", other));
                None
            }
        };
        match Field::parse(key) {
            Some(Field::Name) => {}
            Some(Field::Parent) => {
                app.parent = if value.is_null() {
                    None
                } else {
                    expect_string("`parent`")
                };
            }
            Some(Field::Version) => app.version = expect_string("`version`"),
            Some(Field::Owner) => app.owner = expect_string("`owner`"),
            Some(Field::DependsOn) => {
                app.depends_on = string_list(value, &path, app_name, problems)
            }
            Some(Field::Labels) => app.labels = string_map(value, &path, app_name, problems),
            Some(Field::Section(section)) => {
                app.sections.insert(section, value.clone());
            }
            None => {
                let candidates = APP_KEYS
                    .iter()
                    .copied()
                    .chain(Section::ALL.iter().map(|s| s.key()));
                problems.push(unknown_key(key, at, candidates, app_name));
            }
        }
    }
    // An app with a usable name stays in the graph checks even if other fields had problems, so that
    // one run reports every problem of the manifest.
    name.is_some().then_some(app)
}

fn string_list(
    value: &Value,
    path: &str,
    app: Option<&str>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let Value::Array(items) = value else {
        problems.push(type_error(
            path,
            app,
            "`depends_on`",
            "a list of app names",
            value,
        ));
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| match item {
            Value::String(s) => Some(s.clone()),
            other => {
                problems.push(type_error(
                    &format!("{path}/{i}"),
                    app,
                    "a dependency",
                    "an app name (a string)",
                    other,
                ));
                None
            }
        })
        .collect()
}

fn string_map(
    value: &Value,
    path: &str,
    app: Option<&str>,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let Value::Object(entries) = value else {
        problems.push(type_error(
            path,
            app,
            "`labels`",
            "a mapping of strings",
            value,
        ));
        return BTreeMap::new();
    };
    entries
        .iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k.clone(), s.clone())),
            other => {
                let at = format!("{path}/{}", escape_pointer_token(k));
                problems.push(
                    type_error(&at, app, &format!("label `{k}`"), "a string", other)
                        .with_hint(format!("quote the value: `{k}: \"{}\"`", plain(other))),
                );
                None
            }
        })
        .collect()
}

fn unknown_key<'a>(
    key: &str,
    at: &str,
    candidates: impl Iterator<Item = &'a str>,
    app: Option<&str>,
) -> Diagnostic {
    let hint = suggest::hint(
        key,
        candidates,
        "remove it, or check the manifest reference in the README",
    );
    let mut d = Diagnostic::new("unknown-key", format!("unknown key `{key}`"))
        .with_path(format!("{at}/{}", escape_pointer_token(key)))
        .with_hint(hint);
    d.app = app.map(str::to_string);
    d
}

fn type_error(
    path: &str,
    app: Option<&str>,
    what: &str,
    expected: &str,
    found: &Value,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        "wrong-type",
        format!("{what} must be {expected}, found {}", kind(found)),
    )
    .with_path(path)
    .with_hint(format!("write {what} as {expected}"));
    d.app = app.map(str::to_string);
    d
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A short description of a JSON value's kind, for messages.
pub(crate) fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("string `{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lint_collects_every_problem_with_paths() {
        let (apps, problems) = document_from_value(&json!({
            "apps": [
                {"name": "a", "dependson": ["b"]},
                {"name": 3},
                {"name": "c", "labels": {"tier": 1}, "depends_on": ["a", 2]},
                "x"
            ],
            "kind": "x"
        }));
        let kept: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            kept,
            vec!["a", "c"],
            "apps with a usable name stay for the graph checks"
        );
        let summary: Vec<(String, &str)> = problems
            .iter()
            .map(|p| (p.path.clone().unwrap_or_default(), p.code))
            .collect();
        assert!(
            summary.contains(&("/kind".into(), "unknown-key")),
            "{summary:?}"
        );
        assert!(summary.contains(&("/apps/0/dependson".into(), "unknown-key")));
        assert!(summary.contains(&("/apps/1/name".into(), "wrong-type")));
        assert!(summary.contains(&("/apps/2/labels/tier".into(), "wrong-type")));
        assert!(summary.contains(&("/apps/2/depends_on/1".into(), "wrong-type")));
        assert!(summary.contains(&("/apps/3".into(), "wrong-type")));
        let typo = problems
            .iter()
            .find(|p| p.path.as_deref() == Some("/apps/0/dependson"))
            .unwrap();
        assert_eq!(typo.hint.as_deref(), Some("did you mean `depends_on`?"));
        assert_eq!(typo.app.as_deref(), Some("a"));
    }
}

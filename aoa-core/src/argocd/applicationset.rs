//! ApplicationSets: the `list` and `clusters` generators expanded as Argo CD names their Applications
//! (other generators reported, not guessed), and RollingSync step membership and `maxUpdate` as Argo computes
//! them (applicationset/progressivesync).

use super::documents::{Object, Repository, string_map};
use super::import::{Application, is_argo};
use super::order::sync_wave;
use crate::diagnostic::Diagnostic;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// What an import reports about one ApplicationSet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct AppSetSummary {
    /// `metadata.name`.
    pub name: String,
    /// The file.
    pub file: String,
    /// The file relative to the repository root.
    pub relative: String,
    /// The line its document starts at.
    pub line: usize,
    /// Its sync wave.
    pub wave: i64,
    /// The Application whose source holds its file.
    pub parent: Option<String>,
    /// Its generators' kinds, in order (`list`, `clusters`, `git`, ...).
    pub generators: Vec<String>,
    /// The names of the Applications it generates (from `list` and `clusters` generators).
    pub generated: Vec<String>,
    /// Its RollingSync steps (Application names per step), when it has that strategy.
    pub steps: Vec<Vec<String>>,
}

/// One `matchExpressions` entry of a RollingSync step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct MatchExpression {
    /// The label key.
    #[serde(default)]
    pub key: String,
    /// `In` or `NotIn` (anything else is invalid).
    #[serde(default)]
    pub operator: String,
    /// The values.
    #[serde(default)]
    pub values: Vec<String>,
}

/// RollingSync step membership (`buildAppDependencyList`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct RollingSteps {
    /// The Applications of each step (an Application matching two steps is in both, as in Argo).
    pub steps: Vec<Vec<String>>,
    /// Each Application's first step.
    pub step_of: BTreeMap<String, usize>,
    /// Steps no Application matches.
    pub empty_steps: Vec<usize>,
    /// (step, operator) of invalid operators.
    pub invalid_operators: Vec<(usize, String)>,
    /// Applications selected by more than one step, with those steps.
    pub duplicates: BTreeMap<String, Vec<usize>>,
}

/// Assigns Applications (name, labels; in the order given) to RollingSync steps exactly as Argo CD does: every
/// expression of a step must hold; `In` needs the label; `NotIn` passes when the label is absent.
pub fn rolling_steps(
    steps: &[Vec<MatchExpression>],
    apps: &[(String, BTreeMap<String, String>)],
) -> RollingSteps {
    let mut out = RollingSteps {
        steps: vec![Vec::new(); steps.len()],
        ..RollingSteps::default()
    };
    for (name, labels) in apps {
        for (i, step) in steps.iter().enumerate() {
            let mut selected = true;
            for expression in step {
                match labels.get(&expression.key) {
                    Some(value) => {
                        let op = expression.operator.as_str();
                        if op != "In" && op != "NotIn" {
                            // Argo records an invalid operator once per step; the Application is not selected.
                            if !out
                                .invalid_operators
                                .iter()
                                .any(|(s, o)| *s == i && o == op)
                            {
                                out.invalid_operators.push((i, op.to_string()));
                            }
                            selected = false;
                            break;
                        }
                        let contained = expression.values.contains(value);
                        if contained != (op == "In") {
                            selected = false;
                            break;
                        }
                    }
                    None if expression.operator == "In" => {
                        selected = false;
                        break;
                    }
                    None => {}
                }
            }
            if selected {
                out.steps[i].push(name.clone());
                match out.step_of.get(name) {
                    Some(&first) => out
                        .duplicates
                        .entry(name.clone())
                        .or_insert_with(|| vec![first])
                        .push(i),
                    None => {
                        out.step_of.insert(name.clone(), i);
                    }
                }
            }
        }
    }
    out.empty_steps = (0..steps.len())
        .filter(|&i| out.steps[i].is_empty())
        .collect();
    out
}

/// A step's `maxUpdate`: an integer, or a percentage text (`"10%"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum IntOrPercent {
    /// A count.
    Int(i64),
    /// A percentage such as `"25%"`.
    Percent(String),
}

/// How many Applications of a step of `count` may update at once (`GetScaledValueFromIntOrPercent` rounding
/// down, then a percentage other than `0%` raised to at least 1; unset: all of them).
///
/// # Errors
/// A text that is not `N%`.
pub fn max_update(value: Option<&IntOrPercent>, count: usize) -> Result<usize, String> {
    match value {
        None => Ok(count),
        Some(IntOrPercent::Int(n)) => Ok(usize::try_from(*n).unwrap_or(0)),
        Some(IntOrPercent::Percent(text)) => {
            let percent = text
                .strip_suffix('%')
                .and_then(super::order::atoi)
                .ok_or_else(|| format!("invalid value for IntOrString: invalid value {text:?}"))?;
            let scaled = (percent * count as i64).div_euclid(100);
            let scaled = usize::try_from(scaled).unwrap_or(0);
            Ok(if text != "0%" && scaled < 1 {
                1
            } else {
                scaled
            })
        }
    }
}

/// A cluster an ApplicationSet's `clusters` generator can see: a Secret labelled
/// `argocd.argoproj.io/secret-type: cluster`.
struct Cluster {
    name: String,
    server: String,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

fn clusters(repo: &Repository) -> Vec<Cluster> {
    repo.objects
        .iter()
        .filter(|o| {
            o.kind == "Secret"
                && o.labels()
                    .get("argocd.argoproj.io/secret-type")
                    .map(String::as_str)
                    == Some("cluster")
        })
        .map(|o| {
            let data = o.value.get("stringData");
            let field = |k: &str| {
                data.and_then(|d| d.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            Cluster {
                name: field("name"),
                server: field("server"),
                labels: o.labels(),
                annotations: string_map(o.value.pointer("/metadata/annotations")),
            }
        })
        .collect()
}

/// A cluster as the generator passes it on: name, server, labels, annotations.
type Found = (
    String,
    String,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
);

/// A label selector (`matchLabels`, `matchExpressions` with `In`, `NotIn`, `Exists`, `DoesNotExist`).
fn selector_matches(selector: Option<&Value>, labels: &BTreeMap<String, String>) -> bool {
    let Some(selector) = selector else {
        return true;
    };
    let labels_ok = string_map(selector.get("matchLabels"))
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v));
    let expressions_ok = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .all(|e| {
            let key = e.get("key").and_then(Value::as_str).unwrap_or_default();
            let values: Vec<&str> = e
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let value = labels.get(key).map(String::as_str);
            match e
                .get("operator")
                .and_then(Value::as_str)
                .unwrap_or_default()
            {
                "In" => value.is_some_and(|v| values.contains(&v)),
                "NotIn" => value.is_none_or(|v| !values.contains(&v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        });
    labels_ok && expressions_ok
}

fn is_empty_selector(selector: Option<&Value>) -> bool {
    selector.is_none_or(|s| {
        s.get("matchLabels")
            .and_then(Value::as_object)
            .is_none_or(Map::is_empty)
            && s.get("matchExpressions")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
    })
}

/// The parameter sets of one generator, or the reason aoa does not expand it.
fn generate(
    kind: &str,
    body: &Value,
    go_template: bool,
    known: &[Cluster],
) -> Result<Vec<Map<String, Value>>, String> {
    match kind {
        "list" => {
            let mut out = Vec::new();
            for element in body
                .get("elements")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(element) = element.as_object() else {
                    return Err("a list element is not a mapping".into());
                };
                if go_template {
                    out.push(element.clone());
                    continue;
                }
                let mut params = Map::new();
                for (key, value) in element {
                    if key == "values" {
                        for (k, v) in value.as_object().into_iter().flatten() {
                            params.insert(
                                format!("values.{k}"),
                                Value::String(
                                    v.as_str()
                                        .ok_or("a list value is not a string")?
                                        .to_string(),
                                ),
                            );
                        }
                    } else {
                        params.insert(
                            key.clone(),
                            Value::String(
                                value
                                    .as_str()
                                    .ok_or("a list element value is not a string")?
                                    .to_string(),
                            ),
                        );
                    }
                }
                out.push(params);
            }
            if body.get("elementsYaml").is_some() {
                return Err("`elementsYaml` is not expanded by aoa".into());
            }
            Ok(out)
        }
        "clusters" => {
            let selector = body.get("selector");
            let mut found: Vec<Found> = known
                .iter()
                .filter(|c| selector_matches(selector, &c.labels))
                .map(|c| {
                    (
                        c.name.clone(),
                        c.server.clone(),
                        c.labels.clone(),
                        c.annotations.clone(),
                    )
                })
                .collect();
            let local = "https://kubernetes.default.svc";
            if is_empty_selector(selector) && !known.iter().any(|c| c.server == local) {
                found.push((
                    "in-cluster".into(),
                    local.into(),
                    BTreeMap::new(),
                    BTreeMap::new(),
                ));
            }
            let values = string_map(body.get("values"));
            Ok(found
                .into_iter()
                .map(|(name, server, labels, annotations)| {
                    let mut params = Map::new();
                    params.insert("name".into(), json!(name));
                    params.insert(
                        "nameNormalized".into(),
                        json!(name.replace(['_', '.'], "-").to_lowercase()),
                    );
                    params.insert("server".into(), json!(server));
                    if go_template {
                        params.insert(
                            "metadata".into(),
                            json!({"labels": labels, "annotations": annotations}),
                        );
                        params.insert("values".into(), json!(values));
                    } else {
                        for (k, v) in &labels {
                            params.insert(format!("metadata.labels.{k}"), json!(v));
                        }
                        for (k, v) in &annotations {
                            params.insert(format!("metadata.annotations.{k}"), json!(v));
                        }
                        for (k, v) in &values {
                            params.insert(format!("values.{k}"), json!(v));
                        }
                    }
                    params
                })
                .collect())
        }
        other => Err(format!("the `{other}` generator is not expanded by aoa")),
    }
}

/// Renders `{{key}}` (fasttemplate) or `{{ .key.path }}` (Go template, field paths only) in every string.
fn render(value: &Value, params: &Map<String, Value>, go_template: bool) -> Value {
    match value {
        Value::String(s) => Value::String(render_text(s, params, go_template)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render(v, params, go_template))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render(v, params, go_template)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn render_text(text: &str, params: &Map<String, Value>, go_template: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = rest[start + 2..start + end].trim();
        let found = if go_template {
            inner.strip_prefix('.').and_then(|path| {
                let mut at = params.get(path.split('.').next()?)?;
                for part in path.split('.').skip(1) {
                    at = at.get(part)?;
                }
                at.as_str()
                    .map(str::to_string)
                    .or_else(|| (!at.is_object() && !at.is_array()).then(|| at.to_string()))
            })
        } else {
            params
                .get(inner)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        match found {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[start..start + end + 2]),
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// Every ApplicationSet of a repository with the Applications its `list` and `clusters` generators make
/// (built by `make`), unsupported generators reported in `findings`.
pub fn expand_all(
    repo: &Repository,
    findings: &mut Vec<Diagnostic>,
    make: impl Fn(&Object, &mut Vec<Diagnostic>) -> Application,
) -> (Vec<AppSetSummary>, Vec<Application>) {
    let known = clusters(repo);
    let mut sets = Vec::new();
    let mut generated = Vec::new();
    for object in repo.objects.iter().filter(|o| is_argo(o, "ApplicationSet")) {
        let spec = object.value.get("spec");
        let go_template = spec
            .and_then(|s| s.get("goTemplate"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let template = spec
            .and_then(|s| s.get("template"))
            .cloned()
            .unwrap_or(Value::Null);
        let mut kinds = Vec::new();
        let mut made: Vec<Application> = Vec::new();
        for generator in spec
            .and_then(|s| s.get("generators"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some((kind, body)) = generator
                .as_object()
                .and_then(|g| g.iter().find(|(k, _)| *k != "selector" && *k != "template"))
            else {
                continue;
            };
            kinds.push(kind.clone());
            match generate(kind, body, go_template, &known) {
                Ok(param_sets) => {
                    for params in param_sets {
                        let rendered = render(&template, &params, go_template);
                        let mut value =
                            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application"});
                        value["metadata"] = rendered.get("metadata").cloned().unwrap_or(json!({}));
                        value["spec"] = rendered.get("spec").cloned().unwrap_or(json!({}));
                        let name = value
                            .pointer("/metadata/name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        let child = Object {
                            file: object.file.clone(),
                            relative: object.relative.clone(),
                            line: object.line,
                            kind: "Application".into(),
                            group: "argoproj.io".into(),
                            namespace: value
                                .pointer("/metadata/namespace")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string(),
                            name,
                            value,
                            data_lines: BTreeMap::new(),
                        };
                        let mut app = make(&child, findings);
                        app.generated_by = Some(object.name.clone());
                        made.push(app);
                    }
                }
                Err(reason) => findings.push(
                    Diagnostic::new(
                        "unsupported-generator",
                        format!("ApplicationSet `{}`: {reason}", object.name),
                    )
                    .at(&object.file, Some((object.line, 1)))
                    .with_app(&object.name)
                    .with_hint("its Applications are not generated; aoa does not guess them"),
                ),
            }
        }
        made.sort_by(|a, b| a.name.cmp(&b.name));
        made.dedup_by(|a, b| a.name == b.name);
        let steps: Vec<Vec<MatchExpression>> = spec
            .filter(|s| s.pointer("/strategy/type").and_then(Value::as_str) == Some("RollingSync"))
            .and_then(|s| s.pointer("/strategy/rollingSync/steps"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|step| {
                step.get("matchExpressions")
                    .and_then(|e| serde_json::from_value(e.clone()).ok())
                    .unwrap_or_default()
            })
            .collect();
        let labelled: Vec<(String, BTreeMap<String, String>)> = made
            .iter()
            .map(|a| (a.name.clone(), a.labels.clone()))
            .collect();
        sets.push(AppSetSummary {
            name: object.name.clone(),
            file: object.file.clone(),
            relative: object.relative.clone(),
            line: object.line,
            wave: sync_wave(object).0,
            parent: None,
            generators: kinds,
            generated: made.iter().map(|a| a.name.clone()).collect(),
            steps: rolling_steps(&steps, &labelled).steps,
        });
        generated.extend(made);
    }
    (sets, generated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_both_syntaxes() {
        let params: Map<String, Value> =
            serde_json::from_value(json!({"cluster": "dev", "values.x": "1"})).unwrap();
        assert_eq!(
            render_text("app-{{cluster}}-{{ values.x }}-{{nope}}", &params, false),
            "app-dev-1-{{nope}}"
        );
        let params: Map<String, Value> =
            serde_json::from_value(json!({"values": {"x": "2"}})).unwrap();
        assert_eq!(render_text("a-{{ .values.x }}", &params, true), "a-2");
    }
}

//! What an apply changes: apps added, changed field by field, retired; and the history replayed back.

use super::record::{AppRecord, FIELDS};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// The kind of a registry change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "RegistryChangeKind"))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// An app the registry did not have (or had retired).
    Added,
    /// An app whose fields changed.
    Changed,
    /// An app the manifest no longer declares (its record and history are kept).
    Retired,
}

impl ChangeKind {
    /// `added`, `changed`, `retired`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Retired => "retired",
        }
    }

    /// The kind of an audit event kind `registry.KIND`.
    pub fn of_event(kind: &str) -> Option<ChangeKind> {
        match kind {
            "registry.added" => Some(ChangeKind::Added),
            "registry.changed" => Some(ChangeKind::Changed),
            "registry.retired" => Some(ChangeKind::Retired),
            _ => None,
        }
    }
}

/// One field's old and new value (JSON; `null` for none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "RegistryFieldChange"))]
pub struct FieldChange {
    /// The field (`version`, `owner`, `labels`, `scopes`, `params_fp`, `parent`, `access`).
    pub field: String,
    /// Its value before.
    pub old: Value,
    /// Its value after.
    pub new: Value,
}

/// One app's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "RegistryChange"))]
pub struct Change {
    /// The app.
    pub app: String,
    /// Added, changed or retired.
    pub kind: ChangeKind,
    /// The fields that differ (every set field for an added app; none for a retired one).
    pub fields: Vec<FieldChange>,
}

/// Every change from `current` (the registry, retired apps included) to `new` (sorted by name), and how many
/// apps stay as they are.
pub fn plan(current: &[AppRecord], new: &[AppRecord]) -> (Vec<Change>, usize) {
    let by_name: HashMap<&str, &AppRecord> = current.iter().map(|r| (r.app.as_str(), r)).collect();
    let mut changes = Vec::new();
    let mut unchanged = 0;
    for r in new {
        match by_name.get(r.app.as_str()) {
            Some(old) if !old.retired => {
                if old.same_fields(r) {
                    unchanged += 1;
                } else {
                    changes.push(Change {
                        app: r.app.clone(),
                        kind: ChangeKind::Changed,
                        fields: differences(Some(old), r),
                    });
                }
            }
            _ => changes.push(Change {
                app: r.app.clone(),
                kind: ChangeKind::Added,
                fields: differences(None, r),
            }),
        }
    }
    let declared: std::collections::HashSet<&str> = new.iter().map(|r| r.app.as_str()).collect();
    let mut retired: Vec<&AppRecord> = current
        .iter()
        .filter(|r| !r.retired && !declared.contains(r.app.as_str()))
        .collect();
    retired.sort_by(|a, b| a.app.cmp(&b.app));
    changes.extend(retired.into_iter().map(|r| Change {
        app: r.app.clone(),
        kind: ChangeKind::Retired,
        fields: Vec::new(),
    }));
    (changes, unchanged)
}

fn differences(old: Option<&AppRecord>, new: &AppRecord) -> Vec<FieldChange> {
    FIELDS
        .iter()
        .filter_map(|f| {
            let was = old.map_or(Value::Null, |o| o.field(f));
            let now = new.field(f);
            let empty = |v: &Value| {
                matches!(v, Value::Null)
                    || v.as_str() == Some("")
                    || v.as_array().is_some_and(Vec::is_empty)
                    || v.as_object().is_some_and(serde_json::Map::is_empty)
            };
            let differs = if old.is_none() {
                !empty(&now)
            } else {
                was != now
            };
            differs.then(|| FieldChange {
                field: (*f).to_string(),
                old: was,
                new: now,
            })
        })
        .collect()
}

/// Replays history entries (in order) into the registry they describe: app → (record, retired).
pub fn replay<'a>(
    entries: impl IntoIterator<Item = (&'a str, ChangeKind, &'a [FieldChange])>,
) -> BTreeMap<String, AppRecord> {
    let mut out: BTreeMap<String, AppRecord> = BTreeMap::new();
    for (app, kind, fields) in entries {
        let record = out.entry(app.to_string()).or_insert_with(|| AppRecord {
            app: app.to_string(),
            version: None,
            owner: None,
            labels: BTreeMap::new(),
            scopes: Vec::new(),
            params_fp: String::new(),
            manifest_fp: String::new(),
            parent: None,
            access: String::new(),
            retired: false,
            updated_at: String::new(),
            updated_by: String::new(),
            fp: String::new(),
        });
        match kind {
            ChangeKind::Added => {
                for f in FIELDS {
                    record.set_field(f, &Value::Null);
                }
                record.retired = false;
            }
            ChangeKind::Changed => {}
            ChangeKind::Retired => record.retired = true,
        }
        for f in fields {
            record.set_field(&f.field, &f.new);
        }
    }
    out
}

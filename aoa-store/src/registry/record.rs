//! One app as the registry records it, built from a manifest, read from and written to rows.

use crate::clock::rfc3339;
use crate::sql::{Row, Sql};
use aoa_core::manifest::Section;
use aoa_core::{AppId, AppSpec, Manifest, ParamsFormat, Result};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The fields of a record that an apply compares (the rest say where and when it came from).
pub const FIELDS: [&str; 7] = [
    "version",
    "owner",
    "labels",
    "scopes",
    "params_fp",
    "parent",
    "access",
];

/// One app of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "typegen", schemars(rename = "RegistryRecord"))]
pub struct AppRecord {
    /// The app's name.
    pub app: String,
    /// Its deployed version (`version:` in the manifest).
    pub version: Option<String>,
    /// Its owner.
    pub owner: Option<String>,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// The scopes it requires: its `identity` needs, sorted.
    pub scopes: Vec<String>,
    /// SHA-256 (hex, 128 bits) of its resolved parameters as JSON; empty when the manifest has none.
    pub params_fp: String,
    /// SHA-256 (hex) of the manifest apply that last changed it.
    pub manifest_fp: String,
    /// Its parent.
    pub parent: Option<String>,
    /// Its permission sections (`roles`, `grants`, `deny`, `ceiling`, `identity`) as JSON, empty when none:
    /// what the next apply's privilege check rebuilds the previous manifest from.
    pub access: String,
    /// Whether a later manifest dropped it (its history is kept).
    pub retired: bool,
    /// When it last changed (RFC 3339 UTC).
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
    /// SHA-256 (hex) of the compared fields: an unchanged app is recognized by it alone.
    #[serde(skip)]
    #[cfg_attr(feature = "typegen", schemars(skip))]
    pub fp: String,
}

/// The columns of `aoa_apps` after `registry_id`, in [`AppRecord::row`] order.
pub const COLUMNS: &str = "app, version, owner, labels, scopes, params_fp, manifest_fp, parent, access, retired, updated_at, updated_by, fp";

impl AppRecord {
    /// The value of a compared field (one of [`FIELDS`]) as JSON.
    pub fn field(&self, name: &str) -> Value {
        let opt = |v: &Option<String>| v.as_ref().map_or(Value::Null, |s| Value::String(s.clone()));
        match name {
            "version" => opt(&self.version),
            "owner" => opt(&self.owner),
            "labels" => serde_json::json!(self.labels),
            "scopes" => serde_json::json!(self.scopes),
            "params_fp" => Value::String(self.params_fp.clone()),
            "parent" => opt(&self.parent),
            "access" => Value::String(self.access.clone()),
            _ => Value::Null,
        }
    }

    /// Sets a compared field from its JSON (the inverse of [`AppRecord::field`]).
    pub fn set_field(&mut self, name: &str, value: &Value) {
        let text = |v: &Value| v.as_str().map(str::to_string);
        match name {
            "version" => self.version = text(value),
            "owner" => self.owner = text(value),
            "labels" => self.labels = serde_json::from_value(value.clone()).unwrap_or_default(),
            "scopes" => self.scopes = serde_json::from_value(value.clone()).unwrap_or_default(),
            "params_fp" => self.params_fp = text(value).unwrap_or_default(),
            "parent" => self.parent = text(value),
            "access" => self.access = text(value).unwrap_or_default(),
            _ => {}
        }
    }

    /// Feeds the name and every compared field to `h`, each value followed by a separator byte.
    fn digest(&self, h: &mut Sha256) {
        let mut put = |bytes: &[u8], sep: u8| {
            h.update(bytes);
            h.update([sep]);
        };
        put(self.app.as_bytes(), 1);
        for v in [&self.version, &self.owner, &self.parent] {
            put(v.as_deref().unwrap_or("").as_bytes(), u8::from(v.is_some()));
        }
        for (k, v) in &self.labels {
            put(k.as_bytes(), 2);
            put(v.as_bytes(), 3);
        }
        for s in &self.scopes {
            put(s.as_bytes(), 4);
        }
        put(self.params_fp.as_bytes(), 5);
        put(self.access.as_bytes(), 6);
    }

    /// Whether every compared field equals `other`'s.
    pub fn same_fields(&self, other: &AppRecord) -> bool {
        self.version == other.version
            && self.owner == other.owner
            && self.labels == other.labels
            && self.scopes == other.scopes
            && self.params_fp == other.params_fp
            && self.parent == other.parent
            && self.access == other.access
    }

    /// The row of `aoa_apps` (with `registry_id` first) for this record written at `at_ms`.
    pub fn row(&self, registry: &str, at_ms: i64) -> Row {
        vec![
            Sql::Text(registry.to_string()),
            Sql::Text(self.app.clone()),
            Sql::of_opt(self.version.as_deref()),
            Sql::of_opt(self.owner.as_deref()),
            Sql::Text(serde_json::to_string(&self.labels).unwrap_or_default()),
            Sql::Text(serde_json::to_string(&self.scopes).unwrap_or_default()),
            Sql::Text(self.params_fp.clone()),
            Sql::Text(self.manifest_fp.clone()),
            Sql::of_opt(self.parent.as_deref()),
            Sql::Text(self.access.clone()),
            Sql::Int(i64::from(self.retired)),
            Sql::Int(at_ms),
            Sql::Text(self.updated_by.clone()),
            Sql::Text(self.fp.clone()),
        ]
    }

    /// The record of a row selected as [`COLUMNS`].
    pub fn from_row(row: Row) -> AppRecord {
        let mut v = row.into_iter();
        let mut next = || v.next().unwrap_or(Sql::Null);
        let (app, version, owner, labels, scopes) = (next(), next(), next(), next(), next());
        let (params_fp, manifest_fp, parent, access) = (next(), next(), next(), next());
        let (retired, updated_at, updated_by, fp) = (next(), next(), next(), next());
        let labels = match labels.text() {
            "{}" => BTreeMap::new(),
            text => serde_json::from_str(text).unwrap_or_default(),
        };
        let scopes = match scopes.text() {
            "[]" => Vec::new(),
            text => serde_json::from_str(text).unwrap_or_default(),
        };
        AppRecord {
            app: app.into_text().unwrap_or_default(),
            version: version.into_text(),
            owner: owner.into_text(),
            labels,
            scopes,
            params_fp: params_fp.into_text().unwrap_or_default(),
            manifest_fp: manifest_fp.into_text().unwrap_or_default(),
            parent: parent.into_text(),
            access: access.into_text().unwrap_or_default(),
            retired: retired.int() != 0,
            updated_at: rfc3339(updated_at.int()),
            updated_by: updated_by.into_text().unwrap_or_default(),
            fp: fp.into_text().unwrap_or_default(),
        }
    }

    /// The app spec the privilege check rebuilds a previous manifest from: name, parent, labels and the
    /// permission sections.
    pub fn to_spec(&self) -> AppSpec {
        let sections: BTreeMap<String, Value> =
            serde_json::from_str(&self.access).unwrap_or_default();
        AppSpec {
            name: self.app.clone(),
            parent: self.parent.clone(),
            labels: self.labels.clone(),
            sections: sections
                .into_iter()
                .filter_map(|(k, v)| Section::from_key(&k).map(|s| (s, v)))
                .collect(),
            ..AppSpec::default()
        }
    }
}

/// The records a manifest declares, sorted by name, with `manifest_fp` the fingerprint of the whole set.
///
/// # Errors
/// The core's errors resolving parameters.
pub fn records_of(manifest: &Manifest, by: &str) -> Result<Vec<AppRecord>> {
    let model = manifest.model();
    let has_params = model.has_section(Section::is_param);
    // Every app's identity needs, in one pass over the rules.
    let mut needs: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
    for rule in manifest.access().index().rules() {
        if rule.effect == aoa_core::access::Effect::Identity {
            needs
                .entry(rule.app.as_str())
                .or_default()
                .extend(rule.actions.iter().cloned());
        }
    }
    let mut out = Vec::with_capacity(model.len());
    for id in model.ids_by_name() {
        let mut scopes = needs.remove(model.name(id)).unwrap_or_default();
        scopes.sort();
        scopes.dedup();
        out.push(AppRecord {
            app: model.name(id).to_string(),
            version: model.version(id).map(str::to_string),
            owner: model.owner(id).map(str::to_string),
            labels: model.labels(id).clone(),
            scopes,
            params_fp: if has_params {
                params_fp(manifest, id)?
            } else {
                String::new()
            },
            manifest_fp: String::new(),
            parent: model.parent(id).map(|p| model.name(p).to_string()),
            access: access_json(manifest, id),
            retired: false,
            updated_at: String::new(),
            updated_by: by.to_string(),
            fp: String::new(),
        });
    }
    let mut h = Sha256::new();
    for r in &mut out {
        let mut one = Sha256::new();
        r.digest(&mut one);
        let digest = one.finalize();
        h.update(digest);
        r.fp = crate::secret::hex(&digest);
    }
    let fp = crate::secret::hex(&h.finalize());
    for r in &mut out {
        r.manifest_fp.clone_from(&fp);
    }
    Ok(out)
}

fn params_fp(manifest: &Manifest, id: AppId) -> Result<String> {
    let json = manifest.encode_params(id, ParamsFormat::Json)?;
    Ok(crate::secret::hex(&Sha256::digest(&json)[..16]))
}

fn access_json(manifest: &Manifest, id: AppId) -> String {
    let model = manifest.model();
    let sections: BTreeMap<&str, &Value> = Section::ALL
        .into_iter()
        .filter(|s| s.is_access())
        .filter_map(|s| model.section(id, s).map(|v| (s.key(), v)))
        .collect();
    if sections.is_empty() {
        String::new()
    } else {
        serde_json::to_string(&sections).unwrap_or_default()
    }
}

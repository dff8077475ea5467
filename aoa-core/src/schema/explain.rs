//! `params --explain`: every leaf of an app's resolved parameters with the app that set it.

use super::resolve::{ResolvedParams, for_each_leaf};
use serde::Serialize;
use serde_json::Value;

/// One leaf of resolved parameters and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainRow<'t> {
    /// The JSON pointer of the leaf (a scalar, a list or an empty mapping).
    pub path: String,
    /// Its value.
    pub value: Value,
    /// The app that set it; `None` for a schema default.
    pub set_by: Option<&'t str>,
}

impl<'t> ResolvedParams<'t> {
    /// Every leaf of the value, in the value's key order, with the app that set it.
    pub fn explain(&self) -> Vec<ExplainRow<'t>> {
        let mut rows = Vec::new();
        for_each_leaf(&self.value, &mut String::new(), &mut |path| {
            rows.push(ExplainRow {
                path: path.to_string(),
                value: self.value.pointer(path).cloned().unwrap_or(Value::Null),
                set_by: self.set_by(path),
            });
        });
        rows
    }
}

#[cfg(test)]
mod tests {
    use crate::{Format, Manifest};
    use serde_json::json;

    #[test]
    fn every_leaf_with_its_setter_or_none_for_a_default() {
        let m = Manifest::from_str(
            "apps:\n- name: root\n  shared_params: {region: eu, tags: []}\n- name: a\n  parent: root\n  schema: {type: record, name: P, fields: [{name: region, type: string}, {name: tags, type: {type: array, items: string}}, {name: port, type: int, default: 80}]}\n  params: {port: 8080}\n- name: b\n  parent: root\n  schema: {type: record, name: Q, fields: [{name: region, type: string}, {name: tags, type: {type: array, items: string}}, {name: port, type: int, default: 80}]}\n",
            Format::Yaml,
        )
        .unwrap();
        let id = m.app("b").unwrap();
        let resolved = m.params(id).unwrap();
        let rows: Vec<_> = resolved
            .explain()
            .into_iter()
            .map(|r| (r.path, r.value, r.set_by))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("/port".to_string(), json!(80), None),
                ("/region".to_string(), json!("eu"), Some("root")),
                ("/tags".to_string(), json!([]), Some("root")),
            ]
        );
    }
}

//! `params --explain`: every leaf of an app's resolved parameters with the app that set it.

use super::resolve::{ResolvedParams, for_each_leaf};
use serde::Serialize;
use serde_json::Value;

/// One leaf of resolved parameters and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
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
        // Each leaf's value is handed over by the walk itself, never looked up again by its pointer.
        for_each_leaf(&self.value, &mut String::new(), &mut |path, leaf| {
            rows.push(ExplainRow {
                path: path.to_string(),
                value: leaf.clone(),
                set_by: self.set_by(path),
            });
        });
        rows
    }
}

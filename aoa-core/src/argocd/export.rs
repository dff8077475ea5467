//! Export: sync-wave annotations computed from aoa's `depends_on` plan, keeping every annotation already in
//! the repository that is consistent with it (the minimal diff).

use crate::api::Manifest;
use crate::error::Result;
use crate::graph::PlanOptions;
use serde::Serialize;

/// The label an import writes with each app's sync wave.
pub const WAVE_LABEL: &str = "argocd/sync-wave";

/// One app's sync-wave annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct WaveAnnotation {
    /// The app (Application or ApplicationSet).
    pub app: String,
    /// Its file (the `argocd/file` label), if imported.
    pub file: Option<String>,
    /// The line its document starts at (the `argocd/line` label), if imported.
    pub line: Option<usize>,
    /// The annotation in the repository (the `argocd/sync-wave` label), if any.
    pub old: Option<i64>,
    /// The annotation aoa computes.
    pub new: i64,
    /// Whether the annotation must change (an absent annotation is wave 0).
    pub changed: bool,
}

/// What `argocd_export` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Export {
    /// How many distinct waves the annotations use.
    pub waves: usize,
    /// How many annotations change.
    pub changed: usize,
    /// Every app, in plan order.
    pub annotations: Vec<WaveAnnotation>,
}

/// Sync waves from the plan: in plan order, each app keeps its current wave when it is above every
/// dependency's new wave, and otherwise takes the highest dependency's wave + 1 (0 without dependencies), so
/// every `depends_on` edge goes to a strictly higher wave and consistent annotations stay as they are.
///
/// # Errors
/// The plan's errors (a dependency cycle).
pub fn export(manifest: &Manifest) -> Result<Export> {
    let plan = manifest.plan(&PlanOptions::default())?;
    let model = manifest.model();
    let mut wave_of: Vec<Option<i64>> = vec![None; model.len()];
    let mut annotations = Vec::with_capacity(model.len());
    for name in plan.order() {
        let id = model.app(name)?;
        let labels = model.labels(id);
        let old = labels.get(WAVE_LABEL).and_then(|w| super::order::atoi(w));
        let floor = model
            .depends_on(id)
            .filter_map(|d| wave_of[d.index()])
            .max()
            .map(|w| w + 1);
        let new = match (old, floor) {
            (Some(old), Some(floor)) if old >= floor => old,
            (Some(old), None) => old,
            (_, Some(floor)) => floor,
            (None, None) => 0,
        };
        wave_of[id.index()] = Some(new);
        annotations.push(WaveAnnotation {
            app: name.to_string(),
            file: labels.get("argocd/file").cloned(),
            line: labels.get("argocd/line").and_then(|l| l.parse().ok()),
            old,
            new,
            changed: old.unwrap_or(0) != new,
        });
    }
    let mut distinct: Vec<i64> = annotations.iter().map(|a| a.new).collect();
    distinct.sort_unstable();
    distinct.dedup();
    Ok(Export {
        waves: distinct.len(),
        changed: annotations.iter().filter(|a| a.changed).count(),
        annotations,
    })
}

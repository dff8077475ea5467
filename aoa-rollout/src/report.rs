//! The end of a run: where every app ended, how long it took, and the critical path as it really ran.

use crate::journal::{JournalEvent, Step};
use aoa_core::Manifest;
use aoa_core::schedule::Counts;
use serde::Serialize;
use std::collections::HashMap;

/// Where one app ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppOutcome {
    /// The app.
    pub app: String,
    /// `succeeded`, `adopted`, `failed`, `skipped`, `in_doubt` or `settled` (done before this run).
    pub status: String,
    /// Attempts started in this run.
    pub attempts: u32,
    /// When its first attempt started (milliseconds since the run began).
    pub started_ms: Option<u64>,
    /// When it ended.
    pub finished_ms: Option<u64>,
    /// The last failure or the skip reason.
    pub reason: Option<String>,
}

/// The outcome of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The run.
    pub run_id: String,
    /// Every app that took part, in the order it ended.
    pub apps: Vec<AppOutcome>,
    /// How many apps ended where.
    pub counts: Counts,
    /// The chain of apps that decided the run's length: the app that ended last, the app before it that
    /// ended last, and so on, first app first.
    pub critical_path: Vec<String>,
    /// How long the run took (milliseconds).
    pub elapsed_ms: u64,
}

impl Report {
    pub(crate) fn new(run_id: &str) -> Report {
        Report {
            run_id: run_id.to_owned(),
            ..Report::default()
        }
    }

    /// Takes in one journal entry.
    pub(crate) fn record(&mut self, e: &JournalEvent, index: &mut HashMap<String, usize>) {
        let slot = *index.entry(e.app.clone()).or_insert_with(|| {
            self.apps.push(AppOutcome {
                app: e.app.clone(),
                status: "running".to_owned(),
                ..AppOutcome::default()
            });
            self.apps.len() - 1
        });
        let app = &mut self.apps[slot];
        let mut end = |status: &str| {
            app.status = status.to_owned();
            app.finished_ms = Some(e.at_ms);
        };
        match &e.step {
            Step::Started { attempt } => {
                app.attempts = *attempt;
                app.started_ms.get_or_insert(e.at_ms);
            }
            Step::Succeeded { .. } => end("succeeded"),
            Step::Adopted => end("adopted"),
            Step::Failed { .. } => end("failed"),
            Step::InDoubt { .. } => end("in_doubt"),
            Step::Skipped { reason } => {
                end("skipped");
                app.reason = Some(reason.clone());
            }
            Step::AttemptFailed { reason, .. } => app.reason = Some(reason.clone()),
            Step::TimedOut { attempt } => app.reason = Some(format!("attempt {attempt} timed out")),
            Step::Retrying { .. } => {}
        }
        self.elapsed_ms = self.elapsed_ms.max(e.at_ms);
    }

    /// Closes the report: counts and the critical path through `manifest`'s parents and dependencies.
    pub(crate) fn finish(
        &mut self,
        counts: Counts,
        manifest: &Manifest,
        index: &HashMap<String, usize>,
    ) {
        self.counts = counts;
        let ran = |name: &str| {
            index
                .get(name)
                .and_then(|&i| self.apps[i].finished_ms.map(|t| (t, i)))
        };
        let mut at = self
            .apps
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.finished_ms.map(|t| (t, i)))
            .max();
        let mut path = Vec::new();
        while let Some((_, i)) = at {
            let name = self.apps[i].app.clone();
            at = manifest.id(&name).and_then(|id| {
                manifest
                    .predecessors(id)
                    .filter_map(|p| ran(manifest.name(p)))
                    .max()
            });
            path.push(name);
        }
        path.reverse();
        self.critical_path = path;
    }
}

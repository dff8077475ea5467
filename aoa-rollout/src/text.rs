//! The JSON-text entry points the bindings call: options in, the report or the error out, each as
//! `{"ok": ...}` or `{"error": {...}}` like `aoa_core::dispatch::text`.

use crate::callbacks::Callbacks;
use crate::journal::{JournalEvent, MemoryJournal};
use crate::run::Rollout;
use crate::settings::options_from_json;
use aoa_core::dispatch::text::failure;
use aoa_core::{Manifest, Result};
use serde_json::json;
use std::sync::Arc;

/// Rolls out `manifest` (see [`Rollout::run`]) with `options` as JSON (see [`options_from_json`]); each
/// journal entry is handed to `progress` as JSON text. Returns the outcome as JSON text.
pub fn run(
    manifest: &Manifest,
    options: Option<&str>,
    callbacks: Arc<dyn Callbacks>,
    progress: &mut dyn FnMut(&str),
) -> String {
    outcome(options_from_json(options).and_then(|o| {
        let mut journal = MemoryJournal::default();
        Rollout::new(manifest, o).run(callbacks, &mut journal, &mut |e| progress(&event_text(e)))
    }))
}

/// A journal entry as JSON text (the shape of `aoa rollout --output json` lines).
pub fn event_text(event: &JournalEvent) -> String {
    serde_json::to_string(event).unwrap_or_default()
}

fn outcome<T: serde::Serialize>(result: Result<T>) -> String {
    match result.and_then(|v| aoa_core::dispatch::to_value(&v)) {
        Ok(value) => json!({ "ok": value }).to_string(),
        Err(e) => failure(&e),
    }
}

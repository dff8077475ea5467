//! Rollouts with Python callbacks: `aoa-rollout` runs the apps on its worker threads, each of which takes the
//! GIL only to call `dispatch` (`aoa/__init__.py` builds it from the user's callables: it awaits coroutines
//! on its event loop). The calling thread waits with the GIL released.

use crate::Manifest;
use aoa_rollout::text::{Call, Foreign};
use pyo3::prelude::*;
use std::sync::Arc;

/// Rolls out `manifest` (see `aoa_rollout::text::run`): `dispatch(kind, app, version, attempt, run_id, key)`
/// runs every callback and returns `(health, version)` (`(None, None)` but for `observe`); an exception fails the app
/// with its text (`ValueError: boom`). `on_event` gets each journal entry as JSON text on the calling thread.
/// Returns the outcome as JSON text.
#[pyfunction]
#[pyo3(signature = (manifest, dispatch, observes, options, on_event))]
pub(crate) fn rollout(
    py: Python<'_>,
    manifest: &Bound<'_, Manifest>,
    dispatch: Py<PyAny>,
    observes: bool,
    options: Option<&str>,
    on_event: Option<Py<PyAny>>,
) -> String {
    let call = move |c: Call<'_>| {
        Python::attach(|py| dispatch.bind(py).call1(c.fields())?.extract())
            .map_err(|e: PyErr| e.to_string())
    };
    let callbacks = Arc::new(Foreign { call, observes });
    let mut progress = |event: &str| {
        if let Some(f) = &on_event {
            Python::attach(|py| {
                f.call1(py, (event,))
                    .map_err(|e| e.write_unraisable(py, None))
                    .ok()
            });
        }
    };
    let manifest = &manifest.get().0;
    py.detach(|| aoa_rollout::text::run(manifest, options, callbacks, &mut progress))
}

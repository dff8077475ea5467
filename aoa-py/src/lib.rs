//! Python bindings of aoa: the native module `aoa._aoa`. It hands JSON text to `aoa_core::dispatch::text`
//! with the GIL released and returns its outcome text; `aoa/__init__.py` parses it, raises the error class of
//! the code, and generates every method from the core's table of operations.

use aoa_core::{ErrorCode, Manifest as Core, dispatch::text};
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::sync::Mutex;

mod rollout;

include!("error_classes.rs");

/// A validated manifest (immutable; safe to use from several threads).
#[pyclass(frozen, module = "aoa._aoa")]
struct Manifest(Core);

#[pymethods]
impl Manifest {
    fn __len__(&self) -> usize {
        self.0.len()
    }
}

/// A manifest from a `path`, a `text` (in `format`) or `records` (JSON text), or the error's outcome text.
#[pyfunction]
#[pyo3(signature = (kind, source, format = None))]
fn open(py: Python<'_>, kind: &str, source: &str, format: Option<&str>) -> PyResult<Py<PyAny>> {
    match py.detach(|| text::open(kind, source, format)) {
        Ok(m) => Ok(Py::new(py, Manifest(m))?.into_any()),
        Err(e) => Ok(PyString::new(py, &text::failure(&e)).into_any().unbind()),
    }
}

/// Runs an operation on no, one or two (old, new) manifests; its outcome as JSON text.
#[pyfunction]
#[pyo3(signature = (manifests, operation, args = None))]
fn call(
    py: Python<'_>,
    manifests: Vec<Bound<'_, Manifest>>,
    operation: &str,
    args: Option<&str>,
) -> String {
    let manifests: Vec<&Core> = manifests.iter().map(|m| &m.get().0).collect();
    py.detach(|| text::call(&manifests, operation, args))
}

/// An open state store (`aoa_store`); one call at a time.
#[pyclass(frozen, module = "aoa._aoa")]
struct Store(Mutex<aoa_store::StateStore>);

/// The store at `url` with `options` (JSON text), or the error's outcome text.
#[pyfunction]
#[pyo3(signature = (url, options = None))]
fn store_open(py: Python<'_>, url: &str, options: Option<&str>) -> PyResult<Py<PyAny>> {
    match py.detach(|| aoa_store::dispatch::text::open(url, options)) {
        Ok(s) => Ok(Py::new(py, Store(Mutex::new(s)))?.into_any()),
        Err(e) => Ok(PyString::new(py, &text::failure(&e)).into_any().unbind()),
    }
}

/// Runs a store operation (with a manifest, for those that take one); its outcome as JSON text.
#[pyfunction]
#[pyo3(signature = (store, manifest, operation, args = None))]
fn store_call(
    py: Python<'_>,
    store: &Bound<'_, Store>,
    manifest: Option<Bound<'_, Manifest>>,
    operation: &str,
    args: Option<&str>,
) -> String {
    let (store, manifest) = (&store.get().0, manifest.as_ref().map(|m| &m.get().0));
    py.detach(|| match store.lock() {
        Ok(mut s) => aoa_store::dispatch::text::call(&mut s, manifest, operation, args),
        Err(p) => aoa_store::dispatch::text::call(&mut p.into_inner(), manifest, operation, args),
    })
}

/// The native module `aoa._aoa`: `open`, `call`, `OPERATIONS` (the core's operations as JSON text) and
/// `ERROR_CLASSES` (every error code with its class name and extra built-in base), `rollout` (`src/rollout.rs`).
#[pymodule]
fn _aoa(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let row = |code: ErrorCode| (code.as_str(), class_of(code).0, class_of(code).1);
    m.add("ERROR_CLASSES", ErrorCode::ALL.map(row))?;
    m.add("OPERATIONS", text::operations())?;
    m.add("STORE_OPERATIONS", aoa_store::dispatch::text::operations())?;
    m.add_class::<Store>()?;
    m.add_function(wrap_pyfunction!(store_open, m)?)?;
    m.add_function(wrap_pyfunction!(store_call, m)?)?;
    m.add_class::<Manifest>()?;
    m.add_function(wrap_pyfunction!(open, m)?)?;
    m.add_function(wrap_pyfunction!(rollout::rollout, m)?)?;
    m.add_function(wrap_pyfunction!(call, m)?)
}

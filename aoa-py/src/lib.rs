//! Python bindings of aoa: the native module `aoa._aoa`. It hands JSON text to `aoa_core::dispatch::text`
//! with the GIL released and returns its outcome text; `aoa/__init__.py` parses it, raises the error class of
//! the code, and generates every method from the core's table of operations.

use aoa_core::{ErrorCode, Manifest as Core, dispatch::text};
use pyo3::prelude::*;
use pyo3::types::PyString;

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

/// The native module `aoa._aoa`: `open`, `call`, `OPERATIONS` (the core's operations as JSON text) and
/// `ERROR_CLASSES` (every error code with its class name and extra built-in base), `rollout` (`src/rollout.rs`).
#[pymodule]
fn _aoa(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let row = |code: ErrorCode| (code.as_str(), class_of(code).0, class_of(code).1);
    m.add("ERROR_CLASSES", ErrorCode::ALL.map(row))?;
    m.add("OPERATIONS", text::operations())?;
    m.add_class::<Manifest>()?;
    m.add_function(wrap_pyfunction!(open, m)?)?;
    m.add_function(wrap_pyfunction!(rollout::rollout, m)?)?;
    m.add_function(wrap_pyfunction!(call, m)?)
}

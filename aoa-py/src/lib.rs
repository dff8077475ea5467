//! Python bindings of aoa: the native module `aoa._aoa`. Arguments and results cross as JSON text (the `aoa`
//! package converts them with the `json` module); every operation runs through `aoa_core::dispatch` with the
//! GIL released, and every core error is raised as the `aoa` exception class of its code.
//!
//! The Python methods are generated in `aoa/__init__.py` from [`operations`], so a new core operation needs
//! no change here.

use aoa_core::{Error, ErrorCode, Format, Manifest as Core, dispatch};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use serde_json::Value;
use std::path::PathBuf;

create_exception!(
    aoa,
    AoaError,
    PyException,
    "Base class of every aoa error: `code`, `message` and `diagnostics` (a list of dicts)."
);

/// The Python class of each error code, and the built-in exception it also is (the one exhaustive match).
fn class_of(code: ErrorCode) -> (&'static str, Option<&'static str>) {
    match code {
        ErrorCode::Io => ("IoError", Some("OSError")),
        ErrorCode::Syntax => ("ParseError", None),
        ErrorCode::Manifest => ("ManifestError", None),
        ErrorCode::Cycle => ("CycleError", None),
        ErrorCode::InvalidAccess => ("InvalidAccessError", None),
        ErrorCode::Escalation => ("EscalationError", None),
        ErrorCode::Params => ("ParamsError", None),
        ErrorCode::Schema => ("SchemaError", None),
        ErrorCode::UnknownApp => ("UnknownAppError", Some("LookupError")),
        ErrorCode::InvalidArgument => ("InvalidArgumentError", Some("ValueError")),
    }
}

/// The class of every code, in `ErrorCode::ALL` order, created once (when the module is imported).
static CLASSES: PyOnceLock<Vec<Py<PyType>>> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Vec<Py<PyType>>> {
    CLASSES.get_or_try_init(py, || {
        let builtins = py.import("builtins")?;
        let new_class = |code: ErrorCode| -> PyResult<Py<PyType>> {
            let (name, also) = class_of(code);
            let mut bases = vec![py.get_type::<AoaError>().into_any()];
            if let Some(also) = also {
                bases.push(builtins.getattr(also)?);
            }
            let attrs = PyDict::new(py);
            attrs.set_item("code", code.as_str())?;
            attrs.set_item("__module__", "aoa")?;
            attrs.set_item("__doc__", format!("An aoa error of code `{code}`."))?;
            let class = builtins
                .getattr("type")?
                .call1((name, PyTuple::new(py, bases)?, attrs))?;
            Ok(class.cast_into::<PyType>()?.unbind())
        };
        ErrorCode::ALL.into_iter().map(new_class).collect()
    })
}

/// The exception of a core error: its code's class, with `message` and `diagnostics` set.
fn raise(py: Python<'_>, error: &Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let index = ErrorCode::ALL.iter().position(|&c| c == error.code());
        let class = classes(py)?[index.unwrap_or_default()].bind(py);
        let exception = class.call1((error.to_string(),))?;
        let diagnostics = serde_json::to_string(&error.diagnostics()).unwrap_or_default();
        let loads = py.import("json")?.getattr("loads")?;
        exception.setattr("message", error.to_string())?;
        exception.setattr("diagnostics", loads.call1((diagnostics,))?)?;
        Ok(PyErr::from_value(exception))
    };
    build().unwrap_or_else(|failure| failure)
}

/// Runs `f` on the parsed JSON arguments without the GIL; its result as JSON text, or its error raised.
fn run(
    py: Python<'_>,
    args: Option<&str>,
    f: impl FnOnce(&Value) -> Result<Value, Error> + Send,
) -> PyResult<String> {
    py.detach(|| {
        let args = match args {
            Some(text) => serde_json::from_str(text).map_err(|e| Error::InvalidArgument {
                message: format!("the arguments are not JSON: {e}"),
            })?,
            None => Value::Null,
        };
        f(&args).map(|value| value.to_string())
    })
    .map_err(|e| raise(py, &e))
}

/// A validated manifest (immutable; safe to use from several threads).
#[pyclass(frozen, name = "Manifest", module = "aoa._aoa")]
struct Manifest(Core);

fn open(py: Python<'_>, f: impl FnOnce() -> Result<Core, Error> + Send) -> PyResult<Manifest> {
    py.detach(f).map(Manifest).map_err(|e| raise(py, &e))
}

#[pymethods]
impl Manifest {
    /// Loads a manifest file, or every `*.yaml`, `*.yml` and `*.json` file of a directory.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Manifest> {
        open(py, || Core::from_path(path))
    }

    /// Parses one manifest text (`format` is `"yaml"` or `"json"`).
    #[staticmethod]
    fn from_str(py: Python<'_>, text: &str, format: &str) -> PyResult<Manifest> {
        open(py, || Core::from_str(text, Format::parse(format)?))
    }

    /// Builds a manifest from app records given as a JSON list.
    #[staticmethod]
    fn from_records(py: Python<'_>, records: &str) -> PyResult<Manifest> {
        open(py, || dispatch::records_from_json(records))
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    /// Runs an operation on this manifest (`aoa_core::dispatch::call`), JSON in and out.
    #[pyo3(signature = (operation, args = None))]
    fn call(&self, py: Python<'_>, operation: &str, args: Option<&str>) -> PyResult<String> {
        run(py, args, |a| dispatch::call(&self.0, operation, a))
    }

    /// Runs an operation on this manifest and `new` (`aoa_core::dispatch::call_pair`), JSON in and out.
    #[pyo3(signature = (new, operation, args = None))]
    fn call_pair(
        &self,
        py: Python<'_>,
        new: &Manifest,
        operation: &str,
        args: Option<&str>,
    ) -> PyResult<String> {
        run(py, args, |a| {
            dispatch::call_pair(&self.0, &new.0, operation, a)
        })
    }
}

/// Runs an operation that takes no manifest (`aoa_core::dispatch::call_free`), JSON in and out.
#[pyfunction]
#[pyo3(signature = (operation, args = None))]
fn call_free(py: Python<'_>, operation: &str, args: Option<&str>) -> PyResult<String> {
    run(py, args, |a| dispatch::call_free(operation, a))
}

/// Every operation of the core (`name`, `kind`, `args`), as JSON text.
#[pyfunction]
fn operations() -> String {
    serde_json::to_string(&dispatch::operations().collect::<Vec<_>>()).unwrap_or_default()
}

/// The native module `aoa._aoa`: `Manifest`, the functions above, `AoaError`, every error class and
/// `ERROR_CODES` (code to class).
#[pymodule]
fn _aoa(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Manifest>()?;
    m.add_function(wrap_pyfunction!(call_free, m)?)?;
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    m.add("AoaError", py.get_type::<AoaError>())?;
    let codes = PyDict::new(py);
    for (code, class) in ErrorCode::ALL.into_iter().zip(classes(py)?) {
        m.add(class_of(code).0, class.bind(py))?;
        codes.set_item(code.as_str(), class.bind(py))?;
    }
    m.add("ERROR_CODES", codes)?;
    Ok(())
}

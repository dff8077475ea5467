//! Python bindings of aoa: the native module `aoa._aoa`. It converts, calls the core's typed API with the GIL
//! released, and converts back; the Python package `aoa` wraps the plain results in small classes.
//!
//! Adding an operation is one method in the `#[pymethods]` block below (plus its wrapper in `aoa/__init__.py`).

use aoa_core::{AppSpec, Error, Format, Manifest as CoreManifest, Selector, dispatch};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};
use std::path::PathBuf;

/// A validated manifest (immutable; safe to use from several threads).
#[pyclass(frozen, name = "Manifest", module = "aoa._aoa")]
struct Manifest {
    inner: CoreManifest,
}

#[pymethods]
impl Manifest {
    /// Loads a manifest file, or every `*.yaml`, `*.yml` and `*.json` file of a directory.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Manifest> {
        wrap(py, py.detach(|| CoreManifest::from_path(path)))
    }

    /// Parses one manifest text (`format` is `"yaml"` or `"json"`).
    #[staticmethod]
    #[pyo3(signature = (text, format = "yaml"))]
    fn from_str(py: Python<'_>, text: &str, format: &str) -> PyResult<Manifest> {
        let format = Format::parse(format).map_err(|e| to_py(py, &e))?;
        wrap(py, py.detach(|| CoreManifest::from_str(text, format)))
    }

    /// Builds a manifest from app records (a list of dicts, as in a manifest's `apps`).
    #[staticmethod]
    fn from_apps(py: Python<'_>, apps: &Bound<'_, PyAny>) -> PyResult<Manifest> {
        if let Some(specs) = plain_specs(apps) {
            return wrap(py, py.detach(|| CoreManifest::from_record_specs(specs)));
        }
        let records = match to_json(apps).map_err(|e| to_py(py, &e))? {
            Value::Array(records) => records,
            _ => return Err(to_py(py, &invalid("`apps` must be a list of dicts"))),
        };
        wrap(py, py.detach(|| CoreManifest::from_records(&records)))
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The rollout plan of every app.
    #[pyo3(signature = (max_parallel = None))]
    fn plan(&self, py: Python<'_>, max_parallel: Option<i64>) -> PyResult<Py<PyAny>> {
        self.run(py, |m| {
            dispatch::to_value(&m.plan(&dispatch::plan_options(max_parallel)?)?)
        })
    }

    /// The teardown plan: the exact reverse of the rollout plan.
    #[pyo3(signature = (max_parallel = None))]
    fn teardown(&self, py: Python<'_>, max_parallel: Option<i64>) -> PyResult<Py<PyAny>> {
        self.run(py, |m| {
            dispatch::to_value(&m.teardown(&dispatch::plan_options(max_parallel)?)?)
        })
    }

    /// The changed apps plus everything downstream of them, as a plan.
    #[pyo3(signature = (changed, max_parallel = None))]
    fn impacted(
        &self,
        py: Python<'_>,
        changed: Vec<String>,
        max_parallel: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.run(py, |m| {
            dispatch::to_value(&m.impacted(&changed, &dispatch::plan_options(max_parallel)?)?)
        })
    }

    /// The apps matching any clause (`"k=v,k=v"`) plus everything they need first, as a plan.
    #[pyo3(signature = (selector, max_parallel = None))]
    fn select(
        &self,
        py: Python<'_>,
        selector: Vec<String>,
        max_parallel: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.run(py, |m| {
            let selector = Selector::parse(&selector)?;
            dispatch::to_value(&m.select(&selector, &dispatch::plan_options(max_parallel)?)?)
        })
    }

    /// Every cycle of the rollout graph (empty when a plan exists).
    fn cycles(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.run(py, |m| dispatch::to_value(&m.cycles()))
    }

    /// Whether a rollout order exists, with the manifest's size and one diagnostic per cycle.
    fn validate(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.run(py, |m| dispatch::to_value(&dispatch::validate(m)?))
    }

    /// Who gains or loses what from this manifest to `new`.
    fn diff(&self, py: Python<'_>, new: &Manifest) -> PyResult<Py<PyAny>> {
        let new = &new.inner;
        self.run(py, |m| dispatch::call_pair(m, new, "diff", &Value::Null))
    }

    /// Any operation by its canonical name with a dict of arguments (the generic form of the methods above).
    #[pyo3(signature = (operation, args = None))]
    fn call(
        &self,
        py: Python<'_>,
        operation: &str,
        args: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let args = match args {
            Some(a) => to_json(a).map_err(|e| to_py(py, &e))?,
            None => Value::Null,
        };
        self.run(py, |m| dispatch::call(m, operation, &args))
    }
}

impl Manifest {
    /// Runs `f` without the GIL, then converts its result (or raises its error).
    fn run(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&CoreManifest) -> Result<Value, Error> + Send,
    ) -> PyResult<Py<PyAny>> {
        let inner = &self.inner;
        match py.detach(|| f(inner)) {
            Ok(value) => Ok(to_python(py, &value)?.unbind()),
            Err(e) => Err(to_py(py, &e)),
        }
    }
}

fn invalid(message: &str) -> Error {
    Error::InvalidArgument {
        message: message.to_string(),
    }
}

fn wrap(py: Python<'_>, result: Result<CoreManifest, Error>) -> PyResult<Manifest> {
    result
        .map(|inner| Manifest { inner })
        .map_err(|e| to_py(py, &e))
}

/// The Python exception class of each core error (exhaustive: a new core error needs a class here).
fn class_name(error: &Error) -> &'static str {
    match error {
        Error::Io { .. } => "IoError",
        Error::Syntax { .. } => "ParseError",
        Error::Manifest { .. } => "ManifestError",
        Error::Cycle { .. } => "CycleError",
        Error::Params { .. } => "ParamsError",
        Error::Schema { .. } => "SchemaError",
        Error::InvalidAccess { .. } => "InvalidAccessError",
        Error::Escalation { .. } => "EscalationError",
        Error::UnknownApp { .. } => "UnknownAppError",
        Error::InvalidArgument { .. } => "InvalidArgumentError",
    }
}

/// Builds the `aoa` exception for a core error: `cls(message, code, diagnostics)`.
fn to_py(py: Python<'_>, error: &Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = py.import("aoa._errors")?.getattr(class_name(error))?;
        let diagnostics = to_python(
            py,
            &dispatch::to_value(&error.diagnostics()).unwrap_or_default(),
        )?;
        let instance = class.call1((error.to_string(), error.code().as_str(), diagnostics))?;
        Ok(PyErr::from_value(instance))
    };
    build().unwrap_or_else(|e| {
        PyException::new_err(format!(
            "{error} (and the aoa error classes could not be loaded: {e})"
        ))
    })
}

/// Reads a list of plain records (only `name`, `parent` (str or None), `depends_on` (list of str), `labels`
/// (dict of str), `version`, `owner` (str)) straight into specs, as `aoa_core::dispatch::records_from_json` does;
/// `None` sends anything else down the general path, which reports every problem.
fn plain_specs(apps: &Bound<'_, PyAny>) -> Option<Vec<AppSpec>> {
    let list = apps.cast::<PyList>().ok()?;
    let mut specs = Vec::with_capacity(list.len());
    for item in list.iter() {
        specs.push(plain_spec(item.cast::<PyDict>().ok()?)?);
    }
    Some(specs)
}

fn plain_spec(record: &Bound<'_, PyDict>) -> Option<AppSpec> {
    fn string(v: &Bound<'_, PyAny>) -> Option<String> {
        Some(v.cast_exact::<PyString>().ok()?.to_cow().ok()?.into_owned())
    }
    let mut spec = AppSpec::default();
    let mut has_name = false;
    for (key, value) in record.iter() {
        match key.cast_exact::<PyString>().ok()?.to_cow().ok()?.as_ref() {
            "name" => {
                spec.name = string(&value)?;
                has_name = true;
            }
            "parent" if value.is_none() => {}
            "parent" => spec.parent = Some(string(&value)?),
            "depends_on" => {
                let deps = value.cast_exact::<PyList>().ok()?;
                spec.depends_on = deps.iter().map(|d| string(&d)).collect::<Option<_>>()?;
            }
            "labels" => {
                for (k, v) in value.cast_exact::<PyDict>().ok()?.iter() {
                    spec.labels.insert(string(&k)?, string(&v)?);
                }
            }
            "version" => spec.version = Some(string(&value)?),
            "owner" => spec.owner = Some(string(&value)?),
            _ => return None,
        }
    }
    has_name.then_some(spec)
}

/// JSON value to plain Python objects.
fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.into_pyobject(py)?.into_any(),
            (None, Some(i)) => i.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_python(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Plain Python objects (dict, list, tuple, str, int, float, bool, None) to a JSON value.
fn to_json(obj: &Bound<'_, PyAny>) -> Result<Value, Error> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(
            s.to_cow()
                .map_err(|_| invalid("a string is not valid UTF-8"))?
                .to_string(),
        ));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = k
                .cast::<PyString>()
                .map_err(|_| invalid("dict keys must be strings"))?
                .to_cow()
                .map_err(|_| invalid("a string is not valid UTF-8"))?
                .to_string();
            map.insert(key, to_json(&v)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l
            .iter()
            .map(|v| to_json(&v))
            .collect::<Result<_, _>>()
            .map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t
            .iter()
            .map(|v| to_json(&v))
            .collect::<Result<_, _>>()
            .map(Value::Array);
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(invalid("an integer is out of range"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| invalid("a float is not finite"));
    }
    Err(invalid(&format!(
        "cannot convert a `{}` (use dicts, lists, strings, numbers, booleans and None)",
        obj.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    )))
}

/// The native module `aoa._aoa`.
#[pymodule]
fn _aoa(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Manifest>()?;
    m.add(
        "OPERATIONS",
        dispatch::operations().map(|op| op.name).collect::<Vec<_>>(),
    )?;
    Ok(())
}

//! The typed operations behind `params`, `validate` and `schema_check` that the CLI calls directly (to print
//! them for people) and the operation table calls for everyone else.

use super::{invalid, unknown};
use crate::api::Manifest;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::graph::PlanOptions;
use crate::params::{self, ParamsFormat};
use crate::schema::{ExplainRow, ParsedSchema, Registry, ResolvedParams};
use crate::source;
use serde::Serialize;
use serde_json::Value;

/// Parses an Avro schema from its text; a problem is an [`Error::Schema`] with one `invalid-schema`
/// diagnostic (naming `file` when given).
///
/// # Errors
///
/// [`Error::Schema`] when the text is not a valid Avro schema.
pub fn parse_schema(text: &str, file: Option<&std::path::Path>) -> Result<ParsedSchema> {
    ParsedSchema::parse_str(text).map_err(|e| {
        let mut d = Diagnostic::new("invalid-schema", e.to_string()).with_hint(
            "fix the avro schema; see https://avro.apache.org/docs/1.12.0/specification/",
        );
        d.file = file.map(|f| f.display().to_string());
        Error::Schema {
            diagnostics: vec![d],
        }
    })
}

/// Reads and parses the Avro schema file at `path` (a regular file, under the default size limit), as the
/// CLI's `schema` commands do.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::Schema`] when it is not a valid Avro schema.
pub fn read_schema(path: &std::path::Path) -> Result<ParsedSchema> {
    parse_schema(&crate::source::read_schema_file(path)?, Some(path))
}

/// The result of `params`: an app's resolved parameters, with their provenance, and on demand every leaf
/// with the app that set it (`explain`) and the parameters in an encoding (`format`, `encoded`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct ParamsReport<'m> {
    /// The encoding asked for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<ParamsFormat>,
    /// The resolved parameters: `app`, `value`, `provenance`.
    #[serde(flatten)]
    pub resolved: ResolvedParams<'m>,
    /// With `explain`: every leaf of the value and the app that set it (`None` for a schema default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<ExplainRow<'m>>>,
    /// In an Avro encoding: the Avro JSON value, or the Avro binary bytes as lowercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded: Option<Value>,
}

/// The resolved parameters of the app named `app`, explained on demand, and encoded when `format` is an
/// Avro encoding.
///
/// # Errors
///
/// [`Error::UnknownApp`], the [`Error::Params`] problems of its parameters, or [`Error::InvalidArgument`]
/// when an Avro encoding is asked of an app without a schema.
pub fn params<'m>(
    manifest: &'m Manifest,
    app: &str,
    explain: bool,
    format: Option<ParamsFormat>,
) -> Result<ParamsReport<'m>> {
    let id = manifest.app(app)?;
    let resolved = manifest.params(id)?;
    let encoded = match format {
        None | Some(ParamsFormat::Json) => None,
        Some(ParamsFormat::AvroJson) => Some(
            serde_json::from_slice(&manifest.encode_params(id, ParamsFormat::AvroJson)?)
                .map_err(|e| invalid(format!("cannot encode the result: {e}")))?,
        ),
        Some(ParamsFormat::AvroBinary) => Some(Value::String(hex(
            &manifest.encode_params(id, ParamsFormat::AvroBinary)?
        ))),
    };
    Ok(ParamsReport {
        format,
        explain: explain.then(|| resolved.explain()),
        resolved,
        encoded,
    })
}

/// Bytes as lowercase hex, two digits each.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// The encodings of `params`, by the name they serialize as.
const PARAMS_FORMATS: [(&str, ParamsFormat); 3] = [
    ("json", ParamsFormat::Json),
    ("avro-json", ParamsFormat::AvroJson),
    ("avro-binary", ParamsFormat::AvroBinary),
];

pub(super) fn params_format(name: &str) -> Result<ParamsFormat> {
    PARAMS_FORMATS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .ok_or_else(|| invalid(unknown("encoding", name, PARAMS_FORMATS.map(|(n, _)| n))))
}

/// The schema registry at `path`: a directory of `<subject>/<version>.avsc`, or a manifest file or
/// directory whose `schemas/` directory is the registry (only the registry is read, not the manifest).
///
/// # Errors
///
/// [`Error::Io`] when there is no registry directory or it cannot be read; [`Error::Schema`] when versions
/// or modes in it are not usable.
pub fn open_registry(path: &std::path::Path) -> Result<Registry> {
    let dir = if path.join(source::REGISTRY_DIR).is_dir() || path.is_file() {
        source::registry_dir(path)
    } else {
        path.to_path_buf()
    };
    if !dir.is_dir() {
        return Err(Error::Io {
            path: dir.display().to_string(),
            message: "no registry directory here; pass a directory of `<subject>/<version>.avsc`, or a manifest with a `schemas/` directory".into(),
        });
    }
    params::load_registry(&dir).map_err(|problems| match problems {
        params::RegistryProblems::Io(e) => e,
        params::RegistryProblems::Invalid(diagnostics) => Error::Schema { diagnostics },
    })
}

/// The result of `validate`: whether a rollout order exists, the manifest's size, and its problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct Validation {
    /// True when the manifest has no cycles (a loaded manifest is otherwise valid).
    pub valid: bool,
    /// The number of apps.
    pub apps: usize,
    /// The number of edges of the rollout graph.
    pub edges: usize,
    /// The number of waves of the rollout plan (0 when there are cycles).
    pub waves: usize,
    /// One diagnostic per cycle.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks a loaded manifest: a rollout order must exist.
pub fn validate(manifest: &Manifest) -> Result<Validation> {
    let (waves, diagnostics) = match manifest.plan(&PlanOptions::default()) {
        Ok(plan) => (plan.waves.len(), Vec::new()),
        Err(e @ Error::Cycle { .. }) => (0, e.diagnostics()),
        Err(e) => return Err(e),
    };
    Ok(Validation {
        valid: diagnostics.is_empty(),
        apps: manifest.len(),
        edges: manifest.edge_count(),
        waves,
        diagnostics,
    })
}

/// Validates the outcome of loading a manifest: a loaded manifest as [`validate`] does; a load that failed
/// on the manifest's own problems (structure, parameters, access, escalation) is an invalid [`Validation`]
/// listing them, with no apps.
///
/// # Errors
///
/// Any other load error (unreadable file, syntax, ...), which means there is nothing to validate.
pub fn validate_loaded(loaded: Result<Manifest>) -> Result<Validation> {
    match loaded {
        Ok(manifest) => validate(&manifest),
        Err(
            e @ (Error::Manifest { .. }
            | Error::Params { .. }
            | Error::InvalidAccess { .. }
            | Error::Escalation { .. }),
        ) => Ok(Validation {
            valid: false,
            apps: 0,
            edges: 0,
            waves: 0,
            diagnostics: e.diagnostics(),
        }),
        Err(e) => Err(e),
    }
}

//! Schema hub commands: `params`, `schema check`, `schema fingerprint`.

use crate::output::{Exit, OutputFormat, print_json};
use aoa_core::schema::{
    CheckReport, CompatibilityMode, ParsedSchema, ResolvedParams, fingerprints,
};
use aoa_core::{Diagnostic, Error, Manifest, ParamsFormat, source};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `aoa params`.
#[derive(clap::Args)]
pub struct ParamsArgs {
    /// A manifest file, or a directory of them.
    pub manifest: PathBuf,
    /// The app whose parameters to print.
    pub app: String,
    /// List every value with the app that set it (or `default` for schema defaults).
    #[arg(long)]
    pub explain: bool,
    /// The encoding: the resolved value as JSON, Avro JSON, or Avro binary (needs a schema).
    #[arg(long, value_enum, default_value_t = Encoding::Json)]
    pub format: Encoding,
    /// With `--format avro-binary`, print the bytes as hex instead of raw.
    #[arg(long)]
    pub hex: bool,
}

/// Encodings of `aoa params`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// The resolved value as JSON.
    Json,
    /// The Avro JSON encoding.
    AvroJson,
    /// The Avro binary encoding of one datum.
    AvroBinary,
}

impl From<Encoding> for ParamsFormat {
    fn from(encoding: Encoding) -> ParamsFormat {
        match encoding {
            Encoding::Json => ParamsFormat::Json,
            Encoding::AvroJson => ParamsFormat::AvroJson,
            Encoding::AvroBinary => ParamsFormat::AvroBinary,
        }
    }
}

/// `aoa schema` subcommands.
#[derive(clap::Subcommand)]
pub enum SchemaCommand {
    /// Check a new schema against a registry subject: exit 0 compatible, 1 incompatible.
    Check(CheckArgs),
    /// Print the CRC-64-AVRO (Rabin) and SHA-256 fingerprints of a schema's canonical form.
    Fingerprint(FingerprintArgs),
}

/// Arguments of `aoa schema check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// The subject the schema would become a new version of.
    pub subject: String,
    /// The new schema (`.avsc`).
    pub schema: PathBuf,
    /// The registry: a directory of `<subject>/<version>.avsc`, or a manifest file or directory whose
    /// `schemas/` directory is the registry.
    #[arg(long, value_name = "DIR|MANIFEST")]
    pub registry: PathBuf,
    /// The compatibility mode (default: the subject's `compatibility` file, else BACKWARD).
    #[arg(long, value_name = "MODE")]
    pub mode: Option<String>,
}

/// Arguments of `aoa schema fingerprint`.
#[derive(clap::Args)]
pub struct FingerprintArgs {
    /// The schema (`.avsc`).
    pub schema: PathBuf,
}

/// The JSON shape of `aoa params --output json`.
#[derive(Serialize)]
struct ParamsReport<'a> {
    format: ParamsFormat,
    #[serde(flatten)]
    resolved: &'a ResolvedParams<'a>,
    /// The Avro JSON value, or the Avro binary bytes as hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    encoded: Option<serde_json::Value>,
}

/// `aoa params`: the resolved parameters of one app.
pub fn params(args: &ParamsArgs, output: OutputFormat) -> Result<Exit, Error> {
    let manifest = Manifest::from_path(&args.manifest)?;
    let id = manifest.app(&args.app)?;
    let resolved = manifest.params(id)?;
    let format = ParamsFormat::from(args.format);
    let bytes = manifest.encode_params(id, format)?;
    let encoded_json = || serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    match output {
        OutputFormat::Json => {
            let encoded = match format {
                ParamsFormat::Json => None,
                ParamsFormat::AvroJson => Some(encoded_json()),
                ParamsFormat::AvroBinary => Some(serde_json::Value::String(hex(&bytes))),
            };
            print_json(&ParamsReport {
                format,
                resolved: &resolved,
                encoded,
            });
        }
        OutputFormat::Text if args.explain => {
            let _ = write_explain(&mut out, &resolved);
        }
        OutputFormat::Text => {
            let _ = match format {
                ParamsFormat::AvroBinary if args.hex => writeln!(out, "{}", hex(&bytes)),
                ParamsFormat::AvroBinary => out.write_all(&bytes),
                _ => writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&encoded_json()).unwrap_or_default()
                ),
            };
        }
    }
    let _ = out.flush();
    Ok(Exit::Ok)
}

/// One line per value: pointer, value, and who set it.
fn write_explain(out: &mut impl Write, resolved: &ResolvedParams<'_>) -> std::io::Result<()> {
    let mut rows = Vec::new();
    collect_leaves(&resolved.value, String::new(), &mut rows);
    writeln!(out, "parameters of `{}`:", resolved.app)?;
    let rows: Vec<(String, String, String)> = rows
        .into_iter()
        .map(|(path, value)| {
            let source = resolved.set_by(&path).map_or_else(
                || "schema default".to_string(),
                |app| format!("set by `{app}`"),
            );
            (path, value.to_string(), source)
        })
        .collect();
    let width_path = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let width_value = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (path, value, source) in rows {
        writeln!(
            out,
            "  {path:<width_path$}  {value:<width_value$}  {source}"
        )?;
    }
    Ok(())
}

fn collect_leaves<'v>(
    value: &'v serde_json::Value,
    path: String,
    rows: &mut Vec<(String, &'v serde_json::Value)>,
) {
    match value {
        serde_json::Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                collect_leaves(
                    item,
                    format!("{path}/{}", source::escape_pointer_token(key)),
                    rows,
                );
            }
        }
        leaf => rows.push((path, leaf)),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads and parses a schema file; a problem is unusable input.
fn read_schema(path: &Path) -> Result<ParsedSchema, Error> {
    let text = source::read_schema_file(path)?;
    ParsedSchema::parse_str(&text).map_err(|e| {
        let mut d = Diagnostic::new("invalid-schema", e.to_string()).with_hint(
            "fix the avro schema; see https://avro.apache.org/docs/1.12.0/specification/",
        );
        d.file = Some(path.display().to_string());
        Error::Schema {
            diagnostics: vec![d],
        }
    })
}

/// `aoa schema check`: exit 0 when the schema may become the next version of the subject, 1 otherwise.
pub fn check(args: &CheckArgs, output: OutputFormat) -> Result<Exit, Error> {
    let mode = args
        .mode
        .as_deref()
        .map(str::parse::<CompatibilityMode>)
        .transpose()
        .map_err(|e| Error::InvalidArgument {
            message: e.to_string(),
        })?;
    let dir = if args.registry.join(source::REGISTRY_DIR).is_dir() || args.registry.is_file() {
        source::registry_dir(&args.registry)
    } else {
        args.registry.clone()
    };
    if !dir.is_dir() {
        return Err(Error::Io {
            path: dir.display().to_string(),
            message: "no registry directory here; pass a directory of `<subject>/<version>.avsc`, or a manifest with a `schemas/` directory".into(),
        });
    }
    let registry = match aoa_core::params::load_registry(&dir) {
        Ok(registry) => registry,
        Err(aoa_core::params::RegistryProblems::Io(e)) => return Err(e),
        Err(aoa_core::params::RegistryProblems::Invalid(diagnostics)) => {
            return Err(Error::Schema { diagnostics });
        }
    };
    if registry.latest_version(&args.subject) == 0 {
        let hint = aoa_core::suggest::did_you_mean(&args.subject, registry.subjects())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(Error::InvalidArgument {
            message: format!(
                "unknown subject `{}` in `{}`{hint}",
                args.subject,
                dir.display()
            ),
        });
    }
    let schema = read_schema(&args.schema)?;
    let report = registry.check(&args.subject, &schema, mode);
    match output {
        OutputFormat::Json => print_json(&report),
        OutputFormat::Text => {
            let _ = write_check(&mut std::io::stdout().lock(), &report, &args.schema);
        }
    }
    Ok(if report.compatible {
        Exit::Ok
    } else {
        Exit::Findings
    })
}

fn write_check(out: &mut impl Write, report: &CheckReport, schema: &Path) -> std::io::Result<()> {
    let versions: Vec<String> = report
        .checks
        .iter()
        .map(|c| c.version.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let verdict = if report.compatible {
        "compatible"
    } else {
        "incompatible"
    };
    writeln!(
        out,
        "{verdict}: `{}` against subject `{}` (mode {}, checked version(s) {})",
        schema.display(),
        report.subject,
        report.mode,
        if versions.is_empty() {
            "none".to_string()
        } else {
            versions.join(", ")
        }
    )?;
    for check in report.checks.iter().filter(|c| !c.compatible) {
        let direction = serde_json::to_value(check.direction)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        for i in &check.incompatibilities {
            let kind = serde_json::to_value(i.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            writeln!(
                out,
                "  version {} ({direction}): {kind} at `{}`: {}",
                check.version, i.location, i.message
            )?;
        }
    }
    Ok(())
}

/// `aoa schema fingerprint`.
pub fn fingerprint(args: &FingerprintArgs, output: OutputFormat) -> Result<Exit, Error> {
    let prints = fingerprints(&read_schema(&args.schema)?);
    match output {
        OutputFormat::Json => print_json(&prints),
        OutputFormat::Text => {
            let _ = writeln!(
                std::io::stdout().lock(),
                "crc64-avro: {}\nsha256: {}\ncanonical form: {}",
                prints.crc64_avro,
                prints.sha256,
                prints.canonical_form
            );
        }
    }
    Ok(Exit::Ok)
}

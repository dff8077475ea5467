//! Schema hub commands: `params`, `schema check`, `schema fingerprint`.

use crate::args::{ManifestArgs, renamed};
use crate::output::{Exit, OutputFormat, print_json, text_out};
use aoa_core::schema::{CheckReport, ExplainRow, ParsedSchema, fingerprints};
use aoa_core::{Error, ParamsFormat, dispatch};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `aoa params`.
#[derive(clap::Args)]
pub(crate) struct ParamsArgs {
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
    /// The app whose parameters to print.
    #[arg(value_name = "APP")]
    pub(crate) app: String,
    /// Deprecated form `params MANIFEST APP`: the app, when the first positional is the manifest.
    #[arg(hide = true, value_name = "APP")]
    pub(crate) legacy_app: Option<String>,
    /// List every value with the app that set it (or `schema default`).
    #[arg(long)]
    pub(crate) explain: bool,
    /// The resolved value as JSON, its Avro JSON encoding, or its Avro binary encoding (needs a schema)
    /// [default: json].
    #[arg(long, value_enum)]
    pub(crate) encoding: Option<Encoding>,
    /// Deprecated spelling of `--encoding`.
    #[arg(long, value_enum, hide = true, conflicts_with = "encoding")]
    pub(crate) format: Option<Encoding>,
    /// With `--encoding avro-binary`, print the bytes as hex instead of raw.
    #[arg(long)]
    pub(crate) hex: bool,
}

/// Encodings of `aoa params`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Encoding {
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
pub(crate) enum SchemaCommand {
    /// Check a new schema against a registry subject: exit 0 compatible, 1 incompatible.
    Check(CheckArgs),
    /// Print the CRC-64-AVRO (Rabin) and SHA-256 fingerprints of a schema's canonical form.
    ///
    /// CRC-64-AVRO is printed as the 8 bytes of the single-object encoding header, little-endian, as
    /// fastavro and apache-avro print it (`"int"` gives 8f5c393f1ad57572, the 64-bit value 0x7275d51a3f395c8f);
    /// `schema_pin` reads it in the same order.
    Fingerprint(FingerprintArgs),
}

/// Arguments of `aoa schema check`.
#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// The subject the schema would become a new version of.
    pub(crate) subject: String,
    /// The new schema (`.avsc`).
    pub(crate) schema: PathBuf,
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
    /// A registry directory of `<subject>/<version>.avsc` to use instead of the manifest's `schemas/`
    /// (a manifest file or directory here means its `schemas/`).
    #[arg(long, value_name = "DIR", conflicts_with = "manifest")]
    pub(crate) registry: Option<PathBuf>,
    /// The compatibility mode (default: the subject's `compatibility` file, else BACKWARD).
    #[arg(long, value_name = "MODE")]
    pub(crate) mode: Option<String>,
}

/// Arguments of `aoa schema fingerprint`.
#[derive(clap::Args)]
pub(crate) struct FingerprintArgs {
    /// The schema (`.avsc`).
    pub(crate) schema: PathBuf,
}

/// `aoa params`: the resolved parameters of one app.
pub(crate) fn params(args: &ParamsArgs, output: OutputFormat) -> Result<Exit, Error> {
    let (legacy, app) = match &args.legacy_app {
        Some(app) => (Some(Path::new(&args.app)), app),
        None => (None, &args.app),
    };
    let manifest = args.manifest.load(legacy)?;
    let encoding = renamed(args.encoding, args.format, "--format", "--encoding");
    let format = ParamsFormat::from(encoding.unwrap_or(Encoding::Json));
    let report = dispatch::params(&manifest, app, args.explain, Some(format))?;
    let mut out = text_out();
    let _ = match (output, &report.explain, &report.encoded) {
        (OutputFormat::Json, _, _) => {
            print_json(&report);
            Ok(())
        }
        (OutputFormat::Text, Some(rows), _) => write_explain(&mut out, report.resolved.app, rows),
        (OutputFormat::Text, None, Some(serde_json::Value::String(hex))) if args.hex => {
            writeln!(out, "{hex}")
        }
        (OutputFormat::Text, None, _) if format == ParamsFormat::AvroBinary => {
            // Binary output is bytes, not text: written as it is, to a file or a pipe.
            let id = manifest.app(app)?;
            let mut raw = std::io::stdout().lock();
            raw.write_all(&manifest.encode_params(id, format)?)
                .and_then(|()| raw.flush())
        }
        (OutputFormat::Text, None, encoded) => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(encoded.as_ref().unwrap_or(&report.resolved.value))
                .unwrap_or_default()
        ),
    };
    let _ = out.flush();
    Ok(Exit::Ok)
}

/// One line per value: pointer, value, and who set it.
fn write_explain(out: &mut impl Write, app: &str, rows: &[ExplainRow<'_>]) -> std::io::Result<()> {
    writeln!(out, "parameters of `{app}`:")?;
    let rows: Vec<(&str, String, String)> = rows
        .iter()
        .map(|row| {
            let source = row.set_by.map_or_else(
                || "schema default".to_string(),
                |app| format!("set by `{app}`"),
            );
            (row.path.as_str(), row.value.to_string(), source)
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

/// Reads and parses a schema file; a problem is unusable input.
fn read_schema(path: &Path) -> Result<ParsedSchema, Error> {
    dispatch::read_schema(path)
}

/// `aoa schema check`: exit 0 when the schema may become the next version of the subject, 1 otherwise.
pub(crate) fn check(args: &CheckArgs, output: OutputFormat) -> Result<Exit, Error> {
    let registry = match &args.registry {
        Some(dir) => dispatch::open_registry(dir)?,
        None => dispatch::open_registry(&args.manifest.path(None)?)?,
    };
    let schema = read_schema(&args.schema)?;
    let report = registry.check_subject(&args.subject, &schema, args.mode.as_deref())?;
    match output {
        OutputFormat::Json => print_json(&report),
        OutputFormat::Text => {
            let _ = write_check(&mut text_out(), &report, &args.schema);
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
pub(crate) fn fingerprint(args: &FingerprintArgs, output: OutputFormat) -> Result<Exit, Error> {
    let prints = fingerprints(&read_schema(&args.schema)?);
    match output {
        OutputFormat::Json => print_json(&prints),
        OutputFormat::Text => {
            let _ = writeln!(
                text_out(),
                "crc64-avro: {}\nsha256: {}\ncanonical form: {}",
                prints.crc64_avro,
                prints.sha256,
                prints.canonical_form
            );
        }
    }
    Ok(Exit::Ok)
}

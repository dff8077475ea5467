//! State store commands: `registry apply|show|history|drift` and `audit verify|show|export`.

use crate::args::ManifestArgs;
use crate::output::{Exit, OutputFormat, print_json};
use aoa_core::Error;
use aoa_store::{ApplyOptions, ApplyReport, AuditFilter, Change, ChangeKind, Options, StateStore};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Which store and registry a command uses.
#[derive(clap::Args)]
pub(crate) struct StoreArgs {
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
    /// The state store: `sqlite:PATH` or `postgres://user@host:port/db` (also from `AOA_STORE`)
    /// [default: sqlite:.aoa/state.db next to the manifest].
    #[arg(long, env = "AOA_STORE", value_name = "URL")]
    pub(crate) store: Option<String>,
    /// The registry inside the store.
    #[arg(long, default_value = "default", value_name = "ID")]
    pub(crate) registry: String,
}

impl StoreArgs {
    /// The store URL: `--store`, `AOA_STORE`, else `sqlite:` `.aoa/state.db` next to the manifest.
    fn url(&self) -> Result<String, Error> {
        if let Some(url) = &self.store {
            return Ok(url.clone());
        }
        Ok(format!(
            "sqlite:{}",
            default_path(&self.manifest.path(None)?).display()
        ))
    }

    /// Opens the store, waiting up to `wait` for a lease someone else holds.
    pub(crate) fn open(&self, wait: Duration) -> Result<StateStore, Error> {
        let options = Options {
            registry: self.registry.clone(),
            lease_wait: wait,
            ..Options::default()
        };
        aoa_store::open(&self.url()?, options)
    }
}

/// `.aoa/state.db` in the manifest's directory (the directory itself, or a file's directory).
fn default_path(manifest: &Path) -> PathBuf {
    let dir = if manifest.is_dir() {
        manifest.to_path_buf()
    } else {
        manifest.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    dir.join(".aoa").join("state.db")
}

/// `aoa registry` subcommands.
#[derive(clap::Subcommand)]
pub(crate) enum RegistryCommand {
    /// Update the registry from the manifest in one transaction and print what changed (added, changed field
    /// by field, retired); a permission gain is refused unless `--allow-gain`.
    Apply(ApplyArgs),
    /// Print the record of an app.
    Show(AppArgs),
    /// Print the history of an app, oldest first.
    History(AppArgs),
    /// Print what the store records versus what the manifest declares (exit 1 when they differ).
    Drift(StoreArgs),
}

/// Arguments of `aoa registry apply`.
#[derive(clap::Args)]
pub(crate) struct ApplyArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Print what would change; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Accept an apply that gives apps permissions they did not have.
    #[arg(long)]
    pub(crate) allow_gain: bool,
    /// Seconds to wait for the registry lease when another apply holds it (default: fail at once, naming
    /// the holder).
    #[arg(long, default_value_t = 0, value_name = "SECONDS")]
    pub(crate) wait: u64,
}

/// Arguments of the commands about one app.
#[derive(clap::Args)]
pub(crate) struct AppArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// The app.
    #[arg(value_name = "APP")]
    pub(crate) app: String,
}

/// `aoa audit` subcommands.
#[derive(clap::Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chain; name the first edited, deleted, inserted or reordered event (exit 1).
    Verify(StoreArgs),
    /// Print audit events, oldest first.
    Show(AuditShowArgs),
    /// Write the audit trail to an Avro Object Container File (`aoa.audit.Entry` records).
    Export(ExportArgs),
}

/// Arguments of `aoa audit show`.
#[derive(clap::Args)]
pub(crate) struct AuditShowArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Only the events about this app.
    #[arg(long, value_name = "APP")]
    pub(crate) app: Option<String>,
    /// Only the events at or after this time (RFC 3339 UTC, or a date `2026-12-04`).
    #[arg(long, value_name = "TIME")]
    pub(crate) since: Option<String>,
}

/// Arguments of `aoa audit export`.
#[derive(clap::Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// The file to write.
    #[arg(value_name = "FILE.avro")]
    pub(crate) file: PathBuf,
}

/// Runs an `aoa registry` command.
pub(crate) fn registry(command: &RegistryCommand, format: OutputFormat) -> Result<Exit, Error> {
    match command {
        RegistryCommand::Apply(args) => {
            let manifest = args.store.manifest.load(None)?;
            let mut store = args.store.open(Duration::from_secs(args.wait))?;
            let options = ApplyOptions {
                dry_run: args.dry_run,
                allow_gain: args.allow_gain,
            };
            let report = store.apply(&manifest, options)?;
            match format {
                OutputFormat::Json => print_json(&report),
                OutputFormat::Text => {
                    let _ = print_apply(store.name(), &report);
                }
            }
            Ok(Exit::Ok)
        }
        RegistryCommand::Show(args) => {
            let record = args.store.open(Duration::ZERO)?.show(&args.app)?;
            match format {
                OutputFormat::Json => print_json(&record),
                OutputFormat::Text => {
                    let mut out = std::io::stdout().lock();
                    let value = serde_json::to_value(&record).unwrap_or_default();
                    for (k, v) in value.as_object().into_iter().flatten() {
                        let _ = writeln!(out, "{k}: {v}");
                    }
                }
            }
            Ok(Exit::Ok)
        }
        RegistryCommand::History(args) => {
            let history = args.store.open(Duration::ZERO)?.history(&args.app)?;
            match format {
                OutputFormat::Json => print_json(&history),
                OutputFormat::Text => {
                    let mut out = BufWriter::new(std::io::stdout().lock());
                    for h in &history {
                        let _ = writeln!(
                            out,
                            "#{} {} {} by {}",
                            h.seq,
                            h.at,
                            h.kind.as_str(),
                            h.actor
                        );
                        for f in &h.fields {
                            let _ = write_field(&mut out, h.kind, f);
                        }
                    }
                    let _ = out.flush();
                }
            }
            Ok(Exit::Ok)
        }
        RegistryCommand::Drift(args) => {
            let manifest = args.manifest.load(None)?;
            let drift = args.open(Duration::ZERO)?.drift(&manifest)?;
            match format {
                OutputFormat::Json => print_json(&drift),
                OutputFormat::Text => {
                    let mut out = BufWriter::new(std::io::stdout().lock());
                    if drift.in_sync {
                        let _ =
                            writeln!(out, "in sync: the store records what the manifest declares");
                    } else {
                        let _ = writeln!(
                            out,
                            "drift: {} app(s) differ (- recorded, + declared)",
                            drift.changes.len()
                        );
                        for c in &drift.changes {
                            let _ = write_change(&mut out, c);
                        }
                    }
                    let _ = out.flush();
                }
            }
            Ok(if drift.in_sync {
                Exit::Ok
            } else {
                Exit::Findings
            })
        }
    }
}

fn print_apply(store: &str, report: &ApplyReport) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let verb = if report.dry_run {
        "dry run (nothing written)"
    } else {
        "applied"
    };
    writeln!(
        out,
        "{verb}: registry `{}` in {}: {} added, {} changed, {} retired, {} unchanged",
        report.registry, store, report.added, report.changed, report.retired, report.unchanged
    )?;
    if report.gains.gained > 0 {
        writeln!(
            out,
            "{} permission(s) gained (accepted with --allow-gain or dry run):",
            report.gains.gained
        )?;
        for d in aoa_store::registry::policy::gain_diagnostics(&report.gains) {
            writeln!(out, "  + {}", d.message)?;
        }
    }
    for c in &report.changes {
        write_change(&mut out, c)?;
    }
    out.flush()
}

fn write_change(out: &mut impl Write, c: &Change) -> std::io::Result<()> {
    let mark = match c.kind {
        ChangeKind::Added => '+',
        ChangeKind::Changed => '~',
        ChangeKind::Retired => '-',
    };
    writeln!(out, "{mark} {} ({})", c.app, c.kind.as_str())?;
    for f in &c.fields {
        write_field(out, c.kind, f)?;
    }
    Ok(())
}

fn write_field(
    out: &mut impl Write,
    kind: ChangeKind,
    f: &aoa_store::FieldChange,
) -> std::io::Result<()> {
    match kind {
        ChangeKind::Changed => writeln!(out, "    {}: {} -> {}", f.field, f.old, f.new),
        ChangeKind::Added | ChangeKind::Retired => writeln!(out, "    {}: {}", f.field, f.new),
    }
}

/// Runs an `aoa audit` command.
pub(crate) fn audit(command: &AuditCommand, format: OutputFormat) -> Result<Exit, Error> {
    match command {
        AuditCommand::Verify(args) => {
            let v = args.open(Duration::ZERO)?.verify()?;
            match format {
                OutputFormat::Json => print_json(&v),
                OutputFormat::Text => match &v.first_bad {
                    None => println!(
                        "ok: {} event(s), chain head {}",
                        v.events,
                        v.head.as_deref().unwrap_or("-")
                    ),
                    Some(bad) => println!(
                        "broken at event {}: {} ({})",
                        bad.seq, bad.problem, bad.detail
                    ),
                },
            }
            Ok(if v.ok { Exit::Ok } else { Exit::Findings })
        }
        AuditCommand::Show(args) => {
            let since = args
                .since
                .as_deref()
                .map(|s| {
                    aoa_store::clock::parse_rfc3339(s).ok_or_else(|| Error::InvalidArgument {
                        message: format!(
                            "`--since {s}` is not an RFC 3339 time (2026-12-04T17:00:00Z) or a date"
                        ),
                    })
                })
                .transpose()?;
            let filter = AuditFilter {
                app: args.app.clone(),
                since,
            };
            let events = args.store.open(Duration::ZERO)?.events(&filter)?;
            match format {
                OutputFormat::Json => print_json(&events),
                OutputFormat::Text => {
                    let mut out = BufWriter::new(std::io::stdout().lock());
                    for e in &events {
                        let app = e
                            .event
                            .app
                            .as_deref()
                            .map(|a| format!(" {a}"))
                            .unwrap_or_default();
                        let attrs: Vec<String> = e
                            .event
                            .attributes
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect();
                        let _ = writeln!(
                            out,
                            "#{} {} {}{app} by {}: {}",
                            e.event.seq,
                            e.time,
                            e.event.kind,
                            e.event.actor,
                            attrs.join(" ")
                        );
                    }
                    let _ = out.flush();
                }
            }
            Ok(Exit::Ok)
        }
        AuditCommand::Export(args) => {
            let report = args.store.open(Duration::ZERO)?.export(&args.file)?;
            match format {
                OutputFormat::Json => print_json(&report),
                OutputFormat::Text => println!(
                    "exported {} event(s) to {} (aoa.audit.Entry records; event schema sha256 {})",
                    report.events, report.path, report.schema_sha256
                ),
            }
            Ok(Exit::Ok)
        }
    }
}

//! Secret commands: `secrets APP` (what an app uses and may read), `secrets readers SECRET` (every app that may
//! read it) and `secrets due --within 30d` (what expires or is due for rotation, with its consumers' rollout).

use super::access::reason_line;
use crate::args::ManifestArgs;
use crate::output::{Exit, OutputFormat, print_json, text_out};
use aoa_core::access::{AppSecrets, SecretReaders, parse_duration, parse_utc};
use aoa_core::{Error, PlanOptions, SecretsDue};
use std::io::Write;

/// Arguments of `aoa secrets`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct SecretsArgs {
    #[command(subcommand)]
    pub(crate) command: Option<SecretsCommand>,
    /// The app whose secrets to list (the secrets it uses, with the grant behind each, and what it may read).
    pub(crate) app: Option<String>,
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
    #[command(flatten)]
    pub(crate) audit: super::audit_trail::AuditArgs,
}

/// The subcommands of `aoa secrets`.
#[derive(clap::Subcommand)]
pub(crate) enum SecretsCommand {
    /// List every app whose own identity may read a secret.
    Readers(ReadersArgs),
    /// List the secrets that expire or are due for rotation, each with its consumers' rollout plan.
    Due(DueArgs),
}

/// Arguments of `aoa secrets readers`.
#[derive(clap::Args)]
pub(crate) struct ReadersArgs {
    /// The secret: `keyvault://VAULT/NAME`, `env://NAME` or `file://PATH`.
    pub(crate) secret: String,
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
}

/// Arguments of `aoa secrets due`.
#[derive(clap::Args)]
pub(crate) struct DueArgs {
    /// The window: `30d` (Key Vault's `SecretNearExpiry` signal), `12h`, `2w`.
    #[arg(long, default_value = "30d")]
    pub(crate) within: String,
    /// The current time, UTC (`2026-12-04` or `2026-12-04T17:30:00Z`) [default: the system clock].
    #[arg(long)]
    pub(crate) now: Option<String>,
    /// Deploy at most N apps at a time in each rollout plan.
    #[arg(long, value_name = "N")]
    pub(crate) max_parallel: Option<usize>,
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
}

/// `aoa secrets ...`.
pub(crate) fn secrets(args: &SecretsArgs, format: OutputFormat) -> Result<Exit, Error> {
    match (&args.command, &args.app) {
        (Some(SecretsCommand::Readers(r)), _) => readers(r, format),
        (Some(SecretsCommand::Due(d)), _) => due(d, format),
        (None, Some(app)) => {
            let m = args.manifest.load(None)?;
            let secrets = m.access().secrets(app)?;
            args.audit.record(super::audit_trail::secret_events(&secrets))?;
            match format {
                OutputFormat::Json => print_json(&secrets),
                OutputFormat::Text => {
                    let _ = print_app(&secrets);
                }
            }
            Ok(Exit::Ok)
        }
        (None, None) => Err(invalid(
            "name an app (`aoa secrets APP`), or use `aoa secrets readers SECRET` or `aoa secrets due`".into(),
        )),
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidArgument { message }
}

fn print_app(s: &AppSecrets<'_>) -> std::io::Result<()> {
    let mut out = text_out();
    writeln!(out, "secrets of {}: {} used", s.app, s.uses.len())?;
    for u in &s.uses {
        let used = u.used;
        let mut notes: Vec<String> = used.purpose.iter().cloned().collect();
        if let (Some(every), Some(rotated)) = (&used.rotate_every, &used.rotated) {
            notes.push(format!("rotate every {every}, rotated {rotated}"));
        }
        if let Some(expires) = &used.expires {
            notes.push(format!("expires {expires}"));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        };
        writeln!(out, "  {}{notes}", used.reference)?;
        for g in &u.grants {
            reason_line(&mut out, "  granted by ", g)?;
        }
    }
    let granted: Vec<String> = (s.granted.iter())
        .map(|g| {
            let partial = if g.partial { " (partly)" } else { "" };
            format!("{}{partial}", g.action)
        })
        .collect();
    match granted.is_empty() {
        true => writeln!(out, "may read: nothing")?,
        false => writeln!(out, "may read: {}", granted.join(", "))?,
    }
    out.flush()
}

fn readers(args: &ReadersArgs, format: OutputFormat) -> Result<Exit, Error> {
    let m = args.manifest.load(None)?;
    let readers = m.access().secret_readers(&args.secret)?;
    match format {
        OutputFormat::Json => print_json(&readers),
        OutputFormat::Text => {
            let _ = print_readers(&readers);
        }
    }
    Ok(Exit::Ok)
}

fn print_readers(r: &SecretReaders<'_>) -> std::io::Result<()> {
    let mut out = text_out();
    writeln!(out, "readers of {}: {} apps", r.secret, r.readers.len())?;
    for reader in &r.readers {
        let uses = if reader.uses { " (uses it)" } else { "" };
        let via: Vec<String> = (reader.sources.iter())
            .map(|s| format!("{} on `{}`", s.rule.subject, s.rule.app))
            .collect();
        writeln!(out, "  {}{uses}: granted to {}", reader.app, via.join(", "))?;
    }
    out.flush()
}

fn due(args: &DueArgs, format: OutputFormat) -> Result<Exit, Error> {
    let within = parse_duration(&args.within).map_err(invalid)?;
    let now = match &args.now {
        Some(text) => parse_utc(text).map_err(invalid)?,
        None => super::token::clock(),
    };
    let m = args.manifest.load(None)?;
    let options = PlanOptions {
        max_parallel: args.max_parallel,
    };
    let due = m.secrets_due(now, within, &options)?;
    match format {
        OutputFormat::Json => print_json(&due),
        OutputFormat::Text => {
            let _ = print_due(&due);
        }
    }
    Ok(Exit::Ok)
}

fn print_due(d: &SecretsDue<'_>) -> std::io::Result<()> {
    let mut out = text_out();
    writeln!(
        out,
        "secrets due by {} (now {}): {}",
        d.until,
        d.now,
        d.due.len()
    )?;
    for s in &d.due {
        let why = match s.secret.why {
            aoa_core::access::DueWhy::Expires => "expires",
            aoa_core::access::DueWhy::Rotation => "rotation due",
        };
        let overdue = if s.secret.overdue { " (overdue)" } else { "" };
        writeln!(out, "  {} {why}{overdue}: {}", s.secret.at, s.secret.secret)?;
        writeln!(out, "    used by {}", s.secret.consumers.join(", "))?;
        let waves: Vec<String> = (s.plan.waves.iter())
            .map(|w| {
                let apps: Vec<&str> = w.batches.iter().flatten().copied().collect();
                format!("wave {}: {}", w.index, apps.join(", "))
            })
            .collect();
        writeln!(out, "    rollout: {}", waves.join("; "))?;
    }
    out.flush()
}

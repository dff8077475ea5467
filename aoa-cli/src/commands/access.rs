//! Permission commands: `check`, `who-can`, `what-can`, `effective`, `diff`.

use crate::args::ManifestArgs;
use crate::output::{Exit, OutputFormat, print_json, text_out};
use aoa_core::access::{AccessDiff, Decision, Reason};
use aoa_core::{Error, Manifest};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `aoa check`.
#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// Who asks: `user:ID`, `group:ID` or `app:NAME`.
    pub(crate) subject: String,
    /// The action, e.g. `deploy` or `read:deployments`.
    pub(crate) action: String,
    /// The app it is asked on.
    pub(crate) app: String,
    /// A group the subject belongs to (from its identity provider's token); repeat for more.
    #[arg(long = "group", short, value_name = "GROUP")]
    pub(crate) groups: Vec<String>,
    /// Name every grant or deny that decided, with its manifest location.
    #[arg(long)]
    pub(crate) explain: bool,
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
}

/// Arguments of `aoa who-can`.
#[derive(clap::Args)]
pub(crate) struct WhoCanArgs {
    /// The action.
    pub(crate) action: String,
    /// The app.
    pub(crate) app: String,
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
}

/// Arguments of `aoa what-can`.
#[derive(clap::Args)]
pub(crate) struct WhatCanArgs {
    /// Who asks: `user:ID`, `group:ID` or `app:NAME`.
    pub(crate) subject: String,
    /// A group the subject belongs to; repeat for more.
    #[arg(long = "group", short, value_name = "GROUP")]
    pub(crate) groups: Vec<String>,
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
}

/// Arguments of `aoa effective` (formerly `aoa access`).
#[derive(clap::Args)]
pub(crate) struct EffectiveArgs {
    /// The app.
    pub(crate) app: String,
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
}

/// Arguments of `aoa diff`.
#[derive(clap::Args)]
pub(crate) struct DiffArgs {
    /// The manifest before the change (file or directory).
    pub(crate) old: PathBuf,
    /// The manifest after the change.
    pub(crate) new: PathBuf,
    /// Exit 1 when anyone gains anything (for CI gates on privilege drift).
    #[arg(long)]
    pub(crate) fail_on_gain: bool,
}

#[derive(Serialize)]
struct CheckReport<'a> {
    subject: &'a str,
    groups: &'a [String],
    action: &'a str,
    app: &'a str,
    #[serde(flatten)]
    decision: &'a Decision<'a>,
}

/// Two lines for a rule: `  {verb} {rule}` and `    at {location}`.
pub(crate) fn reason_line(out: &mut impl Write, verb: &str, r: &Reason<'_>) -> std::io::Result<()> {
    out.write_all(aoa_core::access::reason_lines(verb, r).as_bytes())
}

/// `aoa check`: exit 0 when allowed, 1 when denied.
pub(crate) fn check(args: &CheckArgs, format: OutputFormat) -> Result<Exit, Error> {
    let m = args.manifest.load(None)?;
    let access = m.access();
    let decision = access.check(&args.subject, &args.groups, &args.action, &args.app)?;
    match format {
        OutputFormat::Json => print_json(&CheckReport {
            subject: &args.subject,
            groups: &args.groups,
            action: &args.action,
            app: &args.app,
            decision: &decision,
        }),
        OutputFormat::Text => {
            let _ = print_decision(args, &decision);
        }
    }
    Ok(if decision.allowed {
        Exit::Ok
    } else {
        Exit::Findings
    })
}

fn print_decision(args: &CheckArgs, d: &Decision<'_>) -> std::io::Result<()> {
    let text = aoa_core::access::explain(
        d,
        &args.subject,
        &args.groups,
        &args.action,
        &args.app,
        args.explain,
    );
    let mut out = text_out();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// `aoa who-can`.
pub(crate) fn who_can(args: &WhoCanArgs, format: OutputFormat) -> Result<Exit, Error> {
    let m = args.manifest.load(None)?;
    let access = m.access();
    let who = access.who_can(&args.action, &args.app)?;
    match format {
        OutputFormat::Json => print_json(&who),
        OutputFormat::Text => {
            let mut out = text_out();
            let _ = writeln!(
                out,
                "{} subject(s) may `{}` on `{}`",
                who.subjects.len(),
                who.action,
                who.app
            );
            for w in &who.subjects {
                let _ = writeln!(out, "{}", w.subject);
                for r in &w.sources {
                    let _ = reason_line(&mut out, "via ", r);
                }
            }
            let _ = out.flush();
        }
    }
    Ok(Exit::Ok)
}

/// `aoa what-can`.
pub(crate) fn what_can(args: &WhatCanArgs, format: OutputFormat) -> Result<Exit, Error> {
    let m = args.manifest.load(None)?;
    let access = m.access();
    let what = access.what_can(&args.subject, &args.groups)?;
    match format {
        OutputFormat::Json => print_json(&what),
        OutputFormat::Text => {
            let mut out = text_out();
            for a in &what.apps {
                let _ = writeln!(out, "{}: {}", a.app, a.actions.join(", "));
            }
            if what.apps.is_empty() {
                let _ = writeln!(out, "`{}` may do nothing anywhere", args.subject);
            }
            let _ = out.flush();
        }
    }
    Ok(Exit::Ok)
}

/// `aoa access`: every subject's effective permissions on an app.
pub(crate) fn effective(args: &EffectiveArgs, format: OutputFormat) -> Result<Exit, Error> {
    let m = args.manifest.load(None)?;
    let access = m.access();
    let effective = access.effective(&args.app)?;
    match format {
        OutputFormat::Json => print_json(&effective),
        OutputFormat::Text => {
            let mut out = text_out();
            let _ = writeln!(
                out,
                "{} subject(s) on `{}`",
                effective.subjects.len(),
                effective.app
            );
            for s in &effective.subjects {
                let _ = writeln!(out, "{}", s.subject);
                for (label, list) in [("allowed", &s.allowed), ("denied", &s.denied)] {
                    for a in list.iter() {
                        let from: Vec<String> = a
                            .sources
                            .iter()
                            .map(|r| {
                                format!(
                                    "{} on `{}` ({})",
                                    aoa_core::access::effect_word(r.rule.effect),
                                    r.rule.app,
                                    r.declared
                                )
                            })
                            .collect();
                        let _ = writeln!(out, "  {label} {}: {}", a.action, from.join("; "));
                    }
                }
            }
            let _ = out.flush();
        }
    }
    Ok(Exit::Ok)
}

/// `aoa diff`: who gains and who loses what between two manifests.
pub(crate) fn diff(args: &DiffArgs, format: OutputFormat) -> Result<Exit, Error> {
    let old = Manifest::from_path(&args.old)?;
    let new = Manifest::from_path(&args.new)?;
    let drift = old.diff(&new);
    match format {
        OutputFormat::Json => print_json(&drift),
        OutputFormat::Text => {
            let _ = print_diff(&drift);
        }
    }
    Ok(if args.fail_on_gain && drift.gained > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    })
}

fn print_diff(drift: &AccessDiff) -> std::io::Result<()> {
    let mut out = text_out();
    writeln!(
        out,
        "{} permission(s) gained, {} lost",
        drift.gained, drift.lost
    )?;
    for s in &drift.subjects {
        writeln!(out, "{}", s.subject)?;
        for c in &s.changes {
            let cause = match &c.rule {
                Some(rule) => format!(
                    "{}: {}",
                    kind_words(c.kind),
                    aoa_core::access::describe(rule)
                ),
                None => format!("{}: at `{}`", kind_words(c.kind), c.app),
            };
            let place = c
                .declared
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            writeln!(out, "  {cause}{place}")?;
            for a in &c.gained {
                writeln!(out, "    + {} on {}", a.action, a.app)?;
            }
            for a in &c.lost {
                writeln!(out, "    - {} on {}", a.action, a.app)?;
            }
        }
    }
    out.flush()
}

/// A change kind in words, from its serialized name: `grant_added` → `grant added`.
fn kind_words(kind: aoa_core::access::ChangeKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

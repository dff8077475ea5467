//! Permission commands: `check`, `who-can`, `what-can`, `effective`, `diff`.

use crate::args::ManifestArgs;
use crate::output::{Exit, OutputFormat, print_json, text_out};
use aoa_core::access::{AccessDiff, Decision, MissKind, Outcome, Reason, Rule};
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

/// One rule for people: `grant to group:ops (role deployer: deploy, read:*) on team-x, env prod`.
fn describe(rule: &Rule) -> String {
    let what = match &rule.role {
        Some(role) => format!("role `{role}`: {}", rule.actions.join(", ")),
        None => rule.actions.join(", "),
    };
    let mut text = format!(
        "{} to `{}` ({what}) on `{}`",
        effect_word(rule),
        rule.subject,
        rule.app
    );
    if !rule.env.is_empty() {
        text.push_str(&format!(", env {}", rule.env.join(", ")));
    }
    if !rule.propagate {
        text.push_str(", not propagated");
    }
    text
}

fn effect_word(rule: &Rule) -> &'static str {
    match rule.effect {
        aoa_core::access::Effect::Grant => "grant",
        aoa_core::access::Effect::Deny => "deny",
        aoa_core::access::Effect::Identity => "identity need",
    }
}

/// Two lines for a rule: `  {verb} {rule}` and `    at {location}`.
pub(crate) fn reason_line(out: &mut impl Write, verb: &str, r: &Reason<'_>) -> std::io::Result<()> {
    writeln!(out, "  {verb}{}", describe(r.rule))?;
    writeln!(out, "    at {}", r.declared)
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
    let mut out = text_out();
    let groups = if args.groups.is_empty() {
        String::new()
    } else {
        format!(" (groups: {})", args.groups.join(", "))
    };
    let who = format!(
        "`{}`{groups} `{}` on `{}`",
        args.subject, args.action, args.app
    );
    match d.outcome {
        Outcome::Allowed => writeln!(out, "allowed: {who}")?,
        Outcome::Forbidden => writeln!(out, "denied (forbidden): {who}")?,
        Outcome::NotGranted => writeln!(out, "denied (not granted): {who}")?,
    }
    if args.explain {
        let verb = match d.outcome {
            Outcome::Allowed => "allowed by",
            _ => "forbidden by",
        };
        for r in &d.reasons {
            reason_line(&mut out, &format!("{verb} "), r)?;
        }
        match &d.nearest_miss {
            Some(miss) => {
                let label = match miss.why {
                    MissKind::OtherEnv => "other env",
                    MissKind::NotPropagated => "not propagated",
                    MissKind::OtherSubtree => "other subtree",
                    MissKind::AboveCeiling => "above ceiling",
                };
                writeln!(
                    out,
                    "  nearest grant that did not apply ({label}): {}",
                    miss.message
                )?;
                reason_line(&mut out, "", &miss.grant)?;
            }
            None if d.outcome == Outcome::NotGranted => writeln!(
                out,
                "  no grant to this subject or its groups covers `{}` anywhere",
                args.action
            )?,
            None => {}
        }
    }
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
                                    effect_word(r.rule),
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
                Some(rule) => format!("{}: {}", kind_words(c.kind), describe(rule)),
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

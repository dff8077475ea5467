//! `aoa argocd`: read an Argo CD repository (`import`), print Argo CD's sync order (`order`), answer like
//! `argocd admin settings rbac can` (`can`), check AppProject guardrails (`projects`), and write aoa's plan
//! back as sync waves (`export`).

use crate::args::ManifestArgs;
use crate::output::{Exit, OutputFormat, print_json, text_out, write_diagnostic};
use aoa_core::argocd::{self, ImportOptions, Phase};
use aoa_core::{Diagnostic, Error};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `aoa argocd` subcommands.
#[derive(clap::Subcommand)]
pub(crate) enum ArgocdCommand {
    /// Read a repository: Applications and their tree, ApplicationSets, AppProjects, RBAC; exit 1 on findings.
    Import(ImportArgs),
    /// Argo CD's sync order of every Application's resources (phase, wave, kind, name).
    Order(DirArgs),
    /// Answer like `argocd admin settings rbac can` (exit 0 yes, 1 no), with the deciding line.
    Can(CanArgs),
    /// AppProjects, their guardrail findings, and RollingSync steps (exit 1 on findings).
    Projects(DirArgs),
    /// Sync-wave annotations from the manifest's `depends_on` plan.
    Export(ExportArgs),
}

/// A repository and its path mounts.
#[derive(clap::Args)]
pub(crate) struct DirArgs {
    /// The repository's directory.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Read source paths starting with FROM as TO (`registry/clusters/<CLUSTER_NAME>=templates/mgmt`).
    #[arg(long = "mount", value_name = "FROM=TO")]
    mounts: Vec<String>,
}

impl DirArgs {
    fn options(&self) -> Result<ImportOptions, Error> {
        let mounts = self
            .mounts
            .iter()
            .map(|m| {
                m.split_once('=')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .ok_or_else(|| Error::InvalidArgument {
                        message: format!("a mount is `FROM=TO`, not `{m}`"),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(ImportOptions {
            mounts,
            ..ImportOptions::default()
        })
    }
}

/// Arguments of `aoa argocd import`.
#[derive(clap::Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    repo: DirArgs,
    /// Also write the imported aoa manifest to `DIR/argocd.json`.
    #[arg(long, value_name = "DIR")]
    write: Option<PathBuf>,
}

/// Arguments of `aoa argocd can`.
#[derive(clap::Args)]
pub(crate) struct CanArgs {
    /// The subject (user, group, `role:NAME`, `proj:PROJECT:ROLE`).
    subject: String,
    /// The action (`get`, `sync`, `update/*`, `action/argoproj.io/Rollout/resume`, ...).
    action: String,
    /// The resource (`applications`, `projects`, ...; `app`, `repo`, `cert`, ... as Argo resolves them).
    resource: String,
    /// The object (`PROJECT/NAME` for project-scoped resources; `*` or nothing means `*/*` there).
    #[arg(default_value = "")]
    object: String,
    /// A repository whose `argocd-rbac-cm` and AppProject roles apply (the built-in policy alone without).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Arguments of `aoa argocd export`.
#[derive(clap::Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    manifest: ManifestArgs,
    /// Show only the annotations that change.
    #[arg(long)]
    diff: bool,
    /// Write the changed annotations into the repository DIR the `argocd/file` labels are relative to.
    #[arg(long, value_name = "DIR")]
    apply: Option<PathBuf>,
}

/// Runs `aoa argocd ...`.
pub(crate) fn argocd(command: &ArgocdCommand, format: OutputFormat) -> Result<Exit, Error> {
    match command {
        ArgocdCommand::Import(args) => import(args, format),
        ArgocdCommand::Order(args) => order(args, format),
        ArgocdCommand::Can(args) => can(args, format),
        ArgocdCommand::Projects(args) => projects(args, format),
        ArgocdCommand::Export(args) => export(args, format),
    }
}

fn io(e: &std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        message: e.to_string(),
    }
}

fn findings_exit(findings: &[Diagnostic]) -> Exit {
    if findings.is_empty() {
        Exit::Ok
    } else {
        Exit::Findings
    }
}

fn write_list(out: &mut impl Write, title: &str, list: &[Diagnostic]) -> std::io::Result<()> {
    if !list.is_empty() {
        writeln!(out, "{title} ({})", list.len())?;
        for d in list {
            write_diagnostic(out, d)?;
        }
    }
    Ok(())
}

fn import(args: &ImportArgs, format: OutputFormat) -> Result<Exit, Error> {
    let result = argocd::import(&args.repo.dir, &args.repo.options()?)?;
    if let Some(dir) = &args.write {
        write_manifest(dir, &result.manifest)?;
    }
    if format == OutputFormat::Json {
        print_json(&result);
        return Ok(findings_exit(&result.findings));
    }
    let c = &result.counts;
    let mut out = text_out();
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        writeln!(
            out,
            "imported {}: {} Applications (+{} generated), {} ApplicationSets, {} AppProjects, {} RBAC configs; {} files, {} skipped",
            result.root,
            c.applications,
            c.generated_applications,
            c.application_sets,
            c.projects,
            c.rbac_configs,
            c.files,
            c.skipped
        )?;
        write_tree(out, &result.manifest)?;
        let mut w = out;
        write_list(&mut w, "skipped", &result.skipped)?;
        write_list(&mut w, "findings", &result.findings)?;
        if let Some(dir) = &args.write {
            writeln!(w, "wrote {}", dir.join("argocd.json").display())?;
        }
        Ok(())
    };
    write(&mut out).map_err(|e| io(&e))?;
    out.flush().map_err(|e| io(&e))?;
    Ok(findings_exit(&result.findings))
}

fn write_manifest(dir: &Path, manifest: &Value) -> Result<(), Error> {
    let path = dir.join("argocd.json");
    let fail = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let text = serde_json::to_string_pretty(manifest).unwrap_or_default();
    std::fs::write(&path, text + "\n").map_err(fail)
}

/// The tree of the imported manifest: roots by name, children by (wave, name).
fn write_tree(out: &mut dyn Write, manifest: &Value) -> std::io::Result<()> {
    let apps = manifest["apps"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let label = |a: &Value, k: &str| a["labels"][k].as_str().unwrap_or_default().to_string();
    let mut children: BTreeMap<Option<&str>, Vec<&Value>> = BTreeMap::new();
    for app in apps {
        children
            .entry(app["parent"].as_str())
            .or_default()
            .push(app);
    }
    for list in children.values_mut() {
        list.sort_by_key(|a| {
            (
                label(a, "argocd/sync-wave").parse::<i64>().unwrap_or(0),
                a["name"].as_str().unwrap_or_default().to_string(),
            )
        });
    }
    fn walk(
        out: &mut dyn Write,
        children: &BTreeMap<Option<&str>, Vec<&Value>>,
        parent: Option<&str>,
        depth: usize,
        label: &dyn Fn(&Value, &str) -> String,
    ) -> std::io::Result<()> {
        for app in children.get(&parent).into_iter().flatten() {
            let name = app["name"].as_str().unwrap_or_default();
            let kind = label(app, "argocd/kind");
            let mut notes = vec![format!("wave {}", label(app, "argocd/sync-wave"))];
            if kind == "ApplicationSet" {
                notes.insert(0, "ApplicationSet".into());
            } else {
                notes.push(format!("project {}", label(app, "argocd/project")));
            }
            if label(app, "argocd/self-managing") == "true" {
                notes.push("manages itself".into());
            }
            writeln!(
                out,
                "{}{name} ({})",
                "  ".repeat(depth + 1),
                notes.join(", ")
            )?;
            walk(out, children, Some(name), depth + 1, label)?;
        }
        Ok(())
    }
    walk(out, &children, None, 0, &label)
}

fn order(args: &DirArgs, format: OutputFormat) -> Result<Exit, Error> {
    let result = argocd::order_dir(&args.dir, &args.options()?)?;
    if format == OutputFormat::Json {
        print_json(&result);
        return Ok(Exit::Ok);
    }
    let mut out = text_out();
    let mut write = || -> std::io::Result<()> {
        for sync in &result.syncs {
            match &sync.app {
                Some(app) => writeln!(out, "{app} (source {})", sync.source)?,
                None => writeln!(
                    out,
                    "{} (no Application of the repository syncs it)",
                    sync.source
                )?,
            }
            for t in &sync.tasks {
                let phase = match t.phase {
                    Some(Phase::PreSync) => "PreSync",
                    Some(Phase::Sync) | None => "Sync",
                    Some(Phase::PostSync) => "PostSync",
                    Some(Phase::SyncFail) => "SyncFail",
                };
                let name = if t.namespace.is_empty() {
                    t.name.clone()
                } else {
                    format!("{}/{}", t.namespace, t.name)
                };
                let at = match (&t.file, t.line) {
                    (Some(f), Some(l)) => format!("  {f}:{l}"),
                    _ => String::new(),
                };
                writeln!(out, "  {phase:<8} {:>4}  {} {name}{at}", t.wave, t.kind)?;
            }
        }
        write_list(&mut out, "findings", &result.findings)?;
        out.flush()
    };
    write().map_err(|e| io(&e))?;
    Ok(Exit::Ok)
}

fn can(args: &CanArgs, format: OutputFormat) -> Result<Exit, Error> {
    let verdict = argocd::can(
        args.dir.as_deref(),
        &args.subject,
        &args.action,
        &args.resource,
        &args.object,
    )?;
    let exit = if verdict.allowed {
        Exit::Ok
    } else {
        Exit::Findings
    };
    if format == OutputFormat::Json {
        print_json(&verdict);
        return Ok(exit);
    }
    let mut out = text_out();
    let mut write = || -> std::io::Result<()> {
        writeln!(out, "{}", if verdict.allowed { "Yes" } else { "No" })?;
        writeln!(out, "  {}", verdict.explanation)?;
        for line in verdict.decided_by.iter().chain(&verdict.via) {
            match line.line {
                Some(n) => writeln!(out, "    at {}:{n}: {}", line.file, line.text)?,
                None => writeln!(out, "    in {}: {}", line.file, line.text)?,
            }
        }
        out.flush()
    };
    write().map_err(|e| io(&e))?;
    Ok(exit)
}

fn projects(args: &DirArgs, format: OutputFormat) -> Result<Exit, Error> {
    let result = argocd::projects_dir(&args.dir, &args.options()?)?;
    if format == OutputFormat::Json {
        print_json(&result);
        return Ok(findings_exit(&result.findings));
    }
    let mut out = text_out();
    let mut write = || -> std::io::Result<()> {
        for p in &result.projects {
            let s = &p.spec;
            writeln!(
                out,
                "{} ({}:{}): {} source repositories, {} destinations, {} roles",
                p.name,
                p.file,
                p.line,
                s.source_repos.len(),
                s.destinations.len(),
                s.roles.len()
            )?;
        }
        for set in result
            .application_sets
            .iter()
            .filter(|s| !s.steps.is_empty())
        {
            writeln!(out, "ApplicationSet {} RollingSync", set.name)?;
            for (i, step) in set.steps.iter().enumerate() {
                writeln!(out, "  step {}: {}", i + 1, step.join(", "))?;
            }
        }
        write_list(&mut out, "findings", &result.findings)?;
        out.flush()
    };
    write().map_err(|e| io(&e))?;
    Ok(findings_exit(&result.findings))
}

fn export(args: &ExportArgs, format: OutputFormat) -> Result<Exit, Error> {
    let manifest = args.manifest.load(None)?;
    let mut result = argocd::export(&manifest)?;
    if let Some(dir) = &args.apply {
        let mut written = 0;
        for a in result.annotations.iter().filter(|a| a.changed) {
            let (Some(file), Some(line)) = (&a.file, a.line) else {
                eprintln!(
                    "warning: `{}` has no `argocd/file` label; not written",
                    a.app
                );
                continue;
            };
            let path = dir.join(file);
            let fail = |e: std::io::Error| Error::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            };
            let text = std::fs::read_to_string(&path).map_err(fail)?;
            match set_wave(&text, line, a.new) {
                Some(patched) => {
                    std::fs::write(&path, patched).map_err(fail)?;
                    written += 1;
                }
                None => eprintln!(
                    "warning: {}:{line}: no `metadata:` block to annotate for `{}`; not written",
                    path.display(),
                    a.app
                ),
            }
        }
        eprintln!("wrote {written} annotations under {}", dir.display());
    }
    if args.diff {
        result.annotations.retain(|a| a.changed);
    }
    if format == OutputFormat::Json {
        print_json(&result);
        return Ok(Exit::Ok);
    }
    let mut out = text_out();
    let mut write = || -> std::io::Result<()> {
        writeln!(
            out,
            "sync waves from the plan: {} waves, {} annotations change",
            result.waves, result.changed
        )?;
        for a in &result.annotations {
            let at = match (&a.file, a.line) {
                (Some(f), Some(l)) => format!("{f}:{l}: "),
                _ => String::new(),
            };
            let old = a
                .old
                .map_or_else(|| "(none)".to_string(), |w| format!("\"{w}\""));
            if a.changed {
                writeln!(
                    out,
                    "  {at}{}: argocd.argoproj.io/sync-wave {old} -> \"{}\"",
                    a.app, a.new
                )?;
            } else {
                writeln!(
                    out,
                    "  {at}{}: argocd.argoproj.io/sync-wave \"{}\" (unchanged)",
                    a.app, a.new
                )?;
            }
        }
        out.flush()
    };
    write().map_err(|e| io(&e))?;
    Ok(Exit::Ok)
}

/// The text with the sync-wave annotation of the document starting at `line` (1-based) set to `wave`: the
/// annotation's value replaced, or the annotation added under `metadata.annotations` (created when absent).
/// `None` when the document has no block `metadata:` line.
fn set_wave(text: &str, line: usize, wave: i64) -> Option<String> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let at = line.saturating_sub(1).min(lines.len());
    let start = lines[..at]
        .iter()
        .rposition(|l| l.trim_end() == "---")
        .map_or(0, |i| i + 1);
    let end = lines[at..]
        .iter()
        .position(|l| l.trim_end() == "---")
        .map_or(lines.len(), |i| at + i);
    let key = "argocd.argoproj.io/sync-wave:";
    let value = format!("\"{wave}\"\n");
    if let Some(i) = (start..end).find(|&i| lines[i].trim_start().starts_with(key)) {
        let indent = lines[i].len() - lines[i].trim_start().len();
        lines[i] = format!("{}{key} {value}", " ".repeat(indent));
        return Some(lines.concat());
    }
    let metadata = (start..end).find(|&i| lines[i].trim_end() == "metadata:")?;
    let indent = (metadata + 1..end)
        .map(|i| &lines[i])
        .find(|l| !l.trim().is_empty())
        .map_or(2, |l| l.len() - l.trim_start().len())
        .max(1);
    let pad = " ".repeat(indent);
    let annotations = (metadata + 1..end)
        .take_while(|&i| lines[i].trim().is_empty() || lines[i].starts_with(&pad))
        .find(|&i| lines[i].trim_end() == format!("{pad}annotations:"));
    match annotations {
        Some(i) => lines.insert(i + 1, format!("{pad}{pad}{key} {value}")),
        None => lines.insert(
            metadata + 1,
            format!("{pad}annotations:\n{pad}{pad}{key} {value}"),
        ),
    }
    Some(lines.concat())
}

#[cfg(test)]
mod tests {
    use super::set_wave;

    #[test]
    fn waves_are_replaced_or_added_in_the_right_document() {
        let text = "a: 1\n---\nkind: X\nmetadata:\n  name: x\n---\nkind: Y\nmetadata:\n  name: y\n  annotations:\n    argocd.argoproj.io/sync-wave: '3'\n";
        let patched = set_wave(text, 3, 5).unwrap();
        assert!(patched.contains(
            "metadata:\n  annotations:\n    argocd.argoproj.io/sync-wave: \"5\"\n  name: x\n"
        ));
        let patched = set_wave(&patched, 9, -1).unwrap();
        assert!(patched.ends_with("    argocd.argoproj.io/sync-wave: \"-1\"\n"));
        let with = "metadata:\n  annotations:\n    other: a\n  name: z\n";
        assert_eq!(
            set_wave(with, 1, 2).unwrap(),
            "metadata:\n  annotations:\n    argocd.argoproj.io/sync-wave: \"2\"\n    other: a\n  name: z\n"
        );
        assert!(set_wave("kind: X\n", 1, 1).is_none());
    }
}

//! Graph commands: `validate`, `plan`, `teardown`, `graph`.

use crate::args::{ManifestArgs, renamed};
use crate::output::{Exit, OutputFormat, print_json, text_out, write_diagnostic};
use aoa_core::{Error, Plan, PlanOptions, Selector, dispatch};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `aoa validate`.
#[derive(clap::Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
    /// Deprecated: the manifest as a positional argument (use `-m`).
    #[arg(hide = true, value_name = "MANIFEST")]
    pub(crate) legacy_manifest: Option<PathBuf>,
}

/// Arguments of `aoa plan` and `aoa teardown`.
#[derive(clap::Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
    /// Deprecated: the manifest as a positional argument (use `-m`).
    #[arg(hide = true, value_name = "MANIFEST")]
    pub(crate) legacy_manifest: Option<PathBuf>,
    /// Split each wave into batches of at most N apps.
    #[arg(long, value_name = "N")]
    pub(crate) max_parallel: Option<usize>,
    /// Plan only these changed apps and everything downstream of them (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "APP,...")]
    pub(crate) changed: Vec<String>,
    /// Plan only the apps matching `k=v[,k=v]` (labels, or `name=APP`) plus what they need first;
    /// repeat to select more.
    #[arg(long, value_name = "K=V,...")]
    pub(crate) select: Vec<String>,
}

/// Arguments of `aoa graph`.
#[derive(clap::Args)]
pub(crate) struct GraphArgs {
    #[command(flatten)]
    pub(crate) manifest: ManifestArgs,
    /// Deprecated: the manifest as a positional argument (use `-m`).
    #[arg(hide = true, value_name = "MANIFEST")]
    pub(crate) legacy_manifest: Option<PathBuf>,
    /// The diagram language [default: dot].
    #[arg(long, value_enum)]
    pub(crate) diagram: Option<GraphFormat>,
    /// Deprecated spelling of `--diagram`.
    #[arg(long, value_enum, hide = true, conflicts_with = "diagram")]
    pub(crate) format: Option<GraphFormat>,
}

/// Diagram languages of `aoa graph`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum GraphFormat {
    /// Graphviz.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// `aoa validate`: exit 0 when the manifest is valid and acyclic, 1 with its problems listed otherwise.
pub(crate) fn validate(args: &ValidateArgs, format: OutputFormat) -> Result<Exit, Error> {
    let report = dispatch::validate_loaded(args.manifest.load(args.legacy_manifest.as_deref()))?;
    match format {
        OutputFormat::Json => print_json(&report),
        OutputFormat::Text => {
            let mut out = text_out();
            if report.valid {
                let _ = writeln!(
                    out,
                    "ok: {} apps, {} edges, {} waves",
                    report.apps, report.edges, report.waves
                );
            } else {
                let found: usize = report
                    .diagnostics
                    .iter()
                    .map(aoa_core::Diagnostic::problem_count)
                    .sum();
                let _ = writeln!(out, "invalid: {found} problem(s)");
                for d in &report.diagnostics {
                    let _ = write_diagnostic(&mut out, d);
                }
            }
        }
    }
    Ok(if report.valid {
        Exit::Ok
    } else {
        Exit::Findings
    })
}

/// `aoa plan` / `aoa teardown`.
pub(crate) fn plan(args: &PlanArgs, format: OutputFormat, teardown: bool) -> Result<Exit, Error> {
    let m = args.manifest.load(args.legacy_manifest.as_deref())?;
    let options = PlanOptions {
        max_parallel: args.max_parallel,
    };
    let plan = match (args.changed.is_empty(), args.select.is_empty()) {
        (true, true) => m.plan(&options)?,
        (false, true) => m.impacted(&args.changed, &options)?,
        (true, false) => m.select(&Selector::parse(&args.select)?, &options)?,
        (false, false) => {
            return Err(Error::InvalidArgument {
                message: "use either `--changed` or `--select`, not both".into(),
            });
        }
    };
    let plan = if teardown { plan.reversed() } else { plan };
    match format {
        OutputFormat::Json => print_json(&plan),
        OutputFormat::Text => {
            let _ = print_plan_text(&plan);
        }
    }
    // The process ends here: the OS reclaims memory faster than freeing 10^6 apps piece by piece.
    std::mem::forget(plan);
    std::mem::forget(m);
    Ok(Exit::Ok)
}

/// The plan as text for people.
pub(crate) fn print_plan_text(plan: &Plan<'_>) -> std::io::Result<()> {
    let mut out = text_out();
    let verb = match plan.direction {
        aoa_core::Direction::Rollout => "rollout",
        aoa_core::Direction::Teardown => "teardown",
    };
    writeln!(
        out,
        "{verb} plan: {} apps in {} waves",
        plan.app_count,
        plan.waves.len()
    )?;
    for wave in &plan.waves {
        let size: usize = wave.batches.iter().map(Vec::len).sum();
        writeln!(out, "wave {} ({size} apps)", wave.index)?;
        for (i, batch) in wave.batches.iter().enumerate() {
            if wave.batches.len() > 1 {
                writeln!(out, "  batch {}: {}", i + 1, batch.join(", "))?;
            } else {
                for app in batch {
                    writeln!(out, "  {app}")?;
                }
            }
        }
    }
    writeln!(
        out,
        "critical path ({} apps): {}",
        plan.critical_path.len(),
        plan.critical_path.join(" -> ")
    )?;
    out.flush()
}

/// `aoa graph`: every edge, parent edges solid and `depends_on` edges dashed.
pub(crate) fn graph(args: &GraphArgs) -> Result<Exit, Error> {
    let diagram = renamed(args.diagram, args.format, "--format", "--diagram");
    let m = args.manifest.load(args.legacy_manifest.as_deref())?;
    let diagram = match diagram.unwrap_or(GraphFormat::Dot) {
        GraphFormat::Dot => dispatch::Diagram::Dot,
        GraphFormat::Mermaid => dispatch::Diagram::Mermaid,
    };
    let mut out = text_out();
    let _ = dispatch::write_diagram(&m, diagram, &mut out).and_then(|()| out.flush());
    Ok(Exit::Ok)
}

//! `aoa rollout` and `aoa rollback`: run the plan with commands as deploy callbacks, journaled in the state
//! store, resumable after a crash, with a line per event (JSON Lines with `--output json`) and a final table.

use crate::commands::graph::print_plan_text;
use crate::commands::store::StoreArgs;
use crate::output::{Exit, OutputFormat, print_json, text_out};
use aoa_core::access::parse_duration;
use aoa_core::schedule::{OnFailure, Retry};
use aoa_core::{Error, Manifest, PlanOptions};
use aoa_rollout::{Actor, Exec, JournalEvent, Options, Report, Rollout, Step, StoreJournal};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a failure does to the rest of the run.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FailurePolicy {
    /// Start nothing new; running apps finish.
    FailFast,
    /// Independent branches go on; whatever waits for the failed app is skipped.
    Continue,
}

/// Who runs the rollout (checked for `deploy`/`rollback` on every app before anything runs).
#[derive(clap::Args)]
pub(crate) struct ActorArgs {
    /// The subject the rollout runs as (`user:ann`); required when the manifest has permission sections.
    #[arg(long = "as", value_name = "SUBJECT")]
    subject: Option<String>,
    /// A group the subject belongs to (repeatable).
    #[arg(short = 'g', long = "group", value_name = "GROUP")]
    groups: Vec<String>,
}

/// The limits and rules of a run.
#[derive(clap::Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    actor: ActorArgs,
    /// The health command, run after a deploy until it prints `healthy` (then optionally the version):
    /// placeholders as in `--exec`.
    #[arg(long, value_name = "COMMAND")]
    observe: Option<String>,
    /// Run the commands with `sh -c` (placeholders are filled in shell-quoted).
    #[arg(long)]
    shell: bool,
    /// At most this many apps at once.
    #[arg(long, value_name = "N")]
    max_parallel: Option<u32>,
    /// At most N apps of a `class` label value at once (`db-migration=2`; repeatable).
    #[arg(long = "class-limit", value_name = "CLASS=N")]
    class_limits: Vec<String>,
    /// Attempts per app, the first included.
    #[arg(long, default_value_t = 3, value_name = "N")]
    attempts: u32,
    /// The wait before the first retry (doubling, up to 60 s).
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    backoff: String,
    /// An attempt that runs longer is killed and counts as failed (`10m`, `30s`).
    #[arg(long, value_name = "DURATION")]
    timeout: Option<String>,
    /// The whole run must end within this time.
    #[arg(long, value_name = "DURATION")]
    deadline: Option<String>,
    /// What a failure does to the rest of the run.
    #[arg(long, value_enum, default_value_t = FailurePolicy::FailFast)]
    on_failure: FailurePolicy,
    /// A barrier between waves: no app of a wave starts before the earlier waves are done.
    #[arg(long)]
    waves: bool,
    /// Record the deployed versions in the registry even when that gives apps permissions they did not have
    /// (as `aoa registry apply --allow-gain`).
    #[arg(long)]
    allow_gain: bool,
    /// How long the run's registry lease lasts between renewals (the run renews it while it goes on; after a
    /// crash, a resume can take it over once it expired).
    #[arg(long, default_value = "30s", value_name = "DURATION")]
    lease_ttl: String,
    /// How long to wait for the registry lease when someone else holds it (a crashed run's lease expires
    /// after --lease-ttl) [default: fail at once, naming the holder].
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    wait: String,
    /// Where each app's command output goes: DIR/RUN_ID/APP.ATTEMPT.log.
    #[arg(long, default_value = ".aoa/logs", value_name = "DIR")]
    log_dir: PathBuf,
}

/// Arguments of `aoa rollout`.
#[derive(clap::Args)]
pub(crate) struct RolloutArgs {
    #[command(flatten)]
    run: RunArgs,
    /// The deploy command (`deploy.sh {app} {version}`; also `{attempt}`, `{run_id}`, `{key}`), run without
    /// a shell; exit status 0 means success.
    #[arg(long, value_name = "COMMAND", required_unless_present = "dry_run")]
    exec: Option<String>,
    /// Roll out only these apps and everything downstream of them (as `aoa plan --changed`).
    #[arg(long, value_delimiter = ',', value_name = "APP,...")]
    changed: Vec<String>,
    /// Resume this run: apps that succeeded are not deployed again.
    #[arg(long, value_name = "RUN_ID")]
    resume: Option<String>,
    /// The new run's id [default: run-<milliseconds since the epoch>].
    #[arg(long, value_name = "RUN_ID", conflicts_with = "resume")]
    run_id: Option<String>,
    /// Print the plan and the permission verdicts; run nothing.
    #[arg(long)]
    dry_run: bool,
}

/// Arguments of `aoa rollback`.
#[derive(clap::Args)]
pub(crate) struct RollbackArgs {
    #[command(flatten)]
    run: RunArgs,
    /// The run whose apps go back to their versions before it.
    #[arg(long = "run", value_name = "RUN_ID")]
    run_id: String,
    /// The rollback command (`rollback.sh {app} {version}`: `{version}` is the version to return to, empty
    /// when the app did not exist before).
    #[arg(long, value_name = "COMMAND")]
    rollback_exec: String,
}

impl RunArgs {
    fn options(&self) -> Result<Options, Error> {
        let ms = |text: &str| {
            parse_duration(text)
                .map(|s| s.unsigned_abs() * 1000)
                .map_err(invalid)
        };
        let mut class_limits = BTreeMap::new();
        for limit in &self.class_limits {
            let (class, n) = limit
                .split_once('=')
                .and_then(|(c, n)| Some((c, n.parse::<u32>().ok()?)))
                .ok_or_else(|| {
                    invalid(format!(
                        "--class-limit `{limit}`: write CLASS=N, for example db-migration=2"
                    ))
                })?;
            class_limits.insert(class.to_owned(), n);
        }
        let mut options = Options {
            class_limits,
            ..Options::default()
        };
        options.policy.max_parallel = self.max_parallel;
        options.policy.retry = Retry {
            max_attempts: self.attempts,
            initial: ms(&self.backoff)?,
            ..Retry::default()
        };
        options.policy.attempt_timeout = self.timeout.as_deref().map(ms).transpose()?;
        options.policy.deadline = self.deadline.as_deref().map(ms).transpose()?;
        options.policy.on_failure = match self.on_failure {
            FailurePolicy::FailFast => OnFailure::FailFast,
            FailurePolicy::Continue => OnFailure::Continue,
        };
        options.policy.waves = self.waves;
        options.policy.check()?;
        options.actor = self.actor.subject.as_ref().map(|subject| Actor {
            subject: subject.clone(),
            groups: self.actor.groups.clone(),
        });
        options.interrupts = Some(interrupts());
        Ok(options)
    }
}

/// `aoa rollout`.
pub(crate) fn rollout(args: &RolloutArgs, format: OutputFormat) -> Result<Exit, Error> {
    let m = args.run.store.manifest.load(None)?;
    let mut options = args.run.options()?;
    options.run_id.clone_from(&args.run_id);
    let plan_options = PlanOptions {
        max_parallel: args.run.max_parallel.map(|n| n as usize),
    };
    let plan = if args.changed.is_empty() {
        m.plan(&plan_options)?
    } else {
        let plan = m.impacted(&args.changed, &plan_options)?;
        let names = plan.waves.iter().flat_map(|w| w.batches.iter().flatten());
        options.apps = Some(names.map(|n| m.app(n)).collect::<Result<_, _>>()?);
        plan
    };
    if args.dry_run {
        let apps: Vec<_> = options.apps.clone().unwrap_or_else(|| m.ids().collect());
        aoa_rollout::check_all(&m, options.actor.as_ref(), "deploy", &apps)?;
        match format {
            OutputFormat::Json => print_json(&plan),
            OutputFormat::Text => {
                let _ = print_plan_text(&plan);
                if let Some(subject) = &args.run.actor.subject {
                    let mut out = text_out();
                    let _ = writeln!(
                        out,
                        "allowed: `{subject}` may deploy all {} apps (dry run: nothing ran)",
                        apps.len()
                    );
                    let _ = out.flush();
                }
            }
        }
        return Ok(Exit::Ok);
    }
    let exec = args.exec.as_deref().unwrap_or_default();
    let mut callbacks = Exec::new(exec, args.run.observe.as_deref(), None, &args.run.log_dir)?;
    callbacks.shell = args.run.shell;
    let rollout = Rollout::new(&m, options);
    drive(&args.run, &m, format, |journal, progress| {
        match &args.resume {
            Some(run_id) => rollout.resume(run_id, Arc::new(callbacks), journal, progress),
            None => rollout.run(Arc::new(callbacks), journal, progress),
        }
    })
}

/// `aoa rollback`.
pub(crate) fn rollback(args: &RollbackArgs, format: OutputFormat) -> Result<Exit, Error> {
    let m = args.run.store.manifest.load(None)?;
    let mut callbacks = Exec::new("true", None, Some(&args.rollback_exec), &args.run.log_dir)?;
    callbacks.shell = args.run.shell;
    let rollout = Rollout::new(&m, args.run.options()?);
    drive(&args.run, &m, format, |journal, progress| {
        let previous = journal.versions_before(&args.run_id)?;
        rollout.rollback(
            &args.run_id,
            &previous,
            Arc::new(callbacks),
            journal,
            progress,
        )
    })
}

/// Opens the store and its lease, runs `go` with the journal and a printer of events, then prints the final
/// table. Exit 0 when every app succeeded, 1 when some failed, was skipped or is in doubt.
fn drive(
    run: &RunArgs,
    m: &Manifest,
    format: OutputFormat,
    go: impl FnOnce(&mut StoreJournal, &mut dyn FnMut(&JournalEvent)) -> Result<Report, Error>,
) -> Result<Exit, Error> {
    let mut store = run.store.open(secs(&run.wait)?)?;
    store.set_lease_ttl(secs(&run.lease_ttl)?);
    let mut journal = StoreJournal::open(store)?;
    let mut display = Display::new(format, m.len());
    let outcome = go(&mut journal, &mut |e: &JournalEvent| {
        display.event(e, format)
    });
    display.finish();
    let report = match outcome {
        Ok(report) => report,
        Err(error) => {
            let _ = journal.abandon();
            return Err(error);
        }
    };
    let _ = print_report(&report, format);
    journal.finish(m, &report, run.allow_gain)?;
    let c = report.counts;
    Ok(if c.failed + c.skipped + c.in_doubt == 0 {
        Exit::Ok
    } else {
        Exit::Findings
    })
}

/// Ctrl-C counted: the first stops starting apps, the second abandons the running ones.
fn interrupts() -> Arc<AtomicUsize> {
    let interrupts = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&interrupts);
    // Only one handler can be installed in a process, and the CLI installs only this one.
    let _ = ctrlc::set_handler(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    interrupts
}

/// How events reach the terminal: a live bar on a TTY (failures printed above it), else one line per event.
enum Display {
    Lines,
    Live {
        bar: ProgressBar,
        running: BTreeSet<String>,
    },
}

impl Display {
    fn new(format: OutputFormat, apps: usize) -> Display {
        if format == OutputFormat::Json || !std::io::stdout().is_terminal() {
            return Display::Lines;
        }
        let bar = ProgressBar::new(apps as u64);
        if let Ok(style) = ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {pos}/{len} apps, ETA {eta}  {msg}",
        ) {
            bar.set_style(style);
        }
        Display::Live {
            bar,
            running: BTreeSet::new(),
        }
    }

    fn event(&mut self, e: &JournalEvent, format: OutputFormat) {
        let Display::Live { bar, running } = self else {
            print_event(e, format);
            return;
        };
        match &e.step {
            Step::Started { .. } => {
                running.insert(e.app.clone());
            }
            Step::Succeeded { .. } | Step::Adopted => {
                running.remove(&e.app);
                bar.inc(1);
            }
            Step::Failed { .. } | Step::InDoubt { .. } | Step::Skipped { .. } => {
                running.remove(&e.app);
                bar.inc(1);
                bar.println(aoa_core::escaped(&event_line(e)).as_ref());
            }
            Step::AttemptFailed { .. } | Step::TimedOut { .. } | Step::Retrying { .. } => {
                bar.println(aoa_core::escaped(&event_line(e)).as_ref());
            }
        }
        let shown: Vec<&str> = running.iter().take(3).map(String::as_str).collect();
        let more = running.len().saturating_sub(shown.len());
        let more = if more > 0 {
            format!(" +{more}")
        } else {
            String::new()
        };
        let message = format!("running: {}{more}", shown.join(", "));
        bar.set_message(aoa_core::escaped(&message).into_owned());
    }

    fn finish(self) {
        if let Display::Live { bar, .. } = self {
            bar.finish_and_clear();
        }
    }
}

/// One line per event, flushed at once: text for people, or the event as JSON (JSON Lines).
fn print_event(e: &JournalEvent, format: OutputFormat) {
    let line = match format {
        OutputFormat::Json => aoa_rollout::text::event_text(e),
        OutputFormat::Text => event_line(e),
    };
    let mut out = text_out();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// An event as one line for people: time since the run began, app, what happened.
fn event_line(e: &JournalEvent) -> String {
    let what = match &e.step {
        Step::Started { attempt } => format!("started (attempt {attempt})"),
        Step::Succeeded { attempt } => format!("succeeded (attempt {attempt})"),
        Step::Adopted => "already deployed and healthy (adopted on resume)".to_owned(),
        Step::AttemptFailed { attempt, reason } => {
            format!("attempt {attempt} failed: {reason}")
        }
        Step::TimedOut { attempt } => format!("attempt {attempt} timed out"),
        Step::Retrying { attempt, at_ms } => format!(
            "retrying (attempt {attempt} at {:.1}s)",
            *at_ms as f64 / 1000.0
        ),
        Step::Failed { attempts } => format!("FAILED after {attempts} attempt(s)"),
        Step::Skipped { reason } => format!("skipped ({reason})"),
        Step::InDoubt { attempt } => {
            format!("in doubt (attempt {attempt} was running when the run was abandoned)")
        }
    };
    format!("{:>8.3}s  {}  {what}", e.at_ms as f64 / 1000.0, e.app)
}

/// The final table: counts, each app with its status and duration, the critical path as it ran.
fn print_report(report: &Report, format: OutputFormat) -> std::io::Result<()> {
    let mut out = text_out();
    match format {
        OutputFormat::Json => print_json(&serde_json::json!({ "report": report })),
        OutputFormat::Text => {
            let c = report.counts;
            writeln!(
                out,
                "run {}: {} succeeded, {} failed, {} skipped, {} in doubt, {} already done ({:.1}s)",
                report.run_id,
                c.succeeded,
                c.failed,
                c.skipped,
                c.in_doubt,
                c.settled,
                report.elapsed_ms as f64 / 1000.0
            )?;
            for a in &report.apps {
                let took = match (a.started_ms, a.finished_ms) {
                    (Some(s), Some(f)) => format!("{:.3}s", f.saturating_sub(s) as f64 / 1000.0),
                    _ => "-".to_owned(),
                };
                let reason = a
                    .reason
                    .as_deref()
                    .map(|r| format!("  {r}"))
                    .unwrap_or_default();
                writeln!(out, "  {:<10} {:>9}  {}{reason}", a.status, took, a.app)?;
            }
            writeln!(out, "critical path: {}", report.critical_path.join(" -> "))?;
        }
    }
    out.flush()
}

/// A duration option (`30s`, `0s`).
fn secs(text: &str) -> Result<std::time::Duration, Error> {
    if text == "0s" {
        return Ok(std::time::Duration::ZERO);
    }
    parse_duration(text)
        .map(|s| std::time::Duration::from_secs(s.unsigned_abs()))
        .map_err(invalid)
}

fn invalid(message: String) -> Error {
    Error::InvalidArgument { message }
}

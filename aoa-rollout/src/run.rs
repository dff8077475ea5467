//! Driving a run: the scheduler's decisions become journal entries and jobs for the workers; the workers'
//! outcomes and the passing time become the scheduler's events.

use crate::callbacks::{Callbacks, Health};
use crate::journal::{Journal, JournalEvent, Step};
use crate::rbac::{Actor, check_all};
use crate::report::Report;
use crate::workers::{Gate, Job, Outcome, Work, Workers};
use aoa_core::schedule::{Decision, Event, Policy, Scheduler, SkipReason};
use aoa_core::{AppId, Error, Manifest, Result};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How a run goes.
#[derive(Debug, Clone)]
pub struct Options {
    /// Limits, retries, timeouts and the failure policy (its `class_limits` are set from `class_limits`).
    pub policy: Policy,
    /// At most this many apps of each `class` label value at once.
    pub class_limits: BTreeMap<String, u32>,
    /// The run's id (default: `run-` and the start time in milliseconds since the Unix epoch).
    pub run_id: Option<String>,
    /// Worker threads when `policy.max_parallel` sets no limit (default 16).
    pub workers: usize,
    /// How often the health gate polls `observe` (default 1 s).
    pub health_poll: Duration,
    /// How long the health gate waits for an app to become healthy (default 5 min).
    pub health_timeout: Duration,
    /// Outcomes arriving within this window share one journal commit (default 2 ms).
    pub commit_window: Duration,
    /// Interrupts so far (a Ctrl-C handler increments it): 1 stops starting apps, 2 abandons running ones.
    pub interrupts: Option<Arc<AtomicUsize>>,
    /// Who runs it: checked for `deploy` (`rollback`) on every app the run would touch before anything
    /// runs. `None` passes only for a manifest without permission sections.
    pub actor: Option<Actor>,
    /// Only these apps take part (the others count as done); `None`: every app.
    pub apps: Option<Vec<AppId>>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            policy: Policy::default(),
            class_limits: BTreeMap::new(),
            run_id: None,
            workers: 16,
            health_poll: Duration::from_secs(1),
            health_timeout: Duration::from_secs(300),
            commit_window: Duration::from_millis(2),
            interrupts: None,
            actor: None,
            apps: None,
        }
    }
}

/// A rollout of one manifest.
#[derive(Debug)]
pub struct Rollout<'m> {
    manifest: &'m Manifest,
    options: Options,
}

/// What one drive of the scheduler needs besides it.
struct Drive<'a> {
    run_id: Arc<str>,
    seq: u64,
    work: &'a dyn Fn(AppId) -> Work,
}

impl<'m> Rollout<'m> {
    /// A rollout of `manifest` under `options`.
    pub fn new(manifest: &'m Manifest, options: Options) -> Rollout<'m> {
        Rollout { manifest, options }
    }

    /// Deploys every app, each as soon as its parent and dependencies succeeded.
    ///
    /// # Errors
    /// [`Error::Cycle`] for a manifest with cycles, [`Error::InvalidArgument`] for bad options, and the
    /// journal's errors (the run stops at the first one: no callback runs for an unrecorded start).
    pub fn run(
        &self,
        callbacks: Arc<dyn Callbacks>,
        journal: &mut dyn Journal,
        progress: &mut dyn FnMut(&JournalEvent),
    ) -> Result<Report> {
        let run_id: Arc<str> = match &self.options.run_id {
            Some(id) => Arc::from(id.as_str()),
            None => Arc::from(format!("run-{}", unix_ms()).as_str()),
        };
        if !journal.events(&run_id)?.is_empty() {
            return Err(invalid(format!(
                "run `{run_id}` is already in the journal: resume it instead"
            )));
        }
        let settled = self.outside_selection();
        self.check(&settled, "deploy")?;
        let scheduler = self.scheduler(&settled)?;
        let drive = Drive {
            run_id,
            seq: 0,
            work: &|_| Work::Deploy,
        };
        self.drive(scheduler, drive, callbacks, journal, progress, Vec::new())
    }

    /// Resumes `run_id` from its journal: apps that succeeded are not deployed again; an app whose attempt
    /// was in flight is observed first — healthy at its target version, it is recorded as done (`adopted`)
    /// without a second deploy; otherwise it is deployed again with the same idempotency key. Apps that failed
    /// or were skipped run again.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a run the journal does not have; the errors of [`Rollout::run`].
    pub fn resume(
        &self,
        run_id: &str,
        callbacks: Arc<dyn Callbacks>,
        journal: &mut dyn Journal,
        progress: &mut dyn FnMut(&JournalEvent),
    ) -> Result<Report> {
        let past = journal.events(run_id)?;
        let Some(last) = past.last() else {
            return Err(invalid(format!("run `{run_id}` is not in the journal")));
        };
        let run_id: Arc<str> = Arc::from(run_id);
        let mut latest: HashMap<&str, &Step> = HashMap::new();
        for e in &past {
            latest.insert(&e.app, &e.step);
        }
        let mut settled = Vec::new();
        let mut adopted = Vec::new();
        for (app, step) in latest {
            let Some(id) = self.manifest.id(app) else {
                continue;
            };
            match step {
                Step::Succeeded { .. } | Step::Adopted => settled.push(id),
                Step::Started { .. } | Step::InDoubt { .. }
                    if self.healthy_at_target(id, callbacks.as_ref()) =>
                {
                    adopted.push(app);
                    settled.push(id);
                }
                _ => {}
            }
        }
        adopted.sort_unstable();
        let mut seq = last.seq;
        let adopted = adopted
            .into_iter()
            .map(|app| {
                seq += 1;
                event(&run_id, seq, 0, app, Step::Adopted)
            })
            .collect();
        settled.extend(self.outside_selection());
        self.check(&settled, "deploy")?;
        let scheduler = self.scheduler(&settled)?;
        let drive = Drive {
            run_id,
            seq,
            work: &|_| Work::Deploy,
        };
        self.drive(scheduler, drive, callbacks, journal, progress, adopted)
    }

    /// Returns every app that `run_id` deployed (succeeded or adopted) to its version before the run
    /// (`previous`: app name → version, `None` or absent when the app did not exist), in the exact reverse
    /// order: an app rolls back only after the apps among them that waited for it. Journaled as run
    /// `{run_id}-rollback`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a run the journal does not have; the errors of [`Rollout::run`].
    pub fn rollback(
        &self,
        run_id: &str,
        previous: &BTreeMap<String, Option<String>>,
        callbacks: Arc<dyn Callbacks>,
        journal: &mut dyn Journal,
        progress: &mut dyn FnMut(&JournalEvent),
    ) -> Result<Report> {
        let past = journal.events(run_id)?;
        if past.is_empty() {
            return Err(invalid(format!("run `{run_id}` is not in the journal")));
        }
        let mut changed: Vec<AppId> = past
            .iter()
            .filter(|e| matches!(e.step, Step::Succeeded { .. } | Step::Adopted))
            .filter_map(|e| self.manifest.id(&e.app))
            .collect();
        changed.sort_unstable();
        changed.dedup();
        let mut policy = self.options.policy.clone();
        let outside: Vec<AppId> = self
            .manifest
            .ids()
            .filter(|a| changed.binary_search(a).is_err())
            .collect();
        self.check(&outside, "rollback")?;
        policy.on_failure = aoa_core::schedule::OnFailure::FailFast;
        let scheduler =
            self.manifest
                .rollback_scheduler(&changed, policy, &self.options.class_limits)?;
        let back_id: Arc<str> = Arc::from(format!("{run_id}-rollback").as_str());
        let seq = journal.events(&back_id)?.last().map_or(0, |e| e.seq);
        let m = self.manifest;
        let work = |id: AppId| Work::Rollback(previous.get(m.name(id)).cloned().flatten());
        let drive = Drive {
            run_id: back_id,
            seq,
            work: &work,
        };
        self.drive(scheduler, drive, callbacks, journal, progress, Vec::new())
    }

    /// The apps outside [`Options::apps`] (none when it is `None`).
    fn outside_selection(&self) -> Vec<AppId> {
        match &self.options.apps {
            None => Vec::new(),
            Some(apps) => {
                let mut chosen = vec![false; self.manifest.len()];
                for a in apps {
                    chosen[a.index()] = true;
                }
                self.manifest.ids().filter(|a| !chosen[a.index()]).collect()
            }
        }
    }

    /// RBAC before anything runs: the actor may do `action` on every app not `settled`.
    fn check(&self, settled: &[AppId], action: &str) -> Result<()> {
        let mut skip = vec![false; self.manifest.len()];
        for a in settled {
            skip[a.index()] = true;
        }
        let apps: Vec<AppId> = self.manifest.ids().filter(|a| !skip[a.index()]).collect();
        check_all(self.manifest, self.options.actor.as_ref(), action, &apps)
    }

    fn scheduler(&self, settled: &[AppId]) -> Result<Scheduler> {
        self.manifest.scheduler(
            self.options.policy.clone(),
            &self.options.class_limits,
            settled,
        )
    }

    /// Whether `observe` says the app runs healthy at the manifest's version.
    fn healthy_at_target(&self, id: AppId, callbacks: &dyn Callbacks) -> bool {
        if !callbacks.observes() {
            return false;
        }
        let target = self.manifest.version(id);
        match callbacks.observe(self.manifest.name(id)) {
            Ok(o) => {
                o.health == Health::Healthy && (target.is_none() || o.version.as_deref() == target)
            }
            Err(_) => false,
        }
    }

    /// The loop: decisions → journal (one commit) → jobs; outcomes and time → events.
    fn drive(
        &self,
        mut scheduler: Scheduler,
        mut drive: Drive<'_>,
        callbacks: Arc<dyn Callbacks>,
        journal: &mut dyn Journal,
        progress: &mut dyn FnMut(&JournalEvent),
        mut pending: Vec<JournalEvent>,
    ) -> Result<Report> {
        let m = self.manifest;
        let names: Vec<Arc<str>> = m.ids().map(|id| Arc::from(m.name(id))).collect();
        let count = match self.options.policy.max_parallel {
            Some(limit) => limit as usize,
            None => self.options.workers,
        };
        let gate = Gate {
            poll: self.options.health_poll,
            timeout: self.options.health_timeout,
        };
        let workers = Workers::start(count.min(names.len().max(1)), callbacks, gate)
            .map_err(|e| invalid(format!("cannot start worker threads: {e}")))?;
        let began = Instant::now();
        let now = || u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut report = Report::new(&drive.run_id);
        let mut index = HashMap::new();
        let mut decisions = scheduler.on(now(), Event::Begin)?;
        let mut interrupts_seen = 0;
        loop {
            let at = now();
            let mut jobs = Vec::new();
            for decision in decisions.drain(..) {
                let (app, step) = step_of(decision, &names);
                if let Decision::Start { app, attempt } = decision {
                    let id = AppId(app);
                    let key: Arc<str> =
                        Arc::from(format!("{}/{}", drive.run_id, names[app as usize]).as_str());
                    let deadline = self
                        .options
                        .policy
                        .attempt_timeout
                        .map(|t| Instant::now() + Duration::from_millis(t));
                    jobs.push(Job {
                        app,
                        name: Arc::clone(&names[app as usize]),
                        version: m.version(id).map(Arc::from),
                        attempt,
                        run_id: Arc::clone(&drive.run_id),
                        key,
                        deadline,
                        work: (drive.work)(id),
                    });
                }
                drive.seq += 1;
                pending.push(event(
                    &drive.run_id,
                    drive.seq,
                    at,
                    &names[app as usize],
                    step,
                ));
            }
            if !pending.is_empty() {
                journal.append(&pending)?;
                for e in pending.drain(..) {
                    progress(&e);
                    report.record(&e, &mut index);
                }
            }
            for job in jobs {
                workers.send(job);
            }
            if scheduler.is_finished() {
                break;
            }
            journal.keepalive()?;
            let interrupts = self
                .options
                .interrupts
                .as_ref()
                .map_or(0, |i| i.load(Ordering::SeqCst));
            if interrupts > interrupts_seen {
                interrupts_seen = interrupts;
                let event = if interrupts >= 2 {
                    Event::Abandon
                } else {
                    Event::Stop
                };
                decisions = scheduler.on(now(), event)?;
                continue;
            }
            let wait = scheduler
                .next_wake()
                .map_or(100, |w| w.saturating_sub(now()).min(100));
            let Some(first) = workers.recv(Duration::from_millis(wait)) else {
                decisions = scheduler.on(now(), Event::Tick)?;
                continue;
            };
            let mut outcomes = vec![first];
            let window = Instant::now() + self.options.commit_window;
            while Instant::now() < window {
                match workers.try_recv() {
                    Some(o) => outcomes.push(o),
                    None => std::thread::sleep(Duration::from_micros(200)),
                }
            }
            while let Some(o) = workers.try_recv() {
                outcomes.push(o);
            }
            for Outcome {
                app,
                attempt,
                result,
            } in outcomes
            {
                let at = now();
                let news = match result {
                    Ok(()) => scheduler.on(at, Event::Succeeded { app, attempt })?,
                    Err(reason) => {
                        let news = scheduler.on(at, Event::Failed { app, attempt })?;
                        if !news.is_empty() {
                            drive.seq += 1;
                            let step = Step::AttemptFailed { attempt, reason };
                            pending.push(event(
                                &drive.run_id,
                                drive.seq,
                                at,
                                &names[app as usize],
                                step,
                            ));
                        }
                        news
                    }
                };
                decisions.extend(news);
            }
        }
        report.finish(scheduler.counts(), m, &index);
        Ok(report)
    }
}

fn event(run_id: &str, seq: u64, at_ms: u64, app: &str, step: Step) -> JournalEvent {
    JournalEvent {
        run_id: run_id.to_owned(),
        seq,
        at_ms,
        unix_ms: unix_ms(),
        app: app.to_owned(),
        step,
    }
}

/// Milliseconds since the Unix epoch (0 before it).
pub(crate) fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn invalid(message: String) -> Error {
    Error::InvalidArgument { message }
}

/// The journal step of a decision, and its app.
fn step_of(decision: Decision, names: &[Arc<str>]) -> (u32, Step) {
    let name = |app: u32| names[app as usize].to_string();
    match decision {
        Decision::Start { app, attempt } => (app, Step::Started { attempt }),
        Decision::TimedOut { app, attempt } => (app, Step::TimedOut { attempt }),
        Decision::Retry { app, attempt, at } => (app, Step::Retrying { attempt, at_ms: at }),
        Decision::Succeeded { app, attempt } => (app, Step::Succeeded { attempt }),
        Decision::Failed { app, attempts } => (app, Step::Failed { attempts }),
        Decision::InDoubt { app, attempt } => (app, Step::InDoubt { attempt }),
        Decision::Skipped { app, reason } => {
            let reason = match reason {
                SkipReason::UpstreamFailed { app: failed } => {
                    format!("upstream failed: {}", name(failed))
                }
                SkipReason::RunStopped { app: failed } => {
                    format!("run stopped after {} failed", name(failed))
                }
                SkipReason::Stopped => "stopped".to_owned(),
                SkipReason::DeadlinePassed => "deadline passed".to_owned(),
            };
            (app, Step::Skipped { reason })
        }
    }
}

//! The state machine: one state per app, counters for the limits, the ready queues and the timers.

use super::Millis;
use super::dag::{Dag, Successors};
use super::decision::{AppStatus, Counts, Decision, Event, SkipReason};
use super::policy::{OnFailure, Policy};
use super::ready::ReadyQueues;
use super::timers::{Alarm, Timers};
use crate::error::{Error, Result};

/// What the run knows of its apps beyond the graph. Every vector is empty (the default) or has one entry per
/// app.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// Each app's concurrency class (an index into [`Policy::class_limits`]), or `None`.
    pub class: Vec<Option<u32>>,
    /// Each app's wave (used when [`Policy::waves`] sets a barrier; an app's wave must be above the waves of
    /// the apps it waits for, as in a plan).
    pub wave: Vec<u32>,
    /// Apps that take no part in the run and count as succeeded for the apps after them: done before a
    /// resume, or outside the subset being rolled back.
    pub settled: Vec<bool>,
}

/// Why the run starts nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Halt {
    Failure(u32),
    Stopped,
    Deadline,
}

impl Halt {
    fn reason(self) -> SkipReason {
        match self {
            Halt::Failure(app) => SkipReason::RunStopped { app },
            Halt::Stopped => SkipReason::Stopped,
            Halt::Deadline => SkipReason::DeadlinePassed,
        }
    }
}

/// The rollout scheduler (see the [module documentation](super)).
#[derive(Debug)]
pub struct Scheduler {
    graph: Successors,
    policy: Policy,
    class: Vec<Option<u32>>,
    /// Each app's wave, when the policy sets a barrier.
    wave: Vec<u32>,
    status: Vec<AppStatus>,
    /// Attempts started so far, per app.
    started: Vec<u32>,
    /// Predecessors of each app that have not succeeded yet.
    waiting_on: Vec<u32>,
    ready: ReadyQueues,
    /// Ready apps held back by the wave barrier, by wave.
    barred: Vec<Vec<u32>>,
    /// Apps of each wave that are not final yet.
    wave_left: Vec<u32>,
    open_wave: usize,
    timers: Timers,
    running: u32,
    class_running: Vec<u32>,
    counts: Counts,
    halt: Option<Halt>,
    begun: bool,
    now: Millis,
}

impl Scheduler {
    /// A scheduler over `graph` (an edge `u -> v`: `v` waits for `u`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a bad policy (see [`Policy::check`]), a `setup` vector of the wrong
    /// length, a class without a limit, a wave that does not rise along an edge, or a graph with a cycle.
    pub fn new(graph: &impl Dag, setup: Setup, policy: Policy) -> Result<Scheduler> {
        policy.check()?;
        let n = graph.node_count();
        let graph = Successors::copy(graph)?;
        let invalid = |message: String| Err(Error::InvalidArgument { message });
        for (what, len) in [
            ("class", setup.class.len()),
            ("wave", setup.wave.len()),
            ("settled", setup.settled.len()),
        ] {
            if len != 0 && len != n {
                return invalid(format!("the run has {n} apps but {len} `{what}` entries"));
            }
        }
        let classes = policy.class_limits.len();
        if let Some(c) = setup
            .class
            .iter()
            .flatten()
            .find(|&&c| c as usize >= classes)
        {
            return invalid(format!(
                "concurrency class {c} has no limit ({classes} limits given)"
            ));
        }
        let class = if setup.class.is_empty() {
            vec![None; n]
        } else {
            setup.class
        };
        let settled = |v: usize| setup.settled.get(v).copied().unwrap_or(false);
        let mut waiting_on = vec![0u32; n];
        for v in 0..n {
            for &s in graph.successors(app_index(v)) {
                if !settled(v) && !settled(s as usize) {
                    waiting_on[s as usize] += 1;
                }
                if policy.waves && !setup.wave.is_empty() && setup.wave[s as usize] <= setup.wave[v]
                {
                    return invalid(format!(
                        "app {s} is in wave {} but waits for app {v} of wave {}",
                        setup.wave[s as usize], setup.wave[v]
                    ));
                }
            }
        }
        check_acyclic(&graph, &waiting_on, &settled)?;
        let wave = if policy.waves && !setup.wave.is_empty() {
            setup.wave
        } else {
            vec![0; n]
        };
        let waves = wave.iter().max().map_or(0, |&w| w as usize + 1);
        let mut wave_left = vec![0u32; waves];
        let mut counts = Counts::default();
        let status: Vec<AppStatus> = (0..n)
            .map(|v| {
                if settled(v) {
                    counts.settled += 1;
                    AppStatus::Settled
                } else {
                    counts.pending += 1;
                    wave_left[wave[v] as usize] += 1;
                    AppStatus::Waiting
                }
            })
            .collect();
        Ok(Scheduler {
            graph,
            class,
            wave,
            started: vec![0; status.len()],
            status,
            waiting_on,
            ready: ReadyQueues::new(classes),
            barred: vec![Vec::new(); waves],
            wave_left,
            open_wave: 0,
            timers: Timers::default(),
            running: 0,
            class_running: vec![0; classes],
            counts,
            halt: None,
            begun: false,
            now: 0,
            policy,
        })
    }

    /// Takes in what happened at `now` and returns what follows from it, in order. Times earlier than a
    /// time already seen count as that time.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an event before [`Event::Begin`], a second `Begin`, an app out of
    /// range, or an outcome of an attempt that never started. A late outcome of an attempt that timed out
    /// or was left in doubt is ignored (no decisions).
    pub fn on(&mut self, now: Millis, event: Event) -> Result<Vec<Decision>> {
        self.now = self.now.max(now);
        let mut out = Vec::new();
        match event {
            Event::Begin if !self.begun => {
                self.begun = true;
                for v in 0..self.status.len() {
                    if self.status[v] == AppStatus::Waiting && self.waiting_on[v] == 0 {
                        self.make_ready(app_index(v), 1);
                    }
                }
                self.advance_waves();
                if let Some(deadline) = self.policy.deadline {
                    self.timers.set(deadline, Alarm::Deadline);
                }
            }
            Event::Begin => return Err(invalid("the run has already begun".to_owned())),
            _ if !self.begun => return Err(invalid(format!("{event:?} before the run began"))),
            Event::Succeeded { app, attempt } => {
                if self.current_attempt(app, attempt)? {
                    self.finish_running(app);
                    self.set_final(app, AppStatus::Succeeded);
                    out.push(Decision::Succeeded { app, attempt });
                    self.release_successors(app);
                }
            }
            Event::Failed { app, attempt } => {
                if self.current_attempt(app, attempt)? {
                    self.attempt_failed(app, attempt, &mut out);
                }
            }
            Event::Tick => {}
            Event::Stop => self.halt(Halt::Stopped, &mut out),
            Event::Abandon => {
                self.halt(Halt::Stopped, &mut out);
                for v in 0..self.status.len() {
                    if let AppStatus::Running { attempt, .. } = self.status[v] {
                        let app = app_index(v);
                        self.finish_running(app);
                        self.set_final(app, AppStatus::InDoubt { attempt });
                        out.push(Decision::InDoubt { app, attempt });
                    }
                }
            }
        }
        self.fire_timers(&mut out);
        self.fill(&mut out);
        Ok(out)
    }

    /// When the next timer is due (feed [`Event::Tick`] then), if any.
    pub fn next_wake(&self) -> Option<Millis> {
        self.timers.next()
    }

    /// Whether every app is final.
    pub fn is_finished(&self) -> bool {
        self.begun && self.counts.pending == 0
    }

    /// Where `app` stands (`None` out of range).
    pub fn status(&self, app: u32) -> Option<AppStatus> {
        self.status.get(app as usize).copied()
    }

    /// How many apps stand where.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Whether an outcome of `attempt` of `app` is news: `true` for the running attempt, `false` for a late
    /// outcome of an attempt that already ended (timed out, in doubt, or superseded).
    fn current_attempt(&self, app: u32, attempt: u32) -> Result<bool> {
        let status = self
            .status(app)
            .ok_or_else(|| invalid(format!("app {app} is outside 0..{}", self.status.len())))?;
        match status {
            AppStatus::Running { attempt: a, .. } if a == attempt => Ok(true),
            _ if attempt >= 1 && attempt <= self.started[app as usize] => Ok(false),
            _ => Err(invalid(format!(
                "attempt {attempt} of app {app} was never started"
            ))),
        }
    }

    /// Handles a failed (or timed-out) running attempt: a retry after the backoff, or the final failure.
    fn attempt_failed(&mut self, app: u32, attempt: u32, out: &mut Vec<Decision>) {
        self.finish_running(app);
        if self.halt.is_none() && attempt < self.policy.retry.max_attempts {
            let until = self.now.saturating_add(self.policy.retry.delay(attempt));
            self.status[app as usize] = AppStatus::Backoff { attempt, until };
            self.timers.set(
                until,
                Alarm::Retry {
                    app,
                    attempt: attempt + 1,
                },
            );
            out.push(Decision::Retry {
                app,
                attempt: attempt + 1,
                at: until,
            });
            return;
        }
        self.set_final(app, AppStatus::Failed { attempts: attempt });
        out.push(Decision::Failed {
            app,
            attempts: attempt,
        });
        match self.policy.on_failure {
            OnFailure::FailFast => self.halt(Halt::Failure(app), out),
            OnFailure::Continue => self.skip_downstream(app, out),
        }
    }

    /// Skips every app that waits, directly or not, for the failed `app`.
    fn skip_downstream(&mut self, app: u32, out: &mut Vec<Decision>) {
        let mut stack: Vec<u32> = self.graph.successors(app).to_vec();
        while let Some(v) = stack.pop() {
            if self.status[v as usize] == AppStatus::Waiting {
                let reason = SkipReason::UpstreamFailed { app };
                self.set_final(v, AppStatus::Skipped(reason));
                out.push(Decision::Skipped { app: v, reason });
                stack.extend_from_slice(self.graph.successors(v));
            }
        }
    }

    /// Starts nothing more: apps not started are skipped, apps in backoff fail with the attempts they made.
    fn halt(&mut self, halt: Halt, out: &mut Vec<Decision>) {
        if self.halt.is_some() {
            return;
        }
        self.halt = Some(halt);
        self.ready.drain();
        self.barred.iter_mut().for_each(Vec::clear);
        for v in 0..self.status.len() {
            let app = app_index(v);
            match self.status[v] {
                AppStatus::Waiting | AppStatus::Ready => {
                    let reason = halt.reason();
                    self.set_final(app, AppStatus::Skipped(reason));
                    out.push(Decision::Skipped { app, reason });
                }
                AppStatus::Backoff { attempt, .. } => {
                    self.set_final(app, AppStatus::Failed { attempts: attempt });
                    out.push(Decision::Failed {
                        app,
                        attempts: attempt,
                    });
                }
                _ => {}
            }
        }
    }

    /// Fires every timer due by now, in due order.
    fn fire_timers(&mut self, out: &mut Vec<Decision>) {
        while let Some(alarm) = self.timers.pop_due(self.now) {
            match alarm {
                Alarm::Deadline => self.deadline_passed(out),
                Alarm::Timeout { app, attempt } => {
                    if matches!(self.status[app as usize], AppStatus::Running { attempt: a, .. } if a == attempt)
                    {
                        out.push(Decision::TimedOut { app, attempt });
                        self.attempt_failed(app, attempt, out);
                    }
                }
                Alarm::Retry { app, attempt } => {
                    if matches!(self.status[app as usize], AppStatus::Backoff { attempt: a, .. } if a + 1 == attempt)
                    {
                        self.status[app as usize] = AppStatus::Ready;
                        self.ready.push(app, attempt, self.class[app as usize]);
                    }
                }
            }
        }
    }

    /// The deadline: nothing more starts and every running attempt times out.
    fn deadline_passed(&mut self, out: &mut Vec<Decision>) {
        self.halt(Halt::Deadline, out);
        for v in 0..self.status.len() {
            if let AppStatus::Running { attempt, .. } = self.status[v] {
                out.push(Decision::TimedOut {
                    app: app_index(v),
                    attempt,
                });
                self.attempt_failed(app_index(v), attempt, out);
            }
        }
        self.timers.clear();
    }

    /// Starts ready apps while the limits allow.
    fn fill(&mut self, out: &mut Vec<Decision>) {
        let limit = self.policy.max_parallel.unwrap_or(u32::MAX);
        while self.halt.is_none() && self.running < limit {
            let (class_running, limits) = (&self.class_running, &self.policy.class_limits);
            let Some((app, attempt)) = self
                .ready
                .pop(|c| class_running[c as usize] < limits[c as usize])
            else {
                break;
            };
            self.running += 1;
            self.counts.running += 1;
            if let Some(c) = self.class[app as usize] {
                self.class_running[c as usize] += 1;
            }
            self.status[app as usize] = AppStatus::Running {
                attempt,
                since: self.now,
            };
            self.started[app as usize] = attempt;
            if let Some(timeout) = self.policy.attempt_timeout {
                self.timers.set(
                    self.now.saturating_add(timeout),
                    Alarm::Timeout { app, attempt },
                );
            }
            out.push(Decision::Start { app, attempt });
        }
    }

    /// Frees the slots of a running app.
    fn finish_running(&mut self, app: u32) {
        self.running -= 1;
        self.counts.running -= 1;
        if let Some(c) = self.class[app as usize] {
            self.class_running[c as usize] -= 1;
        }
    }

    /// Lets the apps after the succeeded `app` go when it was the last they waited for.
    fn release_successors(&mut self, app: u32) {
        for i in 0..self.graph.successors(app).len() {
            let s = self.graph.successors(app)[i];
            if self.status[s as usize] == AppStatus::Settled {
                continue;
            }
            self.waiting_on[s as usize] -= 1;
            if self.waiting_on[s as usize] == 0 && self.status[s as usize] == AppStatus::Waiting {
                self.make_ready(s, 1);
            }
        }
    }

    /// Queues `app`, or holds it back until its wave opens.
    fn make_ready(&mut self, app: u32, attempt: u32) {
        self.status[app as usize] = AppStatus::Ready;
        let wave = self.wave[app as usize] as usize;
        if wave > self.open_wave {
            self.barred[wave].push(app);
        } else {
            self.ready.push(app, attempt, self.class[app as usize]);
        }
    }

    /// Records that `app` is final, and opens the next waves when this one is done.
    fn set_final(&mut self, app: u32, status: AppStatus) {
        self.status[app as usize] = status;
        self.counts.pending -= 1;
        match status {
            AppStatus::Succeeded => self.counts.succeeded += 1,
            AppStatus::Failed { .. } => self.counts.failed += 1,
            AppStatus::Skipped(_) => self.counts.skipped += 1,
            _ => self.counts.in_doubt += 1,
        }
        self.wave_left[self.wave[app as usize] as usize] -= 1;
        self.advance_waves();
    }

    /// Opens every wave whose earlier waves are all final.
    fn advance_waves(&mut self) {
        while self.open_wave + 1 < self.wave_left.len() && self.wave_left[self.open_wave] == 0 {
            self.open_wave += 1;
            for app in std::mem::take(&mut self.barred[self.open_wave]) {
                self.ready.push(app, 1, self.class[app as usize]);
            }
        }
    }
}

/// Kahn's algorithm over the apps that take part: every one must be reachable, else the graph has a cycle.
fn check_acyclic(
    graph: &Successors,
    waiting_on: &[u32],
    settled: &dyn Fn(usize) -> bool,
) -> Result<()> {
    let mut left = waiting_on.to_vec();
    let mut queue: Vec<u32> = (0..left.len())
        .filter(|&v| !settled(v) && left[v] == 0)
        .map(app_index)
        .collect();
    let mut placed = 0usize;
    while let Some(v) = queue.pop() {
        placed += 1;
        for &s in graph
            .successors(v)
            .iter()
            .filter(|&&s| !settled(s as usize))
        {
            left[s as usize] -= 1;
            if left[s as usize] == 0 {
                queue.push(s);
            }
        }
    }
    let taking_part = (0..left.len()).filter(|&v| !settled(v)).count();
    if placed == taking_part {
        Ok(())
    } else {
        Err(invalid(format!(
            "{} apps are on or behind a cycle: nothing can start them",
            taking_part - placed
        )))
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidArgument { message }
}

/// An app index below the app count, which [`Successors`] checked fits `u32`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "app counts are checked to fit u32 when the graph is copied"
)]
fn app_index(v: usize) -> u32 {
    v as u32
}

//! Worker threads that call the user's callbacks and pass the health gate; a panic or an error fails only
//! the attempt.

use crate::callbacks::{Callbacks, DeployRequest, Health};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a worker is asked to do.
#[derive(Debug, Clone)]
pub(crate) enum Work {
    /// Deploy the app's version.
    Deploy,
    /// Return the app to this version (`None`: it did not exist).
    Rollback(Option<String>),
}

/// One attempt for a worker.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub app: u32,
    pub name: Arc<str>,
    pub version: Option<Arc<str>>,
    pub attempt: u32,
    pub run_id: Arc<str>,
    pub key: Arc<str>,
    pub deadline: Option<Instant>,
    pub work: Work,
}

/// The end of an attempt.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub app: u32,
    pub attempt: u32,
    pub result: Result<(), String>,
}

/// How the health gate polls.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gate {
    pub poll: Duration,
    pub timeout: Duration,
}

/// A pool of worker threads. Dropping it lets them end after their current job; a job still running
/// when the run returns finishes in the background and its outcome is dropped.
pub(crate) struct Workers {
    jobs: Option<Sender<Job>>,
    outcomes: Receiver<Outcome>,
}

impl Workers {
    /// Starts `count` workers (at least one).
    pub(crate) fn start(
        count: usize,
        callbacks: Arc<dyn Callbacks>,
        gate: Gate,
    ) -> std::io::Result<Workers> {
        let (jobs, queue) = channel::<Job>();
        let (done, outcomes) = channel();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..count.max(1) {
            let (queue, done, callbacks) =
                (Arc::clone(&queue), done.clone(), Arc::clone(&callbacks));
            std::thread::Builder::new()
                .name(format!("aoa-rollout-{i}"))
                .spawn(move || work(&queue, &done, callbacks.as_ref(), gate))?;
        }
        Ok(Workers {
            jobs: Some(jobs),
            outcomes,
        })
    }

    /// Hands a job to the next free worker.
    pub(crate) fn send(&self, job: Job) {
        if let Some(jobs) = &self.jobs {
            // Workers only stop when this sender is dropped, so the send cannot fail while `self` lives.
            let _ = jobs.send(job);
        }
    }

    /// The next outcome, waiting at most `timeout`.
    pub(crate) fn recv(&self, timeout: Duration) -> Option<Outcome> {
        self.outcomes.recv_timeout(timeout).ok()
    }

    /// An outcome that is already there.
    pub(crate) fn try_recv(&self) -> Option<Outcome> {
        self.outcomes.try_recv().ok()
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.jobs = None;
    }
}

/// A worker's loop: take a job, run it, report its outcome, until the pool is dropped.
fn work(
    queue: &Mutex<Receiver<Job>>,
    done: &Sender<Outcome>,
    callbacks: &dyn Callbacks,
    gate: Gate,
) {
    loop {
        let job = match queue.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let result = run(&job, callbacks, gate);
        if done
            .send(Outcome {
                app: job.app,
                attempt: job.attempt,
                result,
            })
            .is_err()
        {
            return;
        }
    }
}

/// Runs one job: the callback, then the health gate; a panic becomes the attempt's failure.
fn run(job: &Job, callbacks: &dyn Callbacks, gate: Gate) -> Result<(), String> {
    let call = || match &job.work {
        Work::Deploy => callbacks.deploy(&DeployRequest {
            app: &job.name,
            version: job.version.as_deref(),
            attempt: job.attempt,
            run_id: &job.run_id,
            idempotency_key: &job.key,
            deadline: job.deadline,
        }),
        Work::Rollback(to) => callbacks.rollback(&job.name, to.as_deref()),
    };
    guarded("deploy", call)?;
    if callbacks.observes() {
        health_gate(&job.name, callbacks, gate)?;
    }
    Ok(())
}

/// Polls `observe` until the app is healthy, or fails with the last health seen when the gate times out.
fn health_gate(app: &str, callbacks: &dyn Callbacks, gate: Gate) -> Result<(), String> {
    let until = Instant::now() + gate.timeout;
    loop {
        let seen = guarded("observe", || callbacks.observe(app));
        if matches!(&seen, Ok(o) if o.health == Health::Healthy) {
            return Ok(());
        }
        if Instant::now() >= until {
            let last = match seen {
                Ok(o) => format!("{:?}", o.health).to_lowercase(),
                Err(reason) => format!("unknown ({reason})"),
            };
            return Err(format!(
                "not healthy after {:?} (last seen: {last})",
                gate.timeout
            ));
        }
        std::thread::sleep(gate.poll);
    }
}

/// Calls a user callback; a panic becomes an error naming the callback.
fn guarded<T>(what: &str, call: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result,
        Err(panic) => {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            Err(format!("the {what} callback panicked: {text}"))
        }
    }
}

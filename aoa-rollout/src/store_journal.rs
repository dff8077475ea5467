//! The journal in the state store: each step an `aoa_runs` row and a `rollout.*` audit event, written in one
//! transaction fenced by the registry lease the run holds for its whole length (a second rollout, or a
//! registry apply, is refused with the holder named).

use crate::journal::{Journal, JournalEvent};
use crate::report::Report;
use aoa_core::{Error, Manifest, Result};
use aoa_store::{
    ApplyOptions, ApplyReport, AuditFilter, ChangeKind, Lease, NewEvent, REGISTRY_LEASE, RunStep,
    StateStore,
};
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

/// A run's journal in a [`StateStore`], holding the registry lease.
pub struct StoreJournal {
    store: StateStore,
    lease: Lease,
    ttl: Duration,
}

impl StoreJournal {
    /// Takes the registry lease of `store` for the run.
    ///
    /// # Errors
    /// [`Error::LeaseHeld`] naming the holder; the store's errors.
    pub fn open(mut store: StateStore) -> Result<StoreJournal> {
        let ttl = store.options().lease_ttl;
        let lease = store.acquire(REGISTRY_LEASE, ttl)?;
        Ok(StoreJournal { store, lease, ttl })
    }

    /// Ends the run: when every app succeeded, records the deployed versions by applying `manifest` to the
    /// registry under the run's lease (`allow_gain` as for `aoa registry apply`); the lease is given back
    /// either way.
    ///
    /// # Errors
    /// [`Error::GainRefused`] when recording would give apps permissions and `allow_gain` is off; the store's
    /// errors.
    pub fn finish(
        mut self,
        manifest: &Manifest,
        report: &Report,
        allow_gain: bool,
    ) -> Result<Option<ApplyReport>> {
        let c = report.counts;
        if c.failed + c.skipped + c.in_doubt == 0 && !report.run_id.ends_with("-rollback") {
            let options = ApplyOptions {
                dry_run: false,
                allow_gain,
            };
            return self
                .store
                .apply_with_lease(manifest, options, &self.lease)
                .map(Some);
        }
        self.store.release(&self.lease)?;
        Ok(None)
    }

    /// Gives the lease back without recording anything (a run that could not go on).
    ///
    /// # Errors
    /// The store's errors.
    pub fn abandon(mut self) -> Result<()> {
        self.store.release(&self.lease)
    }

    /// The version each app had before `run_id` began: the first registry change after the run's first step
    /// tells the old version, else the registry's current one (`None`: the app was not deployed before).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a run the store does not have; the store's errors.
    pub fn versions_before(&mut self, run_id: &str) -> Result<BTreeMap<String, Option<String>>> {
        let events = self.store.events(&AuditFilter::default())?;
        let start = events
            .iter()
            .find(|e| {
                e.event.kind.starts_with("rollout.") && e.event.attribute("run_id") == Some(run_id)
            })
            .map(|e| e.event.seq)
            .ok_or_else(|| Error::InvalidArgument {
                message: format!("run `{run_id}` is not in the store"),
            })?;
        let mut before: BTreeMap<String, Option<String>> = self
            .store
            .list()?
            .into_iter()
            .map(|r| (r.app, r.version))
            .collect();
        let mut settled = HashSet::new();
        for (app, entry) in self.store.all_history()? {
            if entry.seq <= start || settled.contains(&app) {
                continue;
            }
            let old = match entry.kind {
                ChangeKind::Added => Some(None),
                ChangeKind::Changed => entry
                    .fields
                    .iter()
                    .find(|f| f.field == "version")
                    .map(|f| f.old.as_str().map(str::to_owned)),
                ChangeKind::Retired => None,
            };
            if let Some(old) = old {
                before.insert(app.clone(), old);
                settled.insert(app);
            }
        }
        Ok(before)
    }
}

impl Journal for StoreJournal {
    fn keepalive(&mut self) -> Result<()> {
        let now = i64::try_from(crate::run::unix_ms()).unwrap_or(i64::MAX);
        let ttl_ms = i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX);
        if self.lease.expires_at - now < ttl_ms / 2 {
            self.lease = self.store.renew(&self.lease, self.ttl)?;
        }
        Ok(())
    }

    fn append(&mut self, events: &[JournalEvent]) -> Result<()> {
        self.keepalive()?;
        let mut steps = Vec::with_capacity(events.len());
        let mut audit = Vec::with_capacity(events.len());
        for e in events {
            let text = serde_json::to_value(e).map_err(|err| Error::InvalidArgument {
                message: format!("a journal entry does not serialize: {err}"),
            })?;
            let kind = text["step"].as_str().unwrap_or("step");
            audit.push(
                NewEvent::new(&format!("rollout.{kind}"), Some(&e.app))
                    .with("run_id", e.run_id.clone())
                    .with("seq", e.seq.to_string())
                    .with("step", text.to_string()),
            );
            steps.push(RunStep {
                run_id: e.run_id.clone(),
                seq: i64::try_from(e.seq).unwrap_or(i64::MAX),
                app: e.app.clone(),
                at: i64::try_from(e.unix_ms).unwrap_or(i64::MAX),
                step: text.to_string(),
            });
        }
        self.store.append_run_steps(&self.lease, &steps, audit)
    }

    fn events(&mut self, run_id: &str) -> Result<Vec<JournalEvent>> {
        self.store
            .run_steps(run_id)?
            .into_iter()
            .map(|s| {
                serde_json::from_str(&s.step).map_err(|e| Error::InvalidArgument {
                    message: format!(
                        "step {} of run `{run_id}` in the store is not a journal entry: {e}",
                        s.seq
                    ),
                })
            })
            .collect()
    }
}

//! Rollout journals: every step of every run, one `aoa_runs` row each, written with its audit events in one
//! transaction fenced by the lease the run holds.

use super::StateStore;
use crate::audit::{self, NewEvent};
use crate::lease::{self, Lease};
use crate::sql::Sql;
use aoa_core::Result;
use std::time::Duration;

/// One step of a run as the store keeps it (the rollout runtime owns the shape of `step`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStep {
    /// The run.
    pub run_id: String,
    /// The step's number in the run, from 1.
    pub seq: i64,
    /// The app.
    pub app: String,
    /// When (ms since the epoch).
    pub at: i64,
    /// What happened, as JSON text.
    pub step: String,
}

impl StateStore {
    /// Appends `steps` and their audit `events` in one transaction, after checking that `held` is still this
    /// process's lease (an expired or taken-over lease writes nothing).
    ///
    /// # Errors
    /// [`aoa_core::Error::LeaseHeld`] when the lease was lost; the store's errors (nothing written).
    pub fn append_run_steps(
        &mut self,
        held: &Lease,
        steps: &[RunStep],
        events: Vec<NewEvent>,
    ) -> Result<()> {
        let (reg, actor, now) = (
            self.options.registry.clone(),
            self.options.actor.clone(),
            self.now(),
        );
        let name = self.store.name().to_string();
        let mut tx = self.store.begin()?;
        lease::fence(&mut *tx, &name, &reg, held, now)?;
        let rows: Vec<Vec<Sql>> = steps
            .iter()
            .map(|s| {
                vec![
                    Sql::Text(reg.clone()),
                    Sql::Text(s.run_id.clone()),
                    Sql::Int(s.seq),
                    Sql::Text(s.app.clone()),
                    Sql::Int(s.at),
                    Sql::Text(s.step.clone()),
                ]
            })
            .collect();
        if !rows.is_empty() {
            tx.insert_many(
                "INSERT INTO aoa_runs (registry_id, run_id, seq, app, at, step)",
                "",
                &rows,
            )?;
        }
        audit::append(&mut *tx, &reg, &actor, now, events)?;
        tx.commit()
    }

    /// Every step of `run_id`, in order (empty for a run the store does not have).
    ///
    /// # Errors
    /// The store's errors.
    pub fn run_steps(&mut self, run_id: &str) -> Result<Vec<RunStep>> {
        let reg = self.reg();
        let mut tx = self.store.begin()?;
        let rows = tx.query(
            "SELECT seq, app, at, step FROM aoa_runs WHERE registry_id = ?1 AND run_id = ?2 ORDER BY seq",
            &[reg, Sql::Text(run_id.to_owned())],
        )?;
        tx.commit()?;
        Ok(rows
            .iter()
            .map(|r| RunStep {
                run_id: run_id.to_owned(),
                seq: r[0].int(),
                app: r[1].text().to_owned(),
                at: r[2].int(),
                step: r[3].text().to_owned(),
            })
            .collect())
    }

    /// Extends `held` by `ttl` from now (same holder, same fencing token).
    ///
    /// # Errors
    /// [`aoa_core::Error::LeaseHeld`] when the lease was lost meanwhile; the store's errors.
    pub fn renew(&mut self, held: &Lease, ttl: Duration) -> Result<Lease> {
        let renewed = self.acquire(&held.lease, ttl)?;
        if renewed.token == held.token {
            Ok(renewed)
        } else {
            let name = self.store.name().to_string();
            Err(lease::held(
                &name,
                &held.lease,
                &renewed.holder,
                renewed.expires_at,
            ))
        }
    }
}

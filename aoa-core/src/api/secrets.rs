//! Secrets due for rotation or expiring, each with the rollout plan of the apps that consume it.

use super::Manifest;
use crate::access::{DueSecret, format_utc};
use crate::error::Result;
use crate::graph::{Plan, PlanOptions};
use serde::Serialize;

/// A due secret and the rollout of its consumers once it has a new version.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct DueRollout<'a> {
    /// The secret, why and when it is due, and its consumers.
    #[serde(flatten)]
    pub secret: DueSecret,
    /// The plan that redeploys the consumers and everything downstream of them (`impacted`).
    pub plan: Plan<'a>,
}

/// The answer of [`Manifest::secrets_due`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
pub struct SecretsDue<'a> {
    /// The time the caller gave (UTC).
    pub now: String,
    /// The end of the window (UTC).
    pub until: String,
    /// The secrets due by then, earliest first.
    pub due: Vec<DueRollout<'a>>,
}

impl Manifest {
    /// The secrets that expire or are due for rotation before `now + within` (seconds since the epoch and
    /// seconds; the core has no clock), earliest first, each with the rollout plan of its consumers.
    ///
    /// # Errors
    /// The errors of [`Manifest::impacted`].
    pub fn secrets_due(
        &self,
        now: i64,
        within: i64,
        options: &PlanOptions,
    ) -> Result<SecretsDue<'_>> {
        let due = (self.access().secrets_due(now, within).into_iter())
            .map(|secret| {
                let plan = self.impacted(&secret.consumers, options)?;
                Ok(DueRollout { secret, plan })
            })
            .collect::<Result<_>>()?;
        Ok(SecretsDue {
            now: format_utc(now),
            until: format_utc(now.saturating_add(within)),
            due,
        })
    }
}

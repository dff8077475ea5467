//! The facade's rollout scheduling: a [`Scheduler`] over the manifest's rollout graph, with each app's
//! concurrency class from its `class` label and its wave from the plan.

use super::Manifest;
use crate::error::Result;
use crate::graph::Graph;
use crate::manifest::AppId;
use crate::schedule::{Dag, Policy, Scheduler, Setup, Successors};
use std::collections::BTreeMap;

/// The label that puts an app in a concurrency class (`class: db-migration`).
pub const CLASS_LABEL: &str = "class";

/// The rollout graph as the scheduler sees it.
struct RolloutGraph<'g>(&'g Graph);

impl Dag for RolloutGraph<'_> {
    fn node_count(&self) -> usize {
        self.0.app_count()
    }

    fn successors(&self, v: u32) -> &[u32] {
        self.0.successors(v)
    }
}

impl Manifest {
    /// A scheduler for rolling out every app: an app starts once its parent and its dependencies have
    /// succeeded. `class_limits` bounds the apps of each `class` label value running at once (apps whose
    /// class has no limit are bounded only by `policy.max_parallel`; `policy.class_limits` is replaced);
    /// the `settled` apps (done before a resume) take no part.
    ///
    /// # Errors
    /// [`crate::Error::Cycle`] naming every cycle; [`crate::Error::InvalidArgument`] for a bad policy.
    pub fn scheduler(
        &self,
        policy: Policy,
        class_limits: &BTreeMap<String, u32>,
        settled: &[AppId],
    ) -> Result<Scheduler> {
        let graph = RolloutGraph(self.graph());
        let wave = self.graph().wave_of_each(&self.model)?.to_vec();
        self.schedule_over(&graph, policy, class_limits, wave, settled)
    }

    /// A scheduler for rolling back `apps` (the apps a run changed): the reverse of the rollout order, so an
    /// app rolls back only after every app among them that waited for it. The other apps take no part.
    ///
    /// # Errors
    /// The errors of [`Manifest::scheduler`].
    pub fn rollback_scheduler(
        &self,
        apps: &[AppId],
        policy: Policy,
        class_limits: &BTreeMap<String, u32>,
    ) -> Result<Scheduler> {
        let back = Successors::reversed(&RolloutGraph(self.graph()))?;
        let forward = self.graph().wave_of_each(&self.model)?;
        let last = forward.iter().copied().max().unwrap_or(0);
        let wave = forward.iter().map(|w| last - w).collect();
        let mut taking_part = vec![false; self.len()];
        for app in apps {
            taking_part[app.index()] = true;
        }
        let settled: Vec<AppId> = self.ids().filter(|a| !taking_part[a.index()]).collect();
        self.schedule_over(&back, policy, class_limits, wave, &settled)
    }

    fn schedule_over(
        &self,
        graph: &impl Dag,
        mut policy: Policy,
        class_limits: &BTreeMap<String, u32>,
        wave: Vec<u32>,
        settled: &[AppId],
    ) -> Result<Scheduler> {
        let class_of: BTreeMap<&str, u32> = class_limits
            .keys()
            .zip(0u32..)
            .map(|(k, i)| (k.as_str(), i))
            .collect();
        policy.class_limits = class_limits.values().copied().collect();
        let class = self
            .ids()
            .map(|a| {
                self.labels(a)
                    .get(CLASS_LABEL)
                    .and_then(|c| class_of.get(c.as_str()).copied())
            })
            .collect();
        let mut is_settled = vec![false; self.len()];
        for app in settled {
            is_settled[app.index()] = true;
        }
        Scheduler::new(
            graph,
            Setup {
                class,
                wave,
                settled: is_settled,
            },
            policy,
        )
    }
}

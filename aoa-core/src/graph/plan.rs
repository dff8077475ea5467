//! Rollout plans: waves of apps that may deploy in parallel, split into batches, with the critical path.

use super::cycles::{Cycle, find_cycles};
use super::layering::{Layering, layer};
use super::select::Selector;
use crate::error::{Error, Result};
use crate::manifest::{AppId, Manifest};
use serde::Serialize;

/// Options of every planning operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Split each wave into batches of at most this many apps (no limit when `None`; 0 is an error).
    pub max_parallel: Option<usize>,
}

/// Which way a plan runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Parents and dependencies first.
    Rollout,
    /// The exact reverse: dependents and children first.
    Teardown,
}

/// One wave: apps whose predecessors are all in earlier waves, split into batches of at most `max_parallel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wave<'m> {
    /// The wave's position in the plan, from 0.
    pub index: usize,
    /// The wave's apps in order, split into batches (one batch when there is no parallelism limit).
    pub batches: Vec<Vec<&'m str>>,
}

/// A plan: waves in order; inside a wave, apps sorted by name bytewise (so any input order gives the same plan).
///
/// ```
/// use aoa_core::{Format, Manifest, PlanOptions};
/// let m = Manifest::from_str(
///     "apps:\n- name: root\n- name: db\n  parent: root\n- name: api\n  parent: root\n  depends_on: [db]\n",
///     Format::Yaml,
/// ).unwrap();
/// let plan = m.plan(&PlanOptions::default()).unwrap();
/// assert_eq!(plan.order(), vec!["root", "db", "api"]);
/// assert_eq!(plan.critical_path, vec!["root", "db", "api"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan<'m> {
    /// Rollout or teardown.
    pub direction: Direction,
    /// How many apps the plan holds.
    pub app_count: usize,
    /// The waves, in order.
    pub waves: Vec<Wave<'m>>,
    /// The longest chain of apps that must roll out one after another (it bounds the rollout's duration).
    pub critical_path: Vec<&'m str>,
}

impl<'m> Plan<'m> {
    /// Every app in plan order.
    pub fn order(&self) -> Vec<&'m str> {
        self.waves
            .iter()
            .flat_map(|w| w.batches.iter().flatten().copied())
            .collect()
    }

    /// The exact reverse of this plan (teardown or rollback order).
    pub fn reversed(mut self) -> Plan<'m> {
        self.direction = match self.direction {
            Direction::Rollout => Direction::Teardown,
            Direction::Teardown => Direction::Rollout,
        };
        self.waves.reverse();
        for (i, wave) in self.waves.iter_mut().enumerate() {
            wave.index = i;
            wave.batches.reverse();
            for batch in &mut wave.batches {
                batch.reverse();
            }
        }
        self.critical_path.reverse();
        self
    }
}

impl Manifest {
    /// The rollout plan of every app.
    pub fn plan(&self, options: &PlanOptions) -> Result<Plan<'_>> {
        check_options(options)?;
        let g = self.graph();
        let layering = g
            .full
            .get_or_init(|| layer(self, g, None).map_err(|rest| find_cycles(self, g, &rest)));
        match layering {
            Ok(l) => Ok(self.to_plan(l, None, options)),
            Err(cycles) => Err(Error::Cycle {
                cycles: cycles.clone(),
            }),
        }
    }

    /// Every cycle of the rollout graph (empty when a plan exists).
    pub fn cycles(&self) -> Vec<Cycle> {
        match self.plan(&PlanOptions::default()) {
            Err(Error::Cycle { cycles }) => cycles,
            _ => Vec::new(),
        }
    }

    /// The teardown plan: the exact reverse of the rollout plan.
    pub fn teardown(&self, options: &PlanOptions) -> Result<Plan<'_>> {
        Ok(self.plan(options)?.reversed())
    }

    /// The changed apps plus everything downstream of them (dependents and descendants, transitively),
    /// as a plan of its own: an app waits only for the impacted apps before it.
    pub fn impacted<S: AsRef<str>>(
        &self,
        changed: &[S],
        options: &PlanOptions,
    ) -> Result<Plan<'_>> {
        check_options(options)?;
        let starts = self.apps(changed)?;
        let g = self.graph();
        let member = closure(self.len(), &starts, |v, out| {
            out.extend_from_slice(g.successors(v))
        });
        self.subplan(&member, options)
    }

    /// The chosen apps plus every app they need first (parents and dependencies, transitively), like
    /// `terraform -target`.
    pub fn select(&self, selector: &Selector, options: &PlanOptions) -> Result<Plan<'_>> {
        check_options(options)?;
        let chosen = selector.matching(self)?;
        let member = closure(self.len(), &chosen, |v, out| {
            out.extend(self.predecessors(AppId(v)).map(|p| p.0));
        });
        self.subplan(&member, options)
    }

    fn subplan(&self, member: &[bool], options: &PlanOptions) -> Result<Plan<'_>> {
        let g = self.graph();
        match layer(self, g, Some(member)) {
            Ok(l) => Ok(self.to_plan(&l, Some(member), options)),
            Err(rest) => Err(Error::Cycle {
                cycles: find_cycles(self, g, &rest),
            }),
        }
    }

    fn to_plan(&self, l: &Layering, member: Option<&[bool]>, options: &PlanOptions) -> Plan<'_> {
        let size = options.max_parallel.unwrap_or(usize::MAX);
        let waves = l
            .wave_start
            .windows(2)
            .enumerate()
            .map(|(index, w)| {
                let apps = &l.order[w[0] as usize..w[1] as usize];
                Wave {
                    index,
                    batches: apps
                        .chunks(size.min(apps.len().max(1)))
                        .map(|c| self.names_of(c))
                        .collect(),
                }
            })
            .collect();
        Plan {
            direction: Direction::Rollout,
            app_count: l.order.len(),
            waves,
            critical_path: self.critical_path(l, member),
        }
    }

    /// Walks back from the first app (by name) of the last wave, each step to the first predecessor by
    /// name one wave earlier.
    fn critical_path(&self, l: &Layering, member: Option<&[bool]>) -> Vec<&str> {
        let last_wave = l.wave_start.len().saturating_sub(2);
        let Some(&end) = l.order.get(l.wave_start[last_wave] as usize) else {
            return Vec::new();
        };
        let mut path = vec![end];
        let mut at = AppId(end);
        while l.wave[at.index()] > 0 {
            let want = l.wave[at.index()] - 1;
            let Some(prev) = self
                .predecessors(at)
                .filter(|p| member.is_none_or(|m| m[p.index()]) && l.wave[p.index()] == want)
                .min_by(|a, b| self.name(*a).cmp(self.name(*b)))
            else {
                break;
            };
            path.push(prev.0);
            at = prev;
        }
        path.reverse();
        self.names_of(&path)
    }

    fn names_of(&self, ids: &[u32]) -> Vec<&str> {
        ids.iter().map(|&i| self.name(AppId(i))).collect()
    }
}

fn check_options(options: &PlanOptions) -> Result<()> {
    if options.max_parallel == Some(0) {
        return Err(Error::InvalidArgument {
            message: "`max_parallel` must be at least 1".into(),
        });
    }
    Ok(())
}

/// Marks `starts` and everything reachable from them through `next`.
fn closure(n: usize, starts: &[AppId], mut next: impl FnMut(u32, &mut Vec<u32>)) -> Vec<bool> {
    let mut member = vec![false; n];
    let mut stack: Vec<u32> = Vec::with_capacity(starts.len());
    for s in starts {
        if !member[s.index()] {
            member[s.index()] = true;
            stack.push(s.0);
        }
    }
    let mut buffer = Vec::new();
    while let Some(v) = stack.pop() {
        buffer.clear();
        next(v, &mut buffer);
        for &s in &buffer {
            if !member[s as usize] {
                member[s as usize] = true;
                stack.push(s);
            }
        }
    }
    member
}

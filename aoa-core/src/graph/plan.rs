//! Rollout plans: waves of apps that may deploy in parallel, split into batches, with the critical path.

use super::Graph;
use super::cycles::find_cycles;
use super::layering::{Layering, layer};
use super::select::Selector;
use crate::diagnostic::Cycle;
use crate::error::{Error, Result};
use crate::manifest::{AppId, Model};
use serde::Serialize;

/// Options of every planning operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Split each wave into batches of at most this many apps (no limit when `None`; 0 is an error).
    pub max_parallel: Option<usize>,
}

/// Which way a plan runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Parents and dependencies first.
    Rollout,
    /// The exact reverse: dependents and children first.
    Teardown,
}

/// One wave: apps whose predecessors are all in earlier waves, split into batches of at most `max_parallel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "typegen", derive(schemars::JsonSchema))]
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

impl Graph {
    /// The rollout plan of every app of `m` (this graph's model).
    ///
    /// # Errors
    /// [`Error::Cycle`] naming every cycle; [`Error::InvalidArgument`] for `max_parallel` = 0.
    pub fn plan<'m>(&self, m: &'m Model, options: &PlanOptions) -> Result<Plan<'m>> {
        check_options(options)?;
        let layering = self
            .full
            .get_or_init(|| layer(self, None).map_err(|rest| find_cycles(m, self, &rest)));
        match layering {
            Ok(l) => Ok(to_plan(m, l, None, options)),
            Err(cycles) => Err(Error::Cycle {
                cycles: cycles.clone(),
            }),
        }
    }

    /// The wave of every app of `m` (this graph's model), by app id.
    ///
    /// # Errors
    /// [`Error::Cycle`] naming every cycle.
    pub fn wave_of_each<'g>(&'g self, m: &Model) -> Result<&'g [u32]> {
        self.plan(m, &PlanOptions::default())?;
        match self.full.get() {
            Some(Ok(layering)) => Ok(&layering.wave),
            _ => Err(Error::Cycle {
                cycles: self.cycles(m),
            }),
        }
    }

    /// Every cycle of the rollout graph (empty when a plan exists).
    pub fn cycles(&self, m: &Model) -> Vec<Cycle> {
        match self.plan(m, &PlanOptions::default()) {
            Err(Error::Cycle { cycles }) => cycles,
            _ => Vec::new(),
        }
    }

    /// The changed apps plus everything downstream of them (dependents and descendants, transitively),
    /// as a plan of its own: an app waits only for the impacted apps before it.
    ///
    /// # Errors
    /// [`Error::UnknownApp`] for a name `m` does not have; the errors of [`Graph::plan`].
    pub fn impacted<'m, S: AsRef<str>>(
        &self,
        m: &'m Model,
        changed: &[S],
        options: &PlanOptions,
    ) -> Result<Plan<'m>> {
        check_options(options)?;
        let starts = m.apps(changed)?;
        let member = closure(m.len(), &starts, |v, out| {
            out.extend_from_slice(self.successors(v))
        });
        self.subplan(m, &member, options)
    }

    /// The chosen apps plus every app they need first (parents and dependencies, transitively), like
    /// `terraform -target`.
    ///
    /// # Errors
    /// [`Error::UnknownApp`] for a `name=` term naming no app; the errors of [`Graph::plan`].
    pub fn select<'m>(
        &self,
        m: &'m Model,
        selector: &Selector,
        options: &PlanOptions,
    ) -> Result<Plan<'m>> {
        check_options(options)?;
        let chosen = selector.matching(m)?;
        let member = closure(m.len(), &chosen, |v, out| {
            out.extend(m.predecessors(AppId(v)).map(|p| p.0));
        });
        self.subplan(m, &member, options)
    }

    fn subplan<'m>(
        &self,
        m: &'m Model,
        member: &[bool],
        options: &PlanOptions,
    ) -> Result<Plan<'m>> {
        match layer(self, Some(member)) {
            Ok(l) => Ok(to_plan(m, &l, Some(member), options)),
            Err(rest) => Err(Error::Cycle {
                cycles: find_cycles(m, self, &rest),
            }),
        }
    }
}

fn to_plan<'m>(
    m: &'m Model,
    l: &Layering,
    member: Option<&[bool]>,
    options: &PlanOptions,
) -> Plan<'m> {
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
                    .map(|c| names_of(m, c))
                    .collect(),
            }
        })
        .collect();
    Plan {
        direction: Direction::Rollout,
        app_count: l.order.len(),
        waves,
        critical_path: critical_path(m, l, member),
    }
}

/// Walks back from the first app (by name) of the last wave, each step to the first predecessor by
/// name one wave earlier.
fn critical_path<'m>(m: &'m Model, l: &Layering, member: Option<&[bool]>) -> Vec<&'m str> {
    let last_wave = l.wave_start.len().saturating_sub(2);
    let Some(&end) = l.order.get(l.wave_start[last_wave] as usize) else {
        return Vec::new();
    };
    let mut path = vec![end];
    let mut at = AppId(end);
    while l.wave[at.index()] > 0 {
        let want = l.wave[at.index()] - 1;
        let Some(prev) = m
            .predecessors(at)
            .filter(|p| member.is_none_or(|set| set[p.index()]) && l.wave[p.index()] == want)
            .min_by(|a, b| m.name(*a).cmp(m.name(*b)))
        else {
            break;
        };
        path.push(prev.0);
        at = prev;
    }
    path.reverse();
    names_of(m, &path)
}

fn names_of<'m>(m: &'m Model, ids: &[u32]) -> Vec<&'m str> {
    ids.iter().map(|&i| m.name(AppId(i))).collect()
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

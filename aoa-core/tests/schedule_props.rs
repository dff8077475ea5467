//! Property tests of the rollout scheduler: random graphs, durations, failures, limits and timeouts are run
//! through a simulated clock, and every decision is checked against the rules it must keep.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]
#![allow(
    clippy::cast_possible_truncation,
    reason = "test graphs have at most a few dozen apps"
)]

use aoa_core::schedule::{
    Dag, Decision, Event, OnFailure, Policy, Retry, Scheduler, Setup, SkipReason, Successors,
};
use proptest::prelude::*;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// One random run: the graph, the apps' classes and waves, the policy, and each attempt's duration and
/// outcome.
#[derive(Debug, Clone)]
struct Case {
    n: usize,
    edges: Vec<(u32, u32)>,
    class: Vec<Option<u32>>,
    policy: Policy,
    /// `(duration, succeeds)` of attempt `k` of app `v` at `[v][k % len]`.
    attempts: Vec<Vec<(u64, bool)>>,
}

fn case(max_n: usize, failures: bool) -> impl Strategy<Value = Case> {
    (1..=max_n).prop_flat_map(move |n| {
        let edges = proptest::collection::vec((0..n as u32, 0..n as u32), 0..=n * 2)
            .prop_map(|pairs| pairs.into_iter().filter(|(u, v)| u < v).collect::<Vec<_>>());
        let class = proptest::collection::vec(proptest::option::of(0u32..2), n);
        let fail_weight = if failures { 0.3 } else { 0.0 };
        let attempts = proptest::collection::vec(
            proptest::collection::vec(
                (1u64..20, proptest::bool::weighted(1.0 - fail_weight)),
                1..4,
            ),
            n,
        );
        let policy = (
            proptest::option::of(1u32..4),
            (1u32..3, 1u32..3),
            1u32..4,
            proptest::option::of(5u64..25),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(
                |(max_parallel, (l0, l1), max_attempts, attempt_timeout, go_on, waves)| Policy {
                    max_parallel,
                    class_limits: vec![l0, l1],
                    retry: Retry {
                        max_attempts,
                        initial: 3,
                        factor: 2.0,
                        cap: 10,
                    },
                    attempt_timeout,
                    deadline: None,
                    on_failure: if go_on {
                        OnFailure::Continue
                    } else {
                        OnFailure::FailFast
                    },
                    waves,
                },
            );
        (Just(n), edges, class, attempts, policy).prop_map(|(n, edges, class, attempts, policy)| {
            Case {
                n,
                edges,
                class,
                policy,
                attempts,
            }
        })
    })
}

/// Each app's wave: one more than the highest wave of the apps it waits for (Kahn's algorithm).
fn waves(n: usize, edges: &[(u32, u32)]) -> Vec<u32> {
    let mut wave = vec![0u32; n];
    let mut left = vec![0usize; n];
    for &(_, v) in edges {
        left[v as usize] += 1;
    }
    let mut queue: Vec<u32> = (0..n as u32).filter(|&v| left[v as usize] == 0).collect();
    while let Some(u) = queue.pop() {
        for &(a, v) in edges.iter().filter(|(a, _)| *a == u) {
            wave[v as usize] = wave[v as usize].max(wave[a as usize] + 1);
            left[v as usize] -= 1;
            if left[v as usize] == 0 {
                queue.push(v);
            }
        }
    }
    wave
}

/// What a simulated run decided, in order, with the time of each decision.
#[derive(Debug, PartialEq)]
struct Trace(Vec<(u64, Decision)>);

/// Runs `case` over `graph` on a simulated clock, checking every start against the rules; returns the trace.
fn simulate(case: &Case, graph: &Successors) -> Trace {
    let n = case.n;
    let wave = waves(n, &edges_of(graph));
    let setup = Setup {
        class: case.class.clone(),
        wave: wave.clone(),
        settled: Vec::new(),
    };
    let mut s = Scheduler::new(graph, setup, case.policy.clone()).unwrap();
    let mut preds = vec![Vec::new(); n];
    for (u, v) in edges_of(graph) {
        preds[v as usize].push(u);
    }
    let mut succeeded = vec![false; n];
    let mut is_final = vec![false; n];
    let mut running: BTreeMap<u32, u32> = BTreeMap::new();
    let mut completions: BinaryHeap<Reverse<(u64, u32, u32)>> = BinaryHeap::new();
    let mut trace = Vec::new();
    let mut now = 0u64;
    let mut decisions = s.on(now, Event::Begin).unwrap();
    loop {
        for &d in &decisions {
            trace.push((now, d));
            match d {
                Decision::Start { app, attempt } => {
                    for &p in &preds[app as usize] {
                        assert!(
                            succeeded[p as usize],
                            "app {app} started before app {p} succeeded"
                        );
                    }
                    if case.policy.waves {
                        for v in 0..n {
                            assert!(
                                wave[v] >= wave[app as usize] || is_final[v],
                                "app {app} of wave {} started before app {v} of wave {} was final",
                                wave[app as usize],
                                wave[v]
                            );
                        }
                    }
                    running.insert(app, attempt);
                    let limit = case.policy.max_parallel.unwrap_or(u32::MAX) as usize;
                    assert!(
                        running.len() <= limit,
                        "{} running, limit {limit}",
                        running.len()
                    );
                    for c in 0..2u32 {
                        let in_class = running
                            .keys()
                            .filter(|&&a| case.class[a as usize] == Some(c))
                            .count();
                        assert!(
                            in_class <= case.policy.class_limits[c as usize] as usize,
                            "class {c} over its limit"
                        );
                    }
                    let tries = &case.attempts[app as usize];
                    let (duration, _) = tries[(attempt as usize - 1) % tries.len()];
                    completions.push(Reverse((now + duration, app, attempt)));
                }
                Decision::TimedOut { app, .. } => {
                    running.remove(&app);
                }
                Decision::Succeeded { app, .. } => {
                    succeeded[app as usize] = true;
                    is_final[app as usize] = true;
                }
                Decision::Failed { app, .. }
                | Decision::Skipped { app, .. }
                | Decision::InDoubt { app, .. } => {
                    is_final[app as usize] = true;
                }
                Decision::Retry { .. } => {}
            }
        }
        if s.is_finished() {
            break;
        }
        let next_done = completions.peek().map(|Reverse((t, _, _))| *t);
        let wake = s.next_wake();
        let completion_first = next_done.is_some_and(|t| wake.is_none_or(|w| t <= w));
        let event = match wake {
            _ if completion_first => {
                let Reverse((t, app, attempt)) = completions.pop().unwrap();
                now = t;
                if running.get(&app) == Some(&attempt) {
                    running.remove(&app);
                }
                let tries = &case.attempts[app as usize];
                if tries[(attempt as usize - 1) % tries.len()].1 {
                    Event::Succeeded { app, attempt }
                } else {
                    Event::Failed { app, attempt }
                }
            }
            Some(w) => {
                now = w;
                Event::Tick
            }
            None => panic!("the run stalled with apps pending: {:?}", s.counts()),
        };
        decisions = s.on(now, event).unwrap();
    }
    assert!(is_final.iter().all(|&f| f), "every app ends final");
    Trace(trace)
}

fn edges_of(graph: &Successors) -> Vec<(u32, u32)> {
    (0..graph.node_count() as u32)
        .flat_map(|u| graph.successors(u).iter().map(move |&v| (u, v)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Starts wait for their predecessors and the wave barrier, limits hold, every app ends final, and the
    /// same events give the same decisions.
    #[test]
    fn starts_respect_order_limits_and_replay_identically(c in case(24, true)) {
        let graph = Successors::from_edges(c.n, &c.edges).unwrap();
        let first = simulate(&c, &graph);
        prop_assert_eq!(&first, &simulate(&c, &graph));
    }

    /// With no failure and no timeout every app starts exactly once and succeeds.
    #[test]
    fn without_failures_every_app_runs_exactly_once(mut c in case(24, false)) {
        c.policy.attempt_timeout = None;
        let graph = Successors::from_edges(c.n, &c.edges).unwrap();
        let Trace(trace) = simulate(&c, &graph);
        let mut starts = vec![0; c.n];
        let mut successes = vec![0; c.n];
        for (_, d) in trace {
            match d {
                Decision::Start { app, .. } => starts[app as usize] += 1,
                Decision::Succeeded { app, .. } => successes[app as usize] += 1,
                other => prop_assert!(false, "unexpected {other:?}"),
            }
        }
        prop_assert!(starts.iter().chain(&successes).all(|&k| k == 1));
    }

    /// Under `continue`, exactly the apps downstream of a failed app are skipped, each naming a failed app
    /// upstream of it; the others run to their own end.
    #[test]
    fn continue_skips_exactly_the_dependents_of_failures(mut c in case(24, true)) {
        c.policy.on_failure = OnFailure::Continue;
        c.policy.attempt_timeout = None;
        let graph = Successors::from_edges(c.n, &c.edges).unwrap();
        let Trace(trace) = simulate(&c, &graph);
        let failed: Vec<u32> = trace.iter().filter_map(|(_, d)| match d { Decision::Failed { app, .. } => Some(*app), _ => None }).collect();
        let mut downstream = vec![false; c.n];
        let mut stack: Vec<u32> = failed.iter().flat_map(|&f| graph.successors(f).to_vec()).collect();
        while let Some(v) = stack.pop() {
            if !std::mem::replace(&mut downstream[v as usize], true) {
                stack.extend_from_slice(graph.successors(v));
            }
        }
        for (_, d) in &trace {
            if let Decision::Skipped { app, reason } = d {
                prop_assert!(downstream[*app as usize], "app {app} skipped but nothing upstream failed");
                let SkipReason::UpstreamFailed { app: cause } = reason else { return Err(TestCaseError::fail("wrong reason")) };
                prop_assert!(failed.contains(cause));
            }
            if let Decision::Start { app, .. } = d {
                prop_assert!(!downstream[*app as usize], "app {app} started downstream of a failure");
            }
        }
    }

    /// A rollback runs over the reversed graph: every app rolls back only after every app that waited for it.
    #[test]
    fn rollback_order_is_the_exact_reverse(mut c in case(24, false)) {
        c.policy.attempt_timeout = None;
        let graph = Successors::from_edges(c.n, &c.edges).unwrap();
        let back = Successors::reversed(&graph).unwrap();
        let Trace(trace) = simulate(&c, &back);
        let mut done_at = vec![usize::MAX; c.n];
        let mut start_at = vec![usize::MAX; c.n];
        for (i, (_, d)) in trace.iter().enumerate() {
            match d {
                Decision::Start { app, .. } => start_at[*app as usize] = i,
                Decision::Succeeded { app, .. } => done_at[*app as usize] = i,
                _ => {}
            }
        }
        for &(u, v) in &c.edges {
            prop_assert!(done_at[v as usize] < start_at[u as usize], "{u} rolled back before {v}, which waited for it");
        }
    }
}

#[test]
fn fail_fast_lets_running_apps_finish_and_skips_the_rest() {
    // a and b run at once; a fails for good; b finishes; c (after b) is skipped.
    let graph = Successors::from_edges(3, &[(1, 2)]).unwrap();
    let policy = Policy {
        retry: Retry {
            max_attempts: 1,
            ..Retry::default()
        },
        ..Policy::default()
    };
    let mut s = Scheduler::new(&graph, Setup::default(), policy).unwrap();
    assert_eq!(
        s.on(0, Event::Begin).unwrap(),
        [
            Decision::Start { app: 0, attempt: 1 },
            Decision::Start { app: 1, attempt: 1 }
        ]
    );
    assert_eq!(
        s.on(1, Event::Failed { app: 0, attempt: 1 }).unwrap(),
        [
            Decision::Failed {
                app: 0,
                attempts: 1
            },
            Decision::Skipped {
                app: 2,
                reason: SkipReason::RunStopped { app: 0 }
            }
        ]
    );
    assert_eq!(
        s.on(2, Event::Succeeded { app: 1, attempt: 1 }).unwrap(),
        [Decision::Succeeded { app: 1, attempt: 1 }]
    );
    assert!(s.is_finished());
}

#[test]
fn retries_back_off_and_timeouts_count_as_failures() {
    let graph = Successors::from_edges(1, &[]).unwrap();
    let policy = Policy {
        retry: Retry {
            max_attempts: 3,
            initial: 100,
            factor: 3.0,
            cap: 250,
        },
        attempt_timeout: Some(50),
        ..Policy::default()
    };
    let mut s = Scheduler::new(&graph, Setup::default(), policy).unwrap();
    s.on(0, Event::Begin).unwrap();
    assert_eq!(s.next_wake(), Some(50));
    assert_eq!(
        s.on(50, Event::Tick).unwrap(),
        [
            Decision::TimedOut { app: 0, attempt: 1 },
            Decision::Retry {
                app: 0,
                attempt: 2,
                at: 150
            }
        ]
    );
    assert!(
        s.on(60, Event::Succeeded { app: 0, attempt: 1 })
            .unwrap()
            .is_empty(),
        "a late outcome is ignored"
    );
    assert_eq!(
        s.on(150, Event::Tick).unwrap(),
        [Decision::Start { app: 0, attempt: 2 }]
    );
    assert_eq!(
        s.on(160, Event::Failed { app: 0, attempt: 2 }).unwrap(),
        [Decision::Retry {
            app: 0,
            attempt: 3,
            at: 410
        }],
        "the second wait is capped at 250"
    );
    assert_eq!(
        s.on(410, Event::Tick).unwrap(),
        [Decision::Start { app: 0, attempt: 3 }]
    );
    assert!(
        s.on(415, Event::Succeeded { app: 0, attempt: 7 }).is_err(),
        "an attempt that never started"
    );
    assert_eq!(
        s.on(420, Event::Succeeded { app: 0, attempt: 3 }).unwrap(),
        [Decision::Succeeded { app: 0, attempt: 3 }]
    );
}

#[test]
fn the_deadline_times_out_running_apps_and_skips_the_rest() {
    let graph = Successors::from_edges(2, &[(0, 1)]).unwrap();
    let policy = Policy {
        deadline: Some(30),
        ..Policy::default()
    };
    let mut s = Scheduler::new(&graph, Setup::default(), policy).unwrap();
    s.on(0, Event::Begin).unwrap();
    assert_eq!(
        s.on(30, Event::Tick).unwrap(),
        [
            Decision::Skipped {
                app: 1,
                reason: SkipReason::DeadlinePassed
            },
            Decision::TimedOut { app: 0, attempt: 1 },
            Decision::Failed {
                app: 0,
                attempts: 1
            }
        ]
    );
    assert!(s.is_finished());
}

#[test]
fn stop_then_abandon_leaves_running_apps_in_doubt() {
    let graph = Successors::from_edges(3, &[(0, 2)]).unwrap();
    let mut s = Scheduler::new(&graph, Setup::default(), Policy::default()).unwrap();
    s.on(0, Event::Begin).unwrap();
    assert_eq!(
        s.on(1, Event::Stop).unwrap(),
        [Decision::Skipped {
            app: 2,
            reason: SkipReason::Stopped
        }]
    );
    assert_eq!(
        s.on(2, Event::Abandon).unwrap(),
        [
            Decision::InDoubt { app: 0, attempt: 1 },
            Decision::InDoubt { app: 1, attempt: 1 }
        ]
    );
    assert!(s.is_finished());
    assert_eq!(s.counts().in_doubt, 2);
}

#[test]
fn settled_apps_count_as_succeeded_on_resume() {
    let graph = Successors::from_edges(3, &[(0, 1), (1, 2)]).unwrap();
    let setup = Setup {
        settled: vec![true, true, false],
        ..Setup::default()
    };
    let mut s = Scheduler::new(&graph, setup, Policy::default()).unwrap();
    assert_eq!(
        s.on(0, Event::Begin).unwrap(),
        [Decision::Start { app: 2, attempt: 1 }]
    );
}

#[test]
fn bad_setups_are_errors() {
    let graph = Successors::from_edges(2, &[(0, 1), (1, 0)]).unwrap();
    let err = Scheduler::new(&graph, Setup::default(), Policy::default()).unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
    let line = Successors::from_edges(2, &[(0, 1)]).unwrap();
    let zero = Policy {
        max_parallel: Some(0),
        ..Policy::default()
    };
    assert!(Scheduler::new(&line, Setup::default(), zero).is_err());
    let classless = Setup {
        class: vec![Some(0), None],
        ..Setup::default()
    };
    assert!(
        Scheduler::new(&line, classless, Policy::default())
            .unwrap_err()
            .to_string()
            .contains("no limit")
    );
    assert!(Successors::from_edges(2, &[(0, 2)]).is_err());
    let mut s = Scheduler::new(&line, Setup::default(), Policy::default()).unwrap();
    assert!(
        s.on(0, Event::Tick).is_err(),
        "an event before the run began"
    );
}

#[test]
fn a_manifest_schedules_by_parents_dependencies_and_class_labels() {
    use aoa_core::{Format, Manifest};
    let m = Manifest::from_str(
        "apps:\n- name: root\n- {name: db1, parent: root, labels: {class: db-migration}}\n\
         - {name: db2, parent: root, labels: {class: db-migration}}\n- {name: api, parent: root, depends_on: [db1]}\n",
        Format::Yaml,
    )
    .unwrap();
    let id = |name: &str| m.app(name).unwrap().index() as u32;
    let limits = [("db-migration".to_owned(), 1)].into_iter().collect();
    let mut s = m.scheduler(Policy::default(), &limits, &[]).unwrap();
    assert_eq!(
        s.on(0, Event::Begin).unwrap(),
        [Decision::Start {
            app: id("root"),
            attempt: 1
        }]
    );
    assert_eq!(
        s.on(
            1,
            Event::Succeeded {
                app: id("root"),
                attempt: 1
            }
        )
        .unwrap(),
        [
            Decision::Succeeded {
                app: id("root"),
                attempt: 1
            },
            Decision::Start {
                app: id("db1"),
                attempt: 1
            }
        ],
        "db2 waits: one db-migration at a time"
    );
    assert_eq!(
        s.on(
            2,
            Event::Succeeded {
                app: id("db1"),
                attempt: 1
            }
        )
        .unwrap(),
        [
            Decision::Succeeded {
                app: id("db1"),
                attempt: 1
            },
            Decision::Start {
                app: id("db2"),
                attempt: 1
            },
            Decision::Start {
                app: id("api"),
                attempt: 1
            }
        ]
    );
    let mut back = m
        .rollback_scheduler(
            &[m.app("db1").unwrap(), m.app("api").unwrap()],
            Policy::default(),
            &limits,
        )
        .unwrap();
    assert_eq!(
        back.on(0, Event::Begin).unwrap(),
        [Decision::Start {
            app: id("api"),
            attempt: 1
        }],
        "api rolls back before db1"
    );
    let cyclic = Manifest::from_str(
        "apps:\n- {name: a, depends_on: [b]}\n- {name: b, depends_on: [a]}\n",
        Format::Yaml,
    );
    if let Ok(m) = cyclic {
        assert!(matches!(
            m.scheduler(Policy::default(), &limits, &[]),
            Err(aoa_core::Error::Cycle { .. })
        ));
    }
}

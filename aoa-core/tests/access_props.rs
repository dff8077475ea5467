//! Property tests over random trees, grants, denies and ceilings, against a naive oracle written here.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)]

use aoa_core::access::glob_matches;
use aoa_core::{Format, Manifest};
use proptest::prelude::*;
use serde_json::{Value, json};

const ACTIONS: [&str; 5] = ["deploy", "rollback", "read:a", "read:b", "write:a"];
const PATTERNS: [&str; 8] = [
    "deploy", "rollback", "read:a", "read:b", "write:a", "read:*", "*", "write:*",
];
const SUBJECTS: [&str; 5] = ["user:u0", "user:u1", "group:g0", "group:g1", "group:g2"];
const ENVS: [Option<&str>; 3] = [Some("prod"), Some("staging"), None];
/// Callers: (subject, groups).
const CALLERS: [(&str, &[&str]); 6] = [
    ("user:u0", &[]),
    ("user:u0", &["g0"]),
    ("user:u1", &["g1", "g2"]),
    ("group:g0", &[]),
    ("group:g2", &[]),
    ("user:u9", &["g1"]),
];

#[derive(Debug, Clone)]
struct RuleSpec {
    subject: usize,
    app: usize,
    patterns: Vec<usize>,
    env: Option<usize>,
    propagate: bool,
}

#[derive(Debug, Clone)]
struct World {
    parent: Vec<Option<usize>>,
    env: Vec<usize>,
    grants: Vec<RuleSpec>,
    denies: Vec<RuleSpec>,
    ceilings: Vec<Option<Vec<usize>>>,
}

fn rule(apps: usize) -> impl Strategy<Value = RuleSpec> {
    (
        0..SUBJECTS.len(),
        0..apps,
        prop::collection::vec(0..PATTERNS.len(), 1..3),
        prop::option::of(0..2usize),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(subject, app, patterns, env, propagate)| RuleSpec {
            subject,
            app,
            patterns,
            env,
            propagate,
        })
}

/// A random forest; with `ceilings`, grants sit on roots only (so they never escalate) and non-roots
/// may carry ceilings.
fn world(ceilings: bool) -> impl Strategy<Value = World> {
    (2..14usize)
        .prop_flat_map(move |n| {
            let parents = (0..n)
                .map(|i| {
                    if i == 0 {
                        Just(None).boxed()
                    } else {
                        prop::option::weighted(0.9, 0..i).boxed()
                    }
                })
                .collect::<Vec<_>>();
            (
                parents,
                prop::collection::vec(0..ENVS.len(), n),
                prop::collection::vec(rule(n), 0..8),
                prop::collection::vec(rule(n), 0..4),
                prop::collection::vec(
                    prop::option::weighted(0.4, prop::collection::vec(0..PATTERNS.len(), 1..4)),
                    n,
                ),
            )
        })
        .prop_map(move |(parent, env, mut grants, denies, mut ceil)| {
            if ceilings {
                for g in &mut grants {
                    while let Some(p) = parent[g.app] {
                        g.app = p;
                    }
                }
                for (i, c) in ceil.iter_mut().enumerate() {
                    if parent[i].is_none() {
                        *c = None;
                    }
                }
            } else {
                ceil.iter_mut().for_each(|c| *c = None);
            }
            World {
                parent,
                env,
                grants,
                denies,
                ceilings: ceil,
            }
        })
}

fn entry(r: &RuleSpec) -> Value {
    let mut v = json!({
        "subject": SUBJECTS[r.subject],
        "actions": r.patterns.iter().map(|&p| PATTERNS[p]).collect::<Vec<_>>(),
        "propagate": r.propagate,
    });
    if let Some(e) = r.env {
        v["env"] = json!([ENVS[e]]);
    }
    v
}

fn manifest(w: &World) -> Manifest {
    let apps: Vec<Value> = (0..w.parent.len())
        .map(|i| {
            let mut app = json!({"name": format!("a{i}")});
            if let Some(p) = w.parent[i] {
                app["parent"] = json!(format!("a{p}"));
            }
            if let Some(env) = ENVS[w.env[i]] {
                app["labels"] = json!({"env": env});
            }
            let grants: Vec<Value> = w.grants.iter().filter(|g| g.app == i).map(entry).collect();
            if !grants.is_empty() {
                app["grants"] = json!(grants);
            }
            let denies: Vec<Value> = w.denies.iter().filter(|g| g.app == i).map(entry).collect();
            if !denies.is_empty() {
                app["deny"] = json!(denies);
            }
            if let Some(c) = &w.ceilings[i] {
                app["ceiling"] = json!(c.iter().map(|&p| PATTERNS[p]).collect::<Vec<_>>());
            }
            app
        })
        .collect();
    let text = json!({ "apps": apps }).to_string();
    Manifest::from_str(&text, Format::Json).unwrap()
}

fn chain(w: &World, app: usize) -> Vec<usize> {
    std::iter::successors(Some(app), |&a| w.parent[a]).collect()
}

fn reaches(w: &World, r: &RuleSpec, app: usize) -> bool {
    let on_chain = chain(w, app).contains(&r.app);
    let propagates = r.propagate || r.app == app;
    let env_ok = r
        .env
        .is_none_or(|e| ENVS[w.env[app]] == Some(ENVS[e].unwrap_or("")));
    on_chain && propagates && env_ok
}

fn names_caller(r: &RuleSpec, caller: (&str, &[&str])) -> bool {
    let s = SUBJECTS[r.subject];
    s == caller.0 || caller.1.iter().any(|g| s == format!("group:{g}"))
}

fn matches(r: &RuleSpec, action: &str) -> bool {
    r.patterns
        .iter()
        .any(|&p| glob_matches(PATTERNS[p], action))
}

fn within_ceilings(w: &World, app: usize, action: &str) -> bool {
    chain(w, app).iter().all(|&a| {
        w.ceilings[a]
            .as_ref()
            .is_none_or(|c| c.iter().any(|&p| glob_matches(PATTERNS[p], action)))
    })
}

fn denied_by_oracle(w: &World, caller: (&str, &[&str]), action: &str, app: usize) -> bool {
    w.denies
        .iter()
        .any(|d| names_caller(d, caller) && matches(d, action) && reaches(w, d, app))
}

fn oracle(w: &World, caller: (&str, &[&str]), action: &str, app: usize) -> bool {
    let granted = w
        .grants
        .iter()
        .any(|g| names_caller(g, caller) && matches(g, action) && reaches(w, g, app));
    granted && !denied_by_oracle(w, caller, action, app) && within_ceilings(w, app, action)
}

fn check(m: &Manifest, caller: (&str, &[&str]), action: &str, app: usize) -> bool {
    m.access()
        .check(caller.0, caller.1, action, &format!("a{app}"))
        .unwrap()
        .allowed
}

fn all_queries(
    w: &World,
) -> impl Iterator<Item = ((&'static str, &'static [&'static str]), &'static str, usize)> + '_ {
    CALLERS.into_iter().flat_map(move |c| {
        ACTIONS
            .into_iter()
            .flat_map(move |a| (0..w.parent.len()).map(move |app| (c, a, app)))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn check_equals_the_oracle(w in world(false)) {
        let m = manifest(&w);
        for (caller, action, app) in all_queries(&w) {
            prop_assert_eq!(check(&m, caller, action, app), oracle(&w, caller, action, app), "{:?} {} a{}", caller, action, app);
        }
    }

    #[test]
    fn ancestor_grants_reach_every_descendant_unless_denied_or_not_propagated(w in world(false)) {
        let m = manifest(&w);
        for g in w.grants.iter().filter(|g| g.propagate && g.env.is_none()) {
            let caller = (SUBJECTS[g.subject], &[] as &[&str]);
            for app in (0..w.parent.len()).filter(|&a| chain(&w, a).contains(&g.app)) {
                for action in ACTIONS.into_iter().filter(|a| matches(g, a)) {
                    prop_assert!(check(&m, caller, action, app) || denied_by_oracle(&w, caller, action, app));
                }
            }
        }
    }

    #[test]
    fn adding_a_deny_never_widens(w in world(true), extra in rule(14)) {
        let m = manifest(&w);
        let mut wider = w.clone();
        wider.denies.push(RuleSpec { app: extra.app % w.parent.len(), ..extra });
        let m2 = manifest(&wider);
        for (caller, action, app) in all_queries(&w) {
            prop_assert!(!check(&m2, caller, action, app) || check(&m, caller, action, app));
        }
    }

    #[test]
    fn adding_a_grant_never_narrows(w in world(false), extra in rule(14)) {
        let m = manifest(&w);
        let mut more = w.clone();
        more.grants.push(RuleSpec { app: extra.app % w.parent.len(), ..extra });
        let m2 = manifest(&more);
        for (caller, action, app) in all_queries(&w) {
            prop_assert!(!check(&m, caller, action, app) || check(&m2, caller, action, app));
        }
    }

    #[test]
    fn effective_allows_stay_inside_the_ceiling_chain(w in world(true)) {
        let m = manifest(&w);
        for app in 0..w.parent.len() {
            let e = m.access().effective(&format!("a{app}")).unwrap();
            for s in &e.subjects {
                for a in s.allowed.iter().filter(|a| !a.partial) {
                    prop_assert!(within_ceilings(&w, app, a.action), "{} on a{}", a.action, app);
                }
                // A pattern listed as wholly allowed allows every action it matches (as `check` answers);
                // a partial one allows at least one of them when the tests' actions reach it.
                for a in s.allowed.iter().filter(|a| a.action.contains('*')) {
                    let caller = (s.subject, &[] as &[&str]);
                    let answers: Vec<bool> = ACTIONS.into_iter().chain(UNWRITTEN)
                        .filter(|x| glob_matches(a.action, x))
                        .map(|x| check(&m, caller, x, app))
                        .collect();
                    if !a.partial {
                        prop_assert!(answers.iter().all(|&x| x), "{} on a{} is not wholly allowed", a.action, app);
                    }
                }
            }
        }
        for (caller, action, app) in all_queries(&w) {
            prop_assert_eq!(check(&m, caller, action, app), oracle(&w, caller, action, app));
        }
    }

    #[test]
    fn check_agrees_with_effective_who_can_and_what_can(w in world(true)) {
        let m = manifest(&w);
        let access = m.access();
        let vocabulary = access.index().vocabulary().to_vec();
        for app in 0..w.parent.len() {
            let name = format!("a{app}");
            let e = access.effective(&name).unwrap();
            for action in &vocabulary {
                let who = access.who_can(action, &name).unwrap();
                for subject in SUBJECTS {
                    let allowed = access.check(subject, &[] as &[&str], action, &name).unwrap().allowed;
                    let in_effective = e.subjects.iter().any(|s| s.subject == subject && s.allowed.iter().any(|a| a.action == action));
                    let in_who = who.subjects.iter().any(|s| s.subject == subject);
                    prop_assert_eq!(allowed, in_effective, "effective {} {} {}", subject, action, name);
                    prop_assert_eq!(allowed, in_who, "who_can {} {} {}", subject, action, name);
                }
            }
        }
        for (subject, groups) in CALLERS {
            let what = access.what_can(subject, groups).unwrap();
            for app in 0..w.parent.len() {
                let name = format!("a{app}");
                let listed = what.apps.iter().find(|a| a.app == name).map(|a| a.actions.clone()).unwrap_or_default();
                for action in &vocabulary {
                    let allowed = access.check(subject, groups, action, &name).unwrap().allowed;
                    prop_assert_eq!(allowed, listed.contains(&action.as_str()), "what_can {} {} {}", subject, action, name);
                }
            }
        }
    }

    #[test]
    fn diff_of_a_manifest_with_itself_is_empty(w in world(true)) {
        let m = manifest(&w);
        let d = m.diff(&m);
        prop_assert!(d.subjects.is_empty());
        prop_assert_eq!((d.gained, d.lost), (0, 0));
    }

    #[test]
    fn diff_lists_exactly_the_changed_decisions(w in world(false), extra in rule(14)) {
        let m = manifest(&w);
        let mut more = w.clone();
        more.grants.push(RuleSpec { app: extra.app % w.parent.len(), ..extra });
        let m2 = manifest(&more);
        let d = m.diff(&m2);
        let mut expected = 0;
        let written: Vec<&String> = m.access().index().vocabulary().iter().chain(m2.access().index().vocabulary()).collect();
        for subject in SUBJECTS {
            for action in ACTIONS.into_iter().filter(|a| written.iter().any(|w| w == a)) {
                for app in 0..w.parent.len() {
                    let caller = (subject, &[] as &[&str]);
                    expected += usize::from(check(&m2, caller, action, app) && !check(&m, caller, action, app));
                }
            }
        }
        let concrete = d.subjects.iter().flat_map(|s| &s.changes).flat_map(|c| &c.gained).filter(|a| !a.action.contains('*')).count();
        prop_assert_eq!(concrete, expected);
        prop_assert_eq!(d.lost, 0);
    }

    /// Every (subject, action, app) whose `check` answer changes from denied to allowed is reported as a
    /// gain — the action itself, or a grant's pattern that matches it — including actions neither manifest
    /// spells out, which only globs reach; and every loss likewise.
    #[test]
    fn diff_reports_every_decision_check_changes(w in world(true), extra in prop::collection::vec(rule(14), 1..3), drop_deny in any::<bool>(), drop_ceiling in any::<bool>()) {
        let m = manifest(&w);
        let mut next = w.clone();
        for g in extra {
            let mut app = g.app % w.parent.len();
            while let Some(p) = w.parent[app] {
                app = p;
            }
            next.grants.push(RuleSpec { app, ..g });
        }
        if drop_deny {
            next.denies.pop();
        }
        if drop_ceiling && let Some(c) = next.ceilings.iter_mut().rev().find(|c| c.is_some()) {
            *c = None;
        }
        let m2 = manifest(&next);
        for (old, new, gain) in [(&m, &m2, true), (&m2, &m, false)] {
            let d = old.diff(new);
            let reported = |subject: &str, app: &str, action: &str| {
                d.subjects.iter().filter(|s| s.subject == subject).flat_map(|s| &s.changes)
                    .flat_map(|c| if gain { &c.gained } else { &c.lost })
                    .any(|a| a.app == app && (a.action == action || (a.action.contains('*') && glob_matches(&a.action, action))))
            };
            for subject in SUBJECTS {
                for action in ACTIONS.into_iter().chain(UNWRITTEN) {
                    for app in 0..w.parent.len() {
                        let caller = (subject, &[] as &[&str]);
                        let (before, after) = if gain { (check(old, caller, action, app), check(new, caller, action, app)) } else { (check(new, caller, action, app), check(old, caller, action, app)) };
                        if after && !before {
                            prop_assert!(reported(subject, &format!("a{app}"), action), "{} {} a{} not reported ({})", subject, action, app, if gain { "gain" } else { "loss" });
                        }
                    }
                }
            }
        }
    }
}

/// Actions no manifest of these tests writes: only globs reach them.
const UNWRITTEN: [&str; 4] = ["read:zz", "write:q", "secrets:x", "z"];

//! Permission benchmark: aoa's `check` against a plain reference, cedar-policy and casbin.
//!
//! Run: `cargo run --release -p aoa-bench --features peers --bin access` (add `--quick` to skip the 1,000,000-app run).
//!
//! A seeded workload — a random recursive tree of apps (depth up to 25), groups, users in 1–5 groups,
//! 20 actions, grants (80 % to groups, half on the top 1 % of apps), denies and a query mix of random,
//! allow-biased and deny-targeted (user, action, app) triples — is written as an aoa manifest (JSON),
//! loaded by aoa, and fed to every engine. Every engine's answers are asserted equal to the reference's.

use aoa_core::{Format, Manifest};
use casbin::{CoreApi, DefaultModel, DefaultRoleManager, Enforcer, MemoryAdapter, MgmtApi};
use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicySet, Request,
};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error>>;

const ACTIONS: [&str; 20] = [
    "deploy",
    "rollback",
    "restart",
    "scale",
    "read:deployments",
    "read:logs",
    "read:config",
    "read:metrics",
    "read:secrets-meta",
    "write:config",
    "write:flags",
    "write:dns",
    "secrets:read",
    "secrets:write",
    "db:migrate",
    "db:backup",
    "db:restore",
    "exec:shell",
    "debug:trace",
    "admin:billing",
];

/// Roles defined on the root: (name, patterns, concrete expansion).
const ROLES: [(&str, &[&str]); 4] = [
    ("viewer", &["read:*"]),
    (
        "deployer",
        &["deploy", "rollback", "restart", "scale", "read:*"],
    ),
    ("dba", &["db:*", "read:config"]),
    (
        "operator",
        &["deploy", "rollback", "write:*", "secrets:read"],
    ),
];

/// SplitMix64: a small, seeded generator (no dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Rule {
    /// `user:uN` or `group:gN`.
    subject: String,
    app: usize,
    role: Option<usize>,
    actions: Vec<usize>,
}

struct Workload {
    parent: Vec<Option<usize>>,
    depth: Vec<usize>,
    user_groups: Vec<Vec<usize>>,
    group_users: Vec<Vec<usize>>,
    grants: Vec<Rule>,
    denies: Vec<Rule>,
    /// (user, action, app)
    queries: Vec<(usize, usize, usize)>,
}

fn app_name(i: usize) -> String {
    format!("app-{i}")
}

/// The concrete actions of a rule (roles expanded by prefix matching, as the reference sees them).
fn concrete(rule: &Rule) -> Vec<usize> {
    let mut out = rule.actions.clone();
    if let Some(r) = rule.role {
        for p in ROLES[r].1 {
            for (a, name) in ACTIONS.iter().enumerate() {
                let hit = match p.strip_suffix('*') {
                    Some(prefix) => name.starts_with(prefix),
                    None => name == p,
                };
                if hit {
                    out.push(a);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn generate(
    apps: usize,
    groups: usize,
    users: usize,
    grants: usize,
    denies: usize,
    queries: usize,
) -> Workload {
    let mut rng = Rng(0x5EED_A0A0);
    let mut parent = vec![None; apps];
    let mut depth = vec![0usize; apps];
    let mut children = vec![Vec::new(); apps];
    for i in 1..apps {
        // Random recursive tree, biased to recent apps so that it grows deep, capped at depth 25.
        let mut p = if rng.below(2) == 0 {
            i - 1 - rng.below(i.min(50))
        } else {
            rng.below(i)
        };
        while depth[p] >= 24 {
            p = parent[p].unwrap_or(0);
        }
        parent[i] = Some(p);
        depth[i] = depth[p] + 1;
        children[p].push(i);
    }
    let mut user_groups = Vec::with_capacity(users);
    let mut group_users = vec![Vec::new(); groups];
    for u in 0..users {
        let mut gs: Vec<usize> = (0..1 + rng.below(5)).map(|_| rng.below(groups)).collect();
        gs.sort_unstable();
        gs.dedup();
        for &g in &gs {
            group_users[g].push(u);
        }
        user_groups.push(gs);
    }
    let top = (apps / 100).max(1);
    let rule = |rng: &mut Rng, deny: bool| {
        let subject = if rng.below(10) < 8 {
            format!("group:g{}", rng.below(groups))
        } else {
            format!("user:u{}", rng.below(users))
        };
        let app = if !deny && rng.below(2) == 0 {
            rng.below(top)
        } else {
            rng.below(apps)
        };
        let role = (!deny && rng.below(2) == 0).then(|| rng.below(ROLES.len()));
        let n = if role.is_some() { 0 } else { 1 + rng.below(3) };
        let actions = (0..n).map(|_| rng.below(ACTIONS.len())).collect();
        Rule {
            subject,
            app,
            role,
            actions,
        }
    };
    let grant_list: Vec<Rule> = (0..grants).map(|_| rule(&mut rng, false)).collect();
    let deny_list: Vec<Rule> = (0..denies).map(|_| rule(&mut rng, true)).collect();
    let descend = |rng: &mut Rng, mut app: usize| {
        for _ in 0..rng.below(30) {
            if children[app].is_empty() {
                break;
            }
            app = children[app][rng.below(children[app].len())];
        }
        app
    };
    let user_of = |rng: &mut Rng, subject: &str| -> usize {
        match subject.strip_prefix("group:g") {
            Some(g) => {
                let members = &group_users[g.parse::<usize>().unwrap_or(0)];
                if members.is_empty() {
                    rng.below(users)
                } else {
                    members[rng.below(members.len())]
                }
            }
            None => subject.trim_start_matches("user:u").parse().unwrap_or(0),
        }
    };
    let mut query_list = Vec::with_capacity(queries);
    for q in 0..queries {
        let item = match q % 3 {
            0 => (rng.below(users), rng.below(ACTIONS.len()), rng.below(apps)),
            1 => {
                let g = &grant_list[rng.below(grant_list.len())];
                let acts = concrete(g);
                let a = acts[rng.below(acts.len())];
                (user_of(&mut rng, &g.subject), a, descend(&mut rng, g.app))
            }
            _ => {
                let d = &deny_list[rng.below(deny_list.len())];
                let a = d.actions[rng.below(d.actions.len())];
                (user_of(&mut rng, &d.subject), a, descend(&mut rng, d.app))
            }
        };
        query_list.push(item);
    }
    Workload {
        parent,
        depth,
        user_groups,
        group_users,
        grants: grant_list,
        denies: deny_list,
        queries: query_list,
    }
}

/// The workload as an aoa manifest (JSON text).
fn manifest_json(w: &Workload) -> String {
    let n = w.parent.len();
    let mut grants: Vec<Vec<serde_json::Value>> = vec![Vec::new(); n];
    let mut denies: Vec<Vec<serde_json::Value>> = vec![Vec::new(); n];
    let entry = |r: &Rule| match r.role {
        Some(role) => json!({"subject": r.subject, "role": ROLES[role].0}),
        None => {
            json!({"subject": r.subject, "actions": r.actions.iter().map(|&a| ACTIONS[a]).collect::<Vec<_>>()})
        }
    };
    for g in &w.grants {
        grants[g.app].push(entry(g));
    }
    for d in &w.denies {
        denies[d.app].push(entry(d));
    }
    let apps: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let mut app = serde_json::Map::new();
            app.insert("name".into(), json!(app_name(i)));
            if let Some(p) = w.parent[i] {
                app.insert("parent".into(), json!(app_name(p)));
            } else {
                let roles: serde_json::Map<String, serde_json::Value> = ROLES
                    .iter()
                    .map(|(name, p)| (name.to_string(), json!(p)))
                    .collect();
                app.insert("roles".into(), serde_json::Value::Object(roles));
            }
            if !grants[i].is_empty() {
                app.insert("grants".into(), json!(grants[i]));
            }
            if !denies[i].is_empty() {
                app.insert("deny".into(), json!(denies[i]));
            }
            serde_json::Value::Object(app)
        })
        .collect();
    serde_json::to_string_pretty(&json!({"apiVersion": "aoa/v1", "apps": apps})).unwrap_or_default()
}

/// The plain reference: names in hash maps, walk from the app to the root.
struct Reference {
    parent: HashMap<String, String>,
    allow: HashMap<String, HashMap<String, HashSet<String>>>,
    deny: HashMap<String, HashMap<String, HashSet<String>>>,
}

impl Reference {
    fn new(w: &Workload) -> Self {
        let mut r = Reference {
            parent: HashMap::new(),
            allow: HashMap::new(),
            deny: HashMap::new(),
        };
        for (i, p) in w.parent.iter().enumerate() {
            if let Some(p) = p {
                r.parent.insert(app_name(i), app_name(*p));
            }
        }
        for (rules, map) in [(&w.grants, &mut r.allow), (&w.denies, &mut r.deny)] {
            for rule in rules {
                let set = map
                    .entry(app_name(rule.app))
                    .or_default()
                    .entry(rule.subject.clone())
                    .or_default();
                set.extend(concrete(rule).into_iter().map(|a| ACTIONS[a].to_string()));
            }
        }
        r
    }

    fn check(&self, user: &str, groups: &[String], action: &str, app: &str) -> bool {
        let mut allowed = false;
        let mut at = Some(app);
        while let Some(a) = at {
            let hit = |map: &HashMap<String, HashMap<String, HashSet<String>>>| {
                map.get(a).is_some_and(|subjects| {
                    std::iter::once(user)
                        .chain(groups.iter().map(String::as_str))
                        .any(|s| subjects.get(s).is_some_and(|acts| acts.contains(action)))
                })
            };
            if hit(&self.deny) {
                return false;
            }
            allowed |= hit(&self.allow);
            at = self.parent.get(a).map(String::as_str);
        }
        allowed
    }
}

/// Current resident memory in KiB (`VmRSS`).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

struct Row {
    engine: String,
    queries: usize,
    seconds: f64,
    agree: String,
}

fn print_rows(rows: &[Row]) {
    println!("| engine | queries | total | µs/check | agreement with reference |");
    println!("|---|---:|---:|---:|---|");
    for r in rows {
        println!(
            "| {} | {} | {:.3} s | {:.3} | {} |",
            r.engine,
            r.queries,
            r.seconds,
            r.seconds * 1e6 / r.queries as f64,
            r.agree
        );
    }
}

fn uid(ty: &str, id: &str) -> Res<EntityUid> {
    Ok(EntityUid::from_type_name_and_id(
        EntityTypeName::from_str(ty)?,
        EntityId::new(id),
    ))
}

fn cedar_subject(subject: &str) -> String {
    match subject.strip_prefix("group:") {
        Some(g) => format!("principal in Group::\"{g}\""),
        None => format!(
            "principal == User::\"{}\"",
            subject.trim_start_matches("user:")
        ),
    }
}

fn cedar_setup(w: &Workload) -> Res<(PolicySet, Entities)> {
    let mut entities = Vec::new();
    for (i, p) in w.parent.iter().enumerate() {
        let parents = p
            .iter()
            .map(|&p| uid("App", &app_name(p)))
            .collect::<Res<HashSet<_>>>()?;
        entities.push(Entity::new_no_attrs(uid("App", &app_name(i))?, parents));
    }
    for g in 0..w.group_users.len() {
        entities.push(Entity::new_no_attrs(
            uid("Group", &format!("g{g}"))?,
            HashSet::new(),
        ));
    }
    for (u, gs) in w.user_groups.iter().enumerate() {
        let parents = gs
            .iter()
            .map(|g| uid("Group", &format!("g{g}")))
            .collect::<Res<HashSet<_>>>()?;
        entities.push(Entity::new_no_attrs(
            uid("User", &format!("u{u}"))?,
            parents,
        ));
    }
    let mut text = String::new();
    for (effect, rules) in [("permit", &w.grants), ("forbid", &w.denies)] {
        for r in rules {
            let actions: Vec<String> = concrete(r)
                .iter()
                .map(|&a| format!("Action::\"{}\"", ACTIONS[a]))
                .collect();
            text.push_str(&format!(
                "{effect}({}, action in [{}], resource in App::\"{}\");\n",
                cedar_subject(&r.subject),
                actions.join(", "),
                app_name(r.app)
            ));
        }
    }
    Ok((
        PolicySet::from_str(&text)?,
        Entities::from_entities(entities, None)?,
    ))
}

async fn casbin_setup(w: &Workload, max_depth: usize) -> Res<Enforcer> {
    let model = DefaultModel::from_str(
        "[request_definition]\nr = sub, obj, act\n[policy_definition]\np = sub, obj, act, eft\n\
         [role_definition]\ng = _, _\ng2 = _, _\n[policy_effect]\n\
         e = some(where (p.eft == allow)) && !some(where (p.eft == deny))\n\
         [matchers]\nm = g(r.sub, p.sub) && g2(r.obj, p.obj) && r.act == p.act\n",
    )
    .await?;
    let mut e = Enforcer::new(model, MemoryAdapter::default()).await?;
    e.set_role_manager(Arc::new(parking_lot::RwLock::new(DefaultRoleManager::new(
        max_depth,
    ))))?;
    let mut policies = Vec::new();
    for (eft, rules) in [("allow", &w.grants), ("deny", &w.denies)] {
        for r in rules {
            for a in concrete(r) {
                policies.push(vec![
                    r.subject.clone(),
                    app_name(r.app),
                    ACTIONS[a].to_string(),
                    eft.to_string(),
                ]);
            }
        }
    }
    e.add_policies(policies).await?;
    let mut links: Vec<Vec<String>> = Vec::new();
    for (u, gs) in w.user_groups.iter().enumerate() {
        for g in gs {
            links.push(vec![format!("user:u{u}"), format!("group:g{g}")]);
        }
    }
    e.add_grouping_policies(links).await?;
    let app_links: Vec<Vec<String>> = w
        .parent
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| vec![app_name(i), app_name(p)]))
        .collect();
    e.add_named_grouping_policies("g2", app_links).await?;
    Ok(e)
}

#[allow(
    clippy::too_many_arguments,
    reason = "one row of the benchmark table: every figure is its own argument"
)]
fn run(
    apps: usize,
    groups: usize,
    users: usize,
    grants: usize,
    denies: usize,
    queries: usize,
    engines: bool,
) -> Res<()> {
    println!(
        "\n## {apps} apps, {groups} groups, {users} users, {grants} grants, {denies} denies, {queries} queries"
    );
    let w = generate(apps, groups, users, grants, denies, queries);
    println!("max depth {}", w.depth.iter().max().unwrap_or(&0));
    let text = manifest_json(&w);
    let size_kib = text.len() as u64 / 1024;
    let path = std::env::temp_dir().join(format!("aoa-bench-access-{apps}.json"));
    std::fs::write(&path, &text)?;
    // Load in a fresh process, so that its memory is the manifest's alone.
    let child = std::process::Command::new(std::env::current_exe()?)
        .arg("--measure-load")
        .arg(&path)
        .output()?;
    println!(
        "manifest {size_kib} KiB (pretty JSON); {}",
        String::from_utf8_lossy(&child.stdout).trim()
    );
    let t = Instant::now();
    let m = Manifest::from_str(&text, Format::Json)?;
    let access = m.access();
    println!(
        "load + validation + access index in this process: {:.3} s",
        t.elapsed().as_secs_f64()
    );

    let names: Vec<String> = (0..apps).map(app_name).collect();
    let users_s: Vec<String> = (0..users).map(|u| format!("user:u{u}")).collect();
    let groups_s: Vec<Vec<String>> = w
        .user_groups
        .iter()
        .map(|gs| gs.iter().map(|g| format!("group:g{g}")).collect())
        .collect();
    let reference = Reference::new(&w);
    let mut rows = Vec::new();

    let t = Instant::now();
    let expected: Vec<bool> = w
        .queries
        .iter()
        .map(|&(u, a, app)| reference.check(&users_s[u], &groups_s[u], ACTIONS[a], &names[app]))
        .collect();
    rows.push(Row {
        engine: "reference (hash maps by name, walk to root)".into(),
        queries: w.queries.len(),
        seconds: t.elapsed().as_secs_f64(),
        agree: "oracle".into(),
    });
    let allowed = expected.iter().filter(|&&b| b).count();
    println!("{allowed} of {} queries allowed", expected.len());

    let t = Instant::now();
    let mut got = Vec::with_capacity(w.queries.len());
    for &(u, a, app) in &w.queries {
        got.push(
            access
                .check(&users_s[u], &groups_s[u], ACTIONS[a], &names[app])?
                .allowed,
        );
    }
    let seconds = t.elapsed().as_secs_f64();
    assert_eq!(got, expected, "aoa disagrees with the reference");
    rows.push(Row {
        engine: "aoa check (by names, with reasons)".into(),
        queries: got.len(),
        seconds,
        agree: "all equal (asserted)".into(),
    });

    if std::env::var_os("AOA_BENCH_DETAIL").is_some() {
        let time = |label: &str, f: &dyn Fn(usize, usize, usize) -> bool| {
            let t = Instant::now();
            let n = w
                .queries
                .iter()
                .filter(|&&(u, a, app)| f(u, a, app))
                .count();
            println!(
                "  detail {label}: {:.3} µs/query ({n})",
                t.elapsed().as_secs_f64() * 1e6 / w.queries.len() as f64
            );
        };
        for _ in 0..std::env::var("AOA_BENCH_REPEAT")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(0)
        {
            time("check again (repeat)", &|u, a, app| {
                access
                    .check(&users_s[u], &groups_s[u], ACTIONS[a], &names[app])
                    .is_ok_and(|d| d.allowed)
            });
        }
        time("check again (locations cached)", &|u, a, app| {
            access
                .check(&users_s[u], &groups_s[u], ACTIONS[a], &names[app])
                .is_ok_and(|d| d.allowed)
        });
        time("app name lookup", &|_, _, app| m.id(&names[app]).is_some());
        time("check_id", &|u, a, app| {
            access
                .check_id(
                    &users_s[u],
                    &groups_s[u],
                    ACTIONS[a],
                    aoa_core::AppId(app as u32),
                )
                .is_ok_and(|d| d.allowed)
        });
    }
    if engines {
        let slice = &w.queries[..1_000.min(w.queries.len())];
        let (policies, entities) = cedar_setup(&w)?;
        let authorizer = Authorizer::new();
        let t = Instant::now();
        for (i, &(u, a, app)) in slice.iter().enumerate() {
            let request = Request::new(
                uid("User", &format!("u{u}"))?,
                uid("Action", ACTIONS[a])?,
                uid("App", &names[app])?,
                Context::empty(),
                None,
            )?;
            let ok = authorizer
                .is_authorized(&request, &policies, &entities)
                .decision()
                == cedar_policy::Decision::Allow;
            assert_eq!(ok, expected[i], "cedar disagrees on query {i}");
        }
        rows.push(Row {
            engine: "cedar-policy 4 (permit/forbid per rule, `resource in`)".into(),
            queries: slice.len(),
            seconds: t.elapsed().as_secs_f64(),
            agree: "all equal (asserted)".into(),
        });
        drop((policies, entities));

        let runtime = tokio::runtime::Builder::new_current_thread().build()?;
        let slice = &w.queries[..200.min(w.queries.len())];
        for depth in [10usize, 64] {
            let e = runtime.block_on(casbin_setup(&w, depth))?;
            let t = Instant::now();
            let mut wrong = 0;
            for (i, &(u, a, app)) in slice.iter().enumerate() {
                let ok = e.enforce((users_s[u].as_str(), names[app].as_str(), ACTIONS[a]))?;
                wrong += usize::from(ok != expected[i]);
            }
            let seconds = t.elapsed().as_secs_f64();
            let agree = if depth == 10 {
                format!(
                    "{wrong} wrong of {} (default depth limit 10, no error)",
                    slice.len()
                )
            } else {
                assert_eq!(wrong, 0, "casbin (depth {depth}) disagrees");
                "all equal (asserted)".into()
            };
            rows.push(Row {
                engine: format!("casbin 2 (g + g2, max depth {depth})"),
                queries: slice.len(),
                seconds,
                agree,
            });
        }
    }
    print_rows(&rows);
    let reference_us = rows[0].seconds * 1e6 / rows[0].queries as f64;
    let aoa_us = rows[1].seconds * 1e6 / rows[1].queries as f64;
    println!(
        "aoa vs reference: {:.1}× the throughput",
        reference_us / aoa_us
    );

    if !engines {
        println!(
            "peak RSS so far: {} KiB",
            aoa_bench::peak_rss_kib().unwrap_or(0)
        );
        return Ok(());
    }
    let t = Instant::now();
    let mut entries = 0usize;
    for id in m.ids() {
        entries += access
            .effective_id(id)
            .subjects
            .iter()
            .map(|s| s.allowed.len())
            .sum::<usize>();
    }
    println!(
        "all effective permissions of every app: {:.3} s ({entries} subject-action pairs)",
        t.elapsed().as_secs_f64()
    );
    println!(
        "peak RSS so far: {} KiB",
        aoa_bench::peak_rss_kib().unwrap_or(0)
    );
    Ok(())
}

/// `--measure-load PATH`: loads one manifest and reports time and memory (run in a child process).
fn measure_load(path: &str) -> Res<()> {
    let text = std::fs::read_to_string(path)?;
    let before = rss_kib();
    let t = Instant::now();
    let m = Manifest::from_str(&text, Format::Json)?;
    let _ = m.access();
    let seconds = t.elapsed().as_secs_f64();
    let grew = aoa_bench::peak_rss_kib()
        .unwrap_or(0)
        .saturating_sub(before);
    let size = text.len() as u64 / 1024;
    println!(
        "load + validation + access index {seconds:.3} s; peak memory of the load {grew} KiB = {:.2}× the manifest",
        grew as f64 / size.max(1) as f64
    );
    Ok(())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--measure-load") {
        return measure_load(args.get(pos + 1).map_or("", String::as_str));
    }
    let quick = args.iter().any(|a| a == "--quick");
    let engines = !args.iter().any(|a| a == "--no-engines");
    run(100_000, 2_000, 20_000, 10_000, 1_000, 210_000, engines)?;
    if !quick {
        run(1_000_000, 20_000, 200_000, 100_000, 10_000, 210_000, false)?;
    }
    Ok(())
}

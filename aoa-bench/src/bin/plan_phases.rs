//! In-process phases of `aoa plan` on one manifest file, through the aoa-core API.
//!
//! Usage: `plan_phases FILE.json [--reps N]`
//!
//! Prints one JSON line: `read_ms` (the file's text), `load_ms` (parse + validate + build:
//! `Manifest::from_sources`), `graph_ms` (successor CSR, built on first use), `plan_ms` (Kahn layering +
//! the plan's waves of names), `json_ms` (serializing the plan as `aoa plan --output json` does, into
//! memory), `impacted` of the meta file's `query_random` and `query_root` apps once the graph is built
//! (median of `--reps` runs), `drop_ms` (freeing everything), `peak_rss_kib`, and the wave summary the
//! peers print (`waves`, `max_wave`, `placed`, `checksum`). Each phase also reports the CPU time of
//! the whole process (all threads) as `cpu.PHASE`, which a busy shared machine distorts far less than
//! wall time.

use aoa_bench::process_cpu_ms;
use aoa_core::{Error, Manifest, Plan, PlanOptions};
use serde_json::{Map, Value, json};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with("--") && !a.chars().all(|c| c.is_ascii_digit()))
        .ok_or("usage: plan_phases FILE.json [--reps N]")?
        .clone();
    let reps: usize = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(5);
    let mut out = Map::new();
    out.insert("tool".into(), json!("aoa-core"));
    out.insert(
        "file".into(),
        json!(path.rsplit('/').next().unwrap_or(&path)),
    );

    let mut cpu = Map::new();
    let mut c = process_cpu_ms();
    let mut lap = |name: &str, c: &mut f64| {
        let now = process_cpu_ms();
        cpu.insert(name.into(), json!(now - *c));
        *c = now;
    };
    let t = Instant::now();
    let sources = aoa_core::source::read_path(path.as_ref())?;
    out.insert("read_ms".into(), json!(ms(t)));
    lap("read", &mut c);

    let t = Instant::now();
    let m = Manifest::from_sources(sources)?;
    out.insert("load_ms".into(), json!(ms(t)));
    lap("load", &mut c);
    out.insert("n".into(), json!(m.len()));

    let t = Instant::now();
    let edges = m.edge_count();
    out.insert("graph_ms".into(), json!(ms(t)));
    lap("graph", &mut c);
    out.insert("m".into(), json!(edges));

    let options = PlanOptions::default();
    let t = Instant::now();
    let planned = m.plan(&options);
    let plan_ms = ms(t);
    out.insert("plan_ms".into(), json!(plan_ms));
    out.insert("algo_ms".into(), json!(plan_ms));
    lap("plan", &mut c);

    match &planned {
        Ok(plan) => {
            summarize(plan, &mut out);
            let t = Instant::now();
            let mut buf = Vec::new();
            serde_json::to_writer(&mut buf, plan)?;
            out.insert("json_ms".into(), json!(ms(t)));
            out.insert("json_bytes".into(), json!(buf.len()));
            lap("json", &mut c);
            // The layering is cached: a second plan() costs only the waves of names.
            let t = Instant::now();
            let again = m.plan(&options)?;
            out.insert("plan_cached_ms".into(), json!(ms(t)));
            drop(again);
        }
        Err(Error::Cycle { cycles }) => {
            out.insert("error".into(), json!("cycle"));
            out.insert("cycles".into(), json!(cycles.len()));
            out.insert(
                "reported".into(),
                json!(
                    cycles
                        .first()
                        .map(|c| c.members.clone())
                        .unwrap_or_default()
                ),
            );
        }
        Err(e) => return Err(e.clone().into()),
    }
    drop(planned);

    // The lower bound of an impacted *set* (ids only, no sub-plan): a DFS over a successor CSR like the
    // one aoa-core caches, rebuilt here from the public API because the core's is private.
    let (succ_start, succ) = successor_csr(&m);
    if let Some(meta) = read_meta(&path) {
        for key in ["query_random", "query_root"] {
            let Some(q) = meta.get(key).and_then(Value::as_str) else {
                continue;
            };
            let mut times = Vec::with_capacity(reps);
            let mut impacted = 0;
            let mut error = None;
            for _ in 0..reps.max(1) {
                let t = Instant::now();
                match m.impacted(&[q], &options) {
                    Ok(plan) => impacted = plan.app_count.saturating_sub(1),
                    Err(e) => error = Some(e.code().as_str()),
                }
                times.push(ms(t));
            }
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            let start = m.id(q).map_or(0, |id| id.0);
            let mut closure = Vec::with_capacity(reps);
            let mut reached = 0;
            for _ in 0..reps.max(1) {
                let t = Instant::now();
                reached = reachable(&succ_start, &succ, start);
                closure.push(ms(t));
            }
            closure.sort_by(f64::total_cmp);
            let closure_ms = closure[closure.len() / 2];
            out.insert(
                key.into(),
                json!({
                    "impacted": impacted,
                    "algo_ms": median,
                    "min": times[0],
                    "max": times[times.len() - 1],
                    "pct_of_plan": 100.0 * median / plan_ms.max(1e-9),
                    "error": error,
                    "set_only_ms": closure_ms,
                    "set_only_reached": reached,
                    "set_only_pct_of_plan": 100.0 * closure_ms / plan_ms.max(1e-9),
                }),
            );
        }
    }

    lap("impacted", &mut c);
    out.insert("peak_rss_kib".into(), json!(aoa_bench::peak_rss_kib()));
    let t = Instant::now();
    drop(m);
    out.insert("drop_ms".into(), json!(ms(t)));
    lap("drop", &mut c);
    out.insert("cpu".into(), Value::Object(cpu));
    println!("{}", Value::Object(out));
    Ok(())
}

fn summarize(plan: &Plan<'_>, out: &mut Map<String, Value>) {
    let sizes: Vec<usize> = plan
        .waves
        .iter()
        .map(|w| w.batches.iter().map(Vec::len).sum())
        .collect();
    out.insert("waves".into(), json!(sizes.len()));
    out.insert(
        "max_wave".into(),
        json!(sizes.iter().copied().max().unwrap_or(0)),
    );
    out.insert("placed".into(), json!(sizes.iter().sum::<usize>()));
    out.insert(
        "checksum".into(),
        json!(sizes.iter().enumerate().map(|(i, s)| i * s).sum::<usize>()),
    );
    out.insert("critical_path".into(), json!(plan.critical_path.len()));
}

/// Successors of every app (children and dependents), as a CSR.
fn successor_csr(m: &Manifest) -> (Vec<u32>, Vec<u32>) {
    let n = m.len();
    let mut start = vec![0u32; n + 1];
    for v in m.ids() {
        for p in m.predecessors(v) {
            start[p.index() + 1] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut succ = vec![0u32; start[n] as usize];
    for v in m.ids() {
        for p in m.predecessors(v) {
            succ[fill[p.index()] as usize] = v.0;
            fill[p.index()] += 1;
        }
    }
    (start, succ)
}

/// How many apps are reachable from `from` (itself excluded).
fn reachable(start: &[u32], succ: &[u32], from: u32) -> usize {
    let mut seen = vec![false; start.len() - 1];
    let mut stack = vec![from];
    seen[from as usize] = true;
    let mut count = 0;
    while let Some(v) = stack.pop() {
        for &s in &succ[start[v as usize] as usize..start[v as usize + 1] as usize] {
            if !seen[s as usize] {
                seen[s as usize] = true;
                count += 1;
                stack.push(s);
            }
        }
    }
    count
}

fn read_meta(path: &str) -> Option<Value> {
    let meta = path.strip_suffix(".json")?.to_string() + ".meta.json";
    serde_json::from_str(&std::fs::read_to_string(meta).ok()?).ok()
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

//! Store benchmark (not a test): registry apply of a generated workload against a raw baseline of the same
//! rows measured in the same run, a no-change re-apply, and audit appends with durable commits.
//!
//! `cargo run --release -p aoa-store --example store_bench -- WORKLOAD.json STORE_URL`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark fails loudly"
)]

use aoa_core::dispatch::records_from_json;
use aoa_store::{ApplyOptions, NewEvent, Options, Row};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (file, url) = (&args[1], &args[2]);
    let text = std::fs::read_to_string(file).unwrap();
    // Labels, owners and versions added, as the issue asks.
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (i, app) in doc["apps"].as_array_mut().unwrap().iter_mut().enumerate() {
        app["owner"] = format!("team-{}", i % 50).into();
        app["version"] = "v1".into();
        app["labels"] = serde_json::json!({"env": if i % 3 == 0 { "prod" } else { "dev" }, "tier": format!("t{}", i % 7)});
    }
    let t = Instant::now();
    let manifest = records_from_json(&doc["apps"].to_string()).unwrap();
    let load = t.elapsed().as_secs_f64();
    let n = manifest.len();
    let stamp = std::process::id();
    let reg = format!("bench-{stamp}");
    let mut store = aoa_store::open(
        url,
        Options {
            registry: reg,
            ..Options::default()
        },
    )
    .unwrap();

    // Raw baseline: the same rows, one transaction, the backend's plain bulk path.
    let t = Instant::now();
    let records = aoa_store::registry::records_of(&manifest, "bench").unwrap();
    let records_s = t.elapsed().as_secs_f64();
    let raw_reg = format!("raw-{stamp}");
    let rows: Vec<Row> = records.iter().map(|r| r.row(&raw_reg, 0)).collect();
    let sqlite = url.starts_with("sqlite:");
    let t = Instant::now();
    {
        let mut tx = store.store().begin().unwrap();
        let head = format!(
            "INSERT INTO aoa_apps (registry_id, {})",
            aoa_store::registry::record::COLUMNS
        );
        if sqlite {
            // Prepared single-row inserts (cached statement) in one transaction.
            let marks: Vec<String> = (1..=rows[0].len()).map(|i| format!("?{i}")).collect();
            let sql = format!("{head} VALUES ({})", marks.join(", "));
            for r in &rows {
                tx.execute(&sql, r).unwrap();
            }
        } else {
            // Multi-row INSERT ... ON CONFLICT, 1000 rows a statement.
            tx.insert_many(&head, "ON CONFLICT (registry_id, app) DO NOTHING", &rows)
                .unwrap();
        }
        tx.commit().unwrap();
    }
    let raw = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let first = store
        .apply(
            &manifest,
            ApplyOptions {
                allow_gain: true,
                dry_run: false,
            },
        )
        .unwrap();
    let apply = t.elapsed().as_secs_f64();
    assert_eq!(first.added, n);
    let t = Instant::now();
    let again = store.apply(&manifest, ApplyOptions::default()).unwrap();
    let reapply = t.elapsed().as_secs_f64();
    assert_eq!(again.unchanged, n);
    let t = Instant::now();
    let current = store.list().unwrap();
    let read_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let _ = aoa_store::registry::plan(&current, &records);
    let plan_s = t.elapsed().as_secs_f64();

    // Audit appends: one event per durable commit, then 100 per commit (group commit).
    let singles = 300;
    let t = Instant::now();
    for i in 0..singles {
        store
            .record(vec![
                NewEvent::new("bench.decision", Some("app")).with("i", i.to_string()),
            ])
            .unwrap();
    }
    let single_rate = f64::from(singles) / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for b in 0..50 {
        let batch = (0..100)
            .map(|i| NewEvent::new("bench.decision", Some("app")).with("i", format!("{b}-{i}")));
        store.record(batch.collect()).unwrap();
    }
    let group_rate = 5000.0 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let v = store.verify().unwrap();
    let verify = t.elapsed().as_secs_f64();
    assert!(v.ok);
    println!(
        "{}",
        serde_json::json!({
            "workload": file, "store": if sqlite { "sqlite" } else { "postgres" }, "apps": n, "load_s": load,
            "raw_insert_s": raw, "apply_s": apply, "apply_over_raw": apply / raw,
            "reapply_s": reapply, "reapply_over_apply": reapply / apply,
            "audit_events_per_s_one_per_commit": single_rate,
            "audit_events_per_s_100_per_commit": group_rate,
            "verify_s": verify, "events": v.events,
            "records_of_s": records_s, "read_all_s": read_s, "plan_s": plan_s,
        })
    );
}

//! The floor of the planner benchmark: read a manifest file and parse it with serde_json into owned
//! structs, nothing else. `aoa plan` on the same file is measured against this program's whole-process time.
//!
//! Usage: `floor FILE.json` — prints one JSON line of timings.

use serde::Deserialize;
use std::time::Instant;

/// One app record, owned.
#[derive(Deserialize)]
#[allow(
    dead_code,
    reason = "the floor parses every field a manifest record has, read or not"
)]
struct App {
    name: String,
    parent: Option<String>,
    depends_on: Vec<String>,
}

/// The document.
#[derive(Deserialize)]
struct Doc {
    apps: Vec<App>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: floor FILE.json")?;
    let t0 = Instant::now();
    let text = std::fs::read_to_string(&path)?;
    let read_ms = ms(t0);
    let t1 = Instant::now();
    let doc: Doc = serde_json::from_str(&text)?;
    let parse_ms = ms(t1);
    let n = doc.apps.len();
    let edges: usize = doc
        .apps
        .iter()
        .map(|a| a.depends_on.len() + usize::from(a.parent.is_some()))
        .sum();
    let peak = aoa_bench::peak_rss_kib().unwrap_or(0);
    let t2 = Instant::now();
    drop(doc);
    drop(text);
    let drop_ms = ms(t2);
    println!(
        "{{\"tool\":\"floor\",\"n\":{n},\"m\":{edges},\"read_ms\":{read_ms:.3},\"parse_ms\":{parse_ms:.3},\"drop_ms\":{drop_ms:.3},\"algo_ms\":0,\"peak_rss_kib\":{peak}}}"
    );
    Ok(())
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

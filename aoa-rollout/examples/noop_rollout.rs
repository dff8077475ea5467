//! Rolls out a manifest with no-op Rust callbacks and prints the time per app as JSON (the baseline of the
//! bindings' figures in `bench/rollout.sh`).
//!
//! Usage: cargo run --release -p aoa-rollout --example noop_rollout -- MANIFEST [RUNS]

use aoa_core::Manifest;
use aoa_rollout::{Callbacks, DeployRequest, MemoryJournal, Options, Rollout};
use std::sync::Arc;
use std::time::Instant;

/// Deploys nothing.
struct Noop;

impl Callbacks for Noop {
    fn deploy(&self, _: &DeployRequest<'_>) -> Result<(), String> {
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: noop_rollout MANIFEST [RUNS]")?;
    let runs: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let manifest = Manifest::from_path(&path)?;
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let start = Instant::now();
        let report = Rollout::new(&manifest, Options::default()).run(
            Arc::new(Noop),
            &mut MemoryJournal::default(),
            &mut |_| {},
        )?;
        best = best.min(start.elapsed().as_secs_f64());
        assert_eq!(report.counts.succeeded as usize, manifest.len());
    }
    let apps = manifest.len();
    let per_app = best * 1e6 / apps as f64;
    println!(
        r#"{{"binding": "rust", "apps": {apps}, "seconds": {best:.3}, "us_per_app": {per_app:.2}}}"#
    );
    Ok(())
}

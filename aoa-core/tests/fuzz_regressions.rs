//! The fuzz targets' seed corpus and every crash input the fuzzer found, fed to the same functions on the
//! stable toolchain (issue 10, item 8). Fuzzing itself is `fuzz/` (cargo-fuzz; see the README, "Fuzzing");
//! a crash input goes to `fuzz/regressions/<target>/` and stays a test here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "the fuzz entries assert what must hold, and tests fail loudly"
)]

mod fuzz_entries;

use std::path::Path;

#[test]
fn every_seed_and_crash_input_runs_without_a_panic() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut ran = 0;
    for (target, run) in fuzz_entries::TARGETS {
        let mut files = 0;
        for dir in ["seeds", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
                continue;
            };
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                let data = std::fs::read(&path).unwrap();
                let outcome = std::panic::catch_unwind(|| run(&data));
                assert!(outcome.is_ok(), "{target}: {} panics", path.display());
                files += 1;
            }
        }
        assert!(files > 0, "no seed for fuzz target {target}");
        ran += files;
    }
    assert!(ran >= 30, "only {ran} inputs");
}

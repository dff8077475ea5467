//! Fuzz target `manifest_yaml`: see `aoa-core/tests/fuzz_entries/mod.rs`.
#![no_main]

#[path = "../../aoa-core/tests/fuzz_entries/mod.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::manifest_yaml(data));

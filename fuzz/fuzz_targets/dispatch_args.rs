//! Fuzz target `dispatch_args`: see `aoa-core/tests/fuzz_entries/mod.rs`.
#![no_main]

#[path = "../../aoa-core/tests/fuzz_entries/mod.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::dispatch_args(data));

//! Fuzz target `avro_schema`: see `aoa-core/tests/fuzz_entries/mod.rs`.
#![no_main]

#[path = "../../aoa-core/tests/fuzz_entries/mod.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entries::avro_schema(data));

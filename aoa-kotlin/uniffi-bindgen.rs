//! The uniffi binding generator, pinned to this crate's uniffi version: `cargo run -p aoa-kotlin --bin
//! uniffi-bindgen -- generate --library target/debug/libaoa_kotlin.so --language kotlin --out-dir OUT`.

fn main() {
    uniffi::uniffi_bindgen_main()
}

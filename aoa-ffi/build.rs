//! Generates `include/aoa.h` from the crate's `extern "C"` items with cbindgen (written only when it changes).

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    println!("cargo::rerun-if-changed=src");
    println!("cargo::rerun-if-changed=cbindgen.toml");
    let config = match cbindgen::Config::from_file(format!("{dir}/cbindgen.toml")) {
        Ok(config) => config,
        Err(e) => {
            println!("cargo::error=cannot read cbindgen.toml: {e}");
            return;
        }
    };
    match cbindgen::generate_with_config(&dir, config) {
        Ok(bindings) => {
            bindings.write_to_file(format!("{dir}/include/aoa.h"));
        }
        Err(e) => println!("cargo::error=cannot generate include/aoa.h: {e}"),
    }
}

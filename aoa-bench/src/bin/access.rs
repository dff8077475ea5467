//! Permission benchmark (stub while the engines build).
fn main() {}

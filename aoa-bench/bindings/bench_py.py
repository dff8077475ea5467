#!/usr/bin/env python3
"""aoa's Python binding against rustworkx and networkx, in one process, on records already in memory.

Usage: python bench_py.py FILE.json [--runs N] [--peers rustworkx,networkx]
  (FILE from ../shared/bench/gen_workloads.py; needs `aoa` installed, plus rustworkx and networkx)

Each tool builds its graph from the same list of dicts and computes rollout waves with names (the peers' code is
the one of ../shared/bench/bench_py.py); aoa's figure is `aoa.Manifest.from_apps(records).plan()` end to end,
which also validates every record, sorts each wave by name and finds the critical path. Prints one JSON line
with the median milliseconds per tool and the speedups; then the per-call overhead of trivial calls.
"""

import argparse
import json
import statistics
import sys
import time
import timeit

import aoa

pc = time.perf_counter


def preds_of(rec):
    p = rec.get("parent")
    d = rec.get("depends_on") or []
    return d + [p] if p is not None else d


def run_aoa(records):
    t0 = pc()
    m = aoa.Manifest.from_apps(records)
    t1 = pc()
    plan = m.plan()
    t2 = pc()
    return {"total": (t2 - t0) * 1e3, "from_apps": (t1 - t0) * 1e3, "plan": (t2 - t1) * 1e3,
            "waves": len(plan["waves"]), "placed": plan["app_count"]}


def run_rustworkx(records):
    import rustworkx as rx
    t0 = pc()
    g = rx.PyDiGraph()
    names = [rec["name"] for rec in records]
    idx = g.add_nodes_from(names)
    index = dict(zip(names, idx))
    g.add_edges_from_no_data([(index[p], index[rec["name"]]) for rec in records for p in preds_of(rec)])
    gens = rx.topological_generations(g)
    waves = [[g[i] for i in gen] for gen in gens]
    return {"total": (pc() - t0) * 1e3, "waves": len(waves), "placed": sum(map(len, waves))}


def run_networkx(records):
    import networkx as nx
    t0 = pc()
    G = nx.DiGraph()
    G.add_nodes_from(rec["name"] for rec in records)
    G.add_edges_from((p, rec["name"]) for rec in records for p in preds_of(rec))
    waves = list(nx.topological_generations(G))
    return {"total": (pc() - t0) * 1e3, "waves": len(waves), "placed": sum(map(len, waves))}


def median_of(fn, records, runs):
    results = [fn(records) for _ in range(runs)]
    out = {k: statistics.median(r[k] for r in results) for k in results[0]}
    out["runs_ms"] = [round(r["total"], 1) for r in results]
    return out


def overhead():
    m = aoa.Manifest.from_apps([{"name": "a"}, {"name": "b", "depends_on": ["a"]}])
    out = {}
    for label, stmt in [("len", lambda: len(m)), ("cycles", m.cycles), ("plan_2_apps", m.plan)]:
        n = 200_000 if label != "plan_2_apps" else 50_000
        best = min(timeit.repeat(stmt, number=n, repeat=5)) / n
        out[label + "_us"] = round(best * 1e6, 3)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peers", default="rustworkx,networkx")
    a = ap.parse_args()
    with open(a.file) as f:
        records = json.load(f)["apps"]
    out = {"file": a.file.rsplit("/", 1)[-1], "n": len(records), "python": sys.version.split()[0]}
    out["aoa"] = median_of(run_aoa, records, a.runs)
    for peer in filter(None, a.peers.split(",")):
        fn = {"rustworkx": run_rustworkx, "networkx": run_networkx}[peer]
        out[peer] = median_of(fn, records, a.runs)
        assert out[peer]["waves"] == out["aoa"]["waves"], (peer, out[peer]["waves"], out["aoa"]["waves"])
        out[f"speedup_vs_{peer}"] = round(out[peer]["total"] / out["aoa"]["total"], 1)
    out["overhead"] = overhead()
    print(json.dumps(out))


if __name__ == "__main__":
    main()

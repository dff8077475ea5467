#!/usr/bin/env python3
"""Loads examples/platform and prints its rollout plan, then what a change to platform/vault impacts."""

import sys
from pathlib import Path

import aoa

root = Path(__file__).resolve().parents[2]
try:
    manifest = aoa.load(root / "examples" / "platform")
    plan = manifest.plan(max_parallel=3)
except aoa.AoaError as e:
    for d in e.diagnostics:
        print(f"error: {d['message']}" + (f"; hint: {d['hint']}" if d["hint"] else ""), file=sys.stderr)
    sys.exit(1)

print(f"{plan['app_count']} apps in {len(plan['waves'])} waves")
for wave in plan["waves"]:
    for n, batch in enumerate(wave["batches"], 1):
        print(f"wave {wave['index']} batch {n}: {', '.join(batch)}")
print("critical path:", " -> ".join(plan["critical_path"]))
impacted = manifest.impacted(["platform/vault"])
print("a change to platform/vault redeploys:", ", ".join(a for w in impacted["waves"] for b in w["batches"] for a in b))

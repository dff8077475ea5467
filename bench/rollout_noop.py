#!/usr/bin/env python3
"""Rolls out a manifest with no-op Python callbacks (plain and `async def`) and prints the time per app as JSON.

Usage: python bench/rollout_noop.py MANIFEST [RUNS]   (run by bench/rollout.sh)
"""

import json
import sys
import time

import aoa


def deploy(app, version, attempt, context):
    return None


async def deploy_async(app, version, attempt, context):
    return None


manifest = aoa.load(sys.argv[1])
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
for name, callback in (("python", deploy), ("python-async", deploy_async)):
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        report = manifest.rollout(callback)
        best = min(best, time.perf_counter() - start)
        assert report["counts"]["succeeded"] == len(manifest), report["counts"]
    print(json.dumps({"binding": name, "apps": len(manifest), "seconds": round(best, 3),
                      "us_per_app": round(best * 1e6 / len(manifest), 2)}))

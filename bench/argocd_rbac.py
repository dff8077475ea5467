#!/usr/bin/env python3
"""Argo CD RBAC: aoa's `can` against pycasbin running Argo's own model.conf (the reference), on one generated policy
and one set of queries; every answer must be identical.

Usage: bench/argocd_rbac.py AOA_RBAC_BINARY WORK_DIR [QUERIES]
Prints one JSON line: queries, µs per query for each engine, the speed-up, and the number of differing answers.
"""

import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import casbin

ROOT = Path(__file__).resolve().parents[2] / "shared/fixtures/argocd/argo-cd/assets"


def glob_regex(pattern: str) -> str:
    """gobwas/glob without separators as a Python regex: `*` any run, `?` one char, `[!a]`, `{a,b}`."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = pattern.index("]", i)
            body = pattern[i + 1 : j]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = j
        elif c == "{":
            j = pattern.index("}", i)
            out.append("(?:" + "|".join(re.escape(a) for a in pattern[i + 1 : j].split(",")) + ")")
            i = j
        elif c == "\\":
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "^" + "".join(out) + "$"


_cache = {}


def glob_match(value, pattern):
    regex = _cache.get(pattern)
    if regex is None:
        regex = _cache[pattern] = re.compile(glob_regex(pattern), re.S)
    return regex.match(value) is not None


def generate(work: Path, queries: int):
    rnd = random.Random(14)
    projects = [f"proj-{k}" for k in range(60)]
    lines = []
    for p in projects:
        lines += [
            f"p, role:{p}-dev, applications, get, {p}/*, allow",
            f"p, role:{p}-dev, applications, sync, {p}/*, allow",
            f"p, role:{p}-dev, logs, get, {p}/*, allow",
            f"p, role:{p}-admin, applications, *, {p}/*, allow",
            f"p, role:{p}-admin, applications, delete, {p}/prod-*, deny",
            f"p, role:{p}-admin, applications, action/argoproj.io/Rollout/*, {p}/*, allow",
            f"p, role:{p}-admin, projects, get, {p}, allow",
            f"g, role:{p}-admin, role:{p}-dev",
            f"g, team-{p}, role:{p}-dev",
        ]
    users = [f"user{u}" for u in range(800)]
    for u in users:
        for p in rnd.sample(projects, 2):
            lines.append(f"g, {u}, team-{p}" if rnd.random() < 0.7 else f"g, {u}, role:{p}-admin")
    lines += ["p, auditor, logs, get, */*, allow", "p, ci-bot, applications, sync, */*, allow",
              "p, ci-bot, applications, sync, proj-1/*, deny", "g, admin-group, role:admin"]
    subjects = users + [f"team-{p}" for p in projects] + ["auditor", "ci-bot", "admin-group", "admin", "nobody"]
    resources = ["applications", "logs", "projects", "clusters", "repositories"]
    actions = ["get", "sync", "delete", "update", "create", "action/argoproj.io/Rollout/resume", "update/*/Pod/*/*"]
    rows = []
    for _ in range(queries):
        p = rnd.choice(projects)
        res = rnd.choice(resources)
        obj = p if res == "projects" else f"{p}/{rnd.choice(['app', 'prod-db', 'web'])}-{rnd.randrange(9)}"
        rows.append((rnd.choice(subjects), res, rnd.choice(actions), obj))
    (work / "policy.csv").write_text("\n".join(lines) + "\n")
    (work / "queries.tsv").write_text("".join("\t".join(r) + "\n" for r in rows))
    return rows, len(lines)


def main():
    binary, work = sys.argv[1], Path(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
    work.mkdir(parents=True, exist_ok=True)
    rows, lines = generate(work, count)
    default_role = "role:readonly"
    (work / "all.csv").write_text((ROOT / "builtin-policy.csv").read_text() + "\n" + (work / "policy.csv").read_text())
    enforcer = casbin.Enforcer(str(ROOT / "model.conf"), str(work / "all.csv"))
    enforcer.add_function("globOrRegexMatch", glob_match)

    def can(sub, res, act, obj):  # util/rbac enforce: the default role first, then the subject
        return enforcer.enforce(default_role, res, act, obj) or enforcer.enforce(sub, res, act, obj)

    can(*rows[0])
    start = time.perf_counter()
    reference = [can(*r) for r in rows]
    casbin_us = (time.perf_counter() - start) * 1e6 / len(rows)
    out = subprocess.run([binary, str(work / "policy.csv"), default_role, str(work / "queries.tsv"), str(work / "answers.txt")],
                         check=True, capture_output=True, text=True).stdout
    aoa = json.loads(out)
    answers = [a == "allow" for a in (work / "answers.txt").read_text().split()]
    differ = [i for i, (a, b) in enumerate(zip(answers, reference)) if a != b]
    print(json.dumps({"queries": len(rows), "policy_lines": lines, "allowed": sum(reference),
                      "pycasbin_us_per_query": round(casbin_us, 2), "aoa_us_per_query": aoa["us_per_query"],
                      "speedup": round(casbin_us / aoa["us_per_query"], 1), "differing_answers": len(differ),
                      "first_differences": [rows[i] for i in differ[:5]]}))
    sys.exit(1 if differ or len(answers) != len(reference) else 0)


if __name__ == "__main__":
    main()

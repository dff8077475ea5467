#!/usr/bin/env python3
"""Counts the hand-written code lines of every binding (issue 9's goal: at most 500 in all).

A code line is a line that is not blank and not only a comment or a docstring. Generated files (the C header,
`index.d.ts`, the `.pyi` result types) and tests are not counted. Usage: python3 tools/binding_lines.py [--markdown]
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Each binding's hand-written sources (globs from the repository root).
BINDINGS = {
    "Python (aoa-py)": ["aoa-py/src/**/*.rs", "aoa-py/python/aoa/*.py", "aoa-py/python/aoa/*.pyi"],
    "Node (aoa-node)": ["aoa-node/src/**/*.rs", "aoa-node/*.js", "aoa-node/dts-header.d.ts"],
    "C (aoa-ffi)": ["aoa-ffi/src/**/*.rs"],
    "Kotlin (aoa-kotlin)": ["aoa-kotlin/src/**/*.rs", "aoa-kotlin/*.rs", "aoa-kotlin/src/**/*.kt"],
}
GENERATED = re.compile(r"generated|do not edit", re.IGNORECASE)


def code_lines(path: Path) -> int:
    text = path.read_text()
    if GENERATED.search("\n".join(text.splitlines()[:3])) and path.name != "dts-header.d.ts":
        return 0
    if path.suffix == ".rs":  # unit tests are tests, not binding code
        text = re.split(r"\n#\[cfg\(test\)\]", text)[0]
    python = path.suffix in (".py", ".pyi")
    count, in_block, in_doc = 0, False, None
    for raw in text.splitlines():
        line = raw.strip()
        if python:
            if in_doc:
                if in_doc in line:
                    in_doc = None
                continue
            for quote in ('"""', "'''"):
                if line.startswith(quote):
                    if line.count(quote) == 1:
                        in_doc = quote
                    line = ""
            if line.startswith("#"):
                line = ""
        else:
            if in_block:
                if "*/" in line:
                    in_block = False
                continue
            if line.startswith("/*"):
                in_block = "*/" not in line
                continue
            if line.startswith("//") or line.startswith("*"):
                line = ""
        if line:
            count += 1
    return count


def counts() -> dict[str, int]:
    out = {}
    for name, globs in BINDINGS.items():
        files = sorted({p for g in globs for p in ROOT.glob(g) if "node_modules" not in p.parts})
        out[name] = sum(code_lines(p) for p in files)
    return out


def main() -> None:
    table = counts()
    total = sum(table.values())
    if "--markdown" in sys.argv:
        print("| binding | hand-written code lines |\n|---|---|")
        for name, n in table.items():
            print(f"| {name} | {n} |")
        print(f"| **total** (goal ≤ 500) | **{total}** |")
    else:
        for name, n in table.items():
            print(f"{name:24} {n:5}")
        print(f"{'total':24} {total:5}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Replicates the kubefirst GitOps template (../shared/fixtures/argocd/konstructio-gitops-template) into an Argo CD
repository of at least N Applications, the way kubefirst provisions clusters: copy i gets its own
`registry/clusters/c<i>/` (the template's `templates/mgmt/`, `<CLUSTER_NAME>` replaced by `c<i>`), the rest of the
template alongside, and every object name suffixed with `-c<i>` so the copies do not collide.

Usage: bench/argocd_gen.py N OUT_DIR   (prints the number of copies and Applications written)
"""

import re
import shutil
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "shared/fixtures/argocd/konstructio-gitops-template/aws-github"
NAME = re.compile(r"^(  name: )(\S+?)('?)$", re.M)


def main() -> None:
    wanted, out = int(sys.argv[1]), Path(sys.argv[2])
    files = []
    for path in sorted(SOURCE.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".yml"):
            files.append((path.relative_to(SOURCE), path.read_text()))
    per_copy = sum(len(re.findall(r"^kind: Application\s*$", t, re.M)) for _, t in files)
    copies = -(-wanted // per_copy)
    if out.exists():
        shutil.rmtree(out)
    for i in range(copies):
        tag = f"c{i}"
        for relative, text in files:
            parts = relative.parts
            if parts[:2] == ("templates", "mgmt"):
                target = Path(tag, "registry", "clusters", tag, *parts[2:])
            else:
                target = Path(tag, *parts)
            text = text.replace("<CLUSTER_NAME>", tag)
            text = NAME.sub(lambda m: f"{m.group(1)}{m.group(2).rstrip(chr(39))}-{tag}{m.group(3)}", text)
            path = out / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    print(f"{copies} copies, {copies * per_copy} Applications in {out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Argo CD interop benchmark (issue 14): import + order of the kubefirst tree replicated to 10^4 and 10^5
# Applications (Applications per second, peak memory), and RBAC `can` per query against pycasbin running Argo's
# own model.conf (every answer compared). Needs ../shared/fixtures/argocd and Python 3 (casbin is installed into
# a venv under the work directory). Usage: bench/argocd.sh [WORK_DIR] [SIZES...]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/aoa-argocd-bench}"
shift || true
sizes=("${@:-10000 100000}")
mkdir -p "$work"
nice -n 10 cargo build --release -q -p aoa-cli -p aoa-bench --bin aoa --bin argocd_rbac
aoa=target/release/aoa
for n in ${sizes[@]}; do
    tree="$work/tree-$n"
    python3 bench/argocd_gen.py "$n" "$tree"
    apps=$("$aoa" --output json argocd import "$tree" | python3 -c 'import json,sys; c=json.load(sys.stdin)["counts"]; print(c["applications"])' || true)
    for op in import order; do
        # Wall seconds, CPU seconds (user + sys) and peak RSS (KiB) of the whole process.
        /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$aoa" --output json argocd "$op" "$tree" >/dev/null || true
        read -r secs user sys rss <"$work/time"
        python3 -c "cpu = $user + $sys; print(f'{\"$op\":6} $apps Applications: {$secs:.2f} s wall, {cpu:.2f} s CPU, {$apps / max(cpu, 1e-9):,.0f} Applications per CPU second, peak RSS {$rss / 1024:.0f} MiB')"
    done
    rm -rf "$tree"
done
if [ ! -x "$work/venv/bin/python" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q casbin
fi
"$work/venv/bin/python" bench/argocd_rbac.py target/release/argocd_rbac "$work/rbac" 5000

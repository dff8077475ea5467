#!/usr/bin/env bash
# Runs every fuzz target for a bounded time on the stable toolchain (RUSTC_BOOTSTRAP=1 lets it take cargo-fuzz's
# -Z sanitizer flags), at the lowest priority, and prints each target's executions and outcome.
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (from the repository root; needs `cargo install cargo-fuzz`)
# A crash input is left in fuzz/artifacts/TARGET/; copy it to fuzz/regressions/TARGET/ so that
# aoa-core/tests/fuzz_regressions.rs keeps it as a test, then fix the bug.
set -uo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET=${1:-180}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(manifest_yaml manifest_json access_sections avro_schema avro_value dispatch_args)
export RUSTC_BOOTSTRAP=1
nice -n 19 cargo fuzz build -O || exit 1
status=0
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t"
  log="target/fuzz-$t.log"
  nice -n 19 cargo fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 > "$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  echo "$t: ${runs:-?} executions in ${SECONDS_PER_TARGET} s, exit $rc$( [ $rc -ne 0 ] && echo " (see fuzz/$log)")"
  [ $rc -eq 0 ] || status=1
done
exit $status

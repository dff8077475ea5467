#!/usr/bin/env bash
# Runs every test of every language: Rust (unit, property, CLI, doc tests) and the bindings' suites.
# Usage: ./test.sh   (from the repository root; installs what it needs into .venv)
# Needs cargo, python3 (>= 3.9), node (>= 18), gcc and Java (>= 17); installs valgrind, libcjson-dev and libjna-java
# (apt), a .venv with maturin and pytest, and the Kotlin compiler (npm, into target/kotlinc) when they are missing.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

echo "== install: valgrind, cJSON (C runner), Python venv with maturin and pytest"
missing=()
command -v valgrind > /dev/null || missing+=(valgrind)
dpkg -s libcjson-dev > /dev/null 2>&1 || missing+=(libcjson-dev)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
fi
if [ ! -x .venv/bin/maturin ] || [ ! -x .venv/bin/pytest ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q 'maturin>=1.9,<2' 'pytest>=7'
fi
# fastavro: the independent Avro implementation the fingerprint test compares against (issue 10).
.venv/bin/python -c 'import fastavro' 2> /dev/null || .venv/bin/pip install -q 'fastavro>=1.9,<2'

echo "== rust: workspace tests (includes the Rust conformance runner)"
cargo test --workspace --locked

echo "== c: header is current, conformance runner and ABI checks under valgrind"
cargo build --workspace --locked
git diff --exit-code -- aoa-ffi/include || { echo "aoa-ffi/include/aoa.h is stale: commit the regenerated header"; exit 1; }
CFLAGS="-std=c11 -Wall -Wextra -Werror -Iaoa-ffi/include"
# Memory errors and definite/indirect leaks fail the run; "possibly lost" is excluded because Rust's standard
# library keeps the current thread's handle in a thread-local for the life of the process.
VALGRIND="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=1"
gcc $CFLAGS aoa-ffi/tests/conformance.c target/debug/libaoa.a -lcjson -lpthread -ldl -lm -o target/debug/aoa-conformance-c
$VALGRIND target/debug/aoa-conformance-c > target/debug/aoa-conformance-c.log \
  || { cat target/debug/aoa-conformance-c.log; exit 1; }
tail -1 target/debug/aoa-conformance-c.log
gcc $CFLAGS examples/c/plan_platform.c target/debug/libaoa.a -lpthread -ldl -lm -o target/debug/plan_platform_c
$VALGRIND target/debug/plan_platform_c > /dev/null

echo "== bindings: generated typings current (aoa-typegen), line count in the README current"
cargo run -q -p aoa-typegen --locked
git diff --exit-code -- aoa-node/index.d.ts aoa-py/python/aoa/__init__.pyi \
  || { echo "the bindings' typings are stale: run cargo run -p aoa-typegen and commit them"; exit 1; }
python3 tools/binding_lines.py --check README.md

echo "== python: release abi3 wheel, installed, then pytest (with the docstring examples) and the example"
if [ ! -x .venv/bin/maturin ] || [ ! -x .venv/bin/pytest ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q 'maturin>=1.9,<2' 'pytest>=7'
fi
rm -rf target/wheels
.venv/bin/maturin build --release --locked -q -m aoa-py/Cargo.toml -o target/wheels
.venv/bin/pip install -q --force-reinstall --no-deps target/wheels/aoa-*-abi3-*.whl
(cd aoa-py && "$ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider tests)
.venv/bin/python examples/python/plan_platform.py

echo "== node: addon, node --test, npm pack installed into a scratch project, and the example"

cp target/debug/libaoa_node.so aoa-node/aoa.linux-x64-gnu.node
node --test aoa-node/test/
node examples/node/plan_platform.js > /dev/null
# The package users install holds the release addon (a debug addon is several times slower).
cargo build --release -p aoa-node --locked
cp target/release/libaoa_node.so aoa-node/aoa.linux-x64-gnu.node
scratch=$(mktemp -d)
(cd aoa-node && npm pack --silent --pack-destination "$scratch" > /dev/null)
(cd "$scratch" && npm init -y > /dev/null && npm install --silent --no-audit --no-fund ./aoa-*.tgz > /dev/null)
cmp "$scratch/node_modules/aoa/aoa.linux-x64-gnu.node" target/release/libaoa_node.so
AOA_NODE_PACKAGE="$scratch/node_modules/aoa" node examples/node/plan_platform.js
rm -rf "$scratch"

echo "== kotlin: uniffi bindings generated from the cdylib, compiled with the runner, conformance vectors on the JVM"
kotlin_start=$SECONDS
if [ ! -f /usr/share/java/jna.jar ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjna-java > /dev/null
fi
KOTLINC=target/kotlinc/package/bin/kotlinc
if [ ! -x "$KOTLINC" ]; then
  rm -rf target/kotlinc && mkdir -p target/kotlinc
  (cd target/kotlinc && npm pack --silent kotlin-compiler@2.4.20 > /dev/null && tar xzf kotlin-compiler-*.tgz && rm kotlin-compiler-*.tgz)
  chmod +x target/kotlinc/package/bin/*
fi
cargo build -p aoa-kotlin --locked
rm -rf target/kotlin/gen
target/debug/uniffi-bindgen generate --library target/debug/libaoa_kotlin.so --language kotlin \
  --out-dir target/kotlin/gen --no-format > /dev/null
# kotlinc takes about a minute: recompile only when the generated bindings or the runner changed.
stamp=$(cat target/kotlin/gen/aoa/*.kt aoa-kotlin/tests/*.kt examples/kotlin/*.kt | sha256sum | cut -c1-16)
if [ ! -f "target/kotlin/conformance-$stamp.jar" ]; then
  rm -f target/kotlin/conformance-*.jar
  "$KOTLINC" -nowarn target/kotlin/gen/aoa/*.kt aoa-kotlin/tests/*.kt examples/kotlin/*.kt -cp /usr/share/java/jna.jar -include-runtime \
    -d "target/kotlin/conformance-$stamp.jar"
fi
JAVA_RUN="java -Djna.library.path=target/debug -cp target/kotlin/conformance-$stamp.jar:/usr/share/java/jna.jar"
$JAVA_RUN ConformanceKt
$JAVA_RUN PlanPlatformKt | grep -qx 'unknown-app: unknown app `web/storefrnt`; did you mean `web/storefront`?'
echo "kotlin section took $((SECONDS - kotlin_start)) s"

echo "== mermaid: aoa graph --diagram mermaid parses with the mermaid package (issue 10)"
# mermaid needs a DOM when imported (DOMPurify hooks), so jsdom stands in; both are cached in target/.
MERMAID=target/mermaid-check
if [ ! -d "$MERMAID/node_modules/mermaid" ] || [ ! -d "$MERMAID/node_modules/jsdom" ]; then
  mkdir -p "$MERMAID"
  (cd "$MERMAID" && npm init -y > /dev/null && npm install --silent --no-audit --no-fund 'mermaid@11' 'jsdom@29' > /dev/null)
fi
cp aoa-cli/tests/mermaid/check.mjs "$MERMAID/check.mjs"
for m in examples/platform aoa-cli/tests/fixtures/hostile-names; do
  target/debug/aoa graph -m "$m" --diagram mermaid > "$MERMAID/$(basename "$m").mmd"
done
node "$MERMAID/check.mjs" "$MERMAID/platform.mmd" "$MERMAID/hostile-names.mmd"

echo "== store: throwaway PostgreSQL 15, the store suites on SQLite and PostgreSQL, the export read by fastavro"
PG_BIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PG_BIN/initdb" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 > /dev/null
fi
[ -x .venv/bin/python ] && .venv/bin/python -c 'import fastavro' 2> /dev/null || .venv/bin/pip install -q 'fastavro>=1.9'
PG_DIR=$(mktemp -d)
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$PG_DIR"
  AS_PG=(runuser -u postgres --)  # initdb and the server refuse to run as root
fi
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_postgres() {
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" stop -m immediate > /dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U aoa > "$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log"; echo "PostgreSQL cannot be initialized: the store suite needs it"; exit 1; }
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
  -o "-k $PG_DIR -p $PG_PORT -c listen_addresses=127.0.0.1 -c max_connections=200" start > /dev/null \
  || { cat "$PG_DIR/log"; echo "PostgreSQL cannot start: the store suite needs it"; exit 1; }
export AOA_TEST_POSTGRES="postgres://aoa@127.0.0.1:$PG_PORT/postgres" AOA_TEST_REQUIRE_POSTGRES=1
cargo test -p aoa-store --locked
cargo build -q -p aoa-cli --locked
for store in "sqlite:$PG_DIR/export.db" "$AOA_TEST_POSTGRES"; do
  # A refused apply (permission gains), then the accepted one: both are in the trail.
  if target/debug/aoa registry apply -m examples/platform --store "$store" --registry fastavro > /dev/null 2>&1; then
    echo "an apply with permission gains was accepted without --allow-gain"; exit 1
  fi
  target/debug/aoa registry apply -m examples/platform --allow-gain --store "$store" --registry fastavro > /dev/null
  target/debug/aoa audit verify --store "$store" --registry fastavro > /dev/null
  events=$(target/debug/aoa --output json audit export "$PG_DIR/audit.avro" --store "$store" --registry fastavro \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["events"])')
  .venv/bin/python aoa-store/tests/python/check_export.py "$PG_DIR/audit.avro" "$events"
done
stop_postgres
trap - EXIT
unset AOA_TEST_POSTGRES AOA_TEST_REQUIRE_POSTGRES

echo "== token: aoa's access tokens verified by PyJWT and by jose (Node), PyJWT/jose subject tokens exchanged"
.venv/bin/python -c 'import jwt, cryptography' 2> /dev/null || .venv/bin/pip install -q 'PyJWT[crypto]>=2.8,<3'
.venv/bin/python -m pytest -q aoa-token/tests/verifiers/test_pyjwt.py
if [ ! -d target/jose/node_modules/jose ]; then
  mkdir -p target/jose && (cd target/jose && npm init -y > /dev/null && npm install --silent --no-audit --no-fund jose@6)
fi
JOSE_DIR=target/jose node --test aoa-token/tests/verifiers/jose.test.mjs

echo "== rollout callbacks (issue 12): C under valgrind, Kotlin (compiled above) on the JVM; Python and Node: their suites above"
gcc $CFLAGS aoa-ffi/tests/rollout.c target/debug/libaoa.a -lcjson -lpthread -ldl -lm -o target/debug/aoa-rollout-c
$VALGRIND target/debug/aoa-rollout-c
$JAVA_RUN RolloutKt

echo "== all suites passed (target/: $(du -sh target | cut -f1), disk: $(df -h . | tail -1 | awk '{print $4}') free)"

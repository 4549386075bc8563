#!/usr/bin/env bash
# The spec is the behaviour: runs schemathesis (all checks, stateful links included) against a fresh
# sandbox and sandbox/openapi.yaml. Prints schemathesis' summary; exits non-zero on any failure.
# Needs target/debug/intent-sandbox and the venv scripts/setup.sh makes.
set -uo pipefail
cd "$(dirname "$0")/.."
venv=target/schemathesis-venv
logdir=target/test-logs
mkdir -p "$logdir"
key=sk_schemathesis
out=$logdir/sandbox-schemathesis.out
target/debug/intent-sandbox --port 0 --demo --secret-key "$key" >"$out" 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
url=
for _ in $(seq 100); do
  url=$(sed -n '1s/.*listening on \(http[^ ]*\).*/\1/p' "$out")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { echo "the sandbox did not start; see $out" >&2; exit 1; }
export SANDBOX_URL=$url SANDBOX_SECRET_KEY=$key
export SCHEMATHESIS_HOOKS=hooks
export PYTHONPATH=sandbox/schemathesis
# One worker: two threads made no run faster (112 s either way; generation holds the GIL) and, on Python
# 3.11.7, let Hypothesis' concurrent ast.parse fail with "AST constructor recursion depth mismatch"
# (CPython gh-106905), which failed the layer once.
"$venv/bin/st" --config-file sandbox/schemathesis/schemathesis.toml run sandbox/openapi.yaml --url "$url" \
  --checks all \
  ${SCHEMATHESIS_EXAMPLES:+--max-examples "$SCHEMATHESIS_EXAMPLES"} \
  --seed "${SCHEMATHESIS_SEED:-2026}" \
  --workers 1 \
  --no-color \
  --generation-database none \
  "$@"

#!/usr/bin/env bash
# Runs every test layer, prints one summary line per layer and a final `N passed, N failed` line.
# Exits non-zero if any layer fails. Assumes scripts/setup.sh has run (npm test runs it first).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-180}

logdir=target/test-logs
mkdir -p "$logdir"
summary=()
total_passed=0
total_failed=0
status=0
started=$(date +%s)

# record <layer> <exit code> <passed> <failed> <seconds>
record() {
  local layer=$1 code=$2 passed=$3 failed=$4 secs=$5
  # A layer that exits non-zero counts as failed even when no test line says so (e.g. a compile error).
  if [ "$code" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # a layer that ran nothing proves nothing
  [ "$failed" -eq 0 ] || status=1
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  summary+=("$(printf '%-34s %4d passed, %d failed  (%ss, log: %s)' "$layer:" "$passed" "$failed" "$secs" "$logdir")")
}

# Sums cargo's `test result: ok. N passed; M failed` lines.
cargo_counts() { awk '/^test result:/ { p += $4; f += $6 } END { printf "%d %d", p, f }' "$1"; }
# Node's runner ends with `# pass N` and `# fail N`.
node_counts() { awk '/^# pass / { p = $3 } /^# fail / { f = $3 } END { printf "%d %d", p, f }' "$1"; }

# Starts a sandbox on a free port for the browser layers; sets SANDBOX_URL and SANDBOX_PID.
start_sandbox() {
  local out=$logdir/sandbox-$1.out
  : >"$out" # exists before the first read below, whether or not the sandbox has opened it yet
  target/debug/intent-sandbox --port 0 "${@:2}" >"$out" 2>&1 &
  SANDBOX_PID=$!
  for _ in $(seq 100); do
    SANDBOX_URL=$(sed -n '1s/.*listening on \(http[^ ]*\).*/\1/p' "$out")
    [ -n "$SANDBOX_URL" ] && return 0
    kill -0 "$SANDBOX_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "the sandbox did not start; see $out" >&2
  return 1
}
stop_sandbox() { kill -INT "$SANDBOX_PID" 2>/dev/null; wait "$SANDBOX_PID" 2>/dev/null; }

echo "== build (npm run build)"
t0=$(date +%s)
if bash scripts/build.sh >"$logdir/build.log" 2>&1; then
  tail -n 8 "$logdir/build.log"
else
  cat "$logdir/build.log"
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

# The browser layers talk to this binary.
if ! cargo build --quiet -p intent-sandbox >>"$logdir/build.log" 2>&1; then
  tail -n 30 "$logdir/build.log"; echo "sandbox build failed"; echo "0 passed, 1 failed"; exit 1
fi

echo "== native: cargo test --workspace"
t0=$(date +%s)
cargo test --workspace --no-fail-fast --color never 2>&1 | tee "$logdir/native.log" | grep -E '^test result:|^error|FAILED|panicked' || true
code=${PIPESTATUS[0]}
read -r p f < <(cargo_counts "$logdir/native.log")
record "native (cargo test --workspace)" "$code" "$p" "$f" $(( $(date +%s) - t0 ))

echo "== spec: schemathesis against sandbox/openapi.yaml (all checks, stateful links)"
t0=$(date +%s)
bash scripts/schemathesis.sh --report junit --report-junit-path "$logdir/schemathesis.xml" >"$logdir/spec.log" 2>&1
code=$?
grep -E '^ +[0-9]+ generated|^ +(✅|❌) (Coverage|Fuzzing|Stateful)' "$logdir/spec.log" || tail -n 20 "$logdir/spec.log"
# One test per operation in the JUnit report; a failing operation counts once. The label says how many
# requests schemathesis generated (its "N generated, N passed" line).
read -r p f < <(sed -n 's/.*<testsuites errors="\([0-9]*\)" failures="\([0-9]*\)" skipped="[0-9]*" tests="\([0-9]*\)".*/\1 \2 \3/p' "$logdir/schemathesis.xml" 2>/dev/null |
  awk '{ print $3 - $1 - $2, $1 + $2 }')
cases=$(sed -n 's/^ *\([0-9]*\) generated.*/\1/p' "$logdir/spec.log" | tail -n 1)
record "spec (schemathesis, ${cases:-0} cases)" "$code" "${p:-0}" "${f:-0}" $(( $(date +%s) - t0 ))

echo "== wasm: wasm-bindgen-test in headless Chromium"
t0=$(date +%s)
# The tests read the secret key from the same place the sandbox does: this script's --secret-key.
wasm_key=sk_wasm_tests
if start_sandbox wasm --demo --secret-key "$wasm_key"; then
  SANDBOX_URL=$SANDBOX_URL SANDBOX_SECRET_KEY=$wasm_key cargo test --target wasm32-unknown-unknown -p intent-checkout --test 'wasm_*' --no-fail-fast --color never 2>&1 \
    | tee "$logdir/wasm.log" | grep -E '^test result:|^error|FAILED|panicked' || true
  code=${PIPESTATUS[0]}
  stop_sandbox
else
  code=1; : >"$logdir/wasm.log"
fi
read -r p f < <(cargo_counts "$logdir/wasm.log")
record "wasm (wasm-bindgen-test, Chromium)" "$code" "$p" "$f" $(( $(date +%s) - t0 ))

# Every flow twice: with the isolated card fields (the default; merchant page and API on different
# origins) and with fields="inline" (the page in PCI scope), which must keep working.
for fields in isolated inline; do
  echo "== end-to-end ($fields card fields): Playwright (playwright-core) in headless Chromium"
  t0=$(date +%s)
  IC_FIELDS=$fields node --test --test-concurrency=1 tests/e2e/ 2>&1 | tee "$logdir/e2e-$fields.log" | grep -E '^# (pass|fail)|^not ok' || true
  code=${PIPESTATUS[0]}
  read -r p f < <(node_counts "$logdir/e2e-$fields.log")
  record "end-to-end, $fields fields (Playwright)" "$code" "$p" "$f" $(( $(date +%s) - t0 ))
done

echo "== consumers: the packed tarball in TypeScript, Vite, webpack, esbuild, React, SSR; publint, attw"
t0=$(date +%s)
node --test --test-concurrency=1 tests/consumers/ 2>&1 | tee "$logdir/consumers.log" | grep -E '^# (pass|fail)|^not ok' || true
code=${PIPESTATUS[0]}
read -r p f < <(node_counts "$logdir/consumers.log")
record "consumers (npm pack, 6 toolchains)" "$code" "$p" "$f" $(( $(date +%s) - t0 ))

echo
echo "== summary ($(( $(date +%s) - started ))s)"
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
exit $status

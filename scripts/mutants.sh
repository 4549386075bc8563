#!/usr/bin/env bash
# Mutation testing (cargo-mutants) over the code that moves money or decides a status: a mutant the
# tests do not catch is a change to that code nobody would notice. Not part of `npm test` (a full run
# takes hours on a 2-core machine): run it niced in the background and read the summary.
#
#   bash scripts/mutants.sh [scope ...]      scopes: money lifecycle flow sandbox (default: all four)
#
# Each scope mutates a few files and runs only the tests of their package:
#   money      src/core/money.rs                               cargo test -p intent-checkout
#   lifecycle  src/core/lifecycle/mod.rs, dialect/{mod,*/lifecycle}.rs cargo test -p intent-checkout
#   flow       src/core/flow/{attempt,jobs,backoff}.rs         cargo test -p intent-checkout --lib
#   sandbox    sandbox/src/{store/*,idempotency,ledger}.rs     cargo test -p intent-sandbox --lib --test api
# Results: target/mutants/<scope>/mutants.out/{caught,missed,timeout,unviable}.txt, and one summary
# line per scope at the end. Environment: MUTANTS_JOBS (default 1), MUTANTS_SOURCE (the tree to
# mutate; default this repository), MUTANTS_OUT (default target/mutants), PROPTEST_CASES (default
# 500: property tests run fewer cases per mutant than in npm test), MUTANTS_SHARD (e.g. 0/5: only
# that shard of each scope's mutants, 0-based, for a sample of a scope too big for one sitting) and
# MUTANTS_SHARDING (slice, the default: consecutive mutants in source order; or round-robin: every
# n-th). The summary line names the shard, so a sample is never read as the whole scope.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export PATH="$HOME/.cargo/bin:$PATH"

if ! cargo mutants --version >/dev/null 2>&1; then
  echo "mutants: installing cargo-mutants from crates.io ..."
  cargo install --locked cargo-mutants || exit 1
fi

source_dir=${MUTANTS_SOURCE:-$root}
out_root=${MUTANTS_OUT:-$root/target/mutants}
jobs=${MUTANTS_JOBS:-1}
shard_args=()
if [ -n "${MUTANTS_SHARD:-}" ]; then
  shard_args=(--shard "$MUTANTS_SHARD" --sharding "${MUTANTS_SHARDING:-slice}")
fi
export PROPTEST_CASES=${PROPTEST_CASES:-500}
# A failing property fails at once: shrinking it would only turn a caught mutant into a timeout.
export PROPTEST_MAX_SHRINK_ITERS=${PROPTEST_MAX_SHRINK_ITERS:-0}
# No debug info: mutants are built and linked hundreds of times, and nobody debugs them.
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0
# One target directory for every scope and run, so dependencies are built once, not per run.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/mutants-build}

scopes=("$@")
[ ${#scopes[@]} -gt 0 ] || scopes=(money lifecycle flow sandbox)

# Mutants not worth a build: random ids and their fallback, names for humans.
common_skips=(-E 'random_id' -E 'fn event_name' -E 'impl (std::)?fmt::(Debug|Display)')

run_scope() {
  local scope=$1 out=$out_root/$1
  local args=()
  case $scope in
    money) args=(-p intent-checkout -f src/core/money.rs) ;;
    lifecycle) args=(-p intent-checkout -f src/core/lifecycle/mod.rs -f src/core/dialect/mod.rs
                     -f 'src/core/dialect/*/lifecycle.rs') ;;
    flow) args=(-p intent-checkout -f src/core/flow/attempt.rs -f src/core/flow/jobs.rs
                -f src/core/flow/backoff.rs --cargo-test-arg=--lib) ;;
    # The unit tests too: some of these files test what the API's real-time clock cannot reach.
    sandbox) args=(-p intent-sandbox -f 'sandbox/src/store/*.rs' -f sandbox/src/idempotency.rs
                   -f sandbox/src/ledger.rs -f sandbox/src/http/idempotency.rs
                   --cargo-test-arg=--lib --cargo-test-arg=--test=api) ;;
    *) echo "mutants: unknown scope $scope (money, lifecycle, flow, sandbox)" >&2; return 2 ;;
  esac
  mkdir -p "$out"
  echo "mutants: $scope ($(date +%H:%M)) ..."
  nice -n 15 cargo mutants --dir "$source_dir" --no-shuffle -j "$jobs" --output "$out" \
    "${shard_args[@]}" "${common_skips[@]}" "${args[@]}" >"$out/log.txt" 2>&1
  summarize "$scope"
}

# `grep -c` prints 0 itself for an empty file (and fails): only a missing file needs the fallback.
count() { if [ -f "$1" ]; then grep -c . "$1"; else echo 0; fi; }

summarize() {
  local d=$out_root/$1/mutants.out
  local label=$1${MUTANTS_SHARD:+ (shard $MUTANTS_SHARD, ${MUTANTS_SHARDING:-slice})}
  printf '%-10s caught %4s  missed %4s  timeout %4s  unviable %4s\n' "$label" \
    "$(count "$d/caught.txt")" "$(count "$d/missed.txt")" "$(count "$d/timeout.txt")" "$(count "$d/unviable.txt")" \
    | tee "$out_root/$1/summary.txt"
}

status=0
for s in "${scopes[@]}"; do run_scope "$s" || status=1; done
echo
echo "== mutants summary (PROPTEST_CASES=$PROPTEST_CASES)"
for s in "${scopes[@]}"; do
  cat "$out_root/$s/summary.txt" 2>/dev/null
  missed=$out_root/$s/mutants.out/missed.txt
  [ -s "$missed" ] && sed 's/^/    missed: /' "$missed"
done
exit $status

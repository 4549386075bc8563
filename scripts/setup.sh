#!/usr/bin/env bash
# Installs what building and testing need, and nothing when it is all present already.
# Idempotent: safe to run before every `npm start` / `npm test`. Prints what it installs and how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$HOME/.cargo/bin:$PATH"
started=$(date +%s)
did=()

step() { # step <label> <command...>: runs and times one install step
  local label=$1; shift
  local t0; t0=$(date +%s)
  echo "setup: installing $label ..."
  "$@"
  echo "setup: $label done in $(( $(date +%s) - t0 ))s"
  did+=("$label")
}

# The wasm-bindgen CLI must match the library version pinned in Cargo.toml exactly.
wb_version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$wb_version" ] || { echo "setup: cannot read the pinned wasm-bindgen version from Cargo.toml" >&2; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  step "rust target wasm32-unknown-unknown" rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wb_version" ]; then
  # Without --locked: with it, resolution fails on this machine's registry mirror.
  step "wasm-bindgen-cli $wb_version" cargo install -q wasm-bindgen-cli --version "=$wb_version"
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm packages (npm ci)" npm ci --no-audit --no-fund --loglevel=error
fi

# The consumer fixtures' tools (TypeScript, Vite, webpack, React, publint, attw), locked in their own lockfile.
if [ ! -f tests/consumers/node_modules/.package-lock.json ] \
  || [ tests/consumers/package-lock.json -nt tests/consumers/node_modules/.package-lock.json ]; then
  step "consumer fixture tools (npm ci in tests/consumers)" npm ci --prefix tests/consumers --no-audit --no-fund --loglevel=error
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "chromium + chromium-driver (apt)" bash -c \
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null'
  else
    echo "setup: the browser tests need Chromium and ChromeDriver at /usr/bin/chromium and /usr/bin/chromedriver." >&2
    echo "setup: install them (Debian: sudo apt-get install chromium chromium-driver) and run again." >&2
    exit 1
  fi
fi

# schemathesis (PyPI) checks sandbox/openapi.yaml against the running sandbox (scripts/schemathesis.sh),
# from a virtual environment of its own.
st_version=4.32.5
st_venv=target/schemathesis-venv
if [ "$("$st_venv/bin/st" --version 2>/dev/null || true)" != "st, version $st_version" ]; then
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      step "python3-venv (apt)" bash -c \
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null'
    else
      echo "setup: the spec test needs Python 3 with venv (Debian: sudo apt-get install python3-venv)." >&2
      exit 1
    fi
  fi
  step "schemathesis $st_version (PyPI, in $st_venv)" bash -c \
    "rm -rf '$st_venv' && python3 -m venv '$st_venv' && '$st_venv/bin/pip' install -q --disable-pip-version-check 'schemathesis==$st_version'"
fi

if [ ${#did[@]} -gt 0 ]; then
  echo "setup: installed ${did[*]} in $(( $(date +%s) - started ))s"
fi

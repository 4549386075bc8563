#!/usr/bin/env bash
# Serves the demo: the sandbox API, www/ at / and pkg/ at /pkg/ on 127.0.0.1 (PORT, default 4242).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p intent-sandbox
# --demo: the demo shop's merchant buttons (/demo/*, only for intents the demo page created).
exec target/debug/intent-sandbox --port "${PORT:-4242}" --demo "$@"

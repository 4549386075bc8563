#!/usr/bin/env bash
# Peak memory of intent-sandbox with 1,000,000 intents created over time: 100 rounds of 10,000 intents
# (POST /test/intents/bulk), each round followed by 31 days on the sandbox clock, so the unpaid ones
# void and finish, and the finished ones beyond --max-terminal-intents are forgotten.
# Prints RSS after each tenth round, then VmHWM (peak) from /proc and /usr/bin/time -v's maximum RSS.
# Usage: sandbox/bench/memory.sh [path/to/intent-sandbox]   (needs curl, python3, /usr/bin/time)
set -euo pipefail
bin=${1:-target/release/intent-sandbox}
rounds=${ROUNDS:-100} per=${PER_ROUND:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/time -v "$bin" --port 0 --secret-key sk_mem >"$work/out" 2>"$work/time" &
timer=$!
url=
for _ in $(seq 100); do url=$(sed -n '1s/.*listening on \(http[^ ]*\).*/\1/p' "$work/out"); [ -n "$url" ] && break; sleep 0.1; done
server=$(pgrep -P "$timer")
rss() { awk '/^(VmRSS|VmHWM)/ {printf "%s %d MiB  ", $1, $2/1024}' "/proc/$server/status"; }
post() { curl -sf -X POST "$url$1" -H 'Authorization: Basic sk_mem' -H 'Content-Type: application/json' -d "$2"; }
echo "server $url (pid $server); idle: $(rss)"
for r in $(seq "$rounds"); do
  post /test/intents/bulk "{\"count\": $per}" >/dev/null
  post /test/clock/advance '{"seconds": 2678400}' >/dev/null
  if [ $((r % 10)) -eq 0 ]; then
    echo "after $((r * per)) intents: $(rss) held: $(curl -sf "$url/healthz")"
  fi
done
echo "peak: $(awk '/^VmHWM/ {printf "%d MiB", $2/1024}' "/proc/$server/status")"
kill -INT "$server"; wait "$timer" || true
grep -E 'Maximum resident set size' "$work/time"

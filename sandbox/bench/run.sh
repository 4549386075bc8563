#!/usr/bin/env bash
# Measures intent-sandbox: requests/second for GET /payment-intents/public/{id} and for the pay
# endpoint (wrk), and peak memory with 100,000 intents held (/usr/bin/time -v, /proc VmHWM).
# Usage: sandbox/bench/run.sh [path/to/intent-sandbox]   (needs wrk, curl, python3, /usr/bin/time)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-target/release/intent-sandbox}
threads=${THREADS:-2} conns=${CONNS:-64} dur=${DURATION:-10s}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/time -v "$bin" --port 0 --secret-key sk_bench --max-intents 1000000 >"$work/out" 2>"$work/time" &
timer=$!
for _ in $(seq 100); do url=$(sed -n '1s/.*listening on \(http[^ ]*\).*/\1/p' "$work/out"); [ -n "$url" ] && break; sleep 0.1; done
server=$(pgrep -P "$timer")
rss() { awk '/^(VmRSS|VmHWM)/ {printf "%s %d MiB  ", $1, $2/1024}' "/proc/$server/status"; echo; }
echo "server $url (pid $server)"; echo -n "idle: "; rss

bulk() { # $1 = count → "<id> <secret>" lines on stdout, in calls of at most 10,000
  local left=$1 n
  while [ "$left" -gt 0 ]; do
    n=$(( left < 10000 ? left : 10000 )); left=$(( left - n ))
    curl -sf -X POST "$url/test/intents/bulk" -H 'Authorization: Basic sk_bench' -H 'Content-Type: application/json' -d "{\"count\": $n}" |
      python3 -c 'import json,sys; [print(i["paymentIntentId"], i["clientSessionSecret"]) for i in json.load(sys.stdin)["intents"]]'
  done
}
bulk 100000 >"$work/held"
echo -n "100,000 intents held: "; rss

read -r id secret < "$work/held"
echo "== wrk GET /payment-intents/public/{id} (-t$threads -c$conns -d$dur)"
wrk -t"$threads" -c"$conns" -d"$dur" --latency -H "Authorization: Bearer $secret" "$url/payment-intents/public/$id" | grep -E 'Requests/sec|Latency|Non-2xx|99%'

bulk "${PAY_INTENTS:-400000}" >"$work/pay"
echo -n "100,000 + ${PAY_INTENTS:-400000} intents held: "; rss
echo "== wrk POST /payment-intents/public/{id}/payments, a fresh intent per request (-t$threads -c$conns -d$dur)"
wrk -t"$threads" -c"$conns" -d"$dur" --latency -s "$here/pay.lua" "$url" -- "$work/pay" "$threads" | grep -E 'Requests/sec|Latency|Non-2xx|99%|requests in'
echo -n "after paying: "; rss

kill -INT "$server"; wait "$timer" || true
grep -E 'Maximum resident set size' "$work/time"

#!/usr/bin/env bash
# The latency and throughput `leakguard proxy` adds, measured with wrk
# against the stand-in upstream on loopback, direct and through the proxy,
# in one run:
#
#     apt-get install wrk
#     cargo build --release --bin leakguard --example standin
#     bash bench/load.sh
#
# Bodies are OpenAI chat requests of 4 KiB and 256 KiB of prompt-like text
# with one fake AWS key each (so every proxied request is redacted).
# Latency: one connection, requests back to back (-c1), so it is the
# per-request cost, not queueing. Throughput: 32 connections, 2 wrk
# threads, proxy on 2 worker threads; everything shares the machine's cores.
#
# PROXY_ARGS adds arguments to `leakguard proxy`, e.g. a records index:
#     PROXY_ARGS="--records-index c.lgr --records-key-file c.key" bash bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
UP=127.0.0.1:9911
PX=127.0.0.1:9912
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

python3 - "$tmp" <<'EOF'
import json, random, sys
random.seed(5)
filler = ("The retry logic in fetch_orders() times out after 30s; "
          "客户反馈登录慢. fn main() { println!(\"{}\", 42); } id=123456\n")
b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
for name, size in (("4k", 4 << 10), ("256k", 256 << 10)):
    key = "AKIA" + "".join(random.choice(b32) for _ in range(16))
    text = "why does this fail? aws_access_key_id=" + key + "\n"
    body = {"model": "gpt-4o", "messages": [
        {"role": "system", "content": "You are a coding assistant."},
        {"role": "user", "content": ""}]}
    base = len(json.dumps(body).encode())
    while len(json.dumps(text).encode()) + base - 2 < size:
        text += filler
    body["messages"][1]["content"] = text
    raw = json.dumps(body)
    while len(raw.encode()) > size:
        text = text[:-1]
        body["messages"][1]["content"] = text
        raw = json.dumps(body)
    open(f"{sys.argv[1]}/{name}.json", "w").write(raw)
    open(f"{sys.argv[1]}/{name}.lua", "w").write(
        'wrk.method = "POST"\n'
        f'wrk.body = io.open("{sys.argv[1]}/{name}.json"):read("*a")\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        'wrk.headers["Authorization"] = "Bearer sk-bench"\n')
EOF

target/release/examples/standin "$UP" 2>/dev/null &
LEAKGUARD_KEY_FILE="$tmp/key" target/release/leakguard proxy \
    --listen "$PX" --upstream "http://$UP" --threads 2 \
    --audit-log "$tmp/audit.jsonl" ${PROXY_ARGS:-} 2>/dev/null &
for _ in $(seq 100); do
    curl -s "http://$PX/healthz" >/dev/null && break
    sleep 0.1
done
# The proxy redacts: the upstream must not see the key.
curl -s -o /dev/null -w 'proxy answers %{http_code}, ' \
    -H 'content-type: application/json' --data-binary "@$tmp/4k.json" \
    "http://$PX/v1/chat/completions"
echo "size $(wc -c <"$tmp/4k.json") and $(wc -c <"$tmp/256k.json") bytes"

summary() { # label, wrk output
    awk -v l="$1" '
        /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^Requests\/sec/ {rps=$2}
        END {printf "%-28s p50 %9s  p99 %9s  req/s %9s\n", l, p50, p99, rps}'
}
for size in 4k 256k; do
    for load in "1 1" "2 32"; do
        read -r threads conns <<<"$load"
        for where in direct proxy; do
            addr=$UP; [ "$where" = proxy ] && addr=$PX
            wrk -t"$threads" -c"$conns" -d"$DUR" --latency -s "$tmp/$size.lua" \
                "http://$addr/v1/chat/completions" \
                | summary "$size $where c=$conns"
        done
    done
done
echo "audit lines: $(wc -l <"$tmp/audit.jsonl")"
# Of the added time, how much is the scan itself (the proxy's histogram).
curl -s "http://$PX/metrics" | awk '
    /^leakguard_scan_seconds_sum/ {s=$2} /^leakguard_scan_seconds_count/ {n=$2}
    END {printf "proxy scans: %d, mean scan time %.1f us (all sizes)\n", n, s/n*1e6}'


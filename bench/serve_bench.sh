#!/usr/bin/env bash
# Load benchmark of fundcheck serve (docs/performance.md, "The validation service"): wrk POSTs the
# Kræftplan V 2026 proposal to /v1/check at 1, 16 and 256 connections, 1 % malformed, with the
# decision log on; prints requests per second, p50/p99 latency, and the answers other than 200
# and 4xx (there must be none). Usage: bench/serve_bench.sh [SECONDS] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
build=${2:-build}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$build/app/fundcheck" serve --rules rules/kraeftplan-v.rules --listen 127.0.0.1:0 --port-file "$work/port" \
    --decisions "$work/decisions.db" --no-access-log --max-connections 1024 2>"$work/log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")
for c in 1 16 256; do
  t=$(( c < 2 ? 1 : 2 ))
  printf 'connections=%-4s ' "$c"
  PROPOSAL=examples/kraeftplan-v-2026.json wrk -t"$t" -c"$c" -d"${seconds}s" --latency \
      -s bench/serve_check.lua "http://127.0.0.1:$port/" | grep '^RESULT'
done
echo "decisions recorded: $(sqlite3 "$work/decisions.db" 'select count(*) from decisions' 2>/dev/null || echo '?')"

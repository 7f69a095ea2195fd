#!/usr/bin/env bash
# Load benchmark of fundcheck serve (docs/performance.md, "The validation service"): wrk POSTs the
# Kræftplan V 2026 proposal to /v1/check at 1, 16 and 256 connections, 1 % malformed, with the
# decision log on; prints requests per second, p50/p99 latency, the answers other than 200 and
# 4xx (there must be none), and the CPU seconds the server and wrk used in each row (the machine
# has 2 cores, shared with wrk and with whatever else runs: compare the server's CPU per check
# rather than requests per second across machines or busy hours).
# Usage: bench/serve_bench.sh [SECONDS] [BUILD_DIR] [SERVE OPTIONS…], e.g. --no-decisions,
# --durability full, --threads 1.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
build=${2:-build}
shift $(( $# < 2 ? $# : 2 ))
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
decisions=(--decisions "$work/decisions.db")
for a in "$@"; do [ "$a" = --no-decisions ] && decisions=(); done
"$build/app/fundcheck" serve --rules rules/kraeftplan-v.rules --listen 127.0.0.1:0 --port-file "$work/port" \
    "${decisions[@]}" --no-access-log --max-connections 1024 "$@" 2>"$work/log" &
pid=$!
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")
tick=$(getconf CLK_TCK)
cpu() { awk -v t="$tick" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$pid/stat"; }
for c in 1 16 256; do
  t=$(( c < 2 ? 1 : 2 ))
  printf 'connections=%-4s ' "$c"
  before=$(cpu)
  out=$( { PROPOSAL=examples/kraeftplan-v-2026.json /usr/bin/time -f 'wrk_cpu_s=%U+%S' \
           wrk -t"$t" -c"$c" -d"${seconds}s" --latency -s bench/serve_check.lua "http://127.0.0.1:$port/"; } 2>&1 )
  after=$(cpu)
  echo "$(grep '^RESULT' <<<"$out") server_cpu_s=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.2f", a - b }') $(grep -o 'wrk_cpu_s=.*' <<<"$out")"
done
if [ ${#decisions[@]} -gt 0 ]; then
  echo "decisions recorded: $(sqlite3 "$work/decisions.db" 'select count(*) from decisions' 2>/dev/null || echo '?')"
fi

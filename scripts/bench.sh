#!/usr/bin/env bash
# Runs the benchmarks of docs/performance.md: generates synthetic proposals of 1k, 10k and 100k
# top-level items (deterministic), then times each phase of a check with the shipped Kræftplan
# rules and with the two reference checks, and (when node is installed) the hand-written Node
# loop the issue compares against. Usage: scripts/bench.sh [RUNS]   (default 7; best and median)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
scripts/build.sh >/dev/null
dir="${TMPDIR:-/tmp}/fundcheck-bench"
mkdir -p "$dir"
for n in 1000 10000 100000; do
  [ -f "$dir/p$n.json" ] || build/bench/gen_proposal "$n" 1 > "$dir/p$n.json"
done
for n in 1000 10000 100000; do
  echo "== $n top-level items: rules/kraeftplan-v.rules"
  build/bench/check_bench rules/kraeftplan-v.rules "$dir/p$n.json" "$runs"
done
echo "== 100000 top-level items: rules/kraeftplan-v.rules, evaluation on 2 threads"
build/bench/check_bench rules/kraeftplan-v.rules "$dir/p100000.json" "$runs" 2
echo "== 100000 top-level items: bench/two-checks.rules"
build/bench/check_bench bench/two-checks.rules "$dir/p100000.json" "$runs"
echo "== 100000 top-level items: end to end, the fundcheck command (text report, errors only)"
for _ in 1 2 3; do
  /usr/bin/env time -f "%e s wall, %M KB max RSS" build/app/fundcheck check --no-notes \
    --rules rules/kraeftplan-v.rules "$dir/p100000.json" > /dev/null || true
done
if command -v node >/dev/null 2>&1; then
  echo "== 100000 top-level items: the Node reference loop (bench/reference/two-checks.mjs)"
  for _ in 1 2 3; do node bench/reference/two-checks.mjs "$dir/p100000.json"; done
fi

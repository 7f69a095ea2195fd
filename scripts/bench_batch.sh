#!/usr/bin/env bash
# The batch benchmark of docs/performance.md: 1,000 allocation proposals of the Kræftplan's size
# (bench/gen_proposal 8 SEED: 8 top-level items, 44 records, like the real table's 42; values
# vary with the seed and a few rows break the key, so some proposals fail), checked by one
# `fundcheck check` run with -j1 and with -j2, and, for comparison, by one run per file.
# Uses hyperfine when installed (apt-get install hyperfine), else repeated runs with time.
# Usage: scripts/bench_batch.sh [RUNS]   (default 40; the runs are short, and on a shared machine
# the minimum is the figure to compare)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-40}"
scripts/build.sh >/dev/null
dir="${TMPDIR:-/tmp}/fundcheck-batch-bench"
mkdir -p "$dir/proposals"
if [ ! -f "$dir/proposals/p1000.json" ]; then
  for i in $(seq -w 1 1000); do build/bench/gen_proposal 8 "$((10#$i))" > "$dir/proposals/p$i.json"; done
fi
fundcheck=build/app/fundcheck
rules=rules/kraeftplan-v.rules
check=("$fundcheck" check --rules "$rules" --no-notes)

echo "== $(find "$dir/proposals" -name '*.json' | wc -l) proposals, $(du -sh "$dir/proposals" | cut -f1), $(nproc) CPUs"
# What one run finds (exit code 1: some proposals fail).
"${check[@]}" -j2 "$dir/proposals" | tail -n 1 || true
# Output must not depend on -j.
if ! cmp -s <("${check[@]}" -j1 --format json "$dir/proposals" || true) \
            <("${check[@]}" -j2 --format json "$dir/proposals" || true); then
  echo "error: the report differs between -j1 and -j2" >&2
  exit 1
fi

if command -v hyperfine >/dev/null 2>&1; then
  # -N: no shell between hyperfine and fundcheck (its output is discarded); -i: exit code 1 is
  # expected, some proposals fail.
  hyperfine -N --warmup 3 --runs "$runs" -i --export-markdown "$dir/hyperfine.md" \
    "${check[*]} -j1 $dir/proposals" \
    "${check[*]} -j2 $dir/proposals"
  cat "$dir/hyperfine.md"
else
  for j in 1 2; do
    echo "== -j$j"
    for _ in $(seq "$runs"); do
      /usr/bin/env time -f "%e s wall, %U s user, %M KB max RSS" "${check[@]}" -j"$j" "$dir/proposals" > /dev/null || true
    done
  done
fi
echo "== -j1 and -j2: wall time, CPU time, peak memory (one run each)"
for j in 1 2; do
  /usr/bin/env time -f "-j$j: %e s wall, %U s user, %S s system, %M KB max RSS" "${check[@]}" -j"$j" "$dir/proposals" > /dev/null || true
done
echo "== for comparison: one fundcheck process per file (rules compiled 1,000 times)"
/usr/bin/env time -f "%e s wall" bash -c "for f in $dir/proposals/*.json; do ${check[*]} -j1 \"\$f\" > /dev/null || true; done"

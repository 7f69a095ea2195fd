#!/usr/bin/env bash
# ctest editors.textmate-grammar: installs vscode-textmate and vscode-oniguruma (npm ci, pinned by
# package-lock.json) into WORK_DIR once, then runs tokenize_test.mjs. Exits 77, which ctest
# reports as skipped, when node or npm is not installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:?usage: run.sh WORK_DIR}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "skipped: the editor grammar test needs node (18 or later) and npm"
  exit 77
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
  echo "skipped: node $(node --version) is too old for the editor grammar test (18 or later)"
  exit 77
fi

mkdir -p "$work"
# Install again only when the lock file changed (or the last install did not finish).
if ! cmp -s "$here/package-lock.json" "$work/installed.lock"; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  rm -f "$work/installed.lock"
  if ! (cd "$work" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "error: 'npm ci' in $work could not install vscode-textmate and vscode-oniguruma" >&2
    exit 1
  fi
  cp "$here/package-lock.json" "$work/installed.lock"
fi
exec node "$here/tokenize_test.mjs" "$root" "$work"

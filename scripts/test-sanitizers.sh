#!/usr/bin/env bash
# Builds fundcheck with AddressSanitizer and UndefinedBehaviorSanitizer (CMakePresets.json, preset
# asan-ubsan, into ./build-asan) and runs the whole test suite under them, except the tests
# labelled no-sanitizer (the headless-browser screenshot, which tests Chromium rather than our code).
# Any report fails the run (-fno-sanitize-recover=all, halt_on_error). Usage: scripts/test-sanitizers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ ! -f build-asan/CMakeCache.txt ]; then cmake --preset asan-ubsan; fi
cmake --build --preset asan-ubsan -j"$(nproc)"
ctest --preset asan-ubsan -j"$(nproc)"

#!/usr/bin/env bash
# Installs what is missing, builds, and checks the shipped Kræftplan V 2026 allocation.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
echo
echo "\$ fundcheck check --rules rules/kraeftplan-v.rules examples/kraeftplan-v-2026.json"
build/app/fundcheck check --rules rules/kraeftplan-v.rules examples/kraeftplan-v-2026.json

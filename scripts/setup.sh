#!/usr/bin/env bash
# Installs fundcheck's build dependencies from Debian 12 packages.
# Idempotent: when everything is present it only checks and returns (no apt-get update).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev libboost-graph1.81-dev libboost-test1.81-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libsimdjson-dev libssl-dev
  # fundcheck serve: the decision log; its end-to-end test reads docs/openapi.yaml; its benchmark
  libsqlite3-dev python3-yaml wrk
  # the HTML report's screenshot test: headless Chromium, pdfinfo for the printed page size
  python3 chromium poppler-utils
  git  # the pre-commit hook test (tests/ci) runs git
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all build dependencies are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

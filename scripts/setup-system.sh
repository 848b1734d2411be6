#!/usr/bin/env bash
# Installs the Debian packages the build and the test suites need (idempotent). Run as root;
# elsewhere it only checks, and fails naming what is missing.
set -euo pipefail
packages=(g++ make python3 cmake)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup-system: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup-system: ${packages[*]} present"

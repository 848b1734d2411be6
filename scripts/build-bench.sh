#!/usr/bin/env bash
# Builds the native benchmark driver (native/bench, target rras_bridge_bench of the
# standalone CMake project native/tests) in Release into build-bench/. scripts/bench.ts runs
# this before the benchmarks; missing cmake or g++ is installed with apt-get as root.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=native-toolchain.sh
source scripts/native-toolchain.sh
ensure_native_toolchain
configure_native_tests build-bench -DCMAKE_BUILD_TYPE=Release -DSANITIZE=OFF -DTSAN=OFF -DFUZZ=OFF >&2
cmake --build build-bench --target rras_bridge_bench >&2

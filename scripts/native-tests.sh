#!/usr/bin/env bash
# Builds and runs the native unit tests (native/tests: wire codec, JSON reader, info-block
# validators, the library's trace ring and statistics, its RtmClient and route table on the
# mock RTM; native/mock-rtm: the mock RTM) and the unload harness (native/tests/unload_test.cc:
# a router manager that unloads the protocol library right after ROUTER_STOPPED, 100 cycles
# with the real host) through the standalone
# CMake project native/tests/CMakeLists.txt.
#   bash scripts/native-tests.sh               g++, build-native-tests/
#   SANITIZE=1 bash scripts/native-tests.sh    g++ with ASan + UBSan, build-native-tests-sanitize/
#   TSAN=1 bash scripts/native-tests.sh        g++ with ThreadSanitizer (npm run test:tsan),
#                                              build-native-tests-tsan/: also fails on a thread
#                                              the library leaves behind
# UNLOAD_CYCLES=N changes the harness's 100 cycles. The harness runs the real host: it needs
# the TypeScript compiled (dist/) and the addon built (npm install).
# Missing cmake or g++ is installed with apt-get when running as root; otherwise the script
# fails naming the Debian package.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build-native-tests
options=(-DSANITIZE=OFF -DTSAN=OFF)
label=""
if [[ ${SANITIZE:-0} == 1 && ${TSAN:-0} == 1 ]]; then
  echo "native-tests: SANITIZE=1 and TSAN=1 cannot be combined" >&2
  exit 2
elif [[ ${SANITIZE:-0} == 1 ]]; then
  dir=build-native-tests-sanitize
  options=(-DSANITIZE=ON -DTSAN=OFF)
  label=" (ASan+UBSan)"
elif [[ ${TSAN:-0} == 1 ]]; then
  dir=build-native-tests-tsan
  options=(-DSANITIZE=OFF -DTSAN=ON)
  label=" (ThreadSanitizer)"
fi
for f in dist/lib/host/main.js dist/test/fixtures/scripted.js; do
  [[ -f $f ]] || { echo "native-tests: $f is missing: compile the TypeScript first (npm run build:ts)" >&2; exit 1; }
done
[[ -f build/Release/rras_bridge.node ]] || { echo "native-tests: the addon is not built (npm install)" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "native-tests: node is not on PATH (the harness's host needs it)" >&2; exit 1; }

# shellcheck source=native-toolchain.sh
source scripts/native-toolchain.sh
ensure_native_toolchain

start=$SECONDS
configure_native_tests "$dir" "${options[@]}" -DFUZZ=OFF
tests=(wire_test json_test info_block_test telemetry_test test_mock_rtm rtm_client_test unload_test)
cmake --build "$dir" --parallel "$(nproc 2>/dev/null || echo 2)" --target "${tests[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:report_thread_leaks=1:second_deadlock_stack=1}
work=$(mktemp -d "${TMPDIR:-/tmp}/rras-bridge-unload-XXXXXX")
trap 'rm -rf "$work"' EXIT
args() {
  [[ $1 == unload_test ]] || return 0
  printf '%s\n' "$PWD/$dir/rras_bridge_protocol.so" "$PWD/$dir/rras_bridge_mock_rtm.so" \
    "$PWD/dist/test/fixtures/scripted.js" "$PWD/dist/lib/host/main.js" "$work" "${UNLOAD_CYCLES:-100}"
}
failed=()
for t in "${tests[@]}"; do
  echo "--- $t$label"
  mapfile -t targs < <(args "$t")
  if ! "$dir/$t" "${targs[@]}"; then failed+=("$t"); fi
done
echo "native-tests: $((${#tests[@]} - ${#failed[@]}))/${#tests[@]} binaries passed in $((SECONDS - start)) s ($dir)"
if ((${#failed[@]})); then
  echo "native-tests: FAILED: ${failed[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# Builds and runs the native unit tests (native/tests: wire codec, JSON reader, info-block
# validators; native/mock-rtm: the mock RTM) through the standalone CMake project
# native/tests/CMakeLists.txt.
#   bash scripts/native-tests.sh               g++, build-native-tests/
#   SANITIZE=1 bash scripts/native-tests.sh    g++ with ASan + UBSan, build-native-tests-sanitize/
# Missing cmake or g++ is installed with apt-get when running as root; otherwise the script
# fails naming the Debian package.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=${SANITIZE:-0}
dir=build-native-tests
flag=OFF
label=""
if [[ $sanitize == 1 ]]; then
  dir=build-native-tests-sanitize
  flag=ON
  label=" (ASan+UBSan)"
fi

need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v "${CXX:-g++}" >/dev/null 2>&1 || need+=(g++)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "native-tests: missing Debian packages: ${need[*]} (apt-get install ${need[*]}, as root)" >&2
    exit 1
  fi
  echo "native-tests: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
# A cache made with another generator cannot be reused.
if [[ -f $dir/CMakeCache.txt ]] && ! grep -q "CMAKE_GENERATOR:INTERNAL=${generator[1]:-Unix Makefiles}\$" "$dir/CMakeCache.txt"; then
  rm -rf "$dir"
fi

start=$SECONDS
cmake -S native/tests -B "$dir" "${generator[@]}" --log-level=WARNING \
  -DCMAKE_CXX_COMPILER="${CXX:-g++}" -DSANITIZE="$flag" -DFUZZ=OFF
tests=(wire_test json_test info_block_test test_mock_rtm)
cmake --build "$dir" --parallel "$(nproc 2>/dev/null || echo 2)" --target "${tests[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${tests[@]}"; do
  echo "--- $t$label"
  if ! "$dir/$t"; then failed+=("$t"); fi
done
echo "native-tests: $((${#tests[@]} - ${#failed[@]}))/${#tests[@]} binaries passed in $((SECONDS - start)) s ($dir)"
if ((${#failed[@]})); then
  echo "native-tests: FAILED: ${failed[*]}" >&2
  exit 1
fi

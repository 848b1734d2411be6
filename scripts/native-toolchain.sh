# Sourced by the scripts that build the standalone native CMake project (native/tests):
# scripts/native-tests.sh (unit tests) and scripts/build-bench.sh (the benchmark driver).
#   ensure_native_toolchain        cmake and ${CXX:-g++}; installed with apt-get as root,
#                                  otherwise fails naming the Debian packages
#   configure_native_tests DIR ... cmake -S native/tests -B DIR (Ninja when present) + args
ensure_native_toolchain() {
  local need=()
  command -v cmake >/dev/null 2>&1 || need+=(cmake)
  command -v "${CXX:-g++}" >/dev/null 2>&1 || need+=(g++)
  ((${#need[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "native toolchain: missing Debian packages: ${need[*]} (apt-get install ${need[*]}, as root)" >&2
    return 1
  fi
  echo "native toolchain: installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
}

configure_native_tests() {
  local dir=$1
  shift
  local generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  # A cache made with another generator cannot be reused.
  if [[ -f $dir/CMakeCache.txt ]] && ! grep -q "CMAKE_GENERATOR:INTERNAL=${generator[1]:-Unix Makefiles}\$" "$dir/CMakeCache.txt"; then
    rm -rf "$dir"
  fi
  cmake -S native/tests -B "$dir" "${generator[@]}" --log-level=WARNING \
    -DCMAKE_CXX_COMPILER="${CXX:-g++}" "$@"
}

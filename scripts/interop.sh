#!/usr/bin/env bash
# RIP interop suites: our RIPv2 (examples/rip under the mock router) against BIRD 2 and FRR
# ripd in network namespaces the tests create and delete. Needs root: it installs bird2 and
# frr with apt-get when missing and creates namespaces. No daemon is started outside a
# test's namespaces (Debian's policy-rc.d or a temporary one keeps postinst from starting them).
# The OSPF suites (examples/ospf: raw IP sockets for protocol 89, BIRD and FRR ospfd) run here too.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "interop: must run as root (network namespaces, UDP port 520, BIRD and FRR)" >&2
  exit 1
fi
need=()
[[ -x /usr/sbin/bird && -x /usr/sbin/birdc ]] || need+=(bird2)
[[ -x /usr/lib/frr/ripd && -x /usr/bin/vtysh ]] || need+=(frr)
[[ -x /usr/lib/frr/ospfd ]] || [[ " ${need[*]} " == *" frr "* ]] || need+=(frr)
if ((${#need[@]})); then
  echo "interop: installing ${need[*]}"
  created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    # Keep the packages' postinst from starting bird or frr in the root namespace.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
  ((created_policy)) && rm -f /usr/sbin/policy-rc.d
fi
npm run --silent build:ts
npx ava --config ava.interop.config.mjs "$@"

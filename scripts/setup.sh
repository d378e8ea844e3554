#!/usr/bin/env bash
# Installs what the project needs on Debian 12, and nothing when it is all present.
# Idempotent and fast: one dpkg-query, and apt-get only for what is missing.
set -euo pipefail

packages=(
  # toolchain
  g++ clang clang-format cmake ninja-build make pkg-config libclang-rt-14-dev
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcli11-dev libhiredis-dev prometheus-cpp-dev libpq-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # real peers the tests and benchmarks start on loopback
  nginx-light memcached redis-server libmemcached-tools prometheus wrk postgresql sqlite3
  # the Python twins and the contract harness run on Debian's interpreter
  python3 curl
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Distro packages of servers start their daemons through the init system; we start our own
# on loopback with random ports, so keep the packaged ones from binding the default ports.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Only the daemons this run installed are stopped: a user's own running servers are left alone.
for svc in nginx-light:nginx memcached:memcached redis-server:redis-server prometheus:prometheus \
    postgresql:postgresql; do
  pkg=${svc%%:*} name=${svc##*:}
  if [[ " ${missing[*]} " == *" $pkg "* ]] && command -v service >/dev/null 2>&1; then
    $sudo service "$name" stop >/dev/null 2>&1 || true
  fi
done
echo "setup: done"

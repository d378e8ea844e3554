#!/usr/bin/env bash
# Installs what the project needs on Debian 12, and nothing when it is all present.
# Idempotent and fast: one dpkg-query, and apt-get only for what is missing.
#
#   scripts/setup.sh            install what is missing (as root, or through sudo)
#   scripts/setup.sh --dry-run  print the commands it would run, run none of them
#
# The servers installed as peers (nginx, memcached, redis, prometheus) are started by the tests and
# benchmarks themselves, on loopback with ports of their own. The packaged daemons would take the
# default ports `make run` wants (memcached's 11211 is sd-cache's memcached port) and come back at
# every boot, so the ones this run installs are never started and are disabled at boot.
set -euo pipefail

dry_run=0
case "${1:-}" in
  --dry-run) dry_run=1 ;;
  "") ;;
  *)
    echo "usage: $0 [--dry-run]" >&2
    exit 2
    ;;
esac

packages=(
  # toolchain
  g++ clang clang-format clang-tidy cmake ninja-build make pkg-config libclang-rt-14-dev
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcli11-dev libhiredis-dev prometheus-cpp-dev libpq-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # real peers the tests and benchmarks start on loopback. `prometheus` is the whole server, not
  # only the `promtool` the metrics tests lint with (Debian ships promtool nowhere else); kept on
  # purpose, since a later platform issue runs Prometheus itself. Its daemon is disabled below.
  nginx-light memcached redis-server libmemcached-tools prometheus wrk
  # the shortener's stores: PostgreSQL (started by the tests as an unprivileged user) and the
  # sqlite3 shell
  postgresql sqlite3
  # the job queue's differential test: Debian's beanstalkd and a real client library (beaneater)
  beanstalkd ruby ruby-beaneater
  # the Python twins and the contract harness run on Debian's interpreter; procps for pgrep
  # (bench/benchlib.py); strace counts system calls per request (bench/syscalls.py)
  python3 curl procps strace
)
# package:init-script of each packaged daemon kept from starting.
daemons=(nginx-light:nginx memcached:memcached redis-server:redis-server prometheus:prometheus
  beanstalkd:beanstalkd postgresql:postgresql)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  [[ $dry_run -eq 0 ]] || echo "setup: nothing is missing"
  exit 0
fi

# Root, or sudo. Without either, say how to get there instead of failing on `sudo: not found`.
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  elif [[ $dry_run -eq 0 ]]; then
    self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
    cat >&2 <<EOF
setup: these Debian packages are missing: ${missing[*]}
setup: installing them needs root, and sudo is not installed. Either
  - run this script as root once:  su -c '$self'
    (it installs only what is missing and keeps the packaged daemons from starting), or
  - install sudo as root (apt-get install sudo; adduser $(id -un) sudo), log in again, and rerun.
Then run make again.
EOF
    exit 1
  fi
fi

exec 3>&1  # the dry run's listing goes here even for commands whose output is silenced
run() {
  if [[ $dry_run -eq 1 ]]; then
    printf '+ %s\n' "$*" >&3
  else
    "$@"
  fi
}

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
run "${sudo[@]}" apt-get update -qq

# A policy-rc.d answering 101 ("action forbidden") keeps every maintainer script from starting a
# daemon during the install: both invoke-rc.d (SysV) and deb-systemd-invoke (systemd) ask it
# first. Denying everything, not just our four, keeps it simple; apt installs only what is listed
# here plus libraries. A policy already in place (Docker images ship one) is put back afterwards.
policy=/usr/sbin/policy-rc.d
saved=$policy.sd-setup-saved
had_policy=0
restore_policy() {
  if [[ $had_policy -eq 1 ]]; then
    run "${sudo[@]}" mv -f "$saved" "$policy"
  else
    run "${sudo[@]}" rm -f "$policy"
  fi
}
if [[ -e $saved ]]; then
  had_policy=1  # a run cut short (SIGKILL) left its own policy in place: this one goes back
elif [[ -e $policy ]]; then
  run "${sudo[@]}" mv -f "$policy" "$saved"
  had_policy=1
fi
trap restore_policy EXIT
trap 'exit 130' INT TERM  # so that the EXIT trap puts the policy back on Ctrl-C too
deny=$(mktemp)
printf '#!/bin/sh\n# scripts/setup.sh: no daemon starts while it installs packages.\nexit 101\n' >"$deny"
run "${sudo[@]}" install -m 0755 "$deny" "$policy"
rm -f "$deny"

run "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Not at boot either. `update-rc.d NAME disable` turns the SysV start links off and, where
# systemctl exists, runs `systemctl disable` on the unit too (it works offline, so also in a
# container without a running systemd). Only the daemons this run installed: servers a user had
# before are theirs.
for entry in "${daemons[@]}"; do
  pkg=${entry%%:*} name=${entry##*:}
  [[ " ${missing[*]} " == *" $pkg "* ]] || continue
  run "${sudo[@]}" update-rc.d "$name" disable >/dev/null 2>&1 ||
    echo "setup: could not disable $name at boot (update-rc.d $name disable failed)" >&2
done
echo "setup: done"

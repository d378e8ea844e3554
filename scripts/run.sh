#!/usr/bin/env bash
# `make run`: starts every service that is built, each on its default port, prints where each
# listens with a few example commands, and stops them all cleanly on Ctrl-C.
#
# A service that cannot start (its port is taken, say) is reported with its own error and left
# out; the others keep running. Exit status: 0 when every service that started stopped cleanly.
# stdout and stderr (JSON log lines) of each service are kept in BUILD_DIR/run-logs/, replaced on
# the next run: after a failure they are still there to read.
set -uo pipefail
build_dir=${1:-build}
bin="$build_dir/bin"
logdir="$build_dir/run-logs"

# name → example commands, one per line; @URL@ is where the service listens, @MEMCACHED@ its
# memcached port (sd-cache). Each ends in a newline of its own so outputs do not run together.
declare -A examples=(
  [sd-framework]="curl -s @URL@/hello; echo"
  [sd-ratelimiter]="for i in 1 2 3 4 5 6 7; do curl -s -o /dev/null -w '%{http_code} ' @URL@/ping; done; echo"
  [sd-shortener]="curl -s -XPOST @URL@/shorten -d '{\"url\":\"https://example.com\"}'; echo"
  [sd-jobqueue]="curl -s -XPOST @URL@/v1/tubes/demo/jobs -d '{\"body\":\"hello\"}'; echo; curl -s -XPOST @URL@/v1/reserve -d '{\"tubes\":[\"demo\"]}'; echo"
  [sd-cache]="curl -s -XPUT @URL@/v1/cache/greeting -d hi && curl -s @URL@/v1/cache/greeting; echo
memcstat --servers=@MEMCACHED@ | head -5"
  [sd-observability]="curl -s @URL@/hello; echo; curl -s @URL@/metrics | head"
  [sd-reliability]="curl -s @URL@/call/flaky; echo; 06_reliability_patterns_mini/demo.py @URL@"
  [sd-gateway]="curl -s -H 'X-API-Key: demo' @URL@/api/users; echo"
)
order=(sd-framework sd-ratelimiter sd-shortener sd-jobqueue sd-cache sd-observability sd-reliability sd-gateway)

mkdir -p "$logdir" || exit 1
pids=()   # the services running now, and their names at the same index
names=()
for name in "${order[@]}"; do
  [[ -x "$bin/$name" ]] || continue
  rm -f "$logdir/$name.out" "$logdir/$name.log"
  # A session of its own, out of the terminal's reach: Ctrl-C reaches only this script, which then
  # sends each service one SIGTERM. When the terminal's SIGINT reached them too, our SIGTERM could
  # land while a service was already on its way out and kill it (seen: sd-observability, 143).
  setsid "$bin/$name" >"$logdir/$name.out" 2>"$logdir/$name.log" &
  pids+=($!)
  names+=("$name")
done
if [[ ${#pids[@]} -eq 0 ]]; then
  echo "no service binaries in $bin; run make build"
  exit 1
fi

# Whether process $1 still runs (kill -0 also succeeds on a zombie not yet reaped).
alive() { [[ -e /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }

# Drops index $1 from pids/names.
forget() {
  pids=("${pids[@]:0:$1}" "${pids[@]:$(($1 + 1))}")
  names=("${names[@]:0:$1}" "${names[@]:$(($1 + 1))}")
}

status=0  # 1 once a service that started ends with anything but 0

# shellcheck disable=SC2317  # reached through the trap below
stop_all() {
  trap '' INT TERM HUP  # a second Ctrl-C does not cut the shutdown short
  echo
  echo "stopping: ${names[*]}"
  ((${#pids[@]})) && kill -TERM "${pids[@]}" 2>/dev/null
  local i rc
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}"
    rc=$?
    if [[ $rc -ne 0 ]]; then
      echo "${names[$i]} exited with $rc (log: $logdir/${names[$i]}.log)"
      status=1
    fi
  done
  echo "all stopped"
  exit "$status"
}
trap stop_all INT TERM HUP

# Wait (bounded: 5 s each) for each to print its listening line, or to exit.
declare -A url memcached failed
started=("${names[@]}")
i=0
while ((i < ${#names[@]})); do
  name=${names[$i]} out="$logdir/${names[$i]}.out"
  for _ in $(seq 1 100); do
    grep -q "listening on" "$out" 2>/dev/null && break
    alive "${pids[$i]}" || break
    sleep 0.05
  done
  if grep -q "listening on" "$out" 2>/dev/null; then
    url[$name]=$(grep -o 'listening on http://[^ ]*' "$out" | head -1 | cut -d' ' -f3)
    memcached[$name]=$(grep -o 'memcached protocol on [^ ]*' "$out" | head -1 | cut -d' ' -f4)
    i=$((i + 1))
    continue
  fi
  if alive "${pids[$i]}"; then
    why="no listening line within 5 s; stopped it"
    kill -TERM "${pids[$i]}" 2>/dev/null
  else
    why=$(grep -v '^{' "$logdir/$name.log" | tail -1)  # its own message, not the JSON log lines
    [[ -n $why ]] || why=$(tail -1 "$logdir/$name.log")
  fi
  wait "${pids[$i]}" 2>/dev/null
  failed[$name]="$why (log: $logdir/$name.log)"
  forget "$i"
done

for name in "${started[@]}"; do
  if [[ -n ${failed[$name]:-} ]]; then
    printf '  %-18s FAILED to start: %s\n' "$name" "${failed[$name]}"
    continue
  fi
  printf '  %-18s %s\n' "$name" "${url[$name]}"
  if [[ -n ${memcached[$name]} ]]; then
    printf '  %-18s memcached protocol on %s\n' "" "${memcached[$name]}"
  fi
done
if [[ ${#pids[@]} -eq 0 ]]; then
  echo "no service started"
  exit 1
fi
echo
echo "try:"
for name in "${names[@]}"; do
  while IFS= read -r line; do
    # Without a memcached port (started with it off) that example would point nowhere.
    [[ $line == *@MEMCACHED@* && -z ${memcached[$name]} ]] && continue
    line=${line//@URL@/${url[$name]}}
    echo "  ${line//@MEMCACHED@/${memcached[$name]}}"
  done <<<"${examples[$name]:-}"
done
echo
echo "logs (JSON lines): $logdir/ — Ctrl-C stops everything"

# Until Ctrl-C (the trap above exits): report a service that stops on its own, keep the rest. All
# of them stopping with 0 (each sent SIGTERM by someone else) is a clean stop too.
while ((${#pids[@]})); do
  wait -n -p ended "${pids[@]}"
  rc=$?
  for i in "${!pids[@]}"; do
    if [[ ${pids[$i]} == "${ended:-}" ]]; then
      echo "${names[$i]} stopped with status $rc (log: $logdir/${names[$i]}.log)"
      [[ $rc -eq 0 ]] || status=1
      forget "$i"
      break
    fi
  done
done
echo "every service has stopped"
exit "$status"

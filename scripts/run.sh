#!/usr/bin/env bash
# `make run`: starts every service that is built, each on its default port, prints where each
# listens with a few curl lines, and stops them all cleanly on Ctrl-C.
set -uo pipefail
build_dir=${1:-build}
bin="$build_dir/bin"

# name → curl examples (services not built yet are skipped)
declare -A examples=(
  [sd-framework]="curl -s localhost:9000/hello"
  [sd-ratelimiter]="for i in 1 2 3 4 5 6 7; do curl -s -o /dev/null -w '%{http_code} ' localhost:9001/ping; done; echo"
  [sd-shortener]="curl -s -XPOST localhost:9002/shorten -d '{\"url\":\"https://example.com\"}'"
  [sd-jobqueue]="curl -s localhost:9003/healthz"
  [sd-cache]="curl -s -XPUT localhost:9004/v1/cache/greeting -d hi && curl -s localhost:9004/v1/cache/greeting"
  [sd-observability]="curl -s localhost:9005/hello; curl -s localhost:9005/metrics | head"
  [sd-reliability]="curl -s localhost:9006/call/flaky; echo; 06_reliability_patterns_mini/demo.py"
  [sd-gateway]="curl -s -H 'X-API-Key: demo' localhost:9007/api/users"
)
order=(sd-framework sd-ratelimiter sd-shortener sd-jobqueue sd-cache sd-observability sd-reliability sd-gateway)

pids=()
names=()
logdir=$(mktemp -d)
stop_all() {
  echo
  echo "stopping: ${names[*]}"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  status=0
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}"; rc=$?
    [[ $rc -eq 0 ]] || { echo "${names[$i]} exited with $rc (log: $logdir/${names[$i]}.log)"; status=1; }
  done
  echo "all stopped"
  exit $status
}
trap stop_all INT TERM

for name in "${order[@]}"; do
  [[ -x "$bin/$name" ]] || continue
  "$bin/$name" > "$logdir/$name.out" 2> "$logdir/$name.log" &
  pids+=($!)
  names+=("$name")
done
if [[ ${#pids[@]} -eq 0 ]]; then echo "no service binaries in $bin; run make build"; exit 1; fi

# Wait (bounded) for each to print its listening line.
for i in "${!names[@]}"; do
  name=${names[$i]}
  for _ in $(seq 1 100); do
    grep -q "listening on" "$logdir/$name.out" 2>/dev/null && break
    kill -0 "${pids[$i]}" 2>/dev/null || break
    sleep 0.05
  done
  if grep -q "listening on" "$logdir/$name.out" 2>/dev/null; then
    printf '  %-18s %s\n' "$name" "$(grep -o 'http://[^ ]*' "$logdir/$name.out" | head -1)"
  else
    printf '  %-18s FAILED to start: %s\n' "$name" "$(tail -2 "$logdir/$name.log")"
  fi
done
echo
echo "try:"
for name in "${names[@]}"; do echo "  ${examples[$name]}"; done
echo
echo "logs (JSON lines): $logdir/*.log — Ctrl-C stops everything"
wait

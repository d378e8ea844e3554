#!/usr/bin/env bash
# `make bench`: every side-by-side benchmark, each writing its table under bench/results/.
# Google Benchmark binaries (in-process costs) run too, their output kept next to the tables.
set -euo pipefail
build_dir=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
mkdir -p "$here/results"

echo "== HTTP: sd-framework vs nginx"
$py "$here/hello_vs_nginx.py" --build "$build_dir"
echo "== system calls and CPU per request: our servers, nginx and memcached"
$py "$here/syscalls.py" --build "$build_dir"
echo "== HTTP: the core's threading models"
$py "$here/io_models.py" --build "$build_dir"
echo "== HTTP: rate limiter vs nginx limit_req"
$py "$here/ratelimit_vs_nginx.py" --build "$build_dir"
echo "== cache: sd-cache vs memcached, miss ratios"
$py "$here/cache_vs_memcached.py" --build "$build_dir"
echo "== jobs: sd-jobqueue vs beanstalkd (memory and each fsync setting), memory per job"
$py "$here/jobqueue_vs_beanstalkd.py" --build "$build_dir"
echo "== jobs: HTTP API vs the Python twin"
$py "$here/jobqueue_http_vs_twin.py" --build "$build_dir"
echo "== jobs: the backpressure experiment (unbounded vs block vs reject)"
"$build_dir/bin/jobqueue_backpressure" > "$here/results/backpressure.csv"
$py "$here/plot_backpressure.py" "$here/results/backpressure.csv" "$here/results/backpressure.svg"
echo "== HTTP: observability on vs off"
$py "$here/observability_overhead.py" --build "$build_dir"
echo "== shortener: redirects vs nginx, creates/s vs the Python twin, collisions, memory, store latency"
$py "$here/shortener_redirects.py" --build "$build_dir"
$py "$here/shortener_creates.py" --build "$build_dir"
"$build_dir/bench/shortener_code_collisions" --csv "$here/results/shortener_collisions.csv"
$py "$here/plot_collisions.py" "$here/results/shortener_collisions.csv" "$here/results/shortener_collisions.svg"
"$build_dir/bench/shortener_link_memory" | tee "$here/results/shortener_link_memory.txt"
"$build_dir/bench/shortener_store_latency" | tee "$here/results/shortener_store_latency.txt"
if [[ -x "$build_dir/tools/reliability_sim" ]]; then
  echo "== reliability (06): retry storm, jitter, hedging, breaker (virtual time), overhead vs nginx"
  for e in retry_storm jitter hedging breaker overhead; do
    $py "$here/reliability_$e.py" --build "$build_dir"
  done
fi

for b in "$build_dir"/bench/*_benchmark; do
  [[ -f "$b" && -x "$b" ]] || continue
  name=$(basename "$b")
  echo "== $name"
  "$b" --benchmark_min_time=0.2 | tee "$here/results/$name.txt"
done

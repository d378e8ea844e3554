#!/usr/bin/env python3
"""GET /ping behind a rate limiter: sd-ratelimiter (token bucket, one server thread) vs nginx's
limit_req (one worker), both configured to allow everything so the measured work is the limiter's
bookkeeping plus the HTTP round trip. wrk with keep-alive on loopback; all requests come from one
client address, so both hit one hot key. Writes bench/results/ratelimit_vs_nginx.md.
"""

import argparse
import pathlib
import sys

import benchlib

HERE = pathlib.Path(__file__).resolve().parent
NGINX_HTTP = "limit_req_zone $binary_remote_addr zone=ping:10m rate=100000r/s;"
NGINX_LOCATION = ("location = /ping { limit_req zone=ping burst=100000 nodelay; "
                  "default_type application/json; return 200 '{\"message\":\"pong\"}'; }")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=int, default=5)
    args = p.parse_args()
    binary = str(pathlib.Path(args.build) / "bin" / "sd-ratelimiter")
    rule = "name=default,algo=token_bucket,rate=1000000/s,burst=1000000,key=ip"
    servers = []
    try:
        port = benchlib.free_port()
        servers.append(benchlib.start_command(
            "sd-ratelimiter (1 thread)",
            [binary, "--port", str(port), "--threads", "1", "--log-level", "warn", "--rule", rule], port))
        port = benchlib.free_port()
        servers.append(benchlib.start_command(
            "sd-ratelimiter, limiter only (1 thread)",
            [binary, "--port", str(port), "--threads", "1", "--no-observability", "--rule", rule], port))
        servers.append(benchlib.start_nginx("nginx limit_req (1 worker)", NGINX_LOCATION, http_extra=NGINX_HTTP))
        results = benchlib.compare(servers, "/ping", args.rounds, args.seconds, 1, 50)
    finally:
        for s in servers:
            s.stop()
    non2xx = {name: r.non_2xx for name, r in results.items()}
    report = ("# GET /ping through a rate limiter: sd-ratelimiter vs nginx limit_req\n\n"
              f"Machine: {benchlib.machine_note()}. Server on CPU 0, `wrk -t1 -c50` on CPU 1, "
              f"{args.rounds} alternating rounds of {args.seconds}s, median round. Both allow everything "
              f"(non-2xx responses: {non2xx}); sd-ratelimiter as shipped minus the access log "
              "(`--log-level warn`: RED metrics, request ids, tracing on), and with observability "
              "off (`--no-observability`: the limiter alone); nginx runs with `access_log off`.\n\n"
              f"{benchlib.table(results, 'nginx limit_req (1 worker)')}\n\n"
              "Command: `bench/ratelimit_vs_nginx.py --build build` (part of `make bench`).\n")
    (HERE / "results" / "ratelimit_vs_nginx.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""GET /hello on the walking skeleton (one server thread) vs nginx (one worker) returning the same
bytes; wrk with keep-alive on loopback. Writes bench/results/hello_vs_nginx.md.

    bench/hello_vs_nginx.py --build build [--rounds 5 --seconds 5]
"""

import argparse
import pathlib
import sys
import tempfile

import benchlib

HERE = pathlib.Path(__file__).resolve().parent
HELLO = "default_type application/json; return 200 '{\"message\":\"hello\"}';"
NGINX = "nginx (1 worker)"
SHIPPED = "sd-framework as shipped, JSON access log to a file (1 thread)"
NGINX_LOGGING = "nginx, JSON access log to a file, buffer=64k (1 worker)"

# The fields of our access line that nginx has variables for; nginx has no trace context, so its line
# is shorter by trace_id and span_id.
NGINX_JSON_LOG = (
    "log_format sd_json escape=json '{\"ts\":\"$time_iso8601\",\"level\":\"info\",\"msg\":\"request\","
    "\"service\":\"nginx\",\"request_id\":\"$request_id\",\"method\":\"$request_method\",\"route\":\"$uri\","
    "\"status\":$status,\"duration_s\":$request_time,\"bytes_in\":$request_length,"
    "\"bytes_out\":$body_bytes_sent,\"peer\":\"$remote_addr\"}';")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--connections", type=int, default=50)
    args = p.parse_args()

    binary = str(pathlib.Path(args.build) / "bin" / "sd-framework")
    servers = []
    logs = tempfile.TemporaryDirectory(prefix="sd-bench-logs-")
    try:
        port = benchlib.free_port()
        servers.append(benchlib.start_command(
            "sd-framework, core only (1 thread)",
            [binary, "--port", str(port), "--threads", "1", "--no-observability"], port))
        port = benchlib.free_port()
        servers.append(benchlib.start_command(
            "sd-framework + metrics, request ids (1 thread)",
            [binary, "--port", str(port), "--threads", "1", "--log-level", "warn"], port))
        servers.append(benchlib.start_nginx(NGINX, f"location = /hello {{ {HELLO} }}"))
        # With the access line, each writing to a file as a deployment would (not /dev/null).
        port = benchlib.free_port()
        with open(f"{logs.name}/sd-framework.log", "wb") as log_file:
            servers.append(benchlib.start_command(
                SHIPPED, [binary, "--port", str(port), "--threads", "1"], port, stderr=log_file))
        servers.append(benchlib.start_nginx(
            NGINX_LOGGING,
            f"location = /hello {{ access_log {logs.name}/nginx.log sd_json buffer=64k flush=200ms; {HELLO} }}",
            http_extra=NGINX_JSON_LOG))
        results = benchlib.compare(servers, "/hello", args.rounds, args.seconds, threads=1,
                                   connections=args.connections)
    finally:
        for s in servers:
            s.stop()
        logs.cleanup()

    report = (
        "# GET /hello: sd-framework vs nginx\n\n"
        f"Machine: {benchlib.machine_note()}. Server pinned to CPU 0, wrk pinned to CPU 1;\n"
        f"`wrk -t1 -c{args.connections} -d{args.seconds}s --latency`, keep-alive, {args.rounds} alternating "
        "rounds. nginx runs with `access_log off`; the skeleton once bare (`--no-observability`) and "
        "once as shipped minus the access log (`--log-level warn`: request ids, trace context and RED "
        "metrics on). The last two rows log every request as one JSON line to a file: sd-framework as "
        "shipped (its stderr, batched 64 KiB writes) and nginx with a JSON `log_format` "
        "(`escape=json`, `buffer=64k flush=200ms`, the same fields but trace_id and span_id).\n\n"
        f"{benchlib.table(results, NGINX)}\n\n"
        f"With access logs on both sides: sd-framework as shipped serves "
        f"**{results.ratio(SHIPPED, NGINX_LOGGING):.2f}×** nginx's requests/s at "
        f"{results.cpu_ratio(SHIPPED, NGINX_LOGGING):.2f}× its CPU per request (median of paired "
        "rounds).\n\n"
        "Command: `bench/hello_vs_nginx.py --build build` (part of `make bench`).\n")
    out = HERE / "results" / "hello_vs_nginx.md"
    out.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""GET /hello on the walking skeleton (one server thread) vs nginx (one worker) returning the same
bytes; wrk with keep-alive on loopback. Writes bench/results/hello_vs_nginx.md.

    bench/hello_vs_nginx.py --build build [--rounds 5 --seconds 5]
"""

import argparse
import pathlib
import sys

import benchlib

HERE = pathlib.Path(__file__).resolve().parent


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--connections", type=int, default=50)
    args = p.parse_args()

    binary = str(pathlib.Path(args.build) / "bin" / "sd-framework")
    servers = []
    try:
        port = benchlib.free_port()
        servers.append(benchlib.start_command(
            "sd-framework, core only (1 thread)",
            [binary, "--port", str(port), "--threads", "1", "--no-observability"], port))
        port = benchlib.free_port()
        servers.append(benchlib.start_command(
            "sd-framework + metrics, request ids (1 thread)",
            [binary, "--port", str(port), "--threads", "1", "--log-level", "warn"], port))
        servers.append(benchlib.start_nginx(
            "nginx (1 worker)",
            "location = /hello { default_type application/json; return 200 '{\"message\":\"hello\"}'; }"))
        results = benchlib.compare(servers, "/hello", args.rounds, args.seconds, threads=1,
                                   connections=args.connections)
    finally:
        for s in servers:
            s.stop()

    report = (
        "# GET /hello: sd-framework vs nginx\n\n"
        f"Machine: {benchlib.machine_note()}. Server pinned to CPU 0, wrk pinned to CPU 1;\n"
        f"`wrk -t1 -c{args.connections} -d{args.seconds}s --latency`, keep-alive, {args.rounds} alternating "
        "rounds. nginx runs with `access_log off`; the skeleton once bare (`--no-observability`) and "
        "once as shipped minus the access log (`--log-level warn`: request ids, trace context and RED "
        "metrics on).\n\n"
        f"{benchlib.table(results, 'nginx (1 worker)')}\n\n"
        "Command: `bench/hello_vs_nginx.py --build build` (part of `make bench`).\n")
    out = HERE / "results" / "hello_vs_nginx.md"
    out.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

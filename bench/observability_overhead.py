#!/usr/bin/env python3
"""What observability costs: GET /hello on sd-observability with all of it on (request id, trace
context, RED metrics, JSON access log to /dev/null) vs --no-observability, one server thread, same
run; also with the access log sampled (--access-log-sample 0.01) and off. Writes bench/results/observability_overhead.md.
"""

import argparse
import pathlib
import sys

import benchlib

HERE = pathlib.Path(__file__).resolve().parent


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--seconds", type=int, default=4)
    args = p.parse_args()
    binary = str(pathlib.Path(args.build) / "bin" / "sd-observability")
    variants = [("observability off", ["--no-observability"]),
                ("all on (access log)", []),
                # nginx/Envoy-style: errors and slow requests always, 1 % of the rest by trace id.
                ("all on, access log sampled 1 %", ["--access-log-sample", "0.01"]),
                ("all on, no access log", ["--no-access-log"])]
    servers = []
    try:
        for name, extra in variants:
            port = benchlib.free_port()
            servers.append(benchlib.start_command(
                name, [binary, "--port", str(port), "--threads", "1"] + extra, port))
        results = benchlib.compare(servers, "/hello", args.rounds, args.seconds, 1, 50)
    finally:
        for s in servers:
            s.stop()
    base = "observability off"
    rows = "\n".join(f"- {name}: throughput {results.ratio(name, base):.2f}× of off "
                     f"({(1 - results.ratio(name, base)) * 100:.1f} % lower), CPU per request "
                     f"{results.cpu_ratio(name, base):.2f}× of off"
                     for name in results if name != base)
    report = ("# Observability overhead: GET /hello on sd-observability\n\n"
              f"Machine: {benchlib.machine_note()}. One server thread on CPU 0, `wrk -t1 -c50` on CPU 1, "
              f"{args.rounds} alternating rounds of {args.seconds}s, median round. Logs go to /dev/null.\n\n"
              f"{benchlib.table(results, 'observability off')}\n\n{rows}\n\n"
              "Command: `bench/observability_overhead.py --build build` (part of `make bench`).\n")
    (HERE / "results" / "observability_overhead.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The core's threading models side by side: --io-model reuseport (an io_context and a listening
socket per thread, SO_REUSEPORT) vs shared (one io_context run by every thread, a strand per
connection), at 1 and 2 threads, with nginx at 1 and 2 workers for reference.
Writes bench/results/io_models.md.

With 2 threads the server and wrk share the machine's 2 CPUs, so absolute numbers there are lower
than the single-thread runs; compare the rows with each other, and the CPU µs per request.
"""

import argparse
import pathlib
import sys

import benchlib

HERE = pathlib.Path(__file__).resolve().parent
HELLO = "location = /hello { default_type application/json; return 200 '{\"message\":\"hello\"}'; }"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=int, default=5)
    args = p.parse_args()
    binary = str(pathlib.Path(args.build) / "bin" / "sd-framework")

    sections = []
    for threads, cpus, wrk_cpus, wrk_threads, conns in ((1, "0", "1", 1, 50), (2, "0,1", "0,1", 2, 100)):
        servers = []
        try:
            for model in ("reuseport", "shared"):
                port = benchlib.free_port()
                servers.append(benchlib.start_command(
                    f"sd {model} ×{threads}",
                    [binary, "--port", str(port), "--threads", str(threads), "--io-model", model,
                     "--no-observability"], port, cpus))
            servers.append(benchlib.start_nginx(f"nginx ×{threads}", HELLO, workers=threads, cpus=cpus))
            results = benchlib.compare(servers, "/hello", args.rounds, args.seconds, wrk_threads, conns,
                                       wrk_cpus)
        finally:
            for s in servers:
                s.stop()
        sections.append(f"### {threads} thread(s): server on CPU {cpus}, `wrk -t{wrk_threads} -c{conns}` on CPU "
                        f"{wrk_cpus}\n\n{benchlib.table(results, f'nginx ×{threads}')}\n")

    report = ("# Threading models of the core\n\n"
              f"Machine: {benchlib.machine_note()}; GET /hello, keep-alive, {args.rounds} alternating "
              "rounds of " f"{args.seconds}s; the bare core (`sd-framework --no-observability`).\n\n" + "\n".join(sections) +
              "\nCommand: `bench/io_models.py --build build`.\n")
    (HERE / "results" / "io_models.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

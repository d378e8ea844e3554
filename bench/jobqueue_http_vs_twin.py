#!/usr/bin/env python3
"""sd-jobqueue's HTTP API vs its Python twin (main.py): enqueue throughput with wrk, same run.

POST /v1/tubes/bench/jobs with a small JSON job, 1 wrk thread and 10 connections, server on CPU 0
(one thread), wrk on CPU 1. The twin is the readable reference, not a rival: the ratio says what
the C++ service buys.

    bench/jobqueue_http_vs_twin.py --build build [--seconds 5]
Writes bench/results/jobqueue_http_vs_twin.md.
"""

import argparse
import pathlib
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import benchlib  # noqa: E402

LUA = """wrk.method = "POST"
wrk.body = '{"body":"resize image 42","priority":10,"ttr_ms":60000}'
wrk.headers["Content-Type"] = "application/json"
"""


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--seconds", type=int, default=5)
    args = p.parse_args()
    build = pathlib.Path(args.build).resolve()
    root = HERE.parent
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA)
        script = f.name
    rows = []
    for name, argv in (
            ("sd-jobqueue", [str(build / "bin/sd-jobqueue"), "--threads", "1", "--no-beanstalkd",
                             "--log-level", "warn", "--no-access-log", "--max-jobs", "4000000"]),
            ("main.py", ["/usr/bin/python3", str(root / "03_job_queue_worker_mini/main.py"),
                         "--no-access-log", "--log-level", "warn"])):
        port = benchlib.free_port()
        server = benchlib.start_command(name, argv + ["--port", str(port)], port)
        try:
            r = benchlib.run_wrk(server, "/v1/tubes/bench/jobs", args.seconds, 1, 10, script=script)
        finally:
            server.stop()
        rows.append((name, r))
        print(f"{name}: {r.rps:,.0f} enqueues/s, p99 {r.p99_us:,.0f} µs, non-2xx {r.non_2xx}", flush=True)
    ratio = rows[0][1].rps / rows[1][1].rps
    lines = ["# sd-jobqueue HTTP API vs its Python twin", "",
             f"POST /v1/tubes/bench/jobs, wrk -t1 -c10 -d{args.seconds}s, one server thread on CPU 0.",
             "", "| server | enqueues/s | p99 µs | non-2xx |", "|---|---:|---:|---:|"]
    lines += [f"| {n} | {r.rps:,.0f} | {r.p99_us:,.0f} | {r.non_2xx} |" for n, r in rows]
    lines += ["", f"C++ / Python: **{ratio:.1f}×**", "", benchlib.machine_note()]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results/jobqueue_http_vs_twin.md").write_text("\n".join(lines) + "\n")
    print(f"C++ / Python: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

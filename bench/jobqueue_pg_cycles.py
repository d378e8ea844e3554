#!/usr/bin/env python3
"""sd-jobqueue on PostgreSQL vs in memory: put → reserve → ack cycles per second over HTTP.

Each client thread loops: POST a job to its own tube, reserve it, ack it (3 requests, keep-alive).
Configurations: the in-memory engine (no --data), --store postgres with one instance, and two
instances sharing the database (clients split between them). PostgreSQL is a throwaway server on
loopback (fsync as given by --pg-fsync); everything runs on the same loaded 2-core machine, so
read the ratios, not the absolute rates.

    bench/jobqueue_pg_cycles.py --build build [--seconds 5] [--clients 8] [--pg-fsync]
Writes bench/results/jobqueue_pg_cycles.md.
"""

import argparse
import http.client
import json
import pathlib
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests/contract"))
import benchlib  # noqa: E402
from postgres_server import PostgresServer  # noqa: E402


def client_loop(port: int, tube: str, stop: threading.Event, counts: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    n = 0
    try:
        while not stop.is_set():
            conn.request("POST", f"/v1/tubes/{tube}/jobs", json.dumps({"body": "resize 42"}), headers)
            r = conn.getresponse()
            r.read()
            if r.status != 201:
                errors.append(r.status)
                continue
            conn.request("POST", "/v1/reserve", json.dumps({"tubes": [tube]}), headers)
            r = conn.getresponse()
            job = json.loads(r.read() or b"{}")
            if r.status != 200:
                errors.append(r.status)
                continue
            conn.request("POST", f"/v1/jobs/{job['id']}/ack", json.dumps({"lease": job["lease"]}),
                         headers)
            r = conn.getresponse()
            r.read()
            if r.status != 204:
                errors.append(r.status)
                continue
            n += 1
    finally:
        counts.append(n)
        conn.close()


def measure(ports: list[int], clients: int, seconds: int) -> tuple[float, int]:
    stop = threading.Event()
    counts: list[int] = []
    errors: list[int] = []
    threads = [threading.Thread(target=client_loop,
                                args=(ports[i % len(ports)], f"bench-{i}", stop, counts, errors))
               for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / seconds, len(errors)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--pg-fsync", action="store_true")
    args = p.parse_args()
    binary = str(pathlib.Path(args.build).resolve() / "bin/sd-jobqueue")
    common = ["--threads", "1", "--no-beanstalkd", "--log-level", "warn", "--no-access-log"]
    pg = PostgresServer(fsync=args.pg_fsync).start()
    rows = []
    try:
        configs = [("in memory", [[]]),
                   ("postgres, 1 instance", [["--store", "postgres", "--postgres-url", pg.conninfo]]),
                   ("postgres, 2 instances", [["--store", "postgres", "--postgres-url", pg.conninfo]] * 2)]
        for name, instances in configs:
            servers = []
            try:
                for extra in instances:
                    port = benchlib.free_port()
                    servers.append(benchlib.start_command(
                        name, [binary] + common + extra + ["--port", str(port)], port, cpus="0-1"))
                rate, errors = measure([s.port for s in servers], args.clients, args.seconds)
            finally:
                for s in servers:
                    s.stop()
            rows.append((name, rate, errors))
            print(f"{name}: {rate:,.0f} cycles/s, {errors} errors", flush=True)
    finally:
        pg.stop()
    base = rows[0][1]
    lines = ["# sd-jobqueue: put → reserve → ack cycles, PostgreSQL vs in memory", "",
             f"{args.clients} Python client threads (keep-alive), {args.seconds} s each, one server "
             f"thread per instance; PostgreSQL fsync {'on' if args.pg_fsync else 'off'}.", "",
             "| configuration | cycles/s | vs in memory | errors |", "|---|---:|---:|---:|"]
    lines += [f"| {n} | {r:,.0f} | {r / base:.2f}× | {e} |" for n, r, e in rows]
    lines += ["", benchlib.machine_note()]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results/jobqueue_pg_cycles.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

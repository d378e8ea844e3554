#!/usr/bin/env python3
"""Creates per second: POST /v1/links (a new random code per request, each answered only once the
link is durable) on sd-shortener with SQLite (fsync per group commit, and synchronous=NORMAL) and
with PostgreSQL (fsync on), against the Python twin on sqlite3. wrk keep-alive, 50 connections; the
servers and PostgreSQL on CPU 0, wrk on CPU 1, alternating rounds. Writes
bench/results/shortener_creates.md.
"""

import argparse
import os
import http.client
import pathlib
import re
import sys
import tempfile

import benchlib

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "contract"))
from postgres_server import PostgresServer  # noqa: E402

UNLIMITED = ["--rule", "name=default,rate=1/s,shadow=true"]
SCRIPT = """
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/v1/links", {["Content-Type"] = "application/json"},
                    '{"url":"https://www.example.com/articles/bench?n=' .. n .. '"}')
end
"""


def metric(port: int, name: str) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/metrics")
    m = re.search(rf"(?m)^{name} (\S+)$", conn.getresponse().read().decode())
    return float(m.group(1)) if m else 0.0


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--connections", type=int, default=50)
    args = p.parse_args()
    load = os.getloadavg()[0]
    binary = str(pathlib.Path(args.build) / "bin" / "sd-shortener")
    twin = str(HERE.parent / "02_url_shortener_service_mini" / "main.py")
    tmp = tempfile.mkdtemp(prefix="sd-bench-creates-")
    script = pathlib.Path(tmp) / "create.lua"
    script.write_text(SCRIPT)
    common = ["--threads", "1", "--log-level", "warn"] + UNLIMITED
    servers = []
    pg = PostgresServer(fsync=True, cpus="0").start()
    try:
        def start(name, extra):
            port = benchlib.free_port()
            servers.append(benchlib.start_command(name, [binary, "--port", str(port)] + common + extra, port))

        start("sd-shortener, SQLite synchronous=FULL", ["--data", f"{tmp}/full.db"])
        start("sd-shortener, SQLite synchronous=NORMAL", ["--data", f"{tmp}/normal.db",
                                                          "--sqlite-sync", "normal"])
        start("sd-shortener, PostgreSQL (fsync on)", ["--postgres", pg.conninfo])
        port = benchlib.free_port()
        servers.append(benchlib.start_command("main.py (Python twin, sqlite3 FULL)", [
            "/usr/bin/python3", twin, "--port", str(port), "--log-level", "warn", "--no-access-log",
            "--data", f"{tmp}/twin.db"] + UNLIMITED, port))
        results = benchlib.compare(servers, "/", args.rounds, args.seconds, 1, args.connections,
                                   script=str(script))
        commits = {s.name: metric(s.port, "shortener_sqlite_commits_total") for s in servers[:2]}
        writes = {s.name: metric(s.port, "shortener_sqlite_writes_total") for s in servers[:2]}
    finally:
        for s in servers:
            s.stop()
        pg.stop()
    batching = "; ".join(f"{name}: {writes[name] / max(commits[name], 1):.1f} writes per commit"
                         for name in commits)
    report = (
        "# Link creation: sd-shortener on SQLite and PostgreSQL vs the Python twin\n\n"
        f"Machine: {benchlib.machine_note()}, load average {load:.1f} at the start (a shared VM: "
        "other jobs ran meanwhile, so compare ratios, not absolutes). `POST /v1/links` with a new URL each time, "
        f"`wrk -t1 -c{args.connections}` on CPU 1, servers and PostgreSQL on CPU 0, one server thread, "
        f"{args.rounds} alternating rounds of {args.seconds}s, median round; ratios are medians of "
        "paired rounds. Every 201 is sent after the commit (SQLite: group commit on the writer thread; "
        "PostgreSQL: its own commit, fsync on, synchronous_commit on).\n\n"
        f"{benchlib.table(results, 'main.py (Python twin, sqlite3 FULL)')}\n\n"
        f"Group commit over the whole run (including warm-up): {batching}.\n\n"
        "Command: `bench/shortener_creates.py --build build` (part of `make bench`).\n")
    (HERE / "results" / "shortener_creates.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

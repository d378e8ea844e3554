#!/usr/bin/env python3
"""Redirects: sd-shortener (one server thread) answering GET /r/{code} from its in-process cache vs
nginx (one worker) returning the same 302 + Location + Cache-Control from its config; then
redirects that miss the cache and read the store (SQLite, PostgreSQL), and the Python twin.
wrk keep-alive on loopback, the servers (and PostgreSQL) on CPU 0, wrk on CPU 1, alternating rounds.
Writes bench/results/shortener_redirects.md.
"""

import argparse
import os
import http.client
import json
import pathlib
import sys
import tempfile

import benchlib

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "contract"))
from postgres_server import PostgresServer  # noqa: E402

TARGET = "https://www.example.com/articles/2024/05/how-we-measure-redirects?utm_source=bench"
UNLIMITED = ["--rule", "name=default,rate=1/s,shadow=true"]


def create_links(port: int, n: int) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    codes = []
    for i in range(n):
        conn.request("POST", "/shorten", body=json.dumps({"url": f"{TARGET}&n={i}"}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        body = r.read()
        if r.status != 201:
            raise RuntimeError(f"create failed: {r.status} {body[:200]!r}")
        codes.append(json.loads(body)["code"])
    return codes


def random_code_script(codes: list[str], directory: str) -> str:
    codes_file = pathlib.Path(directory) / "codes.txt"
    codes_file.write_text("\n".join(codes) + "\n")
    script = pathlib.Path(directory) / "random_code.lua"
    script.write_text(
        "local codes = {}\n"
        f"for line in io.lines('{codes_file}') do codes[#codes + 1] = line end\n"
        "math.randomseed(42)\n"
        "request = function() return wrk.format('GET', '/r/' .. codes[math.random(#codes)]) end\n")
    return str(script)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--miss-links", type=int, default=20000)
    args = p.parse_args()
    load = os.getloadavg()[0]
    binary = str(pathlib.Path(args.build) / "bin" / "sd-shortener")
    twin = str(HERE.parent / "02_url_shortener_service_mini" / "main.py")
    tmp = tempfile.mkdtemp(prefix="sd-bench-shortener-")
    servers, extra = [], []
    pg = None
    try:
        # --- cache hit vs nginx ------------------------------------------------------------------
        port = benchlib.free_port()
        shortener = benchlib.start_command("sd-shortener (1 thread)", [
            binary, "--port", str(port), "--threads", "1", "--log-level", "warn",
            "--data", f"{tmp}/hit.db"] + UNLIMITED, port)
        servers.append(shortener)
        code = create_links(port, 1)[0]
        port = benchlib.free_port()
        bare = benchlib.start_command("sd-shortener, no observability (1 thread)", [
            binary, "--port", str(port), "--threads", "1", "--no-observability",
            "--data", f"{tmp}/hit.db"] + UNLIMITED, port)
        servers.append(bare)
        servers.append(benchlib.start_nginx(
            "nginx return 302 (1 worker)",
            f'location = /r/{code} {{ add_header Cache-Control "private, max-age=90"; '
            f"return 302 {TARGET}&n=0; }}"))
        hit = benchlib.compare(servers, f"/r/{code}", args.rounds, args.seconds, 1, 50)

        # --- cache misses: every redirect reads the store ----------------------------------------
        pg = PostgresServer(fsync=True, cpus="0").start()
        miss_flags = ["--threads", "1", "--log-level", "warn", "--cache-bytes", "65536",
                      "--negative-cache-bytes", "65536"] + UNLIMITED
        port = benchlib.free_port()
        sqlite_miss = benchlib.start_command("sd-shortener, SQLite, cache misses", [
            binary, "--port", str(port), "--data", f"{tmp}/miss.db"] + miss_flags, port)
        codes = create_links(port, args.miss_links)
        port = benchlib.free_port()
        pg_miss = benchlib.start_command("sd-shortener, PostgreSQL, cache misses", [
            binary, "--port", str(port), "--postgres", pg.conninfo] + miss_flags, port)
        pg_codes = create_links(port, args.miss_links)
        port = benchlib.free_port()
        twin_server = benchlib.start_command("main.py (Python twin, SQLite)", [
            "/usr/bin/python3", twin, "--port", str(port), "--log-level", "warn", "--no-access-log",
            "--data", f"{tmp}/miss.db"], port)
        extra = [sqlite_miss, pg_miss, twin_server]
        miss_script = random_code_script(codes, tmp)
        pg_dir = tempfile.mkdtemp(prefix="sd-bench-pgcodes-")
        pg_script = random_code_script(pg_codes, pg_dir)
        miss = benchlib.compare([sqlite_miss, twin_server], "/", args.rounds, args.seconds, 1, 50,
                                script=miss_script)
        pg_result = benchlib.compare([pg_miss], "/", args.rounds, args.seconds, 1, 50,
                                     script=pg_script)
        hits = {}
        for s in (sqlite_miss, pg_miss):
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            conn.request("GET", "/metrics")
            text = conn.getresponse().read().decode()
            vals = {src: float(v) for src, v in
                    __import__("re").findall(r'shortener_resolves_total\{source="(\w+)"\} (\S+)', text)}
            hits[s.name] = vals.get("cache", 0) / max(1.0, sum(vals.values()))
    finally:
        for s in servers + extra:
            s.stop()
        if pg:
            pg.stop()
    lines = ["| server | requests/s (median round) | p50 | p99 | server CPU µs/request | cache hit ratio |",
             "|---|---:|---:|---:|---:|---:|"]
    for results in (miss, pg_result):
        for name, r in results.items():
            ratio = f"{hits[name]:.3f}" if name in hits else "no cache"
            lines.append(f"| {name} | {r.rps:,.0f} | {r.p50_us:.0f} µs | {r.p99_us:.0f} µs | "
                         f"{r.cpu_us_per_req:.2f} | {ratio} |")
    report = (
        "# Redirects: sd-shortener vs nginx, cache hits and misses\n\n"
        f"Machine: {benchlib.machine_note()}, load average {load:.1f} at the start (a shared VM: "
        "other jobs ran meanwhile, so compare ratios, not absolutes). Servers (and PostgreSQL) on CPU 0, `wrk -t1 -c50` on "
        f"CPU 1, {args.rounds} alternating rounds of {args.seconds}s, median round; ratios are medians "
        "of paired rounds. sd-shortener with `--log-level warn` (RED metrics, request ids, tracing on; "
        "no access log line) and with `--no-observability`; nginx with `access_log off` returning the "
        "same 302, Location and Cache-Control from its config (its 302 also carries a 145-byte HTML "
        "body; ours has none).\n\n"
        "## Cache hit (one hot link)\n\n"
        f"{benchlib.table(hit, 'nginx return 302 (1 worker)')}\n\n"
        f"## Cache miss ({args.miss_links:,} links, random codes, a 64 KiB cache)\n\n"
        "Every redirect reads the store (SQLite on the store's reader threads; PostgreSQL through "
        "the non-blocking pool, fsync on). The twin has no cache: every redirect is a sqlite3 read "
        "plus a visit write.\n\n" + "\n".join(lines) + "\n\n"
        "Command: `bench/shortener_redirects.py --build build` (part of `make bench`).\n")
    (HERE / "results" / "shortener_redirects.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""PostgreSQL goes away and comes back: sd-shortener must not crash, must say so (503 problem+json
for what needs the store, /readyz 503 within the probe interval), must keep serving the redirects
it has cached, and must become ready again by itself once the database is back.

    store_outage_test.py <sd-shortener binary>
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "contract"))
import contract  # noqa: E402
import run  # noqa: E402
from postgres_server import PostgresServer  # noqa: E402


def wait_for(predicate, seconds: float = 15.0) -> bool:
    """Polls `predicate` until it holds (bounded): readiness follows a probe interval."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def main() -> int:
    # Durable settings: the outage is an immediate shutdown, and with synchronous_commit off the
    # last commits (here: the schema) would be lost with it.
    pg = PostgresServer(fsync=True).start()
    proc = None
    failures = []

    def check(ok: bool, what: str) -> None:
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    try:
        proc, base, log = run.start([sys.argv[1], "--postgres", pg.conninfo, "--store-check-interval",
                                     "100ms", "--pg-timeout", "1s", "--rule", "name=default,rate=1/s,shadow=true"])
        c = contract.Client(base)
        r = c.post("/v1/links", {"url": "https://example.com/outage"})
        check(r.status == 201, "create while the database is up")
        code = r.json()["code"]
        check(c.get("/r/" + code).status == 302, "redirect (now cached)")

        pg.stop_server()
        check(wait_for(lambda: c.get("/readyz").status == 503), "/readyz turns 503 when the database is gone")
        r = c.get("/readyz")
        check("store" in r.json().get("detail", ""), f"/readyz names the store: {r.body[:120]!r}")
        r = c.get("/r/" + code)
        check(r.status == 302 and r.header("location") == "https://example.com/outage",
              "a cached redirect keeps working")
        r = c.post("/v1/links", {"url": "https://example.com/down"})
        check(r.status == 503 and r.header("content-type") == "application/problem+json",
              f"create is 503 problem+json: {r.status}")
        r = c.get("/r/NotCachedCode")
        check(r.status == 503, f"an uncached code is 503, not 404: {r.status}")
        check(proc.poll() is None, "the process is still running")

        pg.start()  # same port, same data
        check(wait_for(lambda: c.get("/readyz").status == 200), "/readyz is 200 again once it is back")
        r = c.post("/v1/links", {"url": "https://example.com/back"})
        check(r.status == 201, f"create works again: {r.status} {r.body[:300]!r}")
        check(c.get("/r/" + code).status == 302, "the link created before the outage still resolves")
        r = c.get("/v1/links/" + code)
        check(r.status == 200 and r.json()["code"] == code, "and the store still has it")
    finally:
        rc = run.stop(proc) if proc else -1
        pg.stop()
    if proc:
        check(rc == 0, f"clean exit on SIGTERM ({rc})")
    if failures:
        print("--- service log (last lines) ---")
        print("".join(log[-20:]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Durability: kill -9 during a creation load loses no link that got a 201.

    kill9_test.py [--links N] -- <service command with its --data/--postgres>

"{tmp}" in the command becomes a fresh temporary directory (removed afterwards).

Starts the service, runs concurrent creators, SIGKILLs the process while they are still creating,
starts it again on the same data, and resolves every link that was answered 201: each must
redirect to its URL. A 201 is a promise that the link is stored; a crash must not break it.
(Requests in flight at the kill may or may not have been stored — their clients got no answer.)
"""

from __future__ import annotations

import argparse
import http.client
import json
import pathlib
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "contract"))
import run  # noqa: E402  (start(): the service on port 0, waits until healthy)


def creator(base: str, worker: int, stop: threading.Event, created: list, lock: threading.Lock) -> None:
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    i = 0
    while not stop.is_set():
        url = f"https://example.com/kill9/{worker}/{i}"
        i += 1
        try:
            conn.request("POST", "/v1/links", body=json.dumps({"url": url}),
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            body = r.read()
        except (OSError, http.client.HTTPException):
            return  # the process died under us: this request's fate is unknown, and not counted
        if r.status == 201:
            with lock:
                created.append((json.loads(body)["code"], url))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--links", type=int, default=1000, help="201s to collect before the kill")
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("command", nargs="+")
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="sd-kill9-")
    try:
        return run_test(args, [a.replace("{tmp}", tmp) for a in args.command])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_test(args, command: list[str]) -> int:
    if command[0].endswith(".py"):
        command = [sys.executable] + command

    proc, base, _ = run.start(command)
    created: list[tuple[str, str]] = []
    lock = threading.Lock()
    stop = threading.Event()
    threads = [threading.Thread(target=creator, args=(base, w, stop, created, lock), daemon=True)
               for w in range(args.workers)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while len(created) < args.links and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # mid-load: the creators are still sending
    proc.wait()
    stop.set()
    for t in threads:
        t.join(timeout=15)
    with lock:
        promised = list(created)
    print(f"kill -9 after {len(promised)} links answered 201")
    if len(promised) < args.links:
        print(f"FAIL: only {len(promised)} of {args.links} creates succeeded before the deadline")
        return 1

    proc, base, _ = run.start(command)
    try:
        u = urllib.parse.urlsplit(base)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        lost = []
        for code, url in promised:
            conn.request("HEAD", "/r/" + code)
            r = conn.getresponse()
            r.read()
            if r.status != 302 or r.getheader("Location") != url:
                lost.append((code, url, r.status))
    finally:
        rc = run.stop(proc)
    if lost:
        print(f"FAIL: {len(lost)} of {len(promised)} links that got a 201 are gone, e.g. {lost[:5]}")
        return 1
    if rc != 0:
        print(f"FAIL: exit status {rc} on SIGTERM after the restart")
        return 1
    print(f"OK: all {len(promised)} links resolve after the restart")
    return 0


if __name__ == "__main__":
    sys.exit(main())

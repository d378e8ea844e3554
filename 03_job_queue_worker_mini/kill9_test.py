#!/usr/bin/env python3
"""kill -9 under load: what sd-jobqueue acknowledged must survive a crash.

For each --fsync setting: start sd-jobqueue on a fresh --data directory, run producers (put) and a
consumer (reserve + delete) on the beanstalkd port for a while, SIGKILL the server mid-traffic,
restart it on the same directory, and check with peek:
  - every put that was answered INSERTED is there, with its body (unless its delete was answered);
  - no job whose delete was answered DELETED came back.
Writes are made before replies in every mode, so a process crash should lose nothing in any mode;
the fsync setting only matters for a machine crash, which this test cannot stage. It prints what
it measured per mode and exits non-zero on any loss.

    kill9_test.py --sd build/bin/sd-jobqueue [--seconds 2] [--modes always,every=50ms,never]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def start(sd: str, data: str, fsync: str) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sd, "--port", "0", "--beanstalkd-port", "0", "--data", data,
                             "--fsync", fsync, "--wal-segment-bytes", "262144", "--log-level", "warn"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    until = time.monotonic() + 30
    while time.monotonic() < until:
        line = proc.stdout.readline()
        m = re.search(r"beanstalkd protocol on [\d.]+:(\d+)", line)
        if m:
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc, int(m.group(1))
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError("sd-jobqueue did not start")


class Conn:
    def __init__(self, port: int):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.s.makefile("rb")

    def cmd(self, line: bytes, body: bytes | None = None) -> bytes:
        self.s.sendall(line + b"\r\n" + (body + b"\r\n" if body is not None else b""))
        return self.f.readline().rstrip(b"\r\n")

    def read_body(self, n: int) -> bytes:
        return self.f.read(n + 2)[:-2]


def load(port: int, stop: threading.Event, acked_puts: dict, acked_deletes: set, sent_deletes: set,
         lock) -> list:
    def producer(k: int) -> None:
        try:
            c = Conn(port)
            i = 0
            while not stop.is_set():
                body = f"p{k}-{i}".encode()
                r = c.cmd(b"put 100 0 60 %d" % len(body), body)
                if r.startswith(b"INSERTED "):
                    with lock:
                        acked_puts[int(r.split()[1])] = body
                i += 1
        except OSError:
            pass  # the server was killed mid-request: that put is unacknowledged

    def consumer() -> None:
        try:
            c = Conn(port)
            while not stop.is_set():
                r = c.cmd(b"reserve-with-timeout 1")
                if not r.startswith(b"RESERVED"):
                    continue
                job_id, n = (int(x) for x in r.split()[1:3])
                c.read_body(n)
                with lock:
                    sent_deletes.add(job_id)  # may be applied even if the reply never arrives
                if c.cmd(b"delete %d" % job_id) == b"DELETED":
                    with lock:
                        acked_deletes.add(job_id)
        except OSError:
            pass

    threads = [threading.Thread(target=producer, args=(k,)) for k in range(4)]
    threads.append(threading.Thread(target=consumer))
    for t in threads:
        t.start()
    return threads


def check(port: int, acked_puts: dict, acked_deletes: set, sent_deletes: set) -> tuple[int, int, int]:
    """(lost puts, resurrected deletes, wrong bodies). A job whose delete was sent but not answered
    may be there or not: the crash decided."""
    c = Conn(port)
    lost = resurrected = wrong = 0
    for job_id, body in sorted(acked_puts.items()):
        r = c.cmd(b"peek %d" % job_id)
        if r.startswith(b"FOUND"):
            got = c.read_body(int(r.split()[2]))
            if job_id in acked_deletes:
                resurrected += 1
            elif got != body:
                wrong += 1
        elif job_id not in sent_deletes:
            lost += 1
    return lost, resurrected, wrong


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--sd", required=True)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--modes", default="always,every=50ms,never")
    args = p.parse_args()
    failures = 0
    for mode in args.modes.split(","):
        with tempfile.TemporaryDirectory(prefix="sd-jobqueue-kill9-") as data:
            proc, port = start(args.sd, data, mode)
            acked_puts: dict[int, bytes] = {}
            acked_deletes: set[int] = set()
            sent_deletes: set[int] = set()
            lock = threading.Lock()
            stop = threading.Event()
            threads = load(port, stop, acked_puts, acked_deletes, sent_deletes, lock)
            time.sleep(args.seconds)  # the load runs for this long before the crash (not a sync)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            stop.set()
            for t in threads:
                t.join(15)
            proc, port = start(args.sd, data, mode)
            try:
                lost, resurrected, wrong = check(port, acked_puts, acked_deletes, sent_deletes)
            finally:
                proc.terminate()
                proc.wait(15)
            ok = lost == resurrected == wrong == 0 and len(acked_puts) > 0
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} --fsync {mode}: {len(acked_puts)} puts and "
                  f"{len(acked_deletes)} deletes acknowledged before kill -9; after restart "
                  f"{lost} puts lost, {resurrected} deletes undone, {wrong} bodies wrong")
    modes = len(args.modes.split(","))
    print(f"{modes - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

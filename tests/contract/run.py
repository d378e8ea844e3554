#!/usr/bin/env python3
"""Runs one contract suite against one implementation.

    run.py --impl cpp --suite 00_system_design_framework/contract_test.py -- build/bin/sd-framework

Starts the command with --host 127.0.0.1 --port 0 (plus any --arg given), waits for its
"listening on http://HOST:PORT" line, runs the suite's unittest cases against it, then sends SIGTERM
and requires a clean exit (status 0) within the shutdown grace period. Exit status: 0 when all
passed. Every wait is bounded, so a broken service fails the run instead of hanging it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import threading
import time
import unittest
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import contract  # noqa: E402
import procs  # noqa: E402


stdout_lines: list[str] = []  # everything the service printed (other listeners announce here)


def start(command: list[str], extra_env: dict | None = None, timeout: float = 20.0):
    """Starts a service on a free port; returns (process, base_url, stderr_lines)."""
    env = dict(os.environ, **(extra_env or {}))
    proc = subprocess.Popen(command + ["--host", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    stderr_lines: list[str] = []
    threading.Thread(target=lambda: stderr_lines.extend(proc.stderr), daemon=True).start()
    found: list[str] = []

    def read_stdout():
        for line in proc.stdout:
            stdout_lines.append(line)
            m = re.search(r"listening on (http://\S+)", line)
            if m and not found:
                found.append(m.group(1))

    threading.Thread(target=read_stdout, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"service did not start: rc={proc.poll()} stderr={''.join(stderr_lines)[-2000:]}")
        time.sleep(0.02)
    base = found[0]
    while True:  # listening is printed after bind; /healthz proves the serving loop runs
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("service never became healthy")
        time.sleep(0.02)
    return proc, base, stderr_lines


def stop(proc: subprocess.Popen, timeout: float = 15.0) -> int:
    """SIGTERM, then SIGKILL after `timeout`; the exit status (-9 when killed)."""
    return procs.stop(proc, timeout)


def load_suite(path: str):
    spec = importlib.util.spec_from_file_location(pathlib.Path(path).stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--impl", required=True, choices=["cpp", "python"])
    p.add_argument("--suite", required=True)
    p.add_argument("--arg", action="append", default=[], help="extra argument for the service")
    p.add_argument("command", nargs="+")
    args = p.parse_args()

    command = args.command + args.arg
    if command[0].endswith(".py"):
        command = [sys.executable] + command
    proc, base, stderr_lines = start(command)
    os.environ["SD_BASE_URL"] = base
    os.environ["SD_IMPL"] = args.impl
    contract.ServiceTest.BASE_URL = base
    contract.ServiceTest.IMPL = args.impl
    contract.ServiceTest.SERVICE_COMMAND = command
    contract.ServiceTest.SERVICE_LOG = stderr_lines
    contract.ServiceTest.SERVICE_STDOUT = stdout_lines
    try:
        module = load_suite(args.suite)
        suite = unittest.defaultTestLoader.loadTestsFromModule(module)
        result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    finally:
        rc = stop(proc)
    ok = result.wasSuccessful()
    if rc != 0:
        print(f"FAIL: the service exited with {rc} on SIGTERM (want 0)")
        ok = False
    if not ok:
        print("--- service log (last lines) ---")
        print("".join(stderr_lines[-40:]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

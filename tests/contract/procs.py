"""Ports and processes, for every Python test and benchmark script that starts servers of its own
(sd-* services, memcached, beanstalkd, redis-server, PostgreSQL): a free loopback port, waiting
until something listens on one, and stopping a process politely, then firmly. Standard library
only, like everything the tests and benchmarks run.

    import procs
    port = procs.free_port()
    proc = subprocess.Popen(["beanstalkd", "-l", "127.0.0.1", "-p", str(port)])
    procs.wait_port(port)
    ...
    procs.stop(proc)
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time


def free_port() -> int:
    """A loopback TCP port nothing listens on now (the kernel's pick; racy only in theory)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 10.0) -> None:
    """Returns once something accepts connections on 127.0.0.1:`port`; RuntimeError after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port}")


def stop(proc: subprocess.Popen, timeout: float = 10.0, sig: int = signal.SIGTERM) -> int:
    """Sends `sig` (SIGTERM: a graceful shutdown) unless `proc` has exited already, waits up to
    `timeout` seconds, then kills it. Returns its exit status; -9 when it had to be killed."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return -9

"""A throwaway redis-server on a free loopback port, for black-box tests that need a real Redis."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

import procs


class RedisServer:
    def __init__(self):
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.dir = tempfile.mkdtemp(prefix="sd-redis-")

    def start(self, port: int = 0) -> "RedisServer":
        exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        for _ in range(20):  # redis-server cannot bind port 0: pick one, retry if taken meanwhile
            if not port:
                port = procs.free_port()
            self.proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                          "--appendonly", "no", "--dir", self.dir],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5) as c:
                        c.sendall(b"PING\r\n")
                        if c.recv(16).startswith(b"+PONG"):
                            self.port = port
                            return self
                except OSError:
                    time.sleep(0.02)
            self.stop()
            port = 0
        raise RuntimeError("could not start redis-server")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc:
            procs.stop(self.proc)

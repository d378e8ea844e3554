"""A throwaway PostgreSQL on a free loopback port, for black-box tests that need a real database.

initdb + postgres from Debian's postgresql package, in a temporary directory, trusting local
connections (user "sd"). PostgreSQL refuses to run as root, so when we are root the directory is
given to `nobody` and both programs drop to it before exec. Coming up is polled with pg_isready,
bounded; stop() is an immediate shutdown and removes the directory.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import procs


def bin_dir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)")
    return os.path.dirname(found[-1])


class PostgresServer:
    def __init__(self, fsync: bool = False, cpus: str = ""):
        self.fsync = fsync
        self.cpus = cpus  # taskset CPU list for the server (benchmarks pin it), "" = anywhere
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.dir = tempfile.mkdtemp(prefix="sd-pg-")
        self.bin = bin_dir()
        self._demote = None
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)

            def demote(uid=nobody.pw_uid, gid=nobody.pw_gid):
                os.setgroups([])
                os.setgid(gid)
                os.setuid(uid)

            self._demote = demote

    def start(self) -> "PostgresServer":
        data = os.path.join(self.dir, "data")
        if not os.path.exists(os.path.join(data, "PG_VERSION")):
            subprocess.run([os.path.join(self.bin, "initdb"), "-D", data, "-U", "sd", "--auth=trust", "-E", "UTF8",
                            "--locale=C", "--no-sync"], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, preexec_fn=self._demote)
        for _ in range(10):  # pick a free port; retry if another process takes it meanwhile
            if not self.port:
                self.port = procs.free_port()
            args = [os.path.join(self.bin, "postgres"), "-D", data, "-p", str(self.port), "-k", self.dir,
                    "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
                    "-c", f"fsync={'on' if self.fsync else 'off'}"]
            if not self.fsync:
                args += ["-c", "synchronous_commit=off"]
            if self.cpus:
                args = ["taskset", "-c", self.cpus] + args
            log = open(os.path.join(self.dir, "postgres.log"), "ab")
            self.proc = subprocess.Popen(args, stdout=log, stderr=log, preexec_fn=self._demote)
            log.close()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and self.proc.poll() is None:
                ready = subprocess.run([os.path.join(self.bin, "pg_isready"), "-q", "-h", "127.0.0.1", "-p",
                                        str(self.port), "-U", "sd", "-d", "postgres"])
                if ready.returncode == 0:
                    return self
                time.sleep(0.05)
            self.stop_server()
            self.port = 0
        raise RuntimeError("could not start postgres: " + open(os.path.join(self.dir, "postgres.log")).read()[-1500:])

    @property
    def conninfo(self) -> str:
        return f"host=127.0.0.1 port={self.port} dbname=postgres user=sd connect_timeout=5"

    def stop_server(self) -> None:
        if self.proc:
            procs.stop(self.proc, sig=signal.SIGQUIT)  # immediate shutdown

    def stop(self) -> None:
        self.stop_server()
        shutil.rmtree(self.dir, ignore_errors=True)

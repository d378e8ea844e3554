#!/usr/bin/env python3
"""Runs a command with a fresh PostgreSQL: every "{postgres}" in the arguments becomes its libpq
conninfo. Used to run a contract suite against a service backed by PostgreSQL.

    with_postgres.py tests/contract/run.py --impl cpp --suite S -- build/bin/sd-shortener --postgres {postgres}
"""

import subprocess
import sys

from postgres_server import PostgresServer


def main() -> int:
    server = PostgresServer().start()
    try:
        args = [a.replace("{postgres}", server.conninfo) for a in sys.argv[1:]]
        if args and args[0].endswith(".py"):
            args = [sys.executable] + args
        return subprocess.run(args).returncode
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())

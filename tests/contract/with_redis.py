#!/usr/bin/env python3
"""Runs a command with a fresh redis-server: every "{redis}" in the arguments becomes its
host:port. Used to run a contract suite against a service backed by Redis.

    with_redis.py tests/contract/run.py --impl cpp --suite S -- build/bin/sd-ratelimiter --redis {redis}
"""

import subprocess
import sys

from redis_server import RedisServer


def main() -> int:
    redis = RedisServer().start()
    try:
        args = [a.replace("{redis}", redis.address) for a in sys.argv[1:]]
        if args and args[0].endswith(".py"):
            args = [sys.executable] + args
        return subprocess.run(args).returncode
    finally:
        redis.stop()


if __name__ == "__main__":
    sys.exit(main())

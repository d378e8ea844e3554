#!/usr/bin/env python3
"""Several sd-ratelimiter instances sharing one limit through a real Redis, and what each failure
mode does when Redis goes away. Black-box: starts redis-server and the services itself.

    redis_shared_limit_test.py build/bin/sd-ratelimiter
"""

import pathlib
import re
import sys
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "contract"))

import contract  # noqa: E402
import run  # noqa: E402
from redis_server import RedisServer  # noqa: E402

BINARY = ""
RULES = ["--rule", "name=default,algo=gcra,rate=1/h,burst=5,key=ip",
         "--rule", "name=open,algo=token_bucket,rate=1/h,burst=5,key=descriptor,failure=open",
         "--rule", "name=closed,algo=token_bucket,rate=1/h,burst=5,key=descriptor,failure=closed"]


class SharedLimit(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer().start()
        self.addCleanup(self.redis.stop)
        self.instances = []
        for _ in range(2):
            proc, base, _log = run.start([BINARY, "--redis", self.redis.address, "--trusted-proxy", "127.0.0.1",
                                          "--threads", "2"] + RULES)
            self.addCleanup(run.stop, proc)
            self.instances.append(contract.Client(base))

    def test_two_instances_share_one_limit(self):
        client = {"X-Forwarded-For": "198.51.100.7"}
        statuses = [self.instances[i % 2].get("/ping", headers=client).status for i in range(8)]
        self.assertEqual(statuses, [200] * 5 + [429] * 3)  # 5 in total, not 5 per instance

    def test_failure_modes_when_redis_is_gone(self):
        self.redis.stop()
        a = self.instances[0]
        opened = a.post("/v1/check", body={"key": "k", "rule": "open"}).json()
        closed = a.post("/v1/check", body={"key": "k", "rule": "closed"}).json()
        self.assertTrue(opened["allowed"])   # fail open: availability over protection
        self.assertFalse(closed["allowed"])  # fail closed: protection over availability
        metrics = a.get("/metrics").body.decode()
        self.assertRegex(metrics, r'ratelimit_store_errors_total\{rule="open"\} [1-9]')
        self.assertRegex(metrics, r'ratelimit_redis_errors_total\{kind="(unavailable|timeout)"\} [1-9]')


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)

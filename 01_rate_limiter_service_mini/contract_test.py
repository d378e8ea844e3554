"""Contract of sd-ratelimiter, run against the C++ binary and main.py alike.

The harness starts the service with --trusted-proxy 127.0.0.1 (see CMakeLists.txt), so each test
can be its own client by sending its own X-Forwarded-For; the default rule is the seed's (token
bucket, 2 tokens/s, burst 5, keyed by client IP).
"""

import itertools
import re
import time

import contract

_client_numbers = itertools.count(1)


def new_client() -> dict:
    """Headers making the next requests come from a fresh client address."""
    n = next(_client_numbers)
    # The rightmost entry is what our trusted proxy (127.0.0.1) saw: that is the client.
    return {"X-Forwarded-For": f"192.0.2.99, 10.0.{n // 250}.{n % 250 + 1}"}


class RateLimiterContract(contract.ServiceTest):
    def ping(self, headers):
        return self.client.get("/ping", headers=headers)

    def test_seed_demo_five_allowed_then_429_then_allowed_after_refill(self):
        me = new_client()
        for i in range(5):
            r = self.ping(me)
            self.assertEqual(r.status, 200, f"request {i + 1}: {r}")
            self.assertEqual(r.json(), {"message": "pong"})
        r = self.ping(me)
        body = self.assertProblem(r, 429)
        self.assertEqual(body["code"], "rate_limited")
        self.assertEqual(r.header("retry-after"), "1")
        # One token refills in 0.5 s; Retry-After said 1 s. Wait for it (bounded), then we are back.
        deadline = time.monotonic() + 3
        time.sleep(1.0)
        r = self.ping(me)
        while r.status == 429 and time.monotonic() < deadline:
            time.sleep(0.1)
            r = self.ping(me)
        self.assertEqual(r.status, 200, r)

    def test_clients_have_separate_buckets(self):
        a, b = new_client(), new_client()
        for _ in range(5):
            self.assertEqual(self.ping(a).status, 200)
        self.assertEqual(self.ping(a).status, 429)
        self.assertEqual(self.ping(b).status, 200)

    def test_new_connections_do_not_get_new_buckets(self):
        # The seed keyed by ip:port, so every connection started full. Ours keys by client IP.
        me = new_client()
        statuses = []
        for _ in range(6):
            c = contract.Client(self.BASE_URL)
            statuses.append(c.get("/ping", headers=me).status)
            c.close()
        self.assertEqual(statuses, [200] * 5 + [429])

    def test_allowed_responses_carry_ratelimit_fields(self):
        me = new_client()
        r = self.ping(me)
        self.assertEqual(r.header("ratelimit-policy"), '"default";q=5;w=3')
        self.assertEqual(r.header("ratelimit"), '"default";r=4;t=1')
        r = self.ping(me)
        self.assertRegex(r.header("ratelimit"), r'^"default";r=3;t=[12]$')

    def test_rejections_carry_ratelimit_fields_and_a_problem(self):
        me = new_client()
        for _ in range(5):
            self.ping(me)
        r = self.ping(me)
        self.assertEqual(r.status, 429)
        self.assertEqual(r.header("ratelimit"), '"default";r=0;t=1')
        self.assertEqual(r.json()["detail"], "rate limit exceeded")
        self.assertTrue(r.header("x-request-id"))

    # --- POST /v1/check ---------------------------------------------------------------------

    def check(self, body):
        return self.client.post("/v1/check", body=body)

    def test_check_counts_down_then_refuses(self):
        key = f"user-{next(_client_numbers)}"
        remaining = []
        for _ in range(5):
            r = self.check({"key": key, "rule": "default", "cost": 1})
            self.assertEqual(r.status, 200)
            d = r.json()
            self.assertTrue(d["allowed"])
            self.assertEqual(d["limit"], 5)
            self.assertEqual(d["retry_after_ms"], 0)
            remaining.append(d["remaining"])
        self.assertEqual(remaining, [4, 3, 2, 1, 0])
        d = self.check({"key": key, "rule": "default"}).json()
        self.assertFalse(d["allowed"])
        self.assertEqual(d["remaining"], 0)
        self.assertTrue(0 < d["retry_after_ms"] <= 500, d)
        self.assertTrue(0 < d["reset_after_ms"] <= 2500, d)

    def test_check_cost_above_the_limit_can_never_succeed(self):
        d = self.check({"key": f"big-{next(_client_numbers)}", "cost": 6}).json()
        self.assertFalse(d["allowed"])
        self.assertEqual(d["retry_after_ms"], -1)

    def test_check_cost_zero_peeks_without_consuming(self):
        key = f"peek-{next(_client_numbers)}"
        self.check({"key": key, "cost": 2})
        for _ in range(2):
            d = self.check({"key": key, "cost": 0}).json()
            self.assertTrue(d["allowed"])
            self.assertEqual(d["remaining"], 3)

    def test_check_takes_descriptors(self):
        body = {"descriptors": [{"key": "user", "value": f"d{next(_client_numbers)}"}], "cost": 5}
        self.assertTrue(self.check(body).json()["allowed"])
        self.assertFalse(self.check(body).json()["allowed"])

    def test_check_rejects_bad_input(self):
        bad = [
            "not json",
            [1, 2],
            {},
            {"key": ""},
            {"key": 7},
            {"key": "x" * 513},
            {"key": "k", "cost": -1},
            {"key": "k", "cost": 1.5},
            {"key": "k", "cost": "1"},
            {"key": "k", "cost": True},
            {"key": "k", "rule": "no-such-rule"},
            {"key": "k", "descriptors": [{"key": "a", "value": "b"}]},
            {"descriptors": []},
            {"descriptors": [{"key": "a"}]},
        ]
        for body in bad:
            r = self.check(body)
            self.assertProblem(r, 400)

    def test_metrics_count_decisions_by_rule_and_outcome(self):
        me = new_client()
        for _ in range(6):
            self.ping(me)
        text = self.assertMetricsValid()  # promtool-clean, +Inf == _count
        self.assertRegex(text, r'ratelimit_decisions_total\{rule="default",outcome="allowed"\} [1-9]')
        self.assertRegex(text, r'ratelimit_decisions_total\{rule="default",outcome="limited"\} [1-9]')
        self.assertRegex(text, r"ratelimit_tracked_keys [0-9]")
        self.assertRegex(text, r'http_requests_total\{method="GET",route="/ping",code="429"\} [1-9]')

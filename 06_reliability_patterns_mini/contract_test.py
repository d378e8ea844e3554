"""Contract of sd-reliability (retry + timeout + breaker subset), run against the C++ binary and
main.py alike.

The harness starts the service with --policy @contract_policy.json (see CMakeLists.txt): short
timeouts, three attempts with a constant 10 ms backoff, a breaker that only trips when a whole
window fails, and no budget or bulkhead (the Python twin has neither). Each test creates its own simulated upstream
with PUT /v1/upstreams/{name} and, where it needs one, its own policy with PUT /v1/policies/{name},
so the tests are independent of each other and of their order.
"""

import itertools
import time

import contract

_names = itertools.count(1)


class ReliabilityContract(contract.ServiceTest):
    def upstream(self, behavior: dict | None = None, policy: dict | None = None) -> str:
        """A fresh simulated upstream (and its own pipeline policy, when given)."""
        name = f"u{next(_names)}-{self.IMPL or 'x'}"
        r = self.client.request("PUT", f"/v1/upstreams/{name}", body=behavior or {})
        self.assertEqual(r.status, 201, r)
        if policy is not None:
            r = self.client.request("PUT", f"/v1/policies/{name}", body=policy)
            self.assertEqual(r.status, 200, r)
        return name

    def call(self, name: str, query: str = "", headers: dict | None = None):
        return self.client.get(f"/call/{name}{query}", headers=headers)

    def breaker(self, name: str) -> dict:
        r = self.client.get("/v1/breakers")
        self.assertEqual(r.status, 200)
        return next(b for b in r.json()["breakers"] if b["name"] == name)

    # ---- the happy path ------------------------------------------------------------------

    def test_a_healthy_call_returns_the_upstream_result_and_the_trace(self):
        name = self.upstream()
        r = self.call(name)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["upstream"], body["status"]), (name, 200))
        self.assertEqual(body["body"]["upstream"], name)
        trace = body["trace"]
        self.assertEqual(len(trace["attempts"]), 1)
        a = trace["attempts"][0]
        self.assertEqual((a["n"], a["hedge"], a["outcome"], a["status"], a["verdict"], a["won"]),
                         (1, False, "ok", 200, "success", True))
        self.assertEqual(a["breaker"], "closed")
        self.assertEqual((trace["ended_by"], trace["refusal"], trace["retries"]), ("success", "none", 0))
        self.assertGreaterEqual(trace["total_ms"], a["duration_ms"])

    def test_a_simulated_upstream_answers_directly(self):
        name = self.upstream({"error_rate": 1, "error_status": 502})
        r = self.client.get(f"/upstream/{name}")
        self.assertEqual(r.status, 502)
        self.assertEqual(r.json()["upstream"], name)
        self.assertProblem(self.client.get("/upstream/no-such-upstream"), 404)

    # ---- the seed's demo, fixed: a flaky upstream, then an outage ----------------------------

    def test_seed_demo_retries_make_a_flaky_upstream_look_healthy(self):
        name = self.upstream({"error_rate": 0.5}, policy={
            "timeout": {"attempt_ms": 300, "total_ms": 3000},
            "retry": {"max_attempts": 3, "backoff": "constant", "base_ms": 5, "max_ms": 5, "jitter": "none"},
            "budget": False, "bulkhead": False, "breaker": False})
        ok, retried = 0, 0
        for _ in range(30):
            r = self.call(name)
            trace = r.json()["trace"]
            ok += r.status == 200
            retried += r.status == 200 and trace["retries"] > 0
            for a in trace["attempts"][:-1]:
                self.assertEqual((a["status"], a["verdict"]), (503, "retryable"))
        # Half of all attempts fail; a call fails only if three in a row do (1 in 8).
        self.assertGreaterEqual(ok, 20)
        self.assertGreater(retried, 0)

    def test_seed_demo_an_outage_opens_the_breaker_which_probes_and_closes(self):
        name = self.upstream({"down_for_ms": 1500}, policy={
            "timeout": {"attempt_ms": 300, "total_ms": 3000},
            "retry": {"max_attempts": 1}, "budget": False, "bulkhead": False,
            "breaker": {"window": "count", "window_size": 4, "minimum_calls": 4, "failure_rate": 0.5,
                        "open_ms": 400, "half_open_probes": 2}})
        for _ in range(4):
            self.assertEqual(self.call(name).status, 503)
        # Open: refused here, the upstream is not even asked.
        requests_before = self.client.get(f"/v1/upstreams/{name}").json()["requests"]
        r = self.call(name)
        body = self.assertProblem(r, 503)
        self.assertEqual(body["policy"], "breaker_open")
        self.assertEqual(body["trace"]["attempts"], [])
        self.assertIn("circuit breaker", body["detail"])
        self.assertEqual(self.client.get(f"/v1/upstreams/{name}").json()["requests"], requests_before)
        self.assertEqual(self.breaker(name)["state"], "open")
        # The outage ends; after the open wait, two probes succeed and the breaker closes.
        deadline = time.monotonic() + 8
        statuses = []
        while time.monotonic() < deadline:
            r = self.call(name)
            statuses.append(r.status)
            if r.status == 200 and self.breaker(name)["state"] == "closed":
                break
            time.sleep(0.1)
        b = self.breaker(name)
        self.assertEqual(b["state"], "closed", statuses)
        reasons = [t["reason"] for t in b["recent"]]
        self.assertEqual(reasons[0], "failure_rate")
        self.assertIn("open_wait_elapsed", reasons)
        self.assertEqual(reasons[-1], "probes_succeeded")
        self.assertGreaterEqual(b["transitions"]["half_open"], 1)

    # ---- what is retried, and when ----------------------------------------------------------

    def test_a_non_idempotent_request_is_not_retried_unless_vouched_for(self):
        name = self.upstream({"error_rate": 1, "error_status": 503})
        r = self.call(name, "?method=POST")
        self.assertEqual(r.status, 503)
        trace = r.json()["trace"]
        self.assertEqual((len(trace["attempts"]), trace["ended_by"]), (1, "permanent"))
        r = self.call(name, "?method=POST&safe=true")
        self.assertEqual(len(r.json()["trace"]["attempts"]), 3)

    def test_a_permanent_error_is_not_retried(self):
        name = self.upstream({"error_rate": 1, "error_status": 404})
        r = self.call(name)
        self.assertEqual(r.status, 404)
        self.assertEqual(len(r.json()["trace"]["attempts"]), 1)

    def test_retry_after_is_honoured(self):
        name = self.upstream({"error_rate": 1, "error_status": 429, "retry_after_s": 1},
                             policy={"timeout": {"attempt_ms": 300, "total_ms": 3000},
                                     "retry": {"max_attempts": 2, "backoff": "constant", "base_ms": 10,
                                               "max_ms": 10}, "budget": False, "bulkhead": False})
        r = self.call(name)
        self.assertEqual(r.status, 429)
        self.assertEqual(r.header("retry-after"), "1")
        attempts = r.json()["trace"]["attempts"]
        self.assertEqual(len(attempts), 2)
        self.assertGreaterEqual(attempts[1]["offset_ms"], 1000)

    def test_a_retry_after_past_the_deadline_ends_the_call_at_once(self):
        name = self.upstream({"error_rate": 1, "error_status": 503, "retry_after_s": 30})
        r = self.call(name)
        self.assertEqual(r.status, 503)
        trace = r.json()["trace"]
        self.assertEqual((len(trace["attempts"]), trace["ended_by"]), (1, "retry_after"))
        self.assertLess(trace["total_ms"], 1000)

    # ---- timeouts and the deadline ----------------------------------------------------------

    def test_a_slow_upstream_is_cut_off_at_each_attempt_timeout(self):
        name = self.upstream({"latency": {"kind": "fixed", "ms": 2000}})
        r = self.call(name)
        body = self.assertProblem(r, 504)
        attempts = body["trace"]["attempts"]
        self.assertEqual([a["outcome"] for a in attempts], ["timeout"] * 3)
        for a in attempts:
            self.assertLess(a["duration_ms"], 1000)
        self.assertLess(body["trace"]["total_ms"], 1900)

    def test_the_callers_deadline_propagates(self):
        name = self.upstream()
        r = self.call(name, headers={"X-Request-Timeout-Ms": "150"})
        self.assertEqual(r.status, 200)
        announced = r.json()["body"]["deadline_ms"]
        self.assertGreater(announced, 0)
        self.assertLessEqual(announced, 150)

    def test_a_call_past_its_deadline_is_refused_with_504(self):
        name = self.upstream({"latency": {"kind": "fixed", "ms": 2000}})
        r = self.call(name, headers={"X-Request-Timeout-Ms": "100"})
        body = self.assertProblem(r, 504)
        self.assertEqual(body["policy"], "deadline")
        self.assertEqual(body["trace"]["attempts"][0]["outcome"], "timeout")
        self.assertLess(body["trace"]["total_ms"], 1000)

    # ---- the operator's breaker -------------------------------------------------------------

    def test_breaker_operator_actions(self):
        name = self.upstream()
        r = self.client.post(f"/v1/breakers/{name}/open")
        self.assertEqual((r.status, r.json()["state"]), (200, "forced_open"))
        body = self.assertProblem(self.call(name), 503)
        self.assertEqual(body["policy"], "breaker_open")
        self.assertEqual(self.client.post(f"/v1/breakers/{name}/close").json()["state"], "closed")
        self.assertEqual(self.call(name).status, 200)
        r = self.client.post(f"/v1/breakers/{name}/reset").json()
        self.assertEqual((r["state"], [t["reason"] for t in r["recent"]]), ("closed", ["reset"]))
        self.assertEqual(self.client.post(f"/v1/breakers/{name}/disable").json()["state"], "disabled")
        self.assertEqual(self.call(name).status, 200)
        self.assertProblem(self.client.post(f"/v1/breakers/{name}/explode"), 404)
        self.assertProblem(self.client.post("/v1/breakers/no-such-upstream/open"), 404)

    # ---- policies and behaviours as JSON ------------------------------------------------------

    def test_a_policy_round_trips(self):
        name = self.upstream()
        policy = {"timeout": {"attempt_ms": 250, "total_ms": 2000},
                  "retry": {"max_attempts": 4, "backoff": "exponential", "base_ms": 20, "max_ms": 160,
                            "jitter": "equal"},
                  "breaker": {"window": "time", "window_size": 30, "minimum_calls": 10, "failure_rate": 0.25,
                              "slow_call_rate": 0.75, "slow_call_ms": 800, "open_ms": 1500,
                              "half_open_probes": 2},
                  "budget": False, "bulkhead": False}
        r = self.client.request("PUT", f"/v1/policies/{name}", body=policy)
        self.assertEqual(r.status, 200, r)
        got = self.client.get(f"/v1/policies/{name}").json()
        for section in ("timeout", "retry", "breaker"):
            self.assertEqual(got[section], policy[section], section)

    def test_bad_policy_json_is_a_400_naming_the_field(self):
        name = self.upstream()
        for policy, detail in (
                ({"retry": {"max_attempts": 11}}, "retry.max_attempts: must be in [1, 10]"),
                ({"retry": {"max_attempts": "3"}}, "retry.max_attempts: must be an integer"),
                ({"breaker": {"failure_rate": 2}}, "breaker.failure_rate: must be in (0, 1]"),
                ({"timeout": {"attempt_ms": -5}}, "timeout.attempt_ms: must not be negative"),
                ({"timeout": {"total_ms": 1e12}}, "timeout.total_ms: at most 3600000 ms"),
                ({"retry": {"jitter": "half"}}, "retry.jitter: must be one of none, full, equal, decorrelated"),
                ({"retries": {}}, "retries: unknown member (expected timeout, retry, budget, breaker, "
                                  "bulkhead, hedge, throttle)")):
            body = self.assertProblem(self.client.request("PUT", f"/v1/policies/{name}", body=policy), 400)
            self.assertEqual(body["detail"], detail)
        body = self.assertProblem(self.client.request("PUT", f"/v1/policies/{name}", body="{nope"), 400)
        self.assertIn("policy: invalid JSON", body["detail"])
        self.assertProblem(self.client.request("PUT", "/v1/policies/no-such-upstream", body={}), 404)

    def test_bad_behaviour_json_is_a_400_naming_the_field(self):
        for behavior, detail in (
                ({"error_rate": 2}, "behavior.error_rate: must be in [0, 1]"),
                ({"error_status": 200}, "behavior.error_status: must be in [400, 599]"),
                ({"latency": {"kind": "gamma"}}, "behavior.latency.kind: must be one of fixed, uniform, lognormal, "
                                                 "bimodal"),
                ({"latency": {"kind": "fixed", "ms": 120000}}, "behavior.latency.ms: at most 60000 ms"),
                ({"down_for_ms": "soon"}, "behavior.down_for_ms: must be a number")):
            body = self.assertProblem(self.client.request("PUT", "/v1/upstreams/bad-behaviour", body=behavior), 400)
            self.assertEqual(body["detail"], detail)

    def test_names_are_bounded(self):
        self.assertProblem(self.client.request("PUT", "/v1/upstreams/" + "x" * 65, body={}), 400)
        self.assertProblem(self.client.request("PUT", "/v1/upstreams/bad%20name", body={}), 400)

    def test_unknown_things_are_404(self):
        self.assertProblem(self.call("no-such-upstream"), 404)
        self.assertProblem(self.client.get("/v1/upstreams/no-such-upstream"), 404)
        self.assertProblem(self.client.get("/v1/policies/no-such-upstream"), 404)

    def test_bad_call_parameters_are_400(self):
        name = self.upstream()
        self.assertProblem(self.call(name, "?method=PATCH"), 400)
        self.assertProblem(self.call(name, "?safe=maybe"), 400)

    def test_upstreams_are_listed_with_their_load(self):
        name = self.upstream({"error_rate": 1, "error_status": 500})
        self.call(name)
        r = self.client.get("/v1/upstreams")
        self.assertEqual(r.status, 200)
        entry = next(u for u in r.json()["upstreams"] if u["name"] == name)
        self.assertEqual((entry["kind"], entry["requests"], entry["errors"]), ("simulated", 1, 1))
        self.assertEqual(entry["behavior"]["error_status"], 500)

    def test_metrics(self):
        name = self.upstream()
        self.call(name)
        text = self.client.get("/metrics").body.decode()
        for line in (f'reliability_calls_total{{upstream="{name}",result="success"}} 1',
                     f'reliability_attempts_total{{upstream="{name}"}} 1',
                     f'reliability_breaker_state{{upstream="{name}",state="closed"}} 1',
                     f'reliability_upstream_requests_total{{upstream="{name}"}} 1'):
            self.assertIn(line, text)


if __name__ == "__main__":
    import unittest

    unittest.main()

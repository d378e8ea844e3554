"""Contract of sd-cache's HTTP API, run against the C++ binary and main.py alike (the memcached
protocol is C++ only and tested in memcached_protocol_test.py). The harness starts the service with
--capacity-bytes 262144 so eviction is reachable (see CMakeLists.txt)."""

import itertools
import time
import urllib.parse

import contract

_ids = itertools.count(1)


def fresh(prefix="k") -> str:
    return f"{prefix}-{next(_ids)}"


class CacheContract(contract.ServiceTest):
    def put(self, key, value, query="", headers=None):
        return self.client.request("PUT", f"/v1/cache/{urllib.parse.quote(key, safe='')}{query}", body=value,
                                   headers=headers)

    def get(self, key):
        return self.client.get(f"/v1/cache/{urllib.parse.quote(key, safe='')}")

    def delete(self, key):
        return self.client.request("DELETE", f"/v1/cache/{urllib.parse.quote(key, safe='')}")

    def stats(self):
        r = self.client.get("/v1/stats")
        self.assertEqual(r.status, 200)
        return r.json()

    def test_put_then_get_returns_the_exact_bytes(self):
        key, value = fresh(), bytes(range(256)) * 4
        self.assertEqual(self.put(key, value).status, 204)
        r = self.get(key)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, value)
        self.assertEqual(r.header("content-type"), "application/octet-stream")

    def test_put_replaces(self):
        key = fresh()
        self.put(key, b"one")
        self.put(key, b"two")
        self.assertEqual(self.get(key).body, b"two")

    def test_missing_key_is_404_problem(self):
        self.assertProblem(self.get(fresh("missing")), 404)

    def test_delete_removes_and_is_404_after(self):
        key = fresh()
        self.put(key, b"v")
        self.assertEqual(self.delete(key).status, 204)
        self.assertProblem(self.get(key), 404)
        self.assertProblem(self.delete(key), 404)

    def test_ttl_from_query_expires_the_item(self):
        key = fresh("ttl")
        self.assertEqual(self.put(key, b"short-lived", "?ttl=1").status, 204)
        r = self.get(key)
        self.assertEqual(r.status, 200)
        self.assertIn(r.header("x-cache-ttl-remaining"), ("0", "1"))
        deadline = time.monotonic() + 4
        while self.get(key).status == 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertProblem(self.get(key), 404)

    def test_ttl_from_header_is_honoured(self):
        key = fresh("ttlh")
        self.put(key, b"v", headers={"X-Cache-TTL": "100"})
        self.assertIn(self.get(key).header("x-cache-ttl-remaining"), ("99", "100"))

    def test_ttl_zero_means_no_expiry(self):
        key = fresh("forever")
        self.put(key, b"v", "?ttl=0")
        r = self.get(key)
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("x-cache-ttl-remaining"))

    def test_ttls_past_the_nanosecond_range_keep_the_item(self):
        # 9223372037 s is the first whole second past int64 nanoseconds: such a PUT used to answer
        # 204 and store the item already expired. Ten digits are allowed; the item must be kept.
        for ttl in ("9223372036", "9223372037", "9999999999"):
            key = fresh("longttl")
            self.assertEqual(self.put(key, b"kept", f"?ttl={ttl}").status, 204)
            r = self.get(key)
            self.assertEqual(r.status, 200, ttl)
            self.assertGreater(int(r.header("x-cache-ttl-remaining")), 100 * 365 * 86400 - 60, ttl)
            key = fresh("longttlh")
            self.assertEqual(self.put(key, b"kept", headers={"X-Cache-TTL": ttl}).status, 204)
            self.assertEqual(self.get(key).status, 200, ttl)

    def test_bad_ttls_are_400(self):
        for ttl in ("-1", "soon", "1.5", "99999999999999", "%C2%B2"):  # the last: "²", a Unicode digit
            self.assertProblem(self.put(fresh(), b"v", f"?ttl={ttl}"), 400)

    def test_bad_keys_are_400(self):
        for key in ("k" * 251, "has space", "cr\rkey", "lf\nkey", "nul\x00key"):
            self.assertProblem(self.put(key, b"v"), 400)
        self.assertEqual(self.put("k" * 250, b"v").status, 204)

    def test_keys_memcached_accepts_are_accepted(self):
        # memcached stores keys with control bytes (memcaslap's start with 0x10), DEL and UTF-8.
        for key in ("\x10memcaslap", "tab\tkey", "del\x7f", "café"):
            self.assertEqual(self.put(key, key.encode()).status, 204, repr(key))
            self.assertEqual(self.get(key).body, key.encode(), repr(key))

    def test_values_over_the_item_limit_are_413(self):
        self.assertProblem(self.put(fresh("big"), b"x" * (1024 * 1024 + 1)), 413)

    def test_stats_count_hits_and_misses(self):
        before = self.stats()
        key = fresh()
        self.put(key, b"v")
        self.get(key)
        self.get(fresh("absent"))
        after = self.stats()
        self.assertEqual(after["get_hits"] - before["get_hits"], 1)
        self.assertEqual(after["get_misses"] - before["get_misses"], 1)
        for field in ("curr_items", "bytes", "limit_maxbytes", "evictions", "policy"):
            self.assertIn(field, after)

    def test_byte_budget_evicts_instead_of_growing(self):
        for _ in range(100):  # 100 × 8 KiB = 800 KiB into a 256 KiB budget
            self.assertEqual(self.put(fresh("fill"), b"x" * 8192).status, 204)
        s = self.stats()
        self.assertEqual(s["limit_maxbytes"], 262144)
        self.assertLessEqual(s["bytes"], s["limit_maxbytes"])
        self.assertGreater(s["evictions"], 0)

    def test_metrics_expose_cache_counters(self):
        key = fresh()
        self.put(key, b"v")
        self.get(key)
        text = self.assertMetricsValid()  # promtool-clean, +Inf == _count
        for name in ("cache_hits_total", "cache_misses_total", "cache_evictions_total", "cache_items",
                     "cache_bytes", "cache_expirations_total"):
            self.assertIn(name, text)

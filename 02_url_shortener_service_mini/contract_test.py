"""Contract of sd-shortener, run against the C++ binary (on SQLite and on PostgreSQL) and main.py.

Each test makes its own links (random codes, or aliases with a per-run suffix), so tests are
independent of each other and of what an earlier run left in the database.
"""

import datetime
import itertools
import os
import time

import contract

_RUN = f"{os.getpid() % 100000}{int(time.time()) % 100000}"
_aliases = itertools.count(1)


def alias(prefix: str) -> str:
    return f"{prefix}-{_RUN}-{next(_aliases)}"


class ShortenerContract(contract.ServiceTest):
    def create(self, body, expect=201):
        r = self.client.post("/v1/links", body)
        self.assertEqual(r.status, expect, r)
        return r.json()

    # --- the seed's API ------------------------------------------------------------------------
    def test_seed_shorten_then_redirect(self):
        r = self.client.post("/shorten", {"url": "https://example.com/seed?q=1"})
        self.assertEqual(r.status, 201, r)
        body = r.json()
        self.assertEqual(set(body), {"code", "short_url"})
        self.assertRegex(body["code"], r"^[0-9A-Za-z]{7}$")
        self.assertTrue(body["short_url"].endswith("/r/" + body["code"]), body)
        r = self.client.get("/r/" + body["code"])
        self.assertEqual(r.status, 302, r)  # a real redirect, not the seed's JSON
        self.assertEqual(r.header("location"), "https://example.com/seed?q=1")
        self.assertEqual(r.header("cache-control"), "private, max-age=90")
        self.assertEqual(r.body, b"")

    def test_head_redirects_too(self):
        code = self.create({"url": "https://example.com/head"})["code"]
        r = self.client.request("HEAD", "/r/" + code)
        self.assertEqual(r.status, 302)
        self.assertEqual(r.header("location"), "https://example.com/head")

    def test_codes_are_distinct(self):
        codes = {self.client.post("/shorten", {"url": f"https://example.com/{i}"}).json()["code"]
                 for i in range(20)}
        self.assertEqual(len(codes), 20)

    def test_unknown_code_is_404(self):
        body = self.assertProblem(self.client.get("/r/NoSuchCodeHere"), 404)
        self.assertEqual(body["code"], "not_found")
        self.assertProblem(self.client.get("/r/bad%20code"), 404)

    # --- validation ----------------------------------------------------------------------------
    def test_bad_urls_are_400_naming_the_reason(self):
        cases = {
            "javascript:alert(1)": "scheme",
            "data:text/html;base64,PHNjcmlwdD4=": "scheme",
            "file:///etc/passwd": "scheme",
            "ftp://example.com/": "scheme",
            "example.com/no-scheme": "malformed",
            "https://exa mple.com/": "malformed",
            "http:///nohost": "no_host",
            "https://user:pw@example.com/": "credentials",
            "https://example.com:99999/": "bad_port",
            "https://example.com/" + "a" * 2100: "too_long",
            "": "empty",
        }
        for url, reason in cases.items():
            body = self.assertProblem(self.client.post("/v1/links", {"url": url}), 400)
            self.assertIn(f"({reason})", body["detail"], url)
        body = self.assertProblem(self.client.post("/shorten", {"url": "javascript:alert(1)"}), 400)
        self.assertIn("(scheme)", body["detail"])

    def test_links_to_the_shortener_itself_are_refused(self):
        body = self.assertProblem(
            self.client.post("/v1/links", {"url": f"http://{self.host}:{self.port}/r/abc"}), 400)
        self.assertIn("(self_link)", body["detail"])

    def test_malformed_bodies_are_400_naming_the_member(self):
        for raw, expect in ((b"not json", "body"), (b"[1,2]", "body"), (b"{}", "url"),
                            (b'{"url": 7}', "url"), (b'{"url": "https://e.com", "ttl": "x"}', "ttl"),
                            (b'{"url": "https://e.com", "redirect": 303}', "redirect"),
                            (b'{"url": "https://e.com", "max_visits": 0}', "max_visits"),
                            (b'{"url": "https://e.com", "ttl": 5, "expires_at": 99999999999}', "ttl")):
            r = self.client.post("/v1/links", raw, headers={"Content-Type": "application/json"})
            body = self.assertProblem(r, 400)
            self.assertTrue(body["detail"].startswith(expect), (raw, body))

    # --- /v1/links -----------------------------------------------------------------------------
    def test_alias_then_taken_alias_is_409(self):
        name = alias("launch")
        link = self.create({"url": "https://example.com/launch", "alias": name})
        self.assertEqual(link["code"], name)
        self.assertTrue(link["custom"])
        r = self.client.get("/r/" + name)
        self.assertEqual((r.status, r.header("location")), (302, "https://example.com/launch"))
        body = self.assertProblem(self.client.post("/v1/links", {"url": "https://other.example/",
                                                                  "alias": name}), 409)
        self.assertEqual(body["code"], "conflict")

    def test_bad_and_reserved_aliases_are_400(self):
        for bad in ("ab", "has space", "admin", "Login", "x" * 65):
            self.assertProblem(self.client.post("/v1/links", {"url": "https://e.com", "alias": bad}), 400)

    def test_get_link_shows_its_fields(self):
        link = self.create({"url": "https://example.com/fields", "max_visits": 5, "ttl": 3600})
        r = self.client.get("/v1/links/" + link["code"])
        self.assertEqual(r.status, 200)
        got = r.json()
        for key in ("code", "short_url", "url", "created_at", "expires_at", "max_visits", "redirect",
                    "custom", "visits", "state", "deleted_at"):
            self.assertIn(key, got)
        self.assertEqual(got["url"], "https://example.com/fields")
        self.assertEqual(got["max_visits"], 5)
        self.assertEqual(got["expires_at"] - got["created_at"], 3600)
        self.assertAlmostEqual(got["created_at"], time.time(), delta=60)
        self.assertEqual(got["redirect"], 302)
        self.assertEqual(got["state"], "active")
        self.assertIsNone(got["deleted_at"])
        self.assertEqual(r.header("content-type"), "application/json")
        self.assertProblem(self.client.get("/v1/links/NoSuchCodeHere"), 404)

    def test_permanent_redirect_per_link(self):
        for status in (301, 307, 308):
            code = self.create({"url": f"https://example.com/{status}", "redirect": status})["code"]
            r = self.client.get("/r/" + code)
            self.assertEqual(r.status, status)
            want = "public, max-age=86400" if status in (301, 308) else "private, max-age=90"
            self.assertEqual(r.header("cache-control"), want)

    def test_find_if_exists_returns_the_existing_link(self):
        url = f"https://example.com/reuse/{_RUN}"
        first = self.create({"url": url})
        again = self.create({"url": url, "find_if_exists": True}, expect=200)
        self.assertEqual(again["code"], first["code"])
        fresh = self.create({"url": url})
        self.assertNotEqual(fresh["code"], first["code"])

    def test_delete_makes_the_link_gone(self):
        code = self.create({"url": "https://example.com/delete"})["code"]
        self.assertEqual(self.client.get("/r/" + code).status, 302)
        self.assertEqual(self.client.request("DELETE", "/v1/links/" + code).status, 204)
        body = self.assertProblem(self.client.get("/r/" + code), 410)
        self.assertEqual(body["code"], "gone")
        self.assertEqual(self.client.get("/v1/links/" + code).json()["state"], "deleted")
        self.assertEqual(self.client.request("DELETE", "/v1/links/" + code).status, 204)  # idempotent
        self.assertProblem(self.client.request("DELETE", "/v1/links/NoSuchCodeHere"), 404)
        # A deleted code is never handed out again, even as an alias.
        name = alias("tomb")
        self.create({"url": "https://example.com/t", "alias": name})
        self.client.request("DELETE", "/v1/links/" + name)
        self.assertProblem(self.client.post("/v1/links", {"url": "https://e.com", "alias": name}), 409)

    def test_visit_cap_then_gone(self):
        code = self.create({"url": "https://example.com/capped", "max_visits": 2})["code"]
        self.assertEqual(self.client.get("/r/" + code).status, 302)
        self.assertEqual(self.client.get("/r/" + code).status, 302)
        self.assertProblem(self.client.get("/r/" + code), 410)
        self.assertEqual(self.client.get("/v1/links/" + code).json()["state"], "exhausted")

    def test_expiry_then_gone(self):
        code = self.create({"url": "https://example.com/expiring", "ttl": 1})["code"]
        self.assertEqual(self.client.get("/r/" + code).status, 302)
        deadline = time.monotonic() + 5  # expiry is wall-clock time: it has to pass (bounded)
        status = 302
        while status == 302 and time.monotonic() < deadline:
            time.sleep(0.2)
            status = self.client.get("/r/" + code).status
        self.assertEqual(status, 410)

    def test_stats_count_visits_by_day_referrer_and_bot(self):
        code = self.create({"url": "https://example.com/stats"})["code"]
        browser = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"
        for _ in range(3):
            self.client.get("/r/" + code, headers={"Referer": "https://News.Example/story",
                                                   "User-Agent": browser})
        self.client.get("/r/" + code, headers={"User-Agent": "Googlebot/2.1"})
        self.client.request("HEAD", "/r/" + code)  # not a visit
        deadline = time.monotonic() + 10  # visits are written in batches: bounded wait
        stats = {}
        while time.monotonic() < deadline:
            stats = self.client.get(f"/v1/links/{code}/stats").json()
            if stats["visits"] >= 4:
                break
            time.sleep(0.1)
        self.assertEqual(stats["visits"], 4, stats)
        self.assertEqual(stats["bot_visits"], 1)
        self.assertAlmostEqual(stats["bot_share"], 0.25)
        today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
        self.assertEqual(stats["per_day"], [{"day": today, "visits": 4}])
        self.assertEqual(stats["top_referrers"][0], {"host": "news.example", "visits": 3})
        self.assertEqual(stats["top_referrers"][1], {"host": None, "visits": 1})
        self.assertEqual(self.client.get("/v1/links/" + code).json()["visits"], 4)
        self.assertProblem(self.client.get("/v1/links/NoSuchCodeHere/stats"), 404)

    def test_wrong_method_is_405(self):
        r = self.client.request("PUT", "/v1/links")
        self.assertProblem(r, 405)
        self.assertIn("POST", r.header("allow"))

    # --- operations ----------------------------------------------------------------------------
    def test_health_readiness_and_metrics(self):
        self.assertEqual(self.client.get("/healthz").status, 200)
        self.assertEqual(self.client.get("/readyz").status, 200)
        self.client.post("/shorten", {"url": "https://example.com/metrics"})
        text = self.assertMetricsValid()
        self.assertRegex(text, r"(?m)^shortener_links_created_total [1-9]")
        self.assertIn("shortener_resolves_total", text)

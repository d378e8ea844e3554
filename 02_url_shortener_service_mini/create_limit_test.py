"""Link creation is rate-limited per client (01's middleware in C++, a token bucket in the twin);
redirects are not. The harness starts the service with --rule name=default,rate=1/m,burst=3."""

import contract


class CreateLimitContract(contract.ServiceTest):
    def test_creates_beyond_the_burst_are_429_and_redirects_are_not_limited(self):
        codes = []
        for i in range(3):
            r = self.client.post("/shorten", {"url": f"https://example.com/limited/{i}"})
            self.assertEqual(r.status, 201, r)
            codes.append(r.json()["code"])
        r = self.client.post("/v1/links", {"url": "https://example.com/limited/4"})
        body = self.assertProblem(r, 429)
        self.assertEqual(body["code"], "rate_limited")
        self.assertGreaterEqual(int(r.header("retry-after")), 1)
        for _ in range(20):
            self.assertEqual(self.client.get("/r/" + codes[0]).status, 302)

"""Contract of the walking skeleton, run against the C++ binary and main.py alike."""

import contract


class SkeletonContract(contract.ServiceTest):
    def test_hello_returns_the_greeting(self):
        r = self.client.get("/hello")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "application/json")
        self.assertEqual(r.json(), {"message": "hello"})

    def test_healthz_and_readyz_are_ok(self):
        self.assertEqual(self.client.get("/healthz").json(), {"status": "ok"})
        self.assertEqual(self.client.get("/readyz").json(), {"status": "ready"})

    def test_unknown_path_is_404_problem(self):
        body = self.assertProblem(self.client.get("/no/such/path"), 404)
        self.assertEqual(body["code"], "not_found")

    def test_wrong_method_is_405_with_allow(self):
        r = self.client.post("/hello", body={})
        self.assertProblem(r, 405)
        self.assertEqual(r.header("allow"), "GET, HEAD")

    def test_head_has_length_but_no_body(self):
        r = self.client.request("HEAD", "/hello")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-length"), "19")
        self.assertEqual(r.body, b"")

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        for _ in range(20):
            self.assertEqual(self.client.get("/hello").status, 200)

    def test_body_over_the_limit_is_413(self):
        r = self.client.post("/hello", body=b"x" * (2 * 1024 * 1024))
        self.assertProblem(r, 413)

    def test_oversized_headers_are_431(self):
        r = self.client.get("/hello", headers={"X-Big": "a" * (64 * 1024)})
        self.assertProblem(r, 431)

    def test_malformed_request_line_is_400_and_closes(self):
        raw = contract.raw_exchange(self.host, self.port, b"this is not http\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1."), raw)
        self.assertIn(b" 400 ", raw.split(b"\r\n")[0])

    def test_metrics_are_valid_prometheus_text(self):
        self.client.get("/hello")
        text = self.assertMetricsValid()
        self.assertIn('http_requests_total{method="GET",route="/hello",code="200"}', text)

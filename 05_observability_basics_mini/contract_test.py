"""Contract of sd-observability, run against the C++ binary and main.py alike.

Trace propagation is checked the way the W3C conformance harness does it: POST /test makes the
service call back into a recorder this suite runs, and the recorder's view of the headers is
asserted against the spec's rules.
"""

import http.server
import json
import re
import shutil
import socket
import subprocess
import threading
import time

import contract
import run  # start()/stop(): a second instance of the service with its own flags

TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Recorder:
    """A loopback HTTP server that records the headers of every POST it receives."""

    def __init__(self):
        self.requests = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}  # names are case-insensitive
                recorder.requests.append((headers, self.headers.get_all("tracestate"), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class ObservabilityContract(contract.ServiceTest):
    @classmethod
    def setUpClass(cls):
        cls.recorder = Recorder()

    @classmethod
    def tearDownClass(cls):
        cls.recorder.close()

    def call_through(self, headers, calls=1):
        """POST /test with `calls` calls to the recorder; returns what the recorder saw."""
        before = len(self.recorder.requests)
        body = [{"url": self.recorder.url, "arguments": [i]} for i in range(calls)]
        r = self.client.post("/test", body=body, headers=headers)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(self.recorder.requests), before + calls)
        return self.recorder.requests[before:]

    # --- the seed's surface ---------------------------------------------------------------

    def test_hello_carries_its_request_id(self):
        r = self.client.get("/hello")
        self.assertEqual(r.status, 200)
        body = r.json()
        self.assertEqual(body["message"], "hello")
        self.assertEqual(body["request_id"], r.header("x-request-id"))
        self.assertRegex(body["request_id"], r"^[A-Za-z0-9._:-]{1,128}$")

    def test_error_is_500_problem_with_request_id(self):
        r = self.client.get("/error")
        body = self.assertProblem(r, 500)
        self.assertEqual(body["request_id"], r.header("x-request-id"))

    # --- request ids --------------------------------------------------------------------------

    def test_sane_incoming_request_id_is_kept(self):
        r = self.client.get("/hello", headers={"X-Request-ID": "abc-123.DEF:9_z"})
        self.assertEqual(r.header("x-request-id"), "abc-123.DEF:9_z")
        self.assertEqual(r.json()["request_id"], "abc-123.DEF:9_z")

    def test_insane_request_ids_are_replaced(self):
        for bad in ["a" * 200, "has space", "semi;colon", "quote\"", "é"]:
            r = self.client.get("/hello", headers={"X-Request-ID": bad.encode("utf-8").decode("latin-1")})
            self.assertNotEqual(r.header("x-request-id"), bad)
            self.assertRegex(r.header("x-request-id"), r"^[A-Za-z0-9._:-]{1,128}$")

    def test_request_id_is_echoed_on_errors(self):
        for reply in (self.client.get("/nope"), self.client.post("/hello", body={}),
                      self.client.post("/test", body="not json")):
            self.assertRegex(reply.header("x-request-id") or "", r"^[A-Za-z0-9._:-]{1,128}$", reply)
        r = self.client.get("/nope", headers={"X-Request-ID": "mine"})
        self.assertEqual(r.header("x-request-id"), "mine")
        self.assertEqual(r.json()["request_id"], "mine")

    # --- trace context ------------------------------------------------------------------------

    def test_valid_parent_keeps_trace_id_with_a_new_parent_id(self):
        [(headers, _, body)] = self.call_through({"traceparent": PARENT, "X-Request-ID": "trace-1"})
        m = TRACEPARENT.fullmatch(headers["traceparent"])
        self.assertIsNotNone(m, headers)
        self.assertEqual(m.group(1), "0af7651916cd43dd8448eb211c80319c")
        self.assertNotEqual(m.group(2), "b7ad6b7169203331")
        self.assertEqual(m.group(3), "01")
        self.assertEqual(headers["x-request-id"], "trace-1")
        self.assertEqual(json.loads(body), [0])

    def test_each_outbound_call_gets_its_own_parent_id(self):
        seen = self.call_through({"traceparent": PARENT}, calls=3)
        ids = [TRACEPARENT.fullmatch(h["traceparent"]).group(2) for h, _, _ in seen]
        self.assertEqual(len(set(ids)), 3)
        self.assertEqual({TRACEPARENT.fullmatch(h["traceparent"]).group(1) for h, _, _ in seen},
                         {"0af7651916cd43dd8448eb211c80319c"})

    def test_no_parent_starts_a_new_trace(self):
        [(headers, _, _)] = self.call_through({})
        m = TRACEPARENT.fullmatch(headers["traceparent"])
        self.assertIsNotNone(m)
        self.assertNotEqual(m.group(1), "0" * 32)

    def test_invalid_parents_start_a_new_trace(self):
        for bad in ["00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",  # uppercase
                    "00-00000000000000000000000000000000-b7ad6b7169203331-01",  # zero trace id
                    "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",  # zero parent id
                    "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",  # version ff
                    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",  # 00 too long
                    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01"]:  # short parent
            [(headers, tracestate, _)] = self.call_through({"traceparent": bad, "tracestate": "foo=1"})
            m = TRACEPARENT.fullmatch(headers["traceparent"])
            self.assertIsNotNone(m, bad)
            self.assertNotEqual(m.group(1), "0af7651916cd43dd8448eb211c80319c", bad)
            self.assertFalse(tracestate, f"tracestate must not follow an invalid parent ({bad})")

    def test_future_version_with_extra_fields_is_continued(self):
        [(headers, _, _)] = self.call_through(
            {"traceparent": "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-ever"})
        self.assertEqual(TRACEPARENT.fullmatch(headers["traceparent"]).group(1),
                         "0af7651916cd43dd8448eb211c80319c")

    def test_tracestate_is_passed_on(self):
        [(_, tracestate, _)] = self.call_through({"traceparent": PARENT, "tracestate": "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"})
        self.assertEqual(",".join(tracestate), "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7")

    def test_tracestate_keeps_the_first_entry_of_a_repeated_key(self):
        [(_, tracestate, _)] = self.call_through({"traceparent": PARENT, "tracestate": "foo=1,bar=2,foo=3"})
        self.assertEqual(",".join(tracestate), "foo=1,bar=2")

    def test_tracestate_keys_may_hold_at_signs_after_the_first_character(self):
        state = "1a@b@c=1,foo@=2," + "k" * 249 + "@vendor=3"  # a 256-character key
        [(_, tracestate, _)] = self.call_through({"traceparent": PARENT, "tracestate": state})
        self.assertEqual(",".join(tracestate), state)

    def test_invalid_tracestate_is_dropped_and_the_parent_kept(self):
        [(headers, tracestate, _)] = self.call_through({"traceparent": PARENT, "tracestate": "foo=1,@bar=2"})
        self.assertFalse(tracestate)
        self.assertEqual(TRACEPARENT.fullmatch(headers["traceparent"]).group(1),
                         "0af7651916cd43dd8448eb211c80319c")

    # --- POST /test input ---------------------------------------------------------------------

    def test_test_endpoint_rejects_bad_bodies(self):
        for body in ["not json", {"url": "x"}, [{"url": 1, "arguments": []}], [{"url": "http://127.0.0.1/"}]]:
            self.assertProblem(self.client.post("/test", body=body), 400)

    def test_test_endpoint_refuses_hosts_off_the_allow_list(self):
        self.assertProblem(self.client.post("/test", body=[{"url": "http://10.1.2.3/", "arguments": []}]), 403)

    def test_test_endpoint_refuses_ports_that_would_wrap_and_disguised_hosts(self):
        for url in ["http://127.0.0.1:84666/", "http://127.0.0.1:65536/", "http://127.0.0.1%2elocalhost/",
                    "http://user:pw@127.0.0.1/"]:
            self.assertProblem(self.client.post("/test", body=[{"url": url, "arguments": []}]), 400)

    def test_test_endpoint_refuses_nesting_past_its_depth(self):
        r = self.client.post("/test", body=[], headers={"SD-Test-Depth": "4"})
        self.assertProblem(r, 400)
        self.assertEqual(self.client.post("/test", body=[], headers={"SD-Test-Depth": "3"}).status, 200)

    def test_test_endpoint_bounds_all_its_calls_by_one_deadline(self):
        # A listener that never accepts: the kernel completes the handshake into its backlog, the
        # request is sent and no reply ever comes. Three such calls end together at the one
        # --test-timeout deadline (1 s in this suite's command): the first as a timeout, the rest
        # without being tried. Unbounded, each would wait out the client's own timeout in turn.
        silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        try:
            url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
            r = self.client.post("/test", body=[{"url": url, "arguments": [i]} for i in range(3)])
            self.assertEqual(r.status, 200, r)
            results = r.json()
            self.assertEqual(len(results), 3)
            self.assertTrue(all("error" in result for result in results), results)
            for result in results[1:]:
                self.assertEqual(result["error"], "deadline exceeded (--test-timeout)")
        finally:
            silent.close()

    # --- metrics and logs ---------------------------------------------------------------------

    def scrape(self):
        r = self.client.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8")
        return r.body.decode()

    def test_metrics_count_requests_by_route_template(self):
        self.client.get("/hello")
        self.client.get("/no/such")
        text = self.scrape()
        self.assertRegex(text, r'http_requests_total\{method="GET",route="/hello",code="200"\} [1-9]')
        self.assertRegex(text, r'http_requests_total\{method="GET",route="unmatched",code="404"\} [1-9]')
        self.assertNotIn("/no/such", text)
        for name in ("http_request_duration_seconds_bucket", "http_requests_in_flight", "process_cpu_seconds_total",
                     "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds",
                     "process_max_fds", "process_start_time_seconds", "sd_build_info"):
            self.assertIn(name, text)

    def test_histogram_inf_bucket_equals_count(self):
        self.client.get("/hello")
        text = self.scrape()
        infs = dict(re.findall(r'http_request_duration_seconds_bucket\{(method="[A-Z]+",route="[^"]*"),le="\+Inf"\} (\d+)', text))
        counts = dict(re.findall(r'http_request_duration_seconds_count\{(method="[A-Z]+",route="[^"]*")\} (\d+)', text))
        self.assertTrue(infs)
        self.assertEqual(infs, counts)

    def test_promtool_finds_nothing_to_complain_about(self):
        promtool = shutil.which("promtool") or "/usr/bin/promtool"
        self.client.get("/hello")
        self.client.get("/error")
        p = subprocess.run([promtool, "check", "metrics"], input=self.scrape(), capture_output=True, text=True,
                           timeout=30)
        self.assertEqual((p.returncode, p.stdout.strip(), p.stderr.strip()), (0, "", ""))

    def test_access_log_has_one_json_line_per_request(self):
        r = self.client.get("/hello", headers={"X-Request-ID": "log-line-check", "traceparent": PARENT})
        self.assertEqual(r.status, 200)
        deadline = time.monotonic() + 5  # the C++ logger batches writes for up to a second
        line = None
        while line is None and time.monotonic() < deadline:
            for text in list(self.SERVICE_LOG):
                if '"log-line-check"' in text and '"request"' in text:
                    line = json.loads(text)
            time.sleep(0.05)
        self.assertIsNotNone(line, "no access log line for the request")
        self.assertEqual(line["msg"], "request")
        self.assertEqual(line["route"], "/hello")
        self.assertEqual(line["status"], 200)
        self.assertEqual(line["method"], "GET")
        self.assertEqual(line["trace_id"], "0af7651916cd43dd8448eb211c80319c")
        self.assertRegex(line["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        for key in ("level", "service", "span_id", "duration_s", "bytes_in", "bytes_out", "peer"):
            self.assertIn(key, line)


# --- access-log filtering: 5xx and slow requests always, a trace-keyed sample of the rest ---------

def access_lines(log, request_id, msg="request"):
    """The parsed lines of `msg` for `request_id` in a service's stderr so far."""
    found = []
    for text in list(log):
        if f'"{request_id}"' in text:
            line = json.loads(text)
            if line.get("msg") == msg and line.get("request_id") == request_id:
                found.append(line)
    return found


def traceparent(trace_id):
    return f"00-{trace_id}-b7ad6b7169203331-01"


class FilteredAccessLog(contract.ServiceTest):
    """A second instance started with FLAGS. Absence is asserted deterministically: a line is
    written before its response is sent and lines keep their order, so once the line of a request
    sent later has appeared, an earlier request's line will never come."""

    FLAGS: list = []

    @classmethod
    def setUpClass(cls):  # not run for this class itself: it has no tests
        cls.proc, cls.BASE_URL, cls.log = run.start(cls.SERVICE_COMMAND + cls.FLAGS)

    @classmethod
    def tearDownClass(cls):
        rc = run.stop(cls.proc)
        if rc != 0:
            raise AssertionError(f"the instance with {cls.FLAGS} exited with {rc} on SIGTERM")

    def get(self, path, request_id, trace_id=None):
        headers = {"X-Request-ID": request_id}
        if trace_id:
            headers["traceparent"] = traceparent(trace_id)
        return self.client.get(path, headers=headers)

    def wait_for_line(self, request_id, msg="request"):
        deadline = time.monotonic() + 5  # the C++ logger batches writes for up to a second
        while time.monotonic() < deadline:
            lines = access_lines(self.log, request_id, msg)
            if lines:
                self.assertEqual(len(lines), 1, lines)
                return lines[0]
            time.sleep(0.05)
        self.fail(f"no {msg!r} line for {request_id}")


class AccessLogSampleZero(FilteredAccessLog):
    FLAGS = ["--access-log-sample", "0"]

    def test_successes_and_client_errors_are_not_logged_and_server_errors_are(self):
        self.assertEqual(self.get("/hello", "sample0-200").status, 200)
        self.assertEqual(self.get("/no/such", "sample0-404").status, 404)
        self.assertEqual(self.get("/error", "sample0-500").status, 500)
        line = self.wait_for_line("sample0-500")
        self.assertEqual((line["route"], line["status"]), ("/error", 500))
        self.assertEqual(access_lines(self.log, "sample0-200"), [])
        self.assertEqual(access_lines(self.log, "sample0-404"), [])

    def test_connection_level_rejections_are_sampled_like_other_client_errors(self):
        r = self.client.get("/hello", headers={"X-Big": "a" * (64 * 1024)})
        self.assertProblem(r, 431)
        rejected_id = r.header("x-request-id")
        self.assertTrue(rejected_id)
        self.assertEqual(self.get("/error", "sample0-after-431").status, 500)
        self.wait_for_line("sample0-after-431")
        self.assertEqual(access_lines(self.log, rejected_id, "request rejected"), [])

    def test_metrics_still_count_what_the_log_leaves_out(self):
        self.assertEqual(self.get("/hello", "sample0-counted").status, 200)
        text = self.client.get("/metrics").body.decode()
        self.assertRegex(text, r'http_requests_total\{method="GET",route="/hello",code="200"\} [1-9]')


class AccessLogSampleHalf(FilteredAccessLog):
    """The decision is keyed on the rightmost 8 bytes of the trace id: below 2^63 at rate 0.5."""

    FLAGS = ["--access-log-sample", "0.5"]
    LOW_KEY = "ffffffffffffffff0000000000000001"  # the left half must not matter
    HIGH_KEY = "0000000000000000ffffffffffffffff"

    def test_the_trace_id_decides(self):
        self.assertEqual(self.get("/hello", "half-high-key", self.HIGH_KEY).status, 200)
        self.assertEqual(self.get("/hello", "half-low-key", self.LOW_KEY).status, 200)
        line = self.wait_for_line("half-low-key")
        self.assertEqual(line["trace_id"], self.LOW_KEY)
        self.assertEqual(access_lines(self.log, "half-high-key"), [])

    def test_a_server_error_is_logged_whatever_its_trace_id(self):
        self.assertEqual(self.get("/error", "half-high-key-500", self.HIGH_KEY).status, 500)
        self.assertEqual(self.wait_for_line("half-high-key-500")["trace_id"], self.HIGH_KEY)


class AccessLogFlags(contract.ServiceTest):
    def test_rates_outside_zero_to_one_are_usage_errors(self):
        for rate in ("-0.1", "1.5", "nan", "x"):
            p = subprocess.run(self.SERVICE_COMMAND + ["--port", "0", "--access-log-sample", rate],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 2, (rate, p.stdout, p.stderr[-500:]))

    def test_a_slow_threshold_must_be_a_duration(self):
        p = subprocess.run(self.SERVICE_COMMAND + ["--port", "0", "--access-log-slow", "soon"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 2, p.stderr[-500:])

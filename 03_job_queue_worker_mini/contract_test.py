"""Contract of sd-jobqueue's HTTP API, run against the C++ binary and main.py alike (the beanstalkd
protocol is C++ only and tested against beanstalkd itself by beanstalk_differential_test.py).

The harness starts the service with --max-jobs 300 --max-job-bytes 1024 --max-attempts 2
--retry-base 50ms --retry-max 100ms (see CMakeLists.txt), so the limits and the retry policy are
reachable in a few requests. Every test uses its own tube, so tests do not see each other's jobs.
Waiting is done by the server's own long poll (reserve with a timeout), never by sleeping."""

import itertools
import threading
import time

import contract

_ids = itertools.count(1)


def fresh_tube(prefix="t") -> str:
    return f"{prefix}-{next(_ids)}-{int(time.time() * 1000) % 100000}"


class JobQueueContract(contract.ServiceTest):
    def enqueue(self, tube, body="work", **fields):
        return self.client.post(f"/v1/tubes/{tube}/jobs", body={"body": body, **fields})

    def put(self, tube, body="work", **fields) -> int:
        r = self.enqueue(tube, body, **fields)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def reserve(self, tube, timeout_ms=0):
        return self.client.post("/v1/reserve", body={"tubes": [tube], "timeout_ms": timeout_ms})

    def take(self, tube, timeout_ms=0) -> dict:
        r = self.reserve(tube, timeout_ms)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def act(self, verb, job, lease=None):
        return self.client.post(f"/v1/jobs/{job['id']}/{verb}",
                                body={"lease": job["lease"] if lease is None else lease})

    def status(self, job_id) -> dict:
        r = self.client.get(f"/v1/jobs/{job_id}")
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_enqueue_reserve_ack(self):
        tube = fresh_tube()
        r = self.enqueue(tube, "hello")
        self.assertEqual(r.status, 201)
        created = r.json()
        self.assertEqual((created["tube"], created["state"]), (tube, "ready"))
        self.assertEqual(self.status(created["id"])["state"], "ready")
        job = self.take(tube)
        self.assertEqual((job["id"], job["body"], job["tube"], job["attempts"]), (created["id"], "hello", tube, 1))
        self.assertEqual(self.status(job["id"])["state"], "reserved")
        self.assertEqual(self.act("ack", job).status, 204)
        self.assertProblem(self.client.get(f"/v1/jobs/{job['id']}"), 404)

    def test_lower_priority_first_then_fifo(self):
        tube = fresh_tube()
        a = self.put(tube, "a", priority=5)
        b = self.put(tube, "b", priority=1)
        c = self.put(tube, "c", priority=5)
        self.assertEqual([self.take(tube)["id"] for _ in range(3)], [b, a, c])

    def test_empty_reserve_answers_204(self):
        self.assertEqual(self.reserve(fresh_tube(), 0).status, 204)

    def test_long_poll_returns_when_a_job_arrives(self):
        tube = fresh_tube()
        got = {}

        def worker():
            got["reply"] = self.client_for_thread().post(
                "/v1/reserve", body={"tubes": [tube], "timeout_ms": 10000})

        t = threading.Thread(target=worker)
        started = time.monotonic()
        t.start()
        # The worker may or may not be waiting yet; either way the job must reach it.
        self.put(tube, "late")
        t.join(15)
        self.assertFalse(t.is_alive())
        self.assertEqual(got["reply"].status, 200, got["reply"])
        self.assertEqual(got["reply"].json()["body"], "late")
        self.assertLess(time.monotonic() - started, 9.0)

    def client_for_thread(self):
        return contract.Client(self.BASE_URL, timeout=20)

    def test_delayed_job_waits_its_delay(self):
        tube = fresh_tube()
        job_id = self.put(tube, "later", delay_ms=300)
        self.assertEqual(self.status(job_id)["state"], "delayed")
        self.assertEqual(self.reserve(tube, 0).status, 204)
        started = time.monotonic()
        job = self.take(tube, timeout_ms=5000)
        self.assertEqual(job["id"], job_id)
        self.assertGreaterEqual(time.monotonic() - started, 0.1)

    def test_expired_lease_goes_to_the_next_worker_and_the_old_lease_is_refused(self):
        tube = fresh_tube()
        self.put(tube, "slow", ttr_ms=1000)
        first = self.take(tube)
        second = self.take(tube, timeout_ms=5000)  # the lease runs out after ~1 s
        self.assertEqual(second["id"], first["id"])
        self.assertEqual(second["lease"], first["lease"] + 1)
        self.assertEqual(second["attempts"], 2)
        self.assertProblem(self.act("ack", first), 409)
        self.assertEqual(self.status(first["id"])["timeouts"], 1)
        self.assertEqual(self.act("ack", second).status, 204)

    def test_touch_renews_the_lease(self):
        tube = fresh_tube()
        self.put(tube, "x", ttr_ms=5000)
        job = self.take(tube)
        self.assertEqual(self.act("touch", job).status, 204)
        self.assertGreater(self.status(job["id"])["time_left_ms"], 3000)
        self.assertProblem(self.act("touch", job, lease=job["lease"] + 7), 409)

    def test_nack_retries_with_backoff_then_buries(self):
        tube = fresh_tube()
        job_id = self.put(tube, "poison")
        first = self.take(tube)
        r = self.act("nack", first)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "delayed")
        self.assertTrue(25 <= r.json()["retry_in_ms"] <= 50, r.json())
        second = self.take(tube, timeout_ms=5000)
        self.assertEqual(second["attempts"], 2)
        r = self.act("nack", second)  # --max-attempts 2: the dead-letter list
        self.assertEqual(r.json(), {"state": "buried", "attempts": 2})
        self.assertEqual(self.status(job_id)["state"], "buried")
        self.assertEqual(self.reserve(tube, 0).status, 204)
        r = self.client.post(f"/v1/tubes/{tube}/kick", body={"bound": 10})
        self.assertEqual(r.json(), {"kicked": 1})
        self.assertEqual(self.take(tube)["id"], job_id)

    def test_bury_and_kick(self):
        tube = fresh_tube()
        self.put(tube)
        job = self.take(tube)
        self.assertEqual(self.act("bury", job).status, 204)
        st = self.status(job["id"])
        self.assertEqual((st["state"], st["buries"]), ("buried", 1))
        self.assertProblem(self.act("ack", job), 409)
        r = self.client.get(f"/v1/tubes/{tube}")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["buried"], 1)
        self.assertEqual(self.client.post(f"/v1/tubes/{tube}/kick", body={}).json(), {"kicked": 1})
        self.assertEqual(self.status(job["id"])["kicks"], 1)

    def test_delete_a_job_that_is_not_reserved(self):
        tube = fresh_tube()
        job_id = self.put(tube)
        self.assertEqual(self.client.request("DELETE", f"/v1/jobs/{job_id}").status, 204)
        self.assertProblem(self.client.request("DELETE", f"/v1/jobs/{job_id}"), 404)
        other = self.put(tube)
        self.take(tube)
        self.assertProblem(self.client.request("DELETE", f"/v1/jobs/{other}"), 409)

    def test_full_queue_answers_503_with_retry_after(self):
        tube = fresh_tube("full")
        ids, reply = [], None
        for _ in range(400):  # --max-jobs 300
            reply = self.enqueue(tube, "x")
            if reply.status != 201:
                break
            ids.append(reply.json()["id"])
        try:
            self.assertProblem(reply, 503)
            self.assertTrue(reply.header("retry-after", "").isdigit(), reply)
            self.assertLessEqual(len(ids), 300)
            self.assertGreater(self.client.get("/v1/stats").json()["rejected_full"], 0)
        finally:
            for job_id in ids:
                self.client.request("DELETE", f"/v1/jobs/{job_id}")

    def test_oversized_job_is_413(self):
        self.assertProblem(self.enqueue(fresh_tube(), "x" * 1025), 413)

    def test_bad_input_is_400(self):
        tube = fresh_tube()
        self.assertProblem(self.client.post(f"/v1/tubes/{tube}/jobs", body=b"{not json"), 400)
        self.assertProblem(self.client.post(f"/v1/tubes/{tube}/jobs", body={"nobody": 1}), 400)
        self.assertProblem(self.enqueue(tube, "x", priority=-1), 400)
        self.assertProblem(self.enqueue(tube, "x", priority="high"), 400)
        self.assertProblem(self.enqueue(tube, "x", delay_ms=1.5), 400)
        self.assertProblem(self.enqueue("-bad", "x"), 400)
        self.assertProblem(self.enqueue("a*b", "x"), 400)
        self.assertProblem(self.client.get("/v1/jobs/abc"), 400)
        self.assertProblem(self.client.post("/v1/reserve", body={"tubes": "default"}), 400)
        self.assertProblem(self.client.post("/v1/reserve", body={"tubes": []}), 400)
        self.assertProblem(self.client.post("/v1/jobs/1/ack", body={}), 400)

    def test_unknown_job_and_tube_are_404(self):
        self.assertProblem(self.client.get("/v1/jobs/999999999"), 404)
        self.assertProblem(self.client.post("/v1/jobs/999999999/ack", body={"lease": 1}), 404)
        self.assertProblem(self.client.get(f"/v1/tubes/{fresh_tube('nope')}"), 404)

    def test_stats(self):
        tube = fresh_tube()
        self.put(tube)
        s = self.client.get("/v1/stats").json()
        for key in ("ready", "reserved", "delayed", "buried", "jobs", "bytes", "tubes", "draining",
                    "puts", "reserves", "deletes", "releases", "buries", "kicks", "lease_timeouts",
                    "rejected_full"):
            self.assertIn(key, s)
        self.assertGreaterEqual(s["ready"], 1)
        self.assertIs(s["draining"], False)
        t = self.client.get(f"/v1/tubes/{tube}").json()
        self.assertEqual((t["name"], t["ready"]), (tube, 1))

    def test_metrics_are_valid_and_count_jobs(self):
        tube = fresh_tube()
        self.put(tube)
        text = self.assertMetricsValid()
        for name in ("jobqueue_puts_total", "jobqueue_reserves_total", "jobqueue_lease_timeouts_total",
                     "jobqueue_rejected_full_total", "jobqueue_bytes"):
            self.assertRegex(text, rf"(?m)^{name} \d", name)

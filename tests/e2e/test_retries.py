"""Retry policies through the real service: backoff, attempts, the final state."""

import unittest

from harness import rfc3339_ms, HttpEndpoint, ServiceTestCase, wait_for_finished_runs


class RetryTest(ServiceTestCase):
    # Retries 50-200 ms apart keep the test short: below the default minimum period (1s), so
    # lowered here, and the run quota lifted, which such a minimum would exceed.
    service_args = ("--min-period", "10ms", "--max-runs-per-job-per-minute", "0")

    def setUp(self):
        self.endpoint = HttpEndpoint()
        self.addCleanup(self.endpoint.close)
        super().setUp()

    def create(self, path, retry):
        response = self.service.post_json("/jobs", {
            "name": "flaky", "every": "1h", "retry": retry,
            "task": {"type": "http", "method": "POST", "url": self.endpoint.url(path)}})
        self.assertEqual(response.status, 201, response.body)
        return response.body

    def test_failing_run_is_retried_with_the_same_key_until_attempts_run_out(self):
        self.endpoint.route("/down", status=503, body="busy")
        job = self.create("/down", {"max_attempts": 3, "initial_delay": "100ms", "max_delay": "200ms", "jitter": 0})

        run = self.service.request("POST", f"/jobs/{job['id']}/trigger").body
        runs = wait_for_finished_runs(self.service, job["id"], 1, timeout_s=15)

        self.assertEqual(runs[0]["id"], run["id"])
        self.assertEqual(runs[0]["state"], "failed")
        self.assertEqual(runs[0]["attempt"], 3)
        self.assertIn("retries exhausted after 3 attempts", runs[0]["error"])
        requests = self.endpoint.wait_for_requests(3, path="/down")
        self.assertEqual([r.headers.get("jobsched-attempt") for r in requests], ["1", "2", "3"])
        self.assertEqual({r.headers.get("idempotency-key") for r in requests}, {str(run["id"])})
        # Each earlier attempt is recorded; the run itself is the last one.
        attempts = self.service.get_json(f"/runs/{run['id']}/attempts")
        self.assertEqual(attempts.status, 200, attempts.body)
        self.assertEqual([a["attempt"] for a in attempts.body], [1, 2], attempts.body)
        for attempt in attempts.body:
            self.assertEqual(attempt["state"], "failed", attempt)
            self.assertIn("HTTP 503", attempt["error"], attempt)
            self.assertLessEqual(rfc3339_ms(attempt["started_at"]), rfc3339_ms(attempt["finished_at"]))
        self.assertEqual(self.service.get_json("/runs/999999/attempts").status, 404)

    def test_retry_that_succeeds_ends_succeeded(self):
        self.endpoint.route("/flaky", status=503, body="busy", times=1)
        self.endpoint.route("/flaky", status=200, body="ok")
        job = self.create("/flaky", {"max_attempts": 5, "initial_delay": "50ms"})

        self.service.request("POST", f"/jobs/{job['id']}/trigger")
        runs = wait_for_finished_runs(self.service, job["id"], 1, timeout_s=15)

        self.assertEqual(runs[0]["state"], "succeeded")
        self.assertEqual(runs[0]["attempt"], 2)

    def test_job_shows_its_policy_and_bad_policies_are_refused(self):
        job = self.create("/x", {"max_attempts": 4})

        self.assertEqual(job["retry"], {"max_attempts": 4, "initial_delay": "10s", "max_delay": "10m",
                                        "jitter": 0.1})
        bad = self.service.post_json("/jobs", {"name": "x", "every": "1h", "retry": {"max_attempts": 0}})
        self.assertProblem(bad, 400, "retry.max_attempts")
        typo = self.service.post_json("/jobs", {"name": "x", "every": "1h", "retry": {"attempts": 3}})
        self.assertProblem(typo, 400, "retry.attempts")


if __name__ == "__main__":
    unittest.main()

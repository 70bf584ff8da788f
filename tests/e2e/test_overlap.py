"""Overlap policies, run cancellation and jitter through the real binary, with a slow webhook."""

import unittest

from harness import (HttpEndpoint, ServiceTestCase, TERMINAL_RUN_STATES, list_all_runs, rfc3339_ms,
                     wait_for_runs, wait_until)


class OverlapTestCase(ServiceTestCase):

    def setUp(self):
        self.endpoint = HttpEndpoint()
        self.addCleanup(self.endpoint.close)
        super().setUp()

    def slow_job(self, overlap, delay_s, every="1s", **fields):
        self.endpoint.route("/slow", delay_s=delay_s)
        fields.setdefault("task", {"type": "http", "url": self.endpoint.url("/slow")})
        job = self.create_job(name=f"slow {overlap}", every=every, overlap=overlap, **fields)
        self.assertEqual(job["overlap"], overlap)
        return job

    def running_run(self, job_id):
        runs = wait_for_runs(self.service, job_id, lambda runs: any(r["state"] == "running" for r in runs), 5.0,
                             "a running run")
        return next(run for run in runs if run["state"] == "running")

    def trigger(self, job_id):
        return self.service.request("POST", f"/jobs/{job_id}/trigger")

    def cancel(self, job_id, run_id):
        return self.service.request("POST", f"/jobs/{job_id}/runs/{run_id}/cancel")


class OverlapSkipTest(OverlapTestCase):

    def test_occurrences_due_while_a_run_is_unfinished_are_skipped_with_the_reason(self):
        job = self.slow_job("skip", delay_s=2.5)

        runs = wait_for_runs(self.service, job["id"], lambda runs: sum(r["state"] == "skipped" for r in runs) >= 2,
                             6.0, "two skipped occurrences")

        first = min(runs, key=lambda run: run["id"])
        for run in runs:
            if run["state"] == "skipped":
                self.assertIn(f"run {first['id']} of this job had not finished; overlap skip", run["error"], run)
        self.assertEqual(self.endpoint.max_in_flight, 1)

    def test_trigger_while_a_run_is_unfinished_is_refused_with_409(self):
        job = self.slow_job("skip", delay_s=30.0, every="1h")
        first = self.trigger(job["id"])
        self.assertEqual(first.status, 202, first.body)
        self.running_run(job["id"])

        refused = self.trigger(job["id"])

        self.assertProblem(refused, 409)
        self.assertIn("overlap policy is skip", refused.body["detail"])
        self.assertEqual(len(list_all_runs(self.service, job["id"])), 1, "a refused trigger writes nothing")


class OverlapAllowTest(OverlapTestCase):

    def test_runs_overlap(self):
        job = self.slow_job("allow", delay_s=2.5)

        self.endpoint.wait_for_requests(2, "/slow", timeout_s=5.0)

        self.assertGreaterEqual(self.endpoint.max_in_flight, 2)
        self.assertFalse([run for run in list_all_runs(self.service, job["id"]) if run["state"] == "skipped"])

    def test_trigger_while_running_starts_another_run_alongside(self):
        job = self.slow_job("allow", delay_s=30.0, every="1h")
        self.assertEqual(self.trigger(job["id"]).status, 202)
        self.running_run(job["id"])

        second = self.trigger(job["id"])

        self.assertEqual(second.status, 202, second.body)
        self.endpoint.wait_for_requests(2, "/slow", timeout_s=5.0)
        self.assertEqual(self.endpoint.max_in_flight, 2)


class OverlapQueueTest(OverlapTestCase):

    def test_runs_wait_for_each_other_and_none_is_skipped(self):
        job = self.slow_job("queue", delay_s=0.7)

        runs = wait_for_runs(self.service, job["id"],
                             lambda runs: sum(r["state"] == "succeeded" for r in runs) >= 3, 8.0,
                             "three succeeded runs")

        self.assertEqual(self.endpoint.max_in_flight, 1)
        self.assertFalse([run for run in runs if run["state"] == "skipped"], runs)
        done = sorted((run for run in runs if run["state"] == "succeeded"), key=lambda run: run["id"])
        for earlier, later in zip(done, done[1:]):
            # In order, one after another.
            self.assertGreaterEqual(rfc3339_ms(later["started_at"]), rfc3339_ms(earlier["finished_at"]))

    def test_trigger_while_running_queues_a_run_that_starts_after_it(self):
        job = self.slow_job("queue", delay_s=1.0, every="1h")
        self.assertEqual(self.trigger(job["id"]).status, 202)
        first = self.running_run(job["id"])

        second = self.trigger(job["id"])

        self.assertEqual(second.status, 202, second.body)
        done = wait_until(lambda: (lambda r: r if r["state"] in TERMINAL_RUN_STATES else None)(
            self.service.get_json(f"/runs/{second.body['id']}").body), 6.0, "the queued run to finish")
        self.assertEqual(done["state"], "succeeded", done)
        first = self.service.get_json(f"/runs/{first['id']}").body
        self.assertGreaterEqual(rfc3339_ms(done["started_at"]), rfc3339_ms(first["finished_at"]))
        self.assertEqual(self.endpoint.max_in_flight, 1)


class CancelTest(OverlapTestCase):

    def test_cancelling_a_running_run_stops_it(self):
        job = self.slow_job("skip", delay_s=30.0, every="1h", retry={"max_attempts": 3, "initial_delay": "2s"})
        self.assertEqual(self.trigger(job["id"]).status, 202)
        run = self.running_run(job["id"])
        self.endpoint.wait_for_requests(1, "/slow", timeout_s=5.0)

        response = self.cancel(job["id"], run["id"])

        self.assertEqual(response.status, 202, response.body)
        self.assertEqual(response.body["state"], "running")
        self.assertIsNotNone(response.body["cancel_requested_at"])
        self.assertEqual(response.headers["location"], f"/runs/{run['id']}")
        ended = wait_until(lambda: (lambda r: r if r["state"] in TERMINAL_RUN_STATES else None)(
            self.service.get_json(f"/runs/{run['id']}").body), 3.0, "the cancelled run to end")
        self.assertEqual(ended["state"], "cancelled", ended)
        self.assertEqual(ended["attempt"], 1, "a cancelled run is not retried")
        self.assertEqual(len(self.endpoint.requests_to("/slow")), 1)
        # The job is free again: a trigger is accepted under overlap skip.
        self.assertEqual(self.trigger(job["id"]).status, 202)

    def test_cancelling_a_queued_run_ends_it_at_once(self):
        job = self.slow_job("queue", delay_s=30.0, every="1h")
        self.assertEqual(self.trigger(job["id"]).status, 202)
        self.running_run(job["id"])
        queued = self.trigger(job["id"]).body

        response = self.cancel(job["id"], queued["id"])

        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.body["state"], "cancelled")
        self.assertEqual(response.body["error"], "cancelled before it started")
        self.assertEqual(self.service.get_json(f"/runs/{queued['id']}").body, response.body)

    def test_cancel_answers_404_for_another_jobs_run_and_409_for_an_ended_run(self):
        job = self.create_job(name="quick", every="1h", task={"type": "noop"})
        other = self.create_job(name="other", every="1h", task={"type": "noop"})
        run = self.trigger(job["id"]).body
        wait_until(lambda: self.service.get_json(f"/runs/{run['id']}").body["state"] == "succeeded", 5.0,
                   "the run to succeed")

        self.assertProblem(self.cancel(other["id"], run["id"]), 404)
        self.assertProblem(self.cancel(job["id"], 999999), 404)
        self.assertProblem(self.cancel(job["id"], "abc"), 404)
        self.assertProblem(self.cancel(job["id"], run["id"]), 409)
        self.assertEqual(self.service.get_json(f"/runs/{run['id']}").body["state"], "succeeded")


class JitterTest(ServiceTestCase):
    # A 700 ms jitter on a 1 s schedule lets two runs start 300 ms apart: below the default
    # minimum period, so lowered here (and the run quota with it).
    service_args = ("--min-period", "100ms", "--max-runs-per-job-per-minute", "0")

    def test_each_run_waits_its_recorded_jitter(self):
        job = self.create_job(name="spread", every="1s", jitter="700ms", overlap="allow", task={"type": "noop"})
        self.assertEqual(job["jitter"], "700ms")

        runs = wait_for_runs(self.service, job["id"],
                             lambda runs: sum(r["state"] == "succeeded" for r in runs) >= 4, 8.0,
                             "four succeeded runs")

        done = [run for run in runs if run["state"] == "succeeded"]
        for run in done:
            self.assertTrue(0 <= run["jitter_ms"] <= 700, run)
            self.assertGreaterEqual(rfc3339_ms(run["started_at"]),
                                    rfc3339_ms(run["scheduled_for"]) + run["jitter_ms"], run)
        self.assertGreater(len({run["jitter_ms"] for run in done}), 1, "every run got the same delay")

    def test_bad_overlap_and_jitter_are_refused_naming_the_field(self):
        self.assertProblem(self.service.post_json("/jobs", {"name": "j", "every": "1m", "overlap": "sometimes"}),
                           400, "overlap")
        self.assertProblem(self.service.post_json("/jobs", {"name": "j", "every": "1m", "jitter": "soon"}),
                           400, "jitter")
        self.assertProblem(self.service.post_json("/jobs", {"name": "j", "every": "1m", "jitter": "25h"}),
                           400, "jitter")


if __name__ == "__main__":
    unittest.main()

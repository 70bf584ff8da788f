"""The operator's limits through the real binary (issue #14): a minimum period for schedules,
retries and jitter, jobs per namespace, and runs created per job per minute.

`every: "1ms"` was accepted: ten such jobs made 81,000 runs in 8 s and a 526 MB WAL, for every
namespace. Now a schedule, a retry or a jitter below --min-period (default 1s) is refused with a
400 naming the field and the minimum; a namespace holds at most --max-jobs-per-namespace jobs and a
job gets at most --max-runs-per-job-per-minute runs a minute (409 past either).
"""

import concurrent.futures
import time
import unittest

from harness import ServiceTestCase, list_all_runs, wait_until

MERGE = {"Content-Type": "application/merge-patch+json"}


class MinimumPeriodTest(ServiceTestCase):
    """The defaults: a minimum period of 1s."""

    def test_a_schedule_faster_than_the_minimum_is_refused_naming_field_and_minimum(self):
        cases = [({"every": "1ms"}, "every"), ({"every": "999ms"}, "every"),
                 ({"every": "1h", "jitter": "59m59s500ms"}, "jitter"),
                 ({"every": "1h", "retry": {"max_attempts": 3, "initial_delay": "100ms"}}, "retry.initial_delay"),
                 ({"every": "1h", "retry": {"max_attempts": 3, "initial_delay": "1s", "jitter": 0.5}},
                  "retry.jitter")]
        for fields, field in cases:
            with self.subTest(fields=fields):
                response = self.service.post_json("/jobs", dict({"name": "fast"}, **fields))

                self.assertProblem(response, 400, field)
                self.assertIn("the minimum period is 1s", response.body["detail"])
        self.assertEqual(self.service.get_json("/jobs").body, [])

    def test_the_minimum_itself_and_slower_schedules_are_accepted(self):
        for number, fields in enumerate(({"every": "1s"}, {"cron": "* * * * * *"}, {"interval": "hourly"},
                                         {"every": "1h", "retry": {"max_attempts": 3, "initial_delay": "2s",
                                                                   "jitter": 0.5}})):
            with self.subTest(fields=fields):
                body = dict({"name": f"ok-{number}"}, **fields)  # names are unique in a namespace
                self.assertEqual(self.service.post_json("/jobs", body).status, 201)

    def test_a_patch_below_the_minimum_is_refused_and_changes_nothing(self):
        job = self.create_job(every="1m")

        response = self.service.request("PATCH", f"/jobs/{job['id']}", body={"every": "10ms"}, headers=MERGE)

        self.assertProblem(response, 400, "every")
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body["every"], "1m")


class RaisedMinimumPeriodTest(ServiceTestCase):
    service_args = ("--min-period", "10s")

    def test_a_six_field_cron_firing_more_often_is_refused(self):
        refused = self.service.post_json("/jobs", {"name": "c", "cron": "*/5 * * * * *"})
        accepted = self.service.post_json("/jobs", {"name": "c", "cron": "*/10 * * * * *"})

        self.assertProblem(refused, 400, "cron")
        self.assertIn("every 5s", refused.body["detail"])
        self.assertIn("the minimum period is 10s", refused.body["detail"])
        self.assertEqual(accepted.status, 201, accepted.body)


class NamespaceQuotaTest(ServiceTestCase):
    service_args = ("--max-jobs-per-namespace", "3")

    def test_a_namespace_holds_at_most_its_quota_of_jobs(self):
        ids = [self.create_job(name=f"j{n}", namespace="team-a")["id"] for n in range(3)]

        refused = self.service.post_json("/jobs", {"name": "j3", "every": "1h", "namespace": "team-a"})
        elsewhere = self.service.post_json("/jobs", {"name": "b", "every": "1h", "namespace": "team-b"})
        self.assertEqual(self.service.request("DELETE", f"/jobs/{ids[0]}").status, 204)
        again = self.service.post_json("/jobs", {"name": "j3", "every": "1h", "namespace": "team-a"})

        self.assertProblem(refused, 409)
        self.assertIn("namespace 'team-a' has its quota of 3 jobs", refused.body["detail"])
        self.assertEqual(elsewhere.status, 201, elsewhere.body)
        self.assertEqual(again.status, 201, again.body)


class RunRateQuotaTest(ServiceTestCase):
    service_args = ("--max-runs-per-job-per-minute", "5", "--min-period", "12s")

    def test_the_cap_holds_under_a_burst_of_triggers(self):
        job = self.create_job(every="1h", overlap="allow", task={"type": "noop"})

        def trigger(_):
            client = self.service.client()
            try:
                return client.request("POST", f"/jobs/{job['id']}/trigger")
            finally:
                client.close()

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(trigger, range(60)))

        statuses = sorted(answer.status for answer in answers)
        self.assertEqual(statuses.count(202), 5, statuses)
        self.assertEqual(statuses.count(409), 55, statuses)
        refusal = next(answer for answer in answers if answer.status == 409)
        self.assertProblem(refusal, 409)
        self.assertIn("max_runs_per_job_per_minute", refusal.body["detail"])
        self.assertEqual(len(list_all_runs(self.service, job["id"])), 5)


class ConnectionLimitTest(ServiceTestCase):
    service_args = ("--max-connections", "4")

    def test_one_connection_past_the_limit_is_answered_503_and_a_freed_slot_serves_again(self):
        import http.client

        self.assertEqual(self.service.get_json("/healthz").status, 200)  # the harness's own, kept alive
        held = [http.client.HTTPConnection("127.0.0.1", self.service.port, timeout=10) for _ in range(4)]
        try:
            statuses = []
            for connection in held:
                connection.request("GET", "/healthz")
                answer = connection.getresponse()
                answer.read()
                statuses.append(answer.status)

            self.assertEqual(statuses, [200, 200, 200, 503])
            held[0].close()
            held[3].close()
            def served_again():  # the server notices the closes on its next reads
                again = http.client.HTTPConnection("127.0.0.1", self.service.port, timeout=10)
                try:
                    again.request("GET", "/healthz")
                    return again.getresponse().status == 200 or None
                finally:
                    again.close()
            wait_until(served_again, 15.0, "a freed connection slot to serve again")
        finally:
            for connection in held:
                connection.close()


class LimitSettingsTest(unittest.TestCase):
    def test_a_minimum_period_that_lets_a_schedule_pass_the_run_quota_is_refused_at_start(self):
        import subprocess
        import tempfile

        from harness import binary_path

        with tempfile.TemporaryDirectory(prefix="jobsched-e2e-") as folder:
            done = subprocess.run([binary_path(), "serve", "--listen", "127.0.0.1:0", "--db", f"sqlite:{folder}/j.db",
                                   "--min-period", "100ms", "--max-runs-per-job-per-minute", "120"],
                                  capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)

        self.assertNotEqual(done.returncode, 0)
        self.assertIn("min_period", done.stdout + done.stderr)
        self.assertIn("max_runs_per_job_per_minute", done.stdout + done.stderr)


if __name__ == "__main__":
    unittest.main()

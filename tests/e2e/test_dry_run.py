"""`?dry_run=true` on every change, and GET /jobs/{id}/next, through the real binary.

Every answer is checked against docs/openapi.yaml by the harness, like in every suite.
"""

import datetime
import unittest

from harness import HttpEndpoint, ServiceTestCase, count_jobs, list_all_runs, wait_until


class DryRunTest(ServiceTestCase):

    def setUp(self):
        super().setUp()
        self.job = self.create_job(name="report", interval="weekly")
        self.path = f"/jobs/{self.job['id']}"

    def assertNothingWritten(self):
        job = self.service.get_json(self.path).body
        self.assertEqual((job["version"], job["is_active"], job["name"]), (1, True, "report"))
        self.assertEqual(count_jobs(self.service), 1)
        self.assertEqual(list_all_runs(self.service, self.job["id"]), [])

    def test_every_change_answers_what_it_would_do_and_writes_nothing(self):
        created = self.service.post_json("/jobs?dry_run=true", {"name": "new", "cron": "0 9 * * *",
                                                                 "timezone": "Europe/Berlin"})
        patched = self.service.request("PATCH", self.path + "?dry_run=true", body={"every": "15m"})
        self.assertEqual(patched.headers["etag"], self.service.get_json(self.path).headers["etag"])
        paused = self.service.request("POST", self.path + "/pause?dry_run=true")
        resumed = self.service.request("POST", self.path + "/resume?dry_run=true")
        triggered = self.service.request("POST", self.path + "/trigger?dry_run=true")
        deleted = self.service.request("DELETE", self.path + "?dry_run=true")

        self.assertEqual((created.status, created.body["action"], created.body["job"]["id"]), (200, "create", None))
        self.assertIsNotNone(created.body["job"]["next_run"])
        self.assertEqual((patched.status, patched.body["action"]), (200, "update"))
        self.assertEqual(patched.body["changed"], ["interval", "every", "next_run"])
        self.assertEqual(patched.body["job"]["version"], 2)
        self.assertEqual(paused.body["changed"], ["is_active", "next_run"])
        self.assertEqual(resumed.body["changed"], [])  # already active: nothing would change
        self.assertEqual((triggered.status, triggered.body["action"]), (200, "trigger"))
        self.assertEqual((deleted.status, deleted.body["action"], deleted.body["job"]["id"]),
                         (200, "delete", self.job["id"]))
        self.assertNothingWritten()

    def test_a_dry_run_refuses_what_the_change_would_refuse(self):
        self.create_job(name="taken")

        self.assertProblem(self.service.post_json("/jobs?dry_run=true", {"name": "taken", "every": "1h"}), 409, "name")
        self.assertProblem(self.service.request("PATCH", self.path + "?dry_run=true", body={"name": "taken"}), 409,
                           "name")
        self.assertProblem(self.service.post_json("/jobs?dry_run=true", {"name": "x", "every": "soon"}), 400, "every")
        self.assertProblem(self.service.request("POST", self.path + "/pause?dry_run=true",
                                                headers={"If-Match": '"7-0"'}), 412, "If-Match")
        self.assertProblem(self.service.request("DELETE", "/jobs/999?dry_run=true"), 404)
        for method, path in (("POST", "/jobs"), ("PATCH", self.path), ("DELETE", self.path),
                             ("POST", self.path + "/pause"), ("POST", self.path + "/trigger")):
            with self.subTest(method=method, path=path):
                self.assertProblem(self.service.request(method, path + "?dry_run=maybe", body={}), 400, "dry_run")
        self.assertEqual(count_jobs(self.service), 2)

    def test_trigger_and_cancel_dry_runs_look_at_the_runs(self):
        endpoint = HttpEndpoint()
        self.addCleanup(endpoint.close)
        endpoint.route("/slow", delay_s=30)
        job = self.create_job(name="slow", task={"type": "http", "url": endpoint.url("/slow")})
        run = self.service.request("POST", f"/jobs/{job['id']}/trigger").body
        endpoint.wait_for_requests(1, path="/slow")

        busy = self.service.request("POST", f"/jobs/{job['id']}/trigger?dry_run=true")
        cancel = self.service.request("POST", f"/jobs/{job['id']}/runs/{run['id']}/cancel?dry_run=true")
        self.assertEqual(self.service.get_json(f"/runs/{run['id']}").body["state"], "running")
        self.service.request("POST", f"/jobs/{job['id']}/runs/{run['id']}/cancel")
        wait_until(lambda: self.service.get_json(f"/runs/{run['id']}").body["state"] == "cancelled", 10,
                   "the run to be cancelled")
        ended = self.service.request("POST", f"/jobs/{job['id']}/runs/{run['id']}/cancel?dry_run=true")

        self.assertProblem(busy, 409)
        self.assertEqual((cancel.status, cancel.body["action"], cancel.body["run"]["state"]), (200, "cancel", "running"))
        self.assertProblem(ended, 409)


def last_sunday_of_march(year):
    day = datetime.date(year, 3, 31)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


class NextRunsTest(ServiceTestCase):

    def test_lists_the_coming_runs_in_utc_the_jobs_zone_and_another_across_a_dst_change(self):
        job = self.service.post_json("/jobs", {"name": "berlin", "cron": "30 2 * * *",
                                               "timezone": "Europe/Berlin"}).body
        today = datetime.datetime.now(datetime.timezone.utc).date()
        spring = last_sunday_of_march(today.year)
        if spring <= today + datetime.timedelta(days=2):
            spring = last_sunday_of_march(today.year + 1)
        after = f"{spring - datetime.timedelta(days=2)}T00:00:00Z"

        status, _, body = self.service.get_json(f"/jobs/{job['id']}/next?count=4&tz=America/New_York&after={after}")

        self.assertEqual(status, 200)
        self.assertEqual((body["job_id"], body["timezone"], body["tz"], body["is_active"]),
                         (job["id"], "Europe/Berlin", "America/New_York", True))
        day = spring - datetime.timedelta(days=2)
        self.assertEqual([run["utc"] for run in body["next_runs"]],
                         [f"{day}T01:30:00Z", f"{day + datetime.timedelta(days=1)}T01:30:00Z",
                          f"{spring}T01:00:00Z",  # 02:30 does not exist that night: right after the gap
                          f"{spring + datetime.timedelta(days=1)}T00:30:00Z"])
        self.assertEqual(body["next_runs"][2]["local"], f"{spring}T03:00:00+02:00")
        self.assertEqual(body["next_runs"][3]["local"], f"{spring + datetime.timedelta(days=1)}T02:30:00+02:00")
        self.assertRegex(body["next_runs"][0]["tz"], r"T2\d:30:00-0[45]:00$")

    def test_starts_at_next_run_and_a_paused_job_shows_what_resuming_would_give(self):
        job = self.create_job(name="hourly", interval="hourly")
        self.service.request("POST", f"/jobs/{job['id']}/pause")

        active = self.service.get_json(f"/jobs/{self.create_job(name='daily')['id']}/next").body
        paused = self.service.get_json(f"/jobs/{job['id']}/next?count=2").body

        self.assertEqual(len(active["next_runs"]), 10)
        self.assertEqual(active["next_runs"][0]["utc"],
                         self.service.get_json(f"/jobs/{active['job_id']}").body["next_run"])
        self.assertEqual(active["next_runs"][0]["local"].replace("+00:00", "Z"), active["next_runs"][0]["utc"])
        self.assertFalse(paused["is_active"])
        self.assertEqual(len(paused["next_runs"]), 2)
        self.assertNotIn("tz", paused)

    def test_refuses_bad_parameters_naming_them(self):
        job = self.create_job(name="x")

        for query, field in (("count=0", "count"), ("count=1001", "count"), ("tz=Mars/Olympus", "tz"),
                             ("after=yesterday", "after")):
            with self.subTest(query=query):
                self.assertProblem(self.service.get_json(f"/jobs/{job['id']}/next?{query}"), 400, field)
        self.assertProblem(self.service.get_json("/jobs/999/next"), 404)


if __name__ == "__main__":
    unittest.main()

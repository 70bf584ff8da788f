"""The job lifecycle through the real API: PATCH, pause, resume, trigger, DELETE, If-Match."""

import unittest

from harness import ServiceTestCase, wait_for_finished_runs


class LifecycleTest(ServiceTestCase):
    def created(self, **fields):
        body = {"name": "job"}
        if not {"interval", "every", "cron", "at"} & fields.keys():
            body["interval"] = "daily"
        body.update(fields)
        response = self.service.post_json("/jobs", body)
        self.assertEqual(response.status, 201, response.body)
        return response

    def patch(self, job_id, body, headers=None):
        import json
        return self.service.request("PATCH", f"/jobs/{job_id}", json.dumps(body),
                                    {"Content-Type": "application/merge-patch+json", **(headers or {})})

    def test_patch_changes_the_named_fields_and_bumps_the_version(self):
        job = self.created().body

        response = self.patch(job["id"], {"name": "renamed", "every": "15m"})

        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.body["name"], "renamed")
        self.assertEqual(response.body["every"], "15m")
        self.assertIsNone(response.body["interval"])
        self.assertEqual(response.body["version"], 2)
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body, response.body)

    def test_patch_is_validated_like_create_and_writes_nothing_on_error(self):
        job = self.created().body

        self.assertProblem(self.patch(job["id"], {"name": ""}), 400, "name")
        self.assertProblem(self.patch(job["id"], {"intervall": "weekly"}), 400, "intervall")
        self.assertProblem(self.patch(job["id"], {"name": None}), 400, "name")
        self.assertProblem(self.patch(job["id"], {"cron": "99 * * * *"}), 400, "cron")

        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body, job)

    def test_stale_if_match_gets_412_and_current_one_succeeds(self):
        created = self.created()
        etag_v1 = created.headers["etag"]
        self.assertEqual(self.patch(created.body["id"], {"name": "first"}, {"If-Match": etag_v1}).status, 200)

        stale = self.patch(created.body["id"], {"name": "second"}, {"If-Match": etag_v1})
        current = self.service.get_json(f"/jobs/{created.body['id']}")
        fresh = self.patch(created.body["id"], {"name": "second"}, {"If-Match": current.headers["etag"]})

        self.assertProblem(stale, 412)
        self.assertEqual(fresh.status, 200, fresh.body)
        self.assertEqual(fresh.body["name"], "second")

    def test_pause_clears_next_run_and_resume_recomputes_it(self):
        job = self.created(every="1h").body

        paused = self.service.request("POST", f"/jobs/{job['id']}/pause")
        resumed = self.service.request("POST", f"/jobs/{job['id']}/resume")

        self.assertEqual(paused.status, 200, paused.body)
        self.assertFalse(paused.body["is_active"])
        self.assertIsNone(paused.body["next_run"])
        self.assertEqual(resumed.status, 200, resumed.body)
        self.assertTrue(resumed.body["is_active"])
        self.assertIsNotNone(resumed.body["next_run"])
        self.assertGreater(resumed.body["next_run"], job["next_run"])

    def test_paused_job_does_not_fire_across_its_due_time(self):
        job = self.created(every="1s").body
        self.service.request("POST", f"/jobs/{job['id']}/pause")
        import time
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:  # two due times pass while paused
            self.assertEqual(self.service.get_json(f"/jobs/{job['id']}/runs").body, [])
            time.sleep(0.25)

        self.service.request("POST", f"/jobs/{job['id']}/resume")
        runs = wait_for_finished_runs(self.service, job["id"], 1, timeout_s=5)

        self.assertEqual(len(runs), 1)

    def test_trigger_queues_a_manual_run_that_executes(self):
        job = self.created(task={"type": "compute", "function": "factorial_sum", "n": 10}).body

        response = self.service.request("POST", f"/jobs/{job['id']}/trigger")
        runs = wait_for_finished_runs(self.service, job["id"], 1, timeout_s=5)

        self.assertEqual(response.status, 202, response.body)
        self.assertEqual(response.body["trigger"], "manual")
        self.assertEqual(response.headers["location"], f"/runs/{response.body['id']}")
        self.assertEqual(runs[0]["id"], response.body["id"])
        self.assertEqual(runs[0]["state"], "succeeded")
        self.assertIn("4037913", runs[0]["output"])

    def test_delete_removes_the_job_and_its_runs(self):
        job = self.created().body
        run = self.service.request("POST", f"/jobs/{job['id']}/trigger").body

        deleted = self.service.request("DELETE", f"/jobs/{job['id']}")

        self.assertEqual(deleted.status, 204)
        self.assertProblem(self.service.get_json(f"/jobs/{job['id']}"), 404)
        self.assertProblem(self.service.get_json(f"/runs/{run['id']}"), 404)
        self.assertProblem(self.service.request("DELETE", f"/jobs/{job['id']}"), 404)

    def test_delete_with_stale_if_match_is_refused(self):
        created = self.created()
        self.patch(created.body["id"], {"name": "changed"})

        response = self.service.request("DELETE", f"/jobs/{created.body['id']}",
                                        headers={"If-Match": created.headers["etag"]})

        self.assertProblem(response, 412)
        self.assertEqual(self.service.get_json(f"/jobs/{created.body['id']}").status, 200)

    def test_list_filters_by_name_prefix_and_task_type_and_keeps_them_in_the_next_link(self):
        for name in ("report a", "report b", "report c", "other"):
            self.created(name=name, task={"type": "compute", "function": "prime_count", "n": 10})
        self.created(name="report hook", task={"type": "http", "url": "http://127.0.0.1:9/x"})

        first = self.service.get_json("/jobs?name=report%20&type=compute&limit=2")
        link = first.headers.get("link", "")
        second = self.service.get_json(link[1:link.index(">")])

        self.assertEqual([job["name"] for job in first.body], ["report a", "report b"])
        self.assertIn("name=report%20", link)
        self.assertIn("type=compute", link)
        self.assertEqual([job["name"] for job in second.body], ["report c"])
        self.assertProblem(self.service.get_json("/jobs?type=ftp"), 400, "type")

    def test_runs_of_every_job_filter_by_state_and_time(self):
        # overlap allow: under the default (skip) the second trigger of "ok" is a 409 whenever
        # its first run has not finished yet, which a loaded machine makes likely.
        ok = self.created(name="ok", task={"type": "noop"}, overlap="allow").body
        bad = self.created(name="bad", task={"type": "http", "url": "http://127.0.0.1:9/closed"}).body
        for job in (ok, bad, ok):
            triggered = self.service.request("POST", f"/jobs/{job['id']}/trigger")
            self.assertEqual(triggered.status, 202, triggered.body)
        wait_for_finished_runs(self.service, ok["id"], 2, timeout_s=10)
        wait_for_finished_runs(self.service, bad["id"], 1, timeout_s=10)

        everything = self.service.get_json("/runs").body
        failed = self.service.get_json("/runs?state=failed").body
        page = self.service.get_json("/runs?state=succeeded&limit=1")
        link = page.headers.get("link", "")
        future = self.service.get_json("/runs?scheduled_from=2100-01-01T00:00:00Z").body

        self.assertEqual(len(everything), 3)
        self.assertEqual([run["job_id"] for run in failed], [bad["id"]])
        self.assertEqual(len(page.body), 1)
        self.assertIn("state=succeeded", link)
        self.assertEqual(len(self.service.get_json(link[1:link.index(">")]).body), 1)
        self.assertEqual(future, [])
        self.assertProblem(self.service.get_json("/runs?state=done"), 400, "state")
        self.assertProblem(self.service.get_json("/runs?scheduled_until=tomorrow"), 400, "scheduled_until")

    def test_lifecycle_of_unknown_job_is_404(self):
        for method, path in (("PATCH", "/jobs/999"), ("DELETE", "/jobs/999"), ("POST", "/jobs/999/pause"),
                             ("POST", "/jobs/999/resume"), ("POST", "/jobs/999/trigger")):
            with self.subTest(method=method, path=path):
                body = "{}" if method == "PATCH" else None
                self.assertProblem(self.service.request(method, path, body), 404)


if __name__ == "__main__":
    unittest.main()

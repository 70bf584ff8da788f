"""POST /jobs/{id}/backfill through the real binary: past occurrences of a job's own schedule run with
trigger "backfill", once each, in the order and concurrency the job's overlap policy allows.

Every answer is checked against docs/openapi.yaml by the harness, like in every suite.
"""

import unittest

from cli_testing import Cli, check_schema
from harness import HttpEndpoint, ServiceTestCase, list_all_runs, parse_rfc3339, wait_for_runs

# Europe/Berlin falls back at 2026-10-25T01:00Z: 02:00 CET (01:00Z) repeats 02:00 CEST (00:00Z), so an
# hourly cron job is silent at 01:00Z.
HOURLY_AROUND_FALL_BACK = ["2026-10-24T22:00:00Z", "2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z",
                           "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z"]


class BackfillTestCase(ServiceTestCase):

    def setUp(self):
        self.endpoint = HttpEndpoint()
        self.addCleanup(self.endpoint.close)
        self.created = []
        super().setUp()

    def cron_job(self, cron, **fields):
        response = self.service.post_json("/jobs", {"name": f"backfill {cron} {len(self.created)}", "cron": cron,
                                                    "timezone": "Europe/Berlin", **fields})
        self.assertEqual(response.status, 201, response.body)
        self.created.append(response.body)
        return response.body

    def hourly_job(self, overlap="skip", delay_s=0.0):
        self.endpoint.route("/hook", delay_s=delay_s)
        return self.cron_job("0 * * * *", overlap=overlap, task={"type": "http", "url": self.endpoint.url("/hook")})

    def backfill(self, job_id, start, end, query=""):
        return self.service.post_json(f"/jobs/{job_id}/backfill{query}", {"from": start, "to": end})

    def finished_backfill_runs(self, job_id, count):
        runs = wait_for_runs(self.service, job_id,
                             # One at a time under overlap skip, each next one found by the pool's
                             # 1 s nap: seconds here, more on a loaded machine.
                             lambda runs: sum(r["state"] == "succeeded" for r in runs) >= count, 60.0,
                             f"{count} succeeded runs")
        return sorted(runs, key=lambda run: run["id"])


class BackfillTest(BackfillTestCase):

    def test_backfill_across_the_fall_back_runs_each_real_hour_once_and_a_repeat_creates_none(self):
        job = self.hourly_job()

        answer = self.backfill(job["id"], "2026-10-24T22:00:00Z", "2026-10-25T04:00:00Z")
        runs = self.finished_backfill_runs(job["id"], 5)
        again = self.backfill(job["id"], "2026-10-24T22:00:00Z", "2026-10-25T04:00:00Z")

        self.assertEqual(answer.status, 202, answer.body)
        self.assertEqual((answer.body["occurrences"], answer.body["created"], answer.body["existing"]), (5, 5, 0))
        self.assertEqual([run["scheduled_for"] for run in runs], HOURLY_AROUND_FALL_BACK)
        self.assertEqual({run["trigger"] for run in runs}, {"backfill"})
        self.assertEqual(len(self.endpoint.requests_to("/hook")), 5)
        self.assertEqual(again.status, 202, again.body)
        self.assertEqual((again.body["created"], again.body["existing"]), (0, 5))
        self.assertEqual(len(list_all_runs(self.service, job["id"])), 5)
        listed = self.service.get_json(f"/runs?trigger=backfill&job_id={job['id']}")
        self.assertEqual(listed.status, 200, listed.body)
        self.assertEqual(len(listed.body), 5)
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body["version"], job["version"])

    def test_a_daily_job_backfilled_across_the_spring_gap_runs_when_the_gap_ends(self):
        self.endpoint.route("/hook")
        job = self.cron_job("30 2 * * *", task={"type": "http", "url": self.endpoint.url("/hook")})

        answer = self.backfill(job["id"], "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z")
        runs = self.finished_backfill_runs(job["id"], 3)

        self.assertEqual(answer.body["created"], 3, answer.body)
        self.assertEqual([run["scheduled_for"] for run in runs],
                         ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"])

    def test_a_paused_job_is_backfilled_and_stays_paused(self):
        job = self.hourly_job()
        self.assertEqual(self.service.request("POST", f"/jobs/{job['id']}/pause").status, 200)

        answer = self.backfill(job["id"], "2026-10-24T22:00:00Z", "2026-10-25T00:00:00Z")

        self.assertEqual(answer.status, 202, answer.body)
        self.finished_backfill_runs(job["id"], 2)
        self.assertFalse(self.service.get_json(f"/jobs/{job['id']}").body["is_active"])

    def test_a_dry_run_counts_and_writes_nothing(self):
        job = self.hourly_job()
        self.backfill(job["id"], "2026-10-24T22:00:00Z", "2026-10-25T00:00:00Z")
        self.finished_backfill_runs(job["id"], 2)

        preview = self.backfill(job["id"], "2026-10-24T22:00:00Z", "2026-10-25T04:00:00Z", "?dry_run=true")

        self.assertEqual(preview.status, 200, preview.body)
        self.assertEqual((preview.body["dry_run"], preview.body["created"], preview.body["existing"]), (True, 3, 2))
        self.assertEqual(len(list_all_runs(self.service, job["id"])), 2)


class BackfillRefusalTest(BackfillTestCase):

    def test_bad_ranges_are_refused_naming_the_field_and_write_nothing(self):
        job = self.hourly_job()
        every_minute = self.cron_job("* * * * *")

        future = self.backfill(job["id"], "2026-10-24T22:00:00Z", "2999-01-01T00:00:00Z")
        reversed_range = self.backfill(job["id"], "2026-10-25T00:00:00Z", "2026-10-24T00:00:00Z")
        too_many = self.backfill(every_minute["id"], "2026-01-01T00:00:00Z", "2026-01-08T00:00:00Z")
        unknown = self.service.post_json(f"/jobs/{job['id']}/backfill", {"from": "2026-10-24T22:00:00Z",
                                                                         "to": "2026-10-25T00:00:00Z", "x": 1})
        missing = self.service.post_json(f"/jobs/{job['id']}/backfill", {"from": "2026-10-24T22:00:00Z"})
        not_a_time = self.backfill(job["id"], "yesterday", "2026-10-25T00:00:00Z")
        no_job = self.backfill(999999, "2026-10-24T22:00:00Z", "2026-10-25T00:00:00Z")

        self.assertProblem(future, 400, field="to")
        self.assertProblem(reversed_range, 400, field="from")
        self.assertProblem(too_many, 400, field="to")
        self.assertIn("10000", too_many.body["detail"])
        self.assertProblem(unknown, 400, field="x")
        self.assertProblem(missing, 400, field="to")
        self.assertProblem(not_a_time, 400, field="from")
        self.assertProblem(no_job, 404)
        self.assertEqual(list_all_runs(self.service, job["id"]), [])
        self.assertEqual(list_all_runs(self.service, every_minute["id"]), [])


class BackfillOverlapTest(BackfillTestCase):

    def test_under_skip_backfill_runs_wait_their_turn_oldest_first(self):
        job = self.hourly_job(overlap="skip", delay_s=0.3)

        self.backfill(job["id"], "2026-10-24T22:00:00Z", "2026-10-25T04:00:00Z")
        runs = self.finished_backfill_runs(job["id"], 5)

        self.assertEqual(self.endpoint.max_in_flight, 1)
        # As instants: a start on a whole second is written without a fraction ("...:49Z"),
        # which sorts after "...:49.305Z" as text.
        starts = [parse_rfc3339(run["started_at"]) for run in runs]
        self.assertEqual(starts, sorted(starts), "oldest occurrence first")
        self.assertEqual([run["scheduled_for"] for run in runs], HOURLY_AROUND_FALL_BACK)

    def test_under_allow_backfill_runs_run_alongside(self):
        job = self.hourly_job(overlap="allow", delay_s=1.0)

        self.backfill(job["id"], "2026-10-24T22:00:00Z", "2026-10-25T04:00:00Z")
        self.finished_backfill_runs(job["id"], 5)

        self.assertGreaterEqual(self.endpoint.max_in_flight, 2)


class BackfillCliTest(BackfillTestCase):

    def setUp(self):
        super().setUp()
        self.cli = Cli(f"http://127.0.0.1:{self.service.port}")
        self.addCleanup(self.cli.close)

    def test_job_backfill_says_what_it_created_and_what_existed(self):
        job = self.hourly_job()
        name = job["name"]

        preview = self.cli.ok("job", "backfill", name, "--from", "2026-10-24T22:00:00Z", "--to",
                              "2026-10-25T04:00:00Z", "--dry-run").stdout
        first = self.cli.ok("job", "backfill", name, "--from", "2026-10-24T22:00:00Z", "--to",
                            "2026-10-25T04:00:00Z").stdout
        again = self.cli.json("job", "backfill", name, "--from", "2026-10-24T22:00:00Z", "--to",
                              "2026-10-25T04:00:00Z")
        refused = self.cli.run("job", "backfill", name, "--from", "2026-10-24T22:00:00Z", "--to", "2999-01-01T00:00:00Z")

        self.assertIn("would be created", preview)
        self.assertIn(f"backfilled job {job['id']}: 5 runs created, 0 occurrences already had one", first)
        check_schema("BackfillResult", again, "job backfill -o json")
        self.assertEqual((again["created"], again["existing"]), (0, 5))
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("to", refused.stderr)
        self.finished_backfill_runs(job["id"], 5)


if __name__ == "__main__":
    unittest.main()

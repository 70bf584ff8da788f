"""Cron with time zones, one-shot jobs, windows and the schedule preview, through the real API."""

import unittest

import datetime

from harness import ServiceTestCase, wait_for_finished_runs


def in_one_second():
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class PreviewTest(ServiceTestCase):
    def preview(self, **body):
        return self.service.post_json("/schedules/preview", body)

    def test_spring_forward_gap_fires_once_right_after_the_gap(self):
        # 02:30 does not exist in Berlin on 2026-03-29: the run is at 03:00 CEST = 01:00Z.
        response = self.preview(cron="30 2 * * *", timezone="Europe/Berlin", after="2026-03-27T00:00:00Z", count=4)

        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.body["next_runs"], [
            "2026-03-27T01:30:00Z", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"])

    def test_fall_back_overlap_fires_once_at_the_first_occurrence(self):
        # 02:30 happens twice in Berlin on 2026-10-25: first at 00:30Z (CEST), then 01:30Z (CET).
        response = self.preview(cron="30 2 * * *", timezone="Europe/Berlin", after="2026-10-24T00:00:00Z", count=3)

        self.assertEqual(response.body["next_runs"],
                         ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])

    def test_named_interval_and_window(self):
        response = self.preview(interval="weekly", after="2026-11-27T09:47:00Z", end_at="2026-12-14T10:00:00Z")

        self.assertEqual(response.body["next_runs"], ["2026-11-30T10:00:00Z", "2026-12-07T10:00:00Z"])

    def test_bad_expression_names_the_field_and_value(self):
        response = self.preview(cron="0 24 * * *")

        self.assertProblem(response, 400, "cron")
        self.assertIn("24", response.body["detail"])

    def test_unknown_time_zone_and_bad_count_are_400(self):
        self.assertProblem(self.preview(cron="0 9 * * *", timezone="Mars/Base"), 400, "timezone")
        self.assertProblem(self.preview(every="1h", count=1001), 400, "count")
        self.assertProblem(self.preview(every="1h", name="x"), 400, "name")


class CronJobTest(ServiceTestCase):
    def test_cron_job_in_berlin_stores_its_zone_and_next_run(self):
        response = self.service.post_json("/jobs", {"name": "standup", "cron": "0 10 * * MON",
                                                    "timezone": "Europe/Berlin"})

        self.assertEqual(response.status, 201, response.body)
        self.assertEqual(response.body["cron"], "0 10 * * MON")
        self.assertEqual(response.body["timezone"], "Europe/Berlin")
        fetched = self.service.get_json(f"/jobs/{response.body['id']}").body
        self.assertEqual(fetched, response.body)
        preview = self.service.post_json("/schedules/preview", {"cron": "0 10 * * MON", "timezone": "Europe/Berlin",
                                                                "after": response.body["created_at"], "count": 1})
        self.assertEqual(response.body["next_run"], preview.body["next_runs"][0])

    def test_one_shot_job_fires_once_and_keeps_no_next_run(self):
        created = self.service.post_json("/jobs", {"name": "once", "at": in_one_second()})
        self.assertEqual(created.status, 201, created.body)
        job_id = created.body["id"]

        runs = wait_for_finished_runs(self.service, job_id, 1, timeout_s=10)

        self.assertEqual(len(runs), 1)
        self.assertEqual(runs[0]["state"], "succeeded")
        self.assertEqual(runs[0]["scheduled_for"], created.body["at"])
        job = self.service.get_json(f"/jobs/{job_id}").body
        self.assertIsNone(job["next_run"])
        self.assertEqual(job["last_run"], created.body["at"])

    def test_at_in_the_past_is_refused(self):
        self.assertProblem(self.service.post_json("/jobs", {"name": "late", "at": "2020-01-01T00:00:00Z"}), 400, "at")



if __name__ == "__main__":
    unittest.main()

"""End-to-end tests of the console's job list through the real binary: search (q), sort with
cursors across pages, the last-outcome filter, recent runs per job, and the errors of each."""

import unittest
import urllib.parse

from harness import ServiceTestCase, assert_problem, list_all_jobs, next_link, wait_for_finished_runs


class JobListTest(ServiceTestCase):

    def names(self, path):
        return [job["name"] for job in list_all_jobs(self.service, path)]

    def run_once(self, job_id):
        response = self.service.post_json(f"/jobs/{job_id}/trigger", {})
        self.assertEqual(response.status, 202, response.body)

    def test_q_finds_names_by_any_part_in_any_case(self):
        for name in ("Nightly Backup", "hourly sync", "backup-verify", "50% off"):
            self.create_job(name=name)

        self.assertEqual(self.names("/jobs?q=BACKUP"), ["Nightly Backup", "backup-verify"])
        # as the console's search box sends it (URLSearchParams: a space is '+')
        self.assertEqual(self.names("/jobs?q=ly+Back"), ["Nightly Backup"])
        self.assertEqual(self.names("/jobs?q=" + urllib.parse.quote("0%")), ["50% off"])
        self.assertEqual(self.names("/jobs?q=absent"), [])

    def test_sorted_pages_follow_their_links_and_keep_the_filters(self):
        for name in ("sync delta", "sync alpha", "report", "sync charlie", "sync bravo"):
            self.create_job(name=name)

        self.assertEqual(self.names("/jobs?q=sync&sort=name&limit=2"),
                         ["sync alpha", "sync bravo", "sync charlie", "sync delta"])
        self.assertEqual(self.names("/jobs?q=sync&sort=-name&limit=3"),
                         ["sync delta", "sync charlie", "sync bravo", "sync alpha"])
        status, headers, _ = self.service.request("GET", "/jobs?q=sync&sort=-name&limit=3")
        self.assertEqual(status, 200)
        link = next_link(headers)
        self.assertIn("q=sync", link)
        self.assertIn("sort=-name", link)

    def test_sort_by_next_run_puts_the_soonest_first(self):
        self.create_job(name="daily", every="1d")
        self.create_job(name="minutely", every="1m")
        self.create_job(name="hourly", every="1h")

        self.assertEqual(self.names("/jobs?sort=next_run&limit=1"), ["minutely", "hourly", "daily"])
        self.assertEqual(self.names("/jobs?sort=-next_run&limit=2"), ["daily", "hourly", "minutely"])

    def test_recent_runs_and_the_last_outcome_filter(self):
        works = self.create_job(name="works", every="1d", task={"type": "noop"})
        breaks = self.create_job(name="breaks", every="1d",
                                 task={"type": "http", "url": "http://127.0.0.1:9/unreachable"})
        self.create_job(name="never ran", every="1d", task={"type": "noop"})
        for job in (works, breaks):
            self.run_once(job["id"])
            wait_for_finished_runs(self.service, job["id"], 1, timeout_s=20)

        jobs = {job["name"]: job for job in list_all_jobs(self.service, "/jobs?include=recent_runs")}
        self.assertEqual(jobs["works"]["recent_runs"], ["succeeded"])
        self.assertEqual(jobs["works"]["last_outcome"], "succeeded")
        self.assertEqual(jobs["breaks"]["recent_runs"], ["failed"])
        self.assertEqual(jobs["never ran"]["recent_runs"], [])
        self.assertIsNone(jobs["never ran"]["last_outcome"])
        self.assertNotIn("recent_runs", list_all_jobs(self.service, "/jobs")[0])

        self.assertEqual(self.names("/jobs?last_outcome=failed"), ["breaks"])
        self.assertEqual(self.names("/jobs?last_outcome=succeeded"), ["works"])
        self.assertEqual(self.names("/jobs?last_outcome=none"), ["never ran"])

    def test_bad_parameters_are_problems_naming_them(self):
        self.create_job(name="one")
        for path, field in (("/jobs?sort=size", "sort"),
                            ("/jobs?last_outcome=great", "last_outcome"),
                            ("/jobs?include=everything", "include"),
                            ("/jobs?sort=name&cursor=n.notacursor", "cursor"),
                            ("/jobs?q=" + "x" * 201, "q")):
            with self.subTest(path=path):
                status, headers, body = self.service.request("GET", path)
                assert_problem(self, status, (headers, body), 400, field)


if __name__ == "__main__":
    unittest.main()

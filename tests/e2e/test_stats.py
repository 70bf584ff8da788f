"""GET /stats, the console's overview, through the real binary: its shape (checked against
docs/openapi.yaml like every answer), the windows and their buckets, the 400 of a bad window,
and namespaces.
"""

import unittest
from datetime import timedelta

from harness import ServiceTestCase, parse_rfc3339, wait_for_finished_runs
from test_auth import KeyedServiceTestCase

END_STATES = ("succeeded", "failed", "timed_out", "skipped", "cancelled")


class StatsTest(ServiceTestCase):

    def test_counts_a_finished_run_in_the_window_and_in_its_bucket(self):
        job = self.create_job(every="1h", task={"type": "noop"})
        self.create_job(every="1h", task={"type": "noop"}, is_active=False)
        self.assertEqual(self.service.request("POST", f"/jobs/{job['id']}/trigger").status, 202)
        wait_for_finished_runs(self.service, job["id"], 1, timeout_s=15)

        response = self.service.get_json("/stats?window=1h")

        self.assertEqual(response.status, 200, response.body)
        stats = response.body
        self.assertEqual(stats["window"], "1h")
        self.assertEqual(stats["jobs"], {"active": 1, "paused": 1})
        self.assertEqual(stats["runs"]["succeeded"], 1)
        self.assertEqual(stats["runs"]["queued"] + stats["runs"]["running"], 0)
        self.assertEqual(sum(point["runs"] for point in stats["series"]),
                         sum(stats["runs"][state] for state in END_STATES))
        started = [point for point in stats["series"] if point["lateness_p50_ms"] is not None]
        self.assertEqual(len(started), 1)
        self.assertGreaterEqual(started[0]["lateness_p99_ms"], started[0]["lateness_p50_ms"])
        self.assertEqual((stats["late_now"], stats["failing"]), (0, 0))

    def test_cuts_each_window_into_its_buckets_ending_with_the_one_in_progress(self):
        for window, width, points in (("1h", timedelta(minutes=1), 61), ("24h", timedelta(minutes=15), 97),
                                      ("7d", timedelta(hours=2), 85)):
            stats = self.service.get_json(f"/stats?window={window}").body

            times = [parse_rfc3339(point["at"]) for point in stats["series"]]
            self.assertEqual(len(times), points, window)
            self.assertEqual(times[0], parse_rfc3339(stats["from"]), window)
            self.assertTrue(all(later - earlier == width for earlier, later in zip(times, times[1:])), window)
            self.assertLessEqual(times[-1], parse_rfc3339(stats["to"]), window)
            self.assertGreater(times[-1] + width, parse_rfc3339(stats["to"]), window)

    def test_the_window_is_a_day_by_default(self):
        response = self.service.get_json("/stats")

        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.body["window"], "24h")
        self.assertEqual(len(response.body["series"]), 97)

    def test_refuses_another_window_naming_the_parameter(self):
        for window in ("2h", "1H", ""):
            response = self.service.get_json(f"/stats?window={window}")

            self.assertProblem(response, 400, field="window")

    def test_answers_304_to_its_own_etag_while_the_answer_is_kept(self):
        first = self.service.get_json("/stats?window=1h")

        again = self.service.request("GET", "/stats?window=1h", headers={"If-None-Match": first.headers["etag"]})

        # Kept for 3 s: a 200 only when a slow machine took longer and `to` moved on.
        if again.status != 304:
            self.assertEqual(again.status, 200)
            self.assertNotEqual(again.headers["etag"], first.headers["etag"])


class StatsNamespacesTest(KeyedServiceTestCase):
    keys = {"root": ("admin", "ops", None), "reader-a": ("read", "team-a", None)}

    def setUp(self):
        super().setUp()
        self.create("root", namespace="team-a")
        self.create("root", namespace="team-b")
        self.create("root", namespace="team-b", is_active=False)

    def jobs(self, key, query=""):
        response = self.as_key(key).request("GET", "/stats?window=1h" + query)
        self.assertEqual(response.status, 200, response.body)
        return response.body["jobs"]

    def test_a_key_of_a_namespace_sees_its_namespace_only(self):
        self.assertEqual(self.jobs("reader-a"), {"active": 1, "paused": 0})
        self.assertEqual(self.jobs("reader-a", "&namespace=team-a"), {"active": 1, "paused": 0})
        self.assertEqual(self.jobs("reader-a", "&namespace=team-b"), {"active": 0, "paused": 0})

    def test_an_admin_key_sees_every_namespace_or_the_one_it_names(self):
        self.assertEqual(self.jobs("root"), {"active": 2, "paused": 1})
        self.assertEqual(self.jobs("root", "&namespace=team-b"), {"active": 1, "paused": 1})

    def test_refuses_a_malformed_namespace(self):
        response = self.as_key("root").request("GET", "/stats?namespace=Not%20a%20namespace")

        self.assertProblem(response, 400, field="namespace")


if __name__ == "__main__":
    unittest.main()

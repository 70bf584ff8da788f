"""Bulk changes through the real binary (decision 0008): POST /jobs/bulk (pause, resume, trigger,
delete by ids or by GET /jobs' filters) and POST /runs/bulk (cancel). The answer's shape, the 400s
naming the field, dry runs that change nothing, namespaces, and a filter matching more jobs than one
batch (500). Every answer is checked against docs/openapi.yaml.
"""

import concurrent.futures
import unittest

from event_stream import EventStream
from harness import TERMINAL_RUN_STATES, ServiceTestCase, list_all_jobs, wait_until
from test_auth import KeyedServiceTestCase
from test_overlap import OverlapTestCase


def outcome(response):
    """(matched, changed, unchanged, failed ids) of a bulk answer."""
    body = response.body
    return body["matched"], body["changed"], body["unchanged"], [item["id"] for item in body["failed"]]


class JobsBulkTest(ServiceTestCase):

    def bulk(self, **body):
        return self.service.post_json("/jobs/bulk", body)

    def test_pauses_the_jobs_named_and_counts_paused_and_missing_ones(self):
        active = [self.create_job(every="1h")["id"] for _ in range(2)]
        paused = self.create_job(every="1h", is_active=False)["id"]

        response = self.bulk(action="pause", ids=active + [paused, 999999])

        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(outcome(response), (4, 2, 1, [999999]))
        self.assertEqual(response.body["failed"][0]["detail"], "job 999999 does not exist")
        for job_id in active:
            job = self.service.get_json(f"/jobs/{job_id}").body
            self.assertEqual((job["is_active"], job["next_run"], job["version"]), (False, None, 2))

    def test_resume_trigger_and_delete_by_filter(self):
        nightly = [self.create_job(name=f"nightly-{index}", every="1h", is_active=False)["id"] for index in range(3)]
        other = self.create_job(name="hourly", every="1h", is_active=False)["id"]

        resumed = self.bulk(action="resume", filter={"q": "NIGHTLY", "is_active": False})
        triggered = self.bulk(action="trigger", filter={"q": "nightly"})
        deleted = self.bulk(action="delete", filter={"name": "nightly-"})

        self.assertEqual(outcome(resumed), (3, 3, 0, []))
        self.assertEqual(outcome(triggered), (3, 3, 0, []))
        self.assertEqual(outcome(deleted), (3, 3, 0, []))
        for job_id in nightly:
            self.assertEqual(self.service.request("GET", f"/jobs/{job_id}").status, 404)
        self.assertFalse(self.service.get_json(f"/jobs/{other}").body["is_active"])

    def test_a_dry_run_counts_what_would_change_and_changes_nothing(self):
        active = self.create_job(every="1h")
        paused = self.create_job(every="1h", is_active=False)

        dry = self.bulk(action="pause", ids=[active["id"], paused["id"], 424242], dry_run=True)
        dry_delete = self.service.post_json("/jobs/bulk?dry_run=true", {"action": "delete", "filter": {}})

        self.assertEqual(outcome(dry), (3, 1, 1, [424242]))
        self.assertEqual(outcome(dry_delete), (2, 2, 0, []))
        after = self.service.get_json(f"/jobs/{active['id']}").body
        self.assertEqual((after["is_active"], after["version"]), (True, active["version"]))
        self.assertEqual(len(list_all_jobs(self.service)), 2)

    def test_bad_requests_are_refused_naming_the_field(self):
        job_id = self.create_job()["id"]
        cases = [({"ids": [job_id]}, "action"),
                 ({"action": "explode", "ids": [job_id]}, "action"),
                 ({"action": "pause"}, "ids"),
                 ({"action": "pause", "ids": [job_id], "filter": {}}, "ids"),
                 ({"action": "pause", "ids": []}, "ids"),
                 ({"action": "pause", "ids": ["7"]}, "ids"),
                 ({"action": "pause", "ids": [0]}, "ids"),
                 ({"action": "pause", "ids": list(range(1, 10002))}, "ids"),
                 ({"action": "pause", "ids": [job_id], "force": True}, "force"),
                 ({"action": "pause", "ids": [job_id], "dry_run": "yes"}, "dry_run"),
                 ({"action": "pause", "filter": []}, "filter"),
                 ({"action": "pause", "filter": {"type": "telepathy"}}, "filter.type"),
                 ({"action": "pause", "filter": {"last_outcome": "great"}}, "filter.last_outcome"),
                 ({"action": "pause", "filter": {"namespace": "Not Valid"}}, "filter.namespace"),
                 ({"action": "pause", "filter": {"is_active": "true"}}, "filter.is_active"),
                 ({"action": "pause", "filter": {"q": "x" * 201}}, "filter.q"),
                 ({"action": "pause", "filter": {"sort": "name"}}, "filter.sort")]

        for body, field in cases:
            with self.subTest(field=field, body=str(body)[:80]):
                self.assertProblem(self.bulk(**body), 400, field)
        self.assertTrue(self.service.get_json(f"/jobs/{job_id}").body["is_active"])

    def test_a_filter_matching_more_than_one_batch_changes_every_job_and_says_so_on_the_event_stream(self):
        count = 620
        def create(indexes):
            client = self.service.client()
            try:
                return [client.post_json("/jobs", {"name": f"many-{index:04d}", "every": "1h"}) for index in indexes]
            finally:
                client.close()

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            created = [response for part in pool.map(create, [range(start, count, 8) for start in range(8)])
                       for response in part]
        self.assertTrue(all(response.status == 201 for response in created))
        other = self.create_job(name="left alone", every="1h")["id"]
        stream = EventStream(self.service.port)
        self.addCleanup(stream.close)

        response = self.bulk(action="pause", filter={"name": "many-"})

        self.assertEqual(outcome(response), (count, count, 0, []))
        self.assertEqual(len(list_all_jobs(self.service, "/jobs?limit=1000&is_active=false")), count)
        self.assertTrue(self.service.get_json(f"/jobs/{other}").body["is_active"])
        last = max(job.body["id"] for job in created)
        stream.wait_for(lambda event: event["data"].get("type") == "job.updated" and event["data"]["job_id"] == last,
                        description="job.updated of the last job")


class RunsBulkTest(ServiceTestCase):
    # No executor: the runs stay queued until cancelled.
    service_args = ("--roles", "api,scheduler")

    def test_cancels_queued_runs_of_a_filter_and_counts_ended_ones_as_unchanged(self):
        job = self.create_job(every="1h", is_active=False, overlap="allow")
        other = self.create_job(every="1h", is_active=False, overlap="allow")
        runs = [self.service.post_json(f"/jobs/{job['id']}/trigger", {}).body for _ in range(2)]
        kept = self.service.post_json(f"/jobs/{other['id']}/trigger", {}).body

        first = self.service.post_json("/runs/bulk", {"action": "cancel", "filter": {"job_id": job["id"]}})
        again = self.service.post_json("/runs/bulk", {"action": "cancel", "ids": [run["id"] for run in runs]})

        self.assertEqual(first.status, 200, first.body)
        self.assertEqual(outcome(first), (2, 2, 0, []))
        self.assertEqual(outcome(again), (2, 0, 2, []))
        for run in runs:
            self.assertEqual(self.service.get_json(f"/runs/{run['id']}").body["state"], "cancelled")
        self.assertEqual(self.service.get_json(f"/runs/{kept['id']}").body["state"], "queued")

    def test_a_dry_run_changes_nothing_and_bad_filters_name_the_field(self):
        job = self.create_job(every="1h", is_active=False, overlap="allow")
        run = self.service.post_json(f"/jobs/{job['id']}/trigger", {}).body

        dry = self.service.post_json("/runs/bulk", {"action": "cancel", "ids": [run["id"], 777777], "dry_run": True})

        self.assertEqual(outcome(dry), (2, 1, 0, [777777]))
        self.assertEqual(self.service.get_json(f"/runs/{run['id']}").body["state"], "queued")
        for body, field in [({"action": "pause", "ids": [1]}, "action"),
                            ({"action": "cancel", "filter": {"state": "asleep"}}, "filter.state"),
                            ({"action": "cancel", "filter": {"job_id": "7"}}, "filter.job_id"),
                            ({"action": "cancel", "filter": {"trigger": "cron"}}, "filter.trigger"),
                            ({"action": "cancel", "filter": {"scheduled_from": "yesterday"}}, "filter.scheduled_from"),
                            ({"action": "cancel", "filter": {"name": "x"}}, "filter.name")]:
            with self.subTest(field=field):
                self.assertProblem(self.service.post_json("/runs/bulk", body), 400, field)


class BulkCancelRunningTest(OverlapTestCase):

    def test_a_running_run_is_asked_to_stop_and_ends_cancelled(self):
        job = self.slow_job("skip", delay_s=30.0, every="1h")
        self.assertEqual(self.trigger(job["id"]).status, 202)
        run = self.running_run(job["id"])
        self.endpoint.wait_for_requests(1, "/slow", timeout_s=5.0)

        response = self.service.post_json("/runs/bulk", {"action": "cancel", "filter": {"state": "running"}})

        self.assertEqual(outcome(response), (1, 1, 0, []))
        ended = wait_until(lambda: (lambda r: r if r["state"] in TERMINAL_RUN_STATES else None)(
            self.service.get_json(f"/runs/{run['id']}").body), 3.0, "the cancelled run to end")
        self.assertEqual(ended["state"], "cancelled", ended)


class BulkNamespacesTest(KeyedServiceTestCase):

    def test_a_namespaced_key_changes_its_own_jobs_only_and_never_learns_of_the_others(self):
        own = self.create("writer-a", every="1h")["id"]
        theirs = self.create("writer-b", every="1h")["id"]
        writer = self.as_key("writer-a")

        by_ids = writer.request("POST", "/jobs/bulk", body={"action": "pause", "ids": [own, theirs]})
        by_filter = writer.request("POST", "/jobs/bulk", body={"action": "delete", "filter": {"namespace": "team-b"}})
        everything = writer.request("POST", "/jobs/bulk", body={"action": "trigger", "filter": {}})
        reader = self.as_key("reader-a").request("POST", "/jobs/bulk", body={"action": "pause", "ids": [own]})

        self.assertEqual(outcome(by_ids), (2, 1, 0, [theirs]))
        self.assertEqual(by_ids.body["failed"][0]["detail"], f"job {theirs} does not exist")
        self.assertEqual(outcome(by_filter), (0, 0, 0, []))
        self.assertEqual(outcome(everything), (1, 1, 0, []))
        self.assertEqual(reader.status, 403)
        root = self.as_key("root")
        self.assertTrue(root.request("GET", f"/jobs/{theirs}").body["is_active"])
        self.assertFalse(root.request("GET", f"/jobs/{own}").body["is_active"])

    def test_runs_of_another_namespace_are_not_found(self):
        theirs = self.create("writer-b", every="1h", overlap="allow")["id"]
        run = self.as_key("writer-b").request("POST", f"/jobs/{theirs}/trigger").body

        response = self.as_key("writer-a").request("POST", "/runs/bulk", body={"action": "cancel", "ids": [run["id"]]})
        by_filter = self.as_key("writer-a").request("POST", "/runs/bulk",
                                                     body={"action": "cancel", "filter": {"job_id": theirs}})

        self.assertEqual(outcome(response), (1, 0, 0, [run["id"]]))
        self.assertEqual(response.body["failed"][0]["detail"], f"run {run['id']} does not exist")
        self.assertEqual(outcome(by_filter), (0, 0, 0, []))


if __name__ == "__main__":
    unittest.main()

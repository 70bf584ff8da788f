"""Pause with a reason, until an instant (POST /jobs/{id}/pause with reason and until), through the real
binary: the job shows both while paused and resumes by itself at `until`, without the occurrences inside."""

import datetime
import json
import time
import unittest

from event_stream import EventStream
from harness import ServiceTestCase, rfc3339_ms, wait_until


def utc_in(seconds):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class PauseUntilTest(ServiceTestCase):

    def pause(self, job_id, body=None, headers=None):
        if body is None:
            return self.service.request("POST", f"/jobs/{job_id}/pause", None, headers)
        return self.service.request("POST", f"/jobs/{job_id}/pause", json.dumps(body),
                                    {"Content-Type": "application/json", **(headers or {})})

    def test_a_job_paused_for_a_few_seconds_resumes_by_itself_without_the_occurrences_inside(self):
        stream = EventStream(self.service.port)
        self.addCleanup(stream.close)
        job = self.create_job(every="1s", task={"type": "noop"})
        # A lead that a slow request cannot eat up: `until` must still be in the future when it arrives.
        until = utc_in(5)

        paused = self.pause(job["id"], {"reason": "deploy of the billing API", "until": until})

        self.assertEqual(paused.status, 200, paused.body)
        self.assertFalse(paused.body["is_active"])
        self.assertEqual(paused.body["paused_reason"], "deploy of the billing API")
        self.assertEqual(rfc3339_ms(paused.body["paused_until"]), rfc3339_ms(until))
        self.assertIsNotNone(paused.body["paused_at"])
        self.assertIsNone(paused.body["next_run"])
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body, paused.body)
        pause_event = stream.wait_for(
            lambda event: event.get("event") == "job.updated" and event["data"]["job_id"] == job["id"],
            description="the pause's job.updated")
        stream.drain()

        resumed = wait_until(lambda: (lambda body: body if body["is_active"] else None)(
            self.service.get_json(f"/jobs/{job['id']}").body), 15, "the automatic resume")
        # Another job.updated than the pause's (wait_for also looks at the events already read).
        stream.wait_for(lambda event: event is not pause_event and event.get("event") == "job.updated"
                        and event["data"]["job_id"] == job["id"], description="the resume's job.updated")

        self.assertIsNone(resumed["paused_reason"])
        self.assertIsNone(resumed["paused_at"])
        self.assertIsNone(resumed["paused_until"])
        self.assertEqual(resumed["version"], paused.body["version"] + 1)
        self.assertGreaterEqual(rfc3339_ms(resumed["updated_at"]), rfc3339_ms(until))
        # It fires again after the pause, and no run is of an occurrence inside it.
        wait_until(lambda: [run for run in self.service.get_json(f"/jobs/{job['id']}/runs").body
                            if rfc3339_ms(run["scheduled_for"]) > rfc3339_ms(until)], 15, "a run after the pause")
        paused_at = rfc3339_ms(paused.body["paused_at"])
        for run in self.service.get_json(f"/jobs/{job['id']}/runs").body:
            scheduled = rfc3339_ms(run["scheduled_for"])
            self.assertFalse(paused_at < scheduled <= rfc3339_ms(until), run)
        # Logged after the commit, and read from the service's output by another thread.
        wait_until(lambda: "resumed: its pause ended" in self.service.log_text(), 10, "the resume's log line")

    def test_until_as_a_duration_counts_from_now_and_a_new_pause_replaces_reason_and_until(self):
        job = self.create_job(every="1h")
        before = int(time.time() * 1000)

        first = self.pause(job["id"], {"reason": "upstream down", "until": "2h"})
        second = self.pause(job["id"], {"reason": "still down", "until": "3h"}, {"If-Match": first.headers["etag"]})
        same = self.pause(job["id"], {"reason": "still down", "until": second.body["paused_until"]})

        self.assertEqual(first.status, 200, first.body)
        until = rfc3339_ms(first.body["paused_until"])
        self.assertTrue(before + 2 * 3600_000 <= until <= int(time.time() * 1000) + 2 * 3600_000, first.body)
        self.assertEqual(second.status, 200, second.body)
        self.assertEqual(second.body["paused_reason"], "still down")
        self.assertEqual(second.body["paused_at"], first.body["paused_at"])
        self.assertEqual(second.body["version"], first.body["version"] + 1)
        self.assertNotEqual(second.headers["etag"], first.headers["etag"])
        self.assertEqual(same.status, 200, same.body)
        self.assertEqual(same.body["version"], second.body["version"], "the same pause again changes nothing")

    def test_resume_and_patch_clear_the_pause(self):
        job = self.create_job(every="1h")
        self.pause(job["id"], {"reason": "r", "until": "1d"})
        resumed = self.service.request("POST", f"/jobs/{job['id']}/resume")
        self.assertEqual(resumed.status, 200, resumed.body)
        self.assertEqual([resumed.body[k] for k in ("paused_reason", "paused_at", "paused_until")], [None] * 3)

        self.pause(job["id"], {"reason": "again", "until": "1d"})
        patched = self.service.request("PATCH", f"/jobs/{job['id']}", json.dumps({"is_active": True}),
                                       {"Content-Type": "application/merge-patch+json"})
        self.assertEqual(patched.status, 200, patched.body)
        self.assertTrue(patched.body["is_active"])
        self.assertEqual([patched.body[k] for k in ("paused_reason", "paused_at", "paused_until")], [None] * 3)

        # A client writing back what it read (pause fields included) changes nothing it should not.
        echoed = dict(self.pause(job["id"], {"reason": "echo", "until": "1d"}).body)
        for key in ("id", "namespace", "created_at", "updated_at", "version", "interval"):
            echoed.pop(key, None)
        written = self.service.request("PATCH", f"/jobs/{job['id']}", json.dumps(echoed),
                                       {"Content-Type": "application/merge-patch+json"})
        self.assertEqual(written.status, 200, written.body)
        self.assertEqual(written.body["paused_reason"], "echo")

    def test_bad_reason_or_until_is_a_400_naming_it_and_changes_nothing(self):
        job = self.create_job(every="1h")

        self.assertProblem(self.pause(job["id"], {"reason": "x" * 501}), 400, "reason")
        self.assertProblem(self.pause(job["id"], {"reason": "two\nlines"}), 400, "reason")
        self.assertProblem(self.pause(job["id"], {"until": "2020-01-01T00:00:00Z"}), 400, "until")
        self.assertProblem(self.pause(job["id"], {"until": "soon"}), 400, "until")
        self.assertProblem(self.pause(job["id"], {"until": "400d"}), 400, "until")
        self.assertProblem(self.pause(job["id"], {"until": 3600}), 400, "until")
        self.assertProblem(self.pause(job["id"], {"untill": "2h"}), 400, "untill")
        form = self.service.request("POST", f"/jobs/{job['id']}/pause", "reason=x",
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertProblem(form, 415, "Content-Type")

        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body, job)

    def test_a_dry_run_shows_the_pause_and_writes_nothing(self):
        job = self.create_job(every="1h")
        preview = self.service.request("POST", f"/jobs/{job['id']}/pause?dry_run=true",
                                       json.dumps({"reason": "maybe", "until": "1h"}),
                                       {"Content-Type": "application/json"})
        self.assertEqual(preview.status, 200, preview.body)
        self.assertEqual(preview.body["job"]["paused_reason"], "maybe")
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body, job)


if __name__ == "__main__":
    unittest.main()

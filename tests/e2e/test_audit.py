"""The audit log through the real binary (issue #18, docs/decisions/0015-audit-log.md): every
change to a job and to an API key, read back from GET /jobs/{id}/history and GET /audit, with
who made it, from where, the request id and the job before and after (secrets REDACTED).
Every answer is checked against docs/openapi.yaml.
"""

import unittest
import urllib.parse

from cli_testing import Cli, check_schema
from harness import ServiceTestCase, next_link, wait_until
from test_auth import KeyedServiceTestCase, another_job

SECRET = "Bearer audit-secret-never-shown"
HOOK = {"type": "http", "url": "https://hooks.example.com/audit",
        "headers": {"Authorization": SECRET}, "signing_secret": "signing-secret-never-shown"}


def history(client, job_id, query=""):
    """Every entry of the job's history, newest first, following the Link header."""
    entries = []
    path = f"/jobs/{job_id}/history?limit=2{query}"
    while path:
        response = client.request("GET", path)
        assert response.status == 200, (response.status, response.body)
        entries.extend(response.body)
        path = next_link(response.headers)
    return entries


class JobHistoryTest(KeyedServiceTestCase):
    keys = {"root": ("admin", "ops", None), "writer-a": ("write", "team-a", None),
            "reader-a": ("read", "team-a", None), "writer-b": ("write", "team-b", None)}

    def test_every_change_to_a_job_is_in_its_history_with_who_where_and_which_request(self):
        writer = self.as_key("writer-a")
        created = writer.request("POST", "/jobs", body=another_job(task=HOOK),
                                 headers={"X-Request-Id": "create-4711"})
        self.assertEqual(created.status, 201, created.body)
        job_id = created.body["id"]
        steps = [("PATCH", f"/jobs/{job_id}", {"name": "renamed report"}, 200),
                 ("POST", f"/jobs/{job_id}/pause", {"reason": "maintenance"}, 200),
                 ("POST", f"/jobs/{job_id}/resume", None, 200),
                 ("POST", f"/jobs/{job_id}/trigger", None, 202),
                 ("POST", f"/jobs/{job_id}/backfill", {"from": "2026-10-24T22:00:00Z", "to": "2026-10-25T01:00:00Z"},
                  202),
                 ("DELETE", f"/jobs/{job_id}", None, 204)]
        for method, path, body, status in steps:
            answer = writer.request(method, path, body=body)
            self.assertEqual(answer.status, status, (method, path, answer.body))

        entries = history(self.as_key("reader-a"), job_id)

        self.assertEqual([entry["action"] for entry in entries],
                         ["job.deleted", "job.backfilled", "job.run_now", "job.resumed", "job.paused", "job.updated",
                          "job.created"])
        for entry in entries:
            self.assertEqual((entry["actor"], entry["source"], entry["target_kind"], entry["target_id"],
                              entry["namespace"]), ("writer-a", "127.0.0.1", "job", job_id, "team-a"))
            self.assertIsInstance(entry["actor_key_id"], int)
            self.assertTrue(entry["request_id"])
        creation = entries[-1]
        self.assertEqual(creation["request_id"], "create-4711")
        self.assertIsNone(creation["before"])
        self.assertEqual(creation["after"], created.body)  # the job as the API showed it
        self.assertEqual(entries[-2]["before"]["name"], created.body["name"])
        self.assertEqual(entries[-2]["after"]["name"], "renamed report")
        self.assertEqual((entries[-3]["after"]["is_active"], entries[-3]["after"]["paused_reason"]),
                         (False, "maintenance"))
        self.assertTrue(entries[-4]["after"]["is_active"])
        self.assertIsInstance(entries[2]["after"]["run_id"], int)
        self.assertEqual(entries[1]["after"], {"from": "2026-10-24T22:00:00Z", "to": "2026-10-25T01:00:00Z",
                                               "created": 3, "existing": 0})
        self.assertEqual(entries[0]["before"]["name"], "renamed report")
        self.assertIsNone(entries[0]["after"])
        self.assertEqual(creation["after"]["task"]["headers"]["Authorization"], "REDACTED")
        self.assertNotIn("never-shown", str(entries))
        self.assertEqual(len({entry["request_id"] for entry in entries}), len(entries), "one request each")

    def test_the_request_id_sent_is_the_one_recorded(self):
        job = self.as_key("writer-a").request("POST", "/jobs", body=another_job()).body

        paused = self.as_key("writer-a").request("POST", f"/jobs/{job['id']}/pause",
                                                 headers={"X-Request-Id": "pause-from-ci-42"})

        self.assertEqual(paused.status, 200, paused.body)
        self.assertEqual(paused.headers["x-request-id"], "pause-from-ci-42")
        newest = self.as_key("writer-a").request("GET", f"/jobs/{job['id']}/history?limit=1").body[0]
        self.assertEqual((newest["action"], newest["request_id"]), ("job.paused", "pause-from-ci-42"))

    def test_a_refused_change_is_not_recorded(self):
        writer = self.as_key("writer-a")
        job = writer.request("POST", "/jobs", body=another_job()).body

        stale = writer.request("PATCH", f"/jobs/{job['id']}", body={"name": "x"}, headers={"If-Match": '"999"'})
        bad = writer.request("PATCH", f"/jobs/{job['id']}", body={"every": "soon"})
        dry = writer.request("PATCH", f"/jobs/{job['id']}?dry_run=true", body={"name": "dry"})

        self.assertProblem(stale, 412)
        self.assertProblem(bad, 400, "every")
        self.assertEqual(dry.status, 200, dry.body)
        self.assertEqual([entry["action"] for entry in history(writer, job["id"])], ["job.created"])

    def test_history_is_read_as_the_job_is_and_outlives_the_job(self):
        job = self.as_key("writer-a").request("POST", "/jobs", body=another_job()).body
        self.assertEqual(self.as_key("writer-a").request("DELETE", f"/jobs/{job['id']}").status, 204)

        own = self.as_key("reader-a").request("GET", f"/jobs/{job['id']}/history")
        other = self.as_key("writer-b").request("GET", f"/jobs/{job['id']}/history")
        admin = self.as_key("root").request("GET", f"/jobs/{job['id']}/history")
        never = self.as_key("root").request("GET", "/jobs/987654/history")
        live_other = self.as_key("writer-b").request(
            "GET", f"/jobs/{self.as_key('writer-a').request('POST', '/jobs', body=another_job()).body['id']}/history")

        self.assertEqual(own.status, 200, own.body)
        self.assertEqual([entry["action"] for entry in own.body], ["job.deleted", "job.created"])
        self.assertProblem(other, 404)
        self.assertEqual(len(admin.body), 2)
        self.assertProblem(never, 404)
        self.assertProblem(live_other, 404)

    def test_a_bulk_change_records_one_entry_per_job_it_changed(self):
        writer = self.as_key("writer-a")
        ids = [writer.request("POST", "/jobs", body=another_job()).body["id"] for _ in range(3)]
        writer.request("POST", f"/jobs/{ids[0]}/pause")

        bulk = writer.request("POST", "/jobs/bulk", body={"action": "pause", "ids": ids},
                              headers={"X-Request-Id": "bulk-pause-1"})

        self.assertEqual(bulk.status, 200, bulk.body)
        entries = self.as_key("root").request(
            "GET", "/audit?action=job.paused&actor=writer-a").body
        bulk_entries = [entry for entry in entries if entry["request_id"] == "bulk-pause-1"]
        self.assertEqual(sorted(entry["target_id"] for entry in bulk_entries), ids[1:])
        self.assertEqual(len(entries), 3)  # the single pause, then the two the bulk changed


class AuditLogTest(KeyedServiceTestCase):
    keys = {"root": ("admin", "ops", None), "writer-a": ("write", "team-a", None),
            "reader-a": ("read", "team-a", None)}

    def test_only_admin_keys_read_the_whole_log(self):
        for name in ("reader-a", "writer-a"):
            self.assertProblem(self.as_key(name).request("GET", "/audit"), 403)
        self.assertProblem(self.as_key(None).request("GET", "/audit"), 401)
        self.assertEqual(self.as_key("root").request("GET", "/audit").status, 200)

    def test_key_creation_and_revocation_are_recorded_without_the_token(self):
        root = self.as_key("root")
        created = root.request("POST", "/keys", body={"name": "dashboard", "role": "read", "namespace": "team-a"},
                               headers={"X-Request-Id": "key-create-1"})
        self.assertEqual(created.status, 201, created.body)
        self.assertEqual(root.request("DELETE", "/keys/dashboard").status, 200)

        entries = root.request("GET", "/audit?actor=root").body

        self.assertEqual([entry["action"] for entry in entries], ["key.revoked", "key.created"])
        revoked, made = entries
        self.assertEqual((made["target_kind"], made["namespace"], made["request_id"]), ("key", "team-a", "key-create-1"))
        self.assertEqual(made["after"]["name"], "dashboard")
        self.assertIsNone(made["before"])
        self.assertIsNone(revoked["before"]["revoked_at"])
        self.assertIsNotNone(revoked["after"]["revoked_at"])
        self.assertNotIn(created.body["token"][4:], str(entries))

    def test_keys_made_with_the_keys_command_are_recorded_as_local(self):
        self.service.revoke_key("reader-a")  # `jobsched keys revoke`, beside the running service

        made = self.as_key("root").request("GET", "/audit?action=key.created&actor=local").body
        revoked = self.as_key("root").request("GET", "/audit?action=key.revoked").body

        self.assertEqual(sorted(entry["after"]["name"] for entry in made), ["reader-a", "root", "writer-a"])
        self.assertEqual([(entry["actor"], entry["actor_key_id"], entry["source"]) for entry in made],
                         [("local", None, "")] * 3)
        self.assertEqual([(entry["actor"], entry["before"]["name"]) for entry in revoked], [("local", "reader-a")])

    def test_filters_and_pages_keep_their_filters(self):
        writer = self.as_key("writer-a")
        ids = [writer.request("POST", "/jobs", body=another_job()).body["id"] for _ in range(3)]
        writer.request("PATCH", f"/jobs/{ids[0]}", body={"every": "2h"})
        root = self.as_key("root")

        first = root.request("GET", "/audit?action=job.created&namespace=team-a&limit=2")
        link = next_link(first.headers)
        rest = root.request("GET", link)
        by_target = root.request("GET", f"/audit?target={ids[0]}").body
        since = urllib.parse.quote(first.body[0]["at"])
        later = root.request("GET", f"/audit?since={since}").body

        self.assertEqual([entry["target_id"] for entry in first.body], [ids[2], ids[1]])
        self.assertIn("action=job.created", link)
        self.assertIn("namespace=team-a", link)
        self.assertEqual([entry["target_id"] for entry in rest.body], [ids[0]])
        self.assertIsNone(next_link(rest.headers))
        self.assertEqual([entry["action"] for entry in by_target], ["job.updated", "job.created"])
        self.assertTrue(all(entry["at"] >= first.body[0]["at"] for entry in later))
        self.assertIn("job.updated", [entry["action"] for entry in later])

    def test_bad_filters_are_refused_naming_the_parameter(self):
        root = self.as_key("root")
        cases = [("action=job.exploded", "action"), ("target=abc", "target"), ("since=yesterday", "since"),
                 ("since=2026-12-07T10:00:00Z&until=2026-12-07T09:00:00Z", "until"), ("limit=0", "limit")]

        for query, field in cases:
            self.assertProblem(root.request("GET", f"/audit?{query}"), 400, field)


class CliHistoryTest(ServiceTestCase):
    """`jobsched job history JOB` reads GET /jobs/{id}/history, also once the job is deleted."""

    def test_job_history_lists_the_changes_newest_first(self):
        cli = Cli(f"http://127.0.0.1:{self.service.port}")
        self.addCleanup(cli.close)
        job = self.create_job(name="audited")
        self.service.post_json(f"/jobs/{job['id']}/pause", {"reason": "deploy"})
        self.assertEqual(self.service.request("DELETE", f"/jobs/{job['id']}").status, 204)

        table = cli.ok("job", "history", str(job["id"])).stdout.splitlines()
        entries = cli.json("job", "history", str(job["id"]), "--all", "--limit", "1")
        missing = cli.run("job", "history", "987654")

        self.assertEqual(table[0].split(), ["ID", "WHEN", "ACTION", "ACTOR", "SOURCE", "REQUEST"])
        actions = [next(word for word in line.split() if word.startswith("job.")) for line in table[1:]]
        self.assertEqual(actions, ["job.deleted", "job.paused", "job.created"])
        self.assertTrue(all(" local " in line for line in table[1:]), table)
        self.assertEqual([entry["action"] for entry in entries], ["job.deleted", "job.paused", "job.created"])
        for entry in entries:
            check_schema("AuditEntry", entry, "a history entry")
        self.assertEqual(missing.returncode, 2, missing.stderr)


class OpenModeAuditTest(ServiceTestCase):
    """Without authentication the actor is `local`, with no key id."""

    def test_changes_are_recorded_as_local(self):
        job = self.create_job()

        entries = self.service.get_json(f"/jobs/{job['id']}/history").body
        log = self.service.get_json("/audit").body

        self.assertEqual([(entry["action"], entry["actor"], entry["actor_key_id"]) for entry in entries],
                         [("job.created", "local", None)])
        self.assertEqual(log, entries)

    def test_a_pause_that_ends_by_itself_is_recorded_as_the_schedulers_resume(self):
        job = self.create_job(every="1h")
        paused = self.service.post_json(f"/jobs/{job['id']}/pause", {"reason": "brief", "until": "2s"})
        self.assertEqual(paused.status, 200, paused.body)

        def resumed():
            entries = self.service.get_json(f"/jobs/{job['id']}/history").body
            return entries if entries[0]["action"] == "job.resumed" else None

        # The scheduler wakes at the pause's end; generous for a loaded machine.
        entries = wait_until(resumed, 60, "the scheduler's resume in the job's history")
        self.assertEqual([(entry["action"], entry["actor"]) for entry in entries],
                         [("job.resumed", "scheduler"), ("job.paused", "local"), ("job.created", "local")])
        self.assertEqual((entries[0]["actor_key_id"], entries[0]["source"], entries[0]["request_id"]), (None, "", ""))
        self.assertFalse(entries[0]["before"]["is_active"])
        self.assertTrue(entries[0]["after"]["is_active"])


if __name__ == "__main__":
    unittest.main()

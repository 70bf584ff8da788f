"""End-to-end smoke tests of cluster mode's store: the real binary on a throwaway PostgreSQL.

Each test gets a database of its own on the test run's server (see pg_server.py) and starts
`jobsched serve --db postgresql://...` on it: jobs are created, read back, fired and run.
"""

import concurrent.futures
import re
import subprocess
import time
import unittest

from event_stream import EventStream
from harness import Service, ServiceTestCase, binary_path, list_all_runs, wait_for_finished_runs, wait_until
from pg_server import PgServer


class PostgresTestCase(ServiceTestCase):
    """A ServiceTestCase whose service runs on a fresh PostgreSQL database."""

    @classmethod
    def setUpClass(cls):
        cls.pg = PgServer()

    @classmethod
    def tearDownClass(cls):
        cls.pg.close()

    def setUp(self):
        self.database, self.db_url = self.pg.create_database()
        self.addCleanup(self.pg.drop_database, self.database)  # runs after the service is closed
        self.service = self.start_node()

    def start_node(self):
        service = Service(extra_args=self.service_args, db_url=self.db_url)
        self.addCleanup(service.close)
        service.start()
        return service


class PostgresStoreTest(PostgresTestCase):

    def test_serves_from_the_postgresql_database(self):
        self.assertRegex(self.service.log_text(), r"database: postgresql jobsched@127\.0\.0\.1:\d+/" + self.database)
        self.assertNotIn("sqlite", self.service.log_text())
        self.assertEqual(self.pg.psql("SELECT count(*) FROM jobs", self.database), "0")

    def test_a_created_job_is_read_back(self):
        created = self.service.post_json("/jobs", {"name": "nightly report", "cron": "0 3 * * *",
                                                   "timezone": "Europe/Berlin", "task": {"type": "noop"}})
        self.assertEqual(created.status, 201, created.body)
        job = created.body

        status, _, read = self.service.request("GET", f"/jobs/{job['id']}")

        self.assertEqual(status, 200, read)
        self.assertEqual(read, job)
        self.assertEqual(self.pg.psql(f"SELECT name FROM jobs WHERE id = {job['id']}", self.database),
                         "nightly report")

    def test_an_every_second_noop_job_runs_and_succeeds(self):
        job = self.create_job(name="tick", every="1s", task={"type": "noop"})

        run = wait_for_finished_runs(self.service, job["id"], 1, 5.0)[0]

        self.assertEqual(run["state"], "succeeded", run)
        self.assertIsNone(run["error"], run)
        self.assertEqual(run["trigger"], "schedule")
        status, _, stored = self.service.request("GET", f"/runs/{run['id']}")
        self.assertEqual(status, 200)
        self.assertEqual(stored["state"], "succeeded")

    def test_jobs_survive_a_restart(self):
        job = self.create_job(name="kept")

        self.service.restart()

        status, _, read = self.service.request("GET", f"/jobs/{job['id']}")
        self.assertEqual(status, 200, read)
        self.assertEqual(read["name"], "kept")

    def test_migrate_brings_a_database_to_the_schema_version(self):
        name, url = self.pg.create_database()
        self.addCleanup(self.pg.drop_database, name)

        done = subprocess.run([binary_path(), "migrate", "--db", url], capture_output=True, text=True, timeout=30)

        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        match = re.search(r"is at schema version (\d+)", done.stdout + done.stderr)
        self.assertIsNotNone(match, done.stdout + done.stderr)
        self.assertEqual(self.pg.psql("SELECT max(version) FROM schema_migrations", name), match.group(1))


class TwoNodesTest(PostgresTestCase):
    """Two processes on one database: what cluster mode is made of."""

    def test_nodes_share_jobs_and_fire_each_occurrence_once(self):
        other = self.start_node()
        job = self.create_job(name="shared", every="1s", task={"type": "noop"}, overlap="allow")

        status, _, seen = other.request("GET", f"/jobs/{job['id']}")
        self.assertEqual(status, 200, seen)
        runs = wait_for_finished_runs(other, job["id"], 4, 8.0)

        self.assertTrue(all(run["state"] == "succeeded" for run in runs), runs)
        occurrences = [run["scheduled_for"] for run in list_all_runs(self.service, job["id"])]
        self.assertEqual(len(occurrences), len(set(occurrences)), occurrences)

    def test_a_job_created_on_a_node_that_stops_is_fired_on_time_by_the_other(self):
        other = self.start_node()
        # The other node has nothing scheduled: once its scheduler has looked
        # (just after start), it naps 30 s unless PostgreSQL's NOTIFY wakes it.
        time.sleep(1.0)
        job = self.create_job(name="handed over", every="2s", task={"type": "noop"})
        self.assertEqual(self.service.stop(), 0)

        run = wait_for_finished_runs(other, job["id"], 1, 6.0)[0]

        self.assertEqual(run["state"], "succeeded", run)
        self.assertEqual(run["scheduled_for"], job["next_run"])


class ApiKeysOnPostgresTest(PostgresTestCase):
    """API keys live in the shared database: made with `jobsched keys` on it, known to every node."""

    service_args = ("--key-refresh-interval", "200ms")

    def test_keys_namespaces_and_revocation_across_two_nodes(self):
        writer_a = self.service.create_key("writer-a", "write", namespace="team-a")
        writer_b = self.service.create_key("writer-b", "write", namespace="team-b")
        # The running node learns of the first keys at its next refresh; the new one at start.
        wait_until(lambda: self.service.get_json("/jobs").status == 401, 5.0, "authentication to turn on")
        other = self.start_node()
        a = self.service.client(writer_a)
        b = other.client(writer_b)
        b_on_first = self.service.client(writer_b)
        for client in (a, b, b_on_first):
            self.addCleanup(client.close)

        created = a.request("POST", "/jobs", body={"name": "team a only", "every": "1h"})
        self.assertEqual(created.status, 201, created.body)
        self.assertEqual(created.body["namespace"], "team-a")
        self.assertEqual(self.pg.psql(f"SELECT namespace FROM jobs WHERE id = {created.body['id']}", self.database),
                         "team-a")
        self.assertEqual(b.request("GET", f"/jobs/{created.body['id']}").status, 404)
        self.assertEqual(b.request("GET", "/jobs").body, [])
        self.assertEqual(other.get_json("/jobs").status, 401)
        self.assertEqual([row["name"] for row in self.service.list_keys()], ["writer-a", "writer-b"])

        self.service.revoke_key("writer-b")
        wait_until(lambda: b.request("GET", "/jobs").status == 401, 5.0, "the other node to refuse the revoked key")
        wait_until(lambda: b_on_first.request("GET", "/jobs").status == 401, 5.0, "this node to refuse it too")
        self.assertEqual(a.request("GET", "/jobs").status, 200)



class ConsoleOnPostgresTest(PostgresTestCase):
    """Console sessions and the admin endpoints in cluster mode (docs/decisions/0008): any node
    accepts a session another node made, and a sign-out through one node counts on the others
    within their few seconds of session cache."""

    service_args = ("--key-refresh-interval", "200ms", "--lease-timeout", "1s")

    def browser(self, node, method, path, cookie, csrf=None):
        headers = {"Cookie": f"jobsched_session={cookie}", "Origin": f"http://127.0.0.1:{node.port}"}
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        return node.request(method, path, headers=headers)

    def test_a_session_made_through_one_node_works_on_another_until_signed_out(self):
        token = self.service.create_key("console", "write", namespace="team-a")
        other = self.start_node()
        # The running node knows the key from its next refresh on.
        signed_in = wait_until(lambda: (lambda r: r if r.status == 201 else None)(
            self.service.post_json("/sessions", {"token": token})), 5.0, "the new key to sign in")
        cookie = signed_in.headers["set-cookie"].split(";")[0].split("=", 1)[1]

        on_other = self.browser(other, "GET", "/session", cookie)
        signed_out = self.browser(self.service, "DELETE", "/session", cookie, csrf=signed_in.body["csrf_token"])

        self.assertEqual(on_other.status, 200, on_other.body)
        self.assertEqual(on_other.body, signed_in.body)
        self.assertEqual(signed_out.status, 204, signed_out.body)
        self.assertEqual(self.browser(self.service, "GET", "/jobs", cookie).status, 401)
        wait_until(lambda: self.browser(other, "GET", "/jobs", cookie).status == 401, 10.0,
                   "the other node to refuse the ended session")
        self.assertEqual(self.pg.psql("SELECT count(*) FROM sessions", self.database), "0")

    def test_nodes_lists_both_nodes_and_about_says_postgresql(self):
        self.start_node()

        nodes = wait_until(lambda: (lambda r: r.body if len(r.body) == 2 else None)(self.service.get_json("/nodes")),
                           10.0, "both nodes to heartbeat")
        about = self.service.get_json("/about")

        self.assertEqual(len({node["id"] for node in nodes}), 2)
        self.assertEqual(about.body["database"], "postgresql")
        self.assertTrue(about.body["settings"]["db"].startswith("postgresql://"), about.body["settings"]["db"])


class BulkOnPostgresTest(PostgresTestCase):

    def test_a_bulk_pause_of_more_than_one_batch_is_heard_on_another_node(self):
        count = 510
        other = self.start_node()
        stream = EventStream(other.port)
        self.addCleanup(stream.close)

        def create(indexes):
            client = self.service.client()
            try:
                return [client.post_json("/jobs", {"name": f"bulk-{index:04d}", "every": "1h"}).body["id"]
                        for index in indexes]
            finally:
                client.close()

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            ids = [job_id for part in pool.map(create, [range(start, count, 8) for start in range(8)])
                   for job_id in part]

        paused = self.service.post_json("/jobs/bulk", {"action": "pause", "filter": {"name": "bulk-"}})
        again = other.post_json("/jobs/bulk", {"action": "pause", "ids": [ids[0], 999999]})

        self.assertEqual(paused.status, 200, paused.body)
        self.assertEqual((paused.body["matched"], paused.body["changed"], paused.body["unchanged"]), (count, count, 0))
        self.assertEqual((again.body["matched"], again.body["unchanged"], [item["id"] for item in again.body["failed"]]),
                         (2, 1, [999999]))
        self.assertEqual(self.pg.psql("SELECT count(*) FROM jobs WHERE is_active", self.database), "0")
        stream.wait_for(lambda event: event["data"].get("type") == "job.updated" and event["data"]["job_id"] == max(ids),
                        description="job.updated of the last job, on the other node")


if __name__ == "__main__":
    unittest.main()

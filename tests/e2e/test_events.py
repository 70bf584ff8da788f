"""GET /events through the real binary: job and run changes arrive as Server-Sent Events, only for
the caller's namespaces, resumable by Last-Event-ID, and across the nodes of a cluster."""

import unittest

from event_stream import EventStream
from harness import Service, ServiceTestCase, wait_for_finished_runs
from pg_server import PgServer


def of(kind, **fields):
    """A predicate: an event named `kind` whose data has `fields`."""
    return lambda event: event.get("event") == kind and all(event["data"].get(k) == v for k, v in fields.items())


class EventStreamTest(ServiceTestCase):

    def open_stream(self, **kwargs):
        stream = EventStream(self.service.port, **kwargs)
        self.addCleanup(stream.close)
        return stream

    def test_job_and_run_changes_arrive_as_they_happen(self):
        stream = self.open_stream()
        self.assertEqual(stream.status, 200)
        self.assertTrue(stream.headers["content-type"].startswith("text/event-stream"))

        job = self.create_job(every="1h", task={"type": "noop"})
        created = stream.wait_for(of("job.created", job_id=job["id"]), description="job.created")
        run = self.service.post_json(f"/jobs/{job['id']}/trigger", {}).body
        queued = stream.wait_for(of("run.queued", run_id=run["id"]), description="run.queued")
        started = stream.wait_for(of("run.started", run_id=run["id"]), description="run.started")
        finished = stream.wait_for(of("run.finished", run_id=run["id"]), description="run.finished")

        self.assertEqual(created["data"]["namespace"], "default")
        self.assertEqual(queued["data"]["job_id"], job["id"])
        self.assertEqual(started["data"]["state"], "running")
        self.assertEqual(finished["data"]["state"], "succeeded")
        ids = [int(event["id"]) for event in (created, queued, started, finished)]
        self.assertEqual(ids, sorted(ids), "event ids grow")

    def test_a_paused_and_deleted_job_is_announced(self):
        stream = self.open_stream()
        job = self.create_job(every="1h")

        self.service.post_json(f"/jobs/{job['id']}/pause", {})
        self.service.request("DELETE", f"/jobs/{job['id']}")

        stream.wait_for(of("job.updated", job_id=job["id"]), description="job.updated")
        stream.wait_for(of("job.deleted", job_id=job["id"], namespace="default"), description="job.deleted")

    def test_a_client_that_reconnects_gets_what_it_missed_or_a_reset(self):
        stream = self.open_stream()
        first = self.create_job(every="1h")
        seen = stream.wait_for(of("job.created", job_id=first["id"]))
        stream.close()
        missed = self.create_job(every="1h")

        resumed = self.open_stream(last_event_id=seen["id"])
        unknown = self.open_stream(last_event_id="1")

        resumed.wait_for(of("job.created", job_id=missed["id"]), description="the missed job.created")
        unknown.wait_for(lambda event: event.get("event") == "reset", description="reset")


class EventNamespacesTest(ServiceTestCase):

    def setUp(self):
        # The keys exist before the service starts, so it authenticates from its first request.
        self.service = Service()
        self.addCleanup(self.service.close)
        self.admin = self.service.create_key("root", "admin")
        self.team_a = self.service.create_key("team-a-reader", "read", namespace="team-a")
        self.service.start()

    def test_a_key_sees_only_its_own_namespace(self):
        client = self.service.client(self.admin)
        stream = EventStream(self.service.port, token=self.team_a)
        self.addCleanup(stream.close)
        anonymous = EventStream(self.service.port)
        self.addCleanup(anonymous.close)
        self.assertEqual(stream.status, 200)

        other = client.post_json("/jobs", {"name": "b", "every": "1h", "namespace": "team-b"}).body
        own = client.post_json("/jobs", {"name": "a", "every": "1h", "namespace": "team-a"}).body

        stream.wait_for(of("job.created", job_id=own["id"]))
        self.assertFalse([event for event in stream.events if event["data"].get("job_id") == other["id"]],
                         "team-a's stream carried a job of team-b")
        self.assertEqual(anonymous.status, 401)


class EventsAcrossNodesTest(unittest.TestCase):
    """Two nodes on one PostgreSQL: what one node does shows on the other's stream."""

    @classmethod
    def setUpClass(cls):
        cls.pg = PgServer()

    @classmethod
    def tearDownClass(cls):
        cls.pg.close()

    def test_a_change_through_one_node_shows_on_another_nodes_stream(self):
        database, url = self.pg.create_database()
        self.addCleanup(self.pg.drop_database, database)
        writer = Service(db_url=url, extra_args=["--roles", "api"])
        self.addCleanup(writer.close)
        writer.start()
        watcher = Service(db_url=url)
        self.addCleanup(watcher.close)
        watcher.start()
        stream = EventStream(watcher.port)
        self.addCleanup(stream.close)

        job = writer.post_json("/jobs", {"name": "across", "every": "1h", "task": {"type": "noop"}}).body
        run = writer.post_json(f"/jobs/{job['id']}/trigger", {}).body

        stream.wait_for(of("job.created", job_id=job["id"], namespace="default"), description="job.created")
        stream.wait_for(of("run.queued", run_id=run["id"]), description="run.queued")
        finished = stream.wait_for(of("run.finished", run_id=run["id"]), description="run.finished")
        self.assertEqual(finished["data"]["state"], "succeeded")
        wait_for_finished_runs(watcher, job["id"], 1, 10)


if __name__ == "__main__":
    unittest.main()

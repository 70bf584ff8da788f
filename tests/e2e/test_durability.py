"""End-to-end durability tests: a 201 means the job survives SIGKILL; a 400 writes nothing."""

import subprocess
import threading
import unittest

from harness import ServiceTestCase, binary_path, list_all_jobs

# Schedules whose first run is at least a day away, so that nothing can legitimately
# change a job between its 201 and the read after the restart.
SCHEDULES = [{"every": "1d"}, {"every": "1w"}, {"every": "2d12h"}, {"interval": "monthly"}]
TASK = {"type": "compute", "function": "factorial_sum", "n": 1000}


def job_request(thread_index, sequence):
    """A distinct, varied job for creator `thread_index`'s `sequence`-th request."""
    request = {"name": f"durable t{thread_index} #{sequence}", **SCHEDULES[sequence % len(SCHEDULES)]}
    if sequence % 3 == 0:
        request["task"] = TASK
    if sequence % 5 == 0:
        request["is_active"] = False
    return request


class ParallelCreators:
    """Threads that each POST jobs on their own connection and record every 201.

    A creator stops after `jobs_per_thread` requests, on the first answer that is not a 201,
    or on the first connection error (expected once the service has been killed).
    """

    def __init__(self, service, thread_count, jobs_per_thread, on_acknowledged=None):
        self.service = service
        self.jobs_per_thread = jobs_per_thread
        self.on_acknowledged = on_acknowledged
        self.acknowledged = {}   # id -> job body of the 201
        self.attempted_names = set()
        self.rejections = []     # answers other than 201
        self.errors = []         # exceptions, e.g. connection refused after a kill
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._create, args=(n,)) for n in range(thread_count)]

    def start(self):
        for thread in self._threads:
            thread.start()
        return self

    def join(self):
        for thread in self._threads:
            thread.join()
        return self

    def _create(self, thread_index):
        client = self.service.client()
        try:
            for sequence in range(self.jobs_per_thread):
                request = job_request(thread_index, sequence)
                with self._lock:
                    self.attempted_names.add(request["name"])
                response = client.post_json("/jobs", request)
                if response.status != 201:
                    with self._lock:
                        self.rejections.append((request, response))
                    return
                with self._lock:
                    self.acknowledged[response.body["id"]] = response.body
                    acknowledged_count = len(self.acknowledged)
                if self.on_acknowledged is not None:
                    self.on_acknowledged(acknowledged_count)
        except Exception as error:  # recorded: a thread must not fail silently
            with self._lock:
                self.errors.append(error)
        finally:
            client.close()


class DurabilityTest(ServiceTestCase):

    def assert_jobs_stored(self, expected):
        """Every job in `expected` (id -> body) reads back with identical content."""
        for job_id, body in expected.items():
            status, _, stored = self.service.get_json(f"/jobs/{job_id}")
            self.assertEqual(status, 200, f"acknowledged job {job_id} is gone: {stored!r}")
            self.assertEqual(stored, body)

    def post_rejected_requests(self):
        """Sends requests that must each be answered 400."""
        bad_requests = [
            ("application/json", '{"name": "", "interval": "daily"}'),
            ("application/json", '{"name": "a", "interval": "yearly"}'),
            ("application/json", '{"name": "a", "every": "0s"}'),
            ("application/json", '{"name": "a", "interval": "daily", "every": "1h"}'),
            ("application/json", '{"name": "a", "intervall": "daily"}'),
            ("application/json", '{"name": "a", "interval": "daily"'),
            ("application/json", '[{"name": "a", "interval": "daily"}]'),
            ("application/x-www-form-urlencoded", "name=a&interval=yearly"),
        ]
        for content_type, body in bad_requests:
            response = self.service.request("POST", "/jobs", body=body, headers={"Content-Type": content_type})
            self.assertEqual(response.status, 400, (body, response.body))

    def create_some_jobs(self, count):
        return {job["id"]: job for job in (self.create_job(**job_request(0, n)) for n in range(count))}

    def test_every_acknowledged_job_survives_kill9(self):
        creators = ParallelCreators(self.service, thread_count=6, jobs_per_thread=50).start().join()
        self.service.kill9()  # right after the last 201: no graceful shutdown

        self.service.restart()

        self.assertEqual((creators.rejections, creators.errors), ([], []))
        self.assertEqual(len(creators.acknowledged), 300)
        self.assert_jobs_stored(creators.acknowledged)
        self.assertEqual([job["id"] for job in list_all_jobs(self.service)], sorted(creators.acknowledged))

    def test_jobs_acknowledged_before_kill9_during_writes_survive(self):
        enough = threading.Event()
        creators = ParallelCreators(self.service, thread_count=6, jobs_per_thread=1000,
                                    on_acknowledged=lambda count: count >= 150 and enough.set())
        creators.start()
        self.assertTrue(enough.wait(timeout=30), "creators did not get 150 jobs acknowledged in 30 s")
        self.service.kill9()  # while the other creators still have requests in flight
        creators.join()

        self.service.restart()

        self.assertEqual(creators.rejections, [])
        self.assert_jobs_stored(creators.acknowledged)
        # A write may commit without its 201 getting out; it must still be one somebody asked for.
        stored_names = {job["name"] for job in list_all_jobs(self.service)}
        self.assertLessEqual(stored_names, creators.attempted_names)

    def test_jobs_acknowledged_before_sigterm_during_writes_survive(self):
        enough = threading.Event()
        creators = ParallelCreators(self.service, thread_count=6, jobs_per_thread=1000,
                                    on_acknowledged=lambda count: count >= 150 and enough.set())
        creators.start()
        self.assertTrue(enough.wait(timeout=30), "creators did not get 150 jobs acknowledged in 30 s")
        exit_code = self.service.stop()  # graceful, while requests are in flight
        creators.join()

        self.service.restart()

        self.assertEqual(exit_code, 0)
        self.assert_jobs_stored(creators.acknowledged)

    def test_jobs_survive_graceful_restart(self):
        created = self.create_some_jobs(10)

        self.assertEqual(self.service.stop(), 0)
        self.service.restart()

        self.assert_jobs_stored(created)

    def test_ids_are_not_reused_after_kill9_restart(self):
        created = self.create_some_jobs(5)
        self.service.kill9()
        self.service.restart()

        new_job = self.create_job(name="after restart")

        self.assertGreater(new_job["id"], max(created))

    def test_rejected_request_leaves_no_row(self):
        jobs_before = list_all_jobs(self.service)

        self.post_rejected_requests()

        self.assertEqual(list_all_jobs(self.service), jobs_before)

    def test_rejected_request_leaves_no_row_after_restart(self):
        self.create_some_jobs(3)
        jobs_before = list_all_jobs(self.service)
        self.post_rejected_requests()

        self.service.kill9()
        self.service.restart()

        self.assertEqual(list_all_jobs(self.service), jobs_before)


class OneProcessPerSqliteFileTest(ServiceTestCase):
    """SQLite mode is one process: a second `serve` on the same file is refused, and once the
    first is gone (even by SIGKILL) the file is free again."""

    def test_a_second_serve_on_the_same_file_is_refused_until_the_first_is_gone(self):
        job = self.create_job(name="kept", every="1d")
        second = subprocess.run([binary_path(), "serve", "--listen", "127.0.0.1:0", "--db", self.service.db_url],
                                capture_output=True, text=True, timeout=30)

        self.assertNotEqual(second.returncode, 0)
        self.assertIn("another `jobsched serve` is using", second.stdout + second.stderr)
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").status, 200)  # the first goes on
        self.service.kill9()
        self.service.restart()  # the kernel dropped the lock with the process
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body["name"], "kept")


if __name__ == "__main__":
    unittest.main()


class FileModesTest(unittest.TestCase):
    """Issue #14: the database holds webhook secrets but was created world-readable (0644). Whatever
    the umask, the service creates the folder it needs 0700 and the database, its WAL, its SHM and
    the lock file 0600."""

    def test_the_data_folder_and_database_files_are_the_owners_only(self):
        import os
        import stat

        from harness import Service

        service = Service()
        self.addCleanup(service.close)
        folder = os.path.join(service.dir, "data")
        database = os.path.join(folder, "jobsched.db")
        service.db_url = f"sqlite:{database}"
        previous = os.umask(0)
        try:
            service.start()
        finally:
            os.umask(previous)
        created = service.post_json("/jobs", {"name": "secret", "every": "1h"})
        self.assertEqual(created.status, 201, created.body)

        def mode(path):
            return stat.S_IMODE(os.stat(path).st_mode)

        self.assertEqual(oct(mode(folder)), oct(0o700))
        for suffix in ("", "-wal", "-shm", ".lock"):
            self.assertEqual(oct(mode(database + suffix)), oct(0o600), database + suffix)

    def test_the_keys_command_creates_the_folder_and_database_as_private_too(self):
        import os
        import stat

        from harness import Service

        service = Service()
        self.addCleanup(service.close)
        folder = os.path.join(service.dir, "keys-first")
        service.db_url = f"sqlite:{folder}/jobsched.db"
        previous = os.umask(0)
        try:
            service.create_key("first", "admin")
        finally:
            os.umask(previous)

        self.assertEqual(oct(stat.S_IMODE(os.stat(folder).st_mode)), oct(0o700))
        self.assertEqual(oct(stat.S_IMODE(os.stat(os.path.join(folder, "jobsched.db")).st_mode)), oct(0o600))

    def test_a_database_others_may_read_is_kept_but_warned_about(self):
        import os

        from harness import Service

        service = Service()
        self.addCleanup(service.close)
        with open(service.db_path, "wb"):
            pass
        os.chmod(service.db_path, 0o644)

        service.start()

        self.assertIn("may be read by other users (mode 644)", service.log_text())

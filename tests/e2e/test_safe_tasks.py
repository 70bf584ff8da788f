"""Safe task execution through the real binary: which hosts webhooks may reach, secrets kept out of
responses, signed webhooks, and shell tasks only when the operator enables them."""

import unittest

from harness import HttpEndpoint, ServiceTestCase, wait_until

RUN_DEADLINE_S = 10.0
FINISHED = ("succeeded", "failed", "timed_out", "cancelled", "skipped")


class SafeTasksTestCase(ServiceTestCase):
    """Runs a task once, by hand, and returns its finished run."""

    def setUp(self):
        super().setUp()
        self.endpoint = HttpEndpoint()
        self.addCleanup(self.endpoint.close)

    def run_task(self, task):
        job = self.create_job(task=task)
        triggered = self.service.request("POST", f"/jobs/{job['id']}/trigger")
        self.assertEqual(triggered.status, 202, triggered.body)
        run_id = triggered.body["id"]

        def finished():
            run = self.service.get_json(f"/runs/{run_id}").body
            return run if run["state"] in FINISHED else None
        return wait_until(finished, RUN_DEADLINE_S, f"run {run_id} to finish")

    def assertRefused(self, run, address):
        self.assertEqual(run["state"], "failed", run)
        self.assertIn(f"refused to connect to {address}", run["error"])
        self.assertIn("allow_task_hosts (--allow-task-hosts", run["error"])


class RefusedHostsTest(SafeTasksTestCase):
    """Without --allow-task-hosts, webhooks reach only public addresses."""

    allow_loopback_tasks = False

    def test_refuses_loopback_and_sends_nothing(self):
        run = self.run_task({"type": "http", "url": self.endpoint.url("/hook")})

        self.assertRefused(run, "127.0.0.1 (loopback)")
        self.assertEqual(self.endpoint.requests, [])

    def test_refuses_a_host_name_that_resolves_to_loopback(self):
        run = self.run_task({"type": "http", "url": f"http://localhost:{self.endpoint.port}/hook"})

        self.assertRefused(run, "")
        self.assertIn("(loopback)", run["error"])
        self.assertEqual(self.endpoint.requests, [])

    def test_refuses_a_private_address(self):
        run = self.run_task({"type": "http", "url": "http://10.0.0.1/hook"})

        self.assertRefused(run, "10.0.0.1 (private)")

    def test_refuses_the_cloud_metadata_address(self):
        run = self.run_task({"type": "http", "method": "GET", "url": "http://169.254.169.254/latest/meta-data/"})

        self.assertRefused(run, "169.254.169.254 (link-local (cloud metadata))")


class AllowedHostNameTest(SafeTasksTestCase):
    """A host name in the allow list opens that name, and nothing else."""

    service_args = ("--allow-task-hosts", "localhost")

    def test_reaches_the_listed_name(self):
        run = self.run_task({"type": "http", "url": f"http://localhost:{self.endpoint.port}/hook"})

        self.assertEqual(run["state"], "succeeded", run)
        self.assertEqual(len(self.endpoint.requests_to("/hook")), 1)

    def test_still_refuses_the_address_it_resolves_to_when_written_as_an_address(self):
        run = self.run_task({"type": "http", "url": self.endpoint.url("/hook")})

        self.assertRefused(run, "127.0.0.1 (loopback)")
        self.assertEqual(self.endpoint.requests, [])


class AllowedBlockTest(SafeTasksTestCase):
    service_args = ("--allow-task-hosts", "127.0.0.0/8")

    def test_reaches_an_address_in_the_listed_block(self):
        run = self.run_task({"type": "http", "url": self.endpoint.url("/hook")})

        self.assertEqual(run["state"], "succeeded", run)
        self.assertEqual(len(self.endpoint.requests_to("/hook")), 1)


if __name__ == "__main__":
    unittest.main()

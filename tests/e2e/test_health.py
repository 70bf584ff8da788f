"""Liveness and readiness through the real service."""

import signal
import time
import unittest

from harness import ServiceTestCase, wait_for_exit


class ReadinessTest(ServiceTestCase):
    service_args = ("--drain-delay", "5s")  # room for a slow machine to see the drain

    def test_ready_while_running(self):
        response = self.service.get_json("/readyz")

        self.assertEqual(response.status, 200)
        self.assertEqual(response.body, {"status": "ready"})
        self.assertEqual(self.service.get_json("/healthz").status, 200)

    def test_sigterm_turns_readiness_off_while_requests_are_still_served(self):
        self.service.process.send_signal(signal.SIGTERM)

        deadline = time.monotonic() + 4.0
        readiness = None
        while time.monotonic() < deadline:
            readiness = self.service.get_json("/readyz")
            if readiness.status == 503:
                break
            time.sleep(0.05)

        self.assertProblem(readiness, 503)
        self.assertEqual(readiness.body["detail"], "shutting down")
        self.assertEqual(self.service.get_json("/jobs").status, 200)
        self.assertEqual(wait_for_exit(self.service, 15.0), 0)


if __name__ == "__main__":
    unittest.main()

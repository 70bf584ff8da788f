"""End-to-end tests of stopping the engine: SIGKILL and SIGTERM with runs in flight, and restarts.

Runs are held in flight by a loopback HTTP endpoint that delays its answer. After the process
has exited, the SQLite file is read directly (Python's sqlite3) to see exactly what was left.
"""

import http.client
import sqlite3
import time
import unittest

from harness import (TERMINAL_RUN_STATES, HttpEndpoint, ServiceTestCase, SmtpSink, list_all_runs, rfc3339_ms,
                     send_sigterm, wait_for_exit, wait_for_finished_runs, wait_for_runs, wait_until)

PERIOD_MS = 1000


def runs_in_database(db_path):
    """Every row of the runs table, oldest first, as dicts (times in ms since the epoch)."""
    connection = sqlite3.connect(db_path)
    try:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute("SELECT * FROM runs ORDER BY id")]
    finally:
        connection.close()


def answers_requests(port):
    """Whether the service still answers GET /healthz with 200 on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=0.5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


class ShutdownTestCase(ServiceTestCase):
    """A service whose jobs call a loopback HTTP endpoint."""

    extra_service_args = ()

    def setUp(self):
        self.endpoint = HttpEndpoint()
        self.addCleanup(self.endpoint.close)
        self.service_args = tuple(self.extra_service_args)
        super().setUp()

    def create_http_job(self, path, name="job", **fields):
        return self.create_job(name=name, every="1s", task={"type": "http", "url": self.endpoint.url(path)}, **fields)

    def all_runs(self, jobs):
        return [run for job in jobs for run in list_all_runs(self.service, job["id"])]

    def assertEachOccurrenceOnce(self, runs):
        occurrences = [(run["job_id"], run["scheduled_for"]) for run in runs]
        duplicates = sorted({occurrence for occurrence in occurrences if occurrences.count(occurrence) > 1})
        self.assertEqual(duplicates, [], "occurrences fired more than once")


class KillTest(ShutdownTestCase):

    extra_service_args = ("--max-concurrent-runs", "2")

    def test_runs_in_flight_at_sigkill_run_again_after_restart(self):
        self.endpoint.route("/block", delay_s=5.0)
        jobs = [self.create_http_job("/block", name=f"blocked {n}") for n in range(3)]
        # Both workers are held by the endpoint and at least one more run waits for them.
        self.endpoint.wait_for_requests(2, "/block", timeout_s=5.0)
        wait_until(lambda: any(run["state"] == "queued" for run in self.all_runs(jobs)), 5.0, "a queued run")

        self.service.kill9()
        left = runs_in_database(self.service.db_path)
        running_at_kill = [run for run in left if run["state"] == "running"]
        queued_at_kill = [run for run in left if run["state"] == "queued"]
        self.assertGreaterEqual(len(running_at_kill), 2, left)
        self.assertGreaterEqual(len(queued_at_kill), 1, left)
        self.endpoint.route("/block", delay_s=0.0)
        self.service.start()

        def finished(run_ids):
            runs = {run["id"]: run for run in self.all_runs(jobs)}
            return runs if all(runs[run_id]["state"] in TERMINAL_RUN_STATES for run_id in run_ids) else None
        wait_until(lambda: finished([run["id"] for run in left]), 10.0, "every run left by the kill to finish")
        # The engine keeps firing; everything it created so far must finish as well.
        created_since = [run["id"] for run in self.all_runs(jobs)]
        runs = wait_until(lambda: finished(created_since), 10.0, "every run created after the restart to finish")

        for left_run in running_at_kill:
            with self.subTest(run=left_run["id"], state_at_kill="running"):
                run = runs[left_run["id"]]
                self.assertEqual(run["state"], "succeeded", run)
                self.assertGreaterEqual(run["attempt"], 2, run)
                attempts = [request.headers.get("jobsched-attempt") for request in self.endpoint.requests_to("/block")
                            if request.headers.get("idempotency-key") == str(left_run["id"])]
                self.assertEqual(attempts[0], "1", attempts)
                self.assertIn(str(run["attempt"]), attempts[1:], attempts)
        for left_run in queued_at_kill:
            with self.subTest(run=left_run["id"], state_at_kill="queued"):
                self.assertEqual(runs[left_run["id"]]["state"], "succeeded", runs[left_run["id"]])
        self.assertEachOccurrenceOnce(runs.values())
        deliveries = [(request.headers.get("idempotency-key"), request.headers.get("jobsched-attempt"))
                      for request in self.endpoint.requests_to("/block")]
        self.assertEqual(len(deliveries), len(set(deliveries)), f"an attempt was delivered twice: {deliveries}")


class SigtermTest(ShutdownTestCase):

    extra_service_args = ("--shutdown-grace", "5s")

    def test_run_in_flight_finishes_within_the_grace_and_the_process_exits_zero(self):
        self.endpoint.route("/slowish", status=200, body="done", delay_s=1.5)
        job = self.create_http_job("/slowish")
        request = self.endpoint.wait_for_requests(1, "/slowish", timeout_s=5.0)[0]
        run_id = int(request.headers["idempotency-key"])
        port = self.service.port

        sigterm_wall_ms = int(time.time() * 1000)
        send_sigterm(self.service)
        # New requests are turned away while the run finishes.
        def turned_away():
            answered = answers_requests(port)
            if not self.service.is_running():
                return "exited"
            return None if answered else "refused"
        outcome = wait_until(turned_away, 5.0, "the service to stop answering requests or to exit")
        code = wait_for_exit(self.service, 10.0)
        exited_after_s = time.monotonic() - request.received_at

        self.assertEqual(code, 0)
        self.assertEqual(outcome, "refused", "the service answered requests until it exited")
        self.assertGreaterEqual(exited_after_s, 1.4, "exited before the run in flight could finish")
        runs = {run["id"]: run for run in runs_in_database(self.service.db_path)}
        self.assertEqual(runs[run_id]["state"], "succeeded", runs[run_id])
        self.assertTrue(runs[run_id]["output"].startswith("HTTP 200"), runs[run_id])
        fired_after_sigterm = [run for run in runs.values() if run["created_at"] > sigterm_wall_ms + 100]
        self.assertEqual(fired_after_sigterm, [], f"runs fired after SIGTERM at {sigterm_wall_ms}")
        # Only this job's runs (a slow SIGTERM may let a second occurrence be recorded, skipped).
        self.assertEqual({run["job_id"] for run in runs.values()}, {job["id"]})
        self.assertEqual(len(self.endpoint.requests_to("/slowish")), 1)


class SigtermPastGraceTest(ShutdownTestCase):

    GRACE_S = 1.0
    extra_service_args = ("--shutdown-grace", "1s")

    def test_run_outlasting_the_grace_is_queued_again_and_runs_after_restart(self):
        self.endpoint.route("/stuck", delay_s=30.0)
        job = self.create_http_job("/stuck")
        request = self.endpoint.wait_for_requests(1, "/stuck", timeout_s=5.0)[0]
        run_id = int(request.headers["idempotency-key"])

        started = time.monotonic()
        send_sigterm(self.service)
        code = wait_for_exit(self.service, self.GRACE_S + 5.0)
        exit_s = time.monotonic() - started

        self.assertEqual(code, 0)
        self.assertLess(exit_s, self.GRACE_S + 3.0)
        runs = {run["id"]: run for run in runs_in_database(self.service.db_path)}
        self.assertEqual(runs[run_id]["state"], "queued", runs[run_id])

        self.endpoint.route("/stuck", delay_s=0.0)
        self.service.start()
        run = wait_until(lambda: (lambda r: r if r["state"] in TERMINAL_RUN_STATES else None)(
            self.service.get_json(f"/runs/{run_id}").body), 5.0, f"run {run_id} to finish after the restart")

        self.assertEqual(run["state"], "succeeded", run)
        self.assertEqual(run["job_id"], job["id"])
        keys = [r.headers.get("idempotency-key") for r in self.endpoint.requests_to("/stuck")]
        self.assertGreaterEqual(keys.count(str(run_id)), 2, keys)


class SigtermStalledEmailTest(ServiceTestCase):
    """SIGTERM while an email run waits on an SMTP server that never answers the end of DATA."""

    GRACE_S = 1.0

    def setUp(self):
        self.sink = SmtpSink(data_delay_s=60.0)
        self.addCleanup(self.sink.close)
        self.service_args = ("--smtp-url", self.sink.url, "--smtp-tls", "none", "--shutdown-grace", "1s")
        super().setUp()

    def test_email_run_outlasting_the_grace_is_queued_again_and_the_process_exits(self):
        job = self.create_job(name="stalled mail", every="1s", timeout="30s", task={
            "type": "email", "to": ["alice@example.com"], "subject": "s", "body": "b"})
        runs = wait_for_runs(self.service, job["id"], lambda runs: any(r["state"] == "running" for r in runs), 5.0,
                             "a running run")
        run_id = next(run["id"] for run in runs if run["state"] == "running")
        # "running" from the claim on; wait until the message itself is with the server.
        wait_until(self.sink.data_started.is_set, 5.0, "the message to reach the SMTP server")

        started = time.monotonic()
        send_sigterm(self.service)
        code = wait_for_exit(self.service, self.GRACE_S + 5.0)
        exit_s = time.monotonic() - started

        self.assertEqual(code, 0)
        self.assertLess(exit_s, self.GRACE_S + 3.0)
        run = {run["id"]: run for run in runs_in_database(self.service.db_path)}[run_id]
        self.assertEqual(run["state"], "queued", run)


class DowntimeTest(ShutdownTestCase):

    DOWNTIME_S = 3.5

    def test_missed_occurrences_fire_once_then_the_schedule_continues_after_sigterm(self):
        self.check_catch_up(lambda: self.assertEqual(self.service.stop(), 0))

    def test_missed_occurrences_fire_once_then_the_schedule_continues_after_sigkill(self):
        self.check_catch_up(self.service.kill9)

    def check_catch_up(self, stop):
        # overlap allow: the catch-up and the late occurrences of one firing all run (under the
        # default skip only the first would; test_overlap covers that).
        job = self.create_job(name="every second", every="1s", overlap="allow", task={"type": "noop"})
        wait_for_finished_runs(self.service, job["id"], 1, 5.0)
        stop()
        before = runs_in_database(self.service.db_path)
        last_before_ms = max(run["scheduled_for"] for run in before)

        time.sleep(self.DOWNTIME_S)  # the downtime under test, not a synchronisation
        restart_wall_ms = int(time.time() * 1000)
        self.service.start()
        runs = wait_for_runs_after(self.service, job["id"], restart_wall_ms, 2)

        scheduled = sorted(rfc3339_ms(run["scheduled_for"]) for run in runs)
        self.assertEachOccurrenceOnce(runs)
        created_ms = rfc3339_ms(job["created_at"])
        self.assertEqual([(ms - created_ms) % PERIOD_MS for ms in scheduled], [0] * len(scheduled),
                         "occurrences off the one-second grid")
        # Every occurrence of the downtime is recorded exactly once: run (late by less than the
        # misfire threshold, or the one catch-up of misfire=run_once) or skipped with a reason.
        in_downtime = {rfc3339_ms(run["scheduled_for"]): run for run in runs
                       if last_before_ms < rfc3339_ms(run["scheduled_for"]) < restart_wall_ms}
        grid = list(range(last_before_ms + PERIOD_MS, restart_wall_ms, PERIOD_MS))
        self.assertEqual(sorted(in_downtime), grid, "an occurrence of the downtime is missing")
        self.assertNotEqual(in_downtime[grid[0]]["state"], "skipped", "the oldest missed occurrence must run")
        for run in in_downtime.values():
            if run["state"] == "skipped":
                self.assertIn("missed", run["error"], run)
        after = [ms for ms in scheduled if ms >= restart_wall_ms]
        self.assertEqual(after, [after[0] + PERIOD_MS * k for k in range(len(after))], "gaps after the catch-up")
        self.assertLess(after[0] - restart_wall_ms, 2 * PERIOD_MS, "schedule did not continue from now")
        for run in runs:
            if run["state"] in TERMINAL_RUN_STATES and run["state"] != "skipped":
                self.assertEqual(run["state"], "succeeded", run)


def wait_for_runs_after(service, job_id, wall_ms, count):
    """Waits until `count` finished runs of `job_id` are scheduled at or after `wall_ms`; returns every run."""
    def probe():
        runs = list_all_runs(service, job_id)
        later = [run for run in runs if rfc3339_ms(run["scheduled_for"]) >= wall_ms
                 and run["state"] in TERMINAL_RUN_STATES]
        return runs if len(later) >= count else None
    return wait_until(probe, 10.0, f"{count} finished runs of job {job_id} scheduled after the restart")


if __name__ == "__main__":
    unittest.main()

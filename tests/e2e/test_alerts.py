"""End-to-end tests of alerts (issue #18) through the real binary: a job's alert rule set on
create and by PATCH (secrets shown as REDACTED and kept when written back), refused naming the
field; alerts delivered to a real webhook receiver and a real SMTP server on loopback: once at the
failure threshold, then the recovery."""

import json
import unittest

from harness import (HttpEndpoint, Service, ServiceTestCase, SmtpSink, assert_problem, parse_rfc3339,
                     wait_until)

SECRET = "Bearer s3cret-token"
SIGNING = "0123456789abcdef0123"


def webhook_rule(url, token=SECRET, signing=SIGNING, **extra):
    rule = {"on": ["failed", "recovered"], "after_failures": 3,
            "channels": [{"type": "webhook", "url": url, "format": "json",
                          "headers": {"Authorization": token}, "signing_secret": signing}]}
    rule.update(extra)
    return rule


class AlertRuleTest(ServiceTestCase):

    def test_a_rule_is_set_on_create_shown_redacted_and_replaced_by_patch(self):
        job = self.create_job(alerts=webhook_rule("https://hooks.example.com/a"))
        channel = job["alerts"]["channels"][0]
        self.assertEqual(channel["headers"], {"Authorization": "REDACTED"})
        self.assertEqual(channel["signing_secret"], "REDACTED")
        self.assertEqual(job["alerts"]["on"], ["failed", "recovered"])
        self.assertEqual(job["alerts"]["after_failures"], 3)
        self.assertIsNone(self.create_job()["alerts"])
        self.assertNotIn(SECRET, str(self.service.get_json(f"/jobs/{job['id']}").body))

        # Writing back what was read keeps the secrets; a new threshold is taken.
        rule = dict(job["alerts"], after_failures=2)
        response = self.service.request("PATCH", f"/jobs/{job['id']}", body={"alerts": rule})
        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.body["alerts"]["after_failures"], 2)
        self.assertEqual(response.body["version"], job["version"] + 1)

        response = self.service.request("PATCH", f"/jobs/{job['id']}", body={"alerts": None})
        self.assertEqual(response.status, 200, response.body)
        self.assertIsNone(response.body["alerts"])

    def test_bad_rules_are_refused_naming_the_field_and_nothing_is_written(self):
        url = "https://hooks.example.com/a"
        for rule, field in ((webhook_rule(url, after_failures=0), "alerts.after_failures"),
                            (webhook_rule("ftp://x"), "alerts.channels[0].url"),
                            (webhook_rule(url, token="REDACTED"), "alerts.channels[0].headers.Authorization"),
                            ({"on": ["late"], "channels": [{"type": "email", "to": ["ops@example.com"]}]},
                             "alerts.late_after"),
                            ({"on": ["failed"], "channels": [{"type": "email", "to": ["not an address"]}]},
                             "alerts.channels[0].to[0]"),
                            ({"on": ["failed"]}, "alerts.channels"),
                            ({"on": ["exploded"]}, "alerts.on[0]"),
                            ({"when": ["failed"]}, "alerts.when"),
                            ("failed", "alerts")):
            with self.subTest(field=field):
                response = self.service.post_json("/jobs", {"name": "refused", "interval": "daily", "alerts": rule})
                self.assertProblem(response, 400, field)
        self.assertEqual(self.service.get_json("/jobs").body, [])
        job = self.create_job(alerts=webhook_rule(url))
        # A secret does not follow a channel to another server.
        moved = dict(job["alerts"], channels=[dict(job["alerts"]["channels"][0], url="https://elsewhere.example.com/")])
        response = self.service.request("PATCH", f"/jobs/{job['id']}", body={"alerts": moved})
        self.assertProblem(response, 400, "alerts.channels[0].headers.Authorization")
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body["version"], job["version"])


# Generous: the CI machine is loaded; waits end as soon as their condition holds.
DEADLINE_S = 30.0


class AlertDeliveryTest(unittest.TestCase):
    """A service with a real SMTP server and a real webhook receiver on loopback."""

    # Leases of runs and alerts: a killed node's alerts go out again this long after it died.
    service_args = ("--lease-timeout", "2s")

    def setUp(self):
        self.endpoint = HttpEndpoint()
        self.addCleanup(self.endpoint.close)
        self.sink = SmtpSink()
        self.addCleanup(self.sink.close)
        self.service = Service(extra_args=["--smtp-url", self.sink.url, "--smtp-tls", "none",
                                           "--smtp-from", "jobsched@example.com",
                                           "--public-url", "https://jobs.example.com/sched/", *self.service_args])
        self.addCleanup(self.service.close)
        self.service.start()

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > before and getattr(self, "service", None) is not None:
            import sys
            sys.stderr.write(f"\n===== jobsched log =====\n{self.service.log_text()}===== end =====\n")
        return outcome

    def assertProblem(self, response, expected_status, field=None):
        assert_problem(self, response.status, (response.headers, response.body), expected_status, field)

    def create_job(self, rule, name="nightly export"):
        response = self.service.post_json("/jobs", {
            "name": name, "interval": "daily", "overlap": "allow",
            "task": {"type": "http", "url": self.endpoint.url("/work"), "method": "POST"},
            "alerts": rule})
        self.assertEqual(response.status, 201, response.body)
        return response.body

    def run_once(self, job):
        """Triggers a run and waits until it has ended; returns it."""
        response = self.service.request("POST", f"/jobs/{job['id']}/trigger")
        self.assertIn(response.status, (200, 201, 202), response.body)
        run_id = response.body["id"]
        return wait_until(lambda: self._ended(run_id), DEADLINE_S, f"run {run_id} to end")

    def _ended(self, run_id):
        run = self.service.get_json(f"/runs/{run_id}").body
        return run if run["state"] in ("succeeded", "failed", "timed_out") else None

    def alerts_in_state(self, job, state, count):
        alerts = self.service.get_json(f"/jobs/{job['id']}/alerts").body
        return alerts if len(alerts) == count and all(alert["state"] == state for alert in alerts) else None

    def test_three_failures_alert_once_at_the_threshold_then_the_recovery(self):
        self.endpoint.route("/work", status=503, times=4)
        secret = "alert-signing-secret-0123"
        job = self.create_job({"on": ["failed", "recovered"], "after_failures": 3, "channels": [
            {"type": "email", "to": ["ops@example.com"]},
            {"type": "webhook", "url": self.endpoint.url("/hook"), "format": "json",
             "headers": {"Authorization": "Bearer hook-token"}, "signing_secret": secret}]})

        for _ in range(2):
            self.assertEqual(self.run_once(job)["state"], "failed")
        failing = self.run_once(job)
        self.assertEqual(failing["state"], "failed")
        hooks = self.endpoint.wait_for_requests(1, "/hook", timeout_s=DEADLINE_S)
        mails = self.sink.wait_for_messages(1, timeout_s=DEADLINE_S)
        self.assertEqual(self.run_once(job)["state"], "failed")  # the fourth: the streak goes on, no alert
        recovered = self.run_once(job)
        self.assertEqual(recovered["state"], "succeeded")
        hooks = self.endpoint.wait_for_requests(2, "/hook", timeout_s=DEADLINE_S)
        mails = self.sink.wait_for_messages(2, timeout_s=DEADLINE_S)

        alert = json.loads(hooks[0].body)
        self.assertEqual(alert["event"], "failed")
        self.assertEqual(alert["job"]["id"], job["id"])
        self.assertEqual(alert["job"]["name"], "nightly export")
        self.assertEqual(alert["run"]["id"], failing["id"])
        self.assertEqual(alert["run"]["state"], "failed")
        self.assertEqual(alert["consecutive_failures"], 3)
        self.assertIn("503", alert["error"])
        # A link to the run's page of the console, at the address the service is reached at.
        self.assertEqual(alert["link"], f"https://jobs.example.com/sched/ui/runs/{failing['id']}")
        self.assertEqual(hooks[0].headers["jobsched-alert-id"], str(alert["alert_id"]))
        self.assertEqual(hooks[0].headers["authorization"], "Bearer hook-token")
        self.assertIn("jobsched-signature", hooks[0].headers)
        self.assertEqual(json.loads(hooks[1].body)["event"], "recovered")
        self.assertEqual(json.loads(hooks[1].body)["run"]["id"], recovered["id"])
        self.assertEqual(mails[0].rcpt_tos, ["ops@example.com"])
        self.assertIn("nightly export", mails[0].subject)
        self.assertIn(str(failing["id"]), mails[0].body_text())
        self.assertIn(f"https://jobs.example.com/sched/ui/runs/{failing['id']}", mails[0].body_text())
        self.assertIn("nightly export", mails[1].subject)
        # Exactly once each: every delivery is recorded as sent, so none is tried again.
        alerts = wait_until(lambda: self.alerts_in_state(job, "sent", 4), DEADLINE_S, "4 alerts sent")
        self.assertEqual(len(self.endpoint.requests_to("/hook")), 2)
        self.assertEqual(len(self.sink.messages), 2)
        self.assertEqual([alert["event"] for alert in alerts], ["recovered", "recovered", "failed", "failed"])
        by_channel = {(alert["event"], alert["channel"]["type"]): alert for alert in alerts}
        webhook_alert = by_channel[("failed", "webhook")]
        self.assertEqual(webhook_alert["id"], json.loads(hooks[0].body)["alert_id"])
        self.assertEqual(webhook_alert["run_id"], failing["id"])
        self.assertEqual(webhook_alert["consecutive_failures"], 3)
        self.assertEqual(webhook_alert["attempts"], 1)
        self.assertIsNotNone(webhook_alert["sent_at"])
        self.assertEqual(webhook_alert["channel"]["headers"], {"Authorization": "REDACTED"})
        self.assertEqual(webhook_alert["channel"]["signing_secret"], "REDACTED")
        failed_only = self.service.get_json("/alerts?event=failed&state=sent").body
        self.assertEqual({alert["id"] for alert in failed_only},
                         {alert["id"] for alert in alerts if alert["event"] == "failed"})
        page = self.service.request("GET", "/alerts?event=recovered&limit=1")
        self.assertEqual(len(page.body), 1)
        self.assertIn("event=recovered", page.headers["link"])
        metrics = self.service.request("GET", "/metrics").body
        self.assertIn('jobsched_alerts_raised_total{event="failed"} 1', metrics)
        self.assertIn('jobsched_alerts_raised_total{event="recovered"} 1', metrics)
        self.assertIn('jobsched_alerts_sent_total{channel="webhook"} 2', metrics)
        self.assertIn('jobsched_alerts_sent_total{channel="email"} 2', metrics)
        self.assertIn("alert raised: failed of job", self.service.log_text())

    def test_a_receiver_that_fails_gets_the_alert_again_after_a_back_off(self):
        self.endpoint.route("/work", status=503)
        self.endpoint.route("/hook", status=500, times=1)
        job = self.create_job({"on": ["failed"], "channels": [
            {"type": "webhook", "url": self.endpoint.url("/hook"), "format": "slack"}]})

        self.run_once(job)

        hooks = self.endpoint.wait_for_requests(2, "/hook", timeout_s=DEADLINE_S)
        self.assertEqual(hooks[0].headers["jobsched-alert-id"], hooks[1].headers["jobsched-alert-id"])
        self.assertEqual(hooks[1].headers["jobsched-attempt"], "2")
        self.assertIn("text", json.loads(hooks[1].body))  # Slack's incoming-webhook payload
        alert = wait_until(lambda: self.alerts_in_state(job, "sent", 1), DEADLINE_S, "the alert sent")[0]
        self.assertEqual(alert["attempts"], 2)
        self.assertIn("500", alert["last_error"])

    def test_alert_lists_refuse_bad_filters_and_unknown_jobs_and_keep_to_the_namespace(self):
        self.endpoint.route("/work", status=503)
        job = self.create_job({"on": ["failed"], "channels": [{"type": "webhook", "url": self.endpoint.url("/hook")}]})
        self.run_once(job)
        wait_until(lambda: self.alerts_in_state(job, "sent", 1), DEADLINE_S, "the alert sent")

        for path, field in (("/alerts?event=exploded", "event"), ("/alerts?state=lost", "state"),
                            ("/alerts?job_id=x", "job_id"), ("/alerts?limit=0", "limit")):
            with self.subTest(path=path):
                response = self.service.request("GET", path)
                self.assertEqual(response.status, 400, response.body)
                self.assertEqual(response.body["field"], field)
        self.assertEqual(self.service.request("GET", "/jobs/999999/alerts").status, 404)

        other = self.service.client(self.service.create_key("team-b-reader", "read", namespace="team-b"))
        admin = self.service.client(self.service.create_key("root", "admin"))
        # Once a key exists (and the service has read it), requests without one are refused.
        wait_until(lambda: self.service.request("GET", "/alerts").status == 401, DEADLINE_S,
                   "the keys to count")
        self.assertEqual(other.request("GET", "/alerts").body, [])
        self.assertEqual(other.request("GET", f"/jobs/{job['id']}/alerts").status, 404)
        self.assertEqual(len(admin.request("GET", "/alerts").body), 1)
        # A namespace's default rule: its own keys only.
        writer = self.service.client(self.service.create_key("team-b-writer", "write", namespace="team-b"))
        wait_until(lambda: writer.request("GET", "/alerts").status == 200, DEADLINE_S, "the writer key to count")
        rule = {"on": ["failed"], "channels": [{"type": "email", "to": ["b@example.com"]}]}
        self.assertEqual(writer.request("PUT", "/namespaces/default/alerts", body=rule).status, 403)
        self.assertEqual(writer.request("PUT", "/namespaces/team-b/alerts", body=rule).status, 200)
        self.assertEqual(other.request("GET", "/namespaces/team-b/alerts").body["channels"][0]["to"], ["b@example.com"])
        self.assertEqual(other.request("GET", "/namespaces/default/alerts").status, 404)
        self.assertEqual(admin.request("GET", "/namespaces/team-b/alerts").status, 200)

    def test_an_alert_in_flight_when_the_node_is_killed_goes_out_after_the_restart(self):
        self.endpoint.route("/work", status=503)
        # The receiver holds the first delivery until the test ends: the node dies mid-send.
        self.endpoint.route("/hook", status=200, delay_s=120.0, times=1)
        job = self.create_job({"on": ["failed"], "channels": [
            {"type": "webhook", "url": self.endpoint.url("/hook")}]})
        self.run_once(job)
        first = self.endpoint.wait_for_requests(1, "/hook", timeout_s=DEADLINE_S)[0]

        self.service.kill9()
        self.service.start()

        second = self.endpoint.wait_for_requests(2, "/hook", timeout_s=DEADLINE_S)[1]
        self.assertEqual(second.headers["jobsched-alert-id"], first.headers["jobsched-alert-id"])
        self.assertEqual(json.loads(second.body)["job"]["id"], job["id"])

    def test_a_run_that_cannot_start_alerts_late_once(self):
        # The first run holds the job (overlap queue): the second waits, and is late after 1 s.
        self.endpoint.route("/work", status=200, delay_s=20.0, times=1)
        response = self.service.post_json("/jobs", {
            "name": "queued behind", "interval": "daily", "overlap": "queue",
            "task": {"type": "http", "url": self.endpoint.url("/work"), "method": "POST"},
            "alerts": {"on": ["late"], "late_after": "1s",
                       "channels": [{"type": "webhook", "url": self.endpoint.url("/hook")}]}})
        self.assertEqual(response.status, 201, response.body)
        job = response.body
        self.service.request("POST", f"/jobs/{job['id']}/trigger")
        self.endpoint.wait_for_requests(1, "/work", timeout_s=DEADLINE_S)
        waiting = self.service.request("POST", f"/jobs/{job['id']}/trigger").body

        def late_alert_for_waiting_run():
            bodies = [json.loads(request.body) for request in self.endpoint.requests_to("/hook")]
            return [body for body in bodies if body["run"]["id"] == waiting["id"]]
        alert = wait_until(late_alert_for_waiting_run, DEADLINE_S, "the late alert")[0]

        self.assertEqual(alert["event"], "late")
        self.assertGreaterEqual(alert["lateness_ms"], 1000)
        self.assertEqual(alert["run"]["state"], "queued")
        # Once per run: the checks go on every second, and raise nothing more for it.
        late = wait_until(lambda: self.alerts_in_state(job, "sent", len(self.endpoint.requests_to("/hook"))),
                          DEADLINE_S, "the late alerts sent")
        self.assertEqual(len([a for a in late if a["run_id"] == waiting["id"]]), 1)

    def test_a_job_without_a_success_for_its_window_alerts_silent(self):
        job = self.create_job({"on": ["silent"], "silent_for": "2s",
                               "channels": [{"type": "email", "to": ["oncall@example.com"]}]})

        mail = self.sink.wait_for_messages(1, timeout_s=DEADLINE_S)[0]

        self.assertEqual(mail.rcpt_tos, ["oncall@example.com"])
        self.assertIn("nightly export", mail.subject)
        alert = self.service.get_json(f"/jobs/{job['id']}/alerts").body[0]
        self.assertEqual(alert["event"], "silent")
        self.assertEqual(alert["silent_for_ms"], 2000)
        waited = parse_rfc3339(alert["raised_at"]) - parse_rfc3339(job["created_at"])
        self.assertGreaterEqual(waited.total_seconds(), 2.0)

    def test_the_quiet_period_holds_back_the_alerts_of_a_flapping_job(self):
        # Flapping: failed, succeeded, failed, succeeded. Each failure starts a new streak, which
        # would alert; the quiet period after the first alert holds the second failure's back. A
        # recovery is never held back (it answers an alert that was raised), nor does it count.
        for status in (503, 200, 503):
            self.endpoint.route("/work", status=status, times=1)
        job = self.create_job({"on": ["failed", "recovered"], "after_failures": 1, "quiet_period": "1h",
                               "channels": [{"type": "webhook", "url": self.endpoint.url("/hook")}]})

        states = [self.run_once(job)["state"] for _ in range(4)]

        self.assertEqual(states, ["failed", "succeeded", "failed", "succeeded"])
        # Alerts are written with the outcome: once the runs have ended, the alerts are known.
        alerts = self.service.get_json(f"/jobs/{job['id']}/alerts").body
        self.assertEqual([alert["event"] for alert in alerts], ["recovered", "failed"])
        wait_until(lambda: self.alerts_in_state(job, "sent", 2), DEADLINE_S, "the alerts sent")
        self.assertEqual([json.loads(request.body)["event"] for request in self.endpoint.requests_to("/hook")],
                         ["failed", "recovered"])

if __name__ == "__main__":
    unittest.main()

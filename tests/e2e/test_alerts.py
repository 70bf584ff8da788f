"""End-to-end tests of alerts (issue #18) through the real binary: a job's alert rule set on
create and by PATCH (secrets shown as REDACTED and kept when written back), refused naming the
field."""

import unittest

from harness import ServiceTestCase

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


if __name__ == "__main__":
    unittest.main()

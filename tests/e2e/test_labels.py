"""End-to-end tests of job labels through the real binary: set on create and by PATCH (which
replaces them whole), refused when malformed naming the label, and selected by GET /jobs?label=
with equality, inequality, presence and sets, with the other filters, orders and page links."""

import unittest
import urllib.parse

from harness import ServiceTestCase, list_all_jobs, next_link


class LabelsTest(ServiceTestCase):

    def names(self, selector, extra=""):
        path = "/jobs?label=" + urllib.parse.quote(selector) + extra
        return [job["name"] for job in list_all_jobs(self.service, path)]

    def test_labels_are_set_on_create_and_replaced_by_patch(self):
        job = self.create_job(name="ledger", labels={"team": "payments", "app.example.com/tier": "web",
                                                     "canary": ""})
        self.assertEqual(job["labels"], {"team": "payments", "app.example.com/tier": "web", "canary": ""})
        self.assertEqual(self.create_job(name="bare")["labels"], {})

        status, headers, _ = self.service.request("GET", f"/jobs/{job['id']}")
        self.assertEqual(status, 200)
        etag = headers["etag"]
        response = self.service.request("PATCH", f"/jobs/{job['id']}", body={"labels": {"team": "billing"}},
                                        headers={"If-Match": etag})
        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.body["labels"], {"team": "billing"})
        self.assertEqual(response.body["version"], job["version"] + 1)
        self.assertNotEqual(response.headers["etag"], etag)
        self.assertEqual(self.names("team=payments"), [])
        self.assertEqual(self.names("team=billing"), ["ledger"])

        response = self.service.request("PATCH", f"/jobs/{job['id']}", body={"labels": None})
        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.body["labels"], {})
        self.assertEqual(self.names("team"), [])

    def test_malformed_labels_are_refused_naming_the_label(self):
        for labels, field in (({"bad key": "x"}, "labels.bad key"), ({"team": "-x"}, "labels.team"),
                              ({"team": 3}, "labels.team"), ({"a/b/c": ""}, "labels.a/b/c"),
                              ({f"k{i}": "v" for i in range(65)}, "labels"), ("team=x", "labels")):
            with self.subTest(labels=labels):
                response = self.service.post_json("/jobs", {"name": "refused", "interval": "daily",
                                                            "labels": labels})
                self.assertProblem(response, 400, field)
        job = self.create_job(name="kept", labels={"team": "payments"})
        response = self.service.request("PATCH", f"/jobs/{job['id']}", body={"labels": {"Team!": "x"}})
        self.assertProblem(response, 400, "labels.Team!")
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body["labels"], {"team": "payments"})

    def test_selectors_select_and_combine_with_the_other_parameters(self):
        self.create_job(name="a", labels={"team": "payments", "tier": "web"})
        self.create_job(name="b", labels={"team": "payments", "tier": "batch"})
        self.create_job(name="c", labels={"team": "billing"}, is_active=False)
        self.create_job(name="d")

        self.assertEqual(self.names("team=payments,tier!=batch"), ["a"])
        self.assertEqual(self.names("team==payments"), ["a", "b"])
        self.assertEqual(self.names(""), ["a", "b", "c", "d"])
        self.assertEqual(self.names("team!=payments"), ["c", "d"])
        self.assertEqual(self.names("tier"), ["a", "b"])
        self.assertEqual(self.names("!tier"), ["c", "d"])
        self.assertEqual(self.names("tier in (web, batch)"), ["a", "b"])
        self.assertEqual(self.names("team notin (payments)"), ["c", "d"])
        self.assertEqual(self.names("team", "&is_active=false"), ["c"])
        self.assertEqual(self.names("team=payments", "&sort=-name"), ["b", "a"])

        status, headers, _ = self.service.request("GET", "/jobs?label=team%3Dpayments&limit=1")
        self.assertEqual(status, 200)
        link = next_link(headers)
        self.assertIn("label=team%3Dpayments", link)
        self.assertEqual(self.names("team=payments", "&limit=1"), ["a", "b"])

        response = self.service.post_json("/jobs/bulk", {"action": "pause", "filter": {"label": "tier=web"}})
        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(self.names("team", "&is_active=false"), ["a", "c"])

    def test_a_malformed_selector_names_the_part_at_fault(self):
        self.create_job(name="one", labels={"team": "payments"})
        for selector, part in (("team=payments,tier!=bad value", "'tier!=bad value'"),
                               ("team=payments,,x", "''"), ("tier>3", "'tier>3'"),
                               ("zone in (a", "'zone in (a'"), ("-team", "'-team'")):
            with self.subTest(selector=selector):
                response = self.service.request("GET", "/jobs?label=" + urllib.parse.quote(selector))
                self.assertProblem(response, 400, "label")
                self.assertIn(part, response.body["detail"])


if __name__ == "__main__":
    unittest.main()

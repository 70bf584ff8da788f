"""The contract check itself (contract.py), on made-up answers: it must catch drift, or it proves nothing."""

import copy
import unittest

from contract import ContractViolation, shared

# A job as POST /jobs answers it: the spec's own example (which openapi_lint checks against the schema),
# so that these tests follow the Job schema as it grows.
JOB = shared().spec["paths"]["/jobs"]["post"]["responses"]["201"]["content"]["application/json"]["examples"][
    "numberCrunching"]["value"]
CREATED_HEADERS = {"content-type": "application/json", "location": "/jobs/1", "etag": '"1-0a1b2c3d4e5f6789"'}
PROBLEM_HEADERS = {"content-type": "application/problem+json", "cache-control": "no-store"}


def problem(status, **members):
    return {"type": "about:blank", "title": "Some Title", "status": status, "detail": "what went wrong", **members}


class ContractTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.contract = shared()

    def check_created(self, body=None, headers=None, status=201):
        self.contract.check("POST", "/jobs", status, CREATED_HEADERS if headers is None else headers,
                            JOB if body is None else body)

    def assertViolation(self, text, check, *args, **kwargs):
        with self.assertRaises(ContractViolation) as raised:
            check(*args, **kwargs)
        self.assertIn(text, str(raised.exception))

    def test_accepts_a_job_as_the_spec_shows_it(self):
        self.check_created()

    def test_refuses_a_member_the_spec_does_not_have(self):
        job = dict(JOB, owner="alice")

        self.assertViolation("'owner' was unexpected", self.check_created, job)

    def test_names_the_unknown_member_inside_a_task(self):
        task = {"type": "http", "method": "POST", "url": "https://example.com/hook", "headers": {}, "body": "",
                "retries": 3}

        self.assertViolation("at $.task: Additional properties are not allowed ('retries' was unexpected)",
                             self.check_created, dict(JOB, task=task))

    def test_refuses_a_job_missing_a_member(self):
        job = dict(JOB)
        del job["misfire"]

        self.assertViolation("'misfire' is a required property", self.check_created, job)

    def test_refuses_a_retry_policy_missing_a_member(self):
        job = copy.deepcopy(JOB)
        del job["retry"]["jitter"]

        self.assertViolation("'jitter' is a required property", self.check_created, job)

    def test_refuses_a_timestamp_that_is_not_rfc_3339(self):
        job = dict(JOB, next_run="2026-11-30 10:00:00")

        self.assertViolation("$.next_run", self.check_created, job)

    def test_refuses_a_missing_required_header(self):
        headers = {"content-type": "application/json", "etag": '"1-0a1b2c3d4e5f6789"'}

        self.assertViolation("without the Location header", self.check_created, headers=headers)

    def test_refuses_a_header_that_does_not_match_its_schema(self):
        headers = dict(CREATED_HEADERS, etag='"1"')

        self.assertViolation("header ETag", self.check_created, headers=headers)

    def test_refuses_an_undocumented_content_type(self):
        headers = dict(CREATED_HEADERS, **{"content-type": "text/plain"})

        self.assertViolation("Content-Type 'text/plain'", self.check_created, headers=headers)

    def test_refuses_an_undocumented_4xx_that_only_default_would_cover(self):
        self.assertViolation("does not document", self.contract.check,
                             "GET", "/jobs/1", 409, PROBLEM_HEADERS, problem(409, code="conflict"))

    def test_default_stands_for_5xx(self):
        self.contract.check("GET", "/jobs/1", 503, PROBLEM_HEADERS, problem(503, code="unavailable"))

    def test_refuses_a_problem_with_an_unknown_member(self):
        self.assertViolation("'hint' was unexpected", self.contract.check,
                             "GET", "/jobs/7", 404, PROBLEM_HEADERS, problem(404, code="not_found", hint="x"))

    def test_refuses_a_body_where_the_spec_has_none(self):
        self.assertViolation("with a body", self.contract.check, "DELETE", "/jobs/1", 204, {}, "{}")

    def test_refuses_a_body_on_head(self):
        headers = {"content-type": "application/json", "etag": '"0a1b2c3d4e5f6789"', "cache-control": "no-cache"}

        self.assertViolation("with a body", self.contract.check, "HEAD", "/jobs", 200, headers, [])

    def test_refuses_a_request_outside_the_contract(self):
        self.assertViolation("has no operation", self.contract.check,
                             "PUT", "/jobs", 405, PROBLEM_HEADERS, problem(405, code="method_not_allowed"))

    def test_unchecked_requests_still_get_problems_checked(self):
        self.contract.check("GET", "/nope", 404, PROBLEM_HEADERS, problem(404, code="not_found"), unchecked="test")

        self.assertViolation("Problem schema", self.contract.check, "GET", "/nope", 404, PROBLEM_HEADERS,
                             problem(404, code="no_route"), unchecked="test")

    def test_matches_literal_segments_before_templated_ones(self):
        cases = [
            ("GET", "/jobs/7/runs?limit=1", "listJobRuns"),
            ("GET", "/jobs/", "listJobs"),
            ("HEAD", "/jobs/7", "getJob"),
            ("GET", "/docs", "getDocs"),
            ("GET", "/docs/swagger-ui.css", "getDocsAsset"),
            ("POST", "/jobs/7/trigger", "triggerJob"),
        ]
        for method, path, operation_id in cases:
            with self.subTest(method=method, path=path):
                _, _, operation = self.contract.operation(method, path)

                self.assertEqual(operation["operationId"], operation_id)


if __name__ == "__main__":
    unittest.main()

"""Authentication, roles, namespaces and rate limits through the real binary.

Keys are made with the binary's own `jobsched keys create` on the test's database, before the
service starts or while it runs (it re-reads them every --key-refresh-interval, shortened here).
Every answer is checked against docs/openapi.yaml like in every suite, 401/403/429 included.
"""

import datetime
import itertools
import json
import os
import subprocess
import time
import unittest

import contract

from harness import (TERMINAL_RUN_STATES, HttpEndpoint, Service, ServiceTestCase, assert_problem, binary_path,
                     wait_until)

REFRESH = "200ms"
REFRESH_S = 0.2
JOB = {"name": "report", "every": "1h"}
_REPORTS = itertools.count(1)


def another_job(**fields):
    """JOB under a name no other job has (names are unique within a namespace)."""
    return dict(JOB, **dict({"name": f"report {next(_REPORTS)}"}, **fields))


class KeyedServiceTestCase(unittest.TestCase):
    """A service whose keys exist before it starts; `tokens` maps key names to tokens."""

    service_args = ("--key-refresh-interval", REFRESH)
    # name -> (role, namespace, per-key rate limit)
    keys = {
        "root": ("admin", "ops", None),
        "writer-a": ("write", "team-a", None),
        "reader-a": ("read", "team-a", None),
        "writer-b": ("write", "team-b", None),
    }

    def setUp(self):
        self.service = Service(extra_args=self.service_args)
        self.addCleanup(self.service.close)
        self.tokens = {name: self.service.create_key(name, role, namespace, rate_limit)
                       for name, (role, namespace, rate_limit) in self.keys.items()}
        self.service.start()
        self.clients = {}

    def as_key(self, name):
        """A connection authenticated with key `name` (None: no key at all)."""
        if name not in self.clients:
            client = self.service.client(self.tokens[name] if name is not None else None)
            self.addCleanup(client.close)
            self.clients[name] = client
        return self.clients[name]

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        service = getattr(self, "service", None)
        if service is not None and len(result.failures) + len(result.errors) > before:
            print(f"\n===== jobsched log for {self.id()} =====\n{service.log_text()}===== end =====")
        return outcome

    def assertProblem(self, response, status, field=None):
        assert_problem(self, response.status, (response.headers, response.body), status, field)

    def create(self, key, **fields):
        body = another_job(**fields)
        response = self.as_key(key).request("POST", "/jobs", body=body)
        self.assertEqual(response.status, 201, response.body)
        return response.body

    def trigger(self, key, job_id):
        response = self.as_key(key).request("POST", f"/jobs/{job_id}/trigger")
        self.assertEqual(response.status, 202, response.body)
        return response.body


class OpenModeTest(ServiceTestCase):
    """Without keys on loopback, nothing changes for clients: no authentication at all."""

    def test_requests_need_no_key_and_any_authorization_header_is_ignored(self):
        created = self.service.post_json("/jobs", JOB)
        garbage = self.service.request("GET", f"/jobs/{created.body['id']}",
                                       headers={"Authorization": "Bearer not-a-token"})

        self.assertEqual(created.status, 201, created.body)
        self.assertEqual(created.body["namespace"], "default")
        self.assertEqual(garbage.status, 200, garbage.body)
        self.assertEqual(self.service.get_json("/metrics").status, 200)

    def test_anonymous_callers_are_rate_limited_by_address(self):
        response = self.service.get_json("/jobs")

        self.assertEqual(response.headers["ratelimit-limit"], "6000")
        self.assertEqual(response.headers["ratelimit-remaining"], "5999")
        self.assertIn("ratelimit-reset", response.headers)
        self.assertNotIn("ratelimit-limit", self.service.get_json("/healthz").headers)

    def test_anonymous_callers_may_choose_the_namespace_of_a_job(self):
        created = self.service.post_json("/jobs", dict(JOB, namespace="team-a"))

        self.assertEqual(created.status, 201, created.body)
        self.assertEqual(created.body["namespace"], "team-a")
        self.assertEqual([job["id"] for job in self.service.get_json("/jobs?namespace=team-a").body],
                         [created.body["id"]])
        self.assertEqual(self.service.get_json("/jobs?namespace=team-b").body, [])


class RolesTest(KeyedServiceTestCase):
    """Each role against each endpoint: allowed ones answer as usual, the others 401 or 403."""

    def setUp(self):
        super().setUp()
        # A webhook that answers slowly keeps triggered runs running, so they can be cancelled.
        self.endpoint = HttpEndpoint()
        self.addCleanup(self.endpoint.close)
        self.endpoint.route("/slow", status=200, delay_s=30)

    def fixture_job(self):
        """A job of team-a (which reader-a and writer-a may access) with a run in flight."""
        task = {"type": "http", "url": self.endpoint.url("/slow")}
        job = self.create("root", namespace="team-a", overlap="allow", task=task)
        run = self.trigger("root", job["id"])
        return job, run

    def endpoints(self, job, run):
        """(name, method, path, body, expected success statuses)."""
        preview = {"every": "15m", "after": "2026-11-27T00:00:00Z", "count": 2}
        patch = {"name": "renamed"}
        return [
            ("list jobs", "GET", "/jobs", None, {200}),
            ("create job", "POST", "/jobs", another_job(), {201}),
            ("get job", "GET", f"/jobs/{job['id']}", None, {200}),
            ("head job", "HEAD", f"/jobs/{job['id']}", None, {200}),
            ("patch job", "PATCH", f"/jobs/{job['id']}", patch, {200}),
            ("pause job", "POST", f"/jobs/{job['id']}/pause", None, {200}),
            ("resume job", "POST", f"/jobs/{job['id']}/resume", None, {200}),
            ("trigger job", "POST", f"/jobs/{job['id']}/trigger", None, {202}),
            ("cancel run", "POST", f"/jobs/{job['id']}/runs/{run['id']}/cancel", None, {200, 202}),
            ("job runs", "GET", f"/jobs/{job['id']}/runs", None, {200}),
            ("all runs", "GET", "/runs", None, {200}),
            ("get run", "GET", f"/runs/{run['id']}", None, {200}),
            ("run attempts", "GET", f"/runs/{run['id']}/attempts", None, {200}),
            ("preview", "POST", "/schedules/preview", preview, {200}),
            ("metrics", "GET", "/metrics", None, {200}),
            ("delete job", "DELETE", f"/jobs/{job['id']}", None, {204}),
        ]

    def outcomes(self, key):
        job, run = self.fixture_job()
        results = {}
        for name, method, path, body, success in self.endpoints(job, run):
            response = self.as_key(key).request(method, path, body=body)
            results[name] = "ok" if response.status in success else response.status
            if response.status in (401, 403) and method != "HEAD":
                self.assertProblem(response, response.status)
        return results

    def expect(self, key, denied_status, denied):
        results = self.outcomes(key)
        expected = {name: (denied_status if name in denied else "ok") for name in results}
        self.assertEqual(results, expected)

    WRITES = {"create job", "patch job", "pause job", "resume job", "trigger job", "cancel run", "delete job"}

    def test_without_a_key_everything_but_the_open_routes_is_401(self):
        self.expect(None, 401, set(self.outcomes(None)))

    def test_a_read_key_reads_and_is_forbidden_to_change(self):
        self.expect("reader-a", 403, self.WRITES)

    def test_a_write_key_does_everything_in_its_namespace(self):
        self.expect("writer-a", None, set())

    def test_an_admin_key_does_everything_anywhere(self):
        self.expect("root", None, set())

    def test_the_open_routes_need_no_key(self):
        anonymous = self.as_key(None)

        for path, status in (("/healthz", 200), ("/readyz", 200), ("/docs", 200), ("/openapi.json", 200),
                             ("/openapi.yaml", 200), ("/docs/swagger-ui.css", 200), ("/swagger", 308)):
            self.assertEqual(anonymous.request("GET", path).status, status, path)

    def test_forbidden_says_which_role_is_needed(self):
        response = self.as_key("reader-a").request("POST", "/jobs", body=JOB)

        self.assertProblem(response, 403)
        self.assertEqual(response.body["code"], "permission_denied")
        self.assertIn("needs write", response.body["detail"])
        self.assertEqual(response.headers["www-authenticate"], 'Bearer realm="jobsched", error="insufficient_scope"')


class NamespaceTest(KeyedServiceTestCase):
    """A key of namespace B never sees nor touches what belongs to namespace A: 404, never contents."""

    def setUp(self):
        super().setUp()
        self.job = self.create("writer-a", name="secret plan of team a", overlap="allow")
        self.run_of_a = self.trigger("writer-a", self.job["id"])
        self.job_of_b = self.create("writer-b", name="team b job")
        self.run_of_b = self.trigger("writer-b", self.job_of_b["id"])

    def assertHidden(self, response):
        self.assertProblem(response, 404)
        self.assertNotIn("secret plan", json.dumps(response.body))

    def test_a_job_belongs_to_the_namespace_of_the_key_that_created_it(self):
        self.assertEqual(self.job["namespace"], "team-a")
        self.assertEqual(self.job_of_b["namespace"], "team-b")
        self.assertEqual(self.create("root")["namespace"], "ops")

    def test_another_namespace_reads_404_for_the_job_and_its_runs(self):
        b = self.as_key("writer-b")
        job_id, run_id = self.job["id"], self.run_of_a["id"]

        for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/runs", f"/runs/{run_id}", f"/runs/{run_id}/attempts"):
            self.assertHidden(b.request("GET", path))
        self.assertEqual(b.request("HEAD", f"/jobs/{job_id}").status, 404)

    def test_another_namespace_cannot_change_the_job_and_it_stays_as_it_was(self):
        b = self.as_key("writer-b")
        job_id = self.job["id"]

        self.assertHidden(b.request("PATCH", f"/jobs/{job_id}", body={"name": "taken over"}))
        self.assertHidden(b.request("POST", f"/jobs/{job_id}/pause"))
        self.assertHidden(b.request("POST", f"/jobs/{job_id}/resume"))
        self.assertHidden(b.request("POST", f"/jobs/{job_id}/trigger"))
        self.assertHidden(b.request("POST", f"/jobs/{job_id}/runs/{self.run_of_a['id']}/cancel"))
        self.assertHidden(b.request("DELETE", f"/jobs/{job_id}"))

        after = self.as_key("writer-a").request("GET", f"/jobs/{job_id}")
        self.assertEqual(after.status, 200)
        self.assertEqual(after.body["name"], "secret plan of team a")
        self.assertEqual(after.body["version"], 1)

    def test_cancelling_another_namespaces_run_answers_exactly_like_a_missing_run(self):
        # Issue #14: "run 2 is not a run of job 1" told the caller that run 2 exists elsewhere.
        a = self.as_key("writer-a")
        foreign_id = self.run_of_b["id"]
        missing_id = foreign_id + 1000

        foreign = a.request("POST", f"/jobs/{self.job['id']}/runs/{foreign_id}/cancel")
        missing = a.request("POST", f"/jobs/{self.job['id']}/runs/{missing_id}/cancel")

        self.assertProblem(foreign, 404)
        self.assertProblem(missing, 404)
        self.assertEqual(json.dumps(foreign.body).replace(str(foreign_id), "RUN"),
                         json.dumps(missing.body).replace(str(missing_id), "RUN"))
        self.assertNotEqual(self.as_key("writer-b").request("GET", f"/runs/{foreign_id}").body["state"], "cancelled")

    def test_lists_show_only_the_keys_own_namespace(self):
        def ids(key, path):
            response = self.as_key(key).request("GET", path)
            self.assertEqual(response.status, 200, response.body)
            return [item["id"] for item in response.body]

        self.assertEqual(ids("writer-b", "/jobs"), [self.job_of_b["id"]])
        self.assertEqual(ids("reader-a", "/jobs"), [self.job["id"]])
        self.assertEqual(ids("writer-b", "/jobs?namespace=team-a"), [])
        self.assertEqual(ids("writer-b", "/runs"), [self.run_of_b["id"]])
        self.assertEqual(ids("reader-a", "/runs"), [self.run_of_a["id"]])
        self.assertEqual(sorted(ids("root", "/jobs")), sorted([self.job["id"], self.job_of_b["id"]]))
        self.assertEqual(ids("root", "/jobs?namespace=team-b"), [self.job_of_b["id"]])
        self.assertEqual(len(ids("root", "/runs")), 2)

    def test_a_key_creates_jobs_only_in_its_own_namespace(self):
        b = self.as_key("writer-b")

        refused = b.request("POST", "/jobs", body=dict(JOB, namespace="team-a"))
        explicit = b.request("POST", "/jobs", body=dict(JOB, namespace="team-b"))
        by_admin = self.as_key("root").request("POST", "/jobs", body=another_job(namespace="team-b"))

        self.assertProblem(refused, 403)
        self.assertEqual(explicit.status, 201, explicit.body)
        self.assertEqual(explicit.body["namespace"], "team-b")
        self.assertEqual(by_admin.status, 201, by_admin.body)
        self.assertEqual(by_admin.body["namespace"], "team-b")
        self.assertIn(by_admin.body["id"], [job["id"] for job in b.request("GET", "/jobs").body])

    def test_a_job_never_moves_to_another_namespace(self):
        root = self.as_key("root")

        moved = root.request("PATCH", f"/jobs/{self.job['id']}", body={"namespace": "team-b"})
        echoed = root.request("PATCH", f"/jobs/{self.job['id']}", body={"namespace": "team-a", "name": "renamed"})

        self.assertProblem(moved, 400, "namespace")
        self.assertEqual(echoed.status, 200, echoed.body)
        self.assertEqual(echoed.body["namespace"], "team-a")

    def test_a_malformed_namespace_is_refused(self):
        root = self.as_key("root")

        self.assertProblem(root.request("POST", "/jobs", body=dict(JOB, namespace="Team A")), 400, "namespace")
        self.assertProblem(root.request("GET", "/jobs?namespace=Team%20A"), 400, "namespace")


class ShellTasksNeedAdminTest(KeyedServiceTestCase):
    """A shell task runs as the service's user, beyond any namespace: only admin keys may create one."""

    service_args = ("--key-refresh-interval", REFRESH, "--enable-shell-tasks")
    SHELL = {"type": "shell", "command": ["true"]}

    def test_a_write_key_may_not_create_or_patch_in_a_shell_task_and_an_admin_key_may(self):
        refused = self.as_key("writer-a").request("POST", "/jobs", body=dict(JOB, task=self.SHELL))
        job = self.create("writer-a")
        patched = self.as_key("writer-a").request("PATCH", f"/jobs/{job['id']}", body={"task": self.SHELL})
        by_admin = self.as_key("root").request("POST", "/jobs", body=another_job(task=self.SHELL, namespace="team-a"))

        self.assertProblem(refused, 403)
        self.assertIn("shell", refused.body["detail"])
        self.assertProblem(patched, 403)
        self.assertEqual(by_admin.status, 201, by_admin.body)
        self.assertEqual(self.as_key("writer-a").request("GET", f"/jobs/{by_admin.body['id']}").status, 200)


class UnauthenticatedTest(KeyedServiceTestCase):
    """401 for a missing, malformed, unknown or revoked key, with the Bearer challenge."""

    def test_a_missing_key_gets_the_bare_challenge(self):
        response = self.as_key(None).request("GET", "/jobs")

        self.assertProblem(response, 401)
        self.assertEqual(response.body["code"], "unauthenticated")
        self.assertEqual(response.headers["www-authenticate"], 'Bearer realm="jobsched"')

    def test_bad_tokens_are_invalid(self):
        anonymous = self.as_key(None)
        unknown = "jsk_" + "A" * 43

        for authorization in (f"Bearer {unknown}", "Bearer jsk_short", "Bearer " + "x" * 3000,
                              f"bearer   {unknown}", "Bearer " + self.tokens["root"][:-1] + "?"):
            response = anonymous.request("GET", "/jobs", headers={"Authorization": authorization})
            self.assertProblem(response, 401)
            self.assertEqual(response.headers["www-authenticate"], 'Bearer realm="jobsched", error="invalid_token"',
                             authorization)

    def test_another_scheme_is_no_key(self):
        response = self.as_key(None).request("GET", "/jobs", headers={"Authorization": "Basic dXNlcjpwYXNz"})

        self.assertProblem(response, 401)
        self.assertEqual(response.headers["www-authenticate"], 'Bearer realm="jobsched"')

    def test_unknown_paths_need_a_key_before_they_are_404(self):
        anonymous = self.as_key(None).request("GET", "/nowhere", unchecked="unknown path on purpose")
        keyed = self.as_key("reader-a").request("GET", "/nowhere", unchecked="unknown path on purpose")

        self.assertEqual(anonymous.status, 401)
        self.assertEqual(keyed.status, 404)

    def test_a_key_revoked_by_the_cli_stops_working_within_the_refresh_interval(self):
        writer = self.as_key("writer-a")
        self.assertEqual(writer.request("GET", "/jobs").status, 200)

        self.service.revoke_key("writer-a")
        response = wait_until(lambda: (lambda r: r if r.status == 401 else None)(writer.request("GET", "/jobs")),
                              REFRESH_S * 10 + 2, "the revoked key to be refused")

        self.assertProblem(response, 401)
        self.assertEqual(self.as_key("reader-a").request("GET", "/jobs").status, 200)
        revoked = {row["name"]: row for row in self.service.list_keys()}["writer-a"]
        self.assertNotEqual(revoked["revoked"], "-")


class KeyExpiryTest(KeyedServiceTestCase):
    """A key made with --expires-in works until that instant and is refused from then on."""

    keys = {"reader-a": ("read", "team-a", None)}

    def test_a_key_stops_working_when_it_expires_and_the_list_shows_when(self):
        token = self.service.create_key("temp", "read", namespace="team-a", expires_in="8s")
        listed = {row["name"]: row for row in self.service.list_keys()}
        expires = datetime.datetime.fromisoformat(listed["temp"]["expires"].replace("Z", "+00:00")).timestamp()
        client = self.service.client(token)
        self.addCleanup(client.close)
        # The running service learns of the new key at its next refresh; it works until it expires.
        wait_until(lambda: client.request("GET", "/jobs").status == 200, REFRESH_S * 10 + 2, "the new key to work")
        self.assertLess(time.time(), expires, "the key expired before the test could use it; raise expires_in")

        refused = wait_until(lambda: (lambda r: r if r.status == 401 else None)(client.request("GET", "/jobs")),
                             20, "the key to expire")

        self.assertGreaterEqual(time.time() + 0.05, expires)  # not before its instant (50 ms for clock reads)
        self.assertProblem(refused, 401)
        self.assertIn("expired at", refused.body["detail"])
        self.assertEqual(self.as_key("reader-a").request("GET", "/jobs").status, 200)
        listed = {row["name"]: row for row in self.service.list_keys()}
        self.assertEqual(listed["reader-a"]["expires"], "-")
        bad = self.service.keys_command("create", "--name", "x", "--role", "read", "--expires-in", "soon")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("expires-in", bad.stderr)


class KeysAfterStartTest(ServiceTestCase):
    """The first key, created while an open service runs, turns authentication on."""

    service_args = ("--key-refresh-interval", REFRESH)

    def test_creating_a_key_closes_the_open_service_and_the_key_opens_it(self):
        before = self.service.post_json("/jobs", JOB)
        self.assertEqual(before.status, 201)

        token = self.service.create_key("late", "read")
        refused = wait_until(lambda: (lambda r: r if r.status == 401 else None)(self.service.get_json("/jobs")),
                             REFRESH_S * 10 + 2, "authentication to turn on")
        client = self.service.client(token)
        self.addCleanup(client.close)
        listed = client.request("GET", "/jobs")

        self.assertProblem(refused, 401)
        self.assertEqual(listed.status, 200)
        self.assertEqual([job["id"] for job in listed.body], [before.body["id"]])  # both in "default"

    def test_the_keys_cli_lists_keys_without_tokens_and_refuses_bad_ones(self):
        token = self.service.create_key("ci", "write", namespace="team-a", rate_limit=100)

        rows = self.service.list_keys()
        listing = self.service.keys_command("list").stdout
        duplicate = self.service.keys_command("create", "--name", "ci", "--role", "read")
        bad_role = self.service.keys_command("create", "--name", "x", "--role", "owner")
        unknown = self.service.keys_command("revoke", "nobody")

        self.assertEqual([(row["name"], row["role"], row["namespace"], row["rate_limit"], row["revoked"])
                          for row in rows], [("ci", "write", "team-a", "100", "-")])
        self.assertNotIn(token, listing)
        self.assertNotIn(token[4:], listing)
        self.assertNotEqual(duplicate.returncode, 0)
        self.assertIn("exists already", duplicate.stderr)
        self.assertEqual(duplicate.stdout, "")
        self.assertNotEqual(bad_role.returncode, 0)
        self.assertNotEqual(unknown.returncode, 0)


class RateLimitTest(KeyedServiceTestCase):
    """A token bucket per key: 429 with Retry-After and RateLimit-* headers, then recovery."""

    service_args = ("--key-refresh-interval", REFRESH, "--rate-limit-window", "2s")
    keys = {"small": ("read", "default", 3), "other": ("read", "default", None),
            "unlimited": ("read", "default", 0)}

    def test_a_key_over_its_limit_gets_429_and_recovers_after_the_window(self):
        small = self.as_key("small")

        allowed = [small.request("GET", "/jobs") for _ in range(3)]
        refused = small.request("GET", "/jobs")

        self.assertEqual([r.status for r in allowed], [200, 200, 200])
        self.assertEqual([r.headers["ratelimit-limit"] for r in allowed], ["3", "3", "3"])
        self.assertEqual([r.headers["ratelimit-remaining"] for r in allowed], ["2", "1", "0"])
        self.assertProblem(refused, 429)
        self.assertEqual(refused.body["code"], "rate_limited")
        self.assertEqual(refused.headers["ratelimit-limit"], "3")
        self.assertEqual(refused.headers["ratelimit-remaining"], "0")
        self.assertIn(int(refused.headers["ratelimit-reset"]), (1, 2))
        retry_after = int(refused.headers["retry-after"])
        self.assertEqual(retry_after, 1)  # one request refills every 2 s / 3

        self.assertEqual(self.as_key("other").request("GET", "/jobs").status, 200)
        time.sleep(retry_after)
        self.assertEqual(small.request("GET", "/jobs").status, 200)

    def test_a_key_with_limit_zero_is_not_limited(self):
        unlimited = self.as_key("unlimited")

        responses = [unlimited.request("GET", "/jobs") for _ in range(20)]

        self.assertEqual({r.status for r in responses}, {200})
        self.assertNotIn("ratelimit-limit", responses[-1].headers)

    def test_every_limited_answer_carries_the_headers_refusals_included(self):
        denied = self.as_key("small").request("POST", "/jobs", body=JOB)

        self.assertProblem(denied, 403)
        self.assertEqual(denied.headers["ratelimit-limit"], "3")


class AnonymousRateLimitTest(ServiceTestCase):
    """Without a key, the client address is charged: guessing tokens is limited too."""

    service_args = ("--rate-limit", "3", "--rate-limit-window", "2s")

    def test_the_address_gets_429_after_the_limit(self):
        # Loaded before the requests, which must come faster than the bucket refills (one a 0.67 s).
        contract.shared()
        statuses = [self.service.get_json("/jobs").status for _ in range(4)]

        self.assertEqual(statuses, [200, 200, 200, 429])
        self.assertEqual(self.service.get_json("/healthz").status, 200)
        self.assertEqual(self.service.get_json("/readyz").status, 200)


class TrustedProxyRateLimitTest(ServiceTestCase):
    """Behind a load balancer named in --trusted-proxies, each forwarded client has its own bucket;
    without the setting, X-Forwarded-For changes nothing (a client cannot choose its bucket)."""

    service_args = ("--rate-limit", "2", "--rate-limit-window", "1h", "--trusted-proxies", "127.0.0.1")

    def statuses(self, forwarded_for, count):
        return [self.service.request("GET", "/jobs", headers={"X-Forwarded-For": forwarded_for}).status
                for _ in range(count)]

    def test_each_forwarded_client_is_limited_on_its_own(self):
        self.assertEqual(self.statuses("203.0.113.1", 3), [200, 200, 429])
        self.assertEqual(self.statuses("203.0.113.2", 2), [200, 200])
        self.assertEqual(self.statuses("198.51.100.7, 203.0.113.1", 1), [429])  # what a client claims is skipped


class UntrustedForwardedForTest(ServiceTestCase):
    service_args = ("--rate-limit", "2", "--rate-limit-window", "1h")

    def test_forwarded_addresses_are_ignored_without_trusted_proxies(self):
        statuses = [self.service.request("GET", "/jobs", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status
                    for n in range(3)]

        self.assertEqual(statuses, [200, 200, 429])


class CachingTest(KeyedServiceTestCase):
    """GETs of a job, a run and list pages carry an ETag; If-None-Match answers 304 without a body."""

    def test_every_get_revalidates_with_304(self):
        key = self.as_key("writer-a")
        job = self.create("writer-a", overlap="allow")
        run = self.trigger("writer-a", job["id"])
        # Once the run has finished, nothing changes any more.
        wait_until(lambda: key.request("GET", f"/runs/{run['id']}").body["state"] in TERMINAL_RUN_STATES, 10,
                   "the run to finish")

        for path in (f"/jobs/{job['id']}", "/jobs", "/jobs?limit=1", f"/jobs/{job['id']}/runs", "/runs",
                     f"/runs/{run['id']}", f"/runs/{run['id']}/attempts"):
            first = key.request("GET", path)
            self.assertEqual(first.status, 200, path)
            self.assertEqual(first.headers["cache-control"], "no-cache", path)
            etag = first.headers["etag"]

            cached = key.request("GET", path, headers={"If-None-Match": etag})
            weak_in_list = key.request("GET", path, headers={"If-None-Match": f'"0000000000000000", W/{etag}'})
            other = key.request("GET", path, headers={"If-None-Match": '"0000000000000000"'})

            self.assertEqual(cached.status, 304, path)
            self.assertEqual(cached.body, "", path)
            self.assertEqual(cached.headers["etag"], etag, path)
            self.assertEqual(cached.headers["cache-control"], "no-cache", path)
            self.assertEqual(weak_in_list.status, 304, path)
            self.assertEqual(other.status, 200, path)

    def test_a_change_gives_a_new_etag(self):
        key = self.as_key("writer-a")
        job = self.create("writer-a")
        etag = key.request("GET", f"/jobs/{job['id']}").headers["etag"]

        key.request("PATCH", f"/jobs/{job['id']}", body={"name": "renamed"})
        after = key.request("GET", f"/jobs/{job['id']}", headers={"If-None-Match": etag})

        self.assertEqual(after.status, 200)
        self.assertNotEqual(after.headers["etag"], etag)

    def test_another_namespace_gets_404_not_304_for_a_known_etag(self):
        job = self.create("writer-a")
        etag = self.as_key("writer-a").request("GET", f"/jobs/{job['id']}").headers["etag"]

        response = self.as_key("writer-b").request("GET", f"/jobs/{job['id']}", headers={"If-None-Match": etag})

        self.assertProblem(response, 404)


class AuthenticationStaysOnTest(ServiceTestCase):
    """Issue #14: on a loopback listener (a node behind the shipped nginx or HAProxy), revoking the
    only key turned authentication off, and an anonymous POST /jobs went from 401 to 201. Once a
    database has had a key it requires one, until `jobsched keys disable-auth` says otherwise."""

    service_args = ("--key-refresh-interval", REFRESH)

    def revoke_and_wait(self, name, token):
        self.service.revoke_key(name)
        client = self.service.client(token)
        self.addCleanup(client.close)
        wait_until(lambda: client.request("GET", "/jobs").status == 401, REFRESH_S * 10 + 2,
                   "the revoked key to be refused")

    def test_revoking_the_last_key_on_a_loopback_listener_still_answers_401(self):
        token = self.service.create_key("only", "admin")
        wait_until(lambda: self.service.get_json("/jobs").status == 401, REFRESH_S * 10 + 2,
                   "authentication to turn on")

        self.revoke_and_wait("only", token)
        time.sleep(REFRESH_S * 3)  # several refreshes that find no active key
        anonymous = self.service.post_json("/jobs", JOB)

        self.assertProblem(anonymous, 401)
        self.assertEqual(self.service.get_json("/healthz").status, 200)
        self.assertIn("no API key is active", self.service.log_text())
        self.assertIn("jobsched keys disable-auth", self.service.log_text())

    def test_it_stays_on_across_a_restart(self):
        token = self.service.create_key("only", "admin")
        self.revoke_and_wait("only", token)

        self.service.restart()

        self.assertProblem(self.service.post_json("/jobs", JOB), 401)
        self.assertIn("no API key is active", self.service.log_text())

    def test_a_fresh_database_that_never_had_a_key_stays_open(self):
        created = self.service.post_json("/jobs", JOB)

        self.assertEqual(created.status, 201, created.body)
        self.assertNotIn("no API key is active", self.service.log_text())

    def test_disable_auth_turns_it_off_deliberately_and_only_once_no_key_is_active(self):
        token = self.service.create_key("only", "admin")

        refused = self.service.keys_command("disable-auth")
        self.revoke_and_wait("only", token)
        disabled = self.service.keys_command("disable-auth")
        opened = wait_until(lambda: (lambda r: r if r.status == 201 else None)(self.service.post_json("/jobs", JOB)),
                            REFRESH_S * 10 + 2, "the service to serve without a key again")

        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("'only'", refused.stderr)
        self.assertEqual(disabled.returncode, 0, disabled.stderr)
        self.assertIn("no longer required", disabled.stderr)
        self.assertEqual(opened.status, 201)


class RequireAuthTest(ServiceTestCase):
    """--require-auth (what the shipped deploy configurations set): keys are needed on loopback too,
    before any exists."""

    service_args = ("--require-auth",)

    def test_a_loopback_listener_without_any_key_refuses_everything_but_the_open_routes(self):
        self.assertProblem(self.service.post_json("/jobs", JOB), 401)
        self.assertEqual(self.service.get_json("/healthz").status, 200)
        self.assertIn("no API key exists", self.service.log_text())


class ExposedListenerTest(unittest.TestCase):
    """Beyond loopback the service refuses to run without keys, unless --insecure says so."""

    def setUp(self):
        self.services = []

    def tearDown(self):
        for service in self.services:
            service.close()

    def service(self, *args):
        service = Service(extra_args=["--key-refresh-interval", REFRESH, *args], listen="0.0.0.0:0")
        self.services.append(service)
        return service

    def test_refuses_to_start_without_keys(self):
        service = self.service()

        done = subprocess.run([binary_path(), "serve", "--listen", "0.0.0.0:0", "--db", f"sqlite:{service.db_path}"],
                              capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
                              env=dict(os.environ))

        self.assertNotEqual(done.returncode, 0)
        self.assertIn("refusing to serve on 0.0.0.0:0", done.stdout + done.stderr)
        self.assertNotIn("listening on", done.stdout + done.stderr)

    def test_insecure_serves_everyone_without_keys(self):
        service = self.service("--insecure").start()

        response = service.post_json("/jobs", JOB)

        self.assertEqual(response.status, 201, response.body)
        self.assertIn("--insecure", service.log_text())

    def test_with_a_key_it_starts_and_requires_it(self):
        service = self.service()
        token = service.create_key("root", "admin")
        service.start()
        client = service.client(token)
        self.addCleanup(client.close)

        self.assertEqual(service.get_json("/jobs").status, 401)
        self.assertEqual(client.request("GET", "/jobs").status, 200)

    def test_once_every_key_is_revoked_nobody_gets_in(self):
        service = self.service()
        token = service.create_key("root", "admin")
        service.start()
        client = service.client(token)
        self.addCleanup(client.close)

        service.revoke_key("root")
        refused = wait_until(lambda: (lambda r: r if r.status == 401 else None)(client.request("GET", "/jobs")),
                             REFRESH_S * 10 + 2, "the last key to be refused")

        self.assertEqual(refused.status, 401)
        self.assertEqual(service.get_json("/jobs").status, 401)
        self.assertEqual(service.get_json("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()

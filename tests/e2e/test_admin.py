"""The console's admin endpoints through the real binary: API keys (GET, POST /keys, DELETE
/keys/{name}), the cluster's nodes (GET /nodes) and the service's settings (GET /about).
Every answer is checked against docs/openapi.yaml.
"""

import re
import unittest

from harness import HttpEndpoint, Service, ServiceTestCase, wait_until
from test_auth import REFRESH, REFRESH_S, KeyedServiceTestCase

VERSION = re.compile(r"^\d+\.\d+\.\d+")


class KeysTest(KeyedServiceTestCase):
    keys = {"root": ("admin", "ops", None), "reader-a": ("read", "team-a", None)}

    def test_lists_every_key_without_tokens(self):
        response = self.as_key("root").request("GET", "/keys")

        self.assertEqual(response.status, 200, response.body)
        self.assertEqual([(key["name"], key["role"], key["namespace"], key["revoked_at"]) for key in response.body],
                         [("reader-a", "read", "team-a", None), ("root", "admin", "ops", None)])
        for token in self.tokens.values():
            self.assertNotIn(token[4:], str(response.body))

    def test_a_created_key_shows_its_token_once_and_works_from_the_next_refresh(self):
        created = self.as_key("root").request("POST", "/keys", body={
            "name": "dashboard", "role": "read", "namespace": "team-a", "expires_in": "90d", "rate_limit": 50})

        self.assertEqual(created.status, 201, created.body)
        self.assertRegex(created.body["token"], r"^jsk_[A-Za-z0-9_-]{43}$")
        self.assertEqual((created.body["name"], created.body["role"], created.body["namespace"],
                          created.body["rate_limit"]), ("dashboard", "read", "team-a", 50))
        self.assertIsNotNone(created.body["expires_at"])
        self.assertEqual(created.headers["cache-control"], "no-store")
        client = self.service.client(created.body["token"])
        self.addCleanup(client.close)
        wait_until(lambda: client.request("GET", "/jobs").status == 200, REFRESH_S * 10 + 2, "the new key to work")
        listed = {row["name"]: row for row in self.service.list_keys()}
        self.assertEqual(listed["dashboard"]["rate_limit"], "50")
        self.assertNotIn("token", str(self.as_key("root").request("GET", "/keys").body))

    def test_a_key_takes_the_defaults_it_is_not_given(self):
        created = self.as_key("root").request("POST", "/keys", body={"name": "plain", "role": "write"})

        self.assertEqual(created.status, 201, created.body)
        self.assertEqual((created.body["namespace"], created.body["rate_limit"], created.body["expires_at"]),
                         ("default", None, None))

    def test_bad_keys_are_refused_naming_the_field_as_keys_create_would(self):
        root = self.as_key("root")
        cases = [({"role": "read"}, "name"), ({"name": "x"}, "role"), ({"name": "X Y", "role": "read"}, "name"),
                 ({"name": "x", "role": "owner"}, "role"), ({"name": "x", "role": "read", "namespace": "A"}, "namespace"),
                 ({"name": "x", "role": "read", "expires_in": "soon"}, "expires_in"),
                 ({"name": "x", "role": "read", "rate_limit": -1}, "rate_limit"),
                 ({"name": "x", "role": "read", "rate_limit": "many"}, "rate_limit"),
                 ({"name": "x", "role": "read", "token": "jsk_mine"}, "token")]

        for body, field in cases:
            self.assertProblem(root.request("POST", "/keys", body=body), 400, field)
        self.assertEqual(len(root.request("GET", "/keys").body), 2)

    def test_a_name_is_never_reused(self):
        root = self.as_key("root")
        self.assertEqual(root.request("DELETE", "/keys/reader-a").status, 200)

        again = root.request("POST", "/keys", body={"name": "reader-a", "role": "read"})

        self.assertProblem(again, 409)

    def test_revoking_answers_the_revoked_key_and_the_token_stops_working(self):
        root = self.as_key("root")

        revoked = root.request("DELETE", "/keys/reader-a")
        again = root.request("DELETE", "/keys/reader-a")
        missing = root.request("DELETE", "/keys/nobody")

        self.assertEqual(revoked.status, 200, revoked.body)
        self.assertEqual(revoked.body["name"], "reader-a")
        self.assertIsNotNone(revoked.body["revoked_at"])
        self.assertEqual(again.body["revoked_at"], revoked.body["revoked_at"])
        self.assertProblem(missing, 404)
        reader = self.as_key("reader-a")
        wait_until(lambda: reader.request("GET", "/jobs").status == 401, REFRESH_S * 10 + 2, "the revoked key to fail")

    def test_only_admin_keys_manage_keys(self):
        reader = self.as_key("reader-a")

        for method, path, body in (("GET", "/keys", None), ("POST", "/keys", {"name": "mine", "role": "admin"}),
                                   ("DELETE", "/keys/root", None), ("GET", "/about", None)):
            response = reader.request(method, path, body=body)
            self.assertProblem(response, 403)
            self.assertIn("needs admin", response.body["detail"])
        self.assertProblem(self.as_key(None).request("GET", "/keys"), 401)
        self.assertEqual(len(self.as_key("root").request("GET", "/keys").body), 2)


class AboutTest(ServiceTestCase):
    service_args = ("--smtp-url", "smtp://relay:t0ps3cret@127.0.0.1:2525", "--roles", "api,scheduler,executor")

    def setUp(self):
        # A secret from the environment, where credentials come from.
        self.service = Service(extra_args=self.service_args, env={"JOBSCHED_SMTP_PASSWORD": "hunter2"})
        self.addCleanup(self.service.close)
        self.service.start()

    def test_about_shows_the_version_database_roles_and_settings_with_secrets_redacted(self):
        response = self.service.get_json("/about")

        self.assertEqual(response.status, 200, response.body)
        self.assertRegex(response.body["version"], VERSION)
        self.assertEqual(response.body["database"], "sqlite")
        self.assertEqual(response.body["roles"], ["api", "scheduler", "executor"])
        settings = response.body["settings"]
        self.assertEqual(settings["smtp_url"], "smtp://relay:REDACTED@127.0.0.1:2525")
        self.assertEqual(settings["session_idle_timeout"], "12h")
        self.assertEqual(settings["max_concurrent_runs"], 256)
        self.assertIs(settings["enable_shell_tasks"], False)
        self.assertEqual(settings["smtp_password"], "REDACTED")
        self.assertEqual(settings["smtp_username"], "")
        self.assertNotIn("t0ps3cret", str(response.body))
        self.assertNotIn("hunter2", str(response.body))
        cached = self.service.request("GET", "/about", headers={"If-None-Match": response.headers["etag"]})
        self.assertEqual(cached.status, 304)


class NodesTest(ServiceTestCase):
    # Heartbeats every lease_timeout / 6: the node shows up quickly.
    service_args = ("--lease-timeout", "1s")

    def test_this_node_is_listed_with_the_runs_it_is_running(self):
        endpoint = HttpEndpoint()
        self.addCleanup(endpoint.close)
        endpoint.route("/slow", 200, "", delay_s=30)
        job = self.create_job(name="slow", every="1h", overlap="allow",
                              task={"type": "http", "url": endpoint.url("/slow")})
        self.assertEqual(self.service.request("POST", f"/jobs/{job['id']}/trigger").status, 202)
        endpoint.wait_for_requests(1, "/slow")

        nodes = wait_until(lambda: (lambda r: r.body if r.body and r.body[0]["running_runs"] == 1 else None)(
            self.service.get_json("/nodes")), 10, "the node and its running run")

        self.assertEqual(len(nodes), 1)
        self.assertRegex(nodes[0]["id"], r"-\d+-\d+$")


if __name__ == "__main__":
    unittest.main()

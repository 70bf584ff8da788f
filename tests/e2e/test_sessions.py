"""Console sessions (docs/decisions/0008) through the real binary: an API key exchanged for a
session cookie, the cookie standing in for the key, the CSRF defence on changes, sign-out, and
the key's revocation ending its sessions.

Requests carry the cookie and the headers a browser would (Host is 127.0.0.1:PORT, so the
service's own origin is http://127.0.0.1:PORT). Every answer is checked against
docs/openapi.yaml, Set-Cookie included.
"""

import re
import unittest

from harness import ServiceTestCase, form_body, list_all_jobs, wait_until
from test_auth import REFRESH, REFRESH_S, KeyedServiceTestCase

COOKIE = re.compile(r"^jobsched_session=([A-Za-z0-9_-]{43}); Path=/; HttpOnly; SameSite=Strict(; Secure)?$")


class SessionTestCase(KeyedServiceTestCase):
    keys = {
        "root": ("admin", "ops", None),
        "writer-a": ("write", "team-a", None),
        "reader-a": ("read", "team-a", None),
    }

    def origin(self):
        return f"http://127.0.0.1:{self.service.port}"

    def sign_in(self, key, headers=None):
        """Signs in with key `key`; returns (answer, cookie value)."""
        client = self.as_key(None)
        response = client.request("POST", "/sessions", body={"token": self.tokens[key]},
                                  headers=dict({"Origin": self.origin()}, **(headers or {})))
        self.assertEqual(response.status, 201, response.body)
        match = COOKIE.match(response.headers["set-cookie"])
        self.assertIsNotNone(match, response.headers["set-cookie"])
        return response, match.group(1)

    def browser(self, method, path, cookie, csrf=None, origin="own", body=None, headers=None):
        """A request as a browser sends it with the session cookie."""
        sent = dict(headers or {})
        sent["Cookie"] = f"theme=dark; jobsched_session={cookie}"
        if origin == "own":
            sent["Origin"] = self.origin()
        elif origin is not None:
            sent["Origin"] = origin
        if csrf is not None:
            sent["X-CSRF-Token"] = csrf
        return self.as_key(None).request(method, path, body=body, headers=sent)


class SignInTest(SessionTestCase):

    def test_signing_in_sets_an_http_only_strict_cookie_and_answers_the_session(self):
        response, cookie = self.sign_in("writer-a")

        self.assertEqual(response.body["authentication"], True)
        self.assertEqual(response.body["key_name"], "writer-a")
        self.assertEqual(response.body["role"], "write")
        self.assertEqual(response.body["namespace"], "team-a")
        self.assertRegex(response.body["csrf_token"], r"^[A-Za-z0-9_-]{43}$")
        self.assertNotEqual(response.body["csrf_token"], cookie)
        self.assertEqual(response.headers["cache-control"], "no-store")
        self.assertNotIn("Secure", response.headers["set-cookie"])  # plain HTTP, no trusted proxy

    def test_the_cookie_stands_in_for_the_key_and_get_session_repeats_the_token(self):
        signed_in, cookie = self.sign_in("writer-a")
        job = self.create("writer-a")

        session = self.browser("GET", "/session", cookie)
        jobs = self.browser("GET", "/jobs", cookie)

        self.assertEqual(session.status, 200, session.body)
        self.assertEqual(session.body, signed_in.body)
        self.assertEqual(jobs.status, 200, jobs.body)
        self.assertEqual([each["id"] for each in jobs.body], [job["id"]])

    def test_an_admin_session_sees_every_namespace(self):
        response, cookie = self.sign_in("root")
        self.create("writer-a")

        self.assertIsNone(response.body["namespace"])
        self.assertEqual(len(self.browser("GET", "/jobs", cookie).body), 1)

    def test_a_change_with_the_cookie_and_its_token_is_made(self):
        response, cookie = self.sign_in("writer-a")

        created = self.browser("POST", "/jobs", cookie, csrf=response.body["csrf_token"],
                               body={"name": "from the console", "every": "1h"})

        self.assertEqual(created.status, 201, created.body)
        self.assertEqual(created.body["namespace"], "team-a")

    def test_the_role_is_the_keys(self):
        response, cookie = self.sign_in("reader-a")

        refused = self.browser("POST", "/jobs", cookie, csrf=response.body["csrf_token"],
                               body={"name": "not allowed", "every": "1h"})

        self.assertProblem(refused, 403)
        self.assertIn("needs write", refused.body["detail"])

    def test_bad_tokens_are_refused(self):
        anonymous = self.as_key(None)

        for token in ("jsk_" + "A" * 43, "jsk_short", self.tokens["root"][:-1] + "?"):
            response = anonymous.request("POST", "/sessions", body={"token": token})
            self.assertProblem(response, 401)
            self.assertNotIn("set-cookie", response.headers)

    def test_bad_bodies_name_what_is_wrong(self):
        anonymous = self.as_key(None)

        missing = anonymous.request("POST", "/sessions", body={})
        unknown = anonymous.request("POST", "/sessions", body={"token": self.tokens["root"], "remember": True})
        not_a_string = anonymous.request("POST", "/sessions", body={"token": 7})
        form = anonymous.request("POST", "/sessions", body=form_body({"token": self.tokens["root"]}),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})

        self.assertProblem(missing, 400, "token")
        self.assertProblem(unknown, 400, "remember")
        self.assertProblem(not_a_string, 400, "token")
        self.assertProblem(form, 415, "Content-Type")

    def test_another_site_cannot_sign_a_browser_in(self):
        response = self.as_key(None).request("POST", "/sessions", body={"token": self.tokens["root"]},
                                             headers={"Origin": "http://evil.example"})

        self.assertProblem(response, 403, "Origin")
        self.assertNotIn("set-cookie", response.headers)

    def test_a_bearer_token_is_its_own_session_without_a_csrf_token(self):
        response = self.as_key("writer-a").request("GET", "/session")

        self.assertEqual(response.status, 200, response.body)
        self.assertEqual((response.body["key_name"], response.body["csrf_token"], response.body["expires_at"]),
                         ("writer-a", None, None))

    def test_without_credentials_get_session_is_401(self):
        self.assertProblem(self.as_key(None).request("GET", "/session"), 401)


class CrossSiteTest(SessionTestCase):
    """Issue #16: a cross-site form post carrying the cookie is refused and changes nothing.
    SameSite=Strict keeps browsers from sending the cookie with it at all; these requests send
    it anyway, as a browser without SameSite would."""

    def test_a_cross_site_form_post_carrying_the_cookie_is_refused_and_changes_nothing(self):
        _, cookie = self.sign_in("root")
        form = form_body({"name": "planted by evil.example", "every": "1m", "namespace": "ops"})

        refused = self.browser("POST", "/jobs", cookie, origin="http://evil.example", body=form,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})

        self.assertProblem(refused, 403, "Origin")
        self.assertIn("evil.example", refused.body["detail"])
        names = [job["name"] for job in list_all_jobs(self.as_key("root"))]
        self.assertNotIn("planted by evil.example", names)

    def test_cross_site_deletes_and_pauses_are_refused_and_the_job_stays(self):
        _, cookie = self.sign_in("root")
        job = self.create("root")

        deleted = self.browser("DELETE", f"/jobs/{job['id']}", cookie, origin="http://evil.example")
        paused = self.browser("POST", f"/jobs/{job['id']}/pause", cookie, origin="http://evil.example")

        self.assertProblem(deleted, 403)
        self.assertProblem(paused, 403)
        after = self.as_key("root").request("GET", f"/jobs/{job['id']}")
        self.assertEqual(after.status, 200)
        self.assertEqual((after.body["is_active"], after.body["version"]), (True, 1))

    def test_a_change_without_the_token_is_refused_even_without_an_origin(self):
        _, cookie = self.sign_in("root")

        refused = self.browser("POST", "/jobs", cookie, origin=None, body={"name": "no token", "every": "1h"})
        wrong = self.browser("POST", "/jobs", cookie, csrf="x" * 43, body={"name": "wrong token", "every": "1h"})

        self.assertProblem(refused, 403, "X-CSRF-Token")
        self.assertProblem(wrong, 403, "X-CSRF-Token")
        self.assertEqual(list_all_jobs(self.as_key("root")), [])

    def test_another_sessions_token_does_not_fit(self):
        _, cookie = self.sign_in("root")
        other, _ = self.sign_in("root")

        refused = self.browser("POST", "/jobs", cookie, csrf=other.body["csrf_token"],
                               body={"name": "borrowed token", "every": "1h"})

        self.assertProblem(refused, 403, "X-CSRF-Token")


class SignOutTest(SessionTestCase):

    def test_signing_out_ends_the_session_and_expires_the_cookie(self):
        response, cookie = self.sign_in("writer-a")

        without_token = self.browser("DELETE", "/session", cookie)
        signed_out = self.browser("DELETE", "/session", cookie, csrf=response.body["csrf_token"])
        after = self.browser("GET", "/jobs", cookie)

        self.assertProblem(without_token, 403, "X-CSRF-Token")
        self.assertEqual(signed_out.status, 204, signed_out.body)
        self.assertEqual(signed_out.headers["set-cookie"],
                         "jobsched_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
        self.assertProblem(after, 401)
        self.assertIn("session has ended", after.body["detail"])

    def test_other_sessions_of_the_key_go_on(self):
        first, cookie = self.sign_in("writer-a")
        _, other = self.sign_in("writer-a")

        self.browser("DELETE", "/session", cookie, csrf=first.body["csrf_token"])

        self.assertEqual(self.browser("GET", "/jobs", other).status, 200)

    def test_revoking_the_key_ends_its_sessions_within_the_refresh_interval(self):
        _, cookie = self.sign_in("writer-a")
        self.assertEqual(self.browser("GET", "/jobs", cookie).status, 200)

        revoked = self.as_key("root").request("DELETE", "/keys/writer-a")
        refused = wait_until(lambda: (lambda r: r if r.status == 401 else None)(self.browser("GET", "/jobs", cookie)),
                             REFRESH_S * 10 + 2, "the revoked key's session to be refused")

        self.assertEqual(revoked.status, 200, revoked.body)
        self.assertIn("'writer-a' was revoked", refused.body["detail"])

    def test_sessions_survive_a_restart(self):
        _, cookie = self.sign_in("reader-a")

        self.service.restart()
        self.clients.clear()

        self.assertEqual(self.browser("GET", "/jobs", cookie).status, 200)


class RateLimitedSignInTest(SessionTestCase):
    service_args = ("--key-refresh-interval", REFRESH, "--rate-limit", "3", "--rate-limit-window", "1h")

    def test_sign_in_guesses_are_charged_to_the_address(self):
        anonymous = self.as_key(None)
        statuses = [anonymous.request("POST", "/sessions", body={"token": "jsk_" + c * 43}).status for c in "ABCD"]

        self.assertEqual(statuses, [401, 401, 401, 429])


class TlsProxyTest(SessionTestCase):
    service_args = ("--key-refresh-interval", REFRESH, "--trusted-proxies", "127.0.0.1")

    def test_the_cookie_is_secure_when_the_trusted_proxy_says_https(self):
        https, _ = self.sign_in("reader-a", headers={"X-Forwarded-Proto": "https",
                                                    "Origin": f"https://127.0.0.1:{self.service.port}"})
        http, _ = self.sign_in("reader-a", headers={"X-Forwarded-Proto": "http"})

        self.assertTrue(https.headers["set-cookie"].endswith("; Secure"), https.headers["set-cookie"])
        self.assertNotIn("Secure", http.headers["set-cookie"])


class UntrustedProxyTest(SessionTestCase):

    def test_a_client_cannot_claim_https(self):
        response, _ = self.sign_in("reader-a", headers={"X-Forwarded-Proto": "https"})

        self.assertNotIn("Secure", response.headers["set-cookie"])


class OpenServiceSessionTest(ServiceTestCase):
    """Without keys on loopback the console opens without signing in, as the API does."""

    def test_get_session_says_authentication_is_off(self):
        response = self.service.get_json("/session")

        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.body, {"authentication": False, "key_name": None, "role": "admin",
                                         "namespace": None, "csrf_token": None, "expires_at": None})

    def test_signing_in_without_keys_is_refused(self):
        self.assertProblem(self.service.post_json("/sessions", {"token": "jsk_" + "A" * 43}), 401)

    def test_a_cookie_changes_nothing_when_nobody_authenticates(self):
        created = self.service.request("POST", "/jobs", body={"name": "open", "every": "1h"},
                                       headers={"Cookie": "jobsched_session=" + "Q" * 43})

        self.assertEqual(created.status, 201, created.body)


if __name__ == "__main__":
    unittest.main()

"""Safe task execution through the real binary: which hosts webhooks may reach, secrets kept out of
responses, signed webhooks, and shell tasks only when the operator enables them."""

import hashlib
import hmac
import json
import time
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
        return self.run_job(self.create_job(task=task))

    def run_job(self, job):
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

    def test_refuses_ipv6_forms_that_carry_or_hide_a_non_public_ipv4_address(self):
        # Issue #14: SIIT (::ffff:0:0/96) and local-use NAT64 forms of 127.0.0.1 and 10.0.0.1 were tried.
        cases = [("::ffff:0:7f00:1", "loopback"), ("::ffff:0:a00:1", "private"),
                 ("64:ff9b:1::a00:1", "local-use NAT64"), ("2001::a00:1", "Teredo")]
        for address, range_name in cases:
            with self.subTest(address=address):
                run = self.run_task({"type": "http", "url": f"http://[{address}]:{self.endpoint.port}/hook"})

                self.assertRefused(run, f"{address} ({range_name})")
        self.assertEqual(self.endpoint.requests, [])


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


SECRETS = ("Bearer s3cret-token", "k3y-value-secret", "signing-secret-0123456789")


class RedactionTest(SafeTasksTestCase):
    """Authorization, the headers a task marks secret and its signing secret are stored and sent,
    but every response shows them as REDACTED, and the log never has them."""

    def secret_task(self, path="/hook"):
        return {"type": "http", "url": self.endpoint.url(path),
                "headers": {"Authorization": SECRETS[0], "X-Api-Key": SECRETS[1], "X-Trace": "visible"},
                "secret_headers": ["X-Api-Key"], "signing_secret": SECRETS[2]}

    def assertRedacted(self, task):
        self.assertEqual(task["headers"], {"Authorization": "REDACTED", "X-Api-Key": "REDACTED", "X-Trace": "visible"})
        self.assertEqual(task["secret_headers"], ["X-Api-Key"])
        self.assertEqual(task["signing_secret"], "REDACTED")

    def assertNoSecretIn(self, text):
        for secret in SECRETS:
            self.assertNotIn(secret, text)

    def test_every_response_shows_the_secrets_as_redacted(self):
        created = self.service.post_json("/jobs", {"name": "hook", "interval": "daily", "task": self.secret_task()})
        job_id = created.body["id"]
        read = self.service.get_json(f"/jobs/{job_id}")
        listed = self.service.get_json("/jobs?type=http")
        patched = self.service.request("PATCH", f"/jobs/{job_id}", body={"name": "renamed"},
                                       headers={"Content-Type": "application/merge-patch+json"})
        paused = self.service.request("POST", f"/jobs/{job_id}/pause")

        self.assertEqual(created.status, 201, created.body)
        for response in (created, read, patched, paused):
            self.assertEqual(response.status, 200 if response is not created else 201, response.body)
            self.assertRedacted(response.body["task"])
            self.assertNoSecretIn(json.dumps(response.body))
        self.assertRedacted(listed.body[0]["task"])
        self.assertNoSecretIn(json.dumps(listed.body))

    def test_the_secrets_are_sent_and_never_logged(self):
        job = self.create_job(task=self.secret_task())

        run = self.run_job(job)

        self.assertEqual(run["state"], "succeeded", run)
        request = self.endpoint.requests_to("/hook")[0]
        self.assertEqual(request.headers["authorization"], SECRETS[0])
        self.assertEqual(request.headers["x-api-key"], SECRETS[1])
        self.assertNoSecretIn(json.dumps(run))
        self.assertNoSecretIn(self.service.log_text())

    def test_patching_the_task_back_with_the_placeholder_keeps_the_stored_secrets(self):
        job = self.create_job(task=self.secret_task())
        task = self.service.get_json(f"/jobs/{job['id']}").body["task"]
        task["url"] = self.endpoint.url("/moved")
        task["headers"]["X-Trace"] = "changed"

        patched = self.service.request("PATCH", f"/jobs/{job['id']}", body={"task": task},
                                       headers={"Content-Type": "application/merge-patch+json"})
        run = self.run_job(job)

        self.assertEqual(patched.status, 200, patched.body)
        self.assertEqual(patched.body["task"]["headers"],
                         {"Authorization": "REDACTED", "X-Api-Key": "REDACTED", "X-Trace": "changed"})
        self.assertEqual(patched.body["task"]["signing_secret"], "REDACTED")
        self.assertEqual(run["state"], "succeeded", run)
        request = self.endpoint.requests_to("/moved")[0]
        self.assertEqual(request.headers["authorization"], SECRETS[0])
        self.assertEqual(request.headers["x-api-key"], SECRETS[1])
        self.assertEqual(request.headers["x-trace"], "changed")

    def test_the_placeholder_does_not_take_the_secrets_to_another_origin(self):
        # Issue #14: moving the URL to a host of one's choosing while sending REDACTED made the next
        # run send the stored secrets there.
        elsewhere = HttpEndpoint()
        self.addCleanup(elsewhere.close)
        job = self.create_job(task=self.secret_task())
        task = self.service.get_json(f"/jobs/{job['id']}").body["task"]
        task["url"] = elsewhere.url("/hook")
        without_headers = dict(task, headers={"X-Trace": "t"}, secret_headers=[])

        moved = self.service.request("PATCH", f"/jobs/{job['id']}", body={"task": task},
                                     headers={"Content-Type": "application/merge-patch+json"})
        signing_only = self.service.request("PATCH", f"/jobs/{job['id']}", body={"task": without_headers},
                                            headers={"Content-Type": "application/merge-patch+json"})
        run = self.run_job(job)

        self.assertProblem(moved, 400, "task.headers.Authorization")
        self.assertIn("origin", moved.body["detail"])
        self.assertProblem(signing_only, 400, "task.signing_secret")
        self.assertEqual(run["state"], "succeeded", run)
        self.assertEqual(elsewhere.requests, [])
        self.assertEqual(self.endpoint.requests_to("/hook")[0].headers["authorization"], SECRETS[0])

    def test_patching_a_new_secret_replaces_the_stored_one(self):
        job = self.create_job(task=self.secret_task())
        task = self.secret_task()
        task["headers"]["Authorization"] = "Bearer rotated"

        patched = self.service.request("PATCH", f"/jobs/{job['id']}", body={"task": task},
                                       headers={"Content-Type": "application/merge-patch+json"})
        run = self.run_job(job)

        self.assertEqual(patched.status, 200, patched.body)
        self.assertEqual(run["state"], "succeeded", run)
        self.assertEqual(self.endpoint.requests_to("/hook")[0].headers["authorization"], "Bearer rotated")

    def test_a_new_job_cannot_use_the_placeholder(self):
        task = self.secret_task()
        task["headers"]["Authorization"] = "REDACTED"

        response = self.service.post_json("/jobs", {"name": "copy", "interval": "daily", "task": task})

        self.assertProblem(response, 400, "task.headers.Authorization")
        self.assertIn("send the value itself", response.body["detail"])


def verify_signature(secret, header, body, now, tolerance_s=300):
    """What a receiver does with Jobsched-Signature (README, "Safe tasks"): True when `header` signs
    `body` (bytes, as received) under `secret` with a time within `tolerance_s` of `now`."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


class SigningTest(SafeTasksTestCase):
    SECRET = "whsec-e2e-0123456789abcdef"

    def test_a_signed_webhook_verifies_with_the_secret(self):
        before = time.time()
        run = self.run_task({"type": "http", "url": self.endpoint.url("/signed"), "body": {"event": "tick"},
                             "signing_secret": self.SECRET})

        self.assertEqual(run["state"], "succeeded", run)
        request = self.endpoint.requests_to("/signed")[0]
        header = request.headers["jobsched-signature"]
        self.assertRegex(header, r"^t=\d+,v1=[0-9a-f]{64}$")
        self.assertTrue(verify_signature(self.SECRET, header, request.body, time.time()), header)
        self.assertGreaterEqual(int(header.split(",")[0][2:]), int(before) - 1)
        self.assertFalse(verify_signature("another-secret-0123456789", header, request.body, time.time()))
        self.assertFalse(verify_signature(self.SECRET, header, request.body + b" ", time.time()))
        self.assertFalse(verify_signature(self.SECRET, header, request.body, time.time() + 3600))

    def test_an_unsigned_webhook_has_no_signature(self):
        run = self.run_task({"type": "http", "url": self.endpoint.url("/plain")})

        self.assertEqual(run["state"], "succeeded", run)
        self.assertNotIn("jobsched-signature", self.endpoint.requests_to("/plain")[0].headers)


MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


class ShellDisabledTest(SafeTasksTestCase):
    """Without --enable-shell-tasks, shell tasks are refused before anything is stored."""

    def test_refused_at_creation_naming_task_type(self):
        response = self.service.post_json("/jobs", {"name": "backup", "interval": "daily",
                                                    "task": {"type": "shell", "command": ["true"]}})

        self.assertProblem(response, 400, "task.type")
        self.assertIn("--enable-shell-tasks", response.body["detail"])
        self.assertEqual(self.service.get_json("/jobs").body, [])

    def test_refused_in_a_patch(self):
        job = self.create_job(task={"type": "noop"})

        response = self.service.request("PATCH", f"/jobs/{job['id']}",
                                        body={"task": {"type": "shell", "command": ["true"]}}, headers=MERGE_PATCH)

        self.assertProblem(response, 400, "task.type")
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body["task"], {"type": "noop"})


class ShellEnabledTest(SafeTasksTestCase):
    service_args = ("--enable-shell-tasks",)

    def test_runs_the_command_without_a_shell_and_keeps_its_output(self):
        run = self.run_task({"type": "shell", "command": ["/bin/sh", "-c", "echo hello $GREETING; echo oops >&2",
                                                          "ignored-$0"],
                             "env": {"GREETING": "world"}})

        self.assertEqual(run["state"], "succeeded", run)
        self.assertEqual(run["output"], "hello world\noops\n")

    def test_secret_variables_are_redacted_in_responses_and_passed_to_the_command(self):
        task = {"type": "shell", "command": ["/bin/sh", "-c", 'echo $PGHOST $(printf %s "$PGPASSWORD" | md5sum)'],
                "env": {"PGHOST": "db", "PGPASSWORD": "s3cret"}, "secret_env": ["PGPASSWORD"]}
        job = self.create_job(task=task)
        shown = self.service.get_json(f"/jobs/{job['id']}").body["task"]
        patched = self.service.request("PATCH", f"/jobs/{job['id']}", body=json.dumps({"task": shown}),
                                       headers={"Content-Type": "application/json"})

        self.assertEqual(job["task"]["env"], {"PGHOST": "db", "PGPASSWORD": "REDACTED"})
        self.assertEqual(shown["env"]["PGPASSWORD"], "REDACTED")
        self.assertEqual(shown["secret_env"], ["PGPASSWORD"])
        self.assertEqual(patched.status, 200, patched.body)  # the placeholder keeps the stored value
        run = self.run_job(job)
        self.assertEqual(run["state"], "succeeded", run)
        self.assertEqual(run["output"], f"db {hashlib.md5(b's3cret').hexdigest()} -\n")  # the real value
        self.assertNotIn("s3cret", json.dumps(self.service.get_json(f"/jobs/{job['id']}").body))

    def test_arguments_are_not_interpreted(self):
        run = self.run_task({"type": "shell", "command": ["echo", "$HOME;", "*"]})

        self.assertEqual(run["state"], "succeeded", run)
        self.assertEqual(run["output"], "$HOME; *\n")

    def test_a_non_zero_exit_code_fails_the_run(self):
        run = self.run_task({"type": "shell", "command": ["/bin/sh", "-c", "echo half-done; exit 4"]})

        self.assertEqual(run["state"], "failed", run)
        self.assertEqual(run["error"], "exited with code 4")
        self.assertEqual(run["output"], "half-done\n")

    def test_the_job_timeout_kills_the_command(self):
        job = self.create_job(timeout="1s", task={"type": "shell", "command": ["sleep", "30"]})
        started = time.monotonic()

        run = self.run_job(job)

        self.assertEqual(run["state"], "timed_out", run)
        self.assertIn("process group was stopped", run["error"])
        self.assertLess(time.monotonic() - started, 8)

    def test_shell_jobs_are_listed_by_type(self):
        job = self.create_job(task={"type": "shell", "command": ["true"], "working_dir": "/"})
        self.create_job(task={"type": "noop"})

        listed = self.service.get_json("/jobs?type=shell").body

        self.assertEqual([found["id"] for found in listed], [job["id"]])
        self.assertEqual(listed[0]["task"], {"type": "shell", "command": ["true"], "env": {}, "working_dir": "/"})

    def test_a_node_without_the_setting_fails_the_run_clearly(self):
        job = self.create_job(task={"type": "shell", "command": ["true"]})
        self.service.stop()
        self.service.extra_args = [arg for arg in self.service.extra_args if arg != "--enable-shell-tasks"]
        self.service.start()

        run = self.run_job(job)

        self.assertEqual(run["state"], "failed", run)
        self.assertIn("--enable-shell-tasks is not set", run["error"])


if __name__ == "__main__":
    unittest.main()

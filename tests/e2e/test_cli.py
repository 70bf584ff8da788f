"""The `jobsched` client commands (job, run, completion) through the real binary against a real service.

Every JSON the commands print is checked against the OpenAPI schemas, like every answer the
other suites receive. Jobs as code (`apply`, `diff`) and `job edit` are in test_cli_apply.py;
following a run through the event stream (`run logs -f`, `job trigger --wait`) in test_cli_follow.py.
"""

import json
import os
import pty
import re
import select
import shlex
import signal
import ssl
import socket
import subprocess
import threading
import time
import unittest

import yaml

from cli_testing import Cli, check_schema
from harness import HttpEndpoint, Service, ServiceTestCase, free_port, wait_until

EXIT_USAGE, EXIT_NOT_FOUND, EXIT_CONFLICT, EXIT_AUTH, EXIT_UNAVAILABLE, EXIT_RUN_FAILED = 1, 2, 3, 4, 5, 6


class CliTestCase(ServiceTestCase):
    def setUp(self):
        super().setUp()
        self.cli = Cli(f"http://127.0.0.1:{self.service.port}")
        self.addCleanup(self.cli.close)

    def assertExit(self, done, code, says=None):
        self.assertEqual(done.returncode, code, f"stdout: {done.stdout}\nstderr: {done.stderr}")
        if says is not None:
            self.assertIn(says, done.stderr)


class JobCommandsTest(CliTestCase):

    def test_create_prints_what_it_made_and_list_and_get_print_every_format(self):
        created = self.cli.ok("job", "create", "--name", "report", "--cron", "30 2 * * *", "--timezone",
                              "Europe/Berlin", "--noop")
        self.cli.ok("job", "create", "--name", "ping", "--every", "15m", "--namespace", "team-a")

        self.assertRegex(created.stdout, r"^created job 1 \(default/report\); next run in \S+ \(\d{4}-")
        jobs = self.cli.json("job", "list")
        self.assertEqual([job["name"] for job in jobs], ["report", "ping"])
        for job in jobs:
            check_schema("Job", job, "job list -o json")
        lines = self.cli.ok("job", "list", "-o", "jsonl").stdout.splitlines()
        self.assertEqual([json.loads(line) for line in lines], jobs)
        listed = yaml.safe_load(self.cli.ok("job", "list", "-o", "yaml").stdout)
        self.assertEqual(listed, jobs)  # every timestamp came back a string: YAML quoted them
        self.assertEqual(self.cli.ok("job", "list", "-o", "name").stdout, "default/report\nteam-a/ping\n")
        table = self.cli.ok("job", "list").stdout.splitlines()
        self.assertRegex(table[0], r"^ID\s+NAMESPACE\s+NAME\s+SCHEDULE\s+STATE\s+NEXT RUN\s+LAST RUN$")
        self.assertRegex(table[1], r"^1\s+default\s+report\s+cron 30 2 \* \* \* \(Europe/Berlin\)\s+active\s+in ")
        self.assertNotIn("\x1b[", "\n".join(table))  # not a terminal: no colour

    def list_on_a_terminal(self, env=None):
        """`job list` with its standard output on a pseudo-terminal; what it printed."""
        primary, secondary = pty.openpty()
        process = subprocess.Popen([self.cli.binary, "job", "list", "--server", self.cli.server],
                                   stdin=subprocess.DEVNULL, stdout=secondary, stderr=subprocess.PIPE,
                                   env=dict(self.cli.env, **(env or {})))
        os.close(secondary)
        text = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the other side closed: the command has exited
                break
            if not chunk:
                break
            text += chunk
        os.close(primary)
        self.assertEqual(process.wait(30), 0, process.stderr.read())
        process.stderr.close()
        return text.decode("utf-8")

    def test_tables_are_coloured_only_on_a_terminal_and_never_with_no_color(self):
        self.cli.ok("job", "create", "--name", "report", "--every", "1h", "--paused")

        coloured = self.list_on_a_terminal()
        plain = self.list_on_a_terminal({"NO_COLOR": "1"})

        self.assertIn("\x1b[33mpaused\x1b[0m", coloured)
        self.assertNotIn("\x1b[", plain)
        self.assertIn("paused", plain)

    def test_get_finds_a_job_by_id_name_or_namespace_and_name(self):
        self.cli.ok("job", "create", "--name", "report", "--every", "1h", "--namespace", "team-a")
        self.cli.ok("job", "create", "--name", "report", "--every", "2h")

        by_id = self.cli.json("job", "get", "1")
        by_name = self.cli.json("job", "get", "team-a/report")
        ambiguous = self.cli.run("job", "get", "report")
        by_namespace_flag = self.cli.json("job", "get", "report", "--namespace", "default")

        check_schema("Job", by_id, "job get -o json")
        self.assertEqual(by_name, by_id)
        self.assertExit(ambiguous, EXIT_USAGE, "several jobs are named 'report'")
        self.assertEqual(by_namespace_flag["id"], 2)
        self.assertEqual(yaml.safe_load(self.cli.ok("job", "get", "2", "-o", "yaml").stdout), by_namespace_flag)
        self.assertIn("every:          2h\n", self.cli.ok("job", "get", "2").stdout)

    def test_create_takes_a_yaml_or_json_file_or_standard_input_and_flags_win(self):
        path = self.cli.write("job.yaml", "name: from-file\nevery: 90m\ntimeout: 5m\ntask:\n  type: noop\n")

        from_file = self.cli.json("job", "create", "-f", path, "--timeout", "30s")
        from_stdin = self.cli.json("job", "create", "-f", "-", input='{"name": "from-stdin", "interval": "daily"}')

        self.assertEqual((from_file["every"], from_file["timeout"], from_file["task"]), ("1h30m", "30s", {"type": "noop"}))
        self.assertEqual(from_stdin["interval"], "daily")

    def test_labels_are_set_by_flags_selected_by_list_and_shown_by_get(self):
        made = self.cli.json("job", "create", "--name", "ledger", "--every", "1h", "--label", "team=payments",
                             "--label", "canary=")
        self.cli.ok("job", "create", "--name", "other", "--every", "1h", "--label", "team=billing")

        self.assertEqual(made["labels"], {"team": "payments", "canary": ""})
        listed = self.cli.json("job", "list", "-l", "team=payments,canary")
        self.assertEqual([job["name"] for job in listed], ["ledger"])
        self.assertEqual([job["name"] for job in self.cli.json("job", "list", "--label", "team!=payments")],
                         ["other"])
        self.assertIn("labels:", self.cli.ok("job", "get", "ledger").stdout)
        self.assertIn("canary=, team=payments\n", self.cli.ok("job", "get", "ledger").stdout)
        self.assertExit(self.cli.run("job", "list", "-l", "team=pay ments"), EXIT_USAGE, "'team=pay ments'")
        self.assertExit(self.cli.run("job", "create", "--name", "x", "--every", "1h", "--label", "team"),
                        EXIT_USAGE, "--label")

    def test_pause_resume_and_delete_with_dry_run_and_print_curl(self):
        job = self.cli.json("job", "create", "--name", "report", "--interval", "weekly")

        dry = self.cli.json("job", "pause", "report", "--dry-run")
        check_schema("DryRun", dry, "job pause --dry-run -o json")
        self.assertEqual((dry["action"], dry["changed"]), ("pause", ["is_active", "next_run"]))
        self.assertTrue(self.service.get_json(f"/jobs/{job['id']}").body["is_active"])
        said = self.cli.ok("job", "pause", "report", "--dry-run").stdout
        self.assertIn("dry run: would pause job 1 (default/report); nothing was changed", said)

        paused = self.cli.json("job", "pause", "report")
        resumed = self.cli.json("job", "resume", "1")
        self.assertEqual((paused["is_active"], paused["version"]), (False, 2))
        self.assertEqual((resumed["is_active"], resumed["version"]), (True, 3))
        until = self.cli.json("job", "pause", "1", "--reason", "quarter close", "--until", "2h")
        self.assertEqual((until["paused_reason"], until["version"]), ("quarter close", 4))
        self.assertIsNotNone(until["paused_until"])
        said = self.cli.ok("job", "pause", "1", "--reason", "quarter close", "--until", "3h").stdout
        self.assertRegex(said, r"^paused job 1 \(default/report\) until in \d")
        shown = self.cli.ok("job", "get", "1").stdout
        self.assertRegex(shown, r"paused_reason:\s+quarter close")
        self.assertRegex(shown, r"paused_until:\s+in \d")
        self.assertRegex(self.cli.ok("job", "list").stdout, r"paused\s+resumes in \d")
        self.assertExit(self.cli.run("job", "pause", "1", "--until", "yesterday"), EXIT_USAGE, "until:")
        self.assertEqual(self.cli.json("job", "resume", "1")["paused_reason"], None)
        check_schema("DryRun", self.cli.json("job", "delete", "1", "--dry-run"), "job delete --dry-run")
        self.assertEqual(self.cli.ok("job", "delete", "1").stdout, "deleted job 1\n")
        self.assertExit(self.cli.run("job", "get", "1"), EXIT_NOT_FOUND, "does not exist")

    def test_next_lists_the_coming_runs_in_the_jobs_zone_utc_and_another(self):
        self.cli.ok("job", "create", "--name", "berlin", "--cron", "30 2 * * *", "--timezone", "Europe/Berlin")

        next_runs = self.cli.json("job", "next", "berlin", "-n", "3", "--tz", "America/New_York")
        table = self.cli.ok("job", "next", "berlin", "-n", "2").stdout.splitlines()

        check_schema("JobNextRuns", next_runs, "job next -o json")
        self.assertEqual(len(next_runs["next_runs"]), 3)
        first = next_runs["next_runs"][0]
        self.assertTrue(first["utc"].endswith("Z"))
        self.assertRegex(first["local"], r"T02:30:00\+0[12]:00$")
        self.assertRegex(first["tz"], r"-0[45]:00$")
        self.assertRegex(table[0], r"^UTC\s+LOCAL \(Europe/Berlin\)\s+WHEN$")
        self.assertEqual(len(table), 3)

    def test_exit_codes_say_what_went_wrong(self):
        self.cli.ok("job", "create", "--name", "report", "--every", "1h")

        self.assertExit(self.cli.run("job", "get", "42"), EXIT_NOT_FOUND, "job 42 does not exist")
        self.assertExit(self.cli.run("job", "create", "--name", "report", "--every", "1h"), EXIT_CONFLICT,
                        "a job named 'report' already exists")
        self.assertExit(self.cli.run("job", "create", "--name", "bad", "--cron", "0 24 * * *"), EXIT_USAGE,
                        "cron: hour field")
        self.assertExit(self.cli.run("job", "create", "--nmae", "x"), EXIT_USAGE)
        self.assertExit(self.cli.run("job", "list", "-o", "xml"), EXIT_USAGE, "-o: must be table")
        self.assertExit(self.cli.run("run", "get", "abc"), EXIT_USAGE, "a run is named by its id")

    def test_print_curl_prints_a_command_that_does_the_change_without_showing_the_token(self):
        token = self.service.create_key("admin", "admin")
        wait_until(lambda: self.service.request("GET", "/jobs", headers={"Authorization": f"Bearer {token}"}).status
                   == 200, 10, "the key to count")
        env = {"JOBSCHED_TOKEN": token}
        self.cli.ok("job", "create", "--name", "report", "--every", "1h", env=env)

        printed = self.cli.ok("job", "pause", "report", "--print-curl", env=env).stdout.strip()

        self.assertNotIn(token, printed)
        self.assertIn('"Authorization: Bearer $JOBSCHED_TOKEN"', printed)
        self.assertTrue(self.cli.json("job", "get", "1", env=env)["is_active"], "--print-curl changed the job")
        curl = subprocess.run(["sh", "-c", printed], capture_output=True, text=True, env=dict(os.environ, **env),
                              timeout=30)
        self.assertEqual(curl.returncode, 0, curl.stderr)
        self.assertFalse(json.loads(curl.stdout)["is_active"])


class RunCommandsTest(CliTestCase):

    def setUp(self):
        super().setUp()
        self.endpoint = HttpEndpoint()
        self.addCleanup(self.endpoint.close)

    def webhook_job(self, name, path, status=200, body="", delay_s=0.0):
        self.endpoint.route(path, status=status, body=body, delay_s=delay_s)
        return self.cli.json("job", "create", "--name", name, "--interval", "weekly", "--http-url",
                             self.endpoint.url(path))

    def test_trigger_wait_exits_0_when_the_run_succeeds_and_6_when_it_fails(self):
        self.webhook_job("good", "/good", body="all fine")
        self.webhook_job("bad", "/bad", status=500)

        good = self.cli.run("job", "trigger", "good", "--wait", "-o", "json")
        bad = self.cli.run("job", "trigger", "bad", "--wait")

        self.assertExit(good, 0)
        run = json.loads(good.stdout)
        check_schema("Run", run, "job trigger --wait -o json")
        self.assertEqual(run["state"], "succeeded")
        self.assertExit(bad, EXIT_RUN_FAILED, "ended failed")

    def test_run_list_get_attempts_and_logs(self):
        job = self.webhook_job("hello", "/hello", body="hello from the endpoint")
        self.cli.ok("job", "trigger", "hello", "--wait")

        runs = self.cli.json("run", "list")
        of_job = self.cli.json("run", "list", "--job", "hello")
        run = self.cli.json("run", "get", str(runs[0]["id"]))
        logs = self.cli.ok("run", "logs", str(run["id"])).stdout

        for each in runs:
            check_schema("Run", each, "run list -o json")
        self.assertEqual(of_job, runs)
        self.assertEqual(run["job_id"], job["id"])
        self.assertIn("hello from the endpoint", logs)
        self.assertEqual(self.cli.json("run", "attempts", str(run["id"])), [])
        self.assertRegex(self.cli.ok("run", "list").stdout.splitlines()[1], r"^1\s+1\s+succeeded\s+manual\s+1\s+")
        self.assertEqual(self.cli.ok("run", "list", "-o", "name").stdout, f"{run['id']}\n")

    def test_logs_follow_a_run_until_it_ends_and_cancel_stops_one(self):
        self.webhook_job("slow", "/slow", body="done at last", delay_s=1.5)
        self.webhook_job("stuck", "/stuck", delay_s=30)

        run = self.cli.json("job", "trigger", "slow")
        followed = self.cli.run("run", "logs", str(run["id"]), "-f")
        stuck = self.cli.json("job", "trigger", "stuck")
        self.endpoint.wait_for_requests(1, path="/stuck")
        dry = self.cli.json("run", "cancel", str(stuck["id"]), "--dry-run")
        cancelled = self.cli.run("run", "cancel", str(stuck["id"]))

        self.assertExit(followed, 0)
        self.assertIn("done at last", followed.stdout)
        self.assertIn(f"run {run['id']}: succeeded", followed.stderr)
        check_schema("DryRun", dry, "run cancel --dry-run -o json")
        self.assertEqual(dry["run"]["state"], "running")
        self.assertExit(cancelled, 0)
        self.assertIn("asked to stop", cancelled.stdout)
        ended = wait_until(lambda: (lambda r: r if r["state"] == "cancelled" else None)(
            self.cli.json("run", "get", str(stuck["id"]))), 10, "the cancelled run to end")
        self.assertEqual(ended["state"], "cancelled")
        self.assertExit(self.cli.run("run", "logs", str(stuck["id"]), "-f"), EXIT_RUN_FAILED)


class AuthAndProfilesTest(unittest.TestCase):
    """A service with keys; the client's token and server from flags, environment and profiles."""

    def setUp(self):
        self.service = Service()
        self.addCleanup(self.service.close)
        self.token = self.service.create_key("admin", "admin")
        self.reader = self.service.create_key("reader", "read")
        self.service.start()
        self.live = f"http://127.0.0.1:{self.service.port}"
        self.dead = f"http://127.0.0.1:{free_port()}"
        self.cli = Cli()  # no --server: each test says where
        self.addCleanup(self.cli.close)

    def test_a_missing_or_bad_token_exits_4_and_a_read_key_may_not_change(self):
        self.cli.ok("job", "create", "--name", "r", "--every", "1h", "--server", self.live, "--token", self.token)

        missing = self.cli.run("job", "list", "--server", self.live)
        bad = self.cli.run("job", "list", "--server", self.live, "--token", "jsk_" + "x" * 43)
        read_only = self.cli.run("job", "pause", "r", "--server", self.live, "--token", self.reader)

        self.assertEqual(missing.returncode, EXIT_AUTH, missing.stderr)
        self.assertIn("the service answered 401", missing.stderr)
        self.assertIn("--token, JOBSCHED_TOKEN or a profile", missing.stderr)
        self.assertEqual(bad.returncode, EXIT_AUTH, bad.stderr)
        self.assertEqual(read_only.returncode, EXIT_AUTH, read_only.stderr)
        self.assertIn("403", read_only.stderr)
        for done in (missing, bad, read_only):
            self.assertNotIn(self.token, done.stdout + done.stderr)

    def test_a_flag_beats_the_environment_which_beats_the_profile(self):
        self.cli.write_profiles(f'[profiles.default]\nserver = "{self.live}"\ntoken = "{self.token}"\n'
                                f'[profiles.reader]\nserver = "{self.live}"\ntoken = "{self.reader}"\n'
                                f'[profiles.dead]\nserver = "{self.dead}"\n')

        self.assertEqual(self.cli.run("job", "list").returncode, 0)  # the default profile
        self.assertEqual(self.cli.run("job", "list", env={"JOBSCHED_SERVER": self.dead}).returncode, EXIT_UNAVAILABLE)
        self.assertEqual(self.cli.run("job", "list", "--server", self.live, env={"JOBSCHED_SERVER": self.dead})
                         .returncode, 0)
        self.assertEqual(self.cli.run("job", "list", env={"JOBSCHED_TOKEN": "jsk_" + "y" * 43}).returncode, EXIT_AUTH)
        self.assertEqual(self.cli.run("job", "list", "--token", self.token, env={"JOBSCHED_TOKEN": "jsk_" + "y" * 43})
                         .returncode, 0)
        self.assertEqual(self.cli.run("job", "create", "--name", "x", "--every", "1h", "--profile", "reader")
                         .returncode, EXIT_AUTH)
        self.assertEqual(self.cli.run("job", "list", env={"JOBSCHED_PROFILE": "dead"}).returncode, EXIT_UNAVAILABLE)
        unknown = self.cli.run("job", "list", "--profile", "staging")
        self.assertEqual(unknown.returncode, EXIT_USAGE)
        self.assertIn("profile 'staging' is not in", unknown.stderr)

    def test_a_profile_file_with_a_mistake_is_reported_with_its_line(self):
        self.cli.write_profiles(f'[profiles.default]\nserver = "{self.live}"\nsevrer = "x"\n')

        done = self.cli.run("job", "list")

        self.assertEqual(done.returncode, EXIT_USAGE)
        self.assertRegex(done.stderr, r"client\.toml:3: profiles\.default\.sevrer: unknown key")


class StoppedServiceTest(unittest.TestCase):

    def test_a_service_that_is_not_running_exits_5_saying_so(self):
        cli = Cli(f"http://127.0.0.1:{free_port()}")
        self.addCleanup(cli.close)

        done = cli.run("job", "list")

        self.assertEqual(done.returncode, EXIT_UNAVAILABLE, done.stderr)
        self.assertRegex(done.stderr, r"^jobsched: cannot reach the jobsched service at http://127\.0\.0\.1:\d+: .*"
                                      r"\(is `jobsched serve` running there\?")
        self.assertEqual(done.stdout, "")


class TlsProxy:
    """HTTPS on 127.0.0.1 in front of a plain HTTP port, with a certificate openssl made for 127.0.0.1."""

    def __init__(self, directory, backend_port):
        self.cert = os.path.join(directory, "cert.pem")
        key = os.path.join(directory, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", self.cert,
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1"],
                       check=True, capture_output=True, timeout=60)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(self.cert, key)
        self.backend_port = backend_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stopped:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection):
        try:
            secure = self.context.wrap_socket(connection, server_side=True)
        except (ssl.SSLError, OSError):
            connection.close()  # the client refused our certificate
            return
        backend = socket.create_connection(("127.0.0.1", self.backend_port))
        sockets = [secure, backend]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 10)
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (backend if source is secure else secure).sendall(data)
        except OSError:
            return
        finally:
            secure.close()
            backend.close()

    def close(self):
        self._stopped = True
        self.listener.close()


class HttpsTest(CliTestCase):

    def test_https_needs_the_certificate_to_be_trusted_and_cacert_trusts_it(self):
        self.cli.ok("job", "create", "--name", "report", "--every", "1h")
        proxy = TlsProxy(self.cli.home, self.service.port)
        self.addCleanup(proxy.close)
        https = f"https://127.0.0.1:{proxy.port}"

        untrusted = self.cli.run("job", "list", "--server", https, server=False)
        trusted = self.cli.run("job", "list", "-o", "name", "--server", https, "--cacert", proxy.cert, server=False)
        by_env = self.cli.run("job", "list", "-o", "name", "--server", https, server=False,
                              env={"JOBSCHED_CACERT": proxy.cert})

        self.assertExit(untrusted, EXIT_UNAVAILABLE, "--cacert")
        self.assertExit(trusted, 0)
        self.assertEqual(trusted.stdout, "default/report\n")
        self.assertEqual(by_env.stdout, "default/report\n")


class CompletionTest(unittest.TestCase):

    def setUp(self):
        self.cli = Cli()
        self.addCleanup(self.cli.close)

    def complete_in_bash(self, words):
        script = self.cli.ok("completion", "bash").stdout
        path = self.cli.write("jobsched.bash", script)
        line = " ".join(shlex.quote(word) for word in words)
        done = subprocess.run(["bash", "--norc", "-c", f"source {shlex.quote(path)} && COMP_WORDS=({line}) && "
                               f"COMP_CWORD={len(words) - 1} && _jobsched && echo \"${{COMPREPLY[*]}}\""],
                              capture_output=True, text=True, timeout=30, env=self.cli.env)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout.split()

    def test_the_bash_script_loads_and_completes_commands_flags_and_formats(self):
        self.assertEqual(self.complete_in_bash(["jobsched", "jo"]), ["job"])
        self.assertEqual(self.complete_in_bash(["jobsched", "job", "li"]), ["list"])
        self.assertIn("--dry-run", self.complete_in_bash(["jobsched", "job", "pause", "--d"]))
        self.assertEqual(self.complete_in_bash(["jobsched", "job", "list", "-o", "js"]), ["json", "jsonl"])
        self.assertEqual(self.complete_in_bash(["jobsched", "run", "logs", "--f"]), ["--follow"])
        self.assertEqual(self.complete_in_bash(["jobsched", "completion", ""]), ["bash", "zsh", "fish"])

    def test_the_zsh_script_loads_in_zsh(self):
        path = self.cli.write("jobsched.zsh", self.cli.ok("completion", "zsh").stdout)

        done = subprocess.run(["zsh", "-f", "-c", f"source {shlex.quote(path)} && complete -p jobsched"],
                              capture_output=True, text=True, timeout=30, env=self.cli.env)

        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("_jobsched", done.stdout)

    def test_the_fish_script_loads_in_fish_and_completes(self):
        path = self.cli.write("jobsched.fish", self.cli.ok("completion", "fish").stdout)

        done = subprocess.run(["fish", "--no-config", "-c", f"source {shlex.quote(path)}; complete -C 'jobsched job li'; "
                               "complete -C 'jobsched run '"], capture_output=True, text=True, timeout=30,
                              env=self.cli.env)

        self.assertEqual(done.returncode, 0, done.stderr)
        words = [line.split("\t")[0] for line in done.stdout.splitlines()]
        self.assertIn("list", words)
        self.assertIn("logs", words)


class FirstRunTest(unittest.TestCase):
    """What a new user sees running `jobsched serve` in a terminal."""

    def serve_in_terminal(self, *flags):
        """Starts serve with its standard error on a pseudo-terminal; returns what it wrote once it listens."""
        cli = Cli()
        self.addCleanup(cli.close)
        primary, secondary = pty.openpty()
        process = subprocess.Popen([cli.binary, "serve", "--listen", "127.0.0.1:0", "--db",
                                    f"sqlite:{cli.path('jobs.db')}", *flags], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=secondary, env=cli.env)
        os.close(secondary)
        self.addCleanup(lambda: (process.poll() is None and process.send_signal(signal.SIGTERM), process.wait(10)))
        text = ""
        deadline = time.monotonic() + 10
        while "docs: " not in text and time.monotonic() < deadline:
            if select.select([primary], [], [], 0.5)[0]:
                try:
                    text += os.read(primary, 65536).decode("utf-8", "replace")
                except OSError:
                    break
        process.send_signal(signal.SIGTERM)
        process.wait(10)
        os.close(primary)
        return text

    def test_on_a_terminal_logs_are_text_and_say_where_the_api_and_docs_are(self):
        text = self.serve_in_terminal()

        port = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text).group(1)
        self.assertNotIn('{"time"', text)
        self.assertRegex(text, r"\d{4}-\d\d-\d\dT[\d:.]+Z info jobsched \S+ listening on")
        self.assertIn(f"info API: http://127.0.0.1:{port}/jobs", text)
        self.assertIn(f"info docs: http://127.0.0.1:{port}/docs (OpenAPI: http://127.0.0.1:{port}/openapi.json)",
                      text)

    def test_an_explicit_log_format_wins_over_the_terminal(self):
        text = self.serve_in_terminal("--log-format", "json")

        first = text.strip().splitlines()[0]
        self.assertEqual(json.loads(first)["level"], "info")

    def test_piped_logs_are_json(self):
        service = Service()
        self.addCleanup(service.close)
        service.start()

        api_line = wait_until(lambda: next((line for line in service.log_text().splitlines() if "API: " in line),
                                           None), 5, "the line naming the API")

        self.assertEqual(json.loads(api_line)["message"], f"API: http://127.0.0.1:{service.port}/jobs")
        self.assertTrue(all(line.startswith("{") for line in service.log_text().splitlines()[1:]))


if __name__ == "__main__":
    unittest.main()

"""The configuration file, the environment and the flags, through the real binary.

`jobsched config check` shows the effective configuration; `serve` must listen where it says.
Precedence: flag > environment (JOBSCHED_*) > file (--config / JOBSCHED_CONFIG) > default.
"""

import os
import re
import subprocess
import sys
import tempfile
import tomllib
import unittest

from harness import Service, binary_path, free_port

_ORIGIN = re.compile(r"^#?\s*(\w+) (?:=|is not set).*?(?:#\s*(.+))?$")


def clean_environment(**variables):
    """This process's environment without any JOBSCHED_* setting, plus `variables`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOBSCHED_")}
    env.update(variables)
    return env


class ConfigCheck:
    """One run of `jobsched config check`."""

    def __init__(self, args, env):
        completed = subprocess.run([binary_path(), "config", "check", *args], env=env, capture_output=True,
                                   text=True, timeout=30, stdin=subprocess.DEVNULL)
        self.returncode = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    def values(self):
        """The effective settings, parsed as TOML."""
        return tomllib.loads(self.stdout)

    def origins(self):
        """Setting key -> the comment saying where its value came from."""
        found = {}
        for line in self.stdout.splitlines():
            match = _ORIGIN.match(line)
            if match and not line.startswith("# jobsched") and match.group(2):
                found[match.group(1)] = match.group(2).strip()
        return found


class ConfigTestCase(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="jobsched-config-")
        self.addCleanup(directory.cleanup)
        self.dir = directory.name

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        return path

    def check(self, *args, **env):
        return ConfigCheck(list(args), clean_environment(**env))


class ConfigCheckTest(ConfigTestCase):
    def test_flag_beats_environment_beats_file_beats_default(self):
        path = self.write("jobsched.toml",
                          'listen = "127.0.0.1:1111"\n'
                          'log_level = "debug"\n'
                          "max_concurrent_runs = 7\n"
                          "http_threads = 3\n")

        result = self.check("--config", path, "--max-concurrent-runs", "11",
                            JOBSCHED_LOG_LEVEL="warn", JOBSCHED_MAX_CONCURRENT_RUNS="9",
                            JOBSCHED_LEASE_TIMEOUT="45s")

        self.assertEqual(result.returncode, 0, result.stderr)
        values, origins = result.values(), result.origins()
        self.assertEqual(values["max_concurrent_runs"], 11)
        self.assertEqual(origins["max_concurrent_runs"], "flag --max-concurrent-runs")
        self.assertEqual(values["log_level"], "warn")
        self.assertEqual(origins["log_level"], "environment JOBSCHED_LOG_LEVEL")
        self.assertEqual(values["lease_timeout"], "45s")
        self.assertEqual(values["listen"], "127.0.0.1:1111")
        self.assertEqual(origins["listen"], f"file {path}:1")
        self.assertEqual(values["http_threads"], 3)
        self.assertEqual(origins["http_threads"], f"file {path}:4")
        self.assertEqual(values["shutdown_grace"], "30s")
        self.assertEqual(origins["shutdown_grace"], "default")

    def test_prints_every_setting(self):
        result = self.check()

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(set(result.values()),
                         {"listen", "db", "roles", "log_level", "log_format", "access_log", "http_threads", "max_connections",
                          "max_concurrent_runs", "shutdown_grace", "drain_delay", "lease_timeout", "keep_runs_days",
                          "keep_runs_per_job", "keep_audit_days", "prune_interval", "smtp_url", "smtp_tls", "smtp_from",
                          "default_email_to", "docs_dir", "console_dir", "public_url", "allow_task_hosts", "enable_shell_tasks", "insecure",
                          "require_auth", "key_refresh_interval", "session_idle_timeout", "public_metrics", "public_readyz", "public_docs",
                          "rate_limit", "rate_limit_window", "min_period", "max_jobs_per_namespace",
                          "max_runs_per_job_per_minute", "trusted_proxies"})
        self.assertIn("# smtp_username is not set", result.stdout)
        self.assertIn("# smtp_password is not set", result.stdout)

    def test_reads_the_file_named_by_the_environment(self):
        path = self.write("env.toml", 'log_level = "error"\n')

        result = self.check(JOBSCHED_CONFIG=path)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.values()["log_level"], "error")
        self.assertIn(f"configuration file: {path} (environment JOBSCHED_CONFIG)", result.stdout)

    def test_never_prints_secrets(self):
        path = self.write("jobsched.toml", 'smtp_url = "smtp://relay:url-secret-1@127.0.0.1:2525"\n')

        result = self.check("--config", path, JOBSCHED_SMTP_USERNAME="user-secret-2",
                            JOBSCHED_SMTP_PASSWORD="password-secret-3")

        self.assertEqual(result.returncode, 0, result.stderr)
        for secret in ("url-secret-1", "user-secret-2", "password-secret-3"):
            self.assertNotIn(secret, result.stdout + result.stderr)
        self.assertEqual(result.values()["smtp_url"], "smtp://relay:REDACTED@127.0.0.1:2525")
        self.assertIn('# smtp_password = "REDACTED"', result.stdout)

    def test_a_postgresql_url_libpq_would_misread_is_refused_without_showing_the_password(self):
        # Issue #14: with an unencoded '@' in the password, serve logged libpq's
        # 'could not translate host name "cret-part@127.0.0.1"'.
        url = "postgresql://app:se@cret-part@127.0.0.1:1/jobs"

        checked = self.check("--db", url)
        served = subprocess.run([binary_path(), "serve", "--db", url, "--listen", "127.0.0.1:0"],
                                env=clean_environment(), capture_output=True, text=True, timeout=30,
                                stdin=subprocess.DEVNULL)

        for result in (checked, served):
            self.assertNotEqual(result.returncode, 0)
            output = result.stdout + result.stderr
            self.assertNotIn("cret-part", output)
            self.assertIn("more than one '@'", output)
            self.assertIn("%40", output)

    def test_its_output_is_a_valid_configuration_file(self):
        first = self.check("--listen", "127.0.0.1:4321", "--smtp-from", 'a "quoted" sender')
        saved = self.write("saved.toml", first.stdout)

        second = self.check("--config", saved)

        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertEqual(second.values(), first.values())

    def test_refuses_unknown_keys_and_wrong_types_naming_file_and_line(self):
        path = self.write("bad.toml",
                          'listen = "127.0.0.1:8000"\n'
                          'max_concurrent_runs = "lots"\n'
                          'lisen = "127.0.0.1:9000"\n')

        result = self.check("--config", path)

        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(result.stdout, "")
        self.assertIn("invalid configuration", result.stderr)
        self.assertIn(f"{path}:2: max_concurrent_runs: expected an integer, got a string", result.stderr)
        self.assertIn(f"{path}:3: unknown key 'lisen'; did you mean 'listen'?", result.stderr)

    def test_refuses_bad_values_from_the_environment_and_flags(self):
        result = self.check("--smtp-tls", "sometimes", JOBSCHED_SHUTDOWN_GRACE="forever")

        self.assertNotEqual(result.returncode, 0)
        self.assertIn("JOBSCHED_SHUTDOWN_GRACE: 'forever' is not a duration", result.stderr)
        self.assertIn("--smtp-tls: must be one of auto, required, starttls, none, got 'sometimes'", result.stderr)

    def test_refuses_a_missing_file(self):
        missing = os.path.join(self.dir, "missing.toml")

        result = self.check("--config", missing)

        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"{missing}: No such file or directory", result.stderr)

    def test_serve_refuses_an_invalid_file_before_starting(self):
        path = self.write("bad.toml", "max_concurrent_runs = 0\n")

        completed = subprocess.run([binary_path(), "serve", "--config", path], env=clean_environment(),
                                   capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)

        self.assertEqual(completed.returncode, 1)
        self.assertIn(f"{path}:1: max_concurrent_runs: must be between 1 and 100000, got 0", completed.stderr)
        self.assertNotIn("listening", completed.stdout)


class ServeConfigTest(ConfigTestCase):
    """`serve` listens where the winning source says: a free port per source, so a mix-up cannot pass."""

    def serve(self, args, env):
        service = Service(extra_args=args, listen_and_db_flags=False)
        service.env = clean_environment(**env)
        self.addCleanup(service.close)
        try:
            service.start()
        except AssertionError:
            sys.stderr.write(service.log_text())
            raise
        return service

    def file_listening_on(self, port):
        database = os.path.join(self.dir, "from-file.db")
        return self.write("jobsched.toml", f'listen = "127.0.0.1:{port}"\ndb = "sqlite:{database}"\n'), database

    def test_listens_where_the_file_says(self):
        file_port = free_port()
        path, database = self.file_listening_on(file_port)

        service = self.serve(["--config", path], {})

        self.assertEqual(service.port, file_port)
        self.assertEqual(service.get_json("/healthz").status, 200)
        self.assertTrue(os.path.exists(database), "the database named by the file was not created")
        self.assertIn(f"configuration file: {path}", service.log_text())

    def test_environment_beats_the_file(self):
        file_port, env_port = free_port(), free_port()
        path, _ = self.file_listening_on(file_port)

        service = self.serve([], {"JOBSCHED_CONFIG": path, "JOBSCHED_LISTEN": f"127.0.0.1:{env_port}"})

        self.assertEqual(service.port, env_port)
        self.assertEqual(service.get_json("/healthz").status, 200)

    def test_flag_beats_the_environment(self):
        file_port, env_port, flag_port = free_port(), free_port(), free_port()
        path, _ = self.file_listening_on(file_port)

        service = self.serve(["--config", path, "--listen", f"127.0.0.1:{flag_port}"],
                             {"JOBSCHED_LISTEN": f"127.0.0.1:{env_port}"})

        self.assertEqual(service.port, flag_port)
        self.assertEqual(service.get_json("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()

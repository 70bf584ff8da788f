"""deploy/jobsched.service: systemd accepts it, its hardening holds, its stop timeout fits the shutdown.

`systemd-analyze verify` and `security --offline` work without systemd running (as in a plain
Debian 12 container): both read unit files only. `--root` points them at a scratch tree holding
the unit, a copy of the built binary at the unit's ExecStart path (verify checks it is executable)
and the system's own units (the targets the unit refers to).
"""

import configparser
import os
import shutil
import subprocess
import tempfile
import unittest

from deploy_testing import binary_path, deploy_path, read, stop_budget_seconds, tool

SECURITY_THRESHOLD = 20  # exposure 2.0 out of 10 ("OK"); the unit rates 1.1 today


def unit_settings():
    """[Service] and [Unit] settings of the unit; repeated keys keep their last value."""
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string(read(deploy_path("jobsched.service")))
    return parser


class SystemdUnitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.systemd_analyze = tool("systemd-analyze", "systemd")
        cls.scratch = tempfile.TemporaryDirectory(prefix="jobsched-systemd-")
        root = cls.scratch.name
        cls.root = root
        unit_folder = os.path.join(root, "etc/systemd/system")
        os.makedirs(unit_folder)
        shutil.copy(deploy_path("jobsched.service"), unit_folder)
        exec_start = unit_settings()["Service"]["ExecStart"].split()[0]
        os.makedirs(os.path.join(root, os.path.dirname(exec_start).lstrip("/")))
        shutil.copy(binary_path(), os.path.join(root, exec_start.lstrip("/")))
        for system_units in ("/usr/lib/systemd/system", "/lib/systemd/system"):
            if os.path.isdir(system_units):
                shutil.copytree(system_units, os.path.join(root, "usr/lib/systemd/system"), symlinks=True)
                break

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def analyze(self, *args):
        return subprocess.run([self.systemd_analyze, *args, f"--root={self.root}", "jobsched.service"],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)

    def test_systemd_analyze_verify_finds_nothing(self):
        result = self.analyze("verify")

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        # Unknown or misspelt keys are only warnings: any output fails the test.
        self.assertEqual(result.stdout + result.stderr, "")

    def test_exposure_stays_low(self):
        result = self.analyze("security", "--offline=true", f"--threshold={SECURITY_THRESHOLD}")

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("Overall exposure level for jobsched.service", result.stdout)

    def test_has_the_hardening_the_deployment_guide_promises(self):
        service = unit_settings()["Service"]

        expected = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
                    "DynamicUser": "yes", "StateDirectory": "jobsched", "ProtectHome": "yes",
                    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6", "KillSignal": "SIGTERM"}
        for key, value in expected.items():
            self.assertEqual(service.get(key), value, key)
        self.assertIn("SystemCallFilter", service)
        self.assertEqual(service.get("CapabilityBoundingSet"), "")

    def test_stop_timeout_covers_drain_and_shutdown_grace(self):
        timeout_s = int(unit_settings()["Service"]["TimeoutStopSec"])

        budget_s = stop_budget_seconds(read(deploy_path("jobsched.toml")))

        self.assertGreater(timeout_s, budget_s,
                           "TimeoutStopSec must exceed drain_delay + shutdown_grace + runner teardown")

    def test_runs_the_binary_with_the_example_config(self):
        service = unit_settings()["Service"]

        self.assertEqual(service["ExecStart"], "/usr/local/bin/jobsched serve --config /etc/jobsched/jobsched.toml")
        self.assertEqual(service["ExecStartPre"],
                         "/usr/local/bin/jobsched config check --config /etc/jobsched/jobsched.toml")


if __name__ == "__main__":
    unittest.main()

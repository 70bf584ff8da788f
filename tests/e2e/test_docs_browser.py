"""Swagger UI in a real browser: /docs lists the operations, and "Try it out" on POST /jobs creates a job.

docs_browser.js drives Debian's chromium headless through playwright-core (tests/tooling, installed
by the build). ctest sets JOBSCHED_NODE, JOBSCHED_TOOLING_MODULES and JOBSCHED_SCREENSHOT_DIR; the
page's screenshot is left there (docs.png) for a person to look at. A missing browser or tool is a
failure, never a skip.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
import uuid

import contract
from harness import ServiceTestCase

BROWSER_DEADLINE_S = 150
# The page is opened under a name that is not localhost, as it would be on a server: Swagger UI
# treats such pages differently (it would ask validator.swagger.io for a badge), and the test
# proves that the page then still asks nothing of any other host.
PAGE_HOST = "jobsched.test"


def required_env(name):
    value = os.environ.get(name)
    if not value:
        raise AssertionError(f"{name} is not set; run this test through ctest")
    return value


def chromium_path():
    path = os.environ.get("JOBSCHED_CHROMIUM") or shutil.which("chromium")
    if not path:
        raise AssertionError("no chromium: install the test packages (bash scripts/install-deps.sh test)")
    return path


class SwaggerUiTest(ServiceTestCase):

    def run_browser(self, body):
        screenshot_dir = required_env("JOBSCHED_SCREENSHOT_DIR")
        os.makedirs(screenshot_dir, exist_ok=True)
        profile = tempfile.TemporaryDirectory(prefix="jobsched-chromium-")
        self.addCleanup(profile.cleanup)
        config = {
            "url": f"http://{PAGE_HOST}:{self.service.port}/docs",
            "hostMap": f"MAP {PAGE_HOST} 127.0.0.1",
            "chromium": chromium_path(),
            "profileDir": profile.name,
            "screenshot": os.path.join(screenshot_dir, "docs.png"),
            "body": body,
        }
        env = dict(os.environ, JOBSCHED_TOOLING_MODULES=required_env("JOBSCHED_TOOLING_MODULES"))
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "docs_browser.js")
        try:
            finished = subprocess.run([required_env("JOBSCHED_NODE"), script, json.dumps(config)], env=env,
                                      stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                      timeout=BROWSER_DEADLINE_S)
        except subprocess.TimeoutExpired as expired:
            raise AssertionError(f"the browser did not finish within {BROWSER_DEADLINE_S} s:\n{expired.stderr}")
        if finished.returncode != 0:
            raise AssertionError(f"the browser failed (exit {finished.returncode}):\n{finished.stderr}")
        return json.loads(finished.stdout.strip().splitlines()[-1])

    def test_try_it_out_creates_a_job_that_the_api_then_serves(self):
        name = f"made in Swagger UI {uuid.uuid4().hex[:8]}"

        shown = self.run_browser({"name": name, "every": "1h", "task": {"type": "noop"}})

        spec_operations = {f"{method.upper()} {path}"
                           for path, item in contract.shared().spec["paths"].items()
                           for method in item if method in ("get", "post", "patch", "delete", "put")}
        self.assertEqual(set(shown["operations"]), spec_operations)
        self.assertEqual(shown["foreignRequests"], [], "the page asked hosts other than the service")
        self.assertEqual(shown["status"], 201, f"the page showed: {shown['body']!r}")
        job = self.service.get_json(f"/jobs/{shown['body']['id']}")
        self.assertEqual(job.status, 200)
        self.assertEqual((job.body["name"], job.body["every"], job.body["task"]), (name, "1h", {"type": "noop"}))


if __name__ == "__main__":
    unittest.main()

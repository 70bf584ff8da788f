"""The web console (issue #16, docs/decisions/0008-web-console.md) in a real browser.

Each test starts the real binary (tests/e2e/harness.py), which serves the console it was built
with, and runs one scenario of console_browser.js in Debian's chromium through playwright-core
(tests/tooling). The page is opened under a name that is not localhost and every request to
another origin is aborted, so every test also shows that the console works offline; each checks
that the page reported no Content-Security-Policy violation, opened no dialog and threw nothing.
Screenshots of every page, at 1,400 and 390 px, light and dark, are left in
$JOBSCHED_SCREENSHOT_DIR (build/screenshots/console) for a person to look at.

Some tests need endpoints of decision 0008 that other branches add (sessions, the event stream,
bulk changes, statistics; dry runs and GET /jobs/{id}/next). Each first asks the service for its
endpoint and fails, saying which one it waits for, when it is not there: never a silent skip.
"""

import json
import os
import shutil
import subprocess
import tempfile
import uuid

import harness
from harness import HttpEndpoint, ServiceTestCase, wait_for_finished_runs

BROWSER_DEADLINE_S = 280
PAGE_HOST = "jobsched.test"
XSS_NAME = "<img src=x onerror=alert(1)>"
HTML_OUTPUT = "<img src=x onerror=alert(2)><script>alert(3)</script><b>bold?</b>"


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


class ConsoleTestCase(ServiceTestCase):

    def browse(self, scenario, **data):
        """Runs one scenario; returns everything it reported, after checking what every page must keep."""
        profile = tempfile.TemporaryDirectory(prefix="jobsched-console-")
        self.addCleanup(profile.cleanup)
        modules = required_env("JOBSCHED_TOOLING_MODULES")
        config = {
            "origin": f"http://{PAGE_HOST}:{self.service.port}",
            "hostMap": f"MAP {PAGE_HOST} 127.0.0.1",
            "chromium": chromium_path(),
            "axe": os.path.join(modules, "axe-core", "axe.min.js"),
            "screenshotDir": required_env("JOBSCHED_SCREENSHOT_DIR"),
            "scenario": scenario,
            "data": data,
        }
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "console_browser.js")
        env = dict(os.environ, JOBSCHED_TOOLING_MODULES=modules, TMPDIR=profile.name)
        try:
            finished = subprocess.run([required_env("JOBSCHED_NODE"), script, json.dumps(config)], env=env,
                                      stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                      timeout=BROWSER_DEADLINE_S)
        except subprocess.TimeoutExpired as expired:
            raise AssertionError(f"the browser did not finish within {BROWSER_DEADLINE_S} s:\n{expired.stderr}")
        if finished.returncode != 0:
            raise AssertionError(f"the browser failed (exit {finished.returncode}):\n{finished.stderr}")
        report = json.loads(finished.stdout.strip().splitlines()[-1])
        self.assertEqual(report["foreignRequests"], [], "the console asked hosts other than the service")
        self.assertEqual(report["cspViolations"], [], "the console broke its own Content-Security-Policy")
        self.assertEqual(report["dialogs"], [], "a dialog opened: markup from data ran as script?")
        self.assertEqual(report["pageErrors"], [], "the console threw")
        return report["result"]

    def require_endpoint(self, method, path, waits_for, parameter=None):
        """Fails the test, naming what it waits for, unless the service's contract (its own
        /openapi.json, which a unit test keeps equal to its routes) has this operation, and
        `parameter` when given."""
        document = self.service.get_json("/openapi.json").body
        item = document["paths"].get(path, {})
        operation = item.get(method.lower())

        def name_of(parameter_object):
            if "$ref" in parameter_object:
                parameter_object = document["components"]["parameters"][parameter_object["$ref"].split("/")[-1]]
            return parameter_object.get("name")

        names = {name_of(p) for p in (operation or {}).get("parameters", []) + item.get("parameters", [])}
        if operation is None or (parameter is not None and parameter not in names):
            self.fail(f"this test needs {method} {path}{f' with ?{parameter}' if parameter else ''} ({waits_for}), "
                      f"which this service does not have yet")

    def seed(self):
        """A job named like markup, a cron job, and a finished run whose output is markup."""
        endpoint = HttpEndpoint()
        self.addCleanup(endpoint.close)
        endpoint.route("/hook", 200, HTML_OUTPUT)
        xss = self.create_job(name=XSS_NAME, every="1h", task={"type": "noop"})
        cron = self.service.post_json("/jobs", {"name": "Weekday report", "cron": "0 9 * * MON-FRI",
                                                "timezone": "Europe/Berlin",
                                                "task": {"type": "compute", "function": "factorial_sum", "n": 50}})
        self.assertEqual(cron.status, 201, cron.body)
        hook = self.create_job(name="Webhook", every="1d", task={"type": "http", "url": endpoint.url("/hook"),
                                                                   "headers": {"Authorization": "Bearer secret"}})
        triggered = self.service.request("POST", f"/jobs/{hook['id']}/trigger")
        self.assertEqual(triggered.status, 202, triggered.body)
        run = wait_for_finished_runs(self.service, hook["id"], 1, timeout_s=15)[0]
        return {"xss": xss, "hook": hook, "run": run}

    def console_pages(self, seeded):
        job, run = seeded["hook"]["id"], seeded["run"]["id"]
        return ["/ui/", "/ui/jobs", f"/ui/jobs/{job}", "/ui/jobs/new", f"/ui/jobs/{job}/edit", "/ui/runs",
                f"/ui/runs/{run}", "/ui/admin", "/ui/signin"]


class ConsolePagesTest(ConsoleTestCase):

    def test_every_page_has_no_accessibility_violations_in_light_and_dark(self):
        pages = self.console_pages(self.seed())

        found = self.browse("pages", pages=pages, schemes=["light", "dark"], widths=[1400], axe=True,
                            screenshots=True)

        self.assertEqual(found["violations"], {}, json.dumps(found["violations"], indent=1))
        self.assertEqual(found["overflow"], [])
        self.assertEqual(len(found["shots"]), 2 * len(pages))

    def test_every_page_fits_a_phone_at_390_px(self):
        pages = self.console_pages(self.seed())

        found = self.browse("pages", pages=pages, schemes=["light", "dark"], widths=[390], axe=False,
                            screenshots=True)

        self.assertEqual(found["overflow"], [], "a page is wider than the phone; tables scroll on their own")
        self.assertEqual(len(found["shots"]), 2 * len(pages))

    def test_the_page_works_offline_under_its_policy(self):
        seeded = self.seed()
        page = self.service.request("GET", "/ui/jobs")

        found = self.browse("pages", pages=self.console_pages(seeded), schemes=["light"], widths=[1400], axe=False,
                            screenshots=False)

        policy = page.headers["content-security-policy"]
        for unsafe in ("unsafe-inline", "unsafe-eval", "*", "http:", "https:"):
            self.assertNotIn(f" {unsafe}", policy)
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertEqual(page.headers["x-content-type-options"], "nosniff")
        # The headings come from the API's data where a page has some: it did load, offline.
        self.assertEqual(found["headings"][f"/ui/jobs/{seeded['hook']['id']}"], "Webhook")
        self.assertEqual(found["headings"][f"/ui/runs/{seeded['run']['id']}"], f"Run {seeded['run']['id']}")


    def test_a_first_visit_asks_for_its_list_once_before_the_bundle_has_run(self):
        # More jobs than fill a 900 px window: the rows below it come after the first paint.
        for number in range(1, 41):
            self.create_job(name=f"first-visit {number:02}", every="1h", task={"type": "noop"})
        self.create_job(name="not listed", every="1h", task={"type": "noop"})

        found = self.browse("firstVisit", target="/ui/jobs?q=first-visit&sort=name", rows=40)

        api = [(request["method"], request["path"], request["script"]) for request in found["sent"]
               if request["path"] != "/events"]
        # early.js (decision 0016) sends both; main.js takes their answers instead of asking again.
        self.assertCountEqual(api, [("GET", "/session", "early.js"),
                                    ("GET", "/jobs?include=recent_runs&q=first-visit&sort=name&limit=50", "early.js")])
        self.assertEqual(found["names"], [f"first-visit {number:02}" for number in range(1, 41)])


class ConsoleActionsTest(ConsoleTestCase):

    def test_a_job_created_in_the_form_is_found_in_the_list(self):
        name = f"made in the console {uuid.uuid4().hex[:8]}"

        shown = self.browse("createJob", name=name)

        jobs = [job for job in harness.list_all_jobs(self.service) if job["name"] == name]
        self.assertEqual(len(jobs), 1, "checking the form as it was typed must not create jobs")
        self.assertEqual((jobs[0]["every"], jobs[0]["task"]), ("15m", {"type": "noop"}))
        self.assertEqual(shown["jobPath"], f"/ui/jobs/{jobs[0]['id']}")
        self.assertIn("every 15 minutes", shown["rowText"])

    def test_markup_in_a_name_and_in_output_shows_as_text(self):
        seeded = self.seed()

        shown = self.browse("xss", jobId=seeded["xss"]["id"], runId=seeded["run"]["id"], name=XSS_NAME)

        self.assertGreaterEqual(shown["/ui/jobs"]["nameAsText"], 1)
        self.assertGreaterEqual(shown[f"/ui/jobs/{seeded['xss']['id']}"]["nameAsText"], 1)
        self.assertEqual(shown[f"/ui/jobs/{seeded['xss']['id']}/edit"]["nameInField"], XSS_NAME)
        self.assertIn(HTML_OUTPUT, shown[f"/ui/runs/{seeded['run']['id']}"]["output"])
        for target, page in shown.items():
            self.assertEqual(page["injectedImages"], 0, target)

    def test_the_keyboard_alone_opens_and_pauses_a_job(self):
        job = self.create_job(name="Keyboard only", every="1h", task={"type": "noop"})

        shown = self.browse("keyboard", name=job["name"])

        self.assertIn("Paused", shown["state"])
        self.assertTrue(shown["focusVisible"], "the focused control shows no outline")
        self.assertEqual(shown["focusAfter"], "Resume", "the keyboard focus left the button it pressed")
        self.assertFalse(self.service.get_json(f"/jobs/{job['id']}").body["is_active"])

    def test_an_edit_after_someone_elses_shows_what_changed_instead_of_saving(self):
        job = self.create_job(name="Edited twice", every="1h", task={"type": "noop"})

        shown = self.browse("editConflict", jobId=job["id"], theirName="Their name", myName="My name")

        self.assertEqual(shown["theirStatus"], 200)
        self.assertTrue(any("name" in row and "Edited twice" in row and "Their name" in row for row in shown["rows"]),
                        shown["rows"])
        self.assertEqual(shown["nameAfter"], "Their name")
        self.assertEqual(self.service.get_json(f"/jobs/{job['id']}").body["name"], "Their name")


    def test_a_job_page_shows_who_changed_the_job(self):
        job = self.create_job(name="Audited", every="1h", task={"type": "noop"})
        self.assertEqual(self.service.request("PATCH", f"/jobs/{job['id']}", body={"every": "2h"},
                                              headers={"X-Request-Id": "console-history-1"}).status, 200)
        self.assertEqual(self.service.request("POST", f"/jobs/{job['id']}/pause").status, 200)

        shown = self.browse("history", jobId=job["id"])

        header, *rows = shown["rows"]
        self.assertEqual(header, ["When", "Change", "By", "From", "Request"])
        self.assertEqual([row[1] for row in rows], ["Paused", "Changed: every", "Created"])
        self.assertEqual({row[2] for row in rows}, {"local"})
        self.assertEqual(rows[1][4], "console-history-1")


class ConsoleSessionTest(ConsoleTestCase):
    """Sign-in and roles: need POST /sessions, GET and DELETE /session (decision 0008)."""

    def keyed(self, role):
        admin = self.service.create_key("console-admin", "admin")
        token = admin if role == "admin" else self.service.create_key(f"console-{role}", role)
        self.service.restart()
        self.require_endpoint("GET", "/session", "sessions of decision 0008, built by the lead")
        return admin, token

    def test_signing_in_with_a_key_and_out_again(self):
        _, token = self.keyed("admin")

        shown = self.browse("signIn", token=token)

        self.assertIn("console-admin", shown["who"])
        self.assertEqual(shown["statusAfterSignOut"], 401)

    def test_a_read_key_has_no_enabled_write_buttons_and_its_writes_are_refused(self):
        admin, token = self.keyed("read")
        client = self.service.client(admin)
        self.addCleanup(client.close)
        job = client.post_json("/jobs", {"name": "Read only here", "every": "1h"}).body

        shown = self.browse("readKey", token=token, jobId=job["id"])

        self.assertEqual([button for button in shown["bulk"] + shown["actions"] if button["enabled"]], [])
        self.assertIn("role read", shown["reason"])
        self.assertEqual(shown["refused"], 403)


class ConsoleLiveTest(ConsoleTestCase):
    """Need the event stream, bulk changes and statistics of decision 0008 (the lead's branch)."""

    def test_a_run_appears_on_the_job_page_without_a_reload(self):
        self.require_endpoint("GET", "/events", "the event stream of decision 0008, built by the lead")
        job = self.create_job(name="Watched", every="1d", task={"type": "noop"})

        shown = self.browse("liveRun", jobId=job["id"])

        self.assertEqual(shown["loads"], 0, "the page was reloaded")

    def test_bulk_pause_of_every_job_matching_a_search(self):
        self.require_endpoint("POST", "/jobs/bulk", "bulk changes of decision 0008, built by the lead")
        matching = [self.create_job(name=f"nightly-{index}", every="1h")["id"] for index in range(3)]
        other = self.create_job(name="hourly sync", every="1h")["id"]

        shown = self.browse("bulkPause", q="nightly")

        self.assertIn("3 jobs", shown["question"])
        self.assertIn("3 changed", shown["outcome"])
        for job_id in matching:
            self.assertFalse(self.service.get_json(f"/jobs/{job_id}").body["is_active"], job_id)
        self.assertTrue(self.service.get_json(f"/jobs/{other}").body["is_active"])

    def test_the_overview_charts_runs_and_has_them_as_a_table(self):
        self.require_endpoint("GET", "/stats", "statistics of decision 0008, built by the lead")
        self.seed()

        shown = self.browse("stats")

        self.assertGreater(shown["rows"], 1)


class ConsoleChecksTest(ConsoleTestCase):
    """Need dry runs and GET /jobs/{id}/next (decision 0008; the cli branch)."""

    def test_the_form_shows_the_services_message_at_the_field(self):
        self.require_endpoint("POST", "/jobs", "?dry_run=true of the cli branch", parameter="dry_run")

        shown = self.browse("validate")

        self.assertTrue(shown["message"].strip(), "the field shows no message")

    def test_a_job_page_lists_its_next_occurrences(self):
        job = self.create_job(name="Ten more", every="1h", task={"type": "noop"})
        self.require_endpoint("GET", "/jobs/{id}/next", "GET /jobs/{id}/next of the cli branch")

        shown = self.browse("nextRuns", jobId=job["id"])

        self.assertEqual(shown["rows"], 11)  # a header and ten occurrences

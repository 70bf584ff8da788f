"""Jobs as code (`jobsched apply`, `jobsched diff`) and `jobsched job edit`, through the real binary."""

import json
import os
import stat
import textwrap

from cli_testing import Cli, check_schema
from harness import ServiceTestCase, list_all_jobs, wait_until

EXIT_USAGE, EXIT_CONFLICT, EXIT_DIFF_CHANGES, EXIT_DIFF_USAGE = 1, 3, 1, 64

REPORTS = """\
    namespace: team-a
    jobs:
      - name: nightly-report
        cron: "0 2 * * *"
        timezone: Europe/Berlin
        task:
          type: http
          url: https://example.com/report
          headers:
            Authorization: "Bearer ${REPORT_TOKEN}"
      - name: ping
        every: 90m
    """
CLEANUP = """\
    - name: cleanup
      namespace: ops
      interval: daily
      timeout: 5m
    """


class ApplyTest(ServiceTestCase):

    def setUp(self):
        super().setUp()
        self.cli = Cli(f"http://127.0.0.1:{self.service.port}")
        self.addCleanup(self.cli.close)
        self.env = {"REPORT_TOKEN": "s3cret"}
        self.write("jobs/reports.yaml", REPORTS)
        self.write("jobs/ops/cleanup.yml", CLEANUP)
        self.jobs_dir = self.cli.path("jobs")

    def write(self, name, text):
        return self.cli.write(name, textwrap.dedent(text))

    def jobs(self):
        return {f"{job['namespace']}/{job['name']}": job for job in list_all_jobs(self.service)}

    def apply(self, *args, env=None):
        return self.cli.run("apply", "-f", self.jobs_dir, *args, env=dict(self.env, **(env or {})))

    def diff(self, *args, env=None):
        return self.cli.run("diff", "-f", self.jobs_dir, *args, env=dict(self.env, **(env or {})))

    def assertExit(self, done, code):
        self.assertEqual(done.returncode, code, f"stdout: {done.stdout}\nstderr: {done.stderr}")

    def test_apply_creates_then_a_second_apply_changes_nothing(self):
        first_diff = self.diff()
        first = self.apply()
        second = self.apply()
        second_diff = self.diff()

        self.assertExit(first_diff, EXIT_DIFF_CHANGES)
        self.assertIn("+ create team-a/nightly-report", first_diff.stdout)
        self.assertExit(first, 0)
        self.assertIn("plan: 3 to create, 0 to change, 0 to delete, 0 unchanged", first.stdout)
        self.assertIn("applied 3 changes", first.stdout)
        jobs = self.jobs()
        self.assertEqual(sorted(jobs), ["ops/cleanup", "team-a/nightly-report", "team-a/ping"])
        self.assertEqual(jobs["team-a/ping"]["every"], "1h30m")
        self.assertEqual(jobs["team-a/nightly-report"]["task"]["headers"]["Authorization"], "REDACTED")
        self.assertExit(second, 0)
        self.assertIn("plan: 0 to create, 0 to change, 0 to delete, 3 unchanged", second.stdout)
        self.assertExit(second_diff, 0)
        self.assertEqual({name: job["version"] for name, job in self.jobs().items()},
                         {name: 1 for name in jobs})  # nothing was written the second time

    def test_a_change_shows_each_field_and_the_next_run_before_and_after(self):
        self.assertExit(self.apply(), 0)
        before = self.jobs()
        self.write("jobs/reports.yaml", REPORTS.replace("every: 90m", "every: 2h"))

        diff = self.diff()
        applied = self.apply()

        self.assertExit(diff, EXIT_DIFF_CHANGES)
        self.assertIn(f"~ change team-a/ping  (job {before['team-a/ping']['id']}, ", diff.stdout)
        self.assertIn("    every: 1h30m -> 2h\n", diff.stdout)
        self.assertRegex(diff.stdout, r"    next_run: \S+Z -> \S+Z\n")
        self.assertIn("= 2 unchanged", diff.stdout)
        self.assertExit(applied, 0)
        after = self.jobs()
        self.assertEqual((after["team-a/ping"]["every"], after["team-a/ping"]["version"]), ("2h", 2))
        self.assertEqual(after["team-a/nightly-report"]["version"], 1)

    def test_labels_in_files_are_applied_whole(self):
        self.write("jobs/reports.yaml", REPORTS.replace("every: 90m", "every: 90m\n        labels: {team: a, tier: web}"))
        self.assertExit(self.apply(), 0)
        self.assertEqual(self.jobs()["team-a/ping"]["labels"], {"team": "a", "tier": "web"})
        self.assertExit(self.diff(), 0)

        self.write("jobs/reports.yaml", REPORTS.replace("every: 90m", "every: 90m\n        labels: {team: b}"))
        diff = self.diff()
        self.assertExit(diff, EXIT_DIFF_CHANGES)
        self.assertIn('    labels: {"team":"a","tier":"web"} -> {"team":"b"}\n', diff.stdout)
        self.assertExit(self.apply(), 0)
        self.assertEqual(self.jobs()["team-a/ping"]["labels"], {"team": "b"})

        self.write("jobs/reports.yaml", REPORTS)  # no labels: none wanted
        self.assertExit(self.apply(), 0)
        self.assertEqual(self.jobs()["team-a/ping"]["labels"], {})

    def test_a_new_secret_alone_is_a_change_although_neither_side_shows_it(self):
        self.assertExit(self.apply(), 0)

        diff = self.diff(env={"REPORT_TOKEN": "rotated"})

        self.assertExit(diff, EXIT_DIFF_CHANGES)
        self.assertIn("~ change team-a/nightly-report", diff.stdout)
        self.assertIn("(a secret changed)", diff.stdout)

    def test_dry_run_plans_without_writing(self):
        done = self.apply("--dry-run")

        self.assertExit(done, 0)
        self.assertIn("+ create ops/cleanup", done.stdout)
        self.assertIn("dry run: nothing was changed", done.stderr)
        self.assertEqual(self.jobs(), {})

    def test_prune_deletes_only_unlisted_jobs_of_the_namespaces_the_files_manage(self):
        self.assertExit(self.apply(), 0)
        self.create_job(name="by hand", namespace="team-a")
        self.create_job(name="elsewhere", namespace="other")
        os.remove(self.cli.path("jobs/ops/cleanup.yml"))

        without_prune = self.apply()
        pruned = self.apply("--prune")

        self.assertIn("plan: 0 to create, 0 to change, 0 to delete, 2 unchanged", without_prune.stdout)
        self.assertExit(pruned, 0)
        self.assertIn("- delete team-a/by hand", pruned.stdout)
        self.assertNotIn("elsewhere", pruned.stdout)
        self.assertEqual(sorted(self.jobs()), ["ops/cleanup", "other/elsewhere", "team-a/nightly-report",
                                               "team-a/ping"])

    def test_a_mistake_in_one_file_applies_nothing_from_any_and_names_file_job_field_and_line(self):
        bad = self.write("jobs/zz-bad.yaml", """\
            jobs:
              - name: broken
                cron: "0 25 * * *"
            """)

        done = self.apply()
        diff = self.diff()

        self.assertExit(done, EXIT_USAGE)
        self.assertIn(f"{bad}:3: job 'broken': cron: hour field", done.stderr)
        self.assertIn("nothing was applied", done.stderr)
        self.assertExit(diff, EXIT_DIFF_USAGE)
        self.assertEqual(self.jobs(), {})

    def test_an_unset_variable_and_an_unknown_field_are_reported_before_the_service_is_asked(self):
        self.write("jobs/typo.yaml", "name: typo\nintervall: daily\n")

        done = self.apply(env={"REPORT_TOKEN": None})

        self.assertExit(done, EXIT_USAGE)
        self.assertIn("reports.yaml:10: job 'nightly-report': task.headers.Authorization: environment variable "
                      "REPORT_TOKEN is not set", done.stderr)
        self.assertIn("typo.yaml:2: job 'typo': unknown field 'intervall'; did you mean 'interval'?", done.stderr)
        self.assertEqual(self.jobs(), {})

    def test_print_curl_prints_each_change_instead_of_making_it(self):
        done = self.apply("--print-curl")

        self.assertExit(done, 0)
        self.assertEqual(done.stdout.count("curl -sS -X POST"), 3)
        self.assertEqual(self.jobs(), {})


class ApplyPermissionTest(ServiceTestCase):
    service_args = ("--key-refresh-interval", "200ms")

    def test_a_key_confined_to_another_namespace_exits_4_and_applies_nothing(self):
        token = self.service.create_key("writer-a", "write", namespace="team-a")
        root = self.service.create_key("root", "admin")
        cli = Cli(f"http://127.0.0.1:{self.service.port}")
        self.addCleanup(cli.close)
        cli.write("jobs.yaml", "- {name: mine, namespace: team-a, every: 1h}\n- {name: theirs, namespace: team-b, "
                               "every: 1h}\n")
        env = {"JOBSCHED_TOKEN": token}
        # Until the service has read the keys, it authenticates nobody and lets everyone in.
        wait_until(lambda: cli.run("job", "list").returncode == 4, 10, "the keys to count")
        # It may have read the first key only: wait for the second one too.
        wait_until(lambda: cli.run("job", "list", env={"JOBSCHED_TOKEN": root}).returncode == 0, 10,
                   "the admin key to count")

        done = cli.run("apply", "-f", cli.path("jobs.yaml"), env=env)

        self.assertEqual(done.returncode, 4, done.stdout + done.stderr)
        self.assertIn("job 'theirs'", done.stderr)
        self.assertIn("403", done.stderr)
        self.assertEqual(cli.json("job", "list", env={"JOBSCHED_TOKEN": root}), [])


class EditTest(ServiceTestCase):

    def setUp(self):
        super().setUp()
        self.cli = Cli(f"http://127.0.0.1:{self.service.port}")
        self.addCleanup(self.cli.close)
        self.job = self.create_job(name="ping", every="15m", task={"type": "http", "url": "https://example.com/x",
                                                                   "headers": {"Authorization": "Bearer s3cret"}})

    def editor(self, script):
        """A scripted $EDITOR: a shell script run with the file to edit as $1."""
        path = self.cli.write("editor.sh", "#!/bin/sh\nset -e\n" + script)
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return {"EDITOR": path}

    def test_an_edit_is_sent_as_a_patch_and_keeps_the_secrets(self):
        env = self.editor("sed -i 's/^every: 15m$/every: 5m/; s/^timeout: 1m$/timeout: 30s/' \"$1\"\n")

        done = self.cli.run("job", "edit", "ping", "-o", "json", env=env)

        self.assertEqual(done.returncode, 0, done.stderr)
        job = json.loads(done.stdout)
        check_schema("Job", job, "job edit -o json")
        self.assertEqual((job["every"], job["timeout"], job["version"]), ("5m", "30s", 2))
        self.assertEqual(self.service.get_json(f"/jobs/{self.job['id']}").body["version"], 2)

    def test_an_edit_changes_labels_and_removing_them_removes_them(self):
        tagged = self.create_job(name="tagged", every="1h", labels={"team": "payments", "tier": "web"})
        change = self.editor("sed -i 's/^  team: payments$/  team: billing/; /^  tier: web$/d' \"$1\"\n")
        changed = self.cli.run("job", "edit", "tagged", env=change)
        self.assertEqual(changed.returncode, 0, changed.stderr)
        self.assertEqual(self.service.get_json(f"/jobs/{tagged['id']}").body["labels"], {"team": "billing"})

        remove = self.editor("sed -i '/^labels:$/d; /^  team: billing$/d' \"$1\"\n")  # the same script file
        removed = self.cli.run("job", "edit", "tagged", env=remove)
        self.assertEqual(removed.returncode, 0, removed.stderr)
        self.assertEqual(self.service.get_json(f"/jobs/{tagged['id']}").body["labels"], {})

    def test_an_edit_that_changes_nothing_sends_nothing(self):
        done = self.cli.run("job", "edit", "ping", env=self.editor("touch \"$1\"\n"))

        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("nothing was changed", done.stderr)
        self.assertEqual(self.service.get_json(f"/jobs/{self.job['id']}").body["version"], 1)

    def test_a_change_made_meanwhile_is_reported_and_never_overwritten(self):
        # The editor's "someone else" renames the job through the API while the file is open.
        script = (f"curl -sS -X PATCH -d '{{\"name\": \"renamed meanwhile\"}}' "
                  f"http://127.0.0.1:{self.service.port}/jobs/{self.job['id']} > /dev/null\n"
                  "sed -i 's/^every: 15m$/every: 5m/' \"$1\"\n")

        done = self.cli.run("job", "edit", str(self.job["id"]), env=self.editor(script))

        self.assertEqual(done.returncode, EXIT_CONFLICT, done.stderr)
        self.assertIn("was changed by someone else since the editor opened it", done.stderr)
        kept = done.stderr.split("Your edit is kept in ")[1].split(":")[0]
        self.addCleanup(lambda: os.path.exists(kept) and os.remove(kept))
        with open(kept, encoding="utf-8") as edit:
            self.assertIn("every: 5m", edit.read())
        job = self.service.get_json(f"/jobs/{self.job['id']}").body
        self.assertEqual((job["name"], job["every"], job["version"]), ("renamed meanwhile", "15m", 2))

    def test_an_invalid_edit_is_refused_naming_the_field_and_kept(self):
        done = self.cli.run("job", "edit", "ping", env=self.editor("sed -i 's/^every: 15m$/every: soon/' \"$1\"\n"))

        self.assertEqual(done.returncode, EXIT_USAGE, done.stderr)
        self.assertIn("every", done.stderr)
        self.assertIn("your edit is kept in", done.stderr)
        kept = done.stderr.split("your edit is kept in ")[1].strip()
        os.remove(kept)
        self.assertEqual(self.service.get_json(f"/jobs/{self.job['id']}").body["version"], 1)


if __name__ == "__main__":
    import unittest
    unittest.main()

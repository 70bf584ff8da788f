"""Operability through the real binary: /metrics, request ids, JSON logs, readiness, retention."""

import http.client
import json
import os
import random
import re
import shutil
import subprocess
import unittest

from harness import ServiceTestCase, list_all_runs, wait_for_runs, wait_until

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse_exposition(text):
    """A strict parser of the Prometheus text format 0.0.4; raises AssertionError on anything off.

    Returns {family: {"type": ..., "help": ..., "samples": [(name, labels, value)]}}."""
    families = {}
    current = None
    assert text.endswith("\n"), "the exposition must end with a newline"
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        where = f"line {number}: {line!r}"
        if line.startswith("# HELP "):
            name, _, help_text = line[len("# HELP "):].partition(" ")
            assert _METRIC_NAME.fullmatch(name), where
            assert name not in families, f"{where}: family declared twice"
            families[name] = {"help": help_text, "type": None, "samples": []}
            current = name
        elif line.startswith("# TYPE "):
            name, _, kind = line[len("# TYPE "):].partition(" ")
            assert name == current, f"{where}: TYPE must follow its HELP"
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped"), where
            assert families[name]["type"] is None and not families[name]["samples"], where
            families[name]["type"] = kind
        else:
            assert line and not line.startswith("#"), f"{where}: unexpected line"
            match = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)", line)
            assert match, where
            name, labels_text, value = match.group(1), match.group(3), match.group(4)
            labels = {}
            if labels_text:
                rest = labels_text
                while rest:
                    label = _LABEL.match(rest)
                    assert label, f"{where}: bad label syntax"
                    assert label.group(1) not in labels, f"{where}: label twice"
                    labels[label.group(1)] = label.group(2)
                    rest = rest[label.end():]
                    if rest:
                        assert rest.startswith(","), where
                        rest = rest[1:]
            float(value)  # a number, +Inf, -Inf or NaN
            family = families.get(current)
            assert family is not None and family["type"], f"{where}: sample before its HELP/TYPE"
            suffixes = ("_bucket", "_sum", "_count") if family["type"] == "histogram" else ("",)
            assert any(name == current + suffix for suffix in suffixes), f"{where}: not of family {current}"
            family["samples"].append((name, labels, float(value)))
    for name, family in families.items():
        if family["type"] == "counter":
            assert name.endswith("_total"), f"counter {name} must end in _total"
        if family["type"] == "histogram":
            check_histogram(name, family["samples"])
    return families


def check_histogram(name, samples):
    series = {}
    for sample_name, labels, value in samples:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        series.setdefault(key, {"buckets": [], "sum": None, "count": None})
        if sample_name.endswith("_bucket"):
            series[key]["buckets"].append((float(labels["le"]), value))
        elif sample_name.endswith("_sum"):
            series[key]["sum"] = value
        else:
            series[key]["count"] = value
    for key, one in series.items():
        buckets = one["buckets"]
        assert buckets and buckets[-1][0] == float("inf"), f"{name}{key}: no +Inf bucket"
        assert [b for b, _ in buckets] == sorted(b for b, _ in buckets), f"{name}{key}: buckets out of order"
        counts = [c for _, c in buckets]
        assert counts == sorted(counts), f"{name}{key}: buckets not cumulative"
        assert counts[-1] == one["count"], f"{name}{key}: +Inf bucket != count"


def sample(families, family, name=None, **labels):
    """The value of one sample; 0 when absent (a labelled family shows only what has happened)."""
    for sample_name, sample_labels, value in families.get(family, {"samples": []})["samples"]:
        if sample_name == (name or family) and all(sample_labels.get(k) == v for k, v in labels.items()):
            return value
    return 0.0


class MetricsTest(ServiceTestCase):

    def metrics(self):
        response = self.service.request("GET", "/metrics")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        text = response.body if isinstance(response.body, str) else response.body.decode("utf-8")
        return text, parse_exposition(text)

    def test_metrics_parse_strictly_and_promtool_accepts_them(self):
        job = self.create_job(name="m", every="1s", task={"type": "noop"})
        wait_for_runs(self.service, job["id"], lambda runs: any(r["state"] == "succeeded" for r in runs), 5.0,
                      "a succeeded run")
        text, families = self.metrics()

        for family in ("jobsched_http_requests_total", "jobsched_http_request_duration_seconds",
                       "jobsched_run_start_lag_seconds", "jobsched_runs_finished_total",
                       "jobsched_store_operation_duration_seconds", "jobsched_runs_queued",
                       "jobsched_executor_slots", "jobsched_node_heartbeat_age_seconds"):
            self.assertIn(family, families, sorted(families))
        promtool = shutil.which("promtool")
        self.assertIsNotNone(promtool, "promtool (Debian's prometheus package) is a test dependency")
        checked = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)

    def test_counters_move_with_requests_and_runs(self):
        _, before = self.metrics()
        job = self.create_job(name="m", every="1s", task={"type": "noop"})
        self.service.get_json(f"/jobs/{job['id']}")
        self.service.get_json("/jobs/999999")
        wait_for_runs(self.service, job["id"], lambda runs: sum(r["state"] == "succeeded" for r in runs) >= 2,
                      6.0, "two succeeded runs")

        _, after = self.metrics()

        def delta(family, name=None, **labels):
            return sample(after, family, name, **labels) - sample(before, family, name, **labels)

        self.assertEqual(delta("jobsched_http_requests_total", route="/jobs", method="POST", status="201"), 1)
        self.assertEqual(delta("jobsched_http_requests_total", route="/jobs/{id}", method="GET", status="200"), 1)
        self.assertEqual(delta("jobsched_http_requests_total", route="/jobs/{id}", method="GET", status="404"), 1)
        self.assertGreaterEqual(delta("jobsched_runs_finished_total", task_type="noop", state="succeeded"), 2)
        self.assertGreaterEqual(delta("jobsched_run_start_lag_seconds", "jobsched_run_start_lag_seconds_count"), 2)
        self.assertGreaterEqual(delta("jobsched_scheduler_runs_created_total"), 2)
        self.assertGreaterEqual(delta("jobsched_store_operation_duration_seconds",
                                      "jobsched_store_operation_duration_seconds_count", operation="create_job"), 1)
        # Label values are route templates, never raw paths.
        routes = {labels.get("route") for _, labels, _ in after["jobsched_http_requests_total"]["samples"]}
        self.assertNotIn(f"/jobs/{job['id']}", routes)
        self.assertNotIn("/jobs/999999", routes)


class MetricLabelsTest(ServiceTestCase):
    """Issue #14: every method name became a label, so anonymous requests with made-up methods grew
    /metrics without bound (34,000 series from 2,000 requests). Labels come from a closed set."""

    KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "other"}

    def send_raw(self, method, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.service.port, timeout=10)
        try:
            connection.request(method, path)
            answer = connection.getresponse()
            answer.read()
            return answer.status
        finally:
            connection.close()

    def random_method(self, rng):
        return "M" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(5, 150)))

    def series(self):
        text = self.service.request("GET", "/metrics").body
        families = parse_exposition(text)
        samples = [(name, tuple(sorted(labels.items()))) for family in families.values()
                   for name, labels, _ in family["samples"]]
        return samples, families

    def test_made_up_methods_do_not_grow_the_number_of_series(self):
        rng = random.Random(14)
        paths = ["/x", "/jobs", "/jobs/1", "/metrics"]
        for path in paths:  # each path's first answer adds its series once
            self.send_raw(self.random_method(rng), path)
        self.series()  # the scrape's own series
        before, _ = self.series()

        for i in range(500):
            self.send_raw(self.random_method(rng), paths[i % len(paths)])

        after, families = self.series()
        self.assertEqual(len(after), len(before), sorted(set(after) - set(before))[:5])
        methods = {labels.get("method") for family in ("jobsched_http_requests_total",
                                                        "jobsched_http_request_duration_seconds")
                   for _, labels, _ in families[family]["samples"]}
        self.assertLessEqual(methods, self.KNOWN_METHODS)
        self.assertIn("other", methods)
        routes = {labels.get("route") for _, labels, _ in families["jobsched_http_requests_total"]["samples"]}
        self.assertIn("unmatched", routes)
        self.assertNotIn("/x", routes)


class RequestIdAndLogTest(ServiceTestCase):

    def test_a_sane_request_id_is_echoed_and_logged_and_others_are_replaced(self):
        response = self.service.request("GET", "/jobs", headers={"X-Request-Id": "trace-42.a:b_c"})
        self.assertEqual(response.headers["x-request-id"], "trace-42.a:b_c")
        generated = self.service.request("GET", "/jobs", headers={"X-Request-Id": "has spaces\tand tabs"})
        self.assertRegex(generated.headers["x-request-id"], r"^[0-9a-f]{32}$")
        plain = self.service.request("GET", "/healthz")
        self.assertRegex(plain.headers["x-request-id"], r"^[0-9a-f]{32}$")
        self.assertNotEqual(plain.headers["x-request-id"], generated.headers["x-request-id"])

        line = wait_until(lambda: next((entry for entry in self.json_log_lines()
                                        if entry.get("request_id") == "trace-42.a:b_c"), None),
                          5.0, "the request's log line")
        self.assertEqual(line["level"], "info")
        self.assertEqual(line["route"], "/jobs")
        self.assertEqual(line["status"], "200")
        self.assertIn("GET /jobs 200", line["message"])

    def test_every_log_line_is_one_json_object(self):
        self.service.request("GET", "/nope", unchecked="an unknown path, to log a 404")
        entries = wait_until(lambda: (lambda found: found if any("/nope" in e["message"] for e in found) else None)(
            self.json_log_lines()), 5.0, "the request's log line")
        self.assertGreater(len(entries), 2)
        for entry in entries:
            self.assertRegex(entry["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(entry["level"], ("trace", "debug", "info", "warning", "error", "critical"))
            self.assertIsInstance(entry["message"], str)

    def json_log_lines(self):
        entries = []
        for line in self.service.log_text().splitlines():
            if line.startswith("--- e2e harness") or not line.strip():
                continue
            entries.append(json.loads(line))  # fails the test on any line that is not JSON
        return entries


class TextLogTest(ServiceTestCase):
    service_args = ("--log-format", "text")

    def test_text_format_is_for_people(self):
        self.service.request("GET", "/jobs", headers={"X-Request-Id": "abc"})
        line = wait_until(lambda: next((l for l in self.service.log_text().splitlines() if "request_id=abc" in l),
                                       None), 5.0, "the text log line")
        self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\S+Z info GET /jobs 200 ")


class ReadinessTest(ServiceTestCase):

    def test_readyz_fails_when_the_database_file_is_removed(self):
        self.assertEqual(self.service.get_json("/readyz").status, 200)

        os.remove(self.service.db_path)

        response = self.service.get_json("/readyz")
        self.assertProblem(response, 503)
        self.assertIn("removed or replaced", response.body["detail"])
        self.assertProblem(self.service.get_json("/healthz"), 503)


class RetentionTest(ServiceTestCase):
    service_args = ("--keep-runs-per-job", "3", "--prune-interval", "1s")

    def test_only_the_newest_finished_runs_of_a_job_are_kept(self):
        job = self.create_job(name="many", every="1h", overlap="allow", task={"type": "noop"})
        triggered = [self.service.request("POST", f"/jobs/{job['id']}/trigger").body["id"] for _ in range(6)]
        wait_until(lambda: all(self.service.get_json(f"/runs/{run_id}").body.get("state") == "succeeded"
                               or self.service.get_json(f"/runs/{run_id}").status == 404 for run_id in triggered),
                   5.0, "the runs to finish")

        kept = wait_until(lambda: (lambda ids: ids if len(ids) == 3 else None)(
            sorted(run["id"] for run in list_all_runs(self.service, job["id"]))), 5.0, "pruning to 3 runs")

        self.assertEqual(kept, sorted(triggered)[-3:])
        self.assertProblem(self.service.get_json(f"/runs/{min(triggered)}"), 404)


if __name__ == "__main__":
    unittest.main()

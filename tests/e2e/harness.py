"""Shared helpers for the end-to-end tests: start the real binary, speak HTTP to it.

The binary comes from $JOBSCHED_BINARY (ctest sets it). Each Service gets its own
temporary directory holding the SQLite file and the service log; the log is also
kept in memory so that a failing test can print it after the directory is gone.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

STARTUP_DEADLINE_S = 10.0
STOP_DEADLINE_S = 10.0
REQUEST_TIMEOUT_S = 10.0

_LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def binary_path():
    """The jobsched binary under test. A missing binary is a failure, never a skip."""
    path = os.environ.get("JOBSCHED_BINARY")
    if not path:
        raise AssertionError("JOBSCHED_BINARY is not set; point it at the jobsched binary")
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise AssertionError(f"JOBSCHED_BINARY={path!r} is not an executable file")
    return path


class Response:
    """One HTTP answer. Unpacks as (status, headers, body) like a tuple."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body        # parsed JSON, or text ("" when empty)

    def __iter__(self):
        return iter((self.status, self.headers, self.body))

    def __repr__(self):
        return f"Response({self.status}, {self.headers!r}, {self.body!r})"


class Client:
    """A persistent HTTP/1.1 connection to one port. Not thread-safe: one per thread."""

    def __init__(self, port):
        self.port = port
        self._connection = None
        self._used = False  # whether the current connection already carried a request
        self._reused = False  # whether the last request went over a reused connection

    def close(self):
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def request(self, method, path, body=None, headers=None):
        """Sends one request; returns a Response.

        A dict or list body is sent as JSON, str is UTF-8 encoded, bytes go as is.
        A reused keep-alive connection the server has closed meanwhile is replaced
        once; errors on a fresh connection propagate.
        """
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            return self._send(method, path, body, headers)
        except (http.client.HTTPException, ConnectionError):
            if not self._reused:
                raise
            self.close()
            return self._send(method, path, body, headers)

    def _send(self, method, path, body, headers):
        if self._connection is None:
            self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
            self._used = False
        self._reused = self._used
        self._used = True
        try:
            self._connection.request(method, path, body=body, headers=headers)
            answer = self._connection.getresponse()
            raw = answer.read()
        except BaseException:
            self.close()
            raise
        names = {}
        for name, value in answer.getheaders():
            key = name.lower()
            names[key] = f"{names[key]}, {value}" if key in names else value
        if answer.will_close:
            self.close()
        return Response(answer.status, names, _decode_body(names.get("content-type", ""), raw))

    def post_json(self, path, obj):
        return self.request("POST", path, body=json.dumps(obj), headers={"Content-Type": "application/json"})


def _decode_body(content_type, raw):
    text = raw.decode("utf-8", errors="replace")
    if raw and "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


class Service:
    """Runs `jobsched serve` on a free port with a SQLite file in a temporary directory."""

    def __init__(self, extra_args=(), env=None):
        self.binary = binary_path()
        self.extra_args = list(extra_args)
        self.env = dict(os.environ, **(env or {}))
        self._tempdir = tempfile.TemporaryDirectory(prefix="jobsched-e2e-")
        self.dir = self._tempdir.name
        self.db_path = os.path.join(self.dir, "jobs.db")
        self.log_path = os.path.join(self.dir, "service.log")
        self.log_lines = []  # every line the service printed, across restarts
        self._log_lock = threading.Condition()
        self.process = None
        self.port = None
        self._client = None
        self._reader = None

    # -- lifetime ----------------------------------------------------------------------------

    def start(self):
        """Starts the process and waits until it logs the port it listens on."""
        assert self.process is None or self.process.poll() is not None, "service is already running"
        command = [self.binary, "serve", "--listen", "127.0.0.1:0", "--db", f"sqlite:{self.db_path}",
                   "--log-level", "info", *self.extra_args]
        with self._log_lock:
            self._first_line_of_run = len(self.log_lines)
            self._output_ended = False
        self._append_log(f"--- e2e harness: starting {' '.join(command)}\n")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=self.env)
        self._reader = threading.Thread(target=self._pump_log, args=(self.process.stdout,), daemon=True)
        self._reader.start()
        self.port = self._wait_for_port()
        self._client = Client(self.port)
        return self

    def _pump_log(self, stream):
        with open(self.log_path, "ab") as log_file:
            for line in iter(stream.readline, b""):
                log_file.write(line)
                log_file.flush()
                self._append_log(line.decode("utf-8", errors="replace"))
        stream.close()
        with self._log_lock:
            self._output_ended = True
            self._log_lock.notify_all()

    def _append_log(self, line):
        with self._log_lock:
            self.log_lines.append(line)
            self._log_lock.notify_all()

    def _wait_for_port(self):
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        with self._log_lock:
            while True:
                for line in self.log_lines[self._first_line_of_run:]:
                    match = _LISTENING.search(line)
                    if match:
                        return int(match.group(1))
                if self._output_ended:
                    raise AssertionError(f"jobsched exited before listening (code {self.process.wait()}):\n"
                                         + self.log_text())
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"jobsched did not log 'listening on' within {STARTUP_DEADLINE_S} s:\n"
                                         + self.log_text())
                self._log_lock.wait(remaining)

    def is_running(self):
        return self.process is not None and self.process.poll() is None

    def kill9(self):
        """SIGKILL: no graceful shutdown. Waits for the process to be gone."""
        self._close_client()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=STOP_DEADLINE_S)
        self._reader.join(timeout=STOP_DEADLINE_S)

    def stop(self):
        """SIGTERM, then waits (with a deadline) and returns the exit code."""
        self._close_client()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"jobsched did not exit within {STOP_DEADLINE_S} s of SIGTERM")
        self._reader.join(timeout=STOP_DEADLINE_S)
        return code

    def restart(self):
        """Starts again on the same database file (stopping first if still running); the port may change."""
        if self.is_running():
            self.stop()
        return self.start()

    def close(self):
        """Kills the process if needed and removes the temporary directory. Safe to call twice."""
        if self.is_running():
            self.kill9()
        self._close_client()
        self._tempdir.cleanup()

    def _close_client(self):
        if self._client is not None:
            self._client.close()
            self._client = None

    def log_text(self):
        with self._log_lock:
            return "".join(self.log_lines)

    # -- HTTP --------------------------------------------------------------------------------

    def client(self):
        """A new connection for another thread; the caller closes it."""
        return Client(self.port)

    def request(self, method, path, body=None, headers=None):
        if self._client is None:
            self._client = Client(self.port)
        return self._client.request(method, path, body=body, headers=headers)

    def post_json(self, path, obj):
        return self.request("POST", path, body=json.dumps(obj), headers={"Content-Type": "application/json"})

    def get_json(self, path):
        return self.request("GET", path)


def assert_problem(testcase, status_code, response, expected_status, field=None):
    """Checks an RFC 9457 problem answer.

    `status_code` is the status received and `response` the (headers, body) received with it.
    """
    headers, body = response
    testcase.assertEqual(status_code, expected_status, f"body: {body!r}")
    media_type = headers.get("content-type", "").split(";")[0].strip()
    testcase.assertEqual(media_type, "application/problem+json", f"headers: {headers!r}")
    testcase.assertIsInstance(body, dict, f"problem body is not a JSON object: {body!r}")
    for member in ("type", "title", "status", "detail"):
        testcase.assertIn(member, body, f"problem body lacks '{member}': {body!r}")
    testcase.assertIsInstance(body["title"], str)
    testcase.assertIsInstance(body["detail"], str)
    testcase.assertEqual(body["status"], expected_status, f"body: {body!r}")
    if field is not None:
        testcase.assertEqual(body.get("field"), field, f"body: {body!r}")


# -- helpers on top of a Service --------------------------------------------------------------

def next_link(headers):
    """The target of a `Link: <...>; rel="next"` header, or None."""
    link = headers.get("link")
    if link is None:
        return None
    match = re.fullmatch(r'<([^>]*)>;\s*rel="next"', link.strip())
    if match is None:
        raise AssertionError(f"unexpected Link header: {link!r}")
    return match.group(1)


def list_all_jobs(service, path="/jobs?limit=1000"):
    """Follows the Link headers from `path`; returns every job in the order served."""
    jobs = []
    while path is not None:
        status, headers, body = service.request("GET", path)
        if status != 200:
            raise AssertionError(f"GET {path} -> {status} {body!r}")
        jobs.extend(body)
        path = next_link(headers)
    return jobs


def count_jobs(service):
    return len(list_all_jobs(service))


def form_body(fields):
    return urllib.parse.urlencode(fields)


class ServiceTestCase(unittest.TestCase):
    """Starts a fresh service for every test; stops it in cleanup even when the test fails,
    and prints the service log when it did fail."""

    service_args = ()

    def setUp(self):
        self.service = Service(extra_args=self.service_args)
        self.addCleanup(self.service.close)
        self.service.start()

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        problems_before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        service = getattr(self, "service", None)
        if service is not None and len(result.failures) + len(result.errors) > problems_before:
            sys.stderr.write(f"\n===== jobsched log for {self.id()} =====\n{service.log_text()}"
                             f"===== end of jobsched log =====\n")
        return outcome

    # Shorthands used by most tests.

    def assertProblem(self, response, expected_status, field=None):
        assert_problem(self, response.status, (response.headers, response.body), expected_status, field)

    def create_job(self, **fields):
        """POSTs a job (a daily one unless a schedule is given), asserts the 201, returns the job."""
        job = {"name": "job"}
        if "interval" not in fields and "every" not in fields:
            job["interval"] = "daily"
        job.update(fields)
        response = self.service.post_json("/jobs", job)
        self.assertEqual(response.status, 201, response.body)
        return response.body

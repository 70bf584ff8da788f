"""Shared helpers for the end-to-end tests: start the real binary, speak HTTP to it.

The binary comes from $JOBSCHED_BINARY (ctest sets it). Each Service gets its own
temporary directory holding the SQLite file and the service log; the log is also
kept in memory so that a failing test can print it after the directory is gone.

Every answer received through Client (and so Service.request and the helpers on top
of it) is checked against docs/openapi.yaml by contract.py; a request that is not in
the contract on purpose says so with `unchecked="reason"`.
"""

import http.client
import itertools
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

import contract

from shipped_nginx import free_port  # noqa: F401  (tests import it from here too)

STARTUP_DEADLINE_S = 10.0
STOP_DEADLINE_S = 10.0
REQUEST_TIMEOUT_S = 10.0

_LISTENING = re.compile(r"listening on http://\S+:(\d+)")
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
    """A persistent HTTP/1.1 connection to one port. Not thread-safe: one per thread.

    With `token`, every request carries `Authorization: Bearer <token>` unless it sets
    Authorization itself.
    """

    def __init__(self, port, token=None):
        self.port = port
        self.token = token
        self._connection = None
        self._used = False  # whether the current connection already carried a request
        self._reused = False  # whether the last request went over a reused connection

    def close(self):
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def request(self, method, path, body=None, headers=None, unchecked=None):
        """Sends one request; returns a Response, checked against the contract.

        A dict or list body is sent as JSON, str is UTF-8 encoded, bytes go as is.
        A reused keep-alive connection the server has closed meanwhile is replaced
        once; errors on a fresh connection propagate. An answer that breaks
        docs/openapi.yaml raises contract.ContractViolation (an AssertionError);
        `unchecked="reason"` is for requests outside the contract on purpose.
        """
        headers = dict(headers or {})
        if self.token is not None and not any(name.lower() == "authorization" for name in headers):
            headers["Authorization"] = f"Bearer {self.token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            response = self._send(method, path, body, headers)
        except (http.client.HTTPException, ConnectionError):
            if not self._reused:
                raise
            self.close()
            response = self._send(method, path, body, headers)
        contract.shared().check(method, path, response.status, response.headers, response.body, unchecked)
        return response

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

    def post_json(self, path, obj, unchecked=None):
        return self.request("POST", path, body=json.dumps(obj), headers={"Content-Type": "application/json"},
                            unchecked=unchecked)


def _decode_body(content_type, raw):
    text = raw.decode("utf-8", errors="replace")
    if raw and "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


class Service:
    """Runs `jobsched serve` on a free port with a SQLite file in a temporary directory,
    or on the database `db_url` names (a PostgreSQL URL, see pg_server.py).

    `listen` is the --listen flag; whatever the host, the harness connects to 127.0.0.1.
    API keys for its database are made with create_key() (before or after start).
    """

    # Webhook targets the tests' loopback endpoints need: the service refuses loopback by default.
    LOOPBACK_TASK_HOSTS = "127.0.0.1"

    def __init__(self, extra_args=(), env=None, listen_and_db_flags=True, db_url=None, allow_loopback_tasks=True,
                 listen="127.0.0.1:0"):
        self.binary = binary_path()
        self.extra_args = list(extra_args)
        self.listen = listen
        # Unless the test says otherwise (or sets the allow list itself), webhooks may call 127.0.0.1,
        # where HttpEndpoint listens.
        if (allow_loopback_tasks and "--allow-task-hosts" not in self.extra_args
                and "JOBSCHED_ALLOW_TASK_HOSTS" not in (env or {})):
            self.extra_args += ["--allow-task-hosts", self.LOOPBACK_TASK_HOSTS]
        # Without them, the configuration file or environment must say where to listen.
        self.listen_and_db_flags = listen_and_db_flags
        self.env = dict(os.environ, **(env or {}))
        self._tempdir = tempfile.TemporaryDirectory(prefix="jobsched-e2e-")
        self.dir = self._tempdir.name
        self.db_path = os.path.join(self.dir, "jobs.db")
        self.db_url = db_url or f"sqlite:{self.db_path}"
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
        command = [self.binary, "serve", "--log-level", "info", *self.extra_args]
        if self.listen_and_db_flags:
            command[2:2] = ["--listen", self.listen, "--db", self.db_url]
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

    # -- API keys ----------------------------------------------------------------------------

    def keys_command(self, *args):
        """Runs `jobsched keys ARGS` on this service's database; returns the CompletedProcess (text)."""
        command = [self.binary, "keys", *args, "--db", self.db_url]
        return subprocess.run(command, capture_output=True, text=True, env=self.env, stdin=subprocess.DEVNULL,
                              timeout=STARTUP_DEADLINE_S)

    def create_key(self, name, role, namespace=None, rate_limit=None, expires_in=None):
        """Creates an API key with the binary's `keys create`; returns its token."""
        args = ["create", "--name", name, "--role", role]
        if namespace is not None:
            args += ["--namespace", namespace]
        if rate_limit is not None:
            args += ["--rate-limit", str(rate_limit)]
        if expires_in is not None:
            args += ["--expires-in", expires_in]
        done = self.keys_command(*args)
        if done.returncode != 0:
            raise AssertionError(f"jobsched keys create failed ({done.returncode}): {done.stderr}")
        token = done.stdout.strip()
        if not re.fullmatch(r"jsk_[A-Za-z0-9_-]{43}", token):
            raise AssertionError(f"jobsched keys create printed {done.stdout!r}, not a token")
        return token

    def revoke_key(self, name):
        done = self.keys_command("revoke", name)
        if done.returncode != 0:
            raise AssertionError(f"jobsched keys revoke failed ({done.returncode}): {done.stderr}")

    def list_keys(self):
        """The rows of `jobsched keys list`, as dicts keyed by its (lower-cased) column names."""
        done = self.keys_command("list")
        if done.returncode != 0:
            raise AssertionError(f"jobsched keys list failed ({done.returncode}): {done.stderr}")
        lines = done.stdout.splitlines()
        columns = [name.lower() for name in lines[0].split()]
        return [dict(zip(columns, line.split())) for line in lines[1:]]

    # -- HTTP --------------------------------------------------------------------------------

    def client(self, token=None):
        """A new connection for another thread (with `token`, authenticated); the caller closes it."""
        return Client(self.port, token)

    def request(self, method, path, body=None, headers=None, unchecked=None):
        """One request on the service's own connection; see Client.request."""
        if self._client is None:
            self._client = Client(self.port)
        return self._client.request(method, path, body=body, headers=headers, unchecked=unchecked)

    def post_json(self, path, obj, unchecked=None):
        return self.request("POST", path, body=json.dumps(obj), headers={"Content-Type": "application/json"},
                            unchecked=unchecked)

    def get_json(self, path, unchecked=None):
        return self.request("GET", path, unchecked=unchecked)


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


_JOB_NUMBERS = itertools.count(1)


class ServiceTestCase(unittest.TestCase):
    """Starts a fresh service for every test; stops it in cleanup even when the test fails,
    and prints the service log when it did fail."""

    service_args = ()
    allow_loopback_tasks = True

    def setUp(self):
        self.service = Service(extra_args=self.service_args, allow_loopback_tasks=self.allow_loopback_tasks)
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
        """POSTs a job (a daily one unless a schedule is given), asserts the 201, returns the job.

        Without a name, the job gets one no other job of the test process has ("job 7"): names are
        unique within a namespace."""
        job = {"name": f"job {next(_JOB_NUMBERS)}"}
        if "interval" not in fields and "every" not in fields:
            job["interval"] = "daily"
        job.update(fields)
        response = self.service.post_json("/jobs", job)
        self.assertEqual(response.status, 201, response.body)
        return response.body


# -- engine helpers: polling, timestamps, run history, loopback HTTP and SMTP servers ---------

POLL_INTERVAL_S = 0.05
TERMINAL_RUN_STATES = ("succeeded", "failed", "timed_out", "skipped", "cancelled")


def wait_until(probe, timeout_s, description):
    """Calls `probe` every POLL_INTERVAL_S until it returns something truthy, and returns that.

    Raises AssertionError naming `description` and the last value once `timeout_s` has passed.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {description}; last value: {value!r}")
        time.sleep(POLL_INTERVAL_S)


def parse_rfc3339(text):
    """An RFC 3339 UTC timestamp ('2026-01-02T03:04:05.678Z') as a timezone-aware datetime."""
    import datetime
    if not isinstance(text, str) or not RFC3339_UTC.match(text):
        raise AssertionError(f"not an RFC 3339 UTC timestamp: {text!r}")
    return datetime.datetime.fromisoformat(text[:-1] + "+00:00")


def rfc3339_ms(text):
    """An RFC 3339 UTC timestamp as integer milliseconds since the epoch (exact, no float rounding)."""
    import datetime
    moment = parse_rfc3339(text)
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (moment - epoch) // datetime.timedelta(milliseconds=1)


def list_all_runs(service, job_id, limit=1000):
    """Every run of `job_id`, newest first, following the Link headers."""
    runs = []
    path = f"/jobs/{job_id}/runs?limit={limit}"
    while path is not None:
        status, headers, body = service.request("GET", path)
        if status != 200:
            raise AssertionError(f"GET {path} -> {status} {body!r}")
        runs.extend(body)
        path = next_link(headers)
    return runs


def wait_for_runs(service, job_id, predicate, timeout_s, description):
    """Polls the run history of `job_id` until `predicate(runs)` holds; returns those runs (newest first)."""
    def probe():
        runs = list_all_runs(service, job_id)
        return runs if predicate(runs) else None
    return wait_until(probe, timeout_s, f"runs of job {job_id}: {description}")


def wait_for_finished_runs(service, job_id, count, timeout_s):
    """Waits for at least `count` runs of `job_id` in a terminal state; returns them, oldest first."""
    def finished(runs):
        return [run for run in runs if run["state"] in TERMINAL_RUN_STATES]
    runs = wait_for_runs(service, job_id, lambda runs: len(finished(runs)) >= count, timeout_s,
                         f"{count} finished")
    return list(reversed(finished(runs)))


class RecordedRequest:
    """One request an HttpEndpoint received."""

    def __init__(self, method, path, headers, body, received_at):
        self.method = method
        self.path = path
        self.headers = headers  # lower-case names
        self.body = body        # bytes
        self.received_at = received_at  # time.monotonic()

    def __repr__(self):
        return f"RecordedRequest({self.method} {self.path}, {self.headers!r}, {self.body!r})"


class HttpEndpoint:
    """A real HTTP server on 127.0.0.1 port 0, in threads of the test process, recording requests.

    Each path answers as configured with `route(path, status, body, delay_s)` (default: 200, empty);
    `times=N` makes that answer a temporary one, given to the next N requests only.
    A request is recorded as soon as it has been read, before any delay, so a test can tell that
    a run is in flight while the endpoint still holds it. `close()` cuts every delay short.
    `max_in_flight` is the largest number of requests it was holding at once.
    """

    def __init__(self):
        import http.server
        endpoint = self
        self._lock = threading.Condition()
        self._routes = {}
        self._released = threading.Event()
        self.requests = []
        self.in_flight = 0
        self.max_in_flight = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                endpoint._record(RecordedRequest(self.command, self.path,
                                                 {name.lower(): value for name, value in self.headers.items()},
                                                 body, time.monotonic()))
                answered = False
                try:
                    status, reply, delay_s = endpoint._route_for(self.path)
                    if delay_s and endpoint._released.wait(delay_s):
                        return  # closing: drop the connection without an answer
                    # No longer in flight once the caller can have the whole answer, which for an
                    # empty body is the header alone (end_headers writes it): counted after either
                    # write, the caller's next request could arrive first (max_in_flight 3 of 2).
                    answered = True
                    endpoint._done()
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:
                    pass  # the caller gave up meanwhile (its timeout, or it was killed)
                finally:
                    if not answered:
                        endpoint._done()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            # socketserver's default backlog of 5 drops connections when a burst of runs starts
            # together (the cluster test fires 200 webhooks a second); dropped SYNs come back only
            # after a second or more and look like slow tasks.
            request_queue_size = 1024

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        # A short poll interval keeps close() (which waits for the serving loop to notice) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path, status=200, body="", delay_s=0.0, times=None):
        reply = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            answers = self._routes.setdefault(path, [])
            if times is None:
                answers[:] = [answer for answer in answers if answer[3] is not None]
                answers.append([status, reply, delay_s, None])
            else:
                # Temporary answers go before the lasting one, in the order given.
                lasting = [answer for answer in answers if answer[3] is None]
                temporary = [answer for answer in answers if answer[3] is not None]
                answers[:] = temporary + [[status, reply, delay_s, times]] + lasting

    def _route_for(self, path):
        with self._lock:
            answers = self._routes.get(path.split("?")[0])
            if not answers:
                return 200, b"", 0.0
            status, reply, delay_s, times = answers[0]
            if times is not None:
                answers[0][3] -= 1
                if answers[0][3] <= 0:
                    answers.pop(0)
            return status, reply, delay_s

    def _record(self, request):
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._lock.notify_all()

    def _done(self):
        with self._lock:
            self.in_flight -= 1

    def requests_to(self, path):
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def wait_for_requests(self, count, path=None, timeout_s=10.0):
        """Waits until `count` requests (to `path`, if given) have arrived; returns them in order."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while True:
                matching = [request for request in self.requests if path is None or request.path == path]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"endpoint got {len(matching)} of {count} requests to {path or 'any path'}"
                                         f" within {timeout_s} s: {matching!r}")
                self._lock.wait(remaining)

    def close(self):
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=STOP_DEADLINE_S)


class ReceivedMail:
    """One message an SmtpSink accepted: the envelope plus the message parsed by Python's email package."""

    def __init__(self, mail_from, rcpt_tos, message):
        self.mail_from = mail_from
        self.rcpt_tos = rcpt_tos
        self.message = message  # email.message.EmailMessage (policy=default: headers decoded)

    @property
    def subject(self):
        return str(self.message["Subject"])

    def body_text(self):
        part = self.message.get_body(preferencelist=("plain",)) or self.message
        return part.get_content()

    def __repr__(self):
        return f"ReceivedMail(from={self.mail_from!r}, to={self.rcpt_tos!r}, subject={self.message['Subject']!r})"


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 in a thread of the test process, keeping every message.

    aiosmtpd's Controller cannot bind port 0 in older versions, so the sink picks a free port
    and tries again on the rare collision. With `data_delay_s`, the server holds every message
    that long before it answers the end of DATA, like a stalled server (close() cuts it short).
    `data_started` is set once a message has been sent up to its end. It never offers STARTTLS;
    with `offer_auth_without_tls` it advertises AUTH over plain text (as a server an attacker
    stripped STARTTLS from would), accepts any login and records it in `auth_attempts`.
    """

    ATTEMPTS = 5

    def __init__(self, data_delay_s=0.0, offer_auth_without_tls=False):
        import asyncio
        import email
        import email.policy
        from aiosmtpd.controller import Controller

        sink = self
        self._lock = threading.Condition()
        self.messages = []
        self.auth_attempts = []  # (mechanism, login) of every AUTH seen
        self.data_started = threading.Event()

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.data_started.set()
                if data_delay_s:
                    await asyncio.sleep(data_delay_s)
                raw = envelope.original_content or envelope.content
                if isinstance(raw, str):
                    raw = raw.encode("utf-8")
                message = email.message_from_bytes(raw, policy=email.policy.default)
                with sink._lock:
                    sink.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
                    sink._lock.notify_all()
                return "250 OK"

        def record_auth(server, session, envelope, mechanism, auth_data):
            from aiosmtpd.smtp import AuthResult, LoginPassword
            login = auth_data.login.decode("utf-8", "replace") if isinstance(auth_data, LoginPassword) else ""
            with sink._lock:
                sink.auth_attempts.append((mechanism, login))
            return AuthResult(success=True)

        options = {"auth_require_tls": False, "authenticator": record_auth} if offer_auth_without_tls else {}
        last_error = None
        for _ in range(self.ATTEMPTS):
            port = free_port()
            controller = Controller(Handler(), hostname="127.0.0.1", port=port, **options)
            try:
                controller.start()
            except (OSError, RuntimeError) as error:  # someone took the port meanwhile
                last_error = error
                continue
            self._controller = controller
            self.port = port
            return
        raise AssertionError(f"could not start the SMTP sink after {self.ATTEMPTS} attempts: {last_error!r}")

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def wait_for_messages(self, count, timeout_s=10.0):
        """Waits until `count` messages have arrived; returns them in order of arrival."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"SMTP sink got {len(self.messages)} of {count} messages within {timeout_s} s:"
                                         f" {self.messages!r}")
                self._lock.wait(remaining)
            return list(self.messages)

    def close(self):
        self._controller.stop()


def send_sigterm(service):
    """Sends SIGTERM and returns at once (Service.stop() also waits)."""
    service._close_client()
    service.process.send_signal(signal.SIGTERM)


def wait_for_exit(service, timeout_s=STOP_DEADLINE_S):
    """Waits for the process to exit; returns its exit code. Kills it and fails after `timeout_s`."""
    try:
        code = service.process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait()
        raise AssertionError(f"jobsched did not exit within {timeout_s} s") from None
    service._reader.join(timeout=STOP_DEADLINE_S)
    return code

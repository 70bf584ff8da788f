"""`jobsched run logs -f` and `job trigger --wait` follow a run through the event stream (GET /events),
and fall back to asking GET /runs/{id} every half second when the stream cannot be had.

What the client asked for is read from the service's access log (one line per request), or, for
the fallback, from a small proxy in front of the service that refuses GET /events as an older
service would (404) and forwards everything else.
"""

import http.client
import http.server
import json
import re
import threading
import time
import unittest

from cli_testing import Cli, check_schema
from harness import HttpEndpoint, ServiceTestCase, wait_until

EXIT_RUN_FAILED, EXIT_TIMEOUT = 6, 7


class Proxy:
    """Forwards every request to 127.0.0.1:`upstream_port` and records (method, path, headers) of
    each. GET /events is answered `events_status` with a problem when that is given (an older
    service, a key refused the stream); otherwise it is streamed through, and the first
    `cut_streams` streams are cut once an event has gone through (a connection lost)."""

    def __init__(self, upstream_port, events_status=None, cut_streams=0):
        self.requests = []
        self.cut_streams = cut_streams
        # Set once a stream's head came from the service, which sends it after subscribing.
        self.streaming = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                outer.requests.append((self.command, self.path, dict(self.headers.items())))
                events = self.path.split("?")[0] == "/events"
                if events and events_status is not None:
                    self._answer(events_status, [("Content-Type", "application/problem+json")],
                                 json.dumps({"title": "refused by the test's proxy", "status": events_status}).encode())
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
                headers = {name: value for name, value in self.headers.items()
                           if name.lower() not in ("host", "connection", "content-length")}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                passed = [(name, value) for name, value in answer.getheaders()
                          if name.lower() not in ("transfer-encoding", "connection", "content-length")]
                if events and answer.status == 200:
                    self._stream(answer, passed)
                else:
                    self._answer(answer.status, passed, answer.read())
                upstream.close()

            def _answer(self, status, headers, data):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, answer, headers):
                """The stream through, until either side closes it (or it is to be cut)."""
                self.close_connection = True
                outer.streaming.set()
                self.send_response(200)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.flush()
                cut = outer.cut_streams > 0
                outer.cut_streams -= 1 if cut else 0
                try:
                    while chunk := answer.read1(65536):
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        if cut and b"\ndata:" in chunk:
                            return
                except OSError:
                    pass  # the client went away

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def requests_to(self, path):
        return [headers for _, each, headers in self.requests if each == path]

    def count(self, path):
        return len(self.requests_to(path))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class FollowTestCase(ServiceTestCase):
    def setUp(self):
        super().setUp()
        self.cli = Cli(f"http://127.0.0.1:{self.service.port}")
        self.addCleanup(self.cli.close)
        self.endpoint = HttpEndpoint()
        self.addCleanup(self.endpoint.close)

    def webhook_job(self, name, path, status=200, body="", delay_s=0.0):
        self.endpoint.route(path, status=status, body=body, delay_s=delay_s)
        return self.cli.json("job", "create", "--name", name, "--interval", "weekly", "--http-url",
                             self.endpoint.url(path))

    def assertExit(self, done, code):
        self.assertEqual(done.returncode, code, f"stdout: {done.stdout}\nstderr: {done.stderr}")

    def requests_logged(self, method, path):
        """How many requests `method` `path` the service's access log shows."""
        line = re.compile(re.escape(f"{method} {path} ") + r"\d{3}\b")
        return sum(1 for text in self.service.log_text().splitlines() if line.search(text))

    def requests_logged_at_least(self, count, method, path):
        """requests_logged once it reaches `count` (waiting up to 5 s): the service logs a request
        after answering it, and its log reaches us through a pipe, so the line of the CLI's last
        request may come after the CLI has exited."""
        def logged():
            found = self.requests_logged(method, path)
            return found if found >= count else 0
        return wait_until(logged, 5.0, f"{count} requests {method} {path} in the log")


class FollowThroughTheStreamTest(FollowTestCase):

    def test_logs_follow_ends_when_the_run_does_reading_the_run_only_when_told(self):
        self.webhook_job("slow", "/slow", body="done at last", delay_s=3.0)
        run = self.cli.json("job", "trigger", "slow")
        self.endpoint.wait_for_requests(1, path="/slow")

        started = time.monotonic()
        followed = self.cli.run("run", "logs", str(run["id"]), "-f")
        took_s = time.monotonic() - started

        self.assertExit(followed, 0)
        self.assertIn("done at last", followed.stdout)
        self.assertIn(f"run {run['id']}: running", followed.stderr)
        self.assertIn(f"run {run['id']}: succeeded", followed.stderr)
        self.assertLess(took_s, 3.0 + 2.0)
        self.assertEqual(self.requests_logged_at_least(1, "GET", "/events"), 1)
        # The first read, then one on run.finished: polling for ~3 s would have read it six times.
        reads = self.requests_logged_at_least(2, "GET", f"/runs/{run['id']}")
        self.assertLessEqual(reads, 3)

    def test_trigger_wait_exits_0_with_the_run_when_it_succeeds_and_6_when_it_fails(self):
        self.webhook_job("good", "/good", body="all fine", delay_s=2.0)
        self.webhook_job("bad", "/bad", status=500, delay_s=2.0)

        good = self.cli.run("job", "trigger", "good", "--wait", "-o", "json")
        bad = self.cli.run("job", "trigger", "bad", "--wait")

        self.assertExit(good, 0)
        run = json.loads(good.stdout)
        check_schema("Run", run, "job trigger --wait -o json")
        self.assertEqual(run["state"], "succeeded")
        self.assertIn("all fine", run["output"])
        self.assertExit(bad, EXIT_RUN_FAILED)
        self.assertIn("ended failed", bad.stderr)
        self.assertEqual(self.requests_logged_at_least(2, "GET", "/events"), 2)
        for run_id in (1, 2):
            # Read first, then on run.started (if it was still queued) and on run.finished.
            self.assertLessEqual(self.requests_logged("GET", f"/runs/{run_id}"), 3, run_id)

    def test_a_run_that_does_not_end_in_time_exits_7(self):
        self.webhook_job("stuck", "/stuck", delay_s=30)
        run = self.cli.json("job", "trigger", "stuck")

        started = time.monotonic()
        done = self.cli.run("run", "logs", str(run["id"]), "-f", "--timeout", "2s")

        self.assertExit(done, EXIT_TIMEOUT)
        self.assertLess(time.monotonic() - started, 6.0)
        self.assertIn("after waiting 2 s", done.stderr)
        self.assertLessEqual(self.requests_logged("GET", f"/runs/{run['id']}"), 3)

    def test_an_unknown_run_exits_2(self):
        self.assertExit(self.cli.run("run", "logs", "999", "-f"), 2)


class FallBackToPollingTest(FollowTestCase):

    def follow_through(self, proxy, *args):
        cli = Cli(proxy.url)
        self.addCleanup(cli.close)
        return cli.run(*args)

    def test_a_service_without_the_stream_is_polled(self):
        proxy = Proxy(self.service.port, events_status=404)
        self.addCleanup(proxy.close)
        self.webhook_job("slow", "/slow", body="done at last", delay_s=2.0)
        run = self.cli.json("job", "trigger", "slow")

        followed = self.follow_through(proxy, "run", "logs", str(run["id"]), "-f")

        self.assertExit(followed, 0)
        self.assertIn("done at last", followed.stdout)
        self.assertEqual(proxy.count("/events"), 1)
        self.assertGreaterEqual(proxy.count(f"/runs/{run['id']}"), 3)  # every half second for ~2 s

    def test_a_stream_refused_to_the_key_is_polled_and_a_failed_run_still_exits_6(self):
        proxy = Proxy(self.service.port, events_status=403)
        self.addCleanup(proxy.close)
        self.webhook_job("bad", "/bad", status=500, delay_s=1.0)

        done = self.follow_through(proxy, "job", "trigger", "bad", "--wait")

        self.assertExit(done, EXIT_RUN_FAILED)
        self.assertEqual(proxy.count("/events"), 1)
        self.assertGreaterEqual(proxy.count("/runs/1"), 2)


class ReconnectTest(FollowTestCase):

    def test_a_stream_cut_after_an_event_is_resumed_from_its_id(self):
        proxy = Proxy(self.service.port, cut_streams=1)
        self.addCleanup(proxy.close)
        self.webhook_job("slow", "/slow", body="done at last", delay_s=3.0)
        self.cli.ok("job", "create", "--name", "other", "--interval", "weekly", "--noop")
        run = self.cli.json("job", "trigger", "slow")
        self.endpoint.wait_for_requests(1, path="/slow")
        cli = Cli(proxy.url)
        self.addCleanup(cli.close)
        followed = {}
        follower = threading.Thread(target=lambda: followed.update(done=cli.run("run", "logs", str(run["id"]), "-f")))
        follower.start()
        wait_until(lambda: proxy.streaming.is_set() or None, 10, "the follower's stream to be subscribed")
        self.cli.ok("job", "trigger", "other")  # another run's events: the first goes through, then the cut
        follower.join(30)

        self.assertExit(followed["done"], 0)
        self.assertIn("done at last", followed["done"].stdout)
        streams = proxy.requests_to("/events")
        self.assertEqual(len(streams), 2, streams)
        self.assertNotIn("Last-Event-ID", streams[0])
        self.assertRegex(streams[1].get("Last-Event-ID", ""), r"^[0-9]+$")
        # Read first, again after reconnecting, and on run.finished; no polling.
        self.assertLessEqual(proxy.count(f"/runs/{run['id']}"), 4)


if __name__ == "__main__":
    unittest.main()

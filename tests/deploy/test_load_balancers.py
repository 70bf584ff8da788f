"""deploy/nginx.conf and deploy/haproxy.cfg: valid, and behaving as their comments say.

Each test runs the proxy on a copy of the file whose host-specific parts are moved aside (the
three node addresses 127.0.0.1:8001-8003 become stand-in nodes on free ports, the listening
port a free one, pid and log files a temporary folder); everything else is the shipped file.
The stand-in nodes are small HTTP servers in this process that count what reaches them, so a
test can see whether a request was passed to a second node. Cluster tests with real jobsched
nodes on PostgreSQL come with cluster mode.
"""

import http.client
import http.server
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from deploy_testing import deploy_path, read, tool
from shipped_nginx import free_port, node_addresses, nginx_config_for_test, replace

START_DEADLINE_S = 10.0


class StandInNode:
    """A jobsched stand-in: answers `api_status` on /jobs, `ready_status` on /readyz, 200 elsewhere."""

    def __init__(self, name, api_status=200, ready_status=200):
        node = self
        self.name = name
        self.api_status = api_status
        self.ready_status = ready_status
        self.lock = threading.Lock()
        self.requests = []  # (method, path)
        self.headers = []  # the headers of each request, lower-case names

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with node.lock:
                    node.requests.append((self.command, self.path))
                    node.headers.append({name.lower(): value for name, value in self.headers.items()})
                status = 200
                if self.path.startswith("/jobs"):
                    status = node.api_status
                elif self.path == "/readyz":
                    status = node.ready_status
                body = json.dumps({"node": node.name}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, format, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a proxy closing an idle keep-alive connection is no error

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def count(self, method=None, path_prefix="/jobs"):
        with self.lock:
            return sum(1 for m, p in self.requests if p.startswith(path_prefix) and method in (None, m))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = dict(headers or {})
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_for_port(port, process, log_path):
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the proxy exited with {process.returncode}:\n{read(log_path)}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"the proxy did not listen on {port} within {START_DEADLINE_S} s:\n{read(log_path)}")


class ProxyTestCase(unittest.TestCase):
    """Starts three stand-in nodes; subclasses say how each behaves and which proxy runs."""

    node_behaviour = ({}, {}, {})

    def setUp(self):
        scratch = tempfile.TemporaryDirectory(prefix="jobsched-proxy-")
        self.addCleanup(scratch.cleanup)
        self.dir = scratch.name
        self.nodes = [StandInNode(f"node{i + 1}", **behaviour) for i, behaviour in enumerate(self.node_behaviour)]
        for node in self.nodes:
            self.addCleanup(node.close)
        self.port = free_port()

    def start(self, command, log_path):
        log = open(log_path, "ab")
        self.addCleanup(log.close)
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def stop():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.addCleanup(stop)
        wait_for_port(self.port, process, log_path)
        return process

    def forwarded_headers(self, headers):
        """The headers the node received for one GET /jobs sent through the proxy with `headers`."""
        self.assertEqual(request(self.port, "GET", "/jobs", headers=headers), 200)
        received = [node.headers[-1] for node in self.nodes if node.count("GET")]
        self.assertEqual(len(received), 1)
        return received[0]

    def node_addresses(self, text):
        return node_addresses(text, [node.port for node in self.nodes])

    def assert_each_post_reached_one_node(self, statuses):
        delivered = sum(node.count("POST") for node in self.nodes)
        self.assertEqual(delivered, len(statuses), "a POST was passed to a second node")
        self.assertIn(502, statuses, "the failing node got no POST; the test proves nothing")
        self.assertEqual(self.nodes[0].count("POST"), statuses.count(502))


# -- nginx -------------------------------------------------------------------------------------

class NginxTestCase(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.nginx = tool("nginx", "nginx-light")
        self.config = os.path.join(self.dir, "nginx.conf")
        with open(self.config, "w", encoding="utf-8") as file:
            file.write(nginx_config_for_test(read(deploy_path("nginx.conf")), [node.port for node in self.nodes],
                                               self.port, self.dir))
        self.log = os.path.join(self.dir, "error.log")

    def nginx_command(self, *args):
        return [self.nginx, "-c", self.config, "-p", self.dir, "-e", self.log, *args]

    def start_nginx(self):
        return self.start(self.nginx_command("-g", "daemon off;"), os.path.join(self.dir, "nginx.out"))


class NginxConfigTest(NginxTestCase):
    def test_nginx_accepts_it(self):
        result = subprocess.run(self.nginx_command("-t"), capture_output=True, text=True, timeout=30)

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("test is successful", result.stderr)

    def test_proxies_to_every_node(self):
        self.start_nginx()

        statuses = [request(self.port, "GET", "/jobs") for _ in range(6)]

        self.assertEqual(statuses, [200] * 6)
        self.assertEqual([node.count("GET") for node in self.nodes], [2, 2, 2])


class NginxForwardingTest(NginxTestCase):
    """What a node needs to judge a browser's Origin (docs/decisions/0008): the Host the browser
    used, port included, and the scheme it used."""

    def test_the_node_sees_the_host_and_port_and_scheme_the_browser_used(self):
        self.start_nginx()

        received = self.forwarded_headers({"Host": "console.example:8080", "X-Forwarded-Proto": "https"})

        self.assertEqual(received["host"], "console.example:8080")
        self.assertEqual(received["x-forwarded-proto"], "http", "the client's own claim must not pass")


class NginxRetryTest(NginxTestCase):
    node_behaviour = ({"api_status": 502}, {}, {})

    def test_passes_a_failed_get_on_to_another_node(self):
        self.start_nginx()

        statuses = [request(self.port, "GET", "/jobs") for _ in range(6)]

        self.assertEqual(statuses, [200] * 6)
        self.assertGreater(self.nodes[0].count("GET"), 0, "the failing node got no GET; the test proves nothing")

    def test_never_passes_a_post_on_to_another_node(self):
        self.start_nginx()

        statuses = [request(self.port, "POST", "/jobs", body="{}") for _ in range(6)]

        self.assert_each_post_reached_one_node(statuses)


class NginxPassiveHealthTest(NginxTestCase):
    node_behaviour = ({"api_status": 502}, {}, {})

    def test_stops_sending_to_a_node_after_max_fails(self):
        self.start_nginx()

        for _ in range(12):
            request(self.port, "GET", "/jobs")
        failures_so_far = self.nodes[0].count("GET")
        for _ in range(12):
            request(self.port, "GET", "/jobs")

        self.assertEqual(failures_so_far, 3, "max_fails=3")
        self.assertEqual(self.nodes[0].count("GET"), failures_so_far, "the node was tried within fail_timeout")


# -- HAProxy -----------------------------------------------------------------------------------

class HaproxyTestCase(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.haproxy = tool("haproxy", "haproxy")
        text = self.node_addresses(read(deploy_path("haproxy.cfg")))
        text = replace(text, r"bind :8080", f"bind 127.0.0.1:{self.port}")
        if os.geteuid() != 0:
            text = replace(text, r"\n\s*user haproxy\n\s*group haproxy", "")
        self.config = os.path.join(self.dir, "haproxy.cfg")
        with open(self.config, "w", encoding="utf-8") as file:
            file.write(text)

    def start_haproxy(self):
        return self.start([self.haproxy, "-db", "-f", self.config], os.path.join(self.dir, "haproxy.out"))


class HaproxyConfigTest(HaproxyTestCase):
    def test_haproxy_accepts_the_shipped_file(self):
        result = subprocess.run([self.haproxy, "-c", "-f", deploy_path("haproxy.cfg")], capture_output=True,
                                text=True, timeout=30)

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_proxies_to_every_node(self):
        self.start_haproxy()

        statuses = [request(self.port, "GET", "/jobs") for _ in range(6)]

        self.assertEqual(statuses, [200] * 6)
        self.assertEqual([node.count("GET") for node in self.nodes], [2, 2, 2])


class HaproxyForwardingTest(HaproxyTestCase):
    def test_the_node_sees_the_host_and_port_and_scheme_the_browser_used(self):
        self.start_haproxy()

        received = self.forwarded_headers({"Host": "console.example:8080", "X-Forwarded-Proto": "https"})

        self.assertEqual(received["host"], "console.example:8080")
        self.assertEqual(received["x-forwarded-proto"], "http", "the client's own claim must not pass")


class HaproxyRetryTest(HaproxyTestCase):
    node_behaviour = ({"api_status": 502}, {}, {})

    def test_passes_a_failed_get_on_to_another_node(self):
        self.start_haproxy()

        statuses = [request(self.port, "GET", "/jobs") for _ in range(6)]

        self.assertEqual(statuses, [200] * 6)
        self.assertGreater(self.nodes[0].count("GET"), 0, "the failing node got no GET; the test proves nothing")

    def test_never_passes_a_post_on_to_another_node(self):
        self.start_haproxy()

        statuses = [request(self.port, "POST", "/jobs", body="{}") for _ in range(6)]

        self.assert_each_post_reached_one_node(statuses)


class HaproxyActiveHealthTest(HaproxyTestCase):
    # node1 is draining: its API still answers, its /readyz says 503.
    node_behaviour = ({"ready_status": 503}, {}, {})

    def test_takes_a_node_whose_readyz_fails_out_of_rotation(self):
        self.start_haproxy()
        # `fall 2`: down after its second failed check (checks every 2 s).
        deadline = time.monotonic() + 15
        while self.nodes[0].count(path_prefix="/readyz") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        self.assertGreaterEqual(self.nodes[0].count(path_prefix="/readyz"), 2, "no active checks on /readyz")
        before = self.nodes[0].count("GET")

        statuses = [request(self.port, "GET", "/jobs") for _ in range(8)]

        self.assertEqual(statuses, [200] * 8)
        self.assertEqual(self.nodes[0].count("GET"), before, "a node failing /readyz still got requests")
        self.assertEqual(self.nodes[1].count("GET") + self.nodes[2].count("GET"), 8)


if __name__ == "__main__":
    unittest.main()

"""Request smuggling through the real binary (issue #14): a request whose body has no single
reading (RFC 9112 §6.1) gets 400 and its connection is closed, so the bytes sent as its body
are never read as a request of their own. Spoken over raw sockets: no client library would
send these requests."""

import socket
import unittest

from harness import ServiceTestCase

SMUGGLED = b"DELETE /jobs/1 HTTP/1.1\r\nHost: x\r\n\r\n"
CHUNKED_BODY = b"0\r\n\r\n" + SMUGGLED  # an empty chunked body, then the smuggled request
POST = b"POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"

SHAPES = [
    ("chunked, identity", b"Transfer-Encoding: chunked, identity\r\n", CHUNKED_BODY),
    ("chunked, chunked", b"Transfer-Encoding: chunked, chunked\r\n", CHUNKED_BODY),
    ("identity", b"Transfer-Encoding: identity\r\n", SMUGGLED),
    ("xchunked", b"Transfer-Encoding: xchunked\r\n", CHUNKED_BODY),
    ("empty value", b"Transfer-Encoding: \r\n", SMUGGLED),
    ("gzip with Content-Length",
     b"Transfer-Encoding: gzip\r\nContent-Length: " + str(len(SMUGGLED)).encode() + b"\r\n", SMUGGLED),
    ("chunked with Content-Length", b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", CHUNKED_BODY),
]


def exchange(port, data, timeout_s=5.0):
    """Sends `data` and reads until the server closes; returns (everything read, closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as connection:
        connection.sendall(data)
        received = b""
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    return received, True
                received += chunk
        except socket.timeout:
            return received, False
        except ConnectionResetError:
            return received, True


class RequestSmugglingTest(ServiceTestCase):

    def test_every_ambiguous_framing_is_refused_and_the_smuggled_request_never_answered(self):
        job = self.create_job(name="target")
        self.assertEqual(job["id"], 1)

        for name, fields, body in SHAPES:
            with self.subTest(shape=name):
                received, closed = exchange(self.service.port, POST + fields + b"\r\n" + body)

                self.assertTrue(closed, f"the connection stayed open: {received!r}")
                self.assertEqual(received.count(b"HTTP/1.1 "), 1, received)
                self.assertTrue(received.startswith(b"HTTP/1.1 400 "), received)
                self.assertIn(b"\r\nConnection: close\r\n", received)
                self.assertIn(b"application/problem+json", received)
                self.assertEqual(self.service.get_json("/jobs/1").status, 200, "the smuggled DELETE ran")

    def test_a_plain_chunked_body_is_read_and_the_connection_kept(self):
        body = b'{"name": "chunked", "every": "1h"}'
        chunked = hex(len(body))[2:].encode() + b"\r\n" + body + b"\r\n0\r\n\r\n"
        follow_up = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

        received, closed = exchange(self.service.port,
                                    POST + b"Transfer-Encoding: chunked\r\n\r\n" + chunked + follow_up)

        self.assertTrue(closed)
        self.assertTrue(received.startswith(b"HTTP/1.1 201 "), received)
        self.assertEqual(received.count(b"HTTP/1.1 "), 2, received)


if __name__ == "__main__":
    unittest.main()

"""A client of GET /events for the end-to-end tests: a raw socket that reads Server-Sent Events
as they arrive, so a test can wait for one (the harness's Client reads whole answers)."""

import json
import socket
import time


class EventStream:
    """An open GET /events on `port`. Read events with wait_for(); close() when done."""

    def __init__(self, port, token=None, last_event_id=None, headers=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        lines = ["GET /events HTTP/1.1", "Host: 127.0.0.1", "Accept: text/event-stream"]
        if token:
            lines.append(f"Authorization: Bearer {token}")
        if last_event_id is not None:
            lines.append(f"Last-Event-ID: {last_event_id}")
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        self.events = []  # every event parsed so far: dicts with id, event, data (parsed JSON)
        head = self._read_until(b"\r\n\r\n", 10)
        self.status = int(head.split(b" ", 2)[1])
        self.headers = {}
        for line in head.split(b"\r\n")[1:]:
            if b":" in line:
                name, value = line.split(b":", 1)
                self.headers[name.decode().strip().lower()] = value.decode().strip()

    def close(self):
        self.sock.close()

    def _read_until(self, marker, timeout_s):
        deadline = time.monotonic() + timeout_s
        while marker not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {marker!r} within {timeout_s} s")
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the stream ended")
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _parse(self, block):
        event = {}
        for line in block.decode().split("\n"):
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            event[name] = value[1:] if value.startswith(" ") else value
        if "data" in event:
            event["data"] = json.loads(event["data"])
            self.events.append(event)
            return event
        return None

    def wait_for(self, predicate, timeout_s=10, description="an event"):
        """The first event (old or new) for which predicate(event) holds."""
        for event in self.events:
            if predicate(event):
                return event
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {description} within {timeout_s} s; saw {self.events}")
            try:
                block = self._read_until(b"\n\n", remaining)
            except TimeoutError:
                raise AssertionError(f"no {description} within {timeout_s} s; saw {self.events}") from None
            event = self._parse(block)
            if event is not None and predicate(event):
                return event

    def drain(self, quiet_s=0.5):
        """Reads whatever comes within `quiet_s` of quiet; returns the events read."""
        seen = []
        while True:
            try:
                block = self._read_until(b"\n\n", quiet_s)
            except TimeoutError:
                return seen
            event = self._parse(block)
            if event is not None:
                seen.append(event)

#!/usr/bin/env python3
"""Event stream clients for bench/console.py (GET /events, Server-Sent Events). Standard library only.

  hold PORT COUNT     opens COUNT idle subscribers (at most CONNECT_AT_ONCE connecting at a time)
                      and keeps reading them (heartbeats). Prints one JSON line when all are open,
                      {"open", "failed", "seconds", "first_error"}; then takes commands on stdin:
                      "close K" closes K of them (with a reset) and prints {"open"}; end of input
                      closes the rest and prints {"open", "ended_by_server", "bytes"}.
  listen PORT SECONDS one subscriber for SECONDS: prints {"ready": true} once the stream is open,
                      then at the end one JSON line per run.finished event:
                      {"run_id", "received_ms"} (wall clock, when the event's data was parsed).
"""

import asyncio
import json
import socket
import struct
import sys
import time

CONNECT_AT_ONCE = 200
REQUEST = "GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"


def emit(record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


async def open_stream(port):
    """A connection whose response headers (200, text/event-stream) have been read."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 16)
    writer.write(REQUEST.format(port=port).encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        writer.close()
        raise ConnectionError(f"GET /events answered {status.decode(errors='replace')}")
    if b"chunked" in head.lower():
        writer.close()
        raise ConnectionError("the stream is chunked; this client reads only plain streams")
    return reader, writer


class Holder:
    def __init__(self, port):
        self.port = port
        self.streams = []  # (writer, drain task)
        self.failed = 0
        self.first_error = None
        self.ended_by_server = 0
        self.bytes = 0

    async def drain(self, reader):
        while True:
            chunk = await reader.read(4096)
            if not chunk:
                self.ended_by_server += 1
                return
            self.bytes += len(chunk)

    async def open_one(self, gate):
        async with gate:
            try:
                reader, writer = await open_stream(self.port)
            except (OSError, asyncio.IncompleteReadError, ConnectionError) as error:
                self.failed += 1
                self.first_error = self.first_error or repr(error)
                return
        self.streams.append((writer, asyncio.create_task(self.drain(reader))))

    async def close(self, count):
        """Closes with a reset (SO_LINGER 0): the service's next write to it fails at once."""
        for _ in range(min(count, len(self.streams))):
            writer, task = self.streams.pop()
            task.cancel()
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.close()
        await asyncio.sleep(0.5)  # let the closes reach the server

    async def run(self, count):
        started = time.monotonic()
        gate = asyncio.Semaphore(CONNECT_AT_ONCE)
        await asyncio.gather(*(self.open_one(gate) for _ in range(count)))
        emit({"open": len(self.streams), "failed": self.failed, "seconds": round(time.monotonic() - started, 2),
              "first_error": self.first_error})
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            words = line.split()
            if words and words[0] == "close":
                await self.close(int(words[1]))
                emit({"open": len(self.streams)})
        await self.close(len(self.streams))
        emit({"open": 0, "ended_by_server": self.ended_by_server, "bytes": self.bytes})


async def listen(port, seconds):
    reader, writer = await open_stream(port)
    emit({"ready": True})
    received = []
    deadline = time.monotonic() + seconds
    event_type = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            line = await asyncio.wait_for(reader.readline(), left)
        except asyncio.TimeoutError:
            break
        if not line:
            break
        if line.startswith(b"event:"):
            event_type = line[6:].strip().decode()
        elif line.startswith(b"data:") and event_type == "run.finished":
            at_ms = time.time() * 1000
            received.append({"run_id": json.loads(line[5:])["run_id"], "received_ms": at_ms})
        elif line in (b"\n", b"\r\n"):
            event_type = None
    writer.close()
    for record in received:
        emit(record)


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "hold":
        asyncio.run(Holder(port).run(int(sys.argv[3])))
    elif mode == "listen":
        asyncio.run(listen(port, float(sys.argv[3])))
    else:
        raise SystemExit(f"unknown mode {mode}; see the header")


if __name__ == "__main__":
    main()

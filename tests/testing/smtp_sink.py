"""An aiosmtpd handler for tests: each accepted message becomes one JSON file.

Run as `python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.JsonSink DIR`
with this folder on PYTHONPATH. Python's own email package decodes the
message (RFC 2047 headers, quoted-printable bodies) and lists what it found
malformed, so tests check our encoder against an independent decoder rather
than against a mirror image of itself.
"""

import email
import email.policy
import itertools
import json
import os


class JsonSink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("JsonSink needs the directory to write messages to")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        defects = [repr(defect) for defect in message.defects]
        headers = []
        for name, value in message.items():
            headers.append([name, str(value)])
            defects += [f"{name}: {defect!r}" for defect in getattr(value, "defects", ())]
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "raw": raw.decode("utf-8", "replace"),
            "headers": headers,
            "body": message.get_content() if not message.is_multipart() else "",
            "defects": defects,
        }
        # Written aside, then renamed: a reader never sees half a file.
        number = next(self.counter)
        partial = os.path.join(self.directory, f".{number:06d}.partial")
        with open(partial, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.rename(partial, os.path.join(self.directory, f"{number:06d}.json"))
        return "250 OK stored as message " + str(number)

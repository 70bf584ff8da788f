"""An aiosmtpd server for tests: each accepted message becomes one JSON file.

Run as `python3 smtp_sink.py DIR 127.0.0.1:PORT [--offer-auth-without-tls]`
(or load JsonSink with `python3 -m aiosmtpd -c smtp_sink.JsonSink DIR`).
Python's own email package decodes the message (RFC 2047 headers,
quoted-printable bodies) and lists what it found malformed, so tests check
our encoder against an independent decoder rather than against a mirror
image of itself.

The server never offers STARTTLS (it has no certificate). With
--offer-auth-without-tls it advertises AUTH PLAIN and LOGIN over plain text,
as a server an attacker stripped STARTTLS from would, accepts any login and
writes each AUTH it sees to DIR/auth-NNNNNN.json: a client that must never
send credentials in clear can be caught doing so.
"""

import asyncio
import email
import email.policy
import itertools
import json
import os
import sys


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


class AuthRecorder:
    """An aiosmtpd authenticator that accepts every login and records it."""

    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword
        login = auth_data.login.decode("utf-8", "replace") if isinstance(auth_data, LoginPassword) else ""
        number = next(self.counter)
        partial = os.path.join(self.directory, f".auth-{number:06d}.partial")
        with open(partial, "w", encoding="utf-8") as out:
            json.dump({"mechanism": mechanism, "login": login}, out)
        os.rename(partial, os.path.join(self.directory, f"auth-{number:06d}.json"))
        return AuthResult(success=True)


def main(argv):
    from aiosmtpd.smtp import SMTP
    directory, listen = argv[0], argv[1]
    offer_auth = "--offer-auth-without-tls" in argv[2:]
    host, _, port = listen.rpartition(":")
    sink = JsonSink(directory)
    options = {"auth_require_tls": False, "authenticator": AuthRecorder(directory)} if offer_auth else {}
    loop = asyncio.new_event_loop()
    # Fails (and the process exits) when the port is taken: the caller tries another one.
    loop.run_until_complete(loop.create_server(lambda: SMTP(sink, **options), host, int(port)))
    loop.run_forever()


if __name__ == "__main__":
    main(sys.argv[1:])

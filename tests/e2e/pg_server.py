"""A throwaway PostgreSQL server for the end-to-end tests, from tests/testing/pg_server.sh.

Under ctest, the pg_server fixture has started one for the whole run and names its URL in
JOBSCHED_TEST_PG_DSN_FILE (or JOBSCHED_TEST_PG_DSN); run by hand, PgServer starts its own and
close() stops it again, by its PID. Either way each test gets a database of its own.
"""

import itertools
import os
import subprocess
import tempfile
import urllib.parse

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing", "pg_server.sh")
PSQL = os.path.join(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
_names = itertools.count()


class PgServer:
    def __init__(self, private=False):
        """The test run's shared server, or with `private` one of this object's own (which a test may
        suspend and resume without disturbing others)."""
        self._state = None
        url = None if private else os.environ.get("JOBSCHED_TEST_PG_DSN")
        url_file = None if private else os.environ.get("JOBSCHED_TEST_PG_DSN_FILE")
        if not url and url_file:
            with open(url_file) as lines:
                url = lines.readline().strip()
            if not url:
                raise AssertionError(f"{url_file} holds no URL: did the pg_server fixture fail to start?")
        if not url:
            self._state = tempfile.TemporaryDirectory(prefix="jobsched-e2e-pg-")
            started = subprocess.run([SCRIPT, "start", self._state.name], capture_output=True, text=True)
            if started.returncode != 0:
                self._state.cleanup()
                raise AssertionError(f"pg_server.sh start failed:\n{started.stdout}{started.stderr}")
            url = started.stdout.strip().splitlines()[-1]
        self.url = url

    def url_of(self, database):
        """The server's URL, naming `database` instead."""
        parts = urllib.parse.urlsplit(self.url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + database))

    def psql(self, sql, database=None):
        """Runs `sql` as the server's superuser; returns what it printed (unaligned, tuples only)."""
        target = self.url_of(database) if database else self.url
        done = subprocess.run([PSQL, "--no-psqlrc", "--quiet", "--tuples-only", "--no-align",
                               "--set", "ON_ERROR_STOP=1", target, "--command", sql],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(f"psql {sql!r} failed: {done.stderr}")
        return done.stdout.strip()

    def create_database(self):
        """A new, empty database; returns (name, URL)."""
        name = f"e2e_{os.getpid()}_{next(_names)}"
        self.psql(f"CREATE DATABASE {name}")
        return name, self.url_of(name)

    def drop_database(self, name):
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def suspend(self):
        """Stops the server but keeps its data: a database outage. Only for a private server."""
        assert self._state is not None, "suspend only a server this object started (private=True)"
        subprocess.run([SCRIPT, "suspend", self._state.name], check=True)

    def resume(self):
        """Starts a suspended server again, on the same port, with the same data."""
        assert self._state is not None, "resume only a server this object started (private=True)"
        subprocess.run([SCRIPT, "resume", self._state.name], check=True)

    def close(self):
        """Stops the server if this object started it."""
        if self._state is not None:
            subprocess.run([SCRIPT, "stop", self._state.name], check=False)
            self._state.cleanup()
            self._state = None

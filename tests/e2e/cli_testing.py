"""Running the `jobsched` client commands as a person or a script would, for test_cli*.py.

Each Cli runs the real binary in a clean environment: no JOBSCHED_* variables from the test's
own environment, and HOME and XDG_CONFIG_HOME in a temporary directory of its own, so a
client configuration file on the machine running the tests cannot change what is tested.
"""

import json
import os
import subprocess
import tempfile

import contract
from harness import binary_path

CLI_DEADLINE_S = 60.0


class Cli:
    def __init__(self, server=None):
        self.binary = binary_path()
        self.server = server
        self._home = tempfile.TemporaryDirectory(prefix="jobsched-cli-")
        self.home = self._home.name
        self.config_dir = os.path.join(self.home, "config")
        os.makedirs(os.path.join(self.config_dir, "jobsched"))
        self.env = {name: value for name, value in os.environ.items() if not name.startswith("JOBSCHED_")
                    and name not in ("NO_COLOR", "VISUAL", "EDITOR")}
        self.env.update({"HOME": self.home, "XDG_CONFIG_HOME": self.config_dir})

    def close(self):
        self._home.cleanup()

    def path(self, name):
        return os.path.join(self.home, name)

    def write(self, name, text):
        """Writes `text` to `name` under the Cli's directory (creating folders); returns the path."""
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        return path

    def write_profiles(self, text):
        return self.write(os.path.join("config", "jobsched", "client.toml"), text)

    def run(self, *args, env=None, input=None, server=True):
        """Runs `jobsched ARGS` (with --server, unless `server` is False); returns the CompletedProcess."""
        command = [self.binary, *args]
        if server and self.server is not None:
            command += ["--server", self.server]
        environment = dict(self.env, **(env or {}))
        for name in [name for name, value in environment.items() if value is None]:
            del environment[name]  # env={"NAME": None}: not set
        return subprocess.run(command, capture_output=True, text=True, env=environment,
                              input=input, stdin=None if input is not None else subprocess.DEVNULL,
                              timeout=CLI_DEADLINE_S)

    def ok(self, *args, **kwargs):
        """Runs the command, asserts it exited 0, returns it."""
        done = self.run(*args, **kwargs)
        if done.returncode != 0:
            raise AssertionError(f"jobsched {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
        return done

    def json(self, *args, **kwargs):
        """Runs the command with `-o json` and returns what it printed, parsed."""
        return json.loads(self.ok(*args, "-o", "json", **kwargs).stdout)


def check_schema(schema, value, what):
    """Fails unless `value` matches components/schemas/`schema` of docs/openapi.yaml."""
    contract.shared().check_schema(schema, value, what)

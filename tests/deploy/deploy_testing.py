"""Shared helpers for the tests of deploy/: where things are, the tools they need, TOML duration sums.

ctest sets JOBSCHED_BINARY (the built binary) and JOBSCHED_SOURCE_DIR (the repository).
A missing tool is a failure, never a skip: `scripts/install-deps.sh test` installs them all.
"""

import os
import re
import shutil
import subprocess
import tomllib

import yaml


def source_dir():
    path = os.environ.get("JOBSCHED_SOURCE_DIR")
    if not path:
        raise AssertionError("JOBSCHED_SOURCE_DIR is not set; point it at the repository")
    return path


def deploy_path(*parts):
    return os.path.join(source_dir(), "deploy", *parts)


def binary_path():
    path = os.environ.get("JOBSCHED_BINARY")
    if not path or not os.access(path, os.X_OK):
        raise AssertionError(f"JOBSCHED_BINARY={path!r} is not an executable file")
    return path


def tool(name, package):
    """The path of a command-line tool, or a failure naming the Debian package that has it."""
    for folder in ("/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        candidate = os.path.join(folder, name)
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found:
        return found
    raise AssertionError(f"{name} is missing: install the Debian package {package} (scripts/install-deps.sh test)")


def read(path):
    with open(path, encoding="utf-8") as file:
        return file.read()


def load_yaml_documents(path):
    with open(path, encoding="utf-8") as file:
        return [document for document in yaml.safe_load_all(file) if document is not None]


def clean_environment(**variables):
    """This process's environment without JOBSCHED_* settings, plus `variables`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOBSCHED_")}
    env.update(variables)
    return env


def config_check(config_path, **env):
    """Runs `jobsched config check --config PATH`; returns the CompletedProcess."""
    return subprocess.run([binary_path(), "config", "check", "--config", config_path],
                          env=clean_environment(**env), capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)


_DURATION_PART = re.compile(r"(\d+)(ms|w|d|h|m|s)")
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}


def duration_seconds(text):
    """Seconds in a jobsched duration ("30s", "1m30s", "0s", "0")."""
    if text in ("0", "0s"):
        return 0
    parts = _DURATION_PART.findall(text)
    if "".join(number + unit for number, unit in parts) != text:
        raise AssertionError(f"not a jobsched duration: {text!r}")
    return sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)


# How long the service may take to exit after SIGTERM, on top of drain_delay and
# shutdown_grace: Service::Stop gives stuck task runners 10 s before it exits anyway.
RUNNER_TEARDOWN_S = 10
DEFAULT_SHUTDOWN_GRACE = "30s"
DEFAULT_DRAIN_DELAY = "0s"


def stop_budget_seconds(config_text):
    """drain_delay + shutdown_grace + runner teardown, for the configuration in `config_text`."""
    config = tomllib.loads(config_text)
    return (duration_seconds(config.get("drain_delay", DEFAULT_DRAIN_DELAY))
            + duration_seconds(config.get("shutdown_grace", DEFAULT_SHUTDOWN_GRACE))
            + RUNNER_TEARDOWN_S)


def listen_port(config_text):
    """The port of `listen` in a configuration file."""
    listen = tomllib.loads(config_text).get("listen", "127.0.0.1:8000")
    return int(listen.rsplit(":", 1)[1])

"""deploy/nginx.conf made runnable in a test, shared by tests/deploy and tests/e2e.

The shipped file is used as it is except for its host-specific parts: the three node addresses
127.0.0.1:8001-8003 become the test's nodes, the listener a free loopback port, pid, logs and
temporary files a folder of the test's. Every rewrite must match, so a change to the shipped
file that a test no longer covers fails loudly instead of testing something else.
"""

import os
import re
import socket


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def replace(text, old, new):
    """`text` with `old` (a regular expression) replaced; fails when the shipped file no longer has it."""
    result, count = re.subn(old, new, text)
    if count == 0:
        raise AssertionError(f"the shipped file no longer contains {old!r}; update this test")
    return result


def node_addresses(text, node_ports):
    """The shipped nodes 127.0.0.1:8001, :8002, ... moved to `node_ports`, in order."""
    for index, port in enumerate(node_ports, 1):
        text = replace(text, re.escape(f"127.0.0.1:800{index}") + r"\b", f"127.0.0.1:{port}")
    return text


def nginx_config_for_test(text, node_ports, port, directory):
    """deploy/nginx.conf (`text`) with nodes, listener, pid, logs and temporary files moved."""
    text = node_addresses(text, node_ports)
    text = replace(text, r"pid [^;]+;", f"pid {directory}/nginx.pid;")
    text = replace(text, r"error_log [^ ;]+", f"error_log {directory}/error.log")
    text = replace(text, r"access_log [^;]+;", f"access_log {directory}/access.log;")
    text = replace(text, r"listen 8080;", f"listen 127.0.0.1:{port};")
    text = replace(text, r"listen \[::\]:8080;", "")
    text = replace(text, r"http \{", f"http {{\n    client_body_temp_path {directory}/body;\n"
                                     f"    proxy_temp_path {directory}/proxy;")
    if os.geteuid() != 0:
        text = replace(text, r"user [^;]+;", "")  # only root may switch users
    return text

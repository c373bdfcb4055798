"""The test run's network guard (tests/netguard.py): outward sockets fail the test."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import netguard
import pytest

TESTS = Path(__file__).resolve().parent


def test_loopback_and_unix_sockets_pass(tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
    with socket.socket(socket.AF_UNIX) as sock:
        with pytest.raises(FileNotFoundError):
            sock.connect(str(tmp_path / "nothing.sock"))


def test_an_outward_connection_is_blocked_before_it_leaves():
    sock = socket.socket()
    with pytest.raises(netguard.OutboundNetworkError):
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: documentation only, never routed
    sock.close()
    netguard._attempts.pop()  # seen; this test's own attempt is not a failure


def test_a_test_that_swallows_the_error_still_fails(tmp_path):
    inner = tmp_path / "test_inner.py"
    inner.write_text(textwrap.dedent('''
        import socket

        def test_reaches_out():
            try:
                socket.create_connection(("192.0.2.1", 80), timeout=1)
            except OSError:
                pass  # a library that retries quietly

        def test_stays_home():
            with socket.socket(socket.AF_INET6) as s:
                s.bind(("::1", 0))
    '''))
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["netguard"]\n')
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(inner)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(TESTS), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout
    assert "1 failed, 1 passed" in done.stdout
    assert "tried to reach outside loopback: 192.0.2.1:80" in done.stdout

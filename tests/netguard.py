"""A pytest plugin: any attempt of the test process to open a socket to an address that is
not loopback fails the test (nothing otklik does may reach outside; README «Работа без сети»).

Blocked in `socket.socket.connect`, `connect_ex` and `sendto` (UDP, DNS), before any packet
leaves. The attempt raises `OutboundNetworkError` and is recorded, so a test that swallows
the exception fails all the same at teardown. Unix sockets and 127.0.0.0/8, ::1 pass.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

_attempts: list[str] = []
_originals: dict[str, object] = {}


class OutboundNetworkError(OSError):
    pass


def _host(address) -> str | None:
    if isinstance(address, tuple) and address:
        return str(address[0])
    return None  # AF_UNIX paths, abstract names


def _loopback(host: str) -> bool:
    if host in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a name that would need DNS


def check(sock: socket.socket, address) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host = _host(address)
    if host is not None and not _loopback(host):
        _attempts.append(f"{host}:{address[1] if len(address) > 1 else ''}")
        raise OutboundNetworkError(f"outbound connection to {host} blocked in tests (netguard)")


def _guarded(name: str):
    original = getattr(socket.socket, name)
    _originals[name] = original

    if name == "sendto":

        def sendto(self, data, *args):
            check(self, args[-1])
            return original(self, data, *args)

        return sendto

    def connect(self, address):
        check(self, address)
        return original(self, address)

    return connect


def install() -> None:
    if _originals:
        return
    for name in ("connect", "connect_ex", "sendto"):
        setattr(socket.socket, name, _guarded(name))


def pytest_configure(config) -> None:
    install()


def _fail_on_new_attempts(start: int) -> None:
    tried = _attempts[start:]
    del _attempts[start:]
    if tried:
        pytest.fail(f"the test tried to reach outside loopback: {', '.join(tried)}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """The test body: an attempt fails the test itself, even if it caught the error."""
    start = len(_attempts)
    try:
        return (yield)
    finally:
        _fail_on_new_attempts(start)


@pytest.fixture(autouse=True)
def _no_outbound_network():
    """Fixtures' setup and teardown: an attempt there is an error of the test."""
    start = len(_attempts)
    yield
    _fail_on_new_attempts(start)

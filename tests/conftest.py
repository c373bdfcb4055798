from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent

# No test may open a socket outside loopback (tests/netguard.py; README «Работа без сети»).
pytest_plugins = ["netguard"]

# Tests (and the servers they start) keep their state in a home of their own (active model,
# trained models, salts), sharing only the converted encoder with the user's home.
_USER_HOME = Path(os.environ.get("OTKLIK_HOME") or Path.home() / ".cache" / "otklik")
_TEST_HOME = Path(tempfile.mkdtemp(prefix="otklik-test-home-"))
(_USER_HOME / "encoders").mkdir(parents=True, exist_ok=True)
(_TEST_HOME / "encoders").symlink_to((_USER_HOME / "encoders").resolve(), target_is_directory=True)
os.environ["OTKLIK_HOME"] = str(_TEST_HOME)
# … nor the user's own message store.
os.environ.setdefault(
    "OTKLIK_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='otklik-test-')}/otklik.db"
)
# … nor the topics the user added to a model (models/added_topics.py).
os.environ.setdefault("OTKLIK_TOPICS_DIR", tempfile.mkdtemp(prefix="otklik-test-topics-"))


# Fixtures that load the encoder or start a server: a test using one is in the full suite only.
SLOW_FIXTURES = frozenset({"classifier", "server", "start_server", "auth"})


def pytest_collection_modifyitems(config, items):
    """Mark `slow` every test that uses a slow fixture (directly or through another fixture)."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Settings are read once per process; a test that sets the environment reads it anew."""
    from models.settings import settings

    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture(scope="session")
def classifier():
    from models.classifier import Classifier

    return Classifier()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def key_headers(database_url: str | None = None, *roles: str, name: str = "tests") -> dict:
    """Headers carrying a new API key with `roles` (admin by default) in the store at
    `database_url` (the tests' OTKLIK_DATABASE_URL by default)."""
    from insights.keys import create_key
    from insights.store import open_store

    store = open_store(database_url or os.environ["OTKLIK_DATABASE_URL"])
    key, _ = create_key(store, name, roles or ("admin",))
    return {"Authorization": f"Bearer {key}"}


@contextlib.contextmanager
def running_server(
    env: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> Iterator[tuple[subprocess.Popen, str, dict]]:
    """`otklik serve` with the default model in a subprocess on loopback; yields (process, url,
    headers with an admin key of the server's store)."""
    headers = key_headers((env or {}).get("OTKLIK_DATABASE_URL"))
    port = _free_port()
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         *args],
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.output = log  # what the server printed: `process.output.seek(0); .read()`
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    try:
        while time.time() < deadline:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"server exited: {log.read()[-2000:]}")
            try:
                if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            raise RuntimeError("server did not start in 180 s")
        yield process, url, headers
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


@pytest.fixture(scope="session")
def served() -> Iterator[tuple[str, dict]]:
    with running_server() as (_, url, headers):
        yield url, headers


@pytest.fixture(scope="session")
def server(served) -> str:
    """A real uvicorn process serving the default model on loopback (it needs `auth`)."""
    return served[0]


@pytest.fixture(scope="session")
def auth(served) -> dict:
    """Headers with an admin key of the `server`."""
    return served[1]


@pytest.fixture
def start_server():
    """Start further servers (e.g. with their own store):
    `with start_server(env) as (process, url, headers)`."""
    return running_server


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server (tests/pg.py) for the session; skipped where impossible."""
    import pg

    reason = pg.unavailable()
    if reason:
        if os.environ.get("OTKLIK_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required (.ci/run) but unavailable: {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    server = pg.PostgresServer().start()
    yield server
    server.stop()


_databases = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store_url(request, tmp_path) -> str:
    """A fresh empty store on each backend: a SQLite file, and a new database on the session's
    PostgreSQL server (the slow tier)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'otklik.db'}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database(f"test_{next(_databases)}")

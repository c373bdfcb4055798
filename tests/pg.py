"""A real PostgreSQL server for tests and benchmarks: Debian's binaries, initdb into a temporary
folder, a free port on loopback, pg_ctl start/stop. No network beyond 127.0.0.1.

    with PostgresServer() as pg:
        url = pg.create_database("t1")   # postgresql+psycopg://otklik@127.0.0.1:PORT/t1

As root, the server runs as the `postgres` user (initdb refuses root). `unavailable()` says
why a server cannot be had here (the caller skips with that reason).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "otklik"
SERVER_USER = "postgres"  # created by Debian's postgresql package
TUNING = {  # a 2-core, 24 GiB machine; durability stays on (fsync, synchronous_commit)
    "shared_buffers": "1GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "4GB",
    # no helper processes per query: on 2 cores shared with the service, whose parts already
    # run side by side, they only take CPU from them (monthly report at 1M: 4.36 → 3.96 s;
    # the quarter's pain map and metrics, each alone, no slower)
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
}


def bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/N/bin with a server in it."""
    found = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if Path(p, "postgres").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def unavailable() -> str | None:
    """Why no server can be started here, or None."""
    if bin_dir() is None:
        return "no PostgreSQL server binaries (apt-get install postgresql; .ci/run does it)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no '{SERVER_USER}' user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    def __init__(self, settings: dict[str, str] | None = None) -> None:
        reason = unavailable()
        if reason:
            raise RuntimeError(reason)
        self.bin = bin_dir()
        self.settings = {**TUNING, **(settings or {})}
        self.root = Path(tempfile.mkdtemp(prefix="otklik-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.started = False

    def _run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        options = " ".join(
            [f"-p {self.port}", f"-k {self.root}", "-c listen_addresses=127.0.0.1"]
            + [f"-c {k}={v}" for k, v in self.settings.items()]
        )
        log = self.root / "server.log"
        try:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(log), "-o", options, "-w",
                      "-t", "60", "start")  # fmt: skip
        except subprocess.CalledProcessError as exc:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{tail}") from exc
        self.started = True
        return self

    def stop(self) -> None:
        if self.started:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            except subprocess.CalledProcessError:
                pass
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        deadline = time.time() + 30
        while True:
            try:
                with psycopg.connect(
                    host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                    autocommit=True,
                ) as conn:  # fmt: skip
                    conn.execute(f'CREATE DATABASE "{name}"')
                return self.url(name)
            except psycopg.OperationalError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

"""A throwaway PostgreSQL server for the tests and benchmarks, or the one TEST_DATABASE_URL names.

Debian's `postgresql` package provides initdb and pg_ctl in /usr/lib/postgresql/<version>/bin.
They refuse to run as root: as root they run as the `postgres` user, in a directory it owns;
as an ordinary user (CI agents) they run as that user. The server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

POSTGRES_BINARIES = Path("/usr/lib/postgresql")
INSTALL_HINT = ("Debian's postgresql package is needed for the store tests (initdb, pg_ctl):"
                " run `make system-deps`, or set TEST_DATABASE_URL to a PostgreSQL server")


def bindir() -> Path:
    """The newest installed PostgreSQL's bin directory, or a clear failure."""
    found = sorted(POSTGRES_BINARIES.glob("*/bin/initdb"),
                   key=lambda path: int(path.parent.parent.name)
                   if path.parent.parent.name.isdigit() else 0)
    if not found:
        raise RuntimeError(INSTALL_HINT)
    return found[-1].parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """initdb + pg_ctl in a temporary directory, on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        """Create the cluster's directory (owned by `postgres` when we are root)."""
        self.bin = bindir()
        self.dir = Path(tempfile.mkdtemp(prefix="focus-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(f"running as root but there is no postgres user; "
                                   f"{INSTALL_HINT}") from None
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)

    def _run(self, *argv: str) -> None:
        """Run a PostgreSQL tool (as `postgres` when root); fail with its output."""
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120,
                                cwd=self.dir)
        if result.returncode != 0:
            log = self.dir / "server.log"
            raise RuntimeError(f"{' '.join(argv[:2])} failed: {result.stdout}{result.stderr}"
                               + (log.read_text() if log.exists() else ""))

    def init(self) -> "Cluster":
        """initdb (trust authentication: the server listens on 127.0.0.1 only)."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")
        return self

    def start(self) -> "Cluster":
        """Start the server and wait until it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w",
                  "-t", "60", "-o", f"-h 127.0.0.1 -p {self.port} -k {self.dir} -F"
                  " -c max_connections=200", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (pg_ctl stop; mode fast or immediate)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        """Whether the server's postmaster.pid is there."""
        return (self.data / "postmaster.pid").exists()

    @property
    def admin_url(self) -> str:
        """URL of the server's postgres database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def remove(self) -> None:
        """Stop the server if it runs and delete its directory."""
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class Databases:
    """Fresh databases, each created on the server behind admin_url and dropped at the end."""

    _numbers = itertools.count()

    def __init__(self, admin_url: str) -> None:
        """Remember the server."""
        self.admin_url = admin_url
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection:
        """An autocommit connection to the admin database (CREATE DATABASE needs it)."""
        url = make_url(self.admin_url)
        return psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                               password=url.password, dbname=url.database, autocommit=True)

    def new(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        name = f"focus_test_{os.getpid()}_{next(self._numbers)}"
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        self.created.append(name)
        return make_url(self.admin_url).set(drivername="postgresql+psycopg",
                                            database=name).render_as_string(
                                                hide_password=False)

    def drop_all(self) -> None:
        """Drop every database made here (best effort: the server may be gone)."""
        try:
            with self._admin() as connection:
                for name in self.created:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error:
            pass
        self.created.clear()

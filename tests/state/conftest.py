"""Backends for the state tests: a SQLite file per test and a throwaway PostgreSQL cluster.

The PostgreSQL cluster is started once per session exactly as PLATFORM_NOTES §4 describes:
``initdb`` as the ``postgres`` user (``runuser``, because tests run as root here), ``pg_ctl``
listening on 127.0.0.1 at a free port with its socket in the cluster's own directory, fsync off,
stopped with ``-m immediate``. Each test gets its own database, copied from a migrated template.
Without PostgreSQL installed the PG tests are skipped, except when ``CI`` is set: then they fail.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from state.repository import Repository

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
_counter = itertools.count()


@dataclass(frozen=True)
class PgServer:
    """A running throwaway PostgreSQL cluster."""

    host: str
    port: int
    user: str
    bindir: Path

    def url(self, database: str) -> str:
        """SQLAlchemy URL of one database on this server."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run one statement with psql (autocommit)."""
        subprocess.run(
            [
                str(self.bindir / "psql"),
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                statement,
            ],
            check=True,
            capture_output=True,
        )


def _find_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL cluster for this test session (skip, or fail under CI, without one)."""
    bindir = _find_bindir()
    if bindir is None:
        message = "PostgreSQL not installed (no /usr/lib/postgresql/*/bin/initdb)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(message)
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="kamerwacht-pg-"))
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    data, port, user = root / "data", _free_port(), "kamerwacht"
    subprocess.run(
        [
            *as_postgres,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
        ],
        check=True,
        capture_output=True,
    )
    options = (
        f"-h 127.0.0.1 -p {port} -k {root} -F -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=100"
    )
    pg_ctl = [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*pg_ctl, "-l", str(root / "log"), "-w", "-o", options, "start"],
        check=True,
        capture_output=True,
    )
    server = PgServer("127.0.0.1", port, user, bindir)
    try:
        server.sql("CREATE DATABASE kw_template")
        template = Repository.from_url(server.url("kw_template"))
        template.upgrade()
        template.close()
        yield server
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., str]:
    """Factory: ``db_url(backend, migrated=True)`` → a URL of a fresh database."""

    def make(backend: str, *, migrated: bool = True) -> str:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'kw{next(_counter)}.db'}"
            if migrated:
                repo = Repository.from_url(url)
                repo.upgrade()
                repo.close()
            return url
        server: PgServer = request.getfixturevalue("pg_server")
        name = f"kw_test_{os.getpid()}_{next(_counter)}"
        server.sql(f"CREATE DATABASE {name}" + (" TEMPLATE kw_template" if migrated else ""))
        return server.url(name)

    return make


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test: ``sqlite`` or ``postgresql``."""
    name: str = request.param
    return name


@pytest.fixture
def repo(backend: str, db_url: Callable[..., str]) -> Iterator[Repository]:
    """A migrated, empty repository on the backend under test."""
    repository = Repository.from_url(db_url(backend))
    yield repository
    repository.close()

"""Shared test configuration: where the recorded real payloads live, and a PostgreSQL cluster.

The PostgreSQL cluster is started once per session exactly as PLATFORM_NOTES §4 describes:
``initdb`` as the ``postgres`` user (``runuser``, because tests run as root here), ``pg_ctl``
listening on 127.0.0.1 at a free port with its socket in the cluster's own directory, fsync off,
stopped with ``-m immediate``. Without PostgreSQL installed the tests that use it are skipped,
except when ``CI`` is set: then they fail. ``PgServer.stop()``/``start()`` let the operations
tests take the server away and bring it back.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from state.repository import Repository

# aiosmtpd logs every lost connection at INFO, also from its threads after pytest has closed the
# captured streams ("--- Logging error ---" at exit); its warnings and errors still show.
logging.getLogger("mail.log").setLevel(logging.WARNING)

ROOT = Path(__file__).resolve().parents[1]
# CI clones the repository with shared/ beside it; a developer checkout has it at ../shared too.
SHARED_FIXTURES = Path(
    os.environ.get("KAMERWACHT_SHARED_FIXTURES", ROOT.parent / "shared" / "fixtures")
)
LETTERS = SHARED_FIXTURES / "letters"
UPSTREAM = SHARED_FIXTURES / "upstream"


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """The folder of recorded real payloads (../shared/fixtures)."""
    if not SHARED_FIXTURES.is_dir():
        pytest.fail(f"recorded fixtures not found at {SHARED_FIXTURES}")
    return SHARED_FIXTURES


# --------------------------------------------------------------------------------- PostgreSQL


@dataclass(frozen=True)
class PgServer:
    """A running throwaway PostgreSQL cluster."""

    host: str
    port: int
    user: str
    bindir: Path
    pg_ctl: tuple[str, ...] = ()  # pg_ctl -D <data> (as the postgres user when root)
    options: str = ""  # the postgres options it was started with
    log: Path | None = None

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

    def stop(self) -> None:
        """Stop the server now (``-m immediate``: like a crash or a pulled cable)."""
        subprocess.run(
            [*self.pg_ctl, "-m", "immediate", "-w", "stop"],
            check=True,
            capture_output=True,
            timeout=30,
        )

    def start(self) -> None:
        """Start the stopped server again on the same port."""
        subprocess.run(
            [*self.pg_ctl, "-l", str(self.log), "-w", "-o", self.options, "start"],
            check=True,
            capture_output=True,
            timeout=60,
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
    server = PgServer("127.0.0.1", port, user, bindir, tuple(pg_ctl), options, root / "log")
    try:
        server.sql("CREATE DATABASE kw_template")
        template = Repository.from_url(server.url("kw_template"))
        template.upgrade()
        template.close()
        yield server
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)

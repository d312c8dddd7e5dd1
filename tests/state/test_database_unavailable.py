"""Driver errors leave ``state`` as DatabaseUnavailable: one line, the driver's words, no secret."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from state.db import unavailable
from state.errors import DatabaseUnavailable, StateError
from state.models import Channel, Observation
from state.repository import Repository

from .factories import NOW, motion

SECRET = "s3cr3t-Pa55"


def _one_line_without_secret(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message
    assert SECRET not in message
    assert message.startswith("database unavailable: ")
    return message


def test_sqlite_file_gone_raises_database_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "kw.db"
    repo = Repository.from_url(f"sqlite:///{path}")
    repo.upgrade()
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    repo.close()  # no pooled connection keeps the old file open
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.mkdir()  # the database path is now a directory: SQLite cannot open it
    calls: list[Callable[[], Any]] = [
        repo.board,
        lambda: repo.get_motion("35570-V-31"),
        lambda: repo.apply_poll(Observation(motions=(motion(),)), now=NOW),
        lambda: repo.get_or_create_subscriber(Channel.TELEGRAM, "1"),
        lambda: repo.claim_deliveries(Channel.TELEGRAM),
        repo.source_statuses,
        repo.check_schema,
    ]
    for call in calls:
        with pytest.raises(DatabaseUnavailable) as caught:
            call()
        assert isinstance(caught.value, StateError)
        assert isinstance(caught.value.__cause__, OperationalError)  # the driver's, chained
        assert "unable to open database file" in _one_line_without_secret(caught.value)
    repo.close()


def test_sqlite_locked_write_raises_database_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "kw.db"
    repo = Repository.from_url(f"sqlite:///{path}")
    repo.upgrade()

    @event.listens_for(repo._engine, "connect")
    def _short_wait(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=100")

    repo._engine.dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseUnavailable, match="database is locked"):
            repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert repo.apply_poll(Observation(motions=(motion(),)), now=NOW)  # the lock is gone
    repo.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # nothing listens there any more


def test_postgresql_server_gone_message_carries_no_password() -> None:
    pytest.importorskip("psycopg")
    url = f"postgresql+psycopg://kw:{SECRET}@127.0.0.1:{_closed_port()}/kamerwacht"
    repo = Repository.from_url(url, connect_args={"connect_timeout": 5})
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            repo.board()
        message = _one_line_without_secret(caught.value)
        assert "127.0.0.1" in message  # the driver's own words: where it could not connect
        with pytest.raises(DatabaseUnavailable):
            repo.record_source_failure("tk", "boom")
    finally:
        repo.close()


def test_bad_url_raises_database_unavailable() -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        Repository.from_url("not a database url")
    _one_line_without_secret(caught.value)
    with pytest.raises(DatabaseUnavailable):
        Repository.from_url(f"nosuchdriver://kw:{SECRET}@localhost/kw")


def test_unavailable_strips_passwords_and_extra_lines() -> None:
    orig = Exception(
        f"could not connect to postgresql://kw:{SECRET}@db.example:5432/kw (password={SECRET})\n"
        "(Background on this error at: https://sqlalche.me/e/20/e3q8)"
    )
    wrapped = unavailable(OperationalError("SELECT 1", {}, orig))
    message = _one_line_without_secret(wrapped)
    assert "postgresql://kw:***@db.example:5432/kw" in message
    assert "password=***" in message
    assert "sqlalche.me" not in message

"""The database: engine, SQLite pragmas, transactions, migrations, and driver errors wrapped.

:class:`Database` is the base of every part of :class:`state.repository.Repository`: it owns the
engine and the two transaction scopes (``_read``; ``_write``, which takes SQLite's write lock up
front). Driver errors are wrapped where they enter: a ``DBAPIError`` (connection refused or lost,
server shut down, database locked, disk full) raised anywhere inside a transaction leaves
``state`` as :class:`~state.errors.DatabaseUnavailable`, with a one-line message that never
carries the URL's password.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from sqlalchemy import Table, create_engine, event, text
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import StaticPool

from state.errors import DatabaseUnavailable, SchemaOutOfDate, StateError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "CHUNK",
    "MIGRATIONS",
    "Database",
    "Rec",
    "chunks",
    "unavailable",
    "utcnow",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
Rec = Any  # a result row (sqlalchemy.Row); attribute access by column name

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
    "busy_timeout=5000",
    "temp_store=MEMORY",  # the outbox fan-out de-duplicates in a temp b-tree; keep it off disk
)
CHUNK = 2000  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
POLL_LOCK = 0x6B616D6572  # PostgreSQL advisory lock key serialising apply_poll ("kamer")
CLAIM_LOCK = 0x636C61696D  # PostgreSQL advisory lock key serialising outbox claims ("claim")

# what could carry a secret in a driver's message: a URL's password, a conninfo password
_URL_PASSWORD = re.compile(r"(\w[\w+.-]*://[^:/@\s]*):[^@\s]*@")
_CONNINFO_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.I)
DRIVER_ERRORS = (DBAPIError, PoolTimeout)


def utcnow(now: datetime | None = None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware UTC datetime")
    return now.astimezone(UTC)


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def unavailable(exc: BaseException) -> DatabaseUnavailable:
    """A driver error as :class:`DatabaseUnavailable`: its first line, no password, ≤ 300 chars."""
    inner = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    first = lines[0] if lines else type(inner).__name__
    first = _CONNINFO_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1:***@", first))
    return DatabaseUnavailable(f"database unavailable: {first[:300]}")


def _install_sqlite_events(engine: Engine) -> None:
    """Pragmas on every new connection; explicit BEGIN (IMMEDIATE for writers)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver must not BEGIN on its own; we do it
        cursor = dbapi_conn.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


_REVISION = re.compile(r"^revision(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN_REVISION = re.compile(r"^down_revision(?::[^=]*)?=\s*(?:[\"']([^\"']+)[\"']|None)", re.M)


def code_head() -> str:
    """The head revision of the migrations, read from the files (Alembic's answer if unsure)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        down = _DOWN_REVISION.search(source)
        if found is None or down is None:
            continue
        revisions.add(found.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    if len(heads) == 1:
        return heads.pop()
    from alembic.config import Config  # pragma: no cover - merge revisions and the like
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise StateError(f"no Alembic revisions found in {MIGRATIONS}")
    return head


class Database:
    """The engine and its transactions: the base of every part of the repository."""

    def __init__(self, engine: Engine) -> None:
        """Wrap an engine (use :meth:`from_url` to get the SQLite pragmas)."""
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"

    @classmethod
    def from_url(cls, url: str, **engine_options: Any) -> Self:
        """Create the engine for ``sqlite:///path`` or ``postgresql+psycopg://…``.

        A URL that does not parse, names no installed driver, or a SQLite directory that cannot
        be made raises :class:`DatabaseUnavailable` (nothing connects yet).
        """
        try:
            return cls(cls._engine_for(url, engine_options))
        except (SQLAlchemyError, OSError) as exc:
            raise unavailable(exc) from exc

    @staticmethod
    def _engine_for(url: str, engine_options: dict[str, Any]) -> Engine:
        sa_url = make_url(url)
        if sa_url.get_backend_name() == "sqlite":
            database = sa_url.database or ""
            options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
            if database in ("", ":memory:"):
                options["poolclass"] = StaticPool
            elif not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(sa_url, **(options | engine_options))
            _install_sqlite_events(engine)
        else:
            engine = create_engine(sa_url, **({"pool_pre_ping": True} | engine_options))
        return engine

    @property
    def dialect(self) -> str:
        """The backend's name: ``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def close(self) -> None:
        """Close every pooled connection."""
        try:
            self._engine.dispose()
        except DRIVER_ERRORS as exc:
            raise unavailable(exc) from exc

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """One read transaction; driver errors leave as :class:`DatabaseUnavailable`."""
        try:
            with self._engine.connect() as conn, conn.begin():
                yield conn
        except DRIVER_ERRORS as exc:
            raise unavailable(exc) from exc

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (SQLite: ``BEGIN IMMEDIATE``); driver errors wrapped."""
        try:
            with self._engine.connect() as conn:
                if self._sqlite:
                    conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    yield conn
        except DRIVER_ERRORS as exc:
            raise unavailable(exc) from exc

    def _insert(self, table: Table) -> Any:
        """A dialect ``INSERT`` that supports ``ON CONFLICT``."""
        if self._sqlite:
            return sqlite_dialect.insert(table)
        from sqlalchemy.dialects import postgresql  # imported on demand: ~60 ms, PG only

        return postgresql.insert(table)

    def _upsert(
        self,
        conn: Connection,
        table: Table,
        rows: Sequence[Mapping[str, Any]],
        keys: Sequence[str],
        keep: Collection[str] = ("created",),
    ) -> None:
        if not rows:
            return
        stmt = self._insert(table)
        changed = {
            c.name: stmt.excluded[c.name]
            for c in table.columns
            if c.name not in keys and c.name not in keep
        }
        conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changed), rows)

    # ----------------------------------------------------------------------- schema

    def _alembic_config(self) -> Config:
        from alembic.config import Config  # imported on demand: workers never need Alembic

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    def schema_revisions(self) -> tuple[str | None, str]:
        """The database's Alembic revision (None when empty) and the code's head revision.

        Cheap enough for every command: one query and a read of the migration files' headers;
        Alembic itself is imported only when the files do not name a single head.
        """
        head = code_head()
        with self._read() as conn:
            if not self._engine.dialect.has_table(conn, "alembic_version"):
                return None, head
            current = conn.scalar(text("SELECT version_num FROM alembic_version"))
        return current, head

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision``: the newest by default (``kamerwacht db upgrade``)."""
        from alembic import command

        config = self._alembic_config()
        with self._write() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        logger.info("database schema upgraded to %s", self.schema_revisions()[0])

    def check_schema(self) -> None:
        """Raise :class:`SchemaOutOfDate` unless the database is at the code's head revision."""
        current, head = self.schema_revisions()
        if current != head:
            raise SchemaOutOfDate(current, head)

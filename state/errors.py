"""kamerwacht's one exception tree.

It lives here because ``state`` is the bottom layer: every other package may import it, and it
imports nothing of the project. ::

    KamerwachtError                   root of every exception kamerwacht raises on purpose
    ├── StateError                    anything the store refuses or cannot do
    │   ├── SchemaOutOfDate           the database is not at the code's Alembic head
    │   ├── NotFound (LookupError)    an id that is not stored (subscriber, …)
    │   └── DatabaseUnavailable       the database driver failed (connection lost, server gone)
    └── SourceError                   (scrapers/errors.py) a fetch failed
        └── ParseError                the payload arrived but could not be read
            └── SchemaMismatch        (scrapers/odata_schema.py) the server's schema moved
"""

from __future__ import annotations

__all__ = ["DatabaseUnavailable", "KamerwachtError", "NotFound", "SchemaOutOfDate", "StateError"]


class KamerwachtError(Exception):
    """Root of kamerwacht's own exceptions: catch this, never a bare ``Exception``."""


class StateError(KamerwachtError):
    """Base class of every error raised by ``state``."""


class SchemaOutOfDate(StateError):
    """The database schema is older (or newer) than the code expects."""

    def __init__(self, current: str | None, head: str | None) -> None:
        self.current = current
        self.head = head
        super().__init__(
            f"database schema is at {current or 'nothing (empty database)'}, code needs {head}: "
            "run `kamerwacht db upgrade`"
        )


class NotFound(StateError, LookupError):
    """A record looked up by id does not exist."""

    def __init__(self, what: str, key: object) -> None:
        self.what = what
        self.key = key
        super().__init__(f"{what} {key!r} not found")


class DatabaseUnavailable(StateError):
    """The database driver raised (connection refused or lost, server shut down, disk full).

    The driver's exception is wrapped where it enters (``state``), so callers above catch
    ``StateError`` rather than a driver class or ``Exception``.
    """

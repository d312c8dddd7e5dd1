"""The state package's exceptions.

::

    StateError                    anything the store refuses or cannot do
    ├── SchemaOutOfDate           the database is not at the code's Alembic head
    └── NotFound (LookupError)    an id that is not stored (subscriber, …)
"""

from __future__ import annotations

__all__ = ["NotFound", "SchemaOutOfDate", "StateError"]


class StateError(Exception):
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

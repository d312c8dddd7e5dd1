"""The overlap window of the Tweede Kamer OData poll: which rows a poll returned, so that the next
poll (which asks again from ``cursor - overlap``) knows they are not news."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapers.odata import parse_datetime

__all__ = ["Window", "iso"]


def iso(moment: datetime) -> str:
    """``moment`` as an ISO instant in UTC with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Window:
    """Rows of the overlap window a poll returned, so the next poll knows they are not news.

    Stored in the ``seen`` cursor as ``entity:Id@ApiGewijzigdOp`` words; only rows at most
    ``overlap`` older than their entity's new cursor are kept, so it stays small.
    """

    def __init__(self, previous: str | None, overlap: timedelta) -> None:
        self.done = set((previous or "").split())
        self.overlap = overlap
        self.keep: set[str] = set()

    @staticmethod
    def _key(entity: str, row: Mapping[str, Any]) -> tuple[str, datetime | None]:
        moment = parse_datetime(row.get("ApiGewijzigdOp"))
        stamp = iso(moment) if moment else ""
        return f"{entity}:{str(row.get('Id')).lower()}@{stamp}", moment

    def is_new(self, entity: str, row: Mapping[str, Any]) -> bool:
        """Whether ``row`` (at this ApiGewijzigdOp) was not returned by the previous poll."""
        return self._key(entity, row)[0] not in self.done

    def remember(
        self, entity: str, rows: Iterable[Mapping[str, Any]], start: datetime | None
    ) -> datetime | None:
        """Keep the window's rows; return the entity's new cursor (latest of ``start`` and rows)."""
        keyed = [self._key(entity, r) for r in rows]
        stamps = [m for _, m in keyed if m is not None]
        cursor = max([*stamps, *([start] if start else [])], default=None)
        if cursor is not None:
            edge = cursor - self.overlap
            self.keep.update(k for k, m in keyed if m is not None and m >= edge)
        return cursor

    def dump(self) -> str:
        """The ``seen`` cursor value."""
        return " ".join(sorted(self.keep))

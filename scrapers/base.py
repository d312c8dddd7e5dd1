"""The contract between sources and the poll cycle: ``Source``, ``SourceResult``, ``SourceError``.

A source fetches from one upstream, parses what it got into domain records and returns them with
the cursor values it would advance to. It never writes state: the caller stores the records and the
cursors in one transaction, so a cursor only advances past what was stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from scrapers.errors import KamerwachtError, ParseError, SourceError
from state.mirror import MirrorRecord
from state.models import Letter, Motion

if TYPE_CHECKING:
    from scrapers.http import HttpClient

__all__ = ["KamerwachtError", "ParseError", "Source", "SourceError", "SourceResult"]


@dataclass(frozen=True, slots=True)
class SourceResult:
    """What one source observed in one poll."""

    source: str
    motions: tuple[Motion, ...] = ()
    letters: tuple[Letter, ...] = ()
    cursors: Mapping[str, str] = field(default_factory=dict)  # entity → new cursor value
    items_seen: int = 0
    requests: int = 0
    skipped: tuple[str, ...] = ()  # logged, non-fatal problems (a bad record, an unknown value)
    tk_records: tuple[MirrorRecord, ...] = ()  # Tweede Kamer entities for the mirror


class Source(Protocol):
    """One upstream. ``poll`` raises ``SourceError`` when the source as a whole failed."""

    name: str

    async def poll(
        self,
        client: HttpClient,
        cursors: Mapping[str, str],
        watchlist: frozenset[str],
    ) -> SourceResult:
        """Fetch everything new since ``cursors`` (plus motions on ``watchlist``) and parse it."""
        ...

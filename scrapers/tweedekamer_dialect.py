"""One source's view of the Gegevensmagazijn's dialect, shared by its three OData sources (the
motions, the agenda, the commitments): read from ``$metadata`` once per process, resolved through
``scrapers.odata_schema`` for that source's own names, and read again after an HTTP 400.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from scrapers.base import ParseError, SourceError
from scrapers.http import HttpClient
from scrapers.odata_schema import Dialect, parse_metadata, resolve

__all__ = ["DialectReader"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


class DialectReader:
    """The dialect of the server at ``base_url`` for source ``use`` (see ``odata_schema.USES``)."""

    def __init__(self, base_url: str, use: str, source: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.use = use
        self.source = source  # the source's name, for the log
        self._dialect: Dialect | None = None
        self._warned: set[str] = set()

    async def get(self, client: HttpClient, *, refresh: bool = False) -> Dialect:
        """The server's dialect, from its ``$metadata`` (read once per process, or on refresh).

        ``SchemaMismatch`` names every required property the schema lacks; a missing optional
        one is logged once per process and its field stays empty.
        """
        if self._dialect is not None and not refresh:
            return self._dialect
        self._dialect = None
        result = await client.get(f"{self.base_url}/$metadata")
        dialect = resolve(parse_metadata(result.content, result.url), self.base_url, self.use)
        for name in dialect.missing_optional:
            if name not in self._warned:
                self._warned.add(name)
                logger.warning(
                    "%s: OData schema (dialect %s) lacks optional %s; left empty",
                    self.source,
                    dialect.label,
                    name,
                )
        self._dialect = dialect
        return dialect

    async def run(self, client: HttpClient, poll: Callable[[Dialect], Awaitable[T]]) -> T:
        """``poll`` in the server's dialect. An HTTP 400 makes the schema be read again: one that
        changed under the source fails with ``SchemaMismatch`` naming the property, one that
        still fits (under other names) is polled again once."""
        dialect = await self.get(client)
        try:
            return await poll(dialect)
        except SourceError as exc:
            if exc.status != 400 or isinstance(exc, ParseError):
                raise
            fresh = await self.get(client, refresh=True)
            if fresh.physical == dialect.physical:
                raise
            return await poll(fresh)

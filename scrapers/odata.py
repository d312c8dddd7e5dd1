"""Client-side OData v4 helpers: literals, filter clauses, JSON pages and both paging styles.

The Gegevensmagazijn pages server-side at 250 rows with ``@odata.nextLink`` (``$skiptoken=Id-…``)
when a query has no ``$top``; with ``$top`` it emits no nextLink and the client pages itself with
``$skip``. ``fetch_all`` does either and de-duplicates rows by ``Id`` (a row can shift between pages
when the data changes while paging).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from scrapers.base import ParseError
from scrapers.http import FetchResult, HttpClient, same_host

__all__ = [
    "MAX_PAGES",
    "PAGE_SIZE",
    "any_of",
    "contains_any",
    "fetch_all",
    "literal",
    "parse_datetime",
    "read_json",
]

logger = logging.getLogger(__name__)

PAGE_SIZE = 250
MAX_PAGES = 1000  # 100,000 rows at 100 a page; stops a server that loops its nextLink

Record = dict[str, Any]


def literal(value: object) -> str:
    """An OData v4 literal: strings single-quoted with ``'`` doubled, datetimes as UTC ISO."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        moment = value.astimezone(UTC).replace(microsecond=0)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = str(value).replace("'", "''")
    return f"'{text}'"


def any_of(clauses: Iterable[str]) -> str:
    """``(a or b or …)``; an empty list gives ``false``."""
    parts = [c for c in clauses if c]
    if not parts:
        return "false"
    return "(" + " or ".join(parts) + ")"


def contains_any(field: str, terms: Iterable[str]) -> str:
    """``(contains(field,'t1') or contains(field,'t2') …)``."""
    return any_of(f"contains({field},{literal(t)})" for t in terms)


def parse_datetime(value: object) -> datetime | None:
    """An OData DateTimeOffset (any number of fraction digits, ``Z`` or offset) as aware UTC."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def read_json(result: FetchResult) -> Record:
    """The JSON object of an OData response; ``ParseError`` for HTML, truncation or junk."""
    kind = result.content_type
    if kind and "json" not in kind:
        raise ParseError(result.url, f"expected JSON, got {kind}", status=result.status)
    try:
        data = json.loads(result.content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(result.url, f"invalid JSON: {exc}", status=result.status) from exc
    if not isinstance(data, dict):
        raise ParseError(result.url, "expected a JSON object", status=result.status)
    return data


def _rows(page: Record, url: str) -> list[Record]:
    value = page.get("value")
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ParseError(url, "OData page without a 'value' array")
    return value


async def fetch_all(
    client: HttpClient,
    url: str,
    params: Mapping[str, str],
    *,
    page_size: int | None = None,
) -> list[Record]:
    """Every row of a collection query, following nextLink (or ``$skip``/``$top`` pages).

    With ``page_size`` the client pages with ``$top``/``$skip`` (give a stable ``$orderby``), and
    follows a server's ``@odata.nextLink`` where one comes; without it only the nextLink is
    followed. NextLinks are followed verbatim, on ``url``'s host only.
    """
    rows: dict[str, Record] = {}
    anonymous: list[Record] = []

    def keep(batch: list[Record]) -> None:
        for row in batch:
            key = row.get("Id")
            if isinstance(key, str):
                rows[key] = row
            else:
                anonymous.append(row)

    if page_size:
        skip = 0
        result = await client.get(url, params={**params, "$top": str(page_size), "$skip": "0"})
        for _ in range(MAX_PAGES):
            page = read_json(result)
            batch = _rows(page, result.url)
            keep(batch)
            next_link = page.get("@odata.nextLink")
            if isinstance(next_link, str) and next_link:  # the server pages: follow it
                if not same_host(next_link, url):
                    raise ParseError(url, f"nextLink leaves the source's host: {next_link[:200]}")
                result = await client.get(next_link)
                continue
            if len(batch) < page_size:
                return [*rows.values(), *anonymous]
            skip += page_size
            query = {**params, "$top": str(page_size), "$skip": str(skip)}
            result = await client.get(url, params=query)
        raise ParseError(url, f"more than {MAX_PAGES} pages")

    result = await client.get(url, params=params)
    for _ in range(MAX_PAGES):
        page = read_json(result)
        keep(_rows(page, result.url))
        next_link = page.get("@odata.nextLink")
        if not isinstance(next_link, str) or not next_link:
            return [*rows.values(), *anonymous]
        if not same_host(next_link, url):
            raise ParseError(url, f"nextLink leaves the source's host: {next_link[:200]}")
        result = await client.get(next_link)
    raise ParseError(url, f"more than {MAX_PAGES} pages")

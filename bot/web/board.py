"""The motion board's filter, search and sort, and the paging of every list.

Everything is driven by query parameters (``status``, ``execution``, ``q``, ``sort``,
``order``, ``limit``, ``cursor``), so the board works without JavaScript and every view has a
URL. The repository filters, sorts and pages in the database (``Repository.board_page``);
:func:`filter_board` is the same view as a pure function over BoardEntry values, the reference
the database's order is tested against.

Paging (RFC 8288): a list returns at most ``limit`` items (default 100, at most 1000); when more
follow, the response carries ``Link: <URL>; rel="next"`` whose ``cursor`` continues the list.
Cursors are opaque to clients.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from state.models import MOTION_ID_RE, BoardEntry, ExecutionStatus, ParliamentaryStatus

__all__ = [
    "DEFAULT_LIMIT",
    "EXECUTION_FILTERS",
    "MAX_LIMIT",
    "SORTS",
    "BoardQuery",
    "PageError",
    "Paging",
    "entry_date",
    "filter_board",
    "latest",
    "link_header",
    "motion_sort_key",
    "page_url",
    "parse_paging",
    "parse_query",
    "status_counts",
]

SORTS = ("id", "title", "status", "execution", "date", "updated")
EXECUTION_FILTERS = (*(s.value for s in ExecutionStatus), "none", "overdue")
OVERDUE = "overdue"  # the "achterstallig" filter: ids computed by state.overdue, passed in
_STATUSES = frozenset(s.value for s in ParliamentaryStatus)
MAX_QUERY = 200
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_CURSOR = 10**9


class PageError(ValueError):
    """A ``limit`` or ``cursor`` that is not a number; the message names the parameter."""


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a page starts (``offset``, from the cursor) and how many items it holds."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    @property
    def next_cursor(self) -> str:
        """The cursor of the page after this one."""
        return str(self.offset + self.limit)

    @property
    def previous_cursor(self) -> str | None:
        """The cursor of the page before this one (None on the first page)."""
        if self.offset <= 0:
            return None
        return str(max(self.offset - self.limit, 0))


def parse_paging(params: Mapping[str, str], *, strict: bool = False) -> Paging:
    """``limit`` (clamped to 1..1000) and ``cursor`` from query parameters.

    Not a number: :class:`PageError` when ``strict`` (the API), else the default (the pages).
    """
    values: dict[str, int] = {}
    for name, default in (("limit", DEFAULT_LIMIT), ("cursor", 0)):
        raw = (params.get(name) or "").strip()
        if not raw:
            values[name] = default
        elif raw.isascii() and raw.isdigit():
            values[name] = int(raw[:10])
        elif strict:
            raise PageError(f"{name}: not a non-negative whole number: {raw[:40]!r}")
        else:
            values[name] = default
    return Paging(
        limit=min(max(values["limit"], 1), MAX_LIMIT), offset=min(values["cursor"], MAX_CURSOR)
    )


def page_url(base: str, path: str, params: Mapping[str, str], cursor: str | None) -> str:
    """``base + path`` with ``params`` and ``cursor`` (the first page when None)."""
    query = {k: v for k, v in params.items() if k != "cursor"}
    if cursor is not None and cursor != "0":
        query["cursor"] = cursor
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def link_header(next_url: str | None) -> dict[str, str]:
    """The RFC 8288 ``Link`` header of a page that has a next one (empty when it has none)."""
    return {"Link": f'<{next_url}>; rel="next"'} if next_url else {}


@dataclass(frozen=True, slots=True)
class BoardQuery:
    """A board view: filters, search words and sort order."""

    status: str | None = None
    execution: str | None = None
    q: str = ""
    sort: str = "date"
    order: str = "desc"

    def params(self, **override: str | None) -> dict[str, str]:
        """The query parameters of this view (with ``override``), defaults left out."""
        values: dict[str, str | None] = {
            "status": self.status,
            "execution": self.execution,
            "q": self.q or None,
            "sort": self.sort if self.sort != "date" else None,
            "order": self.order if self.order != "desc" else None,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v}

    def sorted_by(self, column: str) -> dict[str, str]:
        """Parameters that sort by ``column``; the current column flips its order."""
        if column == self.sort:
            order = "asc" if self.order == "desc" else "desc"
        else:
            order = "asc" if column in ("id", "title") else "desc"
        return self.params(sort=column, order=order)


def parse_query(params: Mapping[str, str]) -> BoardQuery:
    """A BoardQuery from query parameters; unknown values are ignored, not errors."""
    status = params.get("status") or None
    execution = params.get("execution") or None
    sort = params.get("sort") or "date"
    order = params.get("order") or "desc"
    return BoardQuery(
        status=status if status in _STATUSES else None,
        execution=execution if execution in EXECUTION_FILTERS else None,
        q=" ".join((params.get("q") or "").split())[:MAX_QUERY],
        sort=sort if sort in SORTS else "date",
        order=order if order in ("asc", "desc") else "desc",
    )


def motion_sort_key(motion_id: str) -> tuple[int, str, int]:
    """Natural order of motion ids: dossier number, toevoeging, volgnummer."""
    match = MOTION_ID_RE.match(motion_id)
    if match is None:
        return (0, motion_id, 0)
    return (int(match["dossier"]), (match["toevoeging"] or "").rjust(5, "0"), int(match["nr"]))


def entry_date(entry: BoardEntry) -> date | None:
    """The board's date: the latest execution report's, else the motion's own."""
    if entry.execution and entry.execution.date:
        return entry.execution.date
    return entry.motion.date


def _haystack(entry: BoardEntry) -> str:
    m = entry.motion
    parts: list[str] = [m.id, m.title, m.text or "", m.zaak_nummer or ""]
    parts += [s.name for s in m.submitters]
    parts += [s.party or "" for s in m.submitters]
    if entry.execution and entry.execution.evidence:
        parts.append(entry.execution.evidence)
    return "\n".join(parts).casefold()


def _matches(entry: BoardEntry, words: Sequence[str]) -> bool:
    hay = _haystack(entry)
    return all(w in hay for w in words)


def _execution_code(entry: BoardEntry) -> str:
    if entry.execution is None or entry.execution.status is None:
        return "none"
    return entry.execution.status.value


_EXECUTION_RANK = {"executed": 0, "in_progress": 1, "declined": 2, "not_applicable": 3, "none": 4}


def _execution_matches(entry: BoardEntry, execution: str, overdue: Collection[str]) -> bool:
    if execution == OVERDUE:
        return entry.motion.id in overdue
    return _execution_code(entry) == execution


def filter_board(
    entries: Iterable[BoardEntry], query: BoardQuery, *, overdue: Collection[str] = frozenset()
) -> list[BoardEntry]:
    """The entries that pass the filters and contain every search word, in the view's order.

    ``overdue`` holds the ids of the overdue motions (the ``execution=overdue`` filter).
    """
    words = [w for w in re.split(r"\s+", query.q.casefold()) if w]
    rows = [
        e
        for e in entries
        if (query.status is None or e.motion.parliamentary_status.value == query.status)
        and (query.execution is None or _execution_matches(e, query.execution, overdue))
        and (not words or _matches(e, words))
    ]
    reverse = query.order == "desc"
    by_id = sorted(rows, key=lambda e: motion_sort_key(e.motion.id), reverse=reverse)
    if query.sort == "id":
        return by_id
    # Python's sort is stable: sort by id first, then by the column, so ties stay in id order.
    if query.sort == "title":
        return sorted(by_id, key=lambda e: e.motion.title.casefold(), reverse=reverse)
    if query.sort == "status":
        return sorted(by_id, key=lambda e: e.motion.parliamentary_status.value, reverse=reverse)
    if query.sort == "execution":
        return sorted(by_id, key=lambda e: _EXECUTION_RANK[_execution_code(e)], reverse=reverse)
    if query.sort == "updated":
        return sorted(by_id, key=lambda e: e.updated, reverse=reverse)
    # date: undated rows last in either order
    dated = sorted(
        (e for e in by_id if entry_date(e) is not None),
        key=lambda e: entry_date(e) or date.min,
        reverse=reverse,
    )
    return dated + [e for e in by_id if entry_date(e) is None]


def status_counts(entries: Iterable[BoardEntry]) -> tuple[dict[str, int], dict[str, int]]:
    """How many entries have each parliamentary status and each execution status."""
    status: dict[str, int] = {}
    execution: dict[str, int] = {}
    for e in entries:
        status[e.motion.parliamentary_status.value] = (
            status.get(e.motion.parliamentary_status.value, 0) + 1
        )
        code = _execution_code(e)
        execution[code] = execution.get(code, 0) + 1
    return status, execution


def latest(entries: Iterable[BoardEntry]) -> datetime | None:
    """When the board last changed."""
    return max((e.updated for e in entries), default=None)

"""The motion board's filter, search and sort: pure functions over BoardEntry values.

Everything is driven by query parameters (``status``, ``execution``, ``q``, ``sort``,
``order``), so the board works without JavaScript and every view has a URL.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from state.models import MOTION_ID_RE, BoardEntry, ExecutionStatus, ParliamentaryStatus

__all__ = [
    "EXECUTION_FILTERS",
    "SORTS",
    "BoardQuery",
    "entry_date",
    "filter_board",
    "latest",
    "motion_sort_key",
    "parse_query",
    "status_counts",
]

SORTS = ("id", "title", "status", "execution", "date", "updated")
EXECUTION_FILTERS = (*(s.value for s in ExecutionStatus), "none", "overdue")
OVERDUE = "overdue"  # the "achterstallig" filter: ids computed by state.overdue, passed in
_STATUSES = frozenset(s.value for s in ParliamentaryStatus)
MAX_QUERY = 200


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

"""The motion board: its derived keys, and the board's reads (pages, counts, summary, overdue).

The board filters, sorts, pages and searches in the database on keys derived from each motion
and its latest report (:func:`refresh_board_keys`, run after every write that moves them).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    bindparam,
    case,
    false,
    func,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection

from state import schema as t
from state.db import Database, chunks
from state.diff import StoredState
from state.models import (
    BoardEntry,
    Motion,
    ParliamentaryStatus,
)
from state.overdue import DEFAULT_MONTHS, Overdue, overdue_motions
from state.records import (
    latest_reports,
    load_motions,
    report_rows,
)
from state.search import fts5_query, natural_key, search_body, terms, tsquery
from state.timeline import latest_per_motion

logger = logging.getLogger(__name__)


BoardSummary = tuple[int, dict[str, int], dict[str, int], datetime | None]
BOARD_KEYS = ("sort_key", "execution_status", "execution_date", "board_date", "search_text")
BOARD_SORTS = ("id", "title", "status", "execution", "date", "updated")
EXECUTION_RANK = {"executed": 0, "in_progress": 1, "declined": 2, "not_applicable": 3}
MAX_PAGE = 1000


def searchable(source: Motion | StoredState, motion_id: str = "") -> tuple[object, ...] | None:
    """What a motion's board keys derive from besides its reports (None: not stored before)."""
    m = source if isinstance(source, Motion) else source.motions.get(motion_id)
    if m is None:
        return None
    return (m.title, m.text, m.submitters, m.zaak_nummer, m.date)


def refresh_board_keys(conn: Connection, ids: Iterable[str] | None) -> int:
    """Derive the board keys of motions ``ids`` (every motion when None); returns how many.

    Run after a motion or a report on it is written: the board filters, sorts, pages and
    searches on these columns in the database.
    """
    m, lm, lt = t.motions, t.letter_motions, t.letters
    if ids is None:
        ids = list(conn.scalars(select(m.c.id)))
    stmt = (
        update(m)
        .where(m.c.id == bindparam("motion_key"))
        .values({k: bindparam(k) for k in BOARD_KEYS})
    )
    done = 0
    for batch in chunks(sorted(set(ids))):
        rows = conn.execute(
            select(m.c.id, m.c.title, m.c.submitters, m.c.text, m.c.zaak_nummer, m.c.date).where(
                m.c.id.in_(batch)
            )
        ).all()
        reports = conn.execute(
            select(
                lm.c.motion_id,
                lm.c.letter_id,
                lm.c.status,
                lm.c.evidence,
                lm.c.created,
                lt.c.date.label("letter_date"),
            )
            .select_from(lm.join(lt, lt.c.id == lm.c.letter_id))
            .where(lm.c.motion_id.in_(batch), lm.c.status.is_not(None))
        ).all()
        latest = latest_per_motion(reports)
        values = []
        for row in rows:
            report = latest.get(row.id)
            people = json.loads(row.submitters)
            body = search_body(
                [
                    row.id,
                    row.title,
                    row.zaak_nummer,
                    row.text,
                    *(name for name, _party, _role in people),
                    *(party for _name, party, _role in people),
                    report.evidence if report is not None else None,
                ]
            )
            execution_date = report.letter_date if report is not None else None
            values.append(
                {
                    "motion_key": row.id,
                    "sort_key": natural_key(row.id),
                    "execution_status": report.status if report is not None else None,
                    "execution_date": execution_date,
                    "board_date": execution_date or row.date,
                    "search_text": body,
                }
            )
        if values:
            conn.execute(stmt, values)
            done += len(values)
    return done


# --------------------------------------------------------------------------- the repository


def search_clause(words: str, *, sqlite: bool) -> Any:
    """Motions containing every word (full-text: folded, Dutch stems, prefixes), or None."""
    pairs = terms(words)
    if not pairs:
        return None
    if sqlite:
        return literal_column("motions.rowid").in_(
            select(literal_column("rowid"))
            .select_from(text(t.SEARCH_TABLE))
            .where(text(f"{t.SEARCH_TABLE} MATCH :fts").bindparams(fts=fts5_query(pairs)))
        )
    return text(
        "to_tsvector('dutch'::regconfig, coalesce(motions.search_text, ''))"
        " @@ to_tsquery('dutch'::regconfig, :tsq)"
    ).bindparams(tsq=tsquery(pairs))


def _revision(conn: Connection) -> tuple[Any, ...]:
    return (
        conn.scalar(select(func.max(t.changes.c.id))),
        conn.scalar(select(func.max(t.motions.c.updated))),
    )


class BoardReads(Database):
    """The board's queries; ``board_summary`` and ``overdue`` are cached until the store changes."""

    _summary: tuple[tuple[Any, ...], BoardSummary] | None = None
    _overdue: tuple[tuple[Any, ...], list[Overdue]] | None = None

    def _board(self, motion_ids: list[str] | None) -> list[BoardEntry]:
        with self._read() as conn:
            motions = load_motions(conn, motion_ids)
            q = select(t.motions.c.id, t.motions.c.updated)
            if motion_ids is not None:
                q = q.where(t.motions.c.id.in_(motion_ids))
            updated = {r.id: r.updated for r in conn.execute(q)}
            reports = report_rows(conn, motion_ids)
        latest = latest_reports(reports)
        return [
            BoardEntry(motion=mo, execution=latest.get(mid), updated=updated[mid])
            for mid, mo in sorted(motions.items())
        ]

    def board(self) -> list[BoardEntry]:
        """Every tracked motion, ordered by id, with its latest execution report."""
        return self._board(None)

    def _board_where(
        self,
        status: str | None,
        execution: str | None,
        words: str,
        ids: Collection[str] | None = None,
    ) -> list[Any]:
        m = t.motions
        where: list[Any] = []
        if ids is not None:  # issue 17: the overdue filter (ids from state.overdue)
            where.append(m.c.id.in_(sorted(ids)) if ids else false())
        if status:
            where.append(m.c.parliamentary_status == status)
        if execution == "none":
            where.append(m.c.execution_status.is_(None))
        elif execution:
            where.append(m.c.execution_status == execution)
        clause = search_clause(words, sqlite=self._sqlite) if words.strip() else None
        if clause is not None:
            where.append(clause)
        return where

    def _board_order(self, sort: str, order: str) -> list[Any]:
        m = t.motions
        desc = order == "desc"

        def by(col: Any) -> Any:
            return col.desc() if desc else col.asc()

        key = by(m.c.sort_key)
        if sort == "id":
            return [key]
        if sort == "title":
            return [by(func.lower(m.c.title)), key]
        if sort == "status":
            return [by(m.c.parliamentary_status), key]
        if sort == "execution":
            rank = case(EXECUTION_RANK, value=m.c.execution_status, else_=len(EXECUTION_RANK))
            return [by(rank), key]
        if sort == "updated":
            return [by(m.c.updated), key]
        # date, undated rows last in either order (SQLite's DESC already puts NULLs last,
        # so the (board_date, sort_key) index serves the default view)
        if desc and self._sqlite:
            return [m.c.board_date.desc(), key]
        return [by(m.c.board_date).nulls_last(), key]

    def board_page(
        self,
        *,
        status: str | None = None,
        execution: str | None = None,
        words: str = "",
        sort: str = "date",
        order: str = "desc",
        limit: int = 100,
        offset: int = 0,
        ids: Collection[str] | None = None,
    ) -> tuple[list[BoardEntry], bool]:
        """One page of the board, filtered, searched and sorted in the database.

        ``execution`` is an ExecutionStatus value or ``"none"``; ``words`` must all occur
        (full-text: case and diacritics folded, Dutch stems, word prefixes). Returns the entries
        and whether more follow. The order is the board's (:mod:`bot.web.board`).
        """
        m = t.motions
        limit = max(1, min(limit, MAX_PAGE))
        q = (
            select(m.c.id)
            .where(*self._board_where(status, execution, words, ids))
            .order_by(*self._board_order(sort if sort in BOARD_SORTS else "date", order))
            .limit(limit + 1)
            .offset(max(offset, 0))
        )
        with self._read() as conn:
            ids = list(conn.scalars(q))
            more = len(ids) > limit
            ids = ids[:limit]
            entries = {e.motion.id: e for e in self._board_entries(conn, ids)}
        return [entries[i] for i in ids if i in entries], more

    def board_count(
        self,
        *,
        status: str | None = None,
        execution: str | None = None,
        words: str = "",
        ids: Collection[str] | None = None,
    ) -> int:
        """How many motions pass the board's filters and search (and are among ``ids``)."""
        where = self._board_where(status, execution, words, ids)
        q = select(func.count()).select_from(t.motions).where(*where)
        with self._read() as conn:
            return int(conn.scalar(q) or 0)

    def board_revision(self) -> tuple[Any, ...]:
        """A key that changes whenever the board can: the newest change id and the newest motion
        update (two index look-ups; every write that moves the board also records a change)."""
        with self._read() as conn:
            return _revision(conn)

    def board_summary(self) -> BoardSummary:
        """(motions, per parliamentary status, per execution status or "none", last change).

        Cached until the store changes: the key is the newest change id and the newest motion
        update (two index look-ups), as every write that moves a count also records a change.
        """
        m = t.motions
        with self._read() as conn:
            key = _revision(conn)
            cached = self._summary
            if cached is not None and cached[0] == key:
                return cached[1]
            status = {
                str(r[0]): int(r[1])
                for r in conn.execute(
                    select(m.c.parliamentary_status, func.count()).group_by(
                        m.c.parliamentary_status
                    )
                )
            }
            execution = {
                str(r[0] or "none"): int(r[1])
                for r in conn.execute(
                    select(m.c.execution_status, func.count()).group_by(m.c.execution_status)
                )
            }
        updated = key[1]
        summary = (sum(status.values()), status, execution, updated)
        self._summary = (key, summary)
        return summary

    def _board_entries(self, conn: Connection, motion_ids: list[str]) -> list[BoardEntry]:
        if not motion_ids:
            return []
        motions = load_motions(conn, motion_ids)
        updated: dict[str, datetime] = {}
        for batch in chunks(motion_ids):
            q = select(t.motions.c.id, t.motions.c.updated).where(t.motions.c.id.in_(batch))
            updated.update((r.id, r.updated) for r in conn.execute(q))
        latest = latest_reports(report_rows(conn, motion_ids))
        return [
            BoardEntry(motion=mo, execution=latest.get(mid), updated=updated[mid])
            for mid, mo in sorted(motions.items())
        ]

    def board_entry(self, motion_id: str) -> BoardEntry | None:
        """One motion's board entry (None when it is not tracked)."""
        entries = self._board([motion_id])
        return entries[0] if entries else None

    def status_counts(self) -> dict[str, dict[str, int]]:
        """Motions per parliamentary status, and the adopted ones per latest execution status.

        ``execution`` counts only adopted motions ("none": no report with a status yet). Answers
        the topic summary without loading every motion.
        """
        mo = t.motions
        with self._read() as conn:
            parliamentary = {
                str(r.parliamentary_status): int(r.n)
                for r in conn.execute(
                    select(mo.c.parliamentary_status, func.count().label("n")).group_by(
                        mo.c.parliamentary_status
                    )
                )
            }
            adopted = set(
                conn.scalars(
                    select(mo.c.id).where(
                        mo.c.parliamentary_status == ParliamentaryStatus.ADOPTED.value
                    )
                )
            )
            latest = latest_reports(report_rows(conn, None))
        execution: dict[str, int] = {}
        for motion_id in adopted:
            report = latest.get(motion_id)
            key = report.status.value if report is not None and report.status else "none"
            execution[key] = execution.get(key, 0) + 1
        return {"parliamentary": parliamentary, "execution": execution}

    def adopted_entries(self) -> list[BoardEntry]:
        """Board entries of the adopted motions (what :func:`state.overdue` reads)."""
        mo = t.motions
        q = select(mo.c.id).where(mo.c.parliamentary_status == ParliamentaryStatus.ADOPTED.value)
        with self._read() as conn:
            ids = sorted(conn.scalars(q))
            motions = load_motions(conn, ids)
            updated: dict[str, datetime] = {}
            for batch in chunks(ids):
                uq = select(mo.c.id, mo.c.updated).where(mo.c.id.in_(batch))
                updated.update((r.id, r.updated) for r in conn.execute(uq))
            latest = latest_reports(report_rows(conn, ids))
        return [
            BoardEntry(motion=m, execution=latest.get(mid), updated=updated[mid])
            for mid, m in sorted(motions.items())
        ]

    def overdue(self, *, today: date, months: int = DEFAULT_MONTHS) -> list[Overdue]:
        """Adopted motions without an execution report past their due date on ``today``.

        Cached until the store changes (the same key as ``board_summary``) or the day does: the
        board asks on every page view, and computing it reads every adopted motion.
        """
        with self._read() as conn:
            key = (today, months, *_revision(conn))
        cached = self._overdue
        if cached is not None and cached[0] == key:
            return cached[1]
        found = overdue_motions(self.adopted_entries(), today=today, months=months)
        self._overdue = (key, found)
        return found

"""Reads: motions, search, reports and timelines, letters, changes, the mirror, agenda, commitments.

Every method is one read transaction. The board's own reads are in :mod:`state.board`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import (
    and_,
    func,
    or_,
    select,
)

from state import mirror, timeline
from state import schema as t
from state.agenda import AgendaItem, AgendaStatus
from state.board import MAX_PAGE, search_clause
from state.commitments import Commitment
from state.db import Database, chunks, utcnow
from state.models import (
    Change,
    DeliveryStatus,
    ExecutionReport,
    Letter,
    Motion,
    SubscriptionKind,
    TimelineEntry,
)
from state.records import (
    agenda_from,
    change_from,
    commitment_from,
    load_letters,
    load_motions,
    load_submitters,
    report_from,
    report_rows,
)

logger = logging.getLogger(__name__)


class Reads(Database):
    """Intent-named reads of the stored records."""

    def get_motion(self, motion_id: str) -> Motion | None:
        """One motion with its decisions and votes, or None."""
        with self._read() as conn:
            return load_motions(conn, [motion_id]).get(motion_id)

    def find_motion_by_zaak(self, zaak_nummer: str) -> Motion | None:
        """The motion with this Zaak number (``2020Z21194``) or Zaak GUID, or None."""
        m = t.motions
        q = select(m.c.id).where(or_(m.c.zaak_nummer == zaak_nummer, m.c.zaak_id == zaak_nummer))
        with self._read() as conn:
            motion_id = conn.scalars(q.limit(1)).first()
            if motion_id is None:
                return None
            return load_motions(conn, [motion_id]).get(motion_id)

    def search_motions(self, words: str | Sequence[str], limit: int = 10) -> list[Motion]:
        """Motions containing every word, newest first (full-text search, see :mod:`state.search`).

        Words are matched case- and diacritics-insensitively, as word prefixes, and by their
        Dutch stem, in the id, title, submitters and parties, Zaak number, text and the latest
        execution report's evidence.
        """
        query = words if isinstance(words, str) else " ".join(words)
        clause = search_clause(query, sqlite=self._sqlite)
        if clause is None:
            return []
        m = t.motions
        q = select(m.c.id).where(clause).order_by(m.c.date.desc().nulls_last(), m.c.id)
        with self._read() as conn:
            ids = list(conn.scalars(q.limit(limit)))
            found = load_motions(conn, ids)
        return [found[i] for i in ids if i in found]

    def search_rows(self) -> list[tuple[str, str, str, str | None]]:
        """(id, title, submitter names, Zaak number) of every motion, newest first (bot search)."""
        m = t.motions
        q = select(m.c.id, m.c.title, m.c.submitters, m.c.zaak_nummer).order_by(
            m.c.date.desc().nulls_last(), m.c.id
        )
        with self._read() as conn:
            return [
                (
                    row.id,
                    row.title,
                    " ".join(s.name for s in load_submitters(row.submitters)),
                    row.zaak_nummer,
                )
                for row in conn.execute(q)
            ]

    def motions_version(self) -> tuple[int, datetime | None]:
        """(how many motions, when one last changed): a cheap "has anything changed" probe."""
        m = t.motions
        with self._read() as conn:
            row = conn.execute(select(func.count(), func.max(m.c.updated))).one()
        return int(row[0] or 0), row[1]

    def get_motions(self, motion_ids: Sequence[str]) -> list[Motion]:
        """The stored motions among ``motion_ids``, in that order."""
        with self._read() as conn:
            found = load_motions(conn, list(motion_ids))
        return [found[i] for i in motion_ids if i in found]

    def missed_changes(self, subscriber_id: int) -> int:
        """Changes for this subscriber's subscriptions since the last one sent to it.

        What a chat that blocked the bot missed meanwhile (changes from before it subscribed
        are not counted).
        """
        c, ct, sub, d, sb = (
            t.changes,
            t.change_targets,
            t.subscriptions,
            t.deliveries,
            t.subscribers,
        )
        with self._read() as conn:
            created = conn.scalar(select(sb.c.created).where(sb.c.id == subscriber_id))
            if created is None:
                return 0
            last = conn.scalar(
                select(func.max(d.c.change_id)).where(
                    d.c.subscriber_id == subscriber_id,
                    d.c.status == DeliveryStatus.SENT.value,
                )
            )
            kinds = {
                (row.kind, row.value)
                for row in conn.execute(
                    select(sub.c.kind, sub.c.value).where(sub.c.subscriber_id == subscriber_id)
                )
            }
            if not kinds:
                return 0
            window = and_(c.c.id > (last or 0), c.c.created >= created)
            if (SubscriptionKind.ALL.value, "") in kinds:
                return int(conn.scalar(select(func.count()).select_from(c).where(window)) or 0)
            own = and_(
                sub.c.kind == ct.c.kind,
                sub.c.value == ct.c.value,
                sub.c.subscriber_id == subscriber_id,
            )
            matched = (
                select(func.count(func.distinct(ct.c.change_id)))
                .select_from(ct.join(sub, own).join(c, c.c.id == ct.c.change_id))
                .where(window)
            )
            return int(conn.scalar(matched) or 0)

    def execution_reports(self, motion_id: str) -> list[ExecutionReport]:
        """Every letter's report on a motion (status None: mentioned only), oldest first."""
        with self._read() as conn:
            return [report_from(row) for row in report_rows(conn, [motion_id])]

    def timeline(self, motion_id: str) -> list[TimelineEntry]:
        """A motion's life as codes and facts (:func:`state.timeline.build`); by date, undated last.

        Empty for an untracked motion. The replaced-by entry carries the replacing motion's date.
        """
        m = t.motions
        with self._read() as conn:
            motion = load_motions(conn, [motion_id]).get(motion_id)
            if motion is None:
                return []
            replaced_by_date = (
                conn.scalar(select(m.c.date).where(m.c.id == motion.replaced_by))
                if motion.replaced_by
                else None
            )
            reports = [report_from(row) for row in report_rows(conn, [motion_id])]
        entries = timeline.build(motion, reports, replaced_by_date=replaced_by_date)
        return timeline.by_date(entries)

    def letters(self) -> list[Letter]:
        """Every stored letter with the motions it cites, newest first (undated last)."""
        with self._read() as conn:
            found = load_letters(conn)
        return sorted(found, key=lambda lt: (lt.date or date.min, lt.id), reverse=True)

    def letters_page(self, *, limit: int = 100, offset: int = 0) -> tuple[list[Letter], bool]:
        """One page of :meth:`letters` (newest first, undated last) and whether more follow."""
        lt = t.letters
        limit = max(1, min(limit, MAX_PAGE))
        newest = lt.c.date.desc() if self._sqlite else lt.c.date.desc().nulls_last()
        q = select(lt.c.id).order_by(newest, lt.c.id.desc()).limit(limit + 1).offset(offset)
        with self._read() as conn:
            ids = list(conn.scalars(q))
            more = len(ids) > limit
            ids = ids[:limit]
            found = {x.id: x for x in load_letters(conn, lt.c.id.in_(ids))} if ids else {}
        return [found[i] for i in ids if i in found], more

    def existing_motions(self, motion_ids: Iterable[str]) -> set[str]:
        """Those of ``motion_ids`` that are tracked."""
        m = t.motions
        out: set[str] = set()
        with self._read() as conn:
            for batch in chunks(set(motion_ids)):
                out.update(conn.scalars(select(m.c.id).where(m.c.id.in_(batch))))
        return out

    def get_letter(self, letter_id: str) -> Letter | None:
        """A letter by id, or by its kamerstuk id or document number."""
        lt = t.letters
        with self._read() as conn:
            found = load_letters(conn, lt.c.id == letter_id)
            if not found:
                found = load_letters(
                    conn, or_(lt.c.kamerstuk == letter_id, lt.c.document_nummer == letter_id)
                )
        return found[0] if found else None

    def changes(
        self,
        since: datetime | int | None = None,
        *,
        motion_id: str | None = None,
        limit: int | None = None,
    ) -> list[Change]:
        """Stored changes, oldest first.

        ``since`` is a datetime (changes created after it) or a change id (changes after it);
        with ``since`` the ``limit`` oldest are returned (paging forward), without it the
        ``limit`` newest.
        """
        c = t.changes
        q = select(c)
        if isinstance(since, datetime):
            q = q.where(c.c.created > utcnow(since))
        elif since is not None:
            q = q.where(c.c.id > since)
        if motion_id is not None:
            q = q.where(c.c.motion_id == motion_id)
        newest_first = since is None and limit is not None
        q = q.order_by(c.c.id.desc() if newest_first else c.c.id)
        if limit is not None:
            q = q.limit(limit)
        with self._read() as conn:
            found = [change_from(row) for row in conn.execute(q)]
        return found[::-1] if newest_first else found

    def mirror_tracked(self) -> mirror.Tracked:
        """The Zaak, Besluit and dossier ids of the Tweede Kamer mirror."""
        with self._read() as conn:
            return mirror.tracked(conn)

    def mirror_load(self, zaak_ids: Iterable[str]) -> list[mirror.MirrorRecord]:
        """The mirrored entities of the given Zaken."""
        with self._read() as conn:
            return mirror.load(conn, zaak_ids)

    def mirror_ids(self, entity: str, ids: Iterable[str]) -> list[mirror.MirrorRecord]:
        """Mirrored entities of one kind by id."""
        with self._read() as conn:
            return mirror.load_ids(conn, entity, ids)

    def watchlist(self) -> frozenset[str]:
        """Motion ids that any active subscriber follows."""
        sub, sb = t.subscriptions, t.subscribers
        q = (
            select(sub.c.value)
            .select_from(sub.join(sb, sb.c.id == sub.c.subscriber_id))
            .where(sub.c.kind == SubscriptionKind.MOTION.value, sb.c.active)
            .distinct()
        )
        with self._read() as conn:
            return frozenset(conn.scalars(q))

    def agenda(
        self,
        *,
        since: date | None = None,
        motion_id: str | None = None,
        include_untracked: bool = False,
    ) -> list[AgendaItem]:
        """Planned (or moved) agenda items (on or after ``since`` if given), soonest first.

        A session leaves the list when the agenda source sees it held or cancelled.

        Only the tracked motions' items and those of a followed dossier (a letter on a debate's
        agenda: what the agenda source makes changes for) unless ``include_untracked``;
        ``motion_id`` limits it to one motion.
        """
        a, sub = t.agenda_items, t.subscriptions
        q = select(a).where(a.c.status.in_([AgendaStatus.PLANNED.value, AgendaStatus.MOVED.value]))
        if since is not None:
            q = q.where(or_(a.c.day.is_(None), a.c.day >= since))
        if motion_id is not None:
            q = q.where(a.c.motion_id == motion_id)
        elif not include_untracked:
            followed = select(sub.c.value).where(sub.c.kind == SubscriptionKind.DOSSIER.value)
            q = q.where(or_(a.c.motion_id.is_not(None), a.c.dossier.in_(followed)))
        with self._read() as conn:
            found = [agenda_from(row) for row in conn.execute(q)]
        return sorted(
            found,
            key=lambda i: (
                i.day is None,
                i.day or date.max,
                i.start or datetime.max.replace(tzinfo=UTC),
                i.ref,
            ),
        )

    def commitments(self) -> list[Commitment]:
        """The topic's commitments, newest first (by the date they were made)."""
        with self._read() as conn:
            found = [commitment_from(row) for row in conn.execute(select(t.commitments))]
        return sorted(found, key=lambda i: (i.made or date.min, i.number), reverse=True)

    def get_commitment(self, number: str) -> Commitment | None:
        """One commitment by its number (case-insensitive) or Id."""
        c = t.commitments
        key = number.strip()
        q = select(c).where(or_(func.upper(c.c.number) == key.upper(), c.c.id == key.lower()))
        with self._read() as conn:
            row = conn.execute(q).first()
        return commitment_from(row) if row is not None else None

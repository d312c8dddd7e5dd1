"""Ingestion: what the sources observed, diffed against the store and written in one transaction.

``apply_poll`` (motions and letters, through :func:`state.diff.diff`), ``apply_overdue``,
``apply_agenda`` and ``apply_commitments`` each write records, changes, their subscription
targets, the outbox rows (:func:`state.outbox.fan_out`) and the source's cursor together: a crash
leaves the previous state intact. On PostgreSQL they hold one advisory lock, so two pollers
never diff against the same snapshot.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection

from state import mirror
from state import schema as t
from state.agenda import AgendaItem, diff_agenda
from state.board import BOARD_KEYS, BoardReads, refresh_board_keys, searchable
from state.commitments import Commitment, diff_commitments
from state.db import POLL_LOCK, chunks, utcnow
from state.diff import DiffResult, StoredState, content_hash, diff, letter_keys
from state.models import (
    Change,
    ChangeKind,
    Letter,
    Observation,
    SubscriptionKind,
)
from state.outbox import MAX_VALUE, fan_out, targets
from state.overdue import DEFAULT_MONTHS, overdue_changes
from state.records import (
    AGENDA_SOURCE,
    COMMITMENT_SOURCE,
    agenda_from,
    agenda_row,
    change_row,
    commitment_from,
    commitment_row,
    letter_row,
    load_letters,
    load_motions,
    motion_row,
)
from state.typos import typo_neighbours

logger = logging.getLogger(__name__)

PG_WORK_MEM = "64MB"  # per sort/hash node, for apply_poll's transaction only


class Ingest(BoardReads):
    """Writes what the sources observed (``overdue`` comes from the board)."""

    def _stored_state(self, conn: Connection, observation: Observation) -> StoredState:
        """What the diff needs, for the ids the observation mentions only."""
        m = t.motions
        observed = {mo.id for mo in observation.motions}
        cited = {c.id for letter in observation.letters for c in letter.motions}
        hashes: dict[str, str] = {}
        for batch in chunks(observed | cited):
            q = select(m.c.id, m.c.content_hash).where(m.c.id.in_(batch))
            hashes.update((row.id, row.content_hash) for row in conn.execute(q))
        # a cited id nobody tracks may be a typo: load its tracked one-character neighbours
        unknown = cited - hashes.keys() - observed
        neighbours = {n for i in unknown for n in typo_neighbours(i)} - hashes.keys()
        for batch in chunks(neighbours):
            q = select(m.c.id, m.c.content_hash).where(m.c.id.in_(batch))
            found = {row.id: row.content_hash for row in conn.execute(q)}
            hashes.update(found)
            cited |= found.keys()
        need = {
            mo.id
            for mo in observation.motions
            if hashes.get(mo.id, "") not in ("", content_hash(mo))
        }
        need |= cited & hashes.keys()
        motions = load_motions(conn, need)

        keys = {k for letter in observation.letters for k in letter_keys(letter)}
        letters: dict[str, Letter] = {}
        lt = t.letters
        for batch in chunks(keys):
            where = or_(
                lt.c.id.in_(batch), lt.c.kamerstuk.in_(batch), lt.c.document_nummer.in_(batch)
            )
            letters.update((letter.id, letter) for letter in load_letters(conn, where))
        return StoredState(motions=motions, hashes=hashes, letters=letters)

    def apply_poll(
        self,
        observation: Observation,
        *,
        cursors: Mapping[tuple[str, str], str] | None = None,
        notify: bool = True,
        now: datetime | None = None,
        tk_records: Sequence[mirror.MirrorRecord] = (),
    ) -> list[Change]:
        """Diff an observation against the store and write records, changes, outbox, cursors.

        ``tk_records`` are the Tweede Kamer entities the sources saw (``state.mirror``).
        Everything happens in one transaction: a crash leaves the previous state intact.
        Returns the stored changes (with ids), oldest first.
        """
        now = utcnow(now)
        with self._write() as conn:
            if not self._sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(POLL_LOCK)))
                # the fan-out de-duplicates and sorts up to ~10⁶ rows: keep that in memory
                conn.exec_driver_sql(f"SET LOCAL work_mem = '{PG_WORK_MEM}'")
            stored = self._stored_state(conn, observation)
            result = diff(stored, observation, now=now)
            self._write_motions(conn, result, now)
            self._write_letters(conn, result.letters, now)
            refresh_board_keys(
                conn,
                {mo.id for mo in result.motions if searchable(mo) != searchable(stored, mo.id)}
                | {c.id for letter in result.letters for c in letter.motions},
            )
            untouched = result.touched - result.hashes.keys()
            for batch in chunks(untouched):
                conn.execute(update(t.motions).where(t.motions.c.id.in_(batch)).values(updated=now))
            changes, deliveries = self._write_changes(conn, result, notify=notify)
            mirror.write(conn, tk_records, now, self._insert)
            if cursors:
                self._upsert(
                    conn,
                    t.cursors,
                    [
                        {"source": source, "entity": entity, "value": value, "updated": now}
                        for (source, entity), value in cursors.items()
                    ],
                    ("source", "entity"),
                    keep=(),
                )
        logger.info(
            "poll stored: %d motions, %d letters written; %d changes, %d deliveries",
            len(result.motions),
            len(result.letters),
            len(changes),
            deliveries,
        )
        return changes

    def _write_motions(self, conn: Connection, result: DiffResult, now: datetime) -> None:
        if not result.motions:
            return
        self._upsert(
            conn,
            t.motions,
            [motion_row(mo, result.hashes[mo.id], now) for mo in result.motions],
            ("id",),
            keep=("created", *BOARD_KEYS),  # refresh_board_keys derives them after the writes
        )
        ids = [mo.id for mo in result.motions]
        for batch in chunks(ids):
            conn.execute(delete(t.votes).where(t.votes.c.motion_id.in_(batch)))
            conn.execute(delete(t.decisions).where(t.decisions.c.motion_id.in_(batch)))
        decision_rows: list[dict[str, Any]] = []
        vote_rows: list[dict[str, Any]] = []
        for mo in result.motions:
            seen: set[str] = set()
            for i, dec in enumerate(mo.decisions):
                if dec.id in seen:
                    continue
                seen.add(dec.id)
                decision_rows.append(
                    {
                        "motion_id": mo.id,
                        "id": dec.id,
                        "position": i,
                        "status": dec.status.value,
                        "raw_kind": dec.raw_kind,
                        "text": dec.text,
                        "date": dec.date,
                        "final": dec.final,
                        "source": dec.source,
                    }
                )
                vote_rows.extend(
                    {
                        "motion_id": mo.id,
                        "decision_id": dec.id,
                        "position": j,
                        "actor": vote.actor,
                        "party": vote.party,
                        "choice": vote.choice.value,
                        "seats": vote.seats,
                        "mistake": vote.mistake,
                    }
                    for j, vote in enumerate(dec.votes)
                )
        if decision_rows:
            conn.execute(insert(t.decisions), decision_rows)
        if vote_rows:
            conn.execute(insert(t.votes), vote_rows)

    def _write_letters(self, conn: Connection, letters: Sequence[Letter], now: datetime) -> None:
        if not letters:
            return
        self._upsert(conn, t.letters, [letter_row(lt, now) for lt in letters], ("id",))
        rows = [
            {
                "letter_id": lt.id,
                "motion_id": c.id,
                "position": i,
                "title": c.title,
                "submitters": json.dumps(list(c.submitters), ensure_ascii=False),
                "date": c.date,
                "status": c.status.value if c.status else None,
                "evidence": c.evidence,
                "created": now,
                "cited_as": c.cited_as,
            }
            for lt in letters
            for i, c in enumerate(lt.motions)
        ]
        self._upsert(conn, t.letter_motions, rows, ("letter_id", "motion_id"))

    def _write_changes(
        self, conn: Connection, result: DiffResult, *, notify: bool
    ) -> tuple[list[Change], int]:
        """Insert changes and their targets; with ``notify``, fan them out to the outbox."""
        if not result.changes:
            return [], 0
        stmt = insert(t.changes).returning(t.changes.c.id, sort_by_parameter_order=True)
        ids = list(conn.execute(stmt, [change_row(c) for c in result.changes]).scalars())
        changes = [replace(c, id=i) for c, i in zip(result.changes, ids, strict=True)]
        keywords = list(
            conn.scalars(
                select(t.subscriptions.c.value)
                .where(t.subscriptions.c.kind == SubscriptionKind.KEYWORD.value)
                .distinct()
            )
        )
        target_rows = [
            {"change_id": c.id, "kind": kind, "value": value[:MAX_VALUE]}
            for c, route in zip(changes, result.routes, strict=True)
            for kind, value in sorted(targets(c, route, keywords))
        ]
        if target_rows:
            conn.execute(insert(t.change_targets), target_rows)
        if not notify:
            return changes, 0
        return changes, fan_out(conn, min(ids), max(ids), sqlite=self._sqlite)

    def apply_overdue(
        self,
        *,
        today: date,
        months: int = DEFAULT_MONTHS,
        notify: bool = True,
        now: datetime | None = None,
    ) -> list[Change]:
        """Record one ``motion_overdue`` change per motion and due date (never twice).

        Like ``apply_poll``, changes, targets and outbox rows are written in one transaction;
        ``notify=False`` records without queueing deliveries.
        """
        now = utcnow(now)
        overdue = self.overdue(today=today, months=months)
        if not overdue:
            return []
        c = t.changes
        ids = [o.motion.id for o in overdue]
        with self._write() as conn:
            if not self._sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(POLL_LOCK)))
            already: dict[str, set[str]] = defaultdict(set)
            for batch in chunks(ids):
                q = select(c.c.motion_id, c.c.new).where(
                    c.c.kind == ChangeKind.MOTION_OVERDUE.value, c.c.motion_id.in_(batch)
                )
                for row in conn.execute(q):
                    already[row.motion_id].add(row.new)
            found = overdue_changes(overdue, {k: frozenset(v) for k, v in already.items()}, now=now)
            if not found:
                return []
            result = DiffResult(
                changes=tuple(ch for ch, _ in found), routes=tuple(r for _, r in found)
            )
            changes, deliveries = self._write_changes(conn, result, notify=notify)
        logger.info("overdue: %d new of %d; %d deliveries", len(changes), len(overdue), deliveries)
        return changes

    def apply_agenda(
        self,
        items: Sequence[AgendaItem],
        *,
        activities: Iterable[str],
        cursor: str | None = None,
        notify: bool = True,
        now: datetime | None = None,
    ) -> list[Change]:
        """Store the observed agenda of ``activities``; changes for the tracked motions on it.

        An item's motion is the stored motion with its Zaak (by Id or number), else its Zaak
        number when someone follows that. Items of a followed dossier count too. ``cursor`` is
        stored as the agenda source's ``activiteit`` cursor in the same transaction.
        """
        now = utcnow(now)
        activity_ids = sorted(set(activities))
        a, mo, sub = t.agenda_items, t.motions, t.subscriptions
        with self._write() as conn:
            if not self._sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(POLL_LOCK)))
            stored: dict[tuple[str, str], AgendaItem] = {}
            for batch in chunks(activity_ids):
                for row in conn.execute(select(a).where(a.c.activity_id.in_(batch))):
                    item = agenda_from(row)
                    stored[item.key] = item
            by_zaak: dict[str, str] = {}
            zaak_ids = sorted({i.zaak_id for i in items})
            nummers = sorted({i.zaak_nummer for i in items if i.zaak_nummer})
            for batch in chunks(zaak_ids):
                q = select(mo.c.id, mo.c.zaak_id).where(mo.c.zaak_id.in_(batch))
                by_zaak.update((r.zaak_id.lower(), r.id) for r in conn.execute(q))
            for batch in chunks(nummers):
                q = select(mo.c.id, mo.c.zaak_nummer).where(mo.c.zaak_nummer.in_(batch))
                by_zaak.update((r.zaak_nummer, r.id) for r in conn.execute(q))
            followed = {
                (r.kind, r.value)
                for r in conn.execute(
                    select(sub.c.kind, sub.c.value).where(
                        sub.c.kind.in_(
                            [SubscriptionKind.MOTION.value, SubscriptionKind.DOSSIER.value]
                        )
                    )
                )
            }
            resolved: list[AgendaItem] = []
            for item in items:
                motion_id = by_zaak.get(item.zaak_id.lower()) or by_zaak.get(item.zaak_nummer or "")
                followed_zaak = (SubscriptionKind.MOTION.value, item.zaak_nummer or "")
                if motion_id is None and item.zaak_nummer and followed_zaak in followed:
                    motion_id = item.zaak_nummer
                resolved.append(replace(item, motion_id=motion_id))

            def relevant(item: AgendaItem) -> bool:
                if item.motion_id is not None:
                    return True
                return (SubscriptionKind.DOSSIER.value, item.dossier or "") in followed

            result = diff_agenda(
                stored, resolved, activities=activity_ids, now=now, relevant=relevant
            )
            self._upsert(
                conn,
                a,
                [agenda_row(i, now) for i in result.upserts],
                ("activity_id", "zaak_id"),
                keep=(),
            )
            for item in result.removed:
                conn.execute(
                    delete(a).where(
                        a.c.activity_id == item.activity_id, a.c.zaak_id == item.zaak_id
                    )
                )
            changes: list[Change] = []
            if result.changes:
                diff_result = DiffResult(changes=result.changes, routes=result.routes)
                changes, _ = self._write_changes(conn, diff_result, notify=notify)
            if cursor:
                self._upsert(
                    conn,
                    t.cursors,
                    [
                        {
                            "source": AGENDA_SOURCE,
                            "entity": "activiteit",
                            "value": cursor,
                            "updated": now,
                        }
                    ],
                    ("source", "entity"),
                    keep=(),
                )
        logger.info(
            "agenda stored: %d items written; %d changes", len(result.upserts), len(changes)
        )
        return changes

    def apply_commitments(
        self,
        items: Sequence[Commitment],
        *,
        cursor: str | None = None,
        notify: bool = True,
        now: datetime | None = None,
    ) -> list[Change]:
        """Store observed commitments; a change for each new one and each status change.

        ``cursor`` is stored as the commitment source's ``toezegging`` cursor in the same
        transaction.
        """
        now = utcnow(now)
        c = t.commitments
        with self._write() as conn:
            if not self._sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(POLL_LOCK)))
            stored: dict[str, Commitment] = {}
            for batch in chunks(sorted({i.id for i in items})):
                for row in conn.execute(select(c).where(c.c.id.in_(batch))):
                    stored[row.id] = commitment_from(row)
            result = diff_commitments(stored, items, now=now)
            self._upsert(conn, c, [commitment_row(i, now) for i in result.upserts], ("id",))
            changes: list[Change] = []
            if result.changes:
                diff_result = DiffResult(changes=result.changes, routes=result.routes)
                changes, _ = self._write_changes(conn, diff_result, notify=notify)
            if cursor:
                mark = {"source": COMMITMENT_SOURCE, "entity": "toezegging", "value": cursor}
                self._upsert(
                    conn, t.cursors, [{**mark, "updated": now}], ("source", "entity"), keep=()
                )
        logger.info("commitments stored: %d written; %d changes", len(result.upserts), len(changes))
        return changes

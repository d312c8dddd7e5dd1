"""The Tweede Kamer mirror: the entities of tracked motions, kept so either path can rebuild one.

A motion is built from its Zaak with its dossier, submitters (ZaakActor), decisions (Besluit) and
votes (Stemming). The OData path fetches all of that at once; the SyncFeed delivers one changed
entity at a time. Both write the entities they saw here (``MirrorRecord``, in the v4/2.0
vocabulary), in the same transaction as the motions and cursors they produced, so that a single
Besluit or Stemming from the SyncFeed rebuilds the whole motion, and a deleted entity is removed.
Only what concerns a tracked motion is kept. Generic rows: ``scrapers.tweedekamer_mirror`` knows
how they nest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from state import schema as t

__all__ = ["MirrorRecord", "Tracked", "load", "load_ids", "tracked", "write"]

CHUNK = 500


@dataclass(frozen=True, slots=True)
class MirrorRecord:
    """One entity of a tracked motion; ``deleted`` removes it (and, for a Besluit, its votes)."""

    entity: str  # Zaak, Kamerstukdossier, ZaakActor, Besluit, Stemming
    id: str  # lower-case GUID
    zaak_id: str | None = None  # the Zaak it belongs to (a Zaak: itself)
    parent_id: str | None = None  # a Stemming: its Besluit
    data: Mapping[str, Any] = field(default_factory=dict)
    deleted: bool = False
    whole: bool = False  # a Zaak that comes with all its entities: drop the ones not among them


@dataclass(frozen=True, slots=True)
class Tracked:
    """Ids the mirror holds: what makes a SyncFeed entity relevant."""

    zaken: frozenset[str] = frozenset()
    besluiten: frozenset[str] = frozenset()
    dossiers: frozenset[str] = frozenset()


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def write(conn: Connection, records: Sequence[MirrorRecord], now: datetime, insert: Any) -> None:
    """Apply ``records`` in order (later ones win); ``insert`` is the dialect's INSERT."""
    if not records:
        return
    latest: dict[tuple[str, str], MirrorRecord] = {}
    for record in records:
        latest[(record.entity, record.id)] = record
    wholes = sorted(r.id for r in latest.values() if r.entity == "Zaak" and r.whole)
    for batch in _chunks(wholes):
        conn.execute(
            delete(t.tk_mirror).where(
                t.tk_mirror.c.zaak_id.in_(batch), t.tk_mirror.c.entity != "Zaak"
            )
        )
    gone = [r for r in latest.values() if r.deleted]
    for entity in sorted({r.entity for r in gone}):
        ids = sorted(r.id for r in gone if r.entity == entity)
        for batch in _chunks(ids):
            conn.execute(
                delete(t.tk_mirror).where(
                    t.tk_mirror.c.entity == entity, t.tk_mirror.c.id.in_(batch)
                )
            )
            if entity == "Besluit":
                conn.execute(
                    delete(t.tk_mirror).where(
                        t.tk_mirror.c.entity == "Stemming", t.tk_mirror.c.parent_id.in_(batch)
                    )
                )
    rows = [
        {
            "entity": r.entity,
            "id": r.id,
            "zaak_id": r.zaak_id,
            "parent_id": r.parent_id,
            "data": json.dumps(dict(r.data), sort_keys=True, ensure_ascii=False, default=str),
            "updated": now,
        }
        for r in latest.values()
        if not r.deleted
    ]
    if rows:
        stmt = insert(t.tk_mirror)
        changed = {c: stmt.excluded[c] for c in ("zaak_id", "parent_id", "data", "updated")}
        conn.execute(
            stmt.on_conflict_do_update(index_elements=["entity", "id"], set_=changed), rows
        )


def _record(row: Any) -> MirrorRecord:
    return MirrorRecord(
        entity=row.entity,
        id=row.id,
        zaak_id=row.zaak_id,
        parent_id=row.parent_id,
        data=json.loads(row.data),
    )


def tracked(conn: Connection) -> Tracked:
    """The Zaak, Besluit and Kamerstukdossier ids the mirror holds."""
    ids: dict[str, set[str]] = {"Zaak": set(), "Besluit": set(), "Kamerstukdossier": set()}
    query = select(t.tk_mirror.c.entity, t.tk_mirror.c.id).where(
        t.tk_mirror.c.entity.in_(sorted(ids))
    )
    for entity, key in conn.execute(query):
        ids[entity].add(key)
    return Tracked(
        frozenset(ids["Zaak"]), frozenset(ids["Besluit"]), frozenset(ids["Kamerstukdossier"])
    )


def load(conn: Connection, zaak_ids: Iterable[str]) -> list[MirrorRecord]:
    """Every record of the given Zaken (the Zaak itself, submitters, decisions, votes)."""
    out: list[MirrorRecord] = []
    for batch in _chunks(sorted(set(zaak_ids))):
        query = select(t.tk_mirror).where(t.tk_mirror.c.zaak_id.in_(batch))
        out.extend(_record(row) for row in conn.execute(query))
    return out


def load_ids(conn: Connection, entity: str, ids: Iterable[str]) -> list[MirrorRecord]:
    """The records of ``entity`` with the given ids (dossiers, or the Besluit of a vote)."""
    out: list[MirrorRecord] = []
    for batch in _chunks(sorted(set(ids))):
        query = select(t.tk_mirror).where(
            t.tk_mirror.c.entity == entity, t.tk_mirror.c.id.in_(batch)
        )
        out.extend(_record(row) for row in conn.execute(query))
    return out

"""The Tweede Kamer Gegevensmagazijn (OData v4): motions, decisions, votes and government letters.

One poll:

1. **Motions.** The first poll discovers every ``Zaak`` of Soort ``Motie`` whose Onderwerp names
   the topic (or that is on the watch list) in one query, expanded with everything a motion shows:
   ``Kamerstukdossier`` (canonical id), ``ZaakActor`` (submitters), ``Besluit`` with ``Stemming``
   (decisions and votes per party) and ``VervangenDoor``/``VervangenVanuit``. Later polls ask, per
   entity, what changed since its cursor (``ApiGewijzigdOp ge cursor - overlap``): Zaak, Besluit,
   Stemming and ZaakActor rows of topic motions; the Zaken they belong to are then fetched again
   whole, so a changed vote yields the motion's complete current state.
2. **Letters.** ``Document`` of Soort ``Brief regering`` on the topic, with their Kamerstuk id
   (dossier + Volgnummer) and full text: the official XML (``DocumentPublicatie(..)/Resource``) when
   it exists, else ``Document(..)/resource`` (PDF), read by ``scrapers.tweedekamer_texts`` (the same
   fetch → convert → extract step as a motion's operative text).

Every name the queries use is resolved against the server's own ``$metadata`` (read once per
process, and again after an HTTP 400) through ``scrapers.odata_schema``: the same code speaks
``OData/v4/2.0`` and ``OData/v5``, and a schema that lacks a required property fails the source with
a line naming it (``SchemaMismatch``) instead of tracking nothing silently. Pages are at most 100
rows (v5 answers 400 above that) with an explicit ``$orderby``; ``@odata.nextLink`` is followed.

Rows are de-duplicated by ``Id``; a cursor only moves past rows this poll returned, and the caller
stores cursors together with the records. Any fetch failure fails the poll as a whole
(``SourceError``): nothing partial is returned, so nothing partial is stored.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from scrapers.base import ParseError, SourceResult
from scrapers.http import HttpClient
from scrapers.odata import any_of, contains_any, fetch_all, literal, parse_datetime
from scrapers.odata_schema import Dialect, SchemaMismatch
from scrapers.topics import TopicProfile
from scrapers.tweedekamer_dialect import DialectReader
from scrapers.tweedekamer_mirror import flatten
from scrapers.tweedekamer_queries import (
    WATCH_INLINE,
    change_zaak_expand,
    document_select,
    letter_expand,
    motion_clause,
    motion_expand,
    watch_clause,
    zaak_select,
)
from scrapers.tweedekamer_records import (
    BESLUIT_STATUS,
    PROCEDURAL,
    build_motion,
    canonical_id,
    parse_besluit_soort,
    parse_result_counts,
)
from scrapers.tweedekamer_texts import letter_of, with_text
from scrapers.tweedekamer_window import Window, iso
from state.models import Letter, Motion

__all__ = [
    "BESLUIT_STATUS",
    "PROCEDURAL",
    "TweedeKamerSource",
    "parse_besluit_soort",
    "parse_result_counts",
]

logger = logging.getLogger(__name__)

Record = dict[str, Any]
ENTITIES = ("zaak", "besluit", "stemming", "zaakactor", "document")
PAGE = 100  # v5 answers 400 to $top above 100
ID_BATCH = 25


def _cursor(cursors: Mapping[str, str], key: str) -> datetime | None:
    return parse_datetime(cursors.get(key))


def _latest(rows: Iterable[Mapping[str, Any]]) -> datetime | None:
    stamps = [parse_datetime(r.get("ApiGewijzigdOp")) for r in rows]
    found = [s for s in stamps if s is not None]
    return max(found) if found else None


def _batches(items: Iterable[str], size: int = ID_BATCH) -> list[list[str]]:
    ordered = sorted(items)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


class TweedeKamerSource:
    """The primary source: ``poll`` returns motions (with decisions and votes) and letters."""

    name = "tweedekamer"

    def __init__(
        self,
        base_url: str,
        topic: TopicProfile,
        *,
        overlap: timedelta = timedelta(hours=1),
        letters: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.topic = topic
        self.overlap = overlap
        self.letters = letters  # False: motions only (benchmarks, a motions-only deployment)
        self._schema = DialectReader(self.base_url, "motions", self.name)

    def _url(self, entity: str) -> str:
        return f"{self.base_url}/{entity}"

    # -- schema ---------------------------------------------------------------------------------

    async def dialect(self, client: HttpClient, *, refresh: bool = False) -> Dialect:
        """The server's dialect, from its ``$metadata`` (read once per process, or on refresh)."""
        return await self._schema.get(client, refresh=refresh)

    # -- poll -----------------------------------------------------------------------------------

    async def poll(
        self, client: HttpClient, cursors: Mapping[str, str], watchlist: frozenset[str]
    ) -> SourceResult:
        """Fetch what is new since ``cursors`` (plus new watch-list motions) and parse it.

        Rows of a shape the Gegevensmagazijn never sends (a list where an object belongs, a
        number where text belongs) fail the poll with a ``ParseError`` naming the problem. An
        HTTP 400 makes the source read ``$metadata`` again: a schema that changed under it fails
        with ``SchemaMismatch`` naming the property, one that still fits is polled again once.
        """
        try:
            started = client.requests_made
            result = await self._schema.run(
                client, lambda d: self._poll(client, d, cursors, watchlist)
            )
            return dataclasses.replace(result, requests=client.requests_made - started)
        except SchemaMismatch:
            raise
        except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
            logger.debug("tweedekamer: unexpected payload", exc_info=True)
            raise ParseError(
                self.base_url, f"unexpected record shape: {type(exc).__name__}: {exc}"
            ) from exc

    async def _poll(
        self,
        client: HttpClient,
        d: Dialect,
        cursors: Mapping[str, str],
        watchlist: frozenset[str],
    ) -> SourceResult:
        notes: list[str] = []
        watch = {w.strip() for w in watchlist if w.strip()}
        for bad in sorted(w for w in watch if watch_clause(d, w) is None):
            notes.append(f"watch list: {bad!r} is not a motion id or Zaak number")
        watch = {w for w in watch if watch_clause(d, w) is not None}
        known_watch = {w for w in (cursors.get("watchlist") or "").split(",") if w}
        new_cursors: dict[str, str] = dict(cursors)
        window = Window(cursors.get("seen"), self.overlap)
        zaken: dict[str, Record] = {}
        if _cursor(cursors, "zaak") is None:
            seen = await self._discover(client, d, watch, zaken, new_cursors, window)
        else:
            seen = await self._changes(client, d, cursors, watch, zaken, new_cursors, window)
            new_watch = watch - known_watch
            if new_watch:
                found = await self._watched(client, d, new_watch)
                zaken.update(found)
                seen += len(found)
        new_cursors["watchlist"] = ",".join(sorted(watch))
        motions = await self._with_texts(client, self._motions(zaken, watch, notes), zaken, notes)
        tk_records = tuple(
            record
            for motion in motions
            for record in flatten(zaken.get((motion.zaak_id or "").lower()) or {})
        )
        letters: list[Letter] = []
        doc_count = 0
        if self.letters:
            letters, doc_count = await self._letters(client, d, cursors, new_cursors, window, notes)
        new_cursors["seen"] = window.dump()
        for note in notes:
            logger.info("tweedekamer: %s", note)
        return SourceResult(
            source=self.name,
            motions=tuple(motions),
            letters=tuple(letters),
            cursors=new_cursors,
            items_seen=seen + doc_count,
            skipped=tuple(notes),
            tk_records=tk_records,
        )

    async def _discover(
        self,
        client: HttpClient,
        d: Dialect,
        watch: set[str],
        zaken: dict[str, Record],
        new_cursors: dict[str, str],
        window: Window,
    ) -> int:
        """First poll: every topic (and watched) motion, whole; cursors from what it returned."""
        found = await self._zaken(client, d, motion_clause(d, self.topic.terms, ()))
        found.update(await self._watched(client, d, watch))
        zaken.update(found)
        rows = list(found.values())
        besluiten = [b for z in rows for b in z.get("Besluit") or []]
        by_key: dict[str, list[Record]] = {
            "zaak": rows,
            "besluit": besluiten,
            "stemming": [s for b in besluiten for s in b.get("Stemming") or []],
            "zaakactor": [a for z in rows for a in z.get("ZaakActor") or []],
        }
        stamps = {key: _latest(items) for key, items in by_key.items()}
        fallback = max((s for s in stamps.values() if s), default=None)
        if fallback is None:
            return len(found)  # nothing on the topic yet: the next poll discovers again
        for key, items in by_key.items():
            cursor = stamps[key] or fallback
            new_cursors[key] = iso(cursor)
            window.remember(key, items, cursor)
        return len(found)

    async def _watched(self, client: HttpClient, d: Dialect, watch: set[str]) -> dict[str, Record]:
        """The watched motions, whole, asked for in batches so that no URL grows too long."""
        out: dict[str, Record] = {}
        for batch in _batches(watch):
            out.update(await self._zaken(client, d, motion_clause(d, (), batch, topic=False)))
        return out

    async def _zaken(self, client: HttpClient, d: Dialect, clause: str) -> dict[str, Record]:
        params = {
            "$filter": f"{d.p('Zaak', 'Verwijderd')} eq false and {clause}",
            "$select": zaak_select(d),
            "$expand": motion_expand(d),
            "$orderby": f"{d.p('Zaak', 'ApiGewijzigdOp')},{d.p('Zaak', 'Id')}",
        }
        rows = await fetch_all(client, self._url("Zaak"), params, page_size=PAGE)
        logical = (d.to_logical("Zaak", r) for r in rows)
        return {str(r["Id"]).lower(): r for r in logical if r.get("Id")}

    async def _by_ids(self, client: HttpClient, d: Dialect, ids: set[str]) -> dict[str, Record]:
        out: dict[str, Record] = {}
        for batch in _batches(ids):
            clause = any_of(f"{d.p('Zaak', 'Id')} eq {key}" for key in batch)
            out.update(
                await self._zaken(client, d, f"{d.p('Zaak', 'Soort')} eq 'Motie' and {clause}")
            )
        return out

    def _relevant(self, zaak: Mapping[str, Any], watch: set[str]) -> bool:
        """Whether a Zaak a change row names is on the topic or watched (decided locally)."""
        if self.topic.matches(zaak.get("Onderwerp")):
            return True
        dossiers = zaak.get("Kamerstukdossier") or []
        ids = {str(zaak.get("Nummer") or "")}
        ids.update(
            canonical_id(k.get("Nummer"), k.get("Toevoeging"), zaak.get("Volgnummer")) or ""
            for k in dossiers
            if isinstance(k, Mapping)
        )
        return bool(watch & ids)

    async def _changes(
        self,
        client: HttpClient,
        d: Dialect,
        cursors: Mapping[str, str],
        watch: set[str],
        zaken: dict[str, Record],
        new_cursors: dict[str, str],
        window: Window,
    ) -> int:
        """Topic motions that changed since the cursors, whole, into ``zaken``.

        A changed Zaak comes back whole from the Zaak query; a changed Besluit, Stemming or
        ZaakActor row names its Zaak, which is then fetched whole. Rows of the overlap window
        that the previous poll already returned are not news. With a long watch list the change
        queries ask for every motion that changed and relevance is decided here.
        """
        fallback = _cursor(cursors, "zaak")
        assert fallback is not None
        since = fallback - self.overlap
        inline = len(watch) <= WATCH_INLINE
        clause = motion_clause(d, self.topic.terms, watch if inline else ())
        wide = inline or not watch  # False: the clause must not narrow to the topic
        zaak_clause = clause if wide else f"{d.p('Zaak', 'Soort')} eq 'Motie'"
        stamp = d.p("Zaak", "ApiGewijzigdOp")
        found = await self._zaken(client, d, f"{stamp} ge {literal(since)} and {zaak_clause}")
        found = {k: v for k, v in found.items() if wide or self._relevant(v, watch)}
        seen = len(found)
        changed = {key for key, row in found.items() if window.is_new("zaak", row)}
        new_cursors["zaak"] = iso(window.remember("zaak", found.values(), fallback) or fallback)
        lam = (
            motion_clause(d, self.topic.terms, watch if inline else (), "z")
            if wide
            else f"z/{d.p('Zaak', 'Soort')} eq 'Motie'"
        )
        zexp = change_zaak_expand(d)
        specs = [
            # cursor key, entity, filter on the motion, $expand that reaches the Zaak
            ("besluit", "Besluit", f"{d.p('Besluit', 'Zaak')}/any(z: {lam})", f"Zaak({zexp})"),
            (
                "stemming",
                "Stemming",
                f"{d.p('Stemming', 'Besluit')}/{d.p('Besluit', 'Zaak')}/any(z: {lam})",
                f"{d.p('Stemming', 'Besluit')}($select={d.p('Besluit', 'Id')};"
                f"$expand={d.p('Besluit', 'Zaak')}({zexp}))",
            ),
            (
                "zaakactor",
                "ZaakActor",
                (
                    motion_clause(d, self.topic.terms, watch if inline else (), "Zaak")
                    if wide
                    else f"Zaak/{d.p('Zaak', 'Soort')} eq 'Motie'"
                ),
                f"{d.p('ZaakActor', 'Zaak')}({zexp})",
            ),
        ]
        for key, entity, where, expand in specs:
            start = _cursor(cursors, key) or fallback
            params = {
                "$filter": f"{d.p(entity, 'ApiGewijzigdOp')} ge {literal(start - self.overlap)}"
                f" and {where}",
                "$select": d.select(entity, "Id", "ApiGewijzigdOp"),
                "$expand": expand,
                "$orderby": f"{d.p(entity, 'ApiGewijzigdOp')},{d.p(entity, 'Id')}",
            }
            raw = await fetch_all(client, self._url(entity), params, page_size=PAGE)
            rows = [d.to_logical(entity, r) for r in raw]
            seen += len(rows)
            for row in rows:
                if window.is_new(key, row):
                    changed.update(_zaak_ids(entity, row, None if wide else self, watch))
            new_cursors[key] = iso(window.remember(key, rows, start) or start)
        zaken.update({k: v for k, v in found.items() if k in changed})
        zaken.update(await self._by_ids(client, d, changed - set(zaken)))
        return seen

    def _motions(
        self, zaken: Mapping[str, Record], watch: set[str], notes: list[str]
    ) -> list[Motion]:
        motions: dict[str, Motion] = {}
        for zaak in sorted(zaken.values(), key=lambda z: (str(z.get("GestartOp")), str(z["Id"]))):
            if zaak.get("Soort") not in (None, "Motie"):
                continue
            try:
                built = build_motion(zaak)
            except (KeyError, TypeError, ValueError) as exc:
                notes.append(f"Zaak {zaak.get('Nummer') or zaak.get('Id')}: unreadable ({exc})")
                continue
            motion = built.motion
            on_topic = self.topic.matches(motion.title)
            if not on_topic and not (watch & {motion.id, motion.zaak_nummer or ""}):
                continue
            notes.extend(f"{motion.id}: {n}" for n in built.notes)
            motions[motion.id] = motion
        return [motions[k] for k in sorted(motions)]

    async def _with_texts(
        self,
        client: HttpClient,
        motions: list[Motion],
        zaken: Mapping[str, Record],
        notes: list[str],
    ) -> list[Motion]:
        """Each motion with its operative text ("verzoekt de regering …") from the official XML.

        Only motions this poll returned are read (a changed or new Zaak), so a quiet poll costs
        nothing here. A publication that is gone is noted; any other failure fails the source.
        """
        return [
            await with_text(
                client, self.base_url, m, zaken.get((m.zaak_id or "").lower()) or {}, notes
            )
            for m in motions
        ]

    # -- letters --------------------------------------------------------------------------------

    async def _letters(
        self,
        client: HttpClient,
        d: Dialect,
        cursors: Mapping[str, str],
        new_cursors: dict[str, str],
        window: Window,
        notes: list[str],
    ) -> tuple[list[Letter], int]:
        doc = "Document"
        clause = (
            f"{d.p(doc, 'Verwijderd')} eq false and {d.p(doc, 'Soort')} eq 'Brief regering' and "
            + contains_any(d.p(doc, "Onderwerp"), self.topic.terms)
        )
        since = _cursor(cursors, "document")
        stamp_name = d.p(doc, "ApiGewijzigdOp")
        if since is not None:
            clause += f" and {stamp_name} ge {literal(since - self.overlap)}"
        params = {
            "$filter": clause,
            "$select": document_select(d),
            "$expand": letter_expand(d),
            "$orderby": f"{stamp_name},{d.p(doc, 'Id')}",
        }
        raw = await fetch_all(client, self._url(doc), params, page_size=PAGE)
        docs = [d.to_logical(doc, r) for r in raw]
        fresh = [d for d in docs if window.is_new("document", d)]
        stamp = window.remember("document", docs, since)
        if stamp is not None:
            new_cursors["document"] = iso(stamp)
        letters: dict[str, Letter] = {}
        for row in sorted(fresh, key=lambda r: (str(r.get("Datum")), str(r.get("Id")))):
            if not self.topic.matches(row.get("Onderwerp")):
                continue
            letter = await letter_of(client, self.base_url, self.name, row, notes)
            letters[letter.id] = letter
        return [letters[k] for k in sorted(letters)], len(docs)


def _zaak_ids(
    entity: str, row: Mapping[str, Any], judge: TweedeKamerSource | None, watch: set[str]
) -> set[str]:
    """The Zaak ids a change row belongs to (through its direct links only).

    With a ``judge`` only the Zaken it finds relevant (topic or watched) count.
    """
    if entity == "Zaak":
        return {str(row["Id"]).lower()} if row.get("Id") else set()
    if entity == "Stemming":
        row = row.get("Besluit") or {}
    zaak = row.get("Zaak")
    zaken = zaak if isinstance(zaak, list) else [zaak] if zaak else []
    return {
        str(z["Id"]).lower()
        for z in zaken
        if z.get("Id") and (judge is None or judge._relevant(z, watch))
    }

"""The Tweede Kamer SyncFeed as a change stream: decisions, votes, submitters and letters.

The SyncFeed (``SyncFeed/2.0``) is the Gegevensmagazijn's own incremental-sync interface and did
not change when OData moved to v5. Each category (Kamerstukdossier, Zaak, ZaakActor, Besluit,
Stemming, Document) is read from its own skiptoken, kept as a cursor (``skiptoken:<Category>``)
that is stored in the same transaction as what it produced.

* First run: the head of each category is found without walking its history (exponential probing
  and a binary search on the skiptoken; a page with fewer than 250 entries names the head); the
  topic's initial state comes from OData.
* After that a poll with nothing new costs one request per category. Entities are kept only when
  they concern a tracked motion (its Zaak, submitters, decisions, votes, dossier), a new motion on
  the topic or watched, or a topic letter; relevance is decided here against the mirror
  (``state.mirror``), and each affected motion is rebuilt whole from the mirror plus what arrived.
* A deleted entity (``tk:verwijderd="true"``) is removed; the motion is rebuilt without it, so a
  withdrawn or corrected Besluit undoes the decision it carried (the diff records a correction).

With OData failing (schema or outage) this keeps tracked motions current; with the SyncFeed down,
OData polling does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from scrapers.base import ParseError, SourceError, SourceResult
from scrapers.http import HttpClient
from scrapers.syncfeed import Entity, FeedPage, parse_entity_document, parse_page
from scrapers.topics import TopicProfile
from scrapers.tweedekamer_mirror import assemble, scalars
from scrapers.tweedekamer_records import build_motion, canonical_id, local_date
from scrapers.tweedekamer_texts import read_letter
from state.mirror import MirrorRecord, Tracked
from state.models import MOTION_ID_RE, DocumentKind, Letter, Motion

__all__ = ["CATEGORIES", "MirrorReader", "NoMirror", "TweedeKamerSyncSource", "find_head"]

logger = logging.getLogger(__name__)

CATEGORIES = ("Kamerstukdossier", "Zaak", "ZaakActor", "Besluit", "Stemming", "Document")
PAGE_ENTRIES = 250
MAX_PAGES = 40  # per category and poll (10,000 entries); the rest follows next poll
FIRST_STEP = 1 << 16
MAX_PROBES = 80
WEBSITE = "https://www.tweedekamer.nl"


class MirrorReader(Protocol):
    """Read access to the mirror (the repository)."""

    def mirror_tracked(self) -> Tracked:
        """Ids the mirror holds."""
        ...

    def mirror_load(self, zaak_ids: Iterable[str]) -> list[MirrorRecord]:
        """Records of the given Zaken."""
        ...

    def mirror_ids(self, entity: str, ids: Iterable[str]) -> list[MirrorRecord]:
        """Records of one entity by id."""
        ...


class NoMirror:
    """An empty mirror: for probes and one-off polls that keep nothing."""

    def mirror_tracked(self) -> Tracked:
        """Nothing is tracked."""
        return Tracked()

    def mirror_load(self, zaak_ids: Iterable[str]) -> list[MirrorRecord]:
        """Nothing is held."""
        return []

    def mirror_ids(self, entity: str, ids: Iterable[str]) -> list[MirrorRecord]:
        """Nothing is held."""
        return []


def feed_url(base: str, category: str) -> str:
    """The Atom feed of one category."""
    return f"{base.rstrip('/')}/Feed"


async def fetch_page(client: HttpClient, base: str, category: str, token: int | None) -> FeedPage:
    """One page of ``category`` after ``token`` (from the start when None)."""
    params = {"category": category}
    if token is not None:
        params["skiptoken"] = str(token)
    result = await client.get(feed_url(base, category), params=params)
    return parse_page(result.content, result.url)


async def find_head(client: HttpClient, base: str, category: str) -> int:
    """The skiptoken of ``category``'s latest entry, found without walking its history.

    ``page(N)`` holds the entries after N: non-empty means the head lies beyond N. Probing N
    with doubling steps brackets the head, a binary search narrows it, and the first page with
    fewer entries than a full page (no ``next`` link) names it.
    """
    first = await fetch_page(client, base, category, None)
    if not first.entries:
        return first.resume_token or 0
    if first.next_token is None:
        return first.entries[-1][0]
    lo = first.entries[-1][0]  # entries exist after lo
    hi: int | None = None  # nothing after hi
    step = FIRST_STEP
    for _ in range(MAX_PROBES):
        probe = lo + step if hi is None else (lo + hi) // 2
        if hi is not None and hi - lo <= 1:
            probe = lo
        page = await fetch_page(client, base, category, probe)
        if page.entries:
            if page.next_token is None:
                return page.entries[-1][0]
            lo = max(lo, page.entries[-1][0])
            if hi is None:
                step *= 2
        else:
            hi = probe
    raise ParseError(feed_url(base, category), f"no head found for {category}")


class TweedeKamerSyncSource:
    """Decisions, votes, submitters and topic letters from the SyncFeed (see the module)."""

    name = "tweedekamer-syncfeed"

    def __init__(
        self,
        base_url: str,
        topic: TopicProfile,
        mirror: MirrorReader,
        *,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.topic = topic
        self.mirror = mirror
        self.max_pages = max_pages

    async def poll(
        self, client: HttpClient, cursors: Mapping[str, str], watchlist: frozenset[str]
    ) -> SourceResult:
        """Read every category from its skiptoken; rebuild the motions what arrived concerns."""
        started = client.requests_made
        new_cursors = dict(cursors)
        notes: list[str] = []
        arrived: dict[str, list[Entity]] = {}
        for category in CATEGORIES:
            key = f"skiptoken:{category}"
            token = _int(cursors.get(key))
            if token is None:
                head = await find_head(client, self.base_url, category)
                new_cursors[key] = str(head)
                notes.append(f"{category}: starts at skiptoken {head}")
                continue
            entities, token = await self._read(client, category, token, notes)
            arrived[category] = entities
            new_cursors[key] = str(token)
        seen = sum(len(v) for v in arrived.values())
        motions: list[Motion] = []
        letters: list[Letter] = []
        records: list[MirrorRecord] = []
        if seen:
            watch = {w.strip() for w in watchlist if w.strip()}
            motions, records = await self._apply(client, arrived, watch, notes)
            letters = await self._letters(client, arrived.get("Document", []), notes)
        for note in notes:
            logger.info("tweedekamer-syncfeed: %s", note)
        return SourceResult(
            source=self.name,
            motions=tuple(motions),
            letters=tuple(letters),
            cursors=new_cursors,
            items_seen=seen,
            requests=client.requests_made - started,
            skipped=tuple(notes),
            tk_records=tuple(records),
        )

    async def _read(
        self, client: HttpClient, category: str, token: int, notes: list[str]
    ) -> tuple[list[Entity], int]:
        out: list[Entity] = []
        for _ in range(self.max_pages):
            page = await fetch_page(client, self.base_url, category, token)
            notes.extend(f"{category}: {s}" for s in page.skipped)
            for entry_token, entity in page.entries:
                out.append(entity)
                token = max(token, entry_token)
            if page.next_token is None or not page.entries:
                break
            token = max(token, page.next_token)
        return out, token

    # -- relevance and rebuilding ---------------------------------------------------------------

    async def _dossier(
        self, client: HttpClient, ref: str | None, known: dict[str, MirrorRecord]
    ) -> MirrorRecord | None:
        """A dossier from this poll, the mirror, or the SyncFeed's ``Entiteiten/<id>``."""
        if not ref:
            return None
        if ref in known:
            return known[ref]
        found = await asyncio.to_thread(self.mirror.mirror_ids, "Kamerstukdossier", [ref])
        if not found:
            url = f"{self.base_url}/Entiteiten/{ref}"
            try:
                result = await client.get(url)
            except SourceError as exc:
                if exc.status in (404, 410):
                    return None
                raise
            entity = parse_entity_document(result.content, result.url)
            found = [MirrorRecord("Kamerstukdossier", entity.id, None, None, entity.record())]
        known[ref] = found[0]
        return found[0]

    async def _new_motion(
        self,
        client: HttpClient,
        zaak: Entity,
        watch: set[str],
        dossiers: dict[str, MirrorRecord],
    ) -> bool:
        """Whether a Zaak the mirror does not hold is a motion kamerwacht should track."""
        if (zaak.fields.get("Soort") or "") != "Motie":
            return False
        if self.topic.matches(zaak.fields.get("Onderwerp")):
            return True
        if str(zaak.fields.get("Nummer") or "") in watch:
            return True
        numbers = {int(m["nr"]) for w in watch if (m := MOTION_ID_RE.match(w))}
        if zaak.fields.get("Volgnummer") not in numbers:
            return False
        dossier = await self._dossier(client, zaak.ref("Kamerstukdossier"), dossiers)
        if dossier is None:
            return False
        ident = canonical_id(
            dossier.data.get("Nummer"),
            dossier.data.get("Toevoeging"),
            zaak.fields.get("Volgnummer"),
        )
        return ident in watch

    async def _apply(
        self,
        client: HttpClient,
        arrived: Mapping[str, list[Entity]],
        watch: set[str],
        notes: list[str],
    ) -> tuple[list[Motion], list[MirrorRecord]]:
        tracked = await asyncio.to_thread(self.mirror.mirror_tracked)
        zaken, besluiten = set(tracked.zaken), set(tracked.besluiten)
        dossiers: dict[str, MirrorRecord] = {}
        updates: list[MirrorRecord] = []
        affected: set[str] = set()
        replacements: list[tuple[str, str]] = []  # (replaced Zaak, replacing Zaak)
        for entity in arrived.get("Kamerstukdossier", []):
            if entity.id in tracked.dossiers:
                record = _record("Kamerstukdossier", entity, None, None)
                dossiers[entity.id] = record
                updates.append(record)
        for zaak in arrived.get("Zaak", []):
            if zaak.id not in zaken and (
                zaak.deleted or not await self._new_motion(client, zaak, watch, dossiers)
            ):
                continue
            zaken.add(zaak.id)
            affected.add(zaak.id)
            ref = zaak.ref("Kamerstukdossier")
            dossier = None if zaak.deleted else await self._dossier(client, ref, dossiers)
            if dossier is not None and dossier.id not in tracked.dossiers:
                updates.append(dossier)
            updates.append(_record("Zaak", zaak, zaak.id, None))
            for old in zaak.refs.get("VervangenVanuit") or ():
                if old in zaken:  # a gewijzigde motie: the motion it replaces learns of it
                    affected.add(old)
                    replacements.append((old, zaak.id))
        deleted = {
            kind: [e.id for e in arrived.get(kind, []) if e.deleted]
            for kind in ("ZaakActor", "Besluit", "Stemming")
        }
        owners: dict[str, MirrorRecord] = {}
        for kind, ids in deleted.items():
            if ids:
                for known in await asyncio.to_thread(self.mirror.mirror_ids, kind, ids):
                    owners[known.id] = known
        for actor in arrived.get("ZaakActor", []):
            owner = owners.get(actor.id)
            zid = owner.zaak_id if owner else _first_tracked(actor.refs.get("Zaak"), zaken)
            if zid:
                affected.add(zid)
                updates.append(_record("ZaakActor", actor, zid, None))
        besluit_zaak: dict[str, str] = {}
        for besluit in arrived.get("Besluit", []):
            owner = owners.get(besluit.id)
            zid = owner.zaak_id if owner else _first_tracked(besluit.refs.get("Zaak"), zaken)
            if zid:
                affected.add(zid)
                besluiten.add(besluit.id)
                besluit_zaak[besluit.id] = zid
                updates.append(_record("Besluit", besluit, zid, None))
        votes = arrived.get("Stemming", [])
        wanted = {v.ref("Besluit") for v in votes if not v.deleted} & besluiten
        unknown = sorted(b for b in wanted if b and b not in besluit_zaak)
        for known in await asyncio.to_thread(self.mirror.mirror_ids, "Besluit", unknown):
            if known.zaak_id:
                besluit_zaak[known.id] = known.zaak_id
        for vote in votes:
            owner = owners.get(vote.id)
            parent = owner.parent_id if owner else vote.ref("Besluit")
            zid = owner.zaak_id if owner else besluit_zaak.get(parent or "")
            if zid:
                affected.add(zid)
                updates.append(_record("Stemming", vote, zid, parent))
        if not affected:
            return [], updates
        motions = await self._rebuild(affected, updates, dossiers, notes, replacements)
        return motions, updates

    async def _rebuild(
        self,
        affected: set[str],
        updates: list[MirrorRecord],
        dossiers: dict[str, MirrorRecord],
        notes: list[str],
        replacements: Sequence[tuple[str, str]] = (),
    ) -> list[Motion]:
        """The affected motions, whole, from the mirror plus ``updates`` (which gains the
        replacement links it sets)."""
        stored = await asyncio.to_thread(self.mirror.mirror_load, affected)
        state: dict[tuple[str, str], MirrorRecord] = {(r.entity, r.id): r for r in stored}
        for update in updates:
            key = (update.entity, update.id)
            if update.deleted:
                state.pop(key, None)
                if update.entity == "Besluit":
                    for k in [k for k, r in state.items() if r.parent_id == update.id]:
                        state.pop(k)
                continue
            old = state.get(key)
            data = {**(old.data if old else {}), **update.data}
            state[key] = dataclasses.replace(update, data=data)
        ids = {
            i
            for r in state.values()
            if r.entity == "Zaak"
            for i in r.data.get("Kamerstukdossier_Ids") or []
        }
        missing = sorted(ids - set(dossiers))
        for known in await asyncio.to_thread(self.mirror.mirror_ids, "Kamerstukdossier", missing):
            dossiers[known.id] = known
        for replaced, replacing in replacements:
            before, after = state.get(("Zaak", replaced)), state.get(("Zaak", replacing))
            if before is None or after is None:
                continue
            linked = (
                dataclasses.replace(
                    before, data={**before.data, "VervangenDoor": [_nested(after, dossiers)]}
                ),
                dataclasses.replace(
                    after, data={**after.data, "VervangenVanuit": [_nested(before, dossiers)]}
                ),
            )
            for record in linked:
                state[("Zaak", record.id)] = record
                updates.append(record)
        records = list(state.values())
        motions: list[Motion] = []
        for zid in sorted(affected):
            zaak = state.get(("Zaak", zid))
            if zaak is None or zaak.data.get("Verwijderd"):
                continue
            try:
                built = build_motion(assemble(zaak, records, dossiers), base_url=WEBSITE)
            except (KeyError, TypeError, ValueError) as exc:
                notes.append(f"Zaak {zaak.data.get('Nummer') or zid}: unreadable ({exc})")
                continue
            notes.extend(f"{built.motion.id}: {n}" for n in built.notes)
            motions.append(dataclasses.replace(built.motion, source=self.name))
        return motions

    # -- letters --------------------------------------------------------------------------------

    async def _letters(
        self, client: HttpClient, documents: list[Entity], notes: list[str]
    ) -> list[Letter]:
        out: dict[str, Letter] = {}
        dossiers: dict[str, MirrorRecord] = {}
        for doc in documents:
            if doc.deleted or doc.fields.get("Soort") != "Brief regering":
                continue
            if not self.topic.matches(doc.fields.get("Onderwerp")):
                continue
            dossier = await self._dossier(client, doc.ref("Kamerstukdossier"), dossiers)
            letter = await self._letter(client, doc, dossier, notes)
            out[letter.id] = letter
        return [out[k] for k in sorted(out)]

    async def _letter(
        self, client: HttpClient, doc: Entity, dossier: MirrorRecord | None, notes: list[str]
    ) -> Letter:
        kamerstuk = _kamerstuk(dossier, doc.fields.get("Volgnummer")) if dossier else None
        nummer = doc.fields.get("DocumentNummer")
        ident = kamerstuk or nummer or doc.id
        title = " ".join(str(doc.fields.get("Onderwerp") or "").split()) or f"Kamerbrief {ident}"
        url = (
            f"{WEBSITE}/kamerstukken/brieven_regering/detail?id={nummer}&did={nummer}"
            if nummer
            else None
        )
        plain = Letter(
            id=ident,
            title=title,
            date=local_date(doc.fields.get("Datum")),
            kind=DocumentKind.LETTER,
            kamerstuk=kamerstuk,
            document_nummer=nummer,
            url=url,
            source=self.name,
        )
        return await read_letter(client, plain, f"{self.base_url}/Resources/{doc.id}", notes)


def _kamerstuk(dossier: MirrorRecord, volgnummer: object) -> str | None:
    return canonical_id(dossier.data.get("Nummer"), dossier.data.get("Toevoeging"), volgnummer)


def _nested(zaak: MirrorRecord, dossiers: Mapping[str, MirrorRecord]) -> dict[str, Any]:
    """A Zaak as a VervangenDoor/VervangenVanuit navigation holds it (id, number, dossier)."""
    ids = zaak.data.get("Kamerstukdossier_Ids") or []
    return {
        "Id": zaak.id,
        "Nummer": zaak.data.get("Nummer"),
        "Volgnummer": zaak.data.get("Volgnummer"),
        "Kamerstukdossier": [dict(dossiers[i].data) for i in ids if i in dossiers],
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _first_tracked(refs: Iterable[str] | None, zaken: set[str]) -> str | None:
    return next((r for r in refs or () if r in zaken), None)


def _record(kind: str, entity: Entity, zaak_id: str | None, parent: str | None) -> MirrorRecord:
    data: dict[str, Any] = scalars(entity.record())
    if kind == "Zaak" and not entity.deleted:
        data["Kamerstukdossier_Ids"] = list(entity.refs.get("Kamerstukdossier") or ())
    return MirrorRecord(kind, entity.id, zaak_id, parent, data, deleted=entity.deleted)

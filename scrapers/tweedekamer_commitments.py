"""The cabinet's commitments on the topic (``Toezegging``), from the Tweede Kamer OData v4.

One query per poll: the topic's commitments (their text names a topic term) changed since the
cursor (all of them on the first poll). For a commitment that is (partly) fulfilled by a letter
given as a document number (``2021D41766``), the letter's text is read once, when the commitment
changes, to quote the sentence that fulfils it.

No real Toezegging record exists in any public repository we searched; the names come from the
entity type in the recorded ``$metadata`` (replay/data/metadata.xml). They are logical (OData
v4/2.0) names of ``scrapers.odata_schema.NAMES`` (use ``commitments``): the server's ``$metadata``
decides what each is called there (v5 calls ``Document.DocumentNummer`` ``Nummer``), a schema that
lacks a required one fails the source with one ``SchemaMismatch`` line, and :func:`check_schema`
reports whether a live ``$metadata`` still has them (``kamerwacht sources --check``).
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from scrapers.base import ParseError, SourceError
from scrapers.http import HttpClient
from scrapers.odata import contains_any, fetch_all, literal, parse_datetime, read_json
from scrapers.odata_schema import Dialect, SchemaMismatch, parse_metadata, resolve
from scrapers.topics import TopicProfile
from scrapers.tweedekamer_dialect import DialectReader
from scrapers.tweedekamer_records import local_date
from state.commitments import Commitment, commitment_status, fulfilment_sentence

__all__ = ["CommitmentResult", "CommitmentSource", "check_schema", "parse_commitment"]

logger = logging.getLogger(__name__)

Record = dict[str, Any]

COMMITMENT = "Toezegging"
DOCUMENT = "Document"
RESOURCE = "resource"  # the media resource of a Document (a path segment, not a property)
SOURCE_NAME = "tweedekamer-toezeggingen"
DOCUMENT_NUMBER_RE = re.compile(r"^\d{4}D\d{5}$")


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _minister(row: Record) -> str | None:
    parts = [
        _text(row.get(key))
        for key in ("Titulatuur", "Initialen", "Tussenvoegsel", "Achternaam", "Achtervoegsel")
    ]
    name = " ".join(p for p in parts if p)
    return name or None


def parse_commitment(row: Record) -> Commitment:
    """One Toezegging record (logical names) as a :class:`Commitment`."""
    return Commitment(
        id=str(row["Id"]).lower(),
        number=_text(row.get("Nummer")) or str(row["Id"]),
        text=_text(row.get("Tekst")) or "",
        status=commitment_status(row.get("Status")),
        status_raw=_text(row.get("Status")),
        ministry=_text(row.get("Ministerie")),
        minister=_minister(row),
        function=_text(row.get("Functie")),
        made=local_date(row.get("Aanmaakdatum")),
        due=local_date(row.get("DatumNakoming")),
        letter=_text(row.get("KamerbriefNakoming")),
        activity=_text(row.get("ActiviteitNummer")),
    )


def check_schema(metadata: bytes) -> list[str]:
    """What the live ``$metadata`` lacks of what this module needs (empty: it still matches)."""
    try:
        ET.fromstring(metadata)
    except ET.ParseError as exc:
        return [f"$metadata is not XML: {exc}"]
    try:
        schema = parse_metadata(metadata, "$metadata")
    except ParseError:
        schema = None
    if schema is None or COMMITMENT not in schema.entities:
        return [f"entity type {COMMITMENT} is missing"]
    try:
        resolve(schema, "$metadata", "commitments")
    except SchemaMismatch as exc:
        return [f"{name} is missing" for name in exc.missing]
    return []


@dataclass(frozen=True, slots=True)
class CommitmentResult:
    """One poll: the topic's changed commitments, the next cursor, the requests made."""

    commitments: tuple[Commitment, ...]
    cursor: str | None
    requests: int
    skipped: tuple[str, ...] = ()


class CommitmentSource:
    """The topic's commitments (``Toezegging``) of the Tweede Kamer OData v4."""

    name = SOURCE_NAME

    def __init__(self, base_url: str, topic: TopicProfile) -> None:
        self.base_url = base_url.rstrip("/")
        self.topic = topic
        self._schema = DialectReader(self.base_url, "commitments", self.name)

    def _query(self, d: Dialect, cursor: str | None) -> dict[str, str]:
        def c(name: str) -> str:
            return d.p(COMMITMENT, name)

        clause = f"{c('Verwijderd')} eq false and {contains_any(c('Tekst'), self.topic.terms)}"
        moment = parse_datetime(cursor)
        if moment is not None:
            clause += f" and {c('ApiGewijzigdOp')} gt {literal(moment)}"
        return {"$filter": clause, "$orderby": f"{c('ApiGewijzigdOp')},{c('Id')}"}

    async def _evidence(self, client: HttpClient, d: Dialect, item: Commitment) -> str | None:
        """The fulfilling letter's sentence about the commitment (None when unreadable)."""
        if not item.letter or not DOCUMENT_NUMBER_RE.match(item.letter):
            return None
        if not d.has(DOCUMENT, "DocumentNummer"):
            return None
        url = f"{self.base_url}/{DOCUMENT}"
        key = d.p(DOCUMENT, "Id")
        params = {
            "$filter": f"{d.p(DOCUMENT, 'DocumentNummer')} eq {literal(item.letter)}",
            "$select": key,
        }
        rows = read_json(await client.get(url, params=params)).get("value") or []
        if not rows:
            return None
        result = await client.get(f"{url}({rows[0][key]})/{RESOURCE}")
        text = result.content.decode("utf-8", errors="replace")
        return fulfilment_sentence(text, item)

    async def poll(self, client: HttpClient, cursors: Mapping[str, str]) -> CommitmentResult:
        """Fetch the topic's commitments changed since the ``toezegging`` cursor."""
        started = client.requests_made
        cursor = cursors.get("toezegging")
        url = f"{self.base_url}/{COMMITMENT}"

        async def fetch(d: Dialect) -> tuple[Dialect, list[Record]]:
            return d, await fetch_all(client, url, self._query(d, cursor))

        dialect, raw = await self._schema.run(client, fetch)
        notes: list[str] = []
        found: list[Commitment] = []
        rows: list[Record] = []
        for physical in raw:
            try:
                row = dialect.to_logical(COMMITMENT, physical)
                item = parse_commitment(row)
            except (KeyError, TypeError, ValueError) as exc:
                raise ParseError(url, f"unexpected Toezegging record: {exc!r}") from exc
            rows.append(row)
            if not self.topic.matches(item.text):
                continue
            if item.letter:
                try:
                    evidence = await self._evidence(client, dialect, item)
                except SourceError as exc:
                    notes.append(f"{item.number}: letter {item.letter} unreadable ({exc})")
                    evidence = None
                if evidence:
                    item = replace(item, evidence=evidence)
            found.append(item)
        stamps = [parse_datetime(r.get("ApiGewijzigdOp")) for r in rows]
        latest = max((s for s in stamps if s is not None), default=None)
        known = parse_datetime(cursor)
        if latest is not None and (known is None or latest > known):
            cursor = latest.isoformat()
        for note in notes:
            logger.info("%s: %s", SOURCE_NAME, note)
        return CommitmentResult(
            commitments=tuple(found),
            cursor=cursor,
            requests=client.requests_made - started,
            skipped=tuple(notes),
        )

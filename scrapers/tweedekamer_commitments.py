"""The cabinet's commitments on the topic (``Toezegging``), from the Tweede Kamer OData v4.

One query per poll: the topic's commitments (their text names a topic term) changed since the
cursor (all of them on the first poll). For a commitment that is (partly) fulfilled by a letter
given as a document number (``2021D41766``), the letter's text is read once, when the commitment
changes, to quote the sentence that fulfils it.

No real Toezegging record exists in any public repository we searched; the names below come from
the entity type in the recorded ``$metadata`` (replay/data/metadata.xml). The entity and
property names are in :data:`NAMES`, so another dialect can map them in one place, and
:func:`check_schema` reports whether a live ``$metadata`` still has them
(``kamerwacht sources --check``).
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrapers.base import ParseError, SourceError
from scrapers.http import HttpClient
from scrapers.odata import contains_any, fetch_all, literal, parse_datetime, read_json
from scrapers.topics import TopicProfile
from scrapers.tweedekamer_records import local_date
from state.commitments import Commitment, commitment_status, fulfilment_sentence

__all__ = ["NAMES", "CommitmentResult", "CommitmentSource", "check_schema", "parse_commitment"]

logger = logging.getLogger(__name__)

Record = dict[str, Any]

# Logical name → OData v4/2.0 name. The only place this module spells an upstream name.
NAMES: dict[str, str] = {
    "commitment": "Toezegging",
    "document": "Document",
    "id": "Id",
    "deleted": "Verwijderd",
    "modified": "ApiGewijzigdOp",
    "number": "Nummer",
    "text": "Tekst",
    "status": "Status",
    "ministry": "Ministerie",
    "function": "Functie",
    "title": "Titulatuur",
    "initials": "Initialen",
    "first_name": "Voornaam",
    "prefix": "Tussenvoegsel",
    "surname": "Achternaam",
    "suffix": "Achtervoegsel",
    "made": "Aanmaakdatum",
    "due": "DatumNakoming",
    "letter": "KamerbriefNakoming",
    "activity_number": "ActiviteitNummer",
    "document_number": "DocumentNummer",
    "document_number_v5": "Nummer",  # OData v5 renamed Document.DocumentNummer
    "resource": "resource",
}
# the properties check_schema expects on the commitment entity type
SCHEMA_PROPERTIES = (
    "id", "number", "text", "status", "ministry", "function", "initials", "surname", "made",
    "due", "letter", "activity_number", "modified", "deleted",
)  # fmt: skip
SOURCE_NAME = "tweedekamer-toezeggingen"
DOCUMENT_NUMBER_RE = re.compile(r"^\d{4}D\d{5}$")
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _minister(row: Record) -> str | None:
    parts = [
        _text(row.get(NAMES[key])) for key in ("title", "initials", "prefix", "surname", "suffix")
    ]
    name = " ".join(p for p in parts if p)
    return name or None


def parse_commitment(row: Record) -> Commitment:
    """One Toezegging record as a :class:`Commitment`."""
    n = NAMES
    return Commitment(
        id=str(row[n["id"]]).lower(),
        number=_text(row.get(n["number"])) or str(row[n["id"]]),
        text=_text(row.get(n["text"])) or "",
        status=commitment_status(row.get(n["status"])),
        status_raw=_text(row.get(n["status"])),
        ministry=_text(row.get(n["ministry"])),
        minister=_minister(row),
        function=_text(row.get(n["function"])),
        made=local_date(row.get(n["made"])),
        due=local_date(row.get(n["due"])),
        letter=_text(row.get(n["letter"])),
        activity=_text(row.get(n["activity_number"])),
    )


def check_schema(metadata: bytes) -> list[str]:
    """What the live ``$metadata`` lacks of what this module reads (empty: it still matches)."""
    try:
        root = ET.fromstring(metadata)
    except ET.ParseError as exc:
        return [f"$metadata is not XML: {exc}"]
    for entity in root.iter(f"{EDM}EntityType"):
        if entity.get("Name") == NAMES["commitment"]:
            have = {p.get("Name") for p in entity.iter(f"{EDM}Property")}
            return [
                f"{NAMES['commitment']}.{NAMES[key]} is missing"
                for key in SCHEMA_PROPERTIES
                if NAMES[key] not in have
            ]
    return [f"entity type {NAMES['commitment']} is missing"]


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

    def _query(self, cursor: str | None) -> dict[str, str]:
        n = NAMES
        clause = f"{n['deleted']} eq false and {contains_any(n['text'], self.topic.terms)}"
        moment = parse_datetime(cursor)
        if moment is not None:
            clause += f" and {n['modified']} gt {literal(moment)}"
        return {"$filter": clause, "$orderby": f"{n['modified']},{n['id']}"}

    async def _evidence(self, client: HttpClient, item: Commitment) -> str | None:
        """The fulfilling letter's sentence about the commitment (None when unreadable)."""
        if not item.letter or not DOCUMENT_NUMBER_RE.match(item.letter):
            return None
        n = NAMES
        url = f"{self.base_url}/{n['document']}"
        rows: list[Record] = []
        for name in (n["document_number"], n["document_number_v5"]):
            params = {"$filter": f"{name} eq {literal(item.letter)}", "$select": n["id"]}
            try:
                page = read_json(await client.get(url, params=params))
            except SourceError as exc:
                if exc.status != 400:  # 400: this dialect has no such property; try the next
                    raise
                continue
            rows = page.get("value") or []
            break
        if not rows:
            return None
        result = await client.get(f"{url}({rows[0][n['id']]})/{n['resource']}")
        text = result.content.decode("utf-8", errors="replace")
        return fulfilment_sentence(text, item)

    async def poll(self, client: HttpClient, cursors: Mapping[str, str]) -> CommitmentResult:
        """Fetch the topic's commitments changed since the ``toezegging`` cursor."""
        started = client.requests_made
        cursor = cursors.get("toezegging")
        url = f"{self.base_url}/{NAMES['commitment']}"
        rows = await fetch_all(client, url, self._query(cursor))
        notes: list[str] = []
        found: list[Commitment] = []
        for row in rows:
            try:
                item = parse_commitment(row)
            except (KeyError, TypeError, ValueError) as exc:
                raise ParseError(url, f"unexpected Toezegging record: {exc!r}") from exc
            if not self.topic.matches(item.text):
                continue
            if item.letter:
                try:
                    evidence = await self._evidence(client, item)
                except SourceError as exc:
                    notes.append(f"{item.number}: letter {item.letter} unreadable ({exc})")
                    evidence = None
                if evidence:
                    from dataclasses import replace

                    item = replace(item, evidence=evidence)
            found.append(item)
        stamps = [parse_datetime(r.get(NAMES["modified"])) for r in rows]
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

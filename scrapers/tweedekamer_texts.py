"""The texts of the Tweede Kamer's documents: one fetch → convert → extract step, used for letters
(both the OData and the SyncFeed path) and for motions' operative text.

A text that is gone (HTTP 404/410) or unreadable is noted and the caller keeps what the metadata
said; any other fetch failure fails the source (``SourceError``). A resource that is not on the
source's own host (an Id that is not an Id) is never fetched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from scrapers.base import SourceError
from scrapers.document import ExtractedDocument
from scrapers.http import HttpClient, same_host
from scrapers.letters import extract_document, to_letter
from scrapers.text import to_text
from scrapers.tweedekamer_records import canonical_id, local_date
from state.models import MOTION_ID_RE, DocumentKind, Letter, Motion

__all__ = ["kamerstuk_of", "letter_of", "read_letter", "read_text", "with_text"]

GONE = frozenset({404, 410})
WEBSITE = "https://www.tweedekamer.nl"


async def read_text(
    client: HttpClient,
    resource: str,
    notes: list[str],
    who: str,
    *,
    filename: str | None = None,
) -> ExtractedDocument | None:
    """The document at ``resource``, read; None (and a note on ``who``) when gone or unreadable."""
    try:
        result = await client.get(resource)
    except SourceError as exc:
        if exc.status in GONE:
            notes.append(f"{who}: no text at {resource} (HTTP {exc.status})")
            return None
        raise
    try:
        text = to_text(result.content, result.content_type, filename)
    except ValueError as exc:
        notes.append(f"{who}: text unreadable ({exc})")
        return None
    is_xml = result.content_type.endswith("xml") or result.content.lstrip()[:1] == b"<"
    return extract_document(text, source=resource, xml=result.content if is_xml else None)


async def read_letter(
    client: HttpClient,
    plain: Letter,
    resource: str,
    notes: list[str],
    *,
    filename: str | None = None,
) -> Letter:
    """``plain`` (a letter known from its metadata) with what its text at ``resource`` says."""
    extracted = await read_text(client, resource, notes, f"letter {plain.id}", filename=filename)
    if extracted is None:
        return plain
    letter = to_letter(
        extracted, letter_id=plain.id, url=plain.url, source=plain.source, title=plain.title
    )
    return dataclasses.replace(
        letter,
        date=letter.date or plain.date,
        kamerstuk=plain.kamerstuk or letter.kamerstuk,
        document_nummer=plain.document_nummer or letter.document_nummer,
        kind=DocumentKind.LETTER,
    )


async def with_text(
    client: HttpClient,
    base_url: str,
    motion: Motion,
    zaak: Mapping[str, Any],
    notes: list[str],
) -> Motion:
    """``motion`` with its operative text ("verzoekt de regering …") from its Zaak's official XML
    (``DocumentPublicatie(..)/Resource``), when it has none yet."""
    xml_pub = next(
        (
            pub
            for doc in zaak.get("Document") or []
            for pub in (doc.get("HuidigeDocumentVersie") or {}).get("DocumentPublicatie") or []
            if pub.get("DocumentType") == "Xml" and pub.get("Id")
        ),
        None,
    )
    if xml_pub is None or motion.text:
        return motion
    resource = f"{base_url}/DocumentPublicatie({xml_pub['Id']})/Resource"
    if not same_host(resource, base_url):
        notes.append(f"{motion.id}: text not on the source's host, not fetched")
        return motion
    doc = await read_text(client, resource, notes, motion.id, filename=xml_pub.get("FileName"))
    if doc is None:
        return motion
    return dataclasses.replace(motion, text=doc.operative_text or motion.text)


async def letter_of(
    client: HttpClient, base_url: str, source: str, doc: Mapping[str, Any], notes: list[str]
) -> Letter:
    """The letter an OData ``Document`` row (Soort Brief regering) describes, with its text: the
    official XML when it has one, else ``Document(..)/resource`` (PDF)."""
    kamerstuk = kamerstuk_of(doc)
    nummer = doc.get("DocumentNummer")
    ident = kamerstuk or nummer or str(doc["Id"])
    title = " ".join(str(doc.get("Onderwerp") or "").split()) or f"Kamerbrief {ident}"
    url = (
        f"{WEBSITE}/kamerstukken/brieven_regering/detail?id={nummer}&did={nummer}"
        if nummer
        else (
            f"https://zoek.officielebekendmakingen.nl/kst-{kamerstuk}.html" if kamerstuk else None
        )
    )
    plain = Letter(
        id=ident,
        title=title,
        date=local_date(doc.get("Datum")),
        kind=DocumentKind.LETTER,
        kamerstuk=kamerstuk,
        document_nummer=nummer,
        url=url,
        source=source,
    )
    pubs = (doc.get("HuidigeDocumentVersie") or {}).get("DocumentPublicatie") or []
    xml_pub = next((p for p in pubs if p.get("DocumentType") == "Xml"), None)
    resource = (
        f"{base_url}/DocumentPublicatie({xml_pub['Id']})/Resource"
        if xml_pub
        else f"{base_url}/Document({doc['Id']})/resource"
    )
    if not same_host(resource, base_url):  # an Id that is not an Id
        notes.append(f"letter {ident}: text not on the source's host, not fetched")
        return plain
    filename = xml_pub.get("FileName") if xml_pub else None
    return await read_letter(client, plain, resource, notes, filename=filename)


def kamerstuk_of(doc: Mapping[str, Any]) -> str | None:
    """The letter's own Kamerstuk id: its dossier + Volgnummer, or the version's identifier."""
    for dossier in doc.get("Kamerstukdossier") or []:
        ident = canonical_id(
            dossier.get("Nummer"), dossier.get("Toevoeging"), doc.get("Volgnummer")
        )
        if ident:
            return ident
    external = (doc.get("HuidigeDocumentVersie") or {}).get("ExterneIdentifier") or ""
    if external.startswith("kst-") and MOTION_ID_RE.match(external[4:]):
        return str(external[4:])
    return None

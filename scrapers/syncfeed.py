"""Parsing the Tweede Kamer SyncFeed 2.0: Atom pages of tkData v1-0 entities (pure, no I/O).

A page (``Feed?category=<Entiteit>&skiptoken=N``) holds up to 250 ``<entry>``s after skiptoken N,
each with its own ``<link rel="next">`` (the skiptoken that resumes after it), ``<category
term="zaak"/>`` and the entity's XML in ``<content>``; a feed-level ``rel="next"`` link while more
follow, ``rel="resume"`` when caught up. The entity is an element of the tkData namespace with
``id``, ``tk:bijgewerkt`` and ``tk:verwijderd`` attributes; relations are children with a ``ref``
attribute; empty values carry ``xsi:nil="true"``; a deleted entity has no children.

Everything is matched by namespace URI, never by prefix (some categories come as ``ns1:``), and
``tk:bijgewerkt`` is read in every format seen (7 fraction digits without a zone = Amsterdam
time, ``Z``, ``+0100``). Element names become the v4/2.0 OData property names the rest of
kamerwacht speaks (``besluitSoort`` → ``BesluitSoort``; a relation ``zaak`` → ``Zaak_Id``), since
the SyncFeed kept that vocabulary after OData v5 (OpenDataPortaal #193).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from scrapers.base import ParseError

__all__ = [
    "ATOM",
    "TK",
    "Entity",
    "FeedPage",
    "parse_bijgewerkt",
    "parse_entity",
    "parse_entity_document",
    "parse_page",
    "skiptoken_of",
]

ATOM = "http://www.w3.org/2005/Atom"
TK = "http://www.tweedekamer.nl/xsd/tkData/v1-0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# tkData elements typed as numbers or booleans in the official XSDs (the rest is text)
INTEGERS = frozenset(
    {
        *("volgnummer", "fractieGrootte", "agendapuntZaakBesluitVolgorde"),
        *("hoogsteVolgnummer", "aantalZetels", "volgorde", "kamerstukdossier.nummer"),
    }
)
BOOLEANS = frozenset({"afgedaan", "grootProject", "vergissing", "afgesloten", "besloten"})
_ZONE_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


@dataclass(frozen=True, slots=True)
class Entity:
    """One SyncFeed entity in OData v4/2.0 names; ``refs`` holds every relation's GUIDs."""

    kind: str  # "Zaak", "Besluit", "ZaakActor", … (the element name, capitalised)
    id: str  # lower-case GUID
    bijgewerkt: datetime | None
    deleted: bool
    fields: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ref(self, name: str) -> str | None:
        """The first GUID of relation ``name`` (``"Zaak"``, ``"Besluit"``, …)."""
        found = self.refs.get(name) or ()
        return found[0] if found else None

    def record(self) -> dict[str, Any]:
        """The entity as an OData-style record (``Id``, ``Verwijderd``, fields, ``<Ref>_Id``)."""
        out: dict[str, Any] = {"Id": self.id, "Verwijderd": self.deleted, **self.fields}
        for name, ids in self.refs.items():
            out[f"{name}_Id"] = ids[0] if ids else None
        if self.bijgewerkt is not None:
            out["GewijzigdOp"] = self.bijgewerkt.isoformat()
        return out


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One Atom page: its entries as (skiptoken, entity) and where to go next."""

    entries: tuple[tuple[int, Entity], ...]
    next_token: int | None  # the feed-level rel="next" skiptoken, when more follow
    resume_token: int | None = None  # the feed-level rel="resume" skiptoken, when caught up
    skipped: tuple[str, ...] = ()  # entries that could not be read (logged, not fatal)


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def parse_bijgewerkt(value: str | None) -> datetime | None:
    """A ``tk:bijgewerkt`` value as aware UTC: any fraction digits, ``Z``, ``+0100`` or none."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    text = _ZONE_NO_COLON.sub(r"\1:\2", text)
    main, dot, rest = text.partition(".")
    if dot:  # Python reads at most 6 fraction digits
        digits = re.match(r"\d*", rest)
        frac = digits.group(0) if digits else ""
        text = f"{main}.{frac[:6].ljust(6, '0')}{rest[len(frac) :]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=AMSTERDAM)
    return moment.astimezone(UTC)


def _value(kind: str, name: str, node: ET.Element) -> Any:
    if node.get(f"{{{XSI}}}nil") == "true":
        return None
    text = (node.text or "").strip()
    if name in INTEGERS or f"{kind}.{name}" in INTEGERS:
        try:
            return int(text)
        except ValueError:
            return None
    if name in BOOLEANS:
        return text.lower() == "true" if text else None
    return node.text if node.text is not None else ""


def parse_entity(node: ET.Element) -> Entity:
    """One tkData entity element; ``ValueError`` when it has no id."""
    ns, name = _local(node.tag)
    if ns != TK:
        raise ValueError(f"not a tkData element: {node.tag}")
    ident = (node.get("id") or "").strip().lower()
    if not ident:
        raise ValueError(f"<{name}> without id")
    deleted = (node.get(f"{{{TK}}}verwijderd") or node.get("verwijderd") or "").lower() == "true"
    stamp = node.get(f"{{{TK}}}bijgewerkt") or node.get("bijgewerkt")
    fields: dict[str, Any] = {}
    refs: dict[str, list[str]] = {}
    for child in node:
        cns, cname = _local(child.tag)
        if cns != TK or cname == "annotatie":
            continue
        key = cname[:1].upper() + cname[1:]
        ref = child.get("ref")
        if ref is not None:
            refs.setdefault(key, []).append(ref.strip().lower())
        else:
            fields[key] = _value(name, cname, child)
    return Entity(
        kind=name[:1].upper() + name[1:],
        id=ident,
        bijgewerkt=parse_bijgewerkt(stamp),
        deleted=deleted,
        fields=fields,
        refs={k: tuple(v) for k, v in refs.items()},
    )


def skiptoken_of(url: str | None) -> int | None:
    """The ``skiptoken`` query value of a feed URL, as a number."""
    if not url:
        return None
    values = parse_qs(urlsplit(url).query).get("skiptoken") or []
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None


def _links(node: ET.Element) -> dict[str, str]:
    return {
        link.get("rel", ""): link.get("href", "")
        for link in node.findall(f"{{{ATOM}}}link")
        if link.get("rel")
    }


def parse_page(content: bytes, url: str) -> FeedPage:
    """One Atom page; ``ParseError`` when it is not an Atom feed (an HTML page, junk)."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise ParseError(url, f"SyncFeed page is not XML: {exc}") from exc
    if root.tag != f"{{{ATOM}}}feed":
        raise ParseError(url, f"SyncFeed page is not an Atom feed (root <{_local(root.tag)[1]}>)")
    entries: list[tuple[int, Entity]] = []
    skipped: list[str] = []
    for entry in root.findall(f"{{{ATOM}}}entry"):
        token = skiptoken_of(_links(entry).get("next"))
        content_node = entry.find(f"{{{ATOM}}}content")
        title = (entry.findtext(f"{{{ATOM}}}title") or "").strip()
        body = next(iter(content_node), None) if content_node is not None else None
        if token is None or body is None:
            skipped.append(f"entry {title or '?'}: no skiptoken or no entity")
            continue
        try:
            entries.append((token, parse_entity(body)))
        except ValueError as exc:
            skipped.append(f"entry {title or '?'}: {exc}")
    links = _links(root)
    return FeedPage(
        entries=tuple(entries),
        next_token=skiptoken_of(links.get("next")) if "next" in links else None,
        resume_token=skiptoken_of(links.get("resume")),
        skipped=tuple(skipped),
    )


def parse_entity_document(content: bytes, url: str) -> Entity:
    """The body of ``Entiteiten/<id>``: one entity element."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise ParseError(url, f"SyncFeed entity is not XML: {exc}") from exc
    try:
        return parse_entity(root)
    except ValueError as exc:
        raise ParseError(url, str(exc)) from exc
